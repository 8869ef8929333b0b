//! The crate's own checks against the real spec folder: the walker finds every operation, and the
//! builder's instances of every response schema are accepted by the spec.

use std::collections::BTreeSet;

use fyle_spec_check::{
    Envelope, InstanceKind, Openness, Spec, build_instances, validate, validator,
};
use serde_json::json;

fn spec() -> Spec {
    Spec::load_default().unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn walker_finds_every_operation() {
    let spec = spec();
    let ops = spec.operations().expect("operations walk");
    assert_eq!(ops.len(), 542, "operations in the spec");
    let ids: BTreeSet<_> = ops
        .iter()
        .map(|o| (o.file.clone(), o.operation_id.clone()))
        .collect();
    assert!(ids.contains(&("admin".to_owned(), Some("expenses_list".to_owned()))));
    let callbacks: usize = ops.iter().map(|o| o.callbacks.len()).sum();
    assert!(callbacks >= 3, "callbacks found: {callbacks}");
    let accepted = ops
        .iter()
        .filter(|o| o.responses.contains_key("202"))
        .count();
    println!(
        "operations {}, callbacks {callbacks}, with 202 {accepted}",
        ops.len()
    );
    assert!(accepted > 0);
}

#[test]
fn list_envelope_is_recognised() {
    let spec = spec();
    let ops = spec.operations().expect("operations walk");
    let op = ops
        .iter()
        .find(|o| o.file == "admin" && o.path == "/admin/expenses" && o.method == "GET")
        .expect("GET /admin/expenses");
    let env = spec
        .envelope(&op.file, op.responses["200"].as_ref())
        .expect("envelope");
    assert!(matches!(env, Envelope::List(_)), "{env:?}");
}

#[test]
fn missing_folder_is_a_clear_error() {
    let err =
        Spec::load(std::path::Path::new("/nonexistent/fyle-spec")).expect_err("no such folder");
    assert!(err.to_string().contains("FYLE_SPEC_DIR"), "{err}");
}

#[test]
fn employee_mobile_is_a_string_and_null_is_allowed_where_nullable() {
    let spec = spec();
    let schema = json!({"$ref": "#/components/schemas/phone_number"});
    let v = validator(&spec, "admin", &schema, Openness::Strict).expect("compiles");
    assert!(validate(&v, &json!("+12131234567")).is_empty());
    assert!(!validate(&v, &json!(["+12131234567"])).is_empty());
    let errors = validate(&v, &json!(5));
    assert!(errors[0].starts_with("(root): "), "{errors:?}");
}

#[test]
fn instances_of_every_list_item_are_spec_valid() {
    let spec = spec();
    let mut schemas = 0;
    let mut instances = 0;
    let mut bad = Vec::new();
    for op in spec.operations().expect("operations walk") {
        let Ok(Envelope::List(item)) =
            spec.envelope(&op.file, op.responses.get("200").and_then(Option::as_ref))
        else {
            continue;
        };
        schemas += 1;
        for inst in build_instances(&spec, &op.file, &item).expect("builds") {
            instances += 1;
            if !inst.errors.is_empty() {
                bad.push(format!(
                    "{} {} {}: {:?}",
                    op.file,
                    op.path,
                    inst.kind.name(),
                    &inst.errors[..inst.errors.len().min(3)]
                ));
            }
            if inst.kind == InstanceKind::Nulls {
                assert!(inst.value.is_object(), "{} {}", op.file, op.path);
            }
        }
    }
    println!(
        "list item schemas {schemas}, instances {instances}, rejected {}",
        bad.len()
    );
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}
