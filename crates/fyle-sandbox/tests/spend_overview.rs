//! `/admin/spend_overview/*` over HTTP: `202 Accepted` for a new query, the result when asked
//! again, `202` again after a write; the sums against the same expenses listed and added up
//! here; paging and filtering the `by_*` rows; a readiness delay on the sandbox clock.

mod common;

use std::time::Duration;

use fyle_sandbox::SandboxConfig;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Every seeded expense falls in it (both ends inclusive).
const WINDOW: &str =
    "time_interval_start=eq.2000-01-01T00:00:00Z&time_interval_end=eq.2099-12-31T23:59:59Z";

fn cents(v: &Value) -> i64 {
    #[allow(clippy::cast_possible_truncation)]
    let c = (v.as_f64().expect("an amount") * 100.0).round() as i64;
    c
}

/// Sum in cents of the listed expenses Fyle counts as spend (past DRAFT) that `keep` admits.
fn spend(expenses: &[Value], keep: impl Fn(&Value) -> bool) -> i64 {
    expenses
        .iter()
        .filter(|e| e["state"] != json!("DRAFT") && keep(e))
        .map(|e| cents(&e["amount"]))
        .sum()
}

/// Asks `path_and_query` until it is not `202` (at most twice more); answers the final status,
/// body, and how many `202`s came first.
async fn ready(env: &common::Env, token: &str, path_and_query: &str) -> (StatusCode, Value, usize) {
    let mut accepted = 0;
    loop {
        let (status, body) = env.get(token, path_and_query).await;
        if status != StatusCode::ACCEPTED || accepted == 2 {
            return (status, body, accepted);
        }
        accepted += 1;
    }
}

/// A sandbox started with `config`, and its admin's access token.
async fn admin_env(config: SandboxConfig) -> (common::Env, String) {
    let env = common::start(config).await;
    let admin = env.admin_token().await;
    (env, admin)
}

/// The quiet test config (no rate limit) with `expenses` expenses.
fn with_expenses(expenses: usize) -> SandboxConfig {
    SandboxConfig {
        expenses,
        ..common::quiet()
    }
}

/// GET `url` as `token`: the status, the `Retry-After` header and the JSON body.
async fn ask(env: &common::Env, token: &str, url: &str) -> (StatusCode, Option<String>, Value) {
    let resp = env
        .http
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .expect("get");
    let status = resp.status();
    let retry_after = resp
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (
        status,
        retry_after,
        resp.json().await.unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn a_new_query_is_accepted_then_ready_and_a_write_starts_it_over() {
    let (env, admin) = admin_env(with_expenses(120)).await;
    let summary = format!("/admin/spend_overview/summary?{WINDOW}");

    let (status, retry_after, body) = ask(&env, &admin, &env.api(&summary)).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(retry_after.as_deref(), Some("0"));
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("accepted")),
        "{body}"
    );

    let (status, body) = env.get(&admin, &summary).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (expenses, _) = env
        .list_all(&admin, "/admin/expenses", "order=id.asc")
        .await;
    let expected = spend(&expenses, |_| true);
    println!(
        "summary of {} expenses: total {} in {} monthly buckets",
        expenses.len(),
        body["total_amount"],
        body["data"].as_array().map_or(0, Vec::len)
    );
    assert!(expected > 0);
    assert_eq!(cents(&body["total_amount"]), expected);
    assert_eq!(body["time_interval_granularity"], json!("month"));
    let buckets: i64 = body["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|b| cents(&b["amount"]))
        .sum();
    assert_eq!(buckets, expected);
    // Ready stays ready while nothing changes.
    let (status, _) = env.get(&admin, &summary).await;
    assert_eq!(status, StatusCode::OK);

    // A write: the overview computes again, and then counts the new expense.
    let email = &env.sandbox.info().orgs[0].users[2].email;
    let (status, created) = env
        .post(
            &admin,
            "/admin/expenses",
            &json!({"data": {"admin_amount": 40.25, "assignee_user_email": email,
                             "merchant": "Spend Overview Cafe",
                             "spent_at": "2026-06-01T00:00:00.000Z"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let (status, body, accepted) = ready(&env, &admin, &summary).await;
    assert_eq!((status, accepted), (StatusCode::OK, 1), "{body}");
    assert_eq!(cents(&body["total_amount"]), expected + 4025);

    // Filters narrow the same sum.
    let spender_id = &env.sandbox.info().orgs[0].users[2].user_id;
    let (_, body, _) = ready(
        &env,
        &admin,
        &format!("{summary}&user_id=in.({spender_id})&merchant=in.(spend overview cafe)"),
    )
    .await;
    assert_eq!(cents(&body["total_amount"]), 4025);
    let (expenses, _) = env
        .list_all(&admin, "/admin/expenses", "order=id.asc")
        .await;
    let (_, body, _) = ready(&env, &admin, &format!("{summary}&is_card_spend=eq.true")).await;
    let card = spend(&expenses, |e| {
        e["source_account"]["type"] == json!("PERSONAL_CORPORATE_CREDIT_CARD_ACCOUNT")
    });
    assert!(card > 0);
    assert_eq!(cents(&body["total_amount"]), card);
}

#[tokio::test]
async fn by_views_group_the_same_spend_and_page_their_rows() {
    let (env, admin) = admin_env(with_expenses(150)).await;
    let (expenses, _) = env
        .list_all(&admin, "/admin/expenses", "order=id.asc")
        .await;
    let total = spend(&expenses, |_| true);
    let with = |key: &str| spend(&expenses, |e| !e[key].is_null());
    for (view, name_column, expected) in [
        ("by_merchant", "merchant_name", total),
        ("by_user", "user_email", total),
        ("by_project", "project_display_name", with("project_id")),
        ("by_category", "category_display_name", with("category_id")),
        ("by_department", "department_display_name", total),
        (
            "by_corporate_card",
            "card_number",
            spend(&expenses, |e| {
                e["matched_corporate_card_transaction_ids"]
                    .as_array()
                    .is_some_and(|a| !a.is_empty())
            }),
        ),
    ] {
        let path = format!("/admin/spend_overview/{view}?{WINDOW}&limit=200");
        let (status, body, accepted) = ready(&env, &admin, &path).await;
        assert_eq!((status, accepted), (StatusCode::OK, 1), "{view}: {body}");
        let rows = body["data"].as_array().expect("data");
        assert_eq!(body["count"], json!(rows.len()), "{view}");
        assert_eq!(body["offset"], json!(0));
        let sum: i64 = rows.iter().map(|r| cents(&r["amount"])).sum();
        println!("{view}: {} rows, {sum} cents of {total}", rows.len());
        assert!(
            !rows.is_empty() && rows.iter().all(|r| r[name_column].is_string()),
            "{view}"
        );
        assert_eq!(sum, expected, "{view}");
        let amounts: Vec<i64> = rows.iter().map(|r| cents(&r["amount"])).collect();
        assert!(
            amounts.windows(2).all(|w| w[0] >= w[1]),
            "{view}: biggest first"
        );
        let shares: f64 = rows.iter().filter_map(|r| r["percentage"].as_f64()).sum();
        assert!(
            shares <= 100.0 + 0.01 * f64::from(u32::try_from(rows.len()).expect("few rows")),
            "{view}: {shares}"
        );
    }

    // Pages, order and filters on the rows reuse the computed result: no new 202.
    let base = format!("/admin/spend_overview/by_user?{WINDOW}");
    let (_, all) = env.get(&admin, &format!("{base}&limit=200")).await;
    let rows = all["data"].as_array().expect("data").clone();
    assert!(rows.len() >= 4);
    let (status, page) = env.get(&admin, &format!("{base}&offset=1&limit=2")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["count"], json!(rows.len()));
    assert_eq!(page["offset"], json!(1));
    assert_eq!(page["data"], json!(rows[1..3]));
    let (_, ascending) = env
        .get(
            &admin,
            &format!("{base}&order=amount.asc,user_id.asc&limit=200"),
        )
        .await;
    assert_eq!(
        ascending["data"][0]["amount"],
        rows[rows.len() - 1]["amount"]
    );
    let cut = rows[1]["amount"].as_f64().expect("amount");
    let (_, big) = env
        .get(&admin, &format!("{base}&amount=gte.{cut}&limit=200"))
        .await;
    assert_eq!(big["data"], json!(rows[..2]));
}

#[tokio::test]
async fn readiness_waits_on_the_sandbox_clock() {
    let (env, admin) = admin_env(SandboxConfig {
        spend_overview_ready_after: Duration::from_secs(60),
        ..with_expenses(40)
    })
    .await;
    let url = env.api(&format!("/admin/spend_overview/by_category?{WINDOW}"));
    let status =
        |(status, retry_after, _): (StatusCode, Option<String>, Value)| (status, retry_after);
    let accepted = |secs: &str| (StatusCode::ACCEPTED, Some(secs.to_owned()));
    assert_eq!(status(ask(&env, &admin, &url).await), accepted("60"));
    env.sandbox.advance_clock(Duration::from_secs(30));
    assert_eq!(status(ask(&env, &admin, &url).await), accepted("30"));
    env.sandbox.advance_clock(Duration::from_secs(30));
    assert_eq!(
        status(ask(&env, &admin, &url).await),
        (StatusCode::OK, None)
    );
}

#[tokio::test]
async fn parameters_the_operation_does_not_take_are_refused() {
    let (env, admin) = admin_env(with_expenses(20)).await;
    for (path, named) in [
        ("/admin/spend_overview/summary?limit=5", "limit"),
        ("/admin/spend_overview/summary?merchant=eq.Uber", "merchant"),
        (
            "/admin/spend_overview/by_merchant?merchant=in.(Uber)",
            "merchant",
        ),
        (
            "/admin/spend_overview/by_user?time_interval_granularity=eq.day",
            "time_interval_granularity",
        ),
        (
            "/admin/spend_overview/by_user?time_interval_preset=eq.last_year",
            "time_interval_preset",
        ),
    ] {
        let (status, body) = env.get(&admin, path).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
        assert_eq!(body["error"], json!("ValidationError"));
        assert!(
            body["message"].as_str().is_some_and(|m| m.contains(named)),
            "{path}: {body}"
        );
    }
    let (spender, _) = env.user_token(2).await;
    let (status, _) = env.get(&spender, "/admin/spend_overview/summary").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
