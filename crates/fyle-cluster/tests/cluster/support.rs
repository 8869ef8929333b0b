//! Test plumbing: a small reqwest-backed `Transport` that records what went through it.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use bytes::Bytes;
use fyle_transport::{Transport, TransportError, TransportErrorKind};

/// One request as it left our `Transport`.
#[derive(Debug, Clone)]
pub(crate) struct Sent {
    pub(crate) method: http::Method,
    pub(crate) uri: String,
    pub(crate) headers: http::HeaderMap,
    pub(crate) body: Bytes,
}

/// Sends through reqwest (to wiremock on 127.0.0.1) and records every request.
#[derive(Debug, Default)]
pub(crate) struct RecordingTransport {
    client: reqwest::Client,
    sent: Mutex<Vec<Sent>>,
}

impl RecordingTransport {
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    pub(crate) fn sent(&self) -> Vec<Sent> {
        self.sent.lock().expect("not poisoned").clone()
    }
}

#[async_trait]
impl Transport for RecordingTransport {
    async fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, TransportError> {
        let (parts, body) = request.into_parts();
        self.sent.lock().expect("not poisoned").push(Sent {
            method: parts.method.clone(),
            uri: parts.uri.to_string(),
            headers: parts.headers.clone(),
            body: body.clone(),
        });
        let fail = |e: reqwest::Error| {
            TransportError::new(TransportErrorKind::Connect, "request failed")
                .with_uri(&parts.uri)
                .with_source(e)
        };
        let response = self
            .client
            .request(parts.method.clone(), parts.uri.to_string())
            .headers(parts.headers.clone())
            .body(body)
            .send()
            .await
            .map_err(fail)?;
        let mut builder = http::Response::builder().status(response.status());
        for (name, value) in response.headers() {
            builder = builder.header(name, value);
        }
        let bytes = response.bytes().await.map_err(fail)?;
        Ok(builder.body(bytes).expect("valid response parts"))
    }
}
