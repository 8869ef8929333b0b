//! Every operation of the 11 spec files, called on the sandbox as the role it belongs to, and
//! every answer validated against the spec's schema for its status by an independent validator
//! (`fyle-spec-check`: the raw YAML, OpenAPI 3.0 `nullable` handled, the `jsonschema` crate).
//! List operations are paged with `limit=200`, so every seeded row they hold is validated too.
//! An operation that answers `202 Accepted` (the spend overview, computing) is asked again, and
//! both its `202` and its `200` answers are validated.
//!
//! Needs the spec folder (`FYLE_SPEC_DIR` or `../shared/fyle-openapi/reference`).

mod common;

use std::collections::HashMap;

use fyle_sandbox::SandboxConfig;
use fyle_spec_check::{Envelope, Openness, Operation, Spec, build_instances, validate, validator};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// One call and what came of it.
struct Outcome {
    op: String,
    status: StatusCode,
    errors: Vec<String>,
}

/// Tokens by role file: the org-wide roles (accountant, owner, HOD...) are the admin's.
struct Tokens {
    admin: String,
    approver: String,
    spender: String,
}

impl Tokens {
    fn for_file(&self, file: &str) -> &str {
        match file {
            "spender" | "common" => &self.spender,
            "approver" => &self.approver,
            _ => &self.admin,
        }
    }
}

/// A value for a required query parameter: an id of the resource when one is known.
fn param_value(name: &str, ids: &HashMap<String, Value>, resource: &str) -> String {
    let known = |k: &str| {
        ids.get(k)
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
    };
    match name {
        "id" => known(resource).unwrap_or_else(|| "unknown".into()),
        "employee_id" => known("employees").unwrap_or_default(),
        "expense_field_id" | "parent_expense_field_id" => {
            known("expense_fields").unwrap_or_default()
        }
        "state" => "eq.COMPLETE".into(),
        "from" => "USD".into(),
        "to" => "EUR".into(),
        "date" => "2026-01-15".into(),
        "q" => "San".into(),
        _ => "x".into(),
    }
}

/// The resource a path belongs to (`/admin/tax_groups/bulk` -> `tax_groups`).
fn resource_of(path: &str) -> String {
    path.split('/').nth(2).unwrap_or_default().to_owned()
}

/// A request body valid under the operation's request schema, built by the independent builder.
fn request_body(spec: &Spec, op: &Operation, ids: &HashMap<String, Value>) -> Value {
    let Some(schema) = &op.request_body else {
        return json!({});
    };
    let Ok(instances) = build_instances(spec, &op.file, schema) else {
        return json!({});
    };
    let mut body = instances
        .iter()
        .find(|i| i.kind.openness() == Openness::Strict && i.errors.is_empty())
        .map_or_else(|| json!({}), |i| i.value.clone());
    // Point `id`s at rows the sandbox has, so actions act on something real.
    let known = ids.get(&resource_of(&op.path)).cloned();
    let point = |item: &mut Value| {
        if let (Some(m), Some(id)) = (item.as_object_mut(), &known)
            && m.contains_key("id")
        {
            m.insert("id".into(), id.clone());
        }
    };
    match body.get_mut("data") {
        Some(Value::Array(items)) => items.iter_mut().for_each(point),
        Some(item) => point(item),
        None => {}
    }
    body
}

async fn call(
    env: &common::Env,
    spec: &Spec,
    tokens: &Tokens,
    op: &Operation,
    ids: &mut HashMap<String, Value>,
) -> Outcome {
    let token = tokens.for_file(&op.file);
    let resource = resource_of(&op.path);
    let (status, body) = if op.method == "GET" {
        let mut query: Vec<String> = op
            .parameters
            .iter()
            .filter(|p| p.required && p.location == "query")
            .map(|p| format!("{}={}", p.name, param_value(&p.name, ids, &resource)))
            .collect();
        let is_list = matches!(
            spec.envelope(&op.file, op.responses.get("200").and_then(Option::as_ref)),
            Ok(Envelope::List(_))
        );
        if is_list {
            query.push("limit=200".into());
        }
        let resp = env
            .http
            .get(env.api(&format!("{}?{}", op.path, query.join("&"))))
            .bearer_auth(token)
            .send()
            .await
            .expect("get");
        let status = resp.status();
        let body: Value = resp.json().await.unwrap_or(Value::Null);
        if is_list && let Some(id) = body.pointer("/data/0/id") {
            ids.entry(resource.clone()).or_insert_with(|| id.clone());
        }
        (status, body)
    } else {
        let request = request_body(spec, op, ids);
        env.post(token, &op.path, &request).await
    };
    let key = status.as_u16().to_string();
    let errors = match op.responses.get(&key) {
        Some(Some(schema)) => match validator(spec, &op.file, schema, Openness::Strict) {
            Ok(v) => validate(&v, &body),
            Err(e) => vec![format!("schema does not compile: {e}")],
        },
        Some(None) => Vec::new(),
        None if status == StatusCode::FOUND => Vec::new(),
        None => vec![format!("status {status} is not declared: {body}")],
    };
    Outcome {
        op: format!("{} {} ({})", op.method, op.path, op.file),
        status,
        errors,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_answers_spec_valid_bodies_for_its_role() {
    let spec = Spec::load_default().expect("the spec folder (FYLE_SPEC_DIR)");
    let env = common::start(SandboxConfig {
        expenses: 80,
        ..common::quiet()
    })
    .await;
    let tokens = Tokens {
        admin: env.admin_token().await,
        approver: env.user_token(1).await.0,
        spender: env.user_token(2).await.0,
    };
    let mut operations: Vec<Operation> = spec
        .operations()
        .expect("operations")
        .into_iter()
        .filter(|o| o.file != "authorization")
        .collect();
    // Reads first, then writes, deletes last: a delete must not remove what a later call reads.
    operations.sort_by_key(|o| (o.method != "GET", o.path.contains("delete")));
    let mut ids = HashMap::new();
    let mut outcomes = Vec::new();
    let mut asked_again = 0;
    for op in &operations {
        let first = call(&env, &spec, &tokens, op, &mut ids).await;
        let accepted = first.status == StatusCode::ACCEPTED;
        outcomes.push(first);
        // `202 Accepted` (the spend overview computing): the same query again gets the result
        // (the sandbox's default readiness is the next request), validated like the rest.
        if accepted {
            let mut again = call(&env, &spec, &tokens, op, &mut ids).await;
            assert_eq!(again.status, StatusCode::OK, "{} asked again", again.op);
            again.op.push_str(" asked again after 202");
            outcomes.push(again);
            asked_again += 1;
        }
    }
    let served: Vec<&Outcome> = outcomes
        .iter()
        .filter(|o| o.status != StatusCode::NOT_IMPLEMENTED && o.status != StatusCode::NOT_FOUND)
        .collect();
    let valid = served.iter().filter(|o| o.errors.is_empty()).count();
    let not_served: Vec<String> = outcomes
        .iter()
        .filter(|o| o.status == StatusCode::NOT_IMPLEMENTED || o.status == StatusCode::NOT_FOUND)
        .map(|o| format!("{} -> {}", o.op, o.status))
        .collect();
    let invalid: Vec<String> = served
        .iter()
        .filter(|o| !o.errors.is_empty())
        .map(|o| {
            let shown: Vec<&String> = o.errors.iter().take(4).collect();
            format!("{} -> {}: {shown:?}", o.op, o.status)
        })
        .collect();
    let ok = served
        .iter()
        .filter(|o| o.status.is_success() || o.status == StatusCode::FOUND)
        .count();
    let accepted = outcomes
        .iter()
        .filter(|o| o.status == StatusCode::ACCEPTED)
        .count();
    println!(
        "operations {}, answers {} ({accepted} answered 202 and {asked_again} asked again), \
         served {}, valid {valid} ({ok} answered 2xx/302, the rest Fyle-shaped 4xx)",
        operations.len(),
        outcomes.len(),
        served.len()
    );
    for line in &not_served {
        println!("not served: {line}");
    }
    // Answers that refuse the request: each is checked against the spec like the rest, and
    // listed so that a refusal the body builder could avoid is visible.
    for o in served.iter().filter(|o| o.status.is_client_error()) {
        println!("refused: {} -> {}", o.op, o.status);
    }
    for line in &invalid {
        println!("INVALID: {line}");
    }
    assert!(
        invalid.is_empty(),
        "{} answers violate the spec",
        invalid.len()
    );
    assert!(
        not_served.is_empty(),
        "{} operations are not served",
        not_served.len()
    );
}
