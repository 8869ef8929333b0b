//! Lenient decoding: one bad field never fails a page.
//!
//! Real Fyle payloads disagree with the spec in small ways: a `null` inside an id array, a
//! boolean where the spec says string, a date where it says timestamp. [`decode`] first tries
//! plain serde_json (the fast path, taken by almost every body). Only when that fails does it read
//! the body as a [`serde_json::Value`], find the failing JSON path with `serde_path_to_error`,
//! repair that one value, record a [`DecodeWarning`], and try again, at most [`MAX_REPAIRS`]
//! times. The repairs keep the closest faithful value:
//!
//! - a `null` inside an array is dropped from the array;
//! - a boolean or a number where a string is expected becomes its text;
//! - a numeric string where an integer is expected becomes the number, `"true"`/`"false"`
//!   where a boolean is expected becomes the boolean;
//! - a date where a timestamp is expected becomes midnight UTC;
//! - a lone object where an array is expected becomes a one-item array (the spec declares one
//!   list's `data` as an object beside `items`; either shape then decodes);
//! - anything else is removed: the field reads as `None`, an array item is dropped.
//!
//! A value that cannot be repaired (the body is not JSON, the root has the wrong shape) is the
//! error of the tracked decode, with its JSON path.

use std::fmt;

use serde::de::DeserializeOwned;
use serde_json::Value;
use serde_path_to_error::Segment;

/// The most values one document may have repaired before decoding gives up.
pub const MAX_REPAIRS: usize = 64;

/// The error of a decode that could not be repaired: the JSON path and serde_json's message.
pub type DecodeError = serde_path_to_error::Error<serde_json::Error>;

/// One value the lenient decoder had to change to decode a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeWarning {
    /// The JSON path of the value, for example `data[3].approver_user_ids[1]`.
    pub path: String,
    /// What the type expected (serde's words: `a string`, `i64`, ...).
    pub expected: String,
    /// What the document held: its JSON kind, with the literal for `null`, booleans and numbers
    /// (strings are not quoted, so a warning never carries personal data).
    pub got: String,
    /// What the decoder did with it.
    pub repair: Repair,
}

/// What the lenient decoder did with a value of the wrong shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Repair {
    /// The item was dropped from its array.
    DroppedItem,
    /// The field was removed: it reads as `None`.
    RemovedField,
    /// The value was replaced by its text (`false` -> `"false"`).
    AsText,
    /// The value was converted to the expected scalar (`"12"` -> `12`, `"true"` -> `true`).
    Converted,
    /// A date was read as midnight UTC.
    Midnight,
    /// A lone object where an array was expected became a one-item array.
    Wrapped,
}

impl fmt::Display for Repair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::DroppedItem => "dropped from the array",
            Self::RemovedField => "removed, reads as None",
            Self::AsText => "kept as its text",
            Self::Converted => "converted",
            Self::Midnight => "read as midnight UTC",
            Self::Wrapped => "wrapped as a one-item array",
        })
    }
}

impl fmt::Display for DecodeWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}`: expected {}, got {} ({})",
            self.path, self.expected, self.got, self.repair
        )
    }
}

impl DecodeWarning {
    /// The same warning for a part decoded on its own (one item of a page): `at` (`data[3]`) is
    /// prefixed to the path so it reads as in the whole body.
    #[must_use]
    pub fn at(mut self, at: &str) -> Self {
        self.path = if self.path.is_empty() || self.path == "." {
            at.to_owned()
        } else {
            format!("{at}.{}", self.path)
        };
        self
    }
}

/// A decoded value and the warnings of the values that were repaired to get it.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded<T> {
    /// The value.
    pub value: T,
    /// One warning per repaired value; empty when the document fit the type.
    pub warnings: Vec<DecodeWarning>,
}

/// Decodes `json` into `T` with serde_json alone; on failure, decodes it again with the failing
/// path tracked and returns that error. Neither pass checks for trailing characters after the
/// value, so both accept the same bodies.
///
/// # Errors
/// The body does not decode into `T`: the error names the JSON path.
pub fn decode_strict<T: DeserializeOwned>(json: &[u8]) -> Result<T, DecodeError> {
    if let Ok(value) = T::deserialize(&mut serde_json::Deserializer::from_slice(json)) {
        return Ok(value);
    }
    serde_path_to_error::deserialize(&mut serde_json::Deserializer::from_slice(json))
}

/// Decodes `json` into `T`, repairing values of the wrong shape (see the module docs).
///
/// ```
/// # #[cfg(feature = "admin")] {
/// use fyle_models::lenient;
/// use fyle_models::types::ExpenseOut;
/// let json = br#"{"id": "tx1", "file_ids": ["fiA", null]}"#;
/// let decoded = lenient::decode::<ExpenseOut>(json).unwrap();
/// assert_eq!(decoded.value.file_ids, Some(vec!["fiA".to_owned()]));
/// assert_eq!(decoded.warnings[0].path, "file_ids[1]");
/// # }
/// ```
///
/// # Errors
/// The body is not JSON, or a value cannot be repaired (the root has the wrong shape, or more
/// than [`MAX_REPAIRS`] values are wrong).
pub fn decode<T: DeserializeOwned>(json: &[u8]) -> Result<Decoded<T>, DecodeError> {
    if let Ok(value) = T::deserialize(&mut serde_json::Deserializer::from_slice(json)) {
        return Ok(Decoded {
            value,
            warnings: Vec::new(),
        });
    }
    match serde_json::from_slice::<Value>(json) {
        Ok(value) => decode_value(value),
        Err(_) => decode_strict(json).map(|value| Decoded {
            value,
            warnings: Vec::new(),
        }),
    }
}

/// Decodes a JSON value into `T`, repairing values of the wrong shape (see the module docs).
///
/// # Errors
/// As [`decode`].
pub fn decode_value<T: DeserializeOwned>(mut value: Value) -> Result<Decoded<T>, DecodeError> {
    let mut warnings = Vec::new();
    // The error behind each warning, to name the real cause when a repair is refused later.
    let mut causes: Vec<DecodeError> = Vec::new();
    loop {
        let err = match serde_path_to_error::deserialize::<_, T>(&value) {
            Ok(decoded) => {
                return Ok(Decoded {
                    value: decoded,
                    warnings,
                });
            }
            Err(err) => err,
        };
        if warnings.len() >= MAX_REPAIRS {
            return Err(err);
        }
        match repair(&mut value, &err) {
            Some(warning) => {
                warnings.push(warning);
                causes.push(err);
            }
            None => return Err(cause_of(err, &warnings, causes)),
        }
    }
}

/// A type that requires a field (`missing field `amount``) refuses the removal of a value of the
/// wrong shape: the error to report is the one that removed it, at the field's own path.
fn cause_of(err: DecodeError, warnings: &[DecodeWarning], causes: Vec<DecodeError>) -> DecodeError {
    let message = err.inner().to_string();
    let Some(field) = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next())
    else {
        return err;
    };
    let at = err.path().to_string();
    let removed = if at == "." {
        field.to_owned()
    } else {
        format!("{at}.{field}")
    };
    let found = warnings
        .iter()
        .position(|w| w.path == removed && w.repair == Repair::RemovedField);
    match found {
        Some(i) => causes.into_iter().nth(i).unwrap_or(err),
        None => err,
    }
}

/// One step of a JSON path.
enum Step {
    Key(String),
    Index(usize),
}

fn steps(err: &DecodeError) -> Option<Vec<Step>> {
    err.path()
        .iter()
        .filter(|s| !matches!(s, Segment::Enum { .. }))
        .map(|s| match s {
            Segment::Seq { index } => Some(Step::Index(*index)),
            Segment::Map { key } => Some(Step::Key(key.clone())),
            Segment::Enum { .. } | Segment::Unknown => None,
        })
        .collect()
}

fn child<'a>(node: &'a mut Value, step: &Step) -> Option<&'a mut Value> {
    match (node, step) {
        (Value::Object(map), Step::Key(k)) => map.get_mut(k),
        (Value::Array(items), Step::Index(i)) => items.get_mut(*i),
        _ => None,
    }
}

/// What serde expected, from its message (`invalid type: null, expected a string`).
fn expected_of(message: &str) -> String {
    match message.rsplit_once("expected ") {
        Some((_, e)) => e.to_owned(),
        None => message.to_owned(),
    }
}

fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => format!("boolean `{b}`"),
        Value::Number(n) => format!("number `{n}`"),
        Value::String(s) => format!("a string of {} characters", s.chars().count()),
        Value::Array(a) => format!("an array of {} items", a.len()),
        Value::Object(o) => format!("an object of {} keys", o.len()),
    }
}

/// The repaired value, when one is close enough to keep.
fn converted(found: &Value, expected: &str, message: &str) -> Option<(Value, Repair)> {
    let wants_string = expected.starts_with("a string") || expected.starts_with("string");
    let wants_int = ["i64", "u64", "i32", "u32", "an integer"]
        .iter()
        .any(|w| expected.starts_with(w));
    match found {
        Value::Bool(b) if wants_string => Some((Value::String(b.to_string()), Repair::AsText)),
        Value::Number(n) if wants_string => Some((Value::String(n.to_string()), Repair::AsText)),
        Value::String(s) if wants_int => s
            .trim()
            .parse::<i64>()
            .ok()
            .map(|n| (Value::from(n), Repair::Converted)),
        Value::Number(n) if wants_int => n
            .as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
            .map(|f| {
                #[allow(clippy::cast_possible_truncation)] // whole and in range, checked above
                let whole = f as i64;
                (Value::from(whole), Repair::Converted)
            }),
        Value::String(s) if expected.starts_with("a boolean") => match s.trim() {
            "true" | "True" | "TRUE" => Some((Value::Bool(true), Repair::Converted)),
            "false" | "False" | "FALSE" => Some((Value::Bool(false), Repair::Converted)),
            _ => None,
        },
        Value::String(s) if message.contains("invalid timestamp") => midnight(s),
        Value::Object(_) if expected.starts_with("a sequence") => {
            Some((Value::Array(vec![found.clone()]), Repair::Wrapped))
        }
        _ => None,
    }
}

/// `2022-02-01...` with a time part the parser refused: keep the date, at midnight UTC.
fn midnight(text: &str) -> Option<(Value, Repair)> {
    let date = text.trim().get(..10)?;
    let at_midnight = format!("{date}T00:00:00+00:00");
    crate::wire::parse_timestamp(&at_midnight)
        .ok()
        .filter(|_| at_midnight != text)
        .map(|_| (Value::String(at_midnight), Repair::Midnight))
}

/// Repairs the value `err` points at; `None` when there is nothing to repair (the root, an
/// unknown path, or a value already repaired).
fn repair(root: &mut Value, err: &DecodeError) -> Option<DecodeWarning> {
    let steps = steps(err)?;
    let (last, parents) = steps.split_last()?;
    let mut parent = &mut *root;
    for step in parents {
        parent = child(parent, step)?;
    }
    let message = err.inner().to_string();
    if message.starts_with("missing field") {
        return None;
    }
    let expected = expected_of(&message);
    let found = child(parent, last)?;
    let got = describe(found);
    let repair = if let Some((fixed, how)) = converted(found, &expected, &message) {
        *found = fixed;
        how
    } else {
        match (parent, last) {
            // A scalar or a null is dropped from its array; an object or array item is a whole
            // row and is never dropped.
            (Value::Array(items), Step::Index(i))
                if !items.get(*i).is_some_and(|v| v.is_object() || v.is_array()) =>
            {
                items.remove(*i);
                Repair::DroppedItem
            }
            (Value::Object(map), Step::Key(k)) => {
                map.remove(k);
                Repair::RemovedField
            }
            _ => return None,
        }
    };
    Some(DecodeWarning {
        path: err.path().to_string(),
        expected,
        got,
        repair,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Item {
        #[serde(default)]
        ids: Option<Vec<String>>,
        #[serde(default)]
        name: Option<String>,
        #[serde(default)]
        count: Option<i64>,
        #[serde(default)]
        flag: Option<bool>,
        #[serde(default, with = "crate::wire::datetime::option")]
        at: Option<time::OffsetDateTime>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Page {
        data: Vec<Item>,
    }

    #[test]
    fn each_repair_is_named_and_the_page_decodes_whole() {
        let json = br#"{"data": [
            {"ids": ["a", null, "b"], "name": false},
            {"count": "12", "flag": "true", "name": 7},
            {"at": "2022-02-01T25:99", "count": {"x": 1}}
        ]}"#;
        let d = decode::<Page>(json).expect("decodes");
        assert_eq!(d.value.data.len(), 3);
        assert_eq!(
            d.value.data[0].ids,
            Some(vec!["a".to_owned(), "b".to_owned()])
        );
        assert_eq!(d.value.data[0].name.as_deref(), Some("false"));
        assert_eq!(d.value.data[1].count, Some(12));
        assert_eq!(d.value.data[1].flag, Some(true));
        assert_eq!(d.value.data[1].name.as_deref(), Some("7"));
        assert_eq!(
            d.value.data[2].at.map(time::OffsetDateTime::unix_timestamp),
            Some(1_643_673_600)
        );
        assert_eq!(d.value.data[2].count, None);
        let paths: Vec<(&str, Repair)> = d
            .warnings
            .iter()
            .map(|w| (w.path.as_str(), w.repair))
            .collect();
        assert_eq!(
            paths,
            [
                ("data[0].ids[1]", Repair::DroppedItem),
                ("data[0].name", Repair::AsText),
                ("data[1].count", Repair::Converted),
                ("data[1].flag", Repair::Converted),
                ("data[1].name", Repair::AsText),
                ("data[2].at", Repair::Midnight),
                ("data[2].count", Repair::RemovedField),
            ]
        );
        assert_eq!(d.warnings[0].expected, "a string");
        assert_eq!(d.warnings[0].got, "null");
        assert!(d.warnings[0].to_string().contains("data[0].ids[1]"));
    }

    #[test]
    fn a_lone_object_where_a_list_is_expected_is_a_one_item_list() {
        let d = decode::<Page>(br#"{"data": {"name": "x", "ids": ["a"]}}"#).expect("decodes");
        assert_eq!(d.value.data.len(), 1);
        assert_eq!(d.value.data[0].name.as_deref(), Some("x"));
        assert_eq!(d.warnings.len(), 1);
        assert_eq!(d.warnings[0].path, "data");
        assert_eq!(d.warnings[0].repair, Repair::Wrapped);
        assert_eq!(d.warnings[0].got, "an object of 2 keys");
    }

    #[test]
    fn a_good_body_takes_the_fast_path_and_a_bad_root_fails() {
        let d = decode::<Page>(br#"{"data": [{"name": "x"}]}"#).expect("decodes");
        assert!(d.warnings.is_empty());
        assert!(decode::<Page>(br#"{"data": 3}"#).is_err());
        assert!(decode::<Page>(b"not json").is_err());
        assert!(decode_strict::<Page>(br#"{"data": [{"name": false}]}"#).is_err());
    }

    #[test]
    fn a_required_field_of_the_wrong_shape_fails_at_its_own_path() {
        #[derive(Debug, Deserialize)]
        struct Strict {
            #[allow(dead_code)]
            amount: f64,
        }
        #[derive(Debug, Deserialize)]
        struct Rows {
            #[allow(dead_code)]
            data: Vec<Strict>,
        }
        let err = decode::<Rows>(br#"{"data": [{"amount": 1}, {"amount": "lots"}]}"#)
            .expect_err("a row is never dropped");
        assert_eq!(err.path().to_string(), "data[1].amount");
    }

    #[test]
    fn repairs_are_bounded() {
        let many: Vec<String> = (0..=MAX_REPAIRS).map(|_| "null".to_owned()).collect();
        let json = format!(r#"{{"data": [{{"ids": [{}]}}]}}"#, many.join(","));
        assert!(decode::<Page>(json.as_bytes()).is_err());
        let fewer = many[1..].join(",");
        let json = format!(r#"{{"data": [{{"ids": [{fewer}]}}]}}"#);
        let d = decode::<Page>(json.as_bytes()).expect("decodes");
        assert_eq!(d.warnings.len(), MAX_REPAIRS);
    }
}
