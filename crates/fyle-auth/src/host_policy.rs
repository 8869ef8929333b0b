//! [`HostPolicy`]: the one rule deciding which hosts may receive a secret (client secret,
//! refresh token, access token).

use url::{Host, Url};

/// The production domain every Fyle host (accounts and clusters) lives under.
pub const FYLE_DOMAIN: &str = "fylehq.com";

/// Which hosts may receive a secret.
///
/// Every secret this SDK sends goes through one check, before anything is sent: the client
/// secret and refresh token to the token endpoint, the Bearer token to the accounts host
/// (`/oauth/cluster` and the generated accounts calls) and to the cluster an answer names. By
/// default only `https` URLs whose host is `fylehq.com` or ends with `.fylehq.com` pass (no IP
/// addresses, no credentials in the URL, no query). Plain `http` is allowed only for loopback
/// hosts (`127.0.0.0/8`, `::1`, `localhost`), and only after
/// [`allow_loopback_http`](Self::allow_loopback_http) (sandboxes and tests).
///
/// `fyle_cluster::ClusterAllowList` is this same type.
///
/// ```
/// use fyle_auth::HostPolicy;
/// use url::Url;
///
/// let policy = HostPolicy::default();
/// assert!(policy.check(&Url::parse("https://us1.fylehq.com").unwrap()).is_ok());
/// assert!(policy.check(&Url::parse("https://evil.example.com").unwrap()).is_err());
/// assert!(policy.check(&Url::parse("http://accounts.fylehq.com").unwrap()).is_err());
/// assert!(policy.check(&Url::parse("https://accounts.fylehq.com.evil.com").unwrap()).is_err());
///
/// let staging = HostPolicy::default().allow_host_suffix("fyle.tech");
/// assert!(staging.check(&Url::parse("https://staging.fyle.tech").unwrap()).is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostPolicy {
    suffixes: Vec<String>,
    loopback_http: bool,
}

/// A URL the [`HostPolicy`] refused: nothing secret was sent there.
///
/// The URL is kept as `scheme://host[:port]` only (no credentials, path or query).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} {url} is not allowed: {reason}")]
#[non_exhaustive]
pub struct HostRefused {
    /// What was checked: `"token endpoint"`, `"accounts URL"`, `"cluster domain"`, ...
    pub what: &'static str,
    /// The URL as `scheme://host[:port]`.
    pub url: String,
    /// Which rule it broke.
    pub reason: String,
}

impl Default for HostPolicy {
    fn default() -> Self {
        Self {
            suffixes: vec![FYLE_DOMAIN.to_owned()],
            loopback_http: false,
        }
    }
}

impl HostPolicy {
    /// The default policy: `https` hosts equal to or under `fylehq.com`.
    pub fn new() -> Self {
        Self::default()
    }

    /// A policy that allows nothing until suffixes are added (to replace `fylehq.com`).
    pub fn empty() -> Self {
        Self {
            suffixes: Vec::new(),
            loopback_http: false,
        }
    }

    /// Also allows `https` hosts equal to `suffix` or ending with `.{suffix}`.
    #[must_use]
    pub fn allow_host_suffix(mut self, suffix: impl AsRef<str>) -> Self {
        let suffix = suffix
            .as_ref()
            .trim()
            .trim_matches('.')
            .to_ascii_lowercase();
        if !suffix.is_empty() && !self.suffixes.contains(&suffix) {
            self.suffixes.push(suffix);
        }
        self
    }

    /// Also allows loopback hosts (`127.0.0.0/8`, `::1`, `localhost`) over `http` or `https`:
    /// the explicit opt-in for a local sandbox or mock server.
    #[must_use]
    pub fn allow_loopback_http(mut self) -> Self {
        self.loopback_http = true;
        self
    }

    /// The allowed host suffixes.
    pub fn suffixes(&self) -> &[String] {
        &self.suffixes
    }

    /// Whether loopback hosts are allowed.
    pub fn allows_loopback(&self) -> bool {
        self.loopback_http
    }

    /// `Ok` if a secret may be sent to `url` (named "cluster domain" in the error).
    pub fn check(&self, url: &Url) -> Result<(), HostRefused> {
        self.check_as("cluster domain", url)
    }

    /// `Ok` if a secret may be sent to `url`; the error names it as `what`.
    pub fn check_as(&self, what: &'static str, url: &Url) -> Result<(), HostRefused> {
        let deny = |reason: &str| HostRefused {
            what,
            url: origin_of(url),
            reason: reason.to_owned(),
        };
        if !url.username().is_empty() || url.password().is_some() {
            return Err(deny("URL contains credentials"));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(deny("URL contains a query or fragment"));
        }
        let Some(host) = url.host() else {
            return Err(deny("URL has no host"));
        };
        let scheme = url.scheme();
        if self.loopback_http && is_loopback(&host) && matches!(scheme, "http" | "https") {
            return Ok(());
        }
        if scheme != "https" {
            return Err(deny(if is_loopback(&host) {
                "plain http to a loopback host needs allow_loopback_http()"
            } else {
                "scheme must be https"
            }));
        }
        let Host::Domain(domain) = host else {
            return Err(deny("IP addresses are not allowed"));
        };
        let domain = domain.to_ascii_lowercase();
        let allowed = self.suffixes.iter().any(|suffix| {
            domain == *suffix
                || domain
                    .strip_suffix(suffix.as_str())
                    .is_some_and(|rest| rest.ends_with('.'))
        });
        if allowed {
            Ok(())
        } else {
            Err(deny(&format!(
                "host is not under an allowed domain ({})",
                self.suffixes.join(", ")
            )))
        }
    }
}

/// `scheme://host[:port]` of `url`: no credentials, path, query or fragment (for errors, logs
/// and `Debug`).
pub fn origin_of(url: &Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{}://{host}:{port}", url.scheme()),
        (Some(host), None) => format!("{}://{host}", url.scheme()),
        (None, _) => format!("{}:", url.scheme()),
    }
}

fn is_loopback(host: &Host<&str>) -> bool {
    match host {
        Host::Ipv4(ip) => ip.is_loopback(),
        Host::Ipv6(ip) => ip.is_loopback(),
        Host::Domain(domain) => domain.eq_ignore_ascii_case("localhost"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed(list: &HostPolicy, url: &str) -> bool {
        list.check(&Url::parse(url).expect("test URL")).is_ok()
    }

    #[test]
    fn default_allows_only_https_fylehq() {
        let list = HostPolicy::default();
        for ok in [
            "https://us1.fylehq.com",
            "https://in1.fylehq.com/",
            "https://fylehq.com",
            "https://accounts.fylehq.com",
            "https://US1.FYLEHQ.COM",
            "https://a.b.fylehq.com:8443",
        ] {
            assert!(allowed(&list, ok), "{ok}");
        }
        for bad in [
            "https://evil.example.com",
            "http://us1.fylehq.com",
            "http://accounts.fylehq.com",
            "https://accounts.fylehq.com.evil.com",
            "https://evilfylehq.com",
            "https://fylehq.com.evil.com",
            "https://us1.fylehq.com.",
            "https://user:pw@us1.fylehq.com",
            "https://us1.fylehq.com/?next=evil",
            "https://1.2.3.4",
            "http://127.0.0.1:8080",
            "http://localhost:8080",
            "ftp://us1.fylehq.com",
        ] {
            assert!(!allowed(&list, bad), "{bad}");
        }
    }

    #[test]
    fn loopback_and_suffixes_are_opt_in() {
        let list = HostPolicy::default()
            .allow_loopback_http()
            .allow_host_suffix(".fyle.tech.");
        assert!(allowed(&list, "http://127.0.0.1:8080"));
        assert!(allowed(&list, "http://localhost:3000"));
        assert!(allowed(&list, "http://[::1]:3000"));
        assert!(allowed(&list, "https://staging.fyle.tech"));
        assert!(!allowed(&list, "http://staging.fyle.tech"));
        assert!(!allowed(&list, "http://10.0.0.1"));
        assert_eq!(list.suffixes(), ["fylehq.com", "fyle.tech"]);

        let only_staging = HostPolicy::empty().allow_host_suffix("fyle.tech");
        assert!(!allowed(&only_staging, "https://us1.fylehq.com"));
    }

    #[test]
    fn rejection_names_the_origin_without_credentials() {
        let err = HostPolicy::default()
            .check_as(
                "token endpoint",
                &Url::parse("https://user:hunter2@evil.example.com/x?token=abc").expect("url"),
            )
            .expect_err("rejected");
        let text = err.to_string();
        assert!(
            text.starts_with("token endpoint https://evil.example.com is not allowed"),
            "{text}"
        );
        assert!(!text.contains("hunter2") && !text.contains("abc"));
    }
}
