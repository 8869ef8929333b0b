//! `--mark-exported` writes back the rows that failed too, as Fyle's connectors do: `ERROR`
//! with the `error_type` Fyle knows (`MAPPING` for a missing mapping value, per `--require`;
//! `ACCOUNTING_INTEGRATION_ERROR` for a row the output format cannot hold), linked to the
//! `--error-url` page, with the reason on stderr; the sandbox then shows them.

mod common;

use std::collections::HashSet;

use common::{World, csv_ids, stderr};
use fyle_sandbox::Resource;
use serde_json::Value;

const EXPORTED: &str = "https://erp.example.com/bills/{id}";
const ERRORS: &str = "https://erp.example.com/errors?expense={id}";

/// The ids of the `not exported: ID: TYPE: reason` lines of stderr, with their type.
fn not_exported(stderr: &str) -> Vec<(String, String, String)> {
    stderr
        .lines()
        .filter_map(|line| line.strip_prefix("not exported: "))
        .filter_map(|rest| {
            let mut parts = rest.splitn(3, ": ");
            Some((
                parts.next()?.to_owned(),
                parts.next()?.to_owned(),
                parts.next()?.to_owned(),
            ))
        })
        .collect()
}

fn summary(world: &World, id: &str) -> Value {
    world
        .sandbox
        .get(&world.org(), Resource::Expenses, id)
        .expect("the expense exists")["accounting_export_summary"]
        .clone()
}

#[tokio::test]
async fn rows_missing_a_required_mapping_are_marked_error_mapping() {
    let world = World::start(300).await;
    let out = world.path("bills.csv");
    let run = world
        .fyle(&[
            "export",
            "expenses",
            "--state",
            "PAID",
            "--require",
            "project_code",
            "--out",
            out.to_str().expect("utf-8 path"),
            "--mark-exported",
            EXPORTED,
            "--error-url",
            ERRORS,
        ])
        .await;
    let err = stderr(&run);
    let failed = not_exported(&err);
    let written = csv_ids(&out);
    println!(
        "{} PAID expenses written and marked COMPLETE, {} without a project marked ERROR (MAPPING)",
        written.len(),
        failed.len()
    );
    assert!(
        !run.status.success(),
        "failed rows make the run fail: {err}"
    );
    assert!(!written.is_empty() && !failed.is_empty(), "{err}");
    assert!(
        err.contains(&format!(
            "Marked {} expenses exported and {} as ERROR in Fyle; 0 could not be marked.",
            written.len(),
            failed.len()
        )),
        "{err}"
    );
    let written_set: HashSet<&String> = written.iter().collect();
    for (id, error_type, reason) in &failed {
        assert_eq!(error_type, "MAPPING");
        assert_eq!(reason, "no value for project_code");
        assert!(!written_set.contains(id), "{id} is both written and failed");
        let row = world
            .sandbox
            .get(&world.org(), Resource::Expenses, id)
            .expect("row");
        assert!(
            row["project"].is_null() || row["project"]["code"].is_null(),
            "{id} has a project code"
        );
        let summary = summary(&world, id);
        assert_eq!(summary["state"], "ERROR", "{id}: {summary}");
        assert_eq!(summary["error_type"], "MAPPING", "{id}: {summary}");
        assert_eq!(
            summary["url"],
            format!("https://erp.example.com/errors?expense={id}")
        );
    }
    for id in &written {
        let summary = summary(&world, id);
        assert_eq!(summary["state"], "COMPLETE", "{id}: {summary}");
        assert!(summary["error_type"].is_null());
        assert_eq!(
            summary["url"],
            format!("https://erp.example.com/bills/{id}")
        );
    }
    // Every PAID expense is accounted for: written or failed, never both, never neither.
    let paid = world
        .sandbox
        .ids(&world.org(), Resource::Expenses)
        .into_iter()
        .filter(|id| {
            world
                .sandbox
                .get(&world.org(), Resource::Expenses, id)
                .is_some_and(|row| row["state"] == "PAID")
        })
        .count();
    assert_eq!(written.len() + failed.len(), paid);
}

#[tokio::test]
async fn a_row_the_format_cannot_hold_is_marked_error_accounting_integration() {
    let world = World::start(200).await;
    // One PAID expense gets a purpose longer than an xlsx cell holds (32,767 characters).
    let org = world.org();
    let victim = world
        .sandbox
        .ids(&org, Resource::Expenses)
        .into_iter()
        .find(|id| {
            world
                .sandbox
                .get(&org, Resource::Expenses, id)
                .is_some_and(|row| row["state"] == "PAID")
        })
        .expect("a PAID expense");
    let body = world.path("long.json");
    let purpose = "Conference ".repeat(3_500);
    std::fs::write(
        &body,
        serde_json::json!({"data": {"id": victim, "purpose": purpose}}).to_string(),
    )
    .expect("body written");
    let edit = world
        .fyle(&[
            "api",
            "POST",
            "/admin/expenses",
            "--data",
            &format!("@{}", body.display()),
        ])
        .await;
    common::ok(&edit);
    // The export's snapshot ends a whole second before it starts (the clock it reads has
    // whole seconds): let the edit fall inside it.
    tokio::time::sleep(std::time::Duration::from_millis(2_100)).await;

    let out = world.path("bills.xlsx");
    let run = world
        .fyle(&[
            "export",
            "expenses",
            "--state",
            "PAID",
            "--out",
            out.to_str().expect("utf-8 path"),
            "--mark-exported",
            EXPORTED,
        ])
        .await;
    let err = stderr(&run);
    println!("{err}");
    assert!(!run.status.success(), "{err}");
    let failed = not_exported(&err);
    assert_eq!(failed.len(), 1, "{err}");
    let (id, error_type, reason) = &failed[0];
    assert_eq!(id, &victim);
    assert_eq!(error_type, "ACCOUNTING_INTEGRATION_ERROR");
    assert!(
        reason.contains("purpose holds 38500 characters"),
        "{reason}"
    );
    let summary = summary(&world, &victim);
    assert_eq!(summary["state"], "ERROR", "{summary}");
    assert_eq!(summary["error_type"], "ACCOUNTING_INTEGRATION_ERROR");
    // Without --error-url the failed row links to the --mark-exported template.
    assert_eq!(
        summary["url"],
        format!("https://erp.example.com/bills/{victim}")
    );
    assert!(out.exists(), "the workbook holds the other rows");
}
