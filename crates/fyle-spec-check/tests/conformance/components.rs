//! Every generated type that stands for a whole component schema (aliases included:
//! `CreatedAt`, `Amount`, ...), through instances of that component: what a caller who decodes a
//! field value into the alias, or builds a type by hand, relies on.

use std::sync::OnceLock;

use fyle_spec_check::InstanceKind;

use crate::tally::Tally;
use crate::{Target, run_target, spec};

/// The components' generated types, each with the first of its roles whose file declares it.
fn targets() -> Vec<(Target, bool)> {
    let spec = spec();
    let mut out = Vec::new();
    for entry in fyle_models::registry::TYPES {
        let Some(name) = entry
            .origin
            .strip_prefix("schema `")
            .and_then(|s| s.strip_suffix('`'))
        else {
            continue;
        };
        let file = entry
            .roles
            .iter()
            .map(|r| if *r == "accounts" { "authorization" } else { r })
            .find(|f| spec.component(f, name).is_some());
        let Some(file) = file else { continue };
        let target = Target {
            type_name: entry.name.to_owned(),
            file: file.to_owned(),
            schema: serde_json::json!({ "$ref": format!("#/components/schemas/{name}") }),
            origin: format!("component {name} ({file})"),
        };
        // Input-only types do not keep unknown fields: they are never sent.
        out.push((target, entry.output));
    }
    out
}

/// Runs the component side once per test binary.
pub(crate) fn run() -> &'static Tally {
    static TALLY: OnceLock<Tally> = OnceLock::new();
    TALLY.get_or_init(|| {
        let mut t = Tally::default();
        for (target, output) in targets() {
            let unknown_dropped = move |_: &str, path: &str| {
                !output && path.ends_with(fyle_spec_check::UNKNOWN_FIELD)
            };
            run_target(&mut t, &target, &unknown_dropped, &mut |_, _, _| true);
        }
        t
    })
}

#[test]
fn components_are_spec_valid_and_counted() {
    let t = run();
    println!("{}", t.summary("components"));
    println!("{}", t.failure_report(40));
    assert!(
        t.rejected_by_spec.is_empty(),
        "builder instances the spec rejects:\n{}",
        t.rejected_by_spec.join("\n")
    );
    assert!(t.untyped.is_empty(), "{}", t.untyped.join("\n"));
    assert!(t.schemas > 500, "component types reached: {}", t.schemas);
    assert_eq!(t.instances, t.schemas * InstanceKind::ALL.len());
}

#[test]
fn components_are_lossless() {
    let t = run();
    println!("{}", t.summary("components"));
    println!("{}", t.exceptions_report());
    assert_eq!(
        t.failed(),
        0,
        "failures no exceptions entry covers:\n{}",
        t.failure_report(200)
    );
    assert!(t.untyped.is_empty() && t.rejected_by_spec.is_empty());
}
