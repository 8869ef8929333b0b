//! The one error type: what went wrong reading the spec or compiling a schema, and where.

use std::path::PathBuf;

/// Why the spec could not be read or a schema could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SpecError {
    /// The spec folder does not exist (set `FYLE_SPEC_DIR`, or place the folder beside the workspace).
    #[error(
        "the Fyle spec folder {0} does not exist: set FYLE_SPEC_DIR or put fyle-openapi/reference in ../shared"
    )]
    MissingDir(PathBuf),
    /// A spec file could not be read.
    #[error("could not read spec file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A spec file is not valid YAML (or not JSON-compatible).
    #[error("could not parse spec file {path}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// A role file name that the spec folder does not hold.
    #[error("no spec file named {0}")]
    UnknownFile(String),
    /// A `$ref` that points nowhere.
    #[error("{file}: unresolved $ref {reference}")]
    BadRef {
        /// The role file.
        file: String,
        /// The reference.
        reference: String,
    },
    /// The converted JSON Schema did not compile.
    #[error("{file}: the converted schema does not compile: {message}")]
    Compile {
        /// The role file.
        file: String,
        /// The compiler's message.
        message: String,
    },
}
