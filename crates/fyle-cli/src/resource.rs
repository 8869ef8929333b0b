//! What `fyle export` can export: the list endpoint and the default columns of each.

use crate::columns::{Column, Kind, employee_columns, expense_columns};

/// An exportable resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportResource {
    /// `GET /admin/expenses`.
    Expenses,
    /// `GET /admin/reports`.
    Reports,
    /// `GET /admin/employees`.
    Employees,
    /// `GET /admin/categories`.
    Categories,
    /// `GET /admin/projects`.
    Projects,
    /// `GET /admin/cost_centers`.
    CostCenters,
}

impl ExportResource {
    /// The list path under `/platform/v1`.
    pub fn path(self) -> &'static str {
        match self {
            Self::Expenses => "/admin/expenses",
            Self::Reports => "/admin/reports",
            Self::Employees => "/admin/employees",
            Self::Categories => "/admin/categories",
            Self::Projects => "/admin/projects",
            Self::CostCenters => "/admin/cost_centers",
        }
    }

    /// A plural noun for messages.
    pub fn noun(self) -> &'static str {
        match self {
            Self::Expenses => "expenses",
            Self::Reports => "reports",
            Self::Employees => "employees",
            Self::Categories => "categories",
            Self::Projects => "projects",
            Self::CostCenters => "cost centers",
        }
    }

    /// Whether rows carry custom fields that become columns.
    pub fn has_custom_fields(self) -> bool {
        matches!(self, Self::Expenses)
    }

    /// The default columns (custom fields come after them for expenses).
    pub fn columns(self) -> Vec<Column> {
        use Kind::{Bool, Date, Money, Text};
        match self {
            Self::Expenses => expense_columns(),
            Self::Reports => [
                Column::new("id", Text, "id"),
                Column::new("seq_num", Text, "seq_num"),
                Column::new("title", Text, "title"),
                Column::new("state", Text, "state"),
            ]
            .into_iter()
            .chain(employee_columns())
            .chain([
                Column::new("currency", Text, "currency"),
                Column::new("amount", Money, "amount"),
                Column::new("num_expenses", Text, "num_expenses"),
                Column::new("submitted_at", Date, "last_submitted_at"),
                Column::new("approved_at", Date, "last_approved_at"),
                Column::new("paid_at", Date, "last_paid_at"),
                Column::new("payment_number", Text, "reimbursement_seq_num"),
                Column::new("updated_at", Text, "updated_at"),
            ])
            .collect(),
            Self::Employees => vec![
                Column::new("id", Text, "id"),
                Column::new("code", Text, "code"),
                Column::new("email", Text, "user.email"),
                Column::new("full_name", Text, "user.full_name"),
                Column::new("mobile", Text, "mobile"),
                Column::new("department", Text, "department.name"),
                Column::new("sub_department", Text, "department.sub_department"),
                Column::new("title", Text, "title"),
                Column::new("location", Text, "location"),
                Column::new("business_unit", Text, "business_unit"),
                Column::new("roles", Text, "roles"),
                Column::new("is_enabled", Bool, "is_enabled"),
                Column::new("joined_at", Date, "joined_at"),
                Column::new("updated_at", Text, "updated_at"),
            ],
            Self::Categories => vec![
                Column::new("id", Text, "id"),
                Column::new("name", Text, "name"),
                Column::new("sub_category", Text, "sub_category"),
                Column::new("code", Text, "code"),
                Column::new("display_name", Text, "display_name"),
                Column::new("system_category", Text, "system_category"),
                Column::new("is_enabled", Bool, "is_enabled"),
                Column::new("updated_at", Text, "updated_at"),
            ],
            Self::Projects => vec![
                Column::new("id", Text, "id"),
                Column::new("name", Text, "name"),
                Column::new("sub_project", Text, "sub_project"),
                Column::new("code", Text, "code"),
                Column::new("display_name", Text, "display_name"),
                Column::new("is_enabled", Bool, "is_enabled"),
                Column::new("updated_at", Text, "updated_at"),
            ],
            Self::CostCenters => vec![
                Column::new("id", Text, "id"),
                Column::new("name", Text, "name"),
                Column::new("code", Text, "code"),
                Column::new("description", Text, "description"),
                Column::new("is_enabled", Bool, "is_enabled"),
                Column::new("updated_at", Text, "updated_at"),
            ],
        }
    }
}
