//! [`ClientBuilder`]: how a [`Client`] gets its token, cluster and transport.

use std::sync::Arc;

use fyle_auth::{Credentials, RefreshTokenProvider, TokenProvider};
use fyle_cluster::{AccountsClusterResolver, ClusterAllowList, ClusterResolver, StaticCluster};
use fyle_transport::{RateLimiter, RetryBudget, RetryPolicy, SharedTransport, TransportBuilder};
use url::Url;

use crate::client::{Client, ClientInner, DEFAULT_PAGE_CONCURRENCY};
use crate::error::{Error, Result};

/// Fyle's production accounts host (token and cluster endpoints): fyle-auth's constant.
pub use fyle_auth::DEFAULT_ACCOUNTS_URL;

/// Fyle's documented rate limit: 10 requests per second per IP.
pub use fyle_transport::DEFAULT_REQUESTS_PER_SECOND;

enum Tokens {
    None,
    Credentials(Credentials),
    Provider(Arc<dyn TokenProvider>),
}

enum ClusterChoice {
    Discover,
    Pinned(Url),
    Resolver(Arc<dyn ClusterResolver>),
}

/// Configures a [`Client`]. Start with [`Client::builder`].
///
/// - Token: [`credentials`](Self::credentials) (refresh-token flow) or any
///   [`token_provider`](Self::token_provider).
/// - Cluster: discovered from the accounts host by default, or [`cluster`](Self::cluster)
///   (pinned, as stored at onboarding), or any [`cluster_resolver`](Self::cluster_resolver).
///   The Bearer token is only ever sent to a cluster the [`allow_list`](Self::allow_list) accepts.
/// - Transport: by default the same stack as `fyle_transport::default_transport()`: reqwest
///   (or hyper) + retry with a budget and a per-call deadline + a 10 requests/s limiter with a
///   bounded wait + tracing. The token and cluster calls to the accounts host (another host
///   than the API's) take the same stack without the limiter. Share one
///   limiter across clients with [`rate_limiter`](Self::rate_limiter), bring your own HTTP stack
///   with [`base_transport`](Self::base_transport) (the layers are added), or a fully composed
///   stack with [`transport`](Self::transport) (used as is: share one across many clients).
#[must_use]
pub struct ClientBuilder {
    tokens: Tokens,
    accounts_url: Option<Url>,
    cluster: ClusterChoice,
    allow_list: ClusterAllowList,
    transport: Option<SharedTransport>,
    base_transport: Option<SharedTransport>,
    retry: Option<RetryPolicy>,
    rate_limiter: Option<RateLimiter>,
    page_concurrency: usize,
    strict_decoding: bool,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("accounts_url", &self.accounts_url.as_ref().map(Url::as_str))
            .field("page_concurrency", &self.page_concurrency)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// An empty builder (same as [`Client::builder`]).
    pub fn new() -> Self {
        Self {
            tokens: Tokens::None,
            accounts_url: None,
            cluster: ClusterChoice::Discover,
            allow_list: ClusterAllowList::default(),
            transport: None,
            base_transport: None,
            retry: None,
            rate_limiter: None,
            page_concurrency: DEFAULT_PAGE_CONCURRENCY,
            strict_decoding: false,
        }
    }

    /// Use the refresh-token flow with these credentials (an internal app's client id, secret
    /// and refresh token, or a partner app's stored refresh token).
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.tokens = Tokens::Credentials(credentials);
        self
    }

    /// Use any token provider (a shared single-flight cache, a static token in tests, ...).
    pub fn token_provider(mut self, provider: impl TokenProvider + 'static) -> Self {
        self.tokens = Tokens::Provider(Arc::new(provider));
        self
    }

    /// Use a token provider that is already shared.
    pub fn shared_token_provider(mut self, provider: Arc<dyn TokenProvider>) -> Self {
        self.tokens = Tokens::Provider(provider);
        self
    }

    /// The accounts host for cluster discovery (default: the credentials' accounts URL, else
    /// `https://accounts.fylehq.com`).
    pub fn accounts_url(mut self, url: Url) -> Self {
        self.accounts_url = Some(url);
        self
    }

    /// Pin the cluster domain (for example `https://us1.fylehq.com`, as stored at onboarding)
    /// instead of discovering it. It must still pass the allow-list.
    pub fn cluster(mut self, domain: Url) -> Self {
        self.cluster = ClusterChoice::Pinned(domain);
        self
    }

    /// Use any cluster resolver.
    pub fn cluster_resolver(mut self, resolver: impl ClusterResolver + 'static) -> Self {
        self.cluster = ClusterChoice::Resolver(Arc::new(resolver));
        self
    }

    /// Use a cluster resolver that is already shared.
    pub fn shared_cluster_resolver(mut self, resolver: Arc<dyn ClusterResolver>) -> Self {
        self.cluster = ClusterChoice::Resolver(resolver);
        self
    }

    /// The hosts any secret may be sent to: the Bearer token (cluster and accounts calls) and,
    /// with [`credentials`](Self::credentials), the client secret and refresh token (default:
    /// https `fylehq.com` and its subdomains; a local sandbox needs `allow_loopback_http()`).
    pub fn allow_list(mut self, allow_list: ClusterAllowList) -> Self {
        self.allow_list = allow_list;
        self
    }

    /// A fully composed transport, used as is (no layer added) for every call, the token and
    /// cluster calls included. Build one with `fyle::transport::TransportBuilder` and share it
    /// between clients.
    pub fn transport(mut self, transport: SharedTransport) -> Self {
        self.transport = Some(transport);
        self
    }

    /// The HTTP stack underneath; the client adds the retry, rate-limit and tracing layers.
    pub fn base_transport(mut self, transport: SharedTransport) -> Self {
        self.base_transport = Some(transport);
        self
    }

    /// The retry policy of the added retry layer (ignored with [`transport`](Self::transport)).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// The rate limiter of the added rate-limit layer. Pass clones of one limiter to every
    /// client that shares an egress IP (Fyle allows 10 requests/s per IP). Ignored with
    /// [`transport`](Self::transport).
    pub fn rate_limiter(mut self, limiter: RateLimiter) -> Self {
        self.rate_limiter = Some(limiter);
        self
    }

    /// How many pages `.stream()` fetches ahead once `count` is known (default 3, at least 1).
    /// Memory stays bounded by this times the page size.
    pub fn page_concurrency(mut self, pages: usize) -> Self {
        self.page_concurrency = pages.max(1);
        self
    }

    /// Strict decoding: a value of the wrong shape in a response (a `null` in an id array, a
    /// boolean where the spec says string) fails the call with a typed decode error naming its
    /// JSON path. By default (`false`) it is repaired, the page decodes whole, and a
    /// `DecodeWarning` is logged and readable on the page ([`Page::warnings`](crate::Page::warnings)).
    pub fn strict_decoding(mut self, strict: bool) -> Self {
        self.strict_decoding = strict;
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<Client> {
        let (transport, accounts_transport) = match (self.transport, self.base_transport) {
            (Some(t), _) => (t.clone(), t),
            (None, base) => {
                let base = match base {
                    Some(b) => b,
                    None => default_base_transport()?,
                };
                // The one default stack (`fyle_transport::default_transport` builds the same),
                // with the caller's policy and limiter in place of the defaults.
                let mut stack = TransportBuilder::from_shared(base.clone()).with_defaults();
                if let Some(policy) = self.retry {
                    stack = stack.retry(policy);
                }
                if let Some(limiter) = self.rate_limiter {
                    stack = stack.rate_limit(limiter);
                }
                (stack.build(), accounts_stack(base, self.retry))
            }
        };

        let (tokens, credentials_accounts) = match self.tokens {
            Tokens::None => {
                return Err(Error::config(
                    "no credentials or token provider: call .credentials(..) or .token_provider(..)",
                ));
            }
            Tokens::Credentials(credentials) => {
                let accounts = credentials.accounts_url.clone();
                // One host policy for every secret: the token endpoint gets the allow-list too.
                let provider: Arc<dyn TokenProvider> = Arc::new(
                    RefreshTokenProvider::builder(credentials, accounts_transport.clone())
                        .host_policy(self.allow_list.clone())
                        .build(),
                );
                (provider, Some(accounts))
            }
            Tokens::Provider(p) => (p, None),
        };
        let accounts_url = match (self.accounts_url, credentials_accounts) {
            (Some(u), _) | (None, Some(u)) => u,
            (None, None) => Url::parse(DEFAULT_ACCOUNTS_URL)
                .map_err(|e| Error::config(format!("default accounts URL: {e}")))?,
        };
        let cluster: Arc<dyn ClusterResolver> = match self.cluster {
            ClusterChoice::Discover => Arc::new(AccountsClusterResolver::new(
                accounts_url.clone(),
                accounts_transport,
                self.allow_list.clone(),
            )),
            ClusterChoice::Pinned(url) => {
                self.allow_list.check(&url)?;
                Arc::new(StaticCluster::new(url))
            }
            ClusterChoice::Resolver(r) => r,
        };
        Ok(Client {
            inner: Arc::new(ClientInner {
                transport,
                tokens,
                cluster,
                allow_list: self.allow_list,
                accounts_url,
                page_concurrency: self.page_concurrency,
                strict_decoding: self.strict_decoding,
            }),
        })
    }
}

/// The stack of the token and cluster-discovery calls: the API stack's retry (which honours a
/// 429's `Retry-After`), tracing, and no rate limiter.
///
/// Fyle's 10 requests/s is the limit of the platform API on the cluster host; the token and
/// cluster endpoints live on another host (`accounts.fylehq.com`) and are called once per
/// process and then once an hour. Queued behind the API limiter they only delayed the first
/// data request by two slots (0.2 s of a 10 s export).
fn accounts_stack(base: SharedTransport, retry: Option<RetryPolicy>) -> SharedTransport {
    TransportBuilder::from_shared(base)
        .retry(retry.unwrap_or_default())
        .retry_budget(RetryBudget::default())
        .tracing()
        .build()
}

#[cfg(any(feature = "reqwest", feature = "hyper"))]
fn default_base_transport() -> Result<SharedTransport> {
    fyle_transport::default_base_transport()
        .map_err(|e| Error::config(format!("cannot build the HTTP client: {e}")))
}

#[cfg(not(any(feature = "reqwest", feature = "hyper")))]
fn default_base_transport() -> Result<SharedTransport> {
    Err(Error::config(
        "no transport: enable the `reqwest` or `hyper` feature, or call .transport(..) / .base_transport(..)",
    ))
}
