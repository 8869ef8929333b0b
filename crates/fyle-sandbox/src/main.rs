//! `fyle-sandbox`: run a local, stateful Fyle Platform API.
//!
//! Prints one JSON line with the URLs, credentials and the `control_token` the `/__sandbox/*`
//! routes require, then serves until Ctrl-C or SIGTERM. Secrets are random per run unless
//! `--pin-secrets` derives them from `--seed`.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use fyle_sandbox::{ChurnConfig, FaultConfig, Sandbox, SandboxConfig};

/// A stateful local Fyle: accounts, data cluster and file storage on one port.
#[derive(Debug, Parser)]
#[command(name = "fyle-sandbox", version, about)]
struct Args {
    /// Address to listen on (port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:0", env = "FYLE_SANDBOX_ADDR")]
    addr: SocketAddr,
    /// Expenses per org.
    #[arg(long, default_value_t = 500)]
    expenses: usize,
    /// Number of orgs (each with its own client credentials).
    #[arg(long, default_value_t = 1)]
    orgs: usize,
    /// Seed for all generated data.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Requests per second per client (0 = no limit).
    #[arg(long, default_value_t = 10)]
    rate_limit: u32,
    /// Access-token lifetime in seconds.
    #[arg(long, default_value_t = 3600)]
    token_ttl: u64,
    /// Presigned URL lifetime in seconds.
    #[arg(long, default_value_t = 300)]
    url_ttl: u64,
    /// Approve the consent page without showing it.
    #[arg(long)]
    auto_approve: bool,
    /// Insert, update and delete expenses on a schedule while serving.
    #[arg(long)]
    churn: bool,
    /// Milliseconds between churn ticks.
    #[arg(long, default_value_t = 1000)]
    churn_interval_ms: u64,
    /// Expenses inserted per churn tick and org.
    #[arg(long, default_value_t = 5)]
    churn_inserts: usize,
    /// Expenses updated per churn tick and org.
    #[arg(long, default_value_t = 5)]
    churn_updates: usize,
    /// Unreported expenses deleted per churn tick and org.
    #[arg(long, default_value_t = 1)]
    churn_deletes: usize,
    /// Fraction of requests answered 500/502/503.
    #[arg(long, default_value_t = 0.0)]
    fail_5xx: f64,
    /// Fraction of requests answered 429.
    #[arg(long, default_value_t = 0.0)]
    fail_429: f64,
    /// Milliseconds added to every request.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Fraction of responses whose connection drops half-way through the body.
    #[arg(long, default_value_t = 0.0)]
    drop_mid_body: f64,
    /// Fraction of successful JSON responses cut in half.
    #[arg(long, default_value_t = 0.0)]
    truncate_json: f64,
    /// Seed for fault draws.
    #[arg(long, default_value_t = 0)]
    fault_seed: u64,
    /// Derive client secrets, tokens and the control token from --seed (the same on every
    /// run). Without it they are random per process.
    #[arg(long)]
    pin_secrets: bool,
    /// Milliseconds (sandbox clock) `/admin/spend_overview/*` answers 202 before a repeated
    /// query gets its result; 0: the next request gets it.
    #[arg(long, default_value_t = 0)]
    spend_overview_ready_after_ms: u64,
}

impl Args {
    fn config(&self) -> SandboxConfig {
        SandboxConfig {
            addr: self.addr,
            expenses: self.expenses,
            orgs: self.orgs,
            seed: self.seed,
            rate_limit: self.rate_limit,
            token_ttl: Duration::from_secs(self.token_ttl),
            url_ttl: Duration::from_secs(self.url_ttl),
            auto_approve: self.auto_approve,
            faults: FaultConfig {
                fail_5xx: self.fail_5xx,
                fail_429: self.fail_429,
                latency_ms: self.latency_ms,
                drop_mid_body: self.drop_mid_body,
                truncate_json: self.truncate_json,
                seed: self.fault_seed,
            },
            churn: self.churn.then(|| ChurnConfig {
                interval: Duration::from_millis(self.churn_interval_ms.max(1)),
                inserts: self.churn_inserts,
                updates: self.churn_updates,
                deletes: self.churn_deletes,
            }),
            history_end: None,
            pin_secrets: self.pin_secrets,
            spend_overview_ready_after: Duration::from_millis(self.spend_overview_ready_after_ms),
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let sandbox = match Sandbox::start(args.config()).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("fyle-sandbox: {e}");
            return ExitCode::FAILURE;
        }
    };
    match serde_json::to_string(sandbox.info()) {
        Ok(line) => println!("{line}"),
        Err(e) => {
            eprintln!("fyle-sandbox: cannot print the startup line: {e}");
            return ExitCode::FAILURE;
        }
    }
    eprintln!(
        "fyle-sandbox: serving {} on {} (Ctrl-C to stop)",
        sandbox.api_base(),
        sandbox.addr()
    );
    shutdown_signal().await;
    eprintln!("fyle-sandbox: shutting down");
    sandbox.stop().await;
    ExitCode::SUCCESS
}
