//! The output side of one export run: each batch of rows is written (or kept as failed), written
//! back to Fyle when asked, flushed, and recorded in the checkpoint before the next is fetched,
//! so a kill loses at most the batch in hand.

use std::path::PathBuf;

use fyle::Client;
use serde_json::Value;

use super::{ExportError, stop, write_row};
use crate::checkpoint::{Checkpoint, PendingRow, RunState};
use crate::columns::Column;
use crate::mark::{self, Links, MarkReport, RowError};
use crate::sink::Sink;

/// The checkpoint of a run and the file it is saved to.
pub(super) struct Record {
    /// The persisted state.
    pub(super) checkpoint: Checkpoint,
    /// `--checkpoint FILE`.
    pub(super) file: PathBuf,
    /// This run's state, saved as `checkpoint.run` after every batch.
    pub(super) state: RunState,
}

/// One run's writer.
pub(super) struct Run<'a> {
    pub(super) client: &'a Client,
    pub(super) sink: Sink,
    /// Columns a row must have a value in (`--require`).
    pub(super) required: Vec<Column>,
    /// The write-back's links (`--mark-exported`).
    pub(super) links: Option<Links>,
    /// What the write-back did so far.
    pub(super) marked: Option<MarkReport>,
    /// The rows this process did not write.
    pub(super) failed: Vec<RowError>,
    /// The kill hook of the tests (`ExportOptions::abort_after`).
    pub(super) abort_after: Option<u64>,
    /// `None` without `--checkpoint`.
    pub(super) record: Option<Record>,
}

impl Run<'_> {
    /// Writes `rows`, keeps the ones that cannot be written, and marks them all in Fyle when
    /// asked.
    pub(super) async fn take(&mut self, rows: &[Value]) -> Result<(), ExportError> {
        let mut failed = Vec::new();
        for row in rows {
            let written = self.sink.rows();
            if let Some(error) =
                write_row(&mut self.sink, row, &self.required).map_err(|e| stop(written, e))?
            {
                failed.push(error);
            }
            if self.abort_after.is_some_and(|n| self.sink.rows() >= n) {
                // The test hook of a kill: what was written reaches the file, the checkpoint
                // does not move, and the process dies without unwinding.
                let _ = self.sink.flush();
                std::process::abort();
            }
        }
        if let (Some(links), Some(report)) = (&self.links, self.marked.as_mut()) {
            let done = mark::mark_exported(self.client, links, rows, &failed)
                .await
                .map_err(|e| stop(self.sink.rows(), e))?;
            report.absorb(done);
        }
        if let Some(record) = self.record.as_mut() {
            record
                .state
                .failed
                .extend(failed.iter().map(|e| PendingRow {
                    id: e.id.clone(),
                    reason: e.reason.clone(),
                }));
        }
        self.failed.append(&mut failed);
        Ok(())
    }

    /// Flushes the output and records where the run stands: `cursor` in the window and
    /// `retried` pending rows asked again.
    pub(super) fn record(
        &mut self,
        cursor: Option<(String, String)>,
        retried: u64,
    ) -> Result<(), ExportError> {
        let rows = self.sink.rows();
        let bytes = self.sink.flush().map_err(|e| stop(rows, e))?;
        if let Some(record) = self.record.as_mut() {
            let state = &mut record.state;
            (state.cursor, state.rows, state.bytes, state.retried) = (cursor, rows, bytes, retried);
            record.checkpoint.run = Some(state.clone());
            record
                .checkpoint
                .save(&record.file)
                .map_err(|e| stop(rows, e))?;
        }
        Ok(())
    }

    /// Finishes the output and the checkpoint: the run's bound becomes the watermark, and the
    /// rows it could not write are pending for the next run.
    pub(super) fn finish(self) -> Result<(u64, Option<MarkReport>, Vec<RowError>), ExportError> {
        let rows = self.sink.rows();
        self.sink.finish().map_err(|e| stop(rows, e))?;
        if let Some(mut record) = self.record {
            let checkpoint = &mut record.checkpoint;
            checkpoint.watermark = Some(record.state.upper);
            checkpoint.completed_runs += 1;
            checkpoint.pending = last_of_each(record.state.failed);
            checkpoint.run = None;
            checkpoint.save(&record.file).map_err(|e| stop(rows, e))?;
        }
        Ok((rows, self.marked, self.failed))
    }
}

/// One entry per id, the latest reason, in the order the ids last failed.
fn last_of_each(failed: Vec<PendingRow>) -> Vec<PendingRow> {
    let mut seen = std::collections::HashSet::new();
    let mut kept: Vec<PendingRow> = failed
        .into_iter()
        .rev()
        .filter(|row| seen.insert(row.id.clone()))
        .collect();
    kept.reverse();
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_failing_twice_is_pending_once_with_its_latest_reason() {
        let row = |id: &str, reason: &str| PendingRow {
            id: id.into(),
            reason: reason.into(),
        };
        let kept = last_of_each(vec![
            row("tx1", "no value for project_code"),
            row("tx2", "no value for project_code"),
            row("tx1", "cell over 32,767 characters"),
        ]);
        assert_eq!(
            kept,
            vec![
                row("tx2", "no value for project_code"),
                row("tx1", "cell over 32,767 characters")
            ]
        );
    }
}
