//! Test plumbing: fyle-auth's recording transport over a real HTTP client (to wiremock on
//! 127.0.0.1), shared with the auth tests.

use std::sync::Arc;

pub(crate) use fyle_auth::test_util::RecordingTransport;
use fyle_transport::ReqwestTransport;

/// A recorder over reqwest.
pub(crate) fn recording() -> Arc<RecordingTransport> {
    RecordingTransport::new(Arc::new(ReqwestTransport::new()))
}
