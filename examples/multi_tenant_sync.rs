//! Sync categories, projects and employees of several orgs at once, through one transport
//! and one shared rate limiter.
//!
//! ```text
//! cargo run --example multi_tenant_sync -- [--tenants tenants.json] [--rps 10] [--store tokens.db]
//! ```
//!
//! `tenants.json` is a list of `{"name", "client_id", "client_secret", "refresh_token",
//! "accounts_url"?}` (one per org). Without it the example starts a sandbox with three orgs
//! in this process and syncs them all.
//!
//! Each org's refresh token is recorded once in a SQLite token store (`--store`, sealed with
//! `FYLE_STORE_KEYS` or a demo key file beside it); a refresh token Fyle rotates is saved there
//! and used from then on, so the file's token, not the JSON's, is the current one.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use clap::Parser;
use fyle::cluster::ClusterAllowList;
use fyle::transport::RateLimiter;
use fyle_examples_common::multi_tenant::{
    Tenant, sandbox_tenants, seed_store, shared_transport, sync_all, tenant_client,
};
use fyle_examples_common::partner_app::open_token_store;
use fyle_sandbox::{Sandbox, SandboxConfig};

/// Sync master data for many Fyle orgs.
#[derive(Parser)]
struct Args {
    /// JSON file listing the orgs and their credentials.
    #[arg(long)]
    tenants: Option<PathBuf>,
    /// Requests per second for the whole process (Fyle allows 10 per IP).
    #[arg(long, default_value_t = 10)]
    rps: u32,
    /// SQLite file keeping every org's current refresh token (with the sandbox: a temp file).
    #[arg(long)]
    store: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> ExitCode {
    match run(Args::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> anyhow::Result<()> {
    // Real orgs from the file, or every org of a sandbox started here (kept alive until the end).
    let mut sandbox = None;
    let (tenants, allow_list) = if let Some(path) = &args.tenants {
        let tenants: Vec<Tenant> = serde_json::from_slice(&std::fs::read(path)?)?;
        (tenants, ClusterAllowList::default())
    } else {
        let started = Sandbox::start(SandboxConfig {
            orgs: 3,
            ..SandboxConfig::default()
        })
        .await?;
        eprintln!(
            "No --tenants given: syncing the 3 orgs of the embedded sandbox at {}.",
            started.url()
        );
        let tenants = sandbox_tenants(started.info());
        sandbox = Some(started);
        (tenants, ClusterAllowList::default().allow_loopback_http())
    };

    // Refresh tokens, and any rotated ones, live in the token store.
    let temp = tempfile::tempdir()?;
    let path = match (&args.store, &sandbox) {
        (Some(path), _) => path.clone(),
        (None, Some(_)) => temp.path().join("tokens.db"),
        (None, None) => PathBuf::from("fyle-tenant-tokens.db"),
    };
    let store = open_token_store(&path).await?;
    seed_store(&store, &tenants).await?;
    let store: Arc<dyn fyle::auth::TokenStore> = Arc::new(store);

    // One transport and one limiter for every org; one token provider per org.
    let transport = shared_transport(RateLimiter::per_second(args.rps))?;
    let clients = tenants
        .iter()
        .map(|tenant| {
            Ok((
                tenant.name.clone(),
                tenant_client(tenant, &transport, &allow_list, Arc::clone(&store))?,
            ))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;

    let started = Instant::now();
    let mut failures = 0;
    for result in sync_all(&clients).await {
        match result {
            Ok(org) => println!(
                "{:<24} {:>4} categories {:>4} projects {:>4} employees",
                org.tenant,
                org.categories.len(),
                org.projects.len(),
                org.employees.len()
            ),
            Err((tenant, error)) => {
                failures += 1;
                println!("{tenant:<24} failed: {error}");
            }
        }
    }
    eprintln!(
        "Synced {} orgs in {:.1?}.",
        clients.len() - failures,
        started.elapsed()
    );
    drop(sandbox);
    anyhow::ensure!(failures == 0, "{failures} org(s) failed to sync");
    Ok(())
}
