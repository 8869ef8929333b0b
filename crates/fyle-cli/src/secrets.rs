//! Where a profile's secrets live: the OS keyring (the `keyring` crate), or a file readable
//! only by the user (mode 0600) when there is no keyring or `FYLE_NO_KEYRING=1`.
//!
//! The secrets of a profile are its client secret and refresh token, stored together as one
//! JSON entry. They never appear in `Debug` output, logs or errors.

use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

/// Set to `1` to skip the OS keyring and use the file.
pub const NO_KEYRING_ENV: &str = "FYLE_NO_KEYRING";

const SERVICE: &str = "fyle-cli";

/// A profile's secrets.
#[derive(Clone)]
pub struct Secrets {
    /// The app's client secret.
    pub client_secret: SecretString,
    /// The refresh token.
    pub refresh_token: SecretString,
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Secrets").finish_non_exhaustive()
    }
}

#[derive(Serialize, Deserialize)]
struct Stored {
    client_secret: String,
    refresh_token: String,
}

/// Where secrets were stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    /// The OS keyring.
    Keyring,
    /// A 0600 file.
    File(PathBuf),
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Backend::Keyring => f.write_str("the OS keyring"),
            Backend::File(path) => write!(f, "{} (mode 0600)", path.display()),
        }
    }
}

/// The secrets cannot be read or written (the message never holds a secret).
#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    /// No secrets for this profile.
    #[error("no stored credentials for profile {0:?}: run `fyle login --profile {0}`")]
    Missing(String),
    /// The secrets file failed.
    #[error("secrets file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
    /// The stored entry is not valid.
    #[error("the stored credentials of profile {0:?} are damaged: run `fyle login` again")]
    Corrupt(String),
}

fn keyring_disabled() -> bool {
    std::env::var(NO_KEYRING_ENV).is_ok_and(|v| v == "1" || v.eq_ignore_ascii_case("true"))
}

fn file_for(dir: &Path, profile: &str) -> PathBuf {
    dir.join("secrets").join(format!("{profile}.json"))
}

fn encode(secrets: &Secrets) -> String {
    serde_json::json!({
        "client_secret": secrets.client_secret.expose_secret(),
        "refresh_token": secrets.refresh_token.expose_secret(),
    })
    .to_string()
}

fn decode(profile: &str, text: &str) -> Result<Secrets, SecretsError> {
    let stored: Stored =
        serde_json::from_str(text).map_err(|_| SecretsError::Corrupt(profile.to_owned()))?;
    Ok(Secrets {
        client_secret: stored.client_secret.into(),
        refresh_token: stored.refresh_token.into(),
    })
}

/// Stores a profile's secrets: in the keyring when it works, else in a 0600 file in `dir`.
pub fn store(dir: &Path, profile: &str, secrets: &Secrets) -> Result<Backend, SecretsError> {
    let text = encode(secrets);
    if !keyring_disabled()
        && let Ok(entry) = keyring::Entry::new(SERVICE, profile)
        && entry.set_password(&text).is_ok()
        // Read back: some keyrings accept a write they cannot serve later.
        && entry.get_password().is_ok_and(|back| back == text)
    {
        let _ = remove_file(&file_for(dir, profile));
        return Ok(Backend::Keyring);
    }
    let path = file_for(dir, profile);
    write_private(&path, &text)?;
    Ok(Backend::File(path))
}

/// Loads a profile's secrets: the file when there is one (or the keyring is off), else the
/// keyring.
pub fn load(dir: &Path, profile: &str) -> Result<Secrets, SecretsError> {
    let path = file_for(dir, profile);
    match fs::read_to_string(&path) {
        Ok(text) => return decode(profile, &text),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(source) => return Err(SecretsError::Io { path, source }),
    }
    if keyring_disabled() {
        return Err(SecretsError::Missing(profile.to_owned()));
    }
    let text = keyring::Entry::new(SERVICE, profile)
        .and_then(|entry| entry.get_password())
        .map_err(|_| SecretsError::Missing(profile.to_owned()))?;
    decode(profile, &text)
}

fn remove_file(path: &Path) -> io::Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Writes `text` to a file only the user can read (0600 on Unix, set before any byte lands).
fn write_private(path: &Path, text: &str) -> Result<(), SecretsError> {
    use std::io::Write as _;
    let io_error = |source| SecretsError::Io {
        path: path.to_owned(),
        source,
    };
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(io_error)?;
    }
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(io_error)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        file.set_permissions(fs::Permissions::from_mode(0o600))
            .map_err(io_error)?;
    }
    file.write_all(text.as_bytes()).map_err(io_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_a_secret() {
        let secrets = Secrets {
            client_secret: "s3cr3t".to_owned().into(),
            refresh_token: "rt-value".to_owned().into(),
        };
        let shown = format!("{secrets:?}");
        assert!(!shown.contains("s3cr3t") && !shown.contains("rt-value"));
    }
}
