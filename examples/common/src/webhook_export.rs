//! Export on approval, pushed by webhooks instead of polled: when a report is `ADMIN_APPROVED`,
//! export its expenses to a CSV file and write each expense's accounting export summary back
//! to Fyle (`POST /admin/expenses/accounting_export_summary/bulk`).
//!
//! - [`subscribe`] serves a [`Receiver`] (verify-by-fetch, dedup) and makes sure the org's
//!   subscription points at it;
//! - [`handle_event`] acts on one verified event: only `ADMIN_APPROVED` exports, and it reads
//!   the expenses through the API, never from the posted body.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use futures::TryStreamExt;
use fyle::Client;
use fyle::models::types::{
    AccountingExportSummaryIn, AccountingExportSummaryInState, ExpenseOut, SubscribedResourcesItem,
};
use fyle::query::Filter;
use fyle_webhooks::{
    ApiVerifier, Receiver, Role, SubscriptionChange, VerifiedEvent, ensure_subscription,
};
use tokio::sync::mpsc;
use url::Url;

/// One CSV row of a report's export: what a reviewer checks against the approved report (the
/// full connector export, with custom fields and card matches, is `fyle export expenses`).
#[derive(Debug, serde::Serialize)]
struct ExportRow {
    expense_id: String,
    spent_at: String,
    employee_email: String,
    merchant: String,
    category: String,
    currency: String,
    amount: Option<rust_decimal::Decimal>,
}

impl From<ExpenseOut> for ExportRow {
    fn from(expense: ExpenseOut) -> Self {
        let email = expense
            .employee
            .and_then(|employee| employee.user)
            .and_then(|user| user.email);
        Self {
            expense_id: expense.id.unwrap_or_default(),
            spent_at: expense
                .spent_at
                .and_then(|t| {
                    t.format(&time::format_description::well_known::Rfc3339)
                        .ok()
                })
                .unwrap_or_default(),
            employee_email: email.unwrap_or_default(),
            merchant: expense.merchant.unwrap_or_default(),
            category: expense.category.and_then(|c| c.name).unwrap_or_default(),
            currency: expense.currency.unwrap_or_default(),
            amount: expense.amount,
        }
    }
}

/// The action that triggers an export.
pub const EXPORT_ON: &str = "ADMIN_APPROVED";

/// A running webhook endpoint.
#[derive(Debug)]
pub struct Subscribed {
    /// Verified events, in arrival order.
    pub events: mpsc::Receiver<VerifiedEvent>,
    /// The URL Fyle posts to.
    pub url: Url,
    /// What [`ensure_subscription`] had to do.
    pub change: SubscriptionChange,
    /// The HTTP server task.
    pub server: tokio::task::JoinHandle<()>,
}

/// Serves a receiver on `listener`, reachable by Fyle at `public_url` (default: the listener's
/// address), and subscribes the org's reports to it.
pub async fn subscribe(
    client: &Client,
    listener: tokio::net::TcpListener,
    public_url: Option<Url>,
) -> anyhow::Result<Subscribed> {
    let url = match public_url {
        Some(url) => url,
        None => Url::parse(&format!("http://{}/", listener.local_addr()?))?,
    };
    let verifier = Arc::new(ApiVerifier::new(client.clone()));
    let (receiver, events) = Receiver::new(Role::Admin, verifier, 64);
    let router = Arc::new(receiver).router();
    let server = tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, router).await {
            tracing::error!(%error, "webhook server stopped");
        }
    });
    let (_, change) =
        ensure_subscription(client, url.as_str(), &[SubscribedResourcesItem::Report]).await?;
    Ok(Subscribed {
        events,
        url,
        change,
        server,
    })
}

/// What one export did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportExport {
    /// The report.
    pub report_id: String,
    /// The CSV file written.
    pub file: PathBuf,
    /// How many expenses it holds (and got a summary).
    pub expenses: usize,
}

/// Handles one verified event: exports an `ADMIN_APPROVED` report into `out_dir`; `None` for
/// any other action.
pub async fn handle_event(
    client: &Client,
    event: &VerifiedEvent,
    out_dir: &Path,
) -> anyhow::Result<Option<ReportExport>> {
    if event.key.action != EXPORT_ON || event.key.resource != "REPORT" {
        tracing::debug!(event = %event.key, "not an approval; nothing to export");
        return Ok(None);
    }
    export_report(client, &event.key.id, out_dir)
        .await
        .map(Some)
}

/// Exports report `report_id`'s expenses to `{out_dir}/report-{id}.csv` and marks each one
/// exported (`COMPLETE`, with a link to the file) in Fyle.
pub async fn export_report(
    client: &Client,
    report_id: &str,
    out_dir: &Path,
) -> anyhow::Result<ReportExport> {
    let rows: Vec<ExportRow> = client
        .admin()
        .expenses()
        .list()
        .filter(Filter::new().eq("report_id", report_id))
        .stable()
        .stream()
        .map_ok(ExportRow::from)
        .try_collect()
        .await?;
    let file = out_dir.join(format!("report-{}.csv", safe_name(report_id)));
    let mut writer = csv::Writer::from_path(&file)?;
    for row in &rows {
        writer.serialize(row)?;
    }
    writer.flush()?;

    let link = Url::from_file_path(std::path::absolute(&file)?)
        .map_or_else(|()| file.display().to_string(), |u| u.to_string());
    let summaries: Vec<AccountingExportSummaryIn> = rows
        .iter()
        .map(|row| AccountingExportSummaryIn {
            id: Some(row.expense_id.clone()),
            state: Some(AccountingExportSummaryInState::Complete),
            error_type: None,
            url: Some(link.clone()),
        })
        .collect();
    // Fyle caps bulk bodies; 200 rows a call is within every documented bound.
    for chunk in summaries.chunks(200) {
        client
            .admin()
            .expenses()
            .accounting_export_summary_bulk(chunk)
            .await?;
    }
    tracing::info!(report_id, expenses = rows.len(), file = %file.display(), "report exported");
    Ok(ReportExport {
        report_id: report_id.to_owned(),
        file,
        expenses: rows.len(),
    })
}

/// An id as a file name: only ASCII letters and digits survive.
fn safe_name(id: &str) -> String {
    id.chars().filter(char::is_ascii_alphanumeric).collect()
}
