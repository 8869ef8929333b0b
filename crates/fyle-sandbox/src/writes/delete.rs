//! `POST /{role}/{resource}/delete/bulk` and friends: what may be deleted, and what a delete
//! changes elsewhere (a report loses an expense, a draft report frees its expenses).

use serde_json::Value;

use super::{RowError, Txn, singular};
use crate::store::{Resource, Row, key_of};

impl Txn<'_> {
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
            Resource::Expenses => return self.delete_expense(&id, &row),
            Resource::Reports => self.free_report_expenses(&id, &row)?,
            Resource::Categories
            | Resource::Projects
            | Resource::CostCenters
            | Resource::Departments => self.check_unused(resource, &id)?,
            _ => {}
        }
        self.delete(resource, &id);
        Ok(None)
    }
}
