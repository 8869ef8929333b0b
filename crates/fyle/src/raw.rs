//! [`RawRequest`]: the escape hatch for a path the generated API lacks, with the same auth,
//! cluster, retry and errors.

use std::fmt;

use bytes::Bytes;
use fyle_models::query::Filter;
use http::{HeaderMap, HeaderValue, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::client::Client;
use crate::envelope::{from_slice, non_json_body};
use crate::error::{Error, Result};
use crate::pipeline::Call;

/// A request built by hand; see [`Client::request`].
#[must_use = "a request does nothing until `.send()` is awaited"]
pub struct RawRequest {
    client: Client,
    call: Call,
    error: Option<Error>,
}

impl fmt::Debug for RawRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawRequest")
            .field("method", &self.call.method)
            .field("path", &self.call.path)
            .finish_non_exhaustive()
    }
}

/// The response of a [`RawRequest`]: any 2xx (other statuses are errors).
#[derive(Debug, Clone)]
pub struct RawResponse {
    /// The status.
    pub status: StatusCode,
    /// The headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
}

impl RawRequest {
    /// A request for `call` through `client` (see [`Client::request`]).
    pub(crate) fn new(client: Client, call: Call) -> Self {
        Self {
            client,
            call,
            error: None,
        }
    }

    /// Adds a query parameter (sent percent-encoded).
    pub fn query(mut self, name: impl Into<String>, value: impl fmt::Display) -> Self {
        self.call.query.push((name.into(), value.to_string()));
        self
    }

    /// Adds the conditions of a typed filter.
    pub fn filter(mut self, filter: Filter) -> Self {
        self.call.query.and(filter);
        self
    }

    /// A JSON body, serialized as is (wrap it in `{"data": ..}` yourself if the endpoint wants it).
    pub fn json<B: Serialize + ?Sized>(mut self, body: &B) -> Self {
        match serde_json::to_vec(body) {
            Ok(bytes) => self.call = self.call.json_body(Some(Bytes::from(bytes))),
            Err(e) => {
                self.error = Some(Error::invalid(format!("cannot serialize the body: {e}")));
            }
        }
        self
    }

    /// A raw body with its content type.
    pub fn body(mut self, body: impl Into<Bytes>, content_type: HeaderValue) -> Self {
        self.call.body = Some(body.into());
        self.call.content_type = Some(content_type);
        self
    }

    /// Marks a POST as safe to retry (the retry layer then treats it like a GET).
    pub fn idempotent(mut self) -> Self {
        self.call.idempotent = true;
        self
    }

    /// Sends the request; a non-2xx status is an [`Error`].
    pub async fn send(self) -> Result<RawResponse> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let response = self.client.send_call(&self.call).await?;
        let (parts, body) = response.into_parts();
        Ok(RawResponse {
            status: parts.status,
            headers: parts.headers,
            body,
        })
    }

    /// Sends the request and decodes the whole JSON body as `R`.
    pub async fn send_json<R: DeserializeOwned>(self) -> Result<R> {
        let method = self.call.method.clone();
        let path = self.call.path.clone();
        if let Some(e) = self.error {
            return Err(e);
        }
        let response = self.client.send_call(&self.call).await?;
        if let Some(e) = non_json_body(&response) {
            return Err(e.with_request(&method, &path));
        }
        from_slice(&format!("{method} {path}"), response.body())
            .map_err(|e| e.with_request(&method, &path))
    }
}
