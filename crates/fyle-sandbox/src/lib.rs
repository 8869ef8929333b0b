//! `fyle-sandbox`: a stateful local Fyle Platform API for examples, tests and benchmarks.
//!
//! It serves, on one local port:
//!
//! - the accounts server: `POST /oauth/token` (JSON body; `refresh_token` and
//!   `authorization_code` grants), `POST /oauth/cluster` (with or without a trailing slash or a
//!   `{}` body) and the consent page `GET /app/developers/oauth/authorize`;
//! - the data cluster under `/platform/v1/{spender,approver,admin}/...`: list endpoints with the
//!   full filter grammar of [`fyle_models::query`], multi-column `order`, `offset`, `limit`
//!   (1..=200) and exact `count`; upserts, bulk posts, deletes and the core actions (submit,
//!   approve, mark paid, attach files); files with presigned-style upload and download URLs served
//!   by the sandbox itself (`/storage/...`); the spend overview (`/admin/spend_overview/*`)
//!   computed from the stored expenses, answering `202 Accepted` while it "computes" (see
//!   [`SandboxConfig::spend_overview_ready_after`]). Every other operation of the 11 spec files is served
//!   by a spec-driven store (`generic.rs`) from a schema table generated into `generated/`:
//!   seeded realistic rows, lists through the same query engine, get by id, upserts, bulk posts,
//!   deletes and state actions that validate their body against the request schema. Every
//!   answer has the shape of the operation's response schema for the role asking;
//! - `/__sandbox/faults`, `/__sandbox/rate_limit`, `/__sandbox/clock/advance` to change its
//!   behaviour at run time, with `Authorization: Bearer <SandboxInfo::control_token>`.
//!
//! Secrets (client secrets, tokens, the control token) are random per process unless
//! [`SandboxConfig::pin_secrets`] derives them from the seed.
//!
//! Data is seeded deterministically from [`SandboxConfig::seed`]: per org, employees with roles
//! and departments, categories, projects and cost centers (integer ids), corporate cards and
//! transactions, tax groups, expense fields (custom fields of every type), reports in every state
//! and [`SandboxConfig::expenses`] expenses with receipts, custom field values, taxes and matched
//! card transactions; then a dozen rows of every other listed resource, built from its schema.
//! Roles behave like Fyle's: a spender sees their own expenses, an approver their approvees', an
//! admin the whole org's. Only tokens the sandbox issued are accepted.
//!
//! # Inside (for contributors)
//! One room per concern, each module's doc says what it holds:
//! - the public face: `config` ([`SandboxConfig`]), `sandbox` (the running [`Sandbox`] and the
//!   steps of its start), `info` ([`SandboxInfo`] and the credentials issued at start);
//! - serving: `routes` (accounts, platform dispatch, storage, control), `listing` (list
//!   endpoints, cached and keyset-paged via `keyset`), `generic` (every operation the
//!   hand-written routes do not simulate), `spend_overview` (spend analytics and their `202`
//!   while computing), `ops` and `schema` (the generated spec table:
//!   operations, envelopes, schemas and a validator), `instance` and `realistic` (values built
//!   from a schema);
//! - queries: `query_eval` (filter evaluation, ordering, the LIKE matcher, scalars);
//! - writes: `writes` (the transaction core, then one room per resource: expenses, reports,
//!   files, reference data, employees) applying `rules` (the report state machine, editable and
//!   deletable states, money);
//! - data: `store` (tables per org), `seed` and `seed_master` (seeding only), `ids` (ids and
//!   secrets), `churn`;
//! - around them: `auth`, `clock`, `faults`, `rate_limit`, `webhooks`, `errors`, `state`.
//!
//! ```no_run
//! use fyle_sandbox::{Sandbox, SandboxConfig};
//!
//! # async fn demo() -> Result<(), fyle_sandbox::Error> {
//! let sandbox = Sandbox::start(SandboxConfig { expenses: 1_000, rate_limit: 0, ..SandboxConfig::default() }).await?;
//! let info = sandbox.info();
//! println!("accounts at {}, refresh token for {}", info.accounts_url, info.orgs[0].org_id);
//! // Point a Fyle client at info.accounts_url with info.client_id / client_secret / refresh_token.
//! sandbox.stop().await;
//! # Ok(())
//! # }
//! ```

use std::net::SocketAddr;

mod auth;
mod churn;
mod clock;
mod config;
mod errors;
mod faults;
mod generated;
mod generic;
mod ids;
mod info;
mod instance;
mod keyset;
mod listing;
mod ops;
mod query_eval;
mod rate_limit;
mod realistic;
mod routes;
mod rules;
mod sandbox;
mod schema;
mod seed;
mod seed_master;
mod spend_overview;
mod state;
mod store;
mod webhooks;
mod writes;

pub use churn::{ChurnConfig, ChurnStats};
pub use config::SandboxConfig;
pub use faults::FaultConfig;
pub use info::{OrgInfo, SandboxInfo, UserInfo};
pub use sandbox::Sandbox;
pub use store::Resource;

/// Why the sandbox could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Binding the listening socket failed.
    #[error("fyle-sandbox could not listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
    /// Seeding failed (the seeding task panicked or was cancelled).
    #[error("fyle-sandbox could not seed its data: {0}")]
    Seed(String),
}
