//! Fyle webhooks for fyle-rs: subscribe, receive, verify, deduplicate.
//!
//! - [`Event`]: the typed payload of every callback the spec declares
//!   (`report_subscriptions_callback` of the admin, approver and spender subscriptions).
//! - [`Receiver`]: checks the body (size bound, JSON, required fields: a 4xx otherwise, never a
//!   panic), deduplicates by (resource, id, action, updated_at), and **verifies by fetch**: Fyle
//!   signs no webhook, so before an event is trusted the object is re-read through the API and
//!   must exist, be at least as recent as the event claims and be in a state the action leads
//!   to; anything else is ignored with a logged reason. Verified events, carrying the object
//!   as read back, reach the app through a channel. Use it as an axum router
//!   ([`Receiver::router`], which answers at once and verifies in the background) or call
//!   [`Receiver::handle`] from any server.
//! - [`ensure_subscription`]: creates or updates the org's subscription, idempotently.
//!
//! ```no_run
//! use std::sync::Arc;
//!
//! use fyle::models::types::SubscribedResourcesItem;
//! use fyle_webhooks::{ApiVerifier, Receiver, Role, ensure_subscription};
//!
//! # async fn run(client: fyle::Client) -> Result<(), Box<dyn std::error::Error>> {
//! ensure_subscription(&client, "https://example.com/fyle/webhook", &[SubscribedResourcesItem::Report]).await?;
//! let (receiver, mut events) = Receiver::new(Role::Admin, Arc::new(ApiVerifier::new(client)), 64);
//! let app: axum::Router = axum::Router::new().nest_service("/fyle/webhook", Arc::new(receiver).router());
//! # let _ = app;
//! while let Some(event) = events.recv().await {
//!     println!("{} is now {:?}", event.key, event.current.state);
//! }
//! # Ok(()) }
//! ```

mod event;
mod receiver;
mod subscription;
mod verify;

pub use event::{Event, EventKey, Role};
pub use receiver::{DEFAULT_MAX_BODY, DEFAULT_REMEMBERED, Outcome, Receiver, VerifiedEvent};
pub use subscription::{SubscriptionChange, ensure_subscription};
pub use verify::{ApiVerifier, Current, IgnoreReason, Verifier, VerifyError};

/// Why a callback body was refused (answered with a 4xx by the router).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BodyError {
    /// Larger than the receiver's bound (413).
    #[error("the body is larger than {limit} bytes")]
    TooLarge {
        /// The bound.
        limit: usize,
    },
    /// Not `application/json` (415).
    #[error("the body must be application/json")]
    NotJson,
    /// Not JSON of the callback's shape (400).
    #[error("the body is not a valid callback payload: {reason}")]
    Malformed {
        /// Where it broke (never the body itself).
        reason: String,
    },
    /// A field the event needs is missing (400).
    #[error("the callback payload has no {field}")]
    MissingField {
        /// The field.
        field: &'static str,
    },
}
