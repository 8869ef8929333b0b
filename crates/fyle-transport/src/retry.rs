//! The retry layer: [`RetryPolicy`] and [`RetryTransport`].

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use bytes::Bytes;
use http::{HeaderMap, Request, Response, StatusCode};

use crate::{
    BodyStream, Idempotent, RetryBudget, SharedTransport, Transport, TransportError,
    TransportErrorKind,
};

/// When and how often the retry layer sends a request again.
///
/// Exponential backoff with full jitter: before retry `n` (1-based) the layer sleeps a random
/// duration in `[0, min(max_delay, base_delay * 2^(n-1))]`, unless a 429 or 503 response carries
/// a `Retry-After` header (seconds or HTTP date), which is then honoured exactly (up to
/// [`max_retry_after`](Self::max_retry_after); a longer wait returns the response as-is).
///
/// What is retried:
/// - idempotent requests (GET, HEAD, PUT, DELETE, OPTIONS, TRACE, or any request carrying the
///   [`Idempotent`] extension): connect errors, timeouts, broken bodies, 429 and any 5xx but
///   501 and 505 (which answer the same every time);
/// - other requests (POST): only when the server cannot have acted on it: a connect failure
///   before any byte was sent ([`TransportError::nothing_sent`]) and 429. Never a 5xx, not
///   even a 503 with `Retry-After` (a proxy may answer 503 after the server acted).
///
/// When the attempts are exhausted the last outcome is returned as-is: the last response with
/// its status and body, or the last error.
///
/// A `RetryPolicy` placed in a request's extensions overrides the layer's policy for that
/// request (e.g. `RetryPolicy::no_retry()`).
///
/// ```
/// use std::time::Duration;
/// use fyle_transport::RetryPolicy;
///
/// let policy = RetryPolicy::default()
///     .max_attempts(5)
///     .base_delay(Duration::from_millis(100))
///     .max_delay(Duration::from_secs(5));
/// assert_eq!(policy.get_max_attempts(), 5);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    base_delay: Duration,
    max_delay: Duration,
    max_retry_after: Duration,
    jitter: bool,
    deadline: Option<Duration>,
}

/// The default deadline of one call, all attempts and waits included: 120 s.
pub const DEFAULT_CALL_DEADLINE: Duration = Duration::from_secs(120);

impl Default for RetryPolicy {
    /// 4 attempts (1 + 3 retries), 200 ms base delay, 10 s cap, `Retry-After` honoured up to
    /// 60 s, full jitter, a [`DEFAULT_CALL_DEADLINE`] for the whole call.
    fn default() -> Self {
        Self {
            max_attempts: 4,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(10),
            max_retry_after: Duration::from_secs(60),
            jitter: true,
            deadline: Some(DEFAULT_CALL_DEADLINE),
        }
    }
}

impl RetryPolicy {
    /// The default policy (see [`Default`]).
    pub fn new() -> Self {
        Self::default()
    }

    /// A policy that sends every request exactly once.
    pub fn no_retry() -> Self {
        Self::default().max_attempts(1)
    }

    /// Total attempts including the first one (minimum 1).
    #[must_use]
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The backoff bound before the first retry; it doubles for each further retry.
    #[must_use]
    pub fn base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// The cap on the backoff bound.
    #[must_use]
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// The longest `Retry-After` the layer waits for; a longer one ends the retries and the
    /// response is returned to the caller.
    #[must_use]
    pub fn max_retry_after(mut self, delay: Duration) -> Self {
        self.max_retry_after = delay;
        self
    }

    /// Disables the jitter: the delay before retry `n` is exactly
    /// `min(max_delay, base_delay * 2^(n-1))`. Meant for tests and diagnostics.
    #[must_use]
    pub fn without_jitter(mut self) -> Self {
        self.jitter = false;
        self
    }

    /// The longest one call may take, every attempt and wait included: a retry whose wait would
    /// pass it is not made (the last outcome is returned), and an attempt still running at it
    /// fails with [`TransportErrorKind::Timeout`](crate::TransportErrorKind::Timeout).
    #[must_use]
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// Removes the per-call deadline (each attempt still has the transport's timeouts).
    #[must_use]
    pub fn no_deadline(mut self) -> Self {
        self.deadline = None;
        self
    }

    /// The per-call deadline, if any.
    pub fn get_deadline(&self) -> Option<Duration> {
        self.deadline
    }

    /// Total attempts including the first one.
    pub fn get_max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The upper bound of the backoff before retry `retry` (1-based):
    /// `min(max_delay, base_delay * 2^(retry-1))`.
    pub fn backoff_bound(&self, retry: u32) -> Duration {
        let exp = retry.saturating_sub(1).min(31);
        self.base_delay
            .checked_mul(1_u32 << exp)
            .unwrap_or(self.max_delay)
            .min(self.max_delay)
    }

    fn backoff(&self, retry: u32) -> Duration {
        let bound = self.backoff_bound(retry);
        if !self.jitter || bound.is_zero() {
            return bound;
        }
        let nanos = u64::try_from(bound.as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(fastrand::u64(0..=nanos))
    }
}

/// 501 (not implemented) and 505 (HTTP version not supported) answer the same every time:
/// retrying them only adds load.
fn is_permanent(status: StatusCode) -> bool {
    matches!(
        status,
        StatusCode::NOT_IMPLEMENTED | StatusCode::HTTP_VERSION_NOT_SUPPORTED
    )
}

/// Whether a request may be replayed after a failure the server may have acted on.
fn is_idempotent<B>(request: &Request<B>) -> bool {
    request.method().is_idempotent() || request.extensions().get::<Idempotent>().is_some()
}

/// Parses `Retry-After` as delta-seconds or an HTTP date (relative to `now`, the wall clock).
pub(crate) fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

/// The wall clock an HTTP-date `Retry-After` is measured against: the system clock, or one a
/// test injects (the backoff itself sleeps in `tokio::time`, which a test can pause, but a date
/// can only be compared with a wall clock).
#[derive(Clone)]
pub struct WallClock(Arc<dyn Fn() -> SystemTime + Send + Sync>);

impl WallClock {
    /// The system clock.
    pub fn system() -> Self {
        Self(Arc::new(SystemTime::now))
    }

    /// A clock that reads `now()`, e.g. a fixed instant in a test.
    pub fn from_fn(now: impl Fn() -> SystemTime + Send + Sync + 'static) -> Self {
        Self(Arc::new(now))
    }

    /// The current time on this clock.
    pub fn now(&self) -> SystemTime {
        (self.0)()
    }
}

impl Default for WallClock {
    fn default() -> Self {
        Self::system()
    }
}

impl std::fmt::Debug for WallClock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WallClock")
    }
}

enum Decision {
    Stop,
    RetryAfter(Option<Duration>),
}

fn decide<B>(
    idempotent: bool,
    outcome: &Result<Response<B>, TransportError>,
    now: SystemTime,
) -> Decision {
    match outcome {
        Err(err) => {
            if err.is_retryable() && (idempotent || err.nothing_sent()) {
                Decision::RetryAfter(None)
            } else {
                Decision::Stop
            }
        }
        Ok(response) => {
            let status = response.status();
            let after = || retry_after(response.headers(), now);
            if status == StatusCode::TOO_MANY_REQUESTS {
                Decision::RetryAfter(after())
            } else if is_permanent(status) || !idempotent {
                // A 503 to a POST may come from a server that acted before failing (a proxy in
                // front of it, a timeout after the commit): never replayed.
                Decision::Stop
            } else if status.is_server_error() {
                Decision::RetryAfter(if status == StatusCode::SERVICE_UNAVAILABLE {
                    after()
                } else {
                    None
                })
            } else {
                Decision::Stop
            }
        }
    }
}

/// The attempt number (1-based) of a request, set by [`RetryTransport`] in the request's
/// extensions so inner layers (e.g. tracing) can report it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempt(pub u32);

/// A layer that retries another [`Transport`] according to a [`RetryPolicy`], optionally
/// bounded by a shared [`RetryBudget`].
///
/// Sleeps with `tokio::time`, so tests can run it in virtual time (`tokio::time::pause`).
#[derive(Debug, Clone)]
pub struct RetryTransport {
    inner: SharedTransport,
    policy: RetryPolicy,
    budget: Option<RetryBudget>,
    clock: WallClock,
}

impl RetryTransport {
    /// Wraps `inner` with `policy`.
    pub fn new(inner: SharedTransport, policy: RetryPolicy) -> Self {
        Self {
            inner,
            policy,
            budget: None,
            clock: WallClock::system(),
        }
    }

    /// Measures HTTP-date `Retry-After` values against `clock` instead of the system clock.
    #[must_use]
    pub fn with_wall_clock(mut self, clock: WallClock) -> Self {
        self.clock = clock;
        self
    }

    /// Bounds the retries by `budget` (shared by every layer holding a clone of it).
    #[must_use]
    pub fn with_budget(mut self, budget: RetryBudget) -> Self {
        self.budget = Some(budget);
        self
    }
}

fn replay(request: &Request<Bytes>, attempt: u32) -> Request<Bytes> {
    let mut copy = request.clone();
    copy.extensions_mut().insert(Attempt(attempt));
    copy
}

/// One attempt's future, as the inner transport returns it (boxed by `async_trait`).
type Sending<'a, B> =
    Pin<Box<dyn Future<Output = Result<Response<B>, TransportError>> + Send + 'a>>;

#[async_trait]
impl Transport for RetryTransport {
    async fn send(&self, request: Request<Bytes>) -> Result<Response<Bytes>, TransportError> {
        self.call(request, &|r| self.inner.send(r)).await
    }

    /// Retries exactly as [`send`](Transport::send) does until a response head is accepted;
    /// nothing is retried once its body started (a replay would repeat bytes already handed
    /// out), and the call deadline covers the head only.
    async fn send_streaming(
        &self,
        request: Request<Bytes>,
    ) -> Result<Response<BodyStream>, TransportError> {
        self.call(request, &|r| self.inner.send_streaming(r)).await
    }
}

impl RetryTransport {
    /// The attempts of one call through `send`, within the policy's deadline.
    async fn call<'a, B: Send>(
        &'a self,
        request: Request<Bytes>,
        send: &(dyn Fn(Request<Bytes>) -> Sending<'a, B> + Send + Sync),
    ) -> Result<Response<B>, TransportError> {
        let policy = request
            .extensions()
            .get::<RetryPolicy>()
            .copied()
            .unwrap_or(self.policy);
        let Some(deadline) = policy.deadline else {
            return self.attempts(request, policy, None, send).await;
        };
        let uri = request.uri().clone();
        let until = tokio::time::Instant::now() + deadline;
        tokio::time::timeout_at(until, self.attempts(request, policy, Some(until), send))
            .await
            .unwrap_or_else(|_| {
                Err(TransportError::new(
                    TransportErrorKind::Timeout,
                    format!(
                        "no response within the {} ms call deadline",
                        deadline.as_millis()
                    ),
                )
                .with_uri(&uri))
            })
    }

    async fn attempts<'a, B: Send>(
        &'a self,
        request: Request<Bytes>,
        policy: RetryPolicy,
        until: Option<tokio::time::Instant>,
        send: &(dyn Fn(Request<Bytes>) -> Sending<'a, B> + Send + Sync),
    ) -> Result<Response<B>, TransportError> {
        let idempotent = is_idempotent(&request);
        let mut attempt = 1;
        loop {
            let outcome = if attempt >= policy.max_attempts {
                let mut last = request;
                last.extensions_mut().insert(Attempt(attempt));
                return send(last).await;
            } else {
                send(replay(&request, attempt)).await
            };
            let delay = match decide(idempotent, &outcome, self.clock.now()) {
                Decision::Stop => {
                    if attempt == 1
                        && let (Some(budget), Ok(response)) = (&self.budget, &outcome)
                        && !response.status().is_server_error()
                    {
                        budget.deposit();
                    }
                    return outcome;
                }
                Decision::RetryAfter(Some(after)) if after > policy.max_retry_after => {
                    return outcome;
                }
                Decision::RetryAfter(Some(after)) => after,
                Decision::RetryAfter(None) => policy.backoff(attempt),
            };
            if until.is_some_and(|until| tokio::time::Instant::now() + delay >= until) {
                tracing::debug!(
                    attempt,
                    "the wait would pass the call deadline, not retrying"
                );
                return outcome;
            }
            if let Some(budget) = &self.budget
                && !budget.try_withdraw()
            {
                tracing::debug!(attempt, "retry budget exhausted, not retrying");
                return outcome;
            }
            tracing::debug!(
                method = %request.method(),
                path = request.uri().path(),
                attempt,
                delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                status = outcome.as_ref().ok().map(|r| r.status().as_u16()),
                error_kind = outcome.as_ref().err().map(|e| e.kind().as_str()),
                "retrying request"
            );
            drop(outcome);
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_bound_doubles_and_caps() {
        let policy = RetryPolicy::default()
            .base_delay(Duration::from_millis(100))
            .max_delay(Duration::from_secs(1));
        assert_eq!(policy.backoff_bound(1), Duration::from_millis(100));
        assert_eq!(policy.backoff_bound(2), Duration::from_millis(200));
        assert_eq!(policy.backoff_bound(4), Duration::from_millis(800));
        assert_eq!(policy.backoff_bound(5), Duration::from_secs(1));
        assert_eq!(policy.backoff_bound(100), Duration::from_secs(1));
    }

    #[test]
    fn retry_after_parses_seconds_and_dates() {
        let mut headers = HeaderMap::new();
        headers.insert(
            http::header::RETRY_AFTER,
            http::HeaderValue::from_static("7"),
        );
        let now = SystemTime::now();
        assert_eq!(retry_after(&headers, now), Some(Duration::from_secs(7)));
        headers.insert(
            http::header::RETRY_AFTER,
            http::HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&headers, now), Some(Duration::ZERO));
        headers.insert(
            http::header::RETRY_AFTER,
            http::HeaderValue::from_static("soon"),
        );
        assert_eq!(retry_after(&headers, now), None);
    }
}
