//! Filter evaluation: whether a row satisfies a clause, operator by operator (see the module
//! above for the semantics of each family).

use std::cmp::Ordering;

use fyle_models::query::{Clause, Condition, FieldPath, Filter, IsValue, Literal, Operator};
use serde_json::Value;

use super::like::like;
use super::scalars::{datetime, decimal, number_decimal};

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
