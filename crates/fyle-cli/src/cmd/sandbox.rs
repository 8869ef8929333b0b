//! `fyle sandbox`: the local Fyle, until Ctrl-C.

use std::net::SocketAddr;

use fyle_sandbox::{Sandbox, SandboxConfig};

use crate::args::SandboxArgs;

/// Starts the sandbox, prints its credentials (one JSON line on stdout, then how to use them
/// on stderr) and serves until Ctrl-C.
pub(crate) async fn run(args: &SandboxArgs) -> anyhow::Result<()> {
    let config = SandboxConfig {
        addr: SocketAddr::from(([127, 0, 0, 1], args.port)),
        expenses: args.expenses,
        ..SandboxConfig::default()
    };
    let sandbox = Sandbox::start(config).await?;
    let info = sandbox.info();
    println!("{}", serde_json::to_string(info)?);
    eprintln!(
        "The sandbox (a local Fyle with {} seeded expenses) serves at {}. Use it with:\n  \
         export FYLE_ACCOUNTS_URL={} FYLE_CLIENT_ID={} FYLE_CLIENT_SECRET={} FYLE_REFRESH_TOKEN=<refresh_token above>\n  \
         fyle whoami\nCtrl-C stops it.",
        args.expenses,
        sandbox.url(),
        info.accounts_url,
        info.client_id,
        info.client_secret,
    );
    tokio::signal::ctrl_c().await?;
    sandbox.stop().await;
    Ok(())
}
