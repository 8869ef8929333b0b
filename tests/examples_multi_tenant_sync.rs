//! Several orgs synced at once over one transport and one rate limiter, against the sandbox.

use fyle::cluster::ClusterAllowList;
use fyle::query::Filter;
use fyle::transport::RateLimiter;
use fyle_examples::multi_tenant::{sandbox_tenants, shared_transport, sync_all, tenant_client};
use fyle_sandbox::{Resource, Sandbox, SandboxConfig};

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

    let transport = shared_transport(RateLimiter::per_second(50)).expect("transport");
    let allow_list = ClusterAllowList::default().allow_loopback_http();
    let clients: Vec<_> = tenants
        .iter()
        .map(|t| {
            (
                t.name.clone(),
                tenant_client(t, &transport, &allow_list).expect("client"),
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
    tenants[0].refresh_token = "revoked".to_owned();

    let transport = shared_transport(RateLimiter::per_second(50)).expect("transport");
    let allow_list = ClusterAllowList::default().allow_loopback_http();
    let clients: Vec<_> = tenants
        .iter()
        .map(|t| {
            (
                t.name.clone(),
                tenant_client(t, &transport, &allow_list).expect("client"),
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
