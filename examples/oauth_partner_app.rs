//! A partner app that Fyle orgs connect through OAuth 2.0 (authorization-code flow).
//!
//! ```text
//! cargo run --example oauth_partner_app -- [--listen 127.0.0.1:3000] [--public-url URL] [--db tokens.db] [--auto]
//! ```
//!
//! Open `/connect`: you are sent to Fyle's authorize page, and back to `/callback`, which
//! checks `state`, exchanges the code, discovers the org's cluster, shows the connected org
//! and records it in a SQLite token store (`--db`; refresh tokens sealed with the keys of
//! `FYLE_STORE_KEYS`, or a demo key file beside the database). On start the app reconnects
//! every org the store holds, so a restart loses no org.
//!
//! With `FYLE_CLIENT_ID` and `FYLE_CLIENT_SECRET` set (a partner app whose redirect URI is
//! `{public-url}/callback`) it talks to real Fyle. Without them it starts a sandbox with two
//! orgs in this process; `--auto` then plays the browser and connects both orgs headlessly.

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::Parser;
use fyle_examples_common::partner_app::{
    PartnerApp, PartnerConfig, drive_headless, open_token_store,
};
use fyle_sandbox::{Sandbox, SandboxConfig};
use url::Url;

/// Serve a Fyle OAuth partner app.
#[derive(Parser)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:3000")]
    listen: SocketAddr,
    /// The URL the browser reaches this app at (default: http://{listen}).
    #[arg(long)]
    public_url: Option<Url>,
    /// The SQLite file holding every connected org's tokens.
    #[arg(long, default_value = "fyle-partner-tokens.db")]
    db: std::path::PathBuf,
    /// Sandbox only: connect every sandbox org headlessly, print them and exit.
    #[arg(long)]
    auto: bool,
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .init();
    match run(Args::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    let public_url = match args.public_url {
        Some(url) => url,
        None => Url::parse(&format!("http://{}", listener.local_addr()?))?,
    };
    let redirect_uri = public_url.join("/callback")?;

    let client_id = std::env::var("FYLE_CLIENT_ID").unwrap_or_default();
    let client_secret = std::env::var("FYLE_CLIENT_SECRET").unwrap_or_default();
    let mut sandbox: Option<Sandbox> = None;
    let config = if client_id.is_empty() || client_secret.is_empty() {
        let config = SandboxConfig {
            orgs: 2,
            ..SandboxConfig::default()
        };
        let started = Sandbox::start(config).await?;
        eprintln!(
            "No FYLE_CLIENT_ID/FYLE_CLIENT_SECRET set: using the embedded sandbox at {}.",
            started.url()
        );
        let config = PartnerConfig::sandbox(started.info(), redirect_uri)?;
        sandbox = Some(started);
        config
    } else {
        anyhow::ensure!(!args.auto, "--auto only works on the sandbox");
        PartnerConfig::fyle(client_id, client_secret.into(), redirect_uri)?
    };

    // Every org's tokens live in the database; reconnect the orgs it holds.
    let store = open_token_store(&args.db).await?;
    let app = PartnerApp::new(config, store.clone());
    let (restored, failed) = app.restore().await?;
    for org in &restored {
        eprintln!(
            "Restored {} ({}) from {}",
            org.org_name,
            org.org_id,
            args.db.display()
        );
    }
    for (org_id, error) in &failed {
        eprintln!("Could not restore {org_id}: {error}");
    }
    let server = tokio::spawn(axum::serve(listener, app.router()).into_future());

    let Some(sandbox) = sandbox.filter(|_| args.auto) else {
        eprintln!("Open {public_url}connect to connect a Fyle org (Ctrl-C to stop).");
        server.await??;
        return Ok(());
    };

    // --auto: each sandbox org's admin goes through /connect -> authorize -> /callback.
    for org in &sandbox.info().orgs {
        let admin = org.users.first().map(|user| user.email.as_str());
        let run = drive_headless(&public_url, admin).await?;
        eprintln!("visited: {}", run.visited.join(" -> "));
        let connected = app
            .connected(&run.org_id)
            .ok_or_else(|| anyhow::anyhow!("org {} is not connected", run.org_id))?;
        println!(
            "Connected {} ({}) as {} <{}>, API {}; refresh token stored: {}",
            connected.org_name,
            connected.org_id,
            connected.user_name,
            connected.user_email,
            connected.api_base,
            store.refresh_token(&connected.org_id).await?.is_some(),
        );
    }
    server.abort();
    Ok(())
}
