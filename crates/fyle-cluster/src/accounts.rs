//! [`AccountsClusterResolver`]: `POST {accounts}/oauth/cluster`, cached per token.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use fyle_auth::{AccessToken, SingleFlight, TokenGeneration, describe_json_error, origin_of};
use fyle_transport::SharedTransport;
use http::{HeaderValue, header};
use serde::Deserialize;
use url::Url;

use crate::{Cluster, ClusterAllowList, ClusterError, ClusterResolver};

/// The deadline of one cluster lookup by default.
pub const DEFAULT_LOOKUP_TIMEOUT: Duration = Duration::from_secs(30);

/// How many flights a caller waits through for one started with its token (or a newer one)
/// before taking the last outcome: bounds the wait when older tokens keep starting flights.
const MAX_FLIGHTS: usize = 3;

/// Resolves the cluster with Fyle's accounts host: `POST {accounts}/oauth/cluster` with the
/// Bearer token and no body; the answer is `{"cluster_domain": "https://us1.fylehq.com"}`.
///
/// - The answer is checked against the [`ClusterAllowList`] before it is used or cached; a
///   rejected answer is an error and nothing else is sent anywhere. The accounts URL itself is
///   checked too (it receives the token).
/// - The cluster is cached with the [`TokenGeneration`] it was discovered with, and
///   rediscovered when a newer token shows up, i.e. after every refresh, as Fyle's docs ask.
/// - Single flight, in a spawned task with its own deadline (default
///   [`DEFAULT_LOOKUP_TIMEOUT`]): concurrent callers with the same new token cause one lookup
///   and share its result (the cluster or the error); a cancelled caller does not cancel it.
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
    timeout: Duration,
    cached: Mutex<Option<(TokenGeneration, Cluster)>>,
    /// The lookup every waiter shares, with the token generation it ran for.
    flight: SingleFlight<(TokenGeneration, Result<Cluster, ClusterError>)>,
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
                timeout: DEFAULT_LOOKUP_TIMEOUT,
                cached: Mutex::new(None),
                flight: SingleFlight::new(),
            }),
        }
    }

    /// Replaces the deadline of one lookup (default [`DEFAULT_LOOKUP_TIMEOUT`]). Call it before
    /// cloning the resolver.
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        if let Some(inner) = Arc::get_mut(&mut self.inner) {
            inner.timeout = timeout;
        }
        self
    }

    /// The allow-list answers are checked against.
    pub fn allow_list(&self) -> &ClusterAllowList {
        &self.inner.allow_list
    }

    /// The cached cluster, if any (for persisting it, or for logs).
    pub fn cached(&self) -> Option<Cluster> {
        self.inner.cached().as_ref().map(|(_, c)| c.clone())
    }
}

impl Inner {
    fn cached(&self) -> MutexGuard<'_, Option<(TokenGeneration, Cluster)>> {
        self.cached.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn cached_for(&self, generation: TokenGeneration) -> Option<Cluster> {
        self.cached()
            .as_ref()
            .filter(|(cached, _)| *cached >= generation)
            .map(|(_, cluster)| cluster.clone())
    }

    /// One lookup with its deadline; runs in the shared flight task. A success is cached.
    async fn lookup(&self, token: AccessToken) -> (TokenGeneration, Result<Cluster, ClusterError>) {
        let generation = token.generation();
        let outcome = tokio::time::timeout(self.timeout, self.fetch(&token))
            .await
            .unwrap_or(Err(ClusterError::TimedOut {
                after: self.timeout,
            }));
        if let Ok(cluster) = &outcome {
            let mut cached = self.cached();
            if cached
                .as_ref()
                .is_none_or(|(known, _)| *known <= generation)
            {
                *cached = Some((generation, cluster.clone()));
            }
        }
        (generation, outcome)
    }

    async fn fetch(&self, token: &AccessToken) -> Result<Cluster, ClusterError> {
        self.allow_list
            .check_as("accounts URL", &self.accounts_url)?;
        let bearer = token
            .bearer_header()
            .map_err(|_| ClusterError::InvalidToken)?;
        let request = http::Request::builder()
            .method(http::Method::POST)
            .uri(self.cluster_url.as_str())
            .header(header::AUTHORIZATION, bearer)
            .header(header::ACCEPT, HeaderValue::from_static("application/json"))
            .body(Bytes::new())
            .map_err(|e| ClusterError::Decode {
                reason: format!("could not build the cluster request: {e}"),
            })?;
        tracing::debug!(
            url = %origin_of(&self.cluster_url),
            path = self.cluster_url.path(),
            generation = %token.generation(),
            "resolving the cluster"
        );
        let response = self.transport.send(request).await?;
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
        if let Err(error) = self.allow_list.check_as("cluster domain", &domain) {
            tracing::warn!(
                domain = %origin_of(&domain),
                error = %error,
                "cluster answer rejected by the allow-list; no token will be sent there"
            );
            return Err(error.into());
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
        let mut last = None;
        for _ in 0..MAX_FLIGHTS {
            if let Some(cluster) = self.inner.cached_for(generation) {
                return Ok(cluster);
            }
            let inner = Arc::clone(&self.inner);
            let token = token.clone();
            let (ran_for, outcome) = self
                .inner
                .flight
                .run(move || async move { inner.lookup(token).await })
                .await
                .unwrap_or((generation, Err(ClusterError::LookupAborted)));
            // A flight started with an older token says nothing about this one: run again.
            if ran_for >= generation {
                return outcome;
            }
            last = Some(outcome);
        }
        last.unwrap_or(Err(ClusterError::LookupAborted))
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
