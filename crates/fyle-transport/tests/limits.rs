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

/// Serves every connection a 2 GB body of zeros: chunked, or with `Content-Length`.
async fn huge_body_server(chunked: bool) -> String {
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
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {TWO_GB}\r\n\r\n"
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
                while sent < TWO_GB {
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
    }
}
