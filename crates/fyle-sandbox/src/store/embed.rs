//! The embedded objects of a served row (`employee`, `category`, `report`...), joined in from
//! the rows they point at, so they always show the current state of those rows.

use serde_json::{Map, Value, json};

use super::{OrgData, Resource, Row, key_of};

impl OrgData {
    /// The row of `resource` that an id field (string or integer) points at.
    fn lookup(&self, resource: Resource, id: Option<&Value>) -> Option<&Row> {
        let key = key_of(id?)?;
        self.table(resource).get(&key)
    }

    /// The embedded objects of a stored row (`employee`, `category`...), from the ids it holds.
    pub(super) fn embeds(
        &self,
        resource: Resource,
        stored: &Map<String, Value>,
    ) -> Map<String, Value> {
        let mut out = Map::new();
        self.embed(resource, stored, &mut out);
        out
    }

    fn embed(&self, resource: Resource, stored: &Map<String, Value>, out: &mut Map<String, Value>) {
        match resource {
            Resource::Expenses => self.expense_embeds(stored, out),
            Resource::Reports => self.report_embeds(stored, out),
            Resource::Employees => {
                let department = self.department_embed(stored.get("department_id"));
                out.insert("department".into(), department);
            }
            Resource::CorporateCardTransactions => {
                let card = self
                    .lookup(Resource::CorporateCards, stored.get("corporate_card_id"))
                    .map_or(Value::Null, card_embed);
                out.insert("corporate_card".into(), card);
            }
            _ => {}
        }
    }

    /// An expense's `user`, `employee`, `category`, `project`, `cost_center` and `report`.
    fn expense_embeds(&self, stored: &Map<String, Value>, out: &mut Map<String, Value>) {
        let employee = self.lookup(Resource::Employees, stored.get("employee_id"));
        let user = employee
            .and_then(|e| e.get("user").cloned())
            .unwrap_or(Value::Null);
        let employee = employee.map_or(Value::Null, |e| self.employee_embed(e));
        out.insert("user".into(), user);
        out.insert("employee".into(), employee);
        let category = self
            .lookup(Resource::Categories, stored.get("category_id"))
            .map_or(Value::Null, |c| {
                pick(
                    c,
                    &[
                        "id",
                        "name",
                        "sub_category",
                        "code",
                        "display_name",
                        "system_category",
                    ],
                )
            });
        out.insert("category".into(), category);
        let project = self
            .lookup(Resource::Projects, stored.get("project_id"))
            .map_or(Value::Null, |p| {
                pick(p, &["id", "name", "sub_project", "code", "display_name"])
            });
        out.insert("project".into(), project);
        let cost_center = self
            .lookup(Resource::CostCenters, stored.get("cost_center_id"))
            .map_or(Value::Null, |c| pick(c, &["id", "name", "code"]));
        out.insert("cost_center".into(), cost_center);
        let report = self
            .lookup(Resource::Reports, stored.get("report_id"))
            .map_or(Value::Null, |r| report_embed(r));
        out.insert("report".into(), report);
    }

    /// A report's `user` and `employee`.
    fn report_embeds(&self, stored: &Map<String, Value>, out: &mut Map<String, Value>) {
        let employee = self.lookup(Resource::Employees, stored.get("employee_id"));
        let user = employee
            .and_then(|e| e.get("user").cloned())
            .unwrap_or(Value::Null);
        out.insert("user".into(), user);
        let employee = employee.map_or(Value::Null, |e| {
            self.employee_summary(
                e,
                &[
                    "id",
                    "user_id",
                    "user",
                    "code",
                    "org_id",
                    "department_id",
                    "business_unit",
                    "location",
                    "title",
                ],
                ("ach_account", Value::Null),
            )
        });
        out.insert("employee".into(), employee);
    }

    fn department_embed(&self, id: Option<&Value>) -> Value {
        self.lookup(Resource::Departments, id)
            .map_or(Value::Null, |d| {
                pick(d, &["id", "code", "name", "sub_department", "display_name"])
            })
    }

    fn employee_embed(&self, e: &Value) -> Value {
        self.employee_summary(
            e,
            &[
                "id",
                "user_id",
                "user",
                "code",
                "org_id",
                "department_id",
                "location",
                "title",
                "business_unit",
                "custom_fields",
                "flattened_custom_field",
                "has_accepted_invite",
                "is_enabled",
                "mobile",
                "joined_at",
            ],
            ("level", Value::Null),
        )
    }

    /// The `keys` of employee `e`, with the org's name, the department embedded and one more
    /// key the embedding schema has (`level` in expenses, `ach_account` in reports).
    fn employee_summary(&self, e: &Value, keys: &[&str], extra: (&str, Value)) -> Value {
        let mut v = pick(e, keys);
        if let Some(m) = v.as_object_mut() {
            m.insert("org_name".into(), Value::String(self.org_name.clone()));
            m.insert(
                "department".into(),
                self.department_embed(e.get("department_id")),
            );
            m.insert(extra.0.into(), extra.1);
        }
        v
    }
}

/// The corporate card a transaction embeds, with the masked number and holder Fyle adds.
fn card_embed(c: &Row) -> Value {
    let mut v = pick(
        c,
        &[
            "id",
            "bank_name",
            "card_number",
            "nickname",
            "cardholder_name",
        ],
    );
    if let Some(m) = v.as_object_mut() {
        m.insert(
            "masked_number".into(),
            c.get("card_number").cloned().unwrap_or(Value::Null),
        );
        m.insert(
            "user_full_name".into(),
            c.pointer("/user/full_name").cloned().unwrap_or(Value::Null),
        );
        m.insert(
            "user_email".into(),
            c.pointer("/user/email").cloned().unwrap_or(Value::Null),
        );
    }
    v
}

/// The report summary an expense embeds.
fn report_embed(r: &Value) -> Value {
    let g = |k: &str| r.get(k).cloned().unwrap_or(Value::Null);
    json!({
        "id": g("id"),
        "last_approved_at": g("last_approved_at"),
        "last_submitted_at": g("last_submitted_at"),
        "seq_num": g("seq_num"),
        "title": g("purpose"),
        "state": g("state"),
        "amount": g("amount"),
        "last_paid_at": g("last_paid_at"),
        "last_verified_at": Value::Null,
        "reimbursement_id": g("reimbursement_id"),
        "reimbursement_seq_num": Value::Null,
        "approvals": g("approvals"),
    })
}

/// Projects `keys` of an object row (missing keys become null).
fn pick(row: &Value, keys: &[&str]) -> Value {
    let mut m = Map::new();
    for k in keys {
        m.insert((*k).to_owned(), row.get(*k).cloned().unwrap_or(Value::Null));
    }
    Value::Object(m)
}
