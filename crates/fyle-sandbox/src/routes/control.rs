//! `/__sandbox/*`: change faults, the rate limit and the clock at run time.

use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::faults::FaultConfig;
use crate::state::AppState;

/// `GET /__sandbox/faults`.
pub(crate) async fn get_faults(State(state): State<Arc<AppState>>) -> Json<FaultConfig> {
    Json(state.faults.get())
}

/// `POST /__sandbox/faults` with a [`FaultConfig`] body (missing fields are 0).
pub(crate) async fn set_faults(
    State(state): State<Arc<AppState>>,
    body: axum::body::Bytes,
) -> Response {
    match serde_json::from_slice::<FaultConfig>(&body) {
        Ok(config) => {
            state.faults.set(config.clone());
            Json(config).into_response()
        }
        Err(e) => (
            StatusCode::BAD_REQUEST,
            Json(json!({"message": format!("invalid fault config: {e}")})),
        )
            .into_response(),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct RateBody {
    per_second: u32,
}

/// `POST /__sandbox/rate_limit` with `{"per_second": n}` (0 = off).
pub(crate) async fn set_rate_limit(
    State(state): State<Arc<AppState>>,
    Json(body): Json<RateBody>,
) -> Json<Value> {
    state.limiter.set_rate(body.per_second);
    Json(json!({"per_second": body.per_second}))
}

#[derive(Debug, Deserialize)]
pub(crate) struct AdvanceBody {
    seconds: u64,
}

/// `POST /__sandbox/clock/advance` with `{"seconds": n}`: expires tokens and signed URLs early.
pub(crate) async fn advance_clock(
    State(state): State<Arc<AppState>>,
    Json(body): Json<AdvanceBody>,
) -> Json<Value> {
    state.clock.advance(Duration::from_secs(body.seconds));
    Json(json!({"advanced_seconds": body.seconds}))
}
