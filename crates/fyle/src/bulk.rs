//! Bulk calls: Fyle's bulk endpoints are all-or-nothing and fail with a `BulkError` naming
//! the failed rows. [`Client::execute_bulk`] drops those rows and resubmits the rest.

use fyle_models::operations::Operation;
use serde::Serialize;
use serde::de::DeserializeOwned;

pub use crate::api_error::BulkRowError;
use crate::client::Client;
use crate::error::{Error, Result};

/// How many times [`Client::execute_bulk`] resubmits after a `BulkError` by default.
pub const DEFAULT_BULK_ROUNDS: usize = 3;

/// The outcome of [`Client::execute_bulk`].
#[derive(Debug)]
#[non_exhaustive]
pub struct BulkOutcome<B, R> {
    /// The response of the call that succeeded, or `None` when every row was rejected.
    pub response: Option<R>,
    /// The rows Fyle rejected, with their index in the original input and the reason.
    pub rejected: Vec<RejectedRow<B>>,
}

/// A row Fyle rejected in a bulk call.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RejectedRow<B> {
    /// The index of the row in the caller's input.
    pub index: usize,
    /// The row.
    pub row: B,
    /// Fyle's reason (`row` there is the index within the call that failed).
    pub error: BulkRowError,
}

/// The rows of `rows` that `error` does not name as failed, in order. `None` when `error` is
/// not a `BulkError`.
pub fn without_failed_rows<B: Clone>(rows: &[B], error: &Error) -> Option<Vec<B>> {
    let failed = error.bulk_errors()?;
    Some(
        rows.iter()
            .enumerate()
            .filter(|(i, _)| !failed.iter().any(|f| f.row == *i))
            .map(|(_, row)| row.clone())
            .collect(),
    )
}

impl Client {
    /// Runs the bulk operation `op` on `rows`; on a `BulkError`, drops the failed rows and
    /// resubmits the rest (at most [`DEFAULT_BULK_ROUNDS`] resubmissions). Any other error is
    /// returned as is.
    ///
    /// ```no_run
    /// # async fn run(client: fyle::Client, op: &'static fyle::models::operations::Operation) -> fyle::Result<()> {
    /// let rows = vec![serde_json::json!({"name": "Travel"}), serde_json::json!({"name": "Meals"})];
    /// let outcome = client.execute_bulk::<_, serde_json::Value>(op, rows).await?;
    /// for rejected in &outcome.rejected {
    ///     eprintln!("row {} rejected: {:?}", rejected.index, rejected.error.message);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn execute_bulk<B, R>(
        &self,
        op: &'static Operation,
        rows: Vec<B>,
    ) -> Result<BulkOutcome<B, R>>
    where
        B: Serialize + Clone,
        R: DeserializeOwned,
    {
        let mut pending: Vec<(usize, B)> = rows.into_iter().enumerate().collect();
        let mut rejected = Vec::new();
        let mut rounds = 0;
        loop {
            if pending.is_empty() {
                return Ok(BulkOutcome {
                    response: None,
                    rejected,
                });
            }
            let body: Vec<&B> = pending.iter().map(|(_, b)| b).collect();
            match self.execute::<_, R>(op, Some(&body)).await {
                Ok(response) => {
                    return Ok(BulkOutcome {
                        response: Some(response),
                        rejected,
                    });
                }
                Err(e) => {
                    let failed: Vec<BulkRowError> = match e.bulk_errors() {
                        Some(f) if !f.is_empty() && rounds < DEFAULT_BULK_ROUNDS => f.to_vec(),
                        _ => return Err(e),
                    };
                    // A row index outside what was sent means the error cannot be trusted.
                    if failed.iter().any(|f| f.row >= pending.len()) {
                        return Err(e);
                    }
                    rounds += 1;
                    let mut kept = Vec::with_capacity(pending.len());
                    for (i, (index, row)) in pending.into_iter().enumerate() {
                        match failed.iter().find(|f| f.row == i) {
                            Some(err) => rejected.push(RejectedRow {
                                index,
                                row,
                                error: err.clone(),
                            }),
                            None => kept.push((index, row)),
                        }
                    }
                    pending = kept;
                }
            }
        }
    }
}
