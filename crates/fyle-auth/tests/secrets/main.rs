//! No secret in any Debug output, error string or captured tracing output.
//!
//! Its own test binary: tracing caches per-callsite interest process-wide, so events first hit
//! by concurrently running tests (with no subscriber) could be missed by the capture.

mod secrets;
#[allow(dead_code)]
#[path = "../auth/support.rs"]
mod support;
