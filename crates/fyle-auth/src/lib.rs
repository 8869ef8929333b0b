//! OAuth 2.0 for fyle-rs: turn app credentials into valid access tokens.
//!
//! - [`TokenProvider`]: "give me a valid token" / "this token was rejected". Object safe.
//! - [`RefreshTokenProvider`]: internal apps (and each org of a partner app). Refresh-token
//!   grant as JSON through a [`Transport`](fyle_transport::Transport), cached until expiry
//!   minus a skew, proactive refresh that keeps serving a still-valid token on failure, single
//!   flight, typed [`AuthError`]s, rotated refresh tokens saved to a [`TokenStore`].
//! - `AuthCodeFlow` (feature `auth-code`): the authorization-code flow of partner apps, on the
//!   `oauth2` crate, with the token request sent as JSON through the same transport.
//! - [`TokenEndpoint`]: one refresh-token exchange, for providers with their own storage.
//! - [`HostPolicy`]: the one rule for where a secret may go (https under `fylehq.com`;
//!   loopback `http` only by opt-in), checked before the client secret, a refresh token or an
//!   access token is sent.
//! - [`SingleFlight`]: one shared, spawned task per refresh (also used by cluster discovery).
//! - [`StaticTokenProvider`] for tests and tokens obtained elsewhere; [`Clock`] to inject time.
//!
//! Secrets are [`secrecy`] types: `Debug`, `Display`, errors and tracing events never show the
//! client secret, a refresh token, an access token or an authorization code.
//!
//! # Internal app
//!
//! ```no_run
//! use fyle_auth::{Credentials, RefreshTokenProvider, TokenProvider};
//!
//! # async fn run(transport: fyle_transport::SharedTransport) -> Result<(), Box<dyn std::error::Error>> {
//! // FYLE_CLIENT_ID, FYLE_CLIENT_SECRET, FYLE_REFRESH_TOKEN (and optionally FYLE_ACCOUNTS_URL).
//! let credentials = Credentials::from_env()?;
//! let provider = RefreshTokenProvider::new(credentials, transport);
//!
//! let token = provider.access_token().await?; // cached; refreshed ~5 min before expiry
//! let header = token.bearer_header()?; // `Authorization: Bearer ...`, marked sensitive
//! # let _ = header;
//! // After a 401 from a data call: provider.reject(&token), then ask again.
//! # Ok(())
//! # }
//! ```
//!
//! # Partner app
//!
//! The authorization-code flow ([`AuthCodeFlow`]) is the `auth-code` feature: it brings the
//! `oauth2` crate (and its chrono, sha2 and rand), which an internal app never calls. Its
//! documentation shows one provider per org.

#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "auth-code")]
mod auth_code;
mod clock;
mod credentials;
mod error;
mod host_policy;
#[cfg(feature = "auth-code")]
mod oauth2_adapter;
mod provider;
mod redact;
mod refresh;
mod single_flight;
mod store;
#[cfg(any(test, feature = "test-util"))]
#[cfg_attr(docsrs, doc(cfg(feature = "test-util")))]
pub mod test_util;
mod token;
mod token_endpoint;

#[cfg(feature = "auth-code")]
#[cfg_attr(docsrs, doc(cfg(feature = "auth-code")))]
pub use auth_code::{
    AuthCodeFlow, AuthCodeFlowBuilder, AuthorizationCallback, DEFAULT_AUTHORIZE_URL,
    PendingAuthorization, Pkce,
};
#[cfg(any(test, feature = "test-util"))]
pub use clock::ManualClock;
pub use clock::{Clock, TokioClock};
pub use credentials::{
    Credentials, CredentialsError, DEFAULT_ACCOUNTS_URL, ENV_ACCOUNTS_URL, ENV_CLIENT_ID,
    ENV_CLIENT_SECRET, ENV_REFRESH_TOKEN,
};
pub use error::{AuthError, describe_json_error};
pub use host_policy::{FYLE_DOMAIN, HostPolicy, HostRefused, origin_of};
pub use provider::{StaticTokenProvider, TokenProvider};
pub use redact::redact;
pub use refresh::{
    DEFAULT_JITTER, DEFAULT_LIFETIME, DEFAULT_MAX_TERMINAL_BACKOFF, DEFAULT_REFRESH_TIMEOUT,
    DEFAULT_RETRY_INTERVAL, DEFAULT_SKEW, DEFAULT_STORE_TIMEOUT, DEFAULT_TERMINAL_BACKOFF,
    RefreshTokenProvider, RefreshTokenProviderBuilder,
};
pub use secrecy::{ExposeSecret, SecretString};
pub use single_flight::{FlightError, SingleFlight};
pub use store::{InMemoryTokenStore, StoreError, TokenStore};
pub use token::{AccessToken, TokenGeneration, TokenSet};
pub use token_endpoint::{TokenAnswer, TokenEndpoint};
