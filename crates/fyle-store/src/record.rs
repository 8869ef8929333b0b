//! What the store records about each org, besides its sealed tokens.

use time::OffsetDateTime;

/// Who connected an org and where it lives, given when the org connects.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Connection {
    /// The API base of the org's cluster (e.g. `https://in1.fylehq.com`).
    pub cluster: Option<String>,
    /// The id of the user who authorized the app.
    pub user_id: Option<String>,
    /// Their email.
    pub user_email: Option<String>,
}

/// One org's row, without its secrets (so `Debug` is safe).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OrgRecord {
    /// The key the org is stored under (its `or...` id in a partner app).
    pub org_key: String,
    /// Cluster and connecting user, as given to [`connect_org`](crate::SqlTokenStore::connect_org).
    pub connection: Connection,
    /// When the org (last) connected.
    pub connected_at: OffsetDateTime,
    /// When an access token was last obtained for it through the store.
    pub last_refresh_at: Option<OffsetDateTime>,
    /// When the stored access token expires, if one is stored.
    pub access_expires_at: Option<OffsetDateTime>,
    /// Whether its tokens must no longer be used.
    pub revoked: bool,
    /// Why it was revoked.
    pub revoked_reason: Option<String>,
    /// When it was revoked.
    pub revoked_at: Option<OffsetDateTime>,
    /// The id of the key its refresh token is sealed with.
    pub key_id: String,
}

/// Unix milliseconds, the unit every time column uses.
pub(crate) fn to_millis(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

/// The inverse of [`to_millis`]; out-of-range values clamp to the Unix epoch.
pub(crate) fn from_millis(millis: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}
