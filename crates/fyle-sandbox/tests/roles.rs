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

/// `POST /admin/employees/invite/bulk` creates an employee for a new e-mail and updates the one
/// with a known e-mail; a body the spec refuses changes nothing.
#[tokio::test]
async fn inviting_creates_or_updates_employees_by_email() {
    let env = start(quiet()).await;
    let admin = env.admin_token().await;
    let (before, count_before) = env.list_all(&admin, "/admin/employees", "").await;
    let known = before[3]["user"]["email"]
        .as_str()
        .expect("an e-mail")
        .to_owned();
    let body = serde_json::json!({"data": [
        {"user_email": "new.hire@example.com", "user_full_name": "New Hire", "code": "E99999"},
        {"user_email": known, "code": "E12345", "title": "Controller"},
    ]});
    let (status, answer) = env
        .post(&admin, "/admin/employees/invite/bulk", &body)
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");

    let (after, count_after) = env.list_all(&admin, "/admin/employees", "").await;
    assert_eq!(count_after, count_before + 1);
    assert_eq!(after.len() as u64, count_after);
    let by_email = |email: &str| {
        after
            .iter()
            .find(|e| e["user"]["email"] == email)
            .unwrap_or_else(|| panic!("no employee {email}"))
            .clone()
    };
    let hire = by_email("new.hire@example.com");
    assert_eq!(hire["user"]["full_name"], "New Hire");
    assert_eq!(hire["code"], "E99999");
    assert_eq!(hire["has_accepted_invite"], false);
    let updated = by_email(&known);
    assert_eq!(updated["code"], "E12345");
    assert_eq!(updated["title"], "Controller");

    // A row without an e-mail is refused by the request schema, and nothing is written.
    let bad = serde_json::json!({"data": [
        {"user_email": "second.hire@example.com", "user_full_name": "Second Hire"},
        {"user_full_name": "No Email"},
    ]});
    let (status, answer) = env.post(&admin, "/admin/employees/invite/bulk", &bad).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    let (_, count_final) = env.list_all(&admin, "/admin/employees", "").await;
    assert_eq!(count_final, count_after);
}
