//! List endpoints: parse the query, scope by role, filter, order, page, count.
//!
//! A filtered and ordered result is cached per (org, resource, viewer, filter, order, q) until the
//! org's next write, so paging through a large result costs one scan plus one slice per page.
//! A keyset page (a cursor condition over the order's keys) seeks in the cached result of the
//! rest of its filter (see [`keyset`]). Any other filtered first page is answered without
//! sorting every match: the page is selected from the matches and nothing is cached. Rows are
//! filtered and sorted as stored, and only materialized when the query reads an embedded object
//! or a defaulted column the stored row lacks; a page is serialized straight from the stored rows
//! (see `OrgData::served`), so serving it copies no row.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use fyle_models::query::{Clause, Filter, ListQuery, Order};
use serde::Serialize;
use serde_json::Value;

use crate::errors::ApiError;
use crate::keyset;
use crate::query_eval;
use crate::store::{OrgData, Resource, Row, Served};

/// Default page size when `limit` is absent (Fyle's default).
const DEFAULT_LIMIT: u64 = 50;
/// Largest page Fyle serves.
pub(crate) const MAX_LIMIT: u64 = 200;
/// Cached results kept at most.
const CACHE_CAPACITY: usize = 64;

/// Which rows a viewer may see.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Scope {
    /// Every row of the org (admin, or a resource that is not owned by users).
    All,
    /// Rows whose `user_id` is one of these (spender: self; approver: approvees).
    Users(Vec<String>),
}

impl Scope {
    pub(crate) fn admits(&self, row: &Value) -> bool {
        match self {
            Scope::All => true,
            Scope::Users(users) => row
                .get("user_id")
                .and_then(Value::as_str)
                .is_some_and(|u| users.iter().any(|x| x == u)),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct CacheKey {
    org_id: String,
    resource: Resource,
    scope: Scope,
    filter: Filter,
    order: Option<Order>,
    q: Option<String>,
}

#[derive(Debug)]
struct Cached {
    version: u64,
    rows: Arc<Evaluated>,
    last_used: u64,
}

/// A filtered and ordered result.
#[derive(Debug)]
struct Evaluated {
    rows: Vec<Row>,
    /// Whether every row has a non-null value for every order key, so that a keyset cursor
    /// condition is false then true along `rows` and a binary search finds where it turns.
    keys_present: bool,
}

/// The result cache.
#[derive(Debug, Default)]
pub(crate) struct ListCache {
    entries: Mutex<(HashMap<CacheKey, Cached>, u64)>,
}

impl ListCache {
    fn get(&self, key: &CacheKey, version: u64) -> Option<Arc<Evaluated>> {
        let mut g = self
            .entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        g.1 += 1;
        let tick = g.1;
        let entry = g.0.get_mut(key)?;
        if entry.version != version {
            return None;
        }
        entry.last_used = tick;
        Some(Arc::clone(&entry.rows))
    }

    fn put(&self, key: CacheKey, version: u64, rows: Arc<Evaluated>) {
        let mut g = self
            .entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        g.1 += 1;
        let tick = g.1;
        let (map, _) = &mut *g;
        map.retain(|_, c| c.version == version || c.last_used + 16 > tick);
        if map.len() >= CACHE_CAPACITY
            && let Some(oldest) = map
                .iter()
                .min_by_key(|(_, c)| c.last_used)
                .map(|(k, _)| k.clone())
        {
            map.remove(&oldest);
        }
        map.insert(
            key,
            Cached {
                version,
                rows,
                last_used: tick,
            },
        );
    }
}

/// A parsed list request.
#[derive(Debug)]
pub(crate) struct ListParams {
    pub(crate) query: ListQuery,
    pub(crate) offset: u64,
    pub(crate) limit: u64,
}

/// Parses and range-checks the query of a list request.
pub(crate) fn parse_params(pairs: &[(String, String)]) -> Result<ListParams, ApiError> {
    let query = ListQuery::from_query_pairs(pairs)
        .map_err(|e| ApiError::InvalidQuery(format!("invalid query: {e}")))?;
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::InvalidQuery(format!(
            "limit must be between 1 and {MAX_LIMIT}, got {limit}"
        )));
    }
    let offset = query.offset.unwrap_or(0);
    Ok(ListParams {
        query,
        offset,
        limit,
    })
}

/// Columns a filter or order mentions (first path segments, plus raw keys).
fn columns(filter: &Filter, order: Option<&Order>) -> HashSet<String> {
    fn walk(clauses: &[Clause], out: &mut HashSet<String>) {
        for c in clauses {
            match c {
                Clause::Condition(c) => {
                    out.insert(c.path().column().to_owned());
                }
                Clause::And(inner) | Clause::Or(inner) => walk(inner, out),
                Clause::Raw { key, .. } => {
                    out.insert(key.split("->").next().unwrap_or_default().to_owned());
                }
            }
        }
    }
    let mut out = HashSet::new();
    walk(filter.clauses(), &mut out);
    if let Some(order) = order {
        for k in order.keys() {
            out.insert(k.path.column().to_owned());
        }
    }
    out
}

/// Whether a raw clause (whose columns are not known before it is parsed) appears anywhere.
fn has_raw(clauses: &[Clause]) -> bool {
    clauses.iter().any(|c| match c {
        Clause::Raw { .. } => true,
        Clause::And(inner) | Clause::Or(inner) => has_raw(inner),
        Clause::Condition(_) => false,
    })
}

/// Case-insensitive free-text match over the row's top-level strings.
pub(crate) fn matches_q(row: &Value, q: &str) -> bool {
    let q = q.to_lowercase();
    row.as_object().is_some_and(|m| {
        m.values()
            .any(|v| v.as_str().is_some_and(|s| s.to_lowercase().contains(&q)))
    })
}

/// The body of a list answer.
#[derive(Serialize)]
struct PageBody<'a> {
    count: usize,
    offset: u64,
    data: Vec<PageRow<'a>>,
}

/// A row of a page: materialized already (the query had to read it so), or served from the
/// stored row without copying it.
#[derive(Serialize)]
#[serde(untagged)]
enum PageRow<'a> {
    Full(&'a Value),
    Served(Served<'a>),
}

fn to_body(body: &PageBody<'_>) -> Result<Vec<u8>, ApiError> {
    serde_json::to_vec(body)
        .map_err(|e| ApiError::Internal(format!("could not serialize a page: {e}")))
}

/// Runs a list request against one org and answers `{count, offset, data}` (the JSON body).
pub(crate) fn list(
    cache: &ListCache,
    org: &OrgData,
    resource: Resource,
    scope: Scope,
    params: &ListParams,
) -> Result<Vec<u8>, ApiError> {
    let key = CacheKey {
        org_id: org.org_id.clone(),
        resource,
        scope,
        filter: params.query.filter.clone(),
        order: params.query.order.clone(),
        q: params.query.q.clone(),
    };
    if params.offset == 0
        && let Some(order) = &key.order
        && let Some((rest, cursor)) = keyset::split(&key.filter, order)
    {
        let rest_key = CacheKey {
            filter: rest,
            ..key.clone()
        };
        let sorted = cached(cache, org, resource, rest_key);
        if sorted.keys_present {
            let cols = columns(&Filter::new(), Some(order));
            let full = OrgData::needs_materialize(resource, &cols);
            let from = sorted.rows.partition_point(|row| {
                let matches = |row: &Value| query_eval::clause_matches(&cursor, row);
                !if full {
                    matches(&org.materialize(resource, row))
                } else {
                    matches(row)
                }
            });
            return page(org, resource, &sorted.rows[from..], 0, params);
        }
    }
    if cache.get(&key, org.version).is_none() && params.offset == 0 && !key.filter.is_empty() {
        // A filtered first page that is not a keyset page: select the page without sorting
        // every match, and do not cache a result unlikely to be asked again.
        let matches = matching(org, resource, &key);
        let limit = usize::try_from(params.limit).unwrap_or(usize::MAX);
        let page = match &key.order {
            Some(order) => query_eval::first_by_order(&matches, order, limit, |(full, stored)| {
                full.as_ref().unwrap_or(stored)
            }),
            None => matches.iter().take(limit).cloned().collect(),
        };
        let data = page
            .iter()
            .map(|(full, stored)| match full {
                Some(full) => PageRow::Full(full),
                None => PageRow::Served(org.served(resource, stored)),
            })
            .collect();
        return to_body(&PageBody {
            count: matches.len(),
            offset: params.offset,
            data,
        });
    }
    let offset = usize::try_from(params.offset).unwrap_or(usize::MAX);
    let sorted = cached(cache, org, resource, key);
    page(org, resource, &sorted.rows, offset, params)
}

/// The result of `key`, from the cache or evaluated (and cached).
fn cached(cache: &ListCache, org: &OrgData, resource: Resource, key: CacheKey) -> Arc<Evaluated> {
    if let Some(hit) = cache.get(&key, org.version) {
        return hit;
    }
    let evaluated = Arc::new(evaluate(org, resource, &key));
    cache.put(key, org.version, Arc::clone(&evaluated));
    evaluated
}

/// `{count, offset, data}` for the rows of `result` from `offset`, at most `params.limit`.
fn page(
    org: &OrgData,
    resource: Resource,
    result: &[Row],
    offset: usize,
    params: &ListParams,
) -> Result<Vec<u8>, ApiError> {
    let start = offset.min(result.len());
    let end = start
        .saturating_add(usize::try_from(params.limit).unwrap_or(usize::MAX))
        .min(result.len());
    let data = result[start..end]
        .iter()
        .map(|r| PageRow::Served(org.served(resource, r)))
        .collect();
    to_body(&PageBody {
        count: result.len(),
        offset: params.offset,
        data,
    })
}

/// Counts the rows a filter selects (admin view), for tests and the `count` helper.
pub(crate) fn count(org: &OrgData, resource: Resource, filter: &Filter) -> usize {
    let key = CacheKey {
        org_id: org.org_id.clone(),
        resource,
        scope: Scope::All,
        filter: filter.clone(),
        order: None,
        q: None,
    };
    evaluate(org, resource, &key).rows.len()
}

/// A matching row, with its materialized shape when the query had to read that instead.
type Match = (Option<Value>, Row);

fn evaluate(org: &OrgData, resource: Resource, key: &CacheKey) -> Evaluated {
    let mut rows = matching(org, resource, key);
    let mut keys_present = false;
    if let Some(order) = &key.order {
        query_eval::sort_by_order(&mut rows, order, |(full, stored)| {
            full.as_ref().unwrap_or(stored)
        });
        keys_present = rows.iter().all(|(full, stored)| {
            let row = full.as_ref().unwrap_or(stored);
            order
                .keys()
                .iter()
                .all(|k| query_eval::resolve(row, &k.path).is_some_and(|v| !v.is_null()))
        });
    }
    Evaluated {
        rows: rows.into_iter().map(|(_, r)| r).collect(),
        keys_present,
    }
}

/// The rows the query selects, unordered (table order).
fn matching(org: &OrgData, resource: Resource, key: &CacheKey) -> Vec<Match> {
    let cols = columns(&key.filter, key.order.as_ref());
    let table = org.table(resource);
    // Which rows must be materialized before filtering/sorting: all of them when the query
    // touches an embedded object (or a `q` search or a raw clause meets a defaulted column),
    // otherwise only the rows that lack a stored value for a column whose served default is not
    // null. A stored row that already holds every such column reads the same as its
    // materialized shape for these columns.
    let defaulted = OrgData::defaulted_columns(resource, &cols);
    let all = OrgData::needs_materialize(resource, &cols)
        && (OrgData::needs_embeds(resource, &cols)
            || key.q.is_some()
            || has_raw(key.filter.clauses()));
    let needs_full = |stored: &Value| {
        all || (!defaulted.is_empty()
            && stored
                .as_object()
                .is_none_or(|m| defaulted.iter().any(|k| !m.contains_key(*k))))
    };
    let keep = |full: &Value| {
        key.q.as_deref().is_none_or(|q| matches_q(full, q))
            && (key.filter.is_empty() || query_eval::matches(&key.filter, full))
    };
    table
        .rows
        .values()
        .filter(|r| key.scope.admits(r))
        .filter_map(|r| {
            if needs_full(r) {
                let full = org.materialize(resource, r);
                keep(&full).then(|| (Some(full), Arc::clone(r)))
            } else {
                keep(r).then(|| (None, Arc::clone(r)))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::OrgData;
    use serde_json::json;

    /// The answer of `list` as JSON.
    fn answer(cache: &ListCache, org: &OrgData, params: &ListParams) -> Value {
        let body = list(cache, org, Resource::Expenses, Scope::All, params).expect("a body");
        serde_json::from_slice(&body).expect("JSON")
    }

    /// Expenses whose `updated_at` repeat (three per second), some with `spent_at` missing.
    fn org() -> OrgData {
        let mut org = OrgData::new("orT".into(), "Org".into(), "example.com".into());
        for i in 0..60 {
            let mut row = json!({
                "id": format!("tx{:03}", (i * 37) % 60),
                "updated_at": format!("2026-01-01T00:00:{:02}Z", i / 3),
                "state": if i % 4 == 0 { "DRAFT" } else { "COMPLETE" },
            });
            if i % 7 != 0 {
                row["spent_at"] = json!(format!("2025-12-{:02}T00:00:00Z", 1 + i % 28));
            }
            org.table_mut(Resource::Expenses).insert(row);
        }
        org
    }

    fn request(pairs: &[(&str, String)]) -> ListParams {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect();
        parse_params(&pairs).expect("a valid query")
    }

    /// Every row after each possible cursor (on a row, and between rows), by seeking and by a
    /// plain scan of the same filter, agree on rows and count.
    #[test]
    fn keyset_seek_agrees_with_a_scan() {
        let org = org();
        let cache = ListCache::default();
        let ids: Vec<String> = (0..60).map(|i| format!("tx{i:03}")).collect();
        for second in 0..21 {
            for id in ids
                .iter()
                .step_by(7)
                .chain([&"tx".to_owned(), &"ty".to_owned()])
            {
                let at = format!("2026-01-01T00:00:{second:02}Z");
                let cursor = format!("(updated_at.gt.{at},and(updated_at.eq.{at},id.gt.{id}))");
                let keyset = request(&[
                    ("state", "eq.COMPLETE".to_owned()),
                    ("or", cursor.clone()),
                    ("order", "updated_at.asc,id.asc".to_owned()),
                    ("limit", "7".to_owned()),
                ]);
                let seek = answer(&cache, &org, &keyset);
                // The same query with the order keys repeated is not a cursor over the order:
                // it takes the scan path.
                let scan = request(&[
                    ("state", "eq.COMPLETE".to_owned()),
                    ("or", cursor),
                    ("order", "updated_at.asc,id.asc,id.asc".to_owned()),
                    ("limit", "7".to_owned()),
                ]);
                let scan = answer(&cache, &org, &scan);
                assert_eq!(seek, scan, "after ({at}, {id})");
            }
        }
        // The seek path ran: it cached the result of the filter without the cursor (the scan
        // path caches nothing for a filtered first page).
        let entries = cache.entries.lock().expect("not poisoned");
        assert!(
            entries
                .0
                .keys()
                .any(|k| k.filter == Filter::new().eq("state", "COMPLETE"))
        );
    }

    /// A page served from stored rows reads exactly like the materialized rows.
    #[test]
    fn served_rows_equal_materialized_rows() {
        let mut org = org();
        org.table_mut(Resource::Categories)
            .insert(json!({"id": 7, "name": "Travel", "display_name": "Travel"}));
        org.table_mut(Resource::Expenses)
            .insert(json!({"id": "tx900", "category_id": 7, "updated_at": "2026-01-02T00:00:00Z"}));
        let cache = ListCache::default();
        let page = answer(&cache, &org, &request(&[("limit", "200".to_owned())]));
        let data = page["data"].as_array().expect("rows");
        assert_eq!(data.len(), 61);
        for (served, stored) in data.iter().zip(org.table(Resource::Expenses).rows.values()) {
            assert_eq!(served, &org.materialize(Resource::Expenses, stored));
        }
        assert_eq!(data[60].pointer("/category/name"), Some(&json!("Travel")));
    }

    #[test]
    fn keyset_over_a_column_with_nulls_scans() {
        let org = org();
        let cache = ListCache::default();
        let at = "2025-12-10T00:00:00Z";
        let pairs = |order: &str| {
            request(&[
                (
                    "or",
                    format!("(spent_at.gt.{at},and(spent_at.eq.{at},id.gt.tx030))"),
                ),
                ("order", order.to_owned()),
                ("limit", "200".to_owned()),
            ])
        };
        let seek = answer(&cache, &org, &pairs("spent_at.asc,id.asc"));
        let scan = answer(&cache, &org, &pairs("spent_at.asc,id.asc,id.asc"));
        assert_eq!(seek, scan);
        assert!(seek["count"].as_u64().is_some_and(|n| n > 0));
    }
}
