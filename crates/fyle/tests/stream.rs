//! Streaming pagination: order with prefetch, a 401 mid-stream, stable (keyset) mode under
//! inserts and deletes, limits checked before sending, resumable errors.

mod common;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{CountingTokens, EXPENSES_LIST, api, bearer, client_for, eval_filter, query};
use futures::{StreamExt, TryStreamExt};
use fyle::query::Filter;
use fyle::{ErrorKind, ListRequest};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

fn rows(n: usize) -> Vec<Value> {
    (0..n)
        .map(|i| json!({"id": format!("r{:05}", i * 10), "n": i}))
        .collect()
}

/// Runs after each page is served, to change the rows.
type Hook = Arc<dyn Fn(&mut Vec<Value>) + Send + Sync>;

/// Serves `items` as Fyle pages, applying `eq`/`gt`/`and`/`or` filters and ascending `id`
/// order when `order` starts with `id`. Optional behaviours: later pages answer faster (to
/// reorder responses), a 401 for token `tok-1` at `fail_offset`, a hook run after each page.
#[derive(Clone)]
struct Pages {
    items: Arc<Mutex<Vec<Value>>>,
    reverse_delays: bool,
    unauthorized_at: Option<u64>,
    fail_once_at: Option<(u64, Arc<AtomicBool>)>,
    after_page: Option<Hook>,
    calls: Arc<AtomicUsize>,
    /// `count` is the page's length (a broken server) instead of the matching rows.
    count_echoes_page: bool,
}

impl Pages {
    fn new(items: Vec<Value>) -> Self {
        Self {
            items: Arc::new(Mutex::new(items)),
            reverse_delays: false,
            unauthorized_at: None,
            fail_once_at: None,
            after_page: None,
            calls: Arc::new(AtomicUsize::new(0)),
            count_echoes_page: false,
        }
    }
}

impl Respond for Pages {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let offset: u64 = query(request, "offset")
            .and_then(|o| o.parse().ok())
            .unwrap_or(0);
        let limit: usize = query(request, "limit")
            .and_then(|l| l.parse().ok())
            .unwrap_or(50);
        if self.unauthorized_at == Some(offset)
            && bearer(request).as_deref() == Some("Bearer tok-1")
        {
            return ResponseTemplate::new(401).set_body_json(json!({"message": "invalid token"}));
        }
        if let Some((at, failed)) = &self.fail_once_at
            && *at == offset
            && !failed.swap(true, Ordering::SeqCst)
        {
            return ResponseTemplate::new(503)
                .set_body_json(json!({"message": "try again", "error": null, "data": null}));
        }
        let filter = Filter::parse_query_string(request.url.query().unwrap_or_default())
            .expect("the facade sends parseable filters");
        let mut items = self.items.lock().expect("lock");
        let mut matching: Vec<Value> = items
            .iter()
            .filter(|i| eval_filter(i, &filter))
            .cloned()
            .collect();
        if let Some(order) = query(request, "order") {
            sort_by_order(&mut matching, &order);
        }
        let page: Vec<Value> = matching
            .iter()
            .skip(usize::try_from(offset).expect("offset"))
            .take(limit)
            .cloned()
            .collect();
        let count = if self.count_echoes_page {
            page.len()
        } else {
            matching.len()
        };
        let body = json!({"count": count, "offset": offset, "data": page});
        if let Some(hook) = &self.after_page {
            hook(&mut items);
        }
        let mut response = ResponseTemplate::new(200).set_body_json(body);
        if self.reverse_delays {
            // The first pages answer last, so responses arrive out of order.
            let delay = 60u64.saturating_sub(offset / 20);
            response = response.set_delay(Duration::from_millis(delay));
        }
        response
    }
}

/// Sorts by `k1.asc,k2.desc,..` (text comparison); keys without a direction are ascending.
fn sort_by_order(items: &mut [Value], order: &str) {
    let keys: Vec<(&str, bool)> = order
        .split(',')
        .map(|k| match k.split_once('.') {
            Some((column, dir)) => (column, dir == "desc"),
            None => (k, false),
        })
        .collect();
    items.sort_by(|a, b| {
        keys.iter()
            .map(|(k, desc)| {
                let ord = a[*k].as_str().cmp(&b[*k].as_str());
                if *desc { ord.reverse() } else { ord }
            })
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
}

async fn mount(server: &MockServer, pages: Pages) {
    Mock::given(method("GET"))
        .and(path(api("/admin/expenses")))
        .respond_with(pages)
        .mount(server)
        .await;
}

fn ids(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|i| i["id"].as_str().expect("id").to_owned())
        .collect()
}

#[tokio::test]
async fn stream_keeps_server_order_with_concurrent_prefetch() {
    let server = MockServer::start().await;
    let mut pages = Pages::new(rows(1000));
    pages.reverse_delays = true;
    let calls = Arc::clone(&pages.calls);
    mount(&server, pages).await;
    let client = client_for(&server, CountingTokens::new());

    let items: Vec<Value> = ListRequest::new(client, &EXPENSES_LIST)
        .concurrency(4)
        .stream()
        .try_collect()
        .await
        .expect("stream");

    assert_eq!(ids(&items), ids(&rows(1000)));
    // 5 pages of 200, each fetched once.
    assert_eq!(calls.load(Ordering::SeqCst), 5);
    let requests = server.received_requests().await.expect("recording");
    let mut offsets: Vec<String> = requests.iter().filter_map(|r| query(r, "offset")).collect();
    offsets.sort();
    assert_eq!(offsets, ["0", "200", "400", "600", "800"]);
    assert!(
        requests
            .iter()
            .all(|r| query(r, "limit").as_deref() == Some("200"))
    );
    assert!(
        requests
            .iter()
            .all(|r| query(r, "order").as_deref() == Some("id.asc"))
    );
}

#[tokio::test]
async fn a_401_mid_stream_refreshes_once_and_resumes_where_it_was() {
    let server = MockServer::start().await;
    let mut pages = Pages::new(rows(1000));
    pages.unauthorized_at = Some(400);
    mount(&server, pages).await;
    let tokens = CountingTokens::new();
    let client = client_for(&server, Arc::clone(&tokens));

    let items: Vec<Value> = ListRequest::new(client, &EXPENSES_LIST)
        .concurrency(1)
        .stream()
        .try_collect()
        .await
        .expect("stream");

    // Exact, in order, no duplicates.
    assert_eq!(ids(&items), ids(&rows(1000)));
    assert_eq!(tokens.rejections(), 1);
    let requests = server.received_requests().await.expect("recording");
    let offsets: Vec<String> = requests.iter().filter_map(|r| query(r, "offset")).collect();
    // Offset 0 is never fetched again: the stream did not restart.
    assert_eq!(offsets, ["0", "200", "400", "400", "600", "800"]);
    assert_eq!(bearer(&requests[3]).as_deref(), Some("Bearer tok-2"));
}

#[tokio::test]
async fn stable_mode_never_repeats_or_skips_rows_inserted_or_deleted_while_iterating() {
    let server = MockServer::start().await;
    let mut pages = Pages::new(rows(600));
    let inserted = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&inserted);
    // After every page: insert a row before everything (the offset-shifting case), one after
    // everything, and delete a row from the region not yet read.
    pages.after_page = Some(Arc::new(move |items: &mut Vec<Value>| {
        let k = counter.fetch_add(1, Ordering::SeqCst);
        items.insert(0, json!({"id": format!("a{k:05}"), "n": -1}));
        items.push(json!({"id": format!("z{k:05}"), "n": -2}));
        if let Some(pos) = items.iter().position(|i| i["id"] == "r05000") {
            items.remove(pos);
        }
    }));
    let store = Arc::clone(&pages.items);
    mount(&server, pages).await;
    let client = client_for(&server, CountingTokens::new());

    let items: Vec<Value> = ListRequest::new(client, &EXPENSES_LIST)
        .stable_by(["id"])
        .limit(100)
        .stream()
        .try_collect()
        .await
        .expect("stream");

    let got = ids(&items);
    let mut unique = got.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), got.len(), "a row was repeated");
    // Every original row still present at the end was yielded, in key order.
    let remaining: Vec<String> = ids(&store.lock().expect("lock"))
        .into_iter()
        .filter(|id| id.starts_with('r'))
        .collect();
    let yielded_originals: Vec<String> = got
        .iter()
        .filter(|id| id.starts_with('r'))
        .cloned()
        .collect();
    assert_eq!(yielded_originals, remaining, "an original row was skipped");
    assert!(
        !got.contains(&"r05000".to_owned()),
        "a row deleted before it was reached was yielded"
    );
    assert!(
        got.iter().any(|id| id.starts_with('z')),
        "rows appended during the export are included"
    );
    let mut sorted = got.clone();
    sorted.sort();
    assert_eq!(sorted, got, "key order");

    let requests = server.received_requests().await.expect("recording");
    assert!(
        requests
            .iter()
            .all(|r| query(r, "offset").as_deref() == Some("0"))
    );
    assert!(
        requests
            .iter()
            .all(|r| query(r, "order").as_deref() == Some("id.asc"))
    );
    assert!(
        requests
            .iter()
            .skip(1)
            .all(|r| query(r, "id").is_some_and(|v| v.starts_with("gt.")))
    );
}

#[tokio::test]
async fn offset_mode_repeats_rows_under_the_same_inserts() {
    // The contrast that motivates stable mode.
    let server = MockServer::start().await;
    let mut pages = Pages::new(rows(300));
    let counter = Arc::new(AtomicUsize::new(0));
    pages.after_page = Some(Arc::new(move |items: &mut Vec<Value>| {
        let k = counter.fetch_add(1, Ordering::SeqCst);
        items.insert(0, json!({"id": format!("a{k:05}"), "n": -1}));
    }));
    mount(&server, pages).await;
    let client = client_for(&server, CountingTokens::new());
    let items: Vec<Value> = ListRequest::new(client, &EXPENSES_LIST)
        .limit(100)
        .concurrency(1)
        .stream()
        .try_collect()
        .await
        .expect("stream");
    let got = ids(&items);
    let mut unique = got.clone();
    unique.sort();
    unique.dedup();
    assert!(
        unique.len() < got.len(),
        "offset paging should have repeated a row"
    );
}

#[tokio::test]
async fn stable_mode_with_two_keys_pages_with_an_or_group() {
    let server = MockServer::start().await;
    // Several rows share updated_at, so the id tie-breaker matters.
    let items: Vec<Value> = (0..250)
        .map(|i| json!({"id": format!("t{i:04}"), "updated_at": format!("2024-01-{:02}T00:00:00.000+00:00", 1 + i / 10)}))
        .collect();
    let pages = Pages::new(items.clone());
    mount(&server, pages).await;
    let client = client_for(&server, CountingTokens::new());

    let got: Vec<Value> = ListRequest::new(client, &EXPENSES_LIST)
        .stable_by(["updated_at", "id"])
        .limit(7)
        .stream()
        .try_collect()
        .await
        .expect("stream");
    assert_eq!(ids(&got), ids(&items));
    let requests = server.received_requests().await.expect("recording");
    assert_eq!(
        query(&requests[0], "order").as_deref(),
        Some("updated_at.asc,id.asc")
    );
    let or = query(&requests[1], "or").expect("or group");
    assert_eq!(
        or,
        "(updated_at.gt.2024-01-01T00:00:00.000+00:00,and=(updated_at.eq.2024-01-01T00:00:00.000+00:00,id.gt.t0006))"
    );
}

#[tokio::test]
async fn stable_mode_never_repeats_a_query_key_of_the_callers_filter() {
    let server = MockServer::start().await;
    let items = rows(300);
    mount(&server, Pages::new(items.clone())).await;
    let client = client_for(&server, CountingTokens::new());
    // The caller's filter takes `id`, `or` and `and`: the cursor `id=gt.X` must join the
    // caller's `and` group rather than send a second `id` key.
    let filter = Filter::new()
        .gte("id", "r00100")
        .or(|g| g.lt("id", "r01000").gt("id", "r02000"))
        .and(|g| g.lt("id", "r02500"));
    let got: Vec<Value> = ListRequest::new(client, &EXPENSES_LIST)
        .filter(filter)
        .stable_by(["id"])
        .limit(7)
        .stream()
        .try_collect()
        .await
        .expect("stream");
    let expected: Vec<Value> = items
        .into_iter()
        .filter(|i| {
            let id = i["id"].as_str().unwrap_or_default();
            id >= "r00100" && !("r01000"..="r02000").contains(&id) && id < "r02500"
        })
        .collect();
    assert_eq!(ids(&got), ids(&expected));
    let requests = server.received_requests().await.expect("recording");
    assert!(requests.len() > 2, "several pages");
    for request in &requests {
        let keys: Vec<String> = request
            .url
            .query_pairs()
            .map(|(k, _)| k.into_owned())
            .collect();
        let mut unique = keys.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), keys.len(), "a repeated key in {keys:?}");
    }
    let and = query(&requests[1], "and").expect("an and group");
    assert!(and.starts_with("(id.lt.r02500,id.gt.r"), "{and}");
}

#[tokio::test]
async fn limits_outside_1_to_200_are_rejected_before_sending() {
    let server = MockServer::start().await;
    mount(&server, Pages::new(rows(10))).await;
    let client = client_for(&server, CountingTokens::new());
    for limit in [0, 201] {
        let err = ListRequest::<Value>::new(client.clone(), &EXPENSES_LIST)
            .limit(limit)
            .send()
            .await
            .expect_err("rejected");
        assert!(
            matches!(err.kind(), ErrorKind::InvalidRequest(_)),
            "{err:?}"
        );
        assert!(err.to_string().contains("limit"), "{err}");
        let mut stream = ListRequest::<Value>::new(client.clone(), &EXPENSES_LIST)
            .limit(limit)
            .stream();
        let first = stream.next().await.expect("one item");
        assert!(first.is_err());
    }
    assert!(
        server
            .received_requests()
            .await
            .expect("recording")
            .is_empty()
    );
}

#[tokio::test]
async fn a_failed_page_reports_its_offset_and_polling_again_retries_it() {
    let server = MockServer::start().await;
    let mut pages = Pages::new(rows(500));
    pages.fail_once_at = Some((200, Arc::new(AtomicBool::new(false))));
    mount(&server, pages).await;
    let client = client_for(&server, CountingTokens::new());

    let mut stream = ListRequest::<Value>::new(client, &EXPENSES_LIST)
        .concurrency(2)
        .stream();
    let mut got = Vec::new();
    let mut errors = Vec::new();
    while let Some(item) = stream.next().await {
        match item {
            Ok(v) => got.push(v),
            Err(e) => errors.push(e),
        }
    }
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].resume_offset(), Some(200));
    assert!(errors[0].is_retryable());
    assert_eq!(got.len(), 500);
    assert_eq!(ids(&got), ids(&rows(500)));
}

#[tokio::test]
async fn pages_stream_reports_count_and_offsets() {
    let server = MockServer::start().await;
    mount(&server, Pages::new(rows(450))).await;
    let client = client_for(&server, CountingTokens::new());
    let pages: Vec<fyle::Page<Value>> = ListRequest::new(client, &EXPENSES_LIST)
        .offset(50)
        .pages()
        .try_collect()
        .await
        .expect("pages");
    let offsets: Vec<u64> = pages.iter().map(|p| p.offset).collect();
    assert_eq!(offsets, [50, 250]);
    assert!(pages.iter().all(|p| p.count == 450));
    assert_eq!(pages.iter().map(|p| p.items.len()).sum::<usize>(), 400);
}

/// Rows `s00000`.. with `created_at`/`updated_at` stamps `t` (text compares in time order).
fn stamped(n: usize) -> Vec<Value> {
    (0..n)
        .map(|i| {
            let t = format!("2024-01-01T00:{:02}:{:02}", i / 60 % 60, i % 60);
            json!({"id": format!("s{:05}", i * 10), "created_at": t, "updated_at": t})
        })
        .collect()
}

/// After every page: update 30 rows spread over the table (their `updated_at` jumps past
/// everything), insert one row before and one after every id, delete one unread row.
fn churn_hook() -> Hook {
    let tick = Arc::new(AtomicUsize::new(0));
    Arc::new(move |items: &mut Vec<Value>| {
        let k = tick.fetch_add(1, Ordering::SeqCst);
        let now = format!("2099-01-01T00:00:{k:02}");
        let len = items.len();
        for j in 0..30 {
            let at = (k * 7919 + j * 104_729) % len;
            items[at]["updated_at"] = json!(now);
        }
        items.push(json!({"id": format!("a{k:05}"), "created_at": now, "updated_at": now}));
        items.push(json!({"id": format!("z{k:05}"), "created_at": now, "updated_at": now}));
        if let Some(pos) = items.iter().position(|i| i["id"] == "s05000") {
            items.remove(pos);
        }
    })
}

struct Tally {
    duplicates: usize,
    missing: usize,
    inserted_yielded: usize,
}

fn tally(got: &[Value], at_end: &[Value]) -> Tally {
    let got = ids(got);
    let mut unique = got.clone();
    unique.sort();
    unique.dedup();
    let originals_left: Vec<String> = ids(at_end)
        .into_iter()
        .filter(|id| id.starts_with('s'))
        .collect();
    Tally {
        duplicates: got.len() - unique.len(),
        missing: originals_left
            .iter()
            .filter(|id| unique.binary_search(id).is_err())
            .count(),
        inserted_yielded: got.iter().filter(|id| !id.starts_with('s')).count(),
    }
}

#[tokio::test]
async fn stable_mode_is_a_snapshot_under_updates_inserts_and_deletes() {
    let mut figures = Vec::new();
    for (name, snapshot) in [("updated_at,id keyset", false), ("stable() snapshot", true)] {
        let server = MockServer::start().await;
        let mut pages = Pages::new(stamped(1000));
        pages.after_page = Some(churn_hook());
        let store = Arc::clone(&pages.items);
        mount(&server, pages).await;
        let client = client_for(&server, CountingTokens::new());
        let request = ListRequest::new(client, &EXPENSES_LIST).limit(50);
        let request = if snapshot {
            request.stable()
        } else {
            request.stable_by(["updated_at", "id"])
        };
        let got: Vec<Value> = request.stream().try_collect().await.expect("stream");
        let t = tally(&got, &store.lock().expect("lock"));
        println!(
            "{name}: {} yielded, {} duplicate ids, {} missing originals, {} rows created during the scan",
            got.len(),
            t.duplicates,
            t.missing,
            t.inserted_yielded
        );
        figures.push(t);
    }
    assert!(
        figures[0].duplicates > 0,
        "the contrast: an updated_at keyset re-yields updated rows"
    );
    let snapshot = &figures[1];
    assert_eq!(snapshot.duplicates, 0, "each row once");
    assert_eq!(snapshot.missing, 0, "every row that existed throughout");
    assert_eq!(
        snapshot.inserted_yielded, 0,
        "rows created after T0 are outside the snapshot"
    );
}

#[tokio::test]
async fn a_stable_stream_resumed_from_its_persisted_cursor_yields_each_row_once() {
    let server = MockServer::start().await;
    let mut pages = Pages::new(stamped(1000));
    pages.after_page = Some(churn_hook());
    let store = Arc::clone(&pages.items);
    mount(&server, pages).await;
    let client = client_for(&server, CountingTokens::new());
    let request = ListRequest::<Value>::new(client, &EXPENSES_LIST)
        .limit(50)
        .stable();

    // The first run is killed after 7 pages; only the token survives.
    let mut got = Vec::new();
    let mut token = None;
    let mut first = request.clone().pages();
    for _ in 0..7 {
        let page = first
            .try_next()
            .await
            .expect("a page")
            .expect("not the end");
        token = page.cursor().map(fyle::StreamCursor::to_token);
        got.extend(page.items);
    }
    drop(first);
    let token = token.expect("stable pages carry a cursor");
    let cursor = fyle::StreamCursor::from_token(&token).expect("the persisted token");
    assert!(cursor.snapshot_at().is_some(), "T0 survives the restart");

    let rest: Vec<Value> = request
        .resume_from(&cursor)
        .stream()
        .try_collect()
        .await
        .expect("the resumed stream");
    got.extend(rest);
    let t = tally(&got, &store.lock().expect("lock"));
    println!(
        "killed after 7 pages and resumed from a {}-byte token: {} yielded, {} duplicate ids, {} missing",
        token.len(),
        got.len(),
        t.duplicates,
        t.missing
    );
    assert_eq!(t.duplicates, 0);
    assert_eq!(t.missing, 0);
    assert_eq!(t.inserted_yielded, 0);
}

/// Requests a stable stream of `rows` rows in pages of 200 makes, and the rows it yields.
async fn stable_requests(rows: usize, count_echoes_page: bool) -> (usize, usize) {
    let server = MockServer::start().await;
    let mut pages = Pages::new(stamped(rows));
    pages.count_echoes_page = count_echoes_page;
    let calls = Arc::clone(&pages.calls);
    mount(&server, pages).await;
    let client = client_for(&server, CountingTokens::new());
    let items: Vec<Value> = ListRequest::new(client, &EXPENSES_LIST)
        .limit(200)
        .stable()
        .stream()
        .try_collect()
        .await
        .expect("stream");
    (calls.load(Ordering::SeqCst), items.len())
}

#[tokio::test]
async fn a_stable_stream_ends_on_its_last_full_page_when_count_says_so() {
    // The bound, then one request per page: no empty page after the last full one.
    assert_eq!(stable_requests(400, false).await, (3, 400));
    assert_eq!(stable_requests(401, false).await, (4, 401));
    assert_eq!(stable_requests(0, false).await, (1, 0));
    // A `count` that only echoes the page's length never ends the stream early: the empty
    // page after the last full one does.
    assert_eq!(stable_requests(400, true).await, (4, 400));
}

/// Answers every request with the same full page, whatever the filter.
struct IgnoresCursor;

impl Respond for IgnoresCursor {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let limit: usize = query(request, "limit")
            .and_then(|l| l.parse().ok())
            .unwrap_or(50);
        let data: Vec<Value> = stamped(limit);
        ResponseTemplate::new(200)
            .set_body_json(json!({"count": 10_000, "offset": 0, "data": data}))
    }
}

#[tokio::test]
async fn a_server_ignoring_the_cursor_is_a_typed_error_within_two_pages() {
    for snapshot in [false, true] {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path(api("/admin/expenses")))
            .respond_with(IgnoresCursor)
            .mount(&server)
            .await;
        let client = client_for(&server, CountingTokens::new());
        let request = ListRequest::<Value>::new(client, &EXPENSES_LIST).limit(20);
        let request = if snapshot {
            request.stable()
        } else {
            request.stable_by(["updated_at", "id"])
        };
        let results: Vec<fyle::Result<Value>> = request.stream().collect().await;
        let errors: Vec<&fyle::Error> = results.iter().filter_map(|r| r.as_ref().err()).collect();
        let pages =
            server.received_requests().await.expect("recording").len() - usize::from(snapshot);
        println!(
            "cursor ignored (snapshot bound: {snapshot}): {} items, then {:?} after {pages} pages",
            results.len() - errors.len(),
            errors.first().map(ToString::to_string)
        );
        assert_eq!(errors.len(), 1, "one error, then the stream ends");
        assert!(
            matches!(
                errors[0].kind(),
                ErrorKind::Paging(fyle::PagingError::CursorNotAdvanced { page: 2 })
            ),
            "{:?}",
            errors[0]
        );
        assert_eq!(pages, 2);
        assert!(errors[0].resume_cursor().is_some());
    }
}

#[tokio::test]
async fn a_page_larger_than_its_limit_is_refused() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(api("/admin/expenses")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"count": 300, "offset": 0, "data": stamped(300)})),
        )
        .mount(&server)
        .await;
    let client = client_for(&server, CountingTokens::new());
    for stable in [false, true] {
        let request = ListRequest::<Value>::new(client.clone(), &EXPENSES_LIST).limit(10);
        let request = if stable { request.stable() } else { request };
        let err = request
            .pages()
            .try_collect::<Vec<_>>()
            .await
            .expect_err("refused");
        assert!(
            matches!(
                err.kind(),
                ErrorKind::Paging(fyle::PagingError::TooManyItems {
                    items: 300,
                    limit: 10
                })
            ),
            "{err:?}"
        );
    }
}

#[test]
fn next_offset_saturates_on_a_hostile_offset() {
    let page = fyle::Page::new(10, u64::MAX - 1, vec![1, 2, 3]);
    assert_eq!(page.next_offset(), u64::MAX);
    assert!(!page.has_more());
}

/// Counts requests in flight and holds each one open until the test lets it go, so every page
/// the pager wants to prefetch is in flight at the same time before any answer arrives.
#[derive(Debug)]
struct Gated {
    inner: fyle::transport::ReqwestTransport,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    gate: tokio::sync::Semaphore,
}

#[async_trait::async_trait]
impl fyle::transport::Transport for Gated {
    async fn send(
        &self,
        request: http::Request<bytes::Bytes>,
    ) -> Result<http::Response<bytes::Bytes>, fyle::transport::TransportError> {
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_in_flight.fetch_max(now, Ordering::SeqCst);
        let permit = self.gate.acquire().await.expect("gate open");
        permit.forget();
        let outcome = self.inner.send(request).await;
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        outcome
    }
}

#[tokio::test]
async fn prefetch_never_has_more_requests_in_flight_than_the_concurrency() {
    for concurrency in [1usize, 3, 5] {
        let server = MockServer::start().await;
        mount(&server, Pages::new(rows(2_000))).await;
        let gated = Arc::new(Gated {
            inner: fyle::transport::ReqwestTransport::new(),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
            gate: tokio::sync::Semaphore::new(0),
        });
        let client = fyle::Client::builder()
            .shared_token_provider(CountingTokens::new())
            .cluster(url::Url::parse(&server.uri()).expect("uri"))
            .allow_list(fyle::cluster::ClusterAllowList::default().allow_loopback_http())
            .transport(Arc::clone(&gated) as fyle::transport::SharedTransport)
            .build()
            .expect("client");
        let collect = tokio::spawn(
            ListRequest::<Value>::new(client, &EXPENSES_LIST)
                .limit(100)
                .concurrency(concurrency)
                .stream()
                .try_collect::<Vec<Value>>(),
        );
        // Let one request through at a time, only once the pager has had time to schedule
        // every page it is willing to have in flight.
        let mut released = 0;
        while !collect.is_finished() {
            tokio::time::sleep(Duration::from_millis(15)).await;
            if gated.in_flight.load(Ordering::SeqCst) > 0 {
                gated.gate.add_permits(1);
                released += 1;
            }
        }
        let items = collect.await.expect("joined").expect("stream");
        let max = gated.max_in_flight.load(Ordering::SeqCst);
        println!(
            "concurrency {concurrency}: {released} requests released one by one, at most {max} in flight"
        );
        assert_eq!(items.len(), 2_000);
        assert!(
            max <= concurrency,
            "{max} in flight for a bound of {concurrency}"
        );
        assert_eq!(
            max, concurrency,
            "the bound is reached, so the test can see a breach"
        );
    }
}
