//! [`BodyStream`]: a response body delivered chunk by chunk, for downloads too large to hold.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::Stream;

use crate::TransportError;

type Chunks = Pin<Box<dyn Stream<Item = Result<Bytes, TransportError>> + Send + 'static>>;

/// The body of a [`Transport::send_streaming`](crate::Transport::send_streaming) response: a
/// stream of chunks, each as the connection delivered it, ending after the last one or at the
/// first error.
///
/// Memory holds one chunk at a time (whatever the caller keeps aside), so a file of any size
/// can be written to disk. A broken or stalled connection ends the stream with a
/// [`TransportError`] (`Body` or `Timeout`); nothing is retried once the body started, since a
/// replay would repeat the bytes already handed out.
///
/// Its `Debug` prints nothing of the body or of the URL it came from.
pub struct BodyStream {
    chunks: Chunks,
}

impl BodyStream {
    /// A body from any stream of chunks (an adapter to another HTTP stack, a test).
    pub fn new(chunks: impl Stream<Item = Result<Bytes, TransportError>> + Send + 'static) -> Self {
        Self {
            chunks: Box::pin(chunks),
        }
    }

    /// A body already in memory, as one chunk (none if it is empty): what the default
    /// [`send_streaming`](crate::Transport::send_streaming) returns for transports that only
    /// implement `send`.
    pub fn full(bytes: Bytes) -> Self {
        let chunk = (!bytes.is_empty()).then_some(Ok(bytes));
        Self::new(futures_util::stream::iter(chunk))
    }

    /// Reads the whole body into memory, failing with
    /// [`TransportErrorKind::TooLarge`](crate::TransportErrorKind::TooLarge) once it passes
    /// `max_bytes`: for a small answer that came back on the streaming path (an error page).
    pub async fn collect_limited(mut self, max_bytes: u64) -> Result<Bytes, TransportError> {
        use futures_util::StreamExt as _;
        let mut body = bytes::BytesMut::new();
        while let Some(chunk) = self.next().await {
            let chunk = chunk?;
            if (body.len() as u64).saturating_add(chunk.len() as u64) > max_bytes {
                return Err(TransportError::new(
                    crate::TransportErrorKind::TooLarge,
                    format!("the response body exceeds the limit of {max_bytes} bytes"),
                ));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body.freeze())
    }
}

impl Stream for BodyStream {
    type Item = Result<Bytes, TransportError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.chunks.as_mut().poll_next(cx)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.chunks.size_hint()
    }
}

impl fmt::Debug for BodyStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BodyStream")
    }
}

#[cfg(test)]
mod tests {
    use futures_util::StreamExt as _;

    use super::*;

    #[tokio::test]
    async fn a_full_body_is_one_chunk_and_an_empty_one_none() {
        let chunks: Vec<_> = BodyStream::full(Bytes::from_static(b"abc")).collect().await;
        assert_eq!(chunks.len(), 1);
        assert_eq!(chunks[0].as_ref().expect("a chunk").as_ref(), b"abc");
        assert_eq!(BodyStream::full(Bytes::new()).count().await, 0);
    }

    #[tokio::test]
    async fn collect_limited_stops_past_the_limit() {
        let body = BodyStream::new(futures_util::stream::iter(
            [b"ab".as_slice(), b"cd", b"ef"].map(|c| Ok(Bytes::from_static(c))),
        ));
        let err = body.collect_limited(5).await.expect_err("6 bytes > 5");
        assert_eq!(err.kind(), crate::TransportErrorKind::TooLarge);
        let body = BodyStream::full(Bytes::from_static(b"abcdef"));
        assert_eq!(
            body.collect_limited(6).await.expect("fits").as_ref(),
            b"abcdef"
        );
    }
}
