//! Wrapping request bodies and unwrapping response bodies per an operation's [`BodyShape`].

use bytes::Bytes;
use fyle_models::lenient::{self, DecodeWarning, Decoded};
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

/// Deserializes `body` as `R`, naming the failed JSON path on error (strict: nothing repaired).
pub(crate) fn from_slice<R: DeserializeOwned>(operation: &str, body: &[u8]) -> Result<R> {
    lenient::decode_strict(body).map_err(|e| Error::decode(operation, &e, body))
}

/// Decodes `body` as `R`. Lenient (the default): a value of the wrong shape is repaired and
/// reported as a warning, logged here through `tracing::warn!`. Strict: any such value is the
/// typed decode error, with its JSON path.
pub(crate) fn decode_with<R: DeserializeOwned>(
    operation: &str,
    body: &[u8],
    strict: bool,
) -> Result<Decoded<R>> {
    if strict {
        return from_slice(operation, body).map(|value| Decoded {
            value,
            warnings: Vec::new(),
        });
    }
    let decoded = lenient::decode(body).map_err(|e| Error::decode(operation, &e, body))?;
    log_warnings(operation, &decoded.warnings);
    Ok(decoded)
}

/// Logs each repaired value of a response of `operation`.
pub(crate) fn log_warnings(operation: &str, warnings: &[DecodeWarning]) {
    for w in warnings {
        tracing::warn!(
            operation,
            path = %w.path,
            expected = %w.expected,
            got = %w.got,
            repair = %w.repair,
            "repaired a value of the wrong shape while decoding the response"
        );
    }
}

/// Unwraps the response per the operation's response shape into `R`.
pub(crate) fn decode_body<R: DeserializeOwned>(
    operation: &str,
    shape: BodyShape,
    response: &http::Response<Bytes>,
) -> Result<R> {
    decode_body_with(operation, shape, response, true).map(|d| d.value)
}

/// [`decode_body`], lenient unless `strict` (see [`decode_with`]).
pub(crate) fn decode_body_with<R: DeserializeOwned>(
    operation: &str,
    shape: BodyShape,
    response: &http::Response<Bytes>,
    strict: bool,
) -> Result<Decoded<R>> {
    if let Some(err) = non_json_body(response) {
        return Err(err);
    }
    let body = response.body();
    let empty = body.iter().all(u8::is_ascii_whitespace);
    match shape {
        // No declared body: the caller asked for `()` (or ignores it); whatever the server
        // sent (`{}`, nothing) is not decoded.
        BodyShape::None => decode_with(operation, b"null", strict),
        BodyShape::Data | BodyShape::DataArray if !empty => {
            decode_with::<DataOwned<R>>(operation, body, strict).map(|d| Decoded {
                value: d.value.data,
                warnings: d.warnings,
            })
        }
        _ if empty => decode_with(operation, b"null", strict),
        _ => decode_with(operation, body, strict),
    }
}
