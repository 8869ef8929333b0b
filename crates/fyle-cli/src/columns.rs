//! The columns of an export: where each value is read in Fyle's JSON and how it is typed.
//!
//! A column reads the first non-null of one or more dotted paths (`report.seq_num`; a numeric
//! segment indexes an array), or a custom field by its name. The expense columns are the ones
//! Fyle's accounting connectors pull from `GET /admin/expenses`.

use serde_json::Value;

use crate::cell::Cell;

/// How a column's value is typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text (ids, names, codes, lists joined with `;`).
    Text,
    /// An exact amount.
    Money,
    /// A calendar date.
    Date,
    /// A flag.
    Bool,
}

/// Where a column reads its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The first non-null of these dotted paths.
    Paths(Vec<String>),
    /// The custom field with this name (`custom_fields[].name`, else `custom_fields_flattened`).
    CustomField(String),
}

/// One output column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// The header (and the name `--columns` picks it by).
    pub name: String,
    /// How the value is typed.
    pub kind: Kind,
    /// Where it is read.
    pub source: Source,
}

impl Column {
    /// A column reading `paths` (`|`-separated alternatives, first non-null wins).
    pub fn new(name: &str, kind: Kind, paths: &str) -> Column {
        Column {
            name: name.to_owned(),
            kind,
            source: Source::Paths(paths.split('|').map(str::to_owned).collect()),
        }
    }

    /// A text column for the custom field `name`.
    pub fn custom(name: &str) -> Column {
        Column {
            name: name.to_owned(),
            kind: Kind::Text,
            source: Source::CustomField(name.to_owned()),
        }
    }

    /// This column's value in `row`.
    pub fn cell(&self, row: &Value) -> Cell {
        let value = match &self.source {
            Source::Paths(paths) => paths
                .iter()
                .map(|path| lookup(row, path))
                .find(|v| !v.is_null())
                .unwrap_or(&Value::Null),
            Source::CustomField(name) => custom_field(row, name).unwrap_or(&Value::Null),
        };
        match self.kind {
            Kind::Text => Cell::text(value),
            Kind::Money => Cell::money(value),
            Kind::Date => Cell::date(value),
            Kind::Bool => Cell::flag(value),
        }
    }
}

const NULL: Value = Value::Null;

/// The value at a dotted path (`employee.user.email`, `matched_corporate_card_transactions.0.id`).
pub fn lookup<'v>(row: &'v Value, path: &str) -> &'v Value {
    let mut at = row;
    for segment in path.split('.') {
        at = match at {
            Value::Object(map) => map.get(segment).unwrap_or(&NULL),
            Value::Array(items) => segment
                .parse::<usize>()
                .ok()
                .and_then(|i| items.get(i))
                .unwrap_or(&NULL),
            _ => &NULL,
        };
    }
    at
}

/// A custom field's value by name: `custom_fields: [{name, value}]`, else the
/// `custom_fields_flattened` map.
pub fn custom_field<'v>(row: &'v Value, name: &str) -> Option<&'v Value> {
    let listed = row
        .get("custom_fields")
        .and_then(Value::as_array)
        .and_then(|fields| {
            fields
                .iter()
                .find(|f| f.get("name").and_then(Value::as_str) == Some(name))
        })
        .and_then(|f| f.get("value"));
    listed.or_else(|| {
        row.get("custom_fields_flattened")
            .and_then(Value::as_object)
            .and_then(|map| map.get(name))
    })
}

/// The names of the custom fields a row carries, in its order.
pub fn custom_field_names(row: &Value) -> Vec<String> {
    let mut names: Vec<String> = row
        .get("custom_fields")
        .and_then(Value::as_array)
        .map(|fields| {
            fields
                .iter()
                .filter_map(|f| f.get("name").and_then(Value::as_str))
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    if let Some(map) = row
        .get("custom_fields_flattened")
        .and_then(Value::as_object)
    {
        for key in map.keys() {
            if !names.iter().any(|n| n == key) {
                names.push(key.clone());
            }
        }
    }
    names
}

/// The employee who owns an expense or a report: e-mail, name and code, from the embedded
/// `employee` (or `user`) object.
pub fn employee_columns() -> [Column; 3] {
    [
        Column::new(
            "employee_email",
            Kind::Text,
            "employee.user.email|user.email",
        ),
        Column::new(
            "employee_name",
            Kind::Text,
            "employee.user.full_name|user.full_name",
        ),
        Column::new("employee_code", Kind::Text, "employee.code"),
    ]
}

/// The expense columns, in the order an accountant reads them.
pub fn expense_columns() -> Vec<Column> {
    use Kind::{Bool, Date, Money, Text};
    let card = |field: &str| {
        format!(
            "matched_corporate_card_transaction.{field}|matched_corporate_card_transactions.0.{field}"
        )
    };
    let mut columns = vec![
        Column::new("id", Text, "id"),
        Column::new("seq_num", Text, "seq_num"),
        Column::new("report_id", Text, "report_id|report.id"),
        Column::new("report_seq_num", Text, "report.seq_num"),
        Column::new("report_title", Text, "report.title"),
        Column::new("state", Text, "state"),
    ];
    columns.extend(employee_columns());
    columns.extend([
        Column::new("employee_mobile", Text, "employee.mobile"),
        Column::new("employee_department", Text, "employee.department.name"),
        Column::new("merchant", Text, "merchant"),
        Column::new("purpose", Text, "purpose"),
        Column::new("category", Text, "category.name"),
        Column::new("sub_category", Text, "category.sub_category"),
        Column::new("category_code", Text, "category.code"),
        Column::new("project", Text, "project.name"),
        Column::new("sub_project", Text, "project.sub_project"),
        Column::new("project_code", Text, "project.code"),
        Column::new("cost_center", Text, "cost_center.name"),
        Column::new("cost_center_code", Text, "cost_center.code"),
        Column::new("currency", Text, "currency"),
        Column::new("amount", Money, "amount"),
        Column::new("tax_amount", Money, "tax_amount"),
        Column::new("tax_group_id", Text, "tax_group_id"),
        Column::new("foreign_currency", Text, "foreign_currency"),
        Column::new("foreign_amount", Money, "foreign_amount"),
        Column::new("is_reimbursable", Bool, "is_reimbursable"),
        Column::new("is_billable", Bool, "is_billable"),
        Column::new("source_account_type", Text, "source_account.type"),
        Column::new("corporate_card_id", Text, &card("corporate_card_id")),
        Column::new(
            "corporate_card_number",
            Text,
            &format!(
                "{}|{}",
                card("masked_corporate_card_number"),
                card("corporate_card_number")
            ),
        ),
        Column::new("bank_transaction_id", Text, &card("id")),
        Column::new("posted_at", Date, &card("posted_at")),
        Column::new("spent_at", Date, "spent_at"),
        Column::new(
            "approved_at",
            Date,
            "report_last_approved_at|report.last_approved_at",
        ),
        Column::new("paid_at", Date, "report_last_paid_at|report.last_paid_at"),
        Column::new("settled_at", Date, "last_settled_at"),
        Column::new(
            "verified_at",
            Date,
            "last_verified_at|report.last_verified_at",
        ),
        Column::new("payment_number", Text, "report.reimbursement_seq_num"),
        Column::new("file_ids", Text, "file_ids"),
        Column::new("updated_at", Text, "updated_at"),
    ]);
    columns
}

/// Picks and orders columns by name (`--columns`); an unknown name is an error naming the
/// known ones.
pub fn select(available: &[Column], names: &[String]) -> Result<Vec<Column>, UnknownColumn> {
    names
        .iter()
        .map(|name| {
            available
                .iter()
                .find(|c| c.name == *name)
                .cloned()
                .ok_or_else(|| UnknownColumn {
                    name: name.clone(),
                    known: available.iter().map(|c| c.name.clone()).collect(),
                })
        })
        .collect()
}

/// A `--columns` name that no column has.
#[derive(Debug, thiserror::Error)]
#[error("unknown column {name:?}; the columns are: {}", known.join(", "))]
pub struct UnknownColumn {
    /// The name asked for.
    pub name: String,
    /// The names there are.
    pub known: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_reach_into_objects_and_arrays_and_fall_back() {
        let row = json!({
            "report": {"seq_num": "C/1"},
            "matched_corporate_card_transactions": [{"id": "btx1", "posted_at": "2026-01-02T00:00:00Z"}],
            "matched_corporate_card_transaction": null
        });
        let columns = expense_columns();
        let pick = |name: &str| {
            columns
                .iter()
                .find(|c| c.name == name)
                .map(|c| c.cell(&row).display())
                .unwrap_or_default()
        };
        assert_eq!(pick("report_seq_num"), "C/1");
        assert_eq!(pick("bank_transaction_id"), "btx1");
        assert_eq!(pick("posted_at"), "2026-01-02");
    }

    #[test]
    fn custom_fields_are_found_by_name_in_the_list_or_the_map() {
        let row = json!({
            "custom_fields": [{"name": "GL Account", "value": "6100"}],
            "custom_fields_flattened": {"Project Code": "PX-7"}
        });
        assert_eq!(Column::custom("GL Account").cell(&row).display(), "6100");
        assert_eq!(Column::custom("Project Code").cell(&row).display(), "PX-7");
        assert_eq!(custom_field_names(&row), ["GL Account", "Project Code"]);
    }

    #[test]
    fn an_unknown_column_names_the_known_ones() {
        let error = select(&expense_columns(), &["amount".into(), "nope".into()])
            .expect_err("nope is not a column");
        assert!(error.to_string().contains("\"nope\""));
        assert!(error.to_string().contains("seq_num"));
    }
}
