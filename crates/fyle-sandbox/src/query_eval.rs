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
//!
//! Rooms: [`filter`] evaluates clauses, [`ordering`] sorts rows, [`like`] matches LIKE patterns,
//! [`scalars`] reads values and literals as decimals and instants for both.

mod filter;
mod like;
mod ordering;
mod scalars;
#[cfg(test)]
mod tests;

pub(crate) use filter::{clause_matches, matches, resolve};
#[cfg(test)]
pub(crate) use ordering::compare;
pub(crate) use ordering::{first_by_order, sort_by_order, sort_rows};
