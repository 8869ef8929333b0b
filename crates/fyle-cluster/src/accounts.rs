//! [`AccountsClusterResolver`]: `POST {accounts}/oauth/cluster`, cached per token.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use async_trait::async_trait;
use bytes::Bytes;
use fyle_auth::{AccessToken, TokenGeneration};
use fyle_transport::SharedTransport;
use http::{HeaderValue, header};
use serde::Deserialize;
use url::Url;

use crate::error::{describe_json_error, origin_of};
use crate::{Cluster, ClusterAllowList, ClusterError, ClusterResolver};

/// Resolves the cluster with Fyle's accounts host: `POST {accounts}/oauth/cluster` with the
/// Bearer token and no body; the answer is `{"cluster_domain": "https://us1.fylehq.com"}`.
///
/// - The answer is checked against the [`ClusterAllowList`] before it is used or cached; a
///   rejected answer is an error and nothing else is sent anywhere. The accounts URL itself is
///   checked too (it receives the token).
/// - The cluster is cached with the [`TokenGeneration`] it was discovered with, and
///   rediscovered when a newer token shows up, i.e. after every refresh, as Fyle's docs ask.
/// - Single flight: concurrent callers with the same new token cause one lookup and share
///   its result (the cluster or the error).
///
/// Cheap to clone (clones share the cache).
#[derive(Clone)]
pub struct AccountsClusterResolver {
    inner: Arc<Inner>,
}

struct Inner {
    accounts_url: Url,
    cluster_url: Url,
    transport: SharedTransport,
    allow_list: ClusterAllowList,
    state: Mutex<State>,
    flight: tokio::sync::Mutex<()>,
}

#[derive(Default)]
struct State {
    cached: Option<(TokenGeneration, Cluster)>,
    attempts: u64,
    last_error: Option<(TokenGeneration, ClusterError)>,
}

#[derive(Deserialize)]
struct Answer {
    #[serde(default)]
    cluster_domain: Option<String>,
}

impl AccountsClusterResolver {
    /// A resolver asking `accounts_url` (normally `https://accounts.fylehq.com`) through
    /// `transport`, accepting answers allowed by `allow_list`.
    pub fn new(
        accounts_url: Url,
        transport: SharedTransport,
        allow_list: ClusterAllowList,
    ) -> Self {
        let mut cluster_url = accounts_url.clone();
        let prefix = accounts_url.path().trim_end_matches('/');
        cluster_url.set_path(&format!("{prefix}/oauth/cluster"));
        cluster_url.set_query(None);
        cluster_url.set_fragment(None);
        Self {
            inner: Arc::new(Inner {
                accounts_url,
                cluster_url,
                transport,
                allow_list,
                state: Mutex::new(State::default()),
                flight: tokio::sync::Mutex::new(()),
            }),
        }
    }

    /// The allow-list answers are checked against.
    pub fn allow_list(&self) -> &ClusterAllowList {
        &self.inner.allow_list
    }

    /// The cached cluster, if any (for persisting it, or for logs).
    pub fn cached(&self) -> Option<Cluster> {
        self.state().cached.as_ref().map(|(_, c)| c.clone())
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn cached_for(state: &State, generation: TokenGeneration) -> Option<Cluster> {
        state
            .cached
            .as_ref()
            .filter(|(cached, _)| *cached >= generation)
            .map(|(_, cluster)| cluster.clone())
    }

    async fn fetch(&self, token: &AccessToken) -> Result<Cluster, ClusterError> {
        self.inner
            .allow_list
            .check_as("accounts URL", &self.inner.accounts_url)?;
        let bearer = token
            .bearer_header()
            .map_err(|_| ClusterError::InvalidToken)?;
        let request = http::Request::builder()
            .method(http::Method::POST)
            .uri(self.inner.cluster_url.as_str())
            .header(header::AUTHORIZATION, bearer)
            .header(header::ACCEPT, HeaderValue::from_static("application/json"))
            .body(Bytes::new())
            .map_err(|e| ClusterError::Decode {
                reason: format!("could not build the cluster request: {e}"),
            })?;
        tracing::debug!(
            url = %origin_of(&self.inner.cluster_url),
            path = self.inner.cluster_url.path(),
            generation = %token.generation(),
            "resolving the cluster"
        );
        let response = self.inner.transport.send(request).await?;
        let status = response.status().as_u16();
        match status {
            200..=299 => {}
            401 | 498 => return Err(ClusterError::Unauthorized { status }),
            408 | 429 => {
                return Err(ClusterError::Server {
                    status,
                    retryable: true,
                });
            }
            500..=599 => {
                return Err(ClusterError::Server {
                    status,
                    retryable: !matches!(status, 501 | 505),
                });
            }
            _ => return Err(ClusterError::UnexpectedStatus { status }),
        }
        let answer: Answer =
            serde_json::from_slice(response.body()).map_err(|e| ClusterError::Decode {
                reason: describe_json_error(&e),
            })?;
        let raw = answer
            .cluster_domain
            .filter(|d| !d.trim().is_empty())
            .ok_or(ClusterError::MissingDomain)?;
        let domain = Url::parse(raw.trim()).map_err(|e| ClusterError::InvalidDomain {
            reason: e.to_string(),
        })?;
        if let Err(error) = self.inner.allow_list.check(&domain) {
            tracing::warn!(
                domain = %origin_of(&domain),
                error = %error,
                "cluster answer rejected by the allow-list; no token will be sent there"
            );
            return Err(error);
        }
        let cluster = Cluster::new(domain);
        tracing::debug!(cluster = %cluster, generation = %token.generation(), "cluster resolved");
        Ok(cluster)
    }
}

#[async_trait]
impl ClusterResolver for AccountsClusterResolver {
    async fn cluster(&self, token: &AccessToken) -> Result<Cluster, ClusterError> {
        let generation = token.generation();
        let seen_attempts = {
            let state = self.state();
            if let Some(cluster) = Self::cached_for(&state, generation) {
                return Ok(cluster);
            }
            state.attempts
        };

        let _flight = self.inner.flight.lock().await;
        {
            let state = self.state();
            if let Some(cluster) = Self::cached_for(&state, generation) {
                return Ok(cluster);
            }
            if state.attempts != seen_attempts
                && let Some((failed_for, error)) = &state.last_error
                && *failed_for == generation
            {
                // A lookup for this very token failed while we waited: share its error.
                return Err(error.clone());
            }
        }

        let outcome = self.fetch(token).await;
        let mut state = self.state();
        state.attempts = state.attempts.wrapping_add(1);
        match &outcome {
            Ok(cluster) => {
                state.cached = Some((generation, cluster.clone()));
                state.last_error = None;
            }
            Err(error) => state.last_error = Some((generation, error.clone())),
        }
        outcome
    }

    fn reject(&self, cluster: &Cluster) {
        let mut state = self.state();
        if state.cached.as_ref().is_some_and(|(_, c)| c == cluster) {
            tracing::debug!(cluster = %cluster, "cluster rejected; the next call rediscovers it");
            state.cached = None;
        }
    }
}

impl fmt::Debug for AccountsClusterResolver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccountsClusterResolver")
            .field("accounts", &origin_of(&self.inner.accounts_url))
            .field("allow_list", &self.inner.allow_list)
            .field("cached", &self.cached())
            .finish_non_exhaustive()
    }
}
