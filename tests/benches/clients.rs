//! The SDK clients and workloads the sections share.

use futures::TryStreamExt;
use fyle::Client;
use fyle::auth::Credentials;
use fyle::cluster::ClusterAllowList;
use fyle::models::types::ExpenseOut;
use fyle::transport::{RateLimiter, SharedTransport};
use fyle_cli::export::{ExportOptions, export};
use fyle_cli::resource::ExportResource;
use fyle_cli::sink::{Format, Target};
use fyle_sandbox::SandboxInfo;
use url::Url;

/// A client with a limiter that never binds (unless `limiter` is given) over `base` (reqwest
/// by default): the SDK's default stack otherwise.
pub(crate) fn bench_client(
    credentials: Credentials,
    base: Option<SharedTransport>,
    limiter: Option<RateLimiter>,
    concurrency: usize,
) -> anyhow::Result<Client> {
    let mut builder = Client::builder()
        .credentials(credentials)
        .allow_list(ClusterAllowList::default().allow_loopback_http())
        .rate_limiter(limiter.unwrap_or_else(|| RateLimiter::per_second(1_000_000)))
        .page_concurrency(concurrency);
    if let Some(base) = base {
        builder = builder.base_transport(base);
    }
    Ok(builder.build()?)
}

/// The sandbox's first org's credentials.
pub(crate) fn sandbox_credentials(info: &SandboxInfo) -> anyhow::Result<Credentials> {
    Ok(Credentials::new(
        info.client_id.clone(),
        info.client_secret.clone(),
        info.refresh_token.clone(),
    )
    .with_accounts_url(Url::parse(&info.accounts_url)?))
}

/// Credentials for the canned server at `url` (it accepts any).
pub(crate) fn canned_credentials(url: &str) -> anyhow::Result<Credentials> {
    Ok(
        Credentials::new("canned-client", "canned-secret", "canned-refresh")
            .with_accounts_url(Url::parse(url)?),
    )
}

/// How the SDK walks the expenses.
#[derive(Clone, Copy)]
pub(crate) enum Walk {
    /// Offset paging with this many pages prefetched.
    Offset(usize),
    /// Stable (keyset) mode.
    Stable,
}

/// Streams every admin expense, typed; returns how many.
pub(crate) async fn stream_expenses(client: &Client, walk: Walk) -> anyhow::Result<u64> {
    let list = client.admin().expenses().list();
    let list = match walk {
        Walk::Offset(concurrency) => list.concurrency(concurrency),
        Walk::Stable => list.stable(),
    };
    let items = list
        .stream()
        .try_fold(0_u64, |seen, expense: ExpenseOut| {
            std::hint::black_box(&expense);
            futures::future::ready(Ok(seen + 1))
        })
        .await?;
    Ok(items)
}

/// `fyle export expenses` (the CLI's export library): every expense in its snapshot window
/// (`updated_at` up to the server's clock at the start) as CSV to `/dev/null`; returns the
/// rows written, checked against the server's count of that window.
pub(crate) async fn export_csv(client: &Client) -> anyhow::Result<u64> {
    let options = ExportOptions::new(
        ExportResource::Expenses,
        Format::Csv,
        Target::File("/dev/null".into()),
    );
    let summary = export(client, options, &mut |_, _| {}).await?;
    anyhow::ensure!(
        summary.rows == summary.total,
        "the export wrote {} of the {} rows in its window",
        summary.rows,
        summary.total
    );
    Ok(summary.rows)
}
