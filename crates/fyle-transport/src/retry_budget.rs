//! [`RetryBudget`]: a shared token bucket that bounds retries during an outage.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

/// A token bucket shared by retry layers, so an outage does not multiply the load.
///
/// Every retry spends one token; every request that succeeds on its first attempt gives back a
/// fraction of one (`refill_per_success`, default 0.1: in the long run at most one retry per ten
/// successes once the initial tokens are spent). When the bucket is empty the retry layer stops
/// retrying and returns the outcome it has. Clones share the bucket.
///
/// ```
/// use fyle_transport::{RetryBudget, RetryPolicy, TransportBuilder, transport_fn};
///
/// let budget = RetryBudget::new(20); // shared by every client of the process
/// # let inner = transport_fn(|_r| async { Ok(http::Response::new(bytes::Bytes::new())) });
/// let transport = TransportBuilder::new(inner)
///     .retry(RetryPolicy::default())
///     .retry_budget(budget.clone())
///     .build();
/// # let _ = transport;
/// ```
#[derive(Debug, Clone)]
pub struct RetryBudget {
    /// Tokens in tenths.
    tenths: Arc<AtomicU32>,
    capacity_tenths: u32,
    refill_tenths: u32,
}

impl Default for RetryBudget {
    /// 20 tokens, refilled by 0.1 per first-attempt success.
    fn default() -> Self {
        Self::new(20)
    }
}

impl RetryBudget {
    /// A full bucket of `tokens` retries (refilled by 0.1 per first-attempt success).
    pub fn new(tokens: u32) -> Self {
        let capacity_tenths = tokens.saturating_mul(10);
        Self {
            tenths: Arc::new(AtomicU32::new(capacity_tenths)),
            capacity_tenths,
            refill_tenths: 1,
        }
    }

    /// How many tenths of a token a first-attempt success gives back (default 1, i.e. 0.1).
    #[must_use]
    pub fn refill_tenths_per_success(mut self, tenths: u32) -> Self {
        self.refill_tenths = tenths;
        self
    }

    /// The whole tokens left.
    pub fn available(&self) -> u32 {
        self.tenths.load(Ordering::Relaxed) / 10
    }

    /// Spends one token; `false` (and nothing spent) when less than one is left.
    pub fn try_withdraw(&self) -> bool {
        self.tenths
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| t.checked_sub(10))
            .is_ok()
    }

    /// Gives back the refill of one success, up to the capacity.
    pub fn deposit(&self) {
        let _ = self
            .tenths
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| {
                Some(
                    t.saturating_add(self.refill_tenths)
                        .min(self.capacity_tenths),
                )
            });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn withdraws_until_empty_and_refills_up_to_capacity() {
        let budget = RetryBudget::new(2);
        assert!(budget.try_withdraw());
        assert!(budget.try_withdraw());
        assert!(!budget.try_withdraw());
        for _ in 0..10 {
            budget.deposit();
        }
        assert_eq!(budget.available(), 1);
        for _ in 0..100 {
            budget.deposit();
        }
        assert_eq!(budget.available(), 2);
    }
}
