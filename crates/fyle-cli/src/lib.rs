//! The library behind the `fyle` command line: the accounting export (columns, output formats,
//! checkpoints, write-back of the export summary), profiles and the secret store.
//!
//! The binary (`src/main.rs`) parses arguments and prints; everything here has typed errors and
//! is tested through the binary as a user would run it.

pub mod cell;
pub mod checkpoint;
pub mod columns;
pub mod export;
pub mod mark;
pub mod profile;
pub mod resource;
pub mod secrets;
pub mod sink;
