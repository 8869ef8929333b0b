//! Typed webhook payloads: one variant per callback the spec declares, and the key events are
//! deduplicated by.
//!
//! The spec declares one callback, `report_subscriptions_callback`, on each role's
//! `POST /{role}/subscriptions`: its body is `report_out_subscriptions_{admin,approver,spender}`
//! (`resource`, `action`, `data` = the report, `reason`).

use fyle::models::types::{
    ReportOutSubscriptionsAdmin, ReportOutSubscriptionsApprover, ReportOutSubscriptionsSpender,
};
use time::OffsetDateTime;

use crate::BodyError;

/// Whose subscription a receiver serves: the callback body depends on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// `POST /admin/subscriptions`: the whole org's reports.
    Admin,
    /// `POST /approver/subscriptions`: reports to approve.
    Approver,
    /// `POST /spender/subscriptions`: the subscriber's own reports.
    Spender,
}

impl Role {
    /// The path segment (`admin`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Approver => "approver",
            Self::Spender => "spender",
        }
    }
}

/// A callback body, typed per role (the payload as posted: not yet verified).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Event {
    /// `report_out_subscriptions_admin`.
    ReportAdmin(ReportOutSubscriptionsAdmin),
    /// `report_out_subscriptions_approver`.
    ReportApprover(ReportOutSubscriptionsApprover),
    /// `report_out_subscriptions_spender`.
    ReportSpender(ReportOutSubscriptionsSpender),
}

/// What identifies one change: a redelivery of the same change has the same key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EventKey {
    /// `REPORT`, ...
    pub resource: String,
    /// The object's id.
    pub id: String,
    /// The action (`ADMIN_APPROVED`, ...).
    pub action: String,
    /// The object's `updated_at` in the payload.
    pub updated_at: OffsetDateTime,
}

impl std::fmt::Display for EventKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {} {} at {}",
            self.resource, self.id, self.action, self.updated_at
        )
    }
}

/// `(resource, action, data.id, data.updated_at, reason)` of a payload.
type Fields<'a> = (
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    Option<OffsetDateTime>,
    Option<&'a str>,
);

/// The fields every callback body must carry, read the same way for each role.
macro_rules! fields {
    ($payload:expr) => {{
        let p = $payload;
        let data = p.data.as_ref();
        (
            p.resource.as_deref(),
            p.action.as_ref().map(|a| a.as_str()),
            data.and_then(|d| d.id.as_deref()),
            data.and_then(|d| d.updated_at),
            p.reason.as_deref(),
        )
    }};
}

impl Event {
    /// Decodes a callback body for `role`. Errors say which field is missing or where the JSON
    /// broke, never echo the body.
    pub fn parse(role: Role, body: &[u8]) -> Result<Self, BodyError> {
        let decode = |e: serde_json::Error| BodyError::Malformed {
            reason: describe(&e),
        };
        let event = match role {
            Role::Admin => Self::ReportAdmin(serde_json::from_slice(body).map_err(decode)?),
            Role::Approver => Self::ReportApprover(serde_json::from_slice(body).map_err(decode)?),
            Role::Spender => Self::ReportSpender(serde_json::from_slice(body).map_err(decode)?),
        };
        event.key()?;
        Ok(event)
    }

    fn fields(&self) -> Fields<'_> {
        match self {
            Self::ReportAdmin(p) => fields!(p),
            Self::ReportApprover(p) => fields!(p),
            Self::ReportSpender(p) => fields!(p),
        }
    }

    /// The deduplication key; an error names the first required field that is missing.
    pub fn key(&self) -> Result<EventKey, BodyError> {
        let (resource, action, id, updated_at, _) = self.fields();
        let missing = |field: &'static str| BodyError::MissingField { field };
        Ok(EventKey {
            resource: resource.ok_or(missing("resource"))?.to_owned(),
            action: action.ok_or(missing("action"))?.to_owned(),
            id: id.ok_or(missing("data.id"))?.to_owned(),
            updated_at: updated_at.ok_or(missing("data.updated_at"))?,
        })
    }

    /// The role whose callback this is.
    pub fn role(&self) -> Role {
        match self {
            Self::ReportAdmin(_) => Role::Admin,
            Self::ReportApprover(_) => Role::Approver,
            Self::ReportSpender(_) => Role::Spender,
        }
    }

    /// The action (`ADMIN_APPROVED`, ...), if present.
    pub fn action(&self) -> Option<&str> {
        self.fields().1
    }

    /// The human-readable reason Fyle gives.
    pub fn reason(&self) -> Option<&str> {
        self.fields().4
    }
}

/// A serde_json error without the input it choked on.
fn describe(error: &serde_json::Error) -> String {
    let category = match error.classify() {
        serde_json::error::Category::Io => "I/O error",
        serde_json::error::Category::Syntax => "invalid JSON",
        serde_json::error::Category::Data => "unexpected JSON shape",
        serde_json::error::Category::Eof => "truncated JSON",
    };
    format!(
        "{category} at line {} column {}",
        error.line(),
        error.column()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_each_role_and_names_missing_fields() {
        let body = br#"{"resource":"REPORT","action":"ADMIN_APPROVED","reason":"ok",
            "data":{"id":"rp1","updated_at":"2024-01-02T03:04:05.000+00:00","state":"APPROVED"}}"#;
        let event = Event::parse(Role::Admin, body).expect("admin");
        let key = event.key().expect("key");
        assert_eq!(
            (key.id.as_str(), key.action.as_str()),
            ("rp1", "ADMIN_APPROVED")
        );
        let approver = br#"{"resource":"REPORT","action":"SUBMITTED","reason":"r",
            "data":{"id":"rp2","updated_at":"2024-01-02T03:04:05+00:00"}}"#;
        assert_eq!(
            Event::parse(Role::Approver, approver)
                .expect("approver")
                .role(),
            Role::Approver
        );
        let no_id = br#"{"resource":"REPORT","action":"PAID","data":{"updated_at":"2024-01-02T03:04:05+00:00"}}"#;
        assert!(matches!(
            Event::parse(Role::Spender, no_id),
            Err(BodyError::MissingField { field: "data.id" })
        ));
        let err = Event::parse(Role::Admin, b"{not json").expect_err("malformed");
        assert!(err.to_string().contains("invalid JSON"), "{err}");
    }
}
