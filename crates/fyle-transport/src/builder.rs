//! [`TransportBuilder`]: composes the layers around a transport.

use std::sync::Arc;

use crate::{
    RateLimitTransport, RateLimiter, RetryBudget, RetryPolicy, RetryTransport, SharedTransport,
    TracingTransport, Transport,
};

/// Composes the retry, rate-limit and tracing layers around any [`Transport`].
///
/// The layers always stack in the same order, whatever order the methods are called in:
/// retry (outermost) → rate limit → tracing → the inner transport. So every retry waits for
/// the limiter, and the tracing span covers exactly one HTTP attempt.
///
/// ```
/// use fyle_transport::{transport_fn, RateLimiter, RetryPolicy, TransportBuilder};
///
/// let inner = transport_fn(|_request| async {
///     Ok(http::Response::new(bytes::Bytes::from_static(b"{}")))
/// });
/// let transport = TransportBuilder::new(inner)
///     .retry(RetryPolicy::default())
///     .rate_limit(RateLimiter::per_second(10))
///     .tracing()
///     .build();
/// # let _ = transport;
/// ```
#[derive(Debug, Clone)]
pub struct TransportBuilder {
    inner: SharedTransport,
    retry: Option<RetryPolicy>,
    budget: Option<RetryBudget>,
    limiter: Option<RateLimiter>,
    tracing: bool,
}

impl TransportBuilder {
    /// Starts from `inner` (a concrete transport or a [`SharedTransport`]) with no layer.
    pub fn new(inner: impl Transport + 'static) -> Self {
        Self::from_shared(Arc::new(inner))
    }

    /// Starts from an already shared transport, without wrapping it in another `Arc`.
    pub fn from_shared(inner: SharedTransport) -> Self {
        Self {
            inner,
            retry: None,
            budget: None,
            limiter: None,
            tracing: false,
        }
    }

    /// Every default layer: the default [`RetryPolicy`] (with its per-call deadline), a default
    /// [`RetryBudget`], a [`DEFAULT_REQUESTS_PER_SECOND`](crate::DEFAULT_REQUESTS_PER_SECOND)
    /// [`RateLimiter`] and tracing. Later calls replace a layer's setting (for example
    /// `.rate_limit(shared)`).
    #[must_use]
    pub fn with_defaults(self) -> Self {
        self.retry(RetryPolicy::default())
            .retry_budget(RetryBudget::default())
            .rate_limit(RateLimiter::per_second(crate::DEFAULT_REQUESTS_PER_SECOND))
            .tracing()
    }

    /// Adds the retry layer with `policy`.
    #[must_use]
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Bounds the retries by a [`RetryBudget`] (share clones of one budget across clients).
    /// Without [`retry`](Self::retry) it adds the retry layer with the default policy.
    #[must_use]
    pub fn retry_budget(mut self, budget: RetryBudget) -> Self {
        self.budget = Some(budget);
        self
    }

    /// Adds the rate-limit layer; pass a clone of one limiter to several builders to share its
    /// budget.
    #[must_use]
    pub fn rate_limit(mut self, limiter: RateLimiter) -> Self {
        self.limiter = Some(limiter);
        self
    }

    /// Adds the tracing layer (one span per HTTP attempt).
    #[must_use]
    pub fn tracing(mut self) -> Self {
        self.tracing = true;
        self
    }

    /// Builds the layered transport.
    pub fn build(self) -> SharedTransport {
        let mut transport = self.inner;
        if self.tracing {
            transport = Arc::new(TracingTransport::new(transport));
        }
        if let Some(limiter) = self.limiter {
            transport = Arc::new(RateLimitTransport::new(transport, limiter));
        }
        if self.retry.is_some() || self.budget.is_some() {
            let mut retry = RetryTransport::new(transport, self.retry.unwrap_or_default());
            if let Some(budget) = self.budget {
                retry = retry.with_budget(budget);
            }
            transport = Arc::new(retry);
        }
        transport
    }
}
