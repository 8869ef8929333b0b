//! [`SqlTokenStore`]: the org rows, their sealed tokens, key rotation, and the
//! [`TokenStore`] hook.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use fyle_auth::TokenStore;
use secrecy::{ExposeSecret, SecretString};
use time::OffsetDateTime;

use crate::StoreError;
use crate::crypto::{Keyring, Sealed};
use crate::db::{NewRow, Pool, RawRow};
use crate::record::{Connection, OrgRecord, from_millis, to_millis};

/// Default size of the connection pool.
const DEFAULT_MAX_CONNECTIONS: u32 = 5;

/// The column names used as associated data, so a sealed value only opens in its own place.
pub(crate) const REFRESH_COLUMN: &str = "refresh_token";
pub(crate) const ACCESS_COLUMN: &str = "access_token";

/// What [`SqlTokenStore::rotate_keys`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct KeyRotation {
    /// Orgs whose secrets are now sealed with the current key.
    pub resealed: Vec<String>,
    /// Orgs sealed with a key the keyring does not hold (or that does not open them); left as
    /// they were.
    pub unreadable: Vec<String>,
}

/// Tokens of many orgs in SQLite or Postgres, sealed with a [`Keyring`].
///
/// Cheap to clone (clones share the pool). `Debug` shows the backend and the key ids only.
#[derive(Clone)]
pub struct SqlTokenStore {
    pub(crate) pool: Pool,
    pub(crate) keyring: Arc<Keyring>,
}

impl SqlTokenStore {
    /// Opens the database at `url` and applies the shipped migrations.
    ///
    /// `sqlite:path/to/tokens.db` (the file is created if missing) or
    /// `postgres://user@host/db` (with the `postgres` feature).
    pub async fn connect(url: &str, keyring: Keyring) -> Result<Self, StoreError> {
        Ok(Self {
            pool: Pool::connect(url, DEFAULT_MAX_CONNECTIONS).await?,
            keyring: Arc::new(keyring),
        })
    }

    /// Opens (or creates) a SQLite file.
    #[cfg(feature = "sqlite")]
    pub async fn open_sqlite(
        path: impl AsRef<std::path::Path>,
        keyring: Keyring,
    ) -> Result<Self, StoreError> {
        let options = sqlx::sqlite::SqliteConnectOptions::new().filename(path);
        Ok(Self {
            pool: Pool::sqlite(options, DEFAULT_MAX_CONNECTIONS).await?,
            keyring: Arc::new(keyring),
        })
    }

    /// The keyring sealing this store's secrets.
    pub fn keyring(&self) -> &Keyring {
        &self.keyring
    }

    /// Records that `org_key` connected: its refresh token, cluster and connecting user.
    /// A reconnection replaces all of it and clears any revocation.
    pub async fn connect_org(
        &self,
        org_key: &str,
        refresh_token: &SecretString,
        connection: &Connection,
    ) -> Result<(), StoreError> {
        let refresh = self.seal(org_key, REFRESH_COLUMN, refresh_token)?;
        self.pool
            .upsert(NewRow {
                org_key,
                cluster: connection.cluster.as_deref(),
                user_id: connection.user_id.as_deref(),
                user_email: connection.user_email.as_deref(),
                now: to_millis(OffsetDateTime::now_utc()),
                refresh,
            })
            .await
    }

    /// The org's record (no secrets), if it ever connected.
    pub async fn org(&self, org_key: &str) -> Result<Option<OrgRecord>, StoreError> {
        Ok(self.pool.row(org_key).await?.map(record))
    }

    /// Every org's record, ordered by key (revoked ones included).
    pub async fn orgs(&self) -> Result<Vec<OrgRecord>, StoreError> {
        Ok(self.pool.rows().await?.into_iter().map(record).collect())
    }

    /// The org's refresh token. A revoked org gives [`StoreError::Revoked`]; an org never
    /// connected gives `None`.
    pub async fn refresh_token(&self, org_key: &str) -> Result<Option<SecretString>, StoreError> {
        let Some(row) = self.pool.row(org_key).await? else {
            return Ok(None);
        };
        if row.revoked {
            return Err(revoked(&row));
        }
        self.open(org_key, REFRESH_COLUMN, &row.refresh).map(Some)
    }

    /// Replaces a connected org's refresh token ([`StoreError::NotConnected`] if there is no
    /// row: connect the org with [`connect_org`](Self::connect_org) first).
    pub async fn save_refresh_token(
        &self,
        org_key: &str,
        refresh_token: &SecretString,
    ) -> Result<(), StoreError> {
        let sealed = self.seal(org_key, REFRESH_COLUMN, refresh_token)?;
        if self.pool.set_refresh(org_key, sealed).await? {
            Ok(())
        } else {
            Err(StoreError::NotConnected {
                key: org_key.to_owned(),
            })
        }
    }

    /// Marks the org revoked (it disconnected the app, or its refresh token was refused): its
    /// tokens are no longer handed out. `false` if the org is unknown.
    pub async fn revoke(&self, org_key: &str, reason: &str) -> Result<bool, StoreError> {
        tracing::info!(org = org_key, reason, "revoking org in the token store");
        self.pool
            .revoke(org_key, reason, to_millis(OffsetDateTime::now_utc()))
            .await
    }

    /// Re-seals, with the current key, every secret sealed with an older key. Safe to run while
    /// workers refresh: a row refreshed meanwhile is skipped (it is already sealed with the
    /// current key). Rows no key of the keyring opens are listed, not changed; once none is
    /// listed, the old keys can be dropped.
    pub async fn rotate_keys(&self) -> Result<KeyRotation, StoreError> {
        let current = self.keyring.current_key_id();
        let mut report = KeyRotation::default();
        for row in self.pool.rows().await? {
            let stale_access = row.access.as_ref().is_some_and(|a| a.key_id != current);
            if row.refresh.key_id == current && !stale_access {
                continue;
            }
            let key = &row.org_key;
            let refresh = match self.open(key, REFRESH_COLUMN, &row.refresh) {
                Ok(refresh) => self.seal(key, REFRESH_COLUMN, &refresh)?,
                Err(error) => {
                    tracing::warn!(org = %key, %error, "row left under its old key");
                    report.unreadable.push(key.clone());
                    continue;
                }
            };
            // An access token that no longer opens is dropped: it is re-fetched on demand.
            let access = match &row.access {
                Some(sealed) => self
                    .open(key, ACCESS_COLUMN, sealed)
                    .and_then(|access| self.seal(key, ACCESS_COLUMN, &access))
                    .ok(),
                None => None,
            };
            if self.pool.reseal(key, &row.refresh, refresh, access).await? {
                report.resealed.push(key.clone());
            }
        }
        tracing::info!(
            resealed = report.resealed.len(),
            unreadable = report.unreadable.len(),
            key_id = current,
            "token store keys rotated"
        );
        Ok(report)
    }

    pub(crate) fn seal(
        &self,
        org_key: &str,
        column: &str,
        secret: &SecretString,
    ) -> Result<Sealed, StoreError> {
        self.keyring
            .seal(secret.expose_secret(), &format!("{org_key}/{column}"))
    }

    pub(crate) fn open(
        &self,
        org_key: &str,
        column: &str,
        sealed: &Sealed,
    ) -> Result<SecretString, StoreError> {
        self.keyring.open(sealed, &format!("{org_key}/{column}"))
    }
}

pub(crate) fn revoked(row: &RawRow) -> StoreError {
    StoreError::Revoked {
        key: row.org_key.clone(),
        reason: row
            .revoked_reason
            .clone()
            .unwrap_or_else(|| "no reason recorded".to_owned()),
    }
}

fn record(row: RawRow) -> OrgRecord {
    OrgRecord {
        org_key: row.org_key,
        connection: Connection {
            cluster: row.cluster,
            user_id: row.user_id,
            user_email: row.user_email,
        },
        connected_at: from_millis(row.connected_at),
        last_refresh_at: row.last_refresh_at.map(from_millis),
        access_expires_at: row.access_expires_at.map(from_millis),
        revoked: row.revoked,
        revoked_reason: row.revoked_reason,
        revoked_at: row.revoked_at.map(from_millis),
        key_id: row.refresh.key_id,
    }
}

impl fmt::Debug for SqlTokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let backend = match &self.pool {
            #[cfg(feature = "sqlite")]
            Pool::Sqlite(_) => "sqlite",
            #[cfg(feature = "postgres")]
            Pool::Postgres(_) => "postgres",
        };
        f.debug_struct("SqlTokenStore")
            .field("backend", &backend)
            .field("keyring", &self.keyring)
            .finish()
    }
}

/// The hook [`RefreshTokenProvider`](fyle_auth::RefreshTokenProvider) uses: `load` reads the
/// org's refresh token, `save` replaces it (the org must be connected).
#[async_trait]
impl TokenStore for SqlTokenStore {
    async fn load(&self, key: &str) -> Result<Option<SecretString>, fyle_auth::StoreError> {
        Ok(self.refresh_token(key).await?)
    }

    async fn save(
        &self,
        key: &str,
        refresh_token: &SecretString,
    ) -> Result<(), fyle_auth::StoreError> {
        Ok(self.save_refresh_token(key, refresh_token).await?)
    }
}
