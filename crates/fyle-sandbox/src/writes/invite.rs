//! `POST /admin/employees/invite/bulk` ("Create or update employees"): one employee per
//! e-mail. A known e-mail updates that employee; a new one creates an employee (and its user)
//! who has not accepted the invite yet, so `GET /admin/employees` and the token's user lookup
//! see it at once.

use serde_json::{Map, Value, json};

use super::{RowError, Txn};
use crate::ids::new_id;
use crate::store::{Resource, Row};

/// `invitation_in` fields stored on the employee row as they come.
const COPIED: &[&str] = &[
    "business_unit",
    "code",
    "is_enabled",
    "joined_at",
    "location",
    "title",
    "mobile",
    "special_email",
];

impl Txn<'_> {
    /// Creates or updates the employee whose user has `data.user_email`.
    pub(crate) fn invite(&mut self, data: &Value) -> Result<Row, RowError> {
        let Some(data) = data.as_object() else {
            return Err(RowError::field("data", "Not a valid object."));
        };
        let email = data
            .get("user_email")
            .and_then(Value::as_str)
            .filter(|e| valid_email(e))
            .ok_or_else(|| RowError::field("user_email", "Not a valid email address."))?;
        let mut row = match self.employee_by_email(email) {
            Some(row) => row,
            None => self.new_employee(email, data)?,
        };
        if let Some(m) = row.as_object_mut() {
            for key in COPIED {
                if let Some(v) = data.get(*key) {
                    m.insert((*key).to_owned(), v.clone());
                }
            }
            if let Some(name) = data.get("user_full_name").and_then(Value::as_str) {
                m.insert(
                    "user".into(),
                    json!({
                        "id": m.get("user_id").cloned().unwrap_or(Value::Null),
                        "email": email,
                        "full_name": name,
                    }),
                );
            }
            m.insert("updated_at".into(), json!(self.now));
        }
        Ok(self.put(Resource::Employees, row))
    }

    fn employee_by_email(&self, email: &str) -> Option<Value> {
        self.org
            .table(Resource::Employees)
            .rows
            .values()
            .find(|e| {
                e.pointer("/user/email")
                    .and_then(Value::as_str)
                    .is_some_and(|m| m.eq_ignore_ascii_case(email))
            })
            .map(|r| (**r).clone())
    }

    /// A new employee shaped like the stored ones (so every answer keeps the spec's shape),
    /// with its own ids, no approvers, the spender role and the invite not yet accepted.
    fn new_employee(&mut self, email: &str, data: &Map<String, Value>) -> Result<Value, RowError> {
        let name = data
            .get("user_full_name")
            .and_then(Value::as_str)
            .filter(|n| n.trim().chars().count() >= 3)
            .ok_or_else(|| {
                RowError::field(
                    "user_full_name",
                    "Must be at least 3 characters when creating an employee.",
                )
            })?;
        let template = self
            .org
            .table(Resource::Employees)
            .rows
            .values()
            .next()
            .map_or_else(|| json!({}), |r| (**r).clone());
        let mut row = template;
        let id = new_id(self.rng, Resource::Employees.id_prefix());
        let user_id = new_id(self.rng, "us");
        if let Some(m) = row.as_object_mut() {
            for (k, v) in [
                ("id", json!(id)),
                ("org_id", json!(self.org.org_id)),
                ("created_at", json!(self.now)),
                ("user_id", json!(user_id)),
                (
                    "user",
                    json!({"id": user_id, "email": email, "full_name": name}),
                ),
                ("code", Value::Null),
                ("roles", json!(["FYLER"])),
                ("is_enabled", json!(true)),
                ("has_accepted_invite", json!(false)),
                ("approver_user_ids", json!([])),
                ("joined_at", json!(self.now)),
            ] {
                m.insert(k.to_owned(), v);
            }
        }
        Ok(row)
    }
}

/// One `@`, something on both sides, a dot in the domain: enough to refuse obvious garbage the
/// way Fyle's `email` format does.
fn valid_email(email: &str) -> bool {
    match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.contains('@')
                && !email.contains(' ')
        }
        None => false,
    }
}
