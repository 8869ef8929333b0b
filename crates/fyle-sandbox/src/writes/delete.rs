//! `POST /{role}/{resource}/delete/bulk` and friends: what may be deleted, and what a delete
//! changes elsewhere (a report loses an expense, a draft report frees its expenses).

use serde_json::{Value, json};

use super::{RowError, Txn, singular};
use crate::store::{Resource, Row, key_of};

impl Txn<'_> {
    // ------------------------------------------------------------------ deletes

    /// Deletes one row by id.
    pub(crate) fn delete_row(
        &mut self,
        resource: Resource,
        item: &Value,
    ) -> Result<Option<Row>, RowError> {
        let id = item
            .get("id")
            .and_then(key_of)
            .ok_or_else(|| RowError::field("id", "Missing data for required field."))?;
        let row = self
            .visible(resource, &id)
            .ok_or_else(|| RowError::Message(format!("{} {id} not found", singular(resource))))?;
        match resource {
            Resource::Expenses => {
                let state = row.get("state").and_then(Value::as_str).unwrap_or_default();
                if !matches!(state, "DRAFT" | "COMPLETE") {
                    return Err(RowError::Message(format!(
                        "Expense in {state} state cannot be deleted"
                    )));
                }
                if let Some(report_id) = row
                    .get("report_id")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                {
                    self.delete(resource, &id);
                    self.recompute_report(&report_id);
                    return Ok(None);
                }
            }
            Resource::Reports => {
                let state = row.get("state").and_then(Value::as_str).unwrap_or_default();
                if state != "DRAFT" {
                    return Err(RowError::Message(format!(
                        "Report in {state} state cannot be deleted"
                    )));
                }
                for e in self.report_expenses(&id) {
                    let mut e = (*e).clone();
                    e["report_id"] = Value::Null;
                    e["added_to_report_at"] = Value::Null;
                    e["updated_at"] = json!(self.now);
                    self.put(Resource::Expenses, e);
                }
            }
            Resource::Categories | Resource::Projects | Resource::CostCenters => {
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
                    .any(|e| e.get(column).and_then(key_of).as_deref() == Some(id.as_str()));
                if in_use {
                    return Err(RowError::Message(format!(
                        "{} {id} is in use by expenses and cannot be deleted",
                        singular(resource)
                    )));
                }
            }
            Resource::Departments => {
                let in_use =
                    self.org.table(Resource::Employees).rows.values().any(|e| {
                        e.get("department_id").and_then(Value::as_str) == Some(id.as_str())
                    });
                if in_use {
                    return Err(RowError::Message(format!(
                        "department {id} has employees and cannot be deleted"
                    )));
                }
            }
            _ => {}
        }
        self.delete(resource, &id);
        Ok(None)
    }
}
