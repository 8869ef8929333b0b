//! Generated fyle-rs models for expenses, reports, advances, per diem, mileage, reimbursements and settlements.
//!
//! The generated types are split over four crates only so that cargo compiles them side by side
//! (`fyle-models-core` holds the types several groups share). Use them through `fyle-models`,
//! which re-exports every one as `fyle_models::types` and turns the role features on here.
//! Which crate a type lands in is decided by the generator (`xtask/src/codegen/split.rs`).
//!
//! # Example
//! ```
//! # #[cfg(feature = "admin")] {
//! use fyle_models_spend::types::ExpenseOut;
//! let value: ExpenseOut = serde_json::from_str(r#"{"id": "x1", "a_field_from_the_future": 1}"#).unwrap();
//! assert_eq!(value.id.as_deref(), Some("x1"));
//! # }
//! ```

// The generated code names its glue `crate::wire`, `crate::Patch` and `crate::impl_string_enum`
// in every crate it is split over.
#[allow(unused_imports)]
use fyle_models_core::{Patch, impl_string_enum, wire};

#[path = "generated/types/mod.rs"]
pub mod types;
