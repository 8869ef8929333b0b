//! Test plumbing: a small reqwest-backed `Transport` that records what went through it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use fyle_auth::{Credentials, ManualClock, RefreshTokenProvider, RefreshTokenProviderBuilder};
use fyle_transport::{SharedTransport, Transport, TransportError, TransportErrorKind};
use url::Url;
use wiremock::MockServer;

pub(crate) const CLIENT_ID: &str = "tpaTESTCLIENT";
pub(crate) const CLIENT_SECRET: &str = "client-secret-3f9a1c";
pub(crate) const REFRESH_TOKEN: &str = "refresh-token-77d0e2";

/// One request as it left our `Transport`.
#[derive(Debug, Clone)]
pub(crate) struct Sent {
    pub(crate) method: http::Method,
    pub(crate) uri: String,
    pub(crate) headers: http::HeaderMap,
    pub(crate) body: Bytes,
}

impl Sent {
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("request body is JSON")
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
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

pub(crate) fn credentials(server: &MockServer) -> Credentials {
    Credentials::new(CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN)
        .with_accounts_url(Url::parse(&server.uri()).expect("wiremock URI"))
}

/// A provider against `server` with a manual clock and no jitter.
pub(crate) fn builder(
    server: &MockServer,
    transport: SharedTransport,
    clock: &Arc<ManualClock>,
) -> RefreshTokenProviderBuilder {
    RefreshTokenProvider::builder(credentials(server), transport)
        .clock(clock.clone())
        .jitter(Duration::ZERO)
}

pub(crate) fn token_answer(access: &str, expires_in: u64) -> serde_json::Value {
    serde_json::json!({ "access_token": access, "expires_in": expires_in })
}
