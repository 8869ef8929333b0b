//! AccountsClusterResolver: wire format, per-token cache, single flight, allow-list, errors.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use fyle_auth::{AccessToken, Credentials, ManualClock, RefreshTokenProvider, TokenProvider};
use fyle_cluster::{AccountsClusterResolver, ClusterAllowList, ClusterError, ClusterResolver};
use serde_json::json;
use url::Url;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::recording;

/// A canned answer and the check its error must pass.
type Case = (ResponseTemplate, fn(&ClusterError) -> bool);

fn loopback() -> ClusterAllowList {
    ClusterAllowList::default().allow_loopback_http()
}

fn accounts(server: &MockServer) -> Url {
    Url::parse(&server.uri()).expect("wiremock URI")
}

fn cluster_answer(domain: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({ "cluster_domain": domain }))
}

async fn count(server: &MockServer, endpoint: &str) -> usize {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path() == endpoint)
        .count()
}

#[tokio::test]
async fn posts_with_the_bearer_token_and_no_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/cluster"))
        .and(header("authorization", "Bearer tok-1"))
        .respond_with(cluster_answer("https://us1.fylehq.com"))
        .expect(1)
        .mount(&server)
        .await;
    let transport = recording();
    let resolver = AccountsClusterResolver::new(accounts(&server), transport.clone(), loopback());

    let cluster = resolver
        .cluster(&AccessToken::new("tok-1", None))
        .await
        .expect("cluster");
    assert_eq!(
        cluster.api_base().as_str(),
        "https://us1.fylehq.com/platform/v1"
    );

    let sent = transport.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].method, http::Method::POST);
    assert!(sent[0].uri.ends_with("/oauth/cluster"));
    assert!(sent[0].body.is_empty());
    let authorization = sent[0].headers.get("authorization").expect("bearer");
    assert!(authorization.is_sensitive(), "header marked sensitive");
}

#[tokio::test]
async fn cached_per_token_and_rediscovered_for_a_new_token() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/cluster"))
        .respond_with(cluster_answer("https://us1.fylehq.com"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/oauth/cluster"))
        .respond_with(cluster_answer("https://in1.fylehq.com"))
        .mount(&server)
        .await;
    let resolver = AccountsClusterResolver::new(accounts(&server), recording(), loopback());

    let first = AccessToken::new("tok-1", None);
    let us1 = resolver.cluster(&first).await.expect("cluster");
    assert_eq!(resolver.cluster(&first).await.expect("cached"), us1);
    assert_eq!(count(&server, "/oauth/cluster").await, 1);

    // A refreshed token: the org may have moved, ask again.
    let second = AccessToken::new("tok-2", None);
    let in1 = resolver.cluster(&second).await.expect("rediscovered");
    assert_eq!(in1.domain().host_str(), Some("in1.fylehq.com"));
    assert_eq!(count(&server, "/oauth/cluster").await, 2);
    // The older token does not undo the newer discovery.
    assert_eq!(resolver.cluster(&first).await.expect("cached"), in1);
    assert_eq!(resolver.cached(), Some(in1.clone()));

    assert_eq!(count(&server, "/oauth/cluster").await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hundred_concurrent_callers_with_an_expired_token_cause_one_token_and_one_cluster_request()
{
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": "tok", "expires_in": 3600}))
                .set_delay(Duration::from_millis(100)),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/oauth/cluster"))
        .respond_with(
            cluster_answer("https://us1.fylehq.com").set_delay(Duration::from_millis(100)),
        )
        .mount(&server)
        .await;
    let transport = recording();
    let clock = Arc::new(ManualClock::new());
    let credentials =
        Credentials::new("tpaID", "secret", "refresh").with_accounts_url(accounts(&server));
    let provider = RefreshTokenProvider::builder(credentials, transport.clone())
        .host_policy(loopback())
        .clock(clock.clone())
        .jitter(Duration::ZERO)
        .build();
    let resolver = AccountsClusterResolver::new(accounts(&server), transport, loopback());

    // Warm up, then let the token expire.
    let token = provider.access_token().await.expect("token");
    resolver.cluster(&token).await.expect("cluster");
    clock.advance(Duration::from_secs(3601));
    assert_eq!(count(&server, "/oauth/token").await, 1);
    assert_eq!(count(&server, "/oauth/cluster").await, 1);

    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let provider = provider.clone();
            let resolver = resolver.clone();
            tokio::spawn(async move {
                let token = provider.access_token().await.expect("token");
                let cluster = resolver.cluster(&token).await.expect("cluster");
                (token.generation(), cluster)
            })
        })
        .collect();
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.expect("task"));
    }
    assert!(
        results.iter().all(|r| r == &results[0]),
        "all share one token and cluster"
    );
    assert_ne!(results[0].0, token.generation());
    assert_eq!(
        count(&server, "/oauth/token").await,
        2,
        "exactly one new token request"
    );
    assert_eq!(
        count(&server, "/oauth/cluster").await,
        2,
        "exactly one new cluster request"
    );
}

/// Current-thread runtime and a gated in-process transport: every caller is provably waiting
/// before the one lookup answers, with no timing assumption.
#[tokio::test]
async fn concurrent_callers_share_a_failed_lookup() {
    let calls = Arc::new(AtomicUsize::new(0));
    let (open, gate) = tokio::sync::watch::channel(false);
    let counter = calls.clone();
    let transport = Arc::new(fyle_transport::transport_fn(move |_request| {
        counter.fetch_add(1, Ordering::SeqCst);
        let mut gate = gate.clone();
        async move {
            let _ = gate.wait_for(|open| *open).await;
            Ok(http::Response::builder()
                .status(503)
                .body(bytes::Bytes::new())
                .expect("valid response"))
        }
    }));
    let resolver = AccountsClusterResolver::new(
        Url::parse("https://accounts.fylehq.com").expect("literal"),
        transport,
        ClusterAllowList::default(),
    );
    let token = AccessToken::new("tok", None);
    let started = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let resolver = resolver.clone();
            let token = token.clone();
            let started = started.clone();
            tokio::spawn(async move {
                started.fetch_add(1, Ordering::SeqCst);
                resolver.cluster(&token).await
            })
        })
        .collect();
    while started.load(Ordering::SeqCst) < 50 {
        tokio::task::yield_now().await;
    }
    open.send(true).expect("callers alive");
    for task in tasks {
        let error = task.await.expect("task").expect_err("503");
        assert!(error.is_retryable(), "{error:?}");
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn answers_outside_the_allow_list_are_rejected_and_never_contacted() {
    for (domain, reason) in [
        (
            "https://evil.example.com",
            "host is not under an allowed domain",
        ),
        ("http://us1.fylehq.com", "scheme must be https"),
        (
            "https://us1.fylehq.com.evil.com",
            "host is not under an allowed domain",
        ),
        ("https://203.0.113.7", "IP addresses are not allowed"),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/oauth/cluster"))
            .respond_with(cluster_answer(domain))
            .mount(&server)
            .await;
        let transport = recording();
        // Loopback is allowed (the accounts host is wiremock); the answers above are not.
        let resolver =
            AccountsClusterResolver::new(accounts(&server), transport.clone(), loopback());
        let error = resolver
            .cluster(&AccessToken::new("tok", None))
            .await
            .expect_err(domain);
        match &error {
            ClusterError::NotAllowed {
                what, reason: why, ..
            } => {
                assert_eq!(*what, "cluster domain");
                assert!(why.contains(reason), "{domain}: {why}");
            }
            other => panic!("{domain}: unexpected {other:?}"),
        }
        // The only request that carried the token went to the accounts host.
        let sent = transport.sent();
        assert_eq!(sent.len(), 1, "{domain}");
        assert!(sent[0].uri.starts_with(&server.uri()));
        assert!(
            resolver.cached().is_none(),
            "a rejected answer is not cached"
        );
    }
}

#[tokio::test]
async fn an_accounts_url_outside_the_allow_list_gets_no_token() {
    let server = MockServer::start().await;
    let transport = recording();
    // Loopback http not enabled: the wiremock accounts URL itself is refused.
    let resolver = AccountsClusterResolver::new(
        accounts(&server),
        transport.clone(),
        ClusterAllowList::default(),
    );
    let error = resolver
        .cluster(&AccessToken::new("tok", None))
        .await
        .expect_err("refused");
    assert!(matches!(
        error,
        ClusterError::NotAllowed {
            what: "accounts URL",
            ..
        }
    ));
    assert!(transport.sent().is_empty());

    // Plain http and lookalike hosts are refused the same way, before anything is sent.
    for lookalike in [
        "http://accounts.fylehq.com",
        "https://accounts.fylehq.com.evil.com",
        "https://evilfylehq.com",
    ] {
        let resolver = AccountsClusterResolver::new(
            Url::parse(lookalike).expect("literal"),
            transport.clone(),
            ClusterAllowList::default(),
        );
        let error = resolver
            .cluster(&AccessToken::new("tok", None))
            .await
            .expect_err(lookalike);
        assert!(
            matches!(
                error,
                ClusterError::NotAllowed {
                    what: "accounts URL",
                    ..
                }
            ),
            "{lookalike}: {error:?}"
        );
    }
    assert!(transport.sent().is_empty());
}

#[tokio::test]
async fn cluster_endpoint_errors_map_to_their_kinds() {
    let cases: Vec<Case> = vec![
        (ResponseTemplate::new(401), |e| {
            matches!(e, ClusterError::Unauthorized { status: 401 }) && e.is_unauthorized()
        }),
        (ResponseTemplate::new(498), |e| {
            matches!(e, ClusterError::Unauthorized { status: 498 })
        }),
        (ResponseTemplate::new(500), |e| {
            matches!(
                e,
                ClusterError::Server {
                    status: 500,
                    retryable: true
                }
            )
        }),
        (ResponseTemplate::new(403), |e| {
            matches!(e, ClusterError::UnexpectedStatus { status: 403 }) && !e.is_retryable()
        }),
        (ResponseTemplate::new(200).set_body_json(json!({})), |e| {
            matches!(e, ClusterError::MissingDomain)
        }),
        (cluster_answer("us1 dot fylehq"), |e| {
            matches!(e, ClusterError::InvalidDomain { .. })
        }),
        (ResponseTemplate::new(200).set_body_string("<html>"), |e| {
            matches!(e, ClusterError::Decode { .. })
        }),
    ];
    for (index, (response, expected)) in cases.into_iter().enumerate() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/oauth/cluster"))
            .respond_with(response)
            .mount(&server)
            .await;
        let resolver = AccountsClusterResolver::new(accounts(&server), recording(), loopback());
        let error = resolver
            .cluster(&AccessToken::new("tok", None))
            .await
            .expect_err("an error");
        assert!(expected(&error), "case {index}: unexpected {error:?}");
    }
}
