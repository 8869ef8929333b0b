//! The logic behind fyle-rs's examples, kept in a library so the end-to-end tests in `tests/`
//! can call it directly instead of spawning processes.
