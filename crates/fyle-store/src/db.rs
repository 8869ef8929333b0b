//! The two backends behind one enum, and the SQL they share.
//!
//! Both SQLite and Postgres accept `$1` placeholders, so every statement is written once; only
//! the lock differs: `BEGIN IMMEDIATE` takes SQLite's write lock up front (so two processes
//! never both read "expired" and both refresh), Postgres locks the org's row with
//! `SELECT .. FOR UPDATE`.

#[cfg(feature = "sqlite")]
use std::time::Duration;

#[cfg(feature = "postgres")]
use sqlx::postgres::{PgPool, PgPoolOptions};
#[cfg(feature = "sqlite")]
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};

use crate::StoreError;
use crate::crypto::Sealed;

#[cfg(not(any(feature = "sqlite", feature = "postgres")))]
compile_error!("fyle-store needs the `sqlite` or the `postgres` feature");

/// How long a SQLite connection waits for another process's write lock.
#[cfg(feature = "sqlite")]
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(60);

/// A connection pool of either backend.
#[derive(Debug, Clone)]
pub(crate) enum Pool {
    #[cfg(feature = "sqlite")]
    Sqlite(SqlitePool),
    #[cfg(feature = "postgres")]
    Postgres(PgPool),
}

/// An open transaction holding the org's refresh lock.
pub(crate) enum Locked {
    #[cfg(feature = "sqlite")]
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    #[cfg(feature = "postgres")]
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// Runs `$body` with `$p` bound to whichever backend `$pool` holds.
macro_rules! on_backend {
    ($value:expr, $ty:ident, $p:pat => $body:expr) => {
        match $value {
            #[cfg(feature = "sqlite")]
            $ty::Sqlite($p) => $body,
            #[cfg(feature = "postgres")]
            $ty::Postgres($p) => $body,
        }
    };
}

/// Reads one row of `fyle_org_tokens` into a [`RawRow`].
macro_rules! raw_row {
    ($row:expr) => {{
        use sqlx::Row as _;
        let row = $row;
        RawRow {
            org_key: row.try_get("org_key")?,
            cluster: row.try_get("cluster")?,
            user_id: row.try_get("user_id")?,
            user_email: row.try_get("user_email")?,
            connected_at: row.try_get("connected_at")?,
            last_refresh_at: row.try_get("last_refresh_at")?,
            refresh: Sealed {
                key_id: row.try_get("refresh_key_id")?,
                bytes: row.try_get("refresh_token")?,
            },
            access: match (
                row.try_get::<Option<String>, _>("access_key_id")?,
                row.try_get::<Option<Vec<u8>>, _>("access_token")?,
            ) {
                (Some(key_id), Some(bytes)) => Some(Sealed { key_id, bytes }),
                _ => None,
            },
            access_expires_at: row.try_get("access_expires_at")?,
            revoked: row.try_get("revoked")?,
            revoked_reason: row.try_get("revoked_reason")?,
            revoked_at: row.try_get("revoked_at")?,
        }
    }};
}

const SELECT_COLUMNS: &str = "SELECT org_key, cluster, user_id, user_email, connected_at, \
    last_refresh_at, refresh_key_id, refresh_token, access_key_id, access_token, \
    access_expires_at, revoked, revoked_reason, revoked_at FROM fyle_org_tokens";

/// One row as stored (secrets still sealed).
#[derive(Debug, Clone)]
pub(crate) struct RawRow {
    pub(crate) org_key: String,
    pub(crate) cluster: Option<String>,
    pub(crate) user_id: Option<String>,
    pub(crate) user_email: Option<String>,
    pub(crate) connected_at: i64,
    pub(crate) last_refresh_at: Option<i64>,
    pub(crate) refresh: Sealed,
    pub(crate) access: Option<Sealed>,
    pub(crate) access_expires_at: Option<i64>,
    pub(crate) revoked: bool,
    pub(crate) revoked_reason: Option<String>,
    pub(crate) revoked_at: Option<i64>,
}

/// What a connecting org writes.
pub(crate) struct NewRow<'a> {
    pub(crate) org_key: &'a str,
    pub(crate) cluster: Option<&'a str>,
    pub(crate) user_id: Option<&'a str>,
    pub(crate) user_email: Option<&'a str>,
    pub(crate) now: i64,
    pub(crate) refresh: Sealed,
}

/// What a refresh writes back under the lock.
pub(crate) struct RefreshedRow<'a> {
    pub(crate) org_key: &'a str,
    pub(crate) access: Sealed,
    pub(crate) access_expires_at: i64,
    /// The rotated refresh token, if the answer carried a new one.
    pub(crate) refresh: Option<Sealed>,
    pub(crate) now: i64,
}

impl Pool {
    /// Opens `url` (`sqlite:path`, `sqlite://path`, `postgres://...`) and applies migrations.
    pub(crate) async fn connect(url: &str, max_connections: u32) -> Result<Self, StoreError> {
        let scheme = url.split(':').next().unwrap_or_default();
        match scheme {
            #[cfg(feature = "sqlite")]
            "sqlite" => {
                let options: SqliteConnectOptions = url.parse()?;
                Self::sqlite(options, max_connections).await
            }
            #[cfg(feature = "postgres")]
            "postgres" | "postgresql" => {
                let pool = PgPoolOptions::new()
                    .max_connections(max_connections)
                    .connect(url)
                    .await?;
                sqlx::migrate!("migrations/postgres").run(&pool).await?;
                Ok(Self::Postgres(pool))
            }
            other => Err(StoreError::UnsupportedUrl {
                scheme: other.to_owned(),
            }),
        }
    }

    /// A SQLite file (created if missing), in WAL mode with a generous busy timeout so
    /// processes queue for the write lock instead of failing.
    #[cfg(feature = "sqlite")]
    pub(crate) async fn sqlite(
        options: SqliteConnectOptions,
        max_connections: u32,
    ) -> Result<Self, StoreError> {
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .busy_timeout(SQLITE_BUSY_TIMEOUT);
        let pool = SqlitePoolOptions::new()
            .max_connections(max_connections)
            .connect_with(options)
            .await?;
        sqlx::migrate!("migrations/sqlite").run(&pool).await?;
        Ok(Self::Sqlite(pool))
    }

    pub(crate) async fn row(&self, org_key: &str) -> Result<Option<RawRow>, StoreError> {
        let sql = format!("{SELECT_COLUMNS} WHERE org_key = $1");
        on_backend!(self, Pool, pool => {
            let row = sqlx::query(&sql).bind(org_key).fetch_optional(pool).await?;
            Ok(match row { Some(row) => Some(raw_row!(row)), None => None })
        })
    }

    pub(crate) async fn rows(&self) -> Result<Vec<RawRow>, StoreError> {
        let sql = format!("{SELECT_COLUMNS} ORDER BY org_key");
        on_backend!(self, Pool, pool => {
            let rows = sqlx::query(&sql).fetch_all(pool).await?;
            let mut out = Vec::with_capacity(rows.len());
            for row in rows {
                out.push(raw_row!(row));
            }
            Ok(out)
        })
    }

    /// Inserts or replaces an org's row: a (re)connection clears the access token and any
    /// revocation.
    pub(crate) async fn upsert(&self, new: NewRow<'_>) -> Result<(), StoreError> {
        const SQL: &str = "INSERT INTO fyle_org_tokens (org_key, cluster, user_id, user_email, \
            connected_at, refresh_key_id, refresh_token, revoked) \
            VALUES ($1, $2, $3, $4, $5, $6, $7, FALSE) \
            ON CONFLICT (org_key) DO UPDATE SET cluster = excluded.cluster, \
            user_id = excluded.user_id, user_email = excluded.user_email, \
            connected_at = excluded.connected_at, refresh_key_id = excluded.refresh_key_id, \
            refresh_token = excluded.refresh_token, access_key_id = NULL, access_token = NULL, \
            access_expires_at = NULL, revoked = FALSE, revoked_reason = NULL, revoked_at = NULL";
        on_backend!(self, Pool, pool => {
            sqlx::query(SQL)
                .bind(new.org_key)
                .bind(new.cluster)
                .bind(new.user_id)
                .bind(new.user_email)
                .bind(new.now)
                .bind(new.refresh.key_id)
                .bind(new.refresh.bytes)
                .execute(pool)
                .await?;
            Ok(())
        })
    }

    /// Replaces the refresh token of an existing row; `false` if there is no such row.
    pub(crate) async fn set_refresh(
        &self,
        org_key: &str,
        refresh: Sealed,
    ) -> Result<bool, StoreError> {
        const SQL: &str = "UPDATE fyle_org_tokens SET refresh_key_id = $2, refresh_token = $3 \
            WHERE org_key = $1";
        on_backend!(self, Pool, pool => {
            let done = sqlx::query(SQL)
                .bind(org_key)
                .bind(refresh.key_id)
                .bind(refresh.bytes)
                .execute(pool)
                .await?;
            Ok(done.rows_affected() > 0)
        })
    }

    /// Re-seals one row's secrets, only if they are still the ones read (`old_refresh`), so a
    /// concurrent refresh is never overwritten with an older token.
    pub(crate) async fn reseal(
        &self,
        org_key: &str,
        old_refresh: &Sealed,
        refresh: Sealed,
        access: Option<Sealed>,
    ) -> Result<bool, StoreError> {
        const SQL: &str = "UPDATE fyle_org_tokens SET refresh_key_id = $2, refresh_token = $3, \
            access_key_id = $4, access_token = $5 \
            WHERE org_key = $1 AND refresh_key_id = $6 AND refresh_token = $7";
        let (access_key_id, access_bytes) = split(access);
        on_backend!(self, Pool, pool => {
            let done = sqlx::query(SQL)
                .bind(org_key)
                .bind(refresh.key_id)
                .bind(refresh.bytes)
                .bind(access_key_id)
                .bind(access_bytes)
                .bind(&old_refresh.key_id)
                .bind(&old_refresh.bytes)
                .execute(pool)
                .await?;
            Ok(done.rows_affected() > 0)
        })
    }

    pub(crate) async fn revoke(
        &self,
        org_key: &str,
        reason: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        const SQL: &str = "UPDATE fyle_org_tokens SET revoked = TRUE, revoked_reason = $2, \
            revoked_at = $3, access_key_id = NULL, access_token = NULL, access_expires_at = NULL \
            WHERE org_key = $1";
        on_backend!(self, Pool, pool => {
            let done = sqlx::query(SQL)
                .bind(org_key)
                .bind(reason)
                .bind(now)
                .execute(pool)
                .await?;
            Ok(done.rows_affected() > 0)
        })
    }

    /// Opens a transaction that holds `org_key`'s refresh lock, and reads the row under it.
    pub(crate) async fn lock(&self, org_key: &str) -> Result<(Locked, Option<RawRow>), StoreError> {
        match self {
            #[cfg(feature = "sqlite")]
            Pool::Sqlite(pool) => {
                let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                let sql = format!("{SELECT_COLUMNS} WHERE org_key = $1");
                let row = sqlx::query(&sql)
                    .bind(org_key)
                    .fetch_optional(&mut *tx)
                    .await?;
                let row = match row {
                    Some(row) => Some(raw_row!(row)),
                    None => None,
                };
                Ok((Locked::Sqlite(tx), row))
            }
            #[cfg(feature = "postgres")]
            Pool::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                let sql = format!("{SELECT_COLUMNS} WHERE org_key = $1 FOR UPDATE");
                let row = sqlx::query(&sql)
                    .bind(org_key)
                    .fetch_optional(&mut *tx)
                    .await?;
                let row = match row {
                    Some(row) => Some(raw_row!(row)),
                    None => None,
                };
                Ok((Locked::Postgres(tx), row))
            }
        }
    }
}

impl Locked {
    /// Writes a refresh's outcome and releases the lock.
    pub(crate) async fn commit_refresh(self, done: RefreshedRow<'_>) -> Result<(), StoreError> {
        const SQL: &str = "UPDATE fyle_org_tokens SET access_key_id = $2, access_token = $3, \
            access_expires_at = $4, last_refresh_at = $5, \
            refresh_key_id = COALESCE($6, refresh_key_id), \
            refresh_token = COALESCE($7, refresh_token) WHERE org_key = $1";
        let (refresh_key_id, refresh_bytes) = split(done.refresh);
        on_backend!(self, Locked, mut tx => {
            sqlx::query(SQL)
                .bind(done.org_key)
                .bind(done.access.key_id)
                .bind(done.access.bytes)
                .bind(done.access_expires_at)
                .bind(done.now)
                .bind(refresh_key_id)
                .bind(refresh_bytes)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Releases the lock without writing.
    pub(crate) async fn release(self) -> Result<(), StoreError> {
        on_backend!(self, Locked, tx => {
            tx.rollback().await?;
            Ok(())
        })
    }
}

fn split(sealed: Option<Sealed>) -> (Option<String>, Option<Vec<u8>>) {
    match sealed {
        Some(Sealed { key_id, bytes }) => (Some(key_id), Some(bytes)),
        None => (None, None),
    }
}
