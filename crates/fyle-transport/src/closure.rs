//! [`transport_fn`]: a transport from a closure.

use std::fmt;
use std::future::Future;

use async_trait::async_trait;
use bytes::Bytes;
use http::{Request, Response};

use crate::{Transport, TransportError};

/// A [`Transport`] backed by a closure; made by [`transport_fn`].
#[derive(Clone)]
pub struct FnTransport<F> {
    f: F,
}

impl<F> fmt::Debug for FnTransport<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FnTransport")
    }
}

/// Makes a [`Transport`] from an async closure: ad-hoc transports in one line (tests, adapters
/// to another HTTP stack).
///
/// ```
/// use bytes::Bytes;
/// use fyle_transport::{transport_fn, Transport};
///
/// # tokio_test_block(async {
/// let transport = transport_fn(|request: http::Request<Bytes>| async move {
///     let body = Bytes::from(format!("you asked for {}", request.uri().path()));
///     Ok(http::Response::new(body))
/// });
/// let response = transport
///     .send(http::Request::get("http://localhost/ping").body(Bytes::new()).unwrap())
///     .await
///     .unwrap();
/// assert_eq!(response.body().as_ref(), b"you asked for /ping");
/// # });
/// # fn tokio_test_block(f: impl std::future::Future<Output = ()>) {
/// #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
/// # }
/// ```
pub fn transport_fn<F, Fut>(f: F) -> FnTransport<F>
where
    F: Fn(Request<Bytes>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Response<Bytes>, TransportError>> + Send + 'static,
{
    FnTransport { f }
}

#[async_trait]
impl<F, Fut> Transport for FnTransport<F>
where
    F: Fn(Request<Bytes>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Response<Bytes>, TransportError>> + Send + 'static,
{
    async fn send(&self, request: Request<Bytes>) -> Result<Response<Bytes>, TransportError> {
        (self.f)(request).await
    }
}
