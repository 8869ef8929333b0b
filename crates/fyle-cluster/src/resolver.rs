//! The [`ClusterResolver`] trait and the pinned [`StaticCluster`].

use std::fmt::Debug;

use async_trait::async_trait;
use fyle_auth::AccessToken;
use url::Url;

use crate::{Cluster, ClusterAllowList, ClusterError};

/// Finds the cluster that holds the data of the org a token belongs to.
///
/// Object safe: the client holds an `Arc<dyn ClusterResolver>`. Implementations cache, so
/// calling [`cluster`](Self::cluster) before every request is cheap.
#[async_trait]
pub trait ClusterResolver: Send + Sync + Debug {
    /// The cluster for `token`'s org.
    ///
    /// A resolver that caches per token generation rediscovers the cluster after every token
    /// refresh, so a stale cluster lives at most as long as the token it was found with.
    async fn cluster(&self, token: &AccessToken) -> Result<Cluster, ClusterError>;
}

#[async_trait]
impl<T: ClusterResolver + ?Sized> ClusterResolver for std::sync::Arc<T> {
    async fn cluster(&self, token: &AccessToken) -> Result<Cluster, ClusterError> {
        (**self).cluster(token).await
    }
}

/// A fixed cluster: for apps that stored the cluster at onboarding, sandboxes and tests.
///
/// The app chose this URL, so it is not checked against an allow-list unless built with
/// [`checked`](Self::checked).
#[derive(Debug, Clone)]
pub struct StaticCluster {
    cluster: Cluster,
}

impl StaticCluster {
    /// Always `domain`.
    pub fn new(domain: Url) -> Self {
        Self {
            cluster: Cluster::new(domain),
        }
    }

    /// Always `domain`, after checking it against `allow_list` (for a domain read from
    /// storage or configuration).
    pub fn checked(domain: Url, allow_list: &ClusterAllowList) -> Result<Self, ClusterError> {
        allow_list.check(&domain)?;
        Ok(Self::new(domain))
    }

    /// The pinned cluster.
    pub fn get(&self) -> &Cluster {
        &self.cluster
    }
}

impl From<Cluster> for StaticCluster {
    fn from(cluster: Cluster) -> Self {
        Self { cluster }
    }
}

#[async_trait]
impl ClusterResolver for StaticCluster {
    async fn cluster(&self, _token: &AccessToken) -> Result<Cluster, ClusterError> {
        Ok(self.cluster.clone())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[tokio::test]
    async fn static_cluster_is_object_safe() {
        let url = Url::parse("https://in1.fylehq.com").expect("url");
        let resolver: Arc<dyn ClusterResolver> = Arc::new(StaticCluster::new(url.clone()));
        let token = AccessToken::new("t", None);
        let cluster = resolver.cluster(&token).await.expect("static");
        assert_eq!(cluster.domain(), &url);
        assert!(
            StaticCluster::checked(
                Url::parse("http://in1.fylehq.com").expect("url"),
                &ClusterAllowList::default()
            )
            .is_err()
        );
    }
}
