//! Injectable time: [`Clock`], the default [`TokioClock`] and, for tests, [`ManualClock`].

use std::fmt::Debug;
use std::time::SystemTime;

use tokio::time::Instant;

/// The source of "now" for token expiry.
///
/// Token caches compare [`Instant`]s from `tokio::time`, so the default [`TokioClock`] already
/// follows `tokio::time::pause`/`advance` in tests. [`system_now`](Self::system_now) is the wall
/// clock, used only to turn a JWT `exp` claim (seconds since the epoch) into a lifetime.
pub trait Clock: Send + Sync + Debug {
    /// The current monotonic instant.
    fn now(&self) -> Instant;

    /// The current wall-clock time.
    fn system_now(&self) -> SystemTime;
}

/// The default clock: `tokio::time::Instant::now()` and `SystemTime::now()`.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioClock;

impl Clock for TokioClock {
    fn now(&self) -> Instant {
        Instant::now()
    }

    fn system_now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock that moves only when told to (feature `test-util`).
///
/// Both [`Clock::now`] and [`Clock::system_now`] advance together.
#[cfg(any(test, feature = "test-util"))]
#[cfg_attr(docsrs, doc(cfg(feature = "test-util")))]
#[derive(Debug)]
pub struct ManualClock {
    base: Instant,
    system_base: SystemTime,
    offset: std::sync::Mutex<std::time::Duration>,
}

#[cfg(any(test, feature = "test-util"))]
impl ManualClock {
    /// A clock frozen at the current time.
    pub fn new() -> Self {
        Self {
            base: Instant::now(),
            system_base: SystemTime::now(),
            offset: std::sync::Mutex::new(std::time::Duration::ZERO),
        }
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: std::time::Duration) {
        let mut offset = self
            .offset
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *offset += by;
    }

    fn offset(&self) -> std::time::Duration {
        *self
            .offset
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(any(test, feature = "test-util"))]
impl Default for ManualClock {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(any(test, feature = "test-util"))]
impl Clock for ManualClock {
    fn now(&self) -> Instant {
        self.base + self.offset()
    }

    fn system_now(&self) -> SystemTime {
        self.system_base + self.offset()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn manual_clock_moves_only_when_advanced() {
        let clock = ManualClock::new();
        let (t0, s0) = (clock.now(), clock.system_now());
        assert_eq!(clock.now(), t0);
        clock.advance(Duration::from_secs(90));
        assert_eq!(clock.now() - t0, Duration::from_secs(90));
        assert_eq!(
            clock.system_now().duration_since(s0).ok(),
            Some(Duration::from_secs(90))
        );
    }
}
