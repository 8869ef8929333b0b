//! Which Fyle a command talks to: the embedded sandbox (`--sandbox`), a profile, or the
//! `FYLE_*` environment variables.

use fyle::Client;
use fyle::auth::Credentials;
use fyle::cluster::ClusterAllowList;
use fyle_cli::profile::{self, DEFAULT_PROFILE, Profiles};
use fyle_cli::secrets;
use fyle_sandbox::{Sandbox, SandboxConfig};
use secrecy::ExposeSecret;
use url::Url;

use crate::args::Global;
use crate::exit::{NotLoggedIn, Usage};
use crate::output::Notes;

/// A client and the sandbox it talks to, if any (stopped on drop).
pub(crate) struct Connection {
    /// The client.
    pub(crate) client: Client,
    /// The embedded sandbox.
    pub(crate) _sandbox: Option<Sandbox>,
}

/// Connects as `global` says, telling on stderr when it is the sandbox.
pub(crate) async fn connect(global: &Global, notes: Notes) -> anyhow::Result<Connection> {
    if global.sandbox {
        let config = SandboxConfig {
            expenses: global.sandbox_expenses,
            rate_limit: 0,
            // The seed spreads rows (and their `updated_at`) up to a few days past its history
            // end; ending it a week back keeps every row inside the export's snapshot.
            history_end: Some(
                time::OffsetDateTime::now_utc() - std::time::Duration::from_secs(7 * 86_400),
            ),
            ..SandboxConfig::default()
        };
        let sandbox = Sandbox::start(config).await?;
        let info = sandbox.info();
        notes.say(format!(
            "Using the embedded sandbox at {} ({} seeded expenses, org {}); no real Fyle data.",
            sandbox.url(),
            global.sandbox_expenses,
            info.orgs.first().map_or("?", |o| o.org_name.as_str()),
        ));
        let credentials = Credentials::new(
            info.client_id.clone(),
            info.client_secret.clone(),
            info.refresh_token.clone(),
        )
        .with_accounts_url(Url::parse(&info.accounts_url)?);
        return Ok(Connection {
            client: client_for(credentials)?,
            _sandbox: Some(sandbox),
        });
    }
    let credentials = match &global.profile {
        Some(name) => profile_credentials(name)?,
        None if credentials_in_env() => Credentials::from_env()?,
        None => profile_credentials(DEFAULT_PROFILE)?,
    };
    Ok(Connection {
        client: client_for(credentials)?,
        _sandbox: None,
    })
}

fn credentials_in_env() -> bool {
    ["FYLE_CLIENT_ID", "FYLE_CLIENT_SECRET", "FYLE_REFRESH_TOKEN"]
        .iter()
        .all(|name| std::env::var_os(name).is_some_and(|v| !v.is_empty()))
}

/// The credentials of a saved profile.
pub(crate) fn profile_credentials(name: &str) -> anyhow::Result<Credentials> {
    let dir = profile::config_dir()?;
    let profiles = Profiles::load(&dir)?;
    let Some(saved) = profiles.profiles.get(name) else {
        return Err(NotLoggedIn(format!(
            "no profile {name:?} in {} and no FYLE_CLIENT_ID/FYLE_CLIENT_SECRET/FYLE_REFRESH_TOKEN",
            dir.display()
        ))
        .into());
    };
    let secrets = secrets::load(&dir, name)?;
    let accounts = Url::parse(&saved.accounts_url)
        .map_err(|e| Usage(format!("profile {name:?} has a bad accounts URL: {e}")))?;
    Ok(Credentials::new(
        saved.client_id.clone(),
        secrets.client_secret.expose_secret().to_owned(),
        secrets.refresh_token.expose_secret().to_owned(),
    )
    .with_accounts_url(accounts))
}

/// A client for `credentials`; a loopback `http` accounts server (a sandbox) also allows a
/// loopback cluster.
pub(crate) fn client_for(credentials: Credentials) -> anyhow::Result<Client> {
    let mut allow_list = ClusterAllowList::default();
    if is_loopback_http(&credentials.accounts_url) {
        allow_list = allow_list.allow_loopback_http();
    }
    Ok(Client::builder()
        .credentials(credentials)
        .allow_list(allow_list)
        .build()?)
}

/// `http://127.0.0.1`, `localhost` or `[::1]`.
pub(crate) fn is_loopback_http(url: &Url) -> bool {
    url.scheme() == "http" && matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"))
}
