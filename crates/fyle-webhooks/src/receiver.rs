//! [`Receiver`]: checks a callback body, deduplicates it, verifies it by fetch, and hands
//! verified events to the app through a channel. [`Receiver::router`] puts it behind axum.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use tokio::sync::mpsc;

use crate::BodyError;
use crate::event::{Event, EventKey, Role};
use crate::verify::{Current, IgnoreReason, Verifier, confirm};

/// Largest body accepted by default (a report payload is a few KiB).
pub const DEFAULT_MAX_BODY: usize = 256 * 1024;
/// How many event keys are remembered for deduplication by default.
pub const DEFAULT_REMEMBERED: usize = 10_000;
/// Attempts to verify an event when the API fails, by the router's background task.
const VERIFY_ATTEMPTS: u32 = 3;

/// An event the API confirmed: the typed payload as posted, and the object as read back.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct VerifiedEvent {
    /// Its deduplication key.
    pub key: EventKey,
    /// The payload as posted.
    pub event: Event,
    /// The object read back through the API: act on this, not on the posted data.
    pub current: Current,
}

/// What became of one delivery.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Outcome {
    /// Verified and handed to the app.
    Delivered(EventKey),
    /// The same change was already handled (or is being handled).
    Duplicate(EventKey),
    /// Not confirmed by the API: dropped, with the reason logged.
    Ignored(EventKey, IgnoreReason),
    /// The API could not be asked; not marked seen, so a redelivery is verified again.
    Unverified(EventKey, crate::VerifyError),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seen {
    InFlight,
    Done,
}

/// Keys seen, oldest first, bounded.
#[derive(Debug, Default)]
struct SeenSet {
    state: HashMap<EventKey, Seen>,
    order: VecDeque<EventKey>,
}

/// Receives one subscription's callbacks. Cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct Receiver {
    role: Role,
    verifier: Arc<dyn Verifier>,
    events: mpsc::Sender<VerifiedEvent>,
    seen: Mutex<SeenSet>,
    remembered: usize,
    max_body: usize,
}

impl Receiver {
    /// A receiver for `role`'s callbacks that verifies with `verifier`; verified events come
    /// out of the returned channel (of `capacity` events: a full channel slows the receiver
    /// down rather than dropping events).
    pub fn new(
        role: Role,
        verifier: Arc<dyn Verifier>,
        capacity: usize,
    ) -> (Self, mpsc::Receiver<VerifiedEvent>) {
        let (events, rx) = mpsc::channel(capacity.max(1));
        (
            Self {
                role,
                verifier,
                events,
                seen: Mutex::new(SeenSet::default()),
                remembered: DEFAULT_REMEMBERED,
                max_body: DEFAULT_MAX_BODY,
            },
            rx,
        )
    }

    /// Bounds the body size (default [`DEFAULT_MAX_BODY`]).
    #[must_use]
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// How many keys to remember for deduplication (default [`DEFAULT_REMEMBERED`]).
    #[must_use]
    pub fn remembered(mut self, keys: usize) -> Self {
        self.remembered = keys.max(1);
        self
    }

    fn seen(&self) -> MutexGuard<'_, SeenSet> {
        self.seen.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Checks and decodes a body: size, JSON, the fields the key needs.
    pub fn parse(&self, body: &[u8]) -> Result<Event, BodyError> {
        if body.len() > self.max_body {
            return Err(BodyError::TooLarge {
                limit: self.max_body,
            });
        }
        Event::parse(self.role, body)
    }

    /// The plain function API: parse, deduplicate, verify by fetch, hand to the app.
    pub async fn handle(&self, body: &[u8]) -> Result<Outcome, BodyError> {
        let event = self.parse(body)?;
        self.process(event).await
    }

    /// Deduplicates, verifies and delivers an already parsed event (an error only if the event
    /// lacks the fields of its key).
    pub async fn process(&self, event: Event) -> Result<Outcome, BodyError> {
        let key = event.key()?;
        if !self.claim(&key) {
            tracing::debug!(event = %key, "duplicate webhook delivery ignored");
            return Ok(Outcome::Duplicate(key));
        }
        let current = match self.verifier.current(self.role, &key).await {
            Ok(current) => current,
            Err(error) => {
                self.release(&key);
                tracing::warn!(event = %key, %error, "webhook not verified; a redelivery will be");
                return Ok(Outcome::Unverified(key, error));
            }
        };
        let current = match confirm(&key, current) {
            Ok(current) => current,
            Err(reason) => {
                // A forged or stale event: remembered, so a flood of copies costs one fetch.
                self.finish(&key);
                tracing::warn!(event = %key, %reason, "webhook ignored: not confirmed by the API");
                return Ok(Outcome::Ignored(key, reason));
            }
        };
        let verified = VerifiedEvent {
            key: key.clone(),
            event,
            current,
        };
        if self.events.send(verified).await.is_err() {
            self.release(&key);
            tracing::warn!(event = %key, "the app stopped reading webhook events");
            let closed = crate::VerifyError("the app's event channel is closed".to_owned());
            return Ok(Outcome::Unverified(key, closed));
        }
        self.finish(&key);
        tracing::info!(event = %key, "webhook verified and handed to the app");
        Ok(Outcome::Delivered(key))
    }

    /// Marks `key` in flight; `false` if it was already seen.
    fn claim(&self, key: &EventKey) -> bool {
        let mut seen = self.seen();
        if seen.state.contains_key(key) {
            return false;
        }
        seen.state.insert(key.clone(), Seen::InFlight);
        seen.order.push_back(key.clone());
        while seen.order.len() > self.remembered {
            if let Some(old) = seen.order.pop_front() {
                seen.state.remove(&old);
            }
        }
        true
    }

    fn finish(&self, key: &EventKey) {
        if let Some(state) = self.seen().state.get_mut(key) {
            *state = Seen::Done;
        }
    }

    fn release(&self, key: &EventKey) {
        let mut seen = self.seen();
        seen.state.remove(key);
        seen.order.retain(|k| k != key);
    }

    /// An axum router answering `POST /`: a 4xx JSON error on a bad body, else `200` at once;
    /// verification and delivery continue in a background task (retried if the API fails).
    pub fn router(self: Arc<Self>) -> Router {
        let limit = self.max_body;
        Router::new()
            .route("/", post(receive))
            // axum's own cap, a little above ours so our error message is the one seen.
            .layer(DefaultBodyLimit::max(limit.saturating_add(1)))
            .with_state(self)
    }
}

async fn receive(
    State(receiver): State<Arc<Receiver>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.starts_with("application/json"));
    let parsed = if json {
        receiver.parse(&body)
    } else {
        Err(BodyError::NotJson)
    };
    let event = match parsed {
        Ok(event) => event,
        Err(error) => {
            tracing::warn!(%error, "webhook body refused");
            return error.into_response();
        }
    };
    tokio::spawn(async move {
        let mut wait = Duration::from_millis(500);
        for _ in 1..VERIFY_ATTEMPTS {
            match receiver.process(event.clone()).await {
                Ok(Outcome::Unverified(..)) => {
                    tokio::time::sleep(wait).await;
                    wait *= 2;
                }
                _ => return,
            }
        }
        let _ = receiver.process(event).await;
    });
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        r#"{"status":"accepted"}"#,
    )
        .into_response()
}

impl IntoResponse for BodyError {
    fn into_response(self) -> Response {
        let status = match self {
            BodyError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            BodyError::NotJson => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            BodyError::Malformed { .. } | BodyError::MissingField { .. } => StatusCode::BAD_REQUEST,
        };
        let body = serde_json::json!({"error": self.to_string()}).to_string();
        (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
    }
}
