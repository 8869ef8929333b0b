//! Verify-by-fetch: Fyle signs no webhook, so an event is only trusted after the object it
//! names is read back through the API and found changed the way the event says.

use async_trait::async_trait;
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::event::{EventKey, Role};

/// The object as the API returns it now.
#[derive(Debug, Clone, PartialEq)]
pub struct Current {
    /// Its `updated_at`.
    pub updated_at: OffsetDateTime,
    /// Its `state`, if it has one.
    pub state: Option<String>,
    /// The whole object, as read (this, not the posted body, is what the app gets).
    pub object: Value,
}

impl Current {
    /// Reads `updated_at` and `state` from an API object; `None` if it has no `updated_at`.
    pub fn from_object(object: Value) -> Option<Self> {
        let updated_at = object
            .get("updated_at")
            .and_then(Value::as_str)
            .and_then(|s| OffsetDateTime::parse(s, &Rfc3339).ok())?;
        let state = object
            .get("state")
            .and_then(Value::as_str)
            .map(str::to_owned);
        Some(Self {
            updated_at,
            state,
            object,
        })
    }
}

/// Why a verification could not be done (the API failed): the event is neither trusted nor
/// marked seen, so a redelivery is verified again.
#[derive(Debug, Clone, thiserror::Error)]
#[error("verification failed: {0}")]
pub struct VerifyError(pub String);

/// Reads an object back. [`ApiVerifier`] uses a [`fyle::Client`]; tests can use their own.
#[async_trait]
pub trait Verifier: Send + Sync + std::fmt::Debug {
    /// The object `key` names as `role` sees it now; `Ok(None)` if it does not exist.
    async fn current(&self, role: Role, key: &EventKey) -> Result<Option<Current>, VerifyError>;
}

/// Re-reads reports through the Fyle API with the subscribing role.
#[derive(Debug, Clone)]
pub struct ApiVerifier {
    client: fyle::Client,
}

impl ApiVerifier {
    /// A verifier acting as `client` (the org's admin, for an admin subscription).
    pub fn new(client: fyle::Client) -> Self {
        Self { client }
    }
}

#[async_trait]
impl Verifier for ApiVerifier {
    async fn current(&self, role: Role, key: &EventKey) -> Result<Option<Current>, VerifyError> {
        if key.resource != "REPORT" {
            return Err(VerifyError(format!(
                "no way to re-read a {} object",
                key.resource
            )));
        }
        let read = match role {
            Role::Admin => to_value(self.client.admin().reports().get(&key.id).await),
            Role::Approver => to_value(self.client.approver().reports().get(&key.id).await),
            Role::Spender => to_value(self.client.spender().reports().get(&key.id).await),
        };
        match read {
            Ok(object) => Ok(Current::from_object(object)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(VerifyError(e.to_string())),
        }
    }
}

fn to_value<T: serde::Serialize>(read: fyle::Result<T>) -> Result<Value, fyle::Error> {
    // A typed object always serializes; Null (then "no updated_at") if it somehow did not.
    read.map(|object| serde_json::to_value(object).unwrap_or(Value::Null))
}

/// Why a verified-by-fetch check refused an event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IgnoreReason {
    /// The API does not know the object (or the subscriber cannot see it).
    #[error("the API has no {resource} {id}")]
    Unknown {
        /// The resource.
        resource: String,
        /// The id.
        id: String,
    },
    /// The object was not updated when the event claims.
    #[error(
        "{id} was last updated at {actual}, before the event's {claimed}: not changed as claimed"
    )]
    Unchanged {
        /// The id.
        id: String,
        /// `updated_at` in the event.
        claimed: OffsetDateTime,
        /// `updated_at` read back.
        actual: OffsetDateTime,
    },
    /// The object is in a state the action cannot have led to.
    #[error("{id} is {state}, which {action} cannot have led to")]
    WrongState {
        /// The id.
        id: String,
        /// The event's action.
        action: String,
        /// The state read back.
        state: String,
    },
}

/// The states a report can be in after `action` (`None`: any).
fn states_after(action: &str) -> Option<&'static [&'static str]> {
    const APPROVED_OR_LATER: &[&str] =
        &["APPROVED", "PAYMENT_PENDING", "PAYMENT_PROCESSING", "PAID"];
    Some(match action {
        "APPROVED" | "ADMIN_APPROVED" => APPROVED_OR_LATER,
        "PAYMENT_PENDING" => &["PAYMENT_PENDING", "PAYMENT_PROCESSING", "PAID"],
        "STATE_CHANGE_PAYMENT_PROCESSING" | "PAYMENT_PROCESSING" => &["PAYMENT_PROCESSING", "PAID"],
        "MARK_PAID" | "PAID" => &["PAID"],
        "SUBMITTED" | "PARTIALLY_APPROVED" => &[
            "APPROVER_PENDING",
            "APPROVER_INQUIRY",
            "APPROVED",
            "PAYMENT_PENDING",
            "PAYMENT_PROCESSING",
            "PAID",
        ],
        _ => return None,
    })
}

/// Whether `current` confirms the event `key` describes.
pub(crate) fn confirm(key: &EventKey, current: Option<Current>) -> Result<Current, IgnoreReason> {
    let Some(current) = current else {
        return Err(IgnoreReason::Unknown {
            resource: key.resource.clone(),
            id: key.id.clone(),
        });
    };
    if current.updated_at < key.updated_at {
        return Err(IgnoreReason::Unchanged {
            id: key.id.clone(),
            claimed: key.updated_at,
            actual: current.updated_at,
        });
    }
    if let (Some(allowed), Some(state)) = (states_after(&key.action), &current.state)
        && !allowed.contains(&state.as_str())
    {
        return Err(IgnoreReason::WrongState {
            id: key.id.clone(),
            action: key.action.clone(),
            state: state.clone(),
        });
    }
    Ok(current)
}
