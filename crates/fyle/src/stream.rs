//! Page fetching and the two pagers behind `ListRequest::stream`: by offset (with bounded
//! prefetch) and by keyset (stable under inserts and deletes).

use std::sync::Arc;

use futures::future::BoxFuture;
use futures::stream::{self, BoxStream, FuturesOrdered, StreamExt};
use fyle_models::lenient::{self, Decoded};
use fyle_models::operations::Operation;
use fyle_models::query::{Filter, Literal};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use serde_json::value::RawValue;

use crate::client::Client;
use crate::envelope::{decode_with, log_warnings, non_json_body};
use crate::error::{Error, Result};
use crate::execute::call_for;
use crate::list::Page;

/// Everything needed to fetch one page at some offset.
pub(crate) struct PageQuery {
    pub(crate) client: Client,
    pub(crate) op: &'static Operation,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) order: Option<String>,
    pub(crate) limit: u32,
}

impl PageQuery {
    fn pairs(&self, offset: u64, order: Option<&str>) -> Vec<(String, String)> {
        let mut pairs = self.query.clone();
        if let Some(order) = order {
            pairs.push(("order".to_owned(), order.to_owned()));
        }
        pairs.push(("offset".to_owned(), offset.to_string()));
        pairs.push(("limit".to_owned(), self.limit.to_string()));
        pairs
    }

    async fn fetch_body(&self, pairs: Vec<(String, String)>) -> Result<bytes::Bytes> {
        let mut call = call_for(self.op);
        call.query = pairs;
        let response = self.client.send_call(&call).await?;
        if let Some(e) = non_json_body(&response) {
            return Err(e.with_request(&call.method, self.op.path));
        }
        Ok(response.into_body())
    }

    /// One page at `offset`, in the request's order.
    pub(crate) async fn fetch<T: DeserializeOwned>(&self, offset: u64) -> Result<Page<T>> {
        let pairs = self.pairs(offset, self.order.as_deref());
        let body = self.fetch_body(pairs).await?;
        decode_with::<Page<T>>(self.op.operation_id, &body, self.client.strict_decoding())
            .map(|d| d.value.with_warnings(d.warnings))
            .map_err(|e| e.with_request(&http::Method::GET, self.op.path))
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
            self.next_offset += u64::from(self.query.limit);
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
/// only the last one is also read as JSON for its key values.
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
    keys: Vec<String>,
    /// The key values of the last item yielded.
    cursor: Option<Vec<Value>>,
    done: bool,
    yielded: u64,
    _item: std::marker::PhantomData<fn() -> T>,
}

fn key_literal(key: &str, value: &Value) -> Result<Literal> {
    match value {
        Value::String(s) => Ok(Literal::new(s.clone())),
        Value::Number(n) => Ok(Literal::new(n.to_string())),
        Value::Bool(b) => Ok(Literal::new(b.to_string())),
        Value::Null => Err(Error::invalid(format!(
            "stable mode: key column `{key}` is null on an item; page by non-null key columns"
        ))),
        _ => Err(Error::invalid(format!(
            "stable mode: key column `{key}` is not a scalar"
        ))),
    }
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

/// Adds the cursor condition to a page's query without repeating a top-level key. A server
/// that reads one value per key (the first or the last, as many web frameworks do) would
/// otherwise drop either the caller's condition or the cursor, and page forever or skip rows.
/// A clause whose key is taken goes inside an `and=(..)` group: the caller's own when there is
/// one, else a new one.
pub(crate) fn add_cursor(pairs: &mut Vec<(String, String)>, cursor: &Filter) {
    for clause in cursor.clauses() {
        let (key, value) = clause.to_query_pair();
        if !pairs.iter().any(|(k, _)| *k == key) {
            pairs.push((key, value));
            continue;
        }
        // `(inner)`: the clause printed in group form (one pair, always).
        let grouped = Filter::new().and(|g| g.clause(clause.clone()));
        let Some((_, group)) = grouped.to_query_pairs().into_iter().next() else {
            pairs.push((key, value));
            continue;
        };
        let existing = pairs
            .iter_mut()
            .find(|(k, v)| k == "and" && v.starts_with('(') && v.ends_with(')') && v.len() > 2);
        match existing {
            Some((_, value)) => {
                value.pop();
                value.push(',');
                value.push_str(&group[1..]);
            }
            None => pairs.push(("and".to_owned(), group)),
        }
    }
}

impl<T: DeserializeOwned + Send + 'static> KeysetPager<T> {
    async fn next_page(&mut self) -> Option<Result<Page<T>>> {
        if self.done {
            return None;
        }
        let order = self
            .keys
            .iter()
            .map(|k| format!("{k}.asc"))
            .collect::<Vec<_>>()
            .join(",");
        let mut pairs = self.query.pairs(0, Some(&order));
        if let Some(cursor) = &self.cursor {
            match keyset_filter(&self.keys, cursor) {
                Ok(filter) => add_cursor(&mut pairs, &filter),
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            }
        }
        // On an error the cursor is unchanged: polling again retries the same page.
        let body = match self.query.fetch_body(pairs).await {
            Ok(b) => b,
            Err(e) => return Some(Err(e.with_resume_offset(self.yielded))),
        };
        let op = self.query.op;
        let de = &mut serde_json::Deserializer::from_slice(&body);
        let raw: RawPage<'_> = match serde_path_to_error::deserialize(de) {
            Ok(r) => r,
            Err(e) => {
                let err = Error::decode(op.operation_id, &e, &body);
                return Some(Err(err.with_request(&http::Method::GET, op.path)));
            }
        };
        if raw.data.len() < self.query.limit as usize {
            self.done = true;
        }
        let Some(last) = raw.data.last() else {
            self.done = true;
            return None;
        };
        // Valid JSON (the page parsed), so only a non-object fails the lookups below.
        let last: Value = serde_json::from_str(last.get()).unwrap_or(Value::Null);
        let mut cursor = Vec::with_capacity(self.keys.len());
        for key in &self.keys {
            let Some(v) = last.get(key) else {
                self.done = true;
                return Some(Err(Error::invalid(format!(
                    "stable mode: the items of {} have no `{key}` field",
                    op.path
                ))));
            };
            cursor.push(v.clone());
        }
        let strict = self.query.client.strict_decoding();
        let mut items = Vec::with_capacity(raw.data.len());
        let mut warnings = Vec::new();
        for (i, item) in raw.data.into_iter().enumerate() {
            let json = item.get().as_bytes();
            let decoded = if strict {
                lenient::decode_strict::<T>(json).map(|value| Decoded {
                    value,
                    warnings: Vec::new(),
                })
            } else {
                lenient::decode::<T>(json)
            };
            match decoded {
                Ok(d) => {
                    items.push(d.value);
                    let at = format!("data[{i}]");
                    warnings.extend(d.warnings.into_iter().map(|w| w.at(&at)));
                }
                Err(e) => {
                    self.done = true;
                    let at = format!("data[{i}]");
                    let err = Error::decode_at(op.operation_id, &at, &e, json);
                    return Some(Err(err.with_request(&http::Method::GET, op.path)));
                }
            }
        }
        log_warnings(op.operation_id, &warnings);
        self.cursor = Some(cursor);
        self.yielded += items.len() as u64;
        Some(Ok(
            Page::new(raw.count, raw.offset, items).with_warnings(warnings)
        ))
    }
}

/// Pages by the key columns `keys` (ascending), each page after the last key seen.
pub(crate) fn keyset_pages<T: DeserializeOwned + Send + 'static>(
    query: Arc<PageQuery>,
    keys: Vec<String>,
) -> BoxStream<'static, Result<Page<T>>> {
    let pager = KeysetPager::<T> {
        query,
        keys,
        cursor: None,
        done: false,
        yielded: 0,
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

    #[test]
    fn the_cursor_never_repeats_a_top_level_key() {
        let keys = vec!["updated_at".to_owned(), "id".to_owned()];
        let cursor = keyset_filter(&keys, &[Value::from("T1"), Value::from("tx1")]).expect("f");
        let group = "or=(updated_at.gt.T1,and=(updated_at.eq.T1,id.gt.tx1))";

        // No clash: its own pair.
        let mut query = pairs(&[("state", "eq.PAID")]);
        add_cursor(&mut query, &cursor);
        assert_eq!(query[1].0, "or");

        // The caller has an `or`: the cursor goes into a new `and` group.
        let mut query = pairs(&[("or", "(a.eq.1,b.eq.2)")]);
        add_cursor(&mut query, &cursor);
        assert_eq!(
            query,
            pairs(&[("or", "(a.eq.1,b.eq.2)"), ("and", &format!("({group})"))])
        );

        // The caller has an `or` and an `and`: the cursor joins the caller's group.
        let mut query = pairs(&[("or", "(a.eq.1,b.eq.2)"), ("and", "(c.lt.3)")]);
        add_cursor(&mut query, &cursor);
        assert_eq!(
            query,
            pairs(&[
                ("or", "(a.eq.1,b.eq.2)"),
                ("and", &format!("(c.lt.3,{group})"))
            ])
        );

        // One key clashing with the caller's condition on the same column.
        let one = keyset_filter(&keys[1..], &[Value::from("tx1")]).expect("f");
        let mut query = pairs(&[("id", "gte.tx0")]);
        add_cursor(&mut query, &one);
        assert_eq!(query, pairs(&[("id", "gte.tx0"), ("and", "(id.gt.tx1)")]));
        // Whatever the grouping, it parses back to the same conditions.
        let parsed = Filter::parse_query_pairs(&query).expect("parse");
        assert_eq!(parsed.len(), 2);
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
