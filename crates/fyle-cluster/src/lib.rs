//! Cluster discovery for fyle-rs: which host holds an org's data, and may a token go there.
//!
//! Fyle runs several data clusters (`https://us1.fylehq.com`, `https://in1.fylehq.com`). After
//! getting an access token, an app asks the accounts host which one holds its org, and sends
//! every data call to `{cluster_domain}/platform/v1`.
//!
//! - [`ClusterResolver`]: "which cluster for this token?" Object safe.
//! - [`AccountsClusterResolver`]: `POST {accounts}/oauth/cluster` with the Bearer token,
//!   cached with the token's [`TokenGeneration`](fyle_auth::TokenGeneration) (rediscovered
//!   after every refresh), single flight.
//! - [`StaticCluster`]: a pinned cluster, for apps that stored it at onboarding, and tests.
//! - [`ClusterAllowList`] (fyle-auth's `HostPolicy`, the one host policy for every secret):
//!   the answer decides where the Bearer token goes next, so by default only `https` hosts
//!   equal to or under `fylehq.com` are accepted; anything else is a
//!   [`ClusterError::NotAllowed`] and no request carrying a token is sent there.
//!
//! # Resolve, then call
//!
//! ```no_run
//! use fyle_auth::{Credentials, RefreshTokenProvider, TokenProvider};
//! use fyle_cluster::{AccountsClusterResolver, ClusterAllowList, ClusterResolver};
//!
//! # async fn run(transport: fyle_transport::SharedTransport) -> Result<(), Box<dyn std::error::Error>> {
//! let credentials = Credentials::from_env()?;
//! let resolver = AccountsClusterResolver::new(
//!     credentials.accounts_url.clone(),
//!     transport.clone(),
//!     ClusterAllowList::default(),
//! );
//! let tokens = RefreshTokenProvider::new(credentials, transport);
//!
//! let token = tokens.access_token().await?;
//! let cluster = resolver.cluster(&token).await?; // cached until the token changes
//! let url = format!("{}/spender/my_profile", cluster.api_base());
//! # let _ = url;
//! # Ok(())
//! # }
//! ```
//!
//! # A pinned cluster
//!
//! ```
//! use fyle_auth::AccessToken;
//! use fyle_cluster::{ClusterAllowList, ClusterResolver, StaticCluster};
//! use url::Url;
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let stored = Url::parse("https://in1.fylehq.com").unwrap();
//! let resolver = StaticCluster::checked(stored, &ClusterAllowList::default()).unwrap();
//! let cluster = resolver.cluster(&AccessToken::new("token", None)).await.unwrap();
//! assert_eq!(cluster.api_base().as_str(), "https://in1.fylehq.com/platform/v1");
//! # });
//! ```

mod accounts;
mod cluster;
mod error;
mod resolver;

pub use accounts::{AccountsClusterResolver, DEFAULT_LOOKUP_TIMEOUT};
pub use cluster::Cluster;
pub use error::ClusterError;
/// The hosts a Bearer token may go to: fyle-auth's [`HostPolicy`](fyle_auth::HostPolicy), the
/// one policy for every secret (the token endpoint uses it too).
pub use fyle_auth::HostPolicy as ClusterAllowList;
pub use fyle_auth::{FYLE_DOMAIN, HostRefused};
pub use resolver::{ClusterResolver, StaticCluster};
