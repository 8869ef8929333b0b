//! Reliability drill: 100 concurrent requests across an access-token expiry cause exactly one
//! token request. The sandbox's clock jumps past the token's lifetime, so every in-flight
//! request gets a 401; the client refreshes once (single flight) and replays each once.

#[path = "../benches/support/counting.rs"]
mod counting;

use std::sync::Arc;
use std::time::Duration;

use fyle::Client;
use fyle::auth::Credentials;
use fyle::cluster::ClusterAllowList;
use fyle::transport::{RateLimiter, ReqwestTransport, SharedTransport};
use fyle_sandbox::{Sandbox, SandboxConfig};
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
    assert!(
        Counts::get(&counts.unauthorized) >= 1,
        "the expiry was seen (401s: {})",
        Counts::get(&counts.unauthorized)
    );
    assert_eq!(
        Counts::get(&counts.token_requests) - 1,
        1,
        "exactly one token request after the expiry"
    );
}
