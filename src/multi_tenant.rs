//! Many orgs, one process: one transport and one rate limiter shared by every org's client,
//! each org with its own tokens.
//!
//! Fyle limits requests per egress IP, so every client of the process draws from one
//! [`RateLimiter`]; token refreshes go through the same transport (and limiter). Each org
//! syncs its categories, projects and employees concurrently with the others; one org failing
//! does not stop the rest.

use std::time::Duration;

use futures::TryStreamExt;
use fyle::Client;
use fyle::auth::{Credentials, RefreshTokenProvider};
use fyle::cluster::ClusterAllowList;
use fyle::models::types::{AdminApproverCategoryOut, AdminApproverProjectOut, EmployeeOut};
use fyle::transport::{
    RateLimiter, ReqwestTransport, RetryPolicy, SharedTransport, TransportBuilder,
};
use fyle_sandbox::SandboxInfo;
use serde::Deserialize;
use url::Url;

/// One org to sync: a name for the logs and the org's credentials.
#[derive(Debug, Clone, Deserialize)]
pub struct Tenant {
    /// A label (the org name, a customer id...).
    pub name: String,
    /// The app's client id.
    pub client_id: String,
    /// The app's client secret.
    pub client_secret: String,
    /// The org's refresh token.
    pub refresh_token: String,
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
            client_secret: org.client_secret.clone(),
            refresh_token: org.refresh_token.clone(),
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

/// A client for `tenant` on the shared `transport`, with its own token provider.
pub fn tenant_client(
    tenant: &Tenant,
    transport: &SharedTransport,
    allow_list: &ClusterAllowList,
) -> anyhow::Result<Client> {
    let credentials = tenant.credentials()?;
    let accounts_url = credentials.accounts_url.clone();
    // The allow-list guards the token endpoint too (one host policy for every secret).
    let tokens = RefreshTokenProvider::builder(credentials, transport.clone())
        .host_policy(allow_list.clone())
        .build();
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
