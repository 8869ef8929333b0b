//! Realistic leaf values by format and field name, as real Fyle payloads carry them.

use serde_json::{Value, json};

/// One instant in the shapes Fyle's servers send: 0 to 6 fractional digits, `Z` or an offset.
pub const TIMESTAMPS: [&str; 8] = [
    "2020-06-01T13:14:54.804+00:00",
    "2020-06-01T13:14:54Z",
    "2020-06-01T13:14:54.8Z",
    "2020-06-01T18:44:54.80+05:30",
    "2020-06-01T13:14:54.804000+00:00",
    "2020-06-01T13:14:54.80412Z",
    "2020-06-01T06:14:54.804123-07:00",
    "2020-06-01T13:14:54.8041+00:00",
];

/// Custom-field names as orgs define them (the keys of `additionalProperties` objects), with a value
/// of each custom-field type: text, text, number, select, date, boolean, multi-select, empty.
pub fn custom_fields() -> Vec<(&'static str, Value)> {
    vec![
        ("Project Code", json!("PRJ-0042")),
        ("GL Account", json!("6100 Travel")),
        ("Cost Code", json!(1200.5)),
        ("Billable Client", json!("Acme Corp")),
        ("Trip Date", json!("2020-06-01T00:00:00.000+00:00")),
        ("Is Billable", json!(true)),
        ("Tags", json!(["travel", "client-visit"])),
        ("Notes", Value::Null),
    ]
}

/// A string for a field named `name` with format `format`; `seq` rotates through timestamp shapes.
pub(crate) fn string(name: &str, format: Option<&str>, seq: usize) -> String {
    let lower = name.to_ascii_lowercase();
    match format {
        Some("date-time") => return TIMESTAMPS[seq % TIMESTAMPS.len()].to_owned(),
        Some("date" | "YYYY-MM-DD") => return "2020-06-01".to_owned(),
        Some("DD/MM/YYYY") => return "01/06/2020".to_owned(),
        Some("email") => return "jane.doe@example.com".to_owned(),
        _ => {}
    }
    let text = if lower.contains("email") {
        "jane.doe@example.com"
    } else if lower.contains("mobile") || lower.contains("phone") {
        "+12131234567"
    } else if lower.contains("currency") {
        "USD"
    } else if lower.ends_with("_at") || lower.ends_with("date") {
        TIMESTAMPS[seq % TIMESTAMPS.len()]
    } else if lower.contains("url") {
        "https://example.com/files/receipt.pdf"
    } else if lower == "id" || lower.ends_with("_id") {
        "tx3qHxFNgRcZ"
    } else if lower.contains("ifsc") {
        "HDFC0001234"
    } else {
        return format!("sample {name}");
    };
    text.to_owned()
}

/// Fits a generated string into `maxLength` (counted in characters).
pub(crate) fn fit(text: String, max_len: Option<u64>) -> String {
    match max_len.and_then(|m| usize::try_from(m).ok()) {
        Some(m) if text.chars().count() > m => text.chars().take(m.max(1)).collect(),
        _ => text,
    }
}

/// A number inside `[minimum, maximum]`: `12.5` for numbers, `42` for integers.
pub(crate) fn number(integer: bool, minimum: Option<f64>, maximum: Option<f64>) -> Value {
    let mut n: f64 = if integer { 42.0 } else { 12.5 };
    if let Some(min) = minimum
        && n < min
    {
        n = min.ceil() + 1.0;
    }
    if let Some(max) = maximum
        && n > max
    {
        n = max.floor();
    }
    if integer {
        // Bounded by the spec's small limits; the cast cannot truncate a meaningful value.
        #[allow(clippy::cast_possible_truncation)]
        return json!(n as i64);
    }
    json!(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_pick_realistic_values() {
        assert_eq!(string("mobile", None, 0), "+12131234567");
        assert_eq!(string("email", None, 0), "jane.doe@example.com");
        assert_eq!(
            string("created_at", Some("date-time"), 1),
            "2020-06-01T13:14:54Z"
        );
        assert_eq!(string("code", None, 0), "sample code");
    }

    #[test]
    fn numbers_respect_bounds() {
        assert_eq!(number(true, Some(100.0), None), json!(101));
        assert_eq!(number(true, None, Some(7.0)), json!(7));
        assert_eq!(fit("abcdef".into(), Some(3)), "abc");
    }
}
