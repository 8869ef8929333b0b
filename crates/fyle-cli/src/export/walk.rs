//! The pages of one export run, in `(updated_at, id)` order after a cursor, in as few requests
//! as the answers allow (at 10 requests/s each one is 1% of a 20,000-row export):
//!
//! - The first page is asked without the snapshot bound. Its rows up to the bound are the
//!   window's first rows (the order is by `updated_at`), and its `count` counts the rows past
//!   the bound too. A page that reaches past the bound, or a short one, is the window's last.
//! - Later pages carry the bound, so the second page's `count` (the rows left after its cursor)
//!   gives the window's total, and the first page's count minus that total the rows past the
//!   bound. No separate count request.
//! - A page holding every row its query matched (`count` no more than its rows, once `count`
//!   has shown it counts rows rather than echoing the page's length) is the last: the window
//!   only shrinks while the run goes on (an updated row moves past the bound, a new one starts
//!   past it), so no row can follow, and no empty page is asked for after a last full one.

use fyle::Client;
use fyle::ListRequest;
use fyle::models::operations::Operation;
use fyle::query::Filter;
use serde_json::Value;
use time::OffsetDateTime;

use super::{ExportFailure, PAGE, after, cursor_of};

/// The filters of a run: the caller's conditions and the snapshot window with and without its
/// bound.
pub(super) struct Window {
    /// The caller's conditions on distinct keys.
    pub(super) base: Filter,
    /// `watermark < updated_at <= upper` and the date range.
    pub(super) bounded: Filter,
    /// The same without `updated_at <= upper`.
    pub(super) open: Filter,
    /// The snapshot bound.
    pub(super) upper: OffsetDateTime,
}

/// Where a run stands in its pages.
pub(super) struct Walk {
    client: Client,
    op: &'static Operation,
    window: Window,
    /// The key of the last row returned.
    cursor: Option<(String, String)>,
    /// Rows a killed run had written before the cursor this run started from.
    resumed: u64,
    pages: u64,
    /// The first page's `count`: the rows after the starting cursor, past the bound included.
    open_count: u64,
    /// The window's rows on the first page.
    first_rows: u64,
    total: Option<u64>,
    beyond: u64,
    /// A `count` exceeded its page's rows: `count` counts matching rows.
    count_counts: bool,
    done: bool,
}

impl Walk {
    /// A walk after `cursor` (from the start when `None`), a killed run having written
    /// `resumed` rows before it.
    pub(super) fn new(
        client: Client,
        op: &'static Operation,
        window: Window,
        cursor: Option<(String, String)>,
        resumed: u64,
    ) -> Walk {
        Walk {
            client,
            op,
            window,
            cursor,
            resumed,
            pages: 0,
            open_count: 0,
            first_rows: 0,
            total: None,
            beyond: 0,
            count_counts: false,
            done: false,
        }
    }

    /// The rows in the window (a resumed run's earlier rows included), once a page has told.
    pub(super) fn total(&self) -> Option<u64> {
        self.total
    }

    /// The total for a progress report: [`total`](Self::total) once known, before that (after
    /// the first page of a longer run) the rows matching without the bound, an upper estimate.
    pub(super) fn total_so_far(&self) -> u64 {
        self.total.unwrap_or(self.resumed + self.open_count)
    }

    /// Matching rows past the bound, once a page has told (0 before).
    pub(super) fn beyond(&self) -> u64 {
        self.beyond
    }

    /// The key of the last row returned (the checkpoint's cursor).
    pub(super) fn cursor(&self) -> Option<&(String, String)> {
        self.cursor.as_ref()
    }

    /// The next page's rows, or `None` after the last one.
    pub(super) async fn next(&mut self) -> Result<Option<Vec<Value>>, ExportFailure> {
        if self.done {
            return Ok(None);
        }
        let first = self.pages == 0;
        let window = if first {
            &self.window.open
        } else {
            &self.window.bounded
        };
        let mut request = ListRequest::<Value>::new(self.client.clone(), self.op)
            .filter(self.window.base.clone())
            .filter(window.clone())
            .order_raw("updated_at.asc,id.asc")
            .limit(PAGE);
        if let Some((at, id)) = &self.cursor {
            request = request.filter(after(at, id));
        }
        let page = request.send().await?;
        self.pages += 1;
        let items = page.items.len();
        let full = items >= PAGE as usize;
        let all_counted = self.count_counts && page.count <= items as u64;
        if page.count > items as u64 {
            self.count_counts = true;
        }
        let rows = if first {
            let rows = within(page.items, self.window.upper)?;
            let kept = rows.len() as u64;
            if rows.len() < items || !full {
                // Past the bound, or no more rows: the window ends on this page.
                self.done = true;
                self.total = Some(self.resumed + kept);
                self.beyond = page.count.saturating_sub(kept);
            } else {
                self.open_count = page.count;
                self.first_rows = kept;
            }
            rows
        } else {
            if self.total.is_none() {
                let in_window = self.first_rows + page.count;
                self.total = Some(self.resumed + in_window);
                self.beyond = self.open_count.saturating_sub(in_window);
            }
            self.done = !full || all_counted;
            page.items
        };
        let Some(last) = rows.last() else {
            self.done = true;
            return Ok(None);
        };
        self.cursor = Some(cursor_of(last)?);
        Ok(Some(rows))
    }
}

/// The rows whose `updated_at` is at or before `upper`.
fn within(rows: Vec<Value>, upper: OffsetDateTime) -> Result<Vec<Value>, ExportFailure> {
    let mut kept = Vec::with_capacity(rows.len());
    for row in rows {
        let Some(text) = row.get("updated_at").and_then(Value::as_str) else {
            return Err(ExportFailure::Usage(
                "a row has no updated_at, so the export cannot place it in its snapshot".into(),
            ));
        };
        let at = timestamp(text).ok_or_else(|| {
            ExportFailure::Usage(format!(
                "a row's updated_at {text:?} is not a timestamp, so the export cannot place it \
                 in its snapshot"
            ))
        })?;
        if at <= upper {
            kept.push(row);
        }
    }
    Ok(kept)
}

/// A Fyle timestamp, read as the SDK's models read it (RFC 3339; without an offset, UTC).
fn timestamp(text: &str) -> Option<OffsetDateTime> {
    fyle::models::wire::parse_timestamp(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_with_and_without_an_offset_compare_as_instants() {
        let upper = timestamp("2026-01-02T03:04:05Z").expect("RFC 3339");
        let rows = vec![
            serde_json::json!({"updated_at": "2026-01-02T03:04:05.000000+00:00"}),
            serde_json::json!({"updated_at": "2026-01-02T04:04:04.999+01:00"}),
            serde_json::json!({"updated_at": "2026-01-02T03:04:05.000001"}),
        ];
        let kept = within(rows, upper).expect("all parse");
        assert_eq!(kept.len(), 2, "the last is a microsecond past the bound");
        let bad = within(vec![serde_json::json!({"updated_at": "yesterday"})], upper);
        assert!(matches!(bad, Err(ExportFailure::Usage(m)) if m.contains("yesterday")));
    }
}
