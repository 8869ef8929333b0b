//! A [`Transport`] wrapper that counts what goes through it: placed under the client's retry
//! layer (as its base transport) it sees every attempt, so it counts the 429s the client
//! received and the token requests it made. Shared by the bench and the drills (`#[path]`).

#![allow(dead_code)] // each includer uses a different subset of the counters

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use bytes::Bytes;
use fyle::transport::{SharedTransport, Transport, TransportError};

/// Counters of a [`CountingTransport`] (cheap to clone, shared).
#[derive(Debug, Default)]
pub(crate) struct Counts {
    /// Every attempt sent.
    pub(crate) requests: AtomicU64,
    /// Attempts to `…/oauth/token`.
    pub(crate) token_requests: AtomicU64,
    /// Attempts to `…/oauth/cluster`.
    pub(crate) cluster_requests: AtomicU64,
    /// Responses with status 429.
    pub(crate) too_many: AtomicU64,
    /// Responses with status 401.
    pub(crate) unauthorized: AtomicU64,
    /// Attempts that got no response (transport errors).
    pub(crate) errors: AtomicU64,
}

impl Counts {
    /// Reads one counter.
    pub(crate) fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::SeqCst)
    }
}

/// Counts the requests and outcomes of an inner transport.
#[derive(Debug, Clone)]
pub(crate) struct CountingTransport {
    inner: SharedTransport,
    counts: Arc<Counts>,
}

impl CountingTransport {
    /// Wraps `inner`; returns the shared transport and its counters.
    pub(crate) fn wrap(inner: SharedTransport) -> (SharedTransport, Arc<Counts>) {
        let counts = Arc::new(Counts::default());
        let transport = Self {
            inner,
            counts: Arc::clone(&counts),
        };
        (Arc::new(transport), counts)
    }
}

#[async_trait]
impl Transport for CountingTransport {
    async fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, TransportError> {
        let counts = &self.counts;
        counts.requests.fetch_add(1, Ordering::SeqCst);
        let path = request.uri().path().trim_end_matches('/');
        if path.ends_with("/oauth/token") {
            counts.token_requests.fetch_add(1, Ordering::SeqCst);
        } else if path.ends_with("/oauth/cluster") {
            counts.cluster_requests.fetch_add(1, Ordering::SeqCst);
        }
        let outcome = self.inner.send(request).await;
        match &outcome {
            Ok(response) if response.status() == http::StatusCode::TOO_MANY_REQUESTS => {
                counts.too_many.fetch_add(1, Ordering::SeqCst);
            }
            Ok(response) if response.status() == http::StatusCode::UNAUTHORIZED => {
                counts.unauthorized.fetch_add(1, Ordering::SeqCst);
            }
            Ok(_) => {}
            Err(_) => {
                counts.errors.fetch_add(1, Ordering::SeqCst);
            }
        }
        outcome
    }
}
