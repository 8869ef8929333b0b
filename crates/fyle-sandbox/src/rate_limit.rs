//! A per-client token bucket answering 429 with `Retry-After`.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    last: Instant,
}

/// Buckets keyed by client (OAuth client id, or peer address when unauthenticated).
#[derive(Debug)]
pub(crate) struct RateLimiter {
    per_second: Mutex<u32>,
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl RateLimiter {
    pub(crate) fn new(per_second: u32) -> RateLimiter {
        RateLimiter {
            per_second: Mutex::new(per_second),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    pub(crate) fn set_rate(&self, per_second: u32) {
        *self
            .per_second
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = per_second;
        self.buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clear();
    }

    pub(crate) fn rate(&self) -> u32 {
        *self
            .per_second
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Takes one token for `key`; `Err(wait)` when the bucket is empty.
    pub(crate) fn check(&self, key: &str, now: Instant) -> Result<(), Duration> {
        let rate = self.rate();
        if rate == 0 {
            return Ok(());
        }
        let rate = f64::from(rate);
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let bucket = buckets.entry(key.to_owned()).or_insert(Bucket {
            tokens: rate,
            last: now,
        });
        let elapsed = now.saturating_duration_since(bucket.last).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * rate).min(rate);
        bucket.last = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / rate))
        }
    }
}

/// The bucket of a request to `path` by `client`: the accounts host's endpoints (`/oauth/...`:
/// token, cluster) have buckets of their own. Real Fyle serves them from another host
/// (`accounts.fylehq.com`) than the cluster's API, whose per-IP limit the sandbox models, so a
/// cluster lookup does not take a slot of the org's API budget.
pub(crate) fn bucket_key(path: &str, client: String) -> String {
    if path.starts_with("/oauth/") {
        format!("accounts|{client}")
    } else {
        client
    }
}

/// `Retry-After` in whole seconds (at least 1).
pub(crate) fn retry_after_secs(wait: Duration) -> u64 {
    wait.as_secs() + u64::from(wait.subsec_nanos() > 0).max(u64::from(wait.as_secs() == 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_then_refill() {
        let rl = RateLimiter::new(3);
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(rl.check("a", t0).is_ok());
        }
        let wait = rl.check("a", t0).expect_err("bucket empty");
        assert_eq!(retry_after_secs(wait), 1);
        assert!(rl.check("b", t0).is_ok(), "buckets are per client");
        assert!(rl.check("a", t0 + Duration::from_millis(400)).is_ok());
        rl.set_rate(0);
        for _ in 0..100 {
            assert!(rl.check("a", t0).is_ok());
        }
    }

    #[test]
    fn the_accounts_host_has_buckets_of_its_own() {
        let rl = RateLimiter::new(2);
        let t0 = Instant::now();
        let api = bucket_key("/platform/v1/admin/expenses", "client:c".to_owned());
        let cluster = bucket_key("/oauth/cluster", "client:c".to_owned());
        assert!(rl.check(&api, t0).is_ok() && rl.check(&api, t0).is_ok());
        assert!(rl.check(&api, t0).is_err(), "the org's API budget is spent");
        assert!(
            rl.check(&cluster, t0).is_ok(),
            "a cluster lookup still goes through"
        );
    }
}
