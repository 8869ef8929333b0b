//! The logic behind fyle-rs's examples, kept in a library so the end-to-end tests in `tests/`
//! call it directly instead of spawning processes. Each example is a thin `main` over one of
//! these modules.

pub mod connect;
pub mod master_data;
pub mod multi_tenant;
pub mod partner_app;
pub mod receipt;
pub mod webhook_export;
