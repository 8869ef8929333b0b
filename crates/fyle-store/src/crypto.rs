//! Encryption at rest: a [`Keyring`] of XChaCha20-Poly1305 keys named by key ids.
//!
//! Every secret is sealed with the keyring's *current* key and stored next to that key's id.
//! Older keys stay in the keyring only to open what they sealed, until
//! [`SqlTokenStore::rotate_keys`](crate::SqlTokenStore::rotate_keys) re-seals every row with
//! the current key. The row's key and the column name are the AEAD's associated data, so a
//! ciphertext copied to another org or column does not open.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore as _;
use secrecy::{ExposeSecret, SecretBox, SecretString};

use crate::StoreError;

/// The environment variable [`Keyring::from_env`] reads: `id:base64key[,id:base64key...]`,
/// the current key first. Each key is 32 random bytes, e.g. `openssl rand -base64 32`.
pub const ENV_KEYS: &str = "FYLE_STORE_KEYS";

/// Length of a key in bytes.
pub const KEY_LEN: usize = 32;
const NONCE_LEN: usize = 24;

/// One 256-bit key. `Debug` never shows it.
pub struct DataKey(SecretBox<[u8; KEY_LEN]>);

impl DataKey {
    /// Wraps 32 key bytes.
    pub fn new(bytes: [u8; KEY_LEN]) -> Self {
        Self(SecretBox::new(Box::new(bytes)))
    }

    /// A fresh random key (for tests, and to print one for a new deployment).
    pub fn generate() -> Self {
        let mut bytes = [0_u8; KEY_LEN];
        rand::thread_rng().fill_bytes(&mut bytes);
        Self::new(bytes)
    }

    /// Decodes a standard base64 key of exactly 32 bytes.
    pub fn from_base64(encoded: &str) -> Result<Self, StoreError> {
        let bytes = STANDARD
            .decode(encoded.trim())
            .map_err(|_| StoreError::BadKey {
                reason: "the key is not valid base64".to_owned(),
            })?;
        let bytes: [u8; KEY_LEN] = bytes.try_into().map_err(|b: Vec<u8>| StoreError::BadKey {
            reason: format!("the key has {} bytes; {KEY_LEN} are needed", b.len()),
        })?;
        Ok(Self::new(bytes))
    }

    /// The key as standard base64 (to hand to a secret manager; never log it).
    pub fn to_base64(&self) -> SecretString {
        STANDARD.encode(self.0.expose_secret()).into()
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(self.0.expose_secret().into())
    }
}

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DataKey(***)")
    }
}

/// A sealed secret: the id of the key that sealed it and `nonce || ciphertext`.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Sealed {
    pub(crate) key_id: String,
    pub(crate) bytes: Vec<u8>,
}

impl fmt::Debug for Sealed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sealed")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

/// The keys of a store: one current key that seals, any number of older keys that only open.
///
/// `Debug` shows the key ids, never a key.
pub struct Keyring {
    current: String,
    keys: HashMap<String, DataKey>,
}

impl Keyring {
    /// A keyring with one key, `id`, which is current.
    pub fn new(id: impl Into<String>, key: DataKey) -> Self {
        let id = id.into();
        let mut keys = HashMap::new();
        keys.insert(id.clone(), key);
        Self { current: id, keys }
    }

    /// Adds an older key that still opens what it sealed (the current key is unchanged).
    #[must_use]
    pub fn with_old_key(mut self, id: impl Into<String>, key: DataKey) -> Self {
        self.keys.entry(id.into()).or_insert(key);
        self
    }

    /// Reads [`ENV_KEYS`]: `id:base64key[,id:base64key...]`, the current key first.
    pub fn from_env() -> Result<Self, StoreError> {
        let raw = std::env::var(ENV_KEYS).map_err(|_| StoreError::BadKey {
            reason: format!("{ENV_KEYS} is not set"),
        })?;
        Self::parse(&raw)
    }

    /// Parses the [`ENV_KEYS`] format. Errors name the key id, never key material.
    pub fn parse(raw: &str) -> Result<Self, StoreError> {
        let mut entries = raw.split(',').map(str::trim).filter(|e| !e.is_empty());
        let parse_entry = |entry: &str| -> Result<(String, DataKey), StoreError> {
            let (id, key) = entry.split_once(':').ok_or_else(|| StoreError::BadKey {
                reason: "each key must be written id:base64key".to_owned(),
            })?;
            let id = id.trim();
            if id.is_empty() {
                return Err(StoreError::BadKey {
                    reason: "a key id is empty".to_owned(),
                });
            }
            let key = DataKey::from_base64(key).map_err(|e| StoreError::BadKey {
                reason: format!("key {id}: {e}"),
            })?;
            Ok((id.to_owned(), key))
        };
        let first = entries.next().ok_or_else(|| StoreError::BadKey {
            reason: "no key given".to_owned(),
        })?;
        let (id, key) = parse_entry(first)?;
        let mut ring = Self::new(id, key);
        for entry in entries {
            let (id, key) = parse_entry(entry)?;
            ring = ring.with_old_key(id, key);
        }
        Ok(ring)
    }

    /// A KMS-style keyring: `fetch` returns the data key of each id (e.g. by unwrapping it with
    /// a cloud KMS); it is called once per id, here, and the keys are kept in memory.
    pub async fn from_callback<F, Fut>(
        current: &str,
        older: &[&str],
        fetch: F,
    ) -> Result<Self, StoreError>
    where
        F: Fn(String) -> Fut,
        Fut: Future<Output = Result<DataKey, StoreError>>,
    {
        let mut ring = Self::new(current, fetch(current.to_owned()).await?);
        for id in older {
            ring = ring.with_old_key(*id, fetch((*id).to_owned()).await?);
        }
        Ok(ring)
    }

    /// The id of the key that seals new secrets.
    pub fn current_key_id(&self) -> &str {
        &self.current
    }

    pub(crate) fn seal(&self, secret: &str, aad: &str) -> Result<Sealed, StoreError> {
        let key = self
            .keys
            .get(&self.current)
            .ok_or_else(|| StoreError::UnknownKeyId {
                key_id: self.current.clone(),
            })?;
        let mut nonce = [0_u8; NONCE_LEN];
        rand::thread_rng().fill_bytes(&mut nonce);
        let ciphertext = key
            .cipher()
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: secret.as_bytes(),
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| StoreError::BadKey {
                reason: "encryption failed".to_owned(),
            })?;
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&ciphertext);
        Ok(Sealed {
            key_id: self.current.clone(),
            bytes,
        })
    }

    /// Opens `sealed`; `aad` (`{org}/{column}`) must be the one it was sealed with.
    pub(crate) fn open(&self, sealed: &Sealed, aad: &str) -> Result<SecretString, StoreError> {
        let key = self
            .keys
            .get(&sealed.key_id)
            .ok_or_else(|| StoreError::UnknownKeyId {
                key_id: sealed.key_id.clone(),
            })?;
        let wrong_key = || StoreError::WrongKey {
            key_id: sealed.key_id.clone(),
            row: aad.to_owned(),
        };
        if sealed.bytes.len() < NONCE_LEN {
            return Err(wrong_key());
        }
        let (nonce, ciphertext) = sealed.bytes.split_at(NONCE_LEN);
        let plain = key
            .cipher()
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| wrong_key())?;
        String::from_utf8(plain)
            .map(SecretString::from)
            .map_err(|_| wrong_key())
    }
}

impl fmt::Debug for Keyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut ids: Vec<&String> = self.keys.keys().collect();
        ids.sort();
        f.debug_struct("Keyring")
            .field("current", &self.current)
            .field("key_ids", &ids)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_open_round_trip_and_aad_binding() {
        let ring = Keyring::new("k1", DataKey::generate());
        let sealed = ring.seal("rt-secret", "org1/refresh").expect("seal");
        assert_eq!(sealed.key_id, "k1");
        let opened = ring.open(&sealed, "org1/refresh").expect("open");
        assert_eq!(opened.expose_secret(), "rt-secret");
        assert!(matches!(
            ring.open(&sealed, "org2/refresh"),
            Err(StoreError::WrongKey { .. })
        ));
        assert!(!format!("{ring:?} {sealed:?}").contains("rt-secret"));
    }

    #[test]
    fn parse_reads_current_first_and_names_bad_entries() {
        let k = DataKey::generate().to_base64();
        let raw = format!("new:{},old:{}", k.expose_secret(), k.expose_secret());
        let ring = Keyring::parse(&raw).expect("parse");
        assert_eq!(ring.current_key_id(), "new");
        assert!(format!("{ring:?}").contains("old"));
        let err = Keyring::parse("k1:bm90LTMyLWJ5dGVz").expect_err("short key");
        assert!(err.to_string().contains("k1"), "{err}");
        assert!(Keyring::parse("").is_err());
    }
}
