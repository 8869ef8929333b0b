//! Answering a long-tail POST: upserts, deletes and state actions applied to the stored rows
//! after the body is validated, answered with the rows written.

use serde_json::{Value, json};

use super::validate::validate;
use super::{SINGLETON, Viewer, hash_seed, id_prefix, resource_key, row_schema, stored_rows};
use crate::errors::ApiError;
use crate::instance::Builder;
use crate::realistic::Refs;
use crate::schema::{OpSpec, SPEC, Spec};
use crate::store::{OrgData, Resource, Table, id_key, key_of};

/// Answers a POST: validates the body, then writes and answers what it wrote.
pub(crate) fn post(
    org: &mut OrgData,
    refs: &Refs,
    op: &OpSpec,
    viewer: &Viewer,
    body: &Value,
    now: &str,
) -> Result<Value, ApiError> {
    let spec: &Spec = &SPEC;
    validate(op, body)?;
    let key = resource_key(org, op);
    let data = body.get("data").cloned().unwrap_or(Value::Null);
    let action = action_of(&op.path);
    let mut b = Builder::new(spec, refs, hash_seed(&[&org.org_id, &op.path, now], 13));
    let written = match &data {
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|i| write(org, &mut b, &key, action, i, viewer, now))
                .collect::<Result<_, _>>()?,
        ),
        item @ Value::Object(_) => write(org, &mut b, &key, action, item, viewer, now)?,
        _ => Value::Null,
    };
    let candidate = if op.response.is_null() {
        Value::Null
    } else {
        json!({ "data": written })
    };
    Ok(if op.response.is_null() {
        candidate
    } else {
        b.conform(&op.response, &candidate)
    })
}

/// What a POST path does to its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Upsert,
    Delete,
    /// Sets `state` to this value (approve, reject...), where the row's schema allows it.
    State(&'static str),
    /// Sets `is_enabled`.
    Enable(bool),
    /// Anything else: validated and answered, rows unchanged.
    Other,
}

fn action_of(path: &str) -> Action {
    let segs: Vec<&str> = path.split('/').filter(|s| *s != "bulk").collect();
    let last = segs.last().copied().unwrap_or_default();
    match last {
        "delete" => Action::Delete,
        "approve" => Action::State("APPROVED"),
        "reject" => Action::State("REJECTED"),
        "submit" => Action::State("SUBMITTED"),
        "pull_back" | "inquire" | "send_back" => Action::State("INQUIRY"),
        "enable" => Action::Enable(true),
        "disable" => Action::Enable(false),
        _ if segs.len() <= 3 => Action::Upsert,
        _ => Action::Other,
    }
}

/// Applies `action` with `item` to the row of `key` it names (or a new one), for `viewer`.
fn write(
    org: &mut OrgData,
    b: &mut Builder<'_>,
    key: &str,
    action: Action,
    item: &Value,
    viewer: &Viewer,
    now: &str,
) -> Result<Value, ApiError> {
    let id = item.get("id").and_then(key_of);
    if Resource::from_name(key).is_some() {
        // A hand-written resource reached by an action the sandbox does not model row by row:
        // answer the row as it is.
        let row = id
            .as_deref()
            .and_then(|id| stored_rows(org, key).into_iter().find(|r| id_key(r) == id));
        return Ok(row.unwrap_or_else(|| item.clone()));
    }
    let schema = row_schema(key);
    let existing = id.as_deref().and_then(|id| {
        org.generic
            .get(key)
            .and_then(|t| t.get(id))
            .map(|r| (**r).clone())
    });
    if let Some(row) = &existing
        && !viewer.admits(row)
    {
        return Err(ApiError::Forbidden(format!(
            "{key} {} is not yours",
            id.unwrap_or_default()
        )));
    }
    let table = org.generic.entry(key.to_owned()).or_default();
    match action {
        Action::Delete => {
            let removed = id.as_deref().and_then(|id| table.remove(id));
            org.version += 1;
            Ok(removed.map_or_else(|| item.clone(), |r| (*r).clone()))
        }
        Action::Other if existing.is_none() => Ok(item.clone()),
        _ => {
            let mut row = base_row(table, b, key, schema, existing, now);
            apply(&mut row, item, action, now);
            if let Some(s) = schema {
                row = b.conform(s, &row);
            }
            let stored = if id_key(&row).is_empty() {
                SINGLETON.to_owned()
            } else {
                id_key(&row)
            };
            table.rows.insert(stored, std::sync::Arc::new(row.clone()));
            org.version += 1;
            Ok(row)
        }
    }
}

/// The row a write starts from: the existing row, else a fresh one built from the row schema
/// (with a new id and `created_at`), else the singleton's row.
fn base_row(
    table: &Table,
    b: &mut Builder<'_>,
    key: &str,
    schema: Option<&Value>,
    existing: Option<Value>,
    now: &str,
) -> Value {
    match (existing, schema) {
        (Some(row), _) => row,
        (None, Some(s)) => {
            let mut fresh = b.build(s);
            if let Some(m) = fresh.as_object_mut() {
                m.insert("id".into(), new_id(table, key, m.get("id")));
                m.insert("created_at".into(), json!(now));
            }
            fresh
        }
        (None, None) => table
            .rows
            .get(SINGLETON)
            .map_or_else(|| json!({}), |r| (**r).clone()),
    }
}

/// A fresh id of the same kind as the seeded ones: the next integer, or the resource's prefix
/// and a sequence number.
fn new_id(table: &Table, key: &str, like: Option<&Value>) -> Value {
    if let Some(Value::Number(_)) = like {
        let max = table
            .rows
            .values()
            .filter_map(|r| r.get("id").and_then(Value::as_i64))
            .max();
        return json!(max.unwrap_or(0) + 1);
    }
    json!(format!("{}{:010}", id_prefix(key), table.rows.len() + 1))
}

/// Writes the body's fields onto the row and applies the action.
fn apply(row: &mut Value, item: &Value, action: Action, now: &str) {
    let Some(m) = row.as_object_mut() else {
        return;
    };
    if matches!(action, Action::Upsert)
        && let Some(fields) = item.as_object()
    {
        for (k, v) in fields {
            m.insert(k.clone(), v.clone());
        }
    }
    match action {
        Action::State(s) if m.contains_key("state") => {
            m.insert("state".into(), json!(s));
        }
        Action::Enable(on) if m.contains_key("is_enabled") => {
            m.insert("is_enabled".into(), json!(on));
        }
        _ => {}
    }
    if m.contains_key("updated_at") {
        m.insert("updated_at".into(), json!(now));
    }
}
