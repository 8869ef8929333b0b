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
    transport: PhantomData<fn() -> T>,
}

impl<T> Default for ConnectionBuilder<T> {
    /// Connect timeout 10 s, request timeout 60 s, idle connections kept 90 s, up to 16 per
    /// host, user agent `fyle-rs/<version>`.
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            timeout: Some(Duration::from_secs(60)),
            pool_idle_timeout: Duration::from_secs(90),
            pool_max_idle_per_host: 16,
            user_agent: crate::USER_AGENT.to_owned(),
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
