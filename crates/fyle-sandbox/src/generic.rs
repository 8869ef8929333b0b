//! The spec-driven store: every operation the hand-written routes do not simulate.
//!
//! Each resource is keyed by its path after the role (`tax_groups`, `org_settings`). List
//! resources are seeded with realistic rows built from the item schema of their list operation
//! (the admin one when there is one); singletons (`org_settings`) with one object. A row is
//! stored once and served through the schema of the operation asked (admin, spender, approver
//! shapes), so every answer is valid and every role sees the same state. Lists run the query
//! engine (filters, order, `q`, offset, limit) over the served rows. POSTs validate their body
//! against the request schema (400 `ValidationError` or `BulkError`), then upsert, delete or
//! change state, and answer the rows they wrote.

use std::hash::{DefaultHasher, Hash, Hasher};

use serde_json::{Map, Value, json};

use crate::errors::{ApiError, BulkRow};
use crate::instance::Builder;
use crate::listing::{self, ListParams};
use crate::query_eval;
use crate::realistic::{Refs, UserRef};
use crate::schema::{OpSpec, SPEC, Spec};
use crate::store::{OrgData, Resource, Table, id_key, key_of};

/// Rows seeded per list resource.
const ROWS_PER_RESOURCE: usize = 12;
/// Table key of a singleton resource's one row.
const SINGLETON: &str = "_";

/// Who asks, as the generic store scopes rows.
#[derive(Debug, Clone)]
pub(crate) enum Viewer {
    /// The whole org (admin and the org-wide roles).
    Org,
    /// Rows whose `user_id` is one of these (spender: self; approver: approvees).
    Users(Vec<String>),
}

impl Viewer {
    fn admits(&self, row: &Value) -> bool {
        match self {
            Viewer::Org => true,
            Viewer::Users(users) => match row.get("user_id").and_then(Value::as_str) {
                Some(u) => users.iter().any(|x| x == u),
                None => true,
            },
        }
    }
}

/// The resource key of a path: what follows the role, minus a trailing action for POSTs that
/// act on an existing resource (`/admin/tax_groups/bulk` -> `tax_groups`).
pub(crate) fn resource_key(org: &OrgData, op: &OpSpec) -> String {
    let rest: Vec<&str> = op.path.trim_start_matches('/').split('/').skip(1).collect();
    if op.method == "GET" {
        return rest.join("/");
    }
    for n in (1..=rest.len()).rev() {
        let key = rest[..n].join("/");
        if org.generic.contains_key(&key) || Resource::from_name(&key).is_some() {
            return key;
        }
    }
    rest.first().map_or_else(String::new, |s| (*s).to_owned())
}

/// The references generated rows may use, `first` users leading.
pub(crate) fn refs(org: &OrgData, first: &[String], history_end: i64) -> Refs {
    let ids = |r: Resource| -> Vec<Value> {
        org.table(r)
            .rows
            .values()
            .filter_map(|row| row.get("id").cloned())
            .take(200)
            .collect()
    };
    let ints = |r: Resource| ids(r).iter().filter_map(Value::as_i64).collect();
    let strs = |r: Resource| {
        ids(r)
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect()
    };
    let mut users: Vec<UserRef> = org
        .table(Resource::Employees)
        .rows
        .values()
        .map(|e| {
            let s = |p: &str| {
                e.pointer(p)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned()
            };
            UserRef {
                user_id: s("/user_id"),
                employee_id: s("/id"),
                email: s("/user/email"),
                full_name: s("/user/full_name"),
            }
        })
        .collect();
    users.sort_by_key(|u| {
        first
            .iter()
            .position(|f| *f == u.user_id)
            .unwrap_or(usize::MAX)
    });
    Refs {
        org_id: org.org_id.clone(),
        org_name: org.org_name.clone(),
        domain: org.domain.clone(),
        currency: org.currency.clone(),
        users,
        category_ids: ints(Resource::Categories),
        project_ids: ints(Resource::Projects),
        cost_center_ids: ints(Resource::CostCenters),
        department_ids: strs(Resource::Departments),
        expense_ids: strs(Resource::Expenses),
        report_ids: strs(Resource::Reports),
        card_ids: strs(Resource::CorporateCards),
        history_end,
    }
}

fn hash_seed(parts: &[&str], seed: u64) -> u64 {
    let mut h = DefaultHasher::new();
    seed.hash(&mut h);
    parts.hash(&mut h);
    h.finish()
}

/// The schema rows of `key` are stored in: the item schema of its list operation, the admin
/// one first; `None` for a resource without a list.
fn row_schema(key: &str) -> Option<&'static Value> {
    let spec: &'static Spec = &SPEC;
    let mut lists = spec.operations.iter().filter(|o| {
        o.method == "GET" && o.path.split('/').skip(2).collect::<Vec<_>>().join("/") == key
    });
    let first = lists.clone().find(|o| o.file == "admin");
    first
        .or_else(|| lists.next())
        .and_then(|o| spec.list_item(o))
}

/// Seeds every long-tail resource of `org`.
pub(crate) fn seed(org: &mut OrgData, seed: u64, refs: &Refs) {
    let spec: &Spec = &SPEC;
    for op in spec.operations.iter().filter(|o| o.method == "GET") {
        let key = op.path.split('/').skip(2).collect::<Vec<_>>().join("/");
        if Resource::from_name(&key).is_some() || org.generic.contains_key(&key) {
            continue;
        }
        // Computed from the expenses by `crate::spend_overview`, never stored.
        if key.starts_with("spend_overview/") {
            continue;
        }
        if op.params.iter().any(|p| p.required) {
            continue;
        }
        let mut table = Table::default();
        if let Some(item) = row_schema(&key).filter(|_| spec.list_item(op).is_some()) {
            for i in 0..ROWS_PER_RESOURCE {
                let mut b =
                    Builder::new(spec, refs, hash_seed(&[&org.org_id, &key], seed ^ i as u64));
                let mut row = b.build(item);
                place(&mut row, &key, refs, i);
                if !id_key(&row).is_empty() {
                    table.insert(row);
                }
            }
        } else if let Some(data) = spec.data_of(&op.response) {
            let mut b = Builder::new(spec, refs, hash_seed(&[&org.org_id, &key], seed));
            let row = b.build(data);
            table
                .rows
                .insert(SINGLETON.to_owned(), std::sync::Arc::new(row));
        } else {
            continue;
        }
        org.generic.insert(key, table);
    }
}

/// Gives seeded row `i` a distinct id and an owner: the first rows go to the users tests act as.
fn place(row: &mut Value, key: &str, refs: &Refs, i: usize) {
    let Some(m) = row.as_object_mut() else {
        return;
    };
    match m.get("id") {
        Some(Value::Number(_)) => {
            m.insert("id".into(), json!(i + 1));
        }
        Some(Value::String(id)) => {
            let id = format!("{}{}", id_prefix(key), id);
            m.insert("id".into(), json!(id));
        }
        _ => {}
    }
    if m.get("user_id").is_some_and(Value::is_string)
        && let Some(u) = refs.users.get(i % refs.users.len().max(1))
    {
        m.insert("user_id".into(), json!(u.user_id));
        if m.get("employee_id").is_some_and(Value::is_string) {
            m.insert("employee_id".into(), json!(u.employee_id));
        }
        if let Some(Value::Object(user)) = m.get_mut("user") {
            user.insert("id".into(), json!(u.user_id));
            if user.contains_key("email") {
                user.insert("email".into(), json!(u.email));
            }
            if user.contains_key("full_name") {
                user.insert("full_name".into(), json!(u.full_name));
            }
        }
    }
}

/// The rows of `key` as stored (hand-written resources materialized).
fn stored_rows(org: &OrgData, key: &str) -> Vec<Value> {
    if let Some(r) = Resource::from_name(key) {
        return org
            .table(r)
            .rows
            .values()
            .map(|row| org.materialize(r, row))
            .collect();
    }
    org.generic
        .get(key)
        .map(|t| t.rows.values().map(|r| (**r).clone()).collect())
        .unwrap_or_default()
}

/// Answers a GET: a list page, a row by `id`, or a singleton.
pub(crate) fn get(
    org: &OrgData,
    refs: &Refs,
    op: &OpSpec,
    viewer: &Viewer,
    query: &[(String, String)],
) -> Result<Value, ApiError> {
    let spec: &Spec = &SPEC;
    let key = resource_key(org, op);
    if let Some(item) = spec.list_item(op) {
        let params = listing::parse_params(query)?;
        let rows = served_rows(org, refs, &key, item, viewer);
        return Ok(page(&rows, &params));
    }
    let mut b = Builder::new(spec, refs, hash_seed(&[&org.org_id, &op.path], 7));
    let id = query
        .iter()
        .find(|(k, _)| k == "id")
        .map(|(_, v)| v.strip_prefix("eq.").unwrap_or(v).to_owned());
    let candidate = match (&id, org.generic.get(&key)) {
        (Some(id), _) => {
            let row = stored_rows(org, &key)
                .into_iter()
                .find(|r| id_key(r) == *id && viewer.admits(r))
                .ok_or_else(|| ApiError::NotFound(format!("no {key} with id {id}")))?;
            json!({ "data": row })
        }
        (None, Some(t)) => {
            json!({ "data": t.rows.get(SINGLETON).map_or(Value::Null, |r| (**r).clone()) })
        }
        (None, None) => json!({}),
    };
    Ok(b.conform(&op.response, &candidate))
}

/// Rows of `key` the viewer sees, in the shape of `item`.
fn served_rows(org: &OrgData, refs: &Refs, key: &str, item: &Value, viewer: &Viewer) -> Vec<Value> {
    let spec: &Spec = &SPEC;
    stored_rows(org, key)
        .into_iter()
        .filter(|r| viewer.admits(r))
        .map(|row| {
            let mut b = Builder::new(spec, refs, hash_seed(&[key, &id_key(&row)], 11));
            b.conform(item, &row)
        })
        .collect()
}

/// `{count, offset, data}` of `rows` under the query of `params`.
fn page(rows: &[Value], params: &ListParams) -> Value {
    let q = params.query.q.as_deref().map(str::to_lowercase);
    let mut matching: Vec<&Value> = rows
        .iter()
        .filter(|r| query_eval::matches(&params.query.filter, r))
        .filter(|r| q.as_deref().is_none_or(|q| listing::matches_q(r, q)))
        .collect();
    if let Some(order) = &params.query.order {
        query_eval::sort_rows(&mut matching, order);
    }
    let offset = usize::try_from(params.offset).unwrap_or(usize::MAX);
    let limit = usize::try_from(params.limit).unwrap_or(usize::MAX);
    let data: Vec<Value> = matching
        .iter()
        .skip(offset)
        .take(limit)
        .map(|r| (*r).clone())
        .collect();
    json!({"count": matching.len(), "offset": params.offset, "data": data})
}

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
            let mut row = match (existing, schema) {
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
            };
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

/// The id prefix of a resource, from its words (`tax_groups` -> `tg`), as Fyle's ids have.
fn id_prefix(key: &str) -> String {
    key.split(['_', '/'])
        .filter_map(|w| w.chars().next())
        .take(3)
        .collect()
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
