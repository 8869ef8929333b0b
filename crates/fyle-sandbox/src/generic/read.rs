//! Answering a long-tail GET: a list page through the query engine, a row by `id`, or a
//! singleton, each in the shape of the operation asked.

use serde_json::{Value, json};

use super::{SINGLETON, Viewer, hash_seed, resource_key, stored_rows};
use crate::errors::ApiError;
use crate::instance::Builder;
use crate::listing::{self, ListParams};
use crate::query_eval;
use crate::realistic::Refs;
use crate::schema::{OpSpec, SPEC, Spec};
use crate::store::{OrgData, id_key};

/// Answers a GET: a list page, a row by `id`, or a singleton.
pub(crate) fn get(
    org: &OrgData,
    refs: &Refs,
    op: &OpSpec,
    viewer: &Viewer,
    query: &[(String, String)],
) -> Result<Value, ApiError> {
    let spec: &Spec = &SPEC;
    let key = resource_key(org, op);
    if let Some(item) = spec.list_item(op) {
        let params = listing::parse_params(query)?;
        let rows = served_rows(org, refs, &key, item, viewer);
        return Ok(page(&rows, &params));
    }
    let mut b = Builder::new(spec, refs, hash_seed(&[&org.org_id, &op.path], 7));
    let id = query
        .iter()
        .find(|(k, _)| k == "id")
        .map(|(_, v)| v.strip_prefix("eq.").unwrap_or(v).to_owned());
    let candidate = match (&id, org.generic.get(&key)) {
        (Some(id), _) => {
            let row = stored_rows(org, &key)
                .into_iter()
                .find(|r| id_key(r) == *id && viewer.admits(r))
                .ok_or_else(|| ApiError::NotFound(format!("no {key} with id {id}")))?;
            json!({ "data": row })
        }
        (None, Some(t)) => {
            json!({ "data": t.rows.get(SINGLETON).map_or(Value::Null, |r| (**r).clone()) })
        }
        (None, None) => json!({}),
    };
    Ok(b.conform(&op.response, &candidate))
}

/// Rows of `key` the viewer sees, in the shape of `item`.
fn served_rows(org: &OrgData, refs: &Refs, key: &str, item: &Value, viewer: &Viewer) -> Vec<Value> {
    let spec: &Spec = &SPEC;
    stored_rows(org, key)
        .into_iter()
        .filter(|r| viewer.admits(r))
        .map(|row| {
            let mut b = Builder::new(spec, refs, hash_seed(&[key, &id_key(&row)], 11));
            b.conform(item, &row)
        })
        .collect()
}

/// `{count, offset, data}` of `rows` under the query of `params`.
fn page(rows: &[Value], params: &ListParams) -> Value {
    let q = params.query.q.as_deref().map(str::to_lowercase);
    let mut matching: Vec<&Value> = rows
        .iter()
        .filter(|r| query_eval::matches(&params.query.filter, r))
        .filter(|r| q.as_deref().is_none_or(|q| listing::matches_q(r, q)))
        .collect();
    if let Some(order) = &params.query.order {
        query_eval::sort_rows(&mut matching, order);
    }
    let offset = usize::try_from(params.offset).unwrap_or(usize::MAX);
    let limit = usize::try_from(params.limit).unwrap_or(usize::MAX);
    let data: Vec<Value> = matching
        .iter()
        .skip(offset)
        .take(limit)
        .map(|r| (*r).clone())
        .collect();
    json!({"count": matching.len(), "offset": params.offset, "data": data})
}
