//! `--mark-exported`: writes the accounting export summary back to Fyle
//! (`POST /admin/expenses/accounting_export_summary/bulk`), so Fyle shows each expense as
//! exported with a link to where it went.
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
    /// Rows marked.
    pub marked: u64,
    /// Rows rejected, with the reason.
    pub failures: Vec<MarkFailure>,
}

impl MarkReport {
    /// Adds another report's counts.
    pub fn absorb(&mut self, other: MarkReport) {
        self.marked += other.marked;
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

/// Marks `rows` (expenses as Fyle sent them) exported as `COMPLETE`, linking each to
/// `template`, in batches.
pub async fn mark_exported(
    client: &Client,
    template: &str,
    rows: &[Value],
) -> Result<MarkReport, MarkError> {
    let op = operations::find(HttpMethod::Post, MARK_PATH).ok_or(MarkError::NoOperation)?;
    let mut report = MarkReport::default();
    for batch in rows.chunks(BATCH) {
        let summaries: Vec<Value> = batch
            .iter()
            .map(|row| {
                json!({
                    "id": lookup(row, "id"),
                    "state": "COMPLETE",
                    "error_type": null,
                    "url": link(template, row),
                })
            })
            .collect();
        let sent = summaries.len() as u64;
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
        report.marked += sent - failures.len() as u64;
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
}
