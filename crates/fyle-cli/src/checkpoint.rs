//! `--checkpoint FILE`: what an incremental export remembers between runs.
//!
//! Each run exports the rows with `watermark < updated_at <= upper`, where `upper` is the
//! server's clock when the run started (a snapshot: a row updated during the run moves past
//! `upper` and waits for the next run) and `watermark` is the `upper` of the last successful
//! run. Rows are walked in `(updated_at, id)` order, so the last written row is a cursor. After
//! every page the file records that cursor, the rows written and the output length; a killed
//! run resumes from there (the output is cut back to the recorded length), so no row is
//! written twice and none is skipped.
//!
//! A row a run could not export (a `--require` column empty, a cell the format cannot hold) is
//! not lost behind the watermark: the finished run leaves it in `pending`, and the next run asks
//! for it again by id (see `export::retry`).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The persisted state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The resource path the checkpoint belongs to (`/admin/expenses`).
    #[serde(default)]
    pub resource: String,
    /// The `upper` bound (RFC 3339) of the last run that finished; `None` before the first.
    pub watermark: Option<String>,
    /// The run in progress, when the last one did not finish.
    pub run: Option<RunState>,
    /// Runs that finished.
    #[serde(default)]
    pub completed_runs: u64,
    /// Rows the finished runs did not export, in the order they failed: the next run asks for
    /// them again.
    #[serde(default)]
    pub pending: Vec<PendingRow>,
}

/// A row a run did not export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingRow {
    /// Its `id`.
    pub id: String,
    /// Why it was not exported.
    pub reason: String,
}

/// Where an unfinished run stopped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunState {
    /// The snapshot bound of that run (RFC 3339).
    pub upper: String,
    /// The `(updated_at, id)` of the last row written and recorded.
    pub cursor: Option<(String, String)>,
    /// Rows written so far.
    pub rows: u64,
    /// The output length after those rows.
    pub bytes: u64,
    /// The output file of that run.
    pub out: PathBuf,
    /// The columns of that run, so a resumed run writes the same ones.
    #[serde(default)]
    pub columns: Vec<String>,
    /// How many of the checkpoint's `pending` rows that run has asked for again (in order).
    #[serde(default)]
    pub retried: u64,
    /// The rows that run could not export so far: `pending` once it finishes.
    #[serde(default)]
    pub failed: Vec<PendingRow>,
}

/// A checkpoint file that cannot be read or written.
#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    /// Reading or writing the file failed.
    #[error("checkpoint {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
    /// The file is not a checkpoint.
    #[error("checkpoint {path} is not a fyle checkpoint: {source}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// The JSON error.
        source: serde_json::Error,
    },
    /// The file belongs to an export of another resource.
    #[error("checkpoint {path} belongs to an export of {found}, not {wanted}")]
    OtherResource {
        /// The file.
        path: PathBuf,
        /// What it records.
        found: String,
        /// What this export reads.
        wanted: String,
    },
}

impl Checkpoint {
    /// Reads `path` for an export of `resource`; a missing file is a fresh checkpoint.
    pub fn load(path: &Path, resource: &str) -> Result<Checkpoint, CheckpointError> {
        let text = match fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Ok(Checkpoint {
                    resource: resource.to_owned(),
                    ..Checkpoint::default()
                });
            }
            Err(source) => {
                return Err(CheckpointError::Io {
                    path: path.to_owned(),
                    source,
                });
            }
        };
        let checkpoint: Checkpoint =
            serde_json::from_str(&text).map_err(|source| CheckpointError::Corrupt {
                path: path.to_owned(),
                source,
            })?;
        if !checkpoint.resource.is_empty() && checkpoint.resource != resource {
            return Err(CheckpointError::OtherResource {
                path: path.to_owned(),
                found: checkpoint.resource,
                wanted: resource.to_owned(),
            });
        }
        Ok(checkpoint)
    }

    /// Writes the checkpoint atomically (a temporary file renamed over the old one), so a kill
    /// mid-write leaves the previous state.
    pub fn save(&self, path: &Path) -> Result<(), CheckpointError> {
        let io_error = |source| CheckpointError::Io {
            path: path.to_owned(),
            source,
        };
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".tmp");
        let tmp = PathBuf::from(tmp);
        let text = serde_json::to_vec_pretty(self).map_err(|source| CheckpointError::Corrupt {
            path: path.to_owned(),
            source,
        })?;
        fs::write(&tmp, text).map_err(io_error)?;
        fs::rename(&tmp, path).map_err(io_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_checkpoint_loads_back_and_guards_its_resource() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("ck.json");
        let fresh = Checkpoint::load(&path, "/admin/expenses").expect("missing file is fresh");
        assert_eq!(fresh.watermark, None);
        let state = Checkpoint {
            resource: "/admin/expenses".into(),
            watermark: Some("2026-01-01T00:00:00Z".into()),
            run: Some(RunState {
                upper: "2026-01-02T00:00:00Z".into(),
                cursor: Some(("2026-01-01T10:00:00Z".into(), "tx1".into())),
                rows: 200,
                bytes: 4096,
                out: "out.csv".into(),
                columns: vec!["id".into()],
                retried: 1,
                failed: vec![PendingRow {
                    id: "tx2".into(),
                    reason: "no value for project_code".into(),
                }],
            }),
            completed_runs: 1,
            pending: vec![PendingRow {
                id: "tx0".into(),
                reason: "no value for project_code".into(),
            }],
        };
        state.save(&path).expect("save");
        assert_eq!(
            Checkpoint::load(&path, "/admin/expenses").expect("load"),
            state
        );
        let other = Checkpoint::load(&path, "/admin/reports").expect_err("other resource");
        assert!(other.to_string().contains("/admin/expenses"));
    }

    #[test]
    fn a_checkpoint_written_before_pending_rows_loads_with_none_pending() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("old.json");
        let old = r#"{"resource": "/admin/expenses", "watermark": "2026-01-01T00:00:00Z",
            "run": {"upper": "2026-01-02T00:00:00Z", "cursor": null, "rows": 0, "bytes": 12,
                    "out": "out.csv", "columns": ["id"]},
            "completed_runs": 3}"#;
        std::fs::write(&path, old).expect("write");
        let loaded = Checkpoint::load(&path, "/admin/expenses").expect("an older file loads");
        assert!(loaded.pending.is_empty());
        let run = loaded.run.expect("the unfinished run");
        assert_eq!((run.retried, run.failed.len(), run.bytes), (0, 0, 12));
    }
}
