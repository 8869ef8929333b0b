//! Benchmark (not a test): pages of 200 expenses served per second.
//!
//! `cargo bench -p fyle-sandbox --bench pages [-- EXPENSES SECONDS]` seeds one org (default
//! 100,000 expenses), then pages through `/admin/expenses?order=updated_at.asc,id.asc&limit=200`
//! over HTTP for the given time (default 10 s), from one connection and then from four.

use std::time::{Duration, Instant};

use fyle_sandbox::{Sandbox, SandboxConfig};
use serde_json::{Value, json};

async fn token(http: &reqwest::Client, sandbox: &Sandbox) -> String {
    let info = sandbox.info();
    let body: Value = http
        .post(format!("{}/oauth/token", info.accounts_url))
        .json(
            &json!({"grant_type": "refresh_token", "client_id": info.client_id,
                      "client_secret": info.client_secret, "refresh_token": info.refresh_token}),
        )
        .send()
        .await
        .expect("token call")
        .json()
        .await
        .expect("token json");
    body["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned()
}

/// Pages until `deadline`, wrapping at the end; returns (pages, rows, bytes).
async fn page_loop(
    http: reqwest::Client,
    base: String,
    token: String,
    query: String,
    deadline: Instant,
) -> (u64, u64, u64) {
    let (mut pages, mut rows, mut bytes) = (0u64, 0u64, 0u64);
    let mut offset = 0u64;
    while Instant::now() < deadline {
        let body = http
            .get(format!(
                "{base}/admin/expenses?{query}&offset={offset}&limit=200"
            ))
            .bearer_auth(&token)
            .send()
            .await
            .expect("page")
            .bytes()
            .await
            .expect("body");
        let v: Value = serde_json::from_slice(&body).expect("json");
        let n = v["data"].as_array().map_or(0, Vec::len) as u64;
        pages += 1;
        rows += n;
        bytes += body.len() as u64;
        offset = if n < 200 { 0 } else { offset + 200 };
    }
    (pages, rows, bytes)
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let expenses: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let seconds: u64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(10);

    let t0 = Instant::now();
    let sandbox = Sandbox::start(SandboxConfig {
        expenses,
        rate_limit: 0,
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox starts");
    println!(
        "seeded {expenses} expenses and started in {:.2?}",
        t0.elapsed()
    );

    let http = reqwest::Client::new();
    let token = token(&http, &sandbox).await;
    let base = sandbox.api_base();
    let query = "order=updated_at.asc,id.asc".to_owned();

    let t1 = Instant::now();
    let first = http
        .get(format!("{base}/admin/expenses?{query}&limit=200"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("first page");
    assert!(first.status().is_success());
    let _ = first.bytes().await;
    println!(
        "first page (scan + sort of {expenses} rows): {:.2?}",
        t1.elapsed()
    );

    for clients in [1usize, 4] {
        let deadline = Instant::now() + Duration::from_secs(seconds);
        let start = Instant::now();
        let tasks: Vec<_> = (0..clients)
            .map(|_| {
                tokio::spawn(page_loop(
                    http.clone(),
                    base.clone(),
                    token.clone(),
                    query.clone(),
                    deadline,
                ))
            })
            .collect();
        let (mut pages, mut rows, mut bytes) = (0, 0, 0);
        for t in tasks {
            let (p, r, b) = t.await.expect("task");
            pages += p;
            rows += r;
            bytes += b;
        }
        let secs = start.elapsed().as_secs_f64();
        #[allow(clippy::cast_precision_loss)]
        let (pps, rps, mbps) = (
            pages as f64 / secs,
            rows as f64 / secs,
            bytes as f64 / secs / 1e6,
        );
        println!(
            "{clients} client(s): {pps:.1} pages of 200 expenses/s ({rps:.0} rows/s, {mbps:.1} MB/s) over {secs:.1}s"
        );
    }
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let start = Instant::now();
    let (pages, rows) = keyset_loop(&http, &base, &token, deadline).await;
    let secs = start.elapsed().as_secs_f64();
    #[allow(clippy::cast_precision_loss)]
    let (pps, rps) = (pages as f64 / secs, rows as f64 / secs);
    println!(
        "keyset, 1 client: {pps:.1} pages of 200 expenses/s ({rps:.0} rows/s) over {secs:.1}s"
    );
    sandbox.stop().await;
}

/// Keyset paging (a fresh `or=(updated_at.gt.X,and=(updated_at.eq.X,id.gt.Y))` filter per
/// page, as the SDK's stable mode sends) until `deadline`, restarting at the end.
async fn keyset_loop(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    deadline: Instant,
) -> (u64, u64) {
    let (mut pages, mut rows) = (0u64, 0u64);
    let mut after: Option<(String, String)> = None;
    while Instant::now() < deadline {
        let mut query = vec![
            ("order".to_owned(), "updated_at.asc,id.asc".to_owned()),
            ("limit".to_owned(), "200".to_owned()),
        ];
        if let Some((at, id)) = &after {
            query.push((
                "or".to_owned(),
                format!("(updated_at.gt.{at},and=(updated_at.eq.{at},id.gt.{id}))"),
            ));
        }
        let v: Value = http
            .get(format!("{base}/admin/expenses"))
            .query(&query)
            .bearer_auth(token)
            .send()
            .await
            .expect("keyset page")
            .json()
            .await
            .expect("keyset json");
        let data = v["data"].as_array().cloned().unwrap_or_default();
        pages += 1;
        rows += data.len() as u64;
        after = data.last().map(|last| {
            (
                last["updated_at"].as_str().unwrap_or_default().to_owned(),
                last["id"].as_str().unwrap_or_default().to_owned(),
            )
        });
        if data.len() < 200 {
            after = None;
        }
    }
    (pages, rows)
}
