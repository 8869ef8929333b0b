//! AuthCodeFlow: authorize URL, state check, JSON code exchange through our Transport,
//! per-org providers.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use fyle_auth::{
    AuthCodeFlow, AuthError, AuthorizationCallback, ExposeSecret, ManualClock,
    PendingAuthorization, Pkce, TokenProvider,
};
use serde_json::json;
use url::Url;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{CLIENT_ID, CLIENT_SECRET, RecordingTransport, loopback, recording};

const REDIRECT: &str = "https://partner.example.com/fyle/callback";

fn flow(server: &MockServer, transport: Arc<RecordingTransport>) -> AuthCodeFlow {
    AuthCodeFlow::builder(CLIENT_ID, CLIENT_SECRET, transport)
        .host_policy(loopback())
        .accounts_url(Url::parse(&server.uri()).expect("wiremock URI"))
        .redirect_uri(Url::parse(REDIRECT).expect("literal"))
        .build()
}

fn query(url: &Url) -> HashMap<String, String> {
    url.query_pairs().into_owned().collect()
}

#[tokio::test]
async fn authorize_url_has_the_parameters_and_a_random_state() {
    let server = MockServer::start().await;
    let flow = flow(&server, recording());
    let (url, pending) = flow.authorize();

    assert_eq!(url.scheme(), "https");
    assert_eq!(url.host_str(), Some("app.fylehq.com"));
    assert_eq!(url.path(), "/app/developers/oauth/authorize");
    let params = query(&url);
    assert_eq!(params.len(), 4, "{params:?}");
    assert_eq!(params["response_type"], "code");
    assert_eq!(params["client_id"], CLIENT_ID);
    assert_eq!(params["redirect_uri"], REDIRECT);
    assert_eq!(params["state"], pending.state());
    assert!(
        pending.state().len() >= 16,
        "state carries enough randomness"
    );
    assert!(pending.pkce_verifier().is_none());

    let (_, other) = flow.authorize();
    assert_ne!(
        other.state(),
        pending.state(),
        "a fresh state per authorization"
    );
}

#[tokio::test]
async fn authorize_url_is_overridable_and_redirect_uri_optional() {
    let transport = recording();
    let flow = AuthCodeFlow::builder(CLIENT_ID, CLIENT_SECRET, transport)
        .host_policy(loopback())
        .authorize_url(Url::parse("http://127.0.0.1:8080/oauth/authorize").expect("literal"))
        .build();
    let (url, _) = flow.authorize();
    assert!(
        url.as_str()
            .starts_with("http://127.0.0.1:8080/oauth/authorize?")
    );
    let params = query(&url);
    assert!(!params.contains_key("redirect_uri"));
    assert_eq!(params["response_type"], "code");
}

#[tokio::test]
async fn wrong_or_missing_state_is_rejected_before_any_request() {
    let server = MockServer::start().await;
    let transport = recording();
    let flow = flow(&server, transport.clone());
    let (_, pending) = flow.authorize();

    let forged = AuthorizationCallback::new("code-1", Some("forged-state".to_owned()));
    let error = flow
        .exchange(&pending, &forged)
        .await
        .expect_err("mismatch");
    assert!(matches!(error, AuthError::StateMismatch));

    let stateless = AuthorizationCallback::from_query("code=code-1").expect("has code");
    let error = flow
        .exchange(&pending, &stateless)
        .await
        .expect_err("no state");
    assert!(matches!(error, AuthError::StateMismatch));

    let truncated = AuthorizationCallback::new("code-1", Some(pending.state()[1..].to_owned()));
    assert!(matches!(
        flow.exchange(&pending, &truncated).await,
        Err(AuthError::StateMismatch)
    ));

    assert!(transport.sent().is_empty(), "no code left the process");
}

#[tokio::test]
async fn code_exchange_is_json_through_our_transport() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({
            "grant_type": "authorization_code",
            "code": "the-code",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        })))
        // No token_type: Fyle's spec declares only access_token.
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "at-org1", "refresh_token": "rt-org1", "expires_in": 3600
        })))
        .expect(1)
        .mount(&server)
        .await;
    let transport = recording();
    let clock = Arc::new(ManualClock::new());
    let flow = AuthCodeFlow::builder(CLIENT_ID, CLIENT_SECRET, transport.clone())
        .host_policy(loopback())
        .accounts_url(Url::parse(&server.uri()).expect("wiremock URI"))
        .redirect_uri(Url::parse(REDIRECT).expect("literal"))
        .clock(clock.clone())
        .build();
    let (_, pending) = flow.authorize();
    let callback =
        AuthorizationCallback::from_query(&format!("code=the-code&state={}", pending.state()))
            .expect("callback");

    let tokens = flow.exchange(&pending, &callback).await.expect("tokens");
    assert_eq!(tokens.access_token.expose(), "at-org1");
    assert_eq!(
        tokens
            .refresh_token
            .as_ref()
            .map(ExposeSecret::expose_secret),
        Some("rt-org1")
    );
    assert_eq!(tokens.expires_in, Duration::from_secs(3600));
    assert_eq!(
        tokens.expires_at,
        fyle_auth::Clock::now(clock.as_ref()) + Duration::from_secs(3600)
    );

    // It went through our Transport, as JSON, with exactly the four fields.
    let sent = transport.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].header("content-type"), Some("application/json"));
    assert_eq!(
        sent[0].header("authorization"),
        None,
        "no Basic auth header"
    );
    let body = sent[0].json();
    let mut keys: Vec<&String> = body.as_object().expect("object").keys().collect();
    keys.sort();
    assert_eq!(keys, ["client_id", "client_secret", "code", "grant_type"]);
}

#[tokio::test]
async fn code_exchange_errors_are_typed() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"message": "invalid code"})))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"refresh_token": "rt"})))
        .mount(&server)
        .await;
    let flow = flow(&server, recording());
    let (_, pending) = flow.authorize();
    let callback = AuthorizationCallback::new("bad-code", Some(pending.state().to_owned()));

    let error = flow.exchange(&pending, &callback).await.expect_err("401");
    assert!(matches!(
        &error,
        AuthError::InvalidCredentials { status: 401, message: Some(m) } if m == "invalid code"
    ));
    let error = flow
        .exchange(&pending, &callback)
        .await
        .expect_err("no access_token");
    assert!(matches!(error, AuthError::MissingAccessToken));
}

#[tokio::test]
async fn one_flow_serves_many_orgs_with_their_own_refresh_tokens() {
    let server = MockServer::start().await;
    for org in ["org1", "org2"] {
        Mock::given(method("POST"))
            .and(path("/oauth/token"))
            .and(body_json(json!({
                "grant_type": "refresh_token",
                "refresh_token": format!("rt-{org}"),
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
            })))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(
                    json!({"access_token": format!("at-{org}-2"), "expires_in": 3600}),
                ),
            )
            .expect(1)
            .mount(&server)
            .await;
    }
    let clock = Arc::new(ManualClock::new());
    let flow = AuthCodeFlow::builder(CLIENT_ID, CLIENT_SECRET, recording())
        .host_policy(loopback())
        .accounts_url(Url::parse(&server.uri()).expect("wiremock URI"))
        .clock(clock.clone())
        .build();

    // org1 has just been authorized: its provider starts with the exchanged access token.
    let org1_set = {
        Mock::given(method("POST"))
            .and(path("/oauth/token"))
            .and(body_json(json!({
                "grant_type": "authorization_code",
                "code": "c1",
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
            })))
            .respond_with(ResponseTemplate::new(200).set_body_json(
                json!({"access_token": "at-org1-1", "refresh_token": "rt-org1", "expires_in": 3600}),
            ))
            .mount(&server)
            .await;
        let pending = PendingAuthorization::new("s1", None);
        let callback = AuthorizationCallback::new("c1", Some("s1".to_owned()));
        flow.exchange(&pending, &callback)
            .await
            .expect("org1 tokens")
    };
    let org1 = flow
        .provider_from_tokens(&org1_set)
        .expect("has a refresh token")
        .jitter(Duration::ZERO)
        .build();
    // org2 was authorized before a restart: only its refresh token is stored.
    let org2 = flow
        .provider_from_refresh_token("rt-org2")
        .jitter(Duration::ZERO)
        .build();

    assert_eq!(
        org1.access_token().await.expect("seeded").expose(),
        "at-org1-1"
    );
    assert_eq!(
        org2.access_token().await.expect("refreshed").expose(),
        "at-org2-2"
    );
    clock.advance(Duration::from_secs(3600));
    assert_eq!(
        org1.access_token().await.expect("refreshed").expose(),
        "at-org1-2"
    );
}

#[tokio::test]
async fn pkce_is_off_by_default_and_sends_challenge_and_verifier_when_on() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"access_token": "at"})))
        .mount(&server)
        .await;
    let transport = recording();
    let flow = AuthCodeFlow::builder(CLIENT_ID, CLIENT_SECRET, transport.clone())
        .host_policy(loopback())
        .accounts_url(Url::parse(&server.uri()).expect("wiremock URI"))
        .pkce(Pkce::S256)
        .build();
    let (url, pending) = flow.authorize();
    let params = query(&url);
    assert_eq!(params["code_challenge_method"], "S256");
    assert!(!params["code_challenge"].is_empty());
    let verifier = pending
        .pkce_verifier()
        .expect("verifier kept")
        .expose_secret()
        .to_owned();

    let callback = AuthorizationCallback::new("c", Some(pending.state().to_owned()));
    let tokens = flow.exchange(&pending, &callback).await.expect("tokens");
    assert!(tokens.refresh_token.is_none());
    assert!(matches!(
        flow.provider_from_tokens(&tokens),
        Err(AuthError::MissingRefreshToken)
    ));
    assert_eq!(
        transport.sent()[0].json()["code_verifier"],
        verifier.as_str()
    );
}
