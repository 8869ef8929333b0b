//! Upserts, bulk posts, deletes and the state-changing actions of the core resources.
//!
//! Every write runs inside a [`Txn`] that remembers the previous version of each row it touches,
//! so a bulk request that fails on one row leaves the store as it was (Fyle's bulk endpoints are
//! all-or-nothing).
//!
//! - [`txn`]: the transaction core (undo log, visibility, bulk runner, row errors);
//! - [`upsert`]: create or update one row; [`validate`]: the checks every stored row passes;
//! - [`delete`]: deletes and what they may not remove;
//! - [`reports`]: the report actions; [`files`]: files on expenses; [`invite`]: employees.

mod delete;
mod files;
mod invite;
mod reports;
mod txn;
mod upsert;
mod validate;

pub(crate) use files::content_type_for;
use txn::singular;
pub(crate) use txn::{ActAs, RowError, Txn};
