//! Every documented error body decoded into its kind; 401/403 handling; proxy pages; decode
//! errors that name the JSON path; Display without secrets.

mod common;

use common::{CountingTokens, EXPENSES_LIST, EXPENSES_UPSERT, MY_PROFILE, api, bearer, client_for};
use futures::StreamExt;
use fyle::{ErrorKind, FyleErrorKind, GetRequest, ListRequest};
use http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn failing_upsert(status: u16, body: ResponseTemplate) -> (MockServer, fyle::Error) {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(api("/admin/expenses")))
        .respond_with(body)
        .mount(&server)
        .await;
    let client = client_for(&server, CountingTokens::new());
    let err = client
        .execute::<_, Value>(&EXPENSES_UPSERT, Some(&json!({"amount": 1})))
        .await
        .expect_err(&format!("a {status}"));
    (server, err)
}

#[tokio::test]
async fn validation_error_per_row_per_field() {
    let (_s, err) = failing_upsert(
        400,
        ResponseTemplate::new(400).set_body_json(json!({
            "data": {"0": {"user_email": ["Missing data for required field."]},
                     "1": {"mobile": ["String does not match expected pattern."]}},
            "error": "ValidationError",
            "message": null
        })),
    )
    .await;
    assert_eq!(err.status(), Some(StatusCode::BAD_REQUEST));
    assert!(matches!(err.kind(), ErrorKind::Api(_)));
    let rows = err.validation_errors().expect("validation rows");
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].row, Some(0));
    assert_eq!(rows[0].fields[0].field, "user_email");
    assert_eq!(
        rows[0].fields[0].messages,
        ["Missing data for required field."]
    );
    assert_eq!(rows[1].fields[0].field, "mobile");
    let text = err.to_string();
    assert!(
        text.starts_with("POST /platform/v1/admin/expenses: 400 Bad Request ValidationError"),
        "{text}"
    );
    assert!(
        text.contains("row 0: user_email: Missing data for required field."),
        "{text}"
    );
}

#[tokio::test]
async fn bulk_error_rows() {
    let (_s, err) = failing_upsert(
        400,
        ResponseTemplate::new(400).set_body_json(json!({
            "data": [{"key": "new.cbdkbcdhkbcdjkcbd@fyle.in", "message": "Invalid / disabled department found", "row": 0}],
            "error": "BulkError",
            "message": null
        })),
    )
    .await;
    let rows = err.bulk_errors().expect("bulk rows");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].row, 0);
    assert_eq!(
        rows[0].key.as_deref(),
        Some("new.cbdkbcdhkbcdjkcbd@fyle.in")
    );
    assert_eq!(
        rows[0].message.as_deref(),
        Some("Invalid / disabled department found")
    );
    assert!(
        err.to_string()
            .contains("BulkError; row 0 (new.cbdkbcdhkbcdjkcbd@fyle.in): Invalid"),
        "{err}"
    );
}

#[tokio::test]
async fn integrity_error_with_message() {
    let (_s, err) = failing_upsert(
        400,
        ResponseTemplate::new(400).set_body_json(json!({
            "data": null,
            "error": "IntegrityError",
            "message": "The values (\"fast and furious\", \"formula one\", \"oriSOntNdZGd\") already exists"
        })),
    )
    .await;
    assert_eq!(err.fyle_error_kind(), Some(&FyleErrorKind::Integrity));
    let api = err.api_error().expect("api error");
    assert!(api.message().expect("message").contains("already exists"));
    assert!(api.data().is_none());
}

#[tokio::test]
async fn plain_message_and_unknown_kind() {
    let (_s, err) = failing_upsert(
        409,
        ResponseTemplate::new(409).set_body_json(
            json!({"message": "conflict", "error": "SomethingNew", "data": {"x": 1}}),
        ),
    )
    .await;
    assert_eq!(
        err.fyle_error_kind(),
        Some(&FyleErrorKind::Other("SomethingNew".into()))
    );
    assert_eq!(
        err.api_error().and_then(|a| a.data()),
        Some(&json!({"x": 1}))
    );

    let (_s, err) = failing_upsert(
        500,
        ResponseTemplate::new(500).set_body_json(json!({"message": "boom"})),
    )
    .await;
    assert!(matches!(err.kind(), ErrorKind::Server(_)));
    assert_eq!(err.fyle_error_kind(), Some(&FyleErrorKind::Unspecified));
    assert!(err.is_retryable());
    assert!(
        err.to_string().contains("500 Internal Server Error: boom"),
        "{err}"
    );
}

#[tokio::test]
async fn rate_limited_with_retry_after() {
    let (_s, err) = failing_upsert(
        429,
        ResponseTemplate::new(429)
            .insert_header("retry-after", "3")
            .set_body_json(json!({"message": "slow down"})),
    )
    .await;
    assert!(err.is_rate_limited());
    assert!(err.is_retryable());
    match err.kind() {
        ErrorKind::RateLimited { retry_after, .. } => {
            assert_eq!(*retry_after, Some(std::time::Duration::from_secs(3)));
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn an_html_502_from_a_proxy_is_a_typed_error() {
    let (_s, err) = failing_upsert(
        502,
        ResponseTemplate::new(502).set_body_raw(
            "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>",
            "text/html",
        ),
    )
    .await;
    match err.kind() {
        ErrorKind::UnexpectedBody {
            status,
            content_type,
            excerpt,
        } => {
            assert_eq!(*status, StatusCode::BAD_GATEWAY);
            assert_eq!(content_type.as_deref(), Some("text/html"));
            assert!(excerpt.contains("502 Bad Gateway"));
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.is_retryable());
    assert_eq!(err.status(), Some(StatusCode::BAD_GATEWAY));
}

#[tokio::test]
async fn an_html_page_with_200_is_not_decoded_as_json() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(api("/admin/expenses")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw("<!doctype html><p>captive portal</p>", "text/html"),
        )
        .mount(&server)
        .await;
    let client = client_for(&server, CountingTokens::new());
    let err = ListRequest::<Value>::new(client, &EXPENSES_LIST)
        .send()
        .await
        .expect_err("html");
    assert!(
        matches!(err.kind(), ErrorKind::UnexpectedBody { .. }),
        "{err:?}"
    );
}

#[derive(Debug, Deserialize)]
struct Expense {
    #[allow(dead_code)]
    id: String,
    #[allow(dead_code)]
    amount: f64,
}

#[tokio::test]
async fn decode_errors_name_the_operation_and_json_path() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(api("/admin/expenses")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "count": 2, "offset": 0,
            "data": [{"id": "tx1", "amount": 1.0}, {"id": "tx2", "amount": "lots"}]
        })))
        .mount(&server)
        .await;
    let client = client_for(&server, CountingTokens::new());
    let err = ListRequest::<Expense>::new(client, &EXPENSES_LIST)
        .send()
        .await
        .expect_err("decode");
    match err.kind() {
        ErrorKind::Decode(d) => {
            assert_eq!(d.operation, "expenses_list");
            assert_eq!(d.path, "data[1].amount");
            assert!(d.excerpt.contains("lots"));
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.to_string().contains("data[1].amount"), "{err}");
}

#[tokio::test]
async fn stable_mode_decode_errors_name_the_same_json_path() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(api("/admin/expenses")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "count": 2, "offset": 0,
            "data": [
                {"id": "tx1", "amount": 1.0, "updated_at": "2026-01-01T00:00:00Z"},
                {"id": "tx2", "amount": "lots", "updated_at": "2026-01-01T00:00:00Z"}
            ]
        })))
        .mount(&server)
        .await;
    let client = client_for(&server, CountingTokens::new());
    let mut stream = ListRequest::<Expense>::new(client, &EXPENSES_LIST)
        .stable_by(["updated_at", "id"])
        .stream();
    let err = stream.next().await.expect("one item").expect_err("decode");
    match err.kind() {
        ErrorKind::Decode(d) => {
            assert_eq!(d.operation, "expenses_list");
            assert_eq!(d.path, "data[1].amount");
            assert!(d.excerpt.contains("lots"), "{d:?}");
        }
        other => panic!("unexpected {other:?}"),
    }
    // Nothing is yielded after a page that failed to decode.
    assert!(stream.next().await.is_none());
}

#[tokio::test]
async fn an_empty_error_body_keeps_its_status_kind() {
    let (_s, err) = failing_upsert(404, ResponseTemplate::new(404)).await;
    assert!(err.is_not_found(), "{err:?}");
}

#[tokio::test]
async fn a_403_never_refreshes_the_token() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(api("/spender/my_profile")))
        .respond_with(
            ResponseTemplate::new(403)
                .set_body_json(json!({"message": "Forbidden", "error": null, "data": null})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let tokens = CountingTokens::new();
    let client = client_for(&server, std::sync::Arc::clone(&tokens));
    let err = GetRequest::<Value>::new(client, &MY_PROFILE)
        .send()
        .await
        .expect_err("403");
    assert!(err.is_forbidden());
    assert_eq!(tokens.rejections(), 0);
}

#[tokio::test]
async fn a_401_refreshes_once_and_a_second_401_is_an_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(api("/spender/my_profile")))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"message": "invalid token"})))
        .expect(2)
        .mount(&server)
        .await;
    let tokens = CountingTokens::new();
    let client = client_for(&server, std::sync::Arc::clone(&tokens));
    let err = GetRequest::<Value>::new(client, &MY_PROFILE)
        .send()
        .await
        .expect_err("401");
    assert!(err.is_unauthorized());
    // The first token is rejected; the one minted for the replay is not (issue 13).
    assert_eq!(tokens.rejections(), 1);
    let requests = server.received_requests().await.expect("recording");
    assert_eq!(bearer(&requests[0]).as_deref(), Some("Bearer tok-1"));
    assert_eq!(bearer(&requests[1]).as_deref(), Some("Bearer tok-2"));
    let text = format!("{err} {err:?}");
    assert!(
        !text.contains("tok-"),
        "a token leaked into the error: {text}"
    );
    assert!(text.contains("invalid token"));
}

#[tokio::test]
async fn a_498_is_treated_like_a_401() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(api("/spender/my_profile")))
        .and(wiremock::matchers::header("authorization", "Bearer tok-1"))
        .respond_with(ResponseTemplate::new(498).set_body_json(json!({"message": "expired"})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(api("/spender/my_profile")))
        .and(wiremock::matchers::header("authorization", "Bearer tok-2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": {"user_id": "us1"}})))
        .mount(&server)
        .await;
    let tokens = CountingTokens::new();
    let client = client_for(&server, std::sync::Arc::clone(&tokens));
    let profile: Value = GetRequest::new(client, &MY_PROFILE)
        .send()
        .await
        .expect("profile");
    assert_eq!(profile["user_id"], "us1");
    assert_eq!(tokens.rejections(), 1);
}

#[tokio::test]
async fn display_prints_the_path_without_the_query() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(api("/admin/expenses")))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"message": "no such thing"})))
        .mount(&server)
        .await;
    let client = client_for(&server, CountingTokens::new());
    let err = ListRequest::<Value>::new(client, &EXPENSES_LIST)
        .raw_filter("user->email", "eq.secret@example.com")
        .send()
        .await
        .expect_err("404");
    let text = err.to_string();
    assert_eq!(
        text,
        "GET /platform/v1/admin/expenses: not found: 404 Not Found: no such thing"
    );
    assert_eq!(
        err.request().map(|r| r.path.as_str()),
        Some("/platform/v1/admin/expenses")
    );
}

#[tokio::test]
async fn transport_errors_are_typed() {
    // Nothing listens on this port once the listener is dropped.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    let client = common::client_for_uri(&format!("http://127.0.0.1:{port}"), CountingTokens::new());
    let err = GetRequest::<Value>::new(client, &MY_PROFILE)
        .send()
        .await
        .expect_err("connect");
    assert!(matches!(err.kind(), ErrorKind::Transport(_)), "{err:?}");
    assert!(std::error::Error::source(&err).is_some());
}
