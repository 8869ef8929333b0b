//! [`AuthError`]: everything that can go wrong getting a token.

use std::sync::Arc;
use std::time::Duration;

use fyle_transport::TransportError;

use crate::HostRefused;

/// An authentication failure. Never contains a secret: messages come from the server's
/// `message`/`error` fields with any known secret scrubbed, and decode errors carry no input.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// The token endpoint refused the client secret, refresh token or code (HTTP 400, 401
    /// or 403). Terminal: retrying with the same credentials cannot succeed.
    #[error("token endpoint rejected the credentials (HTTP {status}){}", suffix(message.as_deref()))]
    InvalidCredentials {
        /// The HTTP status (400, 401 or 403).
        status: u16,
        /// The server's message, if any.
        message: Option<String>,
    },
    /// The token endpoint does not know this client id (HTTP 404). Terminal.
    #[error("token endpoint does not know this client id (HTTP 404){}", suffix(message.as_deref()))]
    UnknownClient {
        /// The server's message, if any.
        message: Option<String>,
    },
    /// The token endpoint had trouble (5xx, 429 or 408).
    #[error("token endpoint failed (HTTP {status}){}", if *retryable { ", retryable" } else { "" })]
    Server {
        /// The HTTP status.
        status: u16,
        /// Whether trying again later may succeed.
        retryable: bool,
    },
    /// The token endpoint answered with a status this SDK does not expect.
    #[error("token endpoint answered with unexpected HTTP {status}")]
    UnexpectedStatus {
        /// The HTTP status.
        status: u16,
    },
    /// A successful token answer without an `access_token`.
    #[error("token endpoint answer has no access_token")]
    MissingAccessToken,
    /// A token set without a refresh token was used where one is needed.
    #[error("no refresh token: the token answer did not include one")]
    MissingRefreshToken,
    /// The token answer could not be decoded.
    #[error("could not decode the token endpoint answer: {reason}")]
    Decode {
        /// What went wrong (a category and position, never the input).
        reason: String,
    },
    /// No response from the token endpoint (connect error, timeout, ...). In an `Arc` so the
    /// error can be cloned: every caller waiting on one single-flight refresh gets it.
    #[error(transparent)]
    Transport(Arc<TransportError>),
    /// The `state` that came back to the redirect URI is not the one this flow sent: the
    /// callback may be forged (CSRF). The code was not exchanged.
    #[error("authorization callback state does not match the state sent (possible CSRF)")]
    StateMismatch,
    /// The authorization callback carries an `error` (e.g. the user denied access).
    #[error("authorization was not granted: {error}{}", suffix(description.as_deref()))]
    AuthorizationDenied {
        /// The `error` parameter, e.g. `access_denied`.
        error: String,
        /// The `error_description` parameter, if any.
        description: Option<String>,
    },
    /// The authorization callback has no `code`.
    #[error("authorization callback has no code")]
    MissingCode,
    /// The [`HostPolicy`](crate::HostPolicy) refused the token endpoint's URL (plain `http`, a
    /// host outside the allowed domains, ...): the client secret and refresh token were not
    /// sent. Terminal: fix the accounts URL or the policy.
    #[error("refusing to send credentials: {0}")]
    HostNotAllowed(HostRefused),
    /// The API refused an access token minted right after it had refused the previous one:
    /// the refusal does not look like an expiry (a revoked grant, a missing permission).
    /// No new token is requested for `retry_in`, so a broken org costs one token request per
    /// backoff window, not one per call. Terminal until then.
    #[error(
        "the API refused a freshly minted access token too; no new token is requested for {}s",
        retry_in.as_secs()
    )]
    AccessTokenRefused {
        /// How long until the provider tries a new token.
        retry_in: Duration,
    },
    /// The token request got no answer within the provider's deadline.
    #[error("token endpoint did not answer within {}s", after.as_secs())]
    TimedOut {
        /// The deadline.
        after: Duration,
    },
    /// The shared refresh task ended without a result (it panicked, or the runtime is
    /// shutting down).
    #[error("the token refresh task ended without a result")]
    RefreshAborted,
    /// Invalid configuration (a URL that cannot be used, ...).
    #[error("invalid auth configuration: {reason}")]
    Config {
        /// What is wrong.
        reason: String,
    },
    /// A provider that keeps its tokens in a [`TokenStore`](crate::TokenStore) could not read
    /// or write them (a database error, a key that does not open the row, a revoked org).
    #[error(transparent)]
    Store(Arc<crate::StoreError>),
}

impl From<HostRefused> for AuthError {
    fn from(refused: HostRefused) -> Self {
        Self::HostNotAllowed(refused)
    }
}

impl From<TransportError> for AuthError {
    fn from(error: TransportError) -> Self {
        Self::Transport(Arc::new(error))
    }
}

fn suffix(message: Option<&str>) -> String {
    message.map_or_else(String::new, |m| format!(": {m}"))
}

impl AuthError {
    /// Whether trying again later may succeed (server trouble, rate limits, retryable transport
    /// failures). Bad credentials and unknown clients are never retryable.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Server { retryable, .. } => *retryable,
            Self::Transport(e) => e.is_retryable(),
            Self::TimedOut { .. } | Self::RefreshAborted => true,
            _ => false,
        }
    }

    /// Whether the credentials themselves are bad (invalid secret/refresh token/code, unknown
    /// client, a refused host, tokens the API keeps refusing): a person has to fix the
    /// configuration or re-authorize the app. A provider latches these and backs off.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            Self::InvalidCredentials { .. }
                | Self::UnknownClient { .. }
                | Self::HostNotAllowed(_)
                | Self::AccessTokenRefused { .. }
        )
    }

    /// The token endpoint's HTTP status, when the error comes from one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::InvalidCredentials { status, .. }
            | Self::Server { status, .. }
            | Self::UnexpectedStatus { status } => Some(*status),
            Self::UnknownClient { .. } => Some(404),
            _ => None,
        }
    }
}

/// A serde_json error described without the input it choked on: a category and a position,
/// never a byte of the document (which may hold tokens). Shared by every crate of the SDK.
pub fn describe_json_error(error: &serde_json::Error) -> String {
    let category = match error.classify() {
        serde_json::error::Category::Io => "I/O error",
        serde_json::error::Category::Syntax => "invalid JSON",
        serde_json::error::Category::Data => "unexpected JSON shape",
        serde_json::error::Category::Eof => "truncated JSON",
    };
    format!(
        "{category} at line {} column {}",
        error.line(),
        error.column()
    )
}
