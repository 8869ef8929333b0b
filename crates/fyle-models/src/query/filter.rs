//! The filter AST and its fluent builder.

use std::fmt;

use super::operator::{Operator, ValueKind};
use super::path::FieldPath;
use super::value::{FilterValue, IsValue, Literal};

/// One condition: `path op value`, printed `path=op.value` at the top level and `path.op.value`
/// inside a group.
///
/// The value always has the shape its operator takes: [`Condition::new`] wraps a single literal
/// into a one-item list for `in`/`not_in`/`ci_in`, and turns a list given to any other operator
/// into the literal text `(a,b)` it would be printed as.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Condition {
    path: FieldPath,
    op: Operator,
    value: FilterValue,
}

impl Condition {
    /// A condition, with the value normalised to the operator's shape.
    pub fn new(path: impl Into<FieldPath>, op: Operator, value: impl Into<FilterValue>) -> Self {
        let value = match (op.value_kind(), value.into()) {
            (ValueKind::List, FilterValue::Literal(l)) => FilterValue::List(vec![l]),
            (ValueKind::List, v @ FilterValue::List(_)) | (_, v @ FilterValue::Literal(_)) => v,
            (_, FilterValue::List(items)) => {
                FilterValue::Literal(Literal::new(super::print::list_text(&items)))
            }
        };
        Condition {
            path: path.into(),
            op,
            value,
        }
    }

    /// The column and JSON keys.
    pub fn path(&self) -> &FieldPath {
        &self.path
    }

    /// The operator.
    pub fn op(&self) -> Operator {
        self.op
    }

    /// The value: a list for `in`/`not_in`/`ci_in`, a literal otherwise.
    pub fn value(&self) -> &FilterValue {
        &self.value
    }
}

/// One node of a filter: a condition, an `and`/`or` group (nested to any depth), or a raw pair.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Clause {
    /// `path=op.value`.
    Condition(Condition),
    /// `and=(...)`: every clause holds.
    And(Vec<Clause>),
    /// `or=(...)`: at least one clause holds.
    Or(Vec<Clause>),
    /// An escape hatch printed verbatim: `key=value` at the top level, `key.value` inside a
    /// group. The parser never produces it.
    Raw {
        /// The query key (or the text before the first `.` inside a group).
        key: String,
        /// The query value, unencoded.
        value: String,
    },
}

impl From<Condition> for Clause {
    fn from(c: Condition) -> Clause {
        Clause::Condition(c)
    }
}

/// A filter: a list of clauses that all hold, each printed as one query pair.
///
/// It is also the builder: each operator has a method taking a path (`"cost_center->name"` or a
/// [`FieldPath`]) and a typed value, and [`Filter::and`]/[`Filter::or`] build groups from a
/// closure that receives an empty `Filter`. [`Filter::field`] fixes the path first.
///
/// ```
/// use fyle_models::query::{Filter, FieldPath};
/// use rust_decimal::Decimal;
///
/// let filter = Filter::new()
///     .eq("state", "APPROVED")
///     .gte("amount", Decimal::new(10, 0))
///     .or(|g| g.eq("currency", "USD").eq("currency", "EUR"))
///     .field(FieldPath::new("cost_center").get("name"))
///     .ilike("%corp%");
/// assert_eq!(
///     filter.to_query_string(),
///     "state=eq.APPROVED&amount=gte.10&or=(currency.eq.USD,currency.eq.EUR)\
///      &cost_center-%3Ename=ilike.%25corp%25"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Filter {
    clauses: Vec<Clause>,
}

macro_rules! scalar_ops {
    ($($(#[$doc:meta])* $name:ident => $op:ident;)*) => {
        impl Filter {$(
            $(#[$doc])*
            #[must_use]
            pub fn $name(self, path: impl Into<FieldPath>, value: impl Into<FilterValue>) -> Filter {
                self.condition(path, Operator::$op, value)
            }
        )*}
        impl FieldFilter {$(
            $(#[$doc])*
            #[must_use]
            pub fn $name(self, value: impl Into<FilterValue>) -> Filter {
                self.filter.condition(self.path, Operator::$op, value)
            }
        )*}
    };
}

macro_rules! list_ops {
    ($($(#[$doc:meta])* $name:ident => $op:ident;)*) => {
        impl Filter {$(
            $(#[$doc])*
            #[must_use]
            pub fn $name<I>(self, path: impl Into<FieldPath>, items: I) -> Filter
            where
                I: IntoIterator,
                I::Item: Into<Literal>,
            {
                self.condition(path, Operator::$op, FilterValue::list(items))
            }
        )*}
        impl FieldFilter {$(
            $(#[$doc])*
            #[must_use]
            pub fn $name<I>(self, items: I) -> Filter
            where
                I: IntoIterator,
                I::Item: Into<Literal>,
            {
                self.filter.condition(self.path, Operator::$op, FilterValue::list(items))
            }
        )*}
    };
}

macro_rules! keyword_ops {
    ($($(#[$doc:meta])* $name:ident => $op:ident;)*) => {
        impl Filter {$(
            $(#[$doc])*
            #[must_use]
            pub fn $name(self, path: impl Into<FieldPath>, value: impl Into<IsValue>) -> Filter {
                self.condition(path, Operator::$op, value.into())
            }
        )*}
        impl FieldFilter {$(
            $(#[$doc])*
            #[must_use]
            pub fn $name(self, value: impl Into<IsValue>) -> Filter {
                self.filter.condition(self.path, Operator::$op, value.into())
            }
        )*}
    };
}

macro_rules! json_ops {
    ($($(#[$doc:meta])* $name:ident => $op:ident;)*) => {
        impl Filter {$(
            $(#[$doc])*
            #[must_use]
            pub fn $name(self, path: impl Into<FieldPath>, value: impl Into<serde_json::Value>) -> Filter {
                self.condition(path, Operator::$op, FilterValue::json(&value.into()))
            }
        )*}
        impl FieldFilter {$(
            $(#[$doc])*
            #[must_use]
            pub fn $name(self, value: impl Into<serde_json::Value>) -> Filter {
                self.filter.condition(self.path, Operator::$op, FilterValue::json(&value.into()))
            }
        )*}
    };
}

scalar_ops! {
    /// `eq`: equals (`project_id=eq.pr123`).
    eq => Eq;
    /// `neq`: not equals.
    neq => Neq;
    /// `lt`: less than.
    lt => Lt;
    /// `lte`: less than or equal to.
    lte => Lte;
    /// `gt`: greater than.
    gt => Gt;
    /// `gte`: greater than or equal to.
    gte => Gte;
    /// `alte`: absolute value less than or equal to.
    alte => Alte;
    /// `agte`: absolute value greater than or equal to.
    agte => Agte;
    /// `like`: case-sensitive pattern (`%` any run of characters, `_` one character).
    like => Like;
    /// `not_like`: does not match the case-sensitive pattern.
    not_like => NotLike;
    /// `ilike`: case-insensitive pattern.
    ilike => Ilike;
    /// `not_ilike`: does not match the case-insensitive pattern.
    not_ilike => NotIlike;
    /// `any`: an element of the array column equals the value.
    any => Any;
    /// `not_any`: no element of the array column equals the value.
    not_any => NotAny;
}

list_ops! {
    /// `in`: is one of the items (`id=in.(id1,id2)`). Named `is_in` because `in` is a keyword.
    is_in => In;
    /// `not_in`: is none of the items.
    not_in => NotIn;
    /// `ci_in`: is one of the items, case-insensitively.
    ci_in => CiIn;
}

keyword_ops! {
    /// `is`: is `null`/`true`/`false`/`unknown` (a `bool` or an [`IsValue`]).
    is => Is;
    /// `is_not`: is not `null`/`true`/`false`/`unknown`.
    is_not => IsNot;
}

json_ops! {
    /// `cs`: contains the JSON value (`category_ids=cs.[115260,115257]`); anything convertible
    /// to `serde_json::Value`, e.g. a `Vec<i64>` or `json!({"code": "13597"})`.
    cs => Cs;
    /// `csn`: contains the JSON value, or is null.
    csn => Csn;
    /// `cd`: is contained by the JSON value.
    cd => Cd;
    /// `not_cd`: is not contained by the JSON value.
    not_cd => NotCd;
    /// `ov`: has elements in common with the JSON array.
    ov => Ov;
}

impl Filter {
    /// An empty filter (matches everything).
    pub fn new() -> Filter {
        Filter::default()
    }

    /// Adds a condition with any operator and value.
    #[must_use]
    pub fn condition(
        mut self,
        path: impl Into<FieldPath>,
        op: Operator,
        value: impl Into<FilterValue>,
    ) -> Filter {
        self.clauses
            .push(Clause::Condition(Condition::new(path, op, value)));
        self
    }

    /// Adds any clause.
    #[must_use]
    pub fn clause(mut self, clause: impl Into<Clause>) -> Filter {
        self.clauses.push(clause.into());
        self
    }

    /// Adds `path=is.null`.
    #[must_use]
    pub fn is_null(self, path: impl Into<FieldPath>) -> Filter {
        self.is(path, IsValue::Null)
    }

    /// Adds `path=is_not.null`.
    #[must_use]
    pub fn is_not_null(self, path: impl Into<FieldPath>) -> Filter {
        self.is_not(path, IsValue::Null)
    }

    /// Adds an `and=(...)` group built by the closure (which starts from an empty filter).
    #[must_use]
    pub fn and(mut self, build: impl FnOnce(Filter) -> Filter) -> Filter {
        self.clauses.push(Clause::And(build(Filter::new()).clauses));
        self
    }

    /// Adds an `or=(...)` group built by the closure (which starts from an empty filter).
    #[must_use]
    pub fn or(mut self, build: impl FnOnce(Filter) -> Filter) -> Filter {
        self.clauses.push(Clause::Or(build(Filter::new()).clauses));
        self
    }

    /// Adds a raw pair, printed verbatim (`key=value`; `key.value` inside a group), for anything
    /// the builder lacks.
    #[must_use]
    pub fn raw(mut self, key: impl Into<String>, value: impl Into<String>) -> Filter {
        self.clauses.push(Clause::Raw {
            key: key.into(),
            value: value.into(),
        });
        self
    }

    /// Fixes the path of the next condition: `.field("cost_center->name").ilike("%corp%")`.
    pub fn field(self, path: impl Into<FieldPath>) -> FieldFilter {
        FieldFilter {
            filter: self,
            path: path.into(),
        }
    }

    /// The clauses, in order.
    pub fn clauses(&self) -> &[Clause] {
        &self.clauses
    }

    /// Iterates over the top-level clauses.
    pub fn iter(&self) -> std::slice::Iter<'_, Clause> {
        self.clauses.iter()
    }

    /// The clauses, owned.
    pub fn into_clauses(self) -> Vec<Clause> {
        self.clauses
    }

    /// Whether there is no clause.
    pub fn is_empty(&self) -> bool {
        self.clauses.is_empty()
    }

    /// The number of top-level clauses.
    pub fn len(&self) -> usize {
        self.clauses.len()
    }
}

impl From<Vec<Clause>> for Filter {
    fn from(clauses: Vec<Clause>) -> Filter {
        Filter { clauses }
    }
}

impl FromIterator<Clause> for Filter {
    fn from_iter<T: IntoIterator<Item = Clause>>(iter: T) -> Filter {
        Filter {
            clauses: iter.into_iter().collect(),
        }
    }
}

impl Extend<Clause> for Filter {
    fn extend<T: IntoIterator<Item = Clause>>(&mut self, iter: T) {
        self.clauses.extend(iter);
    }
}

impl IntoIterator for Filter {
    type Item = Clause;
    type IntoIter = std::vec::IntoIter<Clause>;

    fn into_iter(self) -> Self::IntoIter {
        self.clauses.into_iter()
    }
}

impl<'a> IntoIterator for &'a Filter {
    type Item = &'a Clause;
    type IntoIter = std::slice::Iter<'a, Clause>;

    fn into_iter(self) -> Self::IntoIter {
        self.clauses.iter()
    }
}

impl fmt::Display for Filter {
    /// The percent-encoded query string (same as [`Filter::to_query_string`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_query_string())
    }
}

/// A [`Filter`] waiting for the operator of a condition on a fixed path; see [`Filter::field`].
#[derive(Debug, Clone)]
#[must_use = "a FieldFilter adds nothing until an operator method is called"]
pub struct FieldFilter {
    filter: Filter,
    path: FieldPath,
}

impl FieldFilter {
    /// `is.null`.
    pub fn is_null(self) -> Filter {
        self.is(IsValue::Null)
    }

    /// `is_not.null`.
    pub fn is_not_null(self) -> Filter {
        self.is_not(IsValue::Null)
    }

    /// Any operator and value.
    pub fn op(self, op: Operator, value: impl Into<FilterValue>) -> Filter {
        self.filter.condition(self.path, op, value)
    }
}
