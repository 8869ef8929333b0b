//! The one query builder behind [`ListRequest`](crate::ListRequest), [`GetRequest`] and
//! [`RawRequest`](crate::RawRequest): the filter stays a typed AST (with the stable-mode bound
//! and cursor added as clauses, never spliced as text) and is printed to pairs only when the
//! pipeline builds the request's URI, once.

use std::fmt;
use std::marker::PhantomData;

use fyle_models::operations::Operation;
use fyle_models::query::{Clause, Filter};
use serde::de::DeserializeOwned;

use crate::client::Client;
use crate::error::Result;
use crate::execute::call_for;

/// The query of one request, typed until the URI is built.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Query {
    /// The conditions, ANDed (Fyle's `key=op.value` pairs and `and`/`or` groups).
    filter: Filter,
    /// Other parameters (`q`, `id` of a download, anything a raw request adds), in order.
    params: Vec<(String, String)>,
    order: Option<String>,
    offset: Option<u64>,
    limit: Option<u32>,
}

impl Default for Query {
    fn default() -> Self {
        Self {
            filter: Filter::new(),
            params: Vec::new(),
            order: None,
            offset: None,
            limit: None,
        }
    }
}

impl Query {
    /// ANDs the clauses of `filter` into the query.
    pub(crate) fn and(&mut self, filter: Filter) {
        let mut all = std::mem::replace(&mut self.filter, Filter::new());
        for clause in filter.into_clauses() {
            all = all.clause(clause);
        }
        self.filter = all;
    }

    /// Adds a raw condition (`amount`, `gt.10`).
    pub(crate) fn raw_filter(&mut self, key: String, value: String) {
        let all = std::mem::replace(&mut self.filter, Filter::new());
        self.filter = all.raw(key, value);
    }

    /// Adds another query parameter.
    pub(crate) fn push(&mut self, pair: (String, String)) {
        self.params.push(pair);
    }

    /// Sets (or clears) the order text (`updated_at.desc,id`).
    pub(crate) fn set_order(&mut self, order: Option<String>) {
        self.order = order;
    }

    /// The order text, when set.
    pub(crate) fn order(&self) -> Option<&str> {
        self.order.as_deref()
    }

    /// The typed filter.
    pub(crate) fn filter(&self) -> &Filter {
        &self.filter
    }

    /// The other parameters.
    pub(crate) fn params(&self) -> &[(String, String)] {
        &self.params
    }

    /// This query for one page: `offset` and `limit` set.
    pub(crate) fn page(mut self, offset: u64, limit: u32) -> Self {
        self.offset = Some(offset);
        self.limit = Some(limit);
        self
    }

    /// This query with `extra` clauses ANDed in, without repeating a top-level query key. A
    /// server that reads one value per key (the first or the last, as many web frameworks do)
    /// would otherwise drop either the caller's condition or the added one, and page forever
    /// or skip rows. A clause whose key is taken (by the filter or by another parameter) goes
    /// inside an `and` group: the filter's own first one when there is one, else a new one.
    pub(crate) fn with_clauses(&self, extra: Vec<Clause>) -> Self {
        let taken: Vec<&str> = self.params.iter().map(|(k, _)| k.as_str()).collect();
        Self {
            filter: with_clauses(&self.filter, extra, &taken),
            ..self.clone()
        }
    }

    /// The unencoded pairs: the filter's, the other parameters, then `order`, `offset` and
    /// `limit` when set. Called once per request, when its URI is built.
    pub(crate) fn to_pairs(&self) -> Vec<(String, String)> {
        let mut pairs = self.filter.to_query_pairs();
        pairs.extend(self.params.iter().cloned());
        if let Some(order) = &self.order {
            pairs.push(("order".to_owned(), order.clone()));
        }
        if let Some(offset) = self.offset {
            pairs.push(("offset".to_owned(), offset.to_string()));
        }
        if let Some(limit) = self.limit {
            pairs.push(("limit".to_owned(), limit.to_string()));
        }
        pairs
    }
}

/// `filter` with `extra` clauses ANDed in, without repeating a top-level key (see
/// [`Query::with_clauses`]); `taken` are keys used by other parameters.
pub(crate) fn with_clauses(filter: &Filter, extra: Vec<Clause>, taken: &[&str]) -> Filter {
    let mut clauses = filter.clauses().to_vec();
    let mut grouped = Vec::new();
    for clause in extra {
        let (key, _) = clause.to_query_pair();
        let clash =
            taken.contains(&key.as_str()) || clauses.iter().any(|c| c.to_query_pair().0 == key);
        if clash {
            grouped.push(clause);
        } else {
            clauses.push(clause);
        }
    }
    if !grouped.is_empty() {
        match clauses.iter_mut().find_map(|c| match c {
            Clause::And(inner) => Some(inner),
            _ => None,
        }) {
            Some(inner) => inner.extend(grouped),
            None => clauses.push(Clause::And(grouped)),
        }
    }
    clauses.into_iter().fold(Filter::new(), Filter::clause)
}

/// A GET that returns one object or an array (`GetSingle`, `GetArray`, `GetOther`).
///
/// `R` is the unwrapped type: `{data: R}` is unwrapped for `Data`/`DataArray` responses.
#[must_use = "a request does nothing until `.send()` is awaited"]
pub struct GetRequest<R> {
    client: Client,
    op: &'static Operation,
    query: Query,
    _response: PhantomData<fn() -> R>,
}

impl<R> fmt::Debug for GetRequest<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GetRequest")
            .field("operation", &self.op.operation_id)
            .field("path", &self.op.path)
            .field("query", &self.query.to_pairs())
            .finish_non_exhaustive()
    }
}

impl<R: DeserializeOwned> GetRequest<R> {
    /// A request for `op` through `client`.
    pub fn new(client: Client, op: &'static Operation) -> Self {
        Self {
            client,
            op,
            query: Query::default(),
            _response: PhantomData,
        }
    }

    /// Adds a query parameter (sent percent-encoded).
    pub fn query(mut self, name: impl Into<String>, value: impl fmt::Display) -> Self {
        self.query.push((name.into(), value.to_string()));
        self
    }

    /// Adds the conditions of a typed filter.
    pub fn filter(mut self, filter: Filter) -> Self {
        self.query.and(filter);
        self
    }

    /// Sends the request.
    pub async fn send(self) -> Result<R> {
        let mut call = call_for(self.op);
        call.query = self.query;
        self.client
            .send_op::<R>(self.op, &call)
            .await
            .map(|d| d.value)
    }
}
