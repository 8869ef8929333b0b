//! Checking a POST body against the operation's request schema, with the errors Fyle answers.

use serde_json::{Map, Value, json};

use crate::errors::{ApiError, BulkRow};
use crate::schema::{OpSpec, SPEC, Spec};

/// Checks a POST body against the operation's request schema: `ValidationError` for one object,
/// `BulkError` naming each bad row for a list.
pub(crate) fn validate(op: &OpSpec, body: &Value) -> Result<(), ApiError> {
    let spec: &Spec = &SPEC;
    if op.request.is_null() {
        return Ok(());
    }
    let errors = spec.errors(&op.request, body);
    if errors.is_empty() {
        return Ok(());
    }
    if let Some(Value::Array(items)) = body.get("data") {
        let rows: Vec<BulkRow> = errors
            .iter()
            .filter_map(|(at, msg)| {
                let rest = at.strip_prefix("/data/")?;
                let (row, field) = rest.split_once('/').unwrap_or((rest, ""));
                let row: usize = row.parse().ok()?;
                Some(BulkRow {
                    key: items
                        .get(row)
                        .and_then(|i| i.get("id"))
                        .cloned()
                        .unwrap_or(Value::Null),
                    message: format!("{}: {msg}", if field.is_empty() { "row" } else { field }),
                    row,
                })
            })
            .collect();
        if !rows.is_empty() {
            return Err(ApiError::Bulk(rows));
        }
    }
    let mut data = Map::new();
    for (at, msg) in errors {
        let field = at.trim_start_matches("/data/").trim_start_matches('/');
        let field = if field.is_empty() { "data" } else { field };
        let entry = data.entry(field.to_owned()).or_insert_with(|| json!([]));
        if let Value::Array(a) = entry {
            a.push(json!(msg));
        }
    }
    Err(ApiError::Validation(data))
}
