//! A prototype of a fair limiter for the multi-tenant comparison (not the SDK's): each request
//! reserves the next free slot (`max(now, next)`, then `next += interval`) under a lock and
//! sleeps until it, so requests pass strictly in arrival order and each waiter sleeps once.
//!
//! The SDK's limiter (`fyle_transport::RateLimiter`, GCRA via `governor`) instead has every
//! waiter sleep until the next free slot and then race for it: all waiters wake together, the
//! first one polled wins, the others sleep again. Who wins is the runtime's wake order, not
//! arrival order.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use fyle::transport::{SharedTransport, Transport, TransportError};
use tokio::time::Instant;

/// Requests through `inner`, evenly spaced, in arrival order.
#[derive(Debug, Clone)]
pub(crate) struct FifoLimit {
    inner: SharedTransport,
    interval: Duration,
    next: Arc<Mutex<Option<Instant>>>,
}

impl FifoLimit {
    /// At most `per_second` requests per second through `inner`.
    pub(crate) fn wrap(inner: SharedTransport, per_second: u32) -> SharedTransport {
        Arc::new(Self {
            inner,
            interval: Duration::from_secs(1) / per_second.max(1),
            next: Arc::new(Mutex::new(None)),
        })
    }

    /// Reserves the next free slot: the time this request may go.
    fn reserve(&self) -> Instant {
        let now = Instant::now();
        let mut next = self.next.lock().unwrap_or_else(PoisonError::into_inner);
        let slot = next.map_or(now, |at| at.max(now));
        *next = Some(slot + self.interval);
        slot
    }
}

#[async_trait]
impl Transport for FifoLimit {
    async fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, TransportError> {
        tokio::time::sleep_until(self.reserve()).await;
        self.inner.send(request).await
    }
}
