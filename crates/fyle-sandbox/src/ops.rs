//! The generated operation table, seen from the sandbox: which (method, path) pairs are real Fyle
//! operations, and how their bodies are wrapped.

use fyle_models::operations::{self, BodyShape, HttpMethod, Operation};

/// Looks an operation up by HTTP method and path under `/platform/v1` (or the accounts path).
pub(crate) fn find(method: &http::Method, path: &str) -> Option<&'static Operation> {
    let method = match *method {
        http::Method::GET => HttpMethod::Get,
        http::Method::POST => HttpMethod::Post,
        _ => return None,
    };
    operations::find(method, path)
}

/// The response envelope of `op`, or `fallback` when the path is not in the table.
pub(crate) fn response_shape(op: Option<&Operation>, fallback: BodyShape) -> BodyShape {
    op.map_or(fallback, |op| op.response_body)
}

/// Number of operations in the table (for the startup log).
pub(crate) fn count() -> usize {
    operations::ALL.len()
}
