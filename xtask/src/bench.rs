//! `cargo xtask bench [--quick] [--only SECTIONS] [--compile [--runs N]] [--compile-only]`: builds and runs the
//! `sdk` bench of `fyle-tests` (which prints the table). With `--compile` it first measures
//! cold builds of `fyle` (all roles, spender only, all roles with `auth-code`: wall time, CPU
//! time and the cargo process tree's peak RSS) and an incremental rebuild of an example app, and the bench prints those
//! rows at the end of its table.
//!
//! xtask does not depend on the SDK crates: everything runs through `cargo`.

mod compile;
mod proc_tree;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, bail};

/// Options of `cargo xtask bench`.
#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// Smaller sizes: the whole run takes well under two minutes once built.
    #[arg(long)]
    quick: bool,
    /// Only these sections, comma-separated: sandbox, client, decode, memory, rate, tenants.
    #[arg(long)]
    only: Option<String>,
    /// Also time cold `cargo build -p fyle` (all roles, spender only) and an incremental
    /// rebuild of an example app (slow: several minutes per run).
    #[arg(long)]
    compile: bool,
    /// Only the compile measurement (implies `--compile`).
    #[arg(long)]
    compile_only: bool,
    /// Runs of each compile measurement (the median is shown).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..))]
    runs: u32,
}

/// Runs the compile measurement when asked, then the bench target.
pub fn run(args: &BenchArgs) -> anyhow::Result<()> {
    let rows = if args.compile || args.compile_only {
        compile::measure(args.runs)?
    } else {
        Vec::new()
    };
    if args.compile_only {
        print_rows(&rows);
        return Ok(());
    }
    // Build first so the run's wall time is the run's alone.
    cargo(
        &["bench", "-p", "fyle-tests", "--bench", "sdk", "--no-run"],
        None,
    )?;
    let mut bench = vec!["bench", "-p", "fyle-tests", "--bench", "sdk", "--"];
    if args.quick {
        bench.push("--quick");
    }
    if let Some(only) = &args.only {
        bench.extend(["--only", only.as_str()]);
    }
    let rows_file = target_root().join("xtask-bench-compile-rows.tsv");
    let rows_arg = rows_file.display().to_string();
    if !rows.is_empty() {
        let text = rows.iter().fold(String::new(), |mut text, (m, v)| {
            let _ = writeln!(text, "{m}\t{v}");
            text
        });
        std::fs::write(&rows_file, text).with_context(|| format!("cannot write {rows_arg}"))?;
        bench.extend(["--rows", rows_arg.as_str()]);
    }
    let started = Instant::now();
    cargo(&bench, None)?;
    println!(
        "{} run wall time (cargo bench, already built): {:.1} s",
        if args.quick { "quick" } else { "full" },
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The compile rows alone, in the bench table's layout.
fn print_rows(rows: &[(String, String)]) {
    let section = compile::SECTION;
    let width = rows
        .iter()
        .map(|(m, _)| m.chars().count())
        .max()
        .unwrap_or(0)
        .max(7);
    let w0 = section.len();
    println!();
    println!("{:<w0$}  {:<width$}  value", "section", "measure");
    println!(
        "{}  {}  {}",
        "-".repeat(w0),
        "-".repeat(width),
        "-".repeat(24)
    );
    for (i, (measure, value)) in rows.iter().enumerate() {
        let shown = if i == 0 { section } else { "" };
        println!("{shown:<w0$}  {measure:<width$}  {value}");
    }
}

/// `$CARGO_TARGET_DIR`, else `target` at the workspace root.
fn target_root() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| PathBuf::from("target"), PathBuf::from)
}

/// A `cargo` command with `args`, in `target_dir` when given.
fn cargo_command(args: &[&str], target_dir: Option<&Path>) -> Command {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()));
    command.args(args);
    if let Some(dir) = target_dir {
        command.env("CARGO_TARGET_DIR", dir);
    }
    command
}

/// Runs `cargo args` to completion; fails on a non-zero exit.
fn cargo(args: &[&str], target_dir: Option<&Path>) -> anyhow::Result<()> {
    println!("==> cargo {}", args.join(" "));
    let status = cargo_command(args, target_dir)
        .status()
        .with_context(|| format!("could not start cargo {}", args.join(" ")))?;
    if !status.success() {
        bail!("cargo {} failed with {status}", args.join(" "));
    }
    Ok(())
}
