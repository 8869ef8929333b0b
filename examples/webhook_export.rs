//! Export each report the moment an admin approves it, driven by Fyle's webhooks.
//!
//! ```text
//! cargo run --example webhook_export -- [--listen 127.0.0.1:0] [--public-url URL] [--out DIR] [--max-events N]
//! ```
//!
//! The app subscribes the org's reports to its webhook endpoint (idempotently), then waits.
//! Every callback is verified by re-reading the report through the API (Fyle signs no
//! webhook) and deduplicated; on `ADMIN_APPROVED` the report's expenses are exported to
//! `{out}/report-{id}.csv` and each expense's accounting export summary is written back.
//!
//! With `FYLE_CLIENT_ID`, `FYLE_CLIENT_SECRET` and `FYLE_REFRESH_TOKEN` set it talks to real
//! Fyle (then `--public-url` must be where Fyle can reach this process). Without them it starts
//! the sandbox in this process, approves one pending report itself, and exits after exporting
//! it.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use fyle::models::types::ReportActionIn;
use fyle::query::Filter;
use fyle_examples_common::connect::connect;
use fyle_examples_common::webhook_export::{handle_event, subscribe};
use fyle_sandbox::SandboxConfig;
use url::Url;

/// Export reports as they are approved, from webhooks.
#[derive(Parser)]
struct Args {
    /// Address the webhook endpoint listens on.
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// The URL Fyle reaches the endpoint at (default: http://{listen}/).
    #[arg(long)]
    public_url: Option<Url>,
    /// Directory for the CSV files.
    #[arg(long, default_value = ".")]
    out: PathBuf,
    /// Stop after this many exports (the sandbox run stops after 1).
    #[arg(long)]
    max_events: Option<usize>,
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .init();
    match run(Args::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> anyhow::Result<()> {
    let connection = connect(SandboxConfig {
        expenses: 300,
        ..SandboxConfig::default()
    })
    .await?;
    let client = connection.client;
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    let mut subscribed = subscribe(&client, listener, args.public_url).await?;
    eprintln!(
        "Webhooks for the org's reports go to {} (subscription {:?}).",
        subscribed.url, subscribed.change
    );

    let mut max_events = args.max_events;
    if connection.sandbox.is_some() {
        // Nobody approves reports on a fresh sandbox: approve one, as its admin.
        let pending = client
            .admin()
            .reports()
            .list()
            .filter(Filter::new().eq("state", "APPROVER_PENDING"))
            .limit(1)
            .send()
            .await?;
        let report = pending
            .items
            .into_iter()
            .next()
            .and_then(|r| r.id)
            .ok_or_else(|| anyhow::anyhow!("the sandbox has no pending report"))?;
        eprintln!("Sandbox: approving report {report}.");
        client
            .admin()
            .reports()
            .approve_bulk(&[ReportActionIn { id: Some(report) }])
            .await?;
        max_events.get_or_insert(1);
    }

    let mut exported = 0;
    while let Some(event) = subscribed.events.recv().await {
        match handle_event(&client, &event, &args.out).await {
            Ok(Some(done)) => {
                exported += 1;
                println!(
                    "{} {}: exported {} expenses to {}; accounting export summaries written",
                    event.key.action,
                    done.report_id,
                    done.expenses,
                    done.file.display()
                );
            }
            Ok(None) => eprintln!("{}: nothing to export", event.key),
            Err(error) => eprintln!("{}: export failed: {error:#}", event.key),
        }
        if max_events.is_some_and(|max| exported >= max) {
            break;
        }
    }
    subscribed.server.abort();
    Ok(())
}
