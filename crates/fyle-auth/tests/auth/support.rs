//! Test plumbing: the shared recording transport over reqwest, credentials and providers
//! against wiremock.

use std::sync::Arc;
use std::time::Duration;

pub(crate) use fyle_auth::test_util::RecordingTransport;
use fyle_auth::{
    Credentials, HostPolicy, ManualClock, RefreshTokenProvider, RefreshTokenProviderBuilder,
};
use fyle_transport::{ReqwestTransport, SharedTransport};
use url::Url;
use wiremock::MockServer;

pub(crate) const CLIENT_ID: &str = "tpaTESTCLIENT";
pub(crate) const CLIENT_SECRET: &str = "client-secret-3f9a1c";
pub(crate) const REFRESH_TOKEN: &str = "refresh-token-77d0e2";

/// A recorder over a real HTTP client, for requests to wiremock on 127.0.0.1.
pub(crate) fn recording() -> Arc<RecordingTransport> {
    RecordingTransport::new(Arc::new(ReqwestTransport::new()))
}

/// The host policy of these tests: wiremock listens on plain http on 127.0.0.1.
pub(crate) fn loopback() -> HostPolicy {
    HostPolicy::default().allow_loopback_http()
}

/// A provider with default settings against wiremock.
pub(crate) fn provider(
    credentials: Credentials,
    transport: SharedTransport,
) -> RefreshTokenProvider {
    RefreshTokenProvider::builder(credentials, transport)
        .host_policy(loopback())
        .build()
}

pub(crate) fn credentials(server: &MockServer) -> Credentials {
    Credentials::new(CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN)
        .with_accounts_url(Url::parse(&server.uri()).expect("wiremock URI"))
}

/// A provider against `server` with a manual clock and no jitter.
pub(crate) fn builder(
    server: &MockServer,
    transport: SharedTransport,
    clock: &Arc<ManualClock>,
) -> RefreshTokenProviderBuilder {
    RefreshTokenProvider::builder(credentials(server), transport)
        .host_policy(loopback())
        .clock(clock.clone())
        .jitter(Duration::ZERO)
}

pub(crate) fn token_answer(access: &str, expires_in: u64) -> serde_json::Value {
    serde_json::json!({ "access_token": access, "expires_in": expires_in })
}
