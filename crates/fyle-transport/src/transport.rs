//! The [`Transport`] trait: the methods every layer and implementation shares.

use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;

use crate::BodyStream;

/// Sends one HTTP request and returns its response.
///
/// Object safe: the upper layers hold it as [`SharedTransport`] (`Arc<dyn Transport>`).
/// Implementations own TLS, pooling and timeouts; auth, retry and rate limiting are layers.
#[async_trait]
pub trait Transport: Send + Sync + std::fmt::Debug {
    /// Sends `request` and returns the response, whatever its status, with its whole body
    /// (bounded by the transport's maximum response size).
    async fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, crate::TransportError>;

    /// Sends `request` and returns the response as soon as its head arrives, with the body as
    /// a [`BodyStream`]: for downloads, whose size no limit fits.
    ///
    /// The built-in transports stream natively: no total-size cap, the read-idle timeout
    /// still applies between chunks, and the whole-request timeout covers only the wait for the
    /// head. The default implementation, kept for transports that only implement
    /// [`send`](Self::send), reads the body whole and hands it out as one chunk.
    async fn send_streaming(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<BodyStream>, crate::TransportError> {
        Ok(self.send(request).await?.map(BodyStream::full))
    }
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

    async fn send_streaming(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<BodyStream>, crate::TransportError> {
        (**self).send_streaming(request).await
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

    async fn send_streaming(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<BodyStream>, crate::TransportError> {
        (**self).send_streaming(request).await
    }
}
