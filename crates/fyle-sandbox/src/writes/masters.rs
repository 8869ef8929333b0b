//! Reference data an admin maintains: categories, projects, cost centers, departments,
//! corporate cards and their transactions. Defaults of a new row, the display name and
//! uniqueness Fyle enforces, and what may not be deleted while in use.

use serde_json::{Map, Value, json};

use super::{RowError, Txn, singular};
use crate::rules::nested_display_name;
use crate::store::{Resource, key_of};

impl Txn<'_> {
    /// Fills the defaults of a new reference-data row.
    pub(super) fn new_master(&self, resource: Resource, m: &mut Map<String, Value>) {
        match resource {
            Resource::CorporateCards => {
                m.entry("user_id").or_insert(Value::Null);
                m.entry("is_archived").or_insert(json!(false));
                m.entry("is_dummy").or_insert(json!(false));
            }
            Resource::CorporateCardTransactions => {
                m.entry("currency")
                    .or_insert_with(|| json!(self.org.currency));
                m.entry("transaction_status").or_insert(json!("POSTED"));
                for flag in [
                    "is_assigned",
                    "is_marked_personal",
                    "is_dismissed",
                    "is_auto_matched",
                ] {
                    m.entry(flag).or_insert(json!(false));
                }
                for list in [
                    "matched_expense_ids",
                    "auto_suggested_expense_ids",
                    "matched_expenses",
                ] {
                    m.entry(list).or_insert(json!([]));
                }
            }
            _ => {
                m.entry("is_enabled").or_insert(json!(true));
            }
        }
    }

    /// The `display_name` of a two-level row (`name / sub`) and the unique `(name, sub)` pair;
    /// a cost center's unique name.
    pub(super) fn derive_master(
        &self,
        resource: Resource,
        m: &mut Map<String, Value>,
    ) -> Result<(), RowError> {
        let text = |m: &Map<String, Value>, k: &str| {
            m.get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let name = text(m, "name");
        let sub_key = match resource {
            Resource::Categories => "sub_category",
            Resource::Projects => "sub_project",
            Resource::Departments => "sub_department",
            _ => return self.unique(resource, m, &[("name", &name)]),
        };
        let sub = text(m, sub_key);
        m.insert(
            "display_name".into(),
            json!(nested_display_name(&name, &sub)),
        );
        self.unique(resource, m, &[("name", &name), (sub_key, &sub)])
    }

    /// Refuses a row whose `keys` values another row of `resource` already has (Fyle's unique
    /// constraints, reported as an integrity error naming the values and the org).
    fn unique(
        &self,
        resource: Resource,
        m: &Map<String, Value>,
        keys: &[(&str, &str)],
    ) -> Result<(), RowError> {
        let id = m.get("id").cloned().unwrap_or(Value::Null);
        let clash = self.org.table(resource).rows.values().any(|r| {
            r.get("id") != Some(&id)
                && keys
                    .iter()
                    .all(|(k, v)| r.get(*k).and_then(Value::as_str).unwrap_or_default() == *v)
        });
        if clash {
            let values: Vec<String> = keys
                .iter()
                .map(|(_, v)| format!("\"{v}\""))
                .chain(std::iter::once(format!("\"{}\"", self.org.org_id)))
                .collect();
            return Err(RowError::Integrity(format!(
                "The values ({}) already exists",
                values.join(", ")
            )));
        }
        Ok(())
    }

    /// Refuses to delete a category, project or cost center an expense uses, or a department
    /// that has employees.
    pub(super) fn check_unused(&self, resource: Resource, id: &str) -> Result<(), RowError> {
        if resource == Resource::Departments {
            let in_use = self
                .org
                .table(Resource::Employees)
                .rows
                .values()
                .any(|e| e.get("department_id").and_then(Value::as_str) == Some(id));
            if in_use {
                return Err(RowError::Message(format!(
                    "department {id} has employees and cannot be deleted"
                )));
            }
            return Ok(());
        }
        let column = match resource {
            Resource::Categories => "category_id",
            Resource::Projects => "project_id",
            _ => "cost_center_id",
        };
        let in_use = self
            .org
            .table(Resource::Expenses)
            .rows
            .values()
            .any(|e| e.get(column).and_then(key_of).as_deref() == Some(id));
        if in_use {
            return Err(RowError::Message(format!(
                "{} {id} is in use by expenses and cannot be deleted",
                singular(resource)
            )));
        }
        Ok(())
    }
}
