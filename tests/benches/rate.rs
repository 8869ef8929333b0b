//! Rate-limited figures: the client's ceiling at 20 requests/s with small pages, and Fyle's real
//! limit, the export at 10 requests/s as a fraction of 200 rows x 10 requests/s.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::ensure;
use futures::TryStreamExt;
use fyle::Client;
use fyle::cluster::ClusterAllowList;
use fyle::models::types::ExpenseOut;
use fyle::transport::{RateLimiter, ReqwestTransport, SharedTransport, TransportBuilder};
use fyle_sandbox::{Sandbox, SandboxConfig};

use crate::clients::{Walk, bench_client, export_csv, sandbox_credentials, stream_expenses};
use crate::counting::{CountingTransport, Counts};
use crate::floor::PAGE;
use crate::table::{Table, f, per_second, thousands};

/// Fyle's limit: requests per second per egress IP.
const FYLE_RPS: u32 = 10;

/// Section 5: sandbox at 20 requests/s, client limiter at 20 requests/s, pages of 10.
pub(crate) async fn rate_ceiling(pages: usize, table: &mut Table) -> anyhow::Result<()> {
    const LIMIT: u32 = 20;
    const PAGE_SIZE: u32 = 10;
    let sandbox = Sandbox::start(SandboxConfig {
        expenses: pages * PAGE_SIZE as usize,
        rate_limit: LIMIT,
        ..SandboxConfig::default()
    })
    .await?;
    let base: SharedTransport = Arc::new(ReqwestTransport::new());
    let (base, counts) = CountingTransport::wrap(base);
    let client = bench_client(
        sandbox_credentials(sandbox.info())?,
        Some(base),
        Some(RateLimiter::per_second(LIMIT)),
        4,
    )?;
    // Token and cluster first, outside the timing.
    client.admin().expenses().list().limit(1).send().await?;
    let sent_before = Counts::get(&counts.requests);
    let started = Instant::now();
    let items = client
        .admin()
        .expenses()
        .list()
        .limit(PAGE_SIZE)
        .stream()
        .try_fold(0_u64, |seen, _: ExpenseOut| {
            futures::future::ready(Ok(seen + 1))
        })
        .await?;
    let elapsed = started.elapsed();
    sandbox.stop().await;
    ensure!(
        items == (pages * PAGE_SIZE as usize) as u64,
        "streamed {items} items"
    );
    let sent = Counts::get(&counts.requests) - sent_before;
    let too_many = Counts::get(&counts.too_many);
    let answered = sent - too_many;
    let achieved = per_second(answered, elapsed);
    let section = format!("5 rate ceiling ({pages} pages, {LIMIT} rps both sides)");
    table.row(&section, "achieved requests/s", format!("{achieved:.2}"));
    table.row(
        &section,
        "achieved / limit",
        format!("{:.3}", achieved / f64::from(LIMIT)),
    );
    table.row(
        &section,
        "429s received by the client",
        too_many.to_string(),
    );
    Ok(())
}

/// How the client reaches the accounts host (token, cluster) in the real-limit runs.
#[derive(Clone, Copy, PartialEq)]
enum Accounts {
    /// The default stack: token and cluster calls on the API's stack without its limiter.
    Apart,
    /// One fully composed stack for every call: token and cluster calls wait for the API's
    /// limiter too (the default before).
    Limited,
}

/// What the client does in one real-limit run.
#[derive(Clone, Copy)]
enum Job {
    /// `fyle export expenses` (CSV to `/dev/null`).
    Export,
    /// The SDK's stable stream, typed.
    Stream,
}

/// A client for the sandbox whose data calls wait for `limiter`, over `base`.
fn limited_client(
    sandbox: &Sandbox,
    base: SharedTransport,
    limiter: RateLimiter,
    accounts: Accounts,
) -> anyhow::Result<Client> {
    let credentials = sandbox_credentials(sandbox.info())?;
    if accounts == Accounts::Apart {
        return bench_client(credentials, Some(base), Some(limiter), 3);
    }
    let every_call = TransportBuilder::from_shared(base)
        .with_defaults()
        .rate_limit(limiter)
        .build();
    Ok(Client::builder()
        .credentials(credentials)
        .transport(every_call)
        .allow_list(ClusterAllowList::default().allow_loopback_http())
        .build()?)
}

/// Section 6: Fyle's real limit. The sandbox (holding `n` expenses) at 10 requests/s and the
/// client's limiter at 10 requests/s; each run is timed from the client's construction, so its
/// token, cluster, count and other set-up calls are included.
pub(crate) async fn real_limit(sandbox: &Sandbox, n: u64, table: &mut Table) -> anyhow::Result<()> {
    let section = format!("6 Fyle's real limit: {FYLE_RPS} req/s both sides, {n} expenses");
    let physical = f(PAGE) * f64::from(FYLE_RPS);
    sandbox.set_rate_limit(FYLE_RPS);
    for (job, accounts, name) in [
        (
            Job::Export,
            Accounts::Apart,
            "fyle export expenses, default client (goal >= 0.97)",
        ),
        (
            Job::Export,
            Accounts::Limited,
            "fyle export expenses, token+cluster through the limiter too",
        ),
        (
            Job::Stream,
            Accounts::Apart,
            "SDK stable stream, default client",
        ),
    ] {
        // A full server bucket at the start of each run, as for a process started afresh.
        tokio::time::sleep(Duration::from_millis(1_100)).await;
        let (base, counts) = CountingTransport::wrap(Arc::new(ReqwestTransport::new()));
        let started = Instant::now();
        let client = limited_client(sandbox, base, RateLimiter::per_second(FYLE_RPS), accounts)?;
        let rows = match job {
            Job::Export => export_csv(&client).await?,
            Job::Stream => stream_expenses(&client, Walk::Stable).await?,
        };
        let elapsed = started.elapsed();
        // The export's snapshot window may leave out a few rows dated after the server's clock.
        ensure!(
            rows <= n && rows + n / 100 >= n,
            "{name}: {rows} of {n} rows"
        );
        let rate = per_second(rows, elapsed);
        let sent = Counts::get(&counts.requests);
        let accounts_calls =
            Counts::get(&counts.token_requests) + Counts::get(&counts.cluster_requests);
        let limited = if accounts == Accounts::Limited {
            sent
        } else {
            sent - accounts_calls
        };
        // Evenly spaced, `limited` requests take at least (limited - 1) intervals.
        let ceiling = f(rows) / f(PAGE) / f(limited.saturating_sub(1).max(1));
        table.row(
            &section,
            name,
            format!(
                "{} rows/s = {:.3} of {}; requests: {accounts_calls} token+cluster + {} API, \
                 {limited} through the limiter (ceiling {:.3}); {} x 429",
                thousands(rate),
                rate / physical,
                thousands(physical),
                sent - accounts_calls,
                ceiling,
                Counts::get(&counts.too_many),
            ),
        );
    }
    sandbox.set_rate_limit(0);
    Ok(())
}
