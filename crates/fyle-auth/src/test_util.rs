//! Test helpers (feature `test-util`): [`RecordingTransport`].

use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use bytes::Bytes;
use fyle_transport::{SharedTransport, Transport, TransportError};

/// One request as it left a [`RecordingTransport`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Sent {
    /// The method.
    pub method: http::Method,
    /// The full URI.
    pub uri: String,
    /// The headers.
    pub headers: http::HeaderMap,
    /// The body.
    pub body: Bytes,
}

impl Sent {
    /// The body as JSON.
    ///
    /// # Panics
    /// If the body is not JSON: a failed test.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("request body is JSON")
    }

    /// A header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The URI's path.
    pub fn path(&self) -> &str {
        let after_scheme = self
            .uri
            .split_once("://")
            .map_or(&*self.uri, |(_, rest)| rest);
        let path = after_scheme.find('/').map_or("", |i| &after_scheme[i..]);
        path.split('?').next().unwrap_or_default()
    }
}

/// Records every request, then hands it to the transport underneath (a real HTTP client
/// against a local mock server, or a scripted one). The auth and cluster tests share it.
#[derive(Debug)]
pub struct RecordingTransport {
    inner: SharedTransport,
    sent: Mutex<Vec<Sent>>,
}

impl RecordingTransport {
    /// Records what goes through to `inner`.
    pub fn new(inner: SharedTransport) -> Arc<Self> {
        Arc::new(Self {
            inner,
            sent: Mutex::new(Vec::new()),
        })
    }

    /// Every request so far, in order.
    pub fn sent(&self) -> Vec<Sent> {
        self.sent
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// How many requests went to a URI whose path is `path`.
    pub fn count(&self, path: &str) -> usize {
        self.sent().iter().filter(|s| s.path() == path).count()
    }
}

#[async_trait]
impl Transport for RecordingTransport {
    async fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, TransportError> {
        self.sent
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Sent {
                method: request.method().clone(),
                uri: request.uri().to_string(),
                headers: request.headers().clone(),
                body: request.body().clone(),
            });
        self.inner.send(request).await
    }
}
