//! `fyle login`: an internal app's refresh token, or the partner OAuth flow with a loopback
//! redirect; then a check call, and the profile saved (secrets in the keyring or a 0600 file).

use anyhow::Context as _;
use fyle::auth::{
    AuthCodeFlow, AuthorizationCallback, Credentials, DEFAULT_AUTHORIZE_URL, HostPolicy,
};
use fyle_cli::profile::{self, DEFAULT_PROFILE, Profile, Profiles};
use fyle_cli::secrets::{self, Secrets};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use url::Url;

use crate::args::{Global, LoginArgs};
use crate::cmd::connect::{client_for, is_loopback_http};
use crate::exit::Usage;
use crate::output::Notes;

/// Logs in and saves the profile.
pub(crate) async fn run(global: &Global, args: LoginArgs, notes: Notes) -> anyhow::Result<()> {
    if global.sandbox {
        return Err(Usage(
            "the embedded sandbox lives only as long as one command: run `fyle sandbox` and log \
             in to it with --accounts-url"
                .into(),
        )
        .into());
    }
    let name = global
        .profile
        .clone()
        .unwrap_or_else(|| DEFAULT_PROFILE.to_owned());
    let accounts = Url::parse(&args.accounts_url)
        .map_err(|e| Usage(format!("--accounts-url {:?}: {e}", args.accounts_url)))?;
    let (refresh_token, method) = match &args.refresh_token {
        Some(token) => (SecretString::from(token.clone()), "refresh_token"),
        None => (oauth(&args, &accounts, notes).await?, "oauth"),
    };
    let credentials = Credentials::new(
        args.client_id.clone(),
        args.client_secret.clone(),
        refresh_token.expose_secret().to_owned(),
    )
    .with_accounts_url(accounts.clone());
    let client = client_for(credentials)?;
    let me: Value = client
        .request(http::Method::GET, "/spender/my_profile")
        .send_json()
        .await
        .context("checking the new credentials with GET /spender/my_profile")?;
    let data = me.get("data").unwrap_or(&Value::Null);
    let text = |path: &str| {
        fyle_cli::columns::lookup(data, path)
            .as_str()
            .map(str::to_owned)
    };

    let dir = profile::config_dir()?;
    let backend = secrets::store(
        &dir,
        &name,
        &Secrets {
            client_secret: SecretString::from(args.client_secret.clone()),
            refresh_token,
        },
    )?;
    let mut profiles = Profiles::load(&dir)?;
    profiles.profiles.insert(
        name.clone(),
        Profile {
            accounts_url: accounts.to_string(),
            client_id: args.client_id.clone(),
            method: method.to_owned(),
            user: text("user.email"),
            org_id: text("org_id"),
        },
    );
    profiles.save(&dir)?;
    notes.say(format!(
        "Logged in as {} in org {} (profile {name:?}); secrets in {backend}.",
        text("user.email").unwrap_or_default(),
        text("org.name").unwrap_or_default(),
    ));
    Ok(())
}

/// The authorization-code flow: a local listener for the redirect, the consent page in the
/// browser (or approved headlessly with `--auto`), then the code exchanged for tokens.
async fn oauth(args: &LoginArgs, accounts: &Url, notes: Notes) -> anyhow::Result<SecretString> {
    let listener = TcpListener::bind(("127.0.0.1", args.port))
        .await
        .context("opening the local port for the OAuth redirect")?;
    let port = listener.local_addr()?.port();
    let redirect = Url::parse(&format!("http://127.0.0.1:{port}/callback"))?;
    let authorize = match &args.authorize_url {
        Some(url) => Url::parse(url).map_err(|e| Usage(format!("--authorize-url: {e}")))?,
        None if is_loopback_http(accounts) => accounts.join("/app/developers/oauth/authorize")?,
        None => Url::parse(DEFAULT_AUTHORIZE_URL)?,
    };
    let mut policy = HostPolicy::default();
    if is_loopback_http(accounts) {
        // A local sandbox: plain http to 127.0.0.1 is where its token endpoint lives.
        policy = policy.allow_loopback_http();
    }
    let flow = AuthCodeFlow::builder(
        args.client_id.clone(),
        SecretString::from(args.client_secret.clone()),
        fyle::transport::default_transport(),
    )
    .host_policy(policy)
    .authorize_url(authorize)
    .accounts_url(accounts.clone())
    .redirect_uri(redirect)
    .build();
    let (mut url, pending) = flow.authorize();
    let callback = if args.auto {
        url.query_pairs_mut().append_pair("auto_approve", "true");
        let consent = async {
            let http = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::limited(4))
                .build()?;
            http.get(url.clone()).send().await?.error_for_status()?;
            anyhow::Ok(())
        };
        let (callback, consent) = tokio::join!(accept_callback(&listener), consent);
        consent.context("approving the consent page with --auto")?;
        callback?
    } else {
        notes.say(format!(
            "Opening your browser at Fyle's consent page. If it does not open, visit:\n  {url}"
        ));
        if open::that(url.as_str()).is_err() {
            notes.say("(could not open a browser; open the link above)");
        }
        accept_callback(&listener).await?
    };
    let tokens = flow.exchange(&pending, &callback).await?;
    tokens
        .refresh_token
        .ok_or_else(|| anyhow::anyhow!("Fyle answered the code exchange without a refresh token"))
}

/// Serves one request on the loopback port and reads the callback's `code` and `state`.
async fn accept_callback(listener: &TcpListener) -> anyhow::Result<AuthorizationCallback> {
    loop {
        let (mut socket, _) = listener.accept().await?;
        let mut buffer = vec![0u8; 8192];
        let n = socket.read(&mut buffer).await?;
        let request = String::from_utf8_lossy(&buffer[..n]);
        let target = request
            .lines()
            .next()
            .and_then(|line| line.split_whitespace().nth(1))
            .unwrap_or_default()
            .to_owned();
        if !target.starts_with("/callback") {
            let _ = socket
                .write_all(
                    b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                )
                .await;
            continue;
        }
        let query = target.split_once('?').map(|(_, q)| q).unwrap_or_default();
        let callback = AuthorizationCallback::from_query(query);
        let page = if callback.is_ok() {
            "<h1>Logged in to Fyle</h1><p>You can close this tab and go back to the terminal.</p>"
        } else {
            "<h1>Login failed</h1><p>See the terminal.</p>"
        };
        let response = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{page}",
            page.len()
        );
        let _ = socket.write_all(response.as_bytes()).await;
        return Ok(callback?);
    }
}
