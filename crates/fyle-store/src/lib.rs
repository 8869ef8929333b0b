//! Token stores for fyle-rs partner apps: every connected org's tokens in SQLite (embedded,
//! the default) or Postgres (feature `postgres`, for fleets of workers).
//!
//! - [`SqlTokenStore`]: one row per org with its cluster, connecting user, connection time,
//!   last refresh and revocation; the refresh token (and the current access token) sealed with
//!   XChaCha20-Poly1305 under a [`Keyring`] (keys from [`ENV_KEYS`] or a KMS-style callback;
//!   [`SqlTokenStore::rotate_keys`] re-seals everything under a new key). It implements
//!   [`fyle_auth::TokenStore`], so a plain `RefreshTokenProvider` can save rotated refresh
//!   tokens in it.
//! - [`StoreTokenProvider`]: a [`TokenProvider`](fyle_auth::TokenProvider) per org that keeps
//!   the access token in the store and refreshes under a cross-process lock, so N workers make
//!   one token request per expiry and all pick up a rotated refresh token.
//! - Migrations ship with the crate and run on connect. Statements are checked at run time, so
//!   building needs no database.
//!
//! A wrong key gives [`StoreError::WrongKey`]; no error, log line or `Debug` output carries a
//! token or a key.
//!
//! ```no_run
//! use fyle_store::{Connection, Keyring, SqlTokenStore};
//!
//! # async fn run(transport: fyle_transport::SharedTransport) -> Result<(), Box<dyn std::error::Error>> {
//! let store = SqlTokenStore::connect("sqlite:tokens.db", Keyring::from_env()?).await?;
//! let refresh = fyle_auth::SecretString::from("refresh-token-from-the-code-exchange");
//! let who = Connection { cluster: Some("https://in1.fylehq.com".into()), ..Connection::default() };
//! store.connect_org("orAbc123", &refresh, &who).await?;
//! let provider = store.provider("orAbc123", "tpaCLIENTID", "client-secret", transport).build();
//! # let _ = provider; Ok(()) }
//! ```

#![cfg_attr(docsrs, feature(doc_cfg))]

mod crypto;
mod db;
mod error;
mod provider;
mod record;
mod store;

pub use crypto::{DataKey, ENV_KEYS, KEY_LEN, Keyring};
pub use error::StoreError;
pub use provider::{DEFAULT_SKEW, StoreTokenProvider, StoreTokenProviderBuilder};
pub use record::{Connection, OrgRecord};
pub use store::{KeyRotation, SqlTokenStore};
