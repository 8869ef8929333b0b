//! [`HyperTransport`]: hyper-util's pooled client with hyper-rustls (feature `hyper`).

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};

use crate::classify::{connect_kind, is_io_timeout, root_message};
use crate::connection::{BodyLimits, ConnectionBuilder, require_absolute, within_timeout};
use crate::{BodyStream, Transport, TransportError, TransportErrorKind};

type HyperClient = Client<Timed<HttpsConnector<HttpConnector>>, Full<Bytes>>;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A connector whose whole connect (TCP, then the TLS handshake) must finish within `limit`:
/// hyper-rustls has no handshake timeout of its own, and a server that accepts the TCP
/// connection but never answers the handshake would otherwise hold the call until the
/// request timeout.
#[derive(Debug, Clone)]
struct Timed<C> {
    inner: C,
    limit: Duration,
}

impl<C> tower_service::Service<http::Uri> for Timed<C>
where
    C: tower_service::Service<http::Uri>,
    C::Future: Send + 'static,
    C::Error: Into<BoxError>,
{
    type Response = C::Response;
    type Error = BoxError;
    type Future =
        std::pin::Pin<Box<dyn std::future::Future<Output = Result<C::Response, BoxError>> + Send>>;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, uri: http::Uri) -> Self::Future {
        let connect = self.inner.call(uri);
        let limit = self.limit;
        Box::pin(async move {
            match tokio::time::timeout(limit, connect).await {
                Ok(result) => result.map_err(Into::into),
                Err(_) => Err(Box::new(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    format!(
                        "connect and TLS handshake not done within {} ms",
                        limit.as_millis()
                    ),
                )) as BoxError),
            }
        })
    }
}

/// A [`Transport`] on hyper-util's pooled legacy client, with hyper-rustls (ring provider,
/// webpki roots), HTTP/1.1, and HTTP/2 with the `http2` feature.
///
/// Like `ReqwestTransport` it never follows redirects, applies a
/// connect timeout and a whole-request timeout, and exposes no hyper type.
///
/// ```
/// use std::time::Duration;
/// use fyle_transport::HyperTransport;
///
/// let transport = HyperTransport::builder()
///     .timeout(Duration::from_secs(30))
///     .build()
///     .expect("TLS backend available");
/// # let _ = transport;
/// ```
#[derive(Debug, Clone)]
pub struct HyperTransport {
    client: HyperClient,
    timeout: Option<Duration>,
    user_agent: http::HeaderValue,
    limits: BodyLimits,
}

impl Default for HyperTransport {
    fn default() -> Self {
        Self::new()
    }
}

impl HyperTransport {
    /// A transport with the default settings (see [`HyperTransportBuilder`]).
    ///
    /// # Panics
    /// If the TLS configuration cannot be built; use [`builder`](Self::builder) to get an
    /// error instead.
    pub fn new() -> Self {
        Self::builder()
            .build()
            .expect("the ring provider supports the default TLS versions")
    }

    /// A builder for custom timeouts, pool and user agent.
    pub fn builder() -> HyperTransportBuilder {
        HyperTransportBuilder::default()
    }
}

/// Settings for a [`HyperTransport`]: timeouts, pool and user agent (see
/// [`ConnectionBuilder`]), then `build`.
pub type HyperTransportBuilder = ConnectionBuilder<HyperTransport>;

impl ConnectionBuilder<HyperTransport> {
    /// Builds the transport.
    pub fn build(self) -> Result<HyperTransport, TransportError> {
        let limits = BodyLimits::of(&self);
        let user_agent = http::HeaderValue::try_from(self.user_agent).map_err(|err| {
            TransportError::new(
                TransportErrorKind::Other,
                format!("invalid user agent: {err}"),
            )
        })?;
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(self.connect_timeout));
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_webpki_roots(provider)
            .map_err(|err| {
                TransportError::new(
                    TransportErrorKind::Tls,
                    format!("could not build the TLS configuration: {err}"),
                )
                .with_source(err)
            })?
            .https_or_http()
            .enable_http1();
        #[cfg(feature = "http2")]
        let https = https.enable_http2();
        let https = https.wrap_connector(http);
        let https = Timed {
            inner: https,
            limit: self.connect_timeout + self.tls_handshake_timeout,
        };
        let client = Client::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(self.pool_idle_timeout)
            .pool_max_idle_per_host(self.pool_max_idle_per_host)
            .build(https);
        Ok(HyperTransport {
            client,
            timeout: self.timeout,
            user_agent,
            limits,
        })
    }
}

fn map_client_error(err: &hyper_util::client::legacy::Error) -> (TransportErrorKind, bool) {
    if err.is_connect() {
        if is_io_timeout(err) {
            (TransportErrorKind::Connect, true)
        } else {
            (connect_kind(err), true)
        }
    } else if is_io_timeout(err) {
        (TransportErrorKind::Timeout, false)
    } else {
        (TransportErrorKind::Body, false)
    }
}

fn body_error(err: hyper::Error, uri: &http::Uri) -> TransportError {
    let kind = if is_io_timeout(&err) {
        TransportErrorKind::Timeout
    } else {
        TransportErrorKind::Body
    };
    TransportError::new(kind, root_message(&err))
        .with_uri(uri)
        .with_source(err)
}

/// The next data chunk of `incoming` within the read-idle timeout (trailers are skipped), or
/// `None` at its end.
async fn next_data(
    incoming: &mut Incoming,
    limits: BodyLimits,
    uri: &http::Uri,
) -> Result<Option<Bytes>, TransportError> {
    while let Some(frame) = limits.within_idle(uri, incoming.frame()).await? {
        if let Ok(data) = frame.map_err(|err| body_error(err, uri))?.into_data() {
            return Ok(Some(data));
        }
    }
    Ok(None)
}

impl HyperTransport {
    /// Sends `request` (with the default user agent) and waits for the response head.
    async fn head(
        &self,
        mut request: Request<Bytes>,
        uri: &http::Uri,
    ) -> Result<Response<Incoming>, TransportError> {
        require_absolute(uri)?;
        if !request.headers().contains_key(http::header::USER_AGENT) {
            request
                .headers_mut()
                .insert(http::header::USER_AGENT, self.user_agent.clone());
        }
        self.client
            .request(request.map(Full::new))
            .await
            .map_err(|err| {
                let (kind, nothing_sent) = map_client_error(&err);
                TransportError::new(kind, root_message(&err))
                    .with_uri(uri)
                    .with_nothing_sent(nothing_sent)
                    .with_source(err)
            })
    }

    /// The whole exchange of `send`: the head, then the body up to the size limit.
    async fn exchange(
        &self,
        request: Request<Bytes>,
        uri: &http::Uri,
    ) -> Result<Response<Bytes>, TransportError> {
        let (parts, mut incoming) = self.head(request, uri).await?.into_parts();
        let limits = self.limits;
        limits.check_declared(&parts.headers, uri)?;
        let mut body = bytes::BytesMut::new();
        while let Some(data) = next_data(&mut incoming, limits, uri).await? {
            limits.push(&mut body, &data, uri)?;
        }
        Ok(Response::from_parts(parts, body.freeze()))
    }
}

/// The data chunks of `incoming` as they arrive, each within the read-idle timeout, with no
/// total-size cap.
fn chunks(incoming: Incoming, uri: http::Uri, limits: BodyLimits) -> BodyStream {
    BodyStream::new(futures_util::stream::try_unfold(
        incoming,
        move |mut incoming| {
            let uri = uri.clone();
            async move {
                let data = next_data(&mut incoming, limits, &uri).await?;
                Ok(data.map(|data| (data, incoming)))
            }
        },
    ))
}

#[async_trait]
impl Transport for HyperTransport {
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
        let response = within_timeout(
            self.timeout,
            &uri,
            "response head",
            self.head(request, &uri),
        )
        .await?;
        let limits = self.limits;
        Ok(response.map(|incoming| chunks(incoming, uri, limits)))
    }
}
