//! `/admin/spend_overview/*`: Fyle's spend analytics, computed from the org's stored expenses.
//!
//! - `summary` sums spend per `time_interval_granularity` bucket (`{time_interval_granularity,
//!   total_amount, data: [{amount, time_interval_marker}]}`, buckets with spend only, oldest
//!   first);
//! - `by_merchant`, `by_project`, `by_category`, `by_department`, `by_user`,
//!   `by_corporate_card` sum it per group (`{count, offset, data}`, biggest spend first), with
//!   each group's `percentage` of the total and its `change_percentage` against the window
//!   before (0 when nothing was spent then).
//!
//! Spend is every expense past DRAFT with an amount, dated by `spent_at` in the window of
//! `time_interval_preset` (default `this_year` of the sandbox clock, UTC) or of
//! `time_interval_start`..`time_interval_end` (both inclusive); the filters each view declares in
//! the spec narrow it (`in.(...)` lists, `eq.true` switches). A `by_*` view's other query pairs
//! filter and order its rows (columns of its answer), and page them (`offset`, `limit`).
//!
//! Like Fyle, it answers `202 {"message"}` while it computes: the first request for a query,
//! and the first after any write to the org's data, is accepted; the same query asked again
//! once [`SandboxConfig::spend_overview_ready_after`](crate::SandboxConfig) has passed on the
//! sandbox clock gets the result (`Retry-After` says how long is left).

mod aggregate;
mod params;
mod readiness;
#[cfg(test)]
mod tests;
mod window;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use fyle_models::query::Clause;
use serde_json::{Value, json};

use crate::errors::ApiError;
use crate::listing;
use crate::query_eval;
use crate::state::AppState;
use aggregate::{Computed, columns};
use params::View;
pub(crate) use readiness::Computations;
use readiness::{Answer, Key};

/// The `202` message (the spec's own words for it).
const ACCEPTED: &str =
    "Request has been accepted and is being processed, Please try again in sometime.";

/// Answers `GET /admin/spend_overview/{segment}` for `org_id`.
pub(crate) fn serve(
    state: &AppState,
    org_id: &str,
    segment: &str,
    query: &[(String, String)],
) -> Result<Response, ApiError> {
    let view = View::from_segment(segment)
        .ok_or_else(|| ApiError::NotFound(format!("no spend overview {segment}")))?;
    let (params, rest) = params::parse(view, query)?;
    let page = match view {
        View::Summary => {
            if let Some((key, _)) = rest.first() {
                return Err(ApiError::InvalidQuery(format!(
                    "the spend overview summary does not take {key}; it takes {}",
                    view.declared().join(", ")
                )));
            }
            None
        }
        View::By(d) => Some(Page::parse(columns(d), &rest)?),
    };
    let windows = params.period.windows(state.clock.now_utc())?;
    let answer = {
        let store = state.read();
        let org = store.org(org_id).ok_or(ApiError::InvalidToken)?;
        let key = Key {
            org_id: org_id.to_owned(),
            view,
            params,
            windows,
        };
        state
            .spend_overview
            .answer(key.clone(), org.version, state.clock.now(), || {
                aggregate::compute(org, view, &key.params, &key.windows)
            })
    };
    match answer {
        Answer::Accepted { retry_after } => Ok(accepted(retry_after)),
        Answer::Ready(result) => {
            let body = match (result.as_ref(), page) {
                (Computed::Summary(body), _) => body.clone(),
                (Computed::Rows(rows), Some(page)) => page.apply(rows),
                (Computed::Rows(_), None) => {
                    return Err(ApiError::Internal("a summary computed to rows".into()));
                }
            };
            Ok(json(StatusCode::OK, &body))
        }
    }
}

fn json(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// `202 {"message"}` with `Retry-After` in whole seconds (rounded up).
fn accepted(retry_after: std::time::Duration) -> Response {
    let mut resp = json(StatusCode::ACCEPTED, &json!({"message": ACCEPTED}));
    let secs = retry_after
        .as_secs()
        .saturating_add(u64::from(retry_after.subsec_nanos() > 0));
    resp.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    resp
}

/// How a `by_*` answer's rows are filtered, ordered and paged.
#[derive(Debug)]
struct Page {
    params: listing::ListParams,
}

impl Page {
    /// Reads the pairs a view does not declare; a filter may only name `columns` or the
    /// amounts (a spend parameter the view does not take is refused, not read as a filter).
    fn parse(columns: &[&str], rest: &[(String, String)]) -> Result<Page, ApiError> {
        let params = listing::parse_params(rest)?;
        let mut named = Vec::new();
        filter_columns(params.query.filter.clauses(), &mut named);
        let known = |c: &str| {
            columns.contains(&c) || ["amount", "percentage", "change_percentage"].contains(&c)
        };
        if let Some(unknown) = named.iter().find(|c| !known(c)) {
            return Err(ApiError::InvalidQuery(format!(
                "{unknown} is not a parameter or a column of this spend overview"
            )));
        }
        Ok(Page { params })
    }

    /// `{count, offset, data}` of `rows`.
    fn apply(&self, rows: &[Value]) -> Value {
        let query = &self.params.query;
        let mut kept: Vec<&Value> = rows
            .iter()
            .filter(|r| query_eval::matches(&query.filter, r))
            .filter(|r| query.q.as_deref().is_none_or(|q| listing::matches_q(r, q)))
            .collect();
        if let Some(order) = &query.order {
            query_eval::sort_rows(&mut kept, order);
        }
        let count = kept.len();
        let data: Vec<&Value> = kept
            .into_iter()
            .skip(usize::try_from(self.params.offset).unwrap_or(usize::MAX))
            .take(usize::try_from(self.params.limit).unwrap_or(usize::MAX))
            .collect();
        json!({"count": count, "offset": self.params.offset, "data": data})
    }
}

/// The columns `clauses` filter on (the first segment of each path).
fn filter_columns(clauses: &[Clause], out: &mut Vec<String>) {
    for clause in clauses {
        match clause {
            Clause::Condition(c) => out.push(c.path().column().to_owned()),
            Clause::And(inner) | Clause::Or(inner) => filter_columns(inner, out),
            Clause::Raw { key, .. } => {
                out.push(key.split("->").next().unwrap_or_default().to_owned());
            }
        }
    }
}
