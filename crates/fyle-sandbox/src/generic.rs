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

use serde_json::Value;

use crate::schema::{OpSpec, SPEC, Spec};
use crate::store::{OrgData, Resource};

mod read;
mod seeding;
mod validate;
mod write;

pub(crate) use read::get;
pub(crate) use seeding::{refs, seed};
pub(crate) use validate::validate;
pub(crate) use write::post;

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
fn resource_key(org: &OrgData, op: &OpSpec) -> String {
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

/// A seed for the builder of one row or answer, from what identifies it, so the same request
/// on the same data builds the same values.
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

/// The id prefix of a resource, from its words (`tax_groups` -> `tg`), as Fyle's ids have.
fn id_prefix(key: &str) -> String {
    key.split(['_', '/'])
        .filter_map(|w| w.chars().next())
        .take(3)
        .collect()
}
