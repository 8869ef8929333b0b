//! The tracing layer: [`TracingTransport`].

use async_trait::async_trait;
use bytes::Bytes;
use http::{Request, Response};
use tracing::Instrument;

use crate::retry::Attempt;
use crate::{SharedTransport, Transport, TransportError};

/// A layer that opens one `tracing` span per HTTP attempt.
///
/// The span is named `fyle.http` and records `method`, `host`, `path` (never the query string),
/// `attempt` (1-based, set by the retry layer), and once the attempt ends `status` (or
/// `error_kind` and `error`) and `latency_ms`. It never records a header value or a body, so
/// no token can reach the logs.
#[derive(Debug, Clone)]
pub struct TracingTransport {
    inner: SharedTransport,
}

impl TracingTransport {
    /// Wraps `inner`.
    pub fn new(inner: SharedTransport) -> Self {
        Self { inner }
    }
}

#[async_trait]
impl Transport for TracingTransport {
    async fn send(&self, request: Request<Bytes>) -> Result<Response<Bytes>, TransportError> {
        let attempt = request.extensions().get::<Attempt>().map_or(1, |a| a.0);
        let span = tracing::info_span!(
            "fyle.http",
            method = %request.method(),
            host = request.uri().host().unwrap_or_default(),
            path = request.uri().path(),
            attempt,
            status = tracing::field::Empty,
            error_kind = tracing::field::Empty,
            latency_ms = tracing::field::Empty,
        );
        let started = tokio::time::Instant::now();
        let outcome = self.inner.send(request).instrument(span.clone()).await;
        let latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        span.record("latency_ms", latency_ms);
        let _entered = span.enter();
        match &outcome {
            Ok(response) => {
                span.record("status", response.status().as_u16());
                tracing::debug!(
                    status = response.status().as_u16(),
                    latency_ms,
                    "response received"
                );
            }
            Err(err) => {
                span.record("error_kind", err.kind().as_str());
                tracing::debug!(error = %err, latency_ms, "request failed");
            }
        }
        outcome
    }
}
