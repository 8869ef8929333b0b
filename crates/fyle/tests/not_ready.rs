//! `202 Accepted` (issue 12): `/admin/spend_overview/*` answers `202 {message}` while it
//! computes. That is the typed not-ready error, never an empty success.

#![cfg(feature = "admin")]

mod common;

use std::time::Duration;

use common::{CountingTokens, api, client_for};
use futures::TryStreamExt;
use fyle::ErrorKind;
use fyle::models::operations;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn accepted() -> ResponseTemplate {
    ResponseTemplate::new(202)
        .insert_header("retry-after", "7")
        .set_body_json(json!({"message": "Spend overview is being computed"}))
}

#[test]
fn every_operation_declaring_202_is_marked_in_the_table() {
    let marked: Vec<&str> = operations::ALL
        .iter()
        .filter(|op| op.answers_accepted)
        .map(|op| op.path)
        .collect();
    println!("operations that answer 202: {}: {marked:?}", marked.len());
    assert_eq!(marked.len(), 7);
    assert!(
        marked
            .iter()
            .all(|p| p.starts_with("/admin/spend_overview/"))
    );
}

#[tokio::test]
async fn a_202_summary_is_not_ready_and_the_next_200_decodes() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(api("/admin/spend_overview/summary")))
        .respond_with(accepted())
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(api("/admin/spend_overview/summary")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "total_amount": 120.5,
            "data": [{"amount": 120.5, "count": 3}]
        })))
        .mount(&server)
        .await;
    let client = client_for(&server, CountingTokens::new());

    let err = client
        .admin()
        .spend_overview()
        .summary()
        .send()
        .await
        .expect_err("202 is not a result");
    println!("{err}");
    match err.kind() {
        ErrorKind::NotReady {
            message,
            retry_after,
        } => {
            assert_eq!(message.as_deref(), Some("Spend overview is being computed"));
            assert_eq!(*retry_after, Some(Duration::from_secs(7)));
        }
        other => panic!("expected NotReady, got {other:?}"),
    }
    assert!(err.is_not_ready() && err.is_retryable());
    assert_eq!(err.status(), Some(http::StatusCode::ACCEPTED));
    assert_eq!(
        err.request().map(|r| r.path.as_str()),
        Some("/platform/v1/admin/spend_overview/summary")
    );

    let summary = client
        .admin()
        .spend_overview()
        .summary()
        .send()
        .await
        .expect("ready");
    let summary = serde_json::to_value(&summary).expect("encode");
    assert_eq!(summary["data"][0]["count"], json!(3));
}

#[tokio::test]
async fn a_202_list_page_is_not_ready_in_send_and_in_a_stream() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(api("/admin/spend_overview/by_merchant")))
        .respond_with(accepted())
        .mount(&server)
        .await;
    let client = client_for(&server, CountingTokens::new());

    let err = client
        .admin()
        .spend_overview()
        .by_merchant()
        .send()
        .await
        .expect_err("202 is not an empty page");
    assert!(err.is_not_ready(), "{err}");
    let err = client
        .admin()
        .spend_overview()
        .by_merchant()
        .stream()
        .try_collect::<Vec<_>>()
        .await
        .expect_err("202 is not an empty stream");
    assert!(err.is_not_ready(), "{err}");
}
