//! Running one operation of the generated table: the [`Call`] of an operation, and the one
//! send-and-decode path ([`Client::execute`] for bodies, `send_op` for every typed answer).

use fyle_models::lenient::Decoded;
use fyle_models::operations::{HttpMethod, Operation, Role};
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

/// A call for `op`: right host, method, path, authentication and `202` handling. GETs are
/// retryable by the transport.
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
        self.send_op(op, &call).await.map(|d| d.value)
    }

    /// Sends `call` (made by [`call_for`] for `op`) and decodes the answer per
    /// `op.response_body`: lenient with warnings, or strict (see
    /// [`ClientBuilder::strict_decoding`](crate::ClientBuilder::strict_decoding)).
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
}
