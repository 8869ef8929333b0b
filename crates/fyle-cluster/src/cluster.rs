//! [`Cluster`]: the data host of an org.

use std::fmt;

use url::Url;

/// The cluster that holds an org's data, e.g. `https://us1.fylehq.com`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Cluster {
    domain: Url,
}

impl Cluster {
    /// A cluster at `domain` (as returned by `/oauth/cluster`: scheme, host, optional port).
    ///
    /// No validation happens here: resolvers check answers against a
    /// [`ClusterAllowList`](crate::ClusterAllowList) before building a `Cluster`.
    pub fn new(domain: Url) -> Self {
        Self { domain }
    }

    /// The cluster domain, e.g. `https://us1.fylehq.com/`.
    pub fn domain(&self) -> &Url {
        &self.domain
    }

    /// `{domain}/platform/v1`, the base of every data API path, without a trailing slash
    /// (append `/admin/expenses`, not `admin/expenses`). A path prefix on the domain (a sandbox
    /// mounted under a path) is kept.
    pub fn api_base(&self) -> Url {
        let mut url = self.domain.clone();
        let prefix = self.domain.path().trim_end_matches('/');
        url.set_path(&format!("{prefix}/platform/v1"));
        url.set_query(None);
        url.set_fragment(None);
        url
    }
}

impl fmt::Debug for Cluster {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Cluster")
            .field(&self.domain.as_str())
            .finish()
    }
}

impl fmt::Display for Cluster {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.domain.as_str().trim_end_matches('/'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).expect("test URL")
    }

    #[test]
    fn api_base_appends_platform_v1() {
        let cluster = Cluster::new(url("https://us1.fylehq.com"));
        assert_eq!(
            cluster.api_base().as_str(),
            "https://us1.fylehq.com/platform/v1"
        );
        assert_eq!(cluster.to_string(), "https://us1.fylehq.com");
        let cluster = Cluster::new(url("https://in1.fylehq.com/"));
        assert_eq!(
            cluster.api_base().as_str(),
            "https://in1.fylehq.com/platform/v1"
        );
        let cluster = Cluster::new(url("http://127.0.0.1:8080/fyle/"));
        assert_eq!(
            cluster.api_base().as_str(),
            "http://127.0.0.1:8080/fyle/platform/v1"
        );
    }
}
