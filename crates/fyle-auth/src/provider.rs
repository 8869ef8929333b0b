//! The [`TokenProvider`] trait and the fixed-token [`StaticTokenProvider`].

use std::fmt::Debug;

use async_trait::async_trait;
use secrecy::SecretString;

use crate::{AccessToken, AuthError};

/// Hands out a valid access token.
///
/// Object safe: the client holds an `Arc<dyn TokenProvider>`. Implementations cache, so
/// calling [`access_token`](Self::access_token) before every request is cheap.
#[async_trait]
pub trait TokenProvider: Send + Sync + Debug {
    /// A token valid now, refreshing first if needed.
    async fn access_token(&self) -> Result<AccessToken, AuthError>;

    /// Reports that `token` was refused by Fyle (a 401 or 498 on a data call): never hand it
    /// out again; the next [`access_token`](Self::access_token) fetches a new one. Rejecting a
    /// token that is no longer the current one does nothing.
    fn reject(&self, token: &AccessToken);
}

#[async_trait]
impl<T: TokenProvider + ?Sized> TokenProvider for std::sync::Arc<T> {
    async fn access_token(&self) -> Result<AccessToken, AuthError> {
        (**self).access_token().await
    }

    fn reject(&self, token: &AccessToken) {
        (**self).reject(token);
    }
}

/// Always the same token: for tests, scripts with a token from elsewhere, and sandboxes.
///
/// [`reject`](TokenProvider::reject) is ignored (there is nothing to refresh to).
#[derive(Debug, Clone)]
pub struct StaticTokenProvider {
    token: AccessToken,
}

impl StaticTokenProvider {
    /// A provider of `token`, which never expires.
    pub fn new(token: impl Into<SecretString>) -> Self {
        Self {
            token: AccessToken::new(token, None),
        }
    }

    /// A provider of an existing [`AccessToken`] (its generation is kept).
    pub fn from_token(token: AccessToken) -> Self {
        Self { token }
    }
}

#[async_trait]
impl TokenProvider for StaticTokenProvider {
    async fn access_token(&self) -> Result<AccessToken, AuthError> {
        Ok(self.token.clone())
    }

    fn reject(&self, token: &AccessToken) {
        tracing::debug!(
            generation = %token.generation(),
            "static token rejected by the server; it cannot be refreshed"
        );
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[tokio::test]
    async fn static_provider_is_object_safe_and_stable() {
        let provider: Arc<dyn TokenProvider> = Arc::new(StaticTokenProvider::new("tok"));
        let a = provider.access_token().await.expect("static");
        provider.reject(&a);
        let b = provider.access_token().await.expect("static");
        assert_eq!(a.generation(), b.generation());
        assert_eq!(b.expose(), "tok");
        assert!(b.expires_at().is_none());
    }
}
