//! Filter values: one canonical literal text, typed constructors and typed accessors.
//!
//! The wire cannot tell `10` the integer from `"10"` the string, so a value keeps the literal
//! text it is printed as. Typed constructors (`From<Decimal>`, `From<i64>`, `From<bool>`,
//! `From<OffsetDateTime>`, ...) produce that text canonically, and typed accessors
//! (`as_decimal`, `as_bool`, `as_datetime`, `as_json`, ...) read it back, so a value built from a
//! type and a value parsed from the printed query are equal.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime, UtcOffset};

/// One literal value, kept as the exact text it is printed as (before quoting and encoding).
///
/// ```
/// use fyle_models::query::Literal;
/// use rust_decimal::Decimal;
///
/// let amount = Literal::from(Decimal::new(1050, 2));
/// assert_eq!(amount.as_str(), "10.50");
/// assert_eq!(amount.as_decimal(), Some(Decimal::new(1050, 2)));
/// assert_eq!(Literal::from(true).as_bool(), Some(true));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Literal(String);

impl Literal {
    /// A literal with exactly this text.
    pub fn new(text: impl Into<String>) -> Literal {
        Literal(text.into())
    }

    /// The `null` keyword (for `is`/`is_not`).
    pub fn null() -> Literal {
        Literal("null".to_owned())
    }

    /// A JSON literal, printed compactly (`[1,2]`, `{"code":"13597"}`): for `cs`, `cd`, `ov`...
    pub fn json(value: &serde_json::Value) -> Literal {
        Literal(value.to_string())
    }

    /// The literal text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The literal text, owned.
    pub fn into_string(self) -> String {
        self.0
    }

    /// The text as a decimal number (`10`, `-3.50`, `1e3`), if it is one.
    pub fn as_decimal(&self) -> Option<Decimal> {
        let s = self.0.trim();
        if s.is_empty() {
            return None;
        }
        Decimal::from_str(s)
            .ok()
            .or_else(|| Decimal::from_scientific(s).ok())
    }

    /// The text as an integer, if it is one.
    pub fn as_i64(&self) -> Option<i64> {
        self.0.trim().parse().ok()
    }

    /// The text as a boolean: `true` or `false`, case-insensitively (`False` is seen in the wild).
    pub fn as_bool(&self) -> Option<bool> {
        let s = self.0.trim();
        if s.eq_ignore_ascii_case("true") {
            Some(true)
        } else if s.eq_ignore_ascii_case("false") {
            Some(false)
        } else {
            None
        }
    }

    /// Whether the text is the `null` keyword (case-insensitive).
    pub fn is_null(&self) -> bool {
        self.0.trim().eq_ignore_ascii_case("null")
    }

    /// The text as an `is`/`is_not` keyword, if it is one.
    pub fn as_keyword(&self) -> Option<IsValue> {
        IsValue::from_name(self.0.trim())
    }

    /// The text as a timestamp: RFC 3339 (`2020-06-01T00:00:00.000-08:00`, `...Z`), also
    /// accepting a space for `T`, no offset (read as UTC) or a bare date (midnight UTC).
    pub fn as_datetime(&self) -> Option<OffsetDateTime> {
        // The one timestamp reader of the SDK: the models' wire format reads the same shapes.
        crate::wire::parse_timestamp(self.0.trim()).ok()
    }

    /// The text as JSON (`[115260, 115257]`, `{"code":"13597"}`), if it is valid JSON.
    pub fn as_json(&self) -> Option<serde_json::Value> {
        serde_json::from_str(&self.0).ok()
    }
}

fn format_datetime(t: OffsetDateTime) -> String {
    if let Ok(s) = t.format(&Rfc3339) {
        return s;
    }
    // RFC 3339 cannot carry an offset with seconds: fall back to the same instant in UTC.
    if let Ok(s) = t.to_offset(UtcOffset::UTC).format(&Rfc3339) {
        return s;
    }
    // Years outside 0..=9999 have no RFC 3339 form.
    t.to_string()
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for Literal {
    fn from(s: &str) -> Literal {
        Literal(s.to_owned())
    }
}

impl From<String> for Literal {
    fn from(s: String) -> Literal {
        Literal(s)
    }
}

impl From<&String> for Literal {
    fn from(s: &String) -> Literal {
        Literal(s.clone())
    }
}

impl From<&Literal> for Literal {
    fn from(l: &Literal) -> Literal {
        l.clone()
    }
}

impl From<bool> for Literal {
    /// `true` / `false`.
    fn from(b: bool) -> Literal {
        Literal(if b { "true" } else { "false" }.to_owned())
    }
}

impl From<Decimal> for Literal {
    /// The decimal's text, keeping its scale: `10.50`.
    fn from(d: Decimal) -> Literal {
        Literal(d.to_string())
    }
}

impl From<OffsetDateTime> for Literal {
    /// RFC 3339 with the offset: `2020-06-01T00:00:00-08:00`, `2021-09-30T11:00:57.5Z`.
    fn from(t: OffsetDateTime) -> Literal {
        Literal(format_datetime(t))
    }
}

impl From<Date> for Literal {
    /// `YYYY-MM-DD`.
    fn from(d: Date) -> Literal {
        Literal(d.to_string())
    }
}

impl From<IsValue> for Literal {
    /// The keyword: `null`, `true`, `false`, `unknown`.
    fn from(v: IsValue) -> Literal {
        Literal(v.as_str().to_owned())
    }
}

macro_rules! literal_from_integer {
    ($($t:ty),*) => {$(
        impl From<$t> for Literal {
            /// The integer in decimal.
            fn from(n: $t) -> Literal {
                Literal(n.to_string())
            }
        }
        impl From<$t> for FilterValue {
            /// The integer in decimal.
            fn from(n: $t) -> FilterValue {
                FilterValue::Literal(Literal::from(n))
            }
        }
    )*};
}

literal_from_integer!(
    i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize
);

/// The keywords `is` and `is_not` compare with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IsValue {
    /// `null`.
    Null,
    /// `true`.
    True,
    /// `false`.
    False,
    /// `unknown` (a null boolean).
    Unknown,
}

impl IsValue {
    /// The keyword's text.
    pub const fn as_str(self) -> &'static str {
        match self {
            IsValue::Null => "null",
            IsValue::True => "true",
            IsValue::False => "false",
            IsValue::Unknown => "unknown",
        }
    }

    /// Reads a keyword, case-insensitively.
    pub fn from_name(s: &str) -> Option<IsValue> {
        [
            IsValue::Null,
            IsValue::True,
            IsValue::False,
            IsValue::Unknown,
        ]
        .into_iter()
        .find(|v| v.as_str().eq_ignore_ascii_case(s))
    }
}

impl From<bool> for IsValue {
    fn from(b: bool) -> IsValue {
        if b { IsValue::True } else { IsValue::False }
    }
}

impl From<Option<bool>> for IsValue {
    /// `None` is `null`.
    fn from(b: Option<bool>) -> IsValue {
        b.map_or(IsValue::Null, IsValue::from)
    }
}

/// The value of a condition: one literal, or a list for `in`, `not_in` and `ci_in`.
///
/// ```
/// use fyle_models::query::FilterValue;
/// use rust_decimal::Decimal;
///
/// assert_eq!(FilterValue::from(Decimal::new(10, 0)).as_decimal(), Some(Decimal::new(10, 0)));
/// let states = FilterValue::list(["APPROVED", "PAID"]);
/// assert_eq!(states.items().len(), 2);
/// assert_eq!(states.items()[1].as_str(), "PAID");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FilterValue {
    /// One literal (every operator but the list ones).
    Literal(Literal),
    /// A list of literals (`in`, `not_in`, `ci_in`).
    List(Vec<Literal>),
}

impl FilterValue {
    /// A list value from anything convertible to literals.
    pub fn list<I>(items: I) -> FilterValue
    where
        I: IntoIterator,
        I::Item: Into<Literal>,
    {
        FilterValue::List(items.into_iter().map(Into::into).collect())
    }

    /// The `null` keyword.
    pub fn null() -> FilterValue {
        FilterValue::Literal(Literal::null())
    }

    /// A JSON literal, printed compactly (for `cs`, `csn`, `cd`, `not_cd`, `ov`).
    pub fn json(value: &serde_json::Value) -> FilterValue {
        FilterValue::Literal(Literal::json(value))
    }

    /// The literal, if this is not a list.
    pub fn as_literal(&self) -> Option<&Literal> {
        match self {
            FilterValue::Literal(l) => Some(l),
            FilterValue::List(_) => None,
        }
    }

    /// The list items, if this is a list.
    pub fn as_list(&self) -> Option<&[Literal]> {
        match self {
            FilterValue::Literal(_) => None,
            FilterValue::List(items) => Some(items),
        }
    }

    /// The list items, or the one literal as a one-item slice.
    pub fn items(&self) -> &[Literal] {
        match self {
            FilterValue::Literal(l) => std::slice::from_ref(l),
            FilterValue::List(items) => items,
        }
    }

    /// The literal text, if this is not a list.
    pub fn as_str(&self) -> Option<&str> {
        self.as_literal().map(Literal::as_str)
    }

    /// The literal as a decimal (see [`Literal::as_decimal`]).
    pub fn as_decimal(&self) -> Option<Decimal> {
        self.as_literal().and_then(Literal::as_decimal)
    }

    /// The literal as an integer (see [`Literal::as_i64`]).
    pub fn as_i64(&self) -> Option<i64> {
        self.as_literal().and_then(Literal::as_i64)
    }

    /// The literal as a boolean (see [`Literal::as_bool`]).
    pub fn as_bool(&self) -> Option<bool> {
        self.as_literal().and_then(Literal::as_bool)
    }

    /// The literal as a timestamp (see [`Literal::as_datetime`]).
    pub fn as_datetime(&self) -> Option<OffsetDateTime> {
        self.as_literal().and_then(Literal::as_datetime)
    }

    /// The literal as JSON (see [`Literal::as_json`]).
    pub fn as_json(&self) -> Option<serde_json::Value> {
        self.as_literal().and_then(Literal::as_json)
    }

    /// The literal as an `is` keyword (see [`Literal::as_keyword`]).
    pub fn as_keyword(&self) -> Option<IsValue> {
        self.as_literal().and_then(Literal::as_keyword)
    }
}

macro_rules! value_from_literal {
    ($($t:ty),*) => {$(
        impl From<$t> for FilterValue {
            /// One literal, with the same text as `Literal::from`.
            fn from(v: $t) -> FilterValue {
                FilterValue::Literal(Literal::from(v))
            }
        }
    )*};
}

value_from_literal!(
    &str,
    String,
    &String,
    &Literal,
    bool,
    Decimal,
    OffsetDateTime,
    Date,
    IsValue
);

impl From<Literal> for FilterValue {
    fn from(l: Literal) -> FilterValue {
        FilterValue::Literal(l)
    }
}

impl From<Vec<Literal>> for FilterValue {
    fn from(items: Vec<Literal>) -> FilterValue {
        FilterValue::List(items)
    }
}
