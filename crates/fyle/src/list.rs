//! [`ListRequest`]: filters, order, one page with `.send()`, every item with `.stream()`.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use futures_util::stream::BoxStream;
use fyle_models::lenient::DecodeWarning;
use fyle_models::operations::Operation;
use fyle_models::query::{Filter, Order};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::client::Client;
use crate::cursor::StreamCursor;
use crate::error::{Error, Result};
use crate::request::Query;
use crate::stream::{PageQuery, item_stream, keyset_pages, offset_pages};

/// The largest page Fyle serves.
pub const MAX_PAGE_SIZE: u32 = 200;

/// The order `.stream()` sends when none was set: offset paging needs a deterministic order.
pub const DEFAULT_STREAM_ORDER: &str = "id.asc";

/// The key `.stable()` pages by: `id` never changes, so an update never moves a row.
pub const DEFAULT_STABLE_KEYS: [&str; 1] = ["id"];

/// The column `.stable()` bounds its snapshot by: rows created after the stream started are
/// not part of it.
pub const DEFAULT_SNAPSHOT_COLUMN: &str = "created_at";

/// One page of a list endpoint: Fyle's `{count, offset, data}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Page<T> {
    /// The total number of objects that match the filter.
    pub count: u64,
    /// The offset of the first item of this page.
    #[serde(default)]
    pub offset: u64,
    /// The items, in the server's order.
    #[serde(rename = "data")]
    pub items: Vec<T>,
    /// The values repaired to decode this page (empty when it fit the types).
    #[serde(skip)]
    warnings: Vec<DecodeWarning>,
    /// In stable mode: where the stream stands after this page.
    #[serde(skip)]
    pub(crate) cursor: Option<StreamCursor>,
}

impl<T> Page<T> {
    /// A page (for mocks and tests).
    pub fn new(count: u64, offset: u64, items: Vec<T>) -> Self {
        Self {
            count,
            offset,
            items,
            warnings: Vec::new(),
            cursor: None,
        }
    }

    /// The values that had the wrong shape and were repaired to decode this page, each with its
    /// JSON path (`data[3].approver_user_ids[1]`), what was expected and what came. Empty when
    /// the page fit the types, and always with strict decoding, which fails the page instead.
    pub fn warnings(&self) -> &[DecodeWarning] {
        &self.warnings
    }

    /// The page with these warnings.
    pub(crate) fn with_warnings(mut self, warnings: Vec<DecodeWarning>) -> Self {
        self.warnings = warnings;
        self
    }

    /// The offset right after this page. The server's `offset` is untrusted: the sum saturates
    /// instead of overflowing.
    pub fn next_offset(&self) -> u64 {
        self.offset.saturating_add(self.items.len() as u64)
    }

    /// In stable mode, the cursor right after this page: persist
    /// [`StreamCursor::to_token`] once the page is processed, and resume with
    /// [`ListRequest::resume_from`]. `None` in offset mode.
    pub fn cursor(&self) -> Option<&StreamCursor> {
        self.cursor.as_ref()
    }

    /// True when objects remain after this page.
    pub fn has_more(&self) -> bool {
        !self.items.is_empty() && self.next_offset() < self.count
    }
}

/// How `.stream()` walks the pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Mode {
    /// By offset, with prefetching once `count` is known.
    Offset,
    /// By a unique ordered key (keyset) from this cursor: inserts and deletes never shift the
    /// pages.
    Keyset(StreamCursor),
}

/// A request to a list endpoint (`{count, offset, data}`), returned by the generated
/// `list()` methods.
///
/// ```no_run
/// # async fn run(client: fyle::Client, op: &'static fyle::models::operations::Operation) -> fyle::Result<()> {
/// use futures_util::TryStreamExt;
/// let page = fyle::ListRequest::<serde_json::Value>::new(client.clone(), op)
///     .raw_filter("amount", "gt.10")
///     .order_raw("updated_at.desc,id")
///     .limit(50)
///     .send()
///     .await?;
/// println!("{} of {}", page.items.len(), page.count);
///
/// let all: Vec<serde_json::Value> = fyle::ListRequest::new(client, op)
///     .stream()
///     .try_collect()
///     .await?;
/// # let _ = all; Ok(()) }
/// ```
#[must_use = "a request does nothing until `.send()` or `.stream()` is used"]
pub struct ListRequest<T> {
    client: Client,
    op: &'static Operation,
    /// Filter, other parameters and order; the page's offset and limit are added per page.
    query: Query,
    limit: Option<u32>,
    offset: u64,
    concurrency: Option<usize>,
    mode: Mode,
    _item: PhantomData<fn() -> T>,
}

impl<T> Clone for ListRequest<T> {
    fn clone(&self) -> Self {
        Self {
            client: self.client.clone(),
            op: self.op,
            query: self.query.clone(),
            limit: self.limit,
            offset: self.offset,
            concurrency: self.concurrency,
            mode: self.mode.clone(),
            _item: PhantomData,
        }
    }
}

impl<T> fmt::Debug for ListRequest<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ListRequest")
            .field("operation", &self.op.operation_id)
            .field("path", &self.op.path)
            .field("filter", &self.query.filter().to_query_string())
            .field("query", &self.query.params())
            .field("order", &self.query.order())
            .field("limit", &self.limit)
            .field("offset", &self.offset)
            .field("mode", &self.mode)
            .finish_non_exhaustive()
    }
}

impl<T: DeserializeOwned + Send + 'static> ListRequest<T> {
    /// A request for the list operation `op` through `client`.
    pub fn new(client: Client, op: &'static Operation) -> Self {
        Self {
            client,
            op,
            query: Query::default(),
            limit: None,
            offset: 0,
            concurrency: None,
            mode: Mode::Offset,
            _item: PhantomData,
        }
    }

    /// Adds the conditions of a typed filter (ANDed with the others).
    pub fn filter(mut self, filter: Filter) -> Self {
        self.query.and(filter);
        self
    }

    /// Adds a raw condition, for anything the typed builder lacks:
    /// `.raw_filter("amount", "gt.10")` sends `amount=gt.10` (percent-encoded).
    pub fn raw_filter(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.raw_filter(key.into(), value.into());
        self
    }

    /// Adds any other query parameter (for example `q` for free-text search).
    pub fn query(mut self, name: impl Into<String>, value: impl fmt::Display) -> Self {
        self.query.push((name.into(), value.to_string()));
        self
    }

    /// Sets the order (several columns and directions).
    pub fn order(mut self, order: &Order) -> Self {
        self.query.set_order(Some(order.to_string()));
        self
    }

    /// Sets the order as Fyle's text, for example `"updated_at.desc,id"`.
    pub fn order_raw(mut self, order: impl Into<String>) -> Self {
        self.query.set_order(Some(order.into()));
        self
    }

    /// The page size, `1..=200` (checked before sending). Default 200.
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// The offset of the first item (to resume an offset-mode stream, pass
    /// [`Error::resume_offset`]). Stable mode ignores it: resume that with
    /// [`resume_from`](Self::resume_from).
    pub fn offset(mut self, offset: u64) -> Self {
        self.offset = offset;
        self
    }

    /// How many pages `.stream()` fetches ahead once `count` is known (default: the client's,
    /// 3). Memory stays bounded by this times the page size.
    pub fn concurrency(mut self, pages: usize) -> Self {
        self.concurrency = Some(pages.max(1));
        self
    }

    /// Stable mode, the one to use for full scans and exports: a snapshot in which each
    /// matching row is yielded exactly once, however rows change during the scan.
    ///
    /// - It pages by `id` (keyset, `id=gt.<last>`, `order=id.asc`). An `id` never changes, so
    ///   an update never moves a row: a row updated during the scan is yielded once, with the
    ///   values it had when its page was read. Inserts and deletes never shift a page.
    /// - It is bounded at its start: the first request reads the newest `created_at` (`T0`,
    ///   in the server's clock), and every page adds `created_at=lte.T0`. Rows created during
    ///   the scan are not part of it (a later run, or an incremental sync, picks them up). On
    ///   a resource whose items have no `created_at` the bound is dropped (with a warning):
    ///   each row is still yielded once.
    /// - Each page must move past the cursor, else the stream ends with
    ///   [`ErrorKind::Paging`](crate::ErrorKind::Paging) (a server that ignores the cursor
    ///   would otherwise return the same page forever).
    /// - Each [`Page::cursor`] (and [`Error::resume_cursor`]) is a [`StreamCursor`] to persist;
    ///   [`resume_from`](Self::resume_from) continues right after it, with the same `T0`.
    /// - Memory: one page and one cursor; nothing grows with the number of rows.
    ///
    /// Pages are fetched one after the other (no prefetch). The bound and cursor conditions are
    /// added as filter clauses: when their key (`id`, `created_at`, `or`) is taken by the
    /// request's filter, they go inside an `and=(..)` group, so no query key is repeated.
    pub fn stable(self) -> Self {
        self.stable_by(DEFAULT_STABLE_KEYS)
            .snapshot_bound(Some(DEFAULT_SNAPSHOT_COLUMN))
    }

    /// Keyset mode by the given key columns, most significant first; together they must be
    /// unique (end with `id`), for example `["created_at", "id"]` or `["id"]`. The order is the
    /// key ascending; a `.order(..)` set on the request is ignored in this mode. No snapshot
    /// bound unless [`snapshot_bound`](Self::snapshot_bound) sets one.
    ///
    /// With a key that changes (`["updated_at", "id"]`) a row updated during the scan moves
    /// behind the cursor and is yielded again with its new values: right for an incremental
    /// sync that wants the latest version, wrong for an export (use [`stable`](Self::stable)).
    pub fn stable_by<I, S>(mut self, keys: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let keys = keys.into_iter().map(Into::into).collect();
        self.mode = Mode::Keyset(StreamCursor::start(keys, None));
        self
    }

    /// In keyset mode, bounds the stream by `column <= T0`, `T0` being the column's newest value
    /// when the stream starts (read from the server); `None` removes the bound. Use a column
    /// that is set once (`created_at`): a row whose bound column changes past `T0` during the
    /// scan drops out of it. Call after [`stable_by`](Self::stable_by).
    pub fn snapshot_bound(mut self, column: Option<&str>) -> Self {
        if let Mode::Keyset(cursor) = &mut self.mode {
            *cursor = StreamCursor::start(cursor.keys.clone(), column.map(str::to_owned));
        }
        self
    }

    /// Resumes a stable stream after `cursor` (from [`Page::cursor`], [`Error::resume_cursor`]
    /// or [`StreamCursor::from_token`]): same keys, same snapshot bound, starting right after
    /// the last item yielded. Use the same filter as the first run.
    pub fn resume_from(mut self, cursor: &StreamCursor) -> Self {
        self.mode = Mode::Keyset(cursor.clone());
        self
    }

    fn checked_limit(&self) -> Result<u32> {
        let limit = self.limit.unwrap_or(MAX_PAGE_SIZE);
        if (1..=MAX_PAGE_SIZE).contains(&limit) {
            Ok(limit)
        } else {
            Err(Error::invalid(format!(
                "limit must be between 1 and {MAX_PAGE_SIZE}, got {limit}"
            ))
            .with_request(&http::Method::GET, self.op.path))
        }
    }

    fn page_query(&self, default_order: Option<&str>) -> Result<PageQuery> {
        let limit = self.checked_limit()?;
        let mut query = self.query.clone();
        if query.order().is_none() {
            query.set_order(default_order.map(str::to_owned));
        }
        Ok(PageQuery {
            client: self.client.clone(),
            op: self.op,
            query,
            limit,
        })
    }

    /// Fetches one page (`limit` items from `offset`).
    pub async fn send(self) -> Result<Page<T>> {
        let query = self.page_query(None)?;
        query.fetch::<T>(self.offset).await
    }

    /// Fetches the object with this id (`id=eq.<id>`); a typed
    /// [`ErrorKind::NotFound`](crate::ErrorKind::NotFound) when nothing matches.
    pub async fn fetch_by_id(self, id: impl fmt::Display) -> Result<T> {
        let id = id.to_string();
        let page = self
            .raw_filter("id", format!("eq.{id}"))
            .limit(1)
            .offset(0)
            .send()
            .await?;
        match page.items.into_iter().next() {
            Some(item) if page.count > 0 => Ok(item),
            _ => Err(Error::not_found_id(id)),
        }
    }

    /// Every matching item, in the server's order, as a stream.
    ///
    /// By default it pages by offset: pages of 200 (or `limit`); once `count` is known the next
    /// pages are prefetched with bounded concurrency, so memory stays bounded by concurrency x
    /// page size. A token refresh mid-stream replays only the failed page. On an error the
    /// stream yields it with [`Error::resume_offset`]; polling again retries that page.
    ///
    /// **Offset paging is not safe for full scans of changing data**: a row inserted or
    /// deleted before the current offset shifts every later page, so rows are skipped or
    /// repeated. For exports and syncs call [`stable`](Self::stable) first (a snapshot: each
    /// row exactly once, with a resumable cursor).
    pub fn stream(self) -> BoxStream<'static, Result<T>> {
        item_stream(self.pages())
    }

    /// Every page, in order (see [`stream`](Self::stream)).
    pub fn pages(self) -> BoxStream<'static, Result<Page<T>>> {
        let concurrency = self
            .concurrency
            .unwrap_or_else(|| self.client.page_concurrency());
        match self.mode.clone() {
            Mode::Offset => match self.page_query(Some(DEFAULT_STREAM_ORDER)) {
                Ok(query) => offset_pages(Arc::new(query), self.offset, concurrency),
                Err(e) => Box::pin(futures_util::stream::once(async move { Err(e) })),
            },
            Mode::Keyset(cursor) => match self.page_query(None) {
                Ok(query) if !cursor.keys.is_empty() => keyset_pages(Arc::new(query), cursor),
                Ok(_) => Box::pin(futures_util::stream::once(async {
                    Err(Error::invalid("stable mode needs at least one key column"))
                })),
                Err(e) => Box::pin(futures_util::stream::once(async move { Err(e) })),
            },
        }
    }
}
