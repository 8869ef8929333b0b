//! The retry layer, in virtual time (`tokio::time::pause` via `start_paused`).

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use fyle_transport::{
    Idempotent, RetryPolicy, SharedTransport, Transport, TransportBuilder, TransportError,
    TransportErrorKind, transport_fn,
};
use http::{Method, Request, Response, StatusCode};
use tokio::time::Instant;

type Reply = Result<Response<Bytes>, TransportError>;

/// A scripted transport that records the (virtual) instant of every attempt. The script's
/// last reply repeats.
#[derive(Clone)]
struct Recorder {
    times: Arc<Mutex<Vec<Instant>>>,
}

impl Recorder {
    fn times(&self) -> Vec<Instant> {
        self.times.lock().expect("not poisoned").clone()
    }

    fn attempts(&self) -> usize {
        self.times.lock().expect("not poisoned").len()
    }

    fn gaps(&self) -> Vec<Duration> {
        self.times().windows(2).map(|w| w[1] - w[0]).collect()
    }
}

fn scripted(
    policy: RetryPolicy,
    script: impl Fn(usize) -> Reply + Send + Sync + 'static,
) -> (SharedTransport, Recorder) {
    let recorder = Recorder {
        times: Arc::new(Mutex::new(Vec::new())),
    };
    let times = recorder.times.clone();
    let script = Arc::new(script);
    let inner = transport_fn(move |_request: Request<Bytes>| {
        let attempt = {
            let mut times = times.lock().expect("not poisoned");
            times.push(Instant::now());
            times.len()
        };
        let reply = script(attempt);
        async move { reply }
    });
    (TransportBuilder::new(inner).retry(policy).build(), recorder)
}

#[expect(
    clippy::unnecessary_wraps,
    reason = "scripts return a Reply: a response or an error"
)]
fn status(code: u16, body: &str) -> Reply {
    let mut response = Response::new(Bytes::from(body.to_owned()));
    *response.status_mut() = StatusCode::from_u16(code).expect("valid status");
    Ok(response)
}

fn with_header(reply: Reply, name: &'static str, value: &str) -> Reply {
    reply.map(|mut response| {
        response
            .headers_mut()
            .insert(name, value.parse().expect("valid header value"));
        response
    })
}

fn error(kind: TransportErrorKind) -> Reply {
    Err(TransportError::new(kind, "scripted failure"))
}

fn get() -> Request<Bytes> {
    Request::get("https://us1.fylehq.com/platform/v1/admin/expenses")
        .body(Bytes::new())
        .expect("valid request")
}

fn post() -> Request<Bytes> {
    Request::post("https://us1.fylehq.com/platform/v1/admin/expenses")
        .body(Bytes::from_static(br#"{"data":{}}"#))
        .expect("valid request")
}

fn policy() -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(6)
        .base_delay(Duration::from_millis(100))
        .max_delay(Duration::from_secs(1))
}

#[tokio::test(start_paused = true)]
async fn get_schedule_without_jitter_doubles_up_to_the_cap() {
    let (transport, recorder) = scripted(policy().without_jitter(), |_| status(500, "down"));
    let response = transport.send(get()).await.expect("the last response");
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(recorder.attempts(), 6);
    let ms: Vec<u128> = recorder.gaps().iter().map(Duration::as_millis).collect();
    assert_eq!(ms, [100, 200, 400, 800, 1000]);
}

#[tokio::test(start_paused = true)]
async fn get_schedule_with_full_jitter_stays_within_growing_bounds() {
    let policy = policy();
    // Per retry n, the largest delay seen over many runs. Full jitter draws uniformly from
    // [0, bound(n)], so each bound must hold, and over 40 runs the maximum for a doubled bound
    // exceeds the previous bound except with probability 2^-40.
    let mut max_seen = [Duration::ZERO; 5];
    for _ in 0..40 {
        let (transport, recorder) = scripted(policy, |_| status(503, "busy"));
        let response = transport.send(get()).await.expect("the last response");
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(recorder.attempts(), 6);
        for (n, gap) in recorder.gaps().into_iter().enumerate() {
            let retry = u32::try_from(n + 1).expect("small");
            assert!(gap <= policy.backoff_bound(retry), "retry {retry}: {gap:?}");
            max_seen[n] = max_seen[n].max(gap);
        }
    }
    for n in 1..4 {
        let previous_bound = policy.backoff_bound(u32::try_from(n).expect("small"));
        assert!(
            max_seen[n] > previous_bound,
            "retry {} delays grow past the previous bound: {max_seen:?}",
            n + 1
        );
    }
    assert!(
        max_seen[4] <= Duration::from_secs(1),
        "capped: {max_seen:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn get_retried_on_connect_error_and_timeout_then_succeeds() {
    let (transport, recorder) = scripted(policy(), |attempt| match attempt {
        1 => error(TransportErrorKind::Connect),
        2 => error(TransportErrorKind::Timeout),
        3 => error(TransportErrorKind::Body),
        _ => status(200, "ok"),
    });
    let response = transport.send(get()).await.expect("a response");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(recorder.attempts(), 4);
}

#[tokio::test(start_paused = true)]
async fn get_not_retried_on_client_errors_or_tls() {
    let (transport, recorder) = scripted(policy(), |_| status(404, "missing"));
    let response = transport.send(get()).await.expect("a response");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(recorder.attempts(), 1);

    let (transport, recorder) = scripted(policy(), |_| error(TransportErrorKind::Tls));
    let err = transport.send(get()).await.expect_err("TLS fails");
    assert_eq!(err.kind(), TransportErrorKind::Tls);
    assert_eq!(recorder.attempts(), 1);
}

#[tokio::test(start_paused = true)]
async fn retry_after_seconds_is_honoured_on_429() {
    let (transport, recorder) = scripted(policy(), |attempt| {
        if attempt == 1 {
            with_header(status(429, "slow down"), "retry-after", "7")
        } else {
            status(200, "ok")
        }
    });
    let response = transport.send(get()).await.expect("a response");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(recorder.gaps(), [Duration::from_secs(7)]);
}

#[tokio::test(start_paused = true)]
async fn retry_after_http_date_is_honoured_on_503() {
    let (transport, recorder) = scripted(policy(), |attempt| {
        if attempt == 1 {
            let at = SystemTime::now() + Duration::from_secs(30);
            with_header(
                status(503, "maintenance"),
                "retry-after",
                &httpdate::fmt_http_date(at),
            )
        } else {
            status(200, "ok")
        }
    });
    let response = transport.send(get()).await.expect("a response");
    assert_eq!(response.status(), StatusCode::OK);
    let gaps = recorder.gaps();
    assert_eq!(gaps.len(), 1);
    // HTTP dates have one-second resolution.
    assert!(
        gaps[0] >= Duration::from_secs(28) && gaps[0] <= Duration::from_secs(30),
        "{gaps:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn retry_after_beyond_the_maximum_returns_the_response() {
    let policy = policy().max_retry_after(Duration::from_secs(60));
    let (transport, recorder) = scripted(policy, |_| {
        with_header(status(429, "come back tomorrow"), "retry-after", "86400")
    });
    let response = transport.send(get()).await.expect("the 429");
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.headers()["retry-after"], "86400");
    assert_eq!(recorder.attempts(), 1);
}

#[tokio::test(start_paused = true)]
async fn post_with_500_is_not_retried() {
    let (transport, recorder) = scripted(policy(), |_| status(500, "boom"));
    let response = transport.send(post()).await.expect("the 500");
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(response.body().as_ref(), b"boom");
    assert_eq!(recorder.attempts(), 1);
}

#[tokio::test(start_paused = true)]
async fn post_not_retried_on_timeout_or_plain_503() {
    let (transport, recorder) = scripted(policy(), |_| error(TransportErrorKind::Timeout));
    let err = transport.send(post()).await.expect_err("timeout");
    assert_eq!(err.kind(), TransportErrorKind::Timeout);
    assert_eq!(recorder.attempts(), 1);

    let (transport, recorder) = scripted(policy(), |_| status(503, "busy"));
    let response = transport.send(post()).await.expect("the 503");
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(recorder.attempts(), 1);
}

#[tokio::test(start_paused = true)]
async fn post_retried_when_the_server_cannot_have_acted() {
    let (transport, recorder) = scripted(policy(), |attempt| match attempt {
        1 => error(TransportErrorKind::Connect),
        2 => with_header(status(429, "slow down"), "retry-after", "1"),
        3 => with_header(status(429, "slow down"), "retry-after", "2"),
        _ => status(200, "created"),
    });
    let response = transport.send(post()).await.expect("a response");
    assert_eq!(response.body().as_ref(), b"created");
    assert_eq!(recorder.attempts(), 4);
    let gaps = recorder.gaps();
    assert_eq!(gaps[1..], [Duration::from_secs(1), Duration::from_secs(2)]);
}

#[tokio::test(start_paused = true)]
async fn post_not_retried_on_503_even_with_retry_after() {
    let (transport, recorder) = scripted(policy(), |_| {
        with_header(status(503, "maintenance"), "retry-after", "1")
    });
    let response = transport.send(post()).await.expect("the 503");
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    println!(
        "POST answered 503 + Retry-After: {} attempt",
        recorder.attempts()
    );
    assert_eq!(recorder.attempts(), 1);
}

#[tokio::test(start_paused = true)]
async fn status_501_and_505_are_never_retried() {
    for code in [501, 505] {
        let (transport, recorder) = scripted(policy(), move |_| status(code, "no"));
        let response = transport.send(get()).await.expect("the response");
        assert_eq!(response.status().as_u16(), code);
        println!("GET answered {code}: {} attempt", recorder.attempts());
        assert_eq!(recorder.attempts(), 1);
    }
}

#[tokio::test(start_paused = true)]
async fn post_with_connect_error_after_sending_is_not_retried() {
    let (transport, recorder) = scripted(policy(), |_| {
        Err(TransportError::new(TransportErrorKind::Connect, "reset").with_nothing_sent(false))
    });
    transport.send(post()).await.expect_err("reset");
    assert_eq!(recorder.attempts(), 1);
}

#[tokio::test(start_paused = true)]
async fn post_marked_idempotent_is_retried_on_500() {
    let (transport, recorder) = scripted(policy(), |attempt| {
        if attempt < 3 {
            status(500, "boom")
        } else {
            status(200, "ok")
        }
    });
    let mut request = post();
    request.extensions_mut().insert(Idempotent);
    let response = transport.send(request).await.expect("a response");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(recorder.attempts(), 3);
}

#[tokio::test(start_paused = true)]
async fn exhausted_retries_return_the_last_response_as_is() {
    let (transport, recorder) = scripted(policy().max_attempts(4), |attempt| {
        with_header(
            status(502, &format!("attempt {attempt}")),
            "x-attempt",
            &attempt.to_string(),
        )
    });
    let response = transport.send(get()).await.expect("the last response");
    assert_eq!(recorder.attempts(), 4);
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    assert_eq!(response.body().as_ref(), b"attempt 4");
    assert_eq!(response.headers()["x-attempt"], "4");
}

#[tokio::test(start_paused = true)]
async fn exhausted_retries_return_the_last_error_as_is() {
    let (transport, recorder) = scripted(policy().max_attempts(3), |attempt| {
        Err(TransportError::new(
            TransportErrorKind::Timeout,
            format!("attempt {attempt}"),
        ))
    });
    let err = transport.send(get()).await.expect_err("the last error");
    assert_eq!(recorder.attempts(), 3);
    assert_eq!(err.kind(), TransportErrorKind::Timeout);
    assert_eq!(err.message(), "attempt 3");
}

#[tokio::test(start_paused = true)]
async fn a_policy_in_the_request_overrides_the_layer() {
    let (transport, recorder) = scripted(policy(), |_| status(500, "boom"));
    let mut request = get();
    request.extensions_mut().insert(RetryPolicy::no_retry());
    let response = transport.send(request).await.expect("the 500");
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(recorder.attempts(), 1);
}

#[tokio::test(start_paused = true)]
async fn replays_carry_method_uri_headers_and_body() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let inner = transport_fn(move |request: Request<Bytes>| {
        let mut log = log.lock().expect("not poisoned");
        log.push((
            request.method().clone(),
            request.uri().to_string(),
            request.headers().get("x-trace").cloned(),
            request.body().clone(),
            request
                .extensions()
                .get::<fyle_transport::Attempt>()
                .copied(),
        ));
        let reply = if log.len() < 3 {
            status(500, "")
        } else {
            status(200, "")
        };
        async move { reply }
    });
    let transport = TransportBuilder::new(inner).retry(policy()).build();
    let mut request = Request::builder()
        .method(Method::POST)
        .uri("https://us1.fylehq.com/platform/v1/admin/reports?x=1")
        .header("x-trace", "t1")
        .body(Bytes::from_static(b"payload"))
        .expect("valid request");
    request.extensions_mut().insert(Idempotent);
    transport.send(request).await.expect("a response");
    let seen = seen.lock().expect("not poisoned");
    assert_eq!(seen.len(), 3);
    for (i, (method, uri, header, body, attempt)) in seen.iter().enumerate() {
        assert_eq!(*method, Method::POST);
        assert_eq!(uri, "https://us1.fylehq.com/platform/v1/admin/reports?x=1");
        assert_eq!(
            header.as_ref().map(http::HeaderValue::as_bytes),
            Some(&b"t1"[..])
        );
        assert_eq!(body.as_ref(), b"payload");
        assert_eq!(
            attempt.map(|a| a.0),
            Some(u32::try_from(i + 1).expect("small"))
        );
    }
}

#[tokio::test(start_paused = true)]
async fn a_shared_budget_stops_retries_during_an_outage() {
    let budget = fyle_transport::RetryBudget::new(2);
    let down = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let calls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let make = || {
        let down = down.clone();
        let calls = calls.clone();
        let inner = transport_fn(move |_request: Request<Bytes>| {
            calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let code = if down.load(std::sync::atomic::Ordering::SeqCst) {
                500
            } else {
                200
            };
            let reply = status(code, "");
            async move { reply }
        });
        TransportBuilder::new(inner)
            .retry(policy().max_attempts(10))
            .retry_budget(budget.clone())
            .build()
    };
    let (client_a, client_b) = (make(), make());

    let response = client_a.send(get()).await.expect("the last response");
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        calls.load(std::sync::atomic::Ordering::SeqCst),
        3,
        "1 attempt + 2 budgeted retries"
    );
    let response = client_b.send(get()).await.expect("the response");
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        calls.load(std::sync::atomic::Ordering::SeqCst),
        4,
        "the shared budget is spent"
    );

    // Recovery: first-attempt successes refill the bucket, 0.1 token each.
    down.store(false, std::sync::atomic::Ordering::SeqCst);
    for _ in 0..10 {
        client_b.send(get()).await.expect("a response");
    }
    assert_eq!(budget.available(), 1);
}

#[tokio::test(start_paused = true)]
async fn the_call_deadline_bounds_retry_after_waits_and_hung_attempts() {
    // Retry-After 50 s twice would take 100 s: a 60 s deadline stops after the first wait.
    let policy = policy().max_attempts(5).deadline(Duration::from_secs(60));
    let (transport, recorder) = scripted(policy, |_| {
        with_header(status(503, "maintenance"), "retry-after", "50")
    });
    let started = Instant::now();
    let response = transport.send(get()).await.expect("the last 503");
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    println!(
        "503 + Retry-After 50 s under a 60 s deadline: {} attempts in {:?}",
        recorder.attempts(),
        started.elapsed()
    );
    assert_eq!(recorder.attempts(), 2);
    assert!(started.elapsed() <= Duration::from_secs(60));

    // An attempt that never answers ends at the deadline with a typed timeout.
    let hung = fyle_transport::transport_fn(|_request| std::future::pending());
    let transport = fyle_transport::RetryTransport::new(
        Arc::new(hung),
        RetryPolicy::default().deadline(Duration::from_secs(5)),
    );
    let started = Instant::now();
    let err = transport.send(get()).await.expect_err("deadline");
    assert_eq!(err.kind(), TransportErrorKind::Timeout, "{err}");
    assert_eq!(started.elapsed(), Duration::from_secs(5));
    assert!(
        RetryPolicy::default().get_deadline().is_some(),
        "on by default"
    );
}

/// Streams a 503 head first, then a 200 whose body breaks after one chunk.
#[derive(Debug, Default)]
struct BreaksMidBody {
    attempts: std::sync::atomic::AtomicUsize,
}

#[async_trait::async_trait]
impl Transport for BreaksMidBody {
    async fn send(&self, _request: Request<Bytes>) -> Reply {
        Err(TransportError::new(
            TransportErrorKind::Other,
            "this test only streams",
        ))
    }

    async fn send_streaming(
        &self,
        _request: Request<Bytes>,
    ) -> Result<Response<fyle_transport::BodyStream>, TransportError> {
        let attempt = self
            .attempts
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst)
            + 1;
        let (status, chunks) = if attempt == 1 {
            (StatusCode::SERVICE_UNAVAILABLE, vec![])
        } else {
            (
                StatusCode::OK,
                vec![
                    Ok(Bytes::from_static(b"first chunk")),
                    Err(TransportError::new(TransportErrorKind::Body, "reset")),
                ],
            )
        };
        let mut response = Response::new(fyle_transport::BodyStream::new(futures::stream::iter(
            chunks,
        )));
        *response.status_mut() = status;
        Ok(response)
    }
}

#[tokio::test(start_paused = true)]
async fn streaming_retries_the_head_but_never_a_started_body() {
    use futures::StreamExt as _;
    let inner = Arc::new(BreaksMidBody::default());
    let transport = TransportBuilder::from_shared(inner.clone())
        .retry(policy())
        .build();
    let response = transport
        .send_streaming(get())
        .await
        .expect("the 503 head is retried, the 200 head returned");
    assert_eq!(response.status(), StatusCode::OK);
    let chunks: Vec<_> = response.into_body().collect().await;
    assert_eq!(chunks.len(), 2);
    assert_eq!(
        chunks[1].as_ref().expect_err("the body broke").kind(),
        TransportErrorKind::Body
    );
    assert_eq!(
        inner.attempts.load(std::sync::atomic::Ordering::SeqCst),
        2,
        "one retry for the 503 head, none for the broken body"
    );
}
