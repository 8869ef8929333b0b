//! Reliability drills of the token path, with exact request counts:
//! - 100 concurrent requests across an access-token expiry cause exactly one token request and
//!   one cluster request. The sandbox's clock jumps past the token's lifetime, so every
//!   in-flight request gets a 401; the client refreshes once (single flight), rediscovers the
//!   cluster once for the new token, and replays each request once.
//! - 1,000 calls with a revoked refresh token cost one token request (the failure is latched
//!   for a backoff window) and no data request.
//! - 1,000 calls against a permanent 401 cost two token requests: the token minted for the
//!   replay is not rejected by the call that minted it, and a repeat refusal is latched.

#[path = "benches/support/counting.rs"]
mod counting;

use std::sync::Arc;
use std::time::Duration;

use fyle::auth::{AuthError, Credentials};
use fyle::cluster::ClusterAllowList;
use fyle::transport::{
    MockResponse, MockTransport, RateLimiter, ReqwestTransport, SharedTransport,
};
use fyle::{Client, ErrorKind};
use fyle_sandbox::{Sandbox, SandboxConfig};
use http::Method;
use url::Url;

use counting::{CountingTransport, Counts};

const CONCURRENT: usize = 100;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_token_request_for_100_concurrent_requests_across_an_expiry() {
    let sandbox = Sandbox::start(SandboxConfig {
        expenses: 50,
        rate_limit: 0,
        token_ttl: Duration::from_secs(3600),
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox");
    let info = sandbox.info();
    let credentials = Credentials::new(
        info.client_id.clone(),
        info.client_secret.clone(),
        info.refresh_token.clone(),
    )
    .with_accounts_url(Url::parse(&info.accounts_url).expect("the sandbox's URL"));
    let base: SharedTransport = Arc::new(ReqwestTransport::new());
    let (base, counts) = CountingTransport::wrap(base);
    let client = Client::builder()
        .credentials(credentials)
        .allow_list(ClusterAllowList::default().allow_loopback_http())
        .base_transport(base)
        .rate_limiter(RateLimiter::per_second(100_000))
        .build()
        .expect("a client");

    // A first token (and the cluster), then the server-side expiry.
    client
        .admin()
        .expenses()
        .list()
        .limit(1)
        .send()
        .await
        .expect("warm-up");
    assert_eq!(Counts::get(&counts.token_requests), 1);
    sandbox.advance_clock(Duration::from_secs(2 * 3600));

    let requests = (0..CONCURRENT).map(|i| {
        let client: Client = client.clone();
        async move {
            client
                .admin()
                .expenses()
                .list()
                .limit(1)
                .offset(i as u64 % 50)
                .send()
                .await
        }
    });
    let results = futures::future::join_all(requests).await;
    let failures: Vec<String> = results
        .iter()
        .filter_map(|r| r.as_ref().err().map(ToString::to_string))
        .collect();
    assert!(failures.is_empty(), "failed: {failures:?}");
    let tokens = Counts::get(&counts.token_requests);
    let clusters = Counts::get(&counts.cluster_requests);
    let unauthorized = Counts::get(&counts.unauthorized);
    let requests = Counts::get(&counts.requests);
    println!(
        "{CONCURRENT} concurrent requests across an expiry: {unauthorized} 401s, {} token \
         request(s) and {} cluster request(s) after it, {requests} requests in all",
        tokens - 1,
        clusters - 1
    );
    // Requests that took the token before the refresh got a 401 (at least the first one);
    // the others already had the new token.
    assert!(
        (1..=CONCURRENT as u64).contains(&unauthorized),
        "{unauthorized} 401s"
    );
    assert_eq!(tokens, 2, "the warm-up token, then exactly one refresh");
    assert_eq!(
        clusters, 2,
        "the warm-up lookup, then one for the new token"
    );
    // Warm-up (token, cluster, page), the refused attempts, 1 token, 1 cluster, and one
    // successful attempt per request: nothing else was sent.
    assert_eq!(requests, 3 + unauthorized + 2 + CONCURRENT as u64);
}

/// A client on the scripted `mock` with credentials (so the real refresh-token provider runs)
/// and a pinned cluster.
fn scripted_client(mock: &MockTransport) -> Client {
    let credentials = Credentials::new("tpaDRILL", "drill-secret", "drill-refresh")
        .with_accounts_url(Url::parse("https://accounts.fylehq.com").expect("URL"));
    Client::builder()
        .credentials(credentials)
        .cluster(Url::parse("https://us1.fylehq.com").expect("URL"))
        .transport(mock.shared())
        .build()
        .expect("a client")
}

const EXPENSES: &str = "/admin/expenses";
const PAGE: &str = r#"{"count":0,"offset":0,"data":[]}"#;
const CALLS: usize = 1_000;

fn count(mock: &MockTransport, suffix: &str) -> usize {
    mock.requests()
        .iter()
        .filter(|r| r.path().ends_with(suffix))
        .count()
}

#[tokio::test]
async fn a_revoked_refresh_token_costs_one_token_request_per_backoff_window() {
    let revoked = MockResponse::status(400)
        .header("content-type", "application/json")
        .body(r#"{"error":"invalid_grant","error_description":"refresh token revoked"}"#);
    let mock = MockTransport::new()
        .on(Method::POST, "/oauth/token", revoked)
        .on(Method::GET, EXPENSES, MockResponse::json(PAGE));
    let client = scripted_client(&mock);
    for _ in 0..CALLS {
        let error = client
            .admin()
            .expenses()
            .list()
            .send()
            .await
            .expect_err("revoked");
        assert!(
            matches!(error.kind(), ErrorKind::Auth(e) if e.is_terminal()),
            "{error:?}"
        );
    }
    let tokens = count(&mock, "/oauth/token");
    let data = count(&mock, EXPENSES);
    println!(
        "{CALLS} calls with a revoked refresh token: {tokens} token request(s), {data} data requests"
    );
    assert_eq!(tokens, 1, "latched for the backoff window");
    assert_eq!(data, 0);
}

#[tokio::test]
async fn a_permanent_401_costs_two_token_requests_not_one_per_call() {
    let minted = MockResponse::json(r#"{"access_token":"drill-access","expires_in":3600}"#);
    let refused = MockResponse::status(401)
        .header("content-type", "application/json")
        .body(r#"{"message":"unauthorized"}"#);
    let mock = MockTransport::new()
        .on(Method::POST, "/oauth/token", minted)
        .on(Method::GET, EXPENSES, refused);
    let client = scripted_client(&mock);
    let (mut unauthorized, mut latched) = (0, 0);
    for _ in 0..CALLS {
        let error = client
            .admin()
            .expenses()
            .list()
            .send()
            .await
            .expect_err("401");
        match error.kind() {
            ErrorKind::Unauthorized(_) => unauthorized += 1,
            ErrorKind::Auth(AuthError::AccessTokenRefused { .. }) => latched += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    let tokens = count(&mock, "/oauth/token");
    let data = count(&mock, EXPENSES);
    println!(
        "{CALLS} calls against a permanent 401: {tokens} token requests, {data} data requests \
         ({unauthorized} Unauthorized, {latched} latched)"
    );
    // Call 1: token 1 refused and rejected; token 2 minted, refused, not rejected by this call:
    // Unauthorized. Call 2: token 2 refused again and rejected: a token minted to replace a
    // refused one and refused too is latched. Every later call gets the latched error.
    assert_eq!(tokens, 2);
    assert_eq!(data, 3);
    assert_eq!((unauthorized, latched), (1, CALLS - 1));
}

#[tokio::test]
async fn a_token_refused_by_the_cluster_lookup_is_refreshed_once() {
    let credentials = Credentials::new("tpaDRILL", "drill-secret", "drill-refresh")
        .with_accounts_url(Url::parse("https://accounts.fylehq.com").expect("URL"));
    let mock = MockTransport::new()
        .on(
            Method::POST,
            "/oauth/token",
            MockResponse::json(r#"{"access_token":"drill-access","expires_in":3600}"#),
        )
        .on(Method::POST, "/oauth/cluster", MockResponse::status(401))
        .on(
            Method::POST,
            "/oauth/cluster",
            MockResponse::json(r#"{"cluster_domain":"https://us1.fylehq.com"}"#),
        )
        .on(Method::GET, EXPENSES, MockResponse::json(PAGE));
    let client = Client::builder()
        .credentials(credentials)
        .transport(mock.shared())
        .build()
        .expect("a client");
    client
        .admin()
        .expenses()
        .list()
        .send()
        .await
        .expect("the refreshed token resolves the cluster");
    let (tokens, clusters) = (count(&mock, "/oauth/token"), count(&mock, "/oauth/cluster"));
    println!(
        "a token refused by /oauth/cluster: {tokens} token requests, {clusters} cluster requests"
    );
    assert_eq!((tokens, clusters, count(&mock, EXPENSES)), (2, 2, 1));
}
