//! `POST /{role}/{resource}` and the rows of `/bulk`: create a row (required fields, ids,
//! per-resource defaults) or update one the actor may see, then validate it.

use serde_json::{Map, Value, json};

use super::{ActAs, RowError, Txn, content_type_for, singular};
use crate::ids::new_id;
use crate::store::{Resource, Row, key_of};

impl Txn<'_> {
    /// Creates (no `id`) or updates (with `id`) one row.
    pub(crate) fn upsert(&mut self, resource: Resource, data: &Value) -> Result<Row, RowError> {
        let Some(data) = data.as_object() else {
            return Err(RowError::field("data", "Not a valid object."));
        };
        let id = data.get("id").filter(|v| !v.is_null());
        let mut row = match id {
            Some(id) => {
                let key = key_of(id).ok_or_else(|| RowError::field("id", "Not a valid id."))?;
                let mut row = self.visible(resource, &key).ok_or_else(|| {
                    RowError::field(
                        "id",
                        format!("No {} found with id {key}.", singular(resource)),
                    )
                })?;
                self.check_editable(resource, &row)?;
                if let Some(m) = row.as_object_mut() {
                    for (k, v) in data {
                        if !READ_ONLY.contains(&k.as_str()) {
                            m.insert(k.clone(), v.clone());
                        }
                    }
                    m.insert("updated_at".into(), json!(self.now));
                }
                row
            }
            None => self.create(resource, data)?,
        };
        self.validate(resource, &mut row)?;
        Ok(self.put(resource, row))
    }

    fn check_editable(&self, resource: Resource, row: &Value) -> Result<(), RowError> {
        if resource == Resource::Expenses && self.role == ActAs::Spender {
            let state = row.get("state").and_then(Value::as_str).unwrap_or_default();
            if !matches!(state, "DRAFT" | "COMPLETE" | "APPROVER_INQUIRY") {
                return Err(RowError::Message(format!(
                    "Expense in {state} state cannot be edited by the spender"
                )));
            }
        }
        Ok(())
    }

    fn base_row(&mut self, resource: Resource) -> Map<String, Value> {
        let mut m = Map::new();
        let id = if resource.integer_ids() {
            let base = match resource {
                Resource::Categories => 100_000,
                Resource::Projects => 200_000,
                _ => 300_000,
            };
            json!(base + self.org.next_int())
        } else {
            json!(new_id(self.rng, resource.id_prefix()))
        };
        m.insert("id".into(), id);
        m.insert("org_id".into(), json!(self.org.org_id));
        m.insert("created_at".into(), json!(self.now));
        m.insert("updated_at".into(), json!(self.now));
        m
    }

    fn create(&mut self, resource: Resource, data: &Map<String, Value>) -> Result<Value, RowError> {
        let mut errors = Map::new();
        let mut require = |k: &str| {
            if data.get(k).is_none_or(Value::is_null) {
                errors.insert(k.to_owned(), json!(["Missing data for required field."]));
            }
        };
        match (resource, self.role) {
            (Resource::Expenses, ActAs::Admin) => {
                require("admin_amount");
                require("assignee_user_email");
            }
            (Resource::Reports, ActAs::Spender) => require("purpose"),
            (Resource::Expenses, ActAs::Approver) | (Resource::Reports, _) => require("id"),
            (
                Resource::Categories
                | Resource::Projects
                | Resource::CostCenters
                | Resource::Departments,
                _,
            ) => {
                require("name");
            }
            (Resource::CorporateCards, _) => {
                require("bank_name");
                require("card_number");
            }
            (Resource::CorporateCardTransactions, _) => {
                require("amount");
                require("corporate_card_id");
            }
            (Resource::Files, role) => {
                require("name");
                require("type");
                if role == ActAs::Admin {
                    require("user_id");
                }
            }
            _ => {}
        }
        if !errors.is_empty() {
            return Err(RowError::Fields(errors));
        }
        let mut m = self.base_row(resource);
        for (k, v) in data {
            if !READ_ONLY.contains(&k.as_str()) {
                m.insert(k.clone(), v.clone());
            }
        }
        match resource {
            Resource::Expenses => {
                let owner = if self.role == ActAs::Admin {
                    let email = data
                        .get("assignee_user_email")
                        .and_then(Value::as_str)
                        .unwrap_or_default();
                    self.org.user_by_email(email).ok_or_else(|| {
                        RowError::field("assignee_user_email", "No employee found with this email.")
                    })?
                } else {
                    self.actor.clone()
                };
                m.remove("assignee_user_email");
                m.insert("user_id".into(), json!(owner.user_id));
                m.insert("employee_id".into(), json!(owner.employee_id));
                m.insert("creator_user_id".into(), json!(self.actor.user_id));
                m.insert("currency".into(), json!(self.org.currency));
                m.entry("source").or_insert_with(|| json!("API"));
                m.entry("file_ids").or_insert_with(|| json!([]));
                m.entry("is_reimbursable").or_insert(json!(true));
                m.insert("state".into(), json!("COMPLETE"));
                m.insert("state_display_name".into(), json!("Complete"));
                let seq = self.org.next_seq();
                m.insert("seq_num".into(), json!(format!("E/2026/11/T/{seq}")));
                m.insert(
                    "source_account".into(),
                    json!({"id": format!("acc{}", owner.user_id.get(2..).unwrap_or_default()), "type": "PERSONAL_CASH_ACCOUNT"}),
                );
            }
            Resource::Reports => {
                m.insert("user_id".into(), json!(self.actor.user_id));
                m.insert("employee_id".into(), json!(self.actor.employee_id));
                m.insert("currency".into(), json!(self.org.currency));
                m.insert("amount".into(), json!(0));
                m.insert("num_expenses".into(), json!(0));
                m.insert("state".into(), json!("DRAFT"));
                m.insert("state_display_name".into(), json!("Draft"));
                m.entry("source").or_insert_with(|| json!("API"));
                let seq = self.org.next_seq();
                m.insert("seq_num".into(), json!(format!("C/2026/11/R/{seq}")));
                m.insert("creator_type".into(), json!("USER"));
            }
            Resource::Categories
            | Resource::Projects
            | Resource::CostCenters
            | Resource::Departments => {
                m.entry("is_enabled").or_insert(json!(true));
            }
            Resource::Files => {
                let owner = if self.role == ActAs::Admin {
                    let uid = data
                        .get("user_id")
                        .and_then(Value::as_str)
                        .unwrap_or_default();
                    self.org
                        .user(uid)
                        .ok_or_else(|| RowError::field("user_id", "No user found with this id."))?
                } else {
                    self.actor.clone()
                };
                m.insert("user_id".into(), json!(owner.user_id));
                m.remove("password");
                let name = data.get("name").and_then(Value::as_str).unwrap_or_default();
                m.insert("content_type".into(), json!(content_type_for(name)));
            }
            Resource::CorporateCards => {
                m.entry("user_id").or_insert(Value::Null);
                m.entry("is_archived").or_insert(json!(false));
                m.entry("is_dummy").or_insert(json!(false));
            }
            Resource::CorporateCardTransactions => {
                m.entry("currency")
                    .or_insert_with(|| json!(self.org.currency));
                m.entry("transaction_status").or_insert(json!("POSTED"));
                m.entry("is_assigned").or_insert(json!(false));
                m.entry("is_marked_personal").or_insert(json!(false));
                m.entry("is_dismissed").or_insert(json!(false));
                m.entry("is_auto_matched").or_insert(json!(false));
                m.entry("matched_expense_ids").or_insert(json!([]));
                m.entry("auto_suggested_expense_ids").or_insert(json!([]));
                m.entry("matched_expenses").or_insert(json!([]));
            }
            Resource::Employees => {}
        }
        Ok(Value::Object(m))
    }
}

const READ_ONLY: &[&str] = &[
    "id",
    "org_id",
    "created_at",
    "updated_at",
    "user_id",
    "employee_id",
    "state",
    "state_display_name",
    "seq_num",
    "report_last_approved_at",
    "report_last_paid_at",
    "last_settled_at",
    "num_expenses",
];
