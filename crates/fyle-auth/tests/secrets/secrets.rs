//! No secret in any Debug output, error string or captured tracing output.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use fyle_auth::{
    AuthCodeFlow, AuthorizationCallback, Credentials, InMemoryTokenStore, ManualClock,
    PendingAuthorization, StaticTokenProvider, TokenProvider,
};
use serde_json::json;
use url::Url;
use wiremock::matchers::{body_partial_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, builder, loopback, recording};

const ACCESS_1: &str = "access-token-secret-aaa111";
const ACCESS_2: &str = "access-token-secret-bbb222";
const ROTATED: &str = "rotated-refresh-secret-ccc333";
const CODE: &str = "authorization-code-secret-ddd444";
const PARTNER_ACCESS: &str = "partner-access-secret-eee555";
const PARTNER_REFRESH: &str = "partner-refresh-secret-fff666";

const SECRETS: &[&str] = &[
    CLIENT_SECRET,
    REFRESH_TOKEN,
    ACCESS_1,
    ACCESS_2,
    ROTATED,
    CODE,
    PARTNER_ACCESS,
    PARTNER_REFRESH,
];

/// A `MakeWriter` collecting everything the fmt subscriber writes.
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

fn assert_clean(what: &str, text: &str) {
    for secret in SECRETS {
        assert!(!text.contains(secret), "{what} leaks a secret: {text}");
    }
}

#[tokio::test]
async fn no_secret_in_debug_errors_or_tracing() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(captured.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);
    let mut texts: Vec<(String, String)> = Vec::new();

    let server = MockServer::start().await;
    // Refresh #1 rotates the refresh token; refresh #2 fails with a message echoing secrets.
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(body_partial_json(json!({"refresh_token": REFRESH_TOKEN})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": ACCESS_1, "refresh_token": ROTATED, "expires_in": 3600
        })))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(body_partial_json(json!({"refresh_token": ROTATED})))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({
            "message": format!("bad secret {CLIENT_SECRET} or refresh token {ROTATED}")
        })))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(body_partial_json(json!({"code": CODE})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": PARTNER_ACCESS, "refresh_token": PARTNER_REFRESH
        })))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(body_partial_json(json!({"code": CODE})))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "error": format!("code {CODE} already used")
        })))
        .mount(&server)
        .await;

    let transport = recording();
    let clock = Arc::new(ManualClock::new());
    let store = Arc::new(InMemoryTokenStore::new());
    let credentials = crate::support::credentials(&server);
    texts.push(("credentials".into(), format!("{credentials:?}")));
    let provider_builder = builder(&server, transport.clone(), &clock).store(store.clone(), "org");
    texts.push(("builder".into(), format!("{provider_builder:?}")));
    let provider = provider_builder.build();

    let token = provider.access_token().await.expect("token");
    texts.push(("token".into(), format!("{token:?}")));
    texts.push(("provider".into(), format!("{provider:?}")));
    texts.push(("store".into(), format!("{store:?}")));

    // Proactive refresh fails (401 echoing secrets): old token kept, warning logged.
    clock.advance(Duration::from_secs(3400));
    let kept = provider.access_token().await.expect("old token");
    assert_eq!(kept.generation(), token.generation());
    // After expiry the error surfaces.
    clock.advance(Duration::from_secs(400));
    let error = provider.access_token().await.expect_err("401");
    texts.push(("refresh error display".into(), error.to_string()));
    texts.push(("refresh error debug".into(), format!("{error:?}")));

    // Authorization-code flow.
    let flow = AuthCodeFlow::builder(CLIENT_ID, CLIENT_SECRET, transport.clone())
        .host_policy(loopback())
        .accounts_url(Url::parse(&server.uri()).expect("uri"))
        .build();
    texts.push(("flow".into(), format!("{flow:?}")));
    let pending = PendingAuthorization::new("state-1", None);
    let callback = AuthorizationCallback::new(CODE, Some("state-1".into()));
    texts.push(("pending".into(), format!("{pending:?}")));
    texts.push(("callback".into(), format!("{callback:?}")));
    let bad = AuthorizationCallback::new(CODE, Some("state-2".into()));
    let mismatch = flow.exchange(&pending, &bad).await.expect_err("mismatch");
    texts.push(("mismatch".into(), format!("{mismatch} {mismatch:?}")));

    let tokens = flow.exchange(&pending, &callback).await.expect("tokens");
    texts.push(("token set".into(), format!("{tokens:?}")));
    let again = flow.exchange(&pending, &callback).await.expect_err("400");
    texts.push(("exchange error".into(), format!("{again} {again:?}")));
    let partner = flow.provider_from_tokens(&tokens).expect("refresh token");
    texts.push(("partner builder".into(), format!("{partner:?}")));
    texts.push(("partner provider".into(), format!("{:?}", partner.build())));

    let static_provider = StaticTokenProvider::new(ACCESS_2);
    texts.push(("static".into(), format!("{static_provider:?}")));
    let from_env = Credentials::from_lookup(|name| match name {
        "FYLE_CLIENT_SECRET" => Some(CLIENT_SECRET.to_owned()),
        "FYLE_ACCOUNTS_URL" => Some(format!("ftp://{CLIENT_SECRET}@x")),
        _ => None,
    })
    .expect_err("missing");
    texts.push((
        "credentials error".into(),
        format!("{from_env} {from_env:?}"),
    ));

    drop(guard);
    let logs = String::from_utf8(captured.0.lock().expect("not poisoned").clone()).expect("utf8");
    // The capture saw the events (the test is not vacuous).
    assert!(logs.contains("access token obtained"), "{logs}");
    assert!(logs.contains("proactive token refresh failed"), "{logs}");
    assert!(logs.contains("state mismatch"), "{logs}");
    texts.push(("tracing".into(), logs));

    for (what, text) in &texts {
        assert_clean(what, text);
    }
    // The scrubbed server message is still useful.
    assert!(error.to_string().contains("bad secret ***"));
    // And the secrets did go where they belong: on the wire, in request bodies.
    assert!(
        transport
            .sent()
            .iter()
            .any(|s| String::from_utf8_lossy(&s.body).contains(CLIENT_SECRET))
    );
}
