//! The figures of `cargo xtask bench`, in one table:
//!
//! 1. throughput on the live sandbox: the SDK's streams, `fyle export expenses` and a raw
//!    hyper + serde_json floor (issue 14's export figure);
//! 2. the client alone, on a canned-page server: CPU time per 1,000 expenses and items/s;
//! 3. decode speed of one page: typed, `serde_json::Value`, sonic-rs;
//! 4. peak memory of the export path;
//! 5. the rate ceiling at 20 requests/s;
//! 6. Fyle's real limit: the export at 10 requests/s against 200 rows x 10 requests/s;
//! 7. 20 tenants sharing one 10 requests/s limiter: use of the limit and fairness.
//!
//! ```text
//! cargo bench -p fyle-tests --bench sdk            # full sizes
//! cargo bench -p fyle-tests --bench sdk -- --quick # small sizes, well under two minutes
//! cargo bench -p fyle-tests --bench sdk -- --only decode,tenants # some sections alone
//! ```
//!
//! `--only` takes section names: `sandbox` (1), `client` (2), `decode` (3), `memory` (4),
//! `rate` (5 and 6), `tenants` (7). Sections 2, 3 and 6 use the sandbox of section 1; run
//! without it, they seed a sandbox of their own.
//!
//! Everything runs in this process against 127.0.0.1, except the memory probe (this binary
//! again, with `--probe-memory`, so the sandbox's memory is not counted). Figures are printed,
//! never asserted: the machine is shared and noisy, quote ratios from one run.

mod canned;
mod client_alone;
mod clients;
#[path = "support/counting.rs"]
mod counting;
mod cpu;
mod decode;
mod fifo_limiter;
mod floor;
mod memory;
mod rate;
mod sandbox;
mod table;
mod tenants;

use std::time::{Duration, Instant};

use anyhow::Context;

use table::Table;

/// Workload sizes of one run.
struct Sizes {
    /// Expenses of the main sandbox (throughput, canned pages, the real limit).
    expenses: usize,
    /// Runs of each throughput variant (the best is kept).
    runs: usize,
    /// Runs of each variant on the canned pages (CPU time is summed over them).
    canned_runs: u32,
    /// Expenses streamed by the two memory probes.
    memory: [usize; 2],
    /// Pages requested under the 20 requests/s ceiling.
    rate_pages: usize,
    /// Time spent decoding per decode variant.
    decode_time: Duration,
    /// Expenses per org of the multi-tenant run (20 orgs).
    per_tenant: usize,
}

const FULL: Sizes = Sizes {
    expenses: 20_000,
    runs: 2,
    canned_runs: 3,
    memory: [10_000, 100_000],
    rate_pages: 200,
    decode_time: Duration::from_secs(2),
    per_tenant: 1_000,
};

const QUICK: Sizes = Sizes {
    expenses: 2_000,
    runs: 1,
    canned_runs: 6,
    memory: [1_000, 5_000],
    rate_pages: 40,
    decode_time: Duration::from_millis(500),
    per_tenant: 400,
};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--probe-memory") {
        return memory::probe_memory();
    }
    let quick = args.iter().any(|a| a == "--quick");
    // `--rows FILE`: rows measured outside this process (`cargo xtask bench --compile`), as
    // `measure<TAB>value` lines, printed at the end of the table.
    let extra = match args.iter().position(|a| a == "--rows") {
        Some(at) => {
            let file = args.get(at + 1).context("--rows needs a file")?;
            std::fs::read_to_string(file).with_context(|| format!("cannot read {file}"))?
        }
        None => String::new(),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let only = match args.iter().position(|a| a == "--only") {
        Some(at) => Only::parse(args.get(at + 1).context("--only needs section names")?)?,
        None => Only::default(),
    };
    runtime.block_on(run(quick, &only, &extra))
}

/// The sections `--only` selects (all when empty).
#[derive(Default)]
struct Only(Vec<String>);

impl Only {
    const NAMES: [&str; 6] = ["sandbox", "client", "decode", "memory", "rate", "tenants"];

    fn parse(list: &str) -> anyhow::Result<Self> {
        let names: Vec<String> = list.split(',').map(str::to_owned).collect();
        if let Some(bad) = names.iter().find(|n| !Self::NAMES.contains(&n.as_str())) {
            anyhow::bail!(
                "unknown section {bad:?}: pick from {}",
                Self::NAMES.join(", ")
            );
        }
        Ok(Self(names))
    }

    fn has(&self, name: &str) -> bool {
        self.0.is_empty() || self.0.iter().any(|n| n == name)
    }
}

async fn run(quick: bool, only: &Only, extra: &str) -> anyhow::Result<()> {
    let sizes = if quick { QUICK } else { FULL };
    let started = Instant::now();
    let mut table = Table::default();
    let kind = if quick { "quick" } else { "full" };
    eprintln!("fyle-rs bench ({kind} run)");

    let mut sandbox = None;
    if only.has("sandbox") {
        let (main, canned) = sandbox::sandbox_throughput(sizes.expenses, sizes.runs, &mut table)
            .await
            .context("sandbox throughput")?;
        canned_sections(&canned, &sizes, only, &mut table).await?;
        sandbox = Some(main);
    } else if only.has("client") || only.has("decode") {
        let canned = sandbox::capture_alone(sizes.expenses).await?;
        canned_sections(&canned, &sizes, only, &mut table).await?;
    }
    if only.has("memory") {
        memory::memory(sizes.memory, &mut table)
            .await
            .context("memory")?;
    }
    if only.has("rate") {
        rate::rate_ceiling(sizes.rate_pages, &mut table)
            .await
            .context("rate ceiling")?;
        // Run alone, section 6 seeds its own sandbox (without section 1's throughput runs).
        let main = match sandbox.take() {
            Some(main) => main,
            None => sandbox::seeded_alone(sizes.expenses).await?,
        };
        let outcome = rate::real_limit(&main, sizes.expenses as u64, &mut table).await;
        main.stop().await;
        outcome.context("Fyle's real limit")?;
    }
    if let Some(main) = sandbox {
        main.stop().await;
    }
    if only.has("tenants") {
        tenants::multi_tenant(sizes.per_tenant, &mut table)
            .await
            .context("multi-tenant")?;
    }
    for (measure, value) in extra.lines().filter_map(|line| line.split_once('\t')) {
        table.row("8 compile (cargo xtask bench --compile)", measure, value);
    }

    println!();
    println!(
        "fyle-rs bench, {kind} run ({} logical CPUs, shared machine: quote ratios, not absolutes)",
        std::thread::available_parallelism().map_or(0, std::num::NonZero::get),
    );
    print!("{}", table.render());
    println!("bench wall time: {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

/// Sections 2 and 3, on pages captured from a sandbox.
async fn canned_sections(
    canned: &canned::CannedPages,
    sizes: &Sizes,
    only: &Only,
    table: &mut Table,
) -> anyhow::Result<()> {
    if only.has("client") {
        client_alone::client_alone(canned, sizes.canned_runs, table)
            .await
            .context("client alone (canned pages)")?;
    }
    if only.has("decode") {
        decode::decode(canned.first_page(), sizes.decode_time, table).context("decode")?;
    }
    Ok(())
}
