//! Upserts, bulk posts, deletes and the state-changing actions of the core resources.
//!
//! Every write runs inside a [`Txn`] that remembers the previous version of each row it touches,
//! so a bulk request that fails on one row leaves the store as it was (Fyle's bulk endpoints are
//! all-or-nothing).
//!
//! - [`txn`]: the transaction core (undo log, visibility, bulk runner, row errors);
//! - [`upsert`]: create or update one row; [`validate`]: the checks every stored row passes;
//! - [`delete`]: deletes, each resource's own checks applied;
//! - per resource: [`expenses`], [`reports`] (and the report actions), [`files`], [`masters`]
//!   (categories, projects, cost centers, departments, cards and card transactions) and
//!   [`invite`] (employees).
//!
//! The rules they apply (state machine, editable and deletable states, money) are in
//! [`crate::rules`].

mod delete;
mod expenses;
mod files;
mod invite;
mod masters;
mod reports;
mod txn;
mod upsert;
mod validate;

use txn::singular;
pub(crate) use txn::{ActAs, RowError, Txn};
