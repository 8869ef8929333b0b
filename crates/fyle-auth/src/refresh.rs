//! [`RefreshTokenProvider`]: the refresh-token grant behind a single-flight cache.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use fyle_transport::SharedTransport;
use rand::Rng as _;
use secrecy::{ExposeSecret, SecretString};
use tokio::time::Instant;
use url::Url;

use crate::credentials::{join_path, redacted};
use crate::token_endpoint::{self, TOKEN_PATH, TokenAnswer};
use crate::{AccessToken, AuthError, Clock, Credentials, TokenProvider, TokenStore, TokioClock};

/// Refresh this long before expiry by default.
pub const DEFAULT_SKEW: Duration = Duration::from_secs(5 * 60);
/// Upper bound of the random extra margin added to the skew, so many processes sharing an app
/// do not all refresh in the same second.
pub const DEFAULT_JITTER: Duration = Duration::from_secs(30);
/// After a failed proactive refresh, keep serving the old token this long before trying again.
pub const DEFAULT_RETRY_INTERVAL: Duration = Duration::from_secs(30);
/// The lifetime assumed when neither `expires_in` nor a JWT `exp` says otherwise (Fyle
/// documents one hour).
pub const DEFAULT_LIFETIME: Duration = Duration::from_secs(60 * 60);

/// A [`TokenProvider`] for internal apps (and per-org partner tokens): exchanges a refresh
/// token for access tokens at `POST {accounts}/oauth/token`.
///
/// - The request body is JSON, exactly `{grant_type: "refresh_token", refresh_token,
///   client_id, client_secret}`.
/// - The token is cached until its expiry (from `expires_in`, else the JWT `exp` claim,
///   decoded but not verified, else one hour) minus a skew of five minutes and a little jitter.
/// - Inside that window the next caller refreshes; if that refresh fails while the old token
///   is still valid, the old token is served and the refresh is retried at most every 30 s.
/// - Single flight: any number of concurrent callers needing a new token cause one request,
///   and all of them get its result (the token, or the error).
/// - A refresh token rotated in by the answer replaces the one in memory and is saved to the
///   [`TokenStore`], if one is configured.
/// - The provider never retries by itself: a token request is not idempotent once refresh
///   tokens rotate. [`AuthError::is_retryable`] tells the caller whether to try later.
///
/// Cheap to clone (clones share the cache). `Debug` shows no secret.
#[derive(Clone)]
pub struct RefreshTokenProvider {
    inner: Arc<Inner>,
}

struct Inner {
    client_id: String,
    client_secret: SecretString,
    token_url: Url,
    transport: SharedTransport,
    clock: Arc<dyn Clock>,
    store: Option<(Arc<dyn TokenStore>, String)>,
    skew: Duration,
    jitter: Duration,
    retry_interval: Duration,
    default_lifetime: Duration,
    state: Mutex<State>,
    /// Held by the one caller that talks to the token endpoint.
    flight: tokio::sync::Mutex<()>,
}

struct State {
    current: Option<Cached>,
    refresh_token: SecretString,
    /// When the last attempt failed (cleared by a success).
    last_failure: Option<Instant>,
    /// Bumped by every finished attempt, so callers that waited for the flight know an
    /// attempt finished meanwhile and share its outcome instead of starting another.
    attempts: u64,
    /// The error of the last attempt, if it failed.
    last_error: Option<AuthError>,
}

struct Cached {
    token: AccessToken,
    refresh_at: Instant,
    expires_at: Instant,
}

/// Builds a [`RefreshTokenProvider`]; see [`RefreshTokenProvider::builder`].
#[must_use]
pub struct RefreshTokenProviderBuilder {
    credentials: Credentials,
    transport: SharedTransport,
    clock: Arc<dyn Clock>,
    store: Option<(Arc<dyn TokenStore>, String)>,
    skew: Duration,
    jitter: Duration,
    retry_interval: Duration,
    default_lifetime: Duration,
    initial_token: Option<AccessToken>,
}

impl RefreshTokenProviderBuilder {
    /// Persists rotated refresh tokens in `store` under `key` (an org id, for partner apps),
    /// and reads the refresh token from there before each refresh.
    pub fn store(mut self, store: Arc<dyn TokenStore>, key: impl Into<String>) -> Self {
        self.store = Some((store, key.into()));
        self
    }

    /// The time source (default [`TokioClock`]).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Refresh this long before expiry (default [`DEFAULT_SKEW`]). Capped at half the token's
    /// lifetime, so a short-lived token is still used for a while.
    pub fn skew(mut self, skew: Duration) -> Self {
        self.skew = skew;
        self
    }

    /// Upper bound of the random extra margin (default [`DEFAULT_JITTER`]; zero disables it).
    pub fn jitter(mut self, jitter: Duration) -> Self {
        self.jitter = jitter;
        self
    }

    /// Minimum wait between proactive refresh attempts after a failure (default
    /// [`DEFAULT_RETRY_INTERVAL`]).
    pub fn retry_interval(mut self, interval: Duration) -> Self {
        self.retry_interval = interval;
        self
    }

    /// The lifetime assumed when the answer does not tell (default [`DEFAULT_LIFETIME`]). Any
    /// lifetime is capped at 24 hours.
    pub fn default_lifetime(mut self, lifetime: Duration) -> Self {
        self.default_lifetime = lifetime;
        self
    }

    /// Starts with an access token already obtained (e.g. from a code exchange), so the first
    /// call does not hit the token endpoint. A token without expiry is assumed to live
    /// [`default_lifetime`](Self::default_lifetime) from now.
    pub fn initial_token(mut self, token: AccessToken) -> Self {
        self.initial_token = Some(token);
        self
    }

    /// Builds the provider.
    pub fn build(self) -> RefreshTokenProvider {
        let Credentials {
            client_id,
            client_secret,
            refresh_token,
            accounts_url,
            ..
        } = self.credentials;
        let now = self.clock.now();
        let current = self.initial_token.map(|token| {
            let expires_at = token.expires_at().unwrap_or(now + self.default_lifetime);
            let refresh_at = refresh_point(
                now,
                expires_at.saturating_duration_since(now),
                self.skew,
                self.jitter,
            );
            Cached {
                token,
                refresh_at,
                expires_at,
            }
        });
        RefreshTokenProvider {
            inner: Arc::new(Inner {
                client_id,
                client_secret,
                token_url: join_path(&accounts_url, TOKEN_PATH),
                transport: self.transport,
                clock: self.clock,
                store: self.store,
                skew: self.skew,
                jitter: self.jitter,
                retry_interval: self.retry_interval,
                default_lifetime: self.default_lifetime,
                state: Mutex::new(State {
                    current,
                    refresh_token,
                    last_failure: None,
                    attempts: 0,
                    last_error: None,
                }),
                flight: tokio::sync::Mutex::new(()),
            }),
        }
    }
}

impl fmt::Debug for RefreshTokenProviderBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RefreshTokenProviderBuilder")
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

/// When to start refreshing a token that lives `lifetime` from `now`.
fn refresh_point(now: Instant, lifetime: Duration, skew: Duration, jitter: Duration) -> Instant {
    let margin = skew.min(lifetime / 2);
    let jitter_cap = jitter.min(lifetime / 4);
    let jitter = if jitter_cap.is_zero() {
        Duration::ZERO
    } else {
        rand::thread_rng().gen_range(Duration::ZERO..=jitter_cap)
    };
    let expires_at = now + lifetime;
    expires_at
        .checked_sub(margin + jitter)
        .unwrap_or(now)
        .max(now)
}

impl RefreshTokenProvider {
    /// A provider with the default settings. Shorthand for
    /// `RefreshTokenProvider::builder(credentials, transport).build()`.
    pub fn new(credentials: Credentials, transport: SharedTransport) -> Self {
        Self::builder(credentials, transport).build()
    }

    /// A builder to set a [`TokenStore`], a clock, the skew and the other timings.
    pub fn builder(
        credentials: Credentials,
        transport: SharedTransport,
    ) -> RefreshTokenProviderBuilder {
        RefreshTokenProviderBuilder {
            credentials,
            transport,
            clock: Arc::new(TokioClock),
            store: None,
            skew: DEFAULT_SKEW,
            jitter: DEFAULT_JITTER,
            retry_interval: DEFAULT_RETRY_INTERVAL,
            default_lifetime: DEFAULT_LIFETIME,
            initial_token: None,
        }
    }

    /// The app's client id.
    pub fn client_id(&self) -> &str {
        &self.inner.client_id
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // The state is consistent after every statement, so a poisoned lock is still usable.
        self.inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The cached token if it is still valid (not expired, not rejected).
    fn still_valid(&self, generation: crate::TokenGeneration) -> Option<AccessToken> {
        let now = self.inner.clock.now();
        let state = self.state();
        state
            .current
            .as_ref()
            .filter(|c| c.token.generation() == generation && now < c.expires_at)
            .map(|c| c.token.clone())
    }

    /// One token request, shared by every caller that arrives while it is in flight.
    async fn refresh(&self, seen_attempts: u64) -> Result<AccessToken, AuthError> {
        let _flight = self.inner.flight.lock().await;
        {
            let state = self.state();
            if state.attempts != seen_attempts {
                // An attempt finished while we waited: share its outcome.
                if let Some(error) = &state.last_error {
                    return Err(error.clone());
                }
                let now = self.inner.clock.now();
                if let Some(cached) = state.current.as_ref().filter(|c| now < c.expires_at) {
                    return Ok(cached.token.clone());
                }
                // Otherwise the new token was rejected meanwhile: fetch another.
            }
        }

        let refresh_token = self.current_refresh_token().await;
        tracing::debug!(
            client_id = %self.inner.client_id,
            url = %redacted(&self.inner.token_url),
            "requesting an access token (refresh_token grant)"
        );
        let outcome = self.request(&refresh_token).await;
        let now = self.inner.clock.now();

        let answer = match outcome {
            Ok(answer) => answer,
            Err(error) => {
                let mut state = self.state();
                state.attempts = state.attempts.wrapping_add(1);
                state.last_failure = Some(now);
                state.last_error = Some(error.clone());
                drop(state);
                tracing::warn!(
                    client_id = %self.inner.client_id,
                    error = %error,
                    "access token request failed"
                );
                return Err(error);
            }
        };

        let lifetime = token_endpoint::lifetime(
            answer.expires_in,
            answer.access_token.expose_secret(),
            self.inner.clock.system_now(),
            self.inner.default_lifetime,
        );
        let expires_at = now + lifetime;
        let token = AccessToken::new(answer.access_token, Some(expires_at));
        let rotated = answer
            .refresh_token
            .filter(|new| new.expose_secret() != refresh_token.expose_secret());
        {
            let mut state = self.state();
            state.attempts = state.attempts.wrapping_add(1);
            state.current = Some(Cached {
                token: token.clone(),
                refresh_at: refresh_point(now, lifetime, self.inner.skew, self.inner.jitter),
                expires_at,
            });
            state.last_failure = None;
            state.last_error = None;
            if let Some(new) = &rotated {
                state.refresh_token = new.clone();
            }
        }
        tracing::debug!(
            client_id = %self.inner.client_id,
            generation = %token.generation(),
            lifetime_secs = lifetime.as_secs(),
            rotated_refresh_token = rotated.is_some(),
            "access token obtained"
        );
        if let Some(new) = rotated {
            self.save_refresh_token(&new).await;
        }
        Ok(token)
    }

    /// The refresh token to use: the store's, if it has one, else the one in memory.
    async fn current_refresh_token(&self) -> SecretString {
        if let Some((store, key)) = &self.inner.store {
            match store.load(key).await {
                Ok(Some(token)) => {
                    self.state().refresh_token = token.clone();
                    return token;
                }
                Ok(None) => {}
                Err(error) => tracing::warn!(
                    key = %key,
                    error = %error,
                    "token store load failed; using the refresh token held in memory"
                ),
            }
        }
        self.state().refresh_token.clone()
    }

    async fn save_refresh_token(&self, token: &SecretString) {
        if let Some((store, key)) = &self.inner.store
            && let Err(error) = store.save(key, token).await
        {
            tracing::warn!(
                key = %key,
                error = %error,
                "token store save failed; the rotated refresh token is kept in memory only"
            );
        }
    }

    async fn request(&self, refresh_token: &SecretString) -> Result<TokenAnswer, AuthError> {
        let body = serde_json::json!({
            "grant_type": "refresh_token",
            "refresh_token": refresh_token.expose_secret(),
            "client_id": self.inner.client_id,
            "client_secret": self.inner.client_secret.expose_secret(),
        });
        let request = token_endpoint::json_post(&self.inner.token_url, &body)?;
        let response = self.inner.transport.send(request).await?;
        token_endpoint::classify(
            response.status(),
            response.body(),
            &[
                refresh_token.expose_secret(),
                self.inner.client_secret.expose_secret(),
            ],
        )
    }
}

#[async_trait]
impl TokenProvider for RefreshTokenProvider {
    async fn access_token(&self) -> Result<AccessToken, AuthError> {
        let now = self.inner.clock.now();
        let (seen_attempts, fallback) = {
            let state = self.state();
            match &state.current {
                Some(cached) if now < cached.refresh_at => return Ok(cached.token.clone()),
                Some(cached) if now < cached.expires_at => {
                    let recently_failed = state
                        .last_failure
                        .is_some_and(|at| now < at + self.inner.retry_interval);
                    if recently_failed {
                        return Ok(cached.token.clone());
                    }
                    (state.attempts, Some(cached.token.generation()))
                }
                _ => (state.attempts, None),
            }
        };

        match self.refresh(seen_attempts).await {
            Ok(token) => Ok(token),
            Err(error) => match fallback.and_then(|generation| self.still_valid(generation)) {
                Some(old) => {
                    tracing::warn!(
                        client_id = %self.inner.client_id,
                        error = %error,
                        "proactive token refresh failed; serving the still-valid token"
                    );
                    Ok(old)
                }
                None => Err(error),
            },
        }
    }

    fn reject(&self, token: &AccessToken) {
        let mut state = self.state();
        if state
            .current
            .as_ref()
            .is_some_and(|c| c.token.generation() == token.generation())
        {
            tracing::debug!(
                client_id = %self.inner.client_id,
                generation = %token.generation(),
                "access token rejected; the next call refreshes"
            );
            state.current = None;
            state.last_failure = None;
        }
    }
}

impl fmt::Debug for RefreshTokenProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RefreshTokenProvider")
            .field("client_id", &self.inner.client_id)
            .field("token_url", &redacted(&self.inner.token_url))
            .field("store", &self.inner.store.as_ref().map(|(_, key)| key))
            .finish_non_exhaustive()
    }
}
