//! The hand-written GET routes: lists (scoped to what the role sees), the caller's profile and
//! employee row.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::{Caller, json_response};
use crate::errors::ApiError;
use crate::listing::{self, Scope};
use crate::store::{OrgData, Resource, User};
use crate::writes::ActAs;

/// `GET /{role}/{resource}`: a page of the rows the caller sees.
pub(super) fn list(
    caller: &Caller<'_>,
    r: Resource,
    query: &[(String, String)],
) -> Result<Response, ApiError> {
    let params = listing::parse_params(query)?;
    let store = caller.state.read();
    let org = store
        .org(&caller.grant.org_id)
        .ok_or(ApiError::InvalidToken)?;
    let scope = scope_for(org, caller.act, caller.user, r);
    let body = listing::list(&caller.state.cache, org, r, scope, &params)?;
    drop(store);
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response())
}

/// `GET /spender/my_profile`.
pub(super) fn profile(caller: &Caller<'_>) -> Result<Response, ApiError> {
    let store = caller.state.read();
    let org = store
        .org(&caller.grant.org_id)
        .ok_or(ApiError::InvalidToken)?;
    Ok(json_response(
        StatusCode::OK,
        &json!({"data": my_profile(org, caller.user)}),
    ))
}

/// `GET /spender/employees/current`: the caller's employee row.
pub(super) fn current_employee(caller: &Caller<'_>) -> Result<Response, ApiError> {
    let store = caller.state.read();
    let org = store
        .org(&caller.grant.org_id)
        .ok_or(ApiError::InvalidToken)?;
    let row = org
        .table(Resource::Employees)
        .get(&caller.user.employee_id)
        .map_or(Value::Null, |e| org.materialize(Resource::Employees, e));
    Ok(json_response(StatusCode::OK, &json!({"data": row})))
}

/// The rows of `r` a role sees: all of them, unless `r` is owned by users (a spender's own,
/// an approver's approvees').
fn scope_for(org: &OrgData, act: ActAs, user: &User, r: Resource) -> Scope {
    if !r.owned_by_user() {
        return Scope::All;
    }
    match act {
        ActAs::Admin => Scope::All,
        ActAs::Spender => Scope::Users(vec![user.user_id.clone()]),
        ActAs::Approver => {
            let mut users: Vec<String> = org.approvees(&user.user_id).into_iter().collect();
            users.sort();
            Scope::Users(users)
        }
    }
}

fn my_profile(org: &OrgData, user: &User) -> Value {
    let employee = org.table(Resource::Employees).get(&user.employee_id);
    json!({
        "org": {"currency": org.currency, "domain": org.domain, "id": org.org_id, "name": org.org_name},
        "org_id": org.org_id,
        "roles": user.roles,
        "user": {"email": user.email, "full_name": user.full_name, "id": user.user_id},
        "user_id": user.user_id,
        "id": user.employee_id,
        "employee_id": user.employee_id,
        "code": employee.and_then(|e| e.get("code").cloned()),
        "department_id": employee.and_then(|e| e.get("department_id").cloned()),
        "is_enabled": true,
        "has_accepted_invite": true,
    })
}
