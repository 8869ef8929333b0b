//! The steps of [`Sandbox::start`](super::Sandbox::start): seeding the orgs off the runtime,
//! binding the port, building the state every handler shares, then spawning the server and
//! the churn task.

use std::collections::HashMap;
use std::hash::RandomState;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, RwLock};

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::auth::Auth;
use crate::clock::Clock;
use crate::info::representative_users;
use crate::listing::ListCache;
use crate::rate_limit::RateLimiter;
use crate::state::AppState;
use crate::store::{OrgData, Store};
use crate::{
    ChurnConfig, Error, SandboxConfig, churn, faults, generic, routes, seed, spend_overview,
    webhooks,
};

/// Seeds every org (the hand-written tables, then the long tail pointing at them) on a
/// blocking thread: a large seed takes seconds.
pub(super) async fn seed_orgs(config: &SandboxConfig) -> Result<Vec<OrgData>, Error> {
    let (seed, orgs, expenses) = (config.seed, config.orgs.max(1), config.expenses);
    let history_end = config.history_end.map_or_else(
        || seed::default_history_end(time::OffsetDateTime::now_utc().unix_timestamp()),
        time::OffsetDateTime::unix_timestamp,
    );
    tokio::task::spawn_blocking(move || {
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
    .map_err(|e| Error::Seed(e.to_string()))
}

/// Binds `addr`: the listener and the address it got (the port, when 0 was asked).
pub(super) async fn bind(addr: SocketAddr) -> Result<(TcpListener, SocketAddr), Error> {
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| Error::Bind { addr, source })?;
    let bound = listener
        .local_addr()
        .map_err(|source| Error::Bind { addr, source })?;
    Ok((listener, bound))
}

/// The state every handler shares.
pub(super) fn app_state(
    config: &SandboxConfig,
    store: Store,
    auth: Auth,
    base_url: String,
    control_token: String,
) -> Arc<AppState> {
    Arc::new(AppState {
        store: RwLock::new(store),
        auth: Mutex::new(auth),
        clock: Clock::default(),
        limiter: RateLimiter::new(config.rate_limit),
        faults: faults::Faults::new(config.faults.clone()),
        cache: ListCache::default(),
        rng: Mutex::new(ChaCha8Rng::seed_from_u64(
            config.seed ^ 0x5EED_0000_0000_0002,
        )),
        blobs: Mutex::new(HashMap::new()),
        signer: RandomState::new(),
        base_url,
        auto_approve: config.auto_approve,
        url_ttl: config.url_ttl,
        control_token,
        webhooks: webhooks::Webhooks::start(),
        spend_overview: spend_overview::Computations::new(config.spend_overview_ready_after),
    })
}

/// Serves the router on `listener` until the sender is used (or dropped): the sender and the
/// server task.
pub(super) fn serve(
    listener: TcpListener,
    state: &Arc<AppState>,
) -> (oneshot::Sender<()>, JoinHandle<()>) {
    let app = routes::router(Arc::clone(state));
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
    (tx, server)
}

/// Runs a churn tick every `churn.interval`, the first one interval after start.
pub(super) fn spawn_churn(state: &Arc<AppState>, churn: ChurnConfig, seed: u64) -> JoinHandle<()> {
    let state = Arc::clone(state);
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xC4_0000_0003);
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(churn.interval);
        ticker.tick().await;
        loop {
            ticker.tick().await;
            churn::tick(&state, &churn, &mut rng);
        }
    })
}
