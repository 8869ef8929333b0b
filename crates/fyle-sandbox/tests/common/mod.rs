//! Shared helpers: start a sandbox, get tokens, call it with plain reqwest.
#![allow(dead_code, unreachable_pub)]

use fyle_sandbox::{Sandbox, SandboxConfig};
use reqwest::StatusCode;
use serde_json::{Value, json};

pub struct Env {
    pub sandbox: Sandbox,
    pub http: reqwest::Client,
}

pub async fn start(config: SandboxConfig) -> Env {
    let sandbox = Sandbox::start(config).await.expect("sandbox starts");
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    Env { sandbox, http }
}

pub fn quiet() -> SandboxConfig {
    SandboxConfig {
        expenses: 300,
        rate_limit: 0,
        ..SandboxConfig::default()
    }
}

impl Env {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sandbox.url())
    }

    pub fn api(&self, path: &str) -> String {
        format!("{}{path}", self.sandbox.api_base())
    }

    pub fn org_id(&self) -> String {
        self.sandbox.info().orgs[0].org_id.clone()
    }

    /// Exchanges a refresh token of org 0's app for an access token.
    pub async fn token_for(&self, refresh_token: &str) -> String {
        let info = self.sandbox.info();
        let resp = self
            .http
            .post(self.url("/oauth/token"))
            .json(&json!({
                "grant_type": "refresh_token",
                "client_id": info.client_id,
                "client_secret": info.client_secret,
                "refresh_token": refresh_token,
            }))
            .send()
            .await
            .expect("token call");
        assert_eq!(resp.status(), StatusCode::OK);
        let body: Value = resp.json().await.expect("json");
        body["access_token"]
            .as_str()
            .expect("access_token")
            .to_owned()
    }

    pub async fn admin_token(&self) -> String {
        let rt = self.sandbox.info().refresh_token.clone();
        self.token_for(&rt).await
    }

    /// Token of the user at `index` of org 0's representative users (0 admin, 1 approver, 2 spender).
    pub async fn user_token(&self, index: usize) -> (String, String) {
        let user = &self.sandbox.info().orgs[0].users[index];
        (
            self.token_for(&user.refresh_token).await,
            user.user_id.clone(),
        )
    }

    pub async fn get(&self, token: &str, path_and_query: &str) -> (StatusCode, Value) {
        let resp = self
            .http
            .get(self.api(path_and_query))
            .bearer_auth(token)
            .send()
            .await
            .expect("get");
        let status = resp.status();
        let body = resp.json().await.unwrap_or(Value::Null);
        (status, body)
    }

    pub async fn post(&self, token: &str, path: &str, body: &Value) -> (StatusCode, Value) {
        let resp = self
            .http
            .post(self.api(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("post");
        let status = resp.status();
        let body = resp.json().await.unwrap_or(Value::Null);
        (status, body)
    }

    /// Pages through a list with `limit=200` and returns every row and the reported count.
    pub async fn list_all(&self, token: &str, path: &str, query: &str) -> (Vec<Value>, u64) {
        let mut rows = Vec::new();
        let mut offset = 0;
        let mut count;
        loop {
            let sep = if query.is_empty() { "" } else { "&" };
            let (status, body) = self
                .get(
                    token,
                    &format!("{path}?{query}{sep}offset={offset}&limit=200"),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            count = body["count"].as_u64().expect("count");
            let page = body["data"].as_array().expect("data").clone();
            let n = page.len();
            rows.extend(page);
            offset += 200;
            if n < 200 {
                break;
            }
        }
        (rows, count)
    }
}
