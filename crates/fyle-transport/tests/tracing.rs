//! The tracing layer: one span per attempt, never a header value, a body or the query string.

use std::io;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use fyle_transport::{RetryPolicy, Transport, TransportBuilder, transport_fn};
use http::{Request, Response, StatusCode};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::format::FmtSpan;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("not poisoned")).into_owned()
    }
}

impl io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().expect("not poisoned").extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test(start_paused = true)]
async fn spans_name_the_request_but_never_headers_bodies_or_query() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(captured.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(FmtSpan::CLOSE)
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let calls = Arc::new(Mutex::new(0_u32));
    let inner = transport_fn(move |request: Request<Bytes>| {
        let mut calls = calls.lock().expect("not poisoned");
        *calls += 1;
        let status = if *calls == 1 { 503 } else { 200 };
        let mut response = Response::new(Bytes::from_static(b"response-body-secret"));
        *response.status_mut() = StatusCode::from_u16(status).expect("valid status");
        response.headers_mut().insert(
            "set-cookie",
            "session=cookie-secret".parse().expect("valid header"),
        );
        drop(request);
        async move { Ok(response) }
    });
    let transport = TransportBuilder::new(inner)
        .retry(RetryPolicy::default().without_jitter())
        .rate_limit(fyle_transport::RateLimiter::per_second(10))
        .tracing()
        .build();
    let request =
        Request::post("https://us1.fylehq.com/platform/v1/admin/expenses?email=eq.query-secret")
            .header("authorization", "Bearer token-secret")
            .header("x-api-key", "key-secret")
            .extension(fyle_transport::Idempotent)
            .body(Bytes::from_static(b"request-body-secret"))
            .expect("valid request");
    let response = transport.send(request).await.expect("a response");
    assert_eq!(response.status(), StatusCode::OK);

    let output = captured.text();
    assert!(output.contains("fyle.http"), "{output}");
    assert!(output.contains("method=POST"), "{output}");
    assert!(
        output.contains("host=\"us1.fylehq.com\"") || output.contains("host=us1.fylehq.com"),
        "{output}"
    );
    assert!(output.contains("/platform/v1/admin/expenses"), "{output}");
    assert!(output.contains("attempt=1"), "{output}");
    assert!(output.contains("attempt=2"), "{output}");
    assert!(output.contains("status=503"), "{output}");
    assert!(output.contains("status=200"), "{output}");
    assert!(output.contains("latency_ms="), "{output}");
    assert_eq!(
        output.matches("close").count(),
        2,
        "one span per attempt: {output}"
    );
    for secret in [
        "token-secret",
        "key-secret",
        "cookie-secret",
        "query-secret",
        "body-secret",
        "Bearer",
    ] {
        assert!(!output.contains(secret), "{secret} leaked into: {output}");
    }
}

#[tokio::test]
async fn errors_are_traced_without_the_query() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(captured.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(FmtSpan::CLOSE)
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let inner = transport_fn(|request: Request<Bytes>| async move {
        Err(fyle_transport::TransportError::new(
            fyle_transport::TransportErrorKind::Connect,
            "connection refused",
        )
        .with_uri(request.uri()))
    });
    let transport = TransportBuilder::new(inner).tracing().build();
    let request =
        Request::get("https://us1.fylehq.com/platform/v1/admin/expenses?id=eq.query-secret")
            .header("authorization", "Bearer token-secret")
            .body(Bytes::new())
            .expect("valid request");
    transport.send(request).await.expect_err("scripted failure");

    let output = captured.text();
    assert!(
        output.contains("error_kind=\"connect\"") || output.contains("error_kind=connect"),
        "{output}"
    );
    assert!(
        output.contains("connect error to us1.fylehq.com/platform/v1/admin/expenses"),
        "{output}"
    );
    assert!(!output.contains("query-secret"), "{output}");
    assert!(!output.contains("token-secret"), "{output}");
}
