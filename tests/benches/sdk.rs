//! The figures of `cargo xtask bench`: export throughput against a hyper + serde_json floor,
//! peak memory of the export path, the rate ceiling, and decode speed.
//!
//! ```text
//! cargo bench -p fyle-tests --bench sdk            # full sizes
//! cargo bench -p fyle-tests --bench sdk -- --quick # small sizes, well under two minutes
//! ```
//!
//! Everything runs against an in-process `fyle-sandbox` on 127.0.0.1, except the memory probe,
//! which is this same binary started again with `--probe-memory` in a child process, so the
//! sandbox's own memory is not counted. Figures are printed, never asserted: the machine is
//! shared and noisy, quote ratios from one run.

#[path = "support/counting.rs"]
mod counting;

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use bytes::Bytes;
use futures::{StreamExt, TryStreamExt};
use fyle::auth::Credentials;
use fyle::cluster::ClusterAllowList;
use fyle::models::types::ExpenseOut;
use fyle::transport::{RateLimiter, ReqwestTransport, SharedTransport};
use fyle::{Client, Page};
use fyle_cli::export::{ExportOptions, export};
use fyle_cli::resource::ExportResource;
use fyle_cli::sink::{Format, Target};
use fyle_sandbox::{Sandbox, SandboxConfig, SandboxInfo};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use url::Url;

use counting::{CountingTransport, Counts};

/// The page size of every stream here (Fyle's maximum).
const PAGE: u64 = 200;

/// Workload sizes of one run.
struct Sizes {
    /// Expenses streamed by the throughput comparison.
    throughput: usize,
    /// Runs of each throughput variant (the best is kept).
    throughput_runs: usize,
    /// Expenses streamed by the two memory probes.
    memory: [usize; 2],
    /// Pages requested under the rate limit.
    rate_pages: usize,
    /// Time spent decoding per decode variant.
    decode_time: Duration,
}

const FULL: Sizes = Sizes {
    throughput: 20_000,
    throughput_runs: 2,
    memory: [10_000, 100_000],
    rate_pages: 200,
    decode_time: Duration::from_secs(2),
};

const QUICK: Sizes = Sizes {
    throughput: 2_000,
    throughput_runs: 1,
    memory: [1_000, 5_000],
    rate_pages: 40,
    decode_time: Duration::from_millis(500),
};

/// Rows of the printed table.
#[derive(Default)]
struct Table {
    rows: Vec<(String, String, String)>,
}

impl Table {
    fn row(&mut self, section: &str, measure: impl Into<String>, value: impl Into<String>) {
        let (measure, value) = (measure.into(), value.into());
        eprintln!("  {section} | {measure}: {value}");
        self.rows.push((section.to_owned(), measure, value));
    }

    fn render(&self) -> String {
        let width = |pick: fn(&(String, String, String)) -> usize, title: usize| {
            self.rows.iter().map(pick).max().unwrap_or(0).max(title)
        };
        let w0 = width(|r| r.0.chars().count(), "section".len());
        let w1 = width(|r| r.1.chars().count(), "measure".len());
        let mut out = String::new();
        let _ = writeln!(out, "{:<w0$}  {:<w1$}  value", "section", "measure");
        let _ = writeln!(
            out,
            "{}  {}  {}",
            "-".repeat(w0),
            "-".repeat(w1),
            "-".repeat(24)
        );
        let mut last = "";
        for (section, measure, value) in &self.rows {
            let shown = if section == last {
                ""
            } else {
                section.as_str()
            };
            last = section;
            let _ = writeln!(out, "{shown:<w0$}  {measure:<w1$}  {value}");
        }
        out
    }
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--probe-memory") {
        return probe_memory();
    }
    let quick = args.iter().any(|a| a == "--quick");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run(quick))
}

async fn run(quick: bool) -> anyhow::Result<()> {
    let sizes = if quick { QUICK } else { FULL };
    let started = Instant::now();
    let mut table = Table::default();
    eprintln!(
        "fyle-rs bench ({} run)",
        if quick { "quick" } else { "full" }
    );

    throughput_and_decode(&sizes, &mut table)
        .await
        .context("export throughput / decode")?;
    memory(&sizes, &mut table).await.context("memory")?;
    rate_ceiling(&sizes, &mut table)
        .await
        .context("rate ceiling")?;

    println!();
    println!(
        "fyle-rs bench, {} run ({} logical CPUs, shared machine: quote ratios, not absolutes)",
        if quick { "quick" } else { "full" },
        std::thread::available_parallelism().map_or(0, std::num::NonZero::get),
    );
    print!("{}", table.render());
    println!("bench wall time: {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

/// A client for the sandbox with a limiter that never binds (unless `limiter` is given) over
/// `base` (reqwest by default).
fn bench_client(
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

fn sandbox_credentials(info: &SandboxInfo) -> anyhow::Result<Credentials> {
    Ok(Credentials::new(
        info.client_id.clone(),
        info.client_secret.clone(),
        info.refresh_token.clone(),
    )
    .with_accounts_url(Url::parse(&info.accounts_url)?))
}

fn per_second(items: u64, elapsed: Duration) -> f64 {
    #[allow(clippy::cast_precision_loss)] // counts far below 2^52
    let items = items as f64;
    items / elapsed.as_secs_f64().max(f64::EPSILON)
}

fn thousands(value: f64) -> String {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // display only
    let digits = (value.max(0.0).round() as u64).to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

// ---------------------------------------------------------------------------------------------
// 1. Export throughput (and 4. decode, on a page of the same sandbox)

async fn throughput_and_decode(sizes: &Sizes, table: &mut Table) -> anyhow::Result<()> {
    let n = sizes.throughput;
    eprintln!("seeding a sandbox with {n} expenses (rate limit off)...");
    let sandbox = Sandbox::start(SandboxConfig {
        expenses: n,
        rate_limit: 0,
        ..SandboxConfig::default()
    })
    .await?;
    let info = sandbox.info().clone();
    let section = format!("1 export {n} expenses");
    let hyper = HyperClient::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();

    for concurrency in [1_usize, 4] {
        let client = bench_client(sandbox_credentials(&info)?, None, None, concurrency)?;
        // Token and cluster once, outside the timing.
        client.admin().expenses().list().limit(1).send().await?;
        let token = client
            .token_provider()
            .access_token()
            .await?
            .expose()
            .to_owned();

        // One untimed pass first: the sandbox caches a sorted result per query, and whichever
        // variant ran first would otherwise pay for that sort alone.
        floor_export(&hyper, &info.cluster_domain, &token, concurrency).await?;

        let mut sdk_best = Duration::MAX;
        let mut floor_best = Duration::MAX;
        for _ in 0..sizes.throughput_runs {
            let started = Instant::now();
            let items = client
                .admin()
                .expenses()
                .list()
                .concurrency(concurrency)
                .stream()
                .try_fold(0_u64, |seen, expense: ExpenseOut| {
                    std::hint::black_box(&expense);
                    futures::future::ready(Ok(seen + 1))
                })
                .await?;
            sdk_best = sdk_best.min(started.elapsed());
            ensure!(
                items == n as u64,
                "the SDK streamed {items} of {n} expenses"
            );

            let started = Instant::now();
            let items = floor_export(&hyper, &info.cluster_domain, &token, concurrency).await?;
            floor_best = floor_best.min(started.elapsed());
            ensure!(
                items == n as u64,
                "the floor streamed {items} of {n} expenses"
            );
        }
        let sdk = per_second(n as u64, sdk_best);
        let floor = per_second(n as u64, floor_best);
        let stable = if concurrency == 1 {
            Some(per_second(
                n as u64,
                stable_export(&client, n, sizes.throughput_runs).await?,
            ))
        } else {
            None
        };
        table.row(
            &section,
            format!("fyle stream, typed, concurrency {concurrency}"),
            format!("{} items/s", thousands(sdk)),
        );
        table.row(
            &section,
            format!("floor hyper+serde_json, concurrency {concurrency}"),
            format!("{} items/s", thousands(floor)),
        );
        table.row(
            &section,
            format!("ratio SDK/floor, concurrency {concurrency}"),
            format!("{:.2}", sdk / floor),
        );
        if let Some(stable) = stable {
            table.row(
                &section,
                "fyle stream, typed, stable (keyset) mode",
                format!("{} items/s", thousands(stable)),
            );
            table.row(
                &section,
                "ratio stable/floor, concurrency 1",
                format!("{:.2}", stable / floor),
            );
        }
    }

    // 4. Decode one page of 200 expenses.
    let client = bench_client(sandbox_credentials(&info)?, None, None, 1)?;
    let token = client
        .token_provider()
        .access_token()
        .await?
        .expose()
        .to_owned();
    let body = floor_body(&hyper, &info.cluster_domain, &token, 0).await?;
    let typed = decode_rate(&body, sizes.decode_time, |bytes| {
        let page: Page<ExpenseOut> = serde_json::from_slice(bytes)?;
        Ok(page.items.len())
    })?;
    let value = decode_rate(&body, sizes.decode_time, |bytes| {
        let page: serde_json::Value = serde_json::from_slice(bytes)?;
        Ok(page["data"].as_array().map_or(0, Vec::len))
    })?;
    let section = format!("4 decode a {PAGE}-expense page ({:.0} KB)", kb(body.len()));
    table.row(
        &section,
        "into Page<ExpenseOut>",
        format!("{typed:.0} MB/s"),
    );
    table.row(
        &section,
        "into serde_json::Value",
        format!("{value:.0} MB/s"),
    );
    table.row(
        &section,
        "ratio typed/Value",
        format!("{:.2}", typed / value),
    );
    sandbox.stop().await;
    Ok(())
}

/// The best of `runs` stable-mode (keyset) streams of all `n` expenses: what the export does.
async fn stable_export(client: &Client, n: usize, runs: usize) -> anyhow::Result<Duration> {
    let mut best = Duration::MAX;
    for _ in 0..runs {
        let started = Instant::now();
        let items = client
            .admin()
            .expenses()
            .list()
            .stable()
            .stream()
            .try_fold(0_u64, |seen, expense: ExpenseOut| {
                std::hint::black_box(&expense);
                futures::future::ready(Ok(seen + 1))
            })
            .await?;
        best = best.min(started.elapsed());
        ensure!(items == n as u64, "stable mode streamed {items} of {n}");
    }
    Ok(best)
}

fn kb(bytes: usize) -> f64 {
    #[allow(clippy::cast_precision_loss)] // display only
    let bytes = bytes as f64;
    bytes / 1024.0
}

/// MB/s of `decode` over `body`, looping for about `time`.
fn decode_rate(
    body: &[u8],
    time: Duration,
    decode: impl Fn(&[u8]) -> anyhow::Result<usize>,
) -> anyhow::Result<f64> {
    let items = decode(body)?;
    ensure!(
        u64::try_from(items).is_ok_and(|n| n == PAGE),
        "the page holds {items} items, not {PAGE}"
    );
    let started = Instant::now();
    let mut rounds = 0_u64;
    while started.elapsed() < time {
        std::hint::black_box(decode(std::hint::black_box(body))?);
        rounds += 1;
    }
    Ok(per_second(rounds * body.len() as u64, started.elapsed()) / 1e6)
}

type Hyper = HyperClient<HttpConnector, Full<Bytes>>;

/// One raw page from the sandbox, with nothing of the SDK around it.
async fn floor_body(
    hyper: &Hyper,
    domain: &str,
    token: &str,
    offset: u64,
) -> anyhow::Result<Bytes> {
    let uri = format!(
        "{}/platform/v1/admin/expenses?order=id.asc&offset={offset}&limit={PAGE}",
        domain.trim_end_matches('/')
    );
    let request = http::Request::get(uri)
        .header(http::header::AUTHORIZATION, format!("Bearer {token}"))
        .header(http::header::ACCEPT, "application/json")
        .body(Full::new(Bytes::new()))?;
    let response = hyper.request(request).await?;
    let status = response.status();
    let body = response.into_body().collect().await?.to_bytes();
    if !status.is_success() {
        bail!(
            "floor page at {offset}: {status}: {}",
            String::from_utf8_lossy(&body)
        );
    }
    Ok(body)
}

async fn floor_page(
    hyper: &Hyper,
    domain: &str,
    token: &str,
    offset: u64,
) -> anyhow::Result<Page<ExpenseOut>> {
    let body = floor_body(hyper, domain, token, offset).await?;
    Ok(serde_json::from_slice(&body)?)
}

/// The floor: the same pages (same order, same page size, same prefetch) decoded into the same
/// generated type, with hyper and serde_json only.
async fn floor_export(
    hyper: &Hyper,
    domain: &str,
    token: &str,
    concurrency: usize,
) -> anyhow::Result<u64> {
    let first = floor_page(hyper, domain, token, 0).await?;
    let mut items = first.items.len() as u64;
    let offsets = (PAGE..first.count).step_by(usize::try_from(PAGE)?);
    let mut pages = futures::stream::iter(offsets)
        .map(|offset| floor_page(hyper, domain, token, offset))
        .buffered(concurrency);
    while let Some(page) = pages.try_next().await? {
        items += std::hint::black_box(page).items.len() as u64;
    }
    Ok(items)
}

// ---------------------------------------------------------------------------------------------
// 2. Memory: a child process streams through the export code path; it reads its own VmHWM.

async fn memory(sizes: &Sizes, table: &mut Table) -> anyhow::Result<()> {
    let exe = std::env::current_exe()?;
    let mut peaks = Vec::new();
    let section = "2 peak RSS of the export path";
    for n in sizes.memory {
        eprintln!("seeding a sandbox with {n} expenses for the memory probe...");
        let sandbox = Sandbox::start(SandboxConfig {
            expenses: n,
            rate_limit: 0,
            ..SandboxConfig::default()
        })
        .await?;
        let info = sandbox.info();
        let started = Instant::now();
        let output = tokio::process::Command::new(&exe)
            .arg("--probe-memory")
            .env("FYLE_CLIENT_ID", &info.client_id)
            .env("FYLE_CLIENT_SECRET", &info.client_secret)
            .env("FYLE_REFRESH_TOKEN", &info.refresh_token)
            .env("FYLE_ACCOUNTS_URL", &info.accounts_url)
            .output()
            .await?;
        let elapsed = started.elapsed();
        sandbox.stop().await;
        let stdout = String::from_utf8_lossy(&output.stdout);
        if !output.status.success() {
            bail!(
                "the memory probe failed ({}): {stdout}{}",
                output.status,
                String::from_utf8_lossy(&output.stderr)
            );
        }
        let field = |name: &str| -> anyhow::Result<u64> {
            stdout
                .split_whitespace()
                .find_map(|word| word.strip_prefix(name))
                .with_context(|| format!("no {name} in the probe's output: {stdout}"))?
                .parse()
                .with_context(|| format!("bad {name} in the probe's output: {stdout}"))
        };
        let (rows, peak_kb) = (field("rows=")?, field("vmhwm_kb=")?);
        ensure!(
            rows == n as u64,
            "the probe exported {rows} of {n} expenses"
        );
        table.row(
            section,
            format!("{n} expenses to io::sink (CSV)"),
            format!(
                "{:.1} MiB VmHWM ({} rows/s)",
                kb(usize::try_from(peak_kb)?),
                thousands(per_second(rows, elapsed))
            ),
        );
        peaks.push(peak_kb);
    }
    if let [small, large] = peaks[..] {
        #[allow(clippy::cast_precision_loss)] // kilobytes
        let ratio = large as f64 / small.max(1) as f64;
        table.row(
            section,
            format!("ratio {} / {}", sizes.memory[1], sizes.memory[0]),
            format!("{ratio:.2} (flat memory is close to 1)"),
        );
    }
    Ok(())
}

/// The child process: export every expense of the sandbox named by the `FYLE_*` variables to
/// `/dev/null` through `fyle_cli::export` (what `fyle export expenses` runs), then print
/// `rows=N vmhwm_kb=K`.
fn probe_memory() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let rows = runtime.block_on(async {
        let credentials = Credentials::from_env()?;
        let client = bench_client(credentials, None, None, 3)?;
        let options = ExportOptions::new(
            ExportResource::Expenses,
            Format::Csv,
            Target::File("/dev/null".into()),
        );
        anyhow::Ok(export(&client, options, &mut |_, _| {}).await?.rows)
    })?;
    drop(runtime);
    println!("rows={rows} vmhwm_kb={}", vm_hwm_kb()?);
    Ok(())
}

/// This process's peak resident set size (`VmHWM` of `/proc/self/status`), in KiB.
fn vm_hwm_kb() -> anyhow::Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let line = status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .context("no VmHWM in /proc/self/status (not Linux?)")?;
    Ok(line.trim().trim_end_matches("kB").trim().parse()?)
}

// ---------------------------------------------------------------------------------------------
// 3. Rate ceiling: sandbox at 20 requests/s, client limiter at 20 requests/s.

async fn rate_ceiling(sizes: &Sizes, table: &mut Table) -> anyhow::Result<()> {
    const LIMIT: u32 = 20;
    const PAGE_SIZE: u32 = 10;
    let pages = sizes.rate_pages;
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
    // Token and cluster first (they share the limiter).
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
    let section = format!("3 rate ceiling ({pages} pages, {LIMIT} rps both sides)");
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
