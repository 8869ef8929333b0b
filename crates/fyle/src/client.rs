//! [`Client`]: the cheap-to-clone handle every call goes through, and its public entry points
//! (the per-role methods are generated in `generated/`, bulk resubmission is in `bulk.rs`, files
//! in `files.rs`; the crate-private send path is `pipeline.rs`).

use std::fmt;
use std::sync::Arc;

use fyle_auth::TokenProvider;
use fyle_cluster::{ClusterAllowList, ClusterResolver};
use fyle_models::operations::Operation;
use fyle_transport::SharedTransport;
use http::Method;
use serde::Serialize;
use serde::de::DeserializeOwned;
use url::Url;

use crate::builder::ClientBuilder;
use crate::envelope::encode_body;
use crate::execute::call_for;
use crate::pipeline::Call;
use crate::raw::RawRequest;

/// The default number of pages a stream fetches ahead once `count` is known.
pub(crate) const DEFAULT_PAGE_CONCURRENCY: usize = 3;

/// A client for the Fyle Platform API, for one org (one token).
///
/// Cheap to clone (an `Arc` inside), `Send + Sync`. Many clients (one per org) can share one
/// transport and one rate limiter: see [`ClientBuilder::transport`] and
/// [`ClientBuilder::rate_limiter`].
///
/// Every call runs: access token -> cluster (validated against the allow-list) -> URL ->
/// transport layers (retry, rate limit, tracing) -> on 401/498 the token is rejected, refreshed
/// once and the request replayed once (a 401 on the new token is [`ErrorKind::Unauthorized`],
/// and that token is not rejected; a 403 never refreshes) -> envelope decoded -> typed result.
/// Every secret goes only to hosts the [`allow_list`](Self::allow_list) accepts.
///
/// [`ErrorKind::Unauthorized`]: crate::ErrorKind::Unauthorized
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<ClientInner>,
}

pub(crate) struct ClientInner {
    pub(crate) transport: SharedTransport,
    pub(crate) tokens: Arc<dyn TokenProvider>,
    pub(crate) cluster: Arc<dyn ClusterResolver>,
    pub(crate) allow_list: ClusterAllowList,
    pub(crate) accounts_url: Url,
    pub(crate) page_concurrency: usize,
    /// Decode failures are errors instead of repaired values with warnings.
    pub(crate) strict_decoding: bool,
}

impl Client {
    /// Starts configuring a client.
    ///
    /// ```no_run
    /// # async fn run() -> fyle::Result<()> {
    /// use fyle::auth::Credentials;
    /// let client = fyle::Client::builder()
    ///     .credentials(Credentials::from_env().expect("FYLE_* variables"))
    ///     .build()?;
    /// # let _ = client; Ok(()) }
    /// ```
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// A client from the environment: `FYLE_CLIENT_ID`, `FYLE_CLIENT_SECRET`,
    /// `FYLE_REFRESH_TOKEN`, optional `FYLE_ACCOUNTS_URL` (see `Credentials::from_env`), and an
    /// optional `FYLE_CLUSTER_DOMAIN` that pins the cluster instead of discovering it.
    pub fn from_env() -> crate::Result<Self> {
        let credentials = fyle_auth::Credentials::from_env().map_err(|e| {
            crate::Error::config(format!("reading credentials from the environment: {e}"))
        })?;
        let mut builder = ClientBuilder::new().credentials(credentials);
        if let Ok(domain) = std::env::var("FYLE_CLUSTER_DOMAIN") {
            let url = Url::parse(&domain).map_err(|e| {
                crate::Error::config(format!("FYLE_CLUSTER_DOMAIN is not a URL: {e}"))
            })?;
            builder = builder.cluster(url);
        }
        builder.build()
    }

    /// The transport this client sends through (with its layers).
    pub fn transport(&self) -> &SharedTransport {
        &self.inner.transport
    }

    /// The token provider.
    pub fn token_provider(&self) -> &Arc<dyn TokenProvider> {
        &self.inner.tokens
    }

    /// The accounts URL (token and cluster endpoints).
    pub fn accounts_url(&self) -> &Url {
        &self.inner.accounts_url
    }

    /// The host policy every secret is restricted to (fyle-auth's `HostPolicy`).
    pub fn allow_list(&self) -> &ClusterAllowList {
        &self.inner.allow_list
    }

    /// How many pages a `.stream()` fetches ahead by default.
    pub fn page_concurrency(&self) -> usize {
        self.inner.page_concurrency
    }

    /// True when a value of the wrong shape in a response is an error instead of a repaired
    /// value with a warning (see [`ClientBuilder::strict_decoding`]).
    pub fn strict_decoding(&self) -> bool {
        self.inner.strict_decoding
    }

    /// Runs `op` with `body`: the body is wrapped per `op.request_body` (`{data: ..}`,
    /// `{data: [..]}`, bare or `{}`), the response unwrapped per `op.response_body`, so `R` is
    /// the inner type (`()` for an empty response).
    ///
    /// Generated methods call this; it is public for operations the generated API lacks.
    pub async fn execute<B, R>(&self, op: &'static Operation, body: Option<&B>) -> crate::Result<R>
    where
        B: Serialize + ?Sized,
        R: DeserializeOwned,
    {
        let call = call_for(op).json_body(encode_body(op.request_body, body)?);
        self.send_op(op, &call).await.map(|d| d.value)
    }

    /// A raw request to `path` under `{cluster}/platform/v1` (for example
    /// `"/admin/org_settings"`, which the spec does not list). It still gets the token, the
    /// cluster, the transport layers, the 401 refresh and typed errors.
    ///
    /// ```no_run
    /// # async fn run(client: fyle::Client) -> fyle::Result<()> {
    /// let settings: serde_json::Value = client
    ///     .request(http::Method::GET, "/admin/org_settings")
    ///     .send_json()
    ///     .await?;
    /// # let _ = settings; Ok(()) }
    /// ```
    pub fn request(&self, method: Method, path: impl Into<String>) -> RawRequest {
        RawRequest::new(self.clone(), Call::new(method, path))
    }

    /// The API base (`{cluster}/platform/v1`) this client currently resolves to.
    pub async fn api_base(&self) -> crate::Result<Url> {
        let token = self.inner.tokens.access_token().await?;
        let cluster = self.inner.cluster.cluster(&token).await?;
        self.inner
            .allow_list
            .check_as("cluster domain", cluster.domain())?;
        Ok(cluster.api_base())
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("accounts_url", &self.inner.accounts_url.as_str())
            .field("tokens", &self.inner.tokens)
            .field("cluster", &self.inner.cluster)
            .field("transport", &self.inner.transport)
            .field("page_concurrency", &self.inner.page_concurrency)
            .finish_non_exhaustive()
    }
}
