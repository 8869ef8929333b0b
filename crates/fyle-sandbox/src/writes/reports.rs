//! Report actions: submit, approve, mark paid, add expenses; each moves the report's expenses
//! along with it and keeps the report's totals current.

use serde_json::{Value, json};

use super::{RowError, Txn};
use crate::rules::{expense_state_for_report, money, state_display_name};
use crate::store::{Resource, Row, key_of};

impl Txn<'_> {
    // ------------------------------------------------------------------ reports

    pub(super) fn report_expenses(&self, report_id: &str) -> Vec<Row> {
        self.org
            .table(Resource::Expenses)
            .rows
            .values()
            .filter(|e| e.get("report_id").and_then(Value::as_str) == Some(report_id))
            .cloned()
            .collect()
    }

    pub(super) fn recompute_report(&mut self, report_id: &str) {
        let expenses = self.report_expenses(report_id);
        let cents: i64 = expenses
            .iter()
            .filter_map(|e| e.get("amount").and_then(Value::as_f64))
            .map(|a| {
                #[allow(clippy::cast_possible_truncation)]
                let c = (a * 100.0).round() as i64;
                c
            })
            .sum();
        if let Some(r) = self
            .org
            .table(Resource::Reports)
            .get(report_id)
            .map(|r| (**r).clone())
        {
            let mut r = r;
            r["amount"] = money(cents);
            r["num_expenses"] = json!(expenses.len());
            r["updated_at"] = json!(self.now);
            self.put(Resource::Reports, r);
        }
    }

    /// Moves a report (and its expenses) to `state`, stamping `stamp` on the report.
    fn set_report_state(&mut self, mut report: Value, state: &str, stamp: Option<&str>) -> Row {
        let id = crate::store::id_key(&report);
        report["state"] = json!(state);
        report["state_display_name"] = json!(state_display_name(state));
        report["updated_at"] = json!(self.now);
        if let Some(field) = stamp {
            report[field] = json!(self.now);
        }
        let expense_state = expense_state_for_report(state);
        for e in self.report_expenses(&id) {
            let mut e = (*e).clone();
            e["state"] = json!(expense_state);
            e["state_display_name"] = json!(state_display_name(expense_state));
            e["updated_at"] = json!(self.now);
            match stamp {
                Some("last_approved_at") => e["report_last_approved_at"] = json!(self.now),
                Some("last_paid_at") => {
                    e["report_last_paid_at"] = json!(self.now);
                    e["last_settled_at"] = json!(self.now);
                }
                _ => {}
            }
            self.put(Resource::Expenses, e);
        }
        self.put(Resource::Reports, report)
    }

    fn report_for_action(&self, item: &Value) -> Result<Value, RowError> {
        let id = item
            .get("id")
            .and_then(key_of)
            .ok_or_else(|| RowError::field("id", "Missing data for required field."))?;
        self.visible(Resource::Reports, &id)
            .ok_or_else(|| RowError::Message(format!("report {id} not found")))
    }

    /// `reports/submit`.
    pub(crate) fn submit_report(&mut self, item: &Value) -> Result<Option<Row>, RowError> {
        let report = self.report_for_action(item)?;
        let state = report["state"].as_str().unwrap_or_default().to_owned();
        if !matches!(state.as_str(), "DRAFT" | "APPROVER_INQUIRY") {
            return Err(RowError::Message(format!(
                "Report in {state} state cannot be submitted"
            )));
        }
        if report
            .get("num_expenses")
            .and_then(Value::as_u64)
            .unwrap_or(0)
            == 0
        {
            return Err(RowError::Message("Report has no expenses".to_owned()));
        }
        Ok(Some(self.set_report_state(
            report,
            "APPROVER_PENDING",
            Some("last_submitted_at"),
        )))
    }

    /// `reports/approve/bulk` (admin) and `reports/partially_approve` (approver).
    pub(crate) fn approve_report(&mut self, item: &Value) -> Result<Option<Row>, RowError> {
        let report = self.report_for_action(item)?;
        let state = report["state"].as_str().unwrap_or_default().to_owned();
        if !matches!(state.as_str(), "APPROVER_PENDING" | "APPROVER_INQUIRY") {
            return Err(RowError::Message(format!(
                "Report is in {state} state, only APPROVER_PENDING reports can be approved"
            )));
        }
        Ok(Some(self.set_report_state(
            report,
            "APPROVED",
            Some("last_approved_at"),
        )))
    }

    /// `reports/mark_paid/bulk`.
    pub(crate) fn mark_report_paid(&mut self, item: &Value) -> Result<Option<Row>, RowError> {
        let report = self.report_for_action(item)?;
        let state = report["state"].as_str().unwrap_or_default().to_owned();
        if !matches!(
            state.as_str(),
            "APPROVED" | "PAYMENT_PENDING" | "PAYMENT_PROCESSING"
        ) {
            return Err(RowError::Message(format!(
                "Report not in APPROVED or PAYMENT_PROCESSING state (is {state})"
            )));
        }
        Ok(Some(self.set_report_state(
            report,
            "PAID",
            Some("last_paid_at"),
        )))
    }

    /// `reports/add_expenses`.
    pub(crate) fn add_expenses(&mut self, item: &Value) -> Result<Option<Row>, RowError> {
        let report = self.report_for_action(item)?;
        let report_id = crate::store::id_key(&report);
        let state = report["state"].as_str().unwrap_or_default().to_owned();
        if !matches!(state.as_str(), "DRAFT" | "APPROVER_INQUIRY") {
            return Err(RowError::Message(format!(
                "Expenses cannot be added to a {state} report"
            )));
        }
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
