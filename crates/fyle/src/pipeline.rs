//! The request pipeline every call goes through: token -> cluster -> URL -> transport ->
//! one refresh on 401/498 -> typed error for non-success statuses.

use bytes::Bytes;
use fyle_models::query::encode_pairs;
use http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
use http::{HeaderValue, Method, StatusCode};
use url::Url;

use crate::client::Client;
use crate::error::{Error, Result};

const JSON: &str = "application/json";
const UA: &str = fyle_transport::USER_AGENT;

/// Which host a call goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Base {
    /// `{cluster}/platform/v1`.
    Cluster,
    /// The accounts host (`/oauth/...`).
    Accounts,
}

/// One request, before the token and cluster are known.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    pub(crate) method: Method,
    pub(crate) base: Base,
    /// The path under the base, for example `/admin/expenses`.
    pub(crate) path: String,
    /// Unencoded query pairs.
    pub(crate) query: Vec<(String, String)>,
    pub(crate) body: Option<Bytes>,
    pub(crate) content_type: Option<HeaderValue>,
    /// Marks a POST as safe to retry (GETs always are).
    pub(crate) idempotent: bool,
    /// Hand a 3xx back instead of turning it into an error (downloads).
    pub(crate) accept_redirect: bool,
}

impl Call {
    pub(crate) fn new(method: Method, path: impl Into<String>) -> Self {
        Self {
            method,
            base: Base::Cluster,
            path: path.into(),
            query: Vec::new(),
            body: None,
            content_type: None,
            idempotent: false,
            accept_redirect: false,
        }
    }

    pub(crate) fn json_body(mut self, body: Option<Bytes>) -> Self {
        if body.is_some() {
            self.content_type = Some(HeaderValue::from_static(JSON));
        }
        self.body = body;
        self
    }
}

/// Joins `base` and `path` and appends the percent-encoded `query`.
pub(crate) fn build_url(base: &Url, path: &str, query: &[(String, String)]) -> Result<Url> {
    let joined = format!(
        "{}/{}",
        base.as_str().trim_end_matches('/'),
        path.trim_start_matches('/')
    );
    let mut url = Url::parse(&joined)
        .map_err(|e| Error::invalid(format!("bad request path `{path}`: {e}")))?;
    if !query.is_empty() {
        // The shared printer's encoding, so the sandbox parses exactly what is sent.
        url.set_query(Some(&encode_pairs(query)));
    }
    Ok(url)
}

pub(crate) fn to_uri(url: &Url) -> Result<http::Uri> {
    url.as_str()
        .parse::<http::Uri>()
        .map_err(|e| Error::invalid(format!("URL is not a valid URI: {e}")))
}

fn is_token_rejection(status: StatusCode) -> bool {
    status == StatusCode::UNAUTHORIZED || status.as_u16() == 498
}

impl Client {
    /// Sends `call` with the Bearer token to the validated cluster. On 401/498 the token is
    /// rejected and the call replayed once with a fresh token. 2xx (and 3xx when the call
    /// accepts redirects) come back as responses; anything else is a typed [`Error`].
    pub(crate) async fn send_call(&self, call: &Call) -> Result<http::Response<Bytes>> {
        let mut refreshed = false;
        loop {
            let token = self
                .inner
                .tokens
                .access_token()
                .await
                .map_err(|e| Error::from(e).with_request(&call.method, &call.path))?;
            let base =
                match call.base {
                    Base::Cluster => {
                        let cluster =
                            self.inner.cluster.cluster(&token).await.map_err(|e| {
                                Error::from(e).with_request(&call.method, &call.path)
                            })?;
                        // The Bearer token only ever goes to a cluster the allow-list accepts.
                        self.inner
                            .allow_list
                            .check(cluster.domain())
                            .map_err(|e| Error::from(e).with_request(&call.method, &call.path))?;
                        cluster.api_base()
                    }
                    Base::Accounts => self.inner.accounts_url.clone(),
                };
            let url = build_url(&base, &call.path, &call.query)?;
            let mut bearer = token
                .bearer_header()
                .map_err(|_| Error::invalid("the access token is not a valid header value"))?;
            bearer.set_sensitive(true);

            let mut builder = http::Request::builder()
                .method(call.method.clone())
                .uri(to_uri(&url)?)
                .header(AUTHORIZATION, bearer)
                .header(ACCEPT, HeaderValue::from_static(JSON))
                .header(USER_AGENT, HeaderValue::from_static(UA));
            if let Some(ct) = &call.content_type {
                builder = builder.header(CONTENT_TYPE, ct.clone());
            }
            let mut request = builder
                .body(call.body.clone().unwrap_or_default())
                .map_err(|e| Error::invalid(format!("cannot build the request: {e}")))?;
            if call.idempotent {
                request.extensions_mut().insert(fyle_transport::Idempotent);
            }

            let response = self
                .inner
                .transport
                .send(request)
                .await
                .map_err(|e| Error::from(e).with_request(&call.method, url.path()))?;
            let status = response.status();
            if is_token_rejection(status) {
                self.inner.tokens.reject(&token);
                if !refreshed {
                    refreshed = true;
                    tracing::debug!(
                        method = %call.method,
                        path = url.path(),
                        status = status.as_u16(),
                        "access token rejected; refreshing once and replaying"
                    );
                    continue;
                }
            }
            if status.is_success() || (call.accept_redirect && status.is_redirection()) {
                return Ok(response);
            }
            return Err(
                Error::from_response(status, response.headers(), response.body())
                    .with_request(&call.method, url.path()),
            );
        }
    }
}
