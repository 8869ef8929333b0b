//! A mock Fyle for unit-testing code that uses [`fyle::Client`], built on `wiremock`.
//!
//! [`MockFyle::start`] starts a local server that already answers the token
//! (`/oauth/token`) and cluster (`/oauth/cluster`) endpoints, and [`MockFyle::client`] gives
//! a real `fyle::Client` pointed at it: the real refresh-token flow, cluster discovery and
//! error decoding run against it. Helpers mount a paginated list from a `Vec`, a single
//! object, an upsert echo and a Fyle-shaped error, and read back the filters a request carried
//! (parsed with the same parser as `fyle-sandbox`).
//!
//! # Example: testing an app function
//!
//! ```
//! use fyle::query::Filter;
//! use fyle_mock::MockFyle;
//! use serde_json::json;
//!
//! /// The app code under test: the number of approved expenses above `min`.
//! async fn count_approved(client: &fyle::Client, min: i64) -> fyle::Result<u64> {
//!     let page: fyle::Page<serde_json::Value> = client
//!         .request(http::Method::GET, "/admin/expenses")
//!         .filter(Filter::new().eq("state", "APPROVED").gt("amount", min))
//!         .query("limit", 1)
//!         .send_json()
//!         .await?;
//!     Ok(page.count)
//! }
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let fyle = MockFyle::start().await;
//! fyle.mock_list("/admin/expenses", vec![
//!     json!({"id": "tx1", "state": "APPROVED"}),
//!     json!({"id": "tx2", "state": "APPROVED"}),
//!     json!({"id": "tx3", "state": "DRAFT"}),
//! ])
//! .await;
//!
//! let count = count_approved(&fyle.client(), 10).await.unwrap();
//!
//! assert_eq!(count, 2);
//! fyle.assert_filter("/admin/expenses", &Filter::new().eq("state", "APPROVED").gt("amount", 10))
//!     .await;
//! # });
//! ```
//!
//! Errors are as easy:
//!
//! ```
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! use fyle_mock::MockFyle;
//! let fyle = MockFyle::start().await;
//! fyle.mock_error(
//!     http::Method::POST,
//!     "/admin/employees/invite/bulk",
//!     400,
//!     Some("BulkError"),
//!     None,
//!     serde_json::json!([{"row": 1, "key": "a@b.c", "message": "Invalid / disabled department found"}]),
//! )
//! .await;
//! let err = fyle
//!     .client()
//!     .request(http::Method::POST, "/admin/employees/invite/bulk")
//!     .json(&serde_json::json!({"data": [{}, {}]}))
//!     .send()
//!     .await
//!     .unwrap_err();
//! assert_eq!(err.bulk_errors().unwrap()[0].row, 1);
//! # });
//! ```

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use fyle::auth::Credentials;
use fyle::cluster::ClusterAllowList;
use fyle::query::{Clause, Filter, Operator};
use fyle::transport::{SharedTransport, TransportBuilder};
use fyle::{Client, ClientBuilder};
use http::Method;
use serde::Serialize;
use serde_json::{Value, json};
use url::Url;
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// The access token the mock token endpoint hands out.
pub const MOCK_ACCESS_TOKEN: &str = "mock-access-token";

/// The API prefix under the cluster domain.
pub const API_PREFIX: &str = "/platform/v1";

/// The default page size Fyle uses when a request sends no `limit`.
pub const DEFAULT_LIMIT: usize = 50;

/// A running mock of Fyle's accounts host and cluster (one local server for both).
#[derive(Debug)]
pub struct MockFyle {
    server: MockServer,
    client: Client,
}

impl MockFyle {
    /// Starts the server, mounts the token and cluster endpoints, and builds a client.
    ///
    /// # Panics
    /// If the local server's URL cannot be parsed or the client cannot be built (a bug).
    pub async fn start() -> Self {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/oauth/token"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "access_token": MOCK_ACCESS_TOKEN,
                "refresh_token": "mock-refresh-token",
                "expires_in": 3600,
                "token_type": "Bearer",
            })))
            .named("fyle-mock token endpoint")
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path_regex(r"^/oauth/cluster/?$"))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(json!({ "cluster_domain": server.uri() })),
            )
            .named("fyle-mock cluster endpoint")
            .mount(&server)
            .await;
        let client = Self::builder_for(&server.uri())
            .build()
            .expect("the mock client configuration is valid");
        Self { server, client }
    }

    /// A builder already pointed at `uri` (credentials, loopback allowed, no retry, no rate
    /// limit), to customise before `.build()`.
    ///
    /// # Panics
    /// If `uri` is not a URL.
    pub fn builder_for(uri: &str) -> ClientBuilder {
        let accounts = Url::parse(uri).expect("the mock server URI is a URL");
        let credentials =
            Credentials::new("mock-client-id", "mock-client-secret", "mock-refresh-token")
                .with_accounts_url(accounts.clone());
        Client::builder()
            .credentials(credentials)
            .accounts_url(accounts)
            .allow_list(ClusterAllowList::default().allow_loopback_http())
            .transport(plain_transport())
    }

    /// A client pointed at this server (a clone of one client: they share the token).
    pub fn client(&self) -> Client {
        self.client.clone()
    }

    /// The server's base URI (`http://127.0.0.1:port`), which is both the accounts URL and the
    /// cluster domain.
    pub fn uri(&self) -> String {
        self.server.uri()
    }

    /// The underlying `wiremock` server, to mount anything else.
    pub fn server(&self) -> &MockServer {
        &self.server
    }

    /// Serves `items` at `GET {path}` (e.g. `"/admin/expenses"`) as Fyle pages
    /// `{count, offset, data}`, honouring `offset` and `limit` (default 50; above 200 answers a
    /// 400 `ValidationError` like Fyle). `eq` and `in` conditions on top-level fields are
    /// applied; other filters are ignored (read them with [`received_filters`](Self::received_filters),
    /// or use `fyle-sandbox` for full filter semantics).
    ///
    /// # Panics
    /// If an item does not serialize to JSON.
    pub async fn mock_list<T: Serialize>(&self, path: &str, items: Vec<T>) {
        let items = items
            .into_iter()
            .map(|i| serde_json::to_value(i).expect("mock items serialize to JSON"))
            .collect();
        Mock::given(method("GET"))
            .and(wiremock::matchers::path(api_path(path)))
            .respond_with(ListResponder {
                items: Arc::new(Mutex::new(items)),
            })
            .named(format!("fyle-mock list {path}"))
            .mount(&self.server)
            .await;
    }

    /// Like [`mock_list`](Self::mock_list), returning a handle to change the items while a
    /// client iterates (to test inserts or deletes during an export).
    pub async fn mock_list_handle(&self, path: &str, items: Vec<Value>) -> ListHandle {
        let items = Arc::new(Mutex::new(items));
        Mock::given(method("GET"))
            .and(wiremock::matchers::path(api_path(path)))
            .respond_with(ListResponder {
                items: Arc::clone(&items),
            })
            .named(format!("fyle-mock list {path}"))
            .mount(&self.server)
            .await;
        ListHandle { items }
    }

    /// Serves `{"data": object}` at `method path`.
    ///
    /// # Panics
    /// If `object` does not serialize to JSON.
    pub async fn mock_object<T: Serialize>(&self, http_method: Method, path: &str, object: &T) {
        let body = json!({ "data": serde_json::to_value(object).expect("mock object serializes") });
        Mock::given(method(http_method.as_str()))
            .and(wiremock::matchers::path(api_path(path)))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .named(format!("fyle-mock object {path}"))
            .mount(&self.server)
            .await;
    }

    /// Answers `POST path` by echoing the request's `data` back as `{"data": ..}`, adding an
    /// `id` (`mock1`, `mock2`, ...) to each object that has none, like a create.
    pub async fn mock_upsert_echo(&self, path: &str) {
        Mock::given(method("POST"))
            .and(wiremock::matchers::path(api_path(path)))
            .respond_with(UpsertEcho {
                next_id: Arc::new(AtomicU64::new(1)),
            })
            .named(format!("fyle-mock upsert echo {path}"))
            .mount(&self.server)
            .await;
    }

    /// Answers `method path` with a Fyle-shaped error `{"data", "error", "message"}`.
    pub async fn mock_error(
        &self,
        http_method: Method,
        path: &str,
        status: u16,
        error: Option<&str>,
        message: Option<&str>,
        data: Value,
    ) {
        let body = json!({ "data": data, "error": error, "message": message });
        Mock::given(method(http_method.as_str()))
            .and(wiremock::matchers::path(api_path(path)))
            .respond_with(ResponseTemplate::new(status).set_body_json(body))
            .named(format!("fyle-mock error {status} {path}"))
            .mount(&self.server)
            .await;
    }

    /// Every request the server received (token and cluster calls included).
    pub async fn received_requests(&self) -> Vec<Request> {
        self.server.received_requests().await.unwrap_or_default()
    }

    /// The requests received at `path` (under `/platform/v1`).
    pub async fn requests_to(&self, path: &str) -> Vec<Request> {
        let full = api_path(path);
        self.received_requests()
            .await
            .into_iter()
            .filter(|r| r.url.path() == full)
            .collect()
    }

    /// The filter each request to `path` carried, parsed with the shared query parser
    /// (`order`, `offset`, `limit` and `q` are not part of a filter).
    ///
    /// # Panics
    /// If a request's query does not parse as a filter.
    pub async fn received_filters(&self, path: &str) -> Vec<Filter> {
        self.requests_to(path)
            .await
            .iter()
            .map(|r| {
                Filter::parse_query_string(r.url.query().unwrap_or_default())
                    .unwrap_or_else(|e| panic!("the query of {} is not a valid filter: {e}", r.url))
            })
            .collect()
    }

    /// Asserts that at least one request to `path` carried exactly `expected`.
    ///
    /// # Panics
    /// If none did (the message lists what was received).
    pub async fn assert_filter(&self, path: &str, expected: &Filter) {
        let received = self.received_filters(path).await;
        assert!(
            received.iter().any(|f| f == expected),
            "no request to {path} carried the filter `{}`; received: {:?}",
            expected.to_query_string(),
            received
                .iter()
                .map(Filter::to_query_string)
                .collect::<Vec<_>>()
        );
    }
}

/// Changes the items of a list mounted with [`MockFyle::mock_list_handle`].
#[derive(Debug, Clone)]
pub struct ListHandle {
    items: Arc<Mutex<Vec<Value>>>,
}

impl ListHandle {
    /// Runs `change` on the items (insert, remove, edit).
    pub fn update(&self, change: impl FnOnce(&mut Vec<Value>)) {
        let mut items = self
            .items
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        change(&mut items);
    }
}

fn api_path(path: &str) -> String {
    format!("{API_PREFIX}/{}", path.trim_start_matches('/'))
}

fn plain_transport() -> SharedTransport {
    let reqwest = fyle::transport::ReqwestTransport::builder()
        .build()
        .expect("the reqwest client builds");
    TransportBuilder::new(reqwest).build()
}

struct ListResponder {
    items: Arc<Mutex<Vec<Value>>>,
}

fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn matches(item: &Value, filter: &Filter) -> bool {
    filter.clauses().iter().all(|clause| match clause {
        Clause::Condition(c) if c.path().is_plain() => {
            let field = item.get(c.path().column()).map(text_of);
            match c.op() {
                Operator::Eq => c
                    .value()
                    .as_str()
                    .is_none_or(|v| field.as_deref() == Some(v)),
                Operator::In => c
                    .value()
                    .as_list()
                    .is_none_or(|list| list.iter().any(|l| field.as_deref() == Some(l.as_str()))),
                _ => true,
            }
        }
        _ => true,
    })
}

fn query_number(request: &Request, name: &str) -> Result<Option<usize>, String> {
    match request.url.query_pairs().find(|(k, _)| k == name) {
        None => Ok(None),
        Some((_, v)) => v
            .parse::<usize>()
            .map(Some)
            .map_err(|_| format!("{name} must be a non-negative integer")),
    }
}

fn validation_error(field: &str, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(400).set_body_json(json!({
        "data": { field: [message] },
        "error": "ValidationError",
        "message": null,
    }))
}

impl Respond for ListResponder {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let offset = match query_number(request, "offset") {
            Ok(o) => o.unwrap_or(0),
            Err(m) => return validation_error("offset", &m),
        };
        let limit = match query_number(request, "limit") {
            Ok(Some(l)) if (1..=200).contains(&l) => l,
            Ok(None) => DEFAULT_LIMIT,
            Ok(Some(_)) => return validation_error("limit", "Must be between 1 and 200."),
            Err(m) => return validation_error("limit", &m),
        };
        let filter =
            Filter::parse_query_string(request.url.query().unwrap_or_default()).unwrap_or_default();
        let items = self
            .items
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let matching: Vec<&Value> = items.iter().filter(|i| matches(i, &filter)).collect();
        let page: Vec<&Value> = matching.iter().skip(offset).take(limit).copied().collect();
        ResponseTemplate::new(200).set_body_json(json!({
            "count": matching.len(),
            "offset": offset,
            "data": page,
        }))
    }
}

struct UpsertEcho {
    next_id: Arc<AtomicU64>,
}

impl UpsertEcho {
    fn with_id(&self, mut value: Value) -> Value {
        if let Value::Object(map) = &mut value
            && !map.contains_key("id")
        {
            let n = self.next_id.fetch_add(1, Ordering::Relaxed);
            map.insert("id".to_owned(), Value::String(format!("mock{n}")));
        }
        value
    }
}

impl Respond for UpsertEcho {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let Ok(body) = serde_json::from_slice::<Value>(&request.body) else {
            return validation_error("data", "The request body is not JSON.");
        };
        let data = match body.get("data").cloned() {
            Some(Value::Array(items)) => {
                Value::Array(items.into_iter().map(|i| self.with_id(i)).collect())
            }
            Some(obj @ Value::Object(_)) => self.with_id(obj),
            _ => return validation_error("data", "Missing data for required field."),
        };
        ResponseTemplate::new(200).set_body_json(json!({ "data": data }))
    }
}
