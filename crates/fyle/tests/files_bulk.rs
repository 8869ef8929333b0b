//! Presigned uploads (no Authorization header, URL regenerated once, attach) and the bulk
//! "resubmit the rest" helper.

mod common;

use common::{CATEGORIES_BULK, CountingTokens, api, bearer, client_for};
use fyle::files::{FileRole, Upload};
use serde_json::{Value, json};
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

async fn mount_file_record(server: &MockServer, role: &str, upload_url: &str) {
    Mock::given(method("POST"))
        .and(path(api(&format!("/{role}/files"))))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": {
            "id": "fi1", "name": "receipt.pdf", "content_type": "application/pdf",
            "upload_url": upload_url, "download_url": "https://storage.example/d"
        }})))
        .expect(1)
        .mount(server)
        .await;
}

#[tokio::test]
async fn upload_puts_bytes_without_authorization_and_attaches() {
    let server = MockServer::start().await;
    let storage = MockServer::start().await;
    mount_file_record(
        &server,
        "spender",
        &format!("{}/bucket/fi1?X-Amz-Signature=s1", storage.uri()),
    )
    .await;
    Mock::given(method("PUT"))
        .and(path("/bucket/fi1"))
        .and(header("content-type", "application/pdf"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&storage)
        .await;
    Mock::given(method("POST"))
        .and(path(api("/spender/expenses/attach_receipt")))
        .and(body_json(json!({"data": {"id": "tx1", "file_id": "fi1"}})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": {"id": "tx1"}})))
        .expect(1)
        .mount(&server)
        .await;
    let client = client_for(&server, CountingTokens::new());

    let file = client
        .files(FileRole::Spender)
        .upload(Upload::new("receipt.pdf", b"%PDF-1.7 bytes".to_vec()).attach_to_expense("tx1"))
        .await
        .expect("upload");

    assert_eq!(file.id, "fi1");
    assert_eq!(file.content_type.as_deref(), Some("application/pdf"));
    let puts = storage.received_requests().await.expect("recording");
    assert_eq!(puts.len(), 1);
    assert!(
        bearer(&puts[0]).is_none(),
        "the Bearer token was sent to the storage host"
    );
    assert_eq!(&puts[0].body[..], b"%PDF-1.7 bytes");
    let create = &server.received_requests().await.expect("recording")[0];
    let body: Value = serde_json::from_slice(&create.body).expect("json");
    assert_eq!(
        body,
        json!({"data": {"name": "receipt.pdf", "type": "RECEIPT"}})
    );
}

/// 403 for the first signature, 200 for the second.
struct ExpiringBucket;

impl Respond for ExpiringBucket {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        if request.url.query().is_some_and(|q| q.contains("s1")) {
            ResponseTemplate::new(403).set_body_raw(
                "<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>",
                "application/xml",
            )
        } else {
            ResponseTemplate::new(200)
        }
    }
}

#[tokio::test]
async fn an_expired_upload_url_is_regenerated_once() {
    let server = MockServer::start().await;
    let storage = MockServer::start().await;
    mount_file_record(
        &server,
        "admin",
        &format!("{}/bucket/fi1?sig=s1", storage.uri()),
    )
    .await;
    Mock::given(method("POST"))
        .and(path(api("/admin/files/generate_urls/bulk")))
        .and(body_json(json!({"data": [{"id": "fi1"}]})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": [{
            "id": "fi1", "name": "receipt.pdf", "content_type": "application/pdf",
            "upload_url": format!("{}/bucket/fi1?sig=s2", storage.uri()), "download_url": null
        }]})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/bucket/fi1"))
        .respond_with(ExpiringBucket)
        .expect(2)
        .mount(&storage)
        .await;
    let client = client_for(&server, CountingTokens::new());
    let file = client
        .files(FileRole::Admin)
        .upload(Upload::new("receipt.pdf", b"x".to_vec()).user_id("us1"))
        .await
        .expect("upload");
    assert_eq!(file.id, "fi1");
    let create = &server.received_requests().await.expect("recording")[0];
    let body: Value = serde_json::from_slice(&create.body).expect("json");
    assert_eq!(body["data"]["user_id"], "us1");
    assert!(
        storage
            .received_requests()
            .await
            .expect("recording")
            .iter()
            .all(|r| bearer(r).is_none())
    );
}

#[tokio::test]
async fn a_storage_failure_after_regeneration_is_a_storage_error() {
    let server = MockServer::start().await;
    let storage = MockServer::start().await;
    mount_file_record(
        &server,
        "spender",
        &format!("{}/bucket/fi1?sig=s1", storage.uri()),
    )
    .await;
    Mock::given(method("POST"))
        .and(path(api("/spender/files/generate_urls/bulk")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": [{
            "id": "fi1", "content_type": "application/pdf",
            "upload_url": format!("{}/bucket/fi1?sig=s1", storage.uri())
        }]})))
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .respond_with(ResponseTemplate::new(403))
        .expect(2)
        .mount(&storage)
        .await;
    let client = client_for(&server, CountingTokens::new());
    let err = client
        .files(FileRole::Spender)
        .upload(Upload::new("receipt.pdf", b"x".to_vec()))
        .await
        .expect_err("storage");
    assert!(
        matches!(err.kind(), fyle::ErrorKind::Storage { .. }),
        "{err:?}"
    );
    assert!(
        !err.to_string().contains("sig="),
        "the signature leaked: {err}"
    );
}

#[tokio::test]
async fn download_by_id_follows_the_redirect_without_the_token() {
    let server = MockServer::start().await;
    let storage = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(api("/approver/files/download")))
        .respond_with(
            ResponseTemplate::new(302)
                .insert_header("location", format!("{}/b/fi9?sig=1", storage.uri())),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/b/fi9"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(b"img".to_vec()))
        .mount(&storage)
        .await;
    let client = client_for(&server, CountingTokens::new());
    let file = client
        .files(FileRole::Approver)
        .download("fi9")
        .await
        .expect("download");
    assert_eq!(&file.bytes[..], b"img");
    let got = storage.received_requests().await.expect("recording");
    assert!(bearer(&got[0]).is_none());
}

/// Rejects rows whose `name` is "bad", Fyle-style (all or nothing), and records each body.
struct BulkServer;

impl Respond for BulkServer {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&request.body).expect("json");
        let rows = body["data"].as_array().expect("array");
        let failed: Vec<Value> = rows
            .iter()
            .enumerate()
            .filter(|(_, r)| r["name"] == "bad")
            .map(|(i, r)| json!({"row": i, "key": r["code"], "message": "Invalid / disabled department found"}))
            .collect();
        if failed.is_empty() {
            ResponseTemplate::new(200)
        } else {
            ResponseTemplate::new(400)
                .set_body_json(json!({"data": failed, "error": "BulkError", "message": null}))
        }
    }
}

#[tokio::test]
async fn execute_bulk_drops_failed_rows_and_resubmits_the_rest() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(api("/admin/categories/bulk")))
        .respond_with(BulkServer)
        .expect(2)
        .mount(&server)
        .await;
    let client = client_for(&server, CountingTokens::new());
    let rows = vec![
        json!({"name": "ok", "code": "a"}),
        json!({"name": "bad", "code": "b"}),
        json!({"name": "ok", "code": "c"}),
        json!({"name": "bad", "code": "d"}),
    ];
    let outcome = client
        .execute_bulk::<_, ()>(&CATEGORIES_BULK, rows)
        .await
        .expect("bulk");
    assert!(outcome.response.is_some());
    let rejected: Vec<(usize, Option<String>)> = outcome
        .rejected
        .iter()
        .map(|r| (r.index, r.error.key.clone()))
        .collect();
    assert_eq!(rejected, [(1, Some("b".into())), (3, Some("d".into()))]);
    let second = &server.received_requests().await.expect("recording")[1];
    let body: Value = serde_json::from_slice(&second.body).expect("json");
    assert_eq!(
        body,
        json!({"data": [{"name": "ok", "code": "a"}, {"name": "ok", "code": "c"}]})
    );
}

#[tokio::test]
async fn without_failed_rows_keeps_the_others() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(api("/admin/categories/bulk")))
        .respond_with(BulkServer)
        .mount(&server)
        .await;
    let client = client_for(&server, CountingTokens::new());
    let rows = vec![json!({"name": "bad"}), json!({"name": "ok"})];
    let err = client
        .execute::<_, ()>(&CATEGORIES_BULK, Some(&rows))
        .await
        .expect_err("bulk error");
    let rest = fyle::bulk::without_failed_rows(&rows, &err).expect("a BulkError");
    assert_eq!(rest, vec![json!({"name": "ok"})]);
}
