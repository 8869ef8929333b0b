//! The partner app's OAuth dance, headless, against the sandbox.

use std::sync::Arc;

use fyle::auth::{ExposeSecret, InMemoryTokenStore};
use fyle_examples::partner_app::{ConnectError, PartnerApp, PartnerConfig, drive_headless};
use fyle_sandbox::{Sandbox, SandboxConfig};
use url::Url;

struct Running {
    sandbox: Sandbox,
    app: Arc<PartnerApp>,
    store: Arc<InMemoryTokenStore>,
    url: Url,
    server: tokio::task::JoinHandle<()>,
}

async fn start(orgs: usize) -> Running {
    let config = SandboxConfig {
        orgs,
        rate_limit: 0,
        expenses: 100,
        ..SandboxConfig::default()
    };
    let sandbox = Sandbox::start(config).await.expect("sandbox starts");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = Url::parse(&format!("http://{}", listener.local_addr().expect("addr"))).expect("url");
    let config = PartnerConfig::sandbox(sandbox.info(), url.join("/callback").expect("join"))
        .expect("config");
    let store = Arc::new(InMemoryTokenStore::new());
    let app = PartnerApp::new(config, store.clone());
    let router = app.router();
    let server = tokio::spawn(async move {
        axum::serve(listener, router).await.expect("serve");
    });
    Running {
        sandbox,
        app,
        store,
        url,
        server,
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
            .get(&org.org_id)
            .expect("refresh token stored");
        assert!(!stored.expose_secret().is_empty());
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
    assert!(
        running
            .store
            .get(&running.sandbox.info().orgs[0].org_id)
            .is_none()
    );
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
