//! Shared server state: the store, auth, clock, limiter, faults, list cache, spend overviews,
//! blobs and signer behind every handler, with the helpers handlers share (authenticate, sign URLs).

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::{Mutex, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

use bytes::Bytes;
use rand_chacha::ChaCha8Rng;

use crate::auth::{Auth, Grant};
use crate::clock::Clock;
use crate::faults::Faults;
use crate::listing::ListCache;
use crate::rate_limit::RateLimiter;
use crate::store::Store;

/// Bytes uploaded to the sandbox storage.
#[derive(Debug, Clone)]
pub(crate) struct Blob {
    pub(crate) content_type: String,
    pub(crate) bytes: Bytes,
}

/// Everything the handlers share.
#[derive(Debug)]
pub(crate) struct AppState {
    pub(crate) store: RwLock<Store>,
    pub(crate) auth: Mutex<Auth>,
    pub(crate) clock: Clock,
    pub(crate) limiter: RateLimiter,
    pub(crate) faults: Faults,
    pub(crate) cache: ListCache,
    pub(crate) rng: Mutex<ChaCha8Rng>,
    pub(crate) blobs: Mutex<HashMap<String, Blob>>,
    pub(crate) signer: RandomState,
    pub(crate) base_url: String,
    pub(crate) auto_approve: bool,
    pub(crate) url_ttl: Duration,
    /// The token `/__sandbox/*` requires.
    pub(crate) control_token: String,
    /// Subscriptions and the webhook delivery queue.
    pub(crate) webhooks: crate::webhooks::Webhooks,
    /// Spend overviews computed or being computed (`202` until ready).
    pub(crate) spend_overview: crate::spend_overview::Computations,
}

impl AppState {
    pub(crate) fn read(&self) -> RwLockReadGuard<'_, Store> {
        self.store.read().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn write(&self) -> RwLockWriteGuard<'_, Store> {
        self.store.write().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn auth(&self) -> std::sync::MutexGuard<'_, Auth> {
        self.auth.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn rng(&self) -> std::sync::MutexGuard<'_, ChaCha8Rng> {
        self.rng.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn blobs(&self) -> std::sync::MutexGuard<'_, HashMap<String, Blob>> {
        self.blobs.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether `token` is the control token (compared in constant time).
    pub(crate) fn is_control_token(&self, token: &str) -> bool {
        crate::auth::constant_time_eq(token.as_bytes(), self.control_token.as_bytes())
    }

    /// The grant behind the request's `Authorization: Bearer` token, if it is live.
    pub(crate) fn authenticate(&self, headers: &http::HeaderMap) -> Option<Grant> {
        let authorization = headers
            .get(http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        let token = bearer(authorization?)?;
        self.auth().validate(token, self.clock.now()).cloned()
    }

    /// Signs a storage URL for `file_id`, `op` (`upload`/`download`), valid until `expires`.
    pub(crate) fn sign(&self, file_id: &str, op: &str, expires: i64) -> String {
        format!("{:016x}", self.signer.hash_one((file_id, op, expires)))
    }

    /// A signed storage URL valid for the configured URL lifetime.
    pub(crate) fn storage_url(&self, file_id: &str, op: &str) -> String {
        let ttl = i64::try_from(self.url_ttl.as_secs()).unwrap_or(300);
        let expires = self.clock.unix() + ttl;
        let signature = self.sign(file_id, op, expires);
        format!(
            "{}/storage/{file_id}?op={op}&expires={expires}&signature={signature}",
            self.base_url
        )
    }
}

/// The token of an `Authorization: Bearer <token>` header.
pub(crate) fn bearer(header: &str) -> Option<&str> {
    let (scheme, token) = header.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
        .filter(|t| !t.is_empty())
}
