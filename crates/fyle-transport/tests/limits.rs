//! Response-size limits, in their own test binary so the peak RSS it prints is this drill's.
//!
//! A local server streams a 2 GB body (chunked, so no `Content-Length` gives it away, and once
//! with a declared length); both transports stop at their limit with a typed error while the
//! process's peak RSS (`VmHWM`) stays under 64 MiB.
#![cfg(all(feature = "reqwest", feature = "hyper"))]

use std::time::Duration;

use bytes::Bytes;
use fyle_transport::{HyperTransport, ReqwestTransport, Transport, TransportErrorKind};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const TWO_GB: u64 = 2 * 1024 * 1024 * 1024;
const LIMIT: u64 = 8 * 1024 * 1024;

/// Serves every connection a 2 GB body of spaces: chunked, or with `Content-Length`.
async fn huge_body_server(chunked: bool) -> String {
    body_server(chunked, TWO_GB).await
}

/// Serves every connection a body of `size` spaces, written 64 KiB at a time.
async fn body_server(chunked: bool, size: u64) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = [0u8; 4096];
                let _ = socket.read(&mut request).await;
                let head = if chunked {
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n".to_owned()
                } else {
                    format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {size}\r\n\r\n"
                    )
                };
                if socket.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let chunk = vec![b' '; 64 * 1024];
                let framed = [
                    format!("{:x}\r\n", chunk.len()).into_bytes(),
                    chunk.clone(),
                    b"\r\n".to_vec(),
                ]
                .concat();
                let mut sent = 0u64;
                while sent < size {
                    let frame = if chunked { &framed } else { &chunk };
                    if socket.write_all(frame).await.is_err() {
                        return;
                    }
                    sent += chunk.len() as u64;
                }
                let _ = socket.write_all(b"0\r\n\r\n").await;
            });
        }
    });
    format!("http://{addr}/platform/v1/admin/expenses")
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_2_gb_body_stops_at_the_limit_with_a_typed_error_in_bounded_memory() {
    let transports: Vec<(&str, Box<dyn Transport>)> = vec![
        (
            "reqwest",
            Box::new(
                ReqwestTransport::builder()
                    .max_response_bytes(LIMIT)
                    .timeout(Duration::from_secs(120))
                    .build()
                    .expect("reqwest"),
            ),
        ),
        (
            "hyper",
            Box::new(
                HyperTransport::builder()
                    .max_response_bytes(LIMIT)
                    .timeout(Duration::from_secs(120))
                    .build()
                    .expect("hyper"),
            ),
        ),
    ];
    for chunked in [true, false] {
        let url = huge_body_server(chunked).await;
        for (name, transport) in &transports {
            let request = http::Request::get(url.as_str())
                .body(Bytes::new())
                .expect("request");
            let err = transport
                .send(request)
                .await
                .expect_err("a 2 GB body is refused");
            println!(
                "{name}, 2 GB {} body, limit {LIMIT} bytes: {err} (peak RSS so far {} KiB)",
                if chunked { "chunked" } else { "declared" },
                peak_rss_kib()
            );
            assert_eq!(err.kind(), TransportErrorKind::TooLarge, "{err}");
            assert!(!err.is_retryable());
        }
    }
    let peak = peak_rss_kib();
    println!("VmHWM after four 2 GB bodies: {peak} KiB");
    assert!(peak > 0, "VmHWM is readable");
    assert!(peak < 64 * 1024, "peak RSS {peak} KiB is over 64 MiB");
}

const STREAMED: u64 = 256 * 1024 * 1024;

/// `send_streaming` has no total cap: a 256 MiB body streams through a transport whose
/// `send` limit is 8 MiB, one chunk at a time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_streaming_reads_past_the_size_limit_one_chunk_at_a_time() {
    use futures::StreamExt as _;
    let transports: Vec<(&str, Box<dyn Transport>)> = vec![
        (
            "reqwest",
            Box::new(
                ReqwestTransport::builder()
                    .max_response_bytes(LIMIT)
                    .timeout(Duration::from_secs(5))
                    .build()
                    .expect("reqwest"),
            ),
        ),
        (
            "hyper",
            Box::new(
                HyperTransport::builder()
                    .max_response_bytes(LIMIT)
                    .timeout(Duration::from_secs(5))
                    .build()
                    .expect("hyper"),
            ),
        ),
    ];
    for chunked in [true, false] {
        let url = body_server(chunked, STREAMED).await;
        for (name, transport) in &transports {
            let started = std::time::Instant::now();
            let request = http::Request::get(url.as_str())
                .body(Bytes::new())
                .expect("request");
            let mut body = transport
                .send_streaming(request)
                .await
                .expect("the head arrives")
                .into_body();
            let (mut total, mut largest) = (0_u64, 0_usize);
            while let Some(chunk) = body.next().await {
                let chunk = chunk.expect("the body streams past the send limit");
                largest = largest.max(chunk.len());
                total += chunk.len() as u64;
            }
            println!(
                "{name}, {} MiB {} body streamed (send limit {LIMIT} bytes, request timeout 5 s) in {:?}: largest chunk {largest} bytes, peak RSS so far {} KiB",
                STREAMED >> 20,
                if chunked { "chunked" } else { "declared" },
                started.elapsed(),
                peak_rss_kib()
            );
            assert_eq!(total, STREAMED);
            assert!(
                (largest as u64) < LIMIT,
                "a chunk of {largest} bytes is not streaming"
            );
        }
    }
}

#[tokio::test]
async fn a_stalled_body_fails_after_the_read_idle_timeout() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = [0u8; 4096];
                let _ = socket.read(&mut request).await;
                let _ = socket
                    .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{\"a\":")
                    .await;
                tokio::time::sleep(Duration::from_secs(30)).await;
            });
        }
    });
    let url = format!("http://{addr}/x");
    let transports: Vec<Box<dyn Transport>> = vec![
        Box::new(
            ReqwestTransport::builder()
                .read_idle_timeout(Duration::from_millis(200))
                .build()
                .expect("reqwest"),
        ),
        Box::new(
            HyperTransport::builder()
                .read_idle_timeout(Duration::from_millis(200))
                .build()
                .expect("hyper"),
        ),
    ];
    for transport in transports {
        let started = std::time::Instant::now();
        let request = http::Request::get(url.as_str())
            .body(Bytes::new())
            .expect("request");
        let err = transport.send(request).await.expect_err("stalled");
        println!("stalled body: {err} after {:?}", started.elapsed());
        assert_eq!(err.kind(), TransportErrorKind::Timeout, "{err}");
        // Streamed, the head arrives and the body then fails the same way.
        let request = http::Request::get(url.as_str())
            .body(Bytes::new())
            .expect("request");
        let body = transport
            .send_streaming(request)
            .await
            .expect("the head arrives")
            .into_body();
        let err = body
            .collect_limited(u64::MAX)
            .await
            .expect_err("stalled stream");
        println!("stalled streamed body: {err}");
        assert_eq!(err.kind(), TransportErrorKind::Timeout, "{err}");
    }
}

/// The whole-request timeout covers the head of a streamed response, not its body: a body
/// dripping for 3x the timeout streams to its end, as long as no gap passes the idle timeout.
#[tokio::test]
async fn a_streamed_body_outlives_the_request_timeout() {
    use futures::StreamExt as _;
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = [0u8; 4096];
                let _ = socket.read(&mut request).await;
                let _ = socket
                    .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 12\r\n\r\n")
                    .await;
                for _ in 0..12 {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    let _ = socket.write_all(b"x").await;
                }
            });
        }
    });
    let url = format!("http://{addr}/drip");
    let transports: Vec<Box<dyn Transport>> = vec![
        Box::new(
            ReqwestTransport::builder()
                .timeout(Duration::from_millis(200))
                .read_idle_timeout(Duration::from_secs(5))
                .build()
                .expect("reqwest"),
        ),
        Box::new(
            HyperTransport::builder()
                .timeout(Duration::from_millis(200))
                .read_idle_timeout(Duration::from_secs(5))
                .build()
                .expect("hyper"),
        ),
    ];
    for transport in transports {
        let started = std::time::Instant::now();
        let request = http::Request::get(url.as_str())
            .body(Bytes::new())
            .expect("request");
        let err = transport
            .send(request)
            .await
            .expect_err("send waits for the whole body");
        assert_eq!(err.kind(), TransportErrorKind::Timeout, "{err}");
        let request = http::Request::get(url.as_str())
            .body(Bytes::new())
            .expect("request");
        let mut body = transport
            .send_streaming(request)
            .await
            .expect("the head arrives in time")
            .into_body();
        let mut total = 0;
        while let Some(chunk) = body.next().await {
            total += chunk.expect("no gap passes the idle timeout").len();
        }
        println!(
            "12-byte body dripped over {:?} past a 200 ms request timeout: {total} bytes",
            started.elapsed()
        );
        assert_eq!(total, 12);
    }
}
