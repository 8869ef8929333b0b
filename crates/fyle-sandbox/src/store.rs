//! The in-memory store: one set of tables per org, rows kept as JSON.
//!
//! Rows are stored lean (no embedded objects, no spec defaults) and "materialized" into the full
//! `*_out` shape when served or when a filter needs the embedded fields. That keeps 100,000 seeded
//! expenses cheap in memory and fast to generate, while the embedded objects always reflect the
//! current state of the rows they come from (a report approved later shows as approved inside every
//! expense of that report).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use indexmap::IndexMap;
use serde_json::Value;

/// A stored row. Shared so that list pages and caches never copy the JSON.
pub(crate) type Row = Arc<Value>;

mod embed;
mod resource;
mod served;
#[cfg(test)]
mod tests;

pub use resource::Resource;
pub(crate) use served::Served;

/// One table: rows by id, in insertion order.
#[derive(Debug, Default)]
pub(crate) struct Table {
    pub(crate) rows: IndexMap<String, Row>,
}

impl Table {
    pub(crate) fn get(&self, id: &str) -> Option<&Row> {
        self.rows.get(id)
    }

    pub(crate) fn insert(&mut self, row: Value) -> Row {
        let id = id_key(&row);
        let row = Arc::new(row);
        self.rows.insert(id, Arc::clone(&row));
        row
    }

    pub(crate) fn remove(&mut self, id: &str) -> Option<Row> {
        self.rows.shift_remove(id)
    }
}

/// The table key of a row: its `id` as a string (integer ids are printed).
pub(crate) fn id_key(row: &Value) -> String {
    match row.get("id") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// Turns a JSON id (string or integer) into a table key.
pub(crate) fn key_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A user of an org, as tokens see them.
#[derive(Debug, Clone)]
pub(crate) struct User {
    pub(crate) user_id: String,
    pub(crate) employee_id: String,
    pub(crate) email: String,
    pub(crate) full_name: String,
    pub(crate) roles: Vec<String>,
}

/// All tables of one org plus its counters.
#[derive(Debug)]
pub(crate) struct OrgData {
    pub(crate) org_id: String,
    pub(crate) org_name: String,
    pub(crate) currency: String,
    pub(crate) domain: String,
    pub(crate) tables: HashMap<Resource, Table>,
    /// Next integer id for categories / projects / cost centers.
    pub(crate) next_int_id: i64,
    /// Next sequence number (`E/2026/01/T/123`-style codes).
    pub(crate) next_seq: u64,
    /// Bumped on every write; list caches compare it.
    pub(crate) version: u64,
    /// The long tail of resources, kept by the spec-driven store (`crate::generic`), by the
    /// path after the role (`tax_groups`, `org_settings`).
    pub(crate) generic: std::collections::BTreeMap<String, Table>,
    /// What generated rows point at (users, master data), fixed once seeding is done.
    pub(crate) refs: crate::realistic::Refs,
}

impl OrgData {
    pub(crate) fn new(org_id: String, org_name: String, domain: String) -> OrgData {
        OrgData {
            org_id,
            org_name,
            currency: "USD".to_owned(),
            domain,
            tables: Resource::ALL
                .into_iter()
                .map(|r| (r, Table::default()))
                .collect(),
            next_int_id: 1,
            next_seq: 1,
            version: 0,
            generic: std::collections::BTreeMap::new(),
            refs: crate::realistic::Refs::default(),
        }
    }

    pub(crate) fn table(&self, r: Resource) -> &Table {
        self.tables
            .get(&r)
            .expect("every resource has a table from OrgData::new")
    }

    pub(crate) fn table_mut(&mut self, r: Resource) -> &mut Table {
        self.version += 1;
        self.tables
            .get_mut(&r)
            .expect("every resource has a table from OrgData::new")
    }

    /// The user behind a `us…` id.
    pub(crate) fn user(&self, user_id: &str) -> Option<User> {
        self.table(Resource::Employees)
            .rows
            .values()
            .find(|e| e.get("user_id").and_then(Value::as_str) == Some(user_id))
            .map(|e| user_of(e))
    }

    /// The user with this email (case-insensitive).
    pub(crate) fn user_by_email(&self, email: &str) -> Option<User> {
        self.employee_by_email(email).map(|e| user_of(e))
    }

    /// The employee row whose user has this email (case-insensitive).
    pub(crate) fn employee_by_email(&self, email: &str) -> Option<&Row> {
        self.table(Resource::Employees).rows.values().find(|e| {
            e.pointer("/user/email")
                .and_then(Value::as_str)
                .is_some_and(|m| m.eq_ignore_ascii_case(email))
        })
    }

    /// Users whose approver list contains `approver_user_id`.
    pub(crate) fn approvees(&self, approver_user_id: &str) -> HashSet<String> {
        self.table(Resource::Employees)
            .rows
            .values()
            .filter(|e| {
                e.get("approver_user_ids")
                    .and_then(Value::as_array)
                    .is_some_and(|a| a.iter().any(|u| u.as_str() == Some(approver_user_id)))
            })
            .filter_map(|e| e.get("user_id").and_then(Value::as_str).map(str::to_owned))
            .collect()
    }

    pub(crate) fn next_int(&mut self) -> i64 {
        let id = self.next_int_id;
        self.next_int_id += 1;
        id
    }

    pub(crate) fn next_seq(&mut self) -> u64 {
        let s = self.next_seq;
        self.next_seq += 1;
        s
    }
}

fn user_of(e: &Value) -> User {
    let s = |p: &str| {
        e.pointer(p)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    User {
        user_id: s("/user_id"),
        employee_id: s("/id"),
        email: s("/user/email"),
        full_name: s("/user/full_name"),
        roles: e
            .get("roles")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|r| r.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// All orgs.
#[derive(Debug, Default)]
pub(crate) struct Store {
    pub(crate) orgs: IndexMap<String, OrgData>,
}

impl Store {
    pub(crate) fn org(&self, org_id: &str) -> Option<&OrgData> {
        self.orgs.get(org_id)
    }

    pub(crate) fn org_mut(&mut self, org_id: &str) -> Option<&mut OrgData> {
        self.orgs.get_mut(org_id)
    }
}
