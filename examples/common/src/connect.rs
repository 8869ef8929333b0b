//! Where the examples run: against real Fyle when credentials are in the environment, else
//! against an embedded, seeded `fyle-sandbox` started in this process.

use fyle::auth::Credentials;
use fyle::cluster::ClusterAllowList;
use fyle::{Client, ClientBuilder};
use fyle_sandbox::{Sandbox, SandboxConfig, SandboxInfo};
use url::Url;

/// A client and, when no credentials were set, the sandbox it talks to (stopped on drop).
pub struct Connection {
    /// The client to use.
    pub client: Client,
    /// The embedded sandbox, when the example runs on it.
    pub sandbox: Option<Sandbox>,
}

/// True when `FYLE_CLIENT_ID`, `FYLE_CLIENT_SECRET` and `FYLE_REFRESH_TOKEN` are all set.
pub fn credentials_in_env() -> bool {
    ["FYLE_CLIENT_ID", "FYLE_CLIENT_SECRET", "FYLE_REFRESH_TOKEN"]
        .iter()
        .all(|name| std::env::var_os(name).is_some_and(|value| !value.is_empty()))
}

/// Connects to real Fyle with the environment's credentials, or starts the embedded sandbox
/// with `config` and connects to it as its first org's admin.
pub async fn connect(config: SandboxConfig) -> anyhow::Result<Connection> {
    if credentials_in_env() {
        let credentials = Credentials::from_env()?;
        let client = client_for(credentials)?;
        return Ok(Connection {
            client,
            sandbox: None,
        });
    }
    let sandbox = Sandbox::start(config).await?;
    let client = sandbox_client(sandbox.info(), &sandbox.info().refresh_token)?;
    Ok(Connection {
        client,
        sandbox: Some(sandbox),
    })
}

/// A client for `credentials`; an accounts server on a loopback `http` address (a sandbox in
/// another process) also allows a loopback cluster.
pub fn client_for(credentials: Credentials) -> anyhow::Result<Client> {
    Ok(client_builder_for(credentials).build()?)
}

/// The builder behind [`client_for`], for callers that tune retries or the rate limit.
pub fn client_builder_for(credentials: Credentials) -> ClientBuilder {
    let mut allow_list = ClusterAllowList::default();
    if is_loopback_http(&credentials.accounts_url) {
        allow_list = allow_list.allow_loopback_http();
    }
    Client::builder()
        .credentials(credentials)
        .allow_list(allow_list)
}

/// A client for the sandbox described by `info`, acting with `refresh_token` (one of the
/// tokens `info` lists: the org admin's, another org's, or a user's).
pub fn sandbox_client(info: &SandboxInfo, refresh_token: &str) -> anyhow::Result<Client> {
    Ok(sandbox_client_builder(info, refresh_token)?.build()?)
}

/// The builder behind [`sandbox_client`], for drills and benches that tune retries or the rate
/// limit.
pub fn sandbox_client_builder(
    info: &SandboxInfo,
    refresh_token: &str,
) -> anyhow::Result<ClientBuilder> {
    let accounts = Url::parse(&info.accounts_url)?;
    let credentials = Credentials::new(
        info.client_id.clone(),
        info.client_secret.clone(),
        refresh_token.to_owned(),
    )
    .with_accounts_url(accounts);
    Ok(client_builder_for(credentials))
}

fn is_loopback_http(url: &Url) -> bool {
    url.scheme() == "http" && matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"))
}
