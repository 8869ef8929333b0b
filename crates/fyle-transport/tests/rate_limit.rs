//! The client-side rate limiter, in virtual time.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use fyle_transport::{
    RateLimiter, SharedTransport, Transport, TransportBuilder, TransportErrorKind, transport_fn,
};
use http::{Request, Response};
use tokio::time::Instant;

type Log = Arc<Mutex<Vec<Instant>>>;

/// A transport through `limiter` that records when each request reached the inner transport.
fn limited(limiter: &RateLimiter, log: &Log) -> SharedTransport {
    let log = log.clone();
    let inner = transport_fn(move |_request: Request<Bytes>| {
        log.lock().expect("not poisoned").push(Instant::now());
        async { Ok(Response::new(Bytes::new())) }
    });
    TransportBuilder::new(inner)
        .rate_limit(limiter.clone())
        .build()
}

fn request() -> Request<Bytes> {
    Request::get("https://us1.fylehq.com/platform/v1/admin/expenses")
        .body(Bytes::new())
        .expect("valid request")
}

fn sorted(log: &Log) -> Vec<Instant> {
    let mut times = log.lock().expect("not poisoned").clone();
    times.sort();
    times
}

/// No one-second window holds more than `per_second` requests.
fn assert_rate(times: &[Instant], per_second: usize) {
    for window in times.windows(per_second + 1) {
        let span = window[per_second] - window[0];
        assert!(
            span >= Duration::from_secs(1),
            "{} requests within {span:?}",
            per_second + 1
        );
    }
}

#[tokio::test(start_paused = true)]
async fn holds_ten_per_second_over_fifty_sequential_requests() {
    let limiter = RateLimiter::per_second(10);
    let log = Log::default();
    let transport = limited(&limiter, &log);
    let start = Instant::now();
    for _ in 0..50 {
        transport.send(request()).await.expect("a response");
    }
    let times = sorted(&log);
    assert_eq!(times.len(), 50);
    assert_rate(&times, 10);
    // Evenly spaced: the 50th request leaves 4.9 s (virtual) after the first.
    let elapsed = times[49] - start;
    assert!(
        elapsed >= Duration::from_millis(4900) && elapsed < Duration::from_secs(5),
        "{elapsed:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn holds_ten_per_second_over_fifty_concurrent_requests() {
    let limiter = RateLimiter::default();
    let log = Log::default();
    let transport = limited(&limiter, &log);
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let transport = transport.clone();
            tokio::spawn(async move { transport.send(request()).await })
        })
        .collect();
    for task in tasks {
        task.await.expect("task ran").expect("a response");
    }
    let times = sorted(&log);
    assert_eq!(times.len(), 50);
    assert_rate(&times, 10);
}

#[tokio::test(start_paused = true)]
async fn two_clients_sharing_one_limiter_share_the_budget() {
    let shared = RateLimiter::per_second(10);
    let log = Log::default();
    let client_a = limited(&shared, &log);
    let client_b = limited(&shared, &log);
    let start = Instant::now();
    let run = |transport: SharedTransport| async move {
        for _ in 0..25 {
            transport.send(request()).await.expect("a response");
        }
    };
    tokio::join!(run(client_a), run(client_b));
    let times = sorted(&log);
    assert_eq!(times.len(), 50);
    assert_rate(&times, 10);
    assert!(times[49] - start >= Duration::from_millis(4900));

    // Control: two separate limiters give each client its own budget, twice the throughput.
    let log = Log::default();
    let client_c = limited(&RateLimiter::per_second(10), &log);
    let client_d = limited(&RateLimiter::per_second(10), &log);
    let start = Instant::now();
    tokio::join!(run(client_c), run(client_d));
    let times = sorted(&log);
    assert!(times[49] - start < Duration::from_millis(2500));
}

#[tokio::test(start_paused = true)]
async fn burst_lets_the_first_requests_through_at_once() {
    let limiter = RateLimiter::per_second(10).with_burst(5);
    let log = Log::default();
    let transport = limited(&limiter, &log);
    let start = Instant::now();
    for _ in 0..6 {
        transport.send(request()).await.expect("a response");
    }
    let times = sorted(&log);
    assert!(times[..5].iter().all(|t| *t == start));
    assert!(times[5] - start >= Duration::from_millis(100));
}

#[tokio::test(start_paused = true)]
async fn max_wait_refuses_instead_of_waiting() {
    let limiter = RateLimiter::per_second(1).max_wait(Duration::from_millis(100));
    let log = Log::default();
    let transport = limited(&limiter, &log);
    transport
        .send(request())
        .await
        .expect("the first request passes");
    let err = transport
        .send(request())
        .await
        .expect_err("the second would wait a second");
    assert_eq!(err.kind(), TransportErrorKind::RateLimited);
    assert_eq!(err.path(), "/platform/v1/admin/expenses");
    assert!(!err.is_retryable());
    assert_eq!(log.lock().expect("not poisoned").len(), 1);
}

#[tokio::test(start_paused = true)]
async fn every_sets_the_interval() {
    let limiter = RateLimiter::every(Duration::from_secs(2));
    let log = Log::default();
    let transport = limited(&limiter, &log);
    for _ in 0..3 {
        transport.send(request()).await.expect("a response");
    }
    let times = sorted(&log);
    assert!(times[2] - times[0] >= Duration::from_secs(4));
}

#[tokio::test(start_paused = true)]
async fn the_default_wait_for_a_slot_is_bounded() {
    // 1 request per 10 s: the 8th caller would wait 70 s, past the default 60 s bound.
    let limiter = fyle_transport::RateLimiter::every(std::time::Duration::from_secs(10));
    let mut refused = 0;
    for _ in 0..8 {
        let limiter = limiter.clone();
        if limiter.until_ready().await.is_err() {
            refused += 1;
        }
    }
    println!("8 sequential callers on a 1 per 10 s limiter: {refused} refused");
    assert!(
        refused == 0,
        "sequential waits of 10 s each stay under the bound"
    );
    let waiters: Vec<_> = (0..8)
        .map(|_| {
            let limiter = limiter.clone();
            tokio::spawn(async move { limiter.until_ready().await })
        })
        .collect();
    let mut refused = 0;
    for waiter in waiters {
        if waiter.await.expect("joined").is_err() {
            refused += 1;
        }
    }
    println!("8 concurrent callers on a 1 per 10 s limiter: {refused} refused after 60 s");
    assert!(refused > 0, "a caller queued past the bound is refused");
    assert_eq!(
        fyle_transport::DEFAULT_MAX_LIMITER_WAIT,
        std::time::Duration::from_secs(60)
    );
}

#[tokio::test(start_paused = true)]
async fn tenants_sharing_a_limiter_take_turns() {
    // 5 tenants, each sending 20 requests back to back through one 10/s limiter (virtual time):
    // each should finish near the end (100 slots), not one after another.
    let limiter = RateLimiter::per_second(10);
    let started = Instant::now();
    let tenants: Vec<_> = (0..5)
        .map(|_| {
            let limiter = limiter.clone();
            tokio::spawn(async move {
                for _ in 0..20 {
                    limiter.until_ready().await.expect("within the bound");
                }
                started.elapsed()
            })
        })
        .collect();
    let mut finished = Vec::new();
    for t in tenants {
        finished.push(t.await.expect("tenant task"));
    }
    let first = finished.iter().min().copied().unwrap_or_default();
    let last = finished.iter().max().copied().unwrap_or_default();
    let fairness = first.as_secs_f64() / last.as_secs_f64();
    println!(
        "5 tenants x 20 requests on one 10/s limiter: first done {first:?}, last {last:?}, fairness {fairness:.2}"
    );
    assert!(
        fairness >= 0.9,
        "tenants finished {finished:?}: one tenant took slot after slot"
    );
}
