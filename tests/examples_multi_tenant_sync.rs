//! Several orgs synced at once over one transport and one rate limiter, against the sandbox;
//! rotated refresh tokens land in the token store; no secret in a tenant's `Debug`.

use std::sync::Arc;

use fyle::auth::{ExposeSecret, TokenProvider, TokenStore};
use fyle::cluster::ClusterAllowList;
use fyle::query::Filter;
use fyle::transport::RateLimiter;
use fyle_examples_common::multi_tenant::{
    Tenant, sandbox_tenants, seed_store, shared_transport, sync_all, tenant_client, tenant_provider,
};
use fyle_examples_common::partner_app::open_token_store;
use fyle_sandbox::{Resource, Sandbox, SandboxConfig};
use fyle_store::SqlTokenStore;

/// A SQLite token store in a temp dir, seeded with `tenants`.
async fn store(tenants: &[Tenant]) -> (SqlTokenStore, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = open_token_store(&dir.path().join("tokens.db"))
        .await
        .expect("store");
    seed_store(&store, tenants).await.expect("seed");
    (store, dir)
}

#[tokio::test]
async fn every_org_syncs_exactly_what_the_sandbox_holds() {
    let config = SandboxConfig {
        orgs: 3,
        expenses: 200,
        ..SandboxConfig::default()
    };
    let sandbox = Sandbox::start(config).await.expect("sandbox starts");
    let tenants = sandbox_tenants(sandbox.info());
    assert_eq!(tenants.len(), 3);
    let (store, _dir) = store(&tenants).await;

    let transport = shared_transport(RateLimiter::per_second(50)).expect("transport");
    let allow_list = ClusterAllowList::default().allow_loopback_http();
    let clients: Vec<_> = tenants
        .iter()
        .map(|t| {
            (
                t.name.clone(),
                tenant_client(t, &transport, &allow_list, Arc::new(store.clone())).expect("client"),
            )
        })
        .collect();
    for (_, client) in &clients {
        assert!(
            std::sync::Arc::ptr_eq(client.transport(), &transport),
            "one shared transport"
        );
    }

    let results = sync_all(&clients).await;
    assert_eq!(results.len(), 3);
    let all = Filter::new();
    for (result, org) in results.into_iter().zip(&sandbox.info().orgs) {
        let synced = result.unwrap_or_else(|(tenant, e)| panic!("{tenant}: {e}"));
        assert_eq!(synced.tenant, org.org_name);
        let count = |resource| {
            sandbox
                .count(&org.org_id, resource, &all)
                .expect("org exists")
        };
        assert_eq!(synced.categories.len(), count(Resource::Categories));
        assert_eq!(synced.projects.len(), count(Resource::Projects));
        assert_eq!(synced.employees.len(), count(Resource::Employees));
        // Each org's data is its own, fetched with its own tokens.
        assert!(
            synced
                .employees
                .iter()
                .all(|e| e.org_id.as_deref() == Some(org.org_id.as_str()))
        );
        assert!(
            synced
                .projects
                .iter()
                .all(|p| p.org_id.as_deref() == Some(org.org_id.as_str()))
        );
    }
}

#[tokio::test]
async fn one_org_failing_does_not_stop_the_others() {
    let config = SandboxConfig {
        orgs: 2,
        expenses: 100,
        rate_limit: 0,
        ..SandboxConfig::default()
    };
    let sandbox = Sandbox::start(config).await.expect("sandbox starts");
    let mut tenants = sandbox_tenants(sandbox.info());
    tenants[0].refresh_token = "revoked".to_owned().into();
    let (store, _dir) = store(&tenants).await;

    let transport = shared_transport(RateLimiter::per_second(50)).expect("transport");
    let allow_list = ClusterAllowList::default().allow_loopback_http();
    let clients: Vec<_> = tenants
        .iter()
        .map(|t| {
            (
                t.name.clone(),
                tenant_client(t, &transport, &allow_list, Arc::new(store.clone())).expect("client"),
            )
        })
        .collect();

    let results = sync_all(&clients).await;
    let (tenant, error) = results[0].as_ref().expect_err("bad refresh token");
    assert_eq!(tenant, &tenants[0].name);
    assert!(matches!(error.kind(), fyle::ErrorKind::Auth(_)), "{error}");
    let second = results[1].as_ref().expect("the other org syncs");
    let org = &sandbox.info().orgs[1];
    let employees = sandbox
        .count(&org.org_id, Resource::Employees, &Filter::new())
        .expect("org");
    assert_eq!(second.employees.len(), employees);
}

#[tokio::test]
async fn a_rotated_refresh_token_is_saved_and_secrets_stay_out_of_debug() {
    use wiremock::matchers::{body_partial_json, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(body_partial_json(
            serde_json::json!({"refresh_token": "rt-original"}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": "at-1", "refresh_token": "rt-rotated", "expires_in": 3600
        })))
        .expect(1)
        .mount(&server)
        .await;
    let tenant: Tenant = serde_json::from_value(serde_json::json!({
        "name": "acme",
        "client_id": "tpaACME",
        "client_secret": "cs-hidden",
        "refresh_token": "rt-original",
        "accounts_url": server.uri(),
    }))
    .expect("tenant");
    let debug = format!("{tenant:?}");
    assert!(
        !debug.contains("cs-hidden") && !debug.contains("rt-original"),
        "{debug}"
    );

    let (store, _dir) = store(std::slice::from_ref(&tenant)).await;
    let transport = shared_transport(RateLimiter::per_second(50)).expect("transport");
    let allow_list = ClusterAllowList::default().allow_loopback_http();
    let provider = tenant_provider(&tenant, &transport, &allow_list, Arc::new(store.clone()))
        .expect("provider");
    assert_eq!(
        provider.access_token().await.expect("token").expose(),
        "at-1"
    );
    let saved = store.load("acme").await.expect("load").expect("row");
    assert_eq!(saved.expose_secret(), "rt-rotated");

    // A later run seeds nothing over it: the stored, rotated token stays current.
    seed_store(&store, &[tenant]).await.expect("seed again");
    let still = store.load("acme").await.expect("load").expect("row");
    assert_eq!(still.expose_secret(), "rt-rotated");
}
