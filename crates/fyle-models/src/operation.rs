//! The types of the operation table (`crate::operations`); the table itself is generated.

/// Which spec file (and URL prefix) an operation belongs to; one cargo feature each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Role {
    /// `authorization.yaml`: the accounts server (`https://accounts.fylehq.com`), feature `accounts`.
    Accounts,
    /// `/spender/...`, feature `spender`.
    Spender,
    /// `/approver/...`, feature `approver`.
    Approver,
    /// `/admin/...`, feature `admin`.
    Admin,
    /// `/accountant/...`, feature `accountant`.
    Accountant,
    /// `/common/...`, feature `common`.
    Common,
    /// `/manager/...`, feature `manager`.
    Manager,
    /// `/owner/...`, feature `owner`.
    Owner,
    /// `/hod/...`, feature `hod`.
    Hod,
    /// `/hop/...`, feature `hop`.
    Hop,
    /// `/super_admin/...`, feature `super_admin`.
    SuperAdmin,
}

impl Role {
    /// The cargo feature (and spec file stem, except `accounts` = `authorization.yaml`).
    pub const fn feature(self) -> &'static str {
        match self {
            Self::Accounts => "accounts",
            Self::Spender => "spender",
            Self::Approver => "approver",
            Self::Admin => "admin",
            Self::Accountant => "accountant",
            Self::Common => "common",
            Self::Manager => "manager",
            Self::Owner => "owner",
            Self::Hod => "hod",
            Self::Hop => "hop",
            Self::SuperAdmin => "super_admin",
        }
    }

    /// `true` for the accounts server (base URL `accounts_url`), `false` for the data cluster
    /// (base URL `{cluster_domain}/platform/v1`).
    pub const fn is_accounts(self) -> bool {
        matches!(self, Self::Accounts)
    }
}

/// HTTP method; Fyle uses only GET and POST.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HttpMethod {
    /// `GET`
    Get,
    /// `POST`
    Post,
}

impl HttpMethod {
    /// `"GET"` or `"POST"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
        }
    }
}

/// What an operation does, by the rules of the domain brief §1.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OperationKind {
    /// GET answering `{count, offset, data: [..]}`.
    List,
    /// GET answering `{data: {..}}`.
    GetSingle,
    /// GET answering `{data: [..]}` without `count`.
    GetArray,
    /// Any other GET answering JSON.
    GetOther,
    /// GET answering `302 Location` (file downloads).
    Download,
    /// POST `{data: {..}}` on a collection path (create or update; `id` present means update).
    Upsert,
    /// POST `{data: [..]}`.
    Bulk,
    /// Any other POST.
    Action,
}

/// The envelope of a request or response body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BodyShape {
    /// No body (request) or an empty `200` (response).
    None,
    /// `{"data": T}`.
    Data,
    /// `{"data": [T]}`.
    DataArray,
    /// `{"count": n, "offset": n, "data": [T]}`.
    List,
    /// `T` itself, not wrapped.
    Bare,
    /// The empty object `{}`.
    EmptyObject,
    /// `302` with a `Location` header.
    Redirect,
}

/// Whether an operation is sent with the access token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OperationAuth {
    /// `Authorization: Bearer <access token>`: every data and cluster operation.
    Bearer,
    /// No `Authorization` header and no token fetched: the operations that mint tokens
    /// (`POST /oauth/token`, the `tokenUrl` of the spec's OAuth 2.0 flow) or that the spec marks
    /// with an empty `security`. A client secret or refresh token never travels with a Bearer
    /// token.
    None,
}

impl OperationAuth {
    /// True when the access token is sent.
    pub const fn sends_token(self) -> bool {
        matches!(self, Self::Bearer)
    }
}

/// A query parameter the spec declares for an operation (filters on any field work too).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct QueryParam {
    /// The key sent in the query string.
    pub name: &'static str,
    /// Whether the spec marks it required.
    pub required: bool,
}

/// One operation of the Fyle Platform API, as declared in the published spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Operation {
    /// The role (spec file) it belongs to.
    pub role: Role,
    /// GET or POST.
    pub method: HttpMethod,
    /// Path under `/platform/v1` (`"/admin/expenses"`); for [`Role::Accounts`] under the accounts URL.
    pub path: &'static str,
    /// The spec's `operationId` (or a name derived from the path when the spec has none).
    pub operation_id: &'static str,
    /// The spec's one-line summary.
    pub summary: &'static str,
    /// What it does.
    pub kind: OperationKind,
    /// Request envelope.
    pub request_body: BodyShape,
    /// Response envelope.
    pub response_body: BodyShape,
    /// Rust type name (in `fyle_models::types`) of the request payload `T`.
    pub request_type: Option<&'static str>,
    /// Rust type name (in `fyle_models::types`) of the response payload `T` (the list item for lists).
    pub response_type: Option<&'static str>,
    /// Declared query parameters.
    pub query_params: &'static [QueryParam],
    /// Link to the reference documentation.
    pub docs_url: &'static str,
    /// Whether the access token is sent (see [`OperationAuth`]).
    pub auth: OperationAuth,
    /// The spec declares a `202 Accepted` answer: the server is still computing the result
    /// (`{message}`), and the caller should ask again later. The facade turns it into a typed
    /// "not ready" error, never an empty success.
    pub answers_accepted: bool,
}

/// Finds an operation of an enabled role by method and exact path (`"/admin/expenses"`).
///
/// ```
/// use fyle_models::operations::{self, HttpMethod};
/// # #[cfg(feature = "admin")] {
/// let op = operations::find(HttpMethod::Get, "/admin/expenses").unwrap();
/// assert_eq!(op.operation_id, "expenses_list");
/// # }
/// assert!(operations::find(HttpMethod::Get, "/nope").is_none());
/// ```
pub fn find(method: HttpMethod, path: &str) -> Option<&'static Operation> {
    crate::operations::ALL
        .iter()
        .copied()
        .find(|op| op.method == method && op.path == path)
}
