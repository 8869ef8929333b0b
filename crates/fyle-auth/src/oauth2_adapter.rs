//! Runs the `oauth2` crate's token requests over our [`Transport`](fyle_transport::Transport),
//! rewritten to the JSON body Fyle requires.
//!
//! Why a rewrite: `oauth2` builds every token request as `application/x-www-form-urlencoded`
//! (RFC 6749 §4.1.3), with no option for JSON. Fyle's `/oauth/token` accepts only
//! `application/json` (the spec's one request content type, `additionalProperties: false`;
//! every real Platform client sends JSON). The crate's extension point is the HTTP client it
//! is handed, so this adapter is that client: it decodes the form pairs `oauth2` produced and
//! re-encodes the same pairs as a flat JSON object of strings, sets
//! `Content-Type: application/json`, and sends the request through our transport, so the
//! caller's retry/rate-limit/tracing layers and test mocks apply to this call too. The field
//! set stays whatever `oauth2` put in the form: the flow never sets a redirect URI or scopes on
//! the token request, so Fyle gets exactly `grant_type`, `code`, `client_id`,
//! `client_secret` (plus `code_verifier` when PKCE is switched on).
//!
//! Status handling: any non-2xx answer, and a 2xx answer without `access_token`, is turned
//! into an [`AuthError`] here, by the same classification the refresh-token provider uses,
//! so both grants report the same typed errors (the `oauth2` crate would only say "server
//! returned error response", and would keep the response body, tokens included, in its error).

use std::future::Future;
use std::pin::Pin;

use bytes::Bytes;
use fyle_transport::SharedTransport;
use http::{HeaderValue, StatusCode, header};
use oauth2::{AsyncHttpClient, HttpRequest, HttpResponse};

use crate::AuthError;
use crate::token_endpoint;

/// The error type the adapter reports to `oauth2`: one of ours, carried through unchanged.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub(crate) struct AdapterError(pub(crate) AuthError);

/// `oauth2`'s async HTTP client interface over a [`SharedTransport`].
#[derive(Debug)]
pub(crate) struct TransportHttpClient<'a> {
    transport: &'a SharedTransport,
}

impl<'a> TransportHttpClient<'a> {
    pub(crate) fn new(transport: &'a SharedTransport) -> Self {
        Self { transport }
    }
}

/// Form pairs that hold secrets (scrubbed from any server message kept in an error).
const SECRET_FIELDS: &[&str] = &["client_secret", "code", "refresh_token", "code_verifier"];

/// Rewrites a form-encoded `oauth2` request into a JSON one. Returns the request and the
/// secret values it carries.
fn to_json_request(request: HttpRequest) -> Result<(http::Request<Bytes>, Vec<String>), AuthError> {
    let (mut parts, body) = request.into_parts();
    let is_form = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let mut secrets = Vec::new();
    let body = if is_form {
        let mut object = serde_json::Map::new();
        for (key, value) in url::form_urlencoded::parse(&body) {
            if SECRET_FIELDS.contains(&key.as_ref()) {
                secrets.push(value.clone().into_owned());
            }
            object.insert(
                key.into_owned(),
                serde_json::Value::String(value.into_owned()),
            );
        }
        parts.headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        serde_json::to_vec(&serde_json::Value::Object(object)).map_err(|e| AuthError::Config {
            reason: format!(
                "could not encode the token request: {}",
                crate::error::describe_json_error(&e)
            ),
        })?
    } else {
        body
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    Ok((http::Request::from_parts(parts, Bytes::from(body)), secrets))
}

async fn call(
    transport: &SharedTransport,
    request: HttpRequest,
) -> Result<HttpResponse, AdapterError> {
    let (request, secrets) = to_json_request(request).map_err(AdapterError)?;
    let response = transport
        .send(request)
        .await
        .map_err(|e| AdapterError(e.into()))?;
    let (mut parts, body) = response.into_parts();
    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
    // Errors (and a 2xx without access_token) become typed errors here; a good answer is
    // handed back for `oauth2` to parse.
    token_endpoint::classify(parts.status, &body, &secrets).map_err(AdapterError)?;
    parts.status = StatusCode::OK;
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Ok(http::Response::from_parts(parts, body.to_vec()))
}

impl<'c> AsyncHttpClient<'c> for TransportHttpClient<'_> {
    type Error = AdapterError;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, AdapterError>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(call(self.transport, request))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_body_becomes_a_flat_json_object() {
        let request = http::Request::builder()
            .method(http::Method::POST)
            .uri("https://accounts.fylehq.com/oauth/token")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(
                b"grant_type=authorization_code&code=c%2F1&client_id=tpa&client_secret=s%26x"
                    .to_vec(),
            )
            .expect("valid request");
        let (request, secrets) = to_json_request(request).expect("converts");
        assert_eq!(
            request
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok()),
            Some("application/json")
        );
        let body: serde_json::Value = serde_json::from_slice(request.body()).expect("json");
        assert_eq!(
            body,
            serde_json::json!({
                "grant_type": "authorization_code",
                "code": "c/1",
                "client_id": "tpa",
                "client_secret": "s&x",
            })
        );
        assert_eq!(secrets, vec!["c/1".to_owned(), "s&x".to_owned()]);
    }
}
