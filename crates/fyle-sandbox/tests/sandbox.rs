//! End-to-end tests of fyle-sandbox over HTTP (plain reqwest: the `fyle` facade is built in
//! parallel and is not a dependency of this crate).

mod common;

use std::collections::HashSet;
use std::time::Duration;

use common::{Env, quiet, start};
use fyle_models::query::Filter;
use fyle_sandbox::{ChurnConfig, FaultConfig, Resource, SandboxConfig};
use reqwest::StatusCode;
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------- accounts

#[tokio::test]
async fn token_endpoint_takes_json_only_and_checks_the_client() {
    let env = start(quiet()).await;
    let info = env.sandbox.info().clone();
    // JSON refresh grant works and returns an expiry.
    let resp = env
        .http
        .post(env.url("/oauth/token"))
        .json(
            &json!({"grant_type": "refresh_token", "client_id": info.client_id,
                      "client_secret": info.client_secret, "refresh_token": info.refresh_token}),
        )
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), StatusCode::OK);
    let body: Value = resp.json().await.expect("json");
    assert_eq!(body["expires_in"], json!(3600));
    assert_eq!(body["token_type"], json!("Bearer"));
    // A form body is refused with a clear 400.
    let resp = env
        .http
        .post(env.url("/oauth/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "grant_type=refresh_token&client_id={}&client_secret={}&refresh_token={}",
            info.client_id, info.client_secret, info.refresh_token
        ))
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let body: Value = resp.json().await.expect("json");
    assert!(body["message"].as_str().expect("message").contains("JSON"));
    // A wrong secret is a 401.
    let resp = env
        .http
        .post(env.url("/oauth/token"))
        .json(
            &json!({"grant_type": "refresh_token", "client_id": info.client_id,
                      "client_secret": "wrong", "refresh_token": info.refresh_token}),
        )
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    // An unknown refresh token too.
    let resp = env
        .http
        .post(env.url("/oauth/token"))
        .json(
            &json!({"grant_type": "refresh_token", "client_id": info.client_id,
                      "client_secret": info.client_secret, "refresh_token": "nope"}),
        )
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn cluster_answers_with_and_without_slash_and_body() {
    let env = start(quiet()).await;
    let token = env.admin_token().await;
    for path in ["/oauth/cluster", "/oauth/cluster/"] {
        for body in [None, Some("{}")] {
            let mut req = env.http.post(env.url(path)).bearer_auth(&token);
            if let Some(b) = body {
                req = req.header("content-type", "application/json").body(b);
            }
            let resp = req.send().await.expect("send");
            assert_eq!(resp.status(), StatusCode::OK, "{path} {body:?}");
            let v: Value = resp.json().await.expect("json");
            assert_eq!(v["cluster_domain"], json!(env.sandbox.url()));
        }
    }
    let resp = env
        .http
        .post(env.url("/oauth/cluster"))
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn expired_and_unknown_tokens_get_401_and_refresh_recovers() {
    let env = start(SandboxConfig {
        token_ttl: Duration::from_secs(60),
        ..quiet()
    })
    .await;
    let token = env.admin_token().await;
    let (status, _) = env.get(&token, "/admin/expenses?limit=1").await;
    assert_eq!(status, StatusCode::OK);
    env.sandbox.advance_clock(Duration::from_secs(61));
    let (status, body) = env.get(&token, "/admin/expenses?limit=1").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body, json!({"message": "invalid token"}));
    let (status, body) = env.get("garbage", "/admin/expenses?limit=1").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body, json!({"message": "invalid token"}));
    let fresh = env.admin_token().await;
    let (status, _) = env.get(&fresh, "/admin/expenses?limit=1").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn consent_page_redirects_with_code_and_state() {
    let env = start(quiet()).await;
    let info = env.sandbox.info().clone();
    let admin = &info.orgs[0].users[0];
    let page_url = format!(
        "{}/app/developers/oauth/authorize?client_id={}&redirect_uri={}&state=xyz&response_type=code",
        env.sandbox.url(),
        info.client_id,
        "http://localhost:9999/callback"
    );
    let resp = env.http.get(&page_url).send().await.expect("page");
    assert_eq!(resp.status(), StatusCode::OK);
    let html = resp.text().await.expect("html");
    assert!(html.contains(&info.client_id));
    assert!(html.contains(&admin.email));
    assert!(html.contains(&info.orgs[0].org_name));
    // Approve through the form.
    let resp = env
        .http
        .post(env.url("/app/developers/oauth/authorize"))
        .form(&[
            ("client_id", info.client_id.as_str()),
            ("user_id", admin.user_id.as_str()),
            ("org_id", info.orgs[0].org_id.as_str()),
            ("redirect_uri", "http://localhost:9999/callback"),
            ("state", "xyz"),
            ("decision", "approve"),
        ])
        .send()
        .await
        .expect("approve");
    assert!(resp.status().is_redirection());
    let location =
        url::Url::parse(resp.headers()["location"].to_str().expect("ascii")).expect("url");
    assert_eq!(location.path(), "/callback");
    let q: std::collections::HashMap<_, _> = location.query_pairs().into_owned().collect();
    assert_eq!(q["state"], "xyz");
    // Exchange the code: access + refresh token, and the code is single-use.
    let exchange = json!({"grant_type": "authorization_code", "client_id": info.client_id,
                          "client_secret": info.client_secret, "code": q["code"]});
    let resp = env
        .http
        .post(env.url("/oauth/token"))
        .json(&exchange)
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), StatusCode::OK);
    let tokens: Value = resp.json().await.expect("json");
    assert!(tokens["refresh_token"].is_string());
    let (status, profile) = env
        .get(
            tokens["access_token"].as_str().expect("token"),
            "/spender/my_profile",
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(profile["data"]["user"]["email"], json!(admin.email));
    let resp = env
        .http
        .post(env.url("/oauth/token"))
        .json(&exchange)
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    // auto_approve skips the page.
    let resp = env
        .http
        .get(format!("{page_url}&auto_approve=true"))
        .send()
        .await
        .expect("auto");
    assert!(resp.status().is_redirection());
    assert!(
        resp.headers()["location"]
            .to_str()
            .expect("ascii")
            .contains("code=")
    );
}

// ---------------------------------------------------------------------------------- lists

/// A query and the predicate it should select.
type Check<'a> = (String, Box<dyn Fn(&Value) -> bool + 'a>);

/// Every expense of the org, fetched by paging, in `id` order.
async fn all_expenses(env: &Env, token: &str) -> Vec<Value> {
    let (rows, count) = env.list_all(token, "/admin/expenses", "order=id.asc").await;
    assert_eq!(rows.len() as u64, count);
    rows
}

async fn count_of(env: &Env, token: &str, query: &str) -> u64 {
    let (status, body) = env
        .get(token, &format!("/admin/expenses?{query}&limit=1"))
        .await;
    assert_eq!(status, StatusCode::OK, "{query}: {body}");
    body["count"].as_u64().expect("count")
}

#[tokio::test]
async fn each_operator_family_matches_a_brute_force_count() {
    let env = start(quiet()).await;
    let token = env.admin_token().await;
    let rows = all_expenses(&env, &token).await;
    assert_eq!(rows.len(), 300);
    let sample = &rows[7];
    let email = sample["employee"]["user"]["email"]
        .as_str()
        .expect("email")
        .to_owned();
    let file_id = rows
        .iter()
        .find_map(|r| r["file_ids"].as_array().and_then(|a| a.first()).cloned())
        .expect("some expense has a file");
    let amount = |r: &Value| r["amount"].as_f64().unwrap_or(0.0);
    let checks: Vec<Check<'_>> = vec![
        (
            "state=eq.PAID".into(),
            Box::new(|r: &Value| r["state"] == "PAID"),
        ),
        (
            "state=neq.PAID".into(),
            Box::new(|r: &Value| r["state"] != "PAID"),
        ),
        (
            "amount=gt.500".into(),
            Box::new(move |r: &Value| amount(r) > 500.0),
        ),
        (
            "amount=lte.100.5".into(),
            Box::new(move |r: &Value| amount(r) <= 100.5),
        ),
        (
            "state=in.(APPROVED,PAYMENT_PROCESSING,PAID)".into(),
            Box::new(|r: &Value| {
                ["APPROVED", "PAYMENT_PROCESSING", "PAID"]
                    .contains(&r["state"].as_str().unwrap_or(""))
            }),
        ),
        (
            "state=not_in.(DRAFT,COMPLETE)".into(),
            Box::new(|r: &Value| {
                !["DRAFT", "COMPLETE"].contains(&r["state"].as_str().unwrap_or(""))
            }),
        ),
        (
            "project_id=is.null".into(),
            Box::new(|r: &Value| r["project_id"].is_null()),
        ),
        (
            "report_id=is_not.null".into(),
            Box::new(|r: &Value| !r["report_id"].is_null()),
        ),
        (
            "is_billable=is.true".into(),
            Box::new(|r: &Value| r["is_billable"] == true),
        ),
        (
            "merchant=like.Ub%".into(),
            Box::new(|r: &Value| r["merchant"].as_str().is_some_and(|m| m.starts_with("Ub"))),
        ),
        (
            "merchant=ilike.%AIR%".into(),
            Box::new(|r: &Value| {
                r["merchant"]
                    .as_str()
                    .is_some_and(|m| m.to_lowercase().contains("air"))
            }),
        ),
        (
            "merchant=ci_in.(uber,STARBUCKS)".into(),
            Box::new(|r: &Value| matches!(r["merchant"].as_str(), Some("Uber" | "Starbucks"))),
        ),
        (
            format!("employee->user->email=eq.{email}"),
            Box::new(|r: &Value| r["employee"]["user"]["email"] == email.as_str()),
        ),
        (
            "category->name=eq.Travel".into(),
            Box::new(|r: &Value| r["category"]["name"] == "Travel"),
        ),
        (
            format!("file_ids=cs.[\"{}\"]", file_id.as_str().expect("str")),
            Box::new(|r: &Value| {
                r["file_ids"]
                    .as_array()
                    .is_some_and(|a| a.contains(&file_id))
            }),
        ),
        (
            "updated_at=gte.2026-06-01T00:00:00.000-08:00".into(),
            Box::new(|r: &Value| {
                r["updated_at"]
                    .as_str()
                    .is_some_and(|t| t >= "2026-06-01T08:00:00")
            }),
        ),
        (
            "report_last_approved_at=gte.2026-01-01T00:00:00.000Z".into(),
            Box::new(|r: &Value| {
                r["report_last_approved_at"]
                    .as_str()
                    .is_some_and(|t| t >= "2026-01-01")
            }),
        ),
        (
            "foreign_amount=agte.100".into(),
            Box::new(|r: &Value| {
                r["foreign_amount"]
                    .as_f64()
                    .is_some_and(|a| a.abs() >= 100.0)
            }),
        ),
    ];
    let mut non_trivial = 0;
    for (query, pred) in &checks {
        let expected = rows.iter().filter(|r| pred(r)).count() as u64;
        if expected > 0 && expected < 300 {
            non_trivial += 1;
        }
        let encoded = query.replace('+', "%2B").replace('"', "%22");
        assert_eq!(count_of(&env, &token, &encoded).await, expected, "{query}");
    }
    assert!(
        non_trivial >= 12,
        "filters should split the data, {non_trivial} did"
    );
}

#[tokio::test]
async fn grouped_and_nested_filters() {
    let env = start(quiet()).await;
    let token = env.admin_token().await;
    let rows = all_expenses(&env, &token).await;
    let state = |r: &Value| r["state"].as_str().unwrap_or_default().to_owned();
    let expected_or = rows
        .iter()
        .filter(|r| matches!(state(r).as_str(), "PAID" | "APPROVED"))
        .count() as u64;
    assert_eq!(
        count_of(&env, &token, "or=(state.eq.PAID,state.eq.APPROVED)").await,
        expected_or
    );
    let expected_and = rows
        .iter()
        .filter(|r| {
            matches!(state(r).as_str(), "PAID" | "APPROVED")
                && r["amount"].as_f64().unwrap_or(0.0) < 300.0
        })
        .count() as u64;
    assert_eq!(
        count_of(
            &env,
            &token,
            "and=(or=(state.eq.PAID,state.eq.APPROVED),amount.lt.300)"
        )
        .await,
        expected_and
    );
    // The same through the shared AST and the store.
    let filter = Filter::new()
        .or(|g| g.eq("state", "PAID").eq("state", "APPROVED"))
        .lt("amount", 300);
    assert_eq!(
        env.sandbox
            .count(&env.org_id(), Resource::Expenses, &filter),
        Some(usize::try_from(expected_and).expect("fits"))
    );
    // A malformed filter is a Fyle-shaped 400.
    let (status, body) = env.get(&token, "/admin/expenses?amount=10").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], json!("ValidationError"));
}

#[tokio::test]
async fn multi_column_order_and_paging_to_the_end() {
    let env = start(SandboxConfig {
        expenses: 650,
        ..quiet()
    })
    .await;
    let token = env.admin_token().await;
    let (rows, count) = env
        .list_all(
            &token,
            "/admin/expenses",
            "state=neq.DRAFT&order=state.asc,amount.desc,id.asc",
        )
        .await;
    assert_eq!(rows.len() as u64, count);
    let ids: HashSet<_> = rows.iter().map(|r| r["id"].clone()).collect();
    assert_eq!(ids.len(), rows.len(), "no row twice across pages");
    for w in rows.windows(2) {
        let (a, b) = (&w[0], &w[1]);
        let (sa, sb) = (
            a["state"].as_str().expect("s"),
            b["state"].as_str().expect("s"),
        );
        assert!(sa <= sb);
        if sa == sb {
            assert!(a["amount"].as_f64() >= b["amount"].as_f64());
        }
    }
    let all = env.sandbox.ids(&env.org_id(), Resource::Expenses).len() as u64;
    let drafts = env
        .sandbox
        .count(
            &env.org_id(),
            Resource::Expenses,
            &Filter::new().eq("state", "DRAFT"),
        )
        .expect("org");
    assert_eq!(count + drafts as u64, all);
    // Offset past the end: empty page, exact count.
    let (status, body) = env
        .get(&token, &format!("/admin/expenses?offset={all}&limit=10"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["data"], json!([]));
    assert_eq!(body["count"], json!(all));
    assert_eq!(body["offset"], json!(all));
}

#[tokio::test]
async fn keyset_pages_match_offset_pages() {
    let env = start(SandboxConfig {
        expenses: 650,
        ..quiet()
    })
    .await;
    let token = env.admin_token().await;
    let order = "order=updated_at.asc,id.asc";
    let (expected, count) = env.list_all(&token, "/admin/expenses", order).await;
    assert_eq!(expected.len() as u64, count);
    let enc = |s: &str| {
        percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    let mut seen: Vec<Value> = Vec::new();
    let mut after: Option<(String, String)> = None;
    loop {
        let filter = after.as_ref().map_or_else(String::new, |(at, id)| {
            format!(
                "&or={}",
                enc(&format!(
                    "(updated_at.gt.{at},and=(updated_at.eq.{at},id.gt.{id}))"
                ))
            )
        });
        let (status, body) = env
            .get(
                &token,
                &format!("/admin/expenses?{order}{filter}&limit=200"),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(
            body["count"].as_u64(),
            Some(count - seen.len() as u64),
            "count of the rows after the key"
        );
        let data = body["data"].as_array().cloned().unwrap_or_default();
        let last = data.last().map(|r| {
            (
                r["updated_at"].as_str().expect("updated_at").to_owned(),
                r["id"].as_str().expect("id").to_owned(),
            )
        });
        let full = data.len() == 200;
        seen.extend(data);
        match last {
            Some(key) if full => after = Some(key),
            _ => break,
        }
    }
    assert_eq!(
        seen, expected,
        "keyset pages serve the offset pages' rows in order"
    );
}

#[tokio::test]
async fn limit_out_of_range_is_a_fyle_400() {
    let env = start(quiet()).await;
    let token = env.admin_token().await;
    for limit in ["0", "201"] {
        let (status, body) = env
            .get(&token, &format!("/admin/expenses?limit={limit}"))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["error"], json!("ValidationError"));
        assert!(body["data"].is_null());
        assert!(body["message"].as_str().expect("message").contains("limit"));
    }
    let (status, body) = env.get(&token, "/admin/expenses?limit=200").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["data"].as_array().map(Vec::len), Some(200));
}

#[tokio::test]
async fn served_rows_decode_into_the_generated_models() {
    let env = start(quiet()).await;
    let token = env.admin_token().await;
    let (_, body) = env
        .get(&token, "/admin/expenses?limit=200&order=id.asc")
        .await;
    let expenses: Vec<fyle_models::types::ExpenseOut> =
        serde_json::from_value(body["data"].clone()).expect("ExpenseOut decodes");
    assert_eq!(expenses.len(), 200);
    assert!(
        expenses
            .iter()
            .all(|e| e.id.as_deref().is_some_and(|i| i.starts_with("tx")))
    );
    let (_, body) = env.get(&token, "/admin/reports?limit=50").await;
    let reports: Vec<fyle_models::types::ReportOut> =
        serde_json::from_value(body["data"].clone()).expect("ReportOut decodes");
    assert!(!reports.is_empty());
    for (path, prefix) in [
        ("/admin/employees", "ou"),
        ("/admin/corporate_cards", "bacc"),
    ] {
        let (status, body) = env.get(&token, &format!("{path}?limit=5")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            body["data"][0]["id"]
                .as_str()
                .is_some_and(|i| i.starts_with(prefix)),
            "{path}"
        );
    }
    for path in [
        "/admin/categories",
        "/admin/projects",
        "/admin/cost_centers",
    ] {
        let (status, body) = env.get(&token, &format!("{path}?limit=5")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body["data"][0]["id"].is_i64(), "{path} has integer ids");
    }
}

#[tokio::test]
async fn roles_see_their_own_rows_only() {
    let env = start(quiet()).await;
    let admin = env.admin_token().await;
    let (approver, approver_id) = env.user_token(1).await;
    let (spender, spender_id) = env.user_token(2).await;
    let (mine, count) = env
        .list_all(&spender, "/spender/expenses", "order=id.asc")
        .await;
    assert!(count > 0);
    assert!(mine.iter().all(|r| r["user_id"] == json!(spender_id)));
    let expected = env
        .sandbox
        .count(
            &env.org_id(),
            Resource::Expenses,
            &Filter::new().eq("user_id", spender_id.as_str()),
        )
        .expect("org");
    assert_eq!(count, expected as u64);
    // The approver sees their approvees' expenses, never their own (they approve nobody's own).
    let (theirs, count) = env
        .list_all(&approver, "/approver/expenses", "order=id.asc")
        .await;
    assert!(count > 0);
    assert!(theirs.iter().all(|r| r["user_id"] != json!(approver_id)));
    assert!(theirs.iter().any(|r| r["user_id"] == json!(spender_id)));
    let (_, all) = env
        .list_all(&admin, "/admin/expenses", "order=id.asc")
        .await;
    assert!(all > count);
    // A spender cannot use admin APIs.
    let (status, _) = env.get(&spender, "/admin/expenses").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn orgs_are_isolated() {
    let env = start(SandboxConfig {
        orgs: 2,
        expenses: 50,
        ..quiet()
    })
    .await;
    let info = env.sandbox.info().clone();
    assert_ne!(info.orgs[0].client_id, info.orgs[1].client_id);
    let resp = env
        .http
        .post(env.url("/oauth/token"))
        .json(&json!({"grant_type": "refresh_token", "client_id": info.orgs[1].client_id,
                      "client_secret": info.orgs[1].client_secret, "refresh_token": info.orgs[1].refresh_token}))
        .send()
        .await
        .expect("send");
    let token: Value = resp.json().await.expect("json");
    let token = token["access_token"].as_str().expect("token").to_owned();
    let (rows, count) = env
        .list_all(&token, "/admin/expenses", "order=id.asc")
        .await;
    assert_eq!(count, 50);
    assert!(
        rows.iter()
            .all(|r| r["org_id"] == json!(info.orgs[1].org_id))
    );
}

// ---------------------------------------------------------------------------------- writes

#[tokio::test]
async fn upserts_create_and_update_and_are_visible() {
    let env = start(quiet()).await;
    let admin = env.admin_token().await;
    let (status, body) = env
        .post(
            &admin,
            "/admin/categories",
            &json!({"data": {"name": "Snacks", "sub_category": "Chips"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let id = body["data"]["id"].as_i64().expect("integer id");
    assert_eq!(body["data"]["display_name"], json!("Snacks / Chips"));
    let (_, list) = env
        .get(&admin, &format!("/admin/categories?id=eq.{id}"))
        .await;
    assert_eq!(list["count"], json!(1));
    // Update by id.
    let (status, body) = env
        .post(
            &admin,
            "/admin/categories",
            &json!({"data": {"id": id, "is_enabled": false}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["data"]["is_enabled"], json!(false));
    // A duplicate is an IntegrityError.
    let (status, body) = env
        .post(
            &admin,
            "/admin/categories",
            &json!({"data": {"name": "Snacks", "sub_category": "Chips"}}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], json!("IntegrityError"));
    assert!(body["data"].is_null());
    // A missing field is a ValidationError keyed by row then field.
    let (status, body) = env
        .post(&admin, "/admin/projects", &json!({"data": {"code": "X"}}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], json!("ValidationError"));
    assert_eq!(
        body["data"]["0"]["name"],
        json!(["Missing data for required field."])
    );
    // A spender creates an expense with the new category; the admin sees it.
    let (spender, spender_id) = env.user_token(2).await;
    let (status, body) = env
        .post(
            &spender,
            "/spender/expenses",
            &json!({"data": {"claim_amount": 12.3456, "category_id": id, "merchant": "Corner Shop",
                             "spent_at": "2026-10-01T00:00:00.000Z", "purpose": "snacks"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let tx = body["data"]["id"].as_str().expect("id").to_owned();
    assert!(tx.starts_with("tx"));
    assert_eq!(body["data"]["amount"], json!(12.35));
    assert_eq!(body["data"]["user_id"], json!(spender_id));
    assert_eq!(body["data"]["category"]["name"], json!("Snacks"));
    let (_, list) = env
        .get(&admin, &format!("/admin/expenses?id=eq.{tx}"))
        .await;
    assert_eq!(list["data"][0]["merchant"], json!("Corner Shop"));
    // Admin creates for an employee by email.
    let email = &env.sandbox.info().orgs[0].users[2].email;
    let (status, body) = env
        .post(
            &admin,
            "/admin/expenses",
            &json!({"data": {"admin_amount": 40, "assignee_user_email": email}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["user_id"], json!(spender_id));
    // Bulk post, then delete in bulk.
    let (status, body) = env
        .post(
            &admin,
            "/admin/cost_centers/bulk",
            &json!({"data": [{"name": "CC-A"}, {"name": "CC-B"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, list) = env
        .get(&admin, "/admin/cost_centers?name=in.(CC-A,CC-B)")
        .await;
    assert_eq!(list["count"], json!(2));
    let ids: Vec<Value> = list["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|c| json!({"id": c["id"]}))
        .collect();
    let (status, body) = env
        .post(
            &admin,
            "/admin/cost_centers/delete/bulk",
            &json!({"data": ids}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, list) = env
        .get(&admin, "/admin/cost_centers?name=in.(CC-A,CC-B)")
        .await;
    assert_eq!(list["count"], json!(0));
}

#[tokio::test]
async fn report_lifecycle_and_bulk_errors() {
    let env = start(quiet()).await;
    let admin = env.admin_token().await;
    let (spender, _) = env.user_token(2).await;
    // Create a report, add an unreported expense, submit, approve, mark paid.
    let (_, body) = env
        .post(
            &spender,
            "/spender/reports",
            &json!({"data": {"purpose": "Trip"}}),
        )
        .await;
    let rp = body["data"]["id"].as_str().expect("report id").to_owned();
    assert_eq!(body["data"]["state"], json!("DRAFT"));
    let (_, body) = env
        .post(
            &spender,
            "/spender/expenses",
            &json!({"data": {"claim_amount": 99.5, "purpose": "taxi"}}),
        )
        .await;
    let tx = body["data"]["id"].as_str().expect("expense id").to_owned();
    let (status, body) = env
        .post(
            &spender,
            "/spender/reports/add_expenses",
            &json!({"data": {"id": rp, "expense_ids": [tx]}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["num_expenses"], json!(1));
    let (status, body) = env
        .post(
            &spender,
            "/spender/reports/submit",
            &json!({"data": {"id": rp}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["state"], json!("APPROVER_PENDING"));
    // Marking paid before approval fails the whole batch with a BulkError row.
    let (status, body) = env
        .post(
            &admin,
            "/admin/reports/mark_paid/bulk",
            &json!({"data": [{"id": rp}]}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], json!("BulkError"));
    assert_eq!(body["data"][0]["key"], json!(rp));
    assert_eq!(body["data"][0]["row"], json!(0));
    let (status, _) = env
        .post(
            &admin,
            "/admin/reports/approve/bulk",
            &json!({"data": [{"id": rp}]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, list) = env
        .get(&admin, &format!("/admin/expenses?id=eq.{tx}"))
        .await;
    assert_eq!(list["data"][0]["state"], json!("APPROVED"));
    assert!(list["data"][0]["report_last_approved_at"].is_string());
    assert_eq!(list["data"][0]["report"]["state"], json!("APPROVED"));
    // All-or-nothing: one bad row rolls the good one back.
    let (status, body) = env
        .post(
            &admin,
            "/admin/reports/mark_paid/bulk",
            &json!({"data": [{"id": rp}, {"id": "rpNOPE"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["data"][0]["row"], json!(1));
    let (_, list) = env.get(&admin, &format!("/admin/reports?id=eq.{rp}")).await;
    assert_eq!(list["data"][0]["state"], json!("APPROVED"));
    let (status, _) = env
        .post(
            &admin,
            "/admin/reports/mark_paid/bulk",
            &json!({"data": [{"id": rp}]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, list) = env
        .get(
            &admin,
            &format!("/admin/expenses?id=eq.{tx}&report_last_paid_at=is_not.null"),
        )
        .await;
    assert_eq!(list["data"][0]["state"], json!("PAID"));
    // A paid expense cannot be deleted; an unreported one can.
    let (status, body) = env
        .post(
            &admin,
            "/admin/expenses/delete/bulk",
            &json!({"data": [{"id": tx}]}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], json!("BulkError"));
}

#[tokio::test]
async fn presigned_upload_and_download_round_trip() {
    let env = start(quiet()).await;
    let (spender, _) = env.user_token(2).await;
    let (status, body) = env
        .post(
            &spender,
            "/spender/files",
            &json!({"data": {"name": "lunch.pdf", "type": "RECEIPT"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let file = body["data"].clone();
    let file_id = file["id"].as_str().expect("id").to_owned();
    assert!(file_id.starts_with("fi"));
    assert_eq!(file["content_type"], json!("application/pdf"));
    let upload_url = file["upload_url"].as_str().expect("upload_url").to_owned();
    let bytes = b"%PDF-1.4 lunch receipt".to_vec();
    // A second auth mechanism is refused, like S3.
    let resp = env
        .http
        .put(&upload_url)
        .bearer_auth(&spender)
        .header("content-type", "application/pdf")
        .body(bytes.clone())
        .send()
        .await
        .expect("put");
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    // The wrong content type does not match the signature.
    let resp = env
        .http
        .put(&upload_url)
        .header("content-type", "image/png")
        .body(bytes.clone())
        .send()
        .await
        .expect("put");
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let resp = env
        .http
        .put(&upload_url)
        .header("content-type", "application/pdf")
        .body(bytes.clone())
        .send()
        .await
        .expect("put");
    assert_eq!(resp.status(), StatusCode::OK);
    // Download answers 302 to a signed storage URL serving the same bytes.
    let resp = env
        .http
        .get(env.api(&format!("/spender/files/download?id={file_id}")))
        .bearer_auth(&spender)
        .send()
        .await
        .expect("download");
    assert_eq!(resp.status(), StatusCode::FOUND);
    let location = resp.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_owned();
    let got = env
        .http
        .get(&location)
        .send()
        .await
        .expect("get")
        .bytes()
        .await
        .expect("bytes");
    assert_eq!(got.as_ref(), bytes.as_slice());
    // generate_urls gives fresh URLs; attach the file to an unreported expense.
    let (status, body) = env
        .post(
            &spender,
            "/spender/files/generate_urls",
            &json!({"data": {"id": file_id}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body["data"]["download_url"].is_string());
    let (_, list) = env
        .get(
            &spender,
            "/spender/expenses?state=eq.COMPLETE&report_id=is.null&limit=1",
        )
        .await;
    let tx = list["data"][0]["id"]
        .as_str()
        .expect("an unreported expense")
        .to_owned();
    let (status, body) = env
        .post(
            &spender,
            "/spender/expenses/attach_receipt",
            &json!({"data": {"id": tx, "file_id": file_id}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        body["data"]["file_ids"]
            .as_array()
            .expect("ids")
            .contains(&json!(file_id))
    );
    // URLs expire after 5 minutes.
    env.sandbox.advance_clock(Duration::from_secs(301));
    let resp = env.http.get(&location).send().await.expect("get");
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn long_tail_operations_are_served_statefully_and_validate_their_bodies() {
    let env = start(quiet()).await;
    let admin = env.admin_token().await;
    // Seeded tax groups, with real names and rates.
    let (status, body) = env.get(&admin, "/admin/tax_groups?order=name.asc").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let names: Vec<&str> = body["data"]
        .as_array()
        .expect("data")
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert!(names.contains(&"VAT Standard"), "{names:?}");
    let before = body["count"].as_u64().expect("count");
    // A body missing a required field is a ValidationError naming it; nothing is stored.
    let (status, body) = env
        .post(
            &admin,
            "/admin/tax_groups",
            &json!({"data": {"name": "Luxury Tax"}}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "ValidationError");
    assert!(body["data"].get("percentage").is_some(), "{body}");
    // A good body is stored and read back by a filter.
    let (status, body) = env
        .post(
            &admin,
            "/admin/tax_groups",
            &json!({"data": {"name": "Luxury Tax", "percentage": 12.5, "is_enabled": true}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let id = body["data"]["id"].as_str().expect("id").to_owned();
    let (_, body) = env
        .get(&admin, "/admin/tax_groups?name=eq.Luxury%20Tax")
        .await;
    assert_eq!(body["count"], 1);
    assert_eq!(body["data"][0]["id"], id.as_str());
    assert_eq!(body["data"][0]["percentage"], 12.5);
    let (_, body) = env.get(&admin, "/admin/tax_groups").await;
    assert_eq!(body["count"].as_u64(), Some(before + 1));
    // A bulk body with one bad row is a BulkError naming the row.
    let (status, body) = env
        .post(
            &admin,
            "/admin/tax_groups/bulk",
            &json!({"data": [
                {"name": "A", "percentage": 1, "is_enabled": true},
                {"name": "B", "percentage": "high", "is_enabled": true},
            ]}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "BulkError");
    assert_eq!(body["data"][0]["row"], 1);
    // A path that is not Fyle's at all is a 404 in Fyle's shape.
    let (status, body) = env.get(&admin, "/admin/not_a_thing").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["message"], "Resource not found");
}

// ---------------------------------------------------------------------------------- limits and faults

#[tokio::test]
async fn burst_gets_429_with_retry_after() {
    let env = start(quiet()).await;
    let token = env.admin_token().await;
    env.sandbox.set_rate_limit(2);
    let calls = (0..20).map(|_| {
        env.http
            .get(env.api("/admin/categories?limit=1"))
            .bearer_auth(&token)
            .send()
    });
    let responses = futures::future::join_all(calls).await;
    let limited: Vec<_> = responses
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .filter(|r| r.status() == StatusCode::TOO_MANY_REQUESTS)
        .collect();
    assert!(!limited.is_empty());
    for r in limited {
        let after: u64 = r.headers()["retry-after"]
            .to_str()
            .expect("ascii")
            .parse()
            .expect("seconds");
        assert!(after >= 1);
    }
}

#[tokio::test]
async fn faults_are_injected_and_changed_at_run_time() {
    let env = start(quiet()).await;
    let token = env.admin_token().await;
    env.sandbox.set_faults(FaultConfig {
        fail_5xx: 1.0,
        ..FaultConfig::default()
    });
    let (status, _) = env.get(&token, "/admin/categories").await;
    assert!(status.is_server_error());
    env.sandbox.set_faults(FaultConfig {
        truncate_json: 1.0,
        ..FaultConfig::default()
    });
    let resp = env
        .http
        .get(env.api("/admin/categories"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), StatusCode::OK);
    let text = resp.text().await.expect("body");
    assert!(serde_json::from_str::<Value>(&text).is_err());
    env.sandbox.set_faults(FaultConfig {
        drop_mid_body: 1.0,
        ..FaultConfig::default()
    });
    // The client sees an error: while reading the body, or (if hyper had not flushed the head
    // yet) on the request itself. Never a complete body.
    let outcome = match env
        .http
        .get(env.api("/admin/categories"))
        .bearer_auth(&token)
        .send()
        .await
    {
        Ok(resp) => resp.bytes().await.map(|_| ()),
        Err(e) => Err(e),
    };
    assert!(outcome.is_err(), "the connection drops mid-body");
    // Through the control endpoint: 429s, then off again.
    let control = env.sandbox.info().control_token.clone();
    let resp = env
        .http
        .post(env.url("/__sandbox/faults"))
        .bearer_auth(&control)
        .json(&json!({"fail_429": 1.0}))
        .send()
        .await
        .expect("control");
    assert_eq!(resp.status(), StatusCode::OK);
    let (status, _) = env.get(&token, "/admin/categories").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    env.http
        .post(env.url("/__sandbox/faults"))
        .bearer_auth(&control)
        .json(&json!({}))
        .send()
        .await
        .expect("control");
    let (status, _) = env.get(&token, "/admin/categories").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn seeded_data_is_deterministic_and_churn_changes_it() {
    let a = start(SandboxConfig {
        expenses: 120,
        ..quiet()
    })
    .await;
    let b = start(SandboxConfig {
        expenses: 120,
        ..quiet()
    })
    .await;
    assert_eq!(a.org_id(), b.org_id());
    assert_eq!(
        a.sandbox.ids(&a.org_id(), Resource::Expenses),
        b.sandbox.ids(&b.org_id(), Resource::Expenses)
    );
    let before = a.sandbox.ids(&a.org_id(), Resource::Expenses).len();
    let stats = a.sandbox.churn_once(&ChurnConfig {
        inserts: 7,
        updates: 3,
        deletes: 2,
        ..ChurnConfig::default()
    });
    assert_eq!(stats.inserted, 7);
    let after = a.sandbox.ids(&a.org_id(), Resource::Expenses).len();
    assert_eq!(after, before + 7 - stats.deleted);
    let token = a.admin_token().await;
    let (_, body) = a.get(&token, "/admin/expenses?limit=1").await;
    assert_eq!(body["count"], json!(after));
}

#[tokio::test]
async fn control_routes_need_the_control_token_and_validate_their_inputs() {
    let env = start(quiet()).await;
    let control = env.sandbox.info().control_token.clone();
    let post = |path: &str, token: Option<&str>, body: serde_json::Value| {
        let mut request = env.http.post(env.url(path)).json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send()
    };
    let mut statuses = Vec::new();
    for token in [None, Some("wrong")] {
        let resp = post("/__sandbox/clock/advance", token, json!({"seconds": 1}))
            .await
            .expect("control");
        statuses.push(resp.status());
    }
    let huge = post(
        "/__sandbox/clock/advance",
        Some(&control),
        json!({"seconds": u64::MAX}),
    )
    .await
    .expect("control");
    let huge_status = huge.status();
    let message = huge.text().await.expect("body");
    let bad_fraction = post(
        "/__sandbox/faults",
        Some(&control),
        json!({"fail_5xx": 7.0}),
    )
    .await
    .expect("control")
    .status();
    let ok = post(
        "/__sandbox/clock/advance",
        Some(&control),
        json!({"seconds": 60}),
    )
    .await
    .expect("control")
    .status();
    println!(
        "control without/with a wrong token: {statuses:?}; advance u64::MAX: {huge_status} ({message}); fail_5xx 7.0: {bad_fraction}; advance 60 s: {ok}"
    );
    assert_eq!(
        statuses,
        [StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED]
    );
    assert_eq!(huge_status, StatusCode::BAD_REQUEST);
    assert!(message.contains("seconds"), "{message}");
    assert_eq!(bad_fraction, StatusCode::BAD_REQUEST);
    assert_eq!(ok, StatusCode::OK);
    // The sandbox still serves after the refused advance (no panic, no poisoned clock).
    let info = env.sandbox.info().clone();
    let resp = env
        .http
        .post(env.url("/oauth/token"))
        .json(
            &json!({"grant_type": "refresh_token", "client_id": info.client_id,
                      "client_secret": info.client_secret, "refresh_token": info.refresh_token}),
        )
        .send()
        .await
        .expect("token");
    assert_eq!(resp.status(), StatusCode::OK);
}

#[tokio::test]
async fn secrets_are_random_per_run_unless_pinned() {
    let one = start(quiet()).await;
    let two = start(quiet()).await;
    let (a, b) = (one.sandbox.info(), two.sandbox.info());
    assert_ne!(a.client_secret, b.client_secret);
    assert_ne!(a.refresh_token, b.refresh_token);
    assert_ne!(a.control_token, b.control_token);
    let pinned = || SandboxConfig {
        pin_secrets: true,
        ..quiet()
    };
    let (p1, p2) = (start(pinned()).await, start(pinned()).await);
    assert_eq!(
        p1.sandbox.info().client_secret,
        p2.sandbox.info().client_secret
    );
    assert_eq!(
        p1.sandbox.info().control_token,
        p2.sandbox.info().control_token
    );
}
