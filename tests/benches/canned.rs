//! The canned-page server: every page of a sandbox's expenses serialized once, served from
//! memory by hyper with no per-request work beyond finding the page (a map lookup by offset or
//! by the cursor's last id). It answers the token and cluster endpoints too, so the SDK's whole
//! client stack (token provider, cluster discovery, retry, limiter) runs unchanged, and what
//! is measured against it is the client alone.
//!
//! It runs on its own thread ([`SERVER_THREAD`]) with a single-threaded runtime, which the CPU
//! readings of [`crate::cpu`] leave out.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use bytes::Bytes;
use http_body_util::Full;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::sync::oneshot;

use crate::cpu::SERVER_THREAD;
use crate::floor::{self, Hyper, PAGE};

/// The pages, as the sandbox served them.
pub(crate) struct CannedPages {
    /// Page `i` holds expenses `200 i ..` in id order.
    pages: Vec<Bytes>,
    /// The id of each page's last expense.
    last_ids: Vec<String>,
    /// A one-expense answer (any `limit=1` query: counts, the snapshot bound, the server clock).
    one: Bytes,
    /// The org's custom expense fields (`GET /admin/expense_fields`).
    fields: Bytes,
    /// The expenses in all.
    pub(crate) count: u64,
}

impl CannedPages {
    /// Reads every page of admin expenses of the sandbox at `domain`.
    pub(crate) async fn capture(hyper: &Hyper, domain: &str, token: &str) -> anyhow::Result<Self> {
        let first = floor::page_body(hyper, domain, token, 0).await?;
        let count = page_meta(&first)?.0;
        let mut pages = vec![first];
        for offset in (PAGE..count).step_by(usize::try_from(PAGE)?) {
            pages.push(floor::page_body(hyper, domain, token, offset).await?);
        }
        let last_ids = pages
            .iter()
            .map(|page| page_meta(page).map(|(_, last)| last))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let one = floor::get(hyper, domain, token, "/admin/expenses?order=id.asc&limit=1").await?;
        let fields = floor::get(
            hyper,
            domain,
            token,
            "/admin/expense_fields?is_custom=eq.true&is_enabled=eq.true&order=id.asc&offset=0&limit=200",
        )
        .await?;
        Ok(Self {
            pages,
            last_ids,
            one,
            fields,
            count,
        })
    }

    /// The first page's body (200 expenses).
    pub(crate) fn first_page(&self) -> &Bytes {
        &self.pages[0]
    }
}

/// `(count, id of the last item)` of a page body.
fn page_meta(body: &[u8]) -> anyhow::Result<(u64, String)> {
    #[derive(serde::Deserialize)]
    struct Meta {
        count: u64,
        data: Vec<Id>,
    }
    #[derive(serde::Deserialize)]
    struct Id {
        id: String,
    }
    let meta: Meta = serde_json::from_slice(body).context("a sandbox page")?;
    let last = meta
        .data
        .last()
        .context("an empty sandbox page")?
        .id
        .clone();
    Ok((meta.count, last))
}

/// Every answer, prebuilt.
struct Answers {
    pages: Vec<Bytes>,
    /// Page `i` as a keyset (cursor) query gets it: `count` is the rows after the cursor, as
    /// Fyle and the sandbox answer, which the stable stream and the export read to end.
    keyset_pages: Vec<Bytes>,
    /// Last id of page `i` -> `i + 1` (the page after that cursor).
    after: HashMap<String, usize>,
    /// Past the last page by offset: `count` is still every row.
    empty: Bytes,
    /// Past the last page by cursor: no row is left after it.
    keyset_empty: Bytes,
    one: Bytes,
    fields: Bytes,
    token: Bytes,
    cluster: Bytes,
}

impl Answers {
    fn for_path(&self, path: &str, query: &str) -> Option<Bytes> {
        let path = path.trim_end_matches('/');
        Some(if path.ends_with("/oauth/token") {
            self.token.clone()
        } else if path.ends_with("/oauth/cluster") {
            self.cluster.clone()
        } else if path.ends_with("/admin/expense_fields") {
            self.fields.clone()
        } else if path.ends_with("/admin/expenses") {
            self.expenses(query)
        } else {
            return None;
        })
    }

    /// The page a query asks for: after the cursor's id (`id=gt.X` or `id.gt.X` in a group),
    /// else at its offset; a one-row query gets the one-row answer.
    fn expenses(&self, query: &str) -> Bytes {
        let index = if let Some(id) = cursor_id(query) {
            let index = self.after.get(id).copied().unwrap_or(usize::MAX);
            return self
                .keyset_pages
                .get(index)
                .unwrap_or(&self.keyset_empty)
                .clone();
        } else if query.split('&').any(|pair| pair == "limit=1") {
            return self.one.clone();
        } else {
            let offset = query
                .split('&')
                .find_map(|pair| pair.strip_prefix("offset="))
                .and_then(|n| n.parse::<usize>().ok())
                .unwrap_or(0);
            offset / usize::try_from(PAGE).unwrap_or(usize::MAX)
        };
        self.pages.get(index).unwrap_or(&self.empty).clone()
    }
}

/// The id after `id=gt.` or `id.gt.` in a raw query (ids are alphanumeric).
fn cursor_id(query: &str) -> Option<&str> {
    let start = ["id=gt.", "id.gt."]
        .iter()
        .find_map(|marker| query.find(marker).map(|at| at + marker.len()))?;
    let rest = &query[start..];
    let end = rest
        .find(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .unwrap_or(rest.len());
    Some(&rest[..end])
}

/// A running canned server; stops when dropped.
pub(crate) struct CannedServer {
    /// `http://127.0.0.1:PORT`: the accounts URL and the cluster domain both.
    pub(crate) url: String,
    _stop: oneshot::Sender<()>,
}

impl CannedServer {
    /// Serves `canned` on a free port of 127.0.0.1, from a thread of its own.
    pub(crate) fn start(canned: &CannedPages) -> anyhow::Result<Self> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let addr: SocketAddr = listener.local_addr()?;
        let url = format!("http://{addr}");
        let answers = Arc::new(Answers {
            pages: canned.pages.clone(),
            keyset_pages: keyset_pages(&canned.pages, canned.count)?,
            after: canned
                .last_ids
                .iter()
                .enumerate()
                .map(|(i, id)| (id.clone(), i + 1))
                .collect(),
            empty: Bytes::from(format!(r#"{{"count":{0},"offset":{0},"data":[]}}"#, canned.count)),
            keyset_empty: Bytes::from_static(br#"{"count":0,"offset":0,"data":[]}"#),
            one: canned.one.clone(),
            fields: canned.fields.clone(),
            token: Bytes::from_static(
                br#"{"access_token":"canned-access","refresh_token":"canned-refresh","expires_in":3600,"token_type":"Bearer"}"#,
            ),
            cluster: Bytes::from(format!(r#"{{"cluster_domain":"{url}"}}"#)),
        });
        let (stop, stopped) = oneshot::channel();
        std::thread::Builder::new()
            .name(SERVER_THREAD.to_owned())
            .spawn(move || serve(listener, answers, stopped))?;
        Ok(Self { url, _stop: stop })
    }
}

/// The pages with `count` = the rows from each page's first on, `offset` 0: a keyset query's
/// answer (rewritten once here, so serving stays a lookup).
fn keyset_pages(pages: &[Bytes], count: u64) -> anyhow::Result<Vec<Bytes>> {
    let mut left = count;
    pages
        .iter()
        .map(|page| {
            let mut body: serde_json::Value = serde_json::from_slice(page)?;
            let rows = body["data"].as_array().map_or(0, Vec::len) as u64;
            body["count"] = left.into();
            body["offset"] = 0.into();
            left = left.saturating_sub(rows);
            Ok(Bytes::from(serde_json::to_vec(&body)?))
        })
        .collect()
}

fn serve(listener: std::net::TcpListener, answers: Arc<Answers>, stopped: oneshot::Receiver<()>) {
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        return;
    };
    runtime.block_on(async move {
        let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
            return;
        };
        let accept = async {
            while let Ok((stream, _)) = listener.accept().await {
                let _ = stream.set_nodelay(true);
                let answers = Arc::clone(&answers);
                tokio::spawn(async move {
                    let service =
                        service_fn(move |request: http::Request<hyper::body::Incoming>| {
                            let answer = answers.for_path(
                                request.uri().path(),
                                request.uri().query().unwrap_or(""),
                            );
                            async move { Ok::<_, Infallible>(respond(answer)) }
                        });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        };
        tokio::select! {
            () = accept => {}
            _ = stopped => {}
        }
    });
}

fn respond(answer: Option<Bytes>) -> http::Response<Full<Bytes>> {
    let (status, body) = match answer {
        Some(body) => (http::StatusCode::OK, body),
        None => (
            http::StatusCode::NOT_FOUND,
            Bytes::from_static(br#"{"message":"not canned"}"#),
        ),
    };
    let mut response = http::Response::new(Full::new(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    response
}
