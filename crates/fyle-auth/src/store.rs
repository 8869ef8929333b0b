//! The [`TokenStore`] hook and the default [`InMemoryTokenStore`].

use std::collections::HashMap;
use std::fmt::Debug;
use std::sync::Mutex;

use async_trait::async_trait;
use secrecy::SecretString;

/// A failure inside a [`TokenStore`] (a database error, ...). Providers log it (without any
/// secret) and keep going with the refresh token they hold in memory.
#[derive(Debug, thiserror::Error)]
#[error("token store failed: {0}")]
pub struct StoreError(#[source] pub Box<dyn std::error::Error + Send + Sync>);

impl StoreError {
    /// Wraps any error.
    pub fn new(error: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self(error.into())
    }
}

/// Persists refresh tokens, keyed per org (or per app), so a rotated refresh token survives a
/// restart.
///
/// A [`RefreshTokenProvider`](crate::RefreshTokenProvider) with a store reads the refresh token
/// from it before each refresh (so a token renewed elsewhere, e.g. by an admin re-authorizing,
/// is picked up) and saves any refresh token a token answer rotates in, before it uses the new
/// token anywhere else. Each call has a deadline (`store_timeout`, 10 s by default): a load
/// that fails or times out falls back to the token in memory; after a save that fails or
/// times out, the provider keeps the new token in memory, stops reading the store (whose token
/// the server may have revoked), and saves again before its next refresh.
///
/// Two *processes* sharing one refresh token also need an external lock around the refresh if
/// Fyle rotates refresh tokens: the single-flight guarantee is per provider.
#[async_trait]
pub trait TokenStore: Send + Sync + Debug {
    /// The stored refresh token for `key`, if any.
    async fn load(&self, key: &str) -> Result<Option<SecretString>, StoreError>;

    /// Stores `refresh_token` for `key`, replacing any previous one.
    async fn save(&self, key: &str, refresh_token: &SecretString) -> Result<(), StoreError>;
}

/// A [`TokenStore`] in process memory (lost on restart). `Debug` shows only the keys.
#[derive(Default)]
pub struct InMemoryTokenStore {
    tokens: Mutex<HashMap<String, SecretString>>,
}

impl InMemoryTokenStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// The refresh token stored for `key` (synchronous, for tests and inspection).
    pub fn get(&self, key: &str) -> Option<SecretString> {
        self.lock().get(key).cloned()
    }

    /// Stores `refresh_token` for `key` (synchronous, e.g. to seed the store at start-up).
    pub fn insert(&self, key: impl Into<String>, refresh_token: impl Into<SecretString>) {
        self.lock().insert(key.into(), refresh_token.into());
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, SecretString>> {
        self.tokens
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Debug for InMemoryTokenStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let guard = self.lock();
        let mut keys: Vec<&String> = guard.keys().collect();
        keys.sort();
        f.debug_struct("InMemoryTokenStore")
            .field("keys", &keys)
            .finish()
    }
}

#[async_trait]
impl TokenStore for InMemoryTokenStore {
    async fn load(&self, key: &str) -> Result<Option<SecretString>, StoreError> {
        Ok(self.get(key))
    }

    async fn save(&self, key: &str, refresh_token: &SecretString) -> Result<(), StoreError> {
        self.lock().insert(key.to_owned(), refresh_token.clone());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::*;

    #[tokio::test]
    async fn in_memory_store_round_trips_and_hides_values() {
        let store = InMemoryTokenStore::new();
        assert!(store.load("org1").await.expect("infallible").is_none());
        store
            .save("org1", &SecretString::from("rt-secret"))
            .await
            .expect("infallible");
        let loaded = store.load("org1").await.expect("infallible");
        assert_eq!(
            loaded.as_ref().map(ExposeSecret::expose_secret),
            Some("rt-secret")
        );
        let debug = format!("{store:?}");
        assert!(debug.contains("org1"));
        assert!(!debug.contains("rt-secret"));
    }
}
