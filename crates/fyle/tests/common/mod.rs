//! Shared helpers of the facade's integration tests: hand-written operation descriptors, a
//! counting token provider, a client pointed at a wiremock server, and a tiny filter evaluator.

#![allow(dead_code, unreachable_pub)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use fyle::Client;
use fyle::auth::{AccessToken, AuthError, TokenProvider};
use fyle::cluster::ClusterAllowList;
use fyle::models::operations::{
    BodyShape, HttpMethod, Operation, OperationAuth, OperationKind, Role,
};
use fyle::query::{Clause, Filter, Operator};
use fyle::transport::{ReqwestTransport, TransportBuilder};
use serde_json::Value;
use url::Url;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const fn op(
    method: HttpMethod,
    path: &'static str,
    operation_id: &'static str,
    kind: OperationKind,
    request_body: BodyShape,
    response_body: BodyShape,
) -> Operation {
    Operation {
        role: Role::Admin,
        method,
        path,
        operation_id,
        summary: "",
        kind,
        request_body,
        response_body,
        request_type: None,
        response_type: None,
        query_params: &[],
        docs_url: "",
        auth: OperationAuth::Bearer,
        answers_accepted: false,
    }
}

pub static EXPENSES_LIST: Operation = op(
    HttpMethod::Get,
    "/admin/expenses",
    "expenses_list",
    OperationKind::List,
    BodyShape::None,
    BodyShape::List,
);
pub static MY_PROFILE: Operation = op(
    HttpMethod::Get,
    "/spender/my_profile",
    "my_profile_get",
    OperationKind::GetSingle,
    BodyShape::None,
    BodyShape::Data,
);
pub static CURRENCIES: Operation = op(
    HttpMethod::Get,
    "/common/currencies",
    "currencies_list",
    OperationKind::GetArray,
    BodyShape::None,
    BodyShape::DataArray,
);
pub static EXPENSES_UPSERT: Operation = op(
    HttpMethod::Post,
    "/admin/expenses",
    "expenses_upsert",
    OperationKind::Upsert,
    BodyShape::Data,
    BodyShape::Data,
);
pub static CATEGORIES_BULK: Operation = op(
    HttpMethod::Post,
    "/admin/categories/bulk",
    "categories_bulk",
    OperationKind::Bulk,
    BodyShape::DataArray,
    BodyShape::None,
);
pub static REPORT_SUBMIT: Operation = op(
    HttpMethod::Post,
    "/spender/reports/submit",
    "reports_submit",
    OperationKind::Action,
    BodyShape::Data,
    BodyShape::None,
);
pub static ORG_ACTION: Operation = op(
    HttpMethod::Post,
    "/admin/orgs/sync",
    "orgs_sync",
    OperationKind::Action,
    BodyShape::EmptyObject,
    BodyShape::Data,
);
pub static FILE_DOWNLOAD: Operation = op(
    HttpMethod::Get,
    "/admin/files/download",
    "files_download_get",
    OperationKind::Download,
    BodyShape::None,
    BodyShape::Redirect,
);

/// Hands out `tok-1`, then `tok-2` after a rejection, and so on; counts refreshes and
/// token requests.
#[derive(Debug, Default)]
pub struct CountingTokens {
    generation: AtomicU64,
    rejections: AtomicU64,
    fetches: AtomicU64,
}

impl CountingTokens {
    pub fn new() -> Arc<Self> {
        Arc::new(Self {
            generation: AtomicU64::new(1),
            rejections: AtomicU64::new(0),
            fetches: AtomicU64::new(0),
        })
    }

    /// How many times a token was asked for.
    pub fn fetches(&self) -> u64 {
        self.fetches.load(Ordering::SeqCst)
    }

    pub fn rejections(&self) -> u64 {
        self.rejections.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl TokenProvider for CountingTokens {
    async fn access_token(&self) -> Result<AccessToken, AuthError> {
        self.fetches.fetch_add(1, Ordering::SeqCst);
        let g = self.generation.load(Ordering::SeqCst);
        Ok(AccessToken::new(format!("tok-{g}"), None))
    }

    fn reject(&self, token: &AccessToken) {
        let current = format!("tok-{}", self.generation.load(Ordering::SeqCst));
        if token.expose() == current {
            self.rejections.fetch_add(1, Ordering::SeqCst);
            self.generation.fetch_add(1, Ordering::SeqCst);
        }
    }
}

/// A client pinned to `server`, with the given tokens, no retry layer and no rate limit.
pub fn client_for(server: &MockServer, tokens: Arc<CountingTokens>) -> Client {
    client_for_uri(&server.uri(), tokens)
}

/// A client pinned to `uri`, with the given tokens, no retry layer and no rate limit.
pub fn client_for_uri(uri: &str, tokens: Arc<CountingTokens>) -> Client {
    let transport =
        TransportBuilder::new(ReqwestTransport::builder().build().expect("reqwest")).build();
    Client::builder()
        .shared_token_provider(tokens)
        .cluster(Url::parse(uri).expect("server uri"))
        .allow_list(ClusterAllowList::default().allow_loopback_http())
        .transport(transport)
        .build()
        .expect("client")
}

/// Mounts Fyle's accounts endpoints on `server`: `POST /oauth/token` answers `token`, and
/// `POST /oauth/cluster` names `server` itself as the cluster.
pub async fn mount_accounts(server: &MockServer, token: Value) {
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(token))
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path("/oauth/cluster"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"cluster_domain": server.uri()})),
        )
        .mount(server)
        .await;
}

pub fn api(path: &str) -> String {
    format!("/platform/v1{path}")
}

pub fn bearer(request: &wiremock::Request) -> Option<String> {
    request
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

pub fn query(request: &wiremock::Request, name: &str) -> Option<String> {
    request
        .url
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Evaluates `eq`/`neq`/`gt`/`gte`/`lt`/`lte` (string comparison) and `and`/`or` groups.
pub fn eval(item: &Value, clause: &Clause) -> bool {
    match clause {
        Clause::Condition(c) => {
            let Some(field) = item.get(c.path().column()).map(text_of) else {
                return false;
            };
            let Some(value) = c.value().as_str() else {
                return true;
            };
            let value = value.to_owned();
            match c.op() {
                Operator::Eq => field == value,
                Operator::Neq => field != value,
                Operator::Gt => field > value,
                Operator::Gte => field >= value,
                Operator::Lt => field < value,
                Operator::Lte => field <= value,
                _ => true,
            }
        }
        Clause::And(all) => all.iter().all(|c| eval(item, c)),
        Clause::Or(any) => any.iter().any(|c| eval(item, c)),
        Clause::Raw { .. } => true,
    }
}

pub fn eval_filter(item: &Value, filter: &Filter) -> bool {
    filter.clauses().iter().all(|c| eval(item, c))
}

/// [`client_for`], with the accounts host (`/oauth/...`) on `server` too.
pub fn client_with_accounts_on(server: &MockServer, tokens: Arc<CountingTokens>) -> Client {
    let transport =
        TransportBuilder::new(ReqwestTransport::builder().build().expect("reqwest")).build();
    let uri = Url::parse(&server.uri()).expect("server uri");
    Client::builder()
        .shared_token_provider(tokens)
        .cluster(uri.clone())
        .accounts_url(uri)
        .allow_list(ClusterAllowList::default().allow_loopback_http())
        .transport(transport)
        .build()
        .expect("client")
}
