//! What each role sees: a spender only their own rows (hand-written and spec-driven resources
//! alike), never another user's row by id, and a 403 in Fyle's shape for every admin resource.

mod common;

use common::{quiet, start};
use reqwest::StatusCode;
use serde_json::Value;

fn owners(rows: &[Value]) -> Vec<&str> {
    rows.iter().filter_map(|r| r["user_id"].as_str()).collect()
}

#[tokio::test]
async fn a_spender_sees_only_their_own_rows_and_no_admin_resource() {
    let env = start(quiet()).await;
    let admin = env.admin_token().await;
    let (spender, spender_id) = env.user_token(2).await;

    for resource in [
        "expenses",
        "reports",
        "advance_requests",
        "corporate_card_transactions",
    ] {
        let path = format!("/spender/{resource}");
        let (rows, count) = env.list_all(&spender, &path, "").await;
        assert_eq!(rows.len() as u64, count, "{resource}");
        assert!(
            owners(&rows).iter().all(|u| *u == spender_id),
            "{resource}: a spender saw another user's row"
        );
        // The admin sees rows of other users, and none of them by id from the spender's view.
        let (all, _) = env
            .list_all(&admin, &format!("/admin/{resource}"), "")
            .await;
        let other = all
            .iter()
            .find(|r| r["user_id"].as_str().is_some_and(|u| u != spender_id))
            .unwrap_or_else(|| panic!("{resource}: the seed has rows of other users"));
        let id = other["id"].as_str().expect("string id");
        let (status, body) = env.get(&spender, &format!("{path}?id=eq.{id}")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["count"], 0, "{resource}: {body}");
    }

    for path in [
        "/admin/expenses",
        "/admin/employees",
        "/admin/tax_groups",
        "/admin/expense_fields",
        "/admin/reimbursements",
    ] {
        let (status, body) = env.get(&spender, path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert_eq!(body["message"], "Forbidden", "{path}: {body}");
    }
    let (status, body) = env
        .post(
            &spender,
            "/admin/tax_groups",
            &serde_json::json!({"data": {"name": "X", "percentage": 1, "is_enabled": true}}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["message"], "Forbidden");
}

#[tokio::test]
async fn an_approver_sees_their_approvees_rows_only() {
    let env = start(quiet()).await;
    let (approver, approver_id) = env.user_token(1).await;
    let (spender, spender_id) = env.user_token(2).await;
    let (rows, _) = env.list_all(&approver, "/approver/expenses", "").await;
    assert!(!rows.is_empty());
    assert!(owners(&rows).contains(&spender_id.as_str()));
    assert!(!owners(&rows).contains(&approver_id.as_str()));
    // The spender is not an approver.
    let (status, body) = env.get(&spender, "/approver/expenses").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["message"], "Forbidden");
}
