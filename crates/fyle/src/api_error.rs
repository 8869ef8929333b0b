//! [`ApiError`]: Fyle's own error body `{error, message, data}`, parsed into its kinds.

use std::fmt;

use http::StatusCode;
use serde_json::Value;

use crate::error::{MAX_TEXT_CHARS, bounded};

/// Fyle's error body, `{"error": ..., "message": ..., "data": ...}`, with the HTTP status.
///
/// `Display` prints the status, the error kind, the message and the first rows, redacted and
/// bounded (under 2,000 characters for any body); `Debug` prints counts, not `data`. The
/// accessors give everything.
#[derive(Clone)]
pub struct ApiError {
    status: StatusCode,
    kind: FyleErrorKind,
    message: Option<String>,
    data: Option<Value>,
}

/// Fyle's `error` attribute, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FyleErrorKind {
    /// A missing or malformed field; the rows and fields that failed.
    Validation(Vec<ValidationRow>),
    /// A bulk call failed (all or nothing); the rows that failed.
    Bulk(Vec<BulkRowError>),
    /// The object already exists, or refers to something that does not.
    Integrity,
    /// Another `error` value, kept verbatim.
    Other(String),
    /// The body had no `error` attribute (for example `{"message": "invalid token"}`).
    Unspecified,
}

/// The messages of one row of a `ValidationError`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationRow {
    /// The row index (the key of `data`), or `None` when Fyle keyed the fields directly.
    pub row: Option<usize>,
    /// The fields of that row that failed.
    pub fields: Vec<FieldError>,
}

/// One field of a `ValidationError` row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field, dotted for nested objects (`cost_center.name`).
    pub field: String,
    /// Fyle's messages for it.
    pub messages: Vec<String>,
}

/// One failed row of a `BulkError`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkRowError {
    /// The index of the row in the `data` array that was sent.
    pub row: usize,
    /// The value that identifies the row (an email, a code...), if Fyle sent one.
    pub key: Option<String>,
    /// Why the row failed.
    pub message: Option<String>,
}

impl ApiError {
    /// Parses a Fyle error body. `None` when the body is not a JSON object (an HTML page from a
    /// proxy, an empty body, ...).
    pub(crate) fn parse(
        status: StatusCode,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Option<Self> {
        if content_type.is_some_and(|ct| ct.to_ascii_lowercase().contains("html")) {
            return None;
        }
        if body.iter().all(u8::is_ascii_whitespace) {
            // An empty error body still has a meaningful status.
            return Some(Self {
                status,
                kind: FyleErrorKind::Unspecified,
                message: None,
                data: None,
            });
        }
        let Ok(Value::Object(mut map)) = serde_json::from_slice::<Value>(body) else {
            return None;
        };
        let message = match map.remove("message") {
            Some(Value::String(s)) => Some(s),
            Some(Value::Null) | None => None,
            Some(other) => Some(other.to_string()),
        };
        let data = match map.remove("data") {
            Some(Value::Null) | None => None,
            Some(v) => Some(v),
        };
        let kind = match map.remove("error") {
            Some(Value::String(e)) => match e.as_str() {
                "ValidationError" => FyleErrorKind::Validation(validation_rows(data.as_ref())),
                "BulkError" => FyleErrorKind::Bulk(bulk_rows(data.as_ref())),
                "IntegrityError" => FyleErrorKind::Integrity,
                _ => FyleErrorKind::Other(e),
            },
            _ => FyleErrorKind::Unspecified,
        };
        Some(Self {
            status,
            kind,
            message,
            data,
        })
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// Fyle's `error` kind.
    pub fn kind(&self) -> &FyleErrorKind {
        &self.kind
    }

    /// Fyle's `error` string (`"ValidationError"`, ...), if it sent one.
    pub fn error_name(&self) -> Option<&str> {
        match &self.kind {
            FyleErrorKind::Validation(_) => Some("ValidationError"),
            FyleErrorKind::Bulk(_) => Some("BulkError"),
            FyleErrorKind::Integrity => Some("IntegrityError"),
            FyleErrorKind::Other(s) => Some(s),
            FyleErrorKind::Unspecified => None,
        }
    }

    /// Fyle's human-readable `message`.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// Fyle's raw `data` attribute.
    pub fn data(&self) -> Option<&Value> {
        self.data.as_ref()
    }

    /// The rows of a `ValidationError`.
    pub fn validation_errors(&self) -> Option<&[ValidationRow]> {
        match &self.kind {
            FyleErrorKind::Validation(rows) => Some(rows),
            _ => None,
        }
    }

    /// The rows of a `BulkError`.
    pub fn bulk_errors(&self) -> Option<&[BulkRowError]> {
        match &self.kind {
            FyleErrorKind::Bulk(rows) => Some(rows),
            _ => None,
        }
    }
}

/// Rows printed by `Display`; the rest are counted.
const SHOWN_ROWS: usize = 5;
/// Longest text printed for one row.
const ROW_CHARS: usize = 160;

impl ApiError {
    fn rows_shown(&self) -> (Vec<String>, usize) {
        let rows: Vec<String> = match &self.kind {
            FyleErrorKind::Validation(rows) => rows
                .iter()
                .take(SHOWN_ROWS)
                .map(|row| {
                    let fields: Vec<String> = row
                        .fields
                        .iter()
                        .take(SHOWN_ROWS)
                        .map(|field| format!("{}: {}", field.field, field.messages.join(" ")))
                        .collect();
                    let prefix = row.row.map(|i| format!("row {i}: ")).unwrap_or_default();
                    format!("{prefix}{}", fields.join(", "))
                })
                .collect(),
            FyleErrorKind::Bulk(rows) => rows
                .iter()
                .take(SHOWN_ROWS)
                .map(|row| {
                    let key = row
                        .key
                        .as_ref()
                        .map(|k| format!(" ({k})"))
                        .unwrap_or_default();
                    let message = row
                        .message
                        .as_ref()
                        .map(|m| format!(": {m}"))
                        .unwrap_or_default();
                    format!("row {}{key}{message}", row.row)
                })
                .collect(),
            _ => Vec::new(),
        };
        let total = match &self.kind {
            FyleErrorKind::Validation(rows) => rows.len(),
            FyleErrorKind::Bulk(rows) => rows.len(),
            _ => 0,
        };
        (rows, total)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.status)?;
        if let Some(name) = self.error_name() {
            write!(f, " {}", bounded(name, 60))?;
        }
        if let Some(m) = &self.message {
            write!(f, ": {}", bounded(m, MAX_TEXT_CHARS))?;
        }
        let (rows, total) = self.rows_shown();
        for row in &rows {
            write!(f, "; {}", bounded(row, ROW_CHARS))?;
        }
        if total > rows.len() {
            write!(f, "; and {} more rows", total - rows.len())?;
        }
        Ok(())
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (_, rows) = self.rows_shown();
        f.debug_struct("ApiError")
            .field("status", &self.status)
            .field("error", &self.error_name().map(|n| bounded(n, 60)))
            .field(
                "message",
                &self.message.as_deref().map(|m| bounded(m, MAX_TEXT_CHARS)),
            )
            .field("rows", &rows)
            .field("data", &self.data.as_ref().map(|_| "…"))
            .finish_non_exhaustive()
    }
}

fn validation_rows(data: Option<&Value>) -> Vec<ValidationRow> {
    let Some(Value::Object(map)) = data else {
        return Vec::new();
    };
    let mut rows: Vec<ValidationRow> = Vec::new();
    let mut loose = Vec::new();
    for (key, value) in map {
        match (key.parse::<usize>(), value) {
            (Ok(row), Value::Object(_)) => {
                let mut fields = Vec::new();
                collect_fields("", value, &mut fields);
                rows.push(ValidationRow {
                    row: Some(row),
                    fields,
                });
            }
            _ => collect_fields(key, value, &mut loose),
        }
    }
    rows.sort_by_key(|r| r.row);
    if !loose.is_empty() {
        rows.push(ValidationRow {
            row: None,
            fields: loose,
        });
    }
    rows
}

fn collect_fields(prefix: &str, value: &Value, out: &mut Vec<FieldError>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                collect_fields(&path, v, out);
            }
        }
        Value::Array(items) if items.iter().all(Value::is_string) => out.push(FieldError {
            field: prefix.to_owned(),
            messages: items
                .iter()
                .filter_map(|m| m.as_str().map(str::to_owned))
                .collect(),
        }),
        Value::String(s) => out.push(FieldError {
            field: prefix.to_owned(),
            messages: vec![s.clone()],
        }),
        other => out.push(FieldError {
            field: prefix.to_owned(),
            messages: vec![other.to_string()],
        }),
    }
}

fn bulk_rows(data: Option<&Value>) -> Vec<BulkRowError> {
    let Some(Value::Array(items)) = data else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| {
            let row = item
                .get("row")?
                .as_u64()
                .and_then(|r| usize::try_from(r).ok())?;
            let text = |name: &str| match item.get(name) {
                Some(Value::String(s)) => Some(s.clone()),
                Some(Value::Null) | None => None,
                Some(v) => Some(v.to_string()),
            };
            Some(BulkRowError {
                row,
                key: text("key"),
                message: text("message"),
            })
        })
        .collect()
}
