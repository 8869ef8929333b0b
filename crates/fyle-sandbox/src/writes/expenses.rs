//! Expenses: a new expense (its owner, defaults and sequence number), the amounts Fyle derives,
//! who may still edit one, deleting one (its report's totals follow), and attaching files.

use serde_json::{Map, Value, json};

use super::{ActAs, RowError, Txn};
use crate::rules::{expense_deletable, round_money, spender_may_edit_expense};
use crate::store::{Resource, Row, key_of};

impl Txn<'_> {
    /// Fills a new expense: its owner (the actor, or `assignee_user_email` for an admin), the
    /// org currency, COMPLETE, a sequence number and the owner's cash account.
    pub(super) fn new_expense(
        &mut self,
        m: &mut Map<String, Value>,
        data: &Map<String, Value>,
    ) -> Result<(), RowError> {
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
        Ok(())
    }

    /// `amount` from the admin amount, else the claim amount, else itself, rounded to cents;
    /// a spender's claim amount rounded too.
    pub(super) fn derive_expense_amounts(&self, m: &mut Map<String, Value>) {
        let amount = m
            .get("admin_amount")
            .filter(|v| v.is_number())
            .or_else(|| m.get("claim_amount").filter(|v| v.is_number()))
            .or_else(|| m.get("amount").filter(|v| v.is_number()))
            .cloned();
        if let Some(a) = amount {
            m.insert("amount".into(), round_money(&a));
        }
        if self.role == ActAs::Spender && m.get("claim_amount").is_some_and(Value::is_number) {
            let c = round_money(&m["claim_amount"]);
            m.insert("claim_amount".into(), c);
        }
    }

    /// Refuses a spender's edit of an expense their approvers now own.
    pub(super) fn check_editable(&self, resource: Resource, row: &Value) -> Result<(), RowError> {
        if resource == Resource::Expenses && self.role == ActAs::Spender {
            let state = row.get("state").and_then(Value::as_str).unwrap_or_default();
            if !spender_may_edit_expense(state) {
                return Err(RowError::Message(format!(
                    "Expense in {state} state cannot be edited by the spender"
                )));
            }
        }
        Ok(())
    }

    /// Deletes an unsubmitted expense; the report holding it gets its totals recomputed.
    pub(super) fn delete_expense(
        &mut self,
        id: &str,
        row: &Value,
    ) -> Result<Option<Row>, RowError> {
        let state = row.get("state").and_then(Value::as_str).unwrap_or_default();
        if !expense_deletable(state) {
            return Err(RowError::Message(format!(
                "Expense in {state} state cannot be deleted"
            )));
        }
        self.delete(Resource::Expenses, id);
        if let Some(report_id) = row.get("report_id").and_then(Value::as_str) {
            self.recompute_report(report_id);
        }
        Ok(None)
    }

    /// The id of file `file_id` if it exists and, for a spender, is theirs.
    fn check_file(&self, file_id: &Value, owner: &str) -> Result<String, RowError> {
        let fid = file_id.as_str().unwrap_or_default().to_owned();
        let file = self
            .org
            .table(Resource::Files)
            .get(&fid)
            .ok_or_else(|| RowError::field("file_id", format!("File {fid} not found.")))?;
        if self.role == ActAs::Spender && file.get("user_id").and_then(Value::as_str) != Some(owner)
        {
            return Err(RowError::field("file_id", format!("File {fid} not found.")));
        }
        Ok(fid)
    }

    /// `expenses/attach_receipt` (`{id, file_id}`) and `expenses/attach_files/bulk` (`{id, file_ids}`).
    pub(crate) fn attach_files(&mut self, item: &Value) -> Result<Option<Row>, RowError> {
        let id = item
            .get("id")
            .and_then(key_of)
            .ok_or_else(|| RowError::field("id", "Missing data for required field."))?;
        let mut e = self
            .visible(Resource::Expenses, &id)
            .ok_or_else(|| RowError::Message(format!("expense {id} not found")))?;
        let owner = self.actor.user_id.clone();
        let wanted: Vec<Value> = match (item.get("file_id"), item.get("file_ids")) {
            (Some(f), _) => vec![f.clone()],
            (None, Some(Value::Array(fs))) => fs.clone(),
            _ => {
                return Err(RowError::field(
                    "file_ids",
                    "Missing data for required field.",
                ));
            }
        };
        let mut ids: Vec<Value> = e
            .get("file_ids")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for f in &wanted {
            let fid = self.check_file(f, &owner)?;
            if !ids.iter().any(|x| x.as_str() == Some(fid.as_str())) {
                ids.push(json!(fid));
            }
        }
        e["file_ids"] = Value::Array(ids);
        e["updated_at"] = json!(self.now);
        Ok(Some(self.put(Resource::Expenses, e)))
    }
}
