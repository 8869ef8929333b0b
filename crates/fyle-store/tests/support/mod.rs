//! Shared by the store tests: the databases to run against and a transport.

#![allow(dead_code, unreachable_pub)]

use fyle_store::{DataKey, Keyring, SqlTokenStore};
use fyle_transport::{ReqwestTransport, SharedTransport, TransportBuilder};

/// The Postgres URL `.ci/run` (or a developer) provides.
pub const ENV_POSTGRES_URL: &str = "FYLE_TEST_POSTGRES_URL";

/// A database for one test: its URL, and the temp dir keeping a SQLite file alive.
pub struct Db {
    pub name: &'static str,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

/// A fresh SQLite file.
pub fn sqlite() -> Db {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite:{}", dir.path().join("tokens.db").display());
    Db {
        name: "sqlite",
        url,
        _dir: Some(dir),
    }
}

/// The CI Postgres, or `None` outside CI when none is configured. Under `CI=true` a missing
/// database fails the test: CI must never silently skip Postgres.
pub fn postgres() -> Option<Db> {
    if cfg!(not(feature = "postgres")) {
        println!("postgres: not built (enable the `postgres` feature)");
        return None;
    }
    match std::env::var(ENV_POSTGRES_URL) {
        Ok(url) if !url.is_empty() => Some(Db {
            name: "postgres",
            url,
            _dir: None,
        }),
        _ => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "{ENV_POSTGRES_URL} is not set under CI=true: .ci/run must start Postgres"
            );
            println!("postgres: skipped ({ENV_POSTGRES_URL} not set; run .ci/run or see README)");
            None
        }
    }
}

/// Every backend available to this run.
pub fn databases() -> Vec<Db> {
    let mut dbs = vec![sqlite()];
    dbs.extend(postgres());
    dbs
}

/// An org key no other test (or earlier run on the same Postgres) uses.
pub fn unique_org(prefix: &str) -> String {
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default()
    )
}

pub fn keyring() -> Keyring {
    Keyring::new("k1", DataKey::generate())
}

pub async fn open(db: &Db, keyring: Keyring) -> SqlTokenStore {
    SqlTokenStore::connect(&db.url, keyring)
        .await
        .unwrap_or_else(|e| panic!("{}: connect: {e}", db.name))
}

pub fn transport() -> SharedTransport {
    TransportBuilder::new(ReqwestTransport::new()).build()
}
