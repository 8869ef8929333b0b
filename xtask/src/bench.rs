//! `cargo xtask bench [--quick] [--compile]`: builds and runs the root package's `sdk` bench
//! (which prints the table), and with `--compile` measures cold builds of `fyle` with one role
//! feature versus all roles.
//!
//! xtask does not depend on the SDK crates: everything runs through `cargo`.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

/// Options of `cargo xtask bench`.
#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// Smaller sizes: the whole run takes well under two minutes once built.
    #[arg(long)]
    quick: bool,
    /// Also time cold `cargo build -p fyle` with one role versus all roles (median of 3; slow).
    #[arg(long)]
    compile: bool,
    /// Only the compile measurement (implies `--compile`).
    #[arg(long)]
    compile_only: bool,
}

/// Runs the bench target, then the compile measurement when asked.
pub fn run(args: &BenchArgs) -> anyhow::Result<()> {
    if !args.compile_only {
        // Build first so the run's wall time is the run's alone.
        cargo(
            &["bench", "-p", "fyle-tests", "--bench", "sdk", "--no-run"],
            None,
        )?;
        let mut bench = vec!["bench", "-p", "fyle-tests", "--bench", "sdk", "--"];
        if args.quick {
            bench.push("--quick");
        }
        let started = Instant::now();
        cargo(&bench, None)?;
        println!(
            "{} run wall time (cargo bench, already built): {:.1} s",
            if args.quick { "quick" } else { "full" },
            started.elapsed().as_secs_f64()
        );
    }
    if args.compile || args.compile_only {
        compile()?;
    }
    Ok(())
}

/// Cold builds of `fyle`: one role feature (spender, then admin) versus every role, each in its
/// own fresh target directory, median of three.
fn compile() -> anyhow::Result<()> {
    const RUNS: usize = 3;
    // Spender is the role an app acting for one employee needs; admin is the largest role
    // (the export's); `full` is every role.
    let variants = [
        ("one role (spender)", "compile-spender", "reqwest,spender"),
        ("one role (admin)", "compile-admin", "reqwest,admin"),
        ("all roles (full)", "compile-all-roles", "reqwest,full"),
    ];
    let root = target_root().join("xtask-bench");
    let mut medians = Vec::new();
    for (label, dir, features) in variants {
        let target = root.join(dir);
        let mut times = Vec::with_capacity(RUNS);
        for run in 1..=RUNS {
            if target.exists() {
                std::fs::remove_dir_all(&target)
                    .with_context(|| format!("cannot remove {}", target.display()))?;
            }
            eprintln!("cold build {run}/{RUNS}: fyle with {features}");
            let started = Instant::now();
            cargo(
                &[
                    "build",
                    "-p",
                    "fyle",
                    "--no-default-features",
                    "--features",
                    features,
                ],
                Some(&target),
            )?;
            times.push(started.elapsed());
        }
        std::fs::remove_dir_all(&target).ok();
        times.sort();
        let median = times[RUNS / 2];
        let all = times
            .iter()
            .map(|t| format!("{:.1}", t.as_secs_f64()))
            .collect::<Vec<_>>()
            .join(", ");
        medians.push((label, median, all));
    }
    let rows: Vec<(String, String)> = medians
        .iter()
        .map(|(label, median, all)| {
            (
                format!("cold `cargo build -p fyle`, {label}"),
                format!("{:.1} s median (runs: {all})", median.as_secs_f64()),
            )
        })
        .chain(medians.last().into_iter().flat_map(|(_, full, _)| {
            medians[..medians.len() - 1]
                .iter()
                .map(move |(label, one, _)| {
                    (
                        format!("ratio all roles / {label}"),
                        format!("{:.2}", ratio(*full, *one)),
                    )
                })
        }))
        .collect();
    let width = rows.iter().map(|(m, _)| m.len()).max().unwrap_or(0);
    println!();
    println!("{:<9}  {:<width$}  value", "section", "measure");
    println!(
        "{}  {}  {}",
        "-".repeat(9),
        "-".repeat(width),
        "-".repeat(24)
    );
    for (i, (measure, value)) in rows.iter().enumerate() {
        let section = if i == 0 { "5 compile" } else { "" };
        println!("{section:<9}  {measure:<width$}  {value}");
    }
    Ok(())
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64().max(f64::EPSILON)
}

/// `$CARGO_TARGET_DIR`, else `target` at the workspace root.
fn target_root() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| PathBuf::from("target"), PathBuf::from)
}

fn cargo(args: &[&str], target_dir: Option<&PathBuf>) -> anyhow::Result<()> {
    println!("==> cargo {}", args.join(" "));
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()));
    command.args(args);
    if let Some(dir) = target_dir {
        command.env("CARGO_TARGET_DIR", dir);
    }
    let status = command
        .status()
        .with_context(|| format!("could not start cargo {}", args.join(" ")))?;
    if !status.success() {
        bail!("cargo {} failed with {status}", args.join(" "));
    }
    Ok(())
}
