//! `POST /admin/expenses/accounting_export_summary/bulk`: an accounting integration marks
//! expenses exported (or failed), and `GET /admin/expenses` then shows each one's
//! `accounting_export_summary`.
//!
//! Like Fyle's bulk endpoints it is all or nothing: any bad row answers a `BulkError` naming
//! every bad row, and nothing is stored. Writing a summary does not move `updated_at` (it is
//! the integration's own bookkeeping, and must not make the next incremental sync re-export
//! the row).

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::{Value, json};

use crate::errors::{ApiError, BulkRow};
use crate::state::AppState;
use crate::store::Resource;

const STATES: [&str; 5] = ["COMPLETE", "ERROR", "IN_PROGRESS", "SKIPPED", "INITIATED"];
const ERROR_TYPES: [&str; 2] = ["ACCOUNTING_INTEGRATION_ERROR", "MAPPING"];

/// The handler.
pub(crate) async fn expenses_bulk(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match store_summaries(&state, &headers, &body) {
        Ok(()) => StatusCode::OK.into_response(),
        Err(e) => e.into_response(),
    }
}

fn store_summaries(state: &AppState, headers: &HeaderMap, body: &Bytes) -> Result<(), ApiError> {
    let grant = state.authenticate(headers).ok_or(ApiError::InvalidToken)?;
    let body: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::InvalidUsage(format!("the body is not valid JSON: {e}")))?;
    let Some(rows) = body.get("data").and_then(Value::as_array) else {
        return Err(ApiError::InvalidUsage(
            "the body must be {\"data\": [{id, state, error_type, url}, ...]}".into(),
        ));
    };
    let mut store = state.write();
    let org = store.org_mut(&grant.org_id).ok_or(ApiError::InvalidToken)?;
    let user = org.user(&grant.user_id).ok_or(ApiError::InvalidToken)?;
    if !user.roles.iter().any(|r| r == "ADMIN") {
        return Err(ApiError::Forbidden(format!(
            "user {} does not have the ADMIN role needed for /admin APIs",
            user.email
        )));
    }
    let mut errors = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        if let Err(message) = check(row, |id| org.table(Resource::Expenses).get(id).is_some()) {
            errors.push(BulkRow {
                key: row.get("id").cloned().unwrap_or(Value::Null),
                message,
                row: i,
            });
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Bulk(errors));
    }
    let table = org.table_mut(Resource::Expenses);
    for row in rows {
        let id = row.get("id").and_then(Value::as_str).unwrap_or_default();
        if let Some(stored) = table.get(id) {
            let mut updated = (**stored).clone();
            updated["accounting_export_summary"] = json!({
                "state": row.get("state"),
                "error_type": row.get("error_type"),
                "url": row.get("url"),
            });
            table.insert(updated);
        }
    }
    Ok(())
}

/// Why a row cannot be stored, if it cannot.
fn check(row: &Value, exists: impl Fn(&str) -> bool) -> Result<(), String> {
    let id = row
        .get("id")
        .and_then(Value::as_str)
        .ok_or("id is required")?;
    if !exists(id) {
        return Err(format!("expense {id} does not exist"));
    }
    let state = row.get("state").and_then(Value::as_str).unwrap_or_default();
    if !STATES.contains(&state) {
        return Err(format!("state must be one of {}", STATES.join(", ")));
    }
    match row.get("error_type") {
        None => return Err("error_type is required (null when there is none)".into()),
        Some(Value::Null) => {}
        Some(Value::String(t)) if ERROR_TYPES.contains(&t.as_str()) => {}
        Some(_) => {
            return Err(format!(
                "error_type must be null or one of {}",
                ERROR_TYPES.join(", ")
            ));
        }
    }
    if !row.get("url").is_some_and(Value::is_string) {
        return Err("url is required".into());
    }
    Ok(())
}
