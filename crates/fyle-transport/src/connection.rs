//! [`ConnectionBuilder`]: the connection settings every HTTP transport takes (timeouts, pool,
//! user agent), written once; each transport adds its own `build`.

use std::fmt;
use std::marker::PhantomData;
use std::time::Duration;

use crate::{TransportError, TransportErrorKind};

/// Settings for an HTTP transport `T`: [`ReqwestTransportBuilder`](crate::ReqwestTransportBuilder)
/// and `HyperTransportBuilder` are this type, and each has its own `build`.
pub struct ConnectionBuilder<T> {
    pub(crate) connect_timeout: Duration,
    pub(crate) timeout: Option<Duration>,
    pub(crate) pool_idle_timeout: Duration,
    pub(crate) pool_max_idle_per_host: usize,
    pub(crate) user_agent: String,
    pub(crate) max_response_bytes: u64,
    pub(crate) read_idle_timeout: Option<Duration>,
    pub(crate) tls_handshake_timeout: Duration,
    transport: PhantomData<fn() -> T>,
}

/// The default maximum response body: 16 MiB. A page of 200 expenses is well under 2 MiB; a
/// larger answer is a broken or hostile server, and must not exhaust a multi-tenant worker.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 16 * 1024 * 1024;

impl<T> Default for ConnectionBuilder<T> {
    /// Connect timeout 10 s, TLS handshake timeout 10 s, request timeout 60 s, read-idle
    /// timeout 30 s, responses up to [`DEFAULT_MAX_RESPONSE_BYTES`], idle connections kept
    /// 90 s, up to 16 per host, user agent [`USER_AGENT`](crate::USER_AGENT).
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            timeout: Some(Duration::from_secs(60)),
            pool_idle_timeout: Duration::from_secs(90),
            pool_max_idle_per_host: 16,
            user_agent: crate::USER_AGENT.to_owned(),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            read_idle_timeout: Some(Duration::from_secs(30)),
            tls_handshake_timeout: Duration::from_secs(10),
            transport: PhantomData,
        }
    }
}

// By hand: a derive would require `T: Clone` / `T: Debug` for a type that holds no `T`.
impl<T> Clone for ConnectionBuilder<T> {
    fn clone(&self) -> Self {
        Self {
            user_agent: self.user_agent.clone(),
            ..*self
        }
    }
}

impl<T> fmt::Debug for ConnectionBuilder<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectionBuilder")
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("pool_idle_timeout", &self.pool_idle_timeout)
            .field("pool_max_idle_per_host", &self.pool_max_idle_per_host)
            .field("user_agent", &self.user_agent)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("read_idle_timeout", &self.read_idle_timeout)
            .field("tls_handshake_timeout", &self.tls_handshake_timeout)
            .finish()
    }
}

impl<T> ConnectionBuilder<T> {
    /// How long opening a connection (TCP, and TLS where the transport does it first) may take.
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long a whole request may take, from connecting to the end of the response body.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Removes the whole-request timeout (e.g. for large downloads on slow links).
    #[must_use]
    pub fn no_timeout(mut self) -> Self {
        self.timeout = None;
        self
    }

    /// How long an idle pooled connection is kept.
    #[must_use]
    pub fn pool_idle_timeout(mut self, timeout: Duration) -> Self {
        self.pool_idle_timeout = timeout;
        self
    }

    /// The most idle connections kept per host.
    #[must_use]
    pub fn pool_max_idle_per_host(mut self, max: usize) -> Self {
        self.pool_max_idle_per_host = max;
        self
    }

    /// The `User-Agent` sent when a request sets none.
    #[must_use]
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// The largest response body read, in bytes (default [`DEFAULT_MAX_RESPONSE_BYTES`]). It is
    /// enforced while the body streams in (a `Content-Length` over it fails before any read):
    /// past it the connection is dropped and the call fails with
    /// [`TransportErrorKind::TooLarge`], so memory never holds more than the limit.
    #[must_use]
    pub fn max_response_bytes(mut self, max: u64) -> Self {
        self.max_response_bytes = max;
        self
    }

    /// How long the response body may go without a byte before the call fails with
    /// [`TransportErrorKind::Timeout`] (default 30 s): a stalled server is caught long before
    /// the whole-request timeout.
    #[must_use]
    pub fn read_idle_timeout(mut self, timeout: Duration) -> Self {
        self.read_idle_timeout = Some(timeout);
        self
    }

    /// How long the TLS handshake may take after the TCP connection is open (default 10 s).
    #[must_use]
    pub fn tls_handshake_timeout(mut self, timeout: Duration) -> Self {
        self.tls_handshake_timeout = timeout;
        self
    }
}

/// Reads a body chunk by chunk, failing at the size limit or after an idle gap.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BodyLimits {
    pub(crate) max_bytes: u64,
    pub(crate) idle: Option<Duration>,
}

impl BodyLimits {
    pub(crate) fn of<T>(builder: &ConnectionBuilder<T>) -> Self {
        Self {
            max_bytes: builder.max_response_bytes,
            idle: builder.read_idle_timeout,
        }
    }

    fn too_large(&self, uri: &http::Uri) -> TransportError {
        TransportError::new(
            TransportErrorKind::TooLarge,
            format!(
                "the response body exceeds the limit of {} bytes",
                self.max_bytes
            ),
        )
        .with_uri(uri)
    }

    /// Refuses a declared `Content-Length` over the limit before reading anything.
    pub(crate) fn check_declared(
        &self,
        headers: &http::HeaderMap,
        uri: &http::Uri,
    ) -> Result<(), TransportError> {
        let declared = headers
            .get(http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        match declared {
            Some(len) if len > self.max_bytes => Err(self.too_large(uri)),
            _ => Ok(()),
        }
    }

    /// Awaits one body read, failing after the idle timeout.
    pub(crate) async fn within_idle<F: std::future::Future>(
        &self,
        uri: &http::Uri,
        read: F,
    ) -> Result<F::Output, TransportError> {
        let Some(idle) = self.idle else {
            return Ok(read.await);
        };
        tokio::time::timeout(idle, read).await.map_err(|_| {
            TransportError::new(
                TransportErrorKind::Timeout,
                format!("no byte of the body for {} ms", idle.as_millis()),
            )
            .with_uri(uri)
        })
    }

    /// Appends `chunk` to `body`, or fails if that would pass the limit.
    pub(crate) fn push(
        &self,
        body: &mut bytes::BytesMut,
        chunk: &[u8],
        uri: &http::Uri,
    ) -> Result<(), TransportError> {
        if (body.len() as u64).saturating_add(chunk.len() as u64) > self.max_bytes {
            return Err(self.too_large(uri));
        }
        body.extend_from_slice(chunk);
        Ok(())
    }
}

/// Runs `exchange` within the whole-request `limit`, if any: a [`TransportErrorKind::Timeout`]
/// naming what did not arrive in time.
pub(crate) async fn within_timeout<T>(
    limit: Option<Duration>,
    uri: &http::Uri,
    what: &str,
    exchange: impl std::future::Future<Output = Result<T, TransportError>>,
) -> Result<T, TransportError> {
    let Some(limit) = limit else {
        return exchange.await;
    };
    tokio::time::timeout(limit, exchange)
        .await
        .unwrap_or_else(|_elapsed| {
            Err(TransportError::new(
                TransportErrorKind::Timeout,
                format!("no {what} within {} ms", limit.as_millis()),
            )
            .with_uri(uri))
        })
}

/// Refuses a request whose URI lacks a scheme or host before anything is sent: the transports
/// only ever talk to absolute URLs the layers above chose.
pub(crate) fn require_absolute(uri: &http::Uri) -> Result<(), TransportError> {
    if uri.scheme().is_some() && uri.host().is_some() {
        return Ok(());
    }
    Err(TransportError::new(
        TransportErrorKind::Other,
        "the request URI must be absolute (scheme and host)",
    )
    .with_uri(uri)
    .with_nothing_sent(true))
}
