//! [`RefreshTokenProvider`]: the refresh-token grant behind a shared, spawned single flight.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use fyle_transport::SharedTransport;
use secrecy::{ExposeSecret, SecretString};
use tokio::time::Instant;

use crate::credentials::redacted;
use crate::{
    AccessToken, AuthError, Clock, Credentials, HostPolicy, SingleFlight, TokenEndpoint,
    TokenProvider, TokenStore, TokioClock,
};

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
/// The first backoff window after a terminal failure (a revoked refresh token, a refused
/// fresh token): at most one token request per window. Doubles on every repeat.
pub const DEFAULT_TERMINAL_BACKOFF: Duration = Duration::from_secs(60);
/// The longest backoff window after repeated terminal failures.
pub const DEFAULT_MAX_TERMINAL_BACKOFF: Duration = Duration::from_secs(60 * 60);
/// The deadline of one token request (the refresh task's own deadline).
pub const DEFAULT_REFRESH_TIMEOUT: Duration = Duration::from_secs(60);
/// The deadline of one [`TokenStore`] load or save.
pub const DEFAULT_STORE_TIMEOUT: Duration = Duration::from_secs(10);

/// A [`TokenProvider`] for internal apps (and per-org partner tokens): exchanges a refresh
/// token for access tokens at `POST {accounts}/oauth/token` (see [`TokenEndpoint`]).
///
/// - The token URL must pass the [`HostPolicy`] (default: https under `fylehq.com`) before the
///   client secret or refresh token is sent: a refused host is
///   [`AuthError::HostNotAllowed`].
/// - The token is cached until its expiry (from `expires_in`, else the JWT `exp` claim,
///   decoded but not verified, else one hour) minus a skew of five minutes and a little jitter.
/// - Inside that window the next caller refreshes; if that refresh fails while the old token
///   is still valid, the old token is served and the refresh is retried at most every 30 s.
/// - Single flight, in a task of its own: any number of concurrent callers needing a new token
///   cause one request and all get its result. The refresh runs in a spawned task with its own
///   deadlines ([`refresh_timeout`](RefreshTokenProviderBuilder::refresh_timeout),
///   [`store_timeout`](RefreshTokenProviderBuilder::store_timeout)), so a caller cancelled
///   mid-exchange never loses a refresh token the server already rotated.
/// - A rotated refresh token is saved to the [`TokenStore`] first, then published in memory.
///   If the save fails (or times out), the new token is kept in memory, the store's older one
///   is never used again, and the save is retried before the next exchange.
/// - Terminal failures are latched with a backoff (one minute, doubling up to an hour): a
///   revoked refresh token, an unknown client, a refused host, or a fresh token the API refuses
///   again ([`AuthError::AccessTokenRefused`]). Inside the window every call gets the error
///   without a request.
/// - The provider never retries by itself: a token request is not idempotent once refresh
///   tokens rotate. [`AuthError::is_retryable`] tells the caller whether to try later.
///
/// Cheap to clone (clones share the cache). `Debug` shows no secret.
#[derive(Clone)]
pub struct RefreshTokenProvider {
    inner: Arc<Inner>,
}

struct Inner {
    endpoint: TokenEndpoint,
    clock: Arc<dyn Clock>,
    store: Option<(Arc<dyn TokenStore>, String)>,
    timings: Timings,
    state: Mutex<State>,
    /// The one refresh task every waiter shares.
    flight: SingleFlight<Result<AccessToken, AuthError>>,
}

#[derive(Clone, Copy)]
struct Timings {
    skew: Duration,
    jitter: Duration,
    retry_interval: Duration,
    default_lifetime: Duration,
    backoff: Duration,
    max_backoff: Duration,
    refresh_timeout: Duration,
    store_timeout: Duration,
}

struct State {
    current: Option<Cached>,
    refresh_token: SecretString,
    /// The refresh token in memory is newer than the store's (its save failed): the store's
    /// may be revoked, so it is not read again until a save succeeds.
    unsaved: bool,
    /// When the last attempt failed (cleared by a success).
    last_failure: Option<Instant>,
    /// Bumped by every finished attempt, so a caller whose flight started after another one
    /// finished shares that outcome instead of sending another request.
    attempts: u64,
    /// The error of the last attempt, if it failed.
    last_error: Option<AuthError>,
    /// A terminal failure and the end of its backoff window.
    latch: Option<Latch>,
    /// The backoff of the last refused fresh token (reset when an older token is refused).
    refused_backoff: Option<Duration>,
    /// The current token was dropped by `reject`: the next one replaces a refused token.
    replacing_rejected: bool,
}

struct Latch {
    error: AuthError,
    until: Instant,
    backoff: Duration,
}

impl Latch {
    /// The error to hand out at `now` (a refused-token error counts down its window).
    fn error_at(&self, now: Instant) -> AuthError {
        match self.error {
            AuthError::AccessTokenRefused { .. } => AuthError::AccessTokenRefused {
                retry_in: self.until.saturating_duration_since(now),
            },
            _ => self.error.clone(),
        }
    }
}

struct Cached {
    token: AccessToken,
    refresh_at: Instant,
    expires_at: Instant,
    minted_at: Instant,
    /// Minted because the token before it was refused.
    replaces_rejected: bool,
}

/// Builds a [`RefreshTokenProvider`]; see [`RefreshTokenProvider::builder`].
#[must_use]
pub struct RefreshTokenProviderBuilder {
    credentials: Credentials,
    transport: SharedTransport,
    clock: Arc<dyn Clock>,
    store: Option<(Arc<dyn TokenStore>, String)>,
    policy: HostPolicy,
    timings: Timings,
    initial_token: Option<AccessToken>,
}

impl RefreshTokenProviderBuilder {
    /// Persists rotated refresh tokens in `store` under `key` (an org id, for partner apps),
    /// and reads the refresh token from there before each refresh.
    pub fn store(mut self, store: Arc<dyn TokenStore>, key: impl Into<String>) -> Self {
        self.store = Some((store, key.into()));
        self
    }

    /// The hosts the client secret and refresh token may go to (default
    /// [`HostPolicy::default`]: https under `fylehq.com`). A local sandbox needs
    /// [`HostPolicy::allow_loopback_http`].
    pub fn host_policy(mut self, policy: HostPolicy) -> Self {
        self.policy = policy;
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
        self.timings.skew = skew;
        self
    }

    /// Upper bound of the random extra margin (default [`DEFAULT_JITTER`]; zero disables it).
    pub fn jitter(mut self, jitter: Duration) -> Self {
        self.timings.jitter = jitter;
        self
    }

    /// Minimum wait between proactive refresh attempts after a failure (default
    /// [`DEFAULT_RETRY_INTERVAL`]).
    pub fn retry_interval(mut self, interval: Duration) -> Self {
        self.timings.retry_interval = interval;
        self
    }

    /// The lifetime assumed when the answer does not tell (default [`DEFAULT_LIFETIME`]). Any
    /// lifetime is capped at 24 hours.
    pub fn default_lifetime(mut self, lifetime: Duration) -> Self {
        self.timings.default_lifetime = lifetime;
        self
    }

    /// The backoff window after a terminal failure, doubling up to `max` (defaults
    /// [`DEFAULT_TERMINAL_BACKOFF`] and [`DEFAULT_MAX_TERMINAL_BACKOFF`]).
    pub fn terminal_backoff(mut self, first: Duration, max: Duration) -> Self {
        self.timings.backoff = first;
        self.timings.max_backoff = max.max(first);
        self
    }

    /// The deadline of one token request (default [`DEFAULT_REFRESH_TIMEOUT`]).
    pub fn refresh_timeout(mut self, timeout: Duration) -> Self {
        self.timings.refresh_timeout = timeout;
        self
    }

    /// The deadline of one store load or save (default [`DEFAULT_STORE_TIMEOUT`]). A load
    /// that times out falls back to the token in memory; a save that times out counts as failed.
    pub fn store_timeout(mut self, timeout: Duration) -> Self {
        self.timings.store_timeout = timeout;
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
        let endpoint =
            TokenEndpoint::new(&self.credentials, self.transport).host_policy(self.policy);
        let timings = self.timings;
        let now = self.clock.now();
        let current = self.initial_token.map(|token| {
            let expires_at = token.expires_at().unwrap_or(now + timings.default_lifetime);
            let refresh_at = refresh_point(
                now,
                expires_at.saturating_duration_since(now),
                timings.skew,
                timings.jitter,
            );
            Cached {
                token,
                refresh_at,
                expires_at,
                minted_at: now,
                replaces_rejected: false,
            }
        });
        RefreshTokenProvider {
            inner: Arc::new(Inner {
                endpoint,
                clock: self.clock,
                store: self.store,
                timings,
                state: Mutex::new(State {
                    current,
                    refresh_token: self.credentials.refresh_token,
                    unsaved: false,
                    last_failure: None,
                    attempts: 0,
                    last_error: None,
                    latch: None,
                    refused_backoff: None,
                    replacing_rejected: false,
                }),
                flight: SingleFlight::new(),
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
        let nanos = u64::try_from(jitter_cap.as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(fastrand::u64(0..=nanos))
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

    /// A builder to set a [`TokenStore`], a host policy, a clock, the skew and the other
    /// timings.
    pub fn builder(
        credentials: Credentials,
        transport: SharedTransport,
    ) -> RefreshTokenProviderBuilder {
        RefreshTokenProviderBuilder {
            credentials,
            transport,
            clock: Arc::new(TokioClock),
            store: None,
            policy: HostPolicy::default(),
            timings: Timings {
                skew: DEFAULT_SKEW,
                jitter: DEFAULT_JITTER,
                retry_interval: DEFAULT_RETRY_INTERVAL,
                default_lifetime: DEFAULT_LIFETIME,
                backoff: DEFAULT_TERMINAL_BACKOFF,
                max_backoff: DEFAULT_MAX_TERMINAL_BACKOFF,
                refresh_timeout: DEFAULT_REFRESH_TIMEOUT,
                store_timeout: DEFAULT_STORE_TIMEOUT,
            },
            initial_token: None,
        }
    }

    /// The app's client id.
    pub fn client_id(&self) -> &str {
        self.inner.endpoint.client_id()
    }

    /// The token exchange this provider uses.
    pub fn endpoint(&self) -> &TokenEndpoint {
        &self.inner.endpoint
    }

    /// The cached token if it is still valid (not expired, not rejected).
    fn still_valid(&self, generation: crate::TokenGeneration) -> Option<AccessToken> {
        let now = self.inner.clock.now();
        let state = self.inner.state();
        state
            .current
            .as_ref()
            .filter(|c| c.token.generation() == generation && now < c.expires_at)
            .map(|c| c.token.clone())
    }
}

impl Inner {
    fn state(&self) -> MutexGuard<'_, State> {
        // The state is consistent after every statement, so a poisoned lock is still usable.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// One token request; runs in the shared flight task, never in a caller's future.
    async fn refresh(&self, seen_attempts: u64) -> Result<AccessToken, AuthError> {
        let now = self.clock.now();
        {
            let state = self.state();
            if state.attempts != seen_attempts {
                // An attempt finished after this caller looked: share its outcome.
                if let Some(error) = &state.last_error {
                    return Err(error.clone());
                }
                if let Some(cached) = state.current.as_ref().filter(|c| now < c.expires_at) {
                    return Ok(cached.token.clone());
                }
                // Otherwise the new token was rejected meanwhile: fetch another.
            }
            if let Some(latch) = state.latch.as_ref().filter(|l| now < l.until) {
                return Err(latch.error_at(now));
            }
        }

        let refresh_token = self.refresh_token_for_exchange().await;
        tracing::debug!(
            client_id = %self.endpoint.client_id(),
            url = %redacted(self.endpoint.token_url()),
            "requesting an access token (refresh_token grant)"
        );
        let deadline = self.timings.refresh_timeout;
        let outcome = tokio::time::timeout(deadline, self.endpoint.refresh(&refresh_token))
            .await
            .unwrap_or(Err(AuthError::TimedOut { after: deadline }));
        let now = self.clock.now();
        let answer = match outcome {
            Ok(answer) => answer,
            Err(error) => {
                self.record_failure(now, &error);
                return Err(error);
            }
        };

        let lifetime = answer.lifetime(self.clock.as_ref(), self.timings.default_lifetime);
        let expires_at = now + lifetime;
        let token = AccessToken::new(answer.access_token, Some(expires_at));
        let rotated = answer
            .refresh_token
            .filter(|new| new.expose_secret() != refresh_token.expose_secret());
        // Saved before it is published: a restart must find the token the server now expects.
        let saved = match &rotated {
            Some(new) => self.save(new).await,
            None => true,
        };
        {
            let mut state = self.state();
            state.attempts = state.attempts.wrapping_add(1);
            let replaces_rejected = std::mem::take(&mut state.replacing_rejected);
            state.current = Some(Cached {
                token: token.clone(),
                refresh_at: refresh_point(now, lifetime, self.timings.skew, self.timings.jitter),
                expires_at,
                minted_at: now,
                replaces_rejected,
            });
            state.last_failure = None;
            state.last_error = None;
            state.latch = None;
            if let Some(new) = &rotated {
                state.refresh_token = new.clone();
                state.unsaved = !saved;
            }
        }
        tracing::debug!(
            client_id = %self.endpoint.client_id(),
            generation = %token.generation(),
            lifetime_secs = lifetime.as_secs(),
            rotated_refresh_token = rotated.is_some(),
            "access token obtained"
        );
        Ok(token)
    }

    /// Records a failed attempt; a terminal one is latched for a backoff window.
    fn record_failure(&self, now: Instant, error: &AuthError) {
        let mut state = self.state();
        state.attempts = state.attempts.wrapping_add(1);
        state.last_failure = Some(now);
        state.last_error = Some(error.clone());
        let mut backoff = None;
        if error.is_terminal() {
            let window = state.latch.as_ref().map_or(self.timings.backoff, |l| {
                (l.backoff * 2).min(self.timings.max_backoff)
            });
            state.latch = Some(Latch {
                error: error.clone(),
                until: now + window,
                backoff: window,
            });
            backoff = Some(window);
        }
        drop(state);
        tracing::warn!(
            client_id = %self.endpoint.client_id(),
            error = %error,
            backoff_secs = backoff.map(|b| b.as_secs()),
            "access token request failed"
        );
    }

    /// The refresh token to send: the store's, if it has one and the store is not behind
    /// memory; else the one in memory.
    async fn refresh_token_for_exchange(&self) -> SecretString {
        let (unsaved, in_memory) = {
            let state = self.state();
            (state.unsaved, state.refresh_token.clone())
        };
        let Some((store, key)) = &self.store else {
            return in_memory;
        };
        if unsaved {
            // The store holds a token the server has revoked: never read it; save ours again.
            if self.save(&in_memory).await {
                self.state().unsaved = false;
            }
            return in_memory;
        }
        match tokio::time::timeout(self.timings.store_timeout, store.load(key)).await {
            Ok(Ok(Some(token))) => {
                self.state().refresh_token = token.clone();
                token
            }
            Ok(Ok(None)) => in_memory,
            Ok(Err(error)) => {
                tracing::warn!(
                    key = %key,
                    error = %error,
                    "token store load failed; using the refresh token held in memory"
                );
                in_memory
            }
            Err(_) => {
                tracing::warn!(
                    key = %key,
                    timeout_secs = self.timings.store_timeout.as_secs(),
                    "token store load timed out; using the refresh token held in memory"
                );
                in_memory
            }
        }
    }

    /// Saves `token` within the store deadline; `true` when it is stored (or there is no
    /// store).
    async fn save(&self, token: &SecretString) -> bool {
        let Some((store, key)) = &self.store else {
            return true;
        };
        match tokio::time::timeout(self.timings.store_timeout, store.save(key, token)).await {
            Ok(Ok(())) => true,
            Ok(Err(error)) => {
                tracing::warn!(
                    key = %key,
                    error = %error,
                    "token store save failed; the rotated refresh token is kept in memory and \
                     saved again before the next refresh"
                );
                false
            }
            Err(_) => {
                tracing::warn!(
                    key = %key,
                    timeout_secs = self.timings.store_timeout.as_secs(),
                    "token store save timed out; the rotated refresh token is kept in memory \
                     and saved again before the next refresh"
                );
                false
            }
        }
    }
}

#[async_trait]
impl TokenProvider for RefreshTokenProvider {
    async fn access_token(&self) -> Result<AccessToken, AuthError> {
        let now = self.inner.clock.now();
        let (seen_attempts, fallback) = {
            let state = self.inner.state();
            let latched = state.latch.as_ref().filter(|l| now < l.until);
            match &state.current {
                Some(cached) if now < cached.refresh_at => return Ok(cached.token.clone()),
                Some(cached) if now < cached.expires_at => {
                    let recently_failed = state
                        .last_failure
                        .is_some_and(|at| now < at + self.inner.timings.retry_interval);
                    if recently_failed || latched.is_some() {
                        return Ok(cached.token.clone());
                    }
                    (state.attempts, Some(cached.token.generation()))
                }
                _ => {
                    if let Some(latch) = latched {
                        return Err(latch.error_at(now));
                    }
                    (state.attempts, None)
                }
            }
        };

        let inner = Arc::clone(&self.inner);
        let outcome = self
            .inner
            .flight
            .run(move || async move { inner.refresh(seen_attempts).await })
            .await
            .unwrap_or(Err(AuthError::RefreshAborted));
        match outcome {
            Ok(token) => Ok(token),
            Err(error) => match fallback.and_then(|generation| self.still_valid(generation)) {
                Some(old) => {
                    tracing::warn!(
                        client_id = %self.client_id(),
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
        let now = self.inner.clock.now();
        let timings = self.inner.timings;
        let mut state = self.inner.state();
        let Some(cached) = state
            .current
            .as_ref()
            .filter(|c| c.token.generation() == token.generation())
        else {
            return;
        };
        // A token minted to replace a refused one, refused again within the backoff window:
        // the refusal is not an expiry. Latch instead of minting a token per call.
        let refused_again = cached.replaces_rejected
            && now.saturating_duration_since(cached.minted_at) < timings.backoff;
        state.current = None;
        state.last_failure = None;
        state.replacing_rejected = true;
        if refused_again {
            let window = state
                .refused_backoff
                .map_or(timings.backoff, |b| (b * 2).min(timings.max_backoff));
            state.refused_backoff = Some(window);
            state.latch = Some(Latch {
                error: AuthError::AccessTokenRefused { retry_in: window },
                until: now + window,
                backoff: window,
            });
            drop(state);
            tracing::warn!(
                client_id = %self.client_id(),
                generation = %token.generation(),
                backoff_secs = window.as_secs(),
                "a freshly minted access token was refused too; not refreshing until the backoff ends"
            );
        } else {
            state.refused_backoff = None;
            drop(state);
            tracing::debug!(
                client_id = %self.client_id(),
                generation = %token.generation(),
                "access token rejected; the next call refreshes"
            );
        }
    }
}

impl fmt::Debug for RefreshTokenProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RefreshTokenProvider")
            .field("client_id", &self.client_id())
            .field("token_url", &redacted(self.inner.endpoint.token_url()))
            .field("store", &self.inner.store.as_ref().map(|(_, key)| key))
            .finish_non_exhaustive()
    }
}
