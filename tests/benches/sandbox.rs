//! Throughput on the live sandbox (rate limit off): the SDK's streams, the CLI's export
//! (issue 14's figure) and the raw floor, each reading the same sandbox. The sandbox takes most
//! of each page's time here, so these ratios move with its load; section 2 measures the client
//! alone.

use std::time::{Duration, Instant};

use anyhow::ensure;
use fyle_sandbox::{Sandbox, SandboxConfig};

use crate::canned::CannedPages;
use crate::clients::{Walk, bench_client, export_csv, sandbox_credentials, stream_expenses};
use crate::floor;
use crate::table::{Table, per_second};

/// Items/s of the best of `runs` runs of `work`, each checked to see `n` items.
async fn best_of<F, Fut>(n: u64, runs: usize, mut work: F) -> anyhow::Result<f64>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = anyhow::Result<u64>>,
{
    let mut best = Duration::MAX;
    for _ in 0..runs {
        let started = Instant::now();
        let items = work().await?;
        best = best.min(started.elapsed());
        ensure!(items == n, "a run saw {items} of {n} items");
    }
    Ok(per_second(n, best))
}

/// Section 1. Returns the sandbox (for the rate-limited sections) and its pages, canned.
pub(crate) async fn sandbox_throughput(
    n: usize,
    runs: usize,
    table: &mut Table,
) -> anyhow::Result<(Sandbox, CannedPages)> {
    let sandbox = seeded(n).await?;
    let info = sandbox.info().clone();
    let domain = info.cluster_domain.clone();
    let section = format!("1 sandbox, {n} expenses");
    let hyper = floor::hyper();
    let n = n as u64;
    let mut floor_c1 = 0.0;
    for concurrency in [1_usize, 4] {
        let client = bench_client(sandbox_credentials(&info)?, None, None, concurrency)?;
        let token = access_token(&client).await?;
        // One untimed pass first: the sandbox caches a sorted result per query, and whichever
        // variant ran first would otherwise pay for that sort alone.
        floor::export(&hyper, &domain, &token, concurrency).await?;
        let sdk = best_of(n, runs, || {
            stream_expenses(&client, Walk::Offset(concurrency))
        })
        .await?;
        let floor = best_of(n, runs, || {
            floor::export(&hyper, &domain, &token, concurrency)
        })
        .await?;
        table.rate(
            &section,
            &format!("fyle stream, typed, concurrency {concurrency}"),
            sdk,
            "items/s",
        );
        table.rate(
            &section,
            &format!("floor hyper+serde_json, concurrency {concurrency}"),
            floor,
            "items/s",
        );
        table.ratio(
            &section,
            &format!("ratio SDK/floor, concurrency {concurrency}"),
            sdk / floor,
        );
        if concurrency == 1 {
            floor_c1 = floor;
        }
    }
    let client = bench_client(sandbox_credentials(&info)?, None, None, 1)?;
    stream_expenses(&client, Walk::Stable).await?; // warms the sandbox's sort of this query
    let stable = best_of(n, runs, || stream_expenses(&client, Walk::Stable)).await?;
    table.rate(
        &section,
        "fyle stream, stable (keyset) mode",
        stable,
        "items/s",
    );
    table.ratio(
        &section,
        "ratio stable/floor, concurrency 1",
        stable / floor_c1,
    );
    // The same warm-up for the export's (updated_at, id) order. The export's snapshot window
    // (`updated_at` up to the server's clock) may leave out a few seeded rows dated later.
    let in_window = export_csv(&client).await?;
    let export = best_of(in_window, runs, || export_csv(&client)).await?;
    table.rate(
        &section,
        "fyle export expenses (fyle_cli::export, CSV to /dev/null)",
        export,
        "rows/s",
    );
    table.ratio(
        &section,
        "ratio export / SDK stable stream (issue 14)",
        export / stable,
    );
    table.ratio(
        &section,
        "ratio export / floor, concurrency 1",
        export / floor_c1,
    );

    let token = access_token(&client).await?;
    let canned = CannedPages::capture(&hyper, &domain, &token).await?;
    Ok((sandbox, canned))
}

/// The pages of a sandbox of `n` expenses, captured without the throughput runs (`--only`).
pub(crate) async fn capture_alone(n: usize) -> anyhow::Result<CannedPages> {
    let sandbox = seeded(n).await?;
    let info = sandbox.info().clone();
    let client = bench_client(sandbox_credentials(&info)?, None, None, 1)?;
    let token = access_token(&client).await?;
    let canned = CannedPages::capture(&floor::hyper(), &info.cluster_domain, &token).await;
    sandbox.stop().await;
    canned
}

/// A sandbox of `n` expenses for section 6 without the throughput runs (`--only rate`): the
/// stable stream and the export run once untimed first, as section 1 leaves them (the
/// sandbox caches each query's sorted result).
pub(crate) async fn seeded_alone(n: usize) -> anyhow::Result<Sandbox> {
    let sandbox = seeded(n).await?;
    let client = bench_client(sandbox_credentials(sandbox.info())?, None, None, 1)?;
    let warm = async {
        stream_expenses(&client, Walk::Stable).await?;
        export_csv(&client).await
    };
    if let Err(e) = warm.await {
        sandbox.stop().await;
        return Err(e);
    }
    Ok(sandbox)
}

/// A sandbox of `n` expenses, rate limit off.
async fn seeded(n: usize) -> anyhow::Result<Sandbox> {
    eprintln!("seeding a sandbox with {n} expenses (rate limit off)...");
    Ok(Sandbox::start(SandboxConfig {
        expenses: n,
        rate_limit: 0,
        ..SandboxConfig::default()
    })
    .await?)
}

/// The client's current access token (fetched once), for the floor's requests.
async fn access_token(client: &fyle::Client) -> anyhow::Result<String> {
    Ok(client
        .token_provider()
        .access_token()
        .await?
        .expose()
        .to_owned())
}
