//! The table behind `fyle schema`: every generated struct, and every alias of one, with its
//! fields. `cargo xtask codegen` writes it from its model of the spec as
//! `generated/schemas.json` (proven current by `codegen --check`); it is read when asked.

use anyhow::Context as _;
use serde::Deserialize;

/// One generated type.
#[derive(Debug, Deserialize)]
pub(crate) struct TypeInfo {
    /// The Rust name in `fyle::models::types`.
    pub(crate) rust: String,
    /// Where the spec defines it (`expense_out`, `expense_out.accounting_export_summary`).
    pub(crate) schema: String,
    /// Each field: wire name, Rust type, first line of its doc.
    pub(crate) fields: Vec<(String, String, String)>,
}

const TABLE: &str = include_str!("generated/schemas.json");

/// Every type of the table, by Rust name.
pub(crate) fn all() -> anyhow::Result<Vec<TypeInfo>> {
    serde_json::from_str(TABLE).context("the built-in schema table does not parse")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_reads_and_lists_the_export_types() {
        let table = all().expect("the table parses");
        let expense = table
            .iter()
            .find(|t| t.rust == "ExpenseOut")
            .expect("ExpenseOut is listed");
        assert_eq!(expense.schema, "expense_out");
        assert!(
            expense
                .fields
                .iter()
                .any(|(wire, rust, _)| wire == "spent_at"
                    && rust == "Option<::time::OffsetDateTime>")
        );
    }
}
