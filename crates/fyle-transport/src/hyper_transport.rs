//! [`HyperTransport`]: hyper-util's pooled client with hyper-rustls (feature `hyper`).

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};

use crate::classify::{connect_kind, is_io_timeout, root_message};
use crate::connection::{ConnectionBuilder, require_absolute};
use crate::{Transport, TransportError, TransportErrorKind};

type HyperClient = Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

/// A [`Transport`] on hyper-util's pooled legacy client, with hyper-rustls (ring provider,
/// webpki roots), HTTP/1.1 and HTTP/2.
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
            .enable_http1()
            .enable_http2()
            .wrap_connector(http);
        let client = Client::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(self.pool_idle_timeout)
            .pool_max_idle_per_host(self.pool_max_idle_per_host)
            .build(https);
        Ok(HyperTransport {
            client,
            timeout: self.timeout,
            user_agent,
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

impl HyperTransport {
    async fn exchange(
        &self,
        request: Request<Bytes>,
        uri: &http::Uri,
    ) -> Result<Response<Bytes>, TransportError> {
        let response = self
            .client
            .request(request.map(Full::new))
            .await
            .map_err(|err| {
                let (kind, nothing_sent) = map_client_error(&err);
                TransportError::new(kind, root_message(&err))
                    .with_uri(uri)
                    .with_nothing_sent(nothing_sent)
                    .with_source(err)
            })?;
        let (parts, body) = response.into_parts();
        let body = body.collect().await.map_err(|err| {
            let kind = if is_io_timeout(&err) {
                TransportErrorKind::Timeout
            } else {
                TransportErrorKind::Body
            };
            TransportError::new(kind, root_message(&err))
                .with_uri(uri)
                .with_source(err)
        })?;
        Ok(Response::from_parts(parts, body.to_bytes()))
    }
}

#[async_trait]
impl Transport for HyperTransport {
    async fn send(&self, mut request: Request<Bytes>) -> Result<Response<Bytes>, TransportError> {
        let uri = request.uri().clone();
        require_absolute(&uri)?;
        if !request.headers().contains_key(http::header::USER_AGENT) {
            request
                .headers_mut()
                .insert(http::header::USER_AGENT, self.user_agent.clone());
        }
        match self.timeout {
            None => self.exchange(request, &uri).await,
            Some(limit) => tokio::time::timeout(limit, self.exchange(request, &uri))
                .await
                .unwrap_or_else(|_elapsed| {
                    Err(TransportError::new(
                        TransportErrorKind::Timeout,
                        format!("no complete response within {} ms", limit.as_millis()),
                    )
                    .with_uri(&uri))
                }),
        }
    }
}
