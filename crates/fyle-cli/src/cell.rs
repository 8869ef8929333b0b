//! [`Cell`]: one typed value of an exported row, read from Fyle's JSON.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde_json::Value;
use time::Date;
use time::macros::format_description;

/// One value of an exported row, typed so each format writes it well: money as a number,
/// dates as dates.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// No value (null or absent in Fyle's answer).
    Empty,
    /// Text, written as is (CSV neutralises formula prefixes).
    Text(String),
    /// An exact decimal amount.
    Money(Decimal),
    /// A calendar date (Fyle's timestamp, dated in its own offset).
    Date(Date),
    /// A flag.
    Bool(bool),
}

impl Cell {
    /// Text from any JSON value: strings as is, numbers and flags printed, lists joined with
    /// `;`, objects as JSON.
    pub fn text(value: &Value) -> Cell {
        match value {
            Value::Null => Cell::Empty,
            Value::String(s) if s.is_empty() => Cell::Empty,
            Value::String(s) => Cell::Text(s.clone()),
            Value::Array(items) if items.is_empty() => Cell::Empty,
            Value::Array(items) => Cell::Text(
                items
                    .iter()
                    .map(|item| match item {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    })
                    .collect::<Vec<_>>()
                    .join(";"),
            ),
            other => Cell::Text(other.to_string()),
        }
    }

    /// Money from a JSON number (or numeric string); anything else is [`Cell::Empty`].
    pub fn money(value: &Value) -> Cell {
        let text = match value {
            Value::Number(n) => n.to_string(),
            Value::String(s) => s.clone(),
            _ => return Cell::Empty,
        };
        Decimal::from_str(&text)
            .or_else(|_| Decimal::from_scientific(&text))
            .map_or(Cell::Empty, Cell::Money)
    }

    /// The calendar date of an RFC 3339 timestamp or a `YYYY-MM-DD` date.
    pub fn date(value: &Value) -> Cell {
        let Some(text) = value.as_str() else {
            return Cell::Empty;
        };
        let day = text.get(..10).unwrap_or(text);
        Date::parse(day, format_description!("[year]-[month]-[day]"))
            .map_or(Cell::Empty, Cell::Date)
    }

    /// A flag from a JSON bool.
    pub fn flag(value: &Value) -> Cell {
        value.as_bool().map_or(Cell::Empty, Cell::Bool)
    }

    /// The cell as display text (money with at least two decimals, dates `YYYY-MM-DD`).
    pub fn display(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Money(m) => money_text(*m),
            Cell::Date(d) => format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day()),
            Cell::Bool(b) => b.to_string(),
        }
    }

    /// The cell as a JSON value: money a number, dates `YYYY-MM-DD`, empty `null`.
    pub fn to_json(&self) -> Value {
        match self {
            Cell::Empty => Value::Null,
            Cell::Text(s) => Value::String(s.clone()),
            Cell::Money(m) => serde_json::Number::from_str(&money_text(*m))
                .map_or_else(|_| Value::String(m.to_string()), Value::Number),
            Cell::Date(_) => Value::String(self.display()),
            Cell::Bool(b) => Value::Bool(*b),
        }
    }
}

/// Money with at least two decimal places (`922.1` -> `922.10`); never rounds digits away.
fn money_text(amount: Decimal) -> String {
    let mut padded = amount;
    if padded.scale() < 2 {
        padded.rescale(2);
    }
    padded.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn money_keeps_every_digit_and_pads_to_cents() {
        assert_eq!(Cell::money(&json!(922.1)).display(), "922.10");
        assert_eq!(Cell::money(&json!("0.125")).display(), "0.125");
        assert_eq!(Cell::money(&json!(null)), Cell::Empty);
    }

    #[test]
    fn a_timestamp_becomes_its_date() {
        let cell = Cell::date(&json!("2026-08-02T23:59:00.000000+00:00"));
        assert_eq!(cell.display(), "2026-08-02");
        assert_eq!(Cell::date(&json!("not a date")), Cell::Empty);
    }

    #[test]
    fn lists_join_with_semicolons() {
        assert_eq!(Cell::text(&json!(["fi1", "fi2"])).display(), "fi1;fi2");
        assert_eq!(Cell::text(&json!([])), Cell::Empty);
    }
}
