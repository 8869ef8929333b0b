//! The mock serves what the real client expects: token and cluster discovery, pages, objects,
//! upsert echoes, Fyle errors, and the filters a request carried.

use futures::TryStreamExt;
use fyle::query::Filter;
use fyle_mock::MockFyle;
use serde_json::{Value, json};

fn expenses(n: usize) -> Vec<Value> {
    (0..n)
        .map(|i| json!({"id": format!("tx{i:04}"), "state": if i % 2 == 0 { "APPROVED" } else { "DRAFT" }}))
        .collect()
}

#[tokio::test]
async fn token_and_cluster_discovery_then_paginated_stream() {
    let fyle = MockFyle::start().await;
    fyle.mock_list("/admin/expenses", expenses(450)).await;

    let items: Vec<fyle::models::types::ExpenseOut> = fyle
        .client()
        .admin()
        .expenses()
        .list()
        .stream()
        .try_collect()
        .await
        .expect("stream");
    assert_eq!(items.len(), 450);
    assert_eq!(items[449].id.as_deref(), Some("tx0449"));

    let paths: Vec<String> = fyle
        .received_requests()
        .await
        .iter()
        .map(|r| r.url.path().to_owned())
        .collect();
    assert_eq!(paths.iter().filter(|p| *p == "/oauth/token").count(), 1);
    assert!(paths.iter().any(|p| p.starts_with("/oauth/cluster")));
    assert_eq!(fyle.requests_to("/admin/expenses").await.len(), 3);
}

#[tokio::test]
async fn eq_filters_and_get_by_id() {
    let fyle = MockFyle::start().await;
    fyle.mock_list("/admin/expenses", expenses(10)).await;
    let client = fyle.client();

    let page = client
        .admin()
        .expenses()
        .list()
        .filter(Filter::new().eq("state", "APPROVED"))
        .limit(2)
        .send()
        .await
        .expect("page");
    assert_eq!(page.count, 5);
    assert_eq!(page.items.len(), 2);
    fyle.assert_filter("/admin/expenses", &Filter::new().eq("state", "APPROVED"))
        .await;

    let one = client.admin().expenses().get("tx0003").await.expect("get");
    assert_eq!(one.id.as_deref(), Some("tx0003"));
    let missing = client
        .admin()
        .expenses()
        .get("nope")
        .await
        .expect_err("404");
    assert!(missing.is_not_found());
}

#[tokio::test]
async fn limit_above_200_is_a_validation_error_from_the_mock() {
    let fyle = MockFyle::start().await;
    fyle.mock_list("/admin/expenses", expenses(1)).await;
    let err = fyle
        .client()
        .request(http::Method::GET, "/admin/expenses")
        .query("limit", 500)
        .send()
        .await
        .expect_err("400");
    assert_eq!(
        err.validation_errors().expect("rows")[0].fields[0].field,
        "limit"
    );
}

#[tokio::test]
async fn objects_upsert_echo_and_errors() {
    let fyle = MockFyle::start().await;
    fyle.mock_object(
        http::Method::GET,
        "/spender/my_profile",
        &json!({"user_id": "us1"}),
    )
    .await;
    fyle.mock_upsert_echo("/admin/projects").await;
    fyle.mock_error(
        http::Method::POST,
        "/admin/categories",
        400,
        Some("IntegrityError"),
        Some("already exists"),
        Value::Null,
    )
    .await;
    let client = fyle.client();

    let profile: Value = client
        .request(http::Method::GET, "/spender/my_profile")
        .send_json()
        .await
        .expect("profile");
    assert_eq!(profile["data"]["user_id"], "us1");

    let echoed: Value = client
        .request(http::Method::POST, "/admin/projects")
        .json(&json!({"data": {"name": "Apollo"}}))
        .send_json()
        .await
        .expect("echo");
    assert_eq!(echoed["data"]["name"], "Apollo");
    assert_eq!(echoed["data"]["id"], "mock1");

    let err = client
        .request(http::Method::POST, "/admin/categories")
        .json(&json!({"data": {"name": "Travel"}}))
        .send()
        .await
        .expect_err("integrity");
    assert_eq!(err.fyle_error_kind(), Some(&fyle::FyleErrorKind::Integrity));
}
