//! The sandbox clock: real time plus an offset that tests can advance.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Wall clock and monotonic clock, both shifted by the same adjustable offset.
#[derive(Debug, Default)]
pub(crate) struct Clock {
    offset_ms: AtomicU64,
}

/// The furthest the clock may be moved in all: 100 years. Far enough for any expiry test, and
/// far from the limits of `Instant` and `OffsetDateTime` arithmetic.
pub(crate) const MAX_ADVANCE: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

impl Clock {
    /// Moves the sandbox's notion of time forward (token expiry, signed URL expiry), up to
    /// [`MAX_ADVANCE`] in all; past it, nothing moves.
    pub(crate) fn advance(&self, by: Duration) {
        let _ = self.try_advance(by);
    }

    /// Like [`advance`](Self::advance), or `Err(total seconds it would reach)` past
    /// [`MAX_ADVANCE`].
    pub(crate) fn try_advance(&self, by: Duration) -> Result<(), u64> {
        let max_ms = u64::try_from(MAX_ADVANCE.as_millis()).unwrap_or(u64::MAX);
        let by_ms = u64::try_from(by.as_millis()).unwrap_or(u64::MAX);
        self.offset_ms
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |current| {
                current.checked_add(by_ms).filter(|total| *total <= max_ms)
            })
            .map(|_| ())
            .map_err(|current| current.saturating_add(by_ms) / 1000)
    }

    fn offset(&self) -> Duration {
        Duration::from_millis(self.offset_ms.load(Ordering::Relaxed))
    }

    /// Monotonic "now".
    pub(crate) fn now(&self) -> Instant {
        let now = Instant::now();
        now.checked_add(self.offset()).unwrap_or(now)
    }

    /// Wall-clock "now" in UTC.
    pub(crate) fn now_utc(&self) -> OffsetDateTime {
        let now = OffsetDateTime::now_utc();
        now.checked_add(time::Duration::try_from(self.offset()).unwrap_or(time::Duration::ZERO))
            .unwrap_or(now)
    }

    /// Unix seconds of "now".
    pub(crate) fn unix(&self) -> i64 {
        self.now_utc().unix_timestamp()
    }
}

/// Formats a timestamp the way Fyle does: microseconds and an explicit `+00:00` offset.
pub(crate) fn fyle_timestamp(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}+00:00",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.microsecond()
    )
}

/// Formats unix seconds (plus microseconds) as a Fyle timestamp.
pub(crate) fn fyle_timestamp_unix(secs: i64, micros: u32) -> String {
    let t = OffsetDateTime::from_unix_timestamp(secs)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        .replace_microsecond(micros.min(999_999))
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    fyle_timestamp(t)
}

/// Parses an RFC 3339 timestamp (used to validate write bodies).
pub(crate) fn parse_timestamp(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s, &Rfc3339).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_with_offset_and_micros() {
        assert_eq!(
            fyle_timestamp_unix(0, 5),
            "1970-01-01T00:00:00.000005+00:00"
        );
        let parsed = parse_timestamp("2020-06-01T01:18:19.292-08:00").expect("valid");
        assert_eq!(fyle_timestamp(parsed), "2020-06-01T09:18:19.292000+00:00");
    }

    #[test]
    fn a_huge_advance_is_refused_and_time_stays_usable() {
        let clock = Clock::default();
        assert!(clock.try_advance(Duration::from_secs(u64::MAX)).is_err());
        assert!(clock.try_advance(MAX_ADVANCE).is_ok());
        assert!(clock.try_advance(Duration::from_secs(1)).is_err());
        clock.advance(Duration::from_secs(u64::MAX));
        let _ = (clock.now(), clock.now_utc(), clock.unix());
    }

    #[test]
    fn advance_moves_both_clocks() {
        let clock = Clock::default();
        let before = clock.unix();
        clock.advance(Duration::from_secs(7200));
        assert!(clock.unix() >= before + 7200);
    }
}
