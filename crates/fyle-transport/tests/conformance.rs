//! One conformance suite, run against every real transport over wiremock.
#![cfg(any(feature = "reqwest", feature = "hyper"))]

use std::net::TcpListener;
use std::time::Duration;

use bytes::Bytes;
use futures::StreamExt as _;
use fyle_transport::{BodyStream, Transport, TransportErrorKind};
use http::{Method, Request, StatusCode};
use wiremock::matchers::{body_bytes, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Builds the transport under test with a whole-request `timeout`.
trait MakeTransport {
    fn make(timeout: Duration) -> Box<dyn Transport>;
}

fn request(method: Method, uri: &str) -> http::request::Builder {
    Request::builder().method(method).uri(uri)
}

async fn methods<M: MakeTransport>() {
    let server = MockServer::start().await;
    let transport = M::make(Duration::from_secs(10));
    for m in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
        Mock::given(method(m))
            .and(path("/platform/v1/echo"))
            .respond_with(ResponseTemplate::new(200).set_body_string(m))
            .expect(1)
            .mount(&server)
            .await;
        let response = transport
            .send(
                request(
                    Method::from_bytes(m.as_bytes()).expect("valid method"),
                    &format!("{}/platform/v1/echo", server.uri()),
                )
                .body(Bytes::new())
                .expect("valid request"),
            )
            .await
            .expect("a response");
        assert_eq!(response.status(), StatusCode::OK, "{m}");
        assert_eq!(response.body().as_ref(), m.as_bytes(), "{m}");
    }
    Mock::given(method("HEAD"))
        .and(path("/platform/v1/echo"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let response = transport
        .send(
            request(Method::HEAD, &format!("{}/platform/v1/echo", server.uri()))
                .body(Bytes::new())
                .expect("valid request"),
        )
        .await
        .expect("a response");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(response.body().is_empty());
}

async fn headers_and_query<M: MakeTransport>() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/platform/v1/admin/expenses"))
        .and(header("authorization", "Bearer abc.def"))
        .and(header("x-custom", "one"))
        .and(query_param("state", "eq.COMPLETE"))
        .and(query_param("limit", "200"))
        .and(header("user-agent", fyle_transport::USER_AGENT))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-request-id", "req-42")
                .append_header("set-cookie", "a=1")
                .append_header("set-cookie", "b=2"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let transport = M::make(Duration::from_secs(10));
    let response = transport
        .send(
            request(
                Method::GET,
                &format!(
                    "{}/platform/v1/admin/expenses?state=eq.COMPLETE&limit=200",
                    server.uri()
                ),
            )
            .header("authorization", "Bearer abc.def")
            .header("x-custom", "one")
            .body(Bytes::new())
            .expect("valid request"),
        )
        .await
        .expect("a response");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["x-request-id"], "req-42");
    let cookies: Vec<_> = response.headers().get_all("set-cookie").iter().collect();
    assert_eq!(cookies.len(), 2);
}

async fn bodies<M: MakeTransport>() {
    let server = MockServer::start().await;
    let sent = br#"{"data":{"purpose":"taxi","amount":12.5}}"#;
    Mock::given(method("POST"))
        .and(path("/platform/v1/spender/expenses"))
        .and(header("content-type", "application/json"))
        .and(body_bytes(sent.to_vec()))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(&br#"{"data":{"id":"tx1"}}"#[..], "application/json"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let transport = M::make(Duration::from_secs(10));
    let response = transport
        .send(
            request(
                Method::POST,
                &format!("{}/platform/v1/spender/expenses", server.uri()),
            )
            .header("content-type", "application/json")
            .body(Bytes::from_static(sent))
            .expect("valid request"),
        )
        .await
        .expect("a response");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_eq!(response.body().as_ref(), br#"{"data":{"id":"tx1"}}"#);
}

async fn status_codes<M: MakeTransport>() {
    let server = MockServer::start().await;
    let transport = M::make(Duration::from_secs(10));
    for code in [
        200_u16, 201, 204, 400, 401, 403, 404, 422, 429, 498, 500, 502, 503, 504,
    ] {
        let at = format!("/status/{code}");
        Mock::given(path(at.as_str()))
            .respond_with(ResponseTemplate::new(code).set_body_string(if code == 204 {
                String::new()
            } else {
                format!("status {code}")
            }))
            .mount(&server)
            .await;
        let response = transport
            .send(
                request(Method::GET, &format!("{}{at}", server.uri()))
                    .body(Bytes::new())
                    .expect("valid request"),
            )
            .await
            .unwrap_or_else(|err| panic!("status {code} must be a response, got {err}"));
        assert_eq!(response.status().as_u16(), code);
        if code != 204 {
            assert_eq!(
                response.body().as_ref(),
                format!("status {code}").as_bytes()
            );
        }
    }
}

async fn redirects_are_returned_not_followed<M: MakeTransport>() {
    let server = MockServer::start().await;
    Mock::given(path("/files/download"))
        .respond_with(
            ResponseTemplate::new(302)
                .insert_header("location", format!("{}/elsewhere", server.uri())),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/elsewhere"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    let transport = M::make(Duration::from_secs(10));
    let response = transport
        .send(
            request(Method::GET, &format!("{}/files/download", server.uri()))
                .header("authorization", "Bearer must-not-follow")
                .body(Bytes::new())
                .expect("valid request"),
        )
        .await
        .expect("a response");
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(
        response.headers()["location"],
        format!("{}/elsewhere", server.uri()).as_str()
    );
}

const FIVE_MB: usize = 5 * 1024 * 1024;

fn large_body() -> Vec<u8> {
    (0..FIVE_MB)
        .map(|i| u8::try_from(i % 251).expect("below 256"))
        .collect()
}

async fn large_bodies<M: MakeTransport>() {
    let server = MockServer::start().await;
    let body = large_body();
    Mock::given(method("POST"))
        .and(path("/upload"))
        .and(body_bytes(body.clone()))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(body.clone()))
        .expect(1)
        .mount(&server)
        .await;
    let transport = M::make(Duration::from_secs(60));
    let response = transport
        .send(
            request(Method::POST, &format!("{}/upload", server.uri()))
                .body(Bytes::from(body.clone()))
                .expect("valid request"),
        )
        .await
        .expect("a response");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.body().len(), FIVE_MB);
    assert!(
        response.body().as_ref() == body.as_slice(),
        "the 5 MB body came back intact"
    );
}

/// Reads a streamed body, returning it with its chunk count and largest chunk.
async fn drain(
    mut body: BodyStream,
) -> Result<(Vec<u8>, usize, usize), fyle_transport::TransportError> {
    let (mut all, mut chunks, mut largest) = (Vec::new(), 0, 0);
    while let Some(chunk) = body.next().await {
        let chunk = chunk?;
        chunks += 1;
        largest = largest.max(chunk.len());
        all.extend_from_slice(&chunk);
    }
    Ok((all, chunks, largest))
}

async fn streamed_bodies<M: MakeTransport>() {
    let server = MockServer::start().await;
    let body = large_body();
    Mock::given(method("GET"))
        .and(path("/files/f1"))
        .and(header("user-agent", fyle_transport::USER_AGENT))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-request-id", "req-7")
                .set_body_raw(body.clone(), "application/pdf"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let transport = M::make(Duration::from_secs(60));
    let response = transport
        .send_streaming(
            request(Method::GET, &format!("{}/files/f1", server.uri()))
                .body(Bytes::new())
                .expect("valid request"),
        )
        .await
        .expect("a response head");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["x-request-id"], "req-7");
    assert_eq!(response.headers()["content-type"], "application/pdf");
    let (got, chunks, largest) = drain(response.into_body()).await.expect("the whole body");
    println!("5 MB streamed in {chunks} chunks, largest {largest} bytes");
    assert!(got == body, "the streamed 5 MB body came back intact");
    assert!(chunks > 1, "a 5 MB body arrives in more than one chunk");
}

async fn streamed_truncated_body<M: MakeTransport>() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a free port");
    let port = listener.local_addr().expect("bound address").port();
    let server = tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buf = [0_u8; 4096];
            let _ = socket.read(&mut buf).await;
            let _ = socket
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n0123456789")
                .await;
            let _ = socket.shutdown().await;
        }
    });
    let transport = M::make(Duration::from_secs(10));
    let response = transport
        .send_streaming(
            request(
                Method::GET,
                &format!("http://127.0.0.1:{port}/files/f1?sig=secret"),
            )
            .body(Bytes::new())
            .expect("valid request"),
        )
        .await
        .expect("the head arrives");
    let err = drain(response.into_body())
        .await
        .expect_err("the body is cut short");
    server.abort();
    assert_eq!(err.kind(), TransportErrorKind::Body, "{err}");
    assert_eq!(err.path(), "/files/f1");
    assert!(!format!("{err} {err:?}").contains("secret"));
}

async fn streamed_relative_uri<M: MakeTransport>() {
    let transport = M::make(Duration::from_secs(10));
    let err = transport
        .send_streaming(
            request(Method::GET, "/files/f1")
                .body(Bytes::new())
                .expect("valid request"),
        )
        .await
        .expect_err("a relative URI cannot be sent");
    assert_eq!(err.kind(), TransportErrorKind::Other);
    assert!(err.nothing_sent());
}

async fn timeouts<M: MakeTransport>() {
    let server = MockServer::start().await;
    Mock::given(path("/slow"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;
    let transport = M::make(Duration::from_millis(200));
    let err = transport
        .send(
            request(Method::GET, &format!("{}/slow?secret=q1", server.uri()))
                .body(Bytes::new())
                .expect("valid request"),
        )
        .await
        .expect_err("the server is slower than the timeout");
    assert_eq!(err.kind(), TransportErrorKind::Timeout, "{err}");
    assert!(err.is_retryable());
    assert_eq!(err.host(), Some("127.0.0.1"));
    assert_eq!(err.path(), "/slow");
    assert!(!err.to_string().contains("secret"), "{err}");
    assert!(!format!("{err:?}").contains("secret"), "{err:?}");
}

async fn connection_refused<M: MakeTransport>() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
        listener.local_addr().expect("bound address").port()
    };
    let transport = M::make(Duration::from_secs(10));
    let err = transport
        .send(
            request(
                Method::POST,
                &format!("http://127.0.0.1:{port}/platform/v1/admin/expenses?id=eq.secret"),
            )
            .body(Bytes::from_static(b"{}"))
            .expect("valid request"),
        )
        .await
        .expect_err("nobody listens on the port");
    assert_eq!(err.kind(), TransportErrorKind::Connect, "{err}");
    assert!(err.is_retryable());
    assert!(err.nothing_sent());
    assert_eq!(err.port(), Some(port));
    assert_eq!(err.path(), "/platform/v1/admin/expenses");
    let shown = err.to_string();
    assert!(
        shown.starts_with(&format!(
            "connect error to 127.0.0.1:{port}/platform/v1/admin/expenses: "
        )),
        "{shown}"
    );
    assert!(!shown.contains("secret"), "{shown}");
    assert!(!format!("{err:?}").contains("secret"), "{err:?}");
}

async fn tls_failure<M: MakeTransport>() {
    // A plain-text server on an https URL: the TLS handshake fails on its first bytes.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a free port");
    let port = listener.local_addr().expect("bound address").port();
    let server = tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buf = [0_u8; 1024];
            let _ = socket.read(&mut buf).await;
            let _ = socket
                .write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n")
                .await;
        }
    });
    let transport = M::make(Duration::from_secs(10));
    let err = transport
        .send(
            request(
                Method::GET,
                &format!("https://127.0.0.1:{port}/platform/v1/admin/expenses"),
            )
            .header("authorization", "Bearer tls-secret")
            .body(Bytes::new())
            .expect("valid request"),
        )
        .await
        .expect_err("not a TLS server");
    server.abort();
    assert_eq!(err.kind(), TransportErrorKind::Tls, "{err}");
    assert!(!err.is_retryable());
    assert!(err.nothing_sent());
    assert!(!format!("{err} {err:?}").contains("tls-secret"));
}

async fn truncated_body<M: MakeTransport>() {
    // The server promises 100 bytes, sends 10 and closes the connection.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a free port");
    let port = listener.local_addr().expect("bound address").port();
    let server = tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buf = [0_u8; 4096];
            let _ = socket.read(&mut buf).await;
            let _ = socket
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n0123456789")
                .await;
            let _ = socket.shutdown().await;
        }
    });
    let transport = M::make(Duration::from_secs(10));
    let err = transport
        .send(
            request(
                Method::GET,
                &format!("http://127.0.0.1:{port}/files/f1?sig=secret"),
            )
            .body(Bytes::new())
            .expect("valid request"),
        )
        .await
        .expect_err("the body is cut short");
    server.abort();
    assert_eq!(err.kind(), TransportErrorKind::Body, "{err}");
    assert!(err.is_retryable());
    assert!(!err.nothing_sent());
    assert_eq!(err.path(), "/files/f1");
    assert!(!format!("{err} {err:?}").contains("secret"));
}

async fn relative_uri_is_rejected<M: MakeTransport>() {
    let transport = M::make(Duration::from_secs(10));
    let err = transport
        .send(
            request(Method::GET, "/platform/v1/admin/expenses")
                .body(Bytes::new())
                .expect("valid request"),
        )
        .await
        .expect_err("a relative URI cannot be sent");
    assert_eq!(err.kind(), TransportErrorKind::Other);
    assert!(!err.is_retryable());
}

macro_rules! conformance_suite {
    ($module:ident, $maker:ty) => {
        mod $module {
            use super::*;

            #[tokio::test]
            async fn sends_every_method() {
                methods::<$maker>().await;
            }

            #[tokio::test]
            async fn sends_headers_and_query_and_returns_response_headers() {
                headers_and_query::<$maker>().await;
            }

            #[tokio::test]
            async fn sends_and_receives_bodies() {
                bodies::<$maker>().await;
            }

            #[tokio::test]
            async fn every_status_is_a_response() {
                status_codes::<$maker>().await;
            }

            #[tokio::test]
            async fn redirects_are_returned_not_followed() {
                super::redirects_are_returned_not_followed::<$maker>().await;
            }

            #[tokio::test]
            async fn five_megabyte_bodies_both_ways() {
                large_bodies::<$maker>().await;
            }

            #[tokio::test]
            async fn streams_a_five_megabyte_body_in_chunks() {
                streamed_bodies::<$maker>().await;
            }

            #[tokio::test]
            async fn streamed_truncated_body_ends_with_a_body_error() {
                streamed_truncated_body::<$maker>().await;
            }

            #[tokio::test]
            async fn streamed_relative_uri_is_an_error() {
                streamed_relative_uri::<$maker>().await;
            }

            #[tokio::test]
            async fn slow_server_times_out() {
                timeouts::<$maker>().await;
            }

            #[tokio::test]
            async fn refused_connection_is_a_connect_error() {
                connection_refused::<$maker>().await;
            }

            #[tokio::test]
            async fn failed_tls_handshake_is_a_tls_error() {
                tls_failure::<$maker>().await;
            }

            #[tokio::test]
            async fn truncated_body_is_a_body_error() {
                truncated_body::<$maker>().await;
            }

            #[tokio::test]
            async fn relative_uri_is_an_error() {
                relative_uri_is_rejected::<$maker>().await;
            }
        }
    };
}

#[cfg(feature = "reqwest")]
struct Reqwest;

#[cfg(feature = "reqwest")]
impl MakeTransport for Reqwest {
    fn make(timeout: Duration) -> Box<dyn Transport> {
        Box::new(
            fyle_transport::ReqwestTransport::builder()
                .timeout(timeout)
                .connect_timeout(Duration::from_secs(5))
                .build()
                .expect("reqwest transport"),
        )
    }
}

#[cfg(feature = "reqwest")]
conformance_suite!(reqwest, Reqwest);

#[cfg(feature = "hyper")]
struct Hyper;

#[cfg(feature = "hyper")]
impl MakeTransport for Hyper {
    fn make(timeout: Duration) -> Box<dyn Transport> {
        Box::new(
            fyle_transport::HyperTransport::builder()
                .timeout(timeout)
                .connect_timeout(Duration::from_secs(5))
                .build()
                .expect("hyper transport"),
        )
    }
}

#[cfg(feature = "hyper")]
conformance_suite!(hyper, Hyper);

#[cfg(feature = "reqwest")]
#[tokio::test]
async fn default_transport_sends_through_all_layers() {
    let server = MockServer::start().await;
    Mock::given(path("/ping"))
        .respond_with(ResponseTemplate::new(200).set_body_string("pong"))
        .expect(1)
        .mount(&server)
        .await;
    let transport = fyle_transport::default_transport();
    let response = transport
        .send(
            request(Method::GET, &format!("{}/ping", server.uri()))
                .body(Bytes::new())
                .expect("valid request"),
        )
        .await
        .expect("a response");
    assert_eq!(response.body().as_ref(), b"pong");
}

#[cfg(feature = "reqwest")]
#[tokio::test]
async fn default_transport_streams_through_all_layers() {
    let server = MockServer::start().await;
    Mock::given(path("/file"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(large_body()))
        .expect(1)
        .mount(&server)
        .await;
    let transport = fyle_transport::default_transport();
    let response = transport
        .send_streaming(
            request(Method::GET, &format!("{}/file", server.uri()))
                .body(Bytes::new())
                .expect("valid request"),
        )
        .await
        .expect("a response head");
    let (got, chunks, _) = drain(response.into_body()).await.expect("the body");
    assert_eq!(got.len(), FIVE_MB);
    assert!(
        chunks > 1,
        "the layers pass the stream through, not one buffered chunk"
    );
}

/// A transport that only implements `send` still answers `send_streaming` (the default), with
/// its body as one chunk.
#[tokio::test]
async fn a_send_only_transport_streams_through_the_default() {
    let transport = fyle_transport::transport_fn(|_request| async {
        Ok(http::Response::new(Bytes::from_static(b"whole")))
    });
    let response = transport
        .send_streaming(
            request(Method::GET, "http://example.test/x")
                .body(Bytes::new())
                .expect("valid request"),
        )
        .await
        .expect("a response");
    let (got, chunks, _) = drain(response.into_body()).await.expect("the body");
    assert_eq!((got.as_slice(), chunks), (b"whole".as_slice(), 1));
}
