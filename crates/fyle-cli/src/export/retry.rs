//! Rows earlier runs did not export, asked again by id before the run's window is walked.
//!
//! A row that failed (a `--require` column empty, a cell the format cannot hold) is behind the
//! watermark once its run finishes, so the window alone would never meet it again unless it
//! changed. The checkpoint keeps it as pending, and the next run asks for the pending ids that
//! are still as they were: `id in (...)`, the run's conditions, and `updated_at <= watermark`,
//! [`BATCH`] ids a request.
//! A pending row updated since is in this run's window (or the next one's, if it changed during
//! this run), so the window exports it, and asking by id too would write it twice. A pending
//! row that no longer matches (deleted, or moved out of the conditions) is not returned and
//! leaves the pending list. Each asked row is written or fails again; a row failing again is
//! pending for the next run.

use fyle::Client;
use fyle::ListRequest;
use fyle::models::operations::Operation;
use fyle::query::Filter;
use serde_json::Value;
use time::OffsetDateTime;

use super::{ExportFailure, PAGE};

/// Ids per request. The spec sets no limit on an `in` list, but each id lengthens the URL (about
/// 13 bytes); Fyle's own connectors send `id=in.(...)` 10 ids at a time. 50 keeps the URL near
/// 700 bytes, and a backlog of 1,000 failed rows costs 20 requests (2 s at 10 requests/s).
pub(super) const BATCH: usize = 50;

/// The still-unchanged rows among `ids` (at most [`BATCH`] of them, so one request).
pub(super) async fn fetch(
    client: &Client,
    op: &'static Operation,
    base: &Filter,
    watermark: OffsetDateTime,
    ids: &[String],
) -> Result<Vec<Value>, ExportFailure> {
    let page = ListRequest::<Value>::new(client.clone(), op)
        .filter(base.clone())
        .filter(unchanged(watermark, ids))
        .order_raw("updated_at.asc,id.asc")
        .limit(PAGE)
        .send()
        .await?;
    Ok(page.items)
}

/// `id in ids` and `updated_at <= watermark`, in one `and` group (the caller's conditions may
/// name the same keys).
fn unchanged(watermark: OffsetDateTime, ids: &[String]) -> Filter {
    Filter::new().and(|group| group.is_in("id", ids).lte("updated_at", watermark))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asks_for_the_ids_as_they_were_at_the_watermark() {
        let watermark = OffsetDateTime::from_unix_timestamp(1_767_225_600).expect("a time");
        let ids = ["txA1".to_owned(), "txB2".to_owned()];
        let filter = unchanged(watermark, &ids);
        assert_eq!(
            filter.to_query_pairs(),
            vec![(
                "and".to_owned(),
                "(id.in.(txA1,txB2),updated_at.lte.2026-01-01T00:00:00Z)".to_owned()
            )]
        );
    }
}
