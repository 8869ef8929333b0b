//! Upserts, bulk posts, deletes and the state-changing actions of the core resources.
//!
//! Every write runs inside a [`Txn`] that remembers the previous version of each row it touches,
//! so a bulk request that fails on one row leaves the store as it was (Fyle's bulk endpoints are
//! all-or-nothing).

mod invite;

use std::collections::HashSet;

use rand_chacha::ChaCha8Rng;
use serde_json::{Map, Value, json};

use crate::clock::parse_timestamp;
use crate::errors::{ApiError, BulkRow, FieldErrors};
use crate::seed::{expense_state_for_report, money, new_id, state_display_name};
use crate::store::{OrgData, Resource, Row, User, key_of};

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
    fn field(field: &str, message: impl Into<String>) -> RowError {
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

    fn put(&mut self, resource: Resource, row: Value) -> Row {
        let id = crate::store::id_key(&row);
        let prev = self.org.table(resource).get(&id).cloned();
        self.undo.push((resource, id, prev));
        self.org.table_mut(resource).insert(row)
    }

    fn delete(&mut self, resource: Resource, id: &str) {
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
    fn visible(&self, resource: Resource, id: &str) -> Option<Value> {
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

    // ------------------------------------------------------------------ upserts

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

    /// Type and reference checks, derived fields, uniqueness.
    fn validate(&mut self, resource: Resource, row: &mut Value) -> Result<(), RowError> {
        let mut errors = Map::new();
        let Some(m) = row.as_object_mut() else {
            return Err(RowError::field("data", "Not a valid object."));
        };
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
        if !errors.is_empty() {
            return Err(RowError::Fields(errors));
        }
        // Derived fields.
        match resource {
            Resource::Expenses => {
                let amount = m
                    .get("admin_amount")
                    .filter(|v| v.is_number())
                    .or_else(|| m.get("claim_amount").filter(|v| v.is_number()))
                    .or_else(|| m.get("amount").filter(|v| v.is_number()))
                    .cloned();
                if let Some(a) = amount {
                    m.insert("amount".into(), round2(&a));
                }
                if self.role == ActAs::Spender
                    && m.get("claim_amount").is_some_and(Value::is_number)
                {
                    let c = round2(&m["claim_amount"]);
                    m.insert("claim_amount".into(), c);
                }
            }
            Resource::Categories | Resource::Projects | Resource::Departments => {
                let sub_key = match resource {
                    Resource::Categories => "sub_category",
                    Resource::Projects => "sub_project",
                    _ => "sub_department",
                };
                let name = m
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned();
                let sub = m
                    .get(sub_key)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned();
                let display = if sub.is_empty() {
                    name.clone()
                } else {
                    format!("{name} / {sub}")
                };
                m.insert("display_name".into(), json!(display));
                self.unique(resource, m, &[("name", &name), (sub_key, &sub)])?;
            }
            Resource::CostCenters => {
                let name = m
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned();
                self.unique(resource, m, &[("name", &name)])?;
            }
            _ => {}
        }
        Ok(())
    }

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

    // ------------------------------------------------------------------ reports

    fn report_expenses(&self, report_id: &str) -> Vec<Row> {
        self.org
            .table(Resource::Expenses)
            .rows
            .values()
            .filter(|e| e.get("report_id").and_then(Value::as_str) == Some(report_id))
            .cloned()
            .collect()
    }

    fn recompute_report(&mut self, report_id: &str) {
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

    // ------------------------------------------------------------------ files on expenses

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

    /// A file the actor may see (for `generate_urls` / `download`).
    pub(crate) fn file(&self, item: &Value) -> Result<Value, RowError> {
        let id = item
            .get("id")
            .and_then(key_of)
            .ok_or_else(|| RowError::field("id", "Missing data for required field."))?;
        self.visible(Resource::Files, &id)
            .ok_or_else(|| RowError::Message(format!("file {id} not found")))
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

fn singular(r: Resource) -> &'static str {
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

fn round2(v: &Value) -> Value {
    match v.as_f64() {
        Some(f) => {
            #[allow(clippy::cast_possible_truncation)]
            let cents = (f * 100.0).round() as i64;
            money(cents)
        }
        None => v.clone(),
    }
}

/// The content type Fyle derives from a file name.
pub(crate) fn content_type_for(name: &str) -> &'static str {
    let ext = name
        .rsplit('.')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    match ext.as_str() {
        "pdf" => "application/pdf",
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "heic" => "image/heic",
        "csv" => "text/csv",
        "txt" => "text/plain",
        "html" | "htm" => "text/html",
        "json" => "application/json",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ => "application/octet-stream",
    }
}
