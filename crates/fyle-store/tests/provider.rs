//! The store-backed provider within one process: a rejected token is replaced and every other
//! provider of the org picks the replacement up; revoked orgs and refused refresh tokens give
//! typed errors and leave the stored refresh token alone.

mod support;

use std::time::Duration;

use fyle_auth::{AuthError, ExposeSecret, SecretString, TokenProvider};
use fyle_store::{Connection, StoreTokenProvider};
use support::{open, transport, unique_org};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Answers `at-N` / `rt-N` for the N-th request.
struct Numbered;

impl Respond for Numbered {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let _ = request;
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": format!("at-{n}"),
            "refresh_token": format!("rt-{n}"),
            "expires_in": 3600,
        }))
    }
}

static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(1);

fn provider(
    store: &fyle_store::SqlTokenStore,
    org: &str,
    server: &MockServer,
) -> StoreTokenProvider {
    store
        .provider(org, "tpaX", "secret", transport())
        .accounts_url(url::Url::parse(&server.uri()).expect("url"))
        .build()
}

#[tokio::test]
async fn a_rejected_token_is_replaced_once_for_every_provider() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(Numbered)
        .mount(&server)
        .await;
    let db = support::sqlite();
    let store = open(&db, support::keyring()).await;
    let org = unique_org("orReject");
    store
        .connect_org(&org, &SecretString::from("rt-0"), &Connection::default())
        .await
        .expect("connect");
    let a = provider(&store, &org, &server);
    let b = provider(&store, &org, &server);

    let first = a.access_token().await.expect("first");
    let same = b.access_token().await.expect("from the store");
    assert_eq!(
        first.expose(),
        same.expose(),
        "b reads a's token from the store"
    );
    assert_eq!(server.received_requests().await.map_or(0, |r| r.len()), 1);

    a.reject(&first);
    let second = a.access_token().await.expect("replacement");
    assert_ne!(second.expose(), first.expose());
    assert_eq!(server.received_requests().await.map_or(0, |r| r.len()), 2);
    // b still holds the old token in memory until Fyle refuses it; then it finds the new one.
    b.reject(&same);
    let b_second = b.access_token().await.expect("b replacement");
    assert_eq!(b_second.expose(), second.expose());
    assert_eq!(server.received_requests().await.map_or(0, |r| r.len()), 2);
    let stored = store.refresh_token(&org).await.expect("load").expect("row");
    assert_ne!(
        stored.expose_secret(),
        "rt-0",
        "the rotated refresh token is stored"
    );
    assert!(!format!("{a:?}").contains(first.expose()));
}

#[tokio::test]
async fn revoked_and_refused_orgs_give_typed_errors() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(serde_json::json!({"message": "bad refresh token"})),
        )
        .mount(&server)
        .await;
    let db = support::sqlite();
    let store = open(&db, support::keyring()).await;
    let org = unique_org("orRefused");
    store
        .connect_org(&org, &SecretString::from("rt-bad"), &Connection::default())
        .await
        .expect("connect");
    let p = provider(&store, &org, &server);
    let err = p.access_token().await.expect_err("refused");
    assert!(
        matches!(err, AuthError::InvalidCredentials { status: 401, .. }),
        "{err:?}"
    );
    let stored = store.refresh_token(&org).await.expect("load").expect("row");
    assert_eq!(
        stored.expose_secret(),
        "rt-bad",
        "a failed refresh writes nothing"
    );

    store
        .revoke(&org, "refresh token refused")
        .await
        .expect("revoke");
    let err = p.access_token().await.expect_err("revoked");
    assert!(matches!(err, AuthError::Store(_)), "{err:?}");
    assert!(err.to_string().contains("revoked"), "{err}");

    let unknown = provider(&store, "orNobody", &server);
    let err = tokio::time::timeout(Duration::from_secs(10), unknown.access_token())
        .await
        .expect("no hang")
        .expect_err("not connected");
    assert!(err.to_string().contains("no connected org"), "{err}");
}
