//! Named profiles: which Fyle (accounts URL), which app (client id) and who logged in, kept in
//! `profiles.json` in the OS config dir (`FYLE_CONFIG_DIR` overrides it). Secrets are not
//! here: they live in [`crate::secrets`].

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The environment variable that overrides the config dir.
pub const CONFIG_DIR_ENV: &str = "FYLE_CONFIG_DIR";

/// The profile used when none is named.
pub const DEFAULT_PROFILE: &str = "default";

/// One profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    /// The accounts server (`https://accounts.fylehq.com`, or a sandbox's).
    pub accounts_url: String,
    /// The app's client id.
    pub client_id: String,
    /// How the refresh token was obtained: `refresh_token` (internal app) or `oauth` (partner
    /// app, authorization-code flow).
    pub method: String,
    /// Who logged in (their email), when known.
    #[serde(default)]
    pub user: Option<String>,
    /// Their org id, when known.
    #[serde(default)]
    pub org_id: Option<String>,
}

/// Every profile.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profiles {
    /// By name.
    pub profiles: BTreeMap<String, Profile>,
}

/// The profile file cannot be read or written.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// No config dir could be found (no home directory) and `FYLE_CONFIG_DIR` is unset.
    #[error("no config directory: set {CONFIG_DIR_ENV}")]
    NoConfigDir,
    /// Reading or writing failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
    /// The file is not valid.
    #[error("{path} is not a valid profiles file: {source}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// The JSON error.
        source: serde_json::Error,
    },
}

/// The config dir: `FYLE_CONFIG_DIR`, else the OS's (`~/.config/fyle` on Linux).
pub fn config_dir() -> Result<PathBuf, ProfileError> {
    if let Some(dir) = std::env::var_os(CONFIG_DIR_ENV).filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("com", "Fyle", "fyle")
        .map(|dirs| dirs.config_dir().to_owned())
        .ok_or(ProfileError::NoConfigDir)
}

impl Profiles {
    fn file(dir: &Path) -> PathBuf {
        dir.join("profiles.json")
    }

    /// Reads the profiles in `dir` (none yet is an empty set).
    pub fn load(dir: &Path) -> Result<Profiles, ProfileError> {
        let path = Self::file(dir);
        match fs::read_to_string(&path) {
            Ok(text) => {
                serde_json::from_str(&text).map_err(|source| ProfileError::Corrupt { path, source })
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Profiles::default()),
            Err(source) => Err(ProfileError::Io { path, source }),
        }
    }

    /// Writes the profiles to `dir`, creating it.
    pub fn save(&self, dir: &Path) -> Result<(), ProfileError> {
        let path = Self::file(dir);
        let io_error = |source| ProfileError::Io {
            path: path.clone(),
            source,
        };
        fs::create_dir_all(dir).map_err(io_error)?;
        let text = serde_json::to_vec_pretty(self).map_err(|source| ProfileError::Corrupt {
            path: path.clone(),
            source,
        })?;
        fs::write(&path, text).map_err(io_error)
    }
}
