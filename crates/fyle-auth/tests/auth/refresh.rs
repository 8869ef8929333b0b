//! RefreshTokenProvider: wire format, caching, single flight, errors, rotation.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use fyle_auth::{
    AuthError, ExposeSecret, InMemoryTokenStore, ManualClock, RefreshTokenProvider, TokenProvider,
    TokenStore,
};
use fyle_transport::transport_fn;
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{
    CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, builder, credentials, provider, recording,
    token_answer,
};

/// A canned answer and the check its error must pass.
type Case = (ResponseTemplate, fn(&AuthError) -> bool);

const HOUR: Duration = Duration::from_secs(3600);

async fn token_requests(server: &MockServer) -> usize {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path() == "/oauth/token")
        .count()
}

#[tokio::test]
async fn token_body_is_json_with_exactly_the_four_fields() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({
            "grant_type": "refresh_token",
            "refresh_token": REFRESH_TOKEN,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_answer("at-1", 3600)))
        .expect(1)
        .mount(&server)
        .await;
    let transport = recording();
    let provider = provider(credentials(&server), transport.clone());

    let token = provider.access_token().await.expect("token");
    assert_eq!(token.expose(), "at-1");

    let sent = transport.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].method, http::Method::POST);
    assert!(sent[0].uri.ends_with("/oauth/token"));
    assert_eq!(sent[0].header("content-type"), Some("application/json"));
    assert_eq!(sent[0].header("authorization"), None);
    let body = sent[0].json();
    let keys: Vec<&String> = body.as_object().expect("object").keys().collect();
    assert_eq!(
        keys,
        ["client_id", "client_secret", "grant_type", "refresh_token"]
    );
    assert_eq!(body["grant_type"], "refresh_token");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hundred_concurrent_callers_with_an_expired_token_cause_one_request() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_answer("at-1", 3600)))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(token_answer("at-2", 3600))
                // Keeps the request in flight while the other callers pile up.
                .set_delay(Duration::from_millis(200)),
        )
        .mount(&server)
        .await;
    let clock = Arc::new(ManualClock::new());
    let provider = builder(&server, recording(), &clock).build();

    let first = provider.access_token().await.expect("first token");
    assert_eq!(first.expose(), "at-1");
    clock.advance(HOUR + Duration::from_secs(1)); // now expired

    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let provider = provider.clone();
            tokio::spawn(async move { provider.access_token().await })
        })
        .collect();
    let mut generations = Vec::new();
    for task in tasks {
        let token = task.await.expect("task").expect("token");
        assert_eq!(token.expose(), "at-2");
        generations.push(token.generation());
    }
    generations.dedup();
    assert_eq!(generations.len(), 1, "every caller got the same token");
    assert_ne!(generations[0], first.generation());
    assert_eq!(
        token_requests(&server).await,
        2,
        "one initial + one refresh"
    );
}

/// Current-thread runtime and a gated in-process transport: every caller is provably waiting
/// before the one request answers, with no timing assumption.
#[tokio::test]
async fn concurrent_callers_share_a_failed_attempt() {
    let calls = Arc::new(AtomicUsize::new(0));
    let (open, gate) = tokio::sync::watch::channel(false);
    let counter = calls.clone();
    let transport = Arc::new(transport_fn(move |_request| {
        counter.fetch_add(1, Ordering::SeqCst);
        let mut gate = gate.clone();
        async move {
            let _ = gate.wait_for(|open| *open).await;
            Ok(http::Response::builder()
                .status(503)
                .body(Bytes::new())
                .expect("valid response"))
        }
    }));
    let credentials = fyle_auth::Credentials::new(CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN);
    let provider = provider(credentials, transport);

    let started = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let provider = provider.clone();
            let started = started.clone();
            tokio::spawn(async move {
                started.fetch_add(1, Ordering::SeqCst);
                provider.access_token().await
            })
        })
        .collect();
    // On one thread, a task that counted itself has already run up to its first await.
    while started.load(Ordering::SeqCst) < 50 {
        tokio::task::yield_now().await;
    }
    open.send(true).expect("callers alive");
    for task in tasks {
        let error = task.await.expect("task").expect_err("503");
        assert!(matches!(
            error,
            AuthError::Server {
                status: 503,
                retryable: true
            }
        ));
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn each_token_endpoint_error_maps_to_its_kind() {
    let cases: Vec<Case> = vec![
        (
            ResponseTemplate::new(400).set_body_json(json!({"message": "bad request"})),
            |e| matches!(e, AuthError::InvalidCredentials { status: 400, .. }) && e.is_terminal(),
        ),
        (
            ResponseTemplate::new(401).set_body_json(json!({"message": "invalid refresh token"})),
            |e| {
                matches!(e, AuthError::InvalidCredentials { status: 401, message: Some(m) } if m == "invalid refresh token")
                    && e.is_terminal()
                    && !e.is_retryable()
            },
        ),
        (ResponseTemplate::new(403), |e| {
            matches!(e, AuthError::InvalidCredentials { status: 403, .. })
        }),
        (
            ResponseTemplate::new(404).set_body_json(json!({"message": "client not found"})),
            |e| {
                matches!(e, AuthError::UnknownClient { .. })
                    && e.is_terminal()
                    && e.status() == Some(404)
            },
        ),
        (ResponseTemplate::new(500), |e| {
            matches!(
                e,
                AuthError::Server {
                    status: 500,
                    retryable: true
                }
            ) && e.is_retryable()
        }),
        (ResponseTemplate::new(503), |e| {
            matches!(
                e,
                AuthError::Server {
                    status: 503,
                    retryable: true
                }
            )
        }),
        (
            ResponseTemplate::new(200)
                .set_body_json(json!({"refresh_token": "x", "expires_in": 3600})),
            |e| matches!(e, AuthError::MissingAccessToken) && !e.is_retryable(),
        ),
        (
            ResponseTemplate::new(200).set_body_json(json!({"access_token": ""})),
            |e| matches!(e, AuthError::MissingAccessToken),
        ),
        (
            ResponseTemplate::new(200).set_body_string("<html>oops</html>"),
            |e| matches!(e, AuthError::Decode { .. }),
        ),
        (ResponseTemplate::new(302), |e| {
            matches!(e, AuthError::UnexpectedStatus { status: 302 })
        }),
    ];
    for (index, (response, expected)) in cases.into_iter().enumerate() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/oauth/token"))
            .respond_with(response)
            .mount(&server)
            .await;
        let provider = provider(credentials(&server), recording());
        let error = provider.access_token().await.expect_err("an error");
        assert!(expected(&error), "case {index}: unexpected {error:?}");
        assert_eq!(
            token_requests(&server).await,
            1,
            "case {index}: never retried"
        );
    }
}

#[tokio::test]
async fn no_response_is_a_transport_error() {
    // Bind then drop a listener: connecting to its port is refused.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind")
        .port();
    let credentials = fyle_auth::Credentials::new(CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN)
        .with_accounts_url(url::Url::parse(&format!("http://127.0.0.1:{port}")).expect("url"));
    let provider = provider(credentials, recording());
    let error = provider.access_token().await.expect_err("refused");
    assert!(matches!(error, AuthError::Transport(_)), "{error:?}");
    assert!(error.is_retryable());
}

#[tokio::test]
async fn proactive_refresh_failure_keeps_the_old_token() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_answer("at-1", 3600)))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    let clock = Arc::new(ManualClock::new());
    let provider = builder(&server, recording(), &clock).build();
    let old = provider.access_token().await.expect("token");

    // Outside the skew window: kept from cache.
    clock.advance(Duration::from_secs(3000));
    assert_eq!(
        provider.access_token().await.expect("cached").generation(),
        old.generation()
    );
    assert_eq!(token_requests(&server).await, 1);

    // Inside the 5-minute window (200 s left), the endpoint is down: old token kept.
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .mount(&server)
        .await;
    clock.advance(Duration::from_secs(400));
    let kept = provider
        .access_token()
        .await
        .expect("old token still valid");
    assert_eq!(kept.generation(), old.generation());
    assert_eq!(token_requests(&server).await, 2);

    // Within 30 s of the failure: no new attempt.
    clock.advance(Duration::from_secs(10));
    assert_eq!(
        provider.access_token().await.expect("old").generation(),
        old.generation()
    );
    assert_eq!(token_requests(&server).await, 2);

    // 30 s later it tries again (fails again, old token still kept).
    clock.advance(Duration::from_secs(25));
    assert_eq!(
        provider.access_token().await.expect("old").generation(),
        old.generation()
    );
    assert_eq!(token_requests(&server).await, 3);

    // Next attempt succeeds: a new token.
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_answer("at-2", 3600)))
        .mount(&server)
        .await;
    clock.advance(Duration::from_secs(31));
    let fresh = provider.access_token().await.expect("refreshed");
    assert_eq!(fresh.expose(), "at-2");
    assert_ne!(fresh.generation(), old.generation());
    assert_eq!(token_requests(&server).await, 4);
}

#[tokio::test]
async fn a_failed_refresh_after_expiry_is_an_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_answer("at-1", 3600)))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(502))
        .mount(&server)
        .await;
    let clock = Arc::new(ManualClock::new());
    let provider = builder(&server, recording(), &clock).build();
    provider.access_token().await.expect("token");
    clock.advance(HOUR);
    let error = provider
        .access_token()
        .await
        .expect_err("expired and refresh failed");
    assert!(matches!(error, AuthError::Server { status: 502, .. }));
}

/// Virtual time with `tokio::time::pause` and the default clock, over an in-process transport.
#[tokio::test(start_paused = true)]
async fn paused_time_drives_expiry_with_the_default_clock() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let transport = Arc::new(transport_fn(move |_request| {
        let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
        async move {
            let body = serde_json::to_vec(&token_answer(&format!("at-{n}"), 600)).expect("json");
            Ok(http::Response::new(Bytes::from(body)))
        }
    }));
    let credentials = fyle_auth::Credentials::new(CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN);
    let provider = RefreshTokenProvider::builder(credentials, transport)
        .jitter(Duration::ZERO)
        .build();

    let t0 = tokio::time::Instant::now();
    let first = provider.access_token().await.expect("token");
    assert_eq!(first.expires_at(), Some(t0 + Duration::from_secs(600)));
    // A 10-minute token: the skew is capped at half its life, so it is refreshed at 5 min.
    tokio::time::advance(Duration::from_secs(299)).await;
    assert_eq!(
        provider.access_token().await.expect("cached").expose(),
        "at-1"
    );
    tokio::time::advance(Duration::from_secs(2)).await;
    assert_eq!(
        provider.access_token().await.expect("refreshed").expose(),
        "at-2"
    );
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn expiry_comes_from_expires_in_then_jwt_exp_then_one_hour() {
    let clock = Arc::new(ManualClock::new());
    let now_secs = fyle_auth::Clock::system_now(clock.as_ref())
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after epoch")
        .as_secs();
    let jwt = {
        use base64::Engine as _;
        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        format!(
            "{}.{}.sig",
            engine.encode(br#"{"alg":"RS256"}"#),
            engine.encode(format!(r#"{{"exp":{}}}"#, now_secs + 1800))
        )
    };
    let cases = [
        (json!({"access_token": jwt, "expires_in": 600}), 600),
        (json!({"access_token": jwt}), 1800),
        (json!({"access_token": "opaque"}), 3600),
    ];
    for (answer, expected_secs) in cases {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/oauth/token"))
            .respond_with(ResponseTemplate::new(200).set_body_json(answer))
            .mount(&server)
            .await;
        let provider = builder(&server, recording(), &clock).build();
        let token = provider.access_token().await.expect("token");
        let fyle_now = fyle_auth::Clock::now(clock.as_ref());
        let lifetime = token.expires_at().expect("has expiry") - fyle_now;
        // The JWT lifetime is computed from whole seconds; allow sub-second rounding.
        assert!(
            lifetime.as_secs().abs_diff(expected_secs) <= 1,
            "{lifetime:?} vs {expected_secs}"
        );
    }
}

#[tokio::test]
async fn reject_forces_a_refresh_and_ignores_stale_tokens() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_answer("at", 3600)))
        .mount(&server)
        .await;
    let clock = Arc::new(ManualClock::new());
    let provider = builder(&server, recording(), &clock).build();
    let first = provider.access_token().await.expect("token");
    provider.reject(&first);
    let second = provider.access_token().await.expect("token");
    assert_ne!(first.generation(), second.generation());
    assert_eq!(token_requests(&server).await, 2);
    // Rejecting the old token again does not throw away the new one.
    provider.reject(&first);
    assert_eq!(
        provider.access_token().await.expect("cached").generation(),
        second.generation()
    );
    assert_eq!(token_requests(&server).await, 2);
}

#[tokio::test]
async fn rotated_refresh_token_reaches_the_store_and_is_used_next() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(body_json(json!({
            "grant_type": "refresh_token",
            "refresh_token": REFRESH_TOKEN,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "at-1", "expires_in": 3600, "refresh_token": "rotated-rt-2"
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(body_json(json!({
            "grant_type": "refresh_token",
            "refresh_token": "rotated-rt-2",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_answer("at-2", 3600)))
        .expect(1)
        .mount(&server)
        .await;
    let store = Arc::new(InMemoryTokenStore::new());
    let clock = Arc::new(ManualClock::new());
    let provider = builder(&server, recording(), &clock)
        .store(store.clone(), "org_1")
        .build();

    assert_eq!(
        provider.access_token().await.expect("token").expose(),
        "at-1"
    );
    let stored = store.get("org_1").expect("rotated token saved");
    assert_eq!(stored.expose_secret(), "rotated-rt-2");

    clock.advance(HOUR);
    assert_eq!(
        provider.access_token().await.expect("token").expose(),
        "at-2"
    );
    // The answer without a refresh_token keeps the stored one.
    let stored = store
        .load("org_1")
        .await
        .expect("load")
        .expect("still there");
    assert_eq!(stored.expose_secret(), "rotated-rt-2");
}

#[tokio::test]
async fn a_refresh_token_in_the_store_wins_over_the_configured_one() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(body_json(json!({
            "grant_type": "refresh_token",
            "refresh_token": "renewed-by-admin",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_answer("at", 3600)))
        .expect(1)
        .mount(&server)
        .await;
    let store = Arc::new(InMemoryTokenStore::new());
    store.insert("org_1", "renewed-by-admin");
    let clock = Arc::new(ManualClock::new());
    let provider = builder(&server, recording(), &clock)
        .store(store, "org_1")
        .build();
    assert_eq!(provider.access_token().await.expect("token").expose(), "at");
}
