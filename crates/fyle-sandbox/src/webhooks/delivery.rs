//! Sending webhook deliveries: one queue, in order, each retried with exponential backoff
//! before the next is sent, and dropped (logged) after [`MAX_ATTEMPTS`].

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::http::header;
use serde_json::Value;
use tokio::sync::mpsc;

/// Attempts per delivery before it is dropped.
pub(crate) const MAX_ATTEMPTS: u32 = 5;
/// The wait before the first retry; it doubles each time.
const FIRST_BACKOFF: Duration = Duration::from_millis(200);
/// How long one delivery attempt may take.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);

/// One POST to make.
#[derive(Debug)]
pub(super) struct Delivery {
    pub(super) url: String,
    pub(super) body: Value,
}

/// Sends every queued delivery in order, retrying each with backoff.
pub(super) async fn deliver_all(
    mut rx: mpsc::UnboundedReceiver<Delivery>,
    delivered: Arc<AtomicU64>,
) {
    let client = match reqwest::Client::builder().timeout(ATTEMPT_TIMEOUT).build() {
        Ok(client) => client,
        Err(e) => {
            tracing::error!(error = %e, "webhook client could not start; deliveries disabled");
            return;
        }
    };
    while let Some(delivery) = rx.recv().await {
        let mut backoff = FIRST_BACKOFF;
        for attempt in 1..=MAX_ATTEMPTS {
            let outcome = client
                .post(&delivery.url)
                .header(header::CONTENT_TYPE, "application/json")
                .body(delivery.body.to_string())
                .send()
                .await;
            match outcome {
                Ok(resp) if resp.status().is_success() => {
                    delivered.fetch_add(1, Ordering::Relaxed);
                    tracing::debug!(url = %delivery.url, attempt, "webhook delivered");
                    break;
                }
                Ok(resp) => tracing::warn!(
                    url = %delivery.url, attempt, status = resp.status().as_u16(),
                    "webhook refused; will retry"
                ),
                Err(e) => tracing::warn!(
                    url = %delivery.url, attempt, error = %e, "webhook delivery failed; will retry"
                ),
            }
            if attempt == MAX_ATTEMPTS {
                tracing::error!(url = %delivery.url, "webhook dropped after {MAX_ATTEMPTS} attempts");
            } else {
                tokio::time::sleep(backoff).await;
                backoff *= 2;
            }
        }
    }
}
