//! The main job: export the expenses whose report was approved in the last N days.
//!
//! Streams `GET /admin/expenses` in stable (keyset) order and writes one row per expense as
//! CSV, a JSON array or newline-delimited JSON. A failure reports how many rows were written
//! before it, so a partial export says where it stopped.

use std::io::Write;

use futures::TryStreamExt;
use fyle::Client;
use fyle::models::types::ExpenseOut;
use fyle::query::Filter;
use rust_decimal::Decimal;
use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The report states that mean "approved": approved, payment processing, paid.
pub const APPROVED_STATES: [&str; 3] = ["APPROVED", "PAYMENT_PROCESSING", "PAID"];

/// How the rows are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// Comma-separated values with a header row.
    #[default]
    Csv,
    /// One JSON array of rows.
    Json,
    /// One JSON object per line.
    Ndjson,
}

impl std::str::FromStr for Format {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "csv" => Ok(Self::Csv),
            "json" => Ok(Self::Json),
            "ndjson" => Ok(Self::Ndjson),
            other => Err(format!(
                "unknown format {other:?}: expected csv, json or ndjson"
            )),
        }
    }
}

/// One exported row: the columns an accountant asks for.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportRow {
    /// Expense id (`tx...`).
    pub expense_id: String,
    /// When the money was spent (RFC 3339).
    pub spent_at: String,
    /// The spender's e-mail.
    pub employee_email: String,
    /// The spender's full name.
    pub employee_name: String,
    /// Merchant.
    pub merchant: String,
    /// Purpose.
    pub purpose: String,
    /// Category name.
    pub category: String,
    /// Category code.
    pub category_code: String,
    /// Project name.
    pub project: String,
    /// Cost center name.
    pub cost_center: String,
    /// Currency of `amount` (the org's currency).
    pub currency: String,
    /// Amount, the exact decimal Fyle sent.
    pub amount: Option<Decimal>,
    /// Currency the money was spent in, when foreign.
    pub foreign_currency: String,
    /// Amount in the foreign currency.
    pub foreign_amount: Option<Decimal>,
    /// Report id (`rp...`).
    pub report_id: String,
    /// Report state.
    pub report_state: String,
    /// When the report was last approved (RFC 3339).
    pub approved_at: String,
    /// Number of receipts attached.
    pub receipt_count: usize,
}

impl From<ExpenseOut> for ExportRow {
    fn from(expense: ExpenseOut) -> Self {
        let user = expense.employee.and_then(|employee| employee.user);
        let report = expense.report;
        Self {
            expense_id: expense.id.unwrap_or_default(),
            spent_at: timestamp(expense.spent_at),
            employee_email: user
                .as_ref()
                .and_then(|u| u.email.clone())
                .unwrap_or_default(),
            employee_name: user.and_then(|u| u.full_name).unwrap_or_default(),
            merchant: expense.merchant.unwrap_or_default(),
            purpose: expense.purpose.unwrap_or_default(),
            category: expense
                .category
                .as_ref()
                .and_then(|c| c.name.clone())
                .unwrap_or_default(),
            category_code: expense.category.and_then(|c| c.code).unwrap_or_default(),
            project: expense.project.and_then(|p| p.name).unwrap_or_default(),
            cost_center: expense.cost_center.and_then(|c| c.name).unwrap_or_default(),
            currency: expense.currency.unwrap_or_default(),
            amount: expense.amount.map(money),
            foreign_currency: expense.foreign_currency.unwrap_or_default(),
            foreign_amount: expense.foreign_amount.map(money),
            report_id: expense.report_id.unwrap_or_default(),
            report_state: report
                .as_ref()
                .and_then(|r| r.state.as_ref())
                .map(ToString::to_string)
                .unwrap_or_default(),
            approved_at: timestamp(
                expense
                    .report_last_approved_at
                    .or_else(|| report.and_then(|r| r.last_approved_at)),
            ),
            receipt_count: expense.file_ids.map_or(0, |ids| ids.len()),
        }
    }
}

/// Money with at least two decimal places (`922.1` -> `922.10`); never rounds away digits.
fn money(amount: Decimal) -> Decimal {
    if amount.scale() < 2 {
        let mut padded = amount;
        padded.rescale(2);
        padded
    } else {
        amount
    }
}

fn timestamp(at: Option<OffsetDateTime>) -> String {
    at.and_then(|at| at.format(&Rfc3339).ok())
        .unwrap_or_default()
}

/// The filter of the main job: expenses in an approved state whose report was approved since
/// `since`.
pub fn approved_since(since: OffsetDateTime) -> Filter {
    Filter::new()
        .is_in("state", APPROVED_STATES)
        .gte("report_last_approved_at", since)
}

/// What an export did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportSummary {
    /// Rows written.
    pub rows: u64,
    /// Matching expenses according to the server's `count` when the export started.
    pub total: u64,
}

/// An export that stopped part-way: what failed and how many rows were already written.
#[derive(Debug, thiserror::Error)]
#[error("export stopped after {rows_written} rows: {source}")]
pub struct ExportError {
    /// Rows written (and flushed to the writer) before the failure.
    pub rows_written: u64,
    /// What failed.
    #[source]
    pub source: ExportFailure,
}

/// The cause of an [`ExportError`].
#[derive(Debug, thiserror::Error)]
pub enum ExportFailure {
    /// The Fyle API (or the network under it) failed.
    #[error(transparent)]
    Fyle(#[from] fyle::Error),
    /// Writing the output failed.
    #[error("writing the output failed: {0}")]
    Io(#[from] std::io::Error),
    /// Encoding a CSV row failed.
    #[error("writing a CSV row failed: {0}")]
    Csv(#[from] csv::Error),
    /// Encoding a JSON row failed.
    #[error("writing a JSON row failed: {0}")]
    Json(#[from] serde_json::Error),
}

/// Counts the expenses an export of `filter` will write (one request with `limit=1`).
pub async fn count_matching(client: &Client, filter: &Filter) -> Result<u64, fyle::Error> {
    let page = client
        .admin()
        .expenses()
        .list()
        .filter(filter.clone())
        .limit(1)
        .send()
        .await?;
    Ok(page.count)
}

/// Streams every expense matching `filter` into `out`, calling `progress(rows_written)` after
/// each row.
pub async fn export(
    client: &Client,
    filter: Filter,
    format: Format,
    out: impl Write,
    mut progress: impl FnMut(u64),
) -> Result<u64, ExportError> {
    let mut writer = RowWriter::new(format, out);
    let mut expenses = client
        .admin()
        .expenses()
        .list()
        .filter(filter)
        .stable()
        .stream();
    let failed = |rows_written, source: ExportFailure| ExportError {
        rows_written,
        source,
    };
    loop {
        let expense = match expenses.try_next().await {
            Ok(Some(expense)) => expense,
            Ok(None) => break,
            Err(error) => {
                // Keep what was written: flush before reporting.
                let rows = writer.rows;
                return Err(match writer.finish() {
                    Ok(()) => failed(rows, error.into()),
                    Err(io) => failed(rows, io),
                });
            }
        };
        writer
            .write(&ExportRow::from(expense))
            .map_err(|e| failed(writer.rows, e))?;
        progress(writer.rows);
    }
    let rows = writer.rows;
    writer.finish().map_err(|e| failed(rows, e))?;
    Ok(rows)
}

/// Writes rows in one of the [`Format`]s, counting them.
struct RowWriter<W: Write> {
    sink: Sink<W>,
    rows: u64,
}

enum Sink<W: Write> {
    // Boxed: a csv::Writer carries its own buffer, far larger than a bare writer.
    Csv(Box<csv::Writer<W>>),
    Json(W),
    Ndjson(W),
}

impl<W: Write> RowWriter<W> {
    fn new(format: Format, out: W) -> Self {
        let sink = match format {
            Format::Csv => Sink::Csv(Box::new(csv::Writer::from_writer(out))),
            Format::Json => Sink::Json(out),
            Format::Ndjson => Sink::Ndjson(out),
        };
        Self { sink, rows: 0 }
    }

    fn write(&mut self, row: &ExportRow) -> Result<(), ExportFailure> {
        match &mut self.sink {
            Sink::Csv(writer) => writer.serialize(row)?,
            Sink::Json(out) => {
                out.write_all(if self.rows == 0 { b"[\n" } else { b",\n" })?;
                serde_json::to_writer(&mut *out, row)?;
            }
            Sink::Ndjson(out) => {
                serde_json::to_writer(&mut *out, row)?;
                out.write_all(b"\n")?;
            }
        }
        self.rows += 1;
        Ok(())
    }

    fn finish(self) -> Result<(), ExportFailure> {
        match self.sink {
            Sink::Csv(mut writer) => {
                if self.rows == 0 {
                    // A header row even when nothing matched.
                    writer.write_record(CSV_HEADER)?;
                }
                writer.flush()?;
            }
            Sink::Json(mut out) => {
                out.write_all(if self.rows == 0 { b"[]\n" } else { b"\n]\n" })?;
                out.flush()?;
            }
            Sink::Ndjson(mut out) => out.flush()?,
        }
        Ok(())
    }
}

/// The CSV header, in [`ExportRow`]'s field order.
pub const CSV_HEADER: [&str; 18] = [
    "expense_id",
    "spent_at",
    "employee_email",
    "employee_name",
    "merchant",
    "purpose",
    "category",
    "category_code",
    "project",
    "cost_center",
    "currency",
    "amount",
    "foreign_currency",
    "foreign_amount",
    "report_id",
    "report_state",
    "approved_at",
    "receipt_count",
];
