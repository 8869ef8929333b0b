//! The Rust SDK for the Fyle (Sage Expense Management) Platform API.
//!
//! One [`Client`] per org; every operation of the published spec as a method grouped by role
//! and resource; typed filters; streaming pagination in constant memory; one typed [`Error`].
//! Tokens, the cluster, rate limits and retries are handled for you.
//!
//! ```no_run
//! # #[cfg(feature = "admin")]
//! # async fn run() -> fyle::Result<()> {
//! let client = fyle::Client::from_env()?; // FYLE_CLIENT_ID, FYLE_CLIENT_SECRET, FYLE_REFRESH_TOKEN
//! let page = client.admin().expenses().list().filter(fyle::query::Filter::new().eq("state", "APPROVED")).send().await?;
//! println!("{} approved expenses", page.count);
//! # Ok(()) }
//! ```
//!
//! Anything the generated API lacks goes through [`Client::request`], with the same auth,
//! cluster, retry and errors.
//!
//! # Lists, filters and streams
//!
//! List endpoints return a [`ListRequest`]: add typed filters ([`query::Filter`], every
//! operator of the Data API guide, `and`/`or` groups to any depth, nested JSON paths), an
//! order, a limit (`1..=200`, checked before sending), then `.send()` one [`Page`] or
//! `.stream()` every item: pages of 200, server order kept, the next pages prefetched with
//! bounded concurrency, and a stable (keyset) mode for long exports.
//!
//! ```no_run
//! # #[cfg(feature = "admin")]
//! # async fn run(client: fyle::Client) -> fyle::Result<()> {
//! use fyle::query::Filter;
//! use futures::TryStreamExt;
//!
//! let approved = Filter::new().eq("state", "APPROVED").gt("amount", 10);
//! let mut expenses = client.admin().expenses().list().filter(approved).stable().stream();
//! while let Some(expense) = expenses.try_next().await? {
//!     println!("{:?}", expense.id);
//! }
//! let one = client.admin().expenses().get("txAbc123").await?; // a typed NotFound if absent
//! # let _ = one; Ok(()) }
//! ```
//!
//! # Errors
//!
//! [`Error::kind`] tells Fyle's `ValidationError` (per row, per field), `BulkError` (the failed
//! rows; [`Client::execute_bulk`] resubmits the rest) and `IntegrityError` apart from 401, 403,
//! 404, 429, 5xx, a proxy's HTML page, auth, cluster, transport and decode failures (which name
//! the JSON path). `Display` prints method, path, status, kind and message, never a secret.
//!
//! # Layers
//!
//! The layer crates are re-exported, so `fyle` is the only dependency to add:
//! [`transport`] (HTTP, retry, rate limit), [`auth`] (tokens), [`cluster`] (cluster discovery
//! and allow-list), [`models`] (generated types, the operation table, the filter AST).
//!
//! # Features
//!
//! `default = ["reqwest", "full"]`. One additive feature per role (`spender`, `admin`,
//! `approver`, ...; `full` = all); `reqwest` or `hyper` for the HTTP stack; `test-util` for
//! the layer crates' test helpers.

#![cfg_attr(docsrs, feature(doc_cfg))]

mod api_error;
mod builder;
pub mod bulk;
mod client;
mod cursor;
mod envelope;
mod error;
mod execute;
pub mod files;
mod list;
mod pipeline;
mod raw;
mod request;
mod stream;

/// The generated per-role methods (`client.admin().expenses().list()`); the code lives in
/// `src/generated/`, written by `cargo xtask codegen`.
#[path = "generated/mod.rs"]
pub mod api;

pub use fyle_auth as auth;
pub use fyle_cluster as cluster;
pub use fyle_models as models;
pub use fyle_models::query;
pub use fyle_models::{MissingField, Require};
pub use fyle_transport as transport;

pub use api_error::{ApiError, BulkRowError, FieldError, FyleErrorKind, ValidationRow};
pub use builder::{ClientBuilder, DEFAULT_ACCOUNTS_URL, DEFAULT_REQUESTS_PER_SECOND};
pub use client::Client;
pub use cursor::{PagingError, StreamCursor};
pub use error::{BodyExcerpt, DecodeError, Error, ErrorKind, NotFound, RequestInfo, Result};
pub use list::{
    DEFAULT_SNAPSHOT_COLUMN, DEFAULT_STABLE_KEYS, DEFAULT_STREAM_ORDER, ListRequest, MAX_PAGE_SIZE,
    Page,
};
pub use raw::{RawRequest, RawResponse};
pub use request::GetRequest;
