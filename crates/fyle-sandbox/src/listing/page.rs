//! A list answer's body, `{count, offset, data}`, serialized straight from the stored rows.

use serde::Serialize;
use serde_json::Value;

use super::ListParams;
use crate::errors::ApiError;
use crate::store::{OrgData, Resource, Row, Served};

/// The body of a list answer.
#[derive(Serialize)]
pub(super) struct PageBody<'a> {
    pub(super) count: usize,
    pub(super) offset: u64,
    pub(super) data: Vec<PageRow<'a>>,
}

/// A row of a page: materialized already (the query had to read it so), or served from the
/// stored row without copying it.
#[derive(Serialize)]
#[serde(untagged)]
pub(super) enum PageRow<'a> {
    Full(&'a Value),
    Served(Served<'a>),
}

/// Serializes a page.
pub(super) fn to_body(body: &PageBody<'_>) -> Result<Vec<u8>, ApiError> {
    serde_json::to_vec(body)
        .map_err(|e| ApiError::Internal(format!("could not serialize a page: {e}")))
}

/// `{count, offset, data}` for the rows of `result` from `offset`, at most `params.limit`.
pub(super) fn page(
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
