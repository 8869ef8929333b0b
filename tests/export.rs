//! The export end to end through the libraries: `fyle_cli::export` (what `fyle export expenses`
//! runs) against the embedded sandbox, and the SDK's stable mode it builds on.

use std::collections::HashSet;

use fyle_cli::export::{ExportFailure, ExportOptions, export};
use fyle_cli::resource::ExportResource;
use fyle_cli::sink::{Format, Target};
use fyle_examples_common::connect::sandbox_client;
use fyle_sandbox::{FaultConfig, Sandbox, SandboxConfig};

async fn sandbox(expenses: usize) -> Sandbox {
    let config = SandboxConfig {
        expenses,
        rate_limit: 0,
        ..SandboxConfig::default()
    };
    Sandbox::start(config).await.expect("sandbox starts")
}

#[tokio::test]
async fn a_failure_says_how_many_rows_were_written() {
    let sandbox = sandbox(1_000).await;
    let info = sandbox.info().clone();
    let client = sandbox_client(&info, &info.refresh_token).expect("client");
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("out.ndjson");
    let options = ExportOptions::new(
        ExportResource::Expenses,
        Format::Ndjson,
        Target::File(file.clone()),
    );
    // Once the first page is written, every later request fails with a 500.
    let mut progress = |rows: u64, _total: u64| {
        if rows == 200 {
            sandbox.set_faults(FaultConfig {
                fail_5xx: 1.0,
                ..FaultConfig::default()
            });
        }
    };
    let error = export(&client, options, &mut progress)
        .await
        .expect_err("the export cannot finish");
    assert_eq!(error.rows_written, 200, "{error}");
    assert!(matches!(error.source, ExportFailure::Fyle(_)), "{error:?}");
    assert!(error.to_string().contains("after 200 rows"), "{error}");
    // Everything reported as written really is in the output.
    let text = std::fs::read_to_string(&file).expect("output");
    assert_eq!(text.lines().count(), 200);
}

/// Stable mode with a caller's filter that has its own top-level `or` (the cursor is then sent
/// inside an `and` group): the same rows as an offset listing of that filter, each once.
#[tokio::test]
async fn stable_mode_with_a_callers_or_filter_matches_offset_paging() {
    use futures::TryStreamExt;
    use fyle::models::types::ExpenseOut;
    use fyle::query::Filter;

    let sandbox = sandbox(1_200).await;
    let info = sandbox.info().clone();
    let client = sandbox_client(&info, &info.refresh_token).expect("client");
    let filter = Filter::new().or(|g| g.eq("state", "PAID").eq("state", "APPROVED"));
    let ids = |items: Vec<ExpenseOut>| -> Vec<String> {
        items.into_iter().filter_map(|e| e.id).collect()
    };
    let stable: Vec<ExpenseOut> = client
        .admin()
        .expenses()
        .list()
        .filter(filter.clone())
        .stable()
        .limit(50)
        .stream()
        .try_collect()
        .await
        .expect("stable stream");
    let offset: Vec<ExpenseOut> = client
        .admin()
        .expenses()
        .list()
        .filter(filter.clone())
        .stream()
        .try_collect()
        .await
        .expect("offset stream");
    let (stable, offset) = (ids(stable), ids(offset));
    let unique: HashSet<&String> = stable.iter().collect();
    assert_eq!(unique.len(), stable.len(), "no expense twice");
    let mut sorted = stable.clone();
    sorted.sort();
    let mut expected = offset.clone();
    expected.sort();
    assert_eq!(sorted, expected);
    assert!(stable.len() > 50, "several pages: {}", stable.len());
}

/// `--on approved --from SINCE --to UNTIL`: every exported row has `since <= approved_at <
/// until`, and the export is exactly the rows of the sandbox in that range.
///
/// Why it can fail: the bounds are chosen from the data so that rows exist on both sides of
/// the range (asserted), so an export that drops or loosens either bound writes a row outside
/// it and the per-row check names it; one that narrows a bound misses rows and the set
/// comparison names them. Checked by hand: with the `--from` bound dropped from the export's
/// `window()`, this test fails with "row tx… approved 2025-12-16, before --from 2026-04-02".
#[tokio::test]
async fn every_row_is_within_the_approved_range() {
    use futures::TryStreamExt;
    use fyle::models::operations::{self, HttpMethod};
    use fyle_cli::export::RangeBound;
    use serde_json::Value;
    use time::macros::format_description;
    use time::{Date, OffsetDateTime};

    let sandbox = sandbox(1_500).await;
    let info = sandbox.info().clone();
    let client = sandbox_client(&info, &info.refresh_token).expect("client");
    let op = operations::find(HttpMethod::Get, "/admin/expenses").expect("list operation");
    let all: Vec<Value> = fyle::ListRequest::<Value>::new(client.clone(), op)
        .stream()
        .try_collect()
        .await
        .expect("every expense");
    let approved_at = |row: &Value| -> Option<OffsetDateTime> {
        row.get("report_last_approved_at")
            .and_then(Value::as_str)
            .and_then(|t| {
                OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok()
            })
    };
    let mut days: Vec<Date> = all
        .iter()
        .filter_map(approved_at)
        .map(OffsetDateTime::date)
        .collect();
    days.sort();
    days.dedup();
    assert!(
        days.len() >= 3,
        "the sandbox approves on several days: {days:?}"
    );
    let (since, until) = (days[days.len() / 3], days[days.len() * 2 / 3]);
    let midnight = |day: Date| day.midnight().assume_utc();
    let expected: HashSet<String> = all
        .iter()
        .filter(|row| {
            approved_at(row).is_some_and(|at| at >= midnight(since) && at < midnight(until))
        })
        .filter_map(|row| row.get("id").and_then(Value::as_str).map(str::to_owned))
        .collect();
    let before = all
        .iter()
        .filter(|r| approved_at(r).is_some_and(|at| at < midnight(since)))
        .count();
    let after = all
        .iter()
        .filter(|r| approved_at(r).is_some_and(|at| at >= midnight(until)))
        .count();
    println!(
        "approved range [{since}, {until}): {} rows expected, {before} approved before it, {after} on or after its end, {} never approved",
        expected.len(),
        all.iter().filter(|r| approved_at(r).is_none()).count()
    );
    assert!(
        before > 0 && after > 0 && !expected.is_empty(),
        "rows on both sides of the range"
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("approved.ndjson");
    let mut options = ExportOptions::new(
        ExportResource::Expenses,
        Format::Ndjson,
        Target::File(file.clone()),
    );
    options.columns = Some(vec!["id".into(), "approved_at".into()]);
    options.range = vec![
        RangeBound {
            field: "report_last_approved_at".into(),
            from: true,
            at: midnight(since),
        },
        RangeBound {
            field: "report_last_approved_at".into(),
            from: false,
            at: midnight(until),
        },
    ];
    let summary = export(&client, options, &mut |_, _| {})
        .await
        .expect("export");
    let day = format_description!("[year]-[month]-[day]");
    let mut exported = HashSet::new();
    for line in std::fs::read_to_string(&file).expect("output").lines() {
        let row: Value = serde_json::from_str(line).expect("a JSON row");
        let id = row["id"].as_str().expect("an id").to_owned();
        let text = row["approved_at"].as_str().unwrap_or_default();
        let date = Date::parse(text, &day)
            .unwrap_or_else(|_| panic!("row {id} has no approved date: {row}"));
        assert!(
            date >= since,
            "row {id} approved {date}, before --from {since}"
        );
        assert!(
            date < until,
            "row {id} approved {date}, not before --to {until}"
        );
        assert!(exported.insert(id.clone()), "row {id} exported twice");
    }
    assert_eq!(summary.rows, exported.len() as u64);
    let missing: Vec<_> = expected.difference(&exported).collect();
    let extra: Vec<_> = exported.difference(&expected).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {missing:?}, extra {extra:?}"
    );
}
