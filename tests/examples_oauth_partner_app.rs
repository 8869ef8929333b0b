//! The partner app's OAuth dance, headless, against the sandbox, with its tokens in SQLite;
//! and a restart that finds every org still connected.

use std::path::Path;
use std::sync::Arc;

use fyle::auth::ExposeSecret;
use fyle_examples_common::partner_app::{
    ConnectError, MAX_PENDING, PartnerApp, PartnerConfig, drive_headless, open_token_store,
};
use fyle_sandbox::{Sandbox, SandboxConfig};
use fyle_store::SqlTokenStore;
use url::Url;

struct Running {
    sandbox: Sandbox,
    app: Arc<PartnerApp>,
    store: SqlTokenStore,
    url: Url,
    server: tokio::task::JoinHandle<()>,
    _dir: tempfile::TempDir,
}

async fn sandbox(orgs: usize) -> Sandbox {
    let config = SandboxConfig {
        orgs,
        rate_limit: 0,
        expenses: 100,
        ..SandboxConfig::default()
    };
    Sandbox::start(config).await.expect("sandbox starts")
}

/// Serves a partner app for `sandbox` with its token store in `db`.
async fn serve(
    sandbox: &Sandbox,
    db: &Path,
) -> (
    Arc<PartnerApp>,
    SqlTokenStore,
    Url,
    tokio::task::JoinHandle<()>,
) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = Url::parse(&format!("http://{}", listener.local_addr().expect("addr"))).expect("url");
    let config = PartnerConfig::sandbox(sandbox.info(), url.join("/callback").expect("join"))
        .expect("config");
    let store = open_token_store(db).await.expect("token store");
    let app = PartnerApp::new(config, store.clone());
    let router = app.router();
    let server = tokio::spawn(async move {
        axum::serve(listener, router).await.expect("serve");
    });
    (app, store, url, server)
}

async fn start(orgs: usize) -> Running {
    let sandbox = sandbox(orgs).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let (app, store, url, server) = serve(&sandbox, &dir.path().join("tokens.db")).await;
    Running {
        sandbox,
        app,
        store,
        url,
        server,
        _dir: dir,
    }
}

#[tokio::test]
async fn headless_dance_connects_every_org_and_stores_its_refresh_token() {
    let running = start(2).await;
    for org in &running.sandbox.info().orgs {
        let admin = &org.users[0];
        let run = drive_headless(&running.url, Some(&admin.email))
            .await
            .expect("dance completes");

        // /connect -> the sandbox's authorize page -> /callback -> the org's page.
        assert_eq!(run.visited.len(), 4, "{:?}", run.visited);
        assert!(run.visited[0].ends_with("/connect"));
        assert!(run.visited[1].ends_with("/app/developers/oauth/authorize"));
        assert!(run.visited[2].ends_with("/callback"));
        assert_eq!(run.org_id, org.org_id);

        let connected = running.app.connected(&org.org_id).expect("org connected");
        assert_eq!(connected.org_name, org.org_name);
        assert_eq!(connected.user_email, admin.email);
        assert_eq!(
            connected.api_base.as_str().trim_end_matches('/'),
            running.sandbox.api_base()
        );

        // The store holds the org's refresh token, and it works on its own (as after a restart).
        let stored = running
            .store
            .refresh_token(&org.org_id)
            .await
            .expect("store readable")
            .expect("refresh token stored");
        assert!(!stored.expose_secret().is_empty());
        let record = running
            .store
            .org(&org.org_id)
            .await
            .expect("org")
            .expect("row");
        assert_eq!(
            record.connection.user_email.as_deref(),
            Some(admin.email.as_str())
        );
        assert!(record.connection.cluster.is_some() && !record.revoked);
        let client = running
            .app
            .client_from_store(&org.org_id)
            .await
            .expect("store readable")
            .expect("org known");
        let profile = client
            .spender()
            .my_profile()
            .get()
            .send()
            .await
            .expect("profile");
        assert_eq!(profile.org_id.as_deref(), Some(org.org_id.as_str()));
    }
    assert_eq!(running.app.connected_orgs().len(), 2);
    running.server.abort();
}

#[tokio::test]
async fn callback_with_a_forged_state_exchanges_nothing() {
    let running = start(1).await;
    let (_authorize_url, state) = running.app.start_authorization();

    // A code+state pair that this browser did not start: refused before any exchange.
    let error = running
        .app
        .complete_authorization("code=stolen&state=forged", Some("forged"))
        .await
        .expect_err("unknown state");
    assert!(
        matches!(error, ConnectError::NoPendingAuthorization),
        "{error}"
    );

    // The browser's cookie is right but the returned state is not.
    let error = running
        .app
        .complete_authorization("code=stolen&state=forged", Some(&state))
        .await
        .expect_err("state mismatch");
    assert!(matches!(error, ConnectError::StateMismatch), "{error}");

    // A denied authorization.
    let error = running
        .app
        .complete_authorization("error=access_denied&state=x", Some(&state))
        .await
        .expect_err("denied");
    assert!(matches!(error, ConnectError::NotGranted(_)), "{error}");

    assert!(running.app.connected_orgs().is_empty());
    assert!(running.store.orgs().await.expect("orgs").is_empty());
    running.server.abort();
}

#[tokio::test]
async fn callback_without_the_state_cookie_is_a_400_page() {
    let running = start(1).await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let connect = http
        .get(running.url.join("/connect").expect("join"))
        .send()
        .await
        .expect("connect");
    assert!(connect.status().is_redirection());
    let location = connect.headers()[reqwest::header::LOCATION]
        .to_str()
        .expect("ascii")
        .to_owned();
    let authorize = Url::parse(&location).expect("absolute authorize URL");
    let state = authorize
        .query_pairs()
        .find(|(key, _)| key == "state")
        .map(|(_, value)| value.into_owned())
        .expect("state on the authorize URL");
    assert!(location.starts_with(running.sandbox.url()));
    assert!(
        connect.headers()[reqwest::header::SET_COOKIE]
            .to_str()
            .expect("ascii")
            .contains(&state)
    );

    // Back at /callback with the right state but from another browser (no cookie).
    let callback = http
        .get(
            running
                .url
                .join(&format!("/callback?code=abc&state={state}"))
                .expect("join"),
        )
        .send()
        .await
        .expect("callback");
    assert_eq!(callback.status(), reqwest::StatusCode::BAD_REQUEST);
    assert!(
        callback
            .text()
            .await
            .expect("body")
            .contains("no authorization in progress")
    );
    running.server.abort();
}

#[tokio::test]
async fn a_restart_finds_every_org_still_connected() {
    let sandbox = sandbox(2).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("tokens.db");

    // First life: both orgs connect.
    let (app, store, url, server) = serve(&sandbox, &db).await;
    for org in &sandbox.info().orgs {
        let run = drive_headless(&url, Some(&org.users[0].email))
            .await
            .expect("dance completes");
        assert_eq!(run.org_id, org.org_id);
    }
    assert_eq!(app.connected_orgs().len(), 2);
    server.abort();
    drop((app, store));

    // Second life: a new process would start exactly like this, from the file alone.
    let (app, store, url, server) = serve(&sandbox, &db).await;
    assert!(app.connected_orgs().is_empty(), "nothing in memory yet");
    let (restored, failed) = app.restore().await.expect("restore");
    assert!(failed.is_empty(), "{failed:?}");
    assert_eq!(restored.len(), 2);
    for org in &sandbox.info().orgs {
        let connected = app.connected(&org.org_id).expect("still connected");
        assert_eq!(connected.org_name, org.org_name);
        let profile = connected
            .client
            .spender()
            .my_profile()
            .get()
            .send()
            .await
            .expect("the stored tokens work");
        assert_eq!(profile.org_id.as_deref(), Some(org.org_id.as_str()));
        let page = reqwest::get(url.join(&format!("/orgs/{}", org.org_id)).expect("join"))
            .await
            .expect("org page");
        assert!(page.status().is_success());
        let record = store.org(&org.org_id).await.expect("org").expect("row");
        assert!(
            record.last_refresh_at.is_some(),
            "refreshed through the store"
        );
    }
    println!(
        "restart: {} orgs restored from {}",
        restored.len(),
        db.display()
    );

    // An org whose refresh token Fyle refuses is marked revoked, not silently kept.
    let first = &sandbox.info().orgs[0].org_id;
    store
        .connect_org(
            first,
            &fyle::auth::SecretString::from("refused-token"),
            &fyle_store::Connection::default(),
        )
        .await
        .expect("reconnect with a bad token");
    let (app, _store, _url, server2) = serve(&sandbox, &db).await;
    let (restored, failed) = app.restore().await.expect("restore");
    assert_eq!((restored.len(), failed.len()), (1, 1));
    let record = store.org(first).await.expect("org").expect("row");
    assert!(record.revoked, "{record:?}");
    assert!(record.revoked_reason.is_some());
    server.abort();
    server2.abort();
}

#[tokio::test]
async fn authorizations_in_progress_are_bounded() {
    let running = start(1).await;
    let (_, first_state) = running.app.start_authorization();
    for _ in 0..MAX_PENDING {
        running.app.start_authorization();
    }
    // The oldest was forgotten to make room: its callback finds nothing in progress.
    let error = running
        .app
        .complete_authorization(&format!("code=abc&state={first_state}"), Some(&first_state))
        .await
        .expect_err("evicted");
    assert!(
        matches!(error, ConnectError::NoPendingAuthorization),
        "{error}"
    );
    running.server.abort();
}
