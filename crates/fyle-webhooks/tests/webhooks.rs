//! Webhooks end to end on the sandbox: subscriptions are idempotent, the sandbox's real
//! deliveries (approve, mark paid) reach the receiver verified; forged POSTs are ignored with a
//! logged reason; a duplicate is handled once; oversized and malformed bodies get a 4xx; a
//! failing receiver is retried.

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use fyle::Client;
use fyle::auth::Credentials;
use fyle::cluster::ClusterAllowList;
use fyle::models::types::{MarkPaidBulkIn, ReportActionIn, SubscribedResourcesItem};
use fyle::query::Filter;
use fyle_sandbox::{Sandbox, SandboxConfig};
use fyle_webhooks::{
    ApiVerifier, IgnoreReason, Outcome, Receiver, Role, SubscriptionChange, VerifiedEvent,
    ensure_subscription,
};
use tokio::sync::mpsc;

async fn sandbox() -> Sandbox {
    Sandbox::start(SandboxConfig {
        expenses: 200,
        rate_limit: 0,
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox starts")
}

fn admin_client(sandbox: &Sandbox) -> Client {
    let info = sandbox.info();
    let credentials = Credentials::new(
        info.client_id.clone(),
        info.client_secret.clone(),
        info.refresh_token.clone(),
    )
    .with_accounts_url(url::Url::parse(&info.accounts_url).expect("url"));
    Client::builder()
        .credentials(credentials)
        .allow_list(ClusterAllowList::default().allow_loopback_http())
        .build()
        .expect("client")
}

/// Serves `router` on a loopback port; returns its URL.
async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    format!("http://{addr}/")
}

async fn receiver(client: &Client) -> (Arc<Receiver>, mpsc::Receiver<VerifiedEvent>, String) {
    let (receiver, events) =
        Receiver::new(Role::Admin, Arc::new(ApiVerifier::new(client.clone())), 16);
    let receiver = Arc::new(receiver.max_body(16 * 1024));
    let url = serve(Arc::clone(&receiver).router()).await;
    (receiver, events, url)
}

async fn next_event(events: &mut mpsc::Receiver<VerifiedEvent>) -> VerifiedEvent {
    tokio::time::timeout(Duration::from_secs(20), events.recv())
        .await
        .expect("an event within 20 s")
        .expect("channel open")
}

async fn report_in(client: &Client, state: &str) -> String {
    let page = client
        .admin()
        .reports()
        .list()
        .filter(Filter::new().eq("state", state))
        .limit(1)
        .send()
        .await
        .expect("reports");
    page.items
        .into_iter()
        .next()
        .and_then(|r| r.id)
        .unwrap_or_else(|| panic!("a {state} report in the seed"))
}

#[tokio::test]
async fn sandbox_deliveries_reach_the_receiver_verified() {
    let sandbox = sandbox().await;
    let client = admin_client(&sandbox);
    let (_receiver, mut events, url) = receiver(&client).await;

    let (sub, change) = ensure_subscription(&client, &url, &[SubscribedResourcesItem::Report])
        .await
        .expect("subscribe");
    assert_eq!(change, SubscriptionChange::Created);
    let (again, change) = ensure_subscription(&client, &url, &[SubscribedResourcesItem::Report])
        .await
        .expect("subscribe again");
    assert_eq!(change, SubscriptionChange::Unchanged);
    assert_eq!(again.id, sub.id);
    let listed = client
        .admin()
        .subscriptions()
        .list()
        .send()
        .await
        .expect("list");
    assert_eq!(listed.count, 1, "one subscription, however often ensured");
    let got = client
        .admin()
        .subscriptions()
        .get(sub.id.clone().expect("id"))
        .await
        .expect("get");
    assert_eq!(got.webhook_url.as_deref(), Some(url.as_str()));

    let report = report_in(&client, "APPROVER_PENDING").await;
    client
        .admin()
        .reports()
        .approve_bulk(&[ReportActionIn {
            id: Some(report.clone()),
        }])
        .await
        .expect("approve");
    let approved = next_event(&mut events).await;
    assert_eq!(approved.key.id, report);
    assert_eq!(approved.key.action, "ADMIN_APPROVED");
    assert_eq!(approved.current.state.as_deref(), Some("APPROVED"));

    client
        .admin()
        .reports()
        .mark_paid_bulk(&[serde_json::from_value::<MarkPaidBulkIn>(
            serde_json::json!({"id": report}),
        )
        .expect("mark paid body")])
        .await
        .expect("mark paid");
    let paid = next_event(&mut events).await;
    assert_eq!(
        (paid.key.id.as_str(), paid.key.action.as_str()),
        (report.as_str(), "MARK_PAID")
    );
    assert_eq!(paid.current.state.as_deref(), Some("PAID"));
    println!(
        "sandbox delivered {} webhooks; receiver verified ADMIN_APPROVED and MARK_PAID",
        sandbox.webhooks_delivered()
    );
}

/// Collects what the receiver logs.
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn payload(id: &str, action: &str, updated_at: &str) -> Vec<u8> {
    serde_json::json!({
        "resource": "REPORT",
        "action": action,
        "reason": "forged",
        "data": {"id": id, "updated_at": updated_at, "state": "PAID"},
    })
    .to_string()
    .into_bytes()
}

#[tokio::test]
async fn forged_posts_are_ignored_with_a_logged_reason_and_duplicates_handled_once() {
    let logs = Logs::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let sandbox = sandbox().await;
    let client = admin_client(&sandbox);
    let (receiver, mut events) =
        Receiver::new(Role::Admin, Arc::new(ApiVerifier::new(client.clone())), 16);

    // An object the API does not know.
    let unknown = receiver
        .handle(&payload(
            "rpDoesNotExist",
            "MARK_PAID",
            "2024-01-01T00:00:00+00:00",
        ))
        .await
        .expect("well formed");
    assert!(
        matches!(&unknown, Outcome::Ignored(_, IgnoreReason::Unknown { .. })),
        "{unknown:?}"
    );

    // A real report, claimed changed later than it was: unchanged.
    let report = report_in(&client, "APPROVED").await;
    let unchanged = receiver
        .handle(&payload(&report, "MARK_PAID", "2999-01-01T00:00:00+00:00"))
        .await
        .expect("well formed");
    assert!(
        matches!(
            &unchanged,
            Outcome::Ignored(_, IgnoreReason::Unchanged { .. })
        ),
        "{unchanged:?}"
    );
    // A real report at its real updated_at, but an action its state contradicts.
    let current = client.admin().reports().get(&report).await.expect("report");
    let updated_at = serde_json::to_value(&current).expect("json")["updated_at"]
        .as_str()
        .expect("updated_at")
        .to_owned();
    let wrong_state = receiver
        .handle(&payload(&report, "MARK_PAID", &updated_at))
        .await
        .expect("well formed");
    assert!(
        matches!(
            &wrong_state,
            Outcome::Ignored(_, IgnoreReason::WrongState { .. })
        ),
        "{wrong_state:?}"
    );
    assert!(events.try_recv().is_err(), "nothing forged reached the app");
    let logged = String::from_utf8_lossy(&logs.0.lock().expect("logs")).into_owned();
    assert!(
        logged.contains("webhook ignored")
            && logged.contains("the API has no REPORT rpDoesNotExist"),
        "{logged}"
    );
    assert!(logged.contains("not changed as claimed"), "{logged}");

    // A genuine event delivered twice reaches the app once.
    let genuine = payload(&report, "ADMIN_APPROVED", &updated_at);
    let first = receiver.handle(&genuine).await.expect("well formed");
    let second = receiver.handle(&genuine).await.expect("well formed");
    assert!(matches!(first, Outcome::Delivered(_)), "{first:?}");
    assert!(matches!(second, Outcome::Duplicate(_)), "{second:?}");
    assert_eq!(events.recv().await.expect("one event").key.id, report);
    assert!(
        events.try_recv().is_err(),
        "the duplicate was not handed over"
    );
    println!("forged: {unknown:?} / {unchanged:?} / {wrong_state:?}; duplicate: {second:?}");
}

#[tokio::test]
async fn oversized_and_malformed_bodies_get_a_4xx() {
    let sandbox = sandbox().await;
    let client = admin_client(&sandbox);
    let (_receiver, _events, url) = receiver(&client).await;
    let http = reqwest::Client::new();
    let post = |body: Vec<u8>, content_type: &'static str| {
        http.post(&url)
            .header("content-type", content_type)
            .body(body)
            .send()
    };

    let cases: Vec<(&str, Vec<u8>, &str, u16)> = vec![
        ("oversized", vec![b' '; 64 * 1024], "application/json", 413),
        (
            "not JSON",
            b"{\"resource\": ".to_vec(),
            "application/json",
            400,
        ),
        ("wrong shape", b"[1,2,3]".to_vec(), "application/json", 400),
        (
            "no id",
            br#"{"resource":"REPORT","action":"MARK_PAID","data":{}}"#.to_vec(),
            "application/json",
            400,
        ),
        (
            "not json content",
            b"a=b".to_vec(),
            "application/x-www-form-urlencoded",
            415,
        ),
        (
            "binary",
            vec![0xff, 0xfe, 0x00, 0x01],
            "application/json",
            400,
        ),
    ];
    for (name, body, content_type, status) in cases {
        let response = post(body, content_type).await.expect("answer");
        assert_eq!(response.status().as_u16(), status, "{name}");
    }
    // Still serving after all of that.
    let ok = post(
        payload("rpX", "MARK_PAID", "2024-01-01T00:00:00+00:00"),
        "application/json",
    )
    .await
    .expect("answer");
    assert_eq!(ok.status().as_u16(), 200);
}

#[tokio::test]
async fn the_sandbox_retries_a_failing_receiver() {
    let sandbox = sandbox().await;
    let client = admin_client(&sandbox);
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    // Fails twice, then accepts.
    let flaky = axum::Router::new().route(
        "/",
        axum::routing::post(move || {
            let counter = Arc::clone(&counter);
            async move {
                if counter.fetch_add(1, Ordering::SeqCst) < 2 {
                    axum::http::StatusCode::SERVICE_UNAVAILABLE
                } else {
                    axum::http::StatusCode::OK
                }
            }
        }),
    );
    let url = serve(flaky).await;
    ensure_subscription(&client, &url, &[SubscribedResourcesItem::Report])
        .await
        .expect("subscribe");
    let report = report_in(&client, "APPROVER_PENDING").await;
    client
        .admin()
        .reports()
        .approve_bulk(&[ReportActionIn { id: Some(report) }])
        .await
        .expect("approve");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while sandbox.webhooks_delivered() < 1 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    println!(
        "flaky receiver: {} attempts, {} delivered",
        calls.load(Ordering::SeqCst),
        sandbox.webhooks_delivered()
    );
    assert_eq!(sandbox.webhooks_delivered(), 1);
    assert_eq!(
        calls.load(Ordering::SeqCst),
        3,
        "two refusals, then the retry landed"
    );
}
