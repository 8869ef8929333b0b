//! `PUT`/`GET /storage/{file_id}`: the presigned-URL object store behind files.
//!
//! Like S3 presigned URLs: the signature and expiry travel in the query, a second auth mechanism
//! (an `Authorization` header) is refused, and an upload must use the file's content type.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;

use crate::state::{AppState, Blob};
use crate::store::Resource;

fn s3_error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/xml")],
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
             <Error><Code>{code}</Code><Message>{message}</Message></Error>"
        ),
    )
        .into_response()
}

/// Checks the presigned query; `Some(error response)` when it does not hold.
fn check(
    state: &AppState,
    file_id: &str,
    op: &str,
    headers: &HeaderMap,
    q: &HashMap<String, String>,
) -> Option<Response> {
    if headers.contains_key(header::AUTHORIZATION) {
        return Some(s3_error(
            StatusCode::BAD_REQUEST,
            "InvalidArgument",
            "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, \
             Signature query string parameter or the Authorization header should be specified",
        ));
    }
    let (Some(qop), Some(expires), Some(signature)) = (
        q.get("op"),
        q.get("expires").and_then(|e| e.parse::<i64>().ok()),
        q.get("signature"),
    ) else {
        return Some(s3_error(
            StatusCode::FORBIDDEN,
            "AccessDenied",
            "Query-string authentication requires the op, expires and signature parameters",
        ));
    };
    if qop != op || *signature != state.sign(file_id, op, expires) {
        return Some(s3_error(
            StatusCode::FORBIDDEN,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided",
        ));
    }
    if state.clock.unix() > expires {
        return Some(s3_error(
            StatusCode::FORBIDDEN,
            "AccessDenied",
            "Request has expired",
        ));
    }
    None
}

/// The stored row of a file (any org).
fn file_content_type(state: &AppState, file_id: &str) -> Option<String> {
    let store = state.read();
    store.orgs.values().find_map(|o| {
        o.table(Resource::Files).get(file_id).map(|f| {
            f.get("content_type")
                .and_then(serde_json::Value::as_str)
                .unwrap_or("application/octet-stream")
                .to_owned()
        })
    })
}

/// `PUT /storage/{file_id}?op=upload&expires=..&signature=..`.
pub(crate) async fn upload(
    State(state): State<Arc<AppState>>,
    Path(file_id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(resp) = check(&state, &file_id, "upload", &headers, &q) {
        return resp;
    }
    let Some(expected) = file_content_type(&state, &file_id) else {
        return s3_error(
            StatusCode::NOT_FOUND,
            "NoSuchKey",
            "The file does not exist",
        );
    };
    let sent = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if let Some(sent) = &sent
        && !sent.eq_ignore_ascii_case(&expected)
    {
        return s3_error(
            StatusCode::FORBIDDEN,
            "SignatureDoesNotMatch",
            &format!("The URL was signed for Content-Type {expected}, the request sent {sent}"),
        );
    }
    state.blobs().insert(
        file_id,
        Blob {
            content_type: expected,
            bytes: body,
        },
    );
    StatusCode::OK.into_response()
}

/// `GET /storage/{file_id}?op=download&expires=..&signature=..`.
pub(crate) async fn download(
    State(state): State<Arc<AppState>>,
    Path(file_id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    if let Some(resp) = check(&state, &file_id, "download", &headers, &q) {
        return resp;
    }
    if let Some(blob) = state.blobs().get(&file_id).cloned() {
        return (
            StatusCode::OK,
            [(header::CONTENT_TYPE, blob.content_type)],
            blob.bytes,
        )
            .into_response();
    }
    // Seeded files were never uploaded: serve a small deterministic placeholder.
    let Some(content_type) = file_content_type(&state, &file_id) else {
        return s3_error(
            StatusCode::NOT_FOUND,
            "NoSuchKey",
            "The file does not exist",
        );
    };
    let body = format!("%PDF-1.4\n% fyle-sandbox placeholder receipt {file_id}\n%%EOF\n");
    (StatusCode::OK, [(header::CONTENT_TYPE, content_type)], body).into_response()
}
