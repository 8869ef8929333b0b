//! Subscriptions and webhook delivery: `POST|GET /platform/v1/{admin,approver,spender}/subscriptions`
//! register a `webhook_url`; when a report changes state the sandbox POSTs the payload the spec
//! declares for that role's callback (`report_out_subscriptions_{role}`: `resource`, `action`,
//! `data`, `reason`) to every matching enabled subscription.
//!
//! - admin subscriptions see the whole org: an admin approval is `ADMIN_APPROVED`, an approver's
//!   final approval `APPROVED`, a payment `MARK_PAID`;
//! - approver subscriptions get `SUBMITTED` for their approvees' reports;
//! - spender subscriptions get `APPROVED` and `PAID` for their own reports.
//!
//! One subscription per (org, role, user, `webhook_url`): posting the same URL again updates it.
//! Deliveries go through one queue, in order; a failed delivery (no answer, or not 2xx) is
//! retried with exponential backoff before the next one is sent, and dropped (logged) after
//! [`MAX_ATTEMPTS`](delivery::MAX_ATTEMPTS).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::errors::ApiError;
use crate::state::AppState;
use crate::store::User;
use crate::writes::ActAs;

mod delivery;

use delivery::{Delivery, deliver_all};

/// A registered subscription.
#[derive(Debug, Clone)]
struct Subscription {
    id: String,
    org_id: String,
    role: &'static str,
    user_id: String,
    webhook_url: String,
    is_enabled: bool,
    resources: Vec<String>,
    created_at: String,
    updated_at: String,
}

impl Subscription {
    /// The role's `*_subscriptions_out` shape: admins see `org_id` and `subscribed_resources`,
    /// approvers `approver_user_id`, spenders `user_id` (each schema is closed).
    fn to_json(&self) -> Value {
        let mut out = json!({
            "id": self.id,
            "webhook_url": self.webhook_url,
            "is_enabled": self.is_enabled,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        });
        let extra = match self.role {
            "admin" => json!({"org_id": self.org_id, "subscribed_resources": self.resources}),
            "approver" => json!({"approver_user_id": self.user_id}),
            _ => json!({"user_id": self.user_id}),
        };
        if let (Some(o), Value::Object(e)) = (out.as_object_mut(), extra) {
            o.extend(e);
        }
        out
    }
}

/// The subscriptions of every org and the delivery queue.
#[derive(Debug)]
pub(crate) struct Webhooks {
    subscriptions: Mutex<Vec<Subscription>>,
    next_id: AtomicU64,
    queue: mpsc::UnboundedSender<Delivery>,
    delivered: Arc<AtomicU64>,
}

/// What happened to a report, as the hook in the platform routes reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReportEvent {
    /// `reports/submit`.
    Submitted,
    /// `reports/approve/bulk` by an admin.
    AdminApproved,
    /// `reports/partially_approve` by an approver.
    ApproverApproved,
    /// `reports/mark_paid/bulk`.
    Paid,
}

impl Webhooks {
    /// Starts the delivery worker (it ends when the sandbox state is dropped).
    pub(crate) fn start() -> Self {
        let (queue, rx) = mpsc::unbounded_channel();
        let delivered = Arc::new(AtomicU64::new(0));
        tokio::spawn(deliver_all(rx, Arc::clone(&delivered)));
        Self {
            subscriptions: Mutex::new(Vec::new()),
            next_id: AtomicU64::new(1),
            queue,
            delivered,
        }
    }

    fn subs(&self) -> MutexGuard<'_, Vec<Subscription>> {
        self.subscriptions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Creates the subscription, or updates the one of the same org, role, user and URL.
    fn upsert(&self, who: &Subscriber, data: &Value, now: &str) -> Result<Value, ApiError> {
        let url = data
            .get("webhook_url")
            .and_then(Value::as_str)
            .filter(|u| u.starts_with("http://") || u.starts_with("https://"))
            .ok_or_else(|| field_error("webhook_url", "Not a valid URL."))?
            .to_owned();
        let is_enabled = data
            .get("is_enabled")
            .and_then(Value::as_bool)
            .ok_or_else(|| field_error("is_enabled", "Missing data for required field."))?;
        let resources: Vec<String> = data
            .get("subscribed_resources")
            .and_then(Value::as_array)
            .ok_or_else(|| field_error("subscribed_resources", "Missing data for required field."))?
            .iter()
            .map(|r| r.as_str().map(str::to_owned))
            .collect::<Option<_>>()
            .ok_or_else(|| field_error("subscribed_resources", "Not a valid string."))?;
        let mut subs = self.subs();
        let existing = subs.iter_mut().find(|s| {
            s.org_id == who.org_id
                && s.role == who.role
                && s.user_id == who.user_id
                && s.webhook_url == url
        });
        let sub = if let Some(sub) = existing {
            sub.is_enabled = is_enabled;
            sub.resources = resources;
            now.clone_into(&mut sub.updated_at);
            sub.clone()
        } else {
            let sub = Subscription {
                id: format!("sub{:07}", self.next_id.fetch_add(1, Ordering::Relaxed)),
                org_id: who.org_id.clone(),
                role: who.role,
                user_id: who.user_id.clone(),
                webhook_url: url,
                is_enabled,
                resources,
                created_at: now.to_owned(),
                updated_at: now.to_owned(),
            };
            subs.push(sub.clone());
            sub
        };
        tracing::info!(id = %sub.id, url = %sub.webhook_url, "sandbox subscription saved");
        Ok(sub.to_json())
    }

    fn list(&self, who: &Subscriber, id: Option<&str>) -> Vec<Value> {
        self.subs()
            .iter()
            .filter(|s| s.org_id == who.org_id && s.role == who.role && s.user_id == who.user_id)
            .filter(|s| id.is_none_or(|id| s.id == id))
            .map(Subscription::to_json)
            .collect()
    }

    /// Queues the deliveries `event` on `report` causes. `approves_owner(user)` tells whether
    /// an approver subscriber approves the report's owner.
    pub(crate) fn report_changed(
        &self,
        org_id: &str,
        event: ReportEvent,
        report: &Value,
        actor: &User,
        approves_owner: impl Fn(&str) -> bool,
    ) {
        let owner = report.get("user_id").and_then(Value::as_str).unwrap_or("");
        let mut data = report.clone();
        data["updated_by_user"] =
            json!({"id": actor.user_id, "email": actor.email, "full_name": actor.full_name});
        for sub in self.subs().iter() {
            if sub.org_id != org_id
                || !sub.is_enabled
                || !sub.resources.iter().any(|r| r == "REPORT")
            {
                continue;
            }
            let action = match (sub.role, event) {
                ("admin", ReportEvent::AdminApproved) => "ADMIN_APPROVED",
                ("admin", ReportEvent::ApproverApproved) => "APPROVED",
                ("admin", ReportEvent::Paid) => "MARK_PAID",
                ("approver", ReportEvent::Submitted) if approves_owner(&sub.user_id) => "SUBMITTED",
                ("spender", ReportEvent::AdminApproved | ReportEvent::ApproverApproved)
                    if sub.user_id == owner =>
                {
                    "APPROVED"
                }
                ("spender", ReportEvent::Paid) if sub.user_id == owner => "PAID",
                _ => continue,
            };
            let body = json!({
                "resource": "REPORT",
                "action": action,
                "data": data,
                "reason": reason(action, actor),
            });
            // The worker only stops with the state, so a send cannot fail while we run.
            let _ = self.queue.send(Delivery {
                url: sub.webhook_url.clone(),
                body,
            });
        }
    }

    /// How many deliveries succeeded so far.
    pub(crate) fn delivered(&self) -> u64 {
        self.delivered.load(Ordering::Relaxed)
    }
}

fn reason(action: &str, actor: &User) -> String {
    let who = &actor.full_name;
    match action {
        "SUBMITTED" => format!("{who} submitted the report."),
        "ADMIN_APPROVED" => format!("Admin {who} approved the report."),
        "APPROVED" => format!("{who} approved the report."),
        "MARK_PAID" | "PAID" => format!("{who} marked the report paid."),
        other => format!("{other} by {who}."),
    }
}

fn field_error(field: &str, message: &str) -> ApiError {
    let mut row = serde_json::Map::new();
    row.insert(field.to_owned(), json!([message]));
    let mut data = serde_json::Map::new();
    data.insert("0".to_owned(), Value::Object(row));
    ApiError::Validation(data)
}

/// The caller of a subscriptions route.
struct Subscriber {
    org_id: String,
    user_id: String,
    role: &'static str,
}

fn subscriber(state: &AppState, headers: &HeaderMap, role: &str) -> Result<Subscriber, ApiError> {
    let grant = state.authenticate(headers).ok_or(ApiError::InvalidToken)?;
    let (role, needed) = match role {
        "admin" => ("admin", "ADMIN"),
        "approver" => ("approver", "APPROVER"),
        "spender" => ("spender", "FYLER"),
        other => return Err(ApiError::NotFound(format!("no role {other}"))),
    };
    let store = state.read();
    let user = store
        .org(&grant.org_id)
        .and_then(|org| org.user(&grant.user_id))
        .ok_or(ApiError::InvalidToken)?;
    if !user.roles.iter().any(|r| r == needed) {
        return Err(ApiError::Forbidden(format!(
            "user {} does not have the {needed} role needed for /{role} APIs",
            user.email
        )));
    }
    Ok(Subscriber {
        org_id: grant.org_id,
        user_id: grant.user_id,
        role,
    })
}

fn json_ok(value: &Value) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        value.to_string(),
    )
        .into_response()
}

/// `POST /platform/v1/{role}/subscriptions`.
pub(crate) async fn create(
    State(state): State<Arc<AppState>>,
    Path(role): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = (|| {
        let who = subscriber(&state, &headers, &role)?;
        let body: Value = serde_json::from_slice(&body)
            .map_err(|e| ApiError::InvalidUsage(format!("the body is not valid JSON: {e}")))?;
        let data = body
            .get("data")
            .filter(|d| d.is_object())
            .ok_or_else(|| ApiError::InvalidUsage("data must be an object".to_owned()))?;
        let now = crate::clock::fyle_timestamp(state.clock.now_utc());
        let sub = state.webhooks.upsert(&who, data, &now)?;
        Ok::<_, ApiError>(json_ok(&json!({"data": sub})))
    })();
    result.unwrap_or_else(IntoResponse::into_response)
}

/// `GET /platform/v1/{role}/subscriptions` (`?id=eq.<id>` to get one).
pub(crate) async fn list(
    State(state): State<Arc<AppState>>,
    Path(role): Path<String>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let result = (|| {
        let who = subscriber(&state, &headers, &role)?;
        let params: HashMap<String, String> =
            url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
                .into_owned()
                .collect();
        let id = params.get("id").map(|v| v.strip_prefix("eq.").unwrap_or(v));
        let rows = state.webhooks.list(&who, id);
        Ok::<_, ApiError>(json_ok(
            &json!({"count": rows.len(), "offset": 0, "data": rows}),
        ))
    })();
    result.unwrap_or_else(IntoResponse::into_response)
}

/// Queues the webhooks of a successful report action; `rows` are the changed reports.
pub(crate) fn after_report_action(
    state: &AppState,
    org_id: &str,
    actor: &User,
    act: ActAs,
    event: ReportEvent,
    rows: &[Value],
) {
    let event = match (event, act) {
        (ReportEvent::AdminApproved, ActAs::Approver) => ReportEvent::ApproverApproved,
        (event, _) => event,
    };
    let store = state.read();
    let Some(org) = store.org(org_id) else {
        return;
    };
    for row in rows {
        // Only a report fully approved counts as an approval (not a partial one).
        if matches!(
            event,
            ReportEvent::ApproverApproved | ReportEvent::AdminApproved
        ) && row.get("state").and_then(Value::as_str) != Some("APPROVED")
        {
            continue;
        }
        let owner = row.get("user_id").and_then(Value::as_str).unwrap_or("");
        state
            .webhooks
            .report_changed(org_id, event, row, actor, |approver| {
                org.approvees(approver).contains(owner)
            });
    }
}
