//! Fault injection: server errors, 429s, latency, dropped connections and truncated JSON.

use std::sync::Mutex;
use std::time::Duration;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// What misbehaviour to inject, as fractions of requests (0.0 ..= 1.0).
///
/// Faults apply to the accounts and data endpoints (not to `/__sandbox/*`). They are drawn from a
/// seeded generator, so a single client sending the same sequence of requests sees the same faults.
///
/// ```
/// use fyle_sandbox::FaultConfig;
///
/// let faults = FaultConfig { fail_5xx: 0.1, latency_ms: 20, ..FaultConfig::default() };
/// assert!(faults.is_active());
/// assert!(!FaultConfig::default().is_active());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FaultConfig {
    /// Fraction answered with a 500/502/503 before the handler runs.
    pub fail_5xx: f64,
    /// Fraction answered with 429 and `Retry-After: 1`.
    pub fail_429: f64,
    /// Latency added to every request, in milliseconds.
    pub latency_ms: u64,
    /// Fraction whose response body stops half-way and the connection errors.
    pub drop_mid_body: f64,
    /// Fraction whose (successful) JSON body is cut in half (valid HTTP, invalid JSON).
    pub truncate_json: f64,
    /// Seed for the fault draws.
    pub seed: u64,
}

impl FaultConfig {
    /// Whether any fault is configured.
    pub fn is_active(&self) -> bool {
        self.fail_5xx > 0.0
            || self.fail_429 > 0.0
            || self.latency_ms > 0
            || self.drop_mid_body > 0.0
            || self.truncate_json > 0.0
    }
}

/// The fault decided for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    None,
    Status(u16),
    TooMany,
    DropMidBody,
    TruncateJson,
}

/// Live fault state (config + generator).
#[derive(Debug)]
pub(crate) struct Faults {
    inner: Mutex<(FaultConfig, ChaCha8Rng)>,
}

impl Faults {
    pub(crate) fn new(config: FaultConfig) -> Faults {
        let rng = ChaCha8Rng::seed_from_u64(config.seed);
        Faults {
            inner: Mutex::new((config, rng)),
        }
    }

    pub(crate) fn set(&self, config: FaultConfig) {
        let mut g = self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        g.1 = ChaCha8Rng::seed_from_u64(config.seed);
        g.0 = config;
    }

    pub(crate) fn get(&self) -> FaultConfig {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .0
            .clone()
    }

    /// Draws the fault for the next request and its added latency.
    pub(crate) fn draw(&self) -> (Fault, Duration) {
        let mut g = self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let (config, rng) = &mut *g;
        if !config.is_active() {
            return (Fault::None, Duration::ZERO);
        }
        let latency = Duration::from_millis(config.latency_ms);
        let x: f64 = rng.r#gen();
        let to_5xx = config.fail_5xx;
        let to_429 = to_5xx + config.fail_429;
        let to_drop = to_429 + config.drop_mid_body;
        let to_truncate = to_drop + config.truncate_json;
        let fault = if x < to_5xx {
            Fault::Status([500u16, 502, 503][rng.gen_range(0..3)])
        } else if x < to_429 {
            Fault::TooMany
        } else if x < to_drop {
            Fault::DropMidBody
        } else if x < to_truncate {
            Fault::TruncateJson
        } else {
            Fault::None
        };
        (fault, latency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_faults() {
        let config = FaultConfig {
            fail_5xx: 0.3,
            fail_429: 0.2,
            seed: 9,
            ..FaultConfig::default()
        };
        let a = Faults::new(config.clone());
        let b = Faults::new(config);
        let da: Vec<_> = (0..50).map(|_| a.draw().0).collect();
        let db: Vec<_> = (0..50).map(|_| b.draw().0).collect();
        assert_eq!(da, db);
        assert!(da.iter().any(|f| matches!(f, Fault::Status(_))));
        assert!(da.contains(&Fault::TooMany));
        assert!(da.contains(&Fault::None));
    }
}
