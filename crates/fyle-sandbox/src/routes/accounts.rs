//! `POST /oauth/token`, `POST /oauth/cluster` and the consent page.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Instant;

use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use bytes::Bytes;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::{Auth, Grant};
use crate::errors::ApiError;
use crate::state::AppState;

fn oauth_error(status: StatusCode, error: &str, message: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        json!({"error": error, "message": message}).to_string(),
    )
        .into_response()
}

/// `POST /oauth/token`: JSON body only; `refresh_token` and `authorization_code` grants.
pub(crate) async fn token(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let req = match token_request(&headers, &body) {
        Ok(req) => req,
        Err((error, message)) => return oauth_error(StatusCode::BAD_REQUEST, error, message),
    };
    let field = |k: &str| req.get(k).and_then(Value::as_str).unwrap_or_default();
    let (grant_type, client_id, client_secret) = (
        field("grant_type"),
        field("client_id"),
        field("client_secret"),
    );
    if client_id.is_empty() || client_secret.is_empty() || grant_type.is_empty() {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "grant_type, client_id and client_secret are required",
        );
    }
    let at = (state.clock.now(), state.clock.unix());
    let mut auth = state.auth();
    if !auth.check_client(client_id, client_secret) {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "unknown client_id or wrong client_secret",
        );
    }
    match grant_type {
        "refresh_token" => refresh_token_grant(&mut auth, client_id, field("refresh_token"), at),
        "authorization_code" | "code" => code_grant(&mut auth, client_id, field("code"), at),
        other => oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            &format!("grant_type {other:?} is not refresh_token or authorization_code"),
        ),
    }
}

/// The JSON body of a token request; for a form or invalid JSON, the OAuth error code and a
/// message that says what to send instead.
fn token_request(headers: &HeaderMap, body: &Bytes) -> Result<Value, (&'static str, &'static str)> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if content_type.starts_with("application/x-www-form-urlencoded")
        || content_type.starts_with("multipart/form-data")
    {
        return Err((
            "unsupported_content_type",
            "/oauth/token takes a JSON body (Content-Type: application/json), not a form",
        ));
    }
    serde_json::from_slice::<Value>(body).map_err(|_| {
        (
            "invalid_request",
            "the body is not valid JSON; send {\"grant_type\", \"client_id\", \"client_secret\", ...}",
        )
    })
}

/// The `refresh_token` grant: a new access token for a live refresh token of this client.
fn refresh_token_grant(
    auth: &mut Auth,
    client_id: &str,
    refresh: &str,
    (now, unix): (Instant, i64),
) -> Response {
    let Some(grant) = auth.refresh_grant(refresh).cloned() else {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_grant",
            "unknown or revoked refresh_token",
        );
    };
    if grant.client_id != client_id {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_grant",
            "refresh_token was issued to another client",
        );
    }
    let access = auth.issue_access(grant, now, unix);
    tokens(auth, &access, refresh)
}

/// The `authorization_code` grant: redeems a code of this client (once, before it expires)
/// for a new refresh token and an access token.
fn code_grant(
    auth: &mut Auth,
    client_id: &str,
    code: &str,
    (now, unix): (Instant, i64),
) -> Response {
    let Some(grant) = auth.redeem_code(code, now) else {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_grant",
            "unknown, used or expired authorization code",
        );
    };
    if grant.client_id != client_id {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_grant",
            "code was issued to another client",
        );
    }
    let refresh = auth.issue_refresh(grant.clone());
    let access = auth.issue_access(grant, now, unix);
    tokens(auth, &access, &refresh)
}

/// The token answer Fyle sends.
fn tokens(auth: &Auth, access: &str, refresh: &str) -> Response {
    json_ok(&json!({
        "access_token": access,
        "refresh_token": refresh,
        "expires_in": auth.token_ttl.as_secs(),
        "token_type": "Bearer",
    }))
}

fn json_ok(v: &Value) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        v.to_string(),
    )
        .into_response()
}

/// `POST /oauth/cluster` (with or without a trailing slash and a `{}` body).
pub(crate) async fn cluster(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    if state.authenticate(&headers).is_none() {
        return ApiError::InvalidToken.into_response();
    }
    json_ok(&json!({"cluster_domain": state.base_url}))
}

/// Query of the consent page.
#[derive(Debug, Deserialize)]
pub(crate) struct AuthorizeQuery {
    client_id: Option<String>,
    redirect_uri: Option<String>,
    state: Option<String>,
    response_type: Option<String>,
    /// Sandbox extension: who is logged in (defaults to the admin of the client's org).
    user_email: Option<String>,
    /// Sandbox extension: skip the page and approve at once.
    auto_approve: Option<String>,
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// The user (and org) granting access: `user_email` if given, else the admin of the client's org.
fn granting_user(
    state: &AppState,
    client_id: &str,
    user_email: Option<&str>,
) -> Option<(crate::store::User, String, String)> {
    let home = state.auth().client(client_id)?.home_org.clone();
    let store = state.read();
    if let Some(email) = user_email {
        for org in store.orgs.values() {
            if let Some(u) = org.user_by_email(email) {
                return Some((u, org.org_id.clone(), org.org_name.clone()));
            }
        }
        return None;
    }
    let org = store.org(&home)?;
    let admin = org
        .table(crate::store::Resource::Employees)
        .rows
        .values()
        .find(|e| {
            e.get("roles")
                .and_then(Value::as_array)
                .is_some_and(|r| r.iter().any(|x| x == "ADMIN"))
        })
        .and_then(|e| e.get("user_id").and_then(Value::as_str))
        .and_then(|u| org.user(u))?;
    Some((admin, org.org_id.clone(), org.org_name.clone()))
}

/// `GET /app/developers/oauth/authorize`: the consent page (or an immediate redirect).
pub(crate) async fn authorize_page(
    State(state): State<Arc<AppState>>,
    Query(q): Query<AuthorizeQuery>,
) -> Response {
    let Some(client_id) = q.client_id.as_deref().filter(|c| !c.is_empty()) else {
        return (
            StatusCode::BAD_REQUEST,
            Html("<h1>client_id is required</h1>"),
        )
            .into_response();
    };
    if let Some(rt) = q.response_type.as_deref()
        && rt != "code"
    {
        return (
            StatusCode::BAD_REQUEST,
            Html("<h1>response_type must be code</h1>"),
        )
            .into_response();
    }
    let Some((user, org_id, org_name)) = granting_user(&state, client_id, q.user_email.as_deref())
    else {
        return (
            StatusCode::BAD_REQUEST,
            Html("<h1>unknown client_id or user_email</h1>"),
        )
            .into_response();
    };
    let auto = state.auto_approve
        || q.auto_approve
            .as_deref()
            .is_some_and(|v| matches!(v, "true" | "1" | "yes"));
    if auto {
        return approve(
            &state,
            client_id,
            &user.user_id,
            &org_id,
            q.redirect_uri.as_deref(),
            q.state.as_deref(),
        );
    }
    let mut page = String::new();
    let _ = write!(
        page,
        "<!doctype html><html><head><title>Authorize {client}</title></head><body>\
         <h1>Authorize application</h1>\
         <p>The application <strong id=\"client\">{client}</strong> is asking for access to \
         <strong>all actions</strong> (scope <code>*</code>) of \
         <strong id=\"user\">{name}</strong> (<span id=\"email\">{email}</span>), roles {roles}, \
         in the organisation <strong id=\"org\">{org_name}</strong> ({org_id}).</p>\
         <form method=\"post\" action=\"/app/developers/oauth/authorize\">\
         <input type=\"hidden\" name=\"client_id\" value=\"{client}\">\
         <input type=\"hidden\" name=\"user_id\" value=\"{user_id}\">\
         <input type=\"hidden\" name=\"org_id\" value=\"{org_id}\">\
         <input type=\"hidden\" name=\"redirect_uri\" value=\"{redirect}\">\
         <input type=\"hidden\" name=\"state\" value=\"{st}\">\
         <button type=\"submit\" name=\"decision\" value=\"approve\">Approve</button> \
         <button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button>\
         </form></body></html>",
        client = escape(client_id),
        name = escape(&user.full_name),
        email = escape(&user.email),
        roles = escape(&user.roles.join(", ")),
        org_name = escape(&org_name),
        org_id = escape(&org_id),
        user_id = escape(&user.user_id),
        redirect = escape(q.redirect_uri.as_deref().unwrap_or_default()),
        st = escape(q.state.as_deref().unwrap_or_default()),
    );
    Html(page).into_response()
}

/// `POST /app/developers/oauth/authorize`: the consent form's answer.
pub(crate) async fn authorize_decision(
    State(state): State<Arc<AppState>>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let get = |k: &str| form.get(k).map(String::as_str).filter(|s| !s.is_empty());
    let (Some(client_id), Some(user_id), Some(org_id)) =
        (get("client_id"), get("user_id"), get("org_id"))
    else {
        return (StatusCode::BAD_REQUEST, Html("<h1>incomplete form</h1>")).into_response();
    };
    if get("decision") != Some("approve") {
        return match get("redirect_uri") {
            Some(uri) => redirect_with(uri, &[("error", "access_denied")], get("state")),
            None => Html("<h1>Access denied</h1>").into_response(),
        };
    }
    approve(
        &state,
        client_id,
        user_id,
        org_id,
        get("redirect_uri"),
        get("state"),
    )
}

fn approve(
    state: &AppState,
    client_id: &str,
    user_id: &str,
    org_id: &str,
    redirect_uri: Option<&str>,
    st: Option<&str>,
) -> Response {
    let known_user = state
        .read()
        .org(org_id)
        .and_then(|o| o.user(user_id))
        .is_some();
    if !known_user || state.auth().client(client_id).is_none() {
        return (
            StatusCode::BAD_REQUEST,
            Html("<h1>unknown client or user</h1>"),
        )
            .into_response();
    }
    let grant = Grant {
        client_id: client_id.to_owned(),
        org_id: org_id.to_owned(),
        user_id: user_id.to_owned(),
    };
    let code = state.auth().issue_code(grant, state.clock.now());
    match redirect_uri.filter(|u| !u.is_empty()) {
        Some(uri) => redirect_with(uri, &[("code", &code)], st),
        None => Html(format!(
            "<!doctype html><html><body><h1>Authorized</h1>\
             <p>Authorization code: <code id=\"code\">{}</code></p></body></html>",
            escape(&code)
        ))
        .into_response(),
    }
}

fn redirect_with(uri: &str, params: &[(&str, &str)], st: Option<&str>) -> Response {
    let Ok(mut url) = url::Url::parse(uri) else {
        return (
            StatusCode::BAD_REQUEST,
            Html("<h1>redirect_uri is not a URL</h1>"),
        )
            .into_response();
    };
    {
        let mut pairs = url.query_pairs_mut();
        for (k, v) in params {
            pairs.append_pair(k, v);
        }
        if let Some(s) = st {
            pairs.append_pair("state", s);
        }
    }
    Redirect::to(url.as_str()).into_response()
}
