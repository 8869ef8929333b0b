//! The webhook-driven export against the sandbox: an admin approval arrives as a verified
//! webhook, the report's expenses land in a CSV file, and Fyle shows each one exported.

use fyle::models::types::ReportActionIn;
use fyle::query::Filter;
use fyle_examples_common::connect::sandbox_client;
use fyle_examples_common::webhook_export::{handle_event, subscribe};
use fyle_sandbox::{Resource, Sandbox, SandboxConfig};
use fyle_webhooks::SubscriptionChange;

#[tokio::test]
async fn an_admin_approval_exports_the_report_and_writes_summaries_back() {
    let sandbox = Sandbox::start(SandboxConfig {
        expenses: 300,
        rate_limit: 0,
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox starts");
    let info = sandbox.info().clone();
    let client = sandbox_client(&info, &info.refresh_token).expect("client");
    let out = tempfile::tempdir().expect("temp dir");

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let mut subscribed = subscribe(&client, listener, None).await.expect("subscribe");
    assert_eq!(subscribed.change, SubscriptionChange::Created);

    let report = client
        .admin()
        .reports()
        .list()
        .filter(
            Filter::new()
                .eq("state", "APPROVER_PENDING")
                .gt("num_expenses", 0),
        )
        .limit(1)
        .send()
        .await
        .expect("reports")
        .items
        .into_iter()
        .next()
        .and_then(|r| r.id)
        .expect("a pending report with expenses");
    let org = &info.orgs[0].org_id;
    let expected = sandbox
        .count(
            org,
            Resource::Expenses,
            &Filter::new().eq("report_id", report.as_str()),
        )
        .expect("org");
    assert!(expected > 0);
    client
        .admin()
        .reports()
        .approve_bulk(&[ReportActionIn {
            id: Some(report.clone()),
        }])
        .await
        .expect("approve");

    let event = tokio::time::timeout(std::time::Duration::from_secs(20), subscribed.events.recv())
        .await
        .expect("a webhook within 20 s")
        .expect("channel open");
    assert_eq!(event.key.action, "ADMIN_APPROVED");
    let done = handle_event(&client, &event, out.path())
        .await
        .expect("export")
        .expect("an approval exports");
    assert_eq!(done.report_id, report);
    assert_eq!(done.expenses, expected);

    let mut csv = csv::Reader::from_path(&done.file).expect("csv file");
    let ids: Vec<String> = csv
        .records()
        .map(|r| r.expect("record")[0].to_owned())
        .collect();
    assert_eq!(ids.len(), expected, "one row per expense of the report");
    for id in &ids {
        let expense = sandbox.get(org, Resource::Expenses, id).expect("expense");
        assert_eq!(
            expense["accounting_export_summary"]["state"], "COMPLETE",
            "{id}: {}",
            expense["accounting_export_summary"]
        );
    }
    println!(
        "webhook export: report {report}, {} expenses to {}",
        done.expenses,
        done.file.display()
    );
    subscribed.server.abort();
}
