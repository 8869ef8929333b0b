//! Evaluates the shared filter AST (`fyle_models::query`) against JSON rows, and sorts rows by an
//! `Order`, the way Fyle's PostgreSQL-backed API does.
//!
//! Semantics, per operator family:
//! - A path (`cost_center->name`) walks objects by key and arrays by index; a missing key is
//!   null. Comparisons with null are false (SQL), except `is`, `is_not` and `csn`.
//! - `eq`/`neq`/`lt`/`lte`/`gt`/`gte`: numbers compare as decimals when both sides are numbers
//!   (a JSON number, or a string that parses as one); timestamps (`2020-06-01T00:00:00-08:00`)
//!   compare as instants; booleans as booleans; other strings byte-wise; arrays and objects by
//!   JSON equality (`eq`/`neq` only).
//! - `alte`/`agte`: the row's absolute value against the literal.
//! - `in`/`not_in`: equality (as `eq`) with any item; `ci_in`: case-insensitive string equality.
//! - `is`/`is_not`: `null` (and `unknown`) test for null or missing, `true`/`false` for the
//!   boolean; `is_not` is the negation (so `is_not.true` holds for null).
//! - `like`/`ilike` (and `not_`): `%` (or `*`) any run, `_` one character, `\` escapes; numbers and
//!   booleans match on their text.
//! - `cs`/`cd`/`not_cd`/`csn`: PostgreSQL `jsonb` containment (`@>`, `<@`); `ov`: arrays share an
//!   element; `any`/`not_any`: an element of the array column equals the literal. The literal is
//!   JSON; a PostgreSQL array literal (`{a,b}`) is read as an array of strings.
//! - `and`/`or` groups: all / any (an empty `and` holds, an empty `or` does not). A raw clause is
//!   parsed as a filter pair and evaluated, or never matches if it does not parse.

use std::borrow::Borrow;
use std::cmp::Ordering;

use fyle_models::query::{
    Clause, Condition, Decimal, Direction, FieldPath, Filter, IsValue, Literal, Operator, Order,
    OrderKey,
};
use serde_json::Value;
use time::OffsetDateTime;

/// Whether `row` satisfies every clause of `filter` (an empty filter matches every row).
pub(crate) fn matches(filter: &Filter, row: &Value) -> bool {
    filter.clauses().iter().all(|c| clause_matches(c, row))
}

/// Whether `row` satisfies one clause.
pub(crate) fn clause_matches(clause: &Clause, row: &Value) -> bool {
    match clause {
        Clause::Condition(c) => condition_matches(c, row),
        Clause::And(children) => children.iter().all(|c| clause_matches(c, row)),
        Clause::Or(children) => children.iter().any(|c| clause_matches(c, row)),
        Clause::Raw { key, value } => {
            Clause::parse_query_pair(key, value).is_ok_and(|c| clause_matches(&c, row))
        }
    }
}

/// Compares two rows by `order` (most significant key first). Without an explicit
/// `nullsfirst`/`nullslast`, nulls (and missing keys) sort last ascending and first descending,
/// as in PostgreSQL. Rows equal on every key compare `Equal`, so a stable sort keeps their order.
///
/// The order is total (numbers numerically, timestamp strings as instants before other strings,
/// other strings byte-wise, then arrays, then objects), so any sort is safe with it. To sort many
/// rows, prefer [`sort_by_order`], which reads each row's keys once instead of once per
/// comparison.
#[cfg_attr(
    not(test),
    allow(dead_code, reason = "API for callers comparing two rows")
)]
pub(crate) fn compare(order: &Order, a: &Value, b: &Value) -> Ordering {
    order
        .keys()
        .iter()
        .map(|key| KeyPart::new(key, a).cmp(&KeyPart::new(key, b)))
        .find(|o| o.is_ne())
        .unwrap_or(Ordering::Equal)
}

/// Sorts rows (`Value`, `&Value`, `Arc<Value>`...) by `order`, stably; see [`compare`].
#[cfg_attr(
    not(test),
    allow(dead_code, reason = "API for callers that sort whole row slices")
)]
pub(crate) fn sort_rows<R: Borrow<Value>>(rows: &mut [R], order: &Order) {
    sort_by_order(rows, order, |r| r.borrow());
}

/// Sorts any items by `order` applied to the row each one holds (`|(full, _)| full`), stably
/// and with the same order as [`compare`]. Each row's sort keys are read once, so this is much
/// faster than `sort_by(compare)` on large slices.
pub(crate) fn sort_by_order<T>(items: &mut [T], order: &Order, row: impl Fn(&T) -> &Value) {
    if order.is_empty() || items.len() < 2 {
        return;
    }
    let permutation: Vec<usize> = {
        let mut keyed = sort_keys(items, order, row);
        keyed.sort_by(|x, y| x.0.cmp(&y.0));
        keyed.into_iter().map(|(_, i)| i).collect()
    };
    apply_permutation(items, permutation);
}

/// The first `k` items (clones) of what [`sort_by_order`] would produce, without sorting them
/// all: a linear selection of the `k` smallest keys, then a sort of those `k`. Ties keep their
/// input order, so the result is exactly the stable sort's prefix.
pub(crate) fn first_by_order<T: Clone>(
    items: &[T],
    order: &Order,
    k: usize,
    row: impl Fn(&T) -> &Value,
) -> Vec<T> {
    if order.is_empty() || k == 0 {
        return items.iter().take(k).cloned().collect();
    }
    let mut keyed = sort_keys(items, order, &row);
    let by_key = |x: &Keyed<'_>, y: &Keyed<'_>| x.0.cmp(&y.0).then(x.1.cmp(&y.1));
    if k < keyed.len() {
        keyed.select_nth_unstable_by(k - 1, by_key);
        keyed.truncate(k);
    }
    keyed.sort_unstable_by(by_key);
    keyed.into_iter().map(|(_, i)| items[i].clone()).collect()
}

/// An item's sort key (its row's order columns, read once) and its index.
type Keyed<'a> = (Vec<KeyPart<'a>>, usize);

fn sort_keys<'a, T>(
    items: &'a [T],
    order: &Order,
    row: impl Fn(&'a T) -> &'a Value,
) -> Vec<Keyed<'a>> {
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let value = row(item);
            let parts = order
                .keys()
                .iter()
                .map(|k| KeyPart::new(k, value))
                .collect();
            (parts, i)
        })
        .collect()
}

/// Reorders `items` so that position `k` holds the item that was at `permutation[k]`.
fn apply_permutation<T>(items: &mut [T], mut permutation: Vec<usize>) {
    for start in 0..permutation.len() {
        let mut current = start;
        loop {
            let next = permutation[current];
            permutation[current] = current;
            if next == start || next == current {
                break;
            }
            items.swap(current, next);
            current = next;
        }
    }
}

/// One order key of one row: the value (or null) with the key's direction and null placement.
#[derive(Debug)]
struct KeyPart<'a> {
    value: Option<SortValue<'a>>,
    desc: bool,
    nulls_first: bool,
}

impl<'a> KeyPart<'a> {
    fn new(key: &OrderKey, row: &'a Value) -> KeyPart<'a> {
        KeyPart {
            value: resolve(row, &key.path)
                .filter(|v| !v.is_null())
                .map(SortValue::of),
            desc: key.direction == Direction::Desc,
            nulls_first: key.nulls_sort_first(),
        }
    }
}

impl PartialEq for KeyPart<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for KeyPart<'_> {}

impl PartialOrd for KeyPart<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for KeyPart<'_> {
    /// Parts at the same position of two rows share `desc` and `nulls_first`.
    fn cmp(&self, other: &Self) -> Ordering {
        match (&self.value, &other.value) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) if self.nulls_first => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some(_), None) if self.nulls_first => Ordering::Greater,
            (Some(_), None) => Ordering::Less,
            (Some(a), Some(b)) if self.desc => b.cmp(a),
            (Some(a), Some(b)) => a.cmp(b),
        }
    }
}

/// A number in a total order: decimals numerically, with floats beyond the decimal range
/// below (negative) or above (positive) every decimal.
#[derive(Debug, Clone, Copy)]
enum NumberKey {
    NegativeHuge(f64),
    Decimal(Decimal),
    PositiveHuge(f64),
}

impl NumberKey {
    fn of(n: &serde_json::Number) -> NumberKey {
        match number_decimal(n) {
            Some(d) => NumberKey::Decimal(d),
            None => match n.as_f64() {
                Some(f) if f < 0.0 => NumberKey::NegativeHuge(f),
                Some(f) => NumberKey::PositiveHuge(f),
                None => NumberKey::Decimal(Decimal::ZERO),
            },
        }
    }

    fn rank(self) -> u8 {
        match self {
            NumberKey::NegativeHuge(_) => 0,
            NumberKey::Decimal(_) => 1,
            NumberKey::PositiveHuge(_) => 2,
        }
    }
}

impl PartialEq for NumberKey {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for NumberKey {}

impl PartialOrd for NumberKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for NumberKey {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (NumberKey::Decimal(a), NumberKey::Decimal(b)) => a.cmp(b),
            (NumberKey::NegativeHuge(a), NumberKey::NegativeHuge(b))
            | (NumberKey::PositiveHuge(a), NumberKey::PositiveHuge(b)) => a.total_cmp(b),
            _ => self.rank().cmp(&other.rank()),
        }
    }
}

/// A non-null JSON value in a total sort order; variants sort in declaration order.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum SortValue<'a> {
    Null,
    Bool(bool),
    Number(NumberKey),
    Instant(InstantKey),
    Text(&'a str),
    Array(Vec<SortValue<'a>>),
    Object(String),
}

impl<'a> SortValue<'a> {
    fn of(value: &'a Value) -> SortValue<'a> {
        match value {
            Value::Null => SortValue::Null,
            Value::Bool(b) => SortValue::Bool(*b),
            Value::Number(n) => SortValue::Number(NumberKey::of(n)),
            Value::String(s) => datetime(s).map_or(SortValue::Text(s), SortValue::Instant),
            Value::Array(items) => SortValue::Array(items.iter().map(SortValue::of).collect()),
            Value::Object(_) => SortValue::Object(value.to_string()),
        }
    }
}

/// The value at `path` in `row`: objects by key, arrays by index. `None` when missing.
pub(crate) fn resolve<'a>(row: &'a Value, path: &FieldPath) -> Option<&'a Value> {
    path.segments().iter().try_fold(row, |v, seg| match v {
        Value::Object(map) => map.get(seg),
        Value::Array(items) => seg.parse::<usize>().ok().and_then(|i| items.get(i)),
        _ => None,
    })
}

fn condition_matches(c: &Condition, row: &Value) -> bool {
    let value = resolve(row, c.path()).unwrap_or(&Value::Null);
    let items = c.value().items();
    // Scalar operators always carry one literal (the AST normalises shapes).
    let lit = items.first();
    match c.op() {
        Operator::Eq => lit.is_some_and(|l| cmp_literal(value, l) == Some(Ordering::Equal)),
        Operator::Neq => lit.is_some_and(|l| not_equal(value, l)),
        Operator::Lt => lit.is_some_and(|l| cmp_literal(value, l) == Some(Ordering::Less)),
        Operator::Lte => lit.is_some_and(|l| cmp_literal(value, l).is_some_and(Ordering::is_le)),
        Operator::Gt => lit.is_some_and(|l| cmp_literal(value, l) == Some(Ordering::Greater)),
        Operator::Gte => lit.is_some_and(|l| cmp_literal(value, l).is_some_and(Ordering::is_ge)),
        Operator::Alte => lit.is_some_and(|l| cmp_abs(value, l).is_some_and(Ordering::is_le)),
        Operator::Agte => lit.is_some_and(|l| cmp_abs(value, l).is_some_and(Ordering::is_ge)),
        Operator::In => {
            !value.is_null()
                && items
                    .iter()
                    .any(|l| cmp_literal(value, l) == Some(Ordering::Equal))
        }
        Operator::NotIn => {
            !value.is_null()
                && items
                    .iter()
                    .all(|l| cmp_literal(value, l) != Some(Ordering::Equal))
        }
        Operator::CiIn => match value {
            Value::String(s) => {
                let s = s.to_lowercase();
                items.iter().any(|l| l.as_str().to_lowercase() == s)
            }
            Value::Null => false,
            other => items
                .iter()
                .any(|l| cmp_literal(other, l) == Some(Ordering::Equal)),
        },
        Operator::Is => lit.is_some_and(|l| is_keyword(value, l)),
        Operator::IsNot => lit.is_some_and(|l| !is_keyword(value, l)),
        Operator::Like => lit.is_some_and(|l| like(value, l, false) == Some(true)),
        Operator::NotLike => lit.is_some_and(|l| like(value, l, false) == Some(false)),
        Operator::Ilike => lit.is_some_and(|l| like(value, l, true) == Some(true)),
        Operator::NotIlike => lit.is_some_and(|l| like(value, l, true) == Some(false)),
        Operator::Cs => json_lit(lit).is_some_and(|j| !value.is_null() && contains(value, &j)),
        Operator::Csn => value.is_null() || json_lit(lit).is_some_and(|j| contains(value, &j)),
        Operator::Cd => json_lit(lit).is_some_and(|j| !value.is_null() && contains(&j, value)),
        Operator::NotCd => json_lit(lit).is_some_and(|j| !value.is_null() && !contains(&j, value)),
        Operator::Ov => json_lit(lit).is_some_and(|j| overlaps(value, &j)),
        Operator::Any => lit.is_some_and(|l| elements(value).any(|e| equals_literal(e, l))),
        Operator::NotAny => {
            lit.is_some_and(|l| !value.is_null() && !elements(value).any(|e| equals_literal(e, l)))
        }
    }
}

/// The elements of an array column; a non-null scalar is its own single element.
fn elements(value: &Value) -> Box<dyn Iterator<Item = &Value> + '_> {
    match value {
        Value::Array(items) => Box::new(items.iter()),
        Value::Null => Box::new(std::iter::empty()),
        other => Box::new(std::iter::once(other)),
    }
}

fn equals_literal(value: &Value, lit: &Literal) -> bool {
    cmp_literal(value, lit) == Some(Ordering::Equal)
}

fn not_equal(value: &Value, lit: &Literal) -> bool {
    match value {
        Value::Array(_) | Value::Object(_) => lit.as_json().is_some_and(|j| !json_eq(value, &j)),
        _ => cmp_literal(value, lit).is_some_and(Ordering::is_ne),
    }
}

/// The text as a decimal, if it is a number (`10`, `-3.50`, `1e3`).
fn decimal(text: &str) -> Option<Decimal> {
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
fn number_decimal(n: &serde_json::Number) -> Option<Decimal> {
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
type InstantKey = (i64, u32);

/// The string as an instant, if it is a timestamp (or a date, read as midnight UTC).
fn datetime(s: &str) -> Option<InstantKey> {
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
fn fast_rfc3339(b: &[u8]) -> Option<InstantKey> {
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

fn cmp_numbers(a: &serde_json::Number, text: &str) -> Option<Ordering> {
    if let (Some(x), Some(y)) = (number_decimal(a), decimal(text)) {
        return Some(x.cmp(&y));
    }
    let y: f64 = text.trim().parse().ok()?;
    a.as_f64()?.partial_cmp(&y)
}

fn cmp_json_numbers(a: &serde_json::Number, b: &serde_json::Number) -> Option<Ordering> {
    if let (Some(x), Some(y)) = (number_decimal(a), number_decimal(b)) {
        return Some(x.cmp(&y));
    }
    a.as_f64()?.partial_cmp(&b.as_f64()?)
}

fn cmp_strings(s: &str, lit: &str) -> Ordering {
    if let (Some(a), Some(b)) = (decimal(s), decimal(lit)) {
        return a.cmp(&b);
    }
    if let (Some(a), Some(b)) = (datetime(s), datetime(lit)) {
        return a.cmp(&b);
    }
    s.cmp(lit)
}

/// Compares a row value with a literal; `None` when they cannot be compared (null, or a number
/// against a non-number...).
fn cmp_literal(value: &Value, lit: &Literal) -> Option<Ordering> {
    match value {
        Value::Null => None,
        Value::Bool(b) => lit.as_bool().map(|l| b.cmp(&l)),
        Value::Number(n) => cmp_numbers(n, lit.as_str()),
        Value::String(s) => Some(cmp_strings(s, lit.as_str())),
        Value::Array(_) | Value::Object(_) => lit
            .as_json()
            .filter(|j| json_eq(value, j))
            .map(|_| Ordering::Equal),
    }
}

fn cmp_abs(value: &Value, lit: &Literal) -> Option<Ordering> {
    let row = match value {
        Value::Number(n) => number_decimal(n)?,
        Value::String(s) => decimal(s)?,
        _ => return None,
    }
    .abs();
    Some(row.cmp(&lit.as_decimal()?))
}

fn is_keyword(value: &Value, lit: &Literal) -> bool {
    match lit.as_keyword() {
        Some(IsValue::Null | IsValue::Unknown) => value.is_null(),
        Some(IsValue::True) => value.as_bool() == Some(true),
        Some(IsValue::False) => value.as_bool() == Some(false),
        None => false,
    }
}

/// `Some(matched)`, or `None` for null (which neither matches nor fails to match).
fn like(value: &Value, lit: &Literal, case_insensitive: bool) -> Option<bool> {
    let text = match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => return None,
    };
    Some(if case_insensitive {
        Pattern::new(&lit.as_str().to_lowercase()).matches(&text.to_lowercase())
    } else {
        Pattern::new(lit.as_str()).matches(&text)
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    /// `%` or `*`: any run of characters.
    AnyRun,
    /// `_`: exactly one character.
    AnyOne,
    /// A literal character.
    Char(char),
}

/// A LIKE pattern.
struct Pattern(Vec<Token>);

impl Pattern {
    fn new(pattern: &str) -> Pattern {
        let mut tokens = Vec::new();
        let mut chars = pattern.chars();
        while let Some(c) = chars.next() {
            tokens.push(match c {
                '%' | '*' => Token::AnyRun,
                '_' => Token::AnyOne,
                '\\' => Token::Char(chars.next().unwrap_or('\\')),
                c => Token::Char(c),
            });
        }
        Pattern(tokens)
    }

    /// Wildcard matching with single-star backtracking: O(pattern x text) at worst.
    fn matches(&self, text: &str) -> bool {
        let text: Vec<char> = text.chars().collect();
        let pat = &self.0;
        let (mut p, mut t) = (0, 0);
        let mut star: Option<(usize, usize)> = None;
        while t < text.len() {
            match pat.get(p) {
                Some(Token::AnyRun) => {
                    star = Some((p, t));
                    p += 1;
                }
                Some(Token::AnyOne) => {
                    p += 1;
                    t += 1;
                }
                Some(Token::Char(c)) if *c == text[t] => {
                    p += 1;
                    t += 1;
                }
                _ => match star {
                    Some((sp, st)) => {
                        p = sp + 1;
                        t = st + 1;
                        star = Some((sp, st + 1));
                    }
                    None => return false,
                },
            }
        }
        pat[p.min(pat.len())..].iter().all(|t| *t == Token::AnyRun)
    }
}

/// The JSON value of a `cs`/`cd`/`ov` literal: JSON, or a PostgreSQL array literal `{a,b}`.
fn json_lit(lit: Option<&Literal>) -> Option<Value> {
    let lit = lit?;
    if let Some(j) = lit.as_json() {
        return Some(j);
    }
    let inner = lit.as_str().trim().strip_prefix('{')?.strip_suffix('}')?;
    if inner.trim().is_empty() {
        return Some(Value::Array(Vec::new()));
    }
    Some(Value::Array(
        inner
            .split(',')
            .map(|s| Value::String(s.trim().trim_matches('"').to_owned()))
            .collect(),
    ))
}

/// Scalar equality, numbers numerically, and a number equal to a string holding that number.
fn scalar_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => cmp_json_numbers(x, y).is_some_and(Ordering::is_eq),
        (Value::Number(n), Value::String(s)) | (Value::String(s), Value::Number(n)) => {
            cmp_numbers(n, s).is_some_and(Ordering::is_eq)
        }
        _ => a == b,
    }
}

/// JSON equality with numbers compared numerically.
fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_eq(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => scalar_eq(a, b),
    }
}

/// PostgreSQL `jsonb` containment: whether `outer @> inner`.
fn contains(outer: &Value, inner: &Value) -> bool {
    match (outer, inner) {
        (Value::Object(a), Value::Object(b)) => b
            .iter()
            .all(|(k, v)| a.get(k).is_some_and(|w| contains(w, v))),
        (Value::Array(a), Value::Array(b)) => b.iter().all(|v| a.iter().any(|w| contains(w, v))),
        // An array contains a scalar that is one of its elements.
        (Value::Array(a), scalar) if !scalar.is_object() => a.iter().any(|w| scalar_eq(w, scalar)),
        (Value::Object(_) | Value::Array(_), _) | (_, Value::Object(_) | Value::Array(_)) => false,
        _ => scalar_eq(outer, inner),
    }
}

/// Whether two arrays have an element in common.
fn overlaps(value: &Value, lit: &Value) -> bool {
    match (value, lit) {
        (Value::Array(a), Value::Array(b)) => a.iter().any(|x| b.iter().any(|y| json_eq(x, y))),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use fyle_models::query::{Filter, Order, OrderKey};
    use serde_json::{Value, json};

    use super::{
        compare, datetime, fast_rfc3339, first_by_order, matches, sort_by_order, sort_rows,
    };

    fn expense() -> Value {
        json!({
            "id": "txABC",
            "state": "APPROVED",
            "amount": 120.5,
            "claim_amount": -40,
            "currency": "USD",
            "merchant": "Starbucks Coffee",
            "is_reimbursable": true,
            "report_id": null,
            "spent_at": "2020-06-01T10:00:00.000+05:30",
            "updated_at": "2021-09-30T11:00:57.000Z",
            "category_ids": [115_260, 115_257, 3],
            "options": ["KM", "MILES"],
            "cost_center": {"id": 6632, "code": "13597", "name": "Corporate"},
            "custom_fields": [{"name": "Project Code", "value": "P-1"}],
            "numeric_text": "42.0",
        })
    }

    /// Parses a query string (as the sandbox does) and evaluates it against the expense.
    fn q(query: &str) -> bool {
        let filter = Filter::parse_query_string(query).expect("the test query parses");
        matches(&filter, &expense())
    }

    #[test]
    fn comparisons_use_numbers_timestamps_and_strings() {
        assert!(q("amount=gt.100"));
        assert!(q("amount=eq.120.50"));
        assert!(q("amount=neq.531"));
        assert!(!q("amount=lt.100"));
        assert!(q("amount=lte.120.5&amount=gte.120.5"));
        assert!(q("numeric_text=eq.42"));
        assert!(q("state=eq.APPROVED"));
        assert!(!q("state=eq.approved"));
        assert!(q("state=gt.AAA"));
        // 10:00+05:30 is 04:30Z: compared as instants, not as text.
        assert!(q("spent_at=eq.2020-06-01T04:30:00Z"));
        assert!(q("spent_at=lt.2020-06-01T05:00:00%2B00:00"));
        assert!(q("spent_at=gte.2020-05-31T20:30:00-08:00"));
        assert!(q("updated_at=gte.2021-09-30"));
        assert!(q("is_reimbursable=eq.true"));
        assert!(q("is_reimbursable=eq.True"));
        assert!(!q("is_reimbursable=eq.false"));
        // Null and missing never compare.
        assert!(!q("report_id=eq.null"));
        assert!(!q("report_id=neq.x"));
        assert!(!q("nope=neq.x"));
        assert!(!q("amount=gt.abc"));
        // Nested paths.
        assert!(q("cost_center->name=eq.Corporate"));
        assert!(q("cost_center->id=eq.6632"));
        assert!(q("custom_fields->0->value=eq.P-1"));
        assert!(!q("cost_center->missing->deeper=eq.x"));
        // JSON equality.
        assert!(q("category_ids=eq.[115260,115257,3]"));
        assert!(q("category_ids=neq.[1]"));
    }

    #[test]
    fn absolute_value_operators() {
        assert!(q("claim_amount=agte.40"));
        assert!(q("claim_amount=alte.40"));
        assert!(!q("claim_amount=alte.39.99"));
        assert!(!q("claim_amount=agte.41"));
        assert!(q("amount=agte.0"));
    }

    #[test]
    fn list_operators() {
        assert!(q("state=in.(APPROVED,PAID)"));
        assert!(!q("state=in.(DRAFT,PAID)"));
        assert!(!q("state=in.()"));
        assert!(q("state=not_in.(DRAFT,PAID)"));
        assert!(!q("state=not_in.(APPROVED)"));
        assert!(q("amount=in.(1,120.50)"));
        assert!(q("merchant=ci_in.(%22starbucks%20coffee%22,x)"));
        assert!(!q("merchant=in.(%22starbucks%20coffee%22,x)"));
        assert!(!q("report_id=not_in.(x)"));
    }

    #[test]
    fn is_operators() {
        assert!(q("report_id=is.null"));
        assert!(q("not_a_column=is.null"));
        assert!(!q("state=is.null"));
        assert!(q("state=is_not.null"));
        assert!(q("is_reimbursable=is.true"));
        assert!(!q("is_reimbursable=is.false"));
        assert!(q("is_reimbursable=is_not.false"));
        assert!(q("report_id=is_not.true"));
        assert!(q("report_id=is.unknown"));
    }

    #[test]
    fn pattern_operators() {
        assert!(q("merchant=like.Star%25"));
        assert!(q("merchant=like.%25Coffee"));
        assert!(q("merchant=like.Star*"));
        assert!(q("merchant=like.S_arbucks%25"));
        assert!(!q("merchant=like.star%25"));
        assert!(q("merchant=ilike.star%25"));
        assert!(q("merchant=not_like.star%25"));
        assert!(!q("merchant=not_ilike.%25COFFEE"));
        assert!(q("cost_center->name=like.%25porate%25"));
        assert!(q("amount=like.120%25"));
        assert!(!q("report_id=like.%25"));
        assert!(!q("report_id=not_like.x"));
        assert!(q("merchant=like.Starbucks%20Coffee"));
        assert!(!q("merchant=like.Starbucks"));
        // `\` escapes a wildcard.
        assert!(!q("merchant=like.Star\\%25"));
        assert!(matches(
            &Filter::new().like("p", "100\\%"),
            &json!({"p": "100%"})
        ));
    }

    #[test]
    fn json_operators() {
        assert!(q("category_ids=cs.[115260, 115257]"));
        assert!(!q("category_ids=cs.[115260, 1]"));
        assert!(q("category_ids=cs.[]"));
        assert!(q("cost_center=cs.{\"code\":\"13597\",\"id\":6632}"));
        assert!(!q("cost_center=cs.{\"code\":\"1\"}"));
        assert!(q("category_ids=cd.[115260,115257,3,4]"));
        assert!(!q("category_ids=cd.[115260]"));
        assert!(q("category_ids=not_cd.[115260]"));
        assert!(!q("category_ids=not_cd.[115260,115257,3]"));
        assert!(q(
            "cost_center=cd.{\"id\":6632,\"code\":\"13597\",\"name\":\"Corporate\",\"x\":1}"
        ));
        assert!(q("category_ids=ov.[115249, 3]"));
        assert!(!q("category_ids=ov.[115249, 115248]"));
        assert!(q("report_id=csn.[1]"));
        assert!(q("category_ids=csn.[3]"));
        assert!(!q("category_ids=csn.[4]"));
        assert!(!q("report_id=cs.[1]"));
        assert!(q("options=cs.{KM}"));
        assert!(!q("category_ids=cs.not-json"));
    }

    #[test]
    fn array_element_operators() {
        assert!(q("category_ids=any.115257"));
        assert!(!q("category_ids=any.1"));
        assert!(q("options=any.%22KM%22"));
        assert!(q("options=any.KM"));
        assert!(q("options=not_any.LITRES"));
        assert!(!q("options=not_any.KM"));
        assert!(!q("report_id=not_any.KM"));
    }

    #[test]
    fn groups_nest() {
        assert!(q(
            "and=(or=(currency.eq.USD,currency.eq.EUR),amount.lt.500)"
        ));
        assert!(!q(
            "and=(or=(currency.eq.GBP,currency.eq.EUR),amount.lt.500)"
        ));
        assert!(q("or=(amount.lt.100, id.eq.txABC)"));
        assert!(!q("or=(amount.lt.100, id.eq.nope)"));
        assert!(q(
            "or=(state.eq.X,and=(or=(category_ids.cs.[3]),merchant.ilike.*coffee))"
        ));
        assert!(q("and=()"));
        assert!(!q("or=()"));
        // Top-level pairs are ANDed.
        assert!(!q("state=eq.APPROVED&currency=eq.EUR"));
        assert!(matches(&Filter::new(), &expense()));
    }

    #[test]
    fn raw_clauses_are_parsed_then_evaluated() {
        let row = expense();
        assert!(matches(&Filter::new().raw("state", "eq.APPROVED"), &row));
        assert!(matches(
            &Filter::new().or(|g| g.raw("state", "eq.X").raw("amount", "gt.1")),
            &row
        ));
        assert!(!matches(&Filter::new().raw("state", "bogus"), &row));
    }

    #[test]
    fn sorting_follows_postgres_defaults() {
        let rows = [
            json!({"id": "a", "amount": 10, "at": "2020-01-01T00:00:00+05:30"}),
            json!({"id": "b", "amount": null, "at": "2020-01-01T00:00:00Z"}),
            json!({"id": "c", "amount": 2.5, "at": "2019-12-31T20:00:00-08:00"}),
            json!({"id": "d", "at": "2020-01-01T00:00:00Z"}),
            json!({"id": "e", "amount": 10, "at": "2019-06-01T00:00:00Z"}),
        ];
        let ids = |order: &str| {
            let order = Order::parse(order).expect("the test order parses");
            let mut sorted: Vec<&Value> = rows.iter().collect();
            sort_rows(&mut sorted, &order);
            sorted
                .iter()
                .map(|r| r["id"].as_str().unwrap_or("?"))
                .collect::<Vec<_>>()
                .join("")
        };
        // Nulls and missing last ascending, first descending; ties keep input order.
        assert_eq!(ids("amount.asc"), "caebd");
        assert_eq!(ids("amount.desc"), "bdaec");
        assert_eq!(ids("amount.asc.nullsfirst"), "bdcae");
        assert_eq!(ids("amount.desc.nullslast"), "aecbd");
        assert_eq!(ids("amount.asc,id.desc"), "ceadb");
        // Timestamps sort as instants: a (18:30Z on Dec 31) < b = d (00:00Z) < c (04:00Z Jan 1).
        assert_eq!(ids("at.asc,id.asc"), "eabdc");
        assert_eq!(ids("at.desc,id.asc"), "cbdae");
        let a = json!({"x": {"y": 2}});
        let b = json!({"x": {"y": 10}});
        let order = Order::new().then(OrderKey::asc("x->y"));
        assert_eq!(compare(&order, &a, &b), std::cmp::Ordering::Less);
        assert_eq!(compare(&Order::new(), &a, &b), std::cmp::Ordering::Equal);
        let mut owned = vec![b.clone(), a.clone()];
        sort_rows(&mut owned, &order);
        assert_eq!(owned, [a, b]);
    }

    #[test]
    fn builder_filters_evaluate_like_parsed_ones() {
        let row = expense();
        let f = Filter::new()
            .eq("state", "APPROVED")
            .gte("amount", fyle_models::query::Decimal::new(10, 0))
            .or(|g| g.eq("currency", "USD").eq("currency", "EUR"))
            .field(fyle_models::query::FieldPath::new("cost_center").get("name"))
            .ilike("%corp%")
            .is_in("state", ["APPROVED", "PAID"])
            .cs("category_ids", vec![3])
            .is_null("report_id");
        assert!(matches(&f, &row));
        let reparsed = Filter::parse_query_string(&f.to_query_string()).expect("round trip");
        assert!(matches(&reparsed, &row));
        assert!(!matches(&f.clone().eq("currency", "EUR"), &row));
    }

    #[test]
    fn fast_timestamp_parse_agrees_with_the_time_crate() {
        use fyle_models::query::Literal;
        for text in [
            "2020-06-01T00:00:00Z",
            "2020-06-01T00:00:00.000-08:00",
            "2021-09-30T11:00:57.123456789+05:30",
            "1969-12-31T23:59:59.5Z",
            "2000-02-29T12:00:00+14:00",
            "2024-12-31 23:59:59-00:30",
            "0001-01-01T00:00:00Z",
        ] {
            let slow = Literal::new(text)
                .as_datetime()
                .map(|t| (t.unix_timestamp(), t.nanosecond()));
            assert!(slow.is_some(), "{text}");
            assert_eq!(fast_rfc3339(text.as_bytes()), slow, "{text}");
        }
        // Not in the fast form: the full parser decides.
        for text in [
            "2021-02-29T00:00:00Z",
            "2020-06-01T24:00:00Z",
            "2020-06-01T00:00:00",
        ] {
            assert_eq!(fast_rfc3339(text.as_bytes()), None, "{text}");
        }
        assert_eq!(datetime("2020-06-01"), Some((1_590_969_600, 0)));
        assert_eq!(datetime("2020-06-01T00:00:00"), Some((1_590_969_600, 0)));
        assert_eq!(datetime("2021-02-29T00:00:00Z"), None);
        assert_eq!(datetime("APPROVED"), None);
    }

    #[test]
    fn cached_sort_agrees_with_compare_on_mixed_columns() {
        let values = [
            json!(null),
            json!(true),
            json!(false),
            json!(-1e300),
            json!(1e300),
            json!(-2),
            json!(2.5),
            json!(18_446_744_073_709_551_615_u64),
            json!("2020-01-01T00:00:00Z"),
            json!("2019-12-31T23:00:00-02:00"),
            json!("2020-01-01"),
            json!("abc"),
            json!("Abc"),
            json!(""),
            json!([1, 2]),
            json!([1]),
            json!(["x", null]),
            json!({"a": 1}),
            json!({}),
        ];
        let rows: Vec<Value> = values
            .iter()
            .enumerate()
            .map(|(i, v)| json!({"i": i, "v": v}))
            .collect();
        for text in [
            "v.asc",
            "v.desc",
            "v.asc.nullsfirst",
            "v.desc.nullslast,i.desc",
        ] {
            let order = Order::parse(text).expect("the test order parses");
            // A total order: antisymmetric and transitive on every triple.
            for a in &rows {
                for b in &rows {
                    assert_eq!(compare(&order, a, b), compare(&order, b, a).reverse());
                    for c in &rows {
                        if compare(&order, a, b).is_le() && compare(&order, b, c).is_le() {
                            assert!(compare(&order, a, c).is_le(), "{a} {b} {c}");
                        }
                    }
                }
            }
            let mut by_compare: Vec<&Value> = rows.iter().rev().collect();
            by_compare.sort_by(|a, b| compare(&order, a, b));
            // Items carrying their row, as the sandbox's (full row, stored row) pairs do.
            let mut cached: Vec<(&Value, usize)> = rows.iter().rev().zip(0..).collect();
            sort_by_order(&mut cached, &order, |(row, _)| row);
            let cached: Vec<&Value> = cached.into_iter().map(|(row, _)| row).collect();
            assert_eq!(by_compare, cached, "{text}");
            // The partial selection is the stable sort's prefix, ties (the doubled rows, told
            // apart by their position) in input order.
            let doubled: Vec<(&Value, usize)> =
                rows.iter().chain(rows.iter()).rev().zip(0..).collect();
            let mut sorted = doubled.clone();
            sorted.sort_by(|a, b| compare(&order, a.0, b.0));
            for k in [0, 1, 5, 19, 37, 38, 50] {
                let first = first_by_order(&doubled, &order, k, |(row, _)| row);
                let expected: Vec<(&Value, usize)> = sorted.iter().take(k).copied().collect();
                assert_eq!(first, expected, "{text} k={k}");
            }
        }
        let ids = |order: &str| {
            let order = Order::parse(order).expect("the test order parses");
            let mut sorted = rows.clone();
            sort_rows(&mut sorted, &order);
            sorted
                .iter()
                .map(|r| r["i"].to_string())
                .collect::<Vec<_>>()
                .join(",")
        };
        // Numbers numerically (huge floats at the ends), timestamps as instants before text.
        assert_eq!(
            ids("v.asc"),
            "2,1,3,5,6,7,4,8,10,9,13,12,11,15,14,16,17,18,0"
        );
    }
}
