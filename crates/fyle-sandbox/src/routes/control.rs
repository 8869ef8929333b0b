//! `/__sandbox/*`: change faults, the rate limit and the clock at run time.
//!
//! Every control route requires `Authorization: Bearer <control_token>` (the token of
//! [`SandboxInfo::control_token`](crate::SandboxInfo::control_token), printed on the binary's
//! first line): anyone who can reach the port could otherwise turn faults on or move the clock.
//! Inputs are validated; a value out of range is a 400 naming it, never a panic later.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::json;

use crate::clock::MAX_ADVANCE;
use crate::faults::FaultConfig;
use crate::state::{AppState, bearer};

/// The longest latency a fault config may add: 10 minutes.
const MAX_LATENCY_MS: u64 = 600_000;

/// The control routes, behind the control-token check.
pub(crate) fn router(state: Arc<AppState>) -> Router<Arc<AppState>> {
    Router::new()
        .route(
            "/__sandbox/faults",
            axum::routing::get(get_faults).post(set_faults),
        )
        .route("/__sandbox/rate_limit", post(set_rate_limit))
        .route("/__sandbox/clock/advance", post(advance_clock))
        .route_layer(middleware::from_fn_with_state(state, require_control_token))
}

/// 401 unless the request carries the control token.
async fn require_control_token(
    State(state): State<Arc<AppState>>,
    req: Request,
    next: Next,
) -> Response {
    let presented = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(bearer);
    match presented {
        Some(token) if state.is_control_token(token) => next.run(req).await,
        _ => bad(
            StatusCode::UNAUTHORIZED,
            "the /__sandbox control routes need `Authorization: Bearer <control_token>` (see the first line the sandbox printed)",
        ),
    }
}

fn bad(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({"message": message.into()}))).into_response()
}

/// Parses a JSON body, or names what was wrong (for a 400).
fn parse<T: DeserializeOwned>(body: &[u8], what: &str) -> Result<T, String> {
    serde_json::from_slice(body).map_err(|e| format!("invalid {what}: {e}"))
}

fn check_faults(config: &FaultConfig) -> Result<(), String> {
    for (name, value) in [
        ("fail_5xx", config.fail_5xx),
        ("fail_429", config.fail_429),
        ("drop_mid_body", config.drop_mid_body),
        ("truncate_json", config.truncate_json),
    ] {
        if !(0.0..=1.0).contains(&value) {
            return Err(format!(
                "{name} must be a fraction between 0 and 1, got {value}"
            ));
        }
    }
    if config.latency_ms > MAX_LATENCY_MS {
        return Err(format!(
            "latency_ms must be at most {MAX_LATENCY_MS}, got {}",
            config.latency_ms
        ));
    }
    Ok(())
}

/// `GET /__sandbox/faults`.
pub(crate) async fn get_faults(State(state): State<Arc<AppState>>) -> Json<FaultConfig> {
    Json(state.faults.get())
}

/// `POST /__sandbox/faults` with a [`FaultConfig`] body (missing fields are 0; fractions in
/// `0..=1`, latency at most 10 minutes).
pub(crate) async fn set_faults(
    State(state): State<Arc<AppState>>,
    body: axum::body::Bytes,
) -> Response {
    let config: FaultConfig = match parse(&body, "fault config") {
        Ok(c) => c,
        Err(message) => return bad(StatusCode::BAD_REQUEST, message),
    };
    if let Err(problem) = check_faults(&config) {
        return bad(
            StatusCode::BAD_REQUEST,
            format!("invalid fault config: {problem}"),
        );
    }
    state.faults.set(config.clone());
    Json(config).into_response()
}

#[derive(Debug, Deserialize)]
pub(crate) struct RateBody {
    per_second: u32,
}

/// `POST /__sandbox/rate_limit` with `{"per_second": n}` (0 = off).
pub(crate) async fn set_rate_limit(
    State(state): State<Arc<AppState>>,
    body: axum::body::Bytes,
) -> Response {
    let body: RateBody = match parse(&body, "rate limit") {
        Ok(b) => b,
        Err(message) => return bad(StatusCode::BAD_REQUEST, message),
    };
    state.limiter.set_rate(body.per_second);
    Json(json!({"per_second": body.per_second})).into_response()
}

#[derive(Debug, Deserialize)]
pub(crate) struct AdvanceBody {
    seconds: u64,
}

/// `POST /__sandbox/clock/advance` with `{"seconds": n}`: expires tokens and signed URLs early.
/// The clock moves at most [`MAX_ADVANCE`] in all; more is a 400.
pub(crate) async fn advance_clock(
    State(state): State<Arc<AppState>>,
    body: axum::body::Bytes,
) -> Response {
    let body: AdvanceBody = match parse(&body, "clock advance") {
        Ok(b) => b,
        Err(message) => return bad(StatusCode::BAD_REQUEST, message),
    };
    match state.clock.try_advance(Duration::from_secs(body.seconds)) {
        Ok(()) => Json(json!({"advanced_seconds": body.seconds})).into_response(),
        Err(total) => bad(
            StatusCode::BAD_REQUEST,
            format!(
                "seconds: the clock may move at most {} s in all; {} s more would make it {} s",
                MAX_ADVANCE.as_secs(),
                body.seconds,
                total
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_fractions_and_latency_are_range_checked() {
        assert!(check_faults(&FaultConfig::default()).is_ok());
        let bad = FaultConfig {
            fail_5xx: 1.5,
            ..FaultConfig::default()
        };
        assert!(check_faults(&bad).is_err());
        let nan = FaultConfig {
            truncate_json: f64::NAN,
            ..FaultConfig::default()
        };
        assert!(check_faults(&nan).is_err());
        let slow = FaultConfig {
            latency_ms: u64::MAX,
            ..FaultConfig::default()
        };
        assert!(check_faults(&slow).is_err());
    }
}
