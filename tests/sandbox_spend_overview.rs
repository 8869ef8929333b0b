//! The spend overview through the SDK on the sandbox (issue 12): while Fyle computes, an
//! operation that declares `202 Accepted` is the typed `ErrorKind::NotReady`, never an empty
//! summary; asked again, the typed answer holds the sums of the expenses it covers, checked here
//! against a plain list of the expenses added up by hand.

use std::collections::HashMap;

use futures::TryStreamExt;
use fyle::ErrorKind;
use fyle::models::types::{ExpenseOut, ExpenseOutState, TimeIntervalGranularity};
use fyle::query::Literal;
use fyle_examples_common::connect::sandbox_client;
use fyle_sandbox::{Sandbox, SandboxConfig};
use rust_decimal::Decimal;
use time::OffsetDateTime;
use time::macros::datetime;

/// The seeded history ends here (a year of expenses before it), so the window below cuts it
/// whatever the date the test runs.
const HISTORY_END: OffsetDateTime = datetime!(2026-06-01 0:00 UTC);
/// The window asked for, both ends inclusive: some expenses before it, some after.
const START: OffsetDateTime = datetime!(2025-10-01 0:00 UTC);
const END: OffsetDateTime = datetime!(2026-03-31 23:59:59.999999 UTC);

fn eq(t: OffsetDateTime) -> String {
    format!("eq.{}", Literal::from(t))
}

/// What the overview should count: every listed expense past DRAFT spent in the window.
fn in_window(e: &ExpenseOut) -> bool {
    e.state
        .as_ref()
        .is_some_and(|s| *s != ExpenseOutState::Draft)
        && e.spent_at.is_some_and(|t| (START..=END).contains(&t))
}

#[tokio::test]
async fn a_spend_overview_is_not_ready_then_its_typed_sums_match_the_listed_expenses() {
    let sandbox = Sandbox::start(SandboxConfig {
        expenses: 150,
        rate_limit: 0,
        history_end: Some(HISTORY_END),
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox starts");
    let info = sandbox.info();
    let admin = sandbox_client(info, &info.refresh_token).expect("client");

    // The sums, by hand, from a plain list of every expense.
    let expenses: Vec<ExpenseOut> = admin
        .admin()
        .expenses()
        .list()
        .stream()
        .try_collect()
        .await
        .expect("expenses");
    let counted: Vec<&ExpenseOut> = expenses.iter().filter(|e| in_window(e)).collect();
    let expected: Decimal = counted.iter().filter_map(|e| e.amount).sum();
    let mut per_user: HashMap<&str, Decimal> = HashMap::new();
    for e in &counted {
        *per_user
            .entry(e.user_id.as_deref().unwrap_or_default())
            .or_default() += e.amount.unwrap_or_default();
    }
    println!(
        "{} expenses listed, {} in the window, spend {expected}",
        expenses.len(),
        counted.len()
    );
    assert!(!counted.is_empty() && counted.len() < expenses.len());

    let overview = admin.admin().spend_overview();
    let summary = || {
        overview
            .summary()
            .query("time_interval_start", eq(START))
            .query("time_interval_end", eq(END))
            .query("time_interval_granularity", "eq.quarter")
    };
    let err = summary()
        .send()
        .await
        .expect_err("computing is not a result");
    println!("first ask: {err}");
    match err.kind() {
        ErrorKind::NotReady {
            message,
            retry_after,
        } => {
            assert!(message.as_deref().is_some_and(|m| m.contains("accepted")));
            assert_eq!(*retry_after, Some(std::time::Duration::ZERO));
        }
        other => panic!("expected NotReady, got {other:?}"),
    }
    assert!(err.is_not_ready());

    let ready = summary().send().await.expect("ready on the next ask");
    assert_eq!(
        ready.time_interval_granularity,
        Some(TimeIntervalGranularity::Quarter)
    );
    assert_eq!(ready.total_amount, Some(expected));
    let buckets = ready.data.expect("buckets");
    let markers: Vec<&str> = buckets
        .iter()
        .filter_map(|b| b.time_interval_marker.as_deref())
        .collect();
    assert_eq!(markers, ["2025-Q4", "2026-Q1"]);
    let in_buckets: Decimal = buckets.iter().filter_map(|b| b.amount).sum();
    assert_eq!(in_buckets, expected);

    // A by_* view is a list operation: not ready in `send` and in a stream, then every user's
    // spend.
    let by_user = || {
        overview
            .by_user()
            .query("time_interval_start", eq(START))
            .query("time_interval_end", eq(END))
    };
    let err = by_user()
        .stream()
        .try_collect::<Vec<_>>()
        .await
        .expect_err("computing");
    assert!(err.is_not_ready(), "{err}");
    let rows = by_user()
        .stream()
        .try_collect::<Vec<_>>()
        .await
        .expect("ready");
    assert_eq!(rows.len(), per_user.len());
    for row in &rows {
        let user = row.user_id.as_deref().expect("user_id");
        assert_eq!(row.amount, per_user.get(user).copied(), "{user}");
        assert!(row.user_email.as_deref().is_some_and(|m| m.contains('@')));
    }
    let page = by_user().send().await.expect("ready");
    assert_eq!(
        page.count,
        u64::try_from(per_user.len()).expect("few users")
    );
}
