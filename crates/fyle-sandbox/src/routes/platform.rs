//! `/platform/v1/{role}/...`: the data cluster.
//!
//! A request resolves to a hand-written route ([`route`]) when the sandbox simulates it row by
//! row (lists, profile, writes and actions on the core resources, files), else it is served by
//! the spec-driven store ([`long_tail`]). Hand-written answers are then given the shape of the
//! operation's response schema ([`conform`]).

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use fyle_models::operations::BodyShape;
use serde_json::{Value, json};

use crate::auth::Grant;
use crate::errors::ApiError;
use crate::generic;
use crate::ops;
use crate::schema::OpSpec;
use crate::state::AppState;
use crate::store::User;
use crate::writes::ActAs;

mod conform;
mod files;
mod long_tail;
mod reads;
mod route;
mod writes;

use conform::{Conformed, conform_answer};
use route::{Route, handled, listable, route};

const PREFIX: &str = "/platform/v1";

/// Who a hand-written route acts for: the shared state, the token's grant, its user and the
/// role the path acts in.
#[derive(Clone, Copy)]
struct Caller<'a> {
    state: &'a AppState,
    grant: &'a Grant,
    user: &'a User,
    act: ActAs,
}

fn json_response(status: StatusCode, v: &Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        v.to_string(),
    )
        .into_response()
}

/// Wraps rows per the operation's response envelope.
fn respond(op: Option<&OpSpec>, fallback: BodyShape, rows: Vec<Value>) -> Response {
    match ops::response_shape(op, fallback) {
        BodyShape::None => StatusCode::OK.into_response(),
        BodyShape::EmptyObject => json_response(StatusCode::OK, &json!({})),
        BodyShape::Data => json_response(
            StatusCode::OK,
            &json!({"data": rows.into_iter().next().unwrap_or(Value::Null)}),
        ),
        BodyShape::Bare => json_response(
            StatusCode::OK,
            &rows.into_iter().next().unwrap_or(Value::Null),
        ),
        _ => json_response(StatusCode::OK, &json!({"data": rows})),
    }
}

/// A request body as JSON; an empty body reads as `{}`.
fn json_body(body: &Bytes) -> Result<Value, ApiError> {
    if body.is_empty() {
        return Ok(json!({}));
    }
    serde_json::from_slice(body)
        .map_err(|e| ApiError::InvalidUsage(format!("the body is not valid JSON: {e}")))
}

/// The fallback handler for everything that is not accounts, storage or control.
pub(crate) async fn dispatch(
    State(state): State<Arc<AppState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match handle(&state, &method, &uri, &headers, &body) {
        Ok(resp) => conform_answer(&state, &method, &uri, &headers, resp).await,
        Err(e) => e.into_response(),
    }
}

fn handle(
    state: &AppState,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<Response, ApiError> {
    let Some(path) = uri.path().strip_prefix(PREFIX) else {
        return Err(ApiError::NotFound(format!(
            "no route for {method} {}",
            uri.path()
        )));
    };
    let path = path.trim_end_matches('/');
    let op = ops::find(method, path);
    let grant = state.authenticate(headers).ok_or(ApiError::InvalidToken)?;
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let not_simulated = || not_simulated(op, method, path);
    let (Some(role), Some(resource)) = (segments.first(), segments.get(1)) else {
        return Err(not_simulated());
    };
    // A path the table does not know is not Fyle's, even if it looks like one.
    let Some(spec_op) = op else {
        return Err(ApiError::NotFound(format!(
            "no operation {method} {PREFIX}{path}"
        )));
    };
    let user = user_with_role(state, &grant, role)?;
    let act = match *role {
        "spender" => Some(ActAs::Spender),
        "approver" => Some(ActAs::Approver),
        "admin" => Some(ActAs::Admin),
        _ => None,
    };
    let handwritten = act.and_then(|act| {
        route(method, act, resource, &segments[2..])
            .filter(|r| handled(act, r))
            .map(|r| (act, r))
    });
    let query: Vec<(String, String)> =
        url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let Some((act, route)) = handwritten else {
        return long_tail::generic_route(state, &grant, &user, role, spec_op, &query, body);
    };
    let caller = Caller {
        state,
        grant: &grant,
        user: &user,
        act,
    };
    if let Route::List(r) = route
        && !listable(act, r)
    {
        return Err(not_simulated());
    }
    serve_route(&caller, spec_op, route, &query, body)
}

/// The error for a request the sandbox does not simulate: the operation's name when the table
/// knows it.
fn not_simulated(op: Option<&OpSpec>, method: &Method, path: &str) -> ApiError {
    match op {
        Some(op) => ApiError::NotSimulated {
            operation_id: op.operation_id(),
            method: method.to_string(),
            path: op.path.clone(),
        },
        None => ApiError::NotFound(format!("no operation {method} {PREFIX}{path}")),
    }
}

/// The token's user, when they hold the Fyle role the path's role segment needs.
fn user_with_role(state: &AppState, grant: &Grant, role: &str) -> Result<User, ApiError> {
    let user = {
        let store = state.read();
        let org = store.org(&grant.org_id).ok_or(ApiError::InvalidToken)?;
        org.user(&grant.user_id).ok_or(ApiError::InvalidToken)?
    };
    let needed = needed_role(role);
    if needed.is_some_and(|needed| !user.roles.iter().any(|r| r == needed)) {
        return Err(ApiError::Forbidden(format!(
            "user {} does not have the {} role needed for /{role} APIs",
            user.email,
            needed.unwrap_or_default()
        )));
    }
    Ok(user)
}

/// The Fyle role a path's role segment needs: the org-wide roles (accountant, owner, HOD...)
/// are the admin's in the sandbox; `common` needs none.
fn needed_role(role: &str) -> Option<&'static str> {
    match role {
        "spender" => Some("FYLER"),
        "approver" => Some("APPROVER"),
        "common" => None,
        _ => Some("ADMIN"),
    }
}

/// Serves a hand-written route.
fn serve_route(
    caller: &Caller<'_>,
    op: &'static OpSpec,
    route: Route<'_>,
    query: &[(String, String)],
    body: &Bytes,
) -> Result<Response, ApiError> {
    match route {
        Route::List(r) => reads::list(caller, r, query),
        Route::MyProfile => reads::profile(caller),
        Route::CurrentEmployee => reads::current_employee(caller),
        Route::SpendOverview(view) => {
            let mut resp =
                crate::spend_overview::serve(caller.state, &caller.grant.org_id, view, query)?;
            // Built to the spec's 200 and 202 schemas: conforming a 202 to the 200 schema would
            // turn "not ready" into an empty result.
            resp.extensions_mut().insert(Conformed);
            Ok(resp)
        }
        Route::Download => files::download(caller, query),
        other => {
            let body = json_body(body)?;
            if matches!(other, Route::Invite) {
                // The spec's `invitation_in` (required e-mail, closed object) before any write.
                generic::validate(op, &body)?;
            }
            let data = body.get("data").cloned().unwrap_or(Value::Null);
            writes::write_route(caller, Some(op), other, &data)
        }
    }
}
