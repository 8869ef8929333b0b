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
