//! [`ClusterError`]: why no cluster could be resolved.

use std::sync::Arc;

use fyle_auth::HostRefused;
use fyle_transport::TransportError;

/// A cluster resolution failure. Never contains the access token; URLs are shown as
/// `scheme://host[:port]` only.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ClusterError {
    /// The cluster answer (or the accounts URL) is not in the
    /// [`ClusterAllowList`](crate::ClusterAllowList): no request carrying a token is sent there.
    #[error("{what} {url} is not allowed: {reason}")]
    NotAllowed {
        /// What was checked: `"cluster domain"` or `"accounts URL"`.
        what: &'static str,
        /// The URL as `scheme://host[:port]`.
        url: String,
        /// Which rule it broke.
        reason: String,
    },
    /// The answer's `cluster_domain` is not a URL.
    #[error("cluster domain in the answer is not a URL: {reason}")]
    InvalidDomain {
        /// The parse error.
        reason: String,
    },
    /// The answer has no `cluster_domain`.
    #[error("cluster answer has no cluster_domain")]
    MissingDomain,
    /// The accounts host refused the token (401 or 498): reject the token, get a new one, and
    /// resolve again.
    #[error("cluster endpoint refused the access token (HTTP {status})")]
    Unauthorized {
        /// 401 or 498.
        status: u16,
    },
    /// The accounts host had trouble (5xx, 408, 429).
    #[error("cluster endpoint failed (HTTP {status}){}", if *retryable { ", retryable" } else { "" })]
    Server {
        /// The HTTP status.
        status: u16,
        /// Whether trying again later may succeed.
        retryable: bool,
    },
    /// A status this SDK does not expect (e.g. 403, 404).
    #[error("cluster endpoint answered with unexpected HTTP {status}")]
    UnexpectedStatus {
        /// The HTTP status.
        status: u16,
    },
    /// The answer could not be decoded.
    #[error("could not decode the cluster answer: {reason}")]
    Decode {
        /// A category and position, never the input.
        reason: String,
    },
    /// The access token cannot be put in an `Authorization` header.
    #[error("access token contains characters not allowed in a header")]
    InvalidToken,
    /// No response from the accounts host. In an `Arc` so every caller waiting on one
    /// single-flight lookup gets the error.
    #[error(transparent)]
    Transport(Arc<TransportError>),
    /// The lookup got no answer within the resolver's deadline.
    #[error("cluster endpoint did not answer within {}s", after.as_secs())]
    TimedOut {
        /// The deadline.
        after: std::time::Duration,
    },
    /// The shared lookup task ended without a result (it panicked, or the runtime is shutting
    /// down).
    #[error("the cluster lookup task ended without a result")]
    LookupAborted,
}

impl From<HostRefused> for ClusterError {
    fn from(refused: HostRefused) -> Self {
        Self::NotAllowed {
            what: refused.what,
            url: refused.url,
            reason: refused.reason,
        }
    }
}

impl From<TransportError> for ClusterError {
    fn from(error: TransportError) -> Self {
        Self::Transport(Arc::new(error))
    }
}

impl ClusterError {
    /// Whether trying again later may succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Server { retryable, .. } => *retryable,
            Self::Transport(e) => e.is_retryable(),
            Self::TimedOut { .. } | Self::LookupAborted => true,
            _ => false,
        }
    }

    /// Whether the token was refused (the caller should
    /// [`reject`](fyle_auth::TokenProvider::reject) it and try once more with a new one).
    pub fn is_unauthorized(&self) -> bool {
        matches!(self, Self::Unauthorized { .. })
    }

    /// The HTTP status of the cluster endpoint, when the error comes from one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Unauthorized { status }
            | Self::Server { status, .. }
            | Self::UnexpectedStatus { status } => Some(*status),
            _ => None,
        }
    }
}
