//! Row values and literals read as decimals and instants, shared by filters and ordering.

use fyle_models::query::{Decimal, Literal};
use time::OffsetDateTime;

/// The text as a decimal, if it is a number (`10`, `-3.50`, `1e3`).
pub(super) fn decimal(text: &str) -> Option<Decimal> {
    let text = text.trim();
    let first = text.bytes().next()?;
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return None;
    }
    text.parse::<Decimal>()
        .ok()
        .or_else(|| Decimal::from_scientific(text).ok())
}

/// A JSON number as a decimal (integers directly, floats through their shortest text).
pub(super) fn number_decimal(n: &serde_json::Number) -> Option<Decimal> {
    if let Some(i) = n.as_i64() {
        Some(Decimal::from(i))
    } else if let Some(u) = n.as_u64() {
        Some(Decimal::from(u))
    } else {
        decimal(&n.to_string())
    }
}

/// Whether a string may be a timestamp (`YYYY-MM-DD...`): a cheap guard before parsing.
fn looks_like_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 10 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-' && b[7] == b'-'
}

/// A timestamp as (unix seconds, nanoseconds), comparable as an instant.
pub(super) type InstantKey = (i64, u32);

/// The string as an instant, if it is a timestamp (or a date, read as midnight UTC).
pub(super) fn datetime(s: &str) -> Option<InstantKey> {
    if !looks_like_date(s) {
        return None;
    }
    fast_rfc3339(s.as_bytes()).or_else(|| {
        Literal::new(s)
            .as_datetime()
            .map(|t: OffsetDateTime| (t.unix_timestamp(), t.nanosecond()))
    })
}

fn digits(b: &[u8], from: usize, len: usize) -> Option<i64> {
    let part = b.get(from..from + len)?;
    part.iter().try_fold(0_i64, |acc, d| {
        d.is_ascii_digit().then(|| acc * 10 + i64::from(d - b'0'))
    })
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Allocation-free parse of the common `YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)` form;
/// `None` for anything else (the caller falls back to the full parser).
pub(super) fn fast_rfc3339(b: &[u8]) -> Option<InstantKey> {
    let year = digits(b, 0, 4)?;
    let month = digits(b, 5, 2)?;
    let day = digits(b, 8, 2)?;
    let hour = digits(b, 11, 2)?;
    let minute = digits(b, 14, 2)?;
    let second = digits(b, 17, 2)?;
    let separators = [(4, b'-'), (7, b'-'), (13, b':'), (16, b':')];
    if !matches!(b.get(10), Some(b'T' | b't' | b' '))
        || separators.iter().any(|(i, c)| b.get(*i) != Some(c))
    {
        return None;
    }
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let month_days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    let max_day = *month_days.get(usize::try_from(month).ok()?.checked_sub(1)?)?;
    if day < 1 || day > max_day || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let mut i = 19;
    let mut nanos: u32 = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        let count = i - start;
        if count == 0 || count > 9 {
            return None;
        }
        let frac = u32::try_from(digits(b, start, count)?).ok()?;
        nanos = frac * 10_u32.pow(u32::try_from(9 - count).ok()?);
    }
    let offset = match b.get(i..)? {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let (h, m) = (digits(b, i + 1, 2)?, digits(b, i + 4, 2)?);
            if h > 23 || m > 59 {
                return None;
            }
            let secs = h * 3600 + m * 60;
            if *sign == b'-' { -secs } else { secs }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    Some((
        days * 86_400 + hour * 3600 + minute * 60 + second - offset,
        nanos,
    ))
}
