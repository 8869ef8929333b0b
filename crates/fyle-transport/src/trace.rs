//! The tracing layer: [`TracingTransport`].

use std::future::Future;

use async_trait::async_trait;
use bytes::Bytes;
use http::{Request, Response};
use tracing::Instrument;

use crate::retry::Attempt;
use crate::{BodyStream, SharedTransport, Transport, TransportError};

/// A layer that opens one `tracing` span per HTTP attempt.
///
/// The span is named `fyle.http` and records `method`, `host`, `path` (never the query string),
/// `attempt` (1-based, set by the retry layer), `streaming` (a
/// [`send_streaming`](Transport::send_streaming) call, whose span ends with the head), and once the attempt ends `status` (or
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

/// The `fyle.http` span of one attempt at `request`.
fn span_for(request: &Request<Bytes>, streaming: bool) -> tracing::Span {
    let attempt = request.extensions().get::<Attempt>().map_or(1, |a| a.0);
    tracing::info_span!(
        "fyle.http",
        method = %request.method(),
        host = request.uri().host().unwrap_or_default(),
        path = request.uri().path(),
        attempt,
        streaming,
        status = tracing::field::Empty,
        error_kind = tracing::field::Empty,
        latency_ms = tracing::field::Empty,
    )
}

/// Runs `send` inside `span` and records its outcome; for a streamed response the span ends
/// with the head (the body is the caller's to read).
async fn traced<B>(
    span: tracing::Span,
    send: impl Future<Output = Result<Response<B>, TransportError>>,
) -> Result<Response<B>, TransportError> {
    let started = tokio::time::Instant::now();
    let outcome = send.instrument(span.clone()).await;
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

#[async_trait]
impl Transport for TracingTransport {
    async fn send(&self, request: Request<Bytes>) -> Result<Response<Bytes>, TransportError> {
        let span = span_for(&request, false);
        traced(span, self.inner.send(request)).await
    }

    async fn send_streaming(
        &self,
        request: Request<Bytes>,
    ) -> Result<Response<BodyStream>, TransportError> {
        let span = span_for(&request, true);
        traced(span, self.inner.send_streaming(request)).await
    }
}
