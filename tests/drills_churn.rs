//! Reliability drill: a stable-mode (keyset) export while the sandbox inserts and deletes
//! expenses, both on its own schedule and (deterministically) between every two pages. No
//! expense is yielded twice, and every expense that existed from start to end is yielded.

use std::collections::HashSet;
use std::time::Duration;

use futures::TryStreamExt;
use fyle::Client;
use fyle::models::types::ExpenseOut;
use fyle::transport::RateLimiter;
use fyle_examples_common::connect::sandbox_client_builder;
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

/// 50 updates per 100 ms (and nothing else), the churn rate.
fn update_churn() -> ChurnConfig {
    ChurnConfig {
        interval: Duration::from_millis(100),
        inserts: 0,
        updates: 50,
        deletes: 0,
    }
}

/// Duplicate ids among `yielded`, and ids of `at_start` never yielded.
fn duplicates_and_missing(yielded: &[String], at_start: &HashSet<String>) -> (usize, usize) {
    let unique: HashSet<&String> = yielded.iter().collect();
    let missing = at_start.iter().filter(|id| !unique.contains(id)).count();
    (yielded.len() - unique.len(), missing)
}

async fn churning_sandbox(seed: u64) -> (Sandbox, Client, String) {
    let sandbox = Sandbox::start(SandboxConfig {
        expenses: EXPENSES,
        rate_limit: 0,
        seed,
        churn: Some(update_churn()),
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox");
    let info = sandbox.info().clone();
    let org = info.orgs[0].org_id.clone();
    let client = client(&info);
    (sandbox, client, org)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stable_export_under_50_updates_per_100ms_is_a_snapshot() {
    let (sandbox, client, org) = churning_sandbox(12).await;
    let at_start: HashSet<String> = sandbox.ids(&org, Resource::Expenses).into_iter().collect();
    let mut yielded = Vec::new();
    let mut pages = client.admin().expenses().list().limit(100).stable().pages();
    let started = std::time::Instant::now();
    while let Some(page) = pages.try_next().await.expect("a page") {
        yielded.extend(page.items.into_iter().filter_map(|e| e.id));
        // Give the churn time to land between pages, as a slow consumer would.
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let elapsed = started.elapsed();
    let (duplicates, missing) = duplicates_and_missing(&yielded, &at_start);
    let updated = (elapsed.as_millis() / 100) * 50;
    println!(
        "stable export under 50 updates/100 ms: {} rows in {elapsed:.1?} (~{updated} updates), \
         {duplicates} duplicate ids, {missing} missing of {} at the start",
        yielded.len(),
        at_start.len()
    );
    assert!(updated > 0, "the churn ran during the export");
    assert_eq!(duplicates, 0);
    assert_eq!(missing, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stable_export_killed_and_resumed_from_its_token_is_a_snapshot() {
    let (sandbox, client, org) = churning_sandbox(13).await;
    let at_start: HashSet<String> = sandbox.ids(&org, Resource::Expenses).into_iter().collect();
    let mut yielded = Vec::new();
    let mut token = None;
    {
        // The first run dies after 10 pages; only the persisted token survives.
        let mut pages = client.admin().expenses().list().limit(100).stable().pages();
        for _ in 0..10 {
            let page = pages.try_next().await.expect("a page").expect("more pages");
            token = page.cursor().map(fyle::StreamCursor::to_token);
            yielded.extend(page.items.into_iter().filter_map(|e| e.id));
        }
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let token = token.expect("a stable page carries its cursor");
    let cursor = fyle::StreamCursor::from_token(&token).expect("the token reads back");
    let mut pages = client
        .admin()
        .expenses()
        .list()
        .limit(100)
        .resume_from(&cursor)
        .pages();
    while let Some(page) = pages.try_next().await.expect("a page") {
        yielded.extend(page.items.into_iter().filter_map(|e| e.id));
    }
    let (duplicates, missing) = duplicates_and_missing(&yielded, &at_start);
    println!(
        "stable export killed after 10 pages, resumed from a {}-byte token under 50 updates/100 ms: \
         {} rows, {duplicates} duplicate ids, {missing} missing of {}",
        token.len(),
        yielded.len(),
        at_start.len()
    );
    assert_eq!(duplicates, 0);
    assert_eq!(missing, 0);
}
