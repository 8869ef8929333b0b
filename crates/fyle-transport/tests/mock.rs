//! The in-memory `MockTransport` (feature `test-util`).
#![cfg(feature = "test-util")]

use bytes::Bytes;
use fyle_transport::{
    MockResponse, MockTransport, RetryPolicy, SharedTransport, Transport, TransportBuilder,
    TransportErrorKind,
};
use http::{Method, Request, StatusCode};

const BASE: &str = "https://us1.fylehq.com/platform/v1";

fn get(path: &str) -> Request<Bytes> {
    Request::get(format!("{BASE}{path}"))
        .body(Bytes::new())
        .expect("valid request")
}

#[tokio::test]
async fn captures_every_request() {
    let mock = MockTransport::new()
        .on(
            Method::GET,
            "/admin/expenses",
            MockResponse::json(r#"{"count":0,"offset":0,"data":[]}"#),
        )
        .on(
            Method::POST,
            "/admin/expenses/bulk",
            MockResponse::status(200),
        );
    let transport: SharedTransport = std::sync::Arc::new(mock.clone());

    transport
        .send(
            Request::get(format!("{BASE}/admin/expenses?state=eq.COMPLETE&limit=200"))
                .header("authorization", "Bearer t1")
                .body(Bytes::new())
                .expect("valid request"),
        )
        .await
        .expect("scripted");
    transport
        .send(
            Request::post(format!("{BASE}/admin/expenses/bulk"))
                .header("content-type", "application/json")
                .body(Bytes::from_static(br#"{"data":[]}"#))
                .expect("valid request"),
        )
        .await
        .expect("scripted");

    let requests = mock.requests();
    assert_eq!(mock.request_count(), 2);
    assert_eq!(requests[0].method, Method::GET);
    assert_eq!(requests[0].path(), "/platform/v1/admin/expenses");
    assert_eq!(
        requests[0].query_pairs(),
        [("state", "eq.COMPLETE"), ("limit", "200")]
    );
    assert_eq!(requests[0].header("authorization"), Some("Bearer t1"));
    assert_eq!(requests[1].method, Method::POST);
    assert_eq!(requests[1].body_text(), r#"{"data":[]}"#);
    assert_eq!(requests[1].header("content-type"), Some("application/json"));

    mock.clear_requests();
    assert_eq!(mock.request_count(), 0);
}

#[tokio::test]
async fn route_replies_run_in_order_and_the_last_repeats() {
    let mock = MockTransport::new()
        .on(
            Method::GET,
            "/spender/my_profile",
            MockResponse::status(503),
        )
        .on(
            Method::GET,
            "/spender/my_profile",
            MockResponse::json("{}").header("x-n", "2"),
        );
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let response = mock
            .send(get("/spender/my_profile"))
            .await
            .expect("scripted");
        statuses.push(response.status().as_u16());
    }
    assert_eq!(statuses, [503, 200, 200]);
}

#[tokio::test]
async fn exact_paths_win_over_suffixes() {
    let mock = MockTransport::new()
        .on(
            Method::GET,
            "/expenses",
            MockResponse::status(200).body("suffix"),
        )
        .on(
            Method::GET,
            "/platform/v1/admin/expenses",
            MockResponse::status(200).body("exact"),
        );
    let response = mock.send(get("/admin/expenses")).await.expect("scripted");
    assert_eq!(response.body().as_ref(), b"exact");
    let response = mock.send(get("/spender/expenses")).await.expect("scripted");
    assert_eq!(response.body().as_ref(), b"suffix");
}

#[tokio::test]
async fn in_order_queue_answers_unrouted_requests_once_each() {
    let mock = MockTransport::new()
        .push(MockResponse::status(201).body("first"))
        .push(MockResponse::error(
            TransportErrorKind::Timeout,
            "scripted timeout",
        ));
    let response = mock.send(get("/a")).await.expect("first reply");
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(response.body().as_ref(), b"first");
    let err = mock.send(get("/b")).await.expect_err("second reply");
    assert_eq!(err.kind(), TransportErrorKind::Timeout);
    assert_eq!(err.path(), "/platform/v1/b");
    let err = mock.send(get("/c")).await.expect_err("nothing left");
    assert_eq!(err.kind(), TransportErrorKind::Other);
}

#[tokio::test]
async fn unmatched_request_gets_a_clear_error() {
    let mock = MockTransport::new().on(Method::GET, "/admin/reports", MockResponse::status(200));
    let err = mock
        .send(
            Request::post(format!("{BASE}/admin/expenses?secret=1"))
                .body(Bytes::new())
                .expect("valid request"),
        )
        .await
        .expect_err("nothing scripted");
    let message = err.to_string();
    assert!(
        message.contains("no scripted reply for POST /platform/v1/admin/expenses"),
        "{message}"
    );
    assert!(message.contains("GET /admin/reports"), "{message}");
    assert!(!message.contains("secret"), "{message}");
    assert_eq!(
        mock.request_count(),
        1,
        "unmatched requests are captured too"
    );
}

#[tokio::test(start_paused = true)]
async fn works_under_the_retry_layer() {
    let mock = MockTransport::new()
        .on(Method::GET, "/admin/expenses", MockResponse::status(500))
        .on(Method::GET, "/admin/expenses", MockResponse::status(500))
        .on(Method::GET, "/admin/expenses", MockResponse::json("{}"));
    let transport = TransportBuilder::new(mock.clone())
        .retry(RetryPolicy::default())
        .build();
    let response = transport
        .send(get("/admin/expenses"))
        .await
        .expect("scripted");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(mock.request_count(), 3);
}

#[tokio::test]
async fn from_an_http_response() {
    let response = http::Response::builder()
        .status(404)
        .header("content-type", "application/json")
        .body(Bytes::from_static(br#"{"message":"not found"}"#))
        .expect("valid response");
    let mock = MockTransport::new();
    mock.add_route(Method::GET, "/x", response);
    let reply = mock.send(get("/x")).await.expect("scripted");
    assert_eq!(reply.status(), StatusCode::NOT_FOUND);
    assert_eq!(reply.headers()["content-type"], "application/json");
}

#[tokio::test(start_paused = true)]
async fn delayed_replies_wait_in_virtual_time() {
    let mock = MockTransport::new().on(
        Method::GET,
        "/slow",
        MockResponse::status(200).delay(std::time::Duration::from_secs(30)),
    );
    let transport = mock.shared();
    let start = tokio::time::Instant::now();
    let outcome = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        transport.send(get("/slow")),
    )
    .await;
    assert!(outcome.is_err(), "the reply is slower than the timeout");
    let response = transport.send(get("/slow")).await.expect("scripted");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(start.elapsed(), std::time::Duration::from_secs(35));
}
