//! [`Error`]: the one error type of the facade, with a [`ErrorKind`] to match on.

use std::fmt;
use std::time::Duration;

use crate::api_error::{ApiError, BulkRowError, FyleErrorKind, ValidationRow};
use crate::cursor::{PagingError, StreamCursor};
use http::{Method, StatusCode};

/// The result type of every fallible facade call.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in a call to the Fyle Platform API.
///
/// Match on [`Error::kind`], or use the predicates ([`Error::status`], [`Error::is_not_found`],
/// [`Error::is_retryable`], ...). `Display` prints the method, the path (never the query string),
/// the status, Fyle's error kind and its message (redacted, bounded); no token or secret is ever
/// part of an error. Neither `Display` nor `Debug` shows any of the response body: read a
/// short, redacted excerpt with [`Error::body_excerpt`]. Both stay under 2,000 characters
/// whatever the server sent (a 10 MB page, a 10,000-row `BulkError`).
///
/// ```
/// # fn handle(err: fyle::Error) {
/// use fyle::ErrorKind;
/// match err.kind() {
///     ErrorKind::Api(api) if api.validation_errors().is_some() => { /* fix the rows */ }
///     ErrorKind::NotFound(_) => { /* gone */ }
///     _ if err.is_retryable() => { /* try again later */ }
///     _ => { /* give up */ }
/// }
/// # }
/// ```
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    kind: ErrorKind,
    request: Option<RequestInfo>,
    resume_offset: Option<u64>,
    resume_cursor: Option<StreamCursor>,
}

/// The method and path of the request an error belongs to (the query string is never kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestInfo {
    /// The HTTP method.
    pub method: Method,
    /// The URL path, for example `/platform/v1/admin/expenses`.
    pub path: String,
}

/// What kind of failure an [`Error`] is.
#[derive(Debug)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Fyle answered a 4xx other than 401, 403, 404 and 429 (typically 400: a `ValidationError`,
    /// `BulkError` or `IntegrityError`).
    Api(ApiError),
    /// 401 (or 498) even after the token was refreshed once.
    Unauthorized(ApiError),
    /// 403: the token lacks the role or permission. Never triggers a token refresh.
    Forbidden(ApiError),
    /// 404 from Fyle, or a lookup by id that matched nothing.
    NotFound(NotFound),
    /// 429 (after the retry layer gave up).
    RateLimited {
        /// The server's `Retry-After`, when it sent one.
        retry_after: Option<Duration>,
        /// The body Fyle sent.
        error: ApiError,
    },
    /// A 5xx with a JSON body.
    Server(ApiError),
    /// A response that is not what Fyle sends: an HTML page from a proxy or load balancer,
    /// an empty or non-JSON error body, or a success status with a non-JSON body.
    UnexpectedBody {
        /// The HTTP status.
        status: StatusCode,
        /// The `Content-Type` header, if any (at most 100 characters).
        content_type: Option<String>,
        /// The first characters of the body, redacted; never printed by `Display` or `Debug`.
        excerpt: BodyExcerpt,
    },
    /// The body was JSON but did not match the expected type.
    Decode(DecodeError),
    /// Getting or refreshing the access token failed.
    Auth(fyle_auth::AuthError),
    /// Discovering or validating the cluster failed.
    Cluster(fyle_cluster::ClusterError),
    /// No response at all: connect, TLS, timeout, body read, rate-limit wait refused.
    Transport(fyle_transport::TransportError),
    /// The presigned storage URL (upload or download) answered an error.
    Storage {
        /// The HTTP status from the storage host.
        status: StatusCode,
        /// The storage host (never the signed query string).
        host: String,
        /// The first characters of the body, redacted; never printed by `Display` or `Debug`.
        excerpt: BodyExcerpt,
    },
    /// The request was rejected before sending (for example `limit` outside `1..=200`).
    InvalidRequest(String),
    /// The client could not be built (missing credentials, bad URL, ...).
    Config(String),
    /// A list response broke the paging contract (a stable-mode cursor that does not advance,
    /// a page larger than its `limit`).
    Paging(PagingError),
    /// `202 Accepted` from an operation whose spec declares it (`/admin/spend_overview/*`):
    /// the server accepted the request and is still computing the result. Ask again later;
    /// the answer is never decoded as an (empty) success.
    NotReady {
        /// The server's `message` (redacted, at most 200 characters), when it sent one.
        message: Option<String>,
        /// The server's `Retry-After`, when it sent one.
        retry_after: Option<Duration>,
    },
    /// A URL from a response (a presigned storage URL, a redirect) was refused before any
    /// request: not https, or a loopback or private address outside an explicit test opt-in.
    UnsafeUrl {
        /// The host of the URL (never its signed query string).
        host: String,
        /// Why it was refused.
        reason: &'static str,
    },
    /// Writing downloaded bytes to the caller's writer failed (a full disk, a closed pipe).
    Write(std::io::Error),
}

/// A 404 from Fyle, or a lookup by id with `count == 0`.
#[derive(Debug)]
#[non_exhaustive]
pub struct NotFound {
    /// The id that was looked up, for [`ListRequest::fetch_by_id`](crate::ListRequest::fetch_by_id).
    pub id: Option<String>,
    /// Fyle's body, for a real 404.
    pub error: Option<ApiError>,
}

/// A JSON body that did not match the expected Rust type.
#[derive(Debug)]
#[non_exhaustive]
pub struct DecodeError {
    /// The operation id (or a description) of the call.
    pub operation: String,
    /// The JSON path that failed, for example `data[3].amount` (at most 200 characters).
    pub path: String,
    /// serde's message, without the values it quoted from the body.
    pub message: String,
    /// The first characters of the body, redacted; never printed by `Display` or `Debug`.
    pub excerpt: BodyExcerpt,
}

const EXCERPT_CHARS: usize = 300;
/// Longest server-chosen text (a message, a path, a content type) an error prints.
pub(crate) const MAX_TEXT_CHARS: usize = 200;

/// A short excerpt of a response body, redacted (URL query strings, `X-Amz-Signature`,
/// `AWSAccessKeyId`, tokens masked).
///
/// Opt-in: no `Display`, and `Debug` prints only its length, so logging an error never logs
/// the body. Read it with [`as_str`](Self::as_str) (or through `Deref<Target = str>`).
#[derive(Clone, PartialEq, Eq, Default)]
pub struct BodyExcerpt(String);

impl BodyExcerpt {
    /// The redacted excerpt.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for BodyExcerpt {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for BodyExcerpt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BodyExcerpt({} chars)", self.0.chars().count())
    }
}

/// The first [`EXCERPT_CHARS`] characters of `body`, lossily decoded and redacted.
pub(crate) fn excerpt(body: &[u8]) -> BodyExcerpt {
    // Decode a little more than kept: redaction may shorten it.
    let head = &body[..body.len().min(EXCERPT_CHARS * 8)];
    let text = fyle_auth::redact(&String::from_utf8_lossy(head));
    let mut out: String = text.chars().take(EXCERPT_CHARS).collect();
    if text.chars().nth(EXCERPT_CHARS).is_some() || head.len() < body.len() {
        out.push('…');
    }
    BodyExcerpt(out)
}

/// `text` redacted and cut to `max` characters.
pub(crate) fn bounded(text: &str, max: usize) -> String {
    let head: String = text.chars().take(max.saturating_mul(2)).collect();
    let clean = fyle_auth::redact(&head);
    let mut out: String = clean.chars().take(max).collect();
    if clean.chars().nth(max).is_some() || head.len() < text.len() {
        out.push('…');
    }
    out
}

/// serde's message without the body values it quotes (`invalid type: string "..."`,
/// `unknown variant `...``), bounded.
fn without_values(message: &str) -> String {
    let mut out = String::with_capacity(message.len().min(MAX_TEXT_CHARS));
    let mut quoted = false;
    for c in message.chars() {
        if c == '"' {
            if !quoted {
                out.push_str("\"…");
            }
            quoted = !quoted;
        } else if !quoted {
            out.push(c);
        }
    }
    if let Some(rest) = out.strip_prefix("unknown variant `")
        && let Some(end) = rest.find('`')
    {
        out = format!("unknown variant `…{}", &rest[end..]);
    }
    bounded(&out, MAX_TEXT_CHARS)
}

impl Error {
    pub(crate) fn new(kind: ErrorKind) -> Self {
        Self {
            inner: Box::new(Inner {
                kind,
                request: None,
                resume_offset: None,
                resume_cursor: None,
            }),
        }
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidRequest(message.into()))
    }

    pub(crate) fn config(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Config(message.into()))
    }

    pub(crate) fn not_found_id(id: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound(NotFound {
            id: Some(id.into()),
            error: None,
        }))
    }

    pub(crate) fn decode<E: fmt::Display>(
        operation: &str,
        err: &serde_path_to_error::Error<E>,
        body: &[u8],
    ) -> Self {
        Self::new(ErrorKind::Decode(DecodeError {
            operation: operation.to_owned(),
            path: bounded(&err.path().to_string(), MAX_TEXT_CHARS),
            message: without_values(&err.inner().to_string()),
            excerpt: excerpt(body),
        }))
    }

    /// Like [`decode`](Self::decode) for a part of a document decoded on its own (one item of
    /// a page): `at` (`data[3]`) is prefixed to the JSON path, so it reads as in the whole body.
    pub(crate) fn decode_at<E: fmt::Display>(
        operation: &str,
        at: &str,
        err: &serde_path_to_error::Error<E>,
        part: &[u8],
    ) -> Self {
        let inner = err.path().to_string();
        let path = if inner == "." {
            at.to_owned()
        } else {
            format!("{at}.{inner}")
        };
        Self::new(ErrorKind::Decode(DecodeError {
            operation: operation.to_owned(),
            path: bounded(&path, MAX_TEXT_CHARS),
            message: without_values(&err.inner().to_string()),
            excerpt: excerpt(part),
        }))
    }

    /// The error for a `202 Accepted` answer: not ready yet, with the server's message and
    /// `Retry-After`.
    pub(crate) fn not_ready(headers: &http::HeaderMap, body: &[u8]) -> Self {
        #[derive(serde::Deserialize)]
        struct Accepted {
            message: Option<String>,
        }
        let message = serde_json::from_slice::<Accepted>(body)
            .ok()
            .and_then(|a| a.message)
            .map(|m| bounded(&m, MAX_TEXT_CHARS));
        Self::new(ErrorKind::NotReady {
            message,
            retry_after: retry_after(headers),
        })
    }

    /// Attaches the method and path of the request (the query is dropped).
    pub(crate) fn with_request(mut self, method: &Method, path: &str) -> Self {
        if self.inner.request.is_none() {
            let path = path.split('?').next().unwrap_or_default().to_owned();
            self.inner.request = Some(RequestInfo {
                method: method.clone(),
                path,
            });
        }
        self
    }

    pub(crate) fn with_resume_offset(mut self, offset: u64) -> Self {
        self.inner.resume_offset = Some(offset);
        self
    }

    pub(crate) fn with_resume_cursor(mut self, cursor: StreamCursor) -> Self {
        self.inner.resume_cursor = Some(cursor);
        self
    }

    /// Builds the error for a non-success response from a Fyle host.
    pub(crate) fn from_response(
        status: StatusCode,
        headers: &http::HeaderMap,
        body: &[u8],
    ) -> Self {
        let content_type = headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|ct| bounded(ct, 100));
        let Some(api) = ApiError::parse(status, content_type.as_deref(), body) else {
            return Self::new(ErrorKind::UnexpectedBody {
                status,
                content_type,
                excerpt: excerpt(body),
            });
        };
        let kind = match status.as_u16() {
            401 | 498 => ErrorKind::Unauthorized(api),
            403 => ErrorKind::Forbidden(api),
            404 => ErrorKind::NotFound(NotFound {
                id: None,
                error: Some(api),
            }),
            429 => ErrorKind::RateLimited {
                retry_after: retry_after(headers),
                error: api,
            },
            500..=599 => ErrorKind::Server(api),
            _ => ErrorKind::Api(api),
        };
        Self::new(kind)
    }

    /// Opt-in: the first characters of the response body, redacted (URL query strings,
    /// `X-Amz-Signature`, `AWSAccessKeyId` and tokens masked), for an unexpected body, a decode
    /// failure or a storage error. `Display` and `Debug` never show it.
    pub fn body_excerpt(&self) -> Option<&str> {
        match &self.inner.kind {
            ErrorKind::UnexpectedBody { excerpt, .. } | ErrorKind::Storage { excerpt, .. } => {
                Some(excerpt.as_str())
            }
            ErrorKind::Decode(decode) => Some(decode.excerpt.as_str()),
            _ => None,
        }
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> &ErrorKind {
        &self.inner.kind
    }

    /// Consumes the error and returns its kind.
    pub fn into_kind(self) -> ErrorKind {
        self.inner.kind
    }

    /// The method and path of the failed request, when one was sent.
    pub fn request(&self) -> Option<&RequestInfo> {
        self.inner.request.as_ref()
    }

    /// For an error from an offset-mode stream: the offset the stream had reached. Every item
    /// before it was yielded; restart with `.offset(resume_offset)` (or poll the stream again,
    /// which retries the failed page). Stable mode ignores `.offset(..)`: use
    /// [`resume_cursor`](Self::resume_cursor) there.
    pub fn resume_offset(&self) -> Option<u64> {
        self.inner.resume_offset
    }

    /// For an error from a stable-mode stream: the cursor after the last page yielded. Persist
    /// it ([`StreamCursor::to_token`]) and restart with
    /// [`ListRequest::resume_from`](crate::ListRequest::resume_from), or poll the stream again.
    pub fn resume_cursor(&self) -> Option<&StreamCursor> {
        self.inner.resume_cursor.as_ref()
    }

    /// The HTTP status, when a response was received.
    pub fn status(&self) -> Option<StatusCode> {
        match &self.inner.kind {
            ErrorKind::Api(e)
            | ErrorKind::Unauthorized(e)
            | ErrorKind::Forbidden(e)
            | ErrorKind::Server(e)
            | ErrorKind::RateLimited { error: e, .. } => Some(e.status()),
            ErrorKind::NotFound(nf) => nf.error.as_ref().map(ApiError::status),
            ErrorKind::UnexpectedBody { status, .. } | ErrorKind::Storage { status, .. } => {
                Some(*status)
            }
            ErrorKind::NotReady { .. } => Some(StatusCode::ACCEPTED),
            _ => None,
        }
    }

    /// Fyle's parsed `{error, message, data}` body, when there is one.
    pub fn api_error(&self) -> Option<&ApiError> {
        match &self.inner.kind {
            ErrorKind::Api(e)
            | ErrorKind::Unauthorized(e)
            | ErrorKind::Forbidden(e)
            | ErrorKind::Server(e)
            | ErrorKind::RateLimited { error: e, .. } => Some(e),
            ErrorKind::NotFound(nf) => nf.error.as_ref(),
            _ => None,
        }
    }

    /// Fyle's `error` kind (`ValidationError`, `BulkError`, ...), when there is one.
    pub fn fyle_error_kind(&self) -> Option<&FyleErrorKind> {
        self.api_error().map(ApiError::kind)
    }

    /// The per-row, per-field messages of a `ValidationError`.
    pub fn validation_errors(&self) -> Option<&[ValidationRow]> {
        self.api_error().and_then(ApiError::validation_errors)
    }

    /// The failed rows of a `BulkError`.
    pub fn bulk_errors(&self) -> Option<&[BulkRowError]> {
        self.api_error().and_then(ApiError::bulk_errors)
    }

    /// True for a 404 or a lookup by id that matched nothing.
    pub fn is_not_found(&self) -> bool {
        matches!(self.inner.kind, ErrorKind::NotFound(_))
    }

    /// True for a 401/498 that survived one token refresh.
    pub fn is_unauthorized(&self) -> bool {
        matches!(self.inner.kind, ErrorKind::Unauthorized(_))
    }

    /// True for a 403.
    pub fn is_forbidden(&self) -> bool {
        matches!(self.inner.kind, ErrorKind::Forbidden(_))
    }

    /// True for a 429.
    pub fn is_rate_limited(&self) -> bool {
        matches!(self.inner.kind, ErrorKind::RateLimited { .. })
    }

    /// True for a decode failure.
    pub fn is_decode(&self) -> bool {
        matches!(self.inner.kind, ErrorKind::Decode(_))
    }

    /// True for a `202 Accepted`: the result is still being computed (see
    /// [`ErrorKind::NotReady`]).
    pub fn is_not_ready(&self) -> bool {
        matches!(self.inner.kind, ErrorKind::NotReady { .. })
    }

    /// True when sending the same request again later may succeed: transport failures the
    /// transport calls retryable, 429, 5xx (JSON or a proxy's HTML page), storage 5xx, and a
    /// `202 Accepted` result that is not ready yet.
    pub fn is_retryable(&self) -> bool {
        match &self.inner.kind {
            ErrorKind::Transport(e) => e.is_retryable(),
            ErrorKind::RateLimited { .. } | ErrorKind::Server(_) | ErrorKind::NotReady { .. } => {
                true
            }
            ErrorKind::UnexpectedBody { status, .. } | ErrorKind::Storage { status, .. } => {
                status.is_server_error() || *status == StatusCode::TOO_MANY_REQUESTS
            }
            _ => false,
        }
    }
}

fn retry_after(headers: &http::HeaderMap) -> Option<Duration> {
    headers
        .get(http::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.inner.kind)
            .field("request", &self.inner.request)
            .field("resume_offset", &self.inner.resume_offset)
            .field("resume_cursor", &self.inner.resume_cursor)
            .finish()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(req) = &self.inner.request {
            write!(f, "{} {}: ", req.method, req.path)?;
        }
        match &self.inner.kind {
            ErrorKind::Api(e) | ErrorKind::Server(e) => write!(f, "{e}")?,
            ErrorKind::Unauthorized(e) => write!(f, "unauthorized after a token refresh: {e}")?,
            ErrorKind::Forbidden(e) => write!(f, "forbidden: {e}")?,
            ErrorKind::NotFound(nf) => match (&nf.id, &nf.error) {
                (Some(id), _) => write!(f, "not found: no object with id {id}")?,
                (None, Some(e)) => write!(f, "not found: {e}")?,
                (None, None) => f.write_str("not found")?,
            },
            ErrorKind::RateLimited { retry_after, error } => {
                write!(f, "rate limited: {error}")?;
                if let Some(d) = retry_after {
                    write!(f, " (retry after {}s)", d.as_secs())?;
                }
            }
            ErrorKind::UnexpectedBody {
                status,
                content_type,
                ..
            } => {
                write!(
                    f,
                    "{status}: unexpected {} body (a proxy or load balancer page?)",
                    content_type.as_deref().unwrap_or("untyped")
                )?;
            }
            ErrorKind::Decode(d) => write!(
                f,
                "cannot decode the response of {} at `{}`: {}",
                d.operation, d.path, d.message
            )?,
            ErrorKind::Auth(e) => write!(f, "authentication failed: {e}")?,
            ErrorKind::Cluster(e) => write!(f, "cluster error: {e}")?,
            ErrorKind::Transport(e) => write!(f, "transport error: {e}")?,
            ErrorKind::Storage { status, host, .. } => {
                write!(f, "storage host {host} answered {status}")?;
            }
            ErrorKind::InvalidRequest(m) => write!(f, "invalid request: {m}")?,
            ErrorKind::Config(m) => write!(f, "invalid client configuration: {m}")?,
            ErrorKind::Paging(e) => write!(f, "{e}")?,
            ErrorKind::UnsafeUrl { host, reason } => {
                write!(f, "refused the URL to host {host}: {reason}")?;
            }
            ErrorKind::Write(e) => write!(f, "writing the download failed: {e}")?,
            ErrorKind::NotReady {
                message,
                retry_after,
            } => {
                f.write_str("202 Accepted: the result is not ready yet; ask again later")?;
                if let Some(m) = message {
                    write!(f, " ({m})")?;
                }
                if let Some(d) = retry_after {
                    write!(f, " (retry after {}s)", d.as_secs())?;
                }
            }
        }
        if let Some(offset) = self.inner.resume_offset {
            write!(f, " (stream stopped at offset {offset})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.inner.kind {
            ErrorKind::Auth(e) => Some(e),
            ErrorKind::Cluster(e) => Some(e),
            ErrorKind::Transport(e) => Some(e),
            ErrorKind::Write(e) => Some(e),
            _ => None,
        }
    }
}

impl From<fyle_auth::AuthError> for Error {
    fn from(e: fyle_auth::AuthError) -> Self {
        Self::new(ErrorKind::Auth(e))
    }
}

/// A host the policy refused (a pinned cluster, the accounts host): a cluster error, as the
/// policy guards where the Bearer token goes.
impl From<fyle_auth::HostRefused> for Error {
    fn from(e: fyle_auth::HostRefused) -> Self {
        Self::new(ErrorKind::Cluster(e.into()))
    }
}

impl From<fyle_cluster::ClusterError> for Error {
    fn from(e: fyle_cluster::ClusterError) -> Self {
        Self::new(ErrorKind::Cluster(e))
    }
}

impl From<fyle_transport::TransportError> for Error {
    fn from(e: fyle_transport::TransportError) -> Self {
        Self::new(ErrorKind::Transport(e))
    }
}
