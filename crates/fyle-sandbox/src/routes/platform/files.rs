//! File routes: the presigned-style upload and download URLs the sandbox serves itself
//! (`/storage/...`), and the download redirect.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use fyle_models::operations::BodyShape;
use serde_json::{Value, json};

use super::writes::{items, write_txn};
use super::{Caller, respond};
use crate::errors::{ApiError, BulkRow};
use crate::schema::OpSpec;
use crate::state::AppState;
use crate::store::Resource;
use crate::writes::RowError;

/// `GET /{role}/files/download?id=...`: a redirect to the file's download URL, once the caller
/// is known to see the file.
pub(super) fn download(
    caller: &Caller<'_>,
    query: &[(String, String)],
) -> Result<Response, ApiError> {
    let id = query
        .iter()
        .find(|(k, _)| k == "id")
        .map(|(_, v)| v.clone())
        .ok_or_else(|| ApiError::InvalidQuery("the id query parameter is required".into()))?;
    let id = id.strip_prefix("eq.").unwrap_or(&id).to_owned();
    write_txn(caller, |txn| {
        txn.file(&json!({"id": id}))
            .map_err(RowError::into_single)?;
        Ok(())
    })?;
    Ok((
        StatusCode::FOUND,
        [(header::LOCATION, caller.state.storage_url(&id, "download"))],
    )
        .into_response())
}

/// `POST /{role}/files/generate_urls[/bulk]`: upload and download URLs of files the caller sees;
/// in bulk, a `BulkError` naming every file that is not.
pub(super) fn generate_urls(
    caller: &Caller<'_>,
    op: Option<&'static OpSpec>,
    bulk: bool,
    data: &Value,
) -> Result<Response, ApiError> {
    let list: Vec<Value> = if bulk {
        items(data)?.clone()
    } else {
        vec![data.clone()]
    };
    let files = write_txn(caller, |txn| {
        let mut out = Vec::new();
        let mut errors = Vec::new();
        for (i, item) in list.iter().enumerate() {
            match txn.file(item) {
                Ok(f) => out.push(f),
                Err(e) if !bulk => return Err(e.into_single()),
                Err(e) => errors.push(BulkRow {
                    key: item.get("id").cloned().unwrap_or(Value::Null),
                    message: match e {
                        RowError::Message(m) => m,
                        other => format!("{other:?}"),
                    },
                    row: i,
                }),
            }
        }
        if errors.is_empty() {
            Ok(out)
        } else {
            Err(ApiError::Bulk(errors))
        }
    })?;
    let rows: Vec<Value> = files.into_iter().map(|f| urls(caller.state, &f)).collect();
    let shape = if bulk {
        BodyShape::DataArray
    } else {
        BodyShape::Data
    };
    Ok(respond(op, shape, rows))
}

/// The `generate_urls` answer for one file.
fn urls(state: &AppState, f: &Value) -> Value {
    let id = f
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    json!({
        "id": id,
        "name": f.get("name").cloned().unwrap_or(Value::Null),
        "content_type": f.get("content_type").cloned().unwrap_or(Value::Null),
        "download_url": state.storage_url(&id, "download"),
        "upload_url": state.storage_url(&id, "upload"),
    })
}

/// Fills `upload_url`/`download_url` of a file row.
pub(super) fn file_urls(state: &AppState, r: Resource, mut v: Value) -> Value {
    if r == Resource::Files {
        let id = v
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        v["upload_url"] = json!(state.storage_url(&id, "upload"));
        v["download_url"] = json!(state.storage_url(&id, "download"));
    }
    v
}
