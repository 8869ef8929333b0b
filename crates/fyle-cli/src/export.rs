//! The export engine: walks a list endpoint in `(updated_at, id)` order inside a snapshot
//! window, writes each row once, records a checkpoint after every page and writes the export
//! summary back when asked.
//!
//! The window is `watermark < updated_at <= upper` (see [`crate::checkpoint`]): `upper` is the
//! server's clock (its `Date` header, whole seconds, so never ahead of it) when the run
//! starts. A row updated while the run goes on gets an `updated_at` past `upper`, so it is not
//! met a second time in this run; the next incremental run exports its new version.

use std::path::PathBuf;

use fyle::models::operations::{self, HttpMethod, Operation};
use fyle::query::Filter;
use fyle::{Client, Page};
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::checkpoint::{Checkpoint, CheckpointError, PendingRow, RunState};
use crate::columns::{self, Column, UnknownColumn};
use crate::mark::{ErrorType, Links, MarkError, MarkReport, RowError};
use crate::resource::ExportResource;
use crate::sink::{Format, Sink, SinkError, Target};

mod retry;
mod run;
mod walk;

use run::{Record, Run};
use walk::{Walk, Window};

/// Rows per request (Fyle's largest page).
pub const PAGE: u32 = 200;

/// One bound of a date range (`--from` / `--to`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RangeBound {
    /// The timestamp column (`report_last_approved_at`, `updated_at`, ...).
    pub field: String,
    /// `true` for `>=` (from), `false` for `<` (to, exclusive).
    pub from: bool,
    /// The bound.
    pub at: OffsetDateTime,
}

/// What to export and where.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    /// The resource.
    pub resource: ExportResource,
    /// Conditions on distinct keys (`state`, `source_account->type`, `report_id`).
    pub filter: Filter,
    /// Date-range bounds, sent inside one `and` group with the snapshot window.
    pub range: Vec<RangeBound>,
    /// `--columns`: names to keep, in this order (default: all).
    pub columns: Option<Vec<String>>,
    /// The format.
    pub format: Format,
    /// Where rows go.
    pub target: Target,
    /// `--checkpoint FILE`.
    pub checkpoint: Option<PathBuf>,
    /// `--mark-exported URL_TEMPLATE` (expenses only).
    pub mark_exported: Option<String>,
    /// `--error-url URL_TEMPLATE`: the link of rows marked `ERROR` (default: the
    /// `--mark-exported` template).
    pub error_url: Option<String>,
    /// `--require COLUMN,...`: columns a row must have a value in to be exported; a row
    /// missing one is not written and is reported (and marked `ERROR`, `MAPPING`).
    pub require: Vec<String>,
    /// Test hook: abort the process (no cleanup, like a kill) once this many rows are written.
    pub abort_after: Option<u64>,
}

impl ExportOptions {
    /// Every row of `resource`, all columns, to `target` in `format`: no filter, no
    /// checkpoint, no write-back.
    pub fn new(resource: ExportResource, format: Format, target: Target) -> ExportOptions {
        ExportOptions {
            resource,
            filter: Filter::new(),
            range: Vec::new(),
            columns: None,
            format,
            target,
            checkpoint: None,
            mark_exported: None,
            error_url: None,
            require: Vec::new(),
            abort_after: None,
        }
    }
}

/// What an export did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportSummary {
    /// Rows written by this run (a resumed run counts the rows before the kill too).
    pub rows: u64,
    /// Rows a killed run had written before this one resumed it.
    pub resumed_rows: u64,
    /// Rows in the snapshot window, a resumed run's earlier rows included (the server's
    /// count, read from the run's first pages).
    pub total: u64,
    /// The snapshot bound (RFC 3339).
    pub upper: String,
    /// The custom-field columns found.
    pub custom_fields: Vec<String>,
    /// The write-back, when asked.
    pub marked: Option<MarkReport>,
    /// Matching rows whose `updated_at` was past the snapshot bound when the run started
    /// (changed meanwhile, or a server clock behind its data): the next run exports them.
    pub beyond_snapshot: u64,
    /// Rows not written, and why (a `--require` column empty, a row the format cannot hold).
    /// With `--checkpoint` they are pending: the next run asks for them again.
    pub failed: Vec<RowError>,
    /// Rows earlier runs did not write (kept in the checkpoint) that this run asked for again
    /// by id; a row changed since is in the window instead.
    pub retried: u64,
    /// Of those, the rows written now (counted in `rows` and `total` too).
    pub recovered: u64,
}

/// An export that stopped: how many rows were written and what failed.
#[derive(Debug, thiserror::Error)]
#[error("export stopped after {rows_written} rows: {source}")]
pub struct ExportError {
    /// Rows written (and flushed) before the failure.
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
    #[error(transparent)]
    Sink(#[from] SinkError),
    /// The checkpoint file failed.
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
    /// `--columns` named a column that does not exist.
    #[error(transparent)]
    Columns(#[from] UnknownColumn),
    /// The write-back failed as a whole.
    #[error(transparent)]
    Mark(#[from] MarkError),
    /// The options do not fit together.
    #[error("{0}")]
    Usage(String),
}

fn stop(rows_written: u64, source: impl Into<ExportFailure>) -> ExportError {
    ExportError {
        rows_written,
        source: source.into(),
    }
}

/// Where the walk starts.
struct Start {
    upper: OffsetDateTime,
    watermark: Option<OffsetDateTime>,
    cursor: Option<(String, String)>,
    rows: u64,
    bytes: u64,
    columns: Option<Vec<String>>,
    /// Pending rows a killed run had asked for again.
    retried: u64,
    /// Rows a killed run could not write.
    failed: Vec<PendingRow>,
}

/// Runs an export; `progress(rows, total)` is called after each page. A run of more than one
/// page learns its total from its second page: after its first, `total` also counts the rows
/// past the snapshot bound.
pub async fn export(
    client: &Client,
    options: ExportOptions,
    progress: &mut (dyn FnMut(u64, u64) + Send),
) -> Result<ExportSummary, ExportError> {
    let path = options.resource.path();
    let op = operations::find(HttpMethod::Get, path)
        .ok_or_else(|| stop(0, ExportFailure::Usage(format!("no list operation {path}"))))?;
    if options.mark_exported.is_some() && options.resource != ExportResource::Expenses {
        return Err(stop(
            0,
            ExportFailure::Usage("--mark-exported applies to expenses only".into()),
        ));
    }
    let out_path = match (&options.checkpoint, &options.target) {
        (Some(_), Target::File(p)) => Some(p.clone()),
        (Some(_), Target::Stdout) => {
            return Err(stop(
                0,
                ExportFailure::Usage(
                    "--checkpoint needs --out FILE (stdout cannot be resumed)".into(),
                ),
            ));
        }
        (None, _) => None,
    };
    let checkpoint = match &options.checkpoint {
        Some(file) => Some(Checkpoint::load(file, path).map_err(|e| stop(0, e))?),
        None => None,
    };
    // For expenses, one request gives the custom fields' names and the server's clock.
    let fields = if options.resource.has_custom_fields() {
        expense_fields(client).await
    } else {
        None
    };
    let clock = fields.as_ref().and_then(|f| f.server_now);
    let start = plan_start(
        client,
        op,
        &options,
        checkpoint.as_ref(),
        out_path.as_ref(),
        clock,
    )
    .await?;
    let upper_text = rfc3339(start.upper);
    let mut walk = Walk::new(
        client.clone(),
        op,
        Window {
            base: options.filter.clone(),
            bounded: window(&options.range, start.watermark, Some(start.upper)),
            open: window(&options.range, start.watermark, None),
            upper: start.upper,
        },
        start.cursor.clone(),
        start.rows,
    );
    let mut page = walk.next().await.map_err(|e| stop(start.rows, e))?;
    let (all_columns, custom_fields) = columns_of(
        &options,
        fields.map(|f| f.names),
        page.as_deref().unwrap_or_default(),
    );
    let all_known = all_columns.clone();
    let wanted = start.columns.clone().or_else(|| options.columns.clone());
    let columns = match &wanted {
        Some(names) => columns::select(&all_columns, names).map_err(|e| stop(0, e))?,
        None => all_columns,
    };
    let column_names: Vec<String> = columns.iter().map(|c| c.name.clone()).collect();
    let required = columns::select(&all_known, &options.require).map_err(|e| stop(0, e))?;
    let links = options.mark_exported.as_ref().map(|exported| Links {
        exported: exported.clone(),
        failed: options
            .error_url
            .clone()
            .unwrap_or_else(|| exported.clone()),
    });
    let sink = match (&out_path, start.rows) {
        (Some(file), rows) if rows > 0 => {
            Sink::resume(options.format, columns, file, start.bytes, rows)
        }
        _ => Sink::create(options.format, columns, options.target.clone()),
    }
    .map_err(|e| stop(0, e))?;
    let resumed_rows = start.rows;
    let record = match (checkpoint, &options.checkpoint, &out_path) {
        (Some(checkpoint), Some(file), Some(out)) => Some(Record {
            state: RunState {
                upper: upper_text.clone(),
                cursor: start.cursor.clone(),
                rows: start.rows,
                bytes: start.bytes,
                out: out.clone(),
                columns: column_names,
                retried: start.retried,
                failed: start.failed.clone(),
            },
            checkpoint: Checkpoint {
                resource: path.to_owned(),
                ..checkpoint
            },
            file: file.clone(),
        }),
        _ => None,
    };
    let mut run = Run {
        client,
        sink,
        required,
        links,
        marked: options
            .mark_exported
            .as_ref()
            .map(|_| MarkReport::default()),
        failed: Vec::new(),
        abort_after: options.abort_after,
        record,
    };
    if resumed_rows == 0 {
        run.record(start.cursor.clone(), start.retried)?;
    }
    let retry = retry_pending(&mut run, op, &options.filter, &start).await?;
    while let Some(rows) = page {
        run.take(&rows).await?;
        run.record(walk.cursor().cloned(), retry.asked_total)?;
        progress(run.sink.rows(), walk.total_so_far() + retry.recovered);
        page = walk.next().await.map_err(|e| stop(run.sink.rows(), e))?;
    }
    let (rows, marked, failed) = run.finish()?;
    Ok(ExportSummary {
        rows,
        resumed_rows,
        total: walk.total().map_or(rows, |t| t + retry.recovered),
        upper: upper_text,
        custom_fields,
        marked,
        beyond_snapshot: walk.beyond(),
        failed,
        retried: retry.asked,
        recovered: retry.recovered,
    })
}

/// What the retry pass did.
struct Retried {
    /// Pending rows this process asked for again.
    asked: u64,
    /// Pending rows asked for by this run, a killed run's included (the checkpoint's count).
    asked_total: u64,
    /// Of the asked rows, those written now.
    recovered: u64,
}

/// Asks for the checkpoint's pending rows again (see [`retry`]), a batch per request, and
/// records after each batch how many were asked.
async fn retry_pending(
    run: &mut Run<'_>,
    op: &'static Operation,
    base: &Filter,
    start: &Start,
) -> Result<Retried, ExportError> {
    let pending: Vec<String> = run
        .record
        .as_ref()
        .map(|r| r.checkpoint.pending.iter().map(|p| p.id.clone()).collect())
        .unwrap_or_default();
    let skip = usize::try_from(start.retried).unwrap_or(usize::MAX);
    let mut done = Retried {
        asked: 0,
        asked_total: start.retried,
        recovered: 0,
    };
    let (Some(watermark), Some(todo)) = (start.watermark, pending.get(skip..)) else {
        return Ok(done);
    };
    for ids in todo.chunks(retry::BATCH) {
        let before = run.sink.rows();
        let rows = retry::fetch(run.client, op, base, watermark, ids)
            .await
            .map_err(|e| stop(before, e))?;
        run.take(&rows).await?;
        done.asked += ids.len() as u64;
        done.asked_total += ids.len() as u64;
        done.recovered += run.sink.rows() - before;
        run.record(start.cursor.clone(), done.asked_total)?;
    }
    Ok(done)
}

/// Writes one row, or returns why it is not exported: a `required` column is empty (a
/// `MAPPING` error), or the format cannot hold the row (an `ACCOUNTING_INTEGRATION_ERROR`).
/// Any other sink failure stops the export.
fn write_row(
    sink: &mut Sink,
    row: &Value,
    required: &[Column],
) -> Result<Option<RowError>, SinkError> {
    let id = || {
        columns::lookup(row, "id")
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    let missing: Vec<&str> = required
        .iter()
        .filter(|c| matches!(c.cell(row), crate::cell::Cell::Empty))
        .map(|c| c.name.as_str())
        .collect();
    if !missing.is_empty() {
        return Ok(Some(RowError {
            id: id(),
            error_type: ErrorType::Mapping,
            reason: format!("no value for {}", missing.join(", ")),
        }));
    }
    match sink.write(row) {
        Ok(()) => Ok(None),
        Err(SinkError::Row(reason)) => Ok(Some(RowError {
            id: id(),
            error_type: ErrorType::AccountingIntegration,
            reason,
        })),
        Err(other) => Err(other),
    }
}

/// Decides where the walk starts: a fresh run (a new snapshot bound), or the unfinished run a
/// checkpoint recorded (same bound, after its cursor, or from its start for xlsx, which cannot
/// be appended to).
async fn plan_start(
    client: &Client,
    op: &'static Operation,
    options: &ExportOptions,
    checkpoint: Option<&Checkpoint>,
    out_path: Option<&PathBuf>,
    clock: Option<OffsetDateTime>,
) -> Result<Start, ExportError> {
    let parse = |text: &str| {
        OffsetDateTime::parse(text, &Rfc3339).map_err(|e| {
            stop(
                0,
                ExportFailure::Usage(format!("checkpoint holds a bad timestamp {text:?}: {e}")),
            )
        })
    };
    let watermark = match checkpoint.and_then(|c| c.watermark.as_deref()) {
        Some(text) => Some(parse(text)?),
        None => None,
    };
    if let Some(run) = checkpoint.and_then(|c| c.run.as_ref()) {
        let upper = parse(&run.upper)?;
        let same_file = out_path == Some(&run.out);
        let resumable = same_file && options.format.appendable() && run.out.exists();
        return Ok(Start {
            upper,
            watermark,
            cursor: if resumable { run.cursor.clone() } else { None },
            rows: if resumable { run.rows } else { 0 },
            bytes: if resumable { run.bytes } else { 0 },
            columns: Some(run.columns.clone()).filter(|c| !c.is_empty()),
            retried: if resumable { run.retried } else { 0 },
            failed: if resumable {
                run.failed.clone()
            } else {
                Vec::new()
            },
        });
    }
    let upper = match clock {
        Some(now) => now,
        None => server_now(client, op).await.map_err(|e| stop(0, e))?,
    };
    Ok(Start {
        upper,
        watermark,
        cursor: None,
        rows: 0,
        bytes: 0,
        columns: None,
        retried: 0,
        failed: Vec::new(),
    })
}

/// The server's clock, from the `Date` header of a one-row request, cut to whole seconds (so
/// never ahead of the server); the local clock when there is no such header.
pub async fn server_now(
    client: &Client,
    op: &'static Operation,
) -> Result<OffsetDateTime, fyle::Error> {
    let response = client
        .request(http::Method::GET, op.path)
        .query("limit", 1)
        .send()
        .await?;
    Ok(date_of(&response.headers)
        .unwrap_or_else(|| whole_seconds(OffsetDateTime::now_utc() - time::Duration::SECOND)))
}

/// The `Date` header, cut to whole seconds (so never ahead of the server's clock).
fn date_of(headers: &http::HeaderMap) -> Option<OffsetDateTime> {
    let text = headers.get(http::header::DATE)?.to_str().ok()?;
    let at = OffsetDateTime::from(httpdate::parse_http_date(text).ok()?);
    Some(whole_seconds(at))
}

fn whole_seconds(at: OffsetDateTime) -> OffsetDateTime {
    at.replace_nanosecond(0).unwrap_or(at)
}

/// The snapshot window (`upper` left out for the first page, see [`walk`]) and the date
/// range, in one `and` group (its keys may repeat there).
fn window(
    range: &[RangeBound],
    watermark: Option<OffsetDateTime>,
    upper: Option<OffsetDateTime>,
) -> Filter {
    Filter::new().and(|mut group| {
        if let Some(upper) = upper {
            group = group.lte("updated_at", upper);
        }
        if let Some(mark) = watermark {
            group = group.gt("updated_at", mark);
        }
        for bound in range {
            group = if bound.from {
                group.gte(bound.field.as_str(), bound.at)
            } else {
                group.lt(bound.field.as_str(), bound.at)
            };
        }
        group
    })
}

/// Rows after the cursor in `(updated_at, id)` order.
fn after(at: &str, id: &str) -> Filter {
    Filter::new().or(|group| {
        group
            .gt("updated_at", at)
            .and(|both| both.eq("updated_at", at).gt("id", id))
    })
}

fn cursor_of(row: &Value) -> Result<(String, String), ExportFailure> {
    let at = row.get("updated_at").and_then(Value::as_str);
    let id = match row.get("id") {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    match (at, id) {
        (Some(at), Some(id)) => Ok((at.to_owned(), id)),
        _ => Err(ExportFailure::Usage(
            "a row has no updated_at or id, so the export cannot page by them".into(),
        )),
    }
}

fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_else(|_| at.to_string())
}

/// The resource's columns plus, for expenses, one per custom field: names from
/// `GET /admin/expense_fields` when the server serves it (`fields`), else from `rows` (the
/// first page's).
fn columns_of(
    options: &ExportOptions,
    fields: Option<Vec<String>>,
    rows: &[Value],
) -> (Vec<Column>, Vec<String>) {
    let mut all = options.resource.columns();
    if !options.resource.has_custom_fields() {
        return (all, Vec::new());
    }
    let names = fields.unwrap_or_else(|| {
        let mut names: Vec<String> = Vec::new();
        for row in rows {
            for name in columns::custom_field_names(row) {
                if !names.contains(&name) {
                    names.push(name);
                }
            }
        }
        names
    });
    let custom: Vec<String> = names
        .into_iter()
        .filter(|name| !all.iter().any(|c| c.name == *name))
        .collect();
    all.extend(custom.iter().map(|name| Column::custom(name)));
    (all, custom)
}

/// The enabled custom expense fields and the server's clock when it answered.
struct ExpenseFields {
    names: Vec<String>,
    /// The first answer's `Date`, whole seconds: the snapshot bound of a fresh run, so it
    /// needs no request of its own.
    server_now: Option<OffsetDateTime>,
}

/// The enabled custom expense fields, or `None` when the server does not serve
/// `expense_fields` (the caller then reads names from rows).
async fn expense_fields(client: &Client) -> Option<ExpenseFields> {
    let op = operations::find(HttpMethod::Get, "/admin/expense_fields")?;
    let mut fields = ExpenseFields {
        names: Vec::new(),
        server_now: None,
    };
    let mut offset = 0;
    loop {
        let response = client
            .request(http::Method::GET, op.path)
            .query("is_custom", "eq.true")
            .query("is_enabled", "eq.true")
            .query("order", "id.asc")
            .query("limit", PAGE)
            .query("offset", offset)
            .send()
            .await
            .ok()?;
        if fields.server_now.is_none() {
            fields.server_now = date_of(&response.headers);
        }
        let page: Page<Value> = serde_json::from_slice(&response.body).ok()?;
        for field in &page.items {
            if let Some(name) = field.get("field_name").and_then(Value::as_str)
                && !fields.names.iter().any(|n| n == name)
            {
                fields.names.push(name.to_owned());
            }
        }
        if !page.has_more() {
            return Some(fields);
        }
        offset = page.next_offset();
    }
}
