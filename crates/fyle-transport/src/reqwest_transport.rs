//! [`ReqwestTransport`]: the default implementation, on `reqwest` with rustls.

use async_trait::async_trait;
use bytes::Bytes;
use http::{Request, Response};

use crate::classify::{connect_kind, is_io_timeout, root_message};
use crate::connection::{BodyLimits, ConnectionBuilder, require_absolute, within_timeout};
use crate::{BodyStream, Transport, TransportError, TransportErrorKind};

/// The default [`Transport`]: a pooled `reqwest` client with rustls and webpki roots.
///
/// It never follows redirects (a 3xx is returned as a response, so a bearer token never
/// follows a redirect to another host), applies a connect timeout and a whole-request timeout,
/// and keeps idle connections in a pool. No reqwest type appears in its API.
///
/// ```
/// use std::time::Duration;
/// use fyle_transport::ReqwestTransport;
///
/// let transport = ReqwestTransport::builder()
///     .connect_timeout(Duration::from_secs(5))
///     .timeout(Duration::from_secs(60))
///     .build()
///     .expect("TLS backend available");
/// # let _ = transport;
/// ```
#[derive(Debug, Clone)]
pub struct ReqwestTransport {
    client: reqwest::Client,
    limits: BodyLimits,
    // Applied here rather than as reqwest's own timeout, which would also cut a streamed
    // download short: `send` bounds the whole exchange, `send_streaming` the head only.
    timeout: Option<std::time::Duration>,
}

impl Default for ReqwestTransport {
    fn default() -> Self {
        Self::new()
    }
}

impl ReqwestTransport {
    /// A transport with the default settings (see [`ReqwestTransportBuilder`]).
    ///
    /// # Panics
    /// If the TLS backend cannot be initialised (like `reqwest::Client::new`); use
    /// [`builder`](Self::builder) to get an error instead.
    pub fn new() -> Self {
        Self::builder()
            .build()
            .expect("the rustls TLS backend initialises with webpki roots")
    }

    /// A builder for custom timeouts, pool and user agent.
    pub fn builder() -> ReqwestTransportBuilder {
        ReqwestTransportBuilder::default()
    }
}

/// Settings for a [`ReqwestTransport`]: timeouts, pool and user agent (see
/// [`ConnectionBuilder`]), then `build`.
pub type ReqwestTransportBuilder = ConnectionBuilder<ReqwestTransport>;

impl ConnectionBuilder<ReqwestTransport> {
    /// Builds the transport.
    pub fn build(self) -> Result<ReqwestTransport, TransportError> {
        let limits = BodyLimits::of(&self);
        let client = reqwest::Client::builder()
            .use_rustls_tls()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(self.connect_timeout)
            .pool_idle_timeout(self.pool_idle_timeout)
            .pool_max_idle_per_host(self.pool_max_idle_per_host)
            .user_agent(self.user_agent)
            .build()
            .map_err(|err| {
                TransportError::new(
                    TransportErrorKind::Other,
                    format!("could not build the HTTP client: {}", root_message(&err)),
                )
                .with_source(err.without_url())
            })?;
        Ok(ReqwestTransport {
            client,
            limits,
            timeout: self.timeout,
        })
    }
}

fn map_error(err: reqwest::Error, uri: &http::Uri, phase: Phase) -> TransportError {
    let err = err.without_url();
    let (kind, nothing_sent) = if err.is_connect() {
        (connect_kind(&err), true)
    } else if err.is_timeout() || is_io_timeout(&err) {
        (TransportErrorKind::Timeout, false)
    } else if err.is_builder() {
        (TransportErrorKind::Other, true)
    } else if err.is_body() || err.is_decode() || phase == Phase::Body {
        (TransportErrorKind::Body, false)
    } else {
        (TransportErrorKind::Other, false)
    };
    TransportError::new(kind, root_message(&err))
        .with_uri(uri)
        .with_nothing_sent(nothing_sent)
        .with_source(err)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Send,
    Body,
}

impl ReqwestTransport {
    /// Sends `request` and waits for the response head.
    async fn head(
        &self,
        request: Request<Bytes>,
        uri: &http::Uri,
    ) -> Result<(Response<()>, reqwest::Response), TransportError> {
        require_absolute(uri)?;
        let request =
            reqwest::Request::try_from(request).map_err(|err| map_error(err, uri, Phase::Send))?;
        let response = self
            .client
            .execute(request)
            .await
            .map_err(|err| map_error(err, uri, Phase::Send))?;
        let mut head = Response::new(());
        *head.status_mut() = response.status();
        *head.version_mut() = response.version();
        *head.headers_mut() = response.headers().clone();
        Ok((head, response))
    }

    /// The whole exchange of `send`: the head, then the body up to the size limit.
    async fn exchange(
        &self,
        request: Request<Bytes>,
        uri: &http::Uri,
    ) -> Result<Response<Bytes>, TransportError> {
        let (head, mut response) = self.head(request, uri).await?;
        let limits = self.limits;
        limits.check_declared(head.headers(), uri)?;
        let mut body = bytes::BytesMut::new();
        while let Some(chunk) = limits
            .within_idle(uri, response.chunk())
            .await?
            .map_err(|err| map_error(err, uri, Phase::Body))?
        {
            limits.push(&mut body, &chunk, uri)?;
        }
        Ok(head.map(|()| body.freeze()))
    }
}

/// The chunks of `response` as they arrive, each within the read-idle timeout, with no
/// total-size cap.
fn chunks(response: reqwest::Response, uri: http::Uri, limits: BodyLimits) -> BodyStream {
    BodyStream::new(futures_util::stream::try_unfold(
        response,
        move |mut response| {
            let uri = uri.clone();
            async move {
                let chunk = limits
                    .within_idle(&uri, response.chunk())
                    .await?
                    .map_err(|err| map_error(err, &uri, Phase::Body))?;
                Ok(chunk.map(|chunk| (chunk, response)))
            }
        },
    ))
}

#[async_trait]
impl Transport for ReqwestTransport {
    async fn send(&self, request: Request<Bytes>) -> Result<Response<Bytes>, TransportError> {
        let uri = request.uri().clone();
        within_timeout(
            self.timeout,
            &uri,
            "complete response",
            self.exchange(request, &uri),
        )
        .await
    }

    async fn send_streaming(
        &self,
        request: Request<Bytes>,
    ) -> Result<Response<BodyStream>, TransportError> {
        let uri = request.uri().clone();
        let (head, response) = within_timeout(
            self.timeout,
            &uri,
            "response head",
            self.head(request, &uri),
        )
        .await?;
        let limits = self.limits;
        Ok(head.map(|()| chunks(response, uri, limits)))
    }
}
