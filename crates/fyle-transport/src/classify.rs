//! Mapping the HTTP clients' errors onto [`TransportErrorKind`] without leaking URLs.

use std::error::Error as StdError;
use std::io;

use crate::TransportErrorKind;

/// Walks an error's source chain, looking inside `io::Error`s too (their `source()` skips the
/// wrapped error, which is where rustls puts its own).
pub(crate) fn chain<'a>(
    err: &'a (dyn StdError + 'static),
) -> impl Iterator<Item = &'a (dyn StdError + 'static)> {
    std::iter::successors(Some(err), |e: &&'a (dyn StdError + 'static)| {
        if let Some(inner) = e.downcast_ref::<io::Error>().and_then(io::Error::get_ref) {
            let inner: &'a (dyn StdError + 'static) = inner;
            return Some(inner);
        }
        (*e).source()
    })
}

/// `true` when some error in the chain is a rustls error (a failed TLS handshake or certificate).
pub(crate) fn is_tls(err: &(dyn StdError + 'static)) -> bool {
    chain(err).any(|e| e.downcast_ref::<rustls::Error>().is_some())
}

/// `true` when some error in the chain is an I/O timeout.
pub(crate) fn is_io_timeout(err: &(dyn StdError + 'static)) -> bool {
    chain(err).any(|e| {
        e.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::TimedOut)
    })
}

/// The innermost error's message: the most specific cause ("Connection refused (os error 111)"),
/// which for the HTTP clients never holds a URL.
pub(crate) fn root_message(err: &(dyn StdError + 'static)) -> String {
    chain(err)
        .last()
        .map_or_else(|| err.to_string(), ToString::to_string)
}

/// Picks the kind for a failure of the connect phase.
pub(crate) fn connect_kind(err: &(dyn StdError + 'static)) -> TransportErrorKind {
    if is_tls(err) {
        TransportErrorKind::Tls
    } else {
        TransportErrorKind::Connect
    }
}
