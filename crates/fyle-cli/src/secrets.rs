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
    store_in(dir, profile, secrets, !keyring_disabled())
}

fn store_in(
    dir: &Path,
    profile: &str,
    secrets: &Secrets,
    use_keyring: bool,
) -> Result<Backend, SecretsError> {
    let text = encode(secrets);
    if use_keyring
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
    load_from(dir, profile, !keyring_disabled())
}

fn load_from(dir: &Path, profile: &str, use_keyring: bool) -> Result<Secrets, SecretsError> {
    let path = file_for(dir, profile);
    match fs::read_to_string(&path) {
        Ok(text) => return decode(profile, &text),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(source) => return Err(SecretsError::Io { path, source }),
    }
    if !use_keyring {
        return Err(SecretsError::Missing(profile.to_owned()));
    }
    let text = keyring::Entry::new(SERVICE, profile)
        .and_then(|entry| entry.get_password())
        .map_err(|_| SecretsError::Missing(profile.to_owned()))?;
    decode(profile, &text)
}

/// Forgets a profile's secrets: its keyring entry (if the keyring is on and holds one) and its
/// file. A keyring that cannot be reached leaves nothing to forget there.
pub fn delete(dir: &Path, profile: &str) -> Result<(), SecretsError> {
    delete_from(dir, profile, !keyring_disabled())
}

fn delete_from(dir: &Path, profile: &str, use_keyring: bool) -> Result<(), SecretsError> {
    if use_keyring && let Ok(entry) = keyring::Entry::new(SERVICE, profile) {
        match entry.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => {}
            Err(e) => tracing::debug!(error = %e, "the keyring entry could not be deleted"),
        }
    }
    let path = file_for(dir, profile);
    remove_file(&path).map_err(|source| SecretsError::Io { path, source })
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

/// The keyring path, on `keyring::mock` credentials installed as the process's default
/// builder: the code that runs against the OS keyring, without one.
#[cfg(test)]
mod keyring_tests {
    use std::any::Any;
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex, Once, OnceLock};

    use keyring::credential::{Credential, CredentialApi, CredentialBuilderApi};
    use keyring::mock::MockCredential;

    use super::*;

    /// One `keyring::mock` credential per (service, user), shared by every `Entry` made for it:
    /// the mock alone keeps a password only in the entry that set it, and `store` and `load`
    /// each open their own entry, as with a real keyring.
    #[derive(Debug, Default)]
    struct Mocks(Mutex<HashMap<String, Arc<MockCredential>>>);

    static MOCKS: OnceLock<Arc<Mocks>> = OnceLock::new();

    fn mocks() -> Arc<Mocks> {
        static INSTALL: Once = Once::new();
        let mocks = MOCKS.get_or_init(Arc::default).clone();
        INSTALL.call_once(|| keyring::set_default_credential_builder(Box::new(Builder)));
        mocks
    }

    /// The mock behind `profile`'s entry (made on first use).
    fn mock(profile: &str) -> Arc<MockCredential> {
        let mocks = mocks();
        let mut map = mocks.0.lock().expect("not poisoned");
        map.entry(format!("{SERVICE}/{profile}"))
            .or_default()
            .clone()
    }

    #[derive(Debug)]
    struct Builder;

    impl CredentialBuilderApi for Builder {
        fn build(
            &self,
            _target: Option<&str>,
            service: &str,
            user: &str,
        ) -> keyring::Result<Box<Credential>> {
            assert_eq!(service, SERVICE);
            Ok(Box::new(Shared(mock(user))))
        }

        fn as_any(&self) -> &dyn Any {
            self
        }
    }

    #[derive(Debug)]
    struct Shared(Arc<MockCredential>);

    impl CredentialApi for Shared {
        fn set_secret(&self, secret: &[u8]) -> keyring::Result<()> {
            self.0.set_secret(secret)
        }

        fn get_secret(&self) -> keyring::Result<Vec<u8>> {
            self.0.get_secret()
        }

        fn delete_credential(&self) -> keyring::Result<()> {
            self.0.delete_credential()
        }

        fn as_any(&self) -> &dyn Any {
            self.0.as_any()
        }
    }

    fn secrets(tag: &str) -> Secrets {
        Secrets {
            client_secret: format!("cs-{tag}").into(),
            refresh_token: format!("rt-{tag}").into(),
        }
    }

    fn same(a: &Secrets, b: &Secrets) -> bool {
        a.client_secret.expose_secret() == b.client_secret.expose_secret()
            && a.refresh_token.expose_secret() == b.refresh_token.expose_secret()
    }

    fn unreachable_keyring() -> keyring::Error {
        keyring::Error::NoStorageAccess(Box::new(io::Error::other("the keyring is locked")))
    }

    #[test]
    fn save_load_and_delete_go_through_the_keyring() {
        // Before any entry is made, so none reaches the machine's own keyring.
        mocks();
        let dir = tempfile::tempdir().expect("tempdir");
        let profile = "kr-round-trip";
        // A file left by an earlier fallback is removed once the keyring takes the secrets.
        write_private(&file_for(dir.path(), profile), &encode(&secrets("old"))).expect("file");
        let backend = store_in(dir.path(), profile, &secrets("new"), true).expect("stored");
        assert_eq!(backend, Backend::Keyring);
        assert!(
            !file_for(dir.path(), profile).exists(),
            "the stale file is gone"
        );
        let stored =
            String::from_utf8(mock(profile).get_secret().expect("in the keyring")).expect("utf-8");
        assert!(stored.contains("rt-new"), "the keyring holds the entry");
        let loaded = load_from(dir.path(), profile, true).expect("loaded from the keyring");
        assert!(same(&loaded, &secrets("new")));
        delete_from(dir.path(), profile, true).expect("deleted");
        assert!(matches!(
            mock(profile).get_secret(),
            Err(keyring::Error::NoEntry)
        ));
        assert!(matches!(
            load_from(dir.path(), profile, true),
            Err(SecretsError::Missing(_))
        ));
    }

    #[test]
    fn a_keyring_write_error_falls_back_to_the_private_file() {
        // Before any entry is made, so none reaches the machine's own keyring.
        mocks();
        let dir = tempfile::tempdir().expect("tempdir");
        let profile = "kr-write-fails";
        mock(profile).set_error(unreachable_keyring());
        let backend = store_in(dir.path(), profile, &secrets("f"), true).expect("stored");
        let path = file_for(dir.path(), profile);
        assert_eq!(backend, Backend::File(path.clone()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = fs::metadata(&path).expect("file").permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        assert!(
            matches!(mock(profile).get_secret(), Err(keyring::Error::NoEntry)),
            "nothing reached the keyring"
        );
        let loaded = load_from(dir.path(), profile, true).expect("loaded from the file");
        assert!(same(&loaded, &secrets("f")));
        // Deleting removes the file, and a keyring with nothing to delete is no error.
        delete_from(dir.path(), profile, true).expect("deleted");
        assert!(!path.exists());
    }

    #[test]
    fn a_keyring_read_error_is_a_missing_profile_not_a_panic() {
        // Before any entry is made, so none reaches the machine's own keyring.
        mocks();
        let dir = tempfile::tempdir().expect("tempdir");
        let profile = "kr-read-fails";
        store_in(dir.path(), profile, &secrets("r"), true).expect("stored");
        mock(profile).set_error(unreachable_keyring());
        let err = load_from(dir.path(), profile, true).expect_err("the keyring is locked");
        assert!(matches!(err, SecretsError::Missing(_)), "{err}");
        assert!(!err.to_string().contains("rt-r"), "{err}");
        // The error was one-off (the keyring unlocked): the secrets are still there.
        let loaded = load_from(dir.path(), profile, true).expect("loaded");
        assert!(same(&loaded, &secrets("r")));
    }
}
