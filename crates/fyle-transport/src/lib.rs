//! The lowest layer of fyle-rs: one object-safe [`Transport`] trait that sends an
//! `http::Request<Bytes>` and returns an `http::Response<Bytes>`, two implementations and the
//! layers that wrap any of them.
//!
//! - [`Transport`] / [`SharedTransport`] (`Arc<dyn Transport>`): the currency of the upper layers.
//!   Any HTTP status is `Ok(response)`; a [`TransportError`] means no response at all.
//!   `send` reads the body whole, up to a maximum size; `send_streaming` hands it out as a
//!   [`BodyStream`] of chunks with no total cap (downloads), the read-idle timeout kept.
//! - `ReqwestTransport` (feature `reqwest`, default) and `HyperTransport` (feature `hyper`):
//!   rustls, connection pool, connect and request timeouts, redirects never followed.
//! - Layers composed by [`TransportBuilder`]: [`RetryTransport`] ([`RetryPolicy`], honouring
//!   `Retry-After` and the [`Idempotent`] marker), [`RateLimitTransport`] ([`RateLimiter`],
//!   shareable across clients) and [`TracingTransport`] (one span per attempt, no headers, no
//!   bodies).
//! - [`transport_fn`] for closure transports, and with feature `test-util` `MockTransport`.
//! - [`RetryBudget`]: a shared token bucket so an outage does not multiply the load.
//! - `default_transport()`: reqwest + retry (with a budget) + a 10 requests/s limiter + tracing.
//!
//! ```
//! use bytes::Bytes;
//! use fyle_transport::{
//!     transport_fn, RateLimiter, RetryPolicy, SharedTransport, TransportBuilder,
//! };
//!
//! # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
//! // Any transport: here a closure that always answers 200.
//! let inner = transport_fn(|_request| async { Ok(http::Response::new(Bytes::from_static(b"{}"))) });
//!
//! // One limiter shared by every client of the process keeps them under Fyle's per-IP limit.
//! let limiter = RateLimiter::per_second(10);
//! let transport: SharedTransport = TransportBuilder::new(inner)
//!     .retry(RetryPolicy::default())
//!     .rate_limit(limiter.clone())
//!     .tracing()
//!     .build();
//!
//! let request = http::Request::get("https://us1.fylehq.com/platform/v1/spender/my_profile")
//!     .body(Bytes::new())
//!     .unwrap();
//! let response = transport.send(request).await.unwrap();
//! assert_eq!(response.status(), http::StatusCode::OK);
//! # });
//! ```

#![cfg_attr(docsrs, feature(doc_cfg))]

mod body;
mod builder;
#[cfg(any(feature = "reqwest", feature = "hyper"))]
mod classify;
mod closure;
#[cfg(any(feature = "reqwest", feature = "hyper"))]
mod connection;
mod error;
mod extensions;
#[cfg(feature = "hyper")]
mod hyper_transport;
#[cfg(feature = "test-util")]
mod mock;
mod rate_limit;
#[cfg(feature = "reqwest")]
mod reqwest_transport;
mod retry;
mod retry_budget;
mod trace;
mod transport;

pub use body::BodyStream;
pub use builder::TransportBuilder;
pub use closure::{FnTransport, transport_fn};
#[cfg(any(feature = "reqwest", feature = "hyper"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "reqwest", feature = "hyper"))))]
pub use connection::{ConnectionBuilder, DEFAULT_MAX_RESPONSE_BYTES};
pub use error::{TransportError, TransportErrorKind};
pub use extensions::Idempotent;
#[cfg(feature = "hyper")]
#[cfg_attr(docsrs, doc(cfg(feature = "hyper")))]
pub use hyper_transport::{HyperTransport, HyperTransportBuilder};
#[cfg(feature = "test-util")]
#[cfg_attr(docsrs, doc(cfg(feature = "test-util")))]
pub use mock::{CapturedRequest, MockResponse, MockTransport};
pub use rate_limit::{
    DEFAULT_MAX_LIMITER_WAIT, RateLimitTransport, RateLimiter, SharedRateLimiter,
};
#[cfg(feature = "reqwest")]
#[cfg_attr(docsrs, doc(cfg(feature = "reqwest")))]
pub use reqwest_transport::{ReqwestTransport, ReqwestTransportBuilder};
pub use retry::{Attempt, DEFAULT_CALL_DEADLINE, RetryPolicy, RetryTransport};
pub use retry_budget::RetryBudget;
pub use trace::TracingTransport;
pub use transport::{SharedTransport, Transport};

/// The `User-Agent` the built-in transports send when a request sets none.
pub const USER_AGENT: &str = concat!("fyle-rs/", env!("CARGO_PKG_VERSION"));

/// Fyle's documented rate limit, the default of the limiter in the default stack: 10
/// requests per second per IP.
pub const DEFAULT_REQUESTS_PER_SECOND: u32 = 10;

/// The default HTTP implementation: `ReqwestTransport` with default settings, or
/// `HyperTransport` when only the `hyper` feature is enabled.
#[cfg(any(feature = "reqwest", feature = "hyper"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "reqwest", feature = "hyper"))))]
pub fn default_base_transport() -> Result<SharedTransport, TransportError> {
    #[cfg(feature = "reqwest")]
    let inner = ReqwestTransport::builder().build()?;
    #[cfg(not(feature = "reqwest"))]
    let inner = HyperTransport::builder().build()?;
    Ok(std::sync::Arc::new(inner))
}

/// The default stack, the one the `fyle` client builds too: [`default_base_transport`] with
/// the layers of [`TransportBuilder::with_defaults`] (the default [`RetryPolicy`] with its
/// per-call deadline, a default [`RetryBudget`], a [`DEFAULT_REQUESTS_PER_SECOND`]
/// [`RateLimiter`] with a bounded wait, and tracing).
///
/// Each call makes its own limiter; to share one budget across several clients, build with
/// [`TransportBuilder`] and pass clones of one [`RateLimiter`].
///
/// # Panics
/// If the TLS backend cannot be initialised; use [`default_base_transport`] to get an error.
#[cfg(any(feature = "reqwest", feature = "hyper"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "reqwest", feature = "hyper"))))]
pub fn default_transport() -> SharedTransport {
    let base = default_base_transport().expect("the rustls TLS backend initialises");
    TransportBuilder::from_shared(base).with_defaults().build()
}
