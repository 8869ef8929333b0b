//! Request extensions understood by the layers.

/// Marks a request as safe to replay: the retry layer then retries a POST carrying it like a
/// GET (on timeouts, broken connections and any 5xx).
///
/// ```
/// use bytes::Bytes;
/// use fyle_transport::Idempotent;
///
/// let mut request = http::Request::post("https://us1.fylehq.com/platform/v1/admin/expenses/bulk")
///     .body(Bytes::from_static(b"{}"))
///     .unwrap();
/// request.extensions_mut().insert(Idempotent);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Idempotent;
