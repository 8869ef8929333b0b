//! The filter operators of the Fyle Data API.

use std::fmt;
use std::str::FromStr;

/// A filter operator, as listed in Fyle's Data API guide.
///
/// Fyle's operator set is its own (PostgREST-inspired): negation is part of the name (`not_in`,
/// `not_like`, ...), never a `not.` prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Operator {
    /// `eq`: equals.
    Eq,
    /// `neq`: not equals.
    Neq,
    /// `lt`: less than.
    Lt,
    /// `lte`: less than or equal to.
    Lte,
    /// `gt`: greater than.
    Gt,
    /// `gte`: greater than or equal to.
    Gte,
    /// `alte`: absolute value less than or equal to.
    Alte,
    /// `agte`: absolute value greater than or equal to.
    Agte,
    /// `in`: is one of a list.
    In,
    /// `not_in`: is not one of a list.
    NotIn,
    /// `ci_in`: is one of a list, case-insensitively.
    CiIn,
    /// `is`: is `null`, `true`, `false` (or `unknown`).
    Is,
    /// `is_not`: is not `null`, `true`, `false` (or `unknown`).
    IsNot,
    /// `like`: matches a case-sensitive pattern (`%` any run, `_` one character).
    Like,
    /// `not_like`: does not match a case-sensitive pattern.
    NotLike,
    /// `ilike`: matches a case-insensitive pattern.
    Ilike,
    /// `not_ilike`: does not match a case-insensitive pattern.
    NotIlike,
    /// `cs`: contains (arrays, JSON objects); the value is a JSON literal.
    Cs,
    /// `csn`: contains, or the column is null; the value is a JSON literal.
    Csn,
    /// `cd`: is contained by; the value is a JSON literal.
    Cd,
    /// `not_cd`: is not contained by; the value is a JSON literal.
    NotCd,
    /// `ov`: overlaps (has elements in common); the value is a JSON array literal.
    Ov,
    /// `any`: any element of the array column equals the value.
    Any,
    /// `not_any`: no element of the array column equals the value.
    NotAny,
}

/// The shape of value an [`Operator`] takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValueKind {
    /// One literal: `eq.10`, `like.%corp%`, `any.KM`.
    Scalar,
    /// A parenthesised list: `in.(a,b,c)`.
    List,
    /// One of the keywords `null`, `true`, `false`, `unknown`: `is.null`.
    Keyword,
    /// A JSON literal: `cs.[1,2]`, `cd.{"code":"13597"}`.
    Json,
}

impl Operator {
    /// Every operator, in the order of the Data API guide.
    pub const ALL: [Operator; 24] = [
        Operator::Eq,
        Operator::Neq,
        Operator::Lt,
        Operator::Lte,
        Operator::Gt,
        Operator::Gte,
        Operator::Alte,
        Operator::Agte,
        Operator::In,
        Operator::NotIn,
        Operator::CiIn,
        Operator::Is,
        Operator::IsNot,
        Operator::Like,
        Operator::NotLike,
        Operator::Ilike,
        Operator::NotIlike,
        Operator::Cs,
        Operator::Csn,
        Operator::Cd,
        Operator::NotCd,
        Operator::Ov,
        Operator::Any,
        Operator::NotAny,
    ];

    /// The operator's name on the wire (`"not_in"`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Operator::Eq => "eq",
            Operator::Neq => "neq",
            Operator::Lt => "lt",
            Operator::Lte => "lte",
            Operator::Gt => "gt",
            Operator::Gte => "gte",
            Operator::Alte => "alte",
            Operator::Agte => "agte",
            Operator::In => "in",
            Operator::NotIn => "not_in",
            Operator::CiIn => "ci_in",
            Operator::Is => "is",
            Operator::IsNot => "is_not",
            Operator::Like => "like",
            Operator::NotLike => "not_like",
            Operator::Ilike => "ilike",
            Operator::NotIlike => "not_ilike",
            Operator::Cs => "cs",
            Operator::Csn => "csn",
            Operator::Cd => "cd",
            Operator::NotCd => "not_cd",
            Operator::Ov => "ov",
            Operator::Any => "any",
            Operator::NotAny => "not_any",
        }
    }

    /// Looks an operator up by its wire name (exact, lower case). `None` if unknown.
    pub fn from_name(name: &str) -> Option<Operator> {
        Operator::ALL.into_iter().find(|op| op.as_str() == name)
    }

    /// The shape of value this operator takes.
    pub const fn value_kind(self) -> ValueKind {
        match self {
            Operator::In | Operator::NotIn | Operator::CiIn => ValueKind::List,
            Operator::Is | Operator::IsNot => ValueKind::Keyword,
            Operator::Cs | Operator::Csn | Operator::Cd | Operator::NotCd | Operator::Ov => {
                ValueKind::Json
            }
            _ => ValueKind::Scalar,
        }
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of [`Operator::from_str`]: the name is not a Fyle operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownOperator(pub String);

impl fmt::Display for UnknownOperator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown filter operator {:?}", self.0)
    }
}

impl std::error::Error for UnknownOperator {}

impl FromStr for Operator {
    type Err = UnknownOperator;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Operator::from_name(s).ok_or_else(|| UnknownOperator(s.to_owned()))
    }
}
