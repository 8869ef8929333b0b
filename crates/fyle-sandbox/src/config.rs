//! How to start a sandbox: [`SandboxConfig`] and its defaults (Fyle's limits and lifetimes).

use std::net::SocketAddr;
use std::time::Duration;

use crate::{ChurnConfig, FaultConfig};

/// How to start a sandbox.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Where to listen; port 0 picks a free port. Default `127.0.0.1:0`.
    pub addr: SocketAddr,
    /// Expenses per org. Default 500.
    pub expenses: usize,
    /// Number of orgs, each with its own client credentials. Default 1.
    pub orgs: usize,
    /// Seed of all generated data and ids. Default 42.
    pub seed: u64,
    /// Requests per second per client; 0 turns the limit off. Default 10 (Fyle's).
    pub rate_limit: u32,
    /// Access-token lifetime. Default 1 hour (Fyle's).
    pub token_ttl: Duration,
    /// Lifetime of presigned storage URLs. Default 5 minutes (Fyle's).
    pub url_ttl: Duration,
    /// Approve the consent page without showing it. Default false.
    pub auto_approve: bool,
    /// Faults injected from the start.
    pub faults: FaultConfig,
    /// Insert/update/delete rows on a schedule while serving.
    pub churn: Option<ChurnConfig>,
    /// End of the seeded history (rows spread over the year before it). Default: midnight UTC
    /// today, so recent-window queries always find rows; pin it for data that never moves.
    pub history_end: Option<time::OffsetDateTime>,
    /// Derive the client secrets, tokens and control token from [`seed`](Self::seed), so they
    /// are the same on every run. Default false: fresh random secrets per process.
    pub pin_secrets: bool,
    /// How long `/admin/spend_overview/*` "computes" on the sandbox clock: the first request
    /// for a query (and the first after a write to the org's data) answers `202 Accepted`, the
    /// same query asked again once this has passed answers the result. Default zero: the next
    /// request gets it. Tests that want a longer wait move the clock
    /// ([`Sandbox::advance_clock`](crate::Sandbox::advance_clock)).
    pub spend_overview_ready_after: Duration,
}

impl Default for SandboxConfig {
    fn default() -> SandboxConfig {
        SandboxConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            expenses: 500,
            orgs: 1,
            seed: 42,
            rate_limit: 10,
            token_ttl: Duration::from_secs(3600),
            url_ttl: Duration::from_secs(300),
            auto_approve: false,
            faults: FaultConfig::default(),
            churn: None,
            history_end: None,
            pin_secrets: false,
            spend_overview_ready_after: Duration::ZERO,
        }
    }
}
