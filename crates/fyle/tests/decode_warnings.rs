//! Lenient decoding through the facade: a page with a value of the wrong shape decodes whole,
//! the repaired value is named on `Page::warnings()`, and strict decoding fails it instead.
#![cfg(feature = "admin")]

mod common;

use common::{CountingTokens, EXPENSES_LIST, api, client_for_uri};
use futures::TryStreamExt;
use fyle::models::lenient::Repair;
use fyle::models::types::ExpenseOut;
use fyle::transport::{ReqwestTransport, TransportBuilder};
use fyle::{ErrorKind, ListRequest};
use serde_json::json;
use url::Url;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn server_with_a_null_file_id() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(api("/admin/expenses")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "count": 2, "offset": 0,
            "data": [
                {"id": "tx1", "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z", "settlement_id": "setl1"},
                {"id": "tx2", "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:01Z", "file_ids": ["fi1", null]}
            ]
        })))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn a_page_with_a_null_in_an_id_array_decodes_whole_with_a_warning() {
    let server = server_with_a_null_file_id().await;
    let client = client_for_uri(&server.uri(), CountingTokens::new());
    assert!(!client.strict_decoding());
    let page = ListRequest::<ExpenseOut>::new(client.clone(), &EXPENSES_LIST)
        .send()
        .await
        .expect("the page decodes whole");
    assert_eq!(page.items.len(), 2);
    assert_eq!(page.items[0].extra["settlement_id"], "setl1");
    assert_eq!(page.items[1].file_ids, Some(vec!["fi1".to_owned()]));
    let warnings = page.warnings();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(warnings[0].path, "data[1].file_ids[1]");
    assert_eq!(warnings[0].repair, Repair::DroppedItem);

    // Stable mode decodes item by item and names the same path.
    let pages: Vec<_> = ListRequest::<ExpenseOut>::new(client, &EXPENSES_LIST)
        .stable()
        .pages()
        .try_collect()
        .await
        .expect("pages");
    assert_eq!(pages[0].warnings()[0].path, "data[1].file_ids[1]");
}

#[tokio::test]
async fn strict_decoding_turns_the_warning_into_the_typed_error() {
    let server = server_with_a_null_file_id().await;
    let transport =
        TransportBuilder::new(ReqwestTransport::builder().build().expect("reqwest")).build();
    let client = fyle::Client::builder()
        .shared_token_provider(CountingTokens::new())
        .cluster(Url::parse(&server.uri()).expect("uri"))
        .allow_list(fyle::cluster::ClusterAllowList::default().allow_loopback_http())
        .transport(transport)
        .strict_decoding(true)
        .build()
        .expect("client");
    let err = ListRequest::<ExpenseOut>::new(client, &EXPENSES_LIST)
        .send()
        .await
        .expect_err("strict");
    match err.kind() {
        ErrorKind::Decode(d) => assert_eq!(d.path, "data[1].file_ids[1]"),
        other => panic!("unexpected {other:?}"),
    }
}

/// `POST /admin/statements/suggest_mappings`: the spec declares its `data` an object beside
/// `items` inside a `{count, offset, data}` list envelope. The SDK reads a list of
/// `StatementMappingsSuggestOut`, and a server that answers with a lone object still decodes,
/// as a one-item list (the repair is logged through `tracing`; `lenient`'s unit tests pin the
/// warning itself).
#[tokio::test]
async fn suggest_mappings_decodes_a_list_or_a_lone_object() {
    use fyle::models::types::StatementMappingsSuggestRequest;
    let mapping = json!({"id": "stmp1", "bank_name": "American Express", "is_debit_positive": true, "amount_column": "amount"});
    for data in [json!([mapping.clone()]), mapping.clone()] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(api("/admin/statements/suggest_mappings")))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"count": 1, "offset": 0, "data": data})),
            )
            .mount(&server)
            .await;
        let client = client_for_uri(&server.uri(), CountingTokens::new());
        let body = StatementMappingsSuggestRequest {
            statement_id: Some("stmt1".to_owned()),
        };
        let mappings = client
            .admin()
            .statements()
            .suggest_mappings(&body)
            .await
            .unwrap_or_else(|e| panic!("{data}: {e}"));
        assert_eq!(mappings.count, 1);
        assert_eq!(mappings.items.len(), 1);
        assert_eq!(
            mappings.items[0].bank_name.as_deref(),
            Some("American Express")
        );
        assert_eq!(mappings.items[0].amount_column.as_deref(), Some("amount"));
    }
}
