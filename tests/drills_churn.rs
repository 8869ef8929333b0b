//! Reliability drill: a stable-mode (keyset) export while the sandbox inserts and deletes
//! expenses, both on its own schedule and (deterministically) between every two pages. No
//! expense is yielded twice, and every expense that existed from start to end is yielded.

use std::collections::HashSet;
use std::time::Duration;

use futures::TryStreamExt;
use fyle::Client;
use fyle::models::types::ExpenseOut;
use fyle::transport::RateLimiter;
use fyle_examples::connect::sandbox_client_builder;
use fyle_sandbox::{ChurnConfig, Resource, Sandbox, SandboxConfig, SandboxInfo};

const EXPENSES: usize = 3_000;

fn client(info: &SandboxInfo) -> Client {
    sandbox_client_builder(info, &info.refresh_token)
        .expect("the sandbox's URL")
        .rate_limiter(RateLimiter::per_second(100_000))
        .build()
        .expect("a client")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stable_export_under_inserts_and_deletes_has_no_duplicate_and_no_gap() {
    let background = ChurnConfig {
        // Slow enough that inserts (appended at the end of the key order) never outrun a debug
        // build's pages: the export must reach the end.
        interval: Duration::from_millis(250),
        inserts: 1,
        updates: 0,
        deletes: 1,
    };
    let sandbox = Sandbox::start(SandboxConfig {
        expenses: EXPENSES,
        rate_limit: 0,
        seed: 11,
        churn: Some(background),
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox");
    let info = sandbox.info().clone();
    let org = info.orgs[0].org_id.clone();
    let client = client(&info);
    let between_pages = ChurnConfig {
        interval: Duration::from_millis(1),
        inserts: 25,
        updates: 0,
        deletes: 15,
    };

    let at_start: HashSet<String> = sandbox.ids(&org, Resource::Expenses).into_iter().collect();
    let mut seen = HashSet::new();
    let mut duplicates = Vec::new();
    let (mut inserted, mut deleted) = (0, 0);
    let mut pages = client.admin().expenses().list().stable().pages();
    while let Some(page) = pages.try_next().await.expect("a page") {
        for expense in page.items {
            let ExpenseOut { id, .. } = expense;
            let id = id.expect("every expense has an id");
            if !seen.insert(id.clone()) {
                duplicates.push(id);
            }
        }
        let stats = sandbox.churn_once(&between_pages);
        inserted += stats.inserted;
        deleted += stats.deleted;
    }
    let at_end: HashSet<String> = sandbox.ids(&org, Resource::Expenses).into_iter().collect();

    assert!(
        inserted > 0 && deleted > 0,
        "the drill churned ({inserted} in, {deleted} out)"
    );
    assert!(duplicates.is_empty(), "yielded twice: {duplicates:?}");
    let throughout: HashSet<&String> = at_start.intersection(&at_end).collect();
    let missing: Vec<&&String> = throughout
        .iter()
        .filter(|id| !seen.contains(**id))
        .collect();
    assert!(
        missing.is_empty(),
        "{} of {} expenses that existed throughout are missing, e.g. {:?}",
        missing.len(),
        throughout.len(),
        missing.iter().take(5).collect::<Vec<_>>()
    );
    assert!(
        throughout.len() > EXPENSES / 2,
        "most seeded rows survived the churn"
    );
}
