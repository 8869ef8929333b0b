//! The request pipeline every call goes through: token -> cluster -> URL -> transport ->
//! one refresh on 401/498 -> typed error for non-success statuses.

use bytes::Bytes;
use fyle_models::lenient::Decoded;
use fyle_models::operations::{Operation, OperationAuth};
use fyle_models::query::encode_pairs;
use http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
use http::{HeaderValue, Method, StatusCode};
use serde::de::DeserializeOwned;
use url::Url;

use crate::client::Client;
use crate::envelope::decode_body_with;
use crate::error::{Error, Result};
use crate::request::Query;

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
    /// The query, typed until the URI is built.
    pub(crate) query: Query,
    pub(crate) body: Option<Bytes>,
    pub(crate) content_type: Option<HeaderValue>,
    /// Marks a POST as safe to retry (GETs always are).
    pub(crate) idempotent: bool,
    /// Hand a 3xx back instead of turning it into an error (downloads).
    pub(crate) accept_redirect: bool,
    /// Whether the access token is fetched and sent (`None` for `POST /oauth/token`).
    pub(crate) auth: OperationAuth,
    /// The operation declares `202 Accepted`: such an answer is [`ErrorKind::NotReady`],
    /// not a success.
    ///
    /// [`ErrorKind::NotReady`]: crate::ErrorKind::NotReady
    pub(crate) accepted_is_not_ready: bool,
}

impl Call {
    pub(crate) fn new(method: Method, path: impl Into<String>) -> Self {
        Self {
            method,
            base: Base::Cluster,
            path: path.into(),
            query: Query::default(),
            body: None,
            content_type: None,
            idempotent: false,
            accept_redirect: false,
            auth: OperationAuth::Bearer,
            accepted_is_not_ready: false,
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

/// The URI of a request: `base` and `path` joined, and the query printed and percent-encoded
/// by the shared printer (so the sandbox parses exactly what is sent), parsed once.
pub(crate) fn uri_for(base: &Url, path: &str, query: &Query) -> Result<http::Uri> {
    let mut uri = format!(
        "{}/{}",
        base.as_str().trim_end_matches('/'),
        encode_path(path.trim_start_matches('/'))
    );
    let pairs = query.to_pairs();
    if !pairs.is_empty() {
        uri.push('?');
        uri.push_str(&encode_pairs(&pairs));
    }
    uri.parse::<http::Uri>()
        .map_err(|e| Error::invalid(format!("bad request path `{path}`: {e}")))
}

/// `path` with every byte a URI path may not hold as is percent-encoded (a space, `"`, `#`,
/// `?`, `<`, `>`, non-ASCII, ...); an existing `%XX` is kept.
fn encode_path(path: &str) -> std::borrow::Cow<'_, str> {
    const KEEP: &[u8] = b"-._~!$&'()*+,;=:@/%";
    if path
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || KEEP.contains(&b))
    {
        return path.into();
    }
    let mut out = String::with_capacity(path.len() * 3);
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || KEEP.contains(&b) {
            out.push(char::from(b));
        } else {
            const HEX: &[u8; 16] = b"0123456789ABCDEF";
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xF)]));
        }
    }
    out.into()
}

pub(crate) fn to_uri(url: &Url) -> Result<http::Uri> {
    url.as_str()
        .parse::<http::Uri>()
        .map_err(|e| Error::invalid(format!("URL is not a valid URI: {e}")))
}

fn is_token_rejection(status: StatusCode) -> bool {
    status == StatusCode::UNAUTHORIZED || status.as_u16() == 498
}

/// The cluster lookup failed because the token was refused (401/498 from `/oauth/cluster`).
fn is_cluster_refusal(error: &Error) -> bool {
    matches!(error.kind(), crate::ErrorKind::Cluster(e) if e.is_unauthorized())
}

impl Client {
    /// Sends `call` (made by `execute::call_for` for `op`) and decodes the answer per
    /// `op.response_body`: lenient with warnings, or strict (see
    /// [`ClientBuilder::strict_decoding`](crate::ClientBuilder::strict_decoding)). The one
    /// send-and-decode of `execute`, `GetRequest` and list pages.
    pub(crate) async fn send_op<R: DeserializeOwned>(
        &self,
        op: &'static Operation,
        call: &Call,
    ) -> Result<Decoded<R>> {
        let response = self.send_call(call).await?;
        decode_body_with(
            op.operation_id,
            op.response_body,
            &response,
            self.strict_decoding(),
        )
        .map_err(|e| e.with_request(&call.method, op.path))
    }

    /// Sends `call` with the Bearer token to a host the allow-list accepts (the validated
    /// cluster, or the accounts host). On 401/498 the token is rejected and the call replayed
    /// once with a new token. A 401 on that new token is returned as
    /// [`ErrorKind::Unauthorized`](crate::ErrorKind::Unauthorized) without rejecting it: a
    /// token just minted is not refused again by this call (the provider latches a refusal
    /// that repeats). 2xx (and 3xx when the call accepts redirects) come back as responses;
    /// anything else is a typed [`Error`].
    pub(crate) async fn send_call(&self, call: &Call) -> Result<http::Response<Bytes>> {
        if !call.auth.sends_token() {
            return self.send_without_token(call).await;
        }
        let in_call = |e: Error| e.with_request(&call.method, &call.path);
        // The token this call had refused, and the error its response made.
        let mut refused: Option<(fyle_auth::TokenGeneration, Error)> = None;
        loop {
            let token = self
                .inner
                .tokens
                .access_token()
                .await
                .map_err(|e| in_call(e.into()))?;
            if let Some((generation, error)) = refused.take() {
                if generation == token.generation() {
                    // The provider has no other token to offer: do not send this one again.
                    return Err(error);
                }
                refused = Some((generation, error));
            }
            let base = match self.base_for(call, &token).await {
                Ok(base) => base,
                // The accounts host refused the token while resolving the cluster: the same
                // one refresh and retry as a refused data call.
                Err(error) if refused.is_none() && is_cluster_refusal(&error) => {
                    self.inner.tokens.reject(&token);
                    refused = Some((token.generation(), in_call(error)));
                    continue;
                }
                Err(error) => return Err(in_call(error)),
            };
            let (status, answer) = self.attempt(call, &base, Some(&token)).await?;
            let error = match answer {
                Ok(response) => return Ok(response),
                Err(error) => error,
            };
            if !is_token_rejection(status) || refused.is_some() {
                // Not a token problem, or the token minted for this replay was refused too.
                return Err(error);
            }
            self.inner.tokens.reject(&token);
            tracing::debug!(
                method = %call.method,
                path = %call.path,
                status = status.as_u16(),
                "access token rejected; refreshing once and replaying"
            );
            refused = Some((token.generation(), error));
        }
    }

    /// Sends a call that carries no access token (`POST /oauth/token`): no token is fetched,
    /// no `Authorization` header is set, and a 401 is returned as is (there is no token to
    /// refresh). It goes only to the accounts host, after the host policy accepted it: such
    /// calls carry the client secret or a refresh token in their body.
    async fn send_without_token(&self, call: &Call) -> Result<http::Response<Bytes>> {
        let base = match call.base {
            Base::Accounts => self.accounts_base(),
            Base::Cluster => Err(Error::invalid(
                "an operation sent without a token has no cluster to go to",
            )),
        }
        .map_err(|e| e.with_request(&call.method, &call.path))?;
        self.attempt(call, &base, None).await?.1
    }

    /// One attempt of `call` to `base`: the URI (built once), the request with the token when
    /// there is one, the transport. The status comes back beside its [`outcome`], so the
    /// caller can tell a refused token; an `Err` here means no response at all.
    async fn attempt(
        &self,
        call: &Call,
        base: &Url,
        token: Option<&fyle_auth::AccessToken>,
    ) -> Result<(StatusCode, Result<http::Response<Bytes>>)> {
        let uri = uri_for(base, &call.path, &call.query)?;
        let request = request_for(call, uri.clone(), token)?;
        let response = self
            .inner
            .transport
            .send(request)
            .await
            .map_err(|e| Error::from(e).with_request(&call.method, uri.path()))?;
        Ok((response.status(), outcome(call, response, uri.path())))
    }

    /// The accounts URL, after the host policy accepted it.
    fn accounts_base(&self) -> Result<Url> {
        let accounts = &self.inner.accounts_url;
        self.inner
            .allow_list
            .check_as("accounts URL", accounts)
            .map_err(fyle_cluster::ClusterError::from)?;
        Ok(accounts.clone())
    }

    /// The base URL of `call`, after the host policy accepted it for the Bearer token.
    async fn base_for(&self, call: &Call, token: &fyle_auth::AccessToken) -> Result<Url> {
        match call.base {
            Base::Cluster => {
                let cluster = self.inner.cluster.cluster(token).await?;
                self.inner
                    .allow_list
                    .check_as("cluster domain", cluster.domain())
                    .map_err(fyle_cluster::ClusterError::from)?;
                Ok(cluster.api_base())
            }
            Base::Accounts => self.accounts_base(),
        }
    }
}

/// The response of `call` as the caller sees it: 2xx (and 3xx when the call accepts
/// redirects) as is; a declared `202 Accepted` as [`ErrorKind::NotReady`]; anything else as the
/// typed error of its status.
///
/// [`ErrorKind::NotReady`]: crate::ErrorKind::NotReady
fn outcome(
    call: &Call,
    response: http::Response<Bytes>,
    path: &str,
) -> Result<http::Response<Bytes>> {
    let status = response.status();
    if status == StatusCode::ACCEPTED && call.accepted_is_not_ready {
        return Err(
            Error::not_ready(response.headers(), response.body()).with_request(&call.method, path)
        );
    }
    if status.is_success() || (call.accept_redirect && status.is_redirection()) {
        return Ok(response);
    }
    Err(
        Error::from_response(status, response.headers(), response.body())
            .with_request(&call.method, path),
    )
}

/// The HTTP request of `call` to `uri`, with the Bearer token (marked sensitive) when there is
/// one.
fn request_for(
    call: &Call,
    uri: http::Uri,
    token: Option<&fyle_auth::AccessToken>,
) -> Result<http::Request<Bytes>> {
    let mut builder = http::Request::builder()
        .method(call.method.clone())
        .uri(uri);
    if let Some(token) = token {
        let bearer = token
            .bearer_header()
            .map_err(|_| Error::invalid("the access token is not a valid header value"))?;
        builder = builder.header(AUTHORIZATION, bearer);
    }
    builder = builder
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
    Ok(request)
}

#[cfg(test)]
mod tests {
    use fyle_models::query::Filter;

    use super::*;

    #[test]
    fn the_uri_is_built_once_from_the_typed_query() {
        let base = Url::parse("https://us1.fylehq.com/platform/v1/").expect("base");
        let mut query = Query::default();
        query.and(Filter::new().eq("state", "APPROVED").gt("amount", 10));
        query.push(("q".to_owned(), "taxi & tip".to_owned()));
        query.set_order(Some("id.asc".to_owned()));
        let uri = uri_for(&base, "/admin/expenses", &query.page(200, 50)).expect("uri");
        assert_eq!(
            uri.to_string(),
            "https://us1.fylehq.com/platform/v1/admin/expenses?state=eq.APPROVED&amount=gt.10&q=taxi%20%26%20tip&order=id.asc&offset=200&limit=50"
        );
        assert_eq!(uri.path(), "/platform/v1/admin/expenses");
    }

    #[test]
    fn a_raw_path_is_percent_encoded_not_refused() {
        let base = Url::parse("https://us1.fylehq.com/platform/v1").expect("base");
        let uri = uri_for(&base, "/admin/odd path/é%20", &Query::default()).expect("uri");
        assert_eq!(uri.path(), "/platform/v1/admin/odd%20path/%C3%A9%20");
        assert!(uri.query().is_none());
    }
}
