//! Export the expenses approved in the last N days, the typical Fyle internal app.
//!
//! ```text
//! cargo run --example export_expenses -- [--days 30] [--out FILE] [--format csv|json|ndjson]
//! ```
//!
//! With `FYLE_CLIENT_ID`, `FYLE_CLIENT_SECRET` and `FYLE_REFRESH_TOKEN` set it runs against
//! your Fyle org (as the admin who created the app). Without them it starts a seeded sandbox
//! in this process and exports from it.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Parser;
use fyle_examples::connect::connect;
use fyle_examples::export::{Format, approved_since, count_matching, export};
use fyle_sandbox::SandboxConfig;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use time::OffsetDateTime;

/// Export approved expenses from Fyle.
#[derive(Parser)]
struct Args {
    /// Expenses whose report was approved in the last DAYS days.
    #[arg(long, default_value_t = 30)]
    days: u32,
    /// Output file (default: standard output).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Output format: csv, json or ndjson.
    #[arg(long, default_value = "csv")]
    format: Format,
    /// Sandbox only: how many expenses to seed.
    #[arg(long, default_value_t = 3000)]
    sandbox_expenses: usize,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> anyhow::Result<()> {
    let config = SandboxConfig {
        expenses: args.sandbox_expenses,
        ..SandboxConfig::default()
    };
    let connection = connect(config).await?;
    if let Some(sandbox) = &connection.sandbox {
        eprintln!(
            "No FYLE_CLIENT_ID/FYLE_CLIENT_SECRET/FYLE_REFRESH_TOKEN set: exporting from the \
             embedded sandbox at {} ({} seeded expenses).",
            sandbox.url(),
            args.sandbox_expenses
        );
    }
    let client = connection.client;

    let since = OffsetDateTime::now_utc() - Duration::from_secs(u64::from(args.days) * 86_400);
    let filter = approved_since(since);
    let total = count_matching(&client, &filter).await?;

    let out: Box<dyn Write> = match &args.out {
        Some(path) => Box::new(File::create(path)?),
        None => Box::new(io::stdout().lock()),
    };
    let progress = progress_bar(total);
    let started = Instant::now();
    let result = export(&client, filter, args.format, BufWriter::new(out), |rows| {
        progress.set_position(rows);
    })
    .await;
    progress.finish_and_clear();

    let rows = result?;
    eprintln!(
        "Wrote {rows} expenses approved in the last {} days in {:.1?}.",
        args.days,
        started.elapsed()
    );
    Ok(())
}

/// A progress bar on stderr, hidden when stderr is not a terminal.
fn progress_bar(total: u64) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    if !io::stderr().is_terminal() {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} expenses ({per_sec})") {
        bar.set_style(style);
    }
    bar
}
