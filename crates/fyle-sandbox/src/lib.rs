//! `fyle-sandbox`: a stateful local Fyle Platform API for examples, tests and benchmarks.
//!
//! It serves, on one local port:
//!
//! - the accounts server: `POST /oauth/token` (JSON body; `refresh_token` and
//!   `authorization_code` grants), `POST /oauth/cluster` (with or without a trailing slash or a
//!   `{}` body) and the consent page `GET /app/developers/oauth/authorize`;
//! - the data cluster under `/platform/v1/{spender,approver,admin}/...`: list endpoints with the
//!   full filter grammar of [`fyle_models::query`], multi-column `order`, `offset`, `limit`
//!   (1..=200) and exact `count`; upserts, bulk posts, deletes and the core actions (submit,
//!   approve, mark paid, attach files); files with presigned-style upload and download URLs served
//!   by the sandbox itself (`/storage/...`); the spend overview (`/admin/spend_overview/*`)
//!   computed from the stored expenses, answering `202 Accepted` while it "computes" (see
//!   [`SandboxConfig::spend_overview_ready_after`]). Every other operation of the 11 spec files is served
//!   by a spec-driven store (`generic.rs`) from a schema table generated into `generated/`:
//!   seeded realistic rows, lists through the same query engine, get by id, upserts, bulk posts,
//!   deletes and state actions that validate their body against the request schema. Every
//!   answer has the shape of the operation's response schema for the role asking;
//! - `/__sandbox/faults`, `/__sandbox/rate_limit`, `/__sandbox/clock/advance` to change its
//!   behaviour at run time, with `Authorization: Bearer <SandboxInfo::control_token>`.
//!
//! Secrets (client secrets, tokens, the control token) are random per process unless
//! [`SandboxConfig::pin_secrets`] derives them from the seed.
//!
//! Data is seeded deterministically from [`SandboxConfig::seed`]: per org, employees with roles
//! and departments, categories, projects and cost centers (integer ids), corporate cards and
//! transactions, tax groups, expense fields (custom fields of every type), reports in every state
//! and [`SandboxConfig::expenses`] expenses with receipts, custom field values, taxes and matched
//! card transactions; then a dozen rows of every other listed resource, built from its schema.
//! Roles behave like Fyle's: a spender sees their own expenses, an approver their approvees', an
//! admin the whole org's. Only tokens the sandbox issued are accepted.
//!
//! # Inside (for contributors)
//! One room per concern, each module's doc says what it holds:
//! - serving: `routes` (accounts, platform dispatch, storage, control), `listing` (list
//!   endpoints, cached and keyset-paged via `keyset`), `generic` (every operation the
//!   hand-written routes do not simulate), `spend_overview` (spend analytics and their `202`
//!   while computing), `ops` and `schema` (the generated spec table:
//!   operations, envelopes, schemas and a validator), `instance` and `realistic` (values built
//!   from a schema);
//! - queries: `query_eval` (filter evaluation, ordering, the LIKE matcher, scalars);
//! - writes: `writes` (the transaction core, then one room per resource: expenses, reports,
//!   files, reference data, employees) applying `rules` (the report state machine, editable and
//!   deletable states, money);
//! - data: `store` (tables per org), `seed` and `seed_master` (seeding only), `ids` (ids and
//!   secrets), `churn`;
//! - around them: `auth`, `clock`, `faults`, `rate_limit`, `webhooks`, `errors`, `state`.
//!
//! ```no_run
//! use fyle_sandbox::{Sandbox, SandboxConfig};
//!
//! # async fn demo() -> Result<(), fyle_sandbox::Error> {
//! let sandbox = Sandbox::start(SandboxConfig { expenses: 1_000, rate_limit: 0, ..SandboxConfig::default() }).await?;
//! let info = sandbox.info();
//! println!("accounts at {}, refresh token for {}", info.accounts_url, info.orgs[0].org_id);
//! // Point a Fyle client at info.accounts_url with info.client_id / client_secret / refresh_token.
//! sandbox.stop().await;
//! # Ok(())
//! # }
//! ```

use std::collections::HashMap;
use std::hash::RandomState;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

mod auth;
mod churn;
mod clock;
mod errors;
mod faults;
mod generated;
mod generic;
mod ids;
mod instance;
mod keyset;
mod listing;
mod ops;
mod query_eval;
mod rate_limit;
mod realistic;
mod routes;
mod rules;
mod schema;
mod seed;
mod seed_master;
mod spend_overview;
mod state;
mod store;
mod webhooks;
mod writes;

pub use churn::{ChurnConfig, ChurnStats};
pub use faults::FaultConfig;
pub use store::Resource;

use crate::auth::{Auth, Grant};
use crate::clock::Clock;
use crate::listing::ListCache;
use crate::rate_limit::RateLimiter;
use crate::state::AppState;
use crate::store::Store;

/// Why the sandbox could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Binding the listening socket failed.
    #[error("fyle-sandbox could not listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
    /// Seeding failed (the seeding task panicked or was cancelled).
    #[error("fyle-sandbox could not seed its data: {0}")]
    Seed(String),
}

/// How to start a sandbox.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Where to listen; port 0 picks a free port. Default `127.0.0.1:0`.
    pub addr: SocketAddr,
    /// Expenses per org. Default 500.
    pub expenses: usize,
    /// Number of orgs, each with its own client credentials. Default 1.
    pub orgs: usize,
    /// Seed of all generated data and ids. Default 42.
    pub seed: u64,
    /// Requests per second per client; 0 turns the limit off. Default 10 (Fyle's).
    pub rate_limit: u32,
    /// Access-token lifetime. Default 1 hour (Fyle's).
    pub token_ttl: Duration,
    /// Lifetime of presigned storage URLs. Default 5 minutes (Fyle's).
    pub url_ttl: Duration,
    /// Approve the consent page without showing it. Default false.
    pub auto_approve: bool,
    /// Faults injected from the start.
    pub faults: FaultConfig,
    /// Insert/update/delete rows on a schedule while serving.
    pub churn: Option<ChurnConfig>,
    /// End of the seeded history (rows spread over the year before it). Default: midnight UTC
    /// today, so recent-window queries always find rows; pin it for data that never moves.
    pub history_end: Option<time::OffsetDateTime>,
    /// Derive the client secrets, tokens and control token from [`seed`](Self::seed), so they
    /// are the same on every run. Default false: fresh random secrets per process.
    pub pin_secrets: bool,
    /// How long `/admin/spend_overview/*` "computes" on the sandbox clock: the first request
    /// for a query (and the first after a write to the org's data) answers `202 Accepted`, the
    /// same query asked again once this has passed answers the result. Default zero: the next
    /// request gets it. Tests that want a longer wait move the clock
    /// ([`Sandbox::advance_clock`]).
    pub spend_overview_ready_after: Duration,
}

impl Default for SandboxConfig {
    fn default() -> SandboxConfig {
        SandboxConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            expenses: 500,
            orgs: 1,
            seed: 42,
            rate_limit: 10,
            token_ttl: Duration::from_secs(3600),
            url_ttl: Duration::from_secs(300),
            auto_approve: false,
            faults: FaultConfig::default(),
            churn: None,
            history_end: None,
            pin_secrets: false,
            spend_overview_ready_after: Duration::ZERO,
        }
    }
}

/// The facts a client needs; the binary prints this as its first stdout line.
#[derive(Debug, Clone, Serialize)]
pub struct SandboxInfo {
    /// Base URL of the accounts server (`{accounts_url}/oauth/token`).
    pub accounts_url: String,
    /// What `/oauth/cluster` answers (`{cluster_domain}/platform/v1` is the API base).
    pub cluster_domain: String,
    /// Client id of the first org's app.
    pub client_id: String,
    /// Client secret of the first org's app.
    pub client_secret: String,
    /// Refresh token of the first org's admin.
    pub refresh_token: String,
    /// Every org.
    pub orgs: Vec<OrgInfo>,
    /// The bearer token the `/__sandbox/*` control routes require.
    pub control_token: String,
}

/// One org of the sandbox.
#[derive(Debug, Clone, Serialize)]
pub struct OrgInfo {
    /// `or…` id.
    pub org_id: String,
    /// Display name.
    pub org_name: String,
    /// This org's app.
    pub client_id: String,
    /// This org's app secret.
    pub client_secret: String,
    /// Refresh token of this org's admin (roles FYLER, ADMIN, APPROVER).
    pub refresh_token: String,
    /// A few representative users (admin, an approver, a spender of that approver), each with a
    /// refresh token for this org's app.
    pub users: Vec<UserInfo>,
}

/// A user and a refresh token acting as them.
#[derive(Debug, Clone, Serialize)]
pub struct UserInfo {
    /// `us…` id.
    pub user_id: String,
    /// Login email.
    pub email: String,
    /// Full name.
    pub full_name: String,
    /// Fyle roles (`FYLER`, `APPROVER`, `ADMIN`).
    pub roles: Vec<String>,
    /// Refresh token for the org's app, acting as this user.
    pub refresh_token: String,
}

/// A running sandbox. Dropping it stops the server.
#[derive(Debug)]
pub struct Sandbox {
    info: SandboxInfo,
    addr: SocketAddr,
    state: Arc<AppState>,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<()>>,
    churn: Option<JoinHandle<()>>,
    churn_rng: Mutex<ChaCha8Rng>,
}

impl Sandbox {
    /// Seeds the data, binds the port and starts serving on the current Tokio runtime.
    pub async fn start(config: SandboxConfig) -> Result<Sandbox, Error> {
        let (seed, orgs, expenses) = (config.seed, config.orgs.max(1), config.expenses);
        let history_end = config.history_end.map_or_else(
            || seed::default_history_end(time::OffsetDateTime::now_utc().unix_timestamp()),
            time::OffsetDateTime::unix_timestamp,
        );
        let seeded = tokio::task::spawn_blocking(move || {
            (0..orgs)
                .map(|i| {
                    let mut org = seed::seed_org(seed, i, expenses, history_end);
                    let first: Vec<String> = representative_users(&org)
                        .into_iter()
                        .map(|u| u.user_id)
                        .collect();
                    org.refs = generic::refs(&org, &first, history_end);
                    let refs = org.refs.clone();
                    generic::seed(&mut org, seed, &refs);
                    org
                })
                .collect::<Vec<_>>()
        })
        .await
        .map_err(|e| Error::Seed(e.to_string()))?;

        let listener = TcpListener::bind(config.addr)
            .await
            .map_err(|source| Error::Bind {
                addr: config.addr,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| Error::Bind {
            addr: config.addr,
            source,
        })?;
        let base_url = format!("http://{addr}");

        let mut auth = Auth::new(
            auth::secret_seed(seed, config.pin_secrets),
            config.token_ttl,
        );
        let control_token = auth.control_token();
        let mut store = Store::default();
        let mut org_infos = Vec::new();
        for org in seeded {
            let client = auth.add_client(&org.org_id);
            let users = representative_users(&org);
            let user_infos: Vec<UserInfo> = users
                .into_iter()
                .map(|u| UserInfo {
                    refresh_token: auth.issue_refresh(Grant {
                        client_id: client.client_id.clone(),
                        org_id: org.org_id.clone(),
                        user_id: u.user_id.clone(),
                    }),
                    user_id: u.user_id,
                    email: u.email,
                    full_name: u.full_name,
                    roles: u.roles,
                })
                .collect();
            org_infos.push(OrgInfo {
                org_id: org.org_id.clone(),
                org_name: org.org_name.clone(),
                client_id: client.client_id.clone(),
                client_secret: client.client_secret.clone(),
                refresh_token: user_infos
                    .first()
                    .map(|u| u.refresh_token.clone())
                    .unwrap_or_default(),
                users: user_infos,
            });
            store.orgs.insert(org.org_id.clone(), org);
        }
        let first = org_infos
            .first()
            .cloned()
            .ok_or_else(|| Error::Seed("no org".into()))?;
        let info = SandboxInfo {
            accounts_url: base_url.clone(),
            cluster_domain: base_url.clone(),
            client_id: first.client_id,
            client_secret: first.client_secret,
            refresh_token: first.refresh_token,
            orgs: org_infos,
            control_token: control_token.clone(),
        };

        let state = Arc::new(AppState {
            store: RwLock::new(store),
            auth: Mutex::new(auth),
            clock: Clock::default(),
            limiter: RateLimiter::new(config.rate_limit),
            faults: faults::Faults::new(config.faults.clone()),
            cache: ListCache::default(),
            rng: Mutex::new(ChaCha8Rng::seed_from_u64(seed ^ 0x5EED_0000_0000_0002)),
            blobs: Mutex::new(HashMap::new()),
            signer: RandomState::new(),
            base_url,
            auto_approve: config.auto_approve,
            url_ttl: config.url_ttl,
            control_token,
            webhooks: webhooks::Webhooks::start(),
            spend_overview: spend_overview::Computations::new(config.spend_overview_ready_after),
        });

        let app = routes::router(Arc::clone(&state));
        let (tx, rx) = oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            let serve = axum::serve(
                listener,
                app.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .with_graceful_shutdown(async move {
                let _ = rx.await;
            });
            if let Err(e) = serve.await {
                tracing::error!(error = %e, "fyle-sandbox server stopped");
            }
        });
        let churn = config.churn.clone().map(|churn| {
            let state = Arc::clone(&state);
            let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xC4_0000_0003);
            tokio::spawn(async move {
                let mut ticker = tokio::time::interval(churn.interval);
                ticker.tick().await;
                loop {
                    ticker.tick().await;
                    churn::tick(&state, &churn, &mut rng);
                }
            })
        });
        tracing::info!(%addr, operations = ops::count(), "fyle-sandbox listening");
        Ok(Sandbox {
            info,
            addr,
            state,
            shutdown: Some(tx),
            server: Some(server),
            churn,
            churn_rng: Mutex::new(ChaCha8Rng::seed_from_u64(seed ^ 0xC4_0000_0004)),
        })
    }

    /// Credentials and URLs (what the binary prints).
    pub fn info(&self) -> &SandboxInfo {
        &self.info
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT` (accounts and cluster are the same server).
    pub fn url(&self) -> &str {
        &self.info.accounts_url
    }

    /// `{cluster_domain}/platform/v1`.
    pub fn api_base(&self) -> String {
        format!("{}/platform/v1", self.info.cluster_domain)
    }

    /// Replaces the fault configuration (and reseeds the fault generator).
    pub fn set_faults(&self, faults: FaultConfig) {
        self.state.faults.set(faults);
    }

    /// The current fault configuration.
    pub fn faults(&self) -> FaultConfig {
        self.state.faults.get()
    }

    /// Changes the per-client rate limit (0 = off); resets every bucket.
    pub fn set_rate_limit(&self, per_second: u32) {
        self.state.limiter.set_rate(per_second);
    }

    /// Moves the sandbox clock forward: tokens and signed URLs expire as if time had passed.
    pub fn advance_clock(&self, by: Duration) {
        self.state.clock.advance(by);
    }

    /// Counts the rows of `resource` in `org_id` matching `filter` (admin view), straight from
    /// the store. `None` for an unknown org.
    pub fn count(
        &self,
        org_id: &str,
        resource: Resource,
        filter: &fyle_models::query::Filter,
    ) -> Option<usize> {
        let store = self.state.read();
        let org = store.org(org_id)?;
        Some(listing::count(org, resource, filter))
    }

    /// One row by id, in its served (`*_out`) shape.
    pub fn get(&self, org_id: &str, resource: Resource, id: &str) -> Option<Value> {
        let store = self.state.read();
        let org = store.org(org_id)?;
        org.table(resource)
            .get(id)
            .map(|r| org.materialize(resource, r))
    }

    /// Every id of `resource` in `org_id`, in insertion order.
    pub fn ids(&self, org_id: &str, resource: Resource) -> Vec<String> {
        let store = self.state.read();
        store
            .org(org_id)
            .map(|o| o.table(resource).rows.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// How many webhook deliveries the receivers accepted (answered 2xx) so far.
    pub fn webhooks_delivered(&self) -> u64 {
        self.state.webhooks.delivered()
    }

    /// Runs one churn tick now (whether or not `--churn` is on); useful in tests.
    pub fn churn_once(&self, config: &ChurnConfig) -> ChurnStats {
        let mut rng = self
            .churn_rng
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        churn::tick(&self.state, config, &mut rng)
    }

    /// Stops serving and waits for in-flight requests to finish.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(churn) = self.churn.take() {
            churn.abort();
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(churn) = self.churn.take() {
            churn.abort();
        }
        if let Some(server) = self.server.take() {
            server.abort();
        }
    }
}

/// The admin, the first approver and one of that approver's spenders.
fn representative_users(org: &store::OrgData) -> Vec<store::User> {
    let employees = &org.table(Resource::Employees).rows;
    let mut users: Vec<store::User> = Vec::new();
    let admin = employees.values().find(|e| {
        e.get("roles")
            .and_then(Value::as_array)
            .is_some_and(|r| r.iter().any(|x| x == "ADMIN"))
    });
    if let Some(admin) = admin
        .and_then(|e| e.get("user_id").and_then(Value::as_str))
        .and_then(|u| org.user(u))
    {
        users.push(admin);
    }
    // The first non-admin approver who approves at least one plain spender, and that spender.
    let pair = employees
        .values()
        .filter(|e| {
            let roles = e.get("roles").and_then(Value::as_array);
            roles.is_some_and(|r| {
                r.iter().any(|x| x == "APPROVER") && !r.iter().any(|x| x == "ADMIN")
            })
        })
        .filter_map(|e| {
            e.get("user_id")
                .and_then(Value::as_str)
                .and_then(|u| org.user(u))
        })
        .find_map(|approver| {
            org.approvees(&approver.user_id)
                .into_iter()
                .filter_map(|u| org.user(&u))
                .filter(|u| u.roles.len() == 1)
                .min_by(|a, b| a.email.cmp(&b.email))
                .map(|spender| (approver, spender))
        });
    if let Some((approver, spender)) = pair {
        users.push(approver);
        users.push(spender);
    }
    users
}
