//! Streaming file downloads (issue 13: "a streaming download API for files"), in a test binary
//! of their own so the peak RSS they print is this drill's.
//!
//! Fyle (wiremock) answers `GET /admin/files/download` with a 302 to a presigned URL on a local
//! storage server that writes its body 64 KiB at a time without holding it. The facade follows
//! the redirect through the default transport stack's `send_streaming` and writes the file to a
//! sink: 256 MiB arrive while the process's peak RSS grows by a few MiB. The presigned URL's
//! signature never appears in an error's `Display` or `Debug`, and a non-https URL is refused
//! before any request.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use fyle::ErrorKind;
use fyle::files::FileRole;
use fyle_mock::MockFyle;
use tokio::io::{AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

const BIG: u64 = 256 * 1024 * 1024;
const SIGNATURE: &str = "X-Amz-Signature=5ec7e75ec7e7&X-Amz-Credential=AKIAEXAMPLESECRET";

/// A storage host: `/big` streams [`BIG`] bytes with a `Content-Length`, `/forbidden` answers
/// an S3-style 403 that quotes the signature, `/truncated` promises 1,000 bytes and sends 10.
/// Every request head is recorded.
async fn storage_server() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let heads = Arc::new(Mutex::new(Vec::new()));
    let recorded = heads.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let heads = recorded.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 8192];
                let n = socket.read(&mut buf).await.unwrap_or(0);
                let head = String::from_utf8_lossy(&buf[..n]).into_owned();
                heads.lock().expect("not poisoned").push(head.clone());
                let target = head.split_whitespace().nth(1).unwrap_or_default();
                if target.starts_with("/bucket/big") {
                    let _ = socket
                        .write_all(
                            format!("HTTP/1.1 200 OK\r\ncontent-type: application/pdf\r\ncontent-length: {BIG}\r\n\r\n")
                                .as_bytes(),
                        )
                        .await;
                    let chunk = vec![b'%'; 64 * 1024];
                    let mut sent = 0;
                    while sent < BIG {
                        if socket.write_all(&chunk).await.is_err() {
                            return;
                        }
                        sent += chunk.len() as u64;
                    }
                } else if target.starts_with("/bucket/forbidden") {
                    let body = format!(
                        "<Error><Code>AccessDenied</Code><Message>Request has expired</Message><AWSAccessKeyId>AKIAEXAMPLESECRET</AWSAccessKeyId><CanonicalRequest>GET {target}</CanonicalRequest></Error>"
                    );
                    let _ = socket
                        .write_all(
                            format!(
                                "HTTP/1.1 403 Forbidden\r\ncontent-type: application/xml\r\ncontent-length: {}\r\n\r\n{body}",
                                body.len()
                            )
                            .as_bytes(),
                        )
                        .await;
                } else {
                    let _ = socket
                        .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n0123456789")
                        .await;
                    let _ = socket.shutdown().await;
                }
            });
        }
    });
    (format!("http://{addr}"), heads)
}

/// A Fyle whose `/admin/files/download?id=FILE` redirects to `location`, and a client of it
/// on the default transport stack (retry, rate limit, tracing, reqwest).
async fn fyle_redirecting(file: &str, location: &str) -> (MockFyle, fyle::Client) {
    let mock = MockFyle::start().await;
    Mock::given(method("GET"))
        .and(path("/platform/v1/admin/files/download"))
        .and(query_param("id", file))
        .respond_with(ResponseTemplate::new(302).insert_header("location", location))
        .mount(mock.server())
        .await;
    let client = MockFyle::builder_for(&mock.uri())
        .transport(fyle::transport::default_transport())
        .build()
        .expect("client");
    (mock, client)
}

/// Discards what it is given, counting the bytes and the largest single write.
#[derive(Default)]
struct CountingSink {
    total: u64,
    largest: usize,
}

impl AsyncWrite for CountingSink {
    fn poll_write(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        self.total += buf.len() as u64;
        self.largest = self.largest.max(buf.len());
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

/// Neither the signature nor the credential of the presigned URL is in `shown`.
fn assert_no_secret(shown: &str) {
    for secret in ["5ec7e75ec7e7", "AKIAEXAMPLESECRET"] {
        assert!(!shown.contains(secret), "{secret} leaked: {shown}");
    }
}

/// No part of the presigned URL's query (not even a parameter name) is in an error's
/// `Display` or `Debug`.
fn assert_no_query(shown: &str) {
    assert_no_secret(shown);
    assert!(!shown.contains("X-Amz"), "the signed query leaked: {shown}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_256_mib_file_streams_to_a_sink_in_bounded_memory() {
    let (storage, heads) = storage_server().await;
    let location = format!("{storage}/bucket/big/fi1.pdf?{SIGNATURE}");
    let (_fyle, client) = fyle_redirecting("fi1", &location).await;
    let before = peak_rss_kib();
    let started = std::time::Instant::now();
    let download = client
        .files(FileRole::Admin)
        .download_stream("fi1")
        .await
        .expect("the head arrives");
    assert_eq!(download.content_length(), Some(BIG));
    assert_eq!(download.content_type(), Some("application/pdf"));
    let shown = format!("{download:?}");
    assert!(shown.contains("127.0.0.1"), "{shown}");
    assert_no_query(&shown);
    let mut sink = CountingSink::default();
    let written = download.write_to(&mut sink).await.expect("streamed");
    let after = peak_rss_kib();
    let elapsed = started.elapsed();
    println!(
        "{} MiB downloaded to a sink in {elapsed:?} ({:.0} MiB/s): largest chunk {} bytes, VmHWM {before} -> {after} KiB (+{} KiB; the transport's send limit is {} MiB)",
        BIG >> 20,
        f64::from(u32::try_from(BIG >> 20).expect("MiB fit")) / elapsed.as_secs_f64(),
        sink.largest,
        after.saturating_sub(before),
        fyle::transport::DEFAULT_MAX_RESPONSE_BYTES >> 20,
    );
    assert_eq!(written, BIG);
    assert_eq!(sink.total, BIG);
    assert!(sink.largest <= 1024 * 1024, "a {} byte chunk", sink.largest);
    assert!(before > 0, "VmHWM is readable");
    assert!(
        after.saturating_sub(before) < 64 * 1024,
        "peak RSS grew by {} KiB for a {} MiB download",
        after.saturating_sub(before),
        BIG >> 20
    );
    // The storage host got the signed URL, and no Bearer token.
    let heads = heads.lock().expect("not poisoned").clone();
    assert_eq!(heads.len(), 1);
    assert!(
        heads[0].contains("X-Amz-Signature=5ec7e75ec7e7"),
        "{}",
        heads[0]
    );
    assert!(
        !heads[0].to_ascii_lowercase().contains("authorization"),
        "{}",
        heads[0]
    );
}

#[tokio::test]
async fn download_to_writes_the_file_through_the_facade() {
    let (storage, _) = storage_server().await;
    let (_fyle, client) =
        fyle_redirecting("fi1", &format!("{storage}/bucket/big/fi1.pdf?{SIGNATURE}")).await;
    let mut sink = CountingSink::default();
    let written = client
        .files(FileRole::Admin)
        .download_to("fi1", &mut sink)
        .await
        .expect("downloaded");
    assert_eq!((written, sink.total), (BIG, BIG));
}

#[tokio::test]
async fn a_non_https_or_internal_download_url_is_refused_before_any_request() {
    let (_storage, heads) = storage_server().await;
    for location in [
        format!("http://storage.example.com/bucket/fi2.pdf?{SIGNATURE}"),
        format!("https://10.1.2.3/bucket/fi2.pdf?{SIGNATURE}"),
        format!("https://169.254.169.254/latest/meta-data?{SIGNATURE}"),
    ] {
        let (_fyle, client) = fyle_redirecting("fi2", &location).await;
        let err = client
            .files(FileRole::Admin)
            .download_stream("fi2")
            .await
            .expect_err("refused");
        let shown = format!("{err} | {err:?}");
        println!("{shown}");
        assert!(matches!(err.kind(), ErrorKind::UnsafeUrl { .. }), "{shown}");
        assert_no_query(&shown);
    }
    assert!(heads.lock().expect("not poisoned").is_empty());
}

#[tokio::test]
async fn storage_errors_and_broken_bodies_never_show_the_signed_url() {
    let (storage, _) = storage_server().await;
    let (_fyle, client) = fyle_redirecting(
        "fi3",
        &format!("{storage}/bucket/forbidden/fi3.pdf?{SIGNATURE}"),
    )
    .await;
    let err = client
        .files(FileRole::Admin)
        .download_stream("fi3")
        .await
        .expect_err("403");
    let shown = format!("{err} | {err:?}");
    println!("{shown}");
    assert!(matches!(err.kind(), ErrorKind::Storage { .. }), "{shown}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(403));
    assert_no_query(&shown);
    // The opt-in excerpt is redacted too: the values are masked.
    assert_no_secret(err.body_excerpt().unwrap_or_default());

    let (_fyle, client) = fyle_redirecting(
        "fi4",
        &format!("{storage}/bucket/truncated/fi4.pdf?{SIGNATURE}"),
    )
    .await;
    let mut sink = CountingSink::default();
    let err = client
        .files(FileRole::Admin)
        .download_to("fi4", &mut sink)
        .await
        .expect_err("the body is cut short");
    let shown = format!("{err} | {err:?}");
    println!("{shown}");
    assert!(matches!(err.kind(), ErrorKind::Transport(_)), "{shown}");
    assert_eq!(sink.total, 10, "the bytes before the break were written");
    assert_no_query(&shown);
}
