//! [`StreamCursor`]: where a stable (keyset) stream stands, as an opaque token a caller can
//! persist and resume from; [`PagingError`]: a server that broke the paging contract.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, Result};

/// The version tag every token starts with; a token of another version is refused.
const TOKEN_PREFIX: &str = "fsc1.";

/// Where a stable stream stands: the key columns, the snapshot bound fixed at the start (`T0`)
/// and the key of the last item yielded.
///
/// Every [`Page`](crate::Page) of a stable stream carries the cursor right after it, and an error
/// of the stream carries the cursor of the last page yielded ([`Error::resume_cursor`]).
/// Persist [`to_token`](Self::to_token) (plain ASCII, no secret inside) and later resume with
/// [`ListRequest::resume_from`](crate::ListRequest::resume_from): the resumed stream starts
/// right after the last item yielded, with the same snapshot bound, so together the two runs
/// yield each row exactly once.
///
/// ```
/// use fyle::StreamCursor;
/// let token = "fsc1.7b226b657973223a5b226964225d7d"; // {"keys":["id"]}
/// let cursor = StreamCursor::from_token(token).expect("a valid token");
/// assert_eq!(cursor.to_token(), token);
/// assert!(StreamCursor::from_token("garbage").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamCursor {
    pub(crate) keys: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) bound: Option<SnapshotBound>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) last: Option<Vec<Value>>,
}

/// The snapshot bound: only rows with `column <= at` belong to the stream. `at` is read from
/// the server when the stream starts (the newest value of `column`), so it is in the server's
/// clock, never the caller's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SnapshotBound {
    pub(crate) column: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) at: Option<String>,
}

impl StreamCursor {
    pub(crate) fn start(keys: Vec<String>, bound_column: Option<String>) -> Self {
        Self {
            keys,
            bound: bound_column.map(|column| SnapshotBound { column, at: None }),
            last: None,
        }
    }

    /// The key columns the stream pages by.
    pub fn keys(&self) -> &[String] {
        &self.keys
    }

    /// The snapshot bound `T0` (the bound column's newest value when the stream started), once
    /// the stream has read it.
    pub fn snapshot_at(&self) -> Option<&str> {
        self.bound.as_ref().and_then(|b| b.at.as_deref())
    }

    /// The key values of the last item yielded (`None` before the first page).
    pub fn last_key(&self) -> Option<&[Value]> {
        self.last.as_deref()
    }

    /// The cursor as an opaque ASCII token (`fsc1.` and hex-encoded JSON) to persist.
    pub fn to_token(&self) -> String {
        // Serializing strings, numbers and booleans cannot fail.
        let json = serde_json::to_vec(self).unwrap_or_default();
        let mut token = String::with_capacity(TOKEN_PREFIX.len() + json.len() * 2);
        token.push_str(TOKEN_PREFIX);
        for byte in json {
            token.push(hex_digit(byte >> 4));
            token.push(hex_digit(byte & 0x0f));
        }
        token
    }

    /// Reads a token made by [`to_token`](Self::to_token); a typed
    /// [`ErrorKind::InvalidRequest`](crate::ErrorKind::InvalidRequest) for anything else.
    pub fn from_token(token: &str) -> Result<Self> {
        let bad = |why: &str| Error::invalid(format!("not a stream cursor token: {why}"));
        let hex = token
            .trim()
            .strip_prefix(TOKEN_PREFIX)
            .ok_or_else(|| bad("unknown version"))?;
        if hex.len() % 2 != 0 {
            return Err(bad("odd length"));
        }
        let bytes = hex
            .as_bytes()
            .chunks(2)
            .map(|pair| Some(hex_value(pair[0])? << 4 | hex_value(pair[1])?))
            .collect::<Option<Vec<u8>>>()
            .ok_or_else(|| bad("not hexadecimal"))?;
        let cursor: StreamCursor =
            serde_json::from_slice(&bytes).map_err(|_| bad("not a cursor"))?;
        if cursor.keys.is_empty() {
            return Err(bad("no key column"));
        }
        if cursor
            .last
            .as_ref()
            .is_some_and(|l| l.len() != cursor.keys.len())
        {
            return Err(bad("the last key does not match the key columns"));
        }
        Ok(cursor)
    }
}

fn hex_digit(nibble: u8) -> char {
    char::from(b"0123456789abcdef"[usize::from(nibble & 0x0f)])
}

fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

/// A list response that broke the paging contract; see
/// [`ErrorKind::Paging`](crate::ErrorKind::Paging).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PagingError {
    /// A stable-mode page did not move past the cursor (the server ignored or misread the
    /// cursor condition): paging on would repeat the same rows forever.
    CursorNotAdvanced {
        /// The 1-based number of the page that repeated the cursor.
        page: u64,
    },
    /// A page held more items than the `limit` asked for.
    TooManyItems {
        /// Items on the page.
        items: usize,
        /// The `limit` sent.
        limit: u32,
    },
    /// An item lacked a key or bound column, or held a null or non-scalar there.
    BadKey {
        /// The column.
        column: String,
        /// What was wrong with it.
        problem: &'static str,
    },
}

impl fmt::Display for PagingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::CursorNotAdvanced { page } => write!(
                f,
                "stable mode: page {page} did not move past the cursor (the server ignored the cursor condition)"
            ),
            Self::TooManyItems { items, limit } => {
                write!(f, "a page held {items} items for a limit of {limit}")
            }
            Self::BadKey { column, problem } => {
                write!(f, "stable mode: key column `{column}` {problem}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_reject_tampering() {
        let mut cursor = StreamCursor::start(vec!["id".into()], Some("created_at".into()));
        cursor.bound = Some(SnapshotBound {
            column: "created_at".into(),
            at: Some("2026-01-01T00:00:00.000000+00:00".into()),
        });
        cursor.last = Some(vec![Value::from("tx,(1)")]);
        let token = cursor.to_token();
        assert!(token.is_ascii());
        assert_eq!(StreamCursor::from_token(&token).expect("valid"), cursor);
        assert!(StreamCursor::from_token(&token[..token.len() - 1]).is_err());
        assert!(StreamCursor::from_token("fsc1.zz").is_err());
        assert!(StreamCursor::from_token("fsc1.7b7d").is_err(), "no keys");
    }
}
