//! Which operations carry the access token: `POST /oauth/token` mints tokens and is sent
//! without one (issue 13: no Bearer beside a client secret or refresh token); every other
//! operation sends it.

#![cfg(feature = "accounts")]

mod common;

use common::{CountingTokens, bearer, client_with_accounts_on};
use fyle::models::operations::{self, OperationAuth};
use fyle::models::types::OauthTokenBody;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[test]
fn only_the_token_endpoint_is_unauthenticated_in_the_table() {
    let unauthenticated: Vec<&str> = operations::ALL
        .iter()
        .filter(|op| op.auth == OperationAuth::None)
        .map(|op| op.path)
        .collect();
    println!(
        "operations sent without a token: {unauthenticated:?} of {}",
        operations::ALL.len()
    );
    assert_eq!(unauthenticated, ["/oauth/token"]);
}

#[tokio::test]
async fn the_token_operation_sends_no_authorization_and_fetches_no_token() {
    let server = MockServer::start().await;
    common::mount_accounts(&server, json!({"access_token": "minted"})).await;
    let tokens = CountingTokens::new();
    let client = client_with_accounts_on(&server, tokens.clone());
    let body: OauthTokenBody = serde_json::from_value(json!({
        "grant_type": "refresh_token",
        "refresh_token": "rrr.bbbb.ccc",
        "client_id": "tpaXXYYY",
        "client_secret": "ASJJWERC"
    }))
    .expect("a token body");

    let minted = client.accounts().oauth().token(&body).await.expect("token");
    assert_eq!(minted.access_token.as_deref(), Some("minted"));
    assert_eq!(tokens.fetches(), 0, "no access token was asked for");

    client.accounts().oauth().cluster().await.expect("cluster");
    assert_eq!(tokens.fetches(), 1);

    let requests = server.received_requests().await.expect("recorded");
    let seen: Vec<(String, Option<String>)> = requests
        .iter()
        .map(|r| (r.url.path().to_owned(), bearer(r)))
        .collect();
    println!("requests and their Authorization headers: {seen:?}");
    assert_eq!(
        seen,
        [
            ("/oauth/token".to_owned(), None),
            ("/oauth/cluster".to_owned(), Some("Bearer tok-1".to_owned())),
        ]
    );
}

#[tokio::test]
async fn a_refused_token_request_is_not_replayed_with_a_refresh() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(
            ResponseTemplate::new(401).set_body_json(json!({"message": "invalid refresh token"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let tokens = CountingTokens::new();
    let client = client_with_accounts_on(&server, tokens.clone());
    let body: OauthTokenBody = serde_json::from_value(json!({
        "grant_type": "refresh_token", "refresh_token": "revoked",
        "client_id": "tpa", "client_secret": "s"
    }))
    .expect("a token body");

    let err = client
        .accounts()
        .oauth()
        .token(&body)
        .await
        .expect_err("401");
    assert!(err.is_unauthorized(), "{err}");
    assert_eq!((tokens.fetches(), tokens.rejections()), (0, 0));
}
