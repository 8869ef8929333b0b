//! Ordering: a total order over JSON rows by an `Order` (PostgreSQL's null placement, numbers
//! numerically, timestamps as instants), a cached-key stable sort and a top-`k` selection.

use std::borrow::Borrow;
use std::cmp::Ordering;

use fyle_models::query::{Decimal, Direction, Order, OrderKey};
use serde_json::Value;
use time::OffsetDateTime;

use super::filter::resolve;
use super::scalars::{datetime, number_decimal};

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
    Instant(OffsetDateTime),
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
