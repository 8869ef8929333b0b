//! Response side: every list item, data object and callback body, through its generated type.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use fyle_spec_check::InstanceKind;

use crate::tally::Tally;
use crate::{Target, generated, payload, push_unique, run_target, spec};

fn targets() -> Vec<Target> {
    let spec = spec();
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for op in spec.operations().unwrap_or_else(|e| panic!("{e}")) {
        let gen_op = generated(&op);
        let ok = op.responses.get("200").and_then(Option::as_ref);
        if let (Some(g), Some(schema)) = (gen_op, ok) {
            let envelope = spec
                .envelope(&op.file, Some(schema))
                .unwrap_or_else(|e| panic!("{e}"));
            if let (Some(inner), Some(ty)) =
                (payload(g.response_body, schema, &envelope), g.response_type)
            {
                let origin = format!("{} {} 200", op.method, op.path);
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
        for cb in &op.callbacks {
            let Some(body) = &cb.request_body else {
                continue;
            };
            let origin = format!("callback {} of {} {}", cb.name, op.method, op.path);
            let ty = callback_type(body).unwrap_or_default();
            push_unique(
                &mut out,
                &mut seen,
                Target {
                    type_name: ty,
                    file: op.file.clone(),
                    schema: body.clone(),
                    origin,
                },
            );
        }
    }
    out
}

/// The generated type of a callback body `$ref: '#/components/schemas/<name>'`: the registry entry
/// generated from that schema.
fn callback_type(body: &serde_json::Value) -> Option<String> {
    let name = body
        .get("$ref")?
        .as_str()?
        .strip_prefix("#/components/schemas/")?;
    let origin = format!("schema `{name}`");
    fyle_models::registry::TYPES
        .iter()
        .find(|t| t.origin == origin)
        .map(|t| t.name.to_owned())
}

/// Runs the response side once per test binary.
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
    run_target(t, target, &|_, _| false, &mut |_, _, _| true);
}

#[test]
fn responses_are_spec_valid_typed_and_counted() {
    let t = run();
    println!("{}", t.summary("responses"));
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
    assert!(t.schemas > 300, "schemas reached: {}", t.schemas);
    assert_eq!(t.instances, t.schemas * InstanceKind::ALL.len());
}

#[test]
fn responses_are_lossless() {
    let t = run();
    println!("{}", t.summary("responses"));
    println!("{}", t.exceptions_report());
    assert_eq!(
        t.failed(),
        0,
        "failures no exceptions entry covers:\n{}",
        t.failure_report(200)
    );
    assert!(t.untyped.is_empty() && t.rejected_by_spec.is_empty());
}
