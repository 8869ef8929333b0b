//! Drills of the refresh rework (issue 13): cancellation, store ordering, store deadlines,
//! latched terminal failures and the host policy. Each prints its figure.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use fyle_auth::{
    AuthCodeFlow, AuthError, AuthorizationCallback, Credentials, ExposeSecret, InMemoryTokenStore,
    ManualClock, RefreshTokenProvider, SecretString, StoreError, TokenProvider, TokenStore,
};
use fyle_transport::{SharedTransport, transport_fn};
use serde_json::json;
use url::Url;

use crate::support::{CLIENT_ID, CLIENT_SECRET, loopback};

const KEY: &str = "org_1";
const MINUTE: Duration = Duration::from_secs(60);

/// A token endpoint that rotates the refresh token on every exchange and revokes the old one
/// the moment it reads the request: an answer lost on the way back loses the new token.
#[derive(Default)]
struct RotatingServer {
    generation: Mutex<u64>,
    exchanges: AtomicUsize,
    /// Exchanges that sent a refresh token the server had already revoked.
    revoked_used: AtomicUsize,
}

impl RotatingServer {
    fn refresh_token(n: u64) -> String {
        format!("rt-{n}")
    }

    /// The server, answering after `delay` (the answer travelling back).
    fn transport(self: &Arc<Self>, delay: Duration) -> SharedTransport {
        let server = Arc::clone(self);
        Arc::new(transport_fn(move |request: http::Request<Bytes>| {
            let server = Arc::clone(&server);
            async move {
                server.exchanges.fetch_add(1, Ordering::SeqCst);
                let body: serde_json::Value =
                    serde_json::from_slice(request.body()).expect("a JSON token request");
                let sent = body["refresh_token"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                let answer = {
                    let mut generation = server.generation.lock().expect("not poisoned");
                    if sent == Self::refresh_token(*generation) {
                        *generation += 1;
                        Some(*generation)
                    } else {
                        None
                    }
                };
                let Some(n) = answer else {
                    server.revoked_used.fetch_add(1, Ordering::SeqCst);
                    return Ok(reply(400, &json!({"error": "invalid_grant"})));
                };
                tokio::time::sleep(delay).await;
                Ok(reply(
                    200,
                    &json!({
                        "access_token": format!("at-{n}"),
                        "refresh_token": Self::refresh_token(n),
                        "expires_in": 3600,
                    }),
                ))
            }
        }))
    }

    fn current(&self) -> String {
        Self::refresh_token(*self.generation.lock().expect("not poisoned"))
    }
}

fn reply(status: u16, body: &serde_json::Value) -> http::Response<Bytes> {
    http::Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Bytes::from(body.to_string()))
        .expect("valid response")
}

fn credentials() -> Credentials {
    Credentials::new(CLIENT_ID, CLIENT_SECRET, RotatingServer::refresh_token(0))
        .with_accounts_url(Url::parse("https://accounts.fylehq.com").expect("literal"))
}

/// A store whose saves fail while `failing` is set, or whose calls hang while `hang` is set.
#[derive(Debug, Default)]
struct FlakyStore {
    inner: InMemoryTokenStore,
    failing: AtomicBool,
    hang: AtomicBool,
}

#[async_trait]
impl TokenStore for FlakyStore {
    async fn load(&self, key: &str) -> Result<Option<SecretString>, StoreError> {
        if self.hang.load(Ordering::SeqCst) {
            std::future::pending::<()>().await;
        }
        self.inner.load(key).await
    }

    async fn save(&self, key: &str, refresh_token: &SecretString) -> Result<(), StoreError> {
        if self.hang.load(Ordering::SeqCst) {
            std::future::pending::<()>().await;
        }
        if self.failing.load(Ordering::SeqCst) {
            return Err(StoreError::new("database unavailable"));
        }
        self.inner.save(key, refresh_token).await
    }
}

fn stored(store: &FlakyStore) -> Option<String> {
    store.inner.get(KEY).map(|t| t.expose_secret().to_owned())
}

#[tokio::test(start_paused = true)]
async fn refresh_cancelled_1000_times_mid_exchange_loses_no_refresh_token() {
    const ROUNDS: usize = 1_000;
    let server = Arc::new(RotatingServer::default());
    let store = Arc::new(FlakyStore::default());
    store.inner.insert(KEY, RotatingServer::refresh_token(0));
    let clock = Arc::new(ManualClock::new());
    let provider =
        RefreshTokenProvider::builder(credentials(), server.transport(Duration::from_millis(20)))
            .store(store.clone(), KEY)
            .clock(clock.clone())
            .jitter(Duration::ZERO)
            .build();

    let mut current = None;
    let mut cancelled = 0;
    for _ in 0..ROUNDS {
        if let Some(token) = &current {
            provider.reject(token);
        }
        // The caller gives up while the answer is on its way back.
        if tokio::time::timeout(Duration::from_millis(5), provider.access_token())
            .await
            .is_err()
        {
            cancelled += 1;
        }
        // Nobody waits now: the shared task still finishes, saves and publishes.
        tokio::time::sleep(Duration::from_millis(50)).await;
        let token = provider.access_token().await.expect("a token");
        current = Some(token);
        // Far enough that a refusal of the next token reads as an expiry, not a latch.
        clock.advance(2 * MINUTE);
    }

    let lost = server.revoked_used.load(Ordering::SeqCst);
    println!(
        "refresh cancelled {cancelled} times mid-exchange: {lost} refresh tokens lost \
         ({} exchanges, store holds the server's current token: {})",
        server.exchanges.load(Ordering::SeqCst),
        stored(&store) == Some(server.current())
    );
    assert_eq!(
        cancelled, ROUNDS,
        "every first call was cancelled mid-exchange"
    );
    assert_eq!(lost, 0, "no exchange used a revoked refresh token");
    assert_eq!(server.exchanges.load(Ordering::SeqCst), ROUNDS);
    assert_eq!(stored(&store), Some(server.current()));
}

#[tokio::test(start_paused = true)]
async fn a_failed_store_save_never_makes_the_next_refresh_use_a_revoked_token() {
    let server = Arc::new(RotatingServer::default());
    let store = Arc::new(FlakyStore::default());
    store.inner.insert(KEY, RotatingServer::refresh_token(0));
    store.failing.store(true, Ordering::SeqCst);
    let clock = Arc::new(ManualClock::new());
    let provider = RefreshTokenProvider::builder(credentials(), server.transport(Duration::ZERO))
        .store(store.clone(), KEY)
        .clock(clock.clone())
        .jitter(Duration::ZERO)
        .build();

    // rt-0 -> rt-1: the server revoked rt-0, the save of rt-1 fails.
    let first = provider.access_token().await.expect("a token");
    assert_eq!(stored(&store).as_deref(), Some("rt-0"), "the save failed");
    // The next refresh must send rt-1 (memory), not the store's revoked rt-0.
    clock.advance(2 * MINUTE);
    provider.reject(&first);
    let second = provider.access_token().await.expect("a token from rt-1");
    // The store recovers: the pending token is saved before the next exchange.
    store.failing.store(false, Ordering::SeqCst);
    clock.advance(2 * MINUTE);
    provider.reject(&second);
    provider.access_token().await.expect("a token from rt-2");

    let revoked = server.revoked_used.load(Ordering::SeqCst);
    println!(
        "failed token-store save: {revoked} refreshes used a revoked token; store now holds {:?}",
        stored(&store)
    );
    assert_eq!(revoked, 0);
    assert_eq!(server.exchanges.load(Ordering::SeqCst), 3);
    assert_eq!(stored(&store), Some(server.current()));
}

#[tokio::test(start_paused = true)]
async fn a_hung_store_does_not_hang_callers() {
    let server = Arc::new(RotatingServer::default());
    let store = Arc::new(FlakyStore::default());
    store.hang.store(true, Ordering::SeqCst);
    let provider = RefreshTokenProvider::builder(credentials(), server.transport(Duration::ZERO))
        .store(store.clone(), KEY)
        .store_timeout(Duration::from_secs(2))
        .jitter(Duration::ZERO)
        .build();
    let started = tokio::time::Instant::now();
    let token = tokio::time::timeout(Duration::from_secs(3600), provider.access_token())
        .await
        .expect("the store deadline ends the wait")
        .expect("a token from the refresh token in memory");
    assert_eq!(token.expose(), "at-1");
    // One load and one save, each cut at its deadline.
    let waited = started.elapsed();
    println!("hung token store: the caller waited {waited:?} (2 store calls, 2 s deadline each)");
    assert!(waited <= Duration::from_secs(5), "{waited:?}");
}

/// A token endpoint that always answers `status` with `body`, counting requests.
fn fixed(status: u16, body: serde_json::Value) -> (SharedTransport, Arc<AtomicUsize>) {
    let count = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&count);
    let minted = Arc::new(AtomicUsize::new(0));
    let transport = transport_fn(move |_request| {
        counter.fetch_add(1, Ordering::SeqCst);
        let n = minted.fetch_add(1, Ordering::SeqCst);
        let mut body = body.clone();
        if status == 200 {
            body["access_token"] = json!(format!("at-{n}"));
        }
        async move { Ok(reply(status, &body)) }
    });
    (Arc::new(transport), count)
}

#[tokio::test]
async fn a_revoked_refresh_token_costs_one_request_per_backoff_window() {
    let (transport, requests) = fixed(400, json!({"error": "invalid_grant"}));
    let clock = Arc::new(ManualClock::new());
    let provider = RefreshTokenProvider::builder(credentials(), transport)
        .clock(clock.clone())
        .jitter(Duration::ZERO)
        .terminal_backoff(MINUTE, 10 * MINUTE)
        .build();
    let calls = |n| {
        let provider = provider.clone();
        async move {
            for _ in 0..n {
                let error = provider.access_token().await.expect_err("revoked");
                assert!(
                    matches!(error, AuthError::InvalidCredentials { status: 400, .. }),
                    "{error:?}"
                );
            }
        }
    };
    calls(1_000).await;
    let first_window = requests.load(Ordering::SeqCst);
    println!(
        "1000 calls with a revoked refresh token: {first_window} token request(s) in the first 60 s window"
    );
    assert_eq!(first_window, 1);

    // The window ends: one probe, which fails again and doubles the window to 120 s.
    clock.advance(MINUTE + Duration::from_secs(1));
    calls(1_000).await;
    assert_eq!(requests.load(Ordering::SeqCst), 2);
    clock.advance(MINUTE + Duration::from_secs(1));
    calls(1_000).await;
    assert_eq!(
        requests.load(Ordering::SeqCst),
        2,
        "inside the doubled window"
    );
    clock.advance(MINUTE);
    calls(1_000).await;
    let total = requests.load(Ordering::SeqCst);
    println!("4000 calls over 3 backoff windows: {total} token requests");
    assert_eq!(total, 3);
}

#[tokio::test]
async fn a_fresh_token_refused_again_is_latched_not_replaced_per_call() {
    let (transport, requests) = fixed(200, json!({"expires_in": 3600}));
    let clock = Arc::new(ManualClock::new());
    let provider = RefreshTokenProvider::builder(credentials(), transport)
        .clock(clock.clone())
        .jitter(Duration::ZERO)
        .build();
    // What the client does on a permanent 401: reject the token and ask again.
    let mut refused_errors = 0;
    for _ in 0..1_000 {
        match provider.access_token().await {
            Ok(token) => provider.reject(&token),
            Err(AuthError::AccessTokenRefused { retry_in }) => {
                assert!(retry_in <= MINUTE);
                refused_errors += 1;
            }
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    let minted = requests.load(Ordering::SeqCst);
    println!(
        "1000 calls against a permanent 401: {minted} token requests, {refused_errors} latched errors"
    );
    // The first token, and the one minted to replace it; then the latch holds.
    assert_eq!(minted, 2);
    assert_eq!(refused_errors, 998);
    // After the window, one new token is tried.
    clock.advance(MINUTE + Duration::from_secs(1));
    let token = provider.access_token().await.expect("a probe token");
    provider.reject(&token);
    assert!(provider.access_token().await.is_err());
    assert_eq!(requests.load(Ordering::SeqCst), 3);
}

const LOOKALIKES: [&str; 4] = [
    "http://accounts.fylehq.com",
    "https://accounts.fylehq.com.evil.com",
    "https://evilfylehq.com",
    "http://127.0.0.1:9",
];

#[tokio::test]
async fn http_and_lookalike_accounts_urls_get_no_secret() {
    for raw in LOOKALIKES {
        let (transport, requests) = fixed(200, json!({"expires_in": 3600}));
        let url = Url::parse(raw).expect("literal");
        let provider = RefreshTokenProvider::new(
            credentials().with_accounts_url(url.clone()),
            transport.clone(),
        );
        let error = provider.access_token().await.expect_err(raw);
        assert!(
            matches!(error, AuthError::HostNotAllowed(_)),
            "{raw}: {error:?}"
        );
        assert!(error.is_terminal());

        let flow = AuthCodeFlow::builder(CLIENT_ID, CLIENT_SECRET, transport)
            .accounts_url(url)
            .build();
        let (_, pending) = flow.authorize();
        let callback = AuthorizationCallback::new("code-1", Some(pending.state().to_owned()));
        let error = flow.exchange(&pending, &callback).await.expect_err(raw);
        assert!(
            matches!(error, AuthError::HostNotAllowed(_)),
            "{raw}: {error:?}"
        );
        let sent = requests.load(Ordering::SeqCst);
        println!("{raw}: refused ({error}); {sent} requests reached the transport");
        assert_eq!(sent, 0, "{raw}");
    }
    // The loopback opt-in (a local sandbox) lets the last one through.
    let (transport, requests) = fixed(200, json!({"expires_in": 3600}));
    let provider = RefreshTokenProvider::builder(
        credentials().with_accounts_url(Url::parse("http://127.0.0.1:9").expect("literal")),
        transport,
    )
    .host_policy(loopback())
    .build();
    provider.access_token().await.expect("loopback opted in");
    assert_eq!(requests.load(Ordering::SeqCst), 1);
}
