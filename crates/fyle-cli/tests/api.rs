//! `fyle api`, `fyle ops`, `fyle schema`, errors and exit codes, help text.

mod common;

use common::{World, ok, stderr, stdout};
use serde_json::Value;

#[tokio::test(flavor = "multi_thread")]
async fn get_with_all_streams_every_page_as_ndjson() {
    let world = World::start(700).await;
    let one = world
        .fyle(&[
            "api",
            "GET",
            "/admin/expenses",
            "-f",
            "state=in.(PAID,APPROVED)",
            "--limit",
            "1",
        ])
        .await;
    ok(&one);
    let page: Value = serde_json::from_str(&stdout(&one)).expect("stdout is JSON only");
    let count = page["count"].as_u64().expect("count");
    assert!(count > 200, "more than a page: {count}");

    let all = world
        .fyle(&[
            "api",
            "GET",
            "/admin/expenses",
            "-f",
            "state=in.(PAID,APPROVED)",
            "--all",
            "--limit",
            "150",
        ])
        .await;
    ok(&all);
    let lines: Vec<Value> = stdout(&all)
        .lines()
        .map(|l| serde_json::from_str(l).expect("NDJSON"))
        .collect();
    assert_eq!(lines.len() as u64, count);
    let ids: std::collections::HashSet<&str> =
        lines.iter().filter_map(|l| l["id"].as_str()).collect();
    assert_eq!(ids.len(), lines.len(), "each object once");
    assert!(
        lines
            .iter()
            .all(|l| l["state"] == "PAID" || l["state"] == "APPROVED")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn post_creates_and_role_prefixes_a_short_path() {
    let world = World::start(20).await;
    let created = world
        .fyle(&[
            "api",
            "POST",
            "categories",
            "--role",
            "admin",
            "--data",
            r#"{"data": {"name": "Team Lunch", "is_enabled": true}}"#,
        ])
        .await;
    ok(&created);
    let body: Value = serde_json::from_str(&stdout(&created)).expect("JSON");
    assert_eq!(body["data"]["name"], "Team Lunch");
    let found = world
        .fyle(&[
            "api",
            "GET",
            "/admin/categories",
            "-f",
            "name=eq.Team Lunch",
            "--all",
        ])
        .await;
    ok(&found);
    assert_eq!(stdout(&found).lines().count(), 1, "{}", stdout(&found));
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_exits_non_zero_with_a_clear_message() {
    let world = World::start(20).await;
    let bad_filter = world
        .fyle(&["api", "GET", "/admin/expenses", "-f", "amount=bigger.10"])
        .await;
    assert_eq!(bad_filter.status.code(), Some(2));
    assert!(
        stderr(&bad_filter).contains("bad filter -f amount=bigger.10"),
        "{}",
        stderr(&bad_filter)
    );
    assert!(stdout(&bad_filter).is_empty(), "nothing on stdout");

    let bad_path = world.fyle(&["api", "GET", "/admin/expensez"]).await;
    assert_eq!(bad_path.status.code(), Some(2));
    assert!(
        stderr(&bad_path).contains("no operation GET /admin/expensez"),
        "{}",
        stderr(&bad_path)
    );

    // Fyle's own rejection: a validation error, exit 1, kind and message on stderr.
    let rejected = world
        .fyle(&["api", "GET", "/admin/expenses", "--limit", "0"])
        .await;
    assert_eq!(
        rejected.status.code(),
        Some(2),
        "limit is checked before sending"
    );
    let api_error = world
        .fyle(&[
            "api",
            "POST",
            "/admin/categories",
            "--data",
            r#"{"data": {"nme": 1}}"#,
        ])
        .await;
    assert_eq!(api_error.status.code(), Some(1), "{}", stderr(&api_error));
    assert!(stderr(&api_error).contains("400"), "{}", stderr(&api_error));

    let refused = world
        .fyle_env(
            &["api", "GET", "/admin/expenses"],
            &[("FYLE_REFRESH_TOKEN", "not-a-token")],
        )
        .await;
    assert_eq!(refused.status.code(), Some(3), "{}", stderr(&refused));

    let unreachable = world
        .fyle_env(
            &["api", "GET", "/admin/expenses"],
            &[("FYLE_ACCOUNTS_URL", "http://127.0.0.1:9")],
        )
        .await;
    assert_eq!(
        unreachable.status.code(),
        Some(4),
        "{}",
        stderr(&unreachable)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn ops_schema_help_completions_and_man() {
    let dir = tempfile::tempdir().expect("as the test set it up");
    let ops = common::run(dir.path(), &["ops"], vec![]).await;
    ok(&ops);
    let count = stdout(&ops).lines().count();
    assert_eq!(
        count,
        fyle::models::operations::ALL.len(),
        "every operation listed"
    );
    let search = common::run(
        dir.path(),
        &["ops", "search", "accounting_export_summary"],
        vec![],
    )
    .await;
    ok(&search);
    assert!(stdout(&search).contains("POST  /admin/expenses/accounting_export_summary/bulk"));

    let schema = common::run(
        dir.path(),
        &["schema", "accounting_export_summary_in"],
        vec![],
    )
    .await;
    ok(&schema);
    for field in ["id", "state", "error_type", "url"] {
        assert!(
            stdout(&schema).contains(&format!("\n  {field} ")),
            "{}",
            stdout(&schema)
        );
    }
    // A name dedupe merged into another type (an alias) lists the fields of the type it names.
    let alias = common::run(dir.path(), &["schema", "ExpenseFiltersIn"], vec![]).await;
    ok(&alias);
    assert!(
        stdout(&alias).starts_with("ExpenseFiltersIn (schema `expense_filters_in`)"),
        "{}",
        stdout(&alias)
    );
    let unknown = common::run(dir.path(), &["schema", "NoSuchType"], vec![]).await;
    assert_eq!(unknown.status.code(), Some(2));

    let help = common::run(dir.path(), &["export", "expenses", "--help"], vec![]).await;
    ok(&help);
    for needle in [
        "--checkpoint",
        "--mark-exported",
        "--from",
        "--on",
        "--source-account",
        "--columns",
        "xlsx",
        "Exit codes",
    ] {
        assert!(stdout(&help).contains(needle), "help mentions {needle}");
    }
    let completions = common::run(dir.path(), &["completions", "bash"], vec![]).await;
    ok(&completions);
    assert!(stdout(&completions).contains("fyle"));
    let man = common::run(dir.path(), &["man"], vec![]).await;
    ok(&man);
    assert!(stdout(&man).contains(".TH fyle"));
}

#[tokio::test(flavor = "multi_thread")]
async fn sandbox_flag_says_so_on_stderr() {
    let dir = tempfile::tempdir().expect("as the test set it up");
    let out = dir.path().join("e.csv");
    let run = common::run(
        dir.path(),
        &[
            "export",
            "expenses",
            "--sandbox",
            "--sandbox-expenses",
            "120",
            "--out",
            out.to_str().expect("utf-8 path"),
        ],
        vec![],
    )
    .await;
    ok(&run);
    assert!(
        stderr(&run).contains("embedded sandbox"),
        "{}",
        stderr(&run)
    );
    assert!(common::csv_ids(&out).len() > 100);
    let none = common::run(dir.path(), &["whoami"], vec![]).await;
    assert_eq!(
        none.status.code(),
        Some(3),
        "not logged in: {}",
        stderr(&none)
    );
}
