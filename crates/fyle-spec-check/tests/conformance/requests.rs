//! Request side: instances of every request schema, decoded into the generated input type,
//! serialized, and validated against the request schema (required fields present).

use std::collections::BTreeSet;
use std::sync::OnceLock;

use fyle_spec_check::{Instance, InstanceKind, Openness, build_instances, validate, validator};

use crate::tally::{Tally, fold_path};
use crate::{Target, generated, payload, push_unique, run_target, spec};

fn targets() -> Vec<Target> {
    let spec = spec();
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for op in spec.operations().unwrap_or_else(|e| panic!("{e}")) {
        let (Some(g), Some(body)) = (generated(&op), op.request_body.as_ref()) else {
            continue;
        };
        let envelope = spec
            .envelope(&op.file, Some(body))
            .unwrap_or_else(|e| panic!("{e}"));
        if let (Some(inner), Some(ty)) = (payload(g.request_body, body, &envelope), g.request_type)
        {
            let origin = format!("{} {} request", op.method, op.path);
            push_unique(
                &mut out,
                &mut seen,
                Target {
                    type_name: ty.to_owned(),
                    file: op.file.clone(),
                    schema: inner,
                    origin,
                },
            );
        }
    }
    out
}

/// Runs the request side once per test binary.
pub(crate) fn run() -> &'static Tally {
    static TALLY: OnceLock<Tally> = OnceLock::new();
    TALLY.get_or_init(|| {
        let mut t = Tally::default();
        for target in targets() {
            check_target(&target, &mut t);
        }
        t
    })
}

fn check_target(target: &Target, t: &mut Tally) {
    let spec = spec();
    let compile = |o| {
        validator(spec, &target.file, &target.schema, o)
            .unwrap_or_else(|e| panic!("{}: {e}", target.origin))
    };
    let (strict, open) = (compile(Openness::Strict), compile(Openness::Open));
    // Unknown fields of an input are not sent back: Fyle would reject them.
    let unknown_dropped = |_: &str, path: &str| path.ends_with(fyle_spec_check::UNKNOWN_FIELD);
    let mut spec_valid = |t: &mut Tally, inst: &Instance, sent: &serde_json::Value| {
        let check = if inst.kind.openness() == Openness::Strict {
            &strict
        } else {
            &open
        };
        let errors = validate(check, sent);
        if errors.is_empty() {
            t.valid += 1;
        }
        for e in &errors {
            let (path, msg) = e.split_once(": ").unwrap_or(("?", e));
            let msg = if msg.contains("is a required property") {
                "required property not sent"
            } else {
                msg
            };
            let example = format!("{} instance of {}: {e}", inst.kind.name(), target.origin);
            t.fail("invalid", &target.type_name, &fold_path(path), msg, example);
        }
        errors.is_empty()
    };
    run_target(t, target, &unknown_dropped, &mut spec_valid);
}

#[test]
fn requests_are_spec_valid_typed_and_counted() {
    let t = run();
    println!("{}", t.summary("requests"));
    println!("{}", t.failure_report(60));
    assert!(
        t.rejected_by_spec.is_empty(),
        "builder instances the spec rejects:\n{}",
        t.rejected_by_spec.join("\n")
    );
    assert!(
        t.untyped.is_empty(),
        "targets without a compiled type:\n{}",
        t.untyped.join("\n")
    );
    assert!(t.schemas > 100, "request schemas reached: {}", t.schemas);
    assert_eq!(t.instances, t.schemas * InstanceKind::ALL.len());
}

#[test]
fn requests_serialize_spec_valid_and_lossless() {
    let t = run();
    println!("{}", t.summary("requests"));
    println!("{}", t.exceptions_report());
    assert_eq!(
        t.failed(),
        0,
        "failures no exceptions entry covers:\n{}",
        t.failure_report(200)
    );
    assert!(t.untyped.is_empty() && t.rejected_by_spec.is_empty());
}

/// Required-and-nullable top-level fields of each request payload (`required` in the spec and
/// `null` allowed), read off the builder's instances: present in the minimal instance, `null` in
/// the nulls instance. Returns (type, field) pairs and how many a default value leaves out.
fn required_nullable_fields() -> (Vec<(String, String)>, Vec<String>) {
    let spec = spec();
    let mut fields = Vec::new();
    let mut not_sent = Vec::new();
    for target in targets() {
        let instances = build_instances(spec, &target.file, &target.schema)
            .unwrap_or_else(|e| panic!("{}: {e}", target.origin));
        let of = |k: InstanceKind| instances.iter().find(|i| i.kind == k).map(|i| &i.value);
        let (Some(minimal), Some(nulls)) = (of(InstanceKind::Minimal), of(InstanceKind::Nulls))
        else {
            continue;
        };
        let Some(default) = fyle_models::registry::default_json(&target.type_name) else {
            continue;
        };
        let default = default.unwrap_or_else(|e| panic!("{}: {e}", target.type_name));
        for key in minimal.as_object().into_iter().flat_map(|m| m.keys()) {
            if nulls.get(key) == Some(&serde_json::Value::Null) {
                let pair = (target.type_name.clone(), key.clone());
                if fields.contains(&pair) {
                    continue;
                }
                if default.get(key) != Some(&serde_json::Value::Null) {
                    not_sent.push(format!("{}.{key} ({})", target.type_name, target.origin));
                }
                fields.push(pair);
            }
        }
    }
    (fields, not_sent)
}

#[test]
fn required_nullable_input_fields_are_counted() {
    let (fields, not_sent) = required_nullable_fields();
    println!(
        "required-and-nullable input fields: {}, sent as null by a default value: {}, left out: {}",
        fields.len(),
        fields.len() - not_sent.len(),
        not_sent.len()
    );
    for f in not_sent.iter().take(10) {
        println!("  left out: {f}");
    }
    assert!(
        !fields.is_empty(),
        "the spec has required-and-nullable input fields"
    );
}

#[test]
fn required_nullable_input_fields_are_always_sent() {
    let (_, not_sent) = required_nullable_fields();
    assert!(
        not_sent.is_empty(),
        "left out by default:\n{}",
        not_sent.join("\n")
    );
}
