//! The requests one export makes, counted on the wire against the sandbox: at Fyle's 10
//! requests/s each one is 1% of a 20,000-row export. An expenses export makes one set-up request
//! (`GET /admin/expense_fields`, whose `Date` is also the snapshot bound) and one per page; any
//! other resource one for the server's clock and one per page. No count request, no empty page
//! after a last full one.

use std::sync::{Arc, Mutex};

use fyle::Client;
use fyle::auth::Credentials;
use fyle::cluster::ClusterAllowList;
use fyle::transport::{RateLimiter, ReqwestTransport, Transport, transport_fn};
use fyle_cli::export::{ExportOptions, ExportSummary, PAGE, RangeBound, export};
use fyle_cli::resource::ExportResource;
use fyle_cli::sink::{Format, Target};
use fyle_sandbox::{Resource, Sandbox, SandboxConfig};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use url::Url;

/// A client of `sandbox` whose every request's path is recorded in `log`.
fn recording_client(sandbox: &Sandbox, log: Arc<Mutex<Vec<String>>>) -> Client {
    let info = sandbox.info();
    let inner = Arc::new(ReqwestTransport::new());
    let recording = transport_fn(move |request: http::Request<bytes::Bytes>| {
        log.lock()
            .expect("log")
            .push(request.uri().path().to_owned());
        let inner = Arc::clone(&inner);
        async move { inner.send(request).await }
    });
    let credentials = Credentials::new(
        info.client_id.clone(),
        info.client_secret.clone(),
        info.refresh_token.clone(),
    )
    .with_accounts_url(Url::parse(&info.accounts_url).expect("accounts url"));
    Client::builder()
        .credentials(credentials)
        .allow_list(ClusterAllowList::default().allow_loopback_http())
        .base_transport(Arc::new(recording))
        .rate_limiter(RateLimiter::per_second(1_000))
        .build()
        .expect("client")
}

/// Exports `resource` from a sandbox of `expenses` expenses; returns the summary and the API
/// paths requested (token and cluster calls left out).
async fn export_counting(
    expenses: usize,
    resource: ExportResource,
) -> (ExportSummary, Vec<String>) {
    export_range(expenses, resource, |_| Vec::new()).await
}

/// [`export_counting`] with the `--from`/`--to` bounds `range` makes from the sandbox.
async fn export_range(
    expenses: usize,
    resource: ExportResource,
    range: impl FnOnce(&Sandbox) -> Vec<RangeBound>,
) -> (ExportSummary, Vec<String>) {
    let sandbox = Sandbox::start(SandboxConfig {
        expenses,
        rate_limit: 0,
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox starts");
    let log = Arc::new(Mutex::new(Vec::new()));
    let client = recording_client(&sandbox, Arc::clone(&log));
    let mut options = ExportOptions::new(resource, Format::Csv, Target::File("/dev/null".into()));
    options.range = range(&sandbox);
    let summary = export(&client, options, &mut |_, _| {})
        .await
        .expect("the export runs");
    sandbox.stop().await;
    let paths = log
        .lock()
        .expect("log")
        .iter()
        .filter(|p| !p.starts_with("/oauth/"))
        .cloned()
        .collect();
    (summary, paths)
}

fn pages_for(rows: u64) -> usize {
    usize::try_from(rows.div_ceil(u64::from(PAGE)).max(1)).expect("a few pages")
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expenses_export_makes_one_set_up_request_and_one_per_page() {
    for expenses in [1_000, 1_001, 150] {
        let (summary, paths) = export_counting(expenses, ExportResource::Expenses).await;
        println!(
            "{expenses} expenses: {} rows in the snapshot, {} past it; requests: {paths:?}",
            summary.total, summary.beyond_snapshot
        );
        assert_eq!(summary.rows, summary.total);
        assert_eq!(summary.total + summary.beyond_snapshot, expenses as u64);
        let mut expected = vec!["/platform/v1/admin/expense_fields".to_owned()];
        expected.extend(std::iter::repeat_n(
            "/platform/v1/admin/expenses".to_owned(),
            pages_for(summary.total),
        ));
        assert_eq!(paths, expected, "{expenses} expenses");
    }
}

/// `--to` the `updated_at` of the expense after the first `n` (so exactly `n` match, none of
/// them past the snapshot bound).
fn first_expenses(sandbox: &Sandbox, n: usize) -> Vec<RangeBound> {
    let org = sandbox.info().orgs[0].org_id.clone();
    let mut stamps: Vec<OffsetDateTime> = sandbox
        .ids(&org, Resource::Expenses)
        .iter()
        .filter_map(|id| {
            let row = sandbox.get(&org, Resource::Expenses, id)?;
            OffsetDateTime::parse(row.get("updated_at")?.as_str()?, &Rfc3339).ok()
        })
        .collect();
    stamps.sort();
    assert!(stamps[n - 1] < stamps[n], "distinct stamps around the cut");
    vec![RangeBound {
        field: "updated_at".into(),
        from: false,
        at: stamps[n],
    }]
}

#[tokio::test(flavor = "multi_thread")]
async fn no_empty_page_follows_a_last_full_page() {
    for n in [400, 200] {
        let (summary, paths) =
            export_range(1_000, ExportResource::Expenses, |s| first_expenses(s, n)).await;
        println!("the first {n} expenses: requests: {paths:?}");
        assert_eq!((summary.rows, summary.total), (n as u64, n as u64));
        assert_eq!(summary.beyond_snapshot, 0);
        let pages = paths
            .iter()
            .filter(|p| *p == "/platform/v1/admin/expenses")
            .count();
        // A one-page window that fills its page cannot tell it is the last: its `count`
        // includes any rows past the bound. From two pages on, `count` tells.
        let expected = if n == 200 { 2 } else { n / 200 };
        assert_eq!((paths.len(), pages), (expected + 1, expected));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn another_resource_makes_one_request_for_the_clock_and_one_per_page() {
    let (summary, paths) = export_counting(10, ExportResource::Employees).await;
    println!("employees: {} rows; requests: {paths:?}", summary.total);
    assert_eq!(summary.rows, summary.total);
    assert!(summary.total > 0);
    let mut expected = vec!["/platform/v1/admin/employees".to_owned()];
    expected.extend(std::iter::repeat_n(
        "/platform/v1/admin/employees".to_owned(),
        pages_for(summary.total),
    ));
    assert_eq!(paths, expected);
}
