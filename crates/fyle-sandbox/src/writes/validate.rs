//! Checks of a row about to be stored: kinds, references, formats, derived fields, uniqueness.

use serde_json::{Map, Value, json};

use super::{RowError, Txn, singular};
use crate::clock::parse_timestamp;
use crate::store::Resource;

impl Txn<'_> {
    /// Type and reference checks, derived fields, uniqueness.
    pub(super) fn validate(&mut self, resource: Resource, row: &mut Value) -> Result<(), RowError> {
        let Some(m) = row.as_object_mut() else {
            return Err(RowError::field("data", "Not a valid object."));
        };
        let errors = self.field_errors(resource, m);
        if !errors.is_empty() {
            return Err(RowError::Fields(errors));
        }
        match resource {
            Resource::Expenses => self.derive_expense_amounts(m),
            Resource::Categories
            | Resource::Projects
            | Resource::Departments
            | Resource::CostCenters => self.derive_master(resource, m)?,
            _ => {}
        }
        Ok(())
    }

    /// What is wrong with the row's fields, by field: values of the wrong type, references
    /// to rows that do not exist, a file type Fyle does not know.
    fn field_errors(&self, resource: Resource, m: &Map<String, Value>) -> Map<String, Value> {
        let mut errors = Map::new();
        let mut err = |k: &str, msg: &str| {
            errors.insert(k.to_owned(), json!([msg]));
        };
        for k in ["category_id", "project_id", "cost_center_id"] {
            if let Some(v) = m.get(k).filter(|v| !v.is_null()) {
                let target = match k {
                    "category_id" => Resource::Categories,
                    "project_id" => Resource::Projects,
                    _ => Resource::CostCenters,
                };
                if !v.is_i64() {
                    err(k, "Not a valid integer.");
                } else if self.org.table(target).get(&v.to_string()).is_none() {
                    err(k, &format!("No {} found with this id.", singular(target)));
                }
            }
        }
        for k in [
            "amount",
            "admin_amount",
            "claim_amount",
            "foreign_amount",
            "tax_amount",
        ] {
            if m.get(k).is_some_and(|v| !v.is_null() && !v.is_number()) {
                err(k, "Not a valid number.");
            }
        }
        for k in ["spent_at", "started_at", "ended_at", "paid_notify_at"] {
            if m.get(k)
                .is_some_and(|v| !v.is_null() && v.as_str().and_then(parse_timestamp).is_none())
            {
                err(k, "Not a valid datetime.");
            }
        }
        if let Some(v) = m.get("file_ids") {
            match v.as_array() {
                Some(ids) => {
                    for id in ids {
                        if id
                            .as_str()
                            .and_then(|i| self.org.table(Resource::Files).get(i))
                            .is_none()
                        {
                            err("file_ids", &format!("File {id} not found."));
                        }
                    }
                }
                None => err("file_ids", "Not a valid list."),
            }
        }
        if resource == Resource::Files
            && m.get("type")
                .is_some_and(|t| !matches!(t.as_str(), Some("RECEIPT" | "INTEGRATION")))
        {
            err("type", "Must be one of: INTEGRATION, RECEIPT.");
        }
        if resource == Resource::CorporateCardTransactions
            && m.get("corporate_card_id").is_some_and(|card| {
                card.as_str()
                    .and_then(|c| self.org.table(Resource::CorporateCards).get(c))
                    .is_none()
            })
        {
            err("corporate_card_id", "No corporate card found with this id.");
        }
        errors
    }
}
