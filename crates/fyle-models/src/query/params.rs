//! A list request's whole query: the filter plus the reserved `order`, `offset`, `limit`, `q`.

use super::filter::Filter;
use super::order::Order;
use super::parse::{ParseError, ParseErrorKind, RESERVED_KEYS, decode_query_string};
use super::print::encode_pairs;

/// Everything a list endpoint reads from its query string.
///
/// ```
/// use fyle_models::query::{Filter, ListQuery, Order};
///
/// let query = ListQuery::parse_query_string(
///     "project_id=eq.pr123&order=amount.desc&offset=0&limit=200",
/// )?;
/// assert_eq!(query.filter, Filter::new().eq("project_id", "pr123"));
/// assert_eq!(query.order, Some(Order::new().desc("amount")));
/// assert_eq!((query.offset, query.limit), (Some(0), Some(200)));
/// # Ok::<(), fyle_models::query::ParseError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListQuery {
    /// The filter (every non-reserved pair).
    pub filter: Filter,
    /// `order`.
    pub order: Option<Order>,
    /// `offset`.
    pub offset: Option<u64>,
    /// `limit` (not range-checked here: Fyle allows 1..=200).
    pub limit: Option<u64>,
    /// `q`, the free-text search.
    pub q: Option<String>,
}

impl ListQuery {
    /// Parses unencoded pairs. A reserved key given twice is an error.
    pub fn from_query_pairs<K: AsRef<str>, V: AsRef<str>>(
        pairs: &[(K, V)],
    ) -> Result<ListQuery, ParseError> {
        let mut query = ListQuery {
            filter: Filter::parse_query_pairs(pairs)?,
            ..ListQuery::default()
        };
        let mut seen = [false; RESERVED_KEYS.len()];
        for (k, v) in pairs {
            let (k, v) = (k.as_ref(), v.as_ref());
            let Some(index) = RESERVED_KEYS.iter().position(|r| *r == k) else {
                continue;
            };
            if std::mem::replace(&mut seen[index], true) {
                return Err(ParseError::new(k, ParseErrorKind::DuplicateKey));
            }
            let number = || {
                v.trim()
                    .parse::<u64>()
                    .map_err(|_| ParseError::new(k, ParseErrorKind::InvalidNumber(v.to_owned())))
            };
            match k {
                "order" => query.order = Some(Order::parse(v)?),
                "offset" => query.offset = Some(number()?),
                "limit" => query.limit = Some(number()?),
                _ => query.q = Some(v.to_owned()),
            }
        }
        Ok(query)
    }

    /// Parses a percent-encoded query string (`+` is a space).
    pub fn parse_query_string(query: &str) -> Result<ListQuery, ParseError> {
        ListQuery::from_query_pairs(&decode_query_string(query)?)
    }

    /// The unencoded pairs: the filter's, then `order`, `offset`, `limit`, `q` when set.
    pub fn to_query_pairs(&self) -> Vec<(String, String)> {
        let mut pairs = self.filter.to_query_pairs();
        if let Some(order) = &self.order {
            pairs.push(order.to_query_pair());
        }
        if let Some(offset) = self.offset {
            pairs.push(("offset".to_owned(), offset.to_string()));
        }
        if let Some(limit) = self.limit {
            pairs.push(("limit".to_owned(), limit.to_string()));
        }
        if let Some(q) = &self.q {
            pairs.push(("q".to_owned(), q.clone()));
        }
        pairs
    }

    /// The percent-encoded query string.
    pub fn to_query_string(&self) -> String {
        encode_pairs(&self.to_query_pairs())
    }
}
