//! [`StoreError`]: every way a store operation fails, typed and free of secrets.

/// A store failure. No variant carries a token or key material.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database refused or could not run a statement.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The migrations shipped with the crate could not be applied.
    #[error("migrating the token store failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The database URL names no backend this build supports.
    #[error("unsupported database URL scheme {scheme:?} (enable the crate feature for it)")]
    UnsupportedUrl {
        /// The scheme given.
        scheme: String,
    },
    /// A key could not be read or parsed.
    #[error("bad store key: {reason}")]
    BadKey {
        /// What was wrong (never the key itself).
        reason: String,
    },
    /// A row was sealed with a key id the keyring does not hold.
    #[error("the keyring has no key {key_id:?}; add it as an old key to read this row")]
    UnknownKeyId {
        /// The key id stored in the row.
        key_id: String,
    },
    /// The key with that id does not open the row: it is not the key that sealed it, or the
    /// row was tampered with.
    #[error("key {key_id:?} does not decrypt {row}: wrong key or tampered row")]
    WrongKey {
        /// The key id stored in the row.
        key_id: String,
        /// Which org and column (`{org}/{column}`).
        row: String,
    },
    /// No row for this org.
    #[error("no connected org {key:?} in the token store")]
    NotConnected {
        /// The org key.
        key: String,
    },
    /// The org disconnected (or was disconnected); its tokens are no longer used.
    #[error("org {key:?} is revoked: {reason}")]
    Revoked {
        /// The org key.
        key: String,
        /// Why, as recorded.
        reason: String,
    },
    /// A stored value could not be read back.
    #[error("corrupt row for {key:?}: {reason}")]
    Corrupt {
        /// The org key.
        key: String,
        /// What was wrong.
        reason: String,
    },
}

impl From<StoreError> for fyle_auth::StoreError {
    fn from(error: StoreError) -> Self {
        fyle_auth::StoreError::new(error)
    }
}
