//! Wrapping request bodies and unwrapping response bodies per an operation's [`BodyShape`].

use bytes::Bytes;
use fyle_models::operations::BodyShape;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind, Result, excerpt};

#[derive(Serialize)]
struct DataRef<'a, B: ?Sized> {
    data: &'a B,
}

#[derive(Deserialize)]
struct DataOwned<R> {
    data: R,
}

/// Serializes `body` as the operation's request shape.
pub(crate) fn encode_body<B: Serialize + ?Sized>(
    shape: BodyShape,
    body: Option<&B>,
) -> Result<Option<Bytes>> {
    let bytes = match (shape, body) {
        (BodyShape::EmptyObject, _) => b"{}".to_vec(),
        (BodyShape::Data | BodyShape::DataArray, Some(b)) => to_vec(&DataRef { data: b })?,
        (BodyShape::Data, None) => b"{\"data\":{}}".to_vec(),
        (BodyShape::DataArray, None) => b"{\"data\":[]}".to_vec(),
        (_, Some(b)) => to_vec(b)?,
        (_, None) => return Ok(None),
    };
    Ok(Some(Bytes::from(bytes)))
}

fn to_vec<B: Serialize + ?Sized>(b: &B) -> Result<Vec<u8>> {
    serde_json::to_vec(b)
        .map_err(|e| Error::invalid(format!("cannot serialize the request body: {e}")))
}

/// True when a success body is not JSON: an HTML page, or text starting with `<`.
pub(crate) fn non_json_body(response: &http::Response<Bytes>) -> Option<Error> {
    let body = response.body();
    let content_type = response
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let html = content_type
        .as_deref()
        .is_some_and(|ct| ct.to_ascii_lowercase().contains("html"));
    let starts_with_tag = body
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'<');
    (html || starts_with_tag).then(|| {
        Error::new(ErrorKind::UnexpectedBody {
            status: response.status(),
            content_type,
            excerpt: excerpt(body),
        })
    })
}

/// Deserializes `body` as `R`, naming the failed JSON path on error.
pub(crate) fn from_slice<R: DeserializeOwned>(operation: &str, body: &[u8]) -> Result<R> {
    decode_tracked(body).map_err(|e| Error::decode(operation, &e, body))
}

/// Decodes `json` into `R` with serde_json alone, and only when that fails decodes it again
/// through `serde_path_to_error` to learn the JSON path: tracking the path on every decode
/// cost about a tenth of a page's time, and errors are rare.
pub(crate) fn decode_tracked<R: DeserializeOwned>(
    json: &[u8],
) -> std::result::Result<R, serde_path_to_error::Error<serde_json::Error>> {
    // Neither pass checks for trailing characters after the value, so both accept the same
    // bodies.
    if let Ok(value) = R::deserialize(&mut serde_json::Deserializer::from_slice(json)) {
        return Ok(value);
    }
    serde_path_to_error::deserialize(&mut serde_json::Deserializer::from_slice(json))
}

/// Unwraps the response per the operation's response shape into `R`.
pub(crate) fn decode_body<R: DeserializeOwned>(
    operation: &str,
    shape: BodyShape,
    response: &http::Response<Bytes>,
) -> Result<R> {
    if let Some(err) = non_json_body(response) {
        return Err(err);
    }
    let body = response.body();
    let empty = body.iter().all(u8::is_ascii_whitespace);
    match shape {
        // No declared body: the caller asked for `()` (or ignores it); whatever the server
        // sent (`{}`, nothing) is not decoded.
        BodyShape::None => from_slice(operation, b"null"),
        BodyShape::Data | BodyShape::DataArray if !empty => {
            from_slice::<DataOwned<R>>(operation, body).map(|d| d.data)
        }
        _ if empty => from_slice(operation, b"null"),
        _ => from_slice(operation, body),
    }
}
