//! End-to-end over wiremock: one test per operation kind, plus the raw escape hatch.

mod common;

use common::{
    CATEGORIES_BULK, CURRENCIES, CountingTokens, EXPENSES_LIST, EXPENSES_UPSERT, FILE_DOWNLOAD,
    MY_PROFILE, ORG_ACTION, REPORT_SUBMIT, api, bearer, client_for, query,
};
use fyle::query::{Filter, Order};
use fyle::{ErrorKind, GetRequest, ListRequest};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use wiremock::matchers::{body_json, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[derive(Debug, Deserialize, PartialEq)]
struct Expense {
    id: String,
    amount: f64,
}

#[tokio::test]
async fn list_send_prints_filter_order_limit_offset_and_decodes_a_page() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(api("/admin/expenses")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "count": 3, "offset": 10,
            "data": [{"id": "tx1", "amount": 12.5}, {"id": "tx2", "amount": 40.0}]
        })))
        .mount(&server)
        .await;
    let client = client_for(&server, CountingTokens::new());

    let page = ListRequest::<Expense>::new(client, &EXPENSES_LIST)
        .filter(
            Filter::new()
                .gt("amount", 10)
                .gte("updated_at", "2024-01-01T00:00:00.000+05:30")
                .or(|g| g.eq("currency", "USD").eq("currency", "EUR")),
        )
        .raw_filter("cost_center->name", "eq.CC 1")
        .order(&Order::new().desc("amount").asc("id"))
        .limit(2)
        .offset(10)
        .send()
        .await
        .expect("page");

    assert_eq!(page.count, 3);
    assert_eq!(page.offset, 10);
    assert_eq!(
        page.items,
        vec![
            Expense {
                id: "tx1".into(),
                amount: 12.5
            },
            Expense {
                id: "tx2".into(),
                amount: 40.0
            }
        ]
    );
    let requests = server.received_requests().await.expect("recording");
    let req = &requests[0];
    assert_eq!(bearer(req).as_deref(), Some("Bearer tok-1"));
    let raw_query = req.url.query().expect("query");
    // `+` travels encoded, never as a space; `->` is encoded too.
    assert!(
        raw_query.contains("updated_at=gte.2024-01-01T00:00:00.000%2B05:30"),
        "{raw_query}"
    );
    assert!(
        raw_query.contains("cost_center-%3Ename=eq.CC%201"),
        "{raw_query}"
    );
    assert_eq!(
        query(req, "or").as_deref(),
        Some("(currency.eq.USD,currency.eq.EUR)")
    );
    assert_eq!(query(req, "order").as_deref(), Some("amount.desc,id.asc"));
    assert_eq!(query(req, "limit").as_deref(), Some("2"));
    assert_eq!(query(req, "offset").as_deref(), Some("10"));
    let parsed = Filter::parse_query_string(raw_query).expect("the shared parser reads it");
    assert_eq!(parsed.len(), 4);
}

#[tokio::test]
async fn list_defaults_to_pages_of_200() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(api("/admin/expenses")))
        .and(query_param("limit", "200"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"count": 0, "offset": 0, "data": []})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client_for(&server, CountingTokens::new());
    let page = ListRequest::<Value>::new(client, &EXPENSES_LIST)
        .send()
        .await
        .expect("page");
    assert!(page.items.is_empty());
    assert!(!page.has_more());
}

#[tokio::test]
async fn fetch_by_id_filters_by_id_and_reports_a_typed_not_found() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(api("/admin/expenses")))
        .and(query_param("id", "eq.tx1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "count": 1, "offset": 0, "data": [{"id": "tx1", "amount": 1.0}]
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(api("/admin/expenses")))
        .and(query_param("id", "eq.nope"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"count": 0, "offset": 0, "data": []})),
        )
        .mount(&server)
        .await;
    let client = client_for(&server, CountingTokens::new());

    let found = ListRequest::<Expense>::new(client.clone(), &EXPENSES_LIST)
        .fetch_by_id("tx1")
        .await
        .expect("found");
    assert_eq!(found.id, "tx1");

    let err = ListRequest::<Expense>::new(client, &EXPENSES_LIST)
        .fetch_by_id("nope")
        .await
        .expect_err("not found");
    assert!(err.is_not_found());
    match err.kind() {
        ErrorKind::NotFound(nf) => assert_eq!(nf.id.as_deref(), Some("nope")),
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.to_string().contains("nope"), "{err}");
}

#[derive(Debug, Deserialize)]
struct Profile {
    user_id: String,
}

#[tokio::test]
async fn get_single_unwraps_data() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(api("/spender/my_profile")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"data": {"user_id": "us1", "extra": 1}})),
        )
        .mount(&server)
        .await;
    let client = client_for(&server, CountingTokens::new());
    let profile: Profile = GetRequest::new(client, &MY_PROFILE)
        .send()
        .await
        .expect("profile");
    assert_eq!(profile.user_id, "us1");
}

#[tokio::test]
async fn get_array_unwraps_data_and_sends_query() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(api("/common/currencies")))
        .and(query_param("q", "dollar"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"data": [{"code": "USD"}, {"code": "CAD"}]})),
        )
        .mount(&server)
        .await;
    let client = client_for(&server, CountingTokens::new());
    let currencies: Vec<Value> = GetRequest::new(client, &CURRENCIES)
        .query("q", "dollar")
        .send()
        .await
        .expect("currencies");
    assert_eq!(currencies.len(), 2);
    assert_eq!(currencies[1]["code"], "CAD");
}

#[derive(Debug, Serialize)]
struct ExpenseIn {
    amount: f64,
    purpose: &'static str,
}

#[tokio::test]
async fn upsert_wraps_the_body_in_data_and_unwraps_the_response() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(api("/admin/expenses")))
        .and(body_json(
            json!({"data": {"amount": 12.5, "purpose": "taxi"}}),
        ))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"data": {"id": "txNew", "amount": 12.5}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client_for(&server, CountingTokens::new());
    let created: Expense = client
        .execute(
            &EXPENSES_UPSERT,
            Some(&ExpenseIn {
                amount: 12.5,
                purpose: "taxi",
            }),
        )
        .await
        .expect("upsert");
    assert_eq!(created.id, "txNew");
    let requests = server.received_requests().await.expect("recording");
    assert_eq!(
        requests[0]
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/json")
    );
}

#[tokio::test]
async fn bulk_wraps_an_array_and_accepts_an_empty_response() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(api("/admin/categories/bulk")))
        .and(body_json(
            json!({"data": [{"name": "Travel"}, {"name": "Meals"}]}),
        ))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let client = client_for(&server, CountingTokens::new());
    let rows = vec![json!({"name": "Travel"}), json!({"name": "Meals"})];
    client
        .execute::<_, ()>(&CATEGORIES_BULK, Some(&rows))
        .await
        .expect("bulk");
}

#[tokio::test]
async fn actions_send_data_or_an_empty_object() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(api("/spender/reports/submit")))
        .and(body_json(json!({"data": {"id": "rp1"}})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(api("/admin/orgs/sync")))
        .and(body_json(json!({})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": {"ok": true}})))
        .expect(1)
        .mount(&server)
        .await;
    let client = client_for(&server, CountingTokens::new());
    client
        .execute::<_, ()>(&REPORT_SUBMIT, Some(&json!({"id": "rp1"})))
        .await
        .expect("submit");
    let out: Value = client
        .execute::<Value, _>(&ORG_ACTION, None)
        .await
        .expect("action");
    assert_eq!(out["ok"], true);
}

#[tokio::test]
async fn download_follows_the_302_without_the_bearer_token() {
    let server = MockServer::start().await;
    let storage = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(api("/admin/files/download")))
        .and(query_param("id", "fi1"))
        .respond_with(ResponseTemplate::new(302).insert_header(
            "location",
            format!("{}/bucket/fi1?X-Amz-Signature=abc", storage.uri()),
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/bucket/fi1"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "application/pdf")
                .set_body_bytes(b"%PDF-1.7".to_vec()),
        )
        .expect(1)
        .mount(&storage)
        .await;
    let client = client_for(&server, CountingTokens::new());
    let file = client
        .download(&FILE_DOWNLOAD, "fi1")
        .await
        .expect("download");
    assert_eq!(&file.bytes[..], b"%PDF-1.7");
    assert_eq!(file.content_type.as_deref(), Some("application/pdf"));
    let storage_requests = storage.received_requests().await.expect("recording");
    assert_eq!(storage_requests.len(), 1);
    assert!(
        bearer(&storage_requests[0]).is_none(),
        "the Bearer token leaked to storage"
    );
}

#[tokio::test]
async fn raw_request_gets_auth_cluster_and_typed_errors() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(api("/admin/org_settings")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"data": {"currency": "USD"}})),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(api("/admin/nowhere")))
        .respond_with(
            ResponseTemplate::new(404)
                .set_body_json(json!({"message": "Not found", "error": null, "data": null})),
        )
        .mount(&server)
        .await;
    let client = client_for(&server, CountingTokens::new());
    let settings: Value = client
        .request(http::Method::GET, "/admin/org_settings")
        .send_json()
        .await
        .expect("settings");
    assert_eq!(settings["data"]["currency"], "USD");
    let requests = server.received_requests().await.expect("recording");
    assert_eq!(bearer(&requests[0]).as_deref(), Some("Bearer tok-1"));

    let err = client
        .request(http::Method::POST, "/admin/nowhere")
        .json(&json!({"data": {}}))
        .send()
        .await
        .expect_err("404");
    assert!(err.is_not_found());
    assert_eq!(err.status(), Some(http::StatusCode::NOT_FOUND));
}

#[tokio::test]
async fn many_clients_share_one_transport() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(api("/spender/my_profile")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": {"user_id": "us1"}})))
        .expect(2)
        .mount(&server)
        .await;
    let first = client_for(&server, CountingTokens::new());
    let second = fyle::Client::builder()
        .shared_token_provider(CountingTokens::new())
        .cluster(url::Url::parse(&server.uri()).expect("uri"))
        .allow_list(fyle::cluster::ClusterAllowList::default().allow_loopback_http())
        .transport(first.transport().clone())
        .build()
        .expect("client");
    assert!(std::sync::Arc::ptr_eq(
        first.transport(),
        second.transport()
    ));
    for client in [first, second] {
        let p: Profile = GetRequest::new(client, &MY_PROFILE)
            .send()
            .await
            .expect("profile");
        assert_eq!(p.user_id, "us1");
    }
}

#[tokio::test]
async fn a_pinned_cluster_outside_the_allow_list_is_refused() {
    let err = fyle::Client::builder()
        .shared_token_provider(CountingTokens::new())
        .cluster(url::Url::parse("http://evil.example.com").expect("url"))
        .build()
        .expect_err("refused");
    assert!(matches!(err.kind(), ErrorKind::Cluster(_)), "{err:?}");
}
