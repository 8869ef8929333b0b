//! `cargo xtask`: developer tasks for fyle-rs.

mod bench;
mod ci;
mod codegen;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "xtask", about = "Developer tasks for fyle-rs")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run everything `.ci/run` runs: fmt, codegen --check, clippy, doc, tests.
    Ci,
    /// Run the benchmarks and print the table (`--quick` for a short run, `--compile` for build times).
    Bench(bench::BenchArgs),
    /// Generate fyle-models and the facade API from the spec (`--check` to verify).
    Codegen(codegen::CodegenArgs),
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Ci => ci::run(),
        Command::Bench(args) => bench::run(&args),
        Command::Codegen(args) => codegen::run(&args),
    }
}
