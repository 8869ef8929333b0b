//! Reports: a new report, deleting a draft (its expenses are freed), and the actions of the
//! report state machine (`rules::ReportAction`): submit, approve, mark paid, add expenses. Each
//! moves the report's expenses along with it and keeps the report's totals current.

use serde_json::{Map, Value, json};

use super::{RowError, Txn};
use crate::rules::{
    ReportAction, cents, expense_state_for_report, money, report_deletable, state_display_name,
};
use crate::store::{Resource, Row, key_of};

impl Txn<'_> {
    /// Fills a new report: the actor's, empty, DRAFT, with a sequence number.
    pub(super) fn new_report(&mut self, m: &mut Map<String, Value>) {
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

    /// Before a draft report is deleted: takes its expenses out of it. Refuses any other state.
    pub(super) fn free_report_expenses(&mut self, id: &str, row: &Value) -> Result<(), RowError> {
        let state = row.get("state").and_then(Value::as_str).unwrap_or_default();
        if !report_deletable(state) {
            return Err(RowError::Message(format!(
                "Report in {state} state cannot be deleted"
            )));
        }
        for e in self.report_expenses(id) {
            let mut e = (*e).clone();
            e["report_id"] = Value::Null;
            e["added_to_report_at"] = Value::Null;
            e["updated_at"] = json!(self.now);
            self.put(Resource::Expenses, e);
        }
        Ok(())
    }

    /// The expenses in report `report_id`.
    pub(super) fn report_expenses(&self, report_id: &str) -> Vec<Row> {
        self.org
            .table(Resource::Expenses)
            .rows
            .values()
            .filter(|e| e.get("report_id").and_then(Value::as_str) == Some(report_id))
            .cloned()
            .collect()
    }

    /// Recomputes the report's `amount` and `num_expenses` from its expenses.
    pub(super) fn recompute_report(&mut self, report_id: &str) {
        let expenses = self.report_expenses(report_id);
        let total: i64 = expenses
            .iter()
            .filter_map(|e| e.get("amount").and_then(Value::as_f64))
            .map(cents)
            .sum();
        if let Some(r) = self
            .org
            .table(Resource::Reports)
            .get(report_id)
            .map(|r| (**r).clone())
        {
            let mut r = r;
            r["amount"] = money(total);
            r["num_expenses"] = json!(expenses.len());
            r["updated_at"] = json!(self.now);
            self.put(Resource::Reports, r);
        }
    }

    /// Moves a report (and its expenses) where `action` takes it, stamping the action's field.
    fn move_report(&mut self, mut report: Value, action: ReportAction) -> Row {
        let Some((state, stamp)) = action.target() else {
            return self.put(Resource::Reports, report);
        };
        let id = crate::store::id_key(&report);
        report["state"] = json!(state);
        report["state_display_name"] = json!(state_display_name(state));
        report["updated_at"] = json!(self.now);
        report[stamp] = json!(self.now);
        let expense_state = expense_state_for_report(state);
        for e in self.report_expenses(&id) {
            let mut e = (*e).clone();
            e["state"] = json!(expense_state);
            e["state_display_name"] = json!(state_display_name(expense_state));
            e["updated_at"] = json!(self.now);
            match action {
                ReportAction::Approve => e["report_last_approved_at"] = json!(self.now),
                ReportAction::MarkPaid => {
                    e["report_last_paid_at"] = json!(self.now);
                    e["last_settled_at"] = json!(self.now);
                }
                _ => {}
            }
            self.put(Resource::Expenses, e);
        }
        self.put(Resource::Reports, report)
    }

    /// The report `item.id` names, if the actor may see it and it may take `action`.
    fn report_for(&self, item: &Value, action: ReportAction) -> Result<Value, RowError> {
        let id = item
            .get("id")
            .and_then(key_of)
            .ok_or_else(|| RowError::field("id", "Missing data for required field."))?;
        let report = self
            .visible(Resource::Reports, &id)
            .ok_or_else(|| RowError::Message(format!("report {id} not found")))?;
        let state = report["state"].as_str().unwrap_or_default();
        if action.allowed_from(state) {
            Ok(report)
        } else {
            Err(RowError::Message(action.refusal(state)))
        }
    }

    /// `reports/submit`: needs at least one expense.
    pub(crate) fn submit_report(&mut self, item: &Value) -> Result<Option<Row>, RowError> {
        let report = self.report_for(item, ReportAction::Submit)?;
        if report
            .get("num_expenses")
            .and_then(Value::as_u64)
            .unwrap_or(0)
            == 0
        {
            return Err(RowError::Message("Report has no expenses".to_owned()));
        }
        Ok(Some(self.move_report(report, ReportAction::Submit)))
    }

    /// `reports/approve/bulk` (admin) and `reports/partially_approve` (approver).
    pub(crate) fn approve_report(&mut self, item: &Value) -> Result<Option<Row>, RowError> {
        let report = self.report_for(item, ReportAction::Approve)?;
        Ok(Some(self.move_report(report, ReportAction::Approve)))
    }

    /// `reports/mark_paid/bulk`.
    pub(crate) fn mark_report_paid(&mut self, item: &Value) -> Result<Option<Row>, RowError> {
        let report = self.report_for(item, ReportAction::MarkPaid)?;
        Ok(Some(self.move_report(report, ReportAction::MarkPaid)))
    }

    /// `reports/add_expenses`.
    pub(crate) fn add_expenses(&mut self, item: &Value) -> Result<Option<Row>, RowError> {
        let report = self.report_for(item, ReportAction::AddExpenses)?;
        let report_id = crate::store::id_key(&report);
        let state = report["state"].as_str().unwrap_or_default().to_owned();
        let ids = item
            .get("expense_ids")
            .and_then(Value::as_array)
            .ok_or_else(|| RowError::field("expense_ids", "Missing data for required field."))?;
        for id in ids {
            let key = key_of(id).unwrap_or_default();
            let mut e = self
                .visible(Resource::Expenses, &key)
                .ok_or_else(|| RowError::Message(format!("expense {key} not found")))?;
            if e.get("report_id").is_some_and(|r| !r.is_null()) {
                return Err(RowError::Message(format!(
                    "expense {key} is already in a report"
                )));
            }
            e["report_id"] = json!(report_id);
            e["added_to_report_at"] = json!(self.now);
            e["updated_at"] = json!(self.now);
            let expense_state = expense_state_for_report(&state);
            e["state"] = json!(expense_state);
            e["state_display_name"] = json!(state_display_name(expense_state));
            self.put(Resource::Expenses, e);
        }
        self.recompute_report(&report_id);
        Ok(self.org.table(Resource::Reports).get(&report_id).cloned())
    }
}
