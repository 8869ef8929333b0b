//! Many orgs, one process: one transport and one rate limiter shared by every org's client,
//! each org with its own tokens.
//!
//! Fyle limits requests per egress IP, so every client of the process draws from one
//! [`RateLimiter`]; token refreshes go through the same transport (and limiter). Each org
//! syncs its categories, projects and employees concurrently with the others; one org failing
//! does not stop the rest.
//!
//! Secrets stay secret: a [`Tenant`]'s client secret and refresh token are [`SecretString`]s
//! (its `Debug` shows neither). Each org's provider reads its refresh token from a
//! [`TokenStore`] before refreshing and saves any rotated one there, so a rotation survives
//! the process ([`seed_store`] records the tenants' initial tokens in a SQLite store once).

use std::sync::Arc;
use std::time::Duration;

use futures::TryStreamExt;
use fyle::Client;
use fyle::auth::{Credentials, RefreshTokenProvider, SecretString, TokenStore};
use fyle::cluster::ClusterAllowList;
use fyle::models::types::{AdminApproverCategoryOut, AdminApproverProjectOut, EmployeeOut};
use fyle::transport::{
    RateLimiter, ReqwestTransport, RetryPolicy, SharedTransport, TransportBuilder,
};
use fyle_sandbox::SandboxInfo;
use fyle_store::{Connection, SqlTokenStore};
use serde::Deserialize;
use url::Url;

/// One org to sync: a name for the logs and the org's credentials. `Debug` shows no secret.
#[derive(Debug, Clone, Deserialize)]
pub struct Tenant {
    /// A label (the org name, a customer id...); also its key in the token store.
    pub name: String,
    /// The app's client id.
    pub client_id: String,
    /// The app's client secret.
    pub client_secret: SecretString,
    /// The org's refresh token (the first one: rotated ones live in the token store).
    pub refresh_token: SecretString,
    /// The accounts host (default `https://accounts.fylehq.com`).
    #[serde(default)]
    pub accounts_url: Option<String>,
}

impl Tenant {
    fn credentials(&self) -> anyhow::Result<Credentials> {
        let credentials = Credentials::new(
            self.client_id.clone(),
            self.client_secret.clone(),
            self.refresh_token.clone(),
        );
        Ok(match &self.accounts_url {
            Some(url) => credentials.with_accounts_url(Url::parse(url)?),
            None => credentials,
        })
    }
}

/// Every org of a sandbox, each with its own app and admin refresh token.
pub fn sandbox_tenants(info: &SandboxInfo) -> Vec<Tenant> {
    info.orgs
        .iter()
        .map(|org| Tenant {
            name: org.org_name.clone(),
            client_id: org.client_id.clone(),
            client_secret: org.client_secret.clone().into(),
            refresh_token: org.refresh_token.clone().into(),
            accounts_url: Some(info.accounts_url.clone()),
        })
        .collect()
}

/// The one transport of the process: reqwest, retries, `limiter`, tracing.
pub fn shared_transport(limiter: RateLimiter) -> anyhow::Result<SharedTransport> {
    let http = ReqwestTransport::builder()
        .timeout(Duration::from_secs(60))
        .build()?;
    Ok(TransportBuilder::new(http)
        .retry(RetryPolicy::default())
        .rate_limit(limiter)
        .tracing()
        .build())
}

/// Records each tenant's refresh token in `store` the first time it is seen; a tenant already
/// there keeps its stored (possibly rotated, hence newer) token.
pub async fn seed_store(store: &SqlTokenStore, tenants: &[Tenant]) -> anyhow::Result<()> {
    for tenant in tenants {
        if store.org(&tenant.name).await?.is_none() {
            store
                .connect_org(&tenant.name, &tenant.refresh_token, &Connection::default())
                .await?;
        }
    }
    Ok(())
}

/// `tenant`'s token provider on `transport`: it reads the refresh token from `store` (key:
/// the tenant's name) before each refresh and saves any rotated one there. The allow-list
/// guards the token endpoint too (one host policy for every secret).
pub fn tenant_provider(
    tenant: &Tenant,
    transport: &SharedTransport,
    allow_list: &ClusterAllowList,
    store: Arc<dyn TokenStore>,
) -> anyhow::Result<RefreshTokenProvider> {
    Ok(
        RefreshTokenProvider::builder(tenant.credentials()?, transport.clone())
            .host_policy(allow_list.clone())
            .store(store, tenant.name.clone())
            .build(),
    )
}

/// A client for `tenant` on the shared `transport`, with its own token provider whose
/// refresh tokens live in `store`.
pub fn tenant_client(
    tenant: &Tenant,
    transport: &SharedTransport,
    allow_list: &ClusterAllowList,
    store: Arc<dyn TokenStore>,
) -> anyhow::Result<Client> {
    let accounts_url = tenant.credentials()?.accounts_url;
    let tokens = tenant_provider(tenant, transport, allow_list, store)?;
    Ok(Client::builder()
        .token_provider(tokens)
        .transport(transport.clone())
        .accounts_url(accounts_url)
        .allow_list(allow_list.clone())
        .build()?)
}

/// One org's master data, as synced.
#[derive(Debug, Clone)]
pub struct OrgData {
    /// The tenant's label.
    pub tenant: String,
    /// Every category.
    pub categories: Vec<AdminApproverCategoryOut>,
    /// Every project.
    pub projects: Vec<AdminApproverProjectOut>,
    /// Every employee.
    pub employees: Vec<EmployeeOut>,
}

/// Syncs one org: categories, projects and employees, streamed concurrently.
pub async fn sync_org(tenant: &str, client: &Client) -> Result<OrgData, fyle::Error> {
    let admin = client.admin();
    let (categories, projects, employees) = tokio::try_join!(
        admin.categories().list().stream().try_collect::<Vec<_>>(),
        admin.projects().list().stream().try_collect::<Vec<_>>(),
        admin.employees().list().stream().try_collect::<Vec<_>>(),
    )?;
    Ok(OrgData {
        tenant: tenant.to_owned(),
        categories,
        projects,
        employees,
    })
}

/// Syncs every org concurrently; one result per org, in the order given.
pub async fn sync_all(clients: &[(String, Client)]) -> Vec<Result<OrgData, (String, fyle::Error)>> {
    let syncs = clients.iter().map(|(tenant, client)| async move {
        sync_org(tenant, client)
            .await
            .map_err(|error| (tenant.clone(), error))
    });
    futures::future::join_all(syncs).await
}
