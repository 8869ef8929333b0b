//! `POST /{role}/{resource}` and the rows of `/bulk`: create a row (required fields, ids,
//! per-resource defaults) or update one the actor may see, then validate it.

use serde_json::{Map, Value, json};

use super::{ActAs, RowError, Txn, singular};
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

    /// A new row's id (integer or prefixed, as the resource keeps them), org and timestamps.
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

    /// A new row from `data`: required fields, then the resource's own defaults.
    fn create(&mut self, resource: Resource, data: &Map<String, Value>) -> Result<Value, RowError> {
        let errors: Map<String, Value> = required_fields(resource, self.role)
            .iter()
            .filter(|k| data.get(**k).is_none_or(Value::is_null))
            .map(|k| ((*k).to_owned(), json!(["Missing data for required field."])))
            .collect();
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
            Resource::Expenses => self.new_expense(&mut m, data)?,
            Resource::Reports => self.new_report(&mut m),
            Resource::Files => self.new_file(&mut m, data)?,
            Resource::Employees => {}
            _ => self.new_master(resource, &mut m),
        }
        Ok(Value::Object(m))
    }
}

/// The fields a create of `resource` by `role` must carry.
fn required_fields(resource: Resource, role: ActAs) -> &'static [&'static str] {
    match (resource, role) {
        (Resource::Expenses, ActAs::Admin) => &["admin_amount", "assignee_user_email"],
        (Resource::Reports, ActAs::Spender) => &["purpose"],
        (Resource::Expenses, ActAs::Approver) | (Resource::Reports, _) => &["id"],
        (
            Resource::Categories
            | Resource::Projects
            | Resource::CostCenters
            | Resource::Departments,
            _,
        ) => &["name"],
        (Resource::CorporateCards, _) => &["bank_name", "card_number"],
        (Resource::CorporateCardTransactions, _) => &["amount", "corporate_card_id"],
        (Resource::Files, ActAs::Admin) => &["name", "type", "user_id"],
        (Resource::Files, _) => &["name", "type"],
        _ => &[],
    }
}

/// Fields a request body may not set: the server owns them.
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
