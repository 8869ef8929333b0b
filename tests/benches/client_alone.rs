//! The client alone: the SDK against the raw hyper + serde_json floor on the canned-page server,
//! as client CPU time per 1,000 expenses and as items/s, and the export end to end.

use std::time::{Duration, Instant};

use anyhow::ensure;
use fyle::Client;

use crate::canned::{CannedPages, CannedServer};
use crate::clients::{Walk, bench_client, canned_credentials, export_csv, stream_expenses};
use crate::cpu::CpuSnapshot;
use crate::floor;
use crate::table::{Table, f, per_second, thousands};

/// One variant's best wall time and its CPU time over all its runs.
struct Cost {
    items: u64,
    best: Duration,
    cpu: Duration,
    runs: u32,
}

impl Cost {
    fn items_per_second(&self) -> f64 {
        per_second(self.items, self.best)
    }

    /// Client CPU milliseconds per 1,000 items.
    fn cpu_per_thousand(&self) -> f64 {
        self.cpu.as_secs_f64() * 1e6 / (f(self.items) * f64::from(self.runs))
    }
}

/// Runs `work` `runs` times (after one untimed warm-up), keeping the best wall time and the
/// total client CPU time.
async fn measure<F, Fut>(expected: u64, runs: u32, mut work: F) -> anyhow::Result<Cost>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = anyhow::Result<u64>>,
{
    ensure!(
        work().await? == expected,
        "the warm-up run did not see {expected} items"
    );
    let cpu = CpuSnapshot::now()?;
    let mut best = Duration::MAX;
    for _ in 0..runs {
        let started = Instant::now();
        let items = work().await?;
        best = best.min(started.elapsed());
        ensure!(items == expected, "a run saw {items} of {expected} items");
    }
    Ok(Cost {
        items: expected,
        best,
        cpu: cpu.elapsed()?,
        runs,
    })
}

/// Section 2: SDK and floor on the canned server.
pub(crate) async fn client_alone(
    canned: &CannedPages,
    runs: u32,
    table: &mut Table,
) -> anyhow::Result<()> {
    let server = CannedServer::start(canned)?;
    let n = canned.count;
    let section = format!("2 client alone: canned pages, {n} expenses");
    let hyper = floor::hyper();
    let client_for =
        |concurrency| bench_client(canned_credentials(&server.url)?, None, None, concurrency);

    let mut floors = Vec::new();
    for concurrency in [1_usize, 4] {
        let floor = measure(n, runs, || {
            floor::export(&hyper, &server.url, "canned-access", concurrency)
        })
        .await?;
        let client = client_for(concurrency)?;
        let sdk = measure(n, runs, || {
            stream_expenses(&client, Walk::Offset(concurrency))
        })
        .await?;
        row(
            table,
            &section,
            &format!("floor hyper+serde_json, concurrency {concurrency}"),
            &floor,
            None,
        );
        row(
            table,
            &section,
            &format!("fyle stream (offset), concurrency {concurrency}"),
            &sdk,
            Some(&floor),
        );
        floors.push(floor);
    }
    let client: Client = client_for(1)?;
    let stable = measure(n, runs, || stream_expenses(&client, Walk::Stable)).await?;
    row(
        table,
        &section,
        "fyle stream, stable (keyset) mode",
        &stable,
        Some(&floors[0]),
    );
    let export = measure(n, runs, || export_csv(&client)).await?;
    row(
        table,
        &section,
        "export end to end (fyle_cli::export, CSV)",
        &export,
        Some(&floors[0]),
    );
    Ok(())
}

fn row(table: &mut Table, section: &str, name: &str, cost: &Cost, floor: Option<&Cost>) {
    let against = floor.map_or_else(String::new, |floor| {
        format!(
            " (x{:.2} floor's CPU, x{:.2} its rate)",
            cost.cpu_per_thousand() / floor.cpu_per_thousand(),
            cost.items_per_second() / floor.items_per_second()
        )
    });
    table.row(
        section,
        name,
        format!(
            "{:.1} ms CPU / 1,000, {} items/s{against}",
            cost.cpu_per_thousand(),
            thousands(cost.items_per_second())
        ),
    );
}
