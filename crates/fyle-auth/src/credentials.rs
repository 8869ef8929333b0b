//! [`Credentials`] of an internal app, from code or from the environment.

use std::fmt;

use secrecy::SecretString;
use url::Url;

/// Fyle's accounts host, which serves `/oauth/token` and `/oauth/cluster`.
pub const DEFAULT_ACCOUNTS_URL: &str = "https://accounts.fylehq.com";

/// The environment variables [`Credentials::from_env`] reads.
pub const ENV_CLIENT_ID: &str = "FYLE_CLIENT_ID";
/// See [`ENV_CLIENT_ID`].
pub const ENV_CLIENT_SECRET: &str = "FYLE_CLIENT_SECRET";
/// See [`ENV_CLIENT_ID`].
pub const ENV_REFRESH_TOKEN: &str = "FYLE_REFRESH_TOKEN";
/// See [`ENV_CLIENT_ID`]. Optional: defaults to [`DEFAULT_ACCOUNTS_URL`].
pub const ENV_ACCOUNTS_URL: &str = "FYLE_ACCOUNTS_URL";

/// What an internal app needs to mint access tokens: the three values copied from
/// Settings → Integrations → Custom Apps, and the accounts host.
///
/// `Debug` shows the client id and accounts URL only.
#[derive(Clone)]
#[non_exhaustive]
pub struct Credentials {
    /// The app's client id (not a secret).
    pub client_id: String,
    /// The app's client secret.
    pub client_secret: SecretString,
    /// The long-lived refresh token.
    pub refresh_token: SecretString,
    /// The accounts host (default [`DEFAULT_ACCOUNTS_URL`]).
    pub accounts_url: Url,
}

impl Credentials {
    /// Credentials against the production accounts host.
    pub fn new(
        client_id: impl Into<String>,
        client_secret: impl Into<SecretString>,
        refresh_token: impl Into<SecretString>,
    ) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            refresh_token: refresh_token.into(),
            accounts_url: default_accounts_url(),
        }
    }

    /// Replaces the accounts host (a sandbox, a mock server).
    #[must_use]
    pub fn with_accounts_url(mut self, accounts_url: Url) -> Self {
        self.accounts_url = accounts_url;
        self
    }

    /// Reads `FYLE_CLIENT_ID`, `FYLE_CLIENT_SECRET`, `FYLE_REFRESH_TOKEN` and the optional
    /// `FYLE_ACCOUNTS_URL`. The error names every missing (or empty) variable at once.
    pub fn from_env() -> Result<Self, CredentialsError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Like [`from_env`](Self::from_env), reading variables through `lookup` (tests, config
    /// files, secret managers).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, CredentialsError> {
        let get = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());
        let client_id = get(ENV_CLIENT_ID);
        let client_secret = get(ENV_CLIENT_SECRET);
        let refresh_token = get(ENV_REFRESH_TOKEN);

        let mut missing = Vec::new();
        if client_id.is_none() {
            missing.push(ENV_CLIENT_ID);
        }
        if client_secret.is_none() {
            missing.push(ENV_CLIENT_SECRET);
        }
        if refresh_token.is_none() {
            missing.push(ENV_REFRESH_TOKEN);
        }
        let (Some(client_id), Some(client_secret), Some(refresh_token)) =
            (client_id, client_secret, refresh_token)
        else {
            return Err(CredentialsError::Missing { vars: missing });
        };

        let accounts_url = match get(ENV_ACCOUNTS_URL) {
            None => default_accounts_url(),
            Some(raw) => parse_base_url(raw.trim()).map_err(|reason| {
                CredentialsError::InvalidAccountsUrl {
                    var: ENV_ACCOUNTS_URL,
                    reason,
                }
            })?,
        };

        Ok(Self {
            client_id: client_id.trim().to_owned(),
            client_secret: client_secret.trim().into(),
            refresh_token: refresh_token.trim().into(),
            accounts_url,
        })
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &"***")
            .field("refresh_token", &"***")
            .field("accounts_url", &redacted(&self.accounts_url))
            .finish()
    }
}

/// Why credentials could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CredentialsError {
    /// Required variables are missing or empty.
    #[error("missing environment variables: {}", vars.join(", "))]
    Missing {
        /// Every missing variable, in the order client id, client secret, refresh token.
        vars: Vec<&'static str>,
    },
    /// The accounts URL is not a usable http(s) URL (its value is not repeated here).
    #[error("{var} is not a usable URL: {reason}")]
    InvalidAccountsUrl {
        /// The variable that holds it.
        var: &'static str,
        /// What is wrong with it.
        reason: String,
    },
}

pub(crate) fn default_accounts_url() -> Url {
    Url::parse(DEFAULT_ACCOUNTS_URL).expect("DEFAULT_ACCOUNTS_URL is a valid URL literal")
}

/// Parses a base URL (http or https, with a host, no credentials, query or fragment).
pub(crate) fn parse_base_url(raw: &str) -> Result<Url, String> {
    let url = Url::parse(raw).map_err(|e| e.to_string())?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("scheme must be http or https".to_owned());
    }
    if url.host_str().is_none() {
        return Err("no host".to_owned());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not contain credentials".to_owned());
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err("must not contain a query or fragment".to_owned());
    }
    Ok(url)
}

/// `url` for logs and `Debug`: no user info, query or fragment.
pub(crate) fn redacted(url: &Url) -> String {
    let mut url = url.clone();
    // Both fail only for URLs that cannot have user info, which then have none.
    let _ = url.set_username("");
    let _ = url.set_password(None);
    url.set_query(None);
    url.set_fragment(None);
    url.into()
}

/// `{base}/{path}`, keeping any path prefix of `base` (e.g. a sandbox mounted under `/accounts`).
pub(crate) fn join_path(base: &Url, path: &str) -> Url {
    let mut url = base.clone();
    let prefix = base.path().trim_end_matches('/');
    url.set_path(&format!("{prefix}/{}", path.trim_start_matches('/')));
    url.set_query(None);
    url.set_fragment(None);
    url
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::*;

    fn lookup(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    #[test]
    fn from_env_names_every_missing_variable() {
        let err = Credentials::from_lookup(lookup(&[("FYLE_CLIENT_SECRET", "s3cr3t")]))
            .expect_err("two variables missing");
        assert_eq!(
            err,
            CredentialsError::Missing {
                vars: vec!["FYLE_CLIENT_ID", "FYLE_REFRESH_TOKEN"]
            }
        );
        assert_eq!(
            err.to_string(),
            "missing environment variables: FYLE_CLIENT_ID, FYLE_REFRESH_TOKEN"
        );

        let err = Credentials::from_lookup(lookup(&[("FYLE_CLIENT_ID", "  ")]))
            .expect_err("all missing, empty counts as missing");
        assert_eq!(
            err.to_string(),
            "missing environment variables: FYLE_CLIENT_ID, FYLE_CLIENT_SECRET, FYLE_REFRESH_TOKEN"
        );
    }

    #[test]
    fn from_env_defaults_and_overrides_the_accounts_url() {
        let base = [
            ("FYLE_CLIENT_ID", "tpaXYZ"),
            ("FYLE_CLIENT_SECRET", "s3cr3t"),
            ("FYLE_REFRESH_TOKEN", "r.e.f"),
        ];
        let creds = Credentials::from_lookup(lookup(&base)).expect("complete");
        assert_eq!(creds.accounts_url.as_str(), "https://accounts.fylehq.com/");
        assert_eq!(creds.client_id, "tpaXYZ");
        assert_eq!(creds.refresh_token.expose_secret(), "r.e.f");

        let mut vars = base.to_vec();
        vars.push(("FYLE_ACCOUNTS_URL", "http://127.0.0.1:9000/accounts"));
        let creds = Credentials::from_lookup(lookup(&vars)).expect("complete");
        assert_eq!(
            join_path(&creds.accounts_url, "/oauth/token").as_str(),
            "http://127.0.0.1:9000/accounts/oauth/token"
        );

        let mut vars = base.to_vec();
        vars.push(("FYLE_ACCOUNTS_URL", "ftp://user:hunter2@example.com"));
        let err = Credentials::from_lookup(lookup(&vars)).expect_err("bad scheme");
        assert!(matches!(err, CredentialsError::InvalidAccountsUrl { .. }));
        assert!(!err.to_string().contains("hunter2"));
    }

    #[test]
    fn debug_hides_secrets() {
        let creds = Credentials::new("tpaXYZ", "client-secret-value", "refresh-token-value")
            .with_accounts_url(
                Url::parse("https://u:url-password@accounts.example.com/?k=v").expect("url"),
            );
        let debug = format!("{creds:?}");
        assert!(debug.contains("https://accounts.example.com/"), "{debug}");
        assert!(!debug.contains("url-password"));
        assert!(debug.contains("tpaXYZ"));
        assert!(!debug.contains("client-secret-value"));
        assert!(!debug.contains("refresh-token-value"));
    }

    #[test]
    fn join_path_handles_trailing_slashes() {
        let base = Url::parse("https://accounts.fylehq.com").expect("literal");
        assert_eq!(
            join_path(&base, "oauth/cluster").as_str(),
            "https://accounts.fylehq.com/oauth/cluster"
        );
        let base = Url::parse("http://localhost:1/x/").expect("literal");
        assert_eq!(
            join_path(&base, "/oauth/token").as_str(),
            "http://localhost:1/x/oauth/token"
        );
    }
}
