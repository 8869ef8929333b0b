//! Page fetching and the two pagers behind `ListRequest::stream`: by offset (with bounded
//! prefetch) and by keyset (a snapshot: stable under inserts, updates and deletes, with a
//! resumable cursor).
//!
//! Every page's query is the request's [`Query`]: the caller's clauses, then the snapshot bound
//! and the keyset cursor as clauses of the same AST ([`Query::with_clauses`]), printed to query
//! pairs only when the pipeline builds the URI.

use std::sync::Arc;

use futures_util::future::BoxFuture;
use futures_util::stream::{self, BoxStream, FuturesOrdered, StreamExt};
use fyle_models::lenient::{self, Decoded};
use fyle_models::operations::Operation;
use fyle_models::query::{Clause, Filter, Literal};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use serde_json::value::RawValue;

use crate::client::Client;
use crate::cursor::{PagingError, StreamCursor};
use crate::envelope::{log_warnings, non_json_body};
use crate::error::{Error, ErrorKind, Result};
use crate::execute::call_for;
use crate::list::Page;
use crate::pipeline::Call;
use crate::request::Query;

/// Everything needed to fetch one page at some offset.
pub(crate) struct PageQuery {
    pub(crate) client: Client,
    pub(crate) op: &'static Operation,
    /// The caller's filter (typed), other parameters and order.
    pub(crate) query: Query,
    pub(crate) limit: u32,
}

impl PageQuery {
    /// The call of one page: the query with `extra` clauses, `order` (instead of the
    /// request's), `offset` and `limit`.
    fn page_call(&self, extra: Vec<Clause>, offset: u64, order: Option<&str>, limit: u32) -> Call {
        let mut query = self.query.with_clauses(extra);
        query.set_order(order.map(str::to_owned));
        let mut call = call_for(self.op);
        call.query = query.page(offset, limit);
        call
    }

    /// The JSON body of a page (the keyset pager reads its items as raw JSON).
    async fn fetch_body(&self, call: &Call) -> Result<bytes::Bytes> {
        let response = self.client.send_call(call).await?;
        if let Some(e) = non_json_body(&response) {
            return Err(e.with_request(&call.method, self.op.path));
        }
        Ok(response.into_body())
    }

    fn paging_error(&self, e: PagingError) -> Error {
        Error::new(ErrorKind::Paging(e)).with_request(&http::Method::GET, self.op.path)
    }

    /// Refuses a page with more items than asked for: a broken or hostile server must not make
    /// a stream hold more than `limit` items per page.
    fn check_cap(&self, items: usize) -> Result<()> {
        if items > self.limit as usize {
            return Err(self.paging_error(PagingError::TooManyItems {
                items,
                limit: self.limit,
            }));
        }
        Ok(())
    }

    /// One page at `offset`, in the request's order.
    pub(crate) async fn fetch<T: DeserializeOwned>(&self, offset: u64) -> Result<Page<T>> {
        let call = self.page_call(Vec::new(), offset, self.query.order(), self.limit);
        let page = self
            .client
            .send_op::<Page<T>>(self.op, &call)
            .await
            .map(|d| d.value.with_warnings(d.warnings))?;
        self.check_cap(page.items.len())?;
        Ok(page)
    }
}

/// Items from pages; an error is passed through (the pager decides whether polling again
/// retries).
pub(crate) fn item_stream<T: Send + 'static>(
    pages: BoxStream<'static, Result<Page<T>>>,
) -> BoxStream<'static, Result<T>> {
    pages
        .flat_map(|page| match page {
            Ok(page) => stream::iter(page.items.into_iter().map(Ok)).left_stream(),
            Err(e) => stream::once(async move { Err(e) }).right_stream(),
        })
        .boxed()
}

type PageFuture<T> = BoxFuture<'static, (u64, Result<Page<T>>)>;

struct OffsetPager<T> {
    query: Arc<PageQuery>,
    next_offset: u64,
    count: Option<u64>,
    /// A short or empty page was seen: schedule nothing more.
    exhausted: bool,
    in_flight: FuturesOrdered<PageFuture<T>>,
    concurrency: usize,
    retry: Option<u64>,
}

impl<T: DeserializeOwned + Send + 'static> OffsetPager<T> {
    fn fetch(&self, offset: u64) -> PageFuture<T> {
        let query = Arc::clone(&self.query);
        Box::pin(async move { (offset, query.fetch::<T>(offset).await) })
    }

    fn should_schedule(&self) -> bool {
        if self.exhausted {
            return false;
        }
        match self.count {
            Some(count) => self.next_offset < count,
            // Before the first page: only the first one.
            None => self.in_flight.is_empty(),
        }
    }

    async fn next_page(&mut self) -> Option<Result<Page<T>>> {
        if let Some(offset) = self.retry.take() {
            let fut = self.fetch(offset);
            self.in_flight.push_front(fut);
        }
        let max = if self.count.is_some() {
            self.concurrency
        } else {
            1
        };
        while self.in_flight.len() < max && self.should_schedule() {
            let fut = self.fetch(self.next_offset);
            self.in_flight.push_back(fut);
            self.next_offset = self.next_offset.saturating_add(u64::from(self.query.limit));
        }
        let (offset, result) = self.in_flight.next().await?;
        match result {
            Err(e) => {
                self.retry = Some(offset);
                Some(Err(e.with_resume_offset(offset)))
            }
            Ok(page) => {
                self.count = Some(page.count);
                if page.items.len() < self.query.limit as usize {
                    // The end: later pages (if any were in flight) are past it.
                    self.exhausted = true;
                    self.in_flight = FuturesOrdered::new();
                }
                if page.items.is_empty() {
                    return None;
                }
                Some(Ok(page))
            }
        }
    }
}

/// Pages by offset from `start`, prefetching up to `concurrency` pages once `count` is known.
pub(crate) fn offset_pages<T: DeserializeOwned + Send + 'static>(
    query: Arc<PageQuery>,
    start: u64,
    concurrency: usize,
) -> BoxStream<'static, Result<Page<T>>> {
    let pager = OffsetPager::<T> {
        query,
        next_offset: start,
        count: None,
        exhausted: false,
        in_flight: FuturesOrdered::new(),
        concurrency: concurrency.max(1),
        retry: None,
    };
    stream::unfold(pager, |mut pager| async move {
        pager.next_page().await.map(|page| (page, pager))
    })
    .boxed()
}

/// A page whose items are kept as raw JSON text: each is decoded once, straight into `T`, and
/// only its key values are also read as JSON.
#[derive(Deserialize)]
struct RawPage<'a> {
    count: u64,
    #[serde(default)]
    offset: u64,
    #[serde(borrow)]
    data: Vec<&'a RawValue>,
}

struct KeysetPager<T> {
    query: Arc<PageQuery>,
    /// Keys, snapshot bound and the key of the last item yielded.
    cursor: StreamCursor,
    done: bool,
    /// Pages fetched so far (for the error naming the page that did not advance).
    pages: u64,
    /// A response's `count` exceeded its items, so `count` counts the matching rows rather
    /// than echoing the page's length: from then on a page holding `count` items is the last.
    count_counts: bool,
    _item: std::marker::PhantomData<fn() -> T>,
}

fn key_literal(key: &str, value: &Value) -> Result<Literal> {
    match value {
        Value::String(s) => Ok(Literal::new(s.clone())),
        Value::Number(n) => Ok(Literal::new(n.to_string())),
        Value::Bool(b) => Ok(Literal::new(b.to_string())),
        Value::Null => Err(bad_key(
            key,
            "is null on an item; page by non-null key columns",
        )),
        _ => Err(bad_key(key, "is not a scalar")),
    }
}

fn bad_key(column: &str, problem: &'static str) -> Error {
    Error::new(ErrorKind::Paging(PagingError::BadKey {
        column: column.to_owned(),
        problem,
    }))
}

/// The condition "key tuple > cursor" as a filter, printed in Fyle's documented group syntax:
/// `or=(k1.gt.v1,and=(k1.eq.v1,k2.gt.v2))`; one key is just `k1=gt.v1`.
pub(crate) fn keyset_filter(keys: &[String], cursor: &[Value]) -> Result<Filter> {
    let literals = keys
        .iter()
        .zip(cursor)
        .map(|(k, v)| key_literal(k, v))
        .collect::<Result<Vec<_>>>()?;
    if let ([key], [value]) = (keys, literals.as_slice()) {
        return Ok(Filter::new().gt(key.as_str(), value.clone()));
    }
    Ok(Filter::new().or(|mut group| {
        for i in 0..keys.len() {
            if i == 0 {
                group = group.gt(keys[0].as_str(), literals[0].clone());
            } else {
                group = group.and(|mut all| {
                    for j in 0..i {
                        all = all.eq(keys[j].as_str(), literals[j].clone());
                    }
                    all.gt(keys[i].as_str(), literals[i].clone())
                });
            }
        }
        group
    }))
}

/// The values of `keys` on one item (a JSON object).
fn item_keys(item: &RawValue, keys: &[String]) -> Result<Vec<Value>> {
    // Valid JSON (the page parsed), so only a non-object fails the lookups below.
    let value: Value = serde_json::from_str(item.get()).unwrap_or(Value::Null);
    keys.iter()
        .map(|key| match value.get(key) {
            None => Err(bad_key(key, "is missing on an item")),
            Some(v) => key_literal(key, v).map(|_| v.clone()),
        })
        .collect()
}

impl<T: DeserializeOwned + Send + 'static> KeysetPager<T> {
    fn order(&self) -> String {
        self.cursor
            .keys
            .iter()
            .map(|k| format!("{k}.asc"))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Reads `T0`, the newest value of the bound column among the matching rows, unless the
    /// cursor already holds it. `Ok(false)`: nothing matches, the stream is empty.
    async fn read_bound(&mut self) -> Result<bool> {
        let Some(bound) = &self.cursor.bound else {
            return Ok(true);
        };
        if bound.at.is_some() {
            return Ok(true);
        }
        let column = bound.column.clone();
        let order = format!("{column}.desc");
        let call = self.query.page_call(Vec::new(), 0, Some(&order), 1);
        let body = self.query.fetch_body(&call).await?;
        let raw: RawPage<'_> = self.parse(&body)?;
        self.note_count(&raw);
        let Some(newest) = raw.data.first() else {
            return Ok(false);
        };
        let Ok(mut values) = item_keys(newest, std::slice::from_ref(&column)) else {
            // A resource without the column: each row is still yielded once (the keys are
            // unchanged), only rows created during the scan may be included.
            tracing::warn!(
                path = self.query.op.path,
                column = %column,
                "stable mode: the items have no usable snapshot column; paging without the bound"
            );
            self.cursor.bound = None;
            return Ok(true);
        };
        let at = match values.pop() {
            Some(Value::String(s)) => s,
            Some(other) => other.to_string(),
            None => return Err(bad_key(&column, "is missing on an item")),
        };
        if let Some(bound) = &mut self.cursor.bound {
            bound.at = Some(at);
        }
        Ok(true)
    }

    fn parse<'b>(&self, body: &'b [u8]) -> Result<RawPage<'b>> {
        let op = self.query.op;
        let de = &mut serde_json::Deserializer::from_slice(body);
        serde_path_to_error::deserialize(de).map_err(|e| {
            Error::decode(op.operation_id, &e, body).with_request(&http::Method::GET, op.path)
        })
    }

    /// The bound and cursor conditions of the next page.
    fn conditions(&self) -> Result<Vec<Clause>> {
        let mut extra = Vec::new();
        if let Some(bound) = &self.cursor.bound
            && let Some(at) = &bound.at
        {
            extra.push(Clause::from(fyle_models::query::Condition::new(
                bound.column.as_str(),
                fyle_models::query::Operator::Lte,
                Literal::new(at.clone()),
            )));
        }
        if let Some(last) = &self.cursor.last {
            extra.extend(keyset_filter(&self.cursor.keys, last)?.into_clauses());
        }
        Ok(extra)
    }

    /// One page after the cursor. On an error the cursor is unchanged: polling again retries
    /// the same page.
    async fn fetch_page(&mut self) -> Result<Option<Page<T>>> {
        if !self.read_bound().await? {
            return Ok(None);
        }
        let extra = self.conditions()?;
        let order = self.order();
        let call = self
            .query
            .page_call(extra, 0, Some(&order), self.query.limit);
        let body = self.query.fetch_body(&call).await?;
        self.pages += 1;
        let raw = self.parse(&body)?;
        self.query.check_cap(raw.data.len())?;
        let last_page = self.is_last(&raw);
        let Some(last) = raw.data.last() else {
            return Ok(None);
        };
        let last = item_keys(last, &self.cursor.keys)?;
        self.check_advance(raw.data.first().copied(), &last)?;
        let op = self.query.op;
        let strict = self.query.client.strict_decoding();
        let mut items = Vec::with_capacity(raw.data.len());
        let mut warnings = Vec::new();
        for (i, item) in raw.data.iter().enumerate() {
            let at = format!("data[{i}]");
            let d = decode_item::<T>(item.get().as_bytes(), strict).map_err(|e| {
                Error::decode_at(op.operation_id, &at, &e, item.get().as_bytes())
                    .with_request(&http::Method::GET, op.path)
            })?;
            items.push(d.value);
            warnings.extend(d.warnings.into_iter().map(|w| w.at(&at)));
        }
        log_warnings(op.operation_id, &warnings);
        self.cursor.last = Some(last);
        if last_page {
            self.done = true;
        }
        let mut page = Page::new(raw.count, raw.offset, items).with_warnings(warnings);
        page.cursor = Some(self.cursor.clone());
        Ok(Some(page))
    }

    /// Remembers whether `count` is a count of matching rows (see `count_counts`).
    fn note_count(&mut self, raw: &RawPage<'_>) {
        if raw.count > raw.data.len() as u64 {
            self.count_counts = true;
        }
    }

    /// Whether `raw` ends the stream: a short page, or (once `count` has proved to count
    /// rows) a page holding every row its query matched. A keyset page's query is "after the
    /// cursor, up to the bound", so its `count` is of the rows left; the snapshot only shrinks
    /// (updated rows move past the bound, new rows start past it), so none can follow (without
    /// a bound, rows created meanwhile may be left out, as they may be anyway). This saves the
    /// empty page after a last full one.
    fn is_last(&mut self, raw: &RawPage<'_>) -> bool {
        let items = raw.data.len();
        let all_counted = self.count_counts && raw.count <= items as u64;
        self.note_count(raw);
        items < self.query.limit as usize || all_counted
    }

    /// A page must move past the cursor: its first and last keys differ from the last key
    /// yielded. A server that ignores the cursor answers the first page again, and is caught
    /// on the second page.
    fn check_advance(&self, first: Option<&RawValue>, last: &[Value]) -> Result<()> {
        let Some(previous) = &self.cursor.last else {
            return Ok(());
        };
        let first = match first {
            Some(item) => item_keys(item, &self.cursor.keys)?,
            None => return Ok(()),
        };
        if first == *previous || last == previous.as_slice() {
            return Err(self
                .query
                .paging_error(PagingError::CursorNotAdvanced { page: self.pages }));
        }
        Ok(())
    }

    async fn next_page(&mut self) -> Option<Result<Page<T>>> {
        if self.done {
            return None;
        }
        match self.fetch_page().await {
            Ok(Some(page)) => Some(Ok(page)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                // A broken paging contract or key never heals: end after reporting it.
                if matches!(e.kind(), ErrorKind::Paging(_) | ErrorKind::Decode(_)) {
                    self.done = true;
                }
                Some(Err(e.with_resume_cursor(self.cursor.clone())))
            }
        }
    }
}

/// Decodes one item of a page on its own: lenient unless `strict` (see `envelope::decode_with`).
fn decode_item<T: DeserializeOwned>(
    json: &[u8],
    strict: bool,
) -> std::result::Result<Decoded<T>, lenient::DecodeError> {
    if strict {
        return lenient::decode_strict(json).map(|value| Decoded {
            value,
            warnings: Vec::new(),
        });
    }
    lenient::decode(json)
}

/// Pages by the cursor's key columns (ascending), each page after the cursor's last key.
pub(crate) fn keyset_pages<T: DeserializeOwned + Send + 'static>(
    query: Arc<PageQuery>,
    cursor: StreamCursor,
) -> BoxStream<'static, Result<Page<T>>> {
    let pager = KeysetPager::<T> {
        query,
        cursor,
        done: false,
        pages: 0,
        count_counts: false,
        _item: std::marker::PhantomData,
    };
    stream::unfold(pager, |mut pager| async move {
        pager.next_page().await.map(|page| (page, pager))
    })
    .boxed()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::with_clauses;

    #[test]
    fn keyset_filter_uses_the_documented_group_syntax() {
        let keys = vec!["updated_at".to_owned(), "id".to_owned()];
        let cursor = vec![
            Value::from("2024-01-01T00:00:00.000+00:00"),
            Value::from("tx1"),
        ];
        let pairs = keyset_filter(&keys, &cursor)
            .expect("filter")
            .to_query_pairs();
        assert_eq!(
            pairs,
            vec![(
                "or".to_owned(),
                "(updated_at.gt.2024-01-01T00:00:00.000+00:00,and=(updated_at.eq.2024-01-01T00:00:00.000+00:00,id.gt.tx1))".to_owned()
            )]
        );
        let pairs = keyset_filter(&keys[1..], &cursor[1..])
            .expect("filter")
            .to_query_pairs();
        assert_eq!(pairs, vec![("id".to_owned(), "gt.tx1".to_owned())]);
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn filter(list: &[(&str, &str)]) -> Filter {
        Filter::parse_query_pairs(&pairs(list)).expect("a filter")
    }

    #[test]
    fn the_cursor_never_repeats_a_top_level_key() {
        let keys = vec!["updated_at".to_owned(), "id".to_owned()];
        let cursor = keyset_filter(&keys, &[Value::from("T1"), Value::from("tx1")]).expect("f");
        let group = "or=(updated_at.gt.T1,and=(updated_at.eq.T1,id.gt.tx1))";
        let add = |f: Filter, c: &Filter| with_clauses(&f, c.clauses().to_vec(), &[]);

        // No clash: its own pair.
        let query = add(filter(&[("state", "eq.PAID")]), &cursor).to_query_pairs();
        assert_eq!(query[1].0, "or");

        // The caller has an `or`: the cursor goes into a new `and` group.
        let query = add(filter(&[("or", "(a.eq.1,b.eq.2)")]), &cursor).to_query_pairs();
        assert_eq!(
            query,
            pairs(&[("or", "(a.eq.1,b.eq.2)"), ("and", &format!("({group})"))])
        );

        // The caller has an `or` and an `and`: the cursor joins the caller's group.
        let caller = filter(&[("or", "(a.eq.1,b.eq.2)"), ("and", "(c.lt.3)")]);
        let query = add(caller, &cursor).to_query_pairs();
        assert_eq!(
            query,
            pairs(&[
                ("or", "(a.eq.1,b.eq.2)"),
                ("and", &format!("(c.lt.3,{group})"))
            ])
        );

        // One key clashing with the caller's condition on the same column.
        let one = keyset_filter(&keys[1..], &[Value::from("tx1")]).expect("f");
        let query = add(filter(&[("id", "gte.tx0")]), &one).to_query_pairs();
        assert_eq!(query, pairs(&[("id", "gte.tx0"), ("and", "(id.gt.tx1)")]));
        // Whatever the grouping, it parses back to the same conditions.
        let parsed = Filter::parse_query_pairs(&query).expect("parse");
        assert_eq!(parsed.len(), 2);

        // A key taken by another query parameter also goes into the group.
        let query = with_clauses(&Filter::new(), one.clauses().to_vec(), &["id"]);
        assert_eq!(query.to_query_pairs(), pairs(&[("and", "(id.gt.tx1)")]));
    }

    #[test]
    fn keyset_values_with_separators_round_trip() {
        let keys = vec!["name".to_owned(), "id".to_owned()];
        let cursor = vec![Value::from("a,b (c)"), Value::from(7)];
        let filter = keyset_filter(&keys, &cursor).expect("filter");
        let parsed = Filter::parse_query_pairs(&filter.to_query_pairs()).expect("parse");
        assert_eq!(parsed, filter);
        assert!(keyset_filter(&keys, &[Value::Null, Value::from(1)]).is_err());
    }
}
