//! [`Sandbox`]: a running sandbox, started from a [`SandboxConfig`], with the handles tests use to
//! change its behaviour (faults, rate limit, clock) and read its data, and the stop on drop.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde_json::Value;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::auth::{self, Auth};
use crate::info::{self, SandboxInfo};
use crate::state::AppState;
use crate::{
    ChurnConfig, ChurnStats, Error, FaultConfig, Resource, SandboxConfig, churn, listing, ops,
};

mod start;

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
        let seed = config.seed;
        let seeded = start::seed_orgs(&config).await?;
        let (listener, addr) = start::bind(config.addr).await?;
        let base_url = format!("http://{addr}");
        let mut auth = Auth::new(
            auth::secret_seed(seed, config.pin_secrets),
            config.token_ttl,
        );
        let control_token = auth.control_token();
        let (store, org_infos) = info::register(&mut auth, seeded);
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
        let state = start::app_state(&config, store, auth, base_url, control_token);
        let (tx, server) = start::serve(listener, &state);
        let churn = config
            .churn
            .clone()
            .map(|churn| start::spawn_churn(&state, churn, seed));
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
