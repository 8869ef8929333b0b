//! Row values and literals read as decimals and instants, shared by filters and ordering.

use fyle_models::query::Decimal;
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

/// The string as an instant, if it is a timestamp, read by the one lenient parser the SDK
/// decodes Fyle's timestamps with ([`fyle_models::wire::parse_timestamp`]: RFC 3339 with any
/// offset or fraction, a space for `T`, no offset read as UTC, a plain date as midnight UTC).
/// `OffsetDateTime` compares as an instant, whatever the offset.
pub(super) fn datetime(s: &str) -> Option<OffsetDateTime> {
    if !looks_like_date(s) {
        return None;
    }
    fyle_models::wire::parse_timestamp(s).ok()
}
