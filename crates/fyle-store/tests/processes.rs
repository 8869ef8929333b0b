//! The cross-process refresh lock, with real OS processes: 8 processes x 50 concurrent callers,
//! each process with its own provider, across one expiry of the stored access token, make
//! exactly one token request; every caller gets the new token, and the rotated refresh token is
//! what the store holds afterwards.
//!
//! The worker processes are this test binary started again on the ignored
//! `refresh_worker` test, configured through the environment.

mod support;

use std::collections::HashSet;
use std::process::{Command, Stdio};
use std::time::Duration;

use fyle_auth::{ExposeSecret, SecretString, TokenProvider};
use fyle_store::{Connection, DataKey, Keyring, SqlTokenStore};
use support::{Db, open, transport, unique_org};
use wiremock::matchers::{body_partial_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const PROCESSES: usize = 8;
const CALLERS: usize = 50;
const CLIENT_ID: &str = "tpaLOCK";
const CLIENT_SECRET: &str = "client-secret";

const ENV_WORKER_DB: &str = "FYLE_STORE_WORKER_DB";
const ENV_WORKER_KEY: &str = "FYLE_STORE_WORKER_KEY";
const ENV_WORKER_ORG: &str = "FYLE_STORE_WORKER_ORG";
const ENV_WORKER_ACCOUNTS: &str = "FYLE_STORE_WORKER_ACCOUNTS";

fn token_answer(access: &str, refresh: &str, expires_in: u64) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .set_body_json(serde_json::json!({
            "access_token": access,
            "refresh_token": refresh,
            "expires_in": expires_in,
            "token_type": "Bearer",
        }))
        // A slow token endpoint widens the window in which workers could race.
        .set_delay(Duration::from_millis(300))
}

async fn one_request_per_expiry(db: Db) {
    let server = MockServer::start().await;
    // First refresh: a token that expires in one second, and a rotated refresh token.
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(body_partial_json(
            serde_json::json!({"refresh_token": "rt-0"}),
        ))
        .respond_with(token_answer("at-1", "rt-1", 1))
        .mount(&server)
        .await;
    // After the expiry: the workers must send the rotated refresh token.
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(body_partial_json(
            serde_json::json!({"refresh_token": "rt-1"}),
        ))
        .respond_with(token_answer("at-2", "rt-2", 3600))
        .mount(&server)
        .await;

    let key = DataKey::generate();
    let key_b64 = key.to_base64();
    let store = open(&db, Keyring::new("k1", key)).await;
    let org = unique_org("orLock");
    store
        .connect_org(&org, &SecretString::from("rt-0"), &Connection::default())
        .await
        .expect("connect");
    let accounts = url::Url::parse(&server.uri()).expect("mock url");
    let first = store
        .provider(&org, CLIENT_ID, CLIENT_SECRET, transport())
        .accounts_url(accounts)
        .skew(Duration::ZERO)
        .build();
    assert_eq!(
        first.access_token().await.expect("first token").expose(),
        "at-1"
    );
    // Let the stored token expire.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let before = server.received_requests().await.map_or(0, |r| r.len());

    let children: Vec<_> = (0..PROCESSES)
        .map(|_| {
            Command::new(std::env::current_exe().expect("test binary"))
                .args(["refresh_worker", "--exact", "--ignored", "--nocapture"])
                .env(ENV_WORKER_DB, &db.url)
                .env(ENV_WORKER_KEY, key_b64.expose_secret())
                .env(ENV_WORKER_ORG, &org)
                .env(ENV_WORKER_ACCOUNTS, server.uri())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn worker")
        })
        .collect();
    let outputs = tokio::task::spawn_blocking(move || {
        children
            .into_iter()
            .map(|child| child.wait_with_output().expect("worker output"))
            .collect::<Vec<_>>()
    })
    .await
    .expect("join");

    let mut tokens = HashSet::new();
    for output in &outputs {
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "worker failed: {stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let line = stdout
            .lines()
            .find_map(|l| l.strip_prefix("WORKER_TOKENS "))
            .unwrap_or_else(|| panic!("no result line in {stdout}"));
        tokens.extend(line.split(',').map(str::to_owned));
    }
    let during = server.received_requests().await.map_or(0, |r| r.len()) - before;
    println!(
        "{}: {PROCESSES} processes x {CALLERS} callers across one expiry -> {during} token request(s); tokens seen: {tokens:?}",
        db.name
    );
    assert_eq!(during, 1, "{}: exactly one token request", db.name);
    assert_eq!(tokens, HashSet::from(["at-2".to_owned()]));
    let stored = store.refresh_token(&org).await.expect("load").expect("row");
    assert_eq!(
        stored.expose_secret(),
        "rt-2",
        "rotated refresh token saved"
    );
    let record = store.org(&org).await.expect("org").expect("row");
    assert!(record.last_refresh_at.is_some() && record.access_expires_at.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_eight_processes_make_one_token_request() {
    one_request_per_expiry(support::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_eight_processes_make_one_token_request() {
    if let Some(db) = support::postgres() {
        one_request_per_expiry(db).await;
    }
}

/// One worker process: its own store connection and provider, `CALLERS` concurrent callers.
/// Prints the distinct tokens it was handed. Started by the tests above, never on its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a worker process of the cross-process tests, started by them"]
async fn refresh_worker() {
    let var = |name: &str| std::env::var(name).unwrap_or_else(|_| panic!("{name} not set"));
    let keyring = Keyring::new(
        "k1",
        DataKey::from_base64(&var(ENV_WORKER_KEY)).expect("worker key"),
    );
    let store = SqlTokenStore::connect(&var(ENV_WORKER_DB), keyring)
        .await
        .expect("worker store");
    let provider = store
        .provider(var(ENV_WORKER_ORG), CLIENT_ID, CLIENT_SECRET, transport())
        .accounts_url(url::Url::parse(&var(ENV_WORKER_ACCOUNTS)).expect("url"))
        .build();
    let calls = (0..CALLERS).map(|_| {
        let provider = provider.clone();
        tokio::spawn(async move { provider.access_token().await })
    });
    let mut tokens = HashSet::new();
    for call in futures_join(calls).await {
        let token = call.expect("task").expect("token");
        tokens.insert(token.expose().to_owned());
    }
    let mut tokens: Vec<_> = tokens.into_iter().collect();
    tokens.sort();
    println!("WORKER_TOKENS {}", tokens.join(","));
}

async fn futures_join<T>(
    handles: impl Iterator<Item = tokio::task::JoinHandle<T>>,
) -> Vec<Result<T, tokio::task::JoinError>> {
    let mut out = Vec::new();
    for handle in handles {
        out.push(handle.await);
    }
    out
}
