//! Serving an operation the hand-written routes do not simulate from the spec-driven store
//! ([`generic`]), scoped to what the caller's role sees.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;

use super::conform::Conformed;
use super::{json_body, json_response};
use crate::auth::Grant;
use crate::errors::ApiError;
use crate::generic::{self, Viewer};
use crate::schema::OpSpec;
use crate::state::AppState;
use crate::store::{OrgData, User};

/// Serves an operation from the spec-driven store ([`generic`]).
pub(super) fn generic_route(
    state: &AppState,
    grant: &Grant,
    user: &User,
    role: &str,
    op: &OpSpec,
    query: &[(String, String)],
    body: &Bytes,
) -> Result<Response, ApiError> {
    let viewer = |org: &OrgData| match role {
        "spender" => Viewer::Users(vec![user.user_id.clone()]),
        "approver" => Viewer::Users(org.approvees(&user.user_id).into_iter().collect()),
        _ => Viewer::Org,
    };
    let answer = if op.method == "GET" {
        let store = state.read();
        let org = store.org(&grant.org_id).ok_or(ApiError::InvalidToken)?;
        generic::get(org, &org.refs, op, &viewer(org), query)?
    } else {
        let body = json_body(body)?;
        let now = crate::clock::fyle_timestamp(state.clock.now_utc());
        let mut store = state.write();
        let org = store.org_mut(&grant.org_id).ok_or(ApiError::InvalidToken)?;
        let refs = org.refs.clone();
        let viewer = viewer(org);
        generic::post(org, &refs, op, &viewer, &body, &now)?
    };
    let mut resp = if op.response.is_null() {
        StatusCode::OK.into_response()
    } else {
        json_response(StatusCode::OK, &answer)
    };
    resp.extensions_mut().insert(Conformed);
    Ok(resp)
}
