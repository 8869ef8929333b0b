//! What a client needs to reach a started sandbox: [`SandboxInfo`], one [`OrgInfo`] per org and
//! a few [`UserInfo`]s per org, and the credentials issued for them at start.

use serde::Serialize;
use serde_json::Value;

use crate::auth::{Auth, Grant};
use crate::store::{self, OrgData, Resource, Store};

/// The facts a client needs; the binary prints this as its first stdout line.
#[derive(Debug, Clone, Serialize)]
pub struct SandboxInfo {
    /// Base URL of the accounts server (`{accounts_url}/oauth/token`).
    pub accounts_url: String,
    /// What `/oauth/cluster` answers (`{cluster_domain}/platform/v1` is the API base).
    pub cluster_domain: String,
    /// Client id of the first org's app.
    pub client_id: String,
    /// Client secret of the first org's app.
    pub client_secret: String,
    /// Refresh token of the first org's admin.
    pub refresh_token: String,
    /// Every org.
    pub orgs: Vec<OrgInfo>,
    /// The bearer token the `/__sandbox/*` control routes require.
    pub control_token: String,
}

/// One org of the sandbox.
#[derive(Debug, Clone, Serialize)]
pub struct OrgInfo {
    /// `or…` id.
    pub org_id: String,
    /// Display name.
    pub org_name: String,
    /// This org's app.
    pub client_id: String,
    /// This org's app secret.
    pub client_secret: String,
    /// Refresh token of this org's admin (roles FYLER, ADMIN, APPROVER).
    pub refresh_token: String,
    /// A few representative users (admin, an approver, a spender of that approver), each with a
    /// refresh token for this org's app.
    pub users: Vec<UserInfo>,
}

/// A user and a refresh token acting as them.
#[derive(Debug, Clone, Serialize)]
pub struct UserInfo {
    /// `us…` id.
    pub user_id: String,
    /// Login email.
    pub email: String,
    /// Full name.
    pub full_name: String,
    /// Fyle roles (`FYLER`, `APPROVER`, `ADMIN`).
    pub roles: Vec<String>,
    /// Refresh token for the org's app, acting as this user.
    pub refresh_token: String,
}

/// The admin, the first approver and one of that approver's spenders.
pub(crate) fn representative_users(org: &OrgData) -> Vec<store::User> {
    let employees = &org.table(Resource::Employees).rows;
    let mut users: Vec<store::User> = Vec::new();
    let admin = employees.values().find(|e| {
        e.get("roles")
            .and_then(Value::as_array)
            .is_some_and(|r| r.iter().any(|x| x == "ADMIN"))
    });
    if let Some(admin) = admin
        .and_then(|e| e.get("user_id").and_then(Value::as_str))
        .and_then(|u| org.user(u))
    {
        users.push(admin);
    }
    // The first non-admin approver who approves at least one plain spender, and that spender.
    let pair = employees
        .values()
        .filter(|e| {
            let roles = e.get("roles").and_then(Value::as_array);
            roles.is_some_and(|r| {
                r.iter().any(|x| x == "APPROVER") && !r.iter().any(|x| x == "ADMIN")
            })
        })
        .filter_map(|e| {
            e.get("user_id")
                .and_then(Value::as_str)
                .and_then(|u| org.user(u))
        })
        .find_map(|approver| {
            org.approvees(&approver.user_id)
                .into_iter()
                .filter_map(|u| org.user(&u))
                .filter(|u| u.roles.len() == 1)
                .min_by(|a, b| a.email.cmp(&b.email))
                .map(|spender| (approver, spender))
        });
    if let Some((approver, spender)) = pair {
        users.push(approver);
        users.push(spender);
    }
    users
}

/// Registers each seeded org with `auth` (its app, refresh tokens for its representative users)
/// and puts it in the store: the store, and what a client needs per org.
pub(crate) fn register(auth: &mut Auth, seeded: Vec<OrgData>) -> (Store, Vec<OrgInfo>) {
    let mut store = Store::default();
    let mut org_infos = Vec::new();
    for org in seeded {
        let client = auth.add_client(&org.org_id);
        let users = representative_users(&org);
        let user_infos: Vec<UserInfo> = users
            .into_iter()
            .map(|u| UserInfo {
                refresh_token: auth.issue_refresh(Grant {
                    client_id: client.client_id.clone(),
                    org_id: org.org_id.clone(),
                    user_id: u.user_id.clone(),
                }),
                user_id: u.user_id,
                email: u.email,
                full_name: u.full_name,
                roles: u.roles,
            })
            .collect();
        org_infos.push(OrgInfo {
            org_id: org.org_id.clone(),
            org_name: org.org_name.clone(),
            client_id: client.client_id.clone(),
            client_secret: client.client_secret.clone(),
            refresh_token: user_infos
                .first()
                .map(|u| u.refresh_token.clone())
                .unwrap_or_default(),
            users: user_infos,
        });
        store.orgs.insert(org.org_id.clone(), org);
    }
    (store, org_infos)
}
