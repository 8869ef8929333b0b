//! `order`: several columns, each ascending or descending, optionally nulls first or last.

use std::fmt;
use std::str::FromStr;

use super::parse::{ParseError, ParseErrorKind};
use super::path::FieldPath;

/// A sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Direction {
    /// `asc` (the default when a column has no direction).
    #[default]
    Asc,
    /// `desc`.
    Desc,
}

impl Direction {
    /// `"asc"` or `"desc"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Direction::Asc => "asc",
            Direction::Desc => "desc",
        }
    }
}

/// Where nulls sort.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Nulls {
    /// `nullsfirst`.
    First,
    /// `nullslast`.
    Last,
}

impl Nulls {
    /// `"nullsfirst"` or `"nullslast"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Nulls::First => "nullsfirst",
            Nulls::Last => "nullslast",
        }
    }
}

/// One column of an [`Order`]: `updated_at.desc`, `cost_center->name.asc.nullsfirst`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OrderKey {
    /// The column (or JSON path).
    pub path: FieldPath,
    /// The direction.
    pub direction: Direction,
    /// Where nulls go; `None` is the server default (PostgreSQL: last for `asc`, first for
    /// `desc`).
    pub nulls: Option<Nulls>,
}

impl OrderKey {
    /// Ascending on `path`.
    pub fn asc(path: impl Into<FieldPath>) -> OrderKey {
        OrderKey {
            path: path.into(),
            direction: Direction::Asc,
            nulls: None,
        }
    }

    /// Descending on `path`.
    pub fn desc(path: impl Into<FieldPath>) -> OrderKey {
        OrderKey {
            path: path.into(),
            direction: Direction::Desc,
            nulls: None,
        }
    }

    /// Nulls first.
    #[must_use]
    pub fn nulls_first(mut self) -> OrderKey {
        self.nulls = Some(Nulls::First);
        self
    }

    /// Nulls last.
    #[must_use]
    pub fn nulls_last(mut self) -> OrderKey {
        self.nulls = Some(Nulls::Last);
        self
    }

    /// Whether nulls sort before non-null values, applying PostgreSQL's default when
    /// [`OrderKey::nulls`] is `None` (nulls are larger than any value).
    pub fn nulls_sort_first(&self) -> bool {
        match self.nulls {
            Some(Nulls::First) => true,
            Some(Nulls::Last) => false,
            None => self.direction == Direction::Desc,
        }
    }
}

impl fmt::Display for OrderKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.path, self.direction.as_str())?;
        if let Some(n) = self.nulls {
            write!(f, ".{}", n.as_str())?;
        }
        Ok(())
    }
}

/// A multi-column sort order, printed `updated_at.desc,id.asc`.
///
/// ```
/// use fyle_models::query::{Order, OrderKey};
///
/// let order = Order::new().desc("updated_at").then(OrderKey::asc("id").nulls_first());
/// assert_eq!(order.to_string(), "updated_at.desc,id.asc.nullsfirst");
/// assert_eq!(Order::parse("updated_at.desc,id.asc.nullsfirst"), Ok(order));
/// // A column without a direction is ascending.
/// assert_eq!(Order::parse("updated_at.desc,id").map(|o| o.to_string()),
///            Ok("updated_at.desc,id.asc".to_owned()));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Order {
    keys: Vec<OrderKey>,
}

impl Order {
    /// An empty order.
    pub fn new() -> Order {
        Order::default()
    }

    /// Adds an ascending column.
    #[must_use]
    pub fn asc(self, path: impl Into<FieldPath>) -> Order {
        self.then(OrderKey::asc(path))
    }

    /// Adds a descending column.
    #[must_use]
    pub fn desc(self, path: impl Into<FieldPath>) -> Order {
        self.then(OrderKey::desc(path))
    }

    /// Adds a column.
    #[must_use]
    pub fn then(mut self, key: OrderKey) -> Order {
        self.keys.push(key);
        self
    }

    /// The columns, most significant first.
    pub fn keys(&self) -> &[OrderKey] {
        &self.keys
    }

    /// Whether there is no column.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Parses the value of an `order` parameter: comma-separated `column[.asc|.desc]
    /// [.nullsfirst|.nullslast]`, spaces around commas allowed.
    pub fn parse(s: &str) -> Result<Order, ParseError> {
        let err = |kind| ParseError::new("order", kind);
        if s.trim().is_empty() {
            return Err(err(ParseErrorKind::InvalidOrder(
                "the order is empty".to_owned(),
            )));
        }
        let mut keys = Vec::new();
        for item in s.split(',') {
            let item = item.trim();
            let mut parts = item.split('.');
            let column = parts.next().unwrap_or_default();
            let path = super::parse::parse_path(column).map_err(|_| {
                err(ParseErrorKind::InvalidOrder(format!(
                    "{item:?} has no valid column name"
                )))
            })?;
            let mut key = OrderKey::asc(path);
            let mut seen_direction = false;
            for part in parts {
                match part {
                    "asc" | "desc" if !seen_direction && key.nulls.is_none() => {
                        seen_direction = true;
                        if part == "desc" {
                            key.direction = Direction::Desc;
                        }
                    }
                    "nullsfirst" if key.nulls.is_none() => key.nulls = Some(Nulls::First),
                    "nullslast" if key.nulls.is_none() => key.nulls = Some(Nulls::Last),
                    _ => {
                        return Err(err(ParseErrorKind::InvalidOrder(format!(
                            "{part:?} in {item:?} is not asc, desc, nullsfirst or nullslast \
                             (in that order)"
                        ))));
                    }
                }
            }
            keys.push(key);
        }
        Ok(Order { keys })
    }
}

impl fmt::Display for Order {
    /// The unencoded `order` value: `updated_at.desc,id.asc`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, key) in self.keys.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{key}")?;
        }
        Ok(())
    }
}

impl FromStr for Order {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Order::parse(s)
    }
}

impl From<OrderKey> for Order {
    fn from(key: OrderKey) -> Order {
        Order { keys: vec![key] }
    }
}

impl FromIterator<OrderKey> for Order {
    fn from_iter<T: IntoIterator<Item = OrderKey>>(iter: T) -> Order {
        Order {
            keys: iter.into_iter().collect(),
        }
    }
}
