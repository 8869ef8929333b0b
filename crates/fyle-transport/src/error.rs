//! [`TransportError`]: a request that got no HTTP response at all.

use std::error::Error as StdError;
use std::fmt;

/// What kind of failure a [`TransportError`] is.
///
/// Any HTTP status (including 4xx and 5xx) is a response, never a `TransportError`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// The connection could not be opened (DNS, TCP connect refused or timed out). Nothing
    /// was sent to the server.
    Connect,
    /// The request or the response did not complete within the configured timeout.
    Timeout,
    /// The TLS handshake failed (bad certificate, protocol mismatch).
    Tls,
    /// The connection broke while sending the request or reading the response body.
    Body,
    /// The client-side rate limiter refused to wait for a slot.
    RateLimited,
    /// The response body is larger than the transport's maximum response size; reading
    /// stopped at the limit.
    TooLarge,
    /// Anything else: an invalid request (e.g. a relative URI), a scripted mock error, ...
    Other,
}

impl TransportErrorKind {
    /// A short lowercase name, as used in the error message (`"connect"`, `"timeout"`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Connect => "connect",
            Self::Timeout => "timeout",
            Self::Tls => "TLS",
            Self::Body => "body",
            Self::RateLimited => "rate limit",
            Self::TooLarge => "response size",
            Self::Other => "transport",
        }
    }
}

impl fmt::Display for TransportErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

type BoxError = Box<dyn StdError + Send + Sync + 'static>;

/// A request that got no HTTP response: connect, timeout, TLS, body read or rate-limit failure.
///
/// It names the URL's host and path, never its query string (which can carry filter values)
/// and never a header value (which can carry a token).
///
/// ```
/// use fyle_transport::{TransportError, TransportErrorKind};
///
/// let uri: http::Uri = "https://us1.fylehq.com/platform/v1/admin/expenses?id=eq.tx1".parse().unwrap();
/// let err = TransportError::new(TransportErrorKind::Connect, "connection refused").with_uri(&uri);
/// assert_eq!(
///     err.to_string(),
///     "connect error to us1.fylehq.com/platform/v1/admin/expenses: connection refused"
/// );
/// assert!(err.is_retryable());
/// ```
#[derive(Debug, thiserror::Error)]
#[error("{kind} error to {}{}: {message}", DisplayHost(.host.as_deref(), *.port), .path)]
pub struct TransportError {
    kind: TransportErrorKind,
    message: String,
    host: Option<String>,
    port: Option<u16>,
    path: String,
    nothing_sent: bool,
    #[source]
    source: Option<BoxError>,
}

struct DisplayHost<'a>(Option<&'a str>, Option<u16>);

impl fmt::Display for DisplayHost<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.0, self.1) {
            (Some(host), Some(port)) => write!(f, "{host}:{port}"),
            (Some(host), None) => f.write_str(host),
            (None, _) => f.write_str("<no host>"),
        }
    }
}

impl TransportError {
    /// A new error of `kind` with a human-readable `message` (no secrets, no query strings).
    ///
    /// Attach the request URL with [`with_uri`](Self::with_uri) and the underlying error with
    /// [`with_source`](Self::with_source).
    pub fn new(kind: TransportErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            host: None,
            port: None,
            path: String::new(),
            nothing_sent: kind == TransportErrorKind::Connect,
            source: None,
        }
    }

    /// Records the host, port and path of `uri`. The query string is dropped.
    #[must_use]
    pub fn with_uri(mut self, uri: &http::Uri) -> Self {
        self.host = uri.host().map(str::to_owned);
        self.port = uri.port_u16();
        uri.path().clone_into(&mut self.path);
        self
    }

    /// Attaches the underlying error, available through [`std::error::Error::source`].
    ///
    /// The source must not print a URL with a query string or a header value.
    #[must_use]
    pub fn with_source(mut self, source: impl Into<BoxError>) -> Self {
        self.source = Some(source.into());
        self
    }

    /// Sets whether the failure happened before any byte of the request reached the network
    /// (see [`nothing_sent`](Self::nothing_sent)). [`TransportErrorKind::Connect`] errors start
    /// with `true`, every other kind with `false`.
    #[must_use]
    pub fn with_nothing_sent(mut self, nothing_sent: bool) -> Self {
        self.nothing_sent = nothing_sent;
        self
    }

    /// What failed.
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }

    /// Whether sending the same request again may succeed: connect errors, timeouts and broken
    /// bodies are transient; TLS, rate-limit refusals, responses over the size limit and
    /// invalid requests are not.
    ///
    /// This says nothing about whether a retry is *safe*: the retry layer also looks at the
    /// method, the [`Idempotent`](crate::Idempotent) marker and [`nothing_sent`](Self::nothing_sent).
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.kind,
            TransportErrorKind::Connect | TransportErrorKind::Timeout | TransportErrorKind::Body
        )
    }

    /// `true` when the server cannot have seen the request (e.g. the connection was refused),
    /// so even a non-idempotent POST may be sent again.
    pub fn nothing_sent(&self) -> bool {
        self.nothing_sent
    }

    /// The host of the request URL, if known (without port).
    pub fn host(&self) -> Option<&str> {
        self.host.as_deref()
    }

    /// The port of the request URL, if it was explicit.
    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// The path of the request URL (never the query string); empty if unknown.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The human-readable message, without host or path.
    pub fn message(&self) -> &str {
        &self.message
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_never_contains_the_query() {
        let uri: http::Uri = "http://127.0.0.1:8080/a/b?secret=1"
            .parse()
            .expect("valid uri");
        let err = TransportError::new(TransportErrorKind::Timeout, "timed out").with_uri(&uri);
        assert_eq!(
            err.to_string(),
            "timeout error to 127.0.0.1:8080/a/b: timed out"
        );
        assert_eq!(err.host(), Some("127.0.0.1"));
        assert_eq!(err.path(), "/a/b");
        assert!(!err.nothing_sent());
    }

    #[test]
    fn kinds_classify_retryability() {
        assert!(TransportError::new(TransportErrorKind::Connect, "x").is_retryable());
        assert!(TransportError::new(TransportErrorKind::Connect, "x").nothing_sent());
        assert!(!TransportError::new(TransportErrorKind::Tls, "x").is_retryable());
        assert!(!TransportError::new(TransportErrorKind::RateLimited, "x").is_retryable());
        assert!(!TransportError::new(TransportErrorKind::Other, "x").is_retryable());
    }
}
