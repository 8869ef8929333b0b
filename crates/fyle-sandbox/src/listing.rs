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

use std::collections::HashSet;
use std::sync::Arc;

use fyle_models::query::{Clause, Filter, Order};
use serde_json::Value;

use crate::errors::ApiError;
use crate::keyset;
use crate::query_eval;
use crate::store::{OrgData, Resource, Row};

mod cache;
mod page;
mod params;
#[cfg(test)]
mod tests;

use cache::{CacheKey, Evaluated};
use page::{PageBody, PageRow, page, to_body};

pub(crate) use cache::ListCache;
pub(crate) use params::{ListParams, parse_params};

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
        && let Some(body) = keyset_page(cache, org, resource, &key, params)
    {
        return body;
    }
    if cache.get(&key, org.version).is_none() && params.offset == 0 && !key.filter.is_empty() {
        return unsorted_first_page(org, resource, &key, params);
    }
    let offset = usize::try_from(params.offset).unwrap_or(usize::MAX);
    let sorted = cached(cache, org, resource, key);
    page(org, resource, &sorted.rows, offset, params)
}

/// A keyset page (a cursor condition over the order's keys): seeks in the cached result of the
/// rest of the filter. `None` when the query is not a keyset page, or when a row lacks an order
/// key (the cursor condition is then not monotonic along the result and a scan must answer).
fn keyset_page(
    cache: &ListCache,
    org: &OrgData,
    resource: Resource,
    key: &CacheKey,
    params: &ListParams,
) -> Option<Result<Vec<u8>, ApiError>> {
    let order = key.order.as_ref()?;
    let (rest, cursor) = keyset::split(&key.filter, order)?;
    let rest_key = CacheKey {
        filter: rest,
        ..key.clone()
    };
    let sorted = cached(cache, org, resource, rest_key);
    if !sorted.keys_present {
        return None;
    }
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
    Some(page(org, resource, &sorted.rows[from..], 0, params))
}

/// A filtered first page that is not a keyset page: selects the page without sorting every
/// match, and caches nothing (such a result is unlikely to be asked again).
fn unsorted_first_page(
    org: &OrgData,
    resource: Resource,
    key: &CacheKey,
    params: &ListParams,
) -> Result<Vec<u8>, ApiError> {
    let matches = matching(org, resource, key);
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
    to_body(&PageBody {
        count: matches.len(),
        offset: params.offset,
        data,
    })
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
