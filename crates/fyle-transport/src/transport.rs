//! The [`Transport`] trait: the one method every layer and implementation shares.

use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;

/// Sends one HTTP request and returns its response.
///
/// Object safe: the upper layers hold it as [`SharedTransport`] (`Arc<dyn Transport>`).
/// Implementations own TLS, pooling and timeouts; auth, retry and rate limiting are layers.
#[async_trait]
pub trait Transport: Send + Sync + std::fmt::Debug {
    /// Sends `request` and returns the response, whatever its status.
    async fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, crate::TransportError>;
}

/// The currency the upper layers hold: a shared, type-erased transport.
pub type SharedTransport = Arc<dyn Transport>;

#[async_trait]
impl<T: Transport + ?Sized> Transport for Arc<T> {
    async fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, crate::TransportError> {
        (**self).send(request).await
    }
}

#[async_trait]
impl<T: Transport + ?Sized> Transport for Box<T> {
    async fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, crate::TransportError> {
        (**self).send(request).await
    }
}
