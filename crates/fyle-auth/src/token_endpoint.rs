//! The wire side of `POST {accounts}/oauth/token`, shared by the refresh-token provider and the
//! authorization-code flow: request building, answer classification, and the token lifetime.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use std::fmt;

use bytes::Bytes;
use fyle_transport::SharedTransport;
use http::{HeaderValue, StatusCode, header};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use url::Url;

use crate::credentials::join_path;
use crate::error::describe_json_error;
use crate::host_policy::origin_of;
use crate::{AuthError, Clock, Credentials, HostPolicy};

/// The path of the token endpoint under the accounts URL.
pub(crate) const TOKEN_PATH: &str = "oauth/token";

/// Longest lifetime believed: a bogus `expires_in`/`exp` must not pin a token for years (a 401
/// would still recover, but proactive refresh would never happen).
const MAX_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

/// Longest server message kept in an error.
const MAX_MESSAGE_CHARS: usize = 200;

/// A successful token answer. `Debug` hides both tokens.
#[non_exhaustive]
pub struct TokenAnswer {
    /// The new access token.
    pub access_token: SecretString,
    /// A rotated refresh token, when the answer carried one: the one sent may now be revoked,
    /// so persist this one before anything else.
    pub refresh_token: Option<SecretString>,
    /// `expires_in`, when the answer had a positive one.
    pub expires_in: Option<Duration>,
}

impl TokenAnswer {
    /// How long the access token lives: `expires_in`, else its JWT `exp` claim (decoded, not
    /// verified), else `default`; capped at a day.
    pub fn lifetime(&self, clock: &dyn Clock, default: Duration) -> Duration {
        lifetime(
            self.expires_in,
            self.access_token.expose_secret(),
            clock.system_now(),
            default,
        )
    }
}

impl fmt::Debug for TokenAnswer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenAnswer")
            .field("access_token", &"***")
            .field("refresh_token", &self.refresh_token.as_ref().map(|_| "***"))
            .field("expires_in", &self.expires_in)
            .finish()
    }
}

/// The refresh-token grant at `POST {accounts}/oauth/token`, one exchange per call: no cache,
/// no retry (a token request is not idempotent once refresh tokens rotate).
///
/// [`RefreshTokenProvider`](crate::RefreshTokenProvider) is built on it; a provider with its
/// own storage or locking (a database row lock shared by several processes) can use it too.
/// The token URL is checked against the [`HostPolicy`] before anything is sent. `Debug` shows
/// no secret.
#[derive(Clone)]
pub struct TokenEndpoint {
    client_id: String,
    client_secret: SecretString,
    token_url: Url,
    transport: SharedTransport,
    policy: HostPolicy,
}

impl TokenEndpoint {
    /// The endpoint of `credentials`' accounts URL (the credentials' own refresh token is not
    /// used: each exchange names its refresh token), with the default [`HostPolicy`].
    pub fn new(credentials: &Credentials, transport: SharedTransport) -> Self {
        Self {
            client_id: credentials.client_id.clone(),
            client_secret: credentials.client_secret.clone(),
            token_url: join_path(&credentials.accounts_url, TOKEN_PATH),
            transport,
            policy: HostPolicy::default(),
        }
    }

    /// The policy the token URL must pass (default: https under `fylehq.com`).
    #[must_use]
    pub fn host_policy(mut self, policy: HostPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// The app's client id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// `{accounts}/oauth/token`.
    pub fn token_url(&self) -> &Url {
        &self.token_url
    }

    /// Checks the token URL against the policy: `Ok` when secrets may be sent there.
    pub fn check_host(&self) -> Result<(), AuthError> {
        self.policy
            .check_as("token endpoint", &self.token_url)
            .map_err(AuthError::from)
    }

    /// Exchanges `refresh_token`: the JSON body is exactly `{grant_type: "refresh_token",
    /// refresh_token, client_id, client_secret}`. A refused host is
    /// [`AuthError::HostNotAllowed`] and nothing is sent.
    pub async fn refresh(&self, refresh_token: &SecretString) -> Result<TokenAnswer, AuthError> {
        self.check_host()?;
        let body = serde_json::json!({
            "grant_type": "refresh_token",
            "refresh_token": refresh_token.expose_secret(),
            "client_id": self.client_id,
            "client_secret": self.client_secret.expose_secret(),
        });
        let request = json_post(&self.token_url, &body)?;
        let response = self.transport.send(request).await?;
        classify(
            response.status(),
            response.body(),
            &[
                refresh_token.expose_secret(),
                self.client_secret.expose_secret(),
            ],
        )
    }
}

impl fmt::Debug for TokenEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenEndpoint")
            .field("client_id", &self.client_id)
            .field("token_url", &origin_of(&self.token_url))
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct RawAnswer {
    #[serde(default)]
    access_token: Option<String>,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    expires_in: Option<serde_json::Value>,
}

#[derive(Deserialize, Default)]
struct RawErrorBody {
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    error_description: Option<String>,
    #[serde(default)]
    error: Option<serde_json::Value>,
}

/// A `POST` with a JSON body and JSON `Accept`, as Fyle's token endpoint requires.
pub(crate) fn json_post(
    url: &Url,
    body: &serde_json::Value,
) -> Result<http::Request<Bytes>, AuthError> {
    let body = serde_json::to_vec(body).map_err(|e| AuthError::Config {
        reason: format!(
            "could not encode the token request: {}",
            describe_json_error(&e)
        ),
    })?;
    http::Request::builder()
        .method(http::Method::POST)
        .uri(url.as_str())
        .header(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )
        .header(header::ACCEPT, HeaderValue::from_static("application/json"))
        .body(Bytes::from(body))
        // The error names the part that failed, never the body.
        .map_err(|e| AuthError::Config {
            reason: format!("could not build the token request: {e}"),
        })
}

/// Maps a token endpoint response to a [`TokenAnswer`] or a typed error.
///
/// `secrets` are scrubbed from any server message kept in the error.
pub(crate) fn classify(
    status: StatusCode,
    body: &[u8],
    secrets: &[&str],
) -> Result<TokenAnswer, AuthError> {
    let code = status.as_u16();
    if status.is_success() {
        return parse_answer(body);
    }
    let message = || server_message(body, secrets);
    Err(match code {
        400 | 401 | 403 => AuthError::InvalidCredentials {
            status: code,
            message: message(),
        },
        404 => AuthError::UnknownClient { message: message() },
        408 | 429 => AuthError::Server {
            status: code,
            retryable: true,
        },
        500..=599 => AuthError::Server {
            status: code,
            // 501 Not Implemented and 505 will not get better by waiting.
            retryable: !matches!(code, 501 | 505),
        },
        _ => AuthError::UnexpectedStatus { status: code },
    })
}

fn parse_answer(body: &[u8]) -> Result<TokenAnswer, AuthError> {
    let raw: RawAnswer = serde_json::from_slice(body).map_err(|e| AuthError::Decode {
        reason: describe_json_error(&e),
    })?;
    let access_token = match raw.access_token {
        Some(token) if !token.trim().is_empty() => token,
        _ => return Err(AuthError::MissingAccessToken),
    };
    if HeaderValue::from_str(&access_token).is_err() {
        return Err(AuthError::Decode {
            reason: "access_token contains characters not allowed in a header".to_owned(),
        });
    }
    Ok(TokenAnswer {
        access_token: access_token.into(),
        refresh_token: raw
            .refresh_token
            .filter(|t| !t.trim().is_empty())
            .map(SecretString::from),
        expires_in: raw.expires_in.as_ref().and_then(seconds),
    })
}

/// `expires_in` as a positive number of seconds (a JSON number or numeric string).
pub(crate) fn seconds(value: &serde_json::Value) -> Option<Duration> {
    let secs = match value {
        serde_json::Value::Number(n) => n.as_f64()?,
        serde_json::Value::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    (secs.is_finite() && secs > 0.0).then(|| Duration::from_secs_f64(secs.min(1e9)))
}

fn server_message(body: &[u8], secrets: &[&str]) -> Option<String> {
    let raw: RawErrorBody = serde_json::from_slice(body).unwrap_or_default();
    let error = match raw.error {
        Some(serde_json::Value::String(s)) => Some(s),
        _ => None,
    };
    let text = raw.message.or(raw.error_description).or(error)?;
    let mut text = text.trim().to_owned();
    for secret in secrets {
        // Very short values would scrub ordinary words; real secrets are long.
        if secret.len() >= 4 {
            text = text.replace(secret, "***");
        }
    }
    let mut text = crate::redact(&text);
    if text.chars().count() > MAX_MESSAGE_CHARS {
        text = text.chars().take(MAX_MESSAGE_CHARS).collect::<String>() + "…";
    }
    (!text.is_empty()).then_some(text)
}

/// How long a new token lives: `expires_in`, else the JWT `exp` claim (decoded, NOT verified;
/// only used for scheduling), else `default`.
pub(crate) fn lifetime(
    expires_in: Option<Duration>,
    token: &str,
    system_now: SystemTime,
    default: Duration,
) -> Duration {
    expires_in
        .or_else(|| jwt_lifetime(token, system_now))
        .unwrap_or(default)
        .min(MAX_LIFETIME)
}

fn jwt_lifetime(token: &str, system_now: SystemTime) -> Option<Duration> {
    const LENIENT_URL_SAFE: GeneralPurpose = GeneralPurpose::new(
        &alphabet::URL_SAFE,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    let mut parts = token.split('.');
    let (Some(_header), Some(payload), Some(_signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let payload = LENIENT_URL_SAFE.decode(payload).ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&payload).ok()?;
    let exp = claims.get("exp")?.as_f64()?;
    let now = system_now.duration_since(UNIX_EPOCH).ok()?.as_secs_f64();
    let remaining = exp - now;
    // An `exp` already past means the clocks disagree: fall back to the default lifetime and
    // let a 401 trigger the refresh if the token really is dead.
    (remaining.is_finite() && remaining > 0.0).then(|| Duration::from_secs_f64(remaining.min(1e9)))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// An unsigned JWT-shaped token with the given `exp`.
    pub(crate) fn jwt_with_exp(exp: u64) -> String {
        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let header = engine.encode(br#"{"alg":"RS256","typ":"JWT"}"#);
        let payload = engine.encode(format!(r#"{{"exp":{exp},"sub":"usr"}}"#));
        format!("{header}.{payload}.c2lnbmF0dXJl")
    }

    #[test]
    fn lifetime_prefers_expires_in_then_jwt_then_default() {
        let now = UNIX_EPOCH + Duration::from_secs(1_000_000);
        let default = Duration::from_secs(3600);
        let jwt = jwt_with_exp(1_000_000 + 1800);
        assert_eq!(
            lifetime(Some(Duration::from_secs(600)), &jwt, now, default),
            Duration::from_secs(600)
        );
        assert_eq!(
            lifetime(None, &jwt, now, default),
            Duration::from_secs(1800)
        );
        assert_eq!(lifetime(None, "opaque-token", now, default), default);
        // exp in the past: clocks disagree, use the default.
        assert_eq!(lifetime(None, &jwt_with_exp(10), now, default), default);
        assert_eq!(lifetime(None, "a.!!!.c", now, default), default);
        // Capped at a day.
        assert_eq!(
            lifetime(Some(Duration::from_secs(10_000_000)), "t", now, default),
            Duration::from_secs(86_400)
        );
    }

    #[test]
    fn expires_in_accepts_numbers_and_numeric_strings() {
        let answer = parse_answer(br#"{"access_token":"a","expires_in":"3600"}"#).expect("ok");
        assert_eq!(answer.expires_in, Some(Duration::from_secs(3600)));
        let answer = parse_answer(br#"{"access_token":"a","expires_in":0}"#).expect("ok");
        assert_eq!(answer.expires_in, None);
        let answer = parse_answer(br#"{"access_token":"a","expires_in":null}"#).expect("ok");
        assert_eq!(answer.expires_in, None);
    }

    #[test]
    fn classify_maps_statuses() {
        let secrets = ["sekrit-refresh"];
        let err = classify(
            StatusCode::UNAUTHORIZED,
            br#"{"message":"refresh token sekrit-refresh is invalid"}"#,
            &secrets,
        )
        .expect_err("401 is an error");
        assert!(matches!(
            err,
            AuthError::InvalidCredentials { status: 401, .. }
        ));
        assert!(err.is_terminal());
        assert!(!err.to_string().contains("sekrit-refresh"));
        assert!(err.to_string().contains("refresh token *** is invalid"));

        let err = classify(StatusCode::BAD_GATEWAY, b"<html>", &secrets).expect_err("err");
        assert!(matches!(
            err,
            AuthError::Server {
                status: 502,
                retryable: true
            }
        ));
        assert!(err.is_retryable());

        let err = classify(StatusCode::IM_A_TEAPOT, b"", &secrets).expect_err("err");
        assert!(matches!(err, AuthError::UnexpectedStatus { status: 418 }));

        let err = classify(StatusCode::OK, b"not json", &secrets).expect_err("err");
        assert!(matches!(err, AuthError::Decode { .. }));
        let err = classify(
            StatusCode::OK,
            br#"{"access_token":"bad\ntoken"}"#,
            &secrets,
        )
        .expect_err("err");
        assert!(matches!(err, AuthError::Decode { .. }));
        assert!(!err.to_string().contains("bad"));
    }
}
