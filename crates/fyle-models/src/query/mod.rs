//! The one filter AST of the Fyle Data API: the `fyle` facade prints it, `fyle-sandbox` parses it.
//!
//! Fyle's list endpoints filter with PostgREST-like query parameters: `amount=gt.10`,
//! `id=in.(id1,id2)`, `cost_center->name=ilike.%corp%`, and groups nested to any depth,
//! `and=(or=(currency.eq.USD,currency.eq.EUR),amount.lt.50)`. This module holds:
//!
//! - [`Filter`], a list of [`Clause`]s that all hold (a [`Condition`], an `and`/`or` group or a
//!   raw pair), which is also its own fluent builder;
//! - [`Operator`] (all 24 of the Data API guide), [`FieldPath`] (`column->key->key`) and
//!   [`FilterValue`] / [`Literal`] (typed constructors, one canonical text, typed accessors);
//! - the printer ([`Filter::to_query_pairs`], [`Filter::to_query_string`]) and the parser
//!   ([`Filter::parse_query_pairs`], [`Filter::parse_query_string`]), with
//!   `parse(print(f)) == f`;
//! - [`Order`] (`updated_at.desc,id.asc`) and [`ListQuery`] (filter + `order`, `offset`,
//!   `limit`, `q`).
//!
//! ```
//! use fyle_models::query::{FieldPath, Filter, Order};
//! use rust_decimal::Decimal;
//! use time::macros::datetime;
//!
//! let filter = Filter::new()
//!     .eq("state", "APPROVED")
//!     .gte("amount", Decimal::new(1050, 2))
//!     .gte("updated_at", datetime!(2020-06-01 00:00 -8))
//!     .is_in("currency", ["USD", "EUR"])
//!     .and(|g| g.or(|g| g.eq("currency", "USD").eq("currency", "EUR")).lt("amount", 50))
//!     .field(FieldPath::new("cost_center").get("name"))
//!     .ilike("%corp%");
//!
//! let pairs = filter.to_query_pairs();
//! assert_eq!(pairs[1], ("amount".to_owned(), "gte.10.50".to_owned()));
//! assert_eq!(pairs[2], ("updated_at".to_owned(), "gte.2020-06-01T00:00:00-08:00".to_owned()));
//! assert_eq!(pairs[3], ("currency".to_owned(), "in.(USD,EUR)".to_owned()));
//! assert_eq!(pairs[4], ("and".to_owned(),
//!                       "(or=(currency.eq.USD,currency.eq.EUR),amount.lt.50)".to_owned()));
//! assert_eq!(pairs[5], ("cost_center->name".to_owned(), "ilike.%corp%".to_owned()));
//!
//! // The query string is percent-encoded: `+`, `%`, `>` and friends never travel raw.
//! let query = filter.to_query_string();
//! assert!(query.contains("updated_at=gte.2020-06-01T00:00:00-08:00"));
//! assert!(query.contains("cost_center-%3Ename=ilike.%25corp%25"));
//!
//! // Parsing what was printed gives back the same filter.
//! assert_eq!(Filter::parse_query_string(&query)?, filter);
//! assert_eq!(Filter::parse_query_pairs(&pairs)?, filter);
//!
//! let order = Order::new().asc("updated_at").asc("id");
//! assert_eq!(order.to_string(), "updated_at.asc,id.asc");
//! # Ok::<(), fyle_models::query::ParseError>(())
//! ```

mod filter;
mod operator;
mod order;
mod params;
mod parse;
mod path;
mod print;
mod value;

#[cfg(test)]
mod tests;

pub use filter::{Clause, Condition, FieldFilter, Filter};
pub use operator::{Operator, UnknownOperator, ValueKind};
pub use order::{Direction, Nulls, Order, OrderKey};
pub use params::ListQuery;
pub use parse::{MAX_DEPTH, ParseError, ParseErrorKind, RESERVED_KEYS, decode_query_string};
pub use path::FieldPath;
pub use print::{encode_component, encode_pairs};
pub use value::{FilterValue, IsValue, Literal};

/// The decimal type of [`Literal::as_decimal`] and `From<Decimal>`, re-exported so callers need
/// not depend on `rust_decimal` themselves.
pub use rust_decimal::Decimal;
