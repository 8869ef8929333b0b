//! [`AccessToken`], its [`TokenGeneration`], and the [`TokenSet`] a code exchange returns.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use http::HeaderValue;
use http::header::InvalidHeaderValue;
use secrecy::{ExposeSecret, SecretString};
use tokio::time::Instant;

/// Process-wide counter: every [`AccessToken`] minted gets the next value.
static NEXT_GENERATION: AtomicU64 = AtomicU64::new(1);

/// Identifies one minted access token within this process.
///
/// Generations grow monotonically: a token obtained later has a greater generation. Caches
/// keyed by token (the cluster cache) compare generations to notice that the token changed,
/// without ever comparing or hashing the secret itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TokenGeneration(u64);

impl TokenGeneration {
    fn next() -> Self {
        Self(NEXT_GENERATION.fetch_add(1, Ordering::Relaxed))
    }

    /// The raw counter value (for logs and metrics; it reveals nothing about the token).
    pub fn get(self) -> u64 {
        self.0
    }
}

impl fmt::Display for TokenGeneration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

struct Inner {
    secret: SecretString,
    expires_at: Option<Instant>,
    generation: TokenGeneration,
}

/// A bearer access token: cheap to clone, never printed.
///
/// `Debug` prints `AccessToken(***)`; there is no `Display`. Read the secret with
/// [`expose`](Self::expose) only where it goes on the wire, or build the header with
/// [`bearer_header`](Self::bearer_header), which is marked sensitive.
#[derive(Clone)]
pub struct AccessToken {
    inner: Arc<Inner>,
}

impl AccessToken {
    /// Wraps a token string, with its expiry if known (`None`: never expires, e.g. a static
    /// token). Each call mints a new [`TokenGeneration`].
    pub fn new(secret: impl Into<SecretString>, expires_at: Option<Instant>) -> Self {
        Self {
            inner: Arc::new(Inner {
                secret: secret.into(),
                expires_at,
                generation: TokenGeneration::next(),
            }),
        }
    }

    /// The token string. Use it only to put the token on the wire.
    pub fn expose(&self) -> &str {
        self.inner.secret.expose_secret()
    }

    /// The token as a [`SecretString`].
    pub fn secret(&self) -> &SecretString {
        &self.inner.secret
    }

    /// When the token stops being valid, if known (in `tokio::time`, so paused-time tests work).
    pub fn expires_at(&self) -> Option<Instant> {
        self.inner.expires_at
    }

    /// The generation of this token: equal for clones, different for any other token.
    pub fn generation(&self) -> TokenGeneration {
        self.inner.generation
    }

    /// `Bearer <token>` as a header value marked sensitive (HTTP/2 never indexes it, and
    /// `http`'s `Debug` hides it).
    pub fn bearer_header(&self) -> Result<HeaderValue, InvalidHeaderValue> {
        let mut value = HeaderValue::from_str(&format!("Bearer {}", self.expose()))?;
        value.set_sensitive(true);
        Ok(value)
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken(***)")
    }
}

/// What a successful authorization-code exchange returns.
///
/// Persist [`refresh_token`](Self::refresh_token) (valid about a year) per org; do not persist
/// the access token (valid about an hour). `Debug` hides both tokens.
#[derive(Clone)]
#[non_exhaustive]
pub struct TokenSet {
    /// The access token (its [`AccessToken::expires_at`] equals [`Self::expires_at`]).
    pub access_token: AccessToken,
    /// The refresh token, when the answer carried one (Fyle sends it on the code grant).
    pub refresh_token: Option<SecretString>,
    /// The lifetime the SDK assumed for the access token (from `expires_in`, else the JWT
    /// `exp` claim, else one hour).
    pub expires_in: Duration,
    /// When the access token expires.
    pub expires_at: Instant,
}

impl fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSet")
            .field("access_token", &self.access_token)
            .field("refresh_token", &self.refresh_token.as_ref().map(|_| "***"))
            .field("expires_in", &self.expires_in)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generations_differ_and_clones_share_them() {
        let a = AccessToken::new("a.b.c", None);
        let b = AccessToken::new("a.b.c", None);
        assert_ne!(a.generation(), b.generation());
        assert!(b.generation() > a.generation());
        assert_eq!(a.clone().generation(), a.generation());
    }

    #[test]
    fn debug_and_header_hide_the_secret() {
        let token = AccessToken::new("super-secret-token", None);
        assert_eq!(format!("{token:?}"), "AccessToken(***)");
        let header = token.bearer_header().expect("valid header chars");
        assert!(header.is_sensitive());
        assert!(!format!("{header:?}").contains("super-secret-token"));
        assert_eq!(header.to_str().ok(), Some("Bearer super-secret-token"));
    }
}
