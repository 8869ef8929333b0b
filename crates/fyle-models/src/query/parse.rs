//! The parser: query pairs back to a [`Filter`].
//!
//! It reads what the printer writes and is lenient with what people type by hand: spaces after
//! commas (`or=(amount.lt.100, id.eq.abc)`), `or(...)` as well as `or=(...)` inside groups,
//! quoted or unquoted list items, unquoted JSON inside groups (`ids.cs.[1, 2]`). It never panics,
//! and limits group nesting to [`MAX_DEPTH`].

use std::fmt;

use percent_encoding::percent_decode_str;

use super::filter::{Clause, Condition, Filter};
use super::operator::{Operator, ValueKind};
use super::path::FieldPath;
use super::value::{FilterValue, Literal};

/// The query keys that are not filters: `order`, `offset`, `limit`, `q`.
pub const RESERVED_KEYS: [&str; 4] = ["order", "offset", "limit", "q"];

/// The deepest nesting of `and`/`or` groups the parser accepts.
pub const MAX_DEPTH: usize = 32;

/// Why a query pair could not be parsed; [`ParseError::key`] names the pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    key: String,
    kind: ParseErrorKind,
}

/// What was wrong with a query pair.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// The value has no `op.` prefix (`amount=10` instead of `amount=eq.10`).
    MissingOperator,
    /// The operator is not one of Fyle's.
    UnknownOperator(String),
    /// The column or JSON path is empty or malformed.
    InvalidPath(String),
    /// An `in`/`not_in`/`ci_in` value is not a parenthesised list.
    ExpectedList,
    /// An `and`/`or` value is not a parenthesised group.
    ExpectedGroup,
    /// An element of a group is not `column.op.value`, `and=(...)` or `or=(...)`.
    MalformedElement(String),
    /// A double-quoted value has no closing quote.
    UnterminatedQuote,
    /// Parentheses, brackets or braces do not balance.
    Unbalanced,
    /// Text follows a closing quote or parenthesis.
    TrailingText(String),
    /// An `is`/`is_not` value is not `null`, `true`, `false` or `unknown`.
    InvalidKeyword(String),
    /// Groups are nested deeper than [`MAX_DEPTH`].
    TooDeep,
    /// The `order` value is malformed.
    InvalidOrder(String),
    /// `offset` or `limit` is not a non-negative integer.
    InvalidNumber(String),
    /// A reserved key (`order`, `offset`, `limit`, `q`) appears twice.
    DuplicateKey,
    /// The percent-encoding does not decode to UTF-8.
    InvalidEncoding,
}

impl ParseError {
    pub(super) fn new(key: impl Into<String>, kind: ParseErrorKind) -> ParseError {
        ParseError {
            key: key.into(),
            kind,
        }
    }

    /// The query key of the offending pair.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// What was wrong.
    pub fn kind(&self) -> &ParseErrorKind {
        &self.kind
    }
}

impl fmt::Display for ParseErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseErrorKind::MissingOperator => {
                f.write_str("expected `operator.value` (for example `eq.10`)")
            }
            ParseErrorKind::UnknownOperator(op) => write!(f, "unknown operator {op:?}"),
            ParseErrorKind::InvalidPath(p) => write!(f, "invalid column or JSON path {p:?}"),
            ParseErrorKind::ExpectedList => f.write_str("expected a list like `(a,b,c)`"),
            ParseErrorKind::ExpectedGroup => {
                f.write_str("expected a group like `(col.eq.1,col.eq.2)`")
            }
            ParseErrorKind::MalformedElement(e) => write!(
                f,
                "group element {e:?} is not `column.operator.value`, `and=(...)` or `or=(...)`"
            ),
            ParseErrorKind::UnterminatedQuote => f.write_str("a double quote is never closed"),
            ParseErrorKind::Unbalanced => {
                f.write_str("parentheses, brackets or braces do not balance")
            }
            ParseErrorKind::TrailingText(t) => write!(f, "unexpected text {t:?} after the value"),
            ParseErrorKind::InvalidKeyword(v) => {
                write!(f, "{v:?} is not null, true, false or unknown")
            }
            ParseErrorKind::TooDeep => write!(f, "groups nest deeper than {MAX_DEPTH} levels"),
            ParseErrorKind::InvalidOrder(why) => write!(f, "invalid order: {why}"),
            ParseErrorKind::InvalidNumber(v) => write!(f, "{v:?} is not a non-negative integer"),
            ParseErrorKind::DuplicateKey => f.write_str("the parameter is given more than once"),
            ParseErrorKind::InvalidEncoding => {
                f.write_str("the percent-encoding is not valid UTF-8")
            }
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid query parameter `{}`: {}", self.key, self.kind)
    }
}

impl std::error::Error for ParseError {}

/// Decodes a query string (with or without a leading `?`) into unencoded pairs. `+` is a space,
/// as in HTML forms and on most servers.
pub fn decode_query_string(query: &str) -> Result<Vec<(String, String)>, ParseError> {
    let query = query.strip_prefix('?').unwrap_or(query);
    let decode = |s: &str, key: &str| {
        percent_decode_str(&s.replace('+', " "))
            .decode_utf8()
            .map(std::borrow::Cow::into_owned)
            .map_err(|_| ParseError::new(key, ParseErrorKind::InvalidEncoding))
    };
    let mut pairs = Vec::new();
    for part in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = part.split_once('=').unwrap_or((part, ""));
        let key = decode(k, k)?;
        let value = decode(v, &key)?;
        pairs.push((key, value));
    }
    Ok(pairs)
}

impl Filter {
    /// Parses unencoded query pairs, skipping the reserved keys (`order`, `offset`, `limit`,
    /// `q`; see [`ListQuery`](super::ListQuery) to read those too). Every other pair must be a
    /// filter: strip endpoint-specific plain parameters before calling.
    ///
    /// ```
    /// use fyle_models::query::Filter;
    ///
    /// let pairs = [("amount", "gt.10"), ("order", "id.asc"), ("or", "(a.eq.1, b.eq.2)")];
    /// let filter = Filter::parse_query_pairs(&pairs)?;
    /// assert_eq!(filter, Filter::new().gt("amount", 10).or(|g| g.eq("a", 1).eq("b", 2)));
    /// # Ok::<(), fyle_models::query::ParseError>(())
    /// ```
    pub fn parse_query_pairs<K: AsRef<str>, V: AsRef<str>>(
        pairs: &[(K, V)],
    ) -> Result<Filter, ParseError> {
        pairs
            .iter()
            .filter(|(k, _)| !RESERVED_KEYS.contains(&k.as_ref()))
            .map(|(k, v)| Clause::parse_query_pair(k.as_ref(), v.as_ref()))
            .collect()
    }

    /// Parses a percent-encoded query string (see [`decode_query_string`] and
    /// [`Filter::parse_query_pairs`]).
    pub fn parse_query_string(query: &str) -> Result<Filter, ParseError> {
        Filter::parse_query_pairs(&decode_query_string(query)?)
    }
}

impl Clause {
    /// Parses one unencoded top-level pair: `("amount", "gt.10")`, `("or", "(a.eq.1,b.eq.2)")`.
    pub fn parse_query_pair(key: &str, value: &str) -> Result<Clause, ParseError> {
        let err = |kind| ParseError::new(key, kind);
        match key {
            "and" => parse_group(value, 1).map(Clause::And).map_err(err),
            "or" => parse_group(value, 1).map(Clause::Or).map_err(err),
            _ => {
                let path = parse_path(key).map_err(err)?;
                let (op, rest) = split_op(value).map_err(err)?;
                let value = parse_value(op, rest, false).map_err(err)?;
                Ok(Clause::Condition(Condition::new(path, op, value)))
            }
        }
    }
}

/// A path: segments separated by `->`, none empty.
pub(super) fn parse_path(s: &str) -> Result<FieldPath, ParseErrorKind> {
    let path = FieldPath::from(s);
    if path.segments().iter().any(String::is_empty) {
        return Err(ParseErrorKind::InvalidPath(s.to_owned()));
    }
    Ok(path)
}

/// `op.rest` -> (op, rest).
fn split_op(value: &str) -> Result<(Operator, &str), ParseErrorKind> {
    let Some((name, rest)) = value.split_once('.') else {
        return Err(ParseErrorKind::MissingOperator);
    };
    let op = Operator::from_name(name.trim())
        .ok_or_else(|| ParseErrorKind::UnknownOperator(name.to_owned()))?;
    Ok((op, rest))
}

fn parse_value(op: Operator, rest: &str, nested: bool) -> Result<FilterValue, ParseErrorKind> {
    match op.value_kind() {
        ValueKind::List => parse_list(rest).map(FilterValue::List),
        kind => {
            let literal = if nested {
                parse_nested_scalar(rest)?
            } else if rest.starts_with('"') {
                unquote(rest)?
            } else {
                rest.to_owned()
            };
            let literal = Literal::new(literal);
            if kind == ValueKind::Keyword && literal.as_keyword().is_none() {
                return Err(ParseErrorKind::InvalidKeyword(literal.into_string()));
            }
            Ok(FilterValue::Literal(literal))
        }
    }
}

fn parse_nested_scalar(rest: &str) -> Result<String, ParseErrorKind> {
    let t = rest.trim();
    if t.starts_with('"') {
        unquote(t)
    } else {
        Ok(t.to_owned())
    }
}

/// Reads `"..."` (backslash escapes any character); nothing may follow the closing quote.
fn unquote(s: &str) -> Result<String, ParseErrorKind> {
    let mut chars = s.char_indices();
    // The caller checked the opening quote.
    chars.next();
    let mut out = String::new();
    while let Some((_, c)) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some((_, escaped)) => out.push(escaped),
                None => return Err(ParseErrorKind::UnterminatedQuote),
            },
            '"' => {
                let rest = chars.as_str();
                return if rest.is_empty() {
                    Ok(out)
                } else {
                    Err(ParseErrorKind::TrailingText(rest.to_owned()))
                };
            }
            _ => out.push(c),
        }
    }
    Err(ParseErrorKind::UnterminatedQuote)
}

/// Splits `s` at the commas outside quotes and brackets; with `stop_at_close`, instead returns the
/// byte index of the bracket closing the one `s` starts with.
fn scan(s: &str, stop_at_close: bool) -> Result<(Vec<&str>, Option<usize>), ParseErrorKind> {
    let mut stack: Vec<char> = Vec::new();
    let mut in_string = false;
    let mut escaped = false;
    let mut parts = Vec::new();
    let mut start = 0;
    for (i, c) in s.char_indices() {
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '(' => stack.push(')'),
            '[' => stack.push(']'),
            '{' => stack.push('}'),
            ')' | ']' | '}' => {
                if stack.pop() != Some(c) {
                    return Err(ParseErrorKind::Unbalanced);
                }
                if stop_at_close && stack.is_empty() {
                    return Ok((parts, Some(i)));
                }
            }
            ',' if stack.is_empty() && !stop_at_close => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if in_string {
        return Err(ParseErrorKind::UnterminatedQuote);
    }
    if !stack.is_empty() || stop_at_close {
        return Err(ParseErrorKind::Unbalanced);
    }
    parts.push(&s[start..]);
    Ok((parts, None))
}

/// `(inner)` -> the parts of `inner` split at top-level commas; none for an empty `()`.
fn parenthesised(
    value: &str,
    not_parenthesised: ParseErrorKind,
) -> Result<Vec<&str>, ParseErrorKind> {
    let t = value.trim();
    if !t.starts_with('(') {
        return Err(not_parenthesised);
    }
    let (_, close) = scan(t, true)?;
    let close = close.ok_or(ParseErrorKind::Unbalanced)?;
    let trailing = &t[close + 1..];
    if !trailing.is_empty() {
        return Err(ParseErrorKind::TrailingText(trailing.to_owned()));
    }
    let inner = &t[1..close];
    if inner.trim().is_empty() {
        return Ok(Vec::new());
    }
    Ok(scan(inner, false)?.0)
}

fn parse_list(value: &str) -> Result<Vec<Literal>, ParseErrorKind> {
    parenthesised(value, ParseErrorKind::ExpectedList)?
        .into_iter()
        .map(|item| parse_nested_scalar(item).map(Literal::new))
        .collect()
}

fn parse_group(value: &str, depth: usize) -> Result<Vec<Clause>, ParseErrorKind> {
    if depth > MAX_DEPTH {
        return Err(ParseErrorKind::TooDeep);
    }
    parenthesised(value, ParseErrorKind::ExpectedGroup)?
        .into_iter()
        .map(|element| parse_element(element, depth))
        .collect()
}

fn group_body<'a>(element: &'a str, name: &str) -> Option<&'a str> {
    let rest = element.strip_prefix(name)?;
    let rest = rest.strip_prefix('=').unwrap_or(rest);
    rest.starts_with('(').then_some(rest)
}

fn parse_element(element: &str, depth: usize) -> Result<Clause, ParseErrorKind> {
    let e = element.trim();
    if let Some(body) = group_body(e, "and") {
        return parse_group(body, depth + 1).map(Clause::And);
    }
    if let Some(body) = group_body(e, "or") {
        return parse_group(body, depth + 1).map(Clause::Or);
    }
    let malformed = || ParseErrorKind::MalformedElement(e.to_owned());
    let (path, rest) = e.split_once('.').ok_or_else(malformed)?;
    let (op_name, value) = rest.split_once('.').ok_or_else(malformed)?;
    let path = parse_path(path.trim())?;
    if !path.is_plain() {
        return Err(ParseErrorKind::InvalidPath(path.to_string()));
    }
    let op = Operator::from_name(op_name.trim())
        .ok_or_else(|| ParseErrorKind::UnknownOperator(op_name.to_owned()))?;
    let value = parse_value(op, value, true)?;
    Ok(Clause::Condition(Condition::new(path, op, value)))
}
