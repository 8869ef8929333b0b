//! The access token never shows in Debug output, error strings or captured tracing output.
//!
//! Its own test binary: tracing caches per-callsite interest process-wide, so events first hit
//! by concurrently running tests (with no subscriber) could be missed by the capture.

use std::io::Write;
use std::sync::{Arc, Mutex};

use fyle_auth::AccessToken;
use fyle_cluster::{AccountsClusterResolver, ClusterAllowList, ClusterResolver};
use serde_json::json;
use url::Url;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[allow(dead_code)]
#[path = "../cluster/support.rs"]
mod support;

use support::recording;

fn cluster_answer(domain: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({ "cluster_domain": domain }))
}

fn accounts(server: &MockServer) -> Url {
    Url::parse(&server.uri()).expect("wiremock URI")
}

fn loopback() -> ClusterAllowList {
    ClusterAllowList::default().allow_loopback_http()
}

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("not poisoned").extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Self;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test]
async fn the_token_never_shows_in_debug_errors_or_tracing() {
    const TOKEN: &str = "access-token-secret-zz9";
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(captured.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/cluster"))
        .respond_with(cluster_answer("https://us1.fylehq.com"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/oauth/cluster"))
        .respond_with(cluster_answer(&format!(
            "https://{TOKEN}@evil.example.com/?t={TOKEN}"
        )))
        .mount(&server)
        .await;
    let transport = recording();
    let resolver = AccountsClusterResolver::new(accounts(&server), transport.clone(), loopback());
    let token = AccessToken::new(TOKEN, None);
    let cluster = resolver.cluster(&token).await.expect("cluster");
    let error = resolver
        .cluster(&AccessToken::new(TOKEN, None))
        .await
        .expect_err("evil");
    let texts = [
        format!("{resolver:?}"),
        format!("{cluster:?} {cluster}"),
        format!("{token:?}"),
        format!("{error} {error:?}"),
        format!("{:?}", transport.sent()[0].headers),
    ];
    drop(guard);
    let logs = String::from_utf8(captured.0.lock().expect("not poisoned").clone()).expect("utf8");
    assert!(logs.contains("cluster resolved"), "{logs}");
    assert!(logs.contains("rejected by the allow-list"), "{logs}");
    for text in texts.iter().chain([&logs]) {
        assert!(!text.contains(TOKEN), "leaks the token: {text}");
    }
}
