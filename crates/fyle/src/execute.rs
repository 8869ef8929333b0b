//! The [`Call`] of one operation of the generated table: host, method, path, authentication
//! and `202` handling, read from its descriptor.

use fyle_models::operations::{HttpMethod, Operation, Role};
use http::Method;

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
