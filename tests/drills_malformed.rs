//! Reliability drill: malformed answers from a scripted transport. An HTML 502 page, truncated
//! JSON, wrong field types, an empty 200 body, 10 MB bodies and a cluster answer on another
//! host each give their typed `fyle::Error` kind; nothing panics, and no error carries more
//! than a short excerpt of what the server sent.

use futures::StreamExt;
use fyle::cluster::{ClusterAllowList, ClusterError};
use fyle::models::types::ExpenseOut;
use fyle::transport::{MockResponse, MockTransport};
use fyle::{Client, Error, ErrorKind};
use http::Method;
use url::Url;

const EXPENSES: &str = "/admin/expenses";
const TEN_MB: usize = 10 * 1024 * 1024;

/// A client over `mock` used as is (no retry layer), a fixed token and a pinned cluster.
fn client(mock: &MockTransport) -> Client {
    Client::builder()
        .token_provider(fyle::auth::StaticTokenProvider::new("drill-token"))
        .cluster(Url::parse("https://us1.fylehq.com").expect("URL"))
        .transport(mock.shared())
        .build()
        .expect("a client")
}

/// The error of one page request and of a stream over the same answer (both must agree).
async fn page_errors(reply: MockResponse) -> (Error, Error) {
    let mock = MockTransport::new().on(Method::GET, EXPENSES, reply);
    let client = client(&mock);
    let page = client.admin().expenses().list().send().await;
    let page_error = page.expect_err("a malformed answer is an error");
    let mut stream = client.admin().expenses().list().stream();
    let streamed = stream.next().await.expect("the stream yields the error");
    let stream_error = streamed.expect_err("a malformed answer is an error");
    (page_error, stream_error)
}

/// An error's `Display` stays short whatever the body's size.
fn assert_bounded(error: &Error) {
    let text = error.to_string();
    assert!(
        text.chars().count() < 1_000,
        "error text of {} chars",
        text.chars().count()
    );
}

#[tokio::test]
async fn an_html_502_page_is_an_unexpected_body() {
    let html = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>\
                <body><h1>502 Bad Gateway</h1><hr><center>nginx</center></body></html>";
    let reply = MockResponse::status(502)
        .header("content-type", "text/html")
        .body(html);
    for error in <[Error; 2]>::from(page_errors(reply).await) {
        match error.kind() {
            ErrorKind::UnexpectedBody {
                status,
                content_type,
                excerpt,
            } => {
                assert_eq!(status.as_u16(), 502);
                assert_eq!(content_type.as_deref(), Some("text/html"));
                assert!(excerpt.contains("Bad Gateway"));
            }
            other => panic!("expected UnexpectedBody, got {other:?}"),
        }
        assert!(error.is_retryable(), "a proxy's 502 is worth retrying");
    }
}

#[tokio::test]
async fn truncated_json_is_a_decode_error() {
    let body = r#"{"count": 2, "offset": 0, "data": [{"id": "txA1b2C3d4", "amount": 12.5, "purp"#;
    for error in <[Error; 2]>::from(page_errors(MockResponse::json(body)).await) {
        match error.kind() {
            ErrorKind::Decode(decode) => {
                assert!(!decode.operation.is_empty());
                assert!(decode.message.contains("EOF"), "{}", decode.message);
            }
            other => panic!("expected Decode, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn wrong_field_types_name_the_json_path() {
    let body = r#"{"count": 1, "offset": 0, "data": [{"id": "txA1b2C3d4", "amount": "a lot"}]}"#;
    let (page, stream) = page_errors(MockResponse::json(body)).await;
    for error in [page, stream] {
        match error.kind() {
            ErrorKind::Decode(decode) => {
                assert!(decode.path.contains("amount"), "path {:?}", decode.path);
            }
            other => panic!("expected Decode, got {other:?}"),
        }
    }
    // A wrong envelope type too.
    let body = r#"{"count": "many", "offset": 0, "data": []}"#;
    let (page, _) = page_errors(MockResponse::json(body)).await;
    match page.kind() {
        ErrorKind::Decode(decode) => assert_eq!(decode.path, "count"),
        other => panic!("expected Decode, got {other:?}"),
    }
}

#[tokio::test]
async fn an_empty_200_body_is_a_decode_error() {
    for error in <[Error; 2]>::from(page_errors(MockResponse::status(200)).await) {
        assert!(
            matches!(error.kind(), ErrorKind::Decode(_)),
            "got {error:?}"
        );
    }
    let json = MockResponse::json("");
    for error in <[Error; 2]>::from(page_errors(json).await) {
        assert!(
            matches!(error.kind(), ErrorKind::Decode(_)),
            "got {error:?}"
        );
    }
}

#[tokio::test]
async fn ten_megabyte_bodies_give_typed_errors_with_short_excerpts() {
    // A 10 MB HTML error page.
    let mut html = String::from("<html><body>");
    html.push_str(&"x".repeat(TEN_MB));
    let reply = MockResponse::status(502)
        .header("content-type", "text/html")
        .body(html);
    for error in <[Error; 2]>::from(page_errors(reply).await) {
        assert!(
            matches!(error.kind(), ErrorKind::UnexpectedBody { .. }),
            "got {error:?}"
        );
        assert_bounded(&error);
    }

    // 10 MB of nesting: serde_json's recursion limit, not a stack overflow.
    let nested = "[".repeat(TEN_MB);
    for error in <[Error; 2]>::from(page_errors(MockResponse::json(nested)).await) {
        assert!(
            matches!(error.kind(), ErrorKind::Decode(_)),
            "got {error:?}"
        );
        assert_bounded(&error);
    }

    // 10 MB of well-formed JSON of the wrong shape.
    let mut wrong = String::from(r#"{"count": 1, "offset": 0, "data": ["#);
    wrong.push_str(&vec!["1"; TEN_MB / 2].join(","));
    wrong.push_str("]}");
    for error in <[Error; 2]>::from(page_errors(MockResponse::json(wrong)).await) {
        assert!(
            matches!(error.kind(), ErrorKind::Decode(_)),
            "got {error:?}"
        );
        assert_bounded(&error);
    }

    // A 10 MB page that is valid: it decodes.
    let purpose = "p".repeat(TEN_MB);
    let body =
        serde_json::json!({"count": 1, "offset": 0, "data": [{"id": "txBIG", "purpose": purpose}]});
    let mock = MockTransport::new().on(Method::GET, EXPENSES, MockResponse::json(body.to_string()));
    let page = client(&mock)
        .admin()
        .expenses()
        .list()
        .send()
        .await
        .expect("a valid page");
    let expense: &ExpenseOut = &page.items[0];
    assert_eq!(expense.purpose.as_deref().map(str::len), Some(TEN_MB));
}

#[tokio::test]
async fn a_cluster_answer_on_another_host_is_refused_before_any_token_leaves() {
    for domain in [
        "https://evil.example.com",
        "http://us1.fylehq.com",
        "https://fylehq.com.evil.io",
    ] {
        let answer = serde_json::json!({ "cluster_domain": domain }).to_string();
        let mock = MockTransport::new()
            .on(Method::POST, "/oauth/cluster", MockResponse::json(answer))
            .on(
                Method::GET,
                EXPENSES,
                MockResponse::json(r#"{"count":0,"offset":0,"data":[]}"#),
            );
        let client = Client::builder()
            .token_provider(fyle::auth::StaticTokenProvider::new("drill-token"))
            .accounts_url(Url::parse("https://accounts.fylehq.com").expect("URL"))
            .allow_list(ClusterAllowList::default())
            .transport(mock.shared())
            .build()
            .expect("a client");
        let error = client
            .admin()
            .expenses()
            .list()
            .send()
            .await
            .expect_err("refused");
        match error.kind() {
            ErrorKind::Cluster(ClusterError::NotAllowed { .. }) => {}
            other => panic!("{domain}: expected Cluster(NotAllowed), got {other:?}"),
        }
        let hosts: Vec<String> = mock
            .requests()
            .iter()
            .map(|r| r.uri.host().unwrap_or_default().to_owned())
            .collect();
        assert_eq!(
            hosts,
            ["accounts.fylehq.com"],
            "{domain}: only the accounts host was called"
        );
    }
}

#[tokio::test]
async fn a_pinned_cluster_on_another_host_is_a_build_error() {
    let error = Client::builder()
        .token_provider(fyle::auth::StaticTokenProvider::new("drill-token"))
        .cluster(Url::parse("https://evil.example.com").expect("URL"))
        .transport(MockTransport::new().shared())
        .build()
        .expect_err("refused");
    assert!(
        matches!(
            error.kind(),
            ErrorKind::Cluster(ClusterError::NotAllowed { .. })
        ),
        "{error:?}"
    );
}
