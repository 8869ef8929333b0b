//! Streaming downloads: a file of any size goes to a writer (a file on disk, a socket) with
//! memory bounded by one chunk, through the transport's
//! [`send_streaming`](fyle_transport::Transport::send_streaming).

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::{Stream, StreamExt as _};
use fyle_transport::BodyStream;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use http::{Method, StatusCode};
use tokio::io::{AsyncWrite, AsyncWriteExt as _};
use url::Url;

use super::check_storage_url;
use crate::client::Client;
use crate::error::{Error, ErrorKind, Result, excerpt};
use crate::pipeline::to_uri;

/// How much of a storage host's error body is read for the (redacted) excerpt.
const ERROR_BODY_BYTES: usize = 4096;

/// A file being downloaded: its headers now, its bytes as they arrive.
///
/// A `Stream` of `Result<Bytes>` chunks (the transport's chunks, no total-size cap; a stalled
/// connection fails after the read-idle timeout), or [`write_to`](Self::write_to) a writer.
/// Nothing is retried once bytes were handed out: on an error, start the download again.
///
/// Its `Debug` shows the storage host only: the signed URL is a bearer credential for the file.
pub struct DownloadStream {
    content_type: Option<String>,
    content_length: Option<u64>,
    /// The host the bytes come from (never the signed query string); empty when Fyle answered
    /// the bytes itself.
    host: String,
    /// The URL path, named by errors.
    path: String,
    body: BodyStream,
}

impl DownloadStream {
    fn new(head: &http::response::Parts, host: &str, path: &str, body: BodyStream) -> Self {
        let text = |name| {
            head.headers
                .get(name)
                .and_then(|v: &http::HeaderValue| v.to_str().ok())
                .map(str::to_owned)
        };
        Self {
            content_type: text(CONTENT_TYPE),
            content_length: text(CONTENT_LENGTH).and_then(|v| v.trim().parse().ok()),
            host: host.to_owned(),
            path: path.to_owned(),
            body,
        }
    }

    /// The `Content-Type` the storage host sent.
    pub fn content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    /// The `Content-Length` the storage host declared, if any (a progress bar's total).
    pub fn content_length(&self) -> Option<u64> {
        self.content_length
    }

    /// Writes every chunk to `writer` as it arrives, flushes it, and returns the number of
    /// bytes written. Memory holds one chunk at a time.
    pub async fn write_to<W>(mut self, writer: &mut W) -> Result<u64>
    where
        W: AsyncWrite + Unpin + ?Sized,
    {
        let mut written = 0_u64;
        while let Some(chunk) = self.next().await {
            let chunk = chunk?;
            writer
                .write_all(&chunk)
                .await
                .map_err(|e| Error::new(ErrorKind::Write(e)))?;
            written = written.saturating_add(chunk.len() as u64);
        }
        writer
            .flush()
            .await
            .map_err(|e| Error::new(ErrorKind::Write(e)))?;
        Ok(written)
    }
}

impl Stream for DownloadStream {
    type Item = Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        Pin::new(&mut this.body).poll_next(cx).map(|item| {
            item.map(|chunk| {
                chunk.map_err(|e| Error::from(e).with_request(&Method::GET, &this.path))
            })
        })
    }
}

impl fmt::Debug for DownloadStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DownloadStream")
            .field("host", &self.host)
            .field("content_type", &self.content_type)
            .field("content_length", &self.content_length)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Streams a presigned `download_url` (no Authorization header is sent). The URL must be
    /// https and not an internal address ([`ErrorKind::UnsafeUrl`]), checked before any
    /// request; a non-2xx answer is an [`ErrorKind::Storage`] error. Unlike
    /// [`download_url`](Self::download_url) the body is not held in memory and has no size cap.
    pub async fn download_url_stream(&self, url: &str) -> Result<DownloadStream> {
        let url = Url::parse(url).map_err(|_| Error::invalid("bad download URL"))?;
        check_storage_url(&url, self.inner.allow_list.allows_loopback())?;
        let request = http::Request::builder()
            .method(Method::GET)
            .uri(to_uri(&url)?)
            .body(Bytes::new())
            .map_err(|e| Error::invalid(format!("cannot build the download request: {e}")))?;
        let (head, body) = self
            .inner
            .transport
            .send_streaming(request)
            .await
            .map_err(|e| Error::from(e).with_request(&Method::GET, url.path()))?
            .into_parts();
        if !head.status.is_success() {
            return Err(storage_failure(head.status, &url, body).await);
        }
        let host = url.host_str().unwrap_or_default();
        Ok(DownloadStream::new(&head, host, url.path(), body))
    }
}

/// The storage host's error, with an excerpt of the first bytes of its body (whatever arrived
/// of them: the error matters more than a broken error body).
async fn storage_failure(status: StatusCode, url: &Url, mut body: BodyStream) -> Error {
    let mut head = Vec::new();
    while head.len() < ERROR_BODY_BYTES {
        match body.next().await {
            Some(Ok(chunk)) => head.extend_from_slice(&chunk),
            _ => break,
        }
    }
    Error::new(ErrorKind::Storage {
        status,
        host: url.host_str().unwrap_or_default().to_owned(),
        excerpt: excerpt(&head),
    })
}

/// A body Fyle answered inline on `path` (no redirect to storage), already in memory: its
/// host is left empty.
pub(super) fn inline(response: http::Response<Bytes>, path: &str) -> DownloadStream {
    let (head, bytes) = response.into_parts();
    DownloadStream::new(&head, "", path, BodyStream::full(bytes))
}
