//! `--mark-exported`: writes the accounting export summary back to Fyle
//! (`POST /admin/expenses/accounting_export_summary/bulk`), so Fyle shows each expense as
//! exported with a link to where it went.
//!
//! Rows the export wrote are marked `COMPLETE` with a link to where they went. Rows it could
//! not export are marked `ERROR`, as Fyle's own connectors do, with the `error_type` Fyle
//! knows: `MAPPING` when a value the accounting system needs is missing (the `--require`
//! columns: an employee, category or project with no code to map it by), and
//! `ACCOUNTING_INTEGRATION_ERROR` when the row cannot be written in the output format. The
//! summary has no reason field, so the reason is reported by the export, and the `ERROR` row's
//! link goes to the error page given (`--error-url`).
//!
//! Batches of [`BATCH`] rows; re-marking a row sets the same values, so a retried or resumed
//! run is harmless. Rows Fyle rejects (a `BulkError`) are reported one by one and the rest of
//! the batch is resubmitted.

use fyle::Client;
use fyle::models::operations::{self, HttpMethod};
use serde_json::{Value, json};

use crate::columns::lookup;

/// The path of the write-back operation.
pub const MARK_PATH: &str = "/admin/expenses/accounting_export_summary/bulk";

/// Rows per request.
pub const BATCH: usize = 50;

/// Fyle's `error_type` of an accounting export summary in state `ERROR`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorType {
    /// A value the accounting system maps by is missing (a `--require` column is empty).
    Mapping,
    /// The export itself failed for the row (it cannot be written in the output format).
    AccountingIntegration,
}

impl ErrorType {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorType::Mapping => "MAPPING",
            ErrorType::AccountingIntegration => "ACCOUNTING_INTEGRATION_ERROR",
        }
    }
}

/// A row the export did not write, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The expense id.
    pub id: String,
    /// The kind of failure, as Fyle records it.
    pub error_type: ErrorType,
    /// What was wrong, for the person fixing it.
    pub reason: String,
}

/// Where the summaries link to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Links {
    /// The link of an exported row (`--mark-exported`).
    pub exported: String,
    /// The link of a failed row (`--error-url`, by default the same template).
    pub failed: String,
}

/// A row Fyle did not mark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkFailure {
    /// The expense id.
    pub id: String,
    /// Fyle's reason.
    pub message: String,
}

/// What a write-back did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MarkReport {
    /// Rows marked `COMPLETE`.
    pub marked: u64,
    /// Rows marked `ERROR`.
    pub marked_error: u64,
    /// Rows rejected, with the reason.
    pub failures: Vec<MarkFailure>,
}

impl MarkReport {
    /// Adds another report's counts.
    pub fn absorb(&mut self, other: MarkReport) {
        self.marked += other.marked;
        self.marked_error += other.marked_error;
        self.failures.extend(other.failures);
    }
}

/// Why a write-back failed as a whole.
#[derive(Debug, thiserror::Error)]
pub enum MarkError {
    /// The operation table lacks the write-back (the `admin` feature is off).
    #[error("the operation table has no POST {MARK_PATH}")]
    NoOperation,
    /// Fyle refused the batch (not row by row).
    #[error("marking expenses exported failed: {0}")]
    Fyle(#[from] fyle::Error),
}

/// The link of one row: `{id}`, `{seq_num}`, `{report_id}` and `{org_id}` in `template` are
/// replaced by the row's values.
pub fn link(template: &str, row: &Value) -> String {
    let mut url = template.to_owned();
    for key in ["id", "seq_num", "report_id", "org_id"] {
        let placeholder = format!("{{{key}}}");
        if url.contains(&placeholder) {
            let value = lookup(row, key).as_str().unwrap_or_default();
            url = url.replace(&placeholder, value);
        }
    }
    url
}

/// One summary: `COMPLETE` with the exported link, or `ERROR` with its type and the error link.
fn summary(links: &Links, row: &Value, error: Option<&RowError>) -> Value {
    match error {
        None => json!({
            "id": lookup(row, "id"),
            "state": "COMPLETE",
            "error_type": null,
            "url": link(&links.exported, row),
        }),
        Some(error) => json!({
            "id": lookup(row, "id"),
            "state": "ERROR",
            "error_type": error.error_type.as_str(),
            "url": link(&links.failed, row),
        }),
    }
}

/// Marks `rows` (expenses as Fyle sent them) in batches: `COMPLETE` unless `failed` holds the
/// row's id, then `ERROR` with that error's type.
pub async fn mark_exported(
    client: &Client,
    links: &Links,
    rows: &[Value],
    failed: &[RowError],
) -> Result<MarkReport, MarkError> {
    let op = operations::find(HttpMethod::Post, MARK_PATH).ok_or(MarkError::NoOperation)?;
    let error_of = |row: &Value| {
        let id = lookup(row, "id").as_str().unwrap_or_default();
        failed.iter().find(|e| e.id == id)
    };
    let mut report = MarkReport::default();
    for batch in rows.chunks(BATCH) {
        let summaries: Vec<Value> = batch
            .iter()
            .map(|row| summary(links, row, error_of(row)))
            .collect();
        let outcome = client.execute_bulk::<Value, ()>(op, summaries).await?;
        let failures: Vec<MarkFailure> = outcome
            .rejected
            .into_iter()
            .map(|rejected| MarkFailure {
                id: rejected
                    .row
                    .get("id")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                message: rejected
                    .error
                    .message
                    .clone()
                    .unwrap_or_else(|| "rejected".to_owned()),
            })
            .collect();
        for row in batch {
            let id = lookup(row, "id").as_str().unwrap_or_default();
            if failures.iter().any(|f| f.id == id) {
                continue;
            }
            if error_of(row).is_some() {
                report.marked_error += 1;
            } else {
                report.marked += 1;
            }
        }
        report.failures.extend(failures);
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_takes_the_rows_values() {
        let row = json!({"id": "tx1", "seq_num": "E/1", "org_id": "or1"});
        assert_eq!(
            link(
                "https://erp.example.com/{org_id}/bills/{id}?n={seq_num}",
                &row
            ),
            "https://erp.example.com/or1/bills/tx1?n=E/1"
        );
    }

    #[test]
    fn a_failed_row_is_an_error_summary_with_its_type_and_error_link() {
        let links = Links {
            exported: "https://erp.example.com/bills/{id}".into(),
            failed: "https://erp.example.com/errors?expense={id}".into(),
        };
        let row = json!({"id": "tx1"});
        assert_eq!(
            summary(&links, &row, None),
            json!({"id": "tx1", "state": "COMPLETE", "error_type": null, "url": "https://erp.example.com/bills/tx1"})
        );
        let error = RowError {
            id: "tx1".into(),
            error_type: ErrorType::Mapping,
            reason: "no category_code".into(),
        };
        assert_eq!(
            summary(&links, &row, Some(&error)),
            json!({"id": "tx1", "state": "ERROR", "error_type": "MAPPING", "url": "https://erp.example.com/errors?expense=tx1"})
        );
    }
}
