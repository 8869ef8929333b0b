//! `/platform/v1/{role}/...`: the data cluster.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use fyle_models::operations::BodyShape;
use serde_json::{Value, json};

use crate::auth::Grant;
use crate::errors::ApiError;
use crate::generic::{self, Viewer};
use crate::instance::Builder;
use crate::listing::{self, Scope};
use crate::ops;
use crate::schema::{OpSpec, SPEC};
use crate::state::AppState;
use crate::store::{OrgData, Resource, Row, User};
use crate::webhooks::{ReportEvent, after_report_action};
use crate::writes::{ActAs, RowError, Txn};

const PREFIX: &str = "/platform/v1";

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

/// What a request resolved to.
enum Route<'p> {
    List(Resource),
    MyProfile,
    CurrentEmployee,
    Download,
    Upsert(Resource),
    BulkUpsert(Resource),
    DeleteBulk(Resource),
    Submit,
    AddExpenses,
    Approve {
        bulk: bool,
    },
    MarkPaid,
    AttachReceipt,
    AttachFilesBulk,
    Invite,
    GenerateUrls {
        bulk: bool,
    },
    /// `GET /admin/spend_overview/{view}`.
    SpendOverview(&'p str),
    #[allow(dead_code)] // kept for readable matches
    Other(&'p str),
}

fn route<'p>(
    method: &Method,
    act: ActAs,
    resource: &'p str,
    rest: &[&'p str],
) -> Option<Route<'p>> {
    use ActAs::{Admin, Approver, Spender};
    let r = Resource::from_name(resource);
    let get = *method == Method::GET;
    let post = *method == Method::POST;
    Some(match (get, post, resource, rest, act) {
        (true, _, "my_profile", [], Spender) => Route::MyProfile,
        (true, _, "employees", ["current"], Spender) => Route::CurrentEmployee,
        (true, _, "files", ["download"], _) => Route::Download,
        (true, _, "files", [], _) => return None,
        (true, _, "spend_overview", [view], Admin) => Route::SpendOverview(view),
        (true, _, _, [], _) => Route::List(r?),
        (_, true, "files", [] | ["bulk"], Spender | Admin) => {
            if rest.is_empty() {
                Route::Upsert(Resource::Files)
            } else {
                Route::BulkUpsert(Resource::Files)
            }
        }
        (_, true, "files", ["bulk"], Approver) => Route::BulkUpsert(Resource::Files),
        (_, true, "files", ["generate_urls"], _) => Route::GenerateUrls { bulk: false },
        (_, true, "files", ["generate_urls", "bulk"], _) => Route::GenerateUrls { bulk: true },
        (_, true, "files", ["delete", "bulk"], _) => Route::DeleteBulk(Resource::Files),
        (_, true, "reports", ["submit"], Spender) => Route::Submit,
        (_, true, "reports", ["add_expenses"], Spender) => Route::AddExpenses,
        (_, true, "reports", ["approve", "bulk"], Admin) => Route::Approve { bulk: true },
        (_, true, "reports", ["partially_approve"], Approver) => Route::Approve { bulk: false },
        (_, true, "reports", ["partially_approve", "bulk"], Approver) => {
            Route::Approve { bulk: true }
        }
        (_, true, "reports", ["mark_paid", "bulk"], Admin) => Route::MarkPaid,
        (_, true, "reports", ["delete", "bulk"], Spender) => Route::DeleteBulk(Resource::Reports),
        (_, true, "expenses", ["attach_receipt"], Spender) => Route::AttachReceipt,
        (_, true, "expenses", ["attach_files", "bulk"], _) => Route::AttachFilesBulk,
        (_, true, "employees", ["invite", "bulk"], Admin) => Route::Invite,
        (_, true, "employees", _, _) => return None,
        (_, true, _, [], _) => Route::Upsert(r?),
        (_, true, _, ["bulk"], _) => Route::BulkUpsert(r?),
        (_, true, _, ["delete", "bulk"], _) => Route::DeleteBulk(r?),
        (_, true, "corporate_card_transactions", ["delete"], Admin) => {
            Route::DeleteBulk(Resource::CorporateCardTransactions)
        }
        _ => return None,
    })
}

/// Which resources a role may upsert / bulk / delete.
fn writable(act: ActAs, r: Resource) -> bool {
    match act {
        ActAs::Admin => !matches!(r, Resource::Employees),
        ActAs::Spender => matches!(r, Resource::Expenses | Resource::Reports | Resource::Files),
        ActAs::Approver => matches!(r, Resource::Expenses | Resource::Files),
    }
}

/// Which resources a role may list.
fn listable(act: ActAs, r: Resource) -> bool {
    match act {
        ActAs::Admin | ActAs::Spender => r != Resource::Files,
        ActAs::Approver => !matches!(
            r,
            Resource::Files | Resource::Departments | Resource::CorporateCardTransactions
        ),
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
    let not_simulated = || match op {
        Some(op) => ApiError::NotSimulated {
            operation_id: op.operation_id(),
            method: method.to_string(),
            path: op.path.clone(),
        },
        None => ApiError::NotFound(format!("no operation {method} {PREFIX}{path}")),
    };
    let (Some(role), Some(resource)) = (segments.first(), segments.get(1)) else {
        return Err(not_simulated());
    };
    // A path the table does not know is not Fyle's, even if it looks like one.
    if op.is_none() {
        return Err(ApiError::NotFound(format!(
            "no operation {method} {PREFIX}{path}"
        )));
    }
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
        let spec_op = op.ok_or_else(not_simulated)?;
        return generic_route(state, &grant, &user, role, spec_op, &query, body);
    };
    match route {
        Route::List(r) => {
            if !listable(act, r) {
                return Err(not_simulated());
            }
            let params = listing::parse_params(&query)?;
            let store = state.read();
            let org = store.org(&grant.org_id).ok_or(ApiError::InvalidToken)?;
            let scope = scope_for(org, act, &user, r);
            let body = listing::list(&state.cache, org, r, scope, &params)?;
            drop(store);
            Ok((
                StatusCode::OK,
                [(header::CONTENT_TYPE, "application/json")],
                body,
            )
                .into_response())
        }
        Route::MyProfile => {
            let store = state.read();
            let org = store.org(&grant.org_id).ok_or(ApiError::InvalidToken)?;
            Ok(json_response(
                StatusCode::OK,
                &json!({"data": my_profile(org, &user)}),
            ))
        }
        Route::CurrentEmployee => {
            let store = state.read();
            let org = store.org(&grant.org_id).ok_or(ApiError::InvalidToken)?;
            let row = org
                .table(Resource::Employees)
                .get(&user.employee_id)
                .map_or(Value::Null, |e| org.materialize(Resource::Employees, e));
            Ok(json_response(StatusCode::OK, &json!({"data": row})))
        }
        Route::SpendOverview(view) => {
            let mut resp = crate::spend_overview::serve(state, &grant.org_id, view, &query)?;
            // Built to the spec's 200 and 202 schemas: conforming a 202 to the 200 schema would
            // turn "not ready" into an empty result.
            resp.extensions_mut().insert(Conformed);
            Ok(resp)
        }
        Route::Download => {
            let id = query
                .iter()
                .find(|(k, _)| k == "id")
                .map(|(_, v)| v.clone())
                .ok_or_else(|| {
                    ApiError::InvalidQuery("the id query parameter is required".into())
                })?;
            let id = id.strip_prefix("eq.").unwrap_or(&id).to_owned();
            write_txn(state, &grant, &user, act, |txn| {
                txn.file(&json!({"id": id}))
                    .map_err(RowError::into_single)?;
                Ok(())
            })?;
            Ok((
                StatusCode::FOUND,
                [(header::LOCATION, state.storage_url(&id, "download"))],
            )
                .into_response())
        }
        other => {
            let body: Value = if body.is_empty() {
                json!({})
            } else {
                serde_json::from_slice(body).map_err(|e| {
                    ApiError::InvalidUsage(format!("the body is not valid JSON: {e}"))
                })?
            };
            if matches!(other, Route::Invite)
                && let Some(spec_op) = op
            {
                // The spec's `invitation_in` (required e-mail, closed object) before any write.
                generic::validate(spec_op, &body)?;
            }
            let data = body.get("data").cloned().unwrap_or(Value::Null);
            write_route(state, &grant, &user, act, op, other, &data)
        }
    }
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

/// Whether the hand-written routes simulate `route` for `act` (else the generic store does).
fn handled(act: ActAs, route: &Route<'_>) -> bool {
    match route {
        Route::List(r) => listable(act, *r),
        Route::Upsert(r) | Route::BulkUpsert(r) | Route::DeleteBulk(r) => writable(act, *r),
        _ => true,
    }
}

/// Serves an operation from the spec-driven store ([`generic`]).
fn generic_route(
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
        let body: Value = if body.is_empty() {
            json!({})
        } else {
            serde_json::from_slice(body)
                .map_err(|e| ApiError::InvalidUsage(format!("the body is not valid JSON: {e}")))?
        };
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

/// Marks an answer built from the spec already (no need to conform it again).
#[derive(Debug, Clone, Copy)]
struct Conformed;

/// Gives a hand-written answer the shape of the operation's response schema: keys the schema
/// forbids dropped, missing required keys built, invalid values rebuilt. The admin expense list
/// is served as stored (it is the hot path, and its rows are valid as seeded).
async fn conform_answer(
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

/// Runs `f` in a write transaction on the grant's org; rolls back when `f` fails.
fn write_txn<T>(
    state: &AppState,
    grant: &Grant,
    user: &User,
    act: ActAs,
    f: impl FnOnce(&mut Txn<'_>) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    let now = crate::clock::fyle_timestamp(state.clock.now_utc());
    let mut store = state.write();
    let org = store.org_mut(&grant.org_id).ok_or(ApiError::InvalidToken)?;
    let mut rng = state.rng();
    let mut txn = Txn::new(org, &mut rng, now, user.clone(), act);
    match f(&mut txn) {
        Ok(v) => Ok(v),
        Err(e) => {
            txn.rollback();
            Err(e)
        }
    }
}

fn items(data: &Value) -> Result<&Vec<Value>, ApiError> {
    data.as_array()
        .ok_or_else(|| ApiError::InvalidUsage("data must be a list of objects".to_owned()))
}

// Method paths (`Txn::approve_report`) are not general enough over `Txn`'s lifetime, so the
// closures stay; `route` is matched by value on purpose.
#[allow(
    clippy::too_many_arguments,
    clippy::redundant_closure_for_method_calls,
    clippy::needless_pass_by_value
)]
fn write_route(
    state: &AppState,
    grant: &Grant,
    user: &User,
    act: ActAs,
    op: Option<&'static OpSpec>,
    route: Route<'_>,
    data: &Value,
) -> Result<Response, ApiError> {
    match route {
        Route::Upsert(r) => {
            if !writable(act, r) {
                return Err(not_simulated_for(op));
            }
            let rows = write_txn(state, grant, user, act, |txn| {
                let row = txn.upsert(r, data).map_err(RowError::into_single)?;
                Ok(vec![file_urls(state, r, txn.materialize(r, &row))])
            })?;
            Ok(respond(op, BodyShape::Data, rows))
        }
        Route::BulkUpsert(r) => {
            if !writable(act, r) {
                return Err(not_simulated_for(op));
            }
            let list = items(data)?;
            let rows = write_with_bulk(
                state,
                grant,
                user,
                act,
                list,
                |txn, item| txn.upsert(r, item).map(Some),
                r,
            )?;
            let rows = rows.into_iter().map(|v| file_urls(state, r, v)).collect();
            Ok(respond(op, BodyShape::DataArray, rows))
        }
        Route::DeleteBulk(r) => {
            if !writable(act, r) {
                return Err(not_simulated_for(op));
            }
            let list = items(data)?;
            write_with_bulk(
                state,
                grant,
                user,
                act,
                list,
                |txn, item| txn.delete_row(r, item),
                r,
            )
            .map_err(|e| refused_delete(r, e))?;
            if r == Resource::Files {
                let mut blobs = state.blobs();
                for item in list {
                    if let Some(id) = item.get("id").and_then(Value::as_str) {
                        blobs.remove(id);
                    }
                }
            }
            Ok(respond(op, BodyShape::None, Vec::new()))
        }
        Route::Invite => {
            let list = items(data)?;
            write_with_bulk(
                state,
                grant,
                user,
                act,
                list,
                |txn, item| txn.invite(item).map(Some),
                Resource::Employees,
            )?;
            Ok(respond(op, BodyShape::None, Vec::new()))
        }
        Route::Submit => {
            let rows = write_one(state, grant, user, act, Resource::Reports, |txn| {
                txn.submit_report(data)
            })?;
            after_report_action(
                state,
                &grant.org_id,
                user,
                act,
                ReportEvent::Submitted,
                &rows,
            );
            Ok(respond(op, BodyShape::Data, rows))
        }
        Route::AddExpenses => {
            let rows = write_one(state, grant, user, act, Resource::Reports, |txn| {
                txn.add_expenses(data)
            })?;
            Ok(respond(op, BodyShape::Data, rows))
        }
        Route::Approve { bulk } => {
            let rows = if bulk {
                write_with_bulk(
                    state,
                    grant,
                    user,
                    act,
                    items(data)?,
                    |t, i| t.approve_report(i),
                    Resource::Reports,
                )?
            } else {
                write_one(state, grant, user, act, Resource::Reports, |txn| {
                    txn.approve_report(data)
                })?
            };
            after_report_action(
                state,
                &grant.org_id,
                user,
                act,
                ReportEvent::AdminApproved,
                &rows,
            );
            Ok(respond(
                op,
                if bulk {
                    BodyShape::None
                } else {
                    BodyShape::Data
                },
                rows,
            ))
        }
        Route::MarkPaid => {
            let rows = write_with_bulk(
                state,
                grant,
                user,
                act,
                items(data)?,
                |t, i| t.mark_report_paid(i),
                Resource::Reports,
            )?;
            after_report_action(state, &grant.org_id, user, act, ReportEvent::Paid, &rows);
            Ok(respond(op, BodyShape::None, Vec::new()))
        }
        Route::AttachReceipt => {
            let rows = write_one(state, grant, user, act, Resource::Expenses, |txn| {
                txn.attach_files(data)
            })?;
            Ok(respond(op, BodyShape::Data, rows))
        }
        Route::AttachFilesBulk => {
            let rows = write_with_bulk(
                state,
                grant,
                user,
                act,
                items(data)?,
                |t, i| t.attach_files(i),
                Resource::Expenses,
            )?;
            Ok(respond(op, BodyShape::DataArray, rows))
        }
        Route::GenerateUrls { bulk } => {
            let list: Vec<Value> = if bulk {
                items(data)?.clone()
            } else {
                vec![data.clone()]
            };
            let files = write_txn(state, grant, user, act, |txn| {
                let mut out = Vec::new();
                let mut errors = Vec::new();
                for (i, item) in list.iter().enumerate() {
                    match txn.file(item) {
                        Ok(f) => out.push(f),
                        Err(e) if !bulk => return Err(e.into_single()),
                        Err(e) => errors.push(crate::errors::BulkRow {
                            key: item.get("id").cloned().unwrap_or(Value::Null),
                            message: match e {
                                RowError::Message(m) => m,
                                other => format!("{other:?}"),
                            },
                            row: i,
                        }),
                    }
                }
                if errors.is_empty() {
                    Ok(out)
                } else {
                    Err(ApiError::Bulk(errors))
                }
            })?;
            let rows: Vec<Value> = files
                .into_iter()
                .map(|f| {
                    let id = f
                        .get("id")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned();
                    json!({
                        "id": id,
                        "name": f.get("name").cloned().unwrap_or(Value::Null),
                        "content_type": f.get("content_type").cloned().unwrap_or(Value::Null),
                        "download_url": state.storage_url(&id, "download"),
                        "upload_url": state.storage_url(&id, "upload"),
                    })
                })
                .collect();
            Ok(respond(
                op,
                if bulk {
                    BodyShape::DataArray
                } else {
                    BodyShape::Data
                },
                rows,
            ))
        }
        _ => Err(not_simulated_for(op)),
    }
}

/// A bulk write: every item or none; answers the materialized rows.
/// One row-level action in a write transaction, answered with the row it changed (materialized)
/// or nothing; a row error becomes the single-object error Fyle sends.
fn write_one(
    state: &AppState,
    grant: &Grant,
    user: &User,
    act: ActAs,
    resource: Resource,
    action: impl FnOnce(&mut Txn<'_>) -> Result<Option<Row>, RowError>,
) -> Result<Vec<Value>, ApiError> {
    write_txn(state, grant, user, act, |txn| {
        let row = action(txn).map_err(RowError::into_single)?;
        Ok(row
            .map(|r| vec![txn.materialize(resource, &r)])
            .unwrap_or_default())
    })
}

fn write_with_bulk<F>(
    state: &AppState,
    grant: &Grant,
    user: &User,
    act: ActAs,
    list: &[Value],
    mut f: F,
    resource: Resource,
) -> Result<Vec<Value>, ApiError>
where
    F: FnMut(&mut Txn<'_>, &Value) -> Result<Option<Row>, RowError>,
{
    let now = crate::clock::fyle_timestamp(state.clock.now_utc());
    let mut store = state.write();
    let org = store.org_mut(&grant.org_id).ok_or(ApiError::InvalidToken)?;
    let mut rng = state.rng();
    let txn = Txn::new(org, &mut rng, now, user.clone(), act);
    let (rows, txn) = txn.bulk(list, |t, item| f(t, item))?;
    Ok(rows.iter().map(|r| txn.materialize(resource, r)).collect())
}

/// Fills `upload_url`/`download_url` of a file row.
fn file_urls(state: &AppState, r: Resource, mut v: Value) -> Value {
    if r == Resource::Files {
        let id = v
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        v["upload_url"] = json!(state.storage_url(&id, "upload"));
        v["download_url"] = json!(state.storage_url(&id, "download"));
    }
    v
}

/// Master data in use cannot be deleted: Fyle answers one `InvalidUsage` (its delete operations
/// declare `data: {}`), not a `BulkError`.
fn refused_delete(r: Resource, e: ApiError) -> ApiError {
    match (r, e) {
        (
            Resource::Categories
            | Resource::Projects
            | Resource::CostCenters
            | Resource::Departments,
            ApiError::Bulk(rows),
        ) => ApiError::DeleteRefused(
            rows.iter()
                .map(|row| row.message.as_str())
                .collect::<Vec<_>>()
                .join("; "),
        ),
        (_, e) => e,
    }
}

fn not_simulated_for(op: Option<&OpSpec>) -> ApiError {
    match op {
        Some(op) => ApiError::NotSimulated {
            operation_id: op.operation_id(),
            method: op.method.clone(),
            path: op.path.clone(),
        },
        None => ApiError::NotFound("no such operation".to_owned()),
    }
}
