//! Reliability drill: malformed answers from a scripted transport. An HTML 502 page, truncated
//! JSON, wrong field types, an empty 200 body, 10 MB bodies and a cluster answer on another
//! host each give their typed `fyle::Error` kind; nothing panics. No error's `Display` carries
//! any of the body, a signature or a token (the opt-in `body_excerpt()` gives a short, redacted
//! excerpt), and `Display` and `Debug` stay under 2,000 characters for 10 MB bodies and
//! 10,000-row bulk errors.

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
    client_with(mock, false)
}

/// `strict`: a value of the wrong shape fails the page instead of becoming a warning.
fn client_with(mock: &MockTransport, strict: bool) -> Client {
    Client::builder()
        .token_provider(fyle::auth::StaticTokenProvider::new("drill-token"))
        .cluster(Url::parse("https://us1.fylehq.com").expect("URL"))
        .transport(mock.shared())
        .strict_decoding(strict)
        .build()
        .expect("a client")
}

/// The error of one page request and of a stream over the same answer (both must agree), with
/// strict decoding: what these drills check is that what cannot be read is a typed error.
async fn page_errors(reply: MockResponse) -> (Error, Error) {
    let mock = MockTransport::new().on(Method::GET, EXPENSES, reply);
    let client = client_with(&mock, true);
    let page = client.admin().expenses().list().send().await;
    let page_error = page.expect_err("a malformed answer is an error");
    let mut stream = client.admin().expenses().list().stream();
    let streamed = stream.next().await.expect("the stream yields the error");
    let stream_error = streamed.expect_err("a malformed answer is an error");
    (page_error, stream_error)
}

/// An error's `Display` and `Debug` stay short whatever the body's size.
fn assert_bounded(error: &Error) {
    let (display, debug) = (error.to_string(), format!("{error:?}"));
    println!(
        "error of kind {}: Display {} chars, Debug {} chars",
        kind_name(error),
        display.chars().count(),
        debug.chars().count()
    );
    assert!(
        display.chars().count() < 2_000,
        "Display of {} chars",
        display.len()
    );
    assert!(
        debug.chars().count() < 2_000,
        "Debug of {} chars",
        debug.len()
    );
}

fn kind_name(error: &Error) -> String {
    let debug = format!("{:?}", error.kind());
    debug
        .split(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// Secrets every drill body may carry: none may reach an error's `Display`.
const SECRETS: [&str; 5] = [
    "drill-token",
    "AKIAIOSFODNN7EXAMPLE",
    "f3a9c0ffee",
    "eyJhbGciOiJSUzI1NiJ9",
    "X-Amz-Signature=",
];

/// `Display` has no token, no signature and none of `body_markers` (text only in the body).
fn assert_hygienic(error: &Error, body_markers: &[&str]) {
    let text = error.to_string();
    for needle in SECRETS.iter().chain(body_markers) {
        assert!(
            !text.contains(needle),
            "`{needle}` in the error text: {text}"
        );
    }
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
        assert_hygienic(&error, &["nginx", "<html", "Bad Gateway</"]);
        assert!(
            error.body_excerpt().is_some_and(|b| b.contains("nginx")),
            "the opt-in excerpt keeps the page"
        );
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
        assert_hygienic(&error, &["txA1b2C3d4", "purp", "12.5"]);
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
        // serde quotes the offending value; the error does not.
        assert_hygienic(&error, &["a lot", "txA1b2C3d4"]);
    }
    // By default the same page decodes whole: the bad value is a warning naming its path,
    // and the warning does not quote it either.
    let mock = MockTransport::new().on(Method::GET, EXPENSES, MockResponse::json(body));
    let page = client(&mock).admin().expenses().list().send().await;
    let page = page.expect("a lenient page decodes whole");
    assert_eq!(page.items.len(), 1);
    let warnings = page.warnings();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].path.contains("amount"), "{warnings:?}");
    assert!(!format!("{warnings:?}").contains("a lot"), "{warnings:?}");
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
        assert_hygienic(&error, &["xxxxxxxx"]);
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

/// A presigned-URL failure as S3 answers it, and a proxy page quoting the request.
const S3_ERROR: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>SignatureDoesNotMatch</Code>\
    <AWSAccessKeyId>AKIAIOSFODNN7EXAMPLE</AWSAccessKeyId><StringToSign>AWS4</StringToSign>\
    <SignatureProvided>f3a9c0ffee</SignatureProvided><Url>https://s3.amazonaws.com/b/r.pdf?\
    X-Amz-Credential=AKIAIOSFODNN7EXAMPLE&X-Amz-Signature=f3a9c0ffee</Url>\
    <Note>Bearer eyJhbGciOiJSUzI1NiJ9.eyJleHAiOjF9.c2lnbmF0dXJl</Note></Error>";

#[tokio::test]
async fn signatures_keys_and_tokens_never_reach_an_error_display() {
    // As an unexpected body (an XML 403 from a proxy in front of the API).
    let reply = MockResponse::status(403)
        .header("content-type", "application/xml")
        .body(S3_ERROR);
    for error in <[Error; 2]>::from(page_errors(reply).await) {
        assert_hygienic(&error, &["SignatureDoesNotMatch", "<Error>"]);
        let debug = format!("{error:?}");
        for needle in SECRETS {
            assert!(!debug.contains(needle), "`{needle}` in Debug: {debug}");
        }
        // The opt-in excerpt is there, redacted.
        let excerpt = error.body_excerpt().expect("an excerpt");
        assert!(excerpt.contains("SignatureDoesNotMatch"), "{excerpt}");
        for needle in SECRETS {
            assert!(
                !excerpt.contains(needle),
                "`{needle}` in the excerpt: {excerpt}"
            );
        }
    }
    // As Fyle's own error message, quoting a token and a presigned URL.
    let body = serde_json::json!({
        "error": "ValidationError",
        "message": "token eyJhbGciOiJSUzI1NiJ9.eyJleHAiOjF9.c2lnbmF0dXJl rejected for \
                    https://s3.amazonaws.com/b/r.pdf?X-Amz-Signature=f3a9c0ffee",
    });
    let reply = MockResponse::status(400)
        .header("content-type", "application/json")
        .body(body.to_string());
    for error in <[Error; 2]>::from(page_errors(reply).await) {
        assert!(matches!(error.kind(), ErrorKind::Api(_)), "{error:?}");
        assert_hygienic(&error, &[]);
        assert!(error.to_string().contains("ValidationError"), "{error}");
    }
}

#[tokio::test]
async fn ten_megabyte_error_bodies_and_ten_thousand_bulk_rows_stay_bounded() {
    // A 10 MB JSON error message.
    let body = serde_json::json!({"error": "ValidationError", "message": "m".repeat(TEN_MB)});
    let reply = MockResponse::status(400)
        .header("content-type", "application/json")
        .body(body.to_string());
    for error in <[Error; 2]>::from(page_errors(reply).await) {
        assert!(matches!(error.kind(), ErrorKind::Api(_)), "{error:?}");
        assert_bounded(&error);
    }
    // A 10 MB validation error: one field per row, long messages.
    let rows: serde_json::Map<String, serde_json::Value> = (0..10_000)
        .map(|i| {
            (
                i.to_string(),
                serde_json::json!({ "amount": ["v".repeat(1_000)] }),
            )
        })
        .collect();
    let body = serde_json::json!({"error": "ValidationError", "data": rows});
    let reply = MockResponse::status(400)
        .header("content-type", "application/json")
        .body(body.to_string());
    for error in <[Error; 2]>::from(page_errors(reply).await) {
        assert_eq!(error.validation_errors().map(<[_]>::len), Some(10_000));
        assert_bounded(&error);
    }
    // A 10,000-row BulkError.
    let rows: Vec<serde_json::Value> = (0..10_000)
        .map(|i| serde_json::json!({"row": i, "key": format!("user{i}@example.com"), "message": "Invalid department"}))
        .collect();
    let body = serde_json::json!({"error": "BulkError", "data": rows});
    let reply = MockResponse::status(400)
        .header("content-type", "application/json")
        .body(body.to_string());
    for error in <[Error; 2]>::from(page_errors(reply).await) {
        assert_eq!(error.bulk_errors().map(<[_]>::len), Some(10_000));
        assert_bounded(&error);
        assert!(error.to_string().contains("more rows"), "{error}");
    }
}

#[tokio::test]
async fn http_and_lookalike_accounts_urls_are_refused_before_any_secret_is_sent() {
    for accounts in [
        "http://accounts.fylehq.com",
        "https://accounts.fylehq.com.evil.com",
        "https://evilfylehq.com",
    ] {
        let mock = MockTransport::new()
            .on(
                Method::POST,
                "/oauth/token",
                MockResponse::json(r#"{"access_token":"drill-token","expires_in":3600}"#),
            )
            .on(
                Method::POST,
                "/oauth/cluster",
                MockResponse::json(r#"{"cluster_domain":"https://us1.fylehq.com"}"#),
            );
        let credentials =
            fyle::auth::Credentials::new("tpaDRILL", "drill-client-secret", "drill-refresh")
                .with_accounts_url(Url::parse(accounts).expect("URL"));
        let client = Client::builder()
            .credentials(credentials)
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
        assert!(
            matches!(
                error.kind(),
                ErrorKind::Auth(fyle::auth::AuthError::HostNotAllowed(_))
            ),
            "{accounts}: {error:?}"
        );
        let sent = mock.request_count();
        println!(
            "{accounts}: refused before sending ({error}); {sent} requests reached the transport"
        );
        assert_eq!(sent, 0, "{accounts}");
        assert_hygienic(&error, &["drill-client-secret", "drill-refresh"]);

        // A client with a token of its own does not send it to that accounts host either.
        let client = Client::builder()
            .token_provider(fyle::auth::StaticTokenProvider::new("drill-token"))
            .accounts_url(Url::parse(accounts).expect("URL"))
            .transport(mock.shared())
            .build()
            .expect("a client");
        let error = client.api_base().await.expect_err("refused");
        assert!(
            matches!(
                error.kind(),
                ErrorKind::Cluster(ClusterError::NotAllowed { .. })
            ),
            "{accounts}: {error:?}"
        );
        assert_eq!(mock.request_count(), 0, "{accounts}");
    }
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
