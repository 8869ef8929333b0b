//! Many tenants, one limiter: 20 orgs of one sandbox, each with its own client and tokens, all
//! on one shared transport whose rate limiter (the SDK's, 10 requests/s) they share, as
//! `examples/common/src/multi_tenant.rs` does. Every org streams all its expenses at once.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::ensure;
use fyle::Client;
use fyle::auth::Credentials;
use fyle::cluster::ClusterAllowList;
use fyle::transport::{RateLimiter, ReqwestTransport, RetryPolicy, TransportBuilder};
use fyle_sandbox::{Sandbox, SandboxConfig};
use url::Url;

use crate::clients::{Walk, stream_expenses};
use crate::counting::{CountingTransport, Counts};
use crate::fifo_limiter::FifoLimit;
use crate::floor::PAGE;
use crate::table::{Table, f, per_second, thousands};

/// Tenants sharing the limiter.
const TENANTS: usize = 20;
/// The shared limit (Fyle's, per egress IP).
const RPS: u32 = 10;

/// The limiter the tenants share.
#[derive(Clone, Copy, PartialEq)]
enum Limiter {
    /// The SDK's (`RateLimiter::per_second(10)` in the default stack).
    Sdk,
    /// The FIFO slot-reservation prototype of [`crate::fifo_limiter`].
    Fifo,
}

/// Section 7: `per_org` expenses in each of 20 orgs, with the SDK's limiter, then with the
/// FIFO prototype for comparison.
pub(crate) async fn multi_tenant(per_org: usize, table: &mut Table) -> anyhow::Result<()> {
    eprintln!("seeding a sandbox with {TENANTS} orgs of {per_org} expenses...");
    let sandbox = Sandbox::start(SandboxConfig {
        expenses: per_org,
        orgs: TENANTS,
        rate_limit: RPS,
        ..SandboxConfig::default()
    })
    .await?;
    for limiter in [Limiter::Sdk, Limiter::Fifo] {
        // Fresh server buckets for each run.
        tokio::time::sleep(Duration::from_millis(1_100)).await;
        run(&sandbox, per_org, limiter, table).await?;
    }
    sandbox.stop().await;
    Ok(())
}

/// One run: every tenant at once on one shared transport.
async fn run(
    sandbox: &Sandbox,
    per_org: usize,
    limiter: Limiter,
    table: &mut Table,
) -> anyhow::Result<()> {
    let info = sandbox.info().clone();
    let allow = ClusterAllowList::default().allow_loopback_http();
    let (base, counts) = CountingTransport::wrap(Arc::new(ReqwestTransport::new()));
    let shared = match limiter {
        Limiter::Sdk => TransportBuilder::from_shared(base)
            .with_defaults()
            .rate_limit(RateLimiter::per_second(RPS))
            .build(),
        Limiter::Fifo => TransportBuilder::from_shared(FifoLimit::wrap(base, RPS))
            .retry(RetryPolicy::default())
            .tracing()
            .build(),
    };
    let clients = info
        .orgs
        .iter()
        .map(|org| {
            let credentials = Credentials::new(
                org.client_id.clone(),
                org.client_secret.clone(),
                org.refresh_token.clone(),
            )
            .with_accounts_url(Url::parse(&info.accounts_url)?);
            Ok(Client::builder()
                .credentials(credentials)
                .transport(shared.clone())
                .allow_list(allow.clone())
                .build()?)
        })
        .collect::<anyhow::Result<Vec<Client>>>()?;

    let started = Instant::now();
    let runs = clients.iter().map(|client| async move {
        let rows = stream_expenses(client, Walk::Offset(client.page_concurrency())).await?;
        anyhow::Ok((rows, started.elapsed()))
    });
    let done: Vec<(u64, Duration)> = futures::future::try_join_all(runs).await?;
    let elapsed = started.elapsed();

    let rows: u64 = done.iter().map(|(rows, _)| rows).sum();
    ensure!(
        rows == (per_org * TENANTS) as u64,
        "the tenants streamed {rows} of {} rows",
        per_org * TENANTS
    );
    let rates: Vec<f64> = done
        .iter()
        .map(|(rows, took)| per_second(*rows, *took))
        .collect();
    let slowest = rates.iter().copied().fold(f64::INFINITY, f64::min);
    let fastest = rates.iter().copied().fold(0.0, f64::max);
    let first_done = done.iter().map(|(_, took)| *took).min().unwrap_or_default();
    let sent = Counts::get(&counts.requests);
    let accounts_calls =
        Counts::get(&counts.token_requests) + Counts::get(&counts.cluster_requests);
    // `sent` requests evenly spaced fill `sent - 1` intervals of the limiter.
    let used = per_second(sent.saturating_sub(1), elapsed) / f64::from(RPS);
    let section = format!(
        "7 {TENANTS} tenants x {per_org} expenses, one {RPS} req/s limiter: {}",
        match limiter {
            Limiter::Sdk => "SDK's",
            Limiter::Fifo => "FIFO prototype",
        }
    );
    table.row(
        &section,
        "requests/s used / limit (goal >= 0.95)",
        format!(
            "{used:.3} ({sent} requests in {:.1} s: {accounts_calls} token+cluster; {} x 429)",
            elapsed.as_secs_f64(),
            Counts::get(&counts.too_many)
        ),
    );
    table.row(
        &section,
        "rows/s / (200 x limit)",
        format!(
            "{:.3} ({} rows/s)",
            per_second(rows, elapsed) / (f(PAGE) * f64::from(RPS)),
            thousands(per_second(rows, elapsed))
        ),
    );
    table.row(
        &section,
        "fairness: slowest / fastest tenant's rows/s (goal >= 0.8)",
        format!(
            "{:.2} (first tenant done at {:.1} s, last at {:.1} s)",
            slowest / fastest,
            first_done.as_secs_f64(),
            elapsed.as_secs_f64()
        ),
    );
    Ok(())
}
