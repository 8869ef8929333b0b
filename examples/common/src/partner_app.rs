//! An OAuth 2.0 partner app: Fyle orgs connect to it through the authorization-code flow.
//!
//! - `GET /connect` sends the browser to Fyle's authorize page with a fresh `state`, which it
//!   also remembers (server-side, and in a cookie that binds it to this browser).
//! - `GET /callback` checks the `state` that comes back, exchanges the code for tokens,
//!   discovers the org's cluster, reads the connected org from `my_profile`, records the org
//!   (refresh token sealed, cluster, connecting user) in a [`SqlTokenStore`] and redirects to
//!   `/orgs/{org_id}`.
//! - `GET /orgs/{org_id}` shows a connected org; `GET /` lists them.
//! - After a restart, [`PartnerApp::restore`] reconnects every org recorded in the store; an
//!   org whose refresh token Fyle refuses is marked revoked, with the reason.
//! - Each org's client takes its tokens from the store under its cross-process refresh lock,
//!   so several instances of the app can share one database.
//! - Authorizations in progress are bounded ([`MAX_PENDING`]) and expire after ten minutes.
//!
//! [`drive_headless`] plays the browser against the sandbox, so the whole dance runs
//! without a human (`--auto`, and the tests).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path as FsPath;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use fyle::Client;
use fyle::auth::{
    AuthCodeFlow, AuthError, AuthorizationCallback, DEFAULT_AUTHORIZE_URL, ExposeSecret,
    PendingAuthorization, SecretString,
};
use fyle::cluster::ClusterAllowList;
use fyle::transport::SharedTransport;
use fyle_sandbox::SandboxInfo;
use fyle_store::{Connection, DataKey, Keyring, SqlTokenStore, StoreError};
use url::Url;

/// The cookie that binds an authorization in progress to the browser that started it.
pub const STATE_COOKIE: &str = "fyle_oauth_state";

/// How long a user has to come back from the authorize page.
const PENDING_TTL: Duration = Duration::from_secs(600);

/// Most authorizations in progress kept at once: past it the oldest is forgotten, so a flood
/// of `/connect` requests cannot grow memory without bound.
pub const MAX_PENDING: usize = 1_000;

/// Where the partner app talks to and how Fyle reaches it back.
#[derive(Debug, Clone)]
pub struct PartnerConfig {
    /// The app's client id.
    pub client_id: String,
    /// The app's client secret.
    pub client_secret: SecretString,
    /// The accounts host (`/oauth/token`, `/oauth/cluster`).
    pub accounts_url: Url,
    /// Fyle's authorize page.
    pub authorize_url: Url,
    /// This app's `/callback`, as registered on the Fyle app.
    pub redirect_uri: Url,
    /// The clusters the Bearer tokens may be sent to.
    pub allow_list: ClusterAllowList,
}

impl PartnerConfig {
    /// Real Fyle: the production accounts host and authorize page.
    pub fn fyle(
        client_id: String,
        client_secret: SecretString,
        redirect_uri: Url,
    ) -> anyhow::Result<Self> {
        Ok(Self {
            client_id,
            client_secret,
            accounts_url: Url::parse(fyle::DEFAULT_ACCOUNTS_URL)?,
            authorize_url: Url::parse(DEFAULT_AUTHORIZE_URL)?,
            redirect_uri,
            allow_list: ClusterAllowList::default(),
        })
    }

    /// The sandbox: its accounts server also serves the authorize page, and its cluster is
    /// a loopback `http` address. The app is the sandbox's first org's app.
    pub fn sandbox(info: &SandboxInfo, redirect_uri: Url) -> anyhow::Result<Self> {
        let accounts_url = Url::parse(&info.accounts_url)?;
        Ok(Self {
            client_id: info.client_id.clone(),
            client_secret: info.client_secret.clone().into(),
            authorize_url: accounts_url.join("/app/developers/oauth/authorize")?,
            accounts_url,
            redirect_uri,
            allow_list: ClusterAllowList::default().allow_loopback_http(),
        })
    }
}

/// Opens (or creates) the SQLite token store at `path`, sealed with the keys of
/// `FYLE_STORE_KEYS` (`id:base64key,...`, current first).
///
/// Without that variable a key file next to the database (`<path>.key`, mode 0600) is used,
/// created on first run: good for a demo, not for production, where the key belongs in a
/// secret manager or KMS and never beside the data it protects.
pub async fn open_token_store(path: &FsPath) -> anyhow::Result<SqlTokenStore> {
    let keyring = if std::env::var_os(fyle_store::ENV_KEYS).is_some() {
        Keyring::from_env()?
    } else {
        demo_keyring(&path.with_extension("key"))?
    };
    Ok(SqlTokenStore::open_sqlite(path, keyring).await?)
}

fn demo_keyring(key_path: &FsPath) -> anyhow::Result<Keyring> {
    if let Ok(raw) = std::fs::read_to_string(key_path) {
        return Ok(Keyring::parse(&raw)?);
    }
    let line = format!("demo:{}", DataKey::generate().to_base64().expose_secret());
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    std::io::Write::write_all(&mut options.open(key_path)?, line.as_bytes())?;
    tracing::warn!(path = %key_path.display(), "created a demo key file; set FYLE_STORE_KEYS in production");
    Ok(Keyring::parse(&line)?)
}

/// An org that connected the app.
#[derive(Debug, Clone)]
pub struct ConnectedOrg {
    /// `or...` id: the key of its refresh token in the store.
    pub org_id: String,
    /// The org's name.
    pub org_name: String,
    /// Who authorized the app.
    pub user_email: String,
    /// Their full name.
    pub user_name: String,
    /// The API base of the org's cluster, as discovered.
    pub api_base: Url,
    /// A client acting for the org (refreshes with the stored refresh token).
    pub client: Client,
}

/// Why a callback did not connect an org.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// The user denied access, or the callback carried no code.
    #[error("the authorization was not granted: {0}")]
    NotGranted(#[source] AuthError),
    /// No authorization was started from this browser (or it expired, or was used).
    #[error("no authorization in progress for this browser; start again at /connect")]
    NoPendingAuthorization,
    /// The `state` that came back is not the one this browser was sent with.
    #[error("the state parameter does not match; the code was not exchanged")]
    StateMismatch,
    /// Exchanging the code failed.
    #[error("exchanging the authorization code failed: {0}")]
    Exchange(#[source] AuthError),
    /// Discovering the cluster or reading the profile failed.
    #[error("reading the connected org failed: {0}")]
    Fyle(#[from] fyle::Error),
    /// Fyle answered without a refresh token or an org id.
    #[error("Fyle's answer lacks {0}")]
    Incomplete(&'static str),
    /// Saving the org failed.
    #[error("saving the org in the token store failed: {0}")]
    Store(#[from] StoreError),
}

impl ConnectError {
    fn status(&self) -> StatusCode {
        match self {
            Self::NotGranted(_) | Self::NoPendingAuthorization | Self::StateMismatch => {
                StatusCode::BAD_REQUEST
            }
            _ => StatusCode::BAD_GATEWAY,
        }
    }
}

/// The partner app: one authorization-code flow, one transport and one token store for every
/// org that connects.
pub struct PartnerApp {
    config: PartnerConfig,
    flow: AuthCodeFlow,
    transport: SharedTransport,
    store: SqlTokenStore,
    pending: Mutex<HashMap<String, (PendingAuthorization, Instant)>>,
    orgs: Mutex<HashMap<String, ConnectedOrg>>,
}

impl std::fmt::Debug for PartnerApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PartnerApp")
            .field("flow", &self.flow)
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}

impl PartnerApp {
    /// An app for `config`, keeping every org's tokens in `store` (keyed by org id).
    pub fn new(config: PartnerConfig, store: SqlTokenStore) -> Arc<Self> {
        let transport = fyle::transport::default_transport();
        let flow = AuthCodeFlow::builder(
            config.client_id.clone(),
            config.client_secret.clone(),
            transport.clone(),
        )
        .authorize_url(config.authorize_url.clone())
        .accounts_url(config.accounts_url.clone())
        .redirect_uri(config.redirect_uri.clone())
        // One host policy for every secret: the code exchange and every org's refresh.
        .host_policy(config.allow_list.clone())
        .build();
        Arc::new(Self {
            config,
            flow,
            transport,
            store,
            pending: Mutex::new(HashMap::new()),
            orgs: Mutex::new(HashMap::new()),
        })
    }

    /// The web app's routes.
    pub fn router(self: &Arc<Self>) -> Router {
        Router::new()
            .route("/", get(home))
            .route("/connect", get(connect))
            .route("/callback", get(callback))
            .route("/orgs/{org_id}", get(org_page))
            .with_state(Arc::clone(self))
    }

    /// The org connected with id `org_id`, if any.
    pub fn connected(&self, org_id: &str) -> Option<ConnectedOrg> {
        lock(&self.orgs).get(org_id).cloned()
    }

    /// Every connected org, by name.
    pub fn connected_orgs(&self) -> Vec<ConnectedOrg> {
        let mut orgs: Vec<ConnectedOrg> = lock(&self.orgs).values().cloned().collect();
        orgs.sort_by(|a, b| a.org_name.cmp(&b.org_name));
        orgs
    }

    /// The token store.
    pub fn store(&self) -> &SqlTokenStore {
        &self.store
    }

    /// A client for `org_id` whose tokens come from the store (what the app does after a
    /// restart); `None` when the org never connected.
    pub async fn client_from_store(&self, org_id: &str) -> anyhow::Result<Option<Client>> {
        if self.store.org(org_id).await?.is_none() {
            return Ok(None);
        }
        Ok(Some(self.org_client(org_id)?))
    }

    fn org_client(&self, org_id: &str) -> fyle::Result<Client> {
        let provider = self
            .store
            .provider(
                org_id,
                self.config.client_id.clone(),
                self.config.client_secret.clone(),
                self.transport.clone(),
            )
            .accounts_url(self.config.accounts_url.clone())
            .host_policy(self.config.allow_list.clone())
            .build();
        self.client_with(Arc::new(provider))
    }

    /// Reconnects every org recorded in the store (after a restart): reads each one's profile
    /// with its stored tokens. An org whose refresh token Fyle refuses is marked revoked with
    /// the reason; one failing for another reason (Fyle down) stays recorded and is reported.
    /// Returns the orgs connected, and the failures.
    pub async fn restore(&self) -> anyhow::Result<(Vec<ConnectedOrg>, Vec<(String, fyle::Error)>)> {
        let mut connected = Vec::new();
        let mut failed = Vec::new();
        for record in self.store.orgs().await? {
            if record.revoked {
                continue;
            }
            let org_id = record.org_key.clone();
            match self.reconnect(&org_id).await {
                Ok(org) => connected.push(org),
                Err(error) => {
                    if let fyle::ErrorKind::Auth(auth) = error.kind()
                        && auth.is_terminal()
                    {
                        self.store.revoke(&org_id, &auth.to_string()).await?;
                    }
                    tracing::warn!(org_id = %org_id, %error, "org not restored");
                    failed.push((org_id, error));
                }
            }
        }
        Ok((connected, failed))
    }

    async fn reconnect(&self, org_id: &str) -> fyle::Result<ConnectedOrg> {
        let client = self.org_client(org_id)?;
        let api_base = client.api_base().await?;
        let profile = client.spender().my_profile().get().send().await?;
        let org = profile.org.unwrap_or_default();
        let user = profile.user.unwrap_or_default();
        let connected = ConnectedOrg {
            org_name: org.name.unwrap_or_else(|| org_id.to_owned()),
            org_id: org_id.to_owned(),
            user_email: user.email.unwrap_or_default(),
            user_name: user.full_name.unwrap_or_default(),
            api_base,
            client,
        };
        lock(&self.orgs).insert(org_id.to_owned(), connected.clone());
        Ok(connected)
    }

    /// Starts an authorization: the URL to send the browser to, and the `state` to set in
    /// its [`STATE_COOKIE`].
    pub fn start_authorization(&self) -> (Url, String) {
        let (url, pending) = self.flow.authorize();
        let state = pending.state().to_owned();
        let mut pending_map = lock(&self.pending);
        pending_map.retain(|_, (_, started)| started.elapsed() < PENDING_TTL);
        while pending_map.len() >= MAX_PENDING {
            let oldest = pending_map
                .iter()
                .min_by_key(|(_, (_, started))| *started)
                .map(|(state, _)| state.clone());
            match oldest {
                Some(state) => pending_map.remove(&state),
                None => break,
            };
        }
        pending_map.insert(state.clone(), (pending, Instant::now()));
        (url, state)
    }

    /// Completes an authorization from the callback's query string and the browser's
    /// [`STATE_COOKIE`]: checks `state`, exchanges the code, discovers the cluster, reads the
    /// profile and stores the org's refresh token.
    pub async fn complete_authorization(
        &self,
        query: &str,
        cookie_state: Option<&str>,
    ) -> Result<ConnectedOrg, ConnectError> {
        let callback =
            AuthorizationCallback::from_query(query).map_err(ConnectError::NotGranted)?;
        // The pending authorization this browser started; single use.
        let pending = cookie_state
            .and_then(|state| lock(&self.pending).remove(state))
            .filter(|(_, started)| started.elapsed() < PENDING_TTL)
            .map(|(pending, _)| pending)
            .ok_or(ConnectError::NoPendingAuthorization)?;
        let tokens = self
            .flow
            .exchange(&pending, &callback)
            .await
            .map_err(|e| match e {
                AuthError::StateMismatch => ConnectError::StateMismatch,
                other => ConnectError::Exchange(other),
            })?;
        let refresh_token = tokens
            .refresh_token
            .clone()
            .ok_or(ConnectError::Incomplete("a refresh token"))?;

        // Which org is this? Ask Fyle, with the fresh access token.
        let first_provider = self
            .flow
            .provider_from_tokens(&tokens)
            .map_err(ConnectError::Exchange)?
            .build();
        let client = self.client_with(Arc::new(first_provider))?;
        let api_base = client.api_base().await?; // cluster discovery, checked by the allow-list
        let profile = client.spender().my_profile().get().send().await?;
        let org = profile.org.unwrap_or_default();
        let org_id = profile
            .org_id
            .or(org.id)
            .ok_or(ConnectError::Incomplete("an org id"))?;
        let user = profile.user.unwrap_or_default();

        // Record the org (refresh token sealed), and give it a client on the store's tokens.
        let connection = Connection {
            cluster: Some(api_base.to_string()),
            user_id: user.id.clone(),
            user_email: user.email.clone(),
        };
        self.store
            .connect_org(&org_id, &refresh_token, &connection)
            .await?;
        let connected = ConnectedOrg {
            org_name: org.name.unwrap_or_else(|| org_id.clone()),
            org_id: org_id.clone(),
            user_email: user.email.unwrap_or_default(),
            user_name: user.full_name.unwrap_or_default(),
            api_base,
            client: self.org_client(&org_id)?,
        };
        tracing::info!(org_id = %connected.org_id, org = %connected.org_name, "org connected");
        lock(&self.orgs).insert(org_id, connected.clone());
        Ok(connected)
    }

    fn client_with(&self, provider: Arc<dyn fyle::auth::TokenProvider>) -> fyle::Result<Client> {
        Client::builder()
            .shared_token_provider(provider)
            .transport(self.transport.clone())
            .accounts_url(self.config.accounts_url.clone())
            .allow_list(self.config.allow_list.clone())
            .build()
    }

    fn state_cookie(&self, value: &str, max_age: u64) -> String {
        let secure = if self.config.redirect_uri.scheme() == "https" {
            "; Secure"
        } else {
            ""
        };
        format!("{STATE_COOKIE}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}")
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

async fn home(State(app): State<Arc<PartnerApp>>) -> Html<String> {
    let mut items = String::new();
    for org in app.connected_orgs() {
        // Writing to a String cannot fail.
        let _ = write!(
            items,
            "<li><a href=\"/orgs/{id}\">{name}</a></li>",
            id = escape(&org.org_id),
            name = escape(&org.org_name)
        );
    }
    Html(format!(
        "<!doctype html><h1>Fyle partner app</h1><p><a href=\"/connect\">Connect a Fyle org</a></p>\
         <h2>Connected orgs</h2><ul>{items}</ul>"
    ))
}

async fn connect(State(app): State<Arc<PartnerApp>>) -> Response {
    let (url, state) = app.start_authorization();
    let cookie = app.state_cookie(&state, PENDING_TTL.as_secs());
    ([(header::SET_COOKIE, cookie)], Redirect::to(url.as_str())).into_response()
}

async fn callback(
    State(app): State<Arc<PartnerApp>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let cookie_state = cookie(&headers, STATE_COOKIE);
    let result = app
        .complete_authorization(
            query.as_deref().unwrap_or_default(),
            cookie_state.as_deref(),
        )
        .await;
    let clear = [(header::SET_COOKIE, app.state_cookie("", 0))];
    match result {
        Ok(org) => (clear, Redirect::to(&format!("/orgs/{}", org.org_id))).into_response(),
        Err(error) => {
            tracing::warn!(%error, "callback failed");
            let page = format!(
                "<!doctype html><h1>Could not connect</h1><p>{}</p><p><a href=\"/connect\">Try again</a></p>",
                escape(&error.to_string())
            );
            (error.status(), clear, Html(page)).into_response()
        }
    }
}

async fn org_page(State(app): State<Arc<PartnerApp>>, Path(org_id): Path<String>) -> Response {
    match app.connected(&org_id) {
        Some(org) => Html(format!(
            "<!doctype html><h1>Connected: <span id=\"org\">{name}</span></h1>\
             <p>Org <code id=\"org_id\">{id}</code>, authorized by {user} ({email}).</p>\
             <p>API base: <code>{api}</code></p><p><a href=\"/\">All orgs</a></p>",
            name = escape(&org.org_name),
            id = escape(&org.org_id),
            user = escape(&org.user_name),
            email = escape(&org.user_email),
            api = escape(org.api_base.as_str()),
        ))
        .into_response(),
        None => (
            StatusCode::NOT_FOUND,
            Html("<h1>No such org connected</h1>"),
        )
            .into_response(),
    }
}

/// The value of cookie `name` in the request's `Cookie` headers.
fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, value)| *key == name && !value.is_empty())
        .map(|(_, value)| value.to_owned())
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// What a headless run did.
#[derive(Debug, Clone)]
pub struct HeadlessRun {
    /// Every URL the browser visited, query strings (code, state) removed.
    pub visited: Vec<String>,
    /// The org id of the page it ended on (`/orgs/{org_id}`).
    pub org_id: String,
}

/// Plays the browser against a partner app on the sandbox: `GET /connect`, the sandbox's
/// authorize page (approved at once, as `user_email` or the app's org admin), `/callback`,
/// then the connected org's page.
///
/// It follows the redirects itself to carry the app's state cookie (the workspace's reqwest
/// has no cookie store), which is what a browser does.
pub async fn drive_headless(
    app_url: &Url,
    user_email: Option<&str>,
) -> anyhow::Result<HeadlessRun> {
    const MAX_HOPS: usize = 8;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let mut url = app_url.join("/connect")?;
    let mut app_cookie: Option<String> = None;
    let mut visited = Vec::new();
    for _ in 0..MAX_HOPS {
        let on_app = url.origin() == app_url.origin();
        if !on_app && url.path().ends_with("/oauth/authorize") {
            // The user: logged in as `user_email`, clicks "Approve" (sandbox extensions).
            let mut pairs = url.query_pairs_mut();
            pairs.append_pair("auto_approve", "true");
            if let Some(email) = user_email {
                pairs.append_pair("user_email", email);
            }
        }
        let mut shown = url.clone();
        shown.set_query(None);
        visited.push(shown.to_string());

        let mut request = http.get(url.clone());
        if let (true, Some(cookie)) = (on_app, &app_cookie) {
            request = request.header(reqwest::header::COOKIE, cookie);
        }
        let response = request.send().await?;
        if on_app && let Some(set) = response.headers().get(reqwest::header::SET_COOKIE) {
            let pair = set.to_str()?.split(';').next().unwrap_or_default();
            app_cookie = Some(pair.to_owned());
        }
        let status = response.status();
        if status.is_redirection() {
            let location = response
                .headers()
                .get(reqwest::header::LOCATION)
                .ok_or_else(|| anyhow::anyhow!("{status} from {shown} without a Location"))?
                .to_str()?;
            url = url.join(location)?;
            continue;
        }
        let body = response.text().await?;
        anyhow::ensure!(status.is_success(), "{shown} answered {status}: {body}");
        let org_id = url
            .path()
            .strip_prefix("/orgs/")
            .ok_or_else(|| anyhow::anyhow!("the dance ended on {shown}, not an org page"))?
            .to_owned();
        return Ok(HeadlessRun { visited, org_id });
    }
    anyhow::bail!("more than {MAX_HOPS} redirects")
}
