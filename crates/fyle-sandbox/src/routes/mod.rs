//! The HTTP surface: accounts, the data cluster, storage, and the sandbox's own control endpoints.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use futures::{StreamExt as _, stream};

use crate::errors::ApiError;
use crate::faults::Fault;
use crate::rate_limit::{bucket_key, retry_after_secs};
use crate::state::{AppState, bearer};

mod accounting_export;
mod accounts;
mod control;
mod platform;
mod storage;

/// Builds the router.
pub(crate) fn router(state: Arc<AppState>) -> Router {
    let api = Router::new()
        .route("/oauth/token", post(accounts::token))
        .route("/oauth/cluster", post(accounts::cluster))
        .route("/oauth/cluster/", post(accounts::cluster))
        .route(
            "/app/developers/oauth/authorize",
            get(accounts::authorize_page).post(accounts::authorize_decision),
        )
        .route(
            "/platform/v1/{role}/subscriptions",
            get(crate::webhooks::list).post(crate::webhooks::create),
        )
        .route(
            "/platform/v1/admin/expenses/accounting_export_summary/bulk",
            post(accounting_export::expenses_bulk),
        )
        .fallback(platform::dispatch)
        .layer(middleware::from_fn_with_state(
            Arc::clone(&state),
            rate_limit,
        ))
        .layer(middleware::from_fn_with_state(Arc::clone(&state), faults));
    Router::new()
        .route(
            "/storage/{file_id}",
            put(storage::upload).get(storage::download),
        )
        .merge(control::router(Arc::clone(&state)))
        .merge(api)
        .with_state(state)
}

/// Per-client token bucket (client id of the bearer token, else peer address).
async fn rate_limit(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let key = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(bearer)
        .and_then(|t| state.auth().client_of(t).map(|c| format!("client:{c}")))
        .or_else(|| {
            req.extensions()
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ci| format!("ip:{}", ci.0.ip()))
        })
        .unwrap_or_else(|| "anonymous".to_owned());
    let key = bucket_key(req.uri().path(), key);
    match state.limiter.check(&key, state.clock.now()) {
        Ok(()) => next.run(req).await,
        Err(wait) => ApiError::RateLimited {
            retry_after_secs: retry_after_secs(wait),
        }
        .into_response(),
    }
}

/// Fault injection around the accounts and data endpoints.
async fn faults(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let (fault, latency) = state.faults.draw();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    match fault {
        Fault::None => next.run(req).await,
        Fault::Status(code) => ApiError::Injected(
            StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        )
        .into_response(),
        Fault::TooMany => ApiError::RateLimited {
            retry_after_secs: 1,
        }
        .into_response(),
        Fault::DropMidBody => {
            let resp = next.run(req).await;
            let (mut parts, body) = resp.into_parts();
            let bytes = axum::body::to_bytes(body, usize::MAX)
                .await
                .unwrap_or_default();
            let half = bytes.slice(..bytes.len() / 2);
            parts.headers.insert(
                header::CONTENT_LENGTH,
                HeaderValue::from(bytes.len().max(1)),
            );
            // Send the first half, give it time to reach the client, then fail the stream:
            // hyper aborts the connection with the body incomplete.
            let chunks = stream::iter([Ok::<_, std::io::Error>(half)]).chain(stream::once(async {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                Err(std::io::Error::new(
                    std::io::ErrorKind::ConnectionReset,
                    "fyle-sandbox dropped the connection mid-body",
                ))
            }));
            Response::from_parts(parts, Body::from_stream(chunks))
        }
        Fault::TruncateJson => {
            let resp = next.run(req).await;
            if !resp.status().is_success() {
                return resp;
            }
            let (mut parts, body) = resp.into_parts();
            let bytes = axum::body::to_bytes(body, usize::MAX)
                .await
                .unwrap_or_default();
            let cut = bytes.slice(..bytes.len() / 2);
            parts
                .headers
                .insert(header::CONTENT_LENGTH, HeaderValue::from(cut.len()));
            Response::from_parts(parts, Body::from(cut))
        }
    }
}
