//! The paging parameters of a list request (`offset`, `limit`, the filter and order), parsed
//! and range-checked as Fyle does.

use fyle_models::query::ListQuery;

use crate::errors::ApiError;

/// Default page size when `limit` is absent (Fyle's default).
const DEFAULT_LIMIT: u64 = 50;
/// Largest page Fyle serves.
pub(crate) const MAX_LIMIT: u64 = 200;

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
