//! The base of fyle-rs's generated models: the serde glue every generated type uses, and the
//! generated types that several resource groups share.
//!
//! - [`wire`]: Fyle's number and timestamp wire formats (`Decimal` written as a JSON number,
//!   timestamps with 0 to 9 fractional digits, no offset, or a plain date);
//! - [`Patch`]: the tri-state value of an optional, nullable input field;
//! - `impl_string_enum!`: the serde glue of every generated string enum (hidden);
//! - [`types`]: generated, the types that `fyle-models-spend`, `-cards` and `-org` all refer to.
//!
//! The generated types are split over four crates only so that cargo compiles them side by
//! side; use them through `fyle-models` (`fyle_models::types::ExpenseOut`), which re-exports
//! every one, and turn roles on there.
//!
//! # Example
//! ```
//! use fyle_models_core::{Patch, wire::Timestamp};
//! // A timestamp as Fyle sends it, with six fractional digits and an offset.
//! let at: Timestamp = serde_json::from_str(r#""2020-06-11T13:14:55.201598+00:00""#).unwrap();
//! assert_eq!(at.0.year(), 2020);
//! // `Absent` is not sent at all; `Null` clears the stored value.
//! assert!(Patch::<u32>::default().is_absent());
//! ```

mod patch;
mod string_enum;
pub mod wire;

#[path = "generated/types/mod.rs"]
pub mod types;

pub use patch::Patch;
