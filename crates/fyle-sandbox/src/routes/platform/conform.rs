//! Giving a hand-written answer the shape of its operation's response schema, unless it is
//! marked [`Conformed`] already.

use axum::http::{HeaderMap, Method, Uri, header};
use axum::response::Response;
use serde_json::Value;

use super::PREFIX;
use crate::instance::Builder;
use crate::schema::SPEC;
use crate::state::AppState;

/// Marks an answer built from the spec already (no need to conform it again).
#[derive(Debug, Clone, Copy)]
pub(super) struct Conformed;

/// Gives a hand-written answer the shape of the operation's response schema: keys the schema
/// forbids dropped, missing required keys built, invalid values rebuilt. The admin expense list
/// is served as stored (it is the hot path, and its rows are valid as seeded).
pub(super) async fn conform_answer(
    state: &AppState,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    resp: Response,
) -> Response {
    let path = uri
        .path()
        .strip_prefix(PREFIX)
        .unwrap_or_default()
        .trim_end_matches('/');
    let hot = *method == Method::GET && path == "/admin/expenses";
    let Some(op) = SPEC.find(method.as_str(), path) else {
        return resp;
    };
    if hot
        || !resp.status().is_success()
        || resp.extensions().get::<Conformed>().is_some()
        || op.response.is_null()
    {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return Response::from_parts(parts, axum::body::Body::empty());
    };
    let Ok(value) = serde_json::from_slice::<Value>(&bytes) else {
        return Response::from_parts(parts, axum::body::Body::from(bytes));
    };
    let refs = state
        .authenticate(headers)
        .and_then(|g| state.read().org(&g.org_id).map(|o| o.refs.clone()))
        .unwrap_or_default();
    let fitted = Builder::new(&SPEC, &refs, 17).conform(&op.response, &value);
    let mut parts = parts;
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, axum::body::Body::from(fitted.to_string()))
}
