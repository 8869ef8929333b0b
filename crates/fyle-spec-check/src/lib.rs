//! Test support for checking fyle-rs against Fyle's published OpenAPI files, read on its own.
//!
//! Nothing here uses the code generator's reading of the spec (`xtask`): a check that shares the
//! generator's mistakes cannot catch them. This crate
//!
//! - loads the raw YAML folder ([`Spec::load`], [`default_dir`]);
//! - walks its operations with a small walker of its own ([`Spec::operations`]);
//! - turns an OpenAPI 3.0 schema into a JSON Schema document and validates JSON against it with the
//!   independent `jsonschema` crate ([`validator`], [`validate`]);
//! - builds instances of a schema: the spec's examples, nulls, minimal objects, unknown fields and
//!   enum values, real custom-field keys, realistic dates, e-mails and phone numbers
//!   ([`build_instances`]).
//!
//! It is not published; the conformance suite (`tests/`) and the sandbox tests use it.

mod build;
mod convert;
mod error;
mod spec;
pub mod values;
mod walk;

pub use build::{Instance, InstanceKind, UNKNOWN_ENUM, UNKNOWN_FIELD, build_instances};
pub use convert::{Openness, to_json_schema, validate, validator};
pub use error::SpecError;
pub use spec::{FILES, Spec, default_dir};
pub use walk::{Callback, Envelope, Operation, Parameter};
