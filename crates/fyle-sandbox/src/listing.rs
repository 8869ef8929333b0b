//! List endpoints: parse the query, scope by role, filter, order, page, count.
//!
//! A filtered and ordered result is cached per (org, resource, viewer, filter, order, q) until the
//! org's next write, so paging through a large result costs one scan plus one slice per page.
//! A filtered first page (what keyset paging sends for every page) is answered without sorting
//! every match: the page is selected from the matches and nothing is cached. Rows are filtered
//! and sorted as stored, and only materialized when the query reads an embedded object or a
//! defaulted column the stored row lacks, so a page materializes just the rows it serves.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use fyle_models::query::{Clause, Filter, ListQuery, Order};
use serde_json::{Value, json};

use crate::errors::ApiError;
use crate::query_eval;
use crate::store::{OrgData, Resource, Row};

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
    rows: Arc<Vec<Row>>,
    last_used: u64,
}

/// The result cache.
#[derive(Debug, Default)]
pub(crate) struct ListCache {
    entries: Mutex<(HashMap<CacheKey, Cached>, u64)>,
}

impl ListCache {
    fn get(&self, key: &CacheKey, version: u64) -> Option<Arc<Vec<Row>>> {
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

    fn put(&self, key: CacheKey, version: u64, rows: Arc<Vec<Row>>) {
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
fn matches_q(row: &Value, q: &str) -> bool {
    let q = q.to_lowercase();
    row.as_object().is_some_and(|m| {
        m.values()
            .any(|v| v.as_str().is_some_and(|s| s.to_lowercase().contains(&q)))
    })
}

/// Runs a list request against one org and answers `{count, offset, data}`.
pub(crate) fn list(
    cache: &ListCache,
    org: &OrgData,
    resource: Resource,
    scope: Scope,
    params: &ListParams,
) -> Value {
    let key = CacheKey {
        org_id: org.org_id.clone(),
        resource,
        scope,
        filter: params.query.filter.clone(),
        order: params.query.order.clone(),
        q: params.query.q.clone(),
    };
    let rows = if let Some(rows) = cache.get(&key, org.version) {
        rows
    } else if params.offset == 0 && !key.filter.is_empty() {
        // A filtered first page (keyset paging sends a new filter for every page): select the
        // page without sorting every match, and do not cache a result unlikely to be asked again.
        let matches = matching(org, resource, &key);
        let limit = usize::try_from(params.limit).unwrap_or(usize::MAX);
        let page = match &key.order {
            Some(order) => query_eval::first_by_order(&matches, order, limit, |(full, stored)| {
                full.as_ref().unwrap_or(stored)
            }),
            None => matches.iter().take(limit).cloned().collect(),
        };
        let data: Vec<Value> = page
            .into_iter()
            .map(|(full, stored)| full.unwrap_or_else(|| org.materialize(resource, &stored)))
            .collect();
        return json!({"count": matches.len(), "offset": params.offset, "data": data});
    } else {
        let rows = Arc::new(evaluate(org, resource, &key));
        cache.put(key, org.version, Arc::clone(&rows));
        rows
    };
    let start = usize::try_from(params.offset)
        .unwrap_or(usize::MAX)
        .min(rows.len());
    let end = start
        .saturating_add(usize::try_from(params.limit).unwrap_or(usize::MAX))
        .min(rows.len());
    let data: Vec<Value> = rows[start..end]
        .iter()
        .map(|r| org.materialize(resource, r))
        .collect();
    json!({"count": rows.len(), "offset": params.offset, "data": data})
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
    evaluate(org, resource, &key).len()
}

/// A matching row, with its materialized shape when the query had to read that instead.
type Match = (Option<Value>, Row);

fn evaluate(org: &OrgData, resource: Resource, key: &CacheKey) -> Vec<Row> {
    let mut rows = matching(org, resource, key);
    if let Some(order) = &key.order {
        query_eval::sort_by_order(&mut rows, order, |(full, stored)| {
            full.as_ref().unwrap_or(stored)
        });
    }
    rows.into_iter().map(|(_, r)| r).collect()
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
