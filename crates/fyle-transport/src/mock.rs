//! [`MockTransport`]: an in-memory, scripted transport for socket-less tests (feature `test-util`).

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, Response, StatusCode, Uri};

use crate::{SharedTransport, Transport, TransportError, TransportErrorKind};

/// One scripted reply of a [`MockTransport`]: a response or a transport error.
#[derive(Debug, Clone)]
pub struct MockResponse {
    reply: Reply,
    delay: Option<Duration>,
}

#[derive(Debug, Clone)]
enum Reply {
    Response {
        status: StatusCode,
        headers: HeaderMap,
        body: Bytes,
    },
    Error {
        kind: TransportErrorKind,
        message: String,
    },
}

impl MockResponse {
    /// A response with `status` and an empty body.
    ///
    /// # Panics
    /// If `status` is not a valid HTTP status code (100..=999): a bug in the test.
    pub fn status(status: u16) -> Self {
        Self {
            reply: Reply::Response {
                status: StatusCode::from_u16(status).expect("a valid HTTP status code"),
                headers: HeaderMap::new(),
                body: Bytes::new(),
            },
            delay: None,
        }
    }

    /// A `200 OK` with `body` and `content-type: application/json`.
    pub fn json(body: impl Into<Bytes>) -> Self {
        Self::status(200)
            .header("content-type", "application/json")
            .body(body)
    }

    /// A transport error of `kind` instead of a response.
    pub fn error(kind: TransportErrorKind, message: impl Into<String>) -> Self {
        Self {
            reply: Reply::Error {
                kind,
                message: message.into(),
            },
            delay: None,
        }
    }

    /// Delays this reply by `delay` (in `tokio::time`, so virtual time applies): a slow server
    /// for timeout tests.
    #[must_use]
    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = Some(delay);
        self
    }

    /// Adds a header.
    ///
    /// # Panics
    /// If the name or value is invalid, or on an error reply: a bug in the test.
    #[must_use]
    pub fn header(mut self, name: &str, value: &str) -> Self {
        if let Reply::Response { headers, .. } = &mut self.reply {
            headers.append(
                HeaderName::try_from(name).expect("a valid header name"),
                HeaderValue::try_from(value).expect("a valid header value"),
            );
        } else {
            panic!("MockResponse::header called on an error reply");
        }
        self
    }

    /// Sets the body.
    #[must_use]
    pub fn body(mut self, new_body: impl Into<Bytes>) -> Self {
        if let Reply::Response { body, .. } = &mut self.reply {
            *body = new_body.into();
        }
        self
    }

    fn produce(&self, uri: &Uri) -> Result<Response<Bytes>, TransportError> {
        match &self.reply {
            Reply::Response {
                status,
                headers,
                body,
            } => {
                let mut response = Response::new(body.clone());
                *response.status_mut() = *status;
                *response.headers_mut() = headers.clone();
                Ok(response)
            }
            Reply::Error { kind, message } => {
                Err(TransportError::new(*kind, message.clone()).with_uri(uri))
            }
        }
    }
}

impl From<Response<Bytes>> for MockResponse {
    fn from(response: Response<Bytes>) -> Self {
        let (parts, body) = response.into_parts();
        Self {
            reply: Reply::Response {
                status: parts.status,
                headers: parts.headers,
                body,
            },
            delay: None,
        }
    }
}

impl From<TransportError> for MockResponse {
    fn from(err: TransportError) -> Self {
        Self::error(err.kind(), err.message())
    }
}

/// A request seen by a [`MockTransport`].
#[derive(Debug, Clone)]
pub struct CapturedRequest {
    /// The method.
    pub method: Method,
    /// The full URI, query included.
    pub uri: Uri,
    /// All headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
}

impl CapturedRequest {
    /// The URI's path.
    pub fn path(&self) -> &str {
        self.uri.path()
    }

    /// The decoded-as-is query pairs (`a=1&b=2` gives `[("a","1"), ("b","2")]`; no
    /// percent-decoding).
    pub fn query_pairs(&self) -> Vec<(&str, &str)> {
        self.uri
            .query()
            .unwrap_or_default()
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| pair.split_once('=').unwrap_or((pair, "")))
            .collect()
    }

    /// A header's value as text, if present and visible ASCII.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body as UTF-8 text (lossy).
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

#[derive(Debug)]
struct Route {
    method: Method,
    path: String,
    replies: VecDeque<MockResponse>,
}

#[derive(Debug, Default)]
struct State {
    routes: Vec<Route>,
    queue: VecDeque<MockResponse>,
    requests: Vec<CapturedRequest>,
}

/// An in-memory [`Transport`] that answers from a script and records every request.
///
/// Two ways to script, which combine:
/// - by method and path with [`on`](Self::on): a route's replies are used in order and the last
///   one repeats forever (so one reply answers every call, and `[503, 200]` fails once, then
///   succeeds). The path matches the request path exactly, or a trailing part of it at a `/`
///   boundary (`"/admin/expenses"` matches `/platform/v1/admin/expenses`); exact matches win.
///   The query string is ignored;
/// - in order with [`push`](Self::push): when no route matches, the next queued reply is used
///   once.
///
/// A request that nothing answers gets a [`TransportErrorKind::Other`] error naming the method,
/// path and scripted routes. Clones share the script and the captured requests.
///
/// ```
/// use bytes::Bytes;
/// use fyle_transport::{MockResponse, MockTransport, Transport};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let mock = MockTransport::new()
///     .on(http::Method::GET, "/admin/expenses", MockResponse::json(r#"{"count":0,"data":[]}"#));
/// let request = http::Request::get("https://us1.fylehq.com/platform/v1/admin/expenses?limit=1")
///     .body(Bytes::new())
///     .unwrap();
/// let response = mock.send(request).await.unwrap();
/// assert_eq!(response.status(), 200);
/// assert_eq!(mock.requests()[0].query_pairs(), [("limit", "1")]);
/// # });
/// ```
#[derive(Debug, Clone, Default)]
pub struct MockTransport {
    state: Arc<Mutex<State>>,
}

impl MockTransport {
    /// An empty script: every request fails until replies are added.
    pub fn new() -> Self {
        Self::default()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panicking test thread must not hide the captured requests from the others.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds a reply for `method` + `path` (see the type docs for matching and ordering).
    #[must_use]
    pub fn on(self, method: Method, path: &str, reply: impl Into<MockResponse>) -> Self {
        self.add_route(method, path, reply);
        self
    }

    /// Like [`on`](Self::on), through a shared reference (e.g. on a clone held by a client).
    pub fn add_route(&self, method: Method, path: &str, reply: impl Into<MockResponse>) {
        let mut state = self.state();
        let reply = reply.into();
        if let Some(route) = state
            .routes
            .iter_mut()
            .find(|r| r.method == method && r.path == path)
        {
            route.replies.push_back(reply);
        } else {
            state.routes.push(Route {
                method,
                path: path.to_owned(),
                replies: VecDeque::from([reply]),
            });
        }
    }

    /// Queues a reply used once, in order, by a request that matches no route.
    #[must_use]
    pub fn push(self, reply: impl Into<MockResponse>) -> Self {
        self.push_reply(reply);
        self
    }

    /// Like [`push`](Self::push), through a shared reference.
    pub fn push_reply(&self, reply: impl Into<MockResponse>) {
        self.state().queue.push_back(reply.into());
    }

    /// A [`SharedTransport`] over a clone of this mock (same script, same captured requests).
    pub fn shared(&self) -> SharedTransport {
        Arc::new(self.clone())
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<CapturedRequest> {
        self.state().requests.clone()
    }

    /// How many requests were received.
    pub fn request_count(&self) -> usize {
        self.state().requests.len()
    }

    /// Forgets the captured requests (the script stays).
    pub fn clear_requests(&self) {
        self.state().requests.clear();
    }
}

fn path_matches(route: &str, path: &str) -> bool {
    path.strip_suffix(route)
        .is_some_and(|prefix| route.starts_with('/') || prefix.ends_with('/'))
}

impl State {
    fn answer(&mut self, method: &Method, path: &str) -> Option<MockResponse> {
        let index = self
            .routes
            .iter()
            .position(|r| r.method == *method && r.path == path)
            .or_else(|| {
                self.routes
                    .iter()
                    .position(|r| r.method == *method && path_matches(&r.path, path))
            });
        if let Some(index) = index {
            let route = &mut self.routes[index];
            return if route.replies.len() > 1 {
                route.replies.pop_front()
            } else {
                route.replies.front().cloned()
            };
        }
        self.queue.pop_front()
    }

    fn describe_routes(&self) -> String {
        if self.routes.is_empty() {
            return "none".to_owned();
        }
        let mut out = String::new();
        for (i, route) in self.routes.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            let _ = write!(out, "{} {}", route.method, route.path);
        }
        out
    }
}

#[async_trait]
impl Transport for MockTransport {
    async fn send(&self, request: Request<Bytes>) -> Result<Response<Bytes>, TransportError> {
        let (parts, body) = request.into_parts();
        let answer = {
            let mut state = self.state();
            state.requests.push(CapturedRequest {
                method: parts.method.clone(),
                uri: parts.uri.clone(),
                headers: parts.headers,
                body,
            });
            state
                .answer(&parts.method, parts.uri.path())
                .ok_or_else(|| state.describe_routes())
        };
        match answer {
            Ok(reply) => {
                if let Some(delay) = reply.delay {
                    tokio::time::sleep(delay).await;
                }
                reply.produce(&parts.uri)
            }
            Err(routes) => Err(TransportError::new(
                TransportErrorKind::Other,
                format!(
                    "MockTransport has no scripted reply for {} {} (routes: {}; in-order queue empty)",
                    parts.method,
                    parts.uri.path(),
                    routes
                ),
            )
            .with_uri(&parts.uri)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffix_matching_respects_segments() {
        assert!(path_matches(
            "/admin/expenses",
            "/platform/v1/admin/expenses"
        ));
        assert!(path_matches(
            "admin/expenses",
            "/platform/v1/admin/expenses"
        ));
        assert!(!path_matches("expenses", "/platform/v1/admin/myexpenses"));
        assert!(!path_matches("/admin/expenses", "/admin/expenses/bulk"));
    }
}
