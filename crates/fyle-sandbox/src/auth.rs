//! OAuth clients, refresh tokens, authorization codes and access tokens the sandbox issued.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde_json::json;

use crate::ids::new_secret;

/// An OAuth client (a "Custom App").
#[derive(Debug, Clone)]
pub(crate) struct Client {
    pub(crate) client_id: String,
    pub(crate) client_secret: String,
    /// The org whose admin created the app (the internal-app refresh token belongs there).
    pub(crate) home_org: String,
}

/// Who a token acts for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Grant {
    pub(crate) client_id: String,
    pub(crate) org_id: String,
    pub(crate) user_id: String,
}

#[derive(Debug)]
struct Issued {
    grant: Grant,
    expires_at: Instant,
}

/// The token registry.
#[derive(Debug)]
pub(crate) struct Auth {
    clients: HashMap<String, Client>,
    refresh: HashMap<String, Grant>,
    codes: HashMap<String, Issued>,
    access: HashMap<String, Issued>,
    rng: ChaCha8Rng,
    pub(crate) token_ttl: Duration,
}

/// How long an authorization code stays valid.
const CODE_TTL: Duration = Duration::from_secs(600);

/// The seed of every secret (client secrets, tokens, codes, the control token): the data seed
/// when `pinned` (reproducible credentials for scripts that hard-code them), else fresh
/// randomness from the OS, so two runs never share a secret.
pub(crate) fn secret_seed(data_seed: u64, pinned: bool) -> u64 {
    if pinned { data_seed } else { rand::random() }
}

impl Auth {
    /// A registry whose secrets are drawn from `seed` (see [`secret_seed`]).
    pub(crate) fn new(seed: u64, token_ttl: Duration) -> Auth {
        Auth {
            clients: HashMap::new(),
            refresh: HashMap::new(),
            codes: HashMap::new(),
            access: HashMap::new(),
            rng: ChaCha8Rng::seed_from_u64(seed ^ 0x00A5_A5A5_5A5A_0001),
            token_ttl,
        }
    }

    /// A fresh token for the `/__sandbox/*` control routes.
    pub(crate) fn control_token(&mut self) -> String {
        format!("sbx{}", new_secret(&mut self.rng, 40))
    }

    /// Registers a client for `org_id` and returns it.
    pub(crate) fn add_client(&mut self, org_id: &str) -> Client {
        let client = Client {
            client_id: format!("tpa{}", new_secret(&mut self.rng, 11)),
            client_secret: new_secret(&mut self.rng, 32),
            home_org: org_id.to_owned(),
        };
        self.clients
            .insert(client.client_id.clone(), client.clone());
        client
    }

    pub(crate) fn client(&self, client_id: &str) -> Option<&Client> {
        self.clients.get(client_id)
    }

    /// Checks a client id + secret pair.
    pub(crate) fn check_client(&self, client_id: &str, client_secret: &str) -> bool {
        self.clients
            .get(client_id)
            .is_some_and(|c| constant_time_eq(c.client_secret.as_bytes(), client_secret.as_bytes()))
    }

    /// Mints a refresh token for a grant.
    pub(crate) fn issue_refresh(&mut self, grant: Grant) -> String {
        let token = self.jwt_like(&grant, None);
        self.refresh.insert(token.clone(), grant);
        token
    }

    pub(crate) fn refresh_grant(&self, token: &str) -> Option<&Grant> {
        self.refresh.get(token)
    }

    /// Mints an authorization code.
    pub(crate) fn issue_code(&mut self, grant: Grant, now: Instant) -> String {
        let code = new_secret(&mut self.rng, 24);
        self.codes.insert(
            code.clone(),
            Issued {
                grant,
                expires_at: now + CODE_TTL,
            },
        );
        code
    }

    /// Redeems (and consumes) an authorization code.
    pub(crate) fn redeem_code(&mut self, code: &str, now: Instant) -> Option<Grant> {
        let issued = self.codes.remove(code)?;
        (issued.expires_at > now).then_some(issued.grant)
    }

    /// Mints an access token valid for the configured TTL.
    pub(crate) fn issue_access(&mut self, grant: Grant, now: Instant, unix_now: i64) -> String {
        let ttl = i64::try_from(self.token_ttl.as_secs()).unwrap_or(i64::MAX);
        let token = self.jwt_like(&grant, Some((unix_now, unix_now.saturating_add(ttl))));
        // Drop expired tokens now and then so long runs do not grow without bound.
        if self.access.len() > 10_000 {
            self.access.retain(|_, i| i.expires_at > now);
        }
        self.access.insert(
            token.clone(),
            Issued {
                grant,
                expires_at: now + self.token_ttl,
            },
        );
        token
    }

    /// The grant behind a live access token.
    pub(crate) fn validate(&self, token: &str, now: Instant) -> Option<&Grant> {
        self.access
            .get(token)
            .filter(|i| i.expires_at > now)
            .map(|i| &i.grant)
    }

    /// The client id behind a token, expired or not (for rate limiting).
    pub(crate) fn client_of(&self, token: &str) -> Option<&str> {
        self.access.get(token).map(|i| i.grant.client_id.as_str())
    }

    /// A JWT-shaped token (header.payload.signature). Only the registry makes it valid; the payload
    /// is informative (`exp`, `org_id`, `user_id`) for clients that peek.
    fn jwt_like(&mut self, grant: &Grant, times: Option<(i64, i64)>) -> String {
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        let mut payload = json!({
            "iss": "fyle-sandbox",
            "org_id": grant.org_id,
            "user_id": grant.user_id,
            "client_id": grant.client_id,
            "jti": new_secret(&mut self.rng, 16),
        });
        if let Some((iat, exp)) = times {
            payload["iat"] = json!(iat);
            payload["exp"] = json!(exp);
            payload["token_type"] = json!("access");
        } else {
            payload["token_type"] = json!("refresh");
        }
        let payload = URL_SAFE_NO_PAD.encode(payload.to_string());
        let signature = new_secret(&mut self.rng, 43);
        format!("{header}.{payload}.{signature}")
    }
}

/// Compares two secrets without leaking where they first differ.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_random_per_process_unless_pinned() {
        let (a, b) = (secret_seed(42, false), secret_seed(42, false));
        assert_ne!(a, b, "two unpinned runs never share a seed");
        assert_eq!(secret_seed(42, true), 42);
        let secret = |seed| {
            let mut auth = Auth::new(seed, Duration::from_secs(60));
            (auth.add_client("or1").client_secret, auth.control_token())
        };
        assert_ne!(secret(a), secret(b));
        assert_eq!(secret(secret_seed(7, true)), secret(secret_seed(7, true)));
    }

    #[test]
    fn tokens_expire_and_codes_are_single_use() {
        let mut auth = Auth::new(1, Duration::from_secs(60));
        let client = auth.add_client("or1");
        assert!(auth.check_client(&client.client_id, &client.client_secret));
        assert!(!auth.check_client(&client.client_id, "nope"));
        let grant = Grant {
            client_id: client.client_id.clone(),
            org_id: "or1".into(),
            user_id: "us1".into(),
        };
        let now = Instant::now();
        let token = auth.issue_access(grant.clone(), now, 0);
        assert_eq!(token.split('.').count(), 3);
        assert_eq!(auth.validate(&token, now), Some(&grant));
        assert_eq!(auth.validate(&token, now + Duration::from_secs(61)), None);
        let code = auth.issue_code(grant.clone(), now);
        assert_eq!(auth.redeem_code(&code, now), Some(grant));
        assert_eq!(auth.redeem_code(&code, now), None);
    }
}
