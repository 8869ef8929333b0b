//! Running one operation of the generated table: [`Client::execute`] and [`GetRequest`].

use std::fmt;
use std::marker::PhantomData;

use fyle_models::operations::{HttpMethod, Operation, Role};
use fyle_models::query::Filter;
use http::Method;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::client::Client;
use crate::envelope::{decode_body_with, encode_body};
use crate::error::Result;
use crate::pipeline::{Base, Call};

/// The `http::Method` of an operation.
pub(crate) fn method_of(op: &Operation) -> Method {
    match op.method {
        HttpMethod::Get => Method::GET,
        HttpMethod::Post => Method::POST,
    }
}

/// A call for `op`: right host, method and path. GETs are retryable by the transport.
pub(crate) fn call_for(op: &Operation) -> Call {
    let mut call = Call::new(method_of(op), op.path);
    call.auth = op.auth;
    call.accepted_is_not_ready = op.answers_accepted;
    if matches!(op.role, Role::Accounts) {
        call.base = Base::Accounts;
    }
    call
}

impl Client {
    /// Runs `op` with `body`: the body is wrapped per `op.request_body` (`{data: ..}`,
    /// `{data: [..]}`, bare or `{}`), the response unwrapped per `op.response_body`, so `R` is
    /// the inner type (`()` for an empty response).
    ///
    /// Generated methods call this; it is public for operations the generated API lacks.
    pub async fn execute<B, R>(&self, op: &'static Operation, body: Option<&B>) -> Result<R>
    where
        B: Serialize + ?Sized,
        R: DeserializeOwned,
    {
        let call = call_for(op).json_body(encode_body(op.request_body, body)?);
        let response = self.send_call(&call).await?;
        decode_body_with(
            op.operation_id,
            op.response_body,
            &response,
            self.strict_decoding(),
        )
        .map(|d| d.value)
        .map_err(|e| e.with_request(&call.method, op.path))
    }
}

/// A GET that returns one object or an array (`GetSingle`, `GetArray`, `GetOther`).
///
/// `R` is the unwrapped type: `{data: R}` is unwrapped for `Data`/`DataArray` responses.
#[must_use = "a request does nothing until `.send()` is awaited"]
pub struct GetRequest<R> {
    client: Client,
    op: &'static Operation,
    query: Vec<(String, String)>,
    _response: PhantomData<fn() -> R>,
}

impl<R> fmt::Debug for GetRequest<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GetRequest")
            .field("operation", &self.op.operation_id)
            .field("path", &self.op.path)
            .field("query", &self.query)
            .finish_non_exhaustive()
    }
}

impl<R: DeserializeOwned> GetRequest<R> {
    /// A request for `op` through `client`.
    pub fn new(client: Client, op: &'static Operation) -> Self {
        Self {
            client,
            op,
            query: Vec::new(),
            _response: PhantomData,
        }
    }

    /// Adds a query parameter (sent percent-encoded).
    pub fn query(mut self, name: impl Into<String>, value: impl fmt::Display) -> Self {
        self.query.push((name.into(), value.to_string()));
        self
    }

    /// Adds the conditions of a typed filter.
    #[allow(clippy::needless_pass_by_value)] // by value: `.filter(Filter::new().eq(..))` reads best
    pub fn filter(mut self, filter: Filter) -> Self {
        self.query.extend(filter.to_query_pairs());
        self
    }

    /// Sends the request.
    pub async fn send(self) -> Result<R> {
        let mut call = call_for(self.op);
        call.query = self.query;
        let response = self.client.send_call(&call).await?;
        let strict = self.client.strict_decoding();
        decode_body_with(
            self.op.operation_id,
            self.op.response_body,
            &response,
            strict,
        )
        .map(|d| d.value)
        .map_err(|e| e.with_request(&call.method, self.op.path))
    }
}
