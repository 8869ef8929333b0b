//! The main job end to end: `fyle_examples::export` against the embedded sandbox, the same code
//! path `cargo run --example export_expenses` runs.

use std::collections::HashSet;
use std::time::Duration;

use fyle_examples::connect::sandbox_client;
use fyle_examples::export::{
    APPROVED_STATES, CSV_HEADER, ExportFailure, Format, approved_since, count_matching, export,
};
use fyle_sandbox::{FaultConfig, Resource, Sandbox, SandboxConfig};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

async fn sandbox(expenses: usize) -> Sandbox {
    let config = SandboxConfig {
        expenses,
        rate_limit: 0,
        ..SandboxConfig::default()
    };
    Sandbox::start(config).await.expect("sandbox starts")
}

fn thirty_days_ago() -> OffsetDateTime {
    OffsetDateTime::now_utc() - Duration::from_secs(30 * 86_400)
}

#[tokio::test]
async fn csv_has_a_header_and_one_row_per_matching_expense() {
    let sandbox = sandbox(1_500).await;
    let info = sandbox.info().clone();
    let client = sandbox_client(&info, &info.refresh_token).expect("client");
    let since = thirty_days_ago();
    let filter = approved_since(since);

    let mut csv_bytes = Vec::new();
    let rows = export(&client, filter.clone(), Format::Csv, &mut csv_bytes, |_| {})
        .await
        .expect("export succeeds");

    // What the sandbox's own store and a direct `count` query say.
    let org = &info.orgs[0].org_id;
    let in_store = sandbox
        .count(org, Resource::Expenses, &filter)
        .expect("org exists");
    let counted = count_matching(&client, &filter).await.expect("count query");
    assert!(
        in_store > 0,
        "the seeded org has approved expenses in the last 30 days"
    );
    assert_eq!(rows, u64::try_from(in_store).expect("fits"));
    assert_eq!(rows, counted);

    let mut reader = csv::Reader::from_reader(csv_bytes.as_slice());
    let header: Vec<String> = reader
        .headers()
        .expect("header row")
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(header, CSV_HEADER);
    let records: Vec<csv::StringRecord> = reader
        .records()
        .collect::<Result<_, _>>()
        .expect("valid CSV");
    assert_eq!(records.len() as u64, rows);
    println!("CSV export: {rows} rows, each with approved_at >= {since} (checked below)");

    let ids: HashSet<&str> = records.iter().map(|r| &r[0]).collect();
    assert_eq!(
        ids.len(),
        records.len(),
        "one row per expense, no duplicates"
    );
    for record in &records {
        assert!(record[0].starts_with("tx"), "expense id {}", &record[0]);
        assert!(
            APPROVED_STATES.contains(&&record[15]),
            "report state {}",
            &record[15]
        );
        let approved_at = OffsetDateTime::parse(&record[16], &Rfc3339)
            .unwrap_or_else(|e| panic!("approved_at {:?} is RFC 3339: {e}", &record[16]));
        assert!(
            approved_at >= since,
            "expense {} approved at {approved_at}, before {since}",
            &record[0]
        );
        assert!(
            record[11].parse::<rust_decimal::Decimal>().is_ok(),
            "amount {}",
            &record[11]
        );
    }
}

#[tokio::test]
async fn json_and_ndjson_carry_the_same_rows() {
    let sandbox = sandbox(400).await;
    let info = sandbox.info().clone();
    let client = sandbox_client(&info, &info.refresh_token).expect("client");
    let filter = approved_since(thirty_days_ago());

    let mut json = Vec::new();
    let json_rows = export(&client, filter.clone(), Format::Json, &mut json, |_| {})
        .await
        .expect("json");
    let array: Vec<serde_json::Value> = serde_json::from_slice(&json).expect("one JSON array");

    let mut ndjson = Vec::new();
    let ndjson_rows = export(&client, filter, Format::Ndjson, &mut ndjson, |_| {})
        .await
        .expect("ndjson");
    let lines: Vec<serde_json::Value> = ndjson
        .split(|b| *b == b'\n')
        .filter(|line| !line.is_empty())
        .map(|line| serde_json::from_slice(line).expect("one JSON object per line"))
        .collect();

    assert_eq!(json_rows, ndjson_rows);
    assert_eq!(array.len() as u64, json_rows);
    assert_eq!(array, lines);
}

#[tokio::test]
async fn a_failure_says_how_many_rows_were_written() {
    let sandbox = sandbox(1_000).await;
    let info = sandbox.info().clone();
    let client = sandbox_client(&info, &info.refresh_token).expect("client");
    let filter = approved_since(OffsetDateTime::UNIX_EPOCH);
    let total = count_matching(&client, &filter).await.expect("count");
    assert!(total > 200, "more than one page to export ({total})");

    // Once the first page is written, every later request fails with a 500.
    let mut out = Vec::new();
    let error = export(&client, filter, Format::Ndjson, &mut out, |rows| {
        if rows == 200 {
            sandbox.set_faults(FaultConfig {
                fail_5xx: 1.0,
                ..FaultConfig::default()
            });
        }
    })
    .await
    .expect_err("the export cannot finish");

    assert!(
        error.rows_written >= 200 && error.rows_written < total,
        "{error}"
    );
    assert!(matches!(error.source, ExportFailure::Fyle(_)), "{error:?}");
    assert!(
        error
            .to_string()
            .contains(&format!("after {} rows", error.rows_written))
    );
    // Everything reported as written really is in the output.
    let lines = out.split(|b| *b == b'\n').filter(|l| !l.is_empty()).count();
    assert_eq!(lines as u64, error.rows_written);
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
