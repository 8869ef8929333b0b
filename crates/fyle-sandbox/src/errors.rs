//! Error responses in Fyle's shapes.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

/// One row of a `BulkError`.
#[derive(Debug, Clone)]
pub(crate) struct BulkRow {
    pub(crate) key: Value,
    pub(crate) message: String,
    pub(crate) row: usize,
}

/// Field errors of one request row: field -> messages.
pub(crate) type FieldErrors = Map<String, Value>;

/// Everything a handler can answer besides success.
#[derive(Debug)]
pub(crate) enum ApiError {
    /// 400 `ValidationError`, `data` keyed by row index then field.
    Validation(Map<String, Value>),
    /// 400 `ValidationError` about the request itself (query parameters): `data: null`.
    InvalidQuery(String),
    /// 400 `BulkError`.
    Bulk(Vec<BulkRow>),
    /// 400 `IntegrityError` (`data: null`).
    Integrity(String),
    /// 400 with a plain message (`InvalidUsage`).
    InvalidUsage(String),
    /// 400 `InvalidUsage` of a delete Fyle refuses (rows in use): `data: {}`, as the delete
    /// operations declare.
    DeleteRefused(String),
    /// 401 `{"message": "invalid token"}`.
    InvalidToken,
    /// 403.
    Forbidden(String),
    /// 404.
    NotFound(String),
    /// 501 for an operation of the table that the sandbox does not simulate.
    NotSimulated {
        operation_id: String,
        method: String,
        path: String,
    },
    /// 429 with `Retry-After`.
    RateLimited { retry_after_secs: u64 },
    /// 500 / 502 / 503 from fault injection.
    Injected(StatusCode),
    /// 500: the sandbox could not build its answer (a bug of the sandbox, named).
    Internal(String),
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut resp = (status, body.to_string()).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::Validation(data) => json_response(
                StatusCode::BAD_REQUEST,
                &json!({"data": data, "error": "ValidationError", "message": null}),
            ),
            ApiError::InvalidQuery(message) => json_response(
                StatusCode::BAD_REQUEST,
                &json!({"data": null, "error": "ValidationError", "message": message}),
            ),
            ApiError::Bulk(rows) => {
                let data: Vec<Value> = rows
                    .into_iter()
                    .map(|r| json!({"key": r.key, "message": r.message, "row": r.row}))
                    .collect();
                json_response(
                    StatusCode::BAD_REQUEST,
                    &json!({"data": data, "error": "BulkError", "message": null}),
                )
            }
            ApiError::Integrity(message) => json_response(
                StatusCode::BAD_REQUEST,
                &json!({"data": null, "error": "IntegrityError", "message": message}),
            ),
            ApiError::InvalidUsage(message) => json_response(
                StatusCode::BAD_REQUEST,
                &json!({"data": null, "error": "InvalidUsage", "message": message}),
            ),
            ApiError::DeleteRefused(message) => json_response(
                StatusCode::BAD_REQUEST,
                &json!({"data": {}, "error": "InvalidUsage", "message": message}),
            ),
            ApiError::InvalidToken => json_response(
                StatusCode::UNAUTHORIZED,
                &json!({"message": "invalid token"}),
            ),
            // Fyle's 403 and 404 bodies carry a fixed message (the spec's enum); the sandbox
            // says why in `reason`.
            ApiError::Forbidden(reason) => json_response(
                StatusCode::FORBIDDEN,
                &json!({"message": "Forbidden", "reason": reason}),
            ),
            ApiError::NotFound(reason) => json_response(
                StatusCode::NOT_FOUND,
                &json!({"message": "Resource not found", "reason": reason}),
            ),
            ApiError::NotSimulated {
                operation_id,
                method,
                path,
            } => json_response(
                StatusCode::NOT_IMPLEMENTED,
                &json!({
                    "message": format!(
                        "fyle-sandbox does not simulate {operation_id} ({method} {path}) yet"
                    ),
                    "operation_id": operation_id,
                }),
            ),
            ApiError::RateLimited { retry_after_secs } => {
                let mut resp = json_response(
                    StatusCode::TOO_MANY_REQUESTS,
                    &json!({"message": "Too many requests, slow down"}),
                );
                resp.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
                resp
            }
            ApiError::Internal(message) => json_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                &json!({"message": message, "error": "InternalServerError"}),
            ),
            ApiError::Injected(status) => json_response(
                status,
                &json!({"message": "fyle-sandbox injected fault", "error": "InternalServerError"}),
            ),
        }
    }
}
