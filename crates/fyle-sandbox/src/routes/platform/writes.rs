//! The hand-written POST routes: upserts, bulk upserts and deletes, invitations, and the report
//! and expense actions, each in one write transaction that rolls back when it fails.

use axum::response::Response;
use fyle_models::operations::BodyShape;
use serde_json::Value;

use super::files::{file_urls, generate_urls};
use super::route::{Route, writable};
use super::{Caller, respond};
use crate::errors::ApiError;
use crate::schema::OpSpec;
use crate::store::{Resource, Row};
use crate::webhooks::{ReportEvent, after_report_action};
use crate::writes::{RowError, Txn};

/// Opens a write transaction on the caller's org and hands it to `f`, holding the store's write
/// lock and the shared generator until `f` returns.
fn in_txn<T>(
    caller: &Caller<'_>,
    f: impl FnOnce(Txn<'_>) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    let state = caller.state;
    let now = crate::clock::fyle_timestamp(state.clock.now_utc());
    let mut store = state.write();
    let org = store
        .org_mut(&caller.grant.org_id)
        .ok_or(ApiError::InvalidToken)?;
    let mut rng = state.rng();
    f(Txn::new(
        org,
        &mut rng,
        now,
        caller.user.clone(),
        caller.act,
    ))
}

/// Runs `f` in a write transaction on the caller's org; rolls back when `f` fails.
pub(super) fn write_txn<T>(
    caller: &Caller<'_>,
    f: impl FnOnce(&mut Txn<'_>) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    in_txn(caller, |mut txn| match f(&mut txn) {
        Ok(v) => Ok(v),
        Err(e) => {
            txn.rollback();
            Err(e)
        }
    })
}

/// The `data` of a bulk body: a list.
pub(super) fn items(data: &Value) -> Result<&Vec<Value>, ApiError> {
    data.as_array()
        .ok_or_else(|| ApiError::InvalidUsage("data must be a list of objects".to_owned()))
}

/// Serves a write route with the body's `data`.
// `route` is matched by value on purpose.
#[allow(clippy::needless_pass_by_value)]
pub(super) fn write_route(
    caller: &Caller<'_>,
    op: Option<&'static OpSpec>,
    route: Route<'_>,
    data: &Value,
) -> Result<Response, ApiError> {
    match route {
        Route::Upsert(r) | Route::BulkUpsert(r) | Route::DeleteBulk(r)
            if !writable(caller.act, r) =>
        {
            Err(not_simulated_for(op))
        }
        Route::Upsert(r) => {
            // One row, answered materialized (files with their URLs).
            let rows = write_txn(caller, |txn| {
                let row = txn.upsert(r, data).map_err(RowError::into_single)?;
                Ok(vec![file_urls(caller.state, r, txn.materialize(r, &row))])
            })?;
            Ok(respond(op, BodyShape::Data, rows))
        }
        Route::BulkUpsert(r) => {
            let rows = write_with_bulk(caller, items(data)?, r, |txn, item| {
                txn.upsert(r, item).map(Some)
            })?;
            let rows = rows
                .into_iter()
                .map(|v| file_urls(caller.state, r, v))
                .collect();
            Ok(respond(op, BodyShape::DataArray, rows))
        }
        Route::DeleteBulk(r) => delete_bulk(caller, op, r, data),
        Route::Invite => {
            write_with_bulk(caller, items(data)?, Resource::Employees, |txn, item| {
                txn.invite(item).map(Some)
            })?;
            Ok(respond(op, BodyShape::None, Vec::new()))
        }
        Route::Submit | Route::AddExpenses | Route::Approve { .. } | Route::MarkPaid => {
            report_action(caller, op, &route, data)
        }
        Route::AttachReceipt => {
            let rows = write_one(caller, Resource::Expenses, |txn| txn.attach_files(data))?;
            Ok(respond(op, BodyShape::Data, rows))
        }
        Route::AttachFilesBulk => {
            let rows = write_with_bulk(caller, items(data)?, Resource::Expenses, |t, i| {
                t.attach_files(i)
            })?;
            Ok(respond(op, BodyShape::DataArray, rows))
        }
        Route::GenerateUrls { bulk } => generate_urls(caller, op, bulk, data),
        _ => Err(not_simulated_for(op)),
    }
}

/// `POST /{role}/{resource}/delete/bulk`: every row or none; a deleted file's bytes go too.
fn delete_bulk(
    caller: &Caller<'_>,
    op: Option<&'static OpSpec>,
    r: Resource,
    data: &Value,
) -> Result<Response, ApiError> {
    let list = items(data)?;
    write_with_bulk(caller, list, r, |txn, item| txn.delete_row(r, item))
        .map_err(|e| refused_delete(r, e))?;
    if r == Resource::Files {
        let mut blobs = caller.state.blobs();
        for item in list {
            if let Some(id) = item.get("id").and_then(Value::as_str) {
                blobs.remove(id);
            }
        }
    }
    Ok(respond(op, BodyShape::None, Vec::new()))
}

/// The report actions (submit, add expenses, approve, mark paid), each followed by the webhook
/// event it raises.
// Method paths (`Txn::approve_report`) are not general enough over `Txn`'s lifetime, so the
// closures stay.
#[allow(clippy::redundant_closure_for_method_calls)]
fn report_action(
    caller: &Caller<'_>,
    op: Option<&'static OpSpec>,
    route: &Route<'_>,
    data: &Value,
) -> Result<Response, ApiError> {
    let reports = Resource::Reports;
    let (rows, event, shape) = match *route {
        Route::Submit => (
            write_one(caller, reports, |txn| txn.submit_report(data))?,
            Some(ReportEvent::Submitted),
            BodyShape::Data,
        ),
        Route::AddExpenses => (
            write_one(caller, reports, |txn| txn.add_expenses(data))?,
            None,
            BodyShape::Data,
        ),
        Route::Approve { bulk: true } => (
            write_with_bulk(caller, items(data)?, reports, |t, i| t.approve_report(i))?,
            Some(ReportEvent::AdminApproved),
            BodyShape::None,
        ),
        Route::Approve { bulk: false } => (
            write_one(caller, reports, |txn| txn.approve_report(data))?,
            Some(ReportEvent::AdminApproved),
            BodyShape::Data,
        ),
        Route::MarkPaid => (
            write_with_bulk(caller, items(data)?, reports, |t, i| t.mark_report_paid(i))?,
            Some(ReportEvent::Paid),
            BodyShape::None,
        ),
        _ => return Err(not_simulated_for(op)),
    };
    if let Some(event) = event {
        after_report_action(
            caller.state,
            &caller.grant.org_id,
            caller.user,
            caller.act,
            event,
            &rows,
        );
    }
    // Marking paid answers nothing whatever the rows.
    let rows = if matches!(route, Route::MarkPaid) {
        Vec::new()
    } else {
        rows
    };
    Ok(respond(op, shape, rows))
}

/// One row-level action in a write transaction, answered with the row it changed (materialized)
/// or nothing; a row error becomes the single-object error Fyle sends.
fn write_one(
    caller: &Caller<'_>,
    resource: Resource,
    action: impl FnOnce(&mut Txn<'_>) -> Result<Option<Row>, RowError>,
) -> Result<Vec<Value>, ApiError> {
    write_txn(caller, |txn| {
        let row = action(txn).map_err(RowError::into_single)?;
        Ok(row
            .map(|r| vec![txn.materialize(resource, &r)])
            .unwrap_or_default())
    })
}

/// A bulk write: every item or none; answers the materialized rows.
fn write_with_bulk<F>(
    caller: &Caller<'_>,
    list: &[Value],
    resource: Resource,
    mut f: F,
) -> Result<Vec<Value>, ApiError>
where
    F: FnMut(&mut Txn<'_>, &Value) -> Result<Option<Row>, RowError>,
{
    in_txn(caller, |txn| {
        let (rows, txn) = txn.bulk(list, |t, item| f(t, item))?;
        Ok(rows.iter().map(|r| txn.materialize(resource, r)).collect())
    })
}

/// Master data in use cannot be deleted: Fyle answers one `InvalidUsage` (its delete operations
/// declare `data: {}`), not a `BulkError`.
fn refused_delete(r: Resource, e: ApiError) -> ApiError {
    match (r, e) {
        (
            Resource::Categories
            | Resource::Projects
            | Resource::CostCenters
            | Resource::Departments,
            ApiError::Bulk(rows),
        ) => ApiError::DeleteRefused(
            rows.iter()
                .map(|row| row.message.as_str())
                .collect::<Vec<_>>()
                .join("; "),
        ),
        (_, e) => e,
    }
}

/// The error for an operation the table knows but the hand-written routes do not simulate.
fn not_simulated_for(op: Option<&OpSpec>) -> ApiError {
    match op {
        Some(op) => ApiError::NotSimulated {
            operation_id: op.operation_id(),
            method: op.method.clone(),
            path: op.path.clone(),
        },
        None => ApiError::NotFound("no such operation".to_owned()),
    }
}
