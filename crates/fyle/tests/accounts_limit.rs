//! The default client's token and cluster calls go to the accounts host without waiting for
//! the API's rate limiter: Fyle's 10 requests/s is the platform API's limit on the cluster
//! host, and two slots spent on the accounts host delayed every process's first data request.

#![cfg(all(feature = "admin", feature = "reqwest"))]

mod common;

use std::time::Duration;

use fyle::auth::Credentials;
use fyle::cluster::ClusterAllowList;
use fyle::transport::{RateLimiter, TransportErrorKind};
use fyle::{Client, ErrorKind};
use serde_json::json;
use url::Url;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn accounts_and_cluster() -> MockServer {
    let server = MockServer::start().await;
    common::mount_accounts(&server, json!({"access_token": "tok", "expires_in": 3600})).await;
    Mock::given(method("GET"))
        .and(path("/platform/v1/admin/expenses"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"count": 0, "offset": 0, "data": []})),
        )
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn token_and_cluster_calls_do_not_take_the_api_limiters_slots() {
    let server = accounts_and_cluster().await;
    let credentials = Credentials::new("client", "secret", "refresh")
        .with_accounts_url(Url::parse(&server.uri()).expect("server uri"));
    // One slot a second, and no waiting: a call that needs a second slot at once fails.
    let limiter = RateLimiter::per_second(1).max_wait(Duration::from_millis(300));
    let client = Client::builder()
        .credentials(credentials)
        .allow_list(ClusterAllowList::default().allow_loopback_http())
        .rate_limiter(limiter)
        .build()
        .expect("client");

    // Token, cluster and the list call: only the list call takes the one slot.
    let page = client.admin().expenses().list().limit(1).send().await;
    assert!(
        page.is_ok(),
        "the first data call waited for no slot: {page:?}"
    );
    let paths: Vec<String> = server
        .received_requests()
        .await
        .expect("recorded")
        .iter()
        .map(|r| r.url.path().to_owned())
        .collect();
    assert_eq!(
        paths,
        [
            "/oauth/token",
            "/oauth/cluster",
            "/platform/v1/admin/expenses"
        ]
    );

    // The API calls still share the limiter: the next one finds no slot within 300 ms.
    let err = client
        .admin()
        .expenses()
        .list()
        .limit(1)
        .send()
        .await
        .expect_err("no second slot within the maximum wait");
    assert!(
        matches!(err.kind(), ErrorKind::Transport(e) if e.kind() == TransportErrorKind::RateLimited),
        "{err}"
    );
}
