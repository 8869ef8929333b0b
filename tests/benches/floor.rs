//! The floor: the SDK's pages fetched with raw hyper and decoded with serde_json into the same
//! generated types, nothing else around them.

use anyhow::bail;
use bytes::Bytes;
use futures::{StreamExt, TryStreamExt};
use fyle::Page;
use fyle::models::types::ExpenseOut;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

/// The page size of every stream here (Fyle's maximum).
pub(crate) const PAGE: u64 = 200;

/// A plain hyper client (HTTP/1, connection pool).
pub(crate) type Hyper = HyperClient<HttpConnector, Full<Bytes>>;

/// A new plain hyper client, with `TCP_NODELAY` as reqwest (under the SDK) sets it.
pub(crate) fn hyper() -> Hyper {
    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    HyperClient::builder(TokioExecutor::new()).build(connector)
}

/// `GET {domain}/platform/v1{path}?{query}` with a Bearer token: the raw body.
pub(crate) async fn get(
    hyper: &Hyper,
    domain: &str,
    token: &str,
    path_and_query: &str,
) -> anyhow::Result<Bytes> {
    let uri = format!(
        "{}/platform/v1{path_and_query}",
        domain.trim_end_matches('/')
    );
    let request = http::Request::get(uri)
        .header(http::header::AUTHORIZATION, format!("Bearer {token}"))
        .header(http::header::ACCEPT, "application/json")
        .body(Full::new(Bytes::new()))?;
    let response = hyper.request(request).await?;
    let status = response.status();
    let body = response.into_body().collect().await?.to_bytes();
    if !status.is_success() {
        bail!(
            "GET {path_and_query}: {status}: {}",
            String::from_utf8_lossy(&body)
        );
    }
    Ok(body)
}

/// One raw page of admin expenses in id order.
pub(crate) async fn page_body(
    hyper: &Hyper,
    domain: &str,
    token: &str,
    offset: u64,
) -> anyhow::Result<Bytes> {
    let query = format!("/admin/expenses?order=id.asc&offset={offset}&limit={PAGE}");
    get(hyper, domain, token, &query).await
}

async fn page(
    hyper: &Hyper,
    domain: &str,
    token: &str,
    offset: u64,
) -> anyhow::Result<Page<ExpenseOut>> {
    let body = page_body(hyper, domain, token, offset).await?;
    Ok(serde_json::from_slice(&body)?)
}

/// Every expense, by offset: the first page for the count, then the rest `concurrency` pages
/// at a time in order (the SDK's prefetch). Returns the number of expenses.
pub(crate) async fn export(
    hyper: &Hyper,
    domain: &str,
    token: &str,
    concurrency: usize,
) -> anyhow::Result<u64> {
    let first = page(hyper, domain, token, 0).await?;
    let mut items = first.items.len() as u64;
    let offsets = (PAGE..first.count).step_by(usize::try_from(PAGE)?);
    let mut pages = futures::stream::iter(offsets)
        .map(|offset| page(hyper, domain, token, offset))
        .buffered(concurrency);
    while let Some(page) = pages.try_next().await? {
        items += std::hint::black_box(page).items.len() as u64;
    }
    Ok(items)
}
