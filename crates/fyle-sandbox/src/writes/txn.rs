//! The transaction core: the role a write acts in, why a row failed, and [`Txn`], which records
//! the previous version of every row it touches so a failed bulk request can be undone.

use std::collections::HashSet;

use rand_chacha::ChaCha8Rng;
use serde_json::{Map, Value, json};

use crate::errors::{ApiError, BulkRow, FieldErrors};
use crate::store::{OrgData, Resource, Row, User};

/// The role a request acts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum ActAs {
    Spender,
    Approver,
    Admin,
}

/// Why one row failed: field errors (ValidationError) or an integrity clash.
#[derive(Debug)]
pub(crate) enum RowError {
    Fields(FieldErrors),
    Integrity(String),
    Message(String),
}

impl RowError {
    pub(super) fn field(field: &str, message: impl Into<String>) -> RowError {
        let mut m = Map::new();
        m.insert(field.to_owned(), json!([message.into()]));
        RowError::Fields(m)
    }

    fn message(&self) -> String {
        match self {
            RowError::Fields(m) => m
                .iter()
                .map(|(k, v)| {
                    let msgs: Vec<&str> = v
                        .as_array()
                        .map(|a| a.iter().filter_map(Value::as_str).collect())
                        .unwrap_or_default();
                    format!("{k}: {}", msgs.join(" "))
                })
                .collect::<Vec<_>>()
                .join("; "),
            RowError::Integrity(m) | RowError::Message(m) => m.clone(),
        }
    }

    /// The error for a single (non-bulk) request.
    pub(crate) fn into_single(self) -> ApiError {
        match self {
            RowError::Fields(fields) => {
                let mut rows = Map::new();
                rows.insert("0".to_owned(), Value::Object(fields));
                ApiError::Validation(rows)
            }
            RowError::Integrity(m) => ApiError::Integrity(m),
            RowError::Message(m) => ApiError::InvalidUsage(m),
        }
    }
}

/// A write in progress over one org.
pub(crate) struct Txn<'a> {
    pub(crate) org: &'a mut OrgData,
    pub(crate) rng: &'a mut ChaCha8Rng,
    pub(crate) now: String,
    pub(crate) actor: User,
    pub(crate) role: ActAs,
    undo: Vec<(Resource, String, Option<Row>)>,
}

impl<'a> Txn<'a> {
    pub(crate) fn new(
        org: &'a mut OrgData,
        rng: &'a mut ChaCha8Rng,
        now: String,
        actor: User,
        role: ActAs,
    ) -> Txn<'a> {
        Txn {
            org,
            rng,
            now,
            actor,
            role,
            undo: Vec::new(),
        }
    }

    /// Restores every row this transaction touched.
    pub(crate) fn rollback(mut self) {
        while let Some((resource, id, prev)) = self.undo.pop() {
            let table = self.org.table_mut(resource);
            match prev {
                Some(row) => {
                    table.rows.insert(id, row);
                }
                None => {
                    table.remove(&id);
                }
            }
        }
    }

    pub(super) fn put(&mut self, resource: Resource, row: Value) -> Row {
        let id = crate::store::id_key(&row);
        let prev = self.org.table(resource).get(&id).cloned();
        self.undo.push((resource, id, prev));
        self.org.table_mut(resource).insert(row)
    }

    pub(super) fn delete(&mut self, resource: Resource, id: &str) {
        let prev = self.org.table_mut(resource).remove(id);
        if prev.is_some() {
            self.undo.push((resource, id.to_owned(), prev));
        }
    }

    /// Users whose rows the actor may touch (`None` = all).
    fn visible_users(&self) -> Option<HashSet<String>> {
        match self.role {
            ActAs::Admin => None,
            ActAs::Spender => Some(HashSet::from([self.actor.user_id.clone()])),
            ActAs::Approver => Some(self.org.approvees(&self.actor.user_id)),
        }
    }

    /// A row by id that the actor may see.
    pub(super) fn visible(&self, resource: Resource, id: &str) -> Option<Value> {
        let row = self.org.table(resource).get(id)?;
        if resource.owned_by_user()
            && let Some(users) = self.visible_users()
        {
            let owner = row.get("user_id").and_then(Value::as_str)?;
            if !users.contains(owner) {
                return None;
            }
        }
        Some((**row).clone())
    }

    pub(crate) fn materialize(&self, resource: Resource, row: &Value) -> Value {
        self.org.materialize(resource, row)
    }

    // ------------------------------------------------------------------ bulk helpers

    /// Runs `f` on every item; on the first failures, rolls back and answers `BulkError`.
    pub(crate) fn bulk<F>(
        mut self,
        items: &[Value],
        mut f: F,
    ) -> Result<(Vec<Row>, Txn<'a>), ApiError>
    where
        F: FnMut(&mut Txn<'a>, &Value) -> Result<Option<Row>, RowError>,
    {
        let mut errors = Vec::new();
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            match f(&mut self, item) {
                Ok(row) => out.extend(row),
                Err(e) => errors.push(BulkRow {
                    key: bulk_key(item),
                    message: e.message(),
                    row: i,
                }),
            }
        }
        if errors.is_empty() {
            Ok((out, self))
        } else {
            self.rollback();
            Err(ApiError::Bulk(errors))
        }
    }
}

/// How an error message names one row of `r`.
pub(super) fn singular(r: Resource) -> &'static str {
    match r {
        Resource::Expenses => "expense",
        Resource::Reports => "report",
        Resource::Employees => "employee",
        Resource::Departments => "department",
        Resource::Categories => "category",
        Resource::Projects => "project",
        Resource::CostCenters => "cost center",
        Resource::CorporateCards => "corporate card",
        Resource::CorporateCardTransactions => "corporate card transaction",
        Resource::Files => "file",
    }
}

/// What identifies a bulk row in a `BulkError`: its id, else name, else email.
fn bulk_key(item: &Value) -> Value {
    ["id", "name", "email", "user_email", "assignee_user_email"]
        .iter()
        .find_map(|k| item.get(*k).filter(|v| !v.is_null()).cloned())
        .unwrap_or(Value::Null)
}
