//! Reliability drill: export 10,000 expenses while the sandbox injects 10% 5xx, 5% 429 and 2%
//! connections dropped mid-body (seeded, so the fault sequence is the same on every run). Every
//! expense arrives exactly once, in the order of a fault-free export, and a counting transport
//! under the retry layer proves that each fault kind actually fired.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use fyle::Client;
use fyle::transport::{
    RateLimiter, ReqwestTransport, RetryBudget, RetryPolicy, SharedTransport, Transport,
    TransportBuilder, TransportError, TransportErrorKind,
};
use fyle_cli::export::{ExportOptions, export};
use fyle_cli::resource::ExportResource;
use fyle_cli::sink::{Format, Target};
use fyle_examples_common::connect::sandbox_client_builder;
use fyle_sandbox::{FaultConfig, Resource, Sandbox, SandboxConfig, SandboxInfo};

const EXPENSES: usize = 10_000;

/// What the HTTP attempts under the retry layer saw.
#[derive(Debug, Default)]
struct Seen {
    attempts: AtomicUsize,
    server_errors: AtomicUsize,
    too_many: AtomicUsize,
    dropped: AtomicUsize,
}

/// Counts each attempt's outcome by fault kind, then passes it on.
#[derive(Debug)]
struct Counting {
    inner: ReqwestTransport,
    seen: Arc<Seen>,
}

#[async_trait]
impl Transport for Counting {
    async fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, TransportError> {
        self.seen.attempts.fetch_add(1, Ordering::Relaxed);
        let outcome = self.inner.send(request).await;
        let counter = match &outcome {
            Ok(r) if r.status().is_server_error() => Some(&self.seen.server_errors),
            Ok(r) if r.status().as_u16() == 429 => Some(&self.seen.too_many),
            Err(e) if e.kind() == TransportErrorKind::Body => Some(&self.seen.dropped),
            _ => None,
        };
        if let Some(counter) = counter {
            counter.fetch_add(1, Ordering::Relaxed);
        }
        outcome
    }
}

fn client(info: &SandboxInfo, seen: &Arc<Seen>) -> Client {
    let base: SharedTransport = Arc::new(Counting {
        inner: ReqwestTransport::new(),
        seen: Arc::clone(seen),
    });
    // Enough attempts that a run of faults on one page (17% each) never exhausts them; short
    // backoffs keep the drill fast (429s still wait their `Retry-After`); a budget sized for a
    // 17% fault rate (the default one is sized for outages and would rightly stop retrying).
    let transport = TransportBuilder::from_shared(base)
        .retry(
            RetryPolicy::default()
                .max_attempts(10)
                .base_delay(Duration::from_millis(5))
                .max_delay(Duration::from_millis(50)),
        )
        .retry_budget(RetryBudget::new(1_000))
        .rate_limit(RateLimiter::per_second(100_000))
        .tracing()
        .build();
    sandbox_client_builder(info, &info.refresh_token)
        .expect("the sandbox's URL")
        .transport(transport)
        .build()
        .expect("a client")
}

/// The ids the export wrote (NDJSON, one row per line), in order.
async fn exported_ids(client: &Client) -> Vec<String> {
    let dir = tempfile::tempdir().expect("a temporary dir");
    let file = dir.path().join("export.ndjson");
    let options = ExportOptions::new(
        ExportResource::Expenses,
        Format::Ndjson,
        Target::File(file.clone()),
    );
    let rows = export(client, options, &mut |_, _| {})
        .await
        .expect("the export completes despite the faults")
        .rows;
    let ids: Vec<String> = std::fs::read_to_string(&file)
        .expect("the export file")
        .lines()
        .map(|line| {
            let row: serde_json::Value = serde_json::from_str(line).expect("a JSON row");
            row["id"].as_str().expect("an expense id").to_owned()
        })
        .collect();
    assert_eq!(
        ids.len() as u64,
        rows,
        "rows written and rows counted agree"
    );
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_of_10k_expenses_survives_5xx_429_and_dropped_connections() {
    let sandbox = Sandbox::start(SandboxConfig {
        expenses: EXPENSES,
        rate_limit: 0,
        seed: 7,
        // A week back, so no seeded `updated_at` is in the future (the export reads a snapshot
        // up to the server's clock).
        history_end: Some(time::OffsetDateTime::now_utc() - Duration::from_secs(7 * 86_400)),
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox");
    let info = sandbox.info().clone();
    let org = info.orgs[0].org_id.clone();

    // The reference: the same export with no fault.
    let expected = exported_ids(&client(&info, &Arc::new(Seen::default()))).await;
    assert_eq!(expected.len(), EXPENSES);
    let unique: HashSet<&String> = expected.iter().collect();
    assert_eq!(
        unique.len(),
        EXPENSES,
        "the reference export has no duplicate"
    );
    let stored: HashSet<String> = sandbox.ids(&org, Resource::Expenses).into_iter().collect();
    assert_eq!(unique.len(), stored.len());
    assert!(
        expected.iter().all(|id| stored.contains(id)),
        "every stored expense exported"
    );

    // Token and cluster before the faults: a failed token POST is not retried (not idempotent
    // once refresh tokens rotate), which is the auth layer's documented behaviour, not this drill.
    let seen = Arc::new(Seen::default());
    let faulty_client = client(&info, &seen);
    faulty_client.api_base().await.expect("token and cluster");
    sandbox.set_faults(FaultConfig {
        fail_5xx: 0.10,
        fail_429: 0.05,
        drop_mid_body: 0.02,
        seed: 7,
        ..FaultConfig::default()
    });
    let faulty = exported_ids(&faulty_client).await;
    sandbox.set_faults(FaultConfig::default());
    let count = |c: &AtomicUsize| c.load(Ordering::Relaxed);
    println!(
        "10k export under faults: {} HTTP attempts, {} answered 5xx, {} answered 429, {} dropped mid-body",
        count(&seen.attempts),
        count(&seen.server_errors),
        count(&seen.too_many),
        count(&seen.dropped)
    );
    assert!(count(&seen.server_errors) > 0, "a 5xx fault fired");
    assert!(count(&seen.too_many) > 0, "a 429 fault fired");
    assert!(count(&seen.dropped) > 0, "a dropped connection fired");

    assert_eq!(
        faulty.len(),
        expected.len(),
        "every expense arrives exactly once"
    );
    let first_difference = faulty.iter().zip(&expected).position(|(a, b)| a != b);
    assert_eq!(
        first_difference, None,
        "same order as the fault-free export"
    );
}
