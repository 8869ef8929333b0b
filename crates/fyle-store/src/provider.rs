//! [`StoreTokenProvider`]: one org's access tokens, shared through the store by every process.
//!
//! The access token and its expiry live in the org's row (sealed like the refresh token), so
//! a worker that starts, or whose cached token nears expiry, first looks there. Only when the
//! stored token is missing, expiring or rejected does a worker take the org's refresh lock
//! (`BEGIN IMMEDIATE` on SQLite, `SELECT .. FOR UPDATE` on Postgres), look again under the
//! lock, and only then call the token endpoint; it writes the new access token and any rotated
//! refresh token before releasing the lock. Every other worker, in this process or another,
//! waits on the lock and then finds the fresh token: one token request per expiry, however
//! many workers.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use fyle_auth::{
    AccessToken, AuthError, Credentials, InMemoryTokenStore, RefreshTokenProvider, TokenProvider,
};
use fyle_transport::SharedTransport;
use secrecy::{ExposeSecret, SecretString};
use time::OffsetDateTime;
use url::Url;

use crate::db::RawRow;
use crate::record::{from_millis, to_millis};
use crate::store::{ACCESS_COLUMN, REFRESH_COLUMN, revoked};
use crate::{SqlTokenStore, StoreError};

/// Stop using a stored access token this long before it expires.
pub const DEFAULT_SKEW: Duration = Duration::from_secs(5 * 60);

/// A [`TokenProvider`] for one org whose tokens live in a [`SqlTokenStore`].
///
/// Cheap to clone (clones share the in-memory cache). `Debug` shows the org and client id.
#[derive(Clone)]
pub struct StoreTokenProvider {
    inner: Arc<Inner>,
}

struct Inner {
    store: SqlTokenStore,
    org_key: String,
    client_id: String,
    client_secret: SecretString,
    accounts_url: Url,
    transport: SharedTransport,
    skew: Duration,
    cache: Mutex<Cache>,
    /// Held by the one task of this process that talks to the store's lock.
    flight: tokio::sync::Mutex<()>,
}

#[derive(Default)]
struct Cache {
    current: Option<(AccessToken, OffsetDateTime)>,
    /// The last token Fyle refused: never taken from the store again.
    rejected: Option<SecretString>,
}

/// Builds a [`StoreTokenProvider`]; see [`SqlTokenStore::provider`].
#[must_use]
pub struct StoreTokenProviderBuilder {
    store: SqlTokenStore,
    org_key: String,
    client_id: String,
    client_secret: SecretString,
    accounts_url: Option<Url>,
    transport: SharedTransport,
    skew: Duration,
}

impl SqlTokenStore {
    /// A provider of `org_key`'s access tokens, refreshing through the app's client id and
    /// secret on `transport`.
    pub fn provider(
        &self,
        org_key: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<SecretString>,
        transport: SharedTransport,
    ) -> StoreTokenProviderBuilder {
        StoreTokenProviderBuilder {
            store: self.clone(),
            org_key: org_key.into(),
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            accounts_url: None,
            transport,
            skew: DEFAULT_SKEW,
        }
    }
}

impl StoreTokenProviderBuilder {
    /// The accounts host (default [`fyle_auth::DEFAULT_ACCOUNTS_URL`]).
    pub fn accounts_url(mut self, url: Url) -> Self {
        self.accounts_url = Some(url);
        self
    }

    /// Stop using a token this long before its expiry (default [`DEFAULT_SKEW`]).
    pub fn skew(mut self, skew: Duration) -> Self {
        self.skew = skew;
        self
    }

    /// Builds the provider.
    pub fn build(self) -> StoreTokenProvider {
        let accounts_url = self.accounts_url.unwrap_or_else(|| {
            Credentials::new(String::new(), String::new(), String::new()).accounts_url
        });
        StoreTokenProvider {
            inner: Arc::new(Inner {
                store: self.store,
                org_key: self.org_key,
                client_id: self.client_id,
                client_secret: self.client_secret,
                accounts_url,
                transport: self.transport,
                skew: self.skew,
                cache: Mutex::new(Cache::default()),
                flight: tokio::sync::Mutex::new(()),
            }),
        }
    }
}

impl StoreTokenProvider {
    /// The org this provider serves.
    pub fn org_key(&self) -> &str {
        &self.inner.org_key
    }

    fn cache(&self) -> MutexGuard<'_, Cache> {
        // Every write leaves the cache consistent, so a poisoned lock is still usable.
        self.inner
            .cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The cached token, if it is still good for longer than the skew.
    fn cached(&self, now: OffsetDateTime) -> Option<AccessToken> {
        let cache = self.cache();
        cache
            .current
            .as_ref()
            .filter(|(_, expires_at)| self.fresh(*expires_at, now))
            .map(|(token, _)| token.clone())
    }

    fn fresh(&self, expires_at: OffsetDateTime, now: OffsetDateTime) -> bool {
        expires_at - self.inner.skew > now
    }

    fn remember(&self, secret: SecretString, expires_at: OffsetDateTime) -> AccessToken {
        let left = (expires_at - OffsetDateTime::now_utc())
            .try_into()
            .unwrap_or(Duration::ZERO);
        let token = AccessToken::new(secret, Some(tokio::time::Instant::now() + left));
        self.cache().current = Some((token.clone(), expires_at));
        token
    }

    /// The row's access token, if it is fresh and not the one Fyle refused.
    fn usable(
        &self,
        row: &RawRow,
        now: OffsetDateTime,
    ) -> Result<Option<(SecretString, OffsetDateTime)>, StoreError> {
        if row.revoked {
            return Err(revoked(row));
        }
        let (Some(sealed), Some(expires_at)) = (&row.access, row.access_expires_at) else {
            return Ok(None);
        };
        let expires_at = from_millis(expires_at);
        if !self.fresh(expires_at, now) {
            return Ok(None);
        }
        let secret = self.inner.store.open(&row.org_key, ACCESS_COLUMN, sealed)?;
        let refused = self
            .cache()
            .rejected
            .as_ref()
            .is_some_and(|r| r.expose_secret() == secret.expose_secret());
        Ok((!refused).then_some((secret, expires_at)))
    }

    async fn fetch(&self) -> Result<AccessToken, AuthError> {
        let _flight = self.inner.flight.lock().await;
        let now = OffsetDateTime::now_utc();
        if let Some(token) = self.cached(now) {
            return Ok(token);
        }
        let store = &self.inner.store;
        let key = &self.inner.org_key;
        // Without the lock first: another worker has usually refreshed already.
        if let Some(row) = store.pool.row(key).await.map_err(store_error)?
            && let Some((secret, expires_at)) = self.usable(&row, now).map_err(store_error)?
        {
            return Ok(self.remember(secret, expires_at));
        }
        let (locked, row) = store.pool.lock(key).await.map_err(store_error)?;
        let Some(row) = row else {
            locked.release().await.map_err(store_error)?;
            return Err(store_error(StoreError::NotConnected { key: key.clone() }));
        };
        let now = OffsetDateTime::now_utc();
        if let Some((secret, expires_at)) = self.usable(&row, now).map_err(store_error)? {
            locked.release().await.map_err(store_error)?;
            tracing::debug!(org = %key, "access token refreshed by another worker");
            return Ok(self.remember(secret, expires_at));
        }
        // Dropping `locked` on any error below rolls the transaction back.
        let refresh = store
            .open(key, REFRESH_COLUMN, &row.refresh)
            .map_err(store_error)?;
        let (token, expires_at, rotated) = self.exchange(&refresh).await?;
        let access = store
            .seal(key, ACCESS_COLUMN, token.secret())
            .map_err(store_error)?;
        let rotated = rotated
            .map(|new| store.seal(key, REFRESH_COLUMN, &new))
            .transpose()
            .map_err(store_error)?;
        locked
            .commit_refresh(crate::db::RefreshedRow {
                org_key: key,
                access,
                access_expires_at: to_millis(expires_at),
                refresh: rotated,
                now: to_millis(OffsetDateTime::now_utc()),
            })
            .await
            .map_err(store_error)?;
        tracing::info!(org = %key, "access token refreshed and stored");
        Ok(self.remember(token.secret().clone(), expires_at))
    }

    /// One refresh-token grant: the new access token, its wall-clock expiry, and the rotated
    /// refresh token if the answer carried a different one.
    async fn exchange(
        &self,
        refresh: &SecretString,
    ) -> Result<(AccessToken, OffsetDateTime, Option<SecretString>), AuthError> {
        const SLOT: &str = "refresh";
        let inner = &self.inner;
        // A one-shot provider does the wire exchange; its store captures a rotated token.
        let captured = Arc::new(InMemoryTokenStore::new());
        captured.insert(SLOT, refresh.clone());
        let credentials = Credentials::new(
            inner.client_id.clone(),
            inner.client_secret.clone(),
            refresh.clone(),
        )
        .with_accounts_url(inner.accounts_url.clone());
        let one_shot = RefreshTokenProvider::builder(credentials, inner.transport.clone())
            .store(captured.clone(), SLOT)
            .jitter(Duration::ZERO)
            .build();
        let token = one_shot.access_token().await?;
        let left = token.expires_at().map_or(Duration::ZERO, |at| {
            at.saturating_duration_since(tokio::time::Instant::now())
        });
        let expires_at = OffsetDateTime::now_utc() + left;
        let rotated = captured
            .get(SLOT)
            .filter(|new| new.expose_secret() != refresh.expose_secret());
        Ok((token, expires_at, rotated))
    }
}

fn store_error(error: StoreError) -> AuthError {
    AuthError::Store(Arc::new(error.into()))
}

#[async_trait]
impl TokenProvider for StoreTokenProvider {
    async fn access_token(&self) -> Result<AccessToken, AuthError> {
        if let Some(token) = self.cached(OffsetDateTime::now_utc()) {
            return Ok(token);
        }
        self.fetch().await
    }

    fn reject(&self, token: &AccessToken) {
        let mut cache = self.cache();
        let current = cache
            .current
            .as_ref()
            .is_some_and(|(t, _)| t.generation() == token.generation());
        if current {
            cache.current = None;
            cache.rejected = Some(token.secret().clone());
            tracing::debug!(org = %self.inner.org_key, "stored access token rejected");
        }
    }
}

impl fmt::Debug for StoreTokenProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoreTokenProvider")
            .field("org_key", &self.inner.org_key)
            .field("client_id", &self.inner.client_id)
            .finish_non_exhaustive()
    }
}
