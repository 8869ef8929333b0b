//! Peak memory of the export path: a child process (this bench binary again, with
//! `--probe-memory`) exports a sandbox's expenses to `/dev/null` and reads its own `VmHWM`, so
//! the sandbox's memory is not counted.

use std::time::Instant;

use anyhow::{Context, bail, ensure};
use fyle::auth::Credentials;
use fyle_sandbox::{Sandbox, SandboxConfig};

use crate::clients::{bench_client, export_csv};
use crate::table::{Table, kb, per_second, thousands};

/// Section 4: the export's peak RSS at two sizes.
pub(crate) async fn memory(sizes: [usize; 2], table: &mut Table) -> anyhow::Result<()> {
    let exe = std::env::current_exe()?;
    let mut peaks = Vec::new();
    let section = "4 peak RSS of the export path";
    for n in sizes {
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
        // The export's snapshot window may leave out a few rows dated after the server's clock.
        ensure!(
            rows <= n as u64 && rows + n as u64 / 100 >= n as u64,
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
            format!("ratio {} / {}", sizes[1], sizes[0]),
            format!("{ratio:.2} (flat memory is close to 1)"),
        );
    }
    Ok(())
}

/// The child process: export every expense of the sandbox named by the `FYLE_*` variables to
/// `/dev/null` through `fyle_cli::export` (what `fyle export expenses` runs), then print
/// `rows=N vmhwm_kb=K`.
pub(crate) fn probe_memory() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let rows = runtime.block_on(async {
        let client = bench_client(Credentials::from_env()?, None, None, 3)?;
        export_csv(&client).await
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
