//! Push projects and categories in bulk; rows Fyle rejects are reported, the rest land.
//!
//! ```text
//! cargo run --example master_data_push
//! ```
//!
//! Fyle's bulk calls are all-or-nothing: one bad row fails the whole call with a `BulkError`
//! naming the failed rows. The facade resubmits without them. The batch here is built to
//! have bad rows: a project the org already has, a project repeated in the batch, and a
//! category without a name.
//!
//! With `FYLE_CLIENT_ID`, `FYLE_CLIENT_SECRET` and `FYLE_REFRESH_TOKEN` set (an admin's) it
//! creates these projects and categories in your Fyle org. Without them it uses a sandbox
//! started in this process.

use std::process::ExitCode;

use anyhow::Context;
use fyle_examples_common::connect::connect;
use fyle_examples_common::master_data::{
    PushReport, example_categories, example_projects, push_categories, push_projects,
};
use fyle_sandbox::SandboxConfig;

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> anyhow::Result<()> {
    let connection = connect(SandboxConfig::default()).await?;
    if let Some(sandbox) = &connection.sandbox {
        eprintln!(
            "No FYLE_* credentials set: using the embedded sandbox at {}.",
            sandbox.url()
        );
    }
    let client = connection.client;

    // One project the org already has, to show a rejected row.
    let page = client.admin().projects().list().limit(1).send().await?;
    let existing = page
        .items
        .first()
        .context("the org has no project to clash with")?;

    let projects = push_projects(&client, example_projects(existing)).await?;
    print_report("projects", &projects);
    let categories = push_categories(&client, example_categories()).await?;
    print_report("categories", &categories);
    Ok(())
}

fn print_report(kind: &str, report: &PushReport) {
    println!(
        "{kind}: {} created, {} rejected",
        report.created.len(),
        report.failed.len()
    );
    for row in &report.created {
        println!("  created  {:>8}  {}", row.id, row.name);
    }
    for row in &report.failed {
        let name = row.name.as_deref().unwrap_or("(no name)");
        println!("  rejected row {}  {name}: {}", row.index, row.reason);
    }
}
