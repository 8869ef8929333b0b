//! The independent conformance suite of issue 12.
//!
//! Instances are built from Fyle's raw spec by `fyle-spec-check` (its own YAML walker, its own
//! JSON Schema conversion, the `jsonschema` validator); nothing comes from xtask's model. Each
//! instance is validated against the spec, decoded through the generated type the operation
//! table names (`fyle_models::registry::round_trip`), re-encoded and compared.
//!
//! Run `cargo test -p fyle-spec-check --test conformance -- --nocapture` to see the counts.

mod compare;
mod components;
mod exceptions;
mod patch_wire;
mod requests;
mod responses;
mod table;
mod tally;

use std::collections::BTreeSet;
use std::sync::OnceLock;

use fyle_models::operations::{self, BodyShape, HttpMethod};
use fyle_spec_check::{Envelope, Spec};
use serde_json::Value;

/// The spec, read once per test binary.
fn spec() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| Spec::load_default().unwrap_or_else(|e| panic!("{e}")))
}

/// The cargo feature (role) of a spec file.
fn role_of(file: &str) -> &str {
    if file == "authorization" {
        "accounts"
    } else {
        file
    }
}

/// The generated operation for a walked one (same method and path).
fn generated(op: &fyle_spec_check::Operation) -> Option<&'static operations::Operation> {
    let method = match op.method.as_str() {
        "GET" => HttpMethod::Get,
        "POST" => HttpMethod::Post,
        _ => return None,
    };
    operations::find(method, &op.path)
}

/// A schema to exercise through a generated type.
#[derive(Debug, Clone)]
struct Target {
    type_name: String,
    file: String,
    schema: Value,
    /// Where it was found (`GET /admin/expenses 200`), for messages.
    origin: String,
}

/// The payload schema the table's type stands for: the whole body when the table reads it as
/// bare, else the inside of the spec's envelope (the item of a list or data array).
fn payload(table_shape: BodyShape, body: &Value, envelope: &Envelope) -> Option<Value> {
    if table_shape == BodyShape::Bare {
        return Some(body.clone());
    }
    envelope.inner().cloned()
}

/// Adds `target` unless the same (type, file, schema) is already there.
fn push_unique(targets: &mut Vec<Target>, seen: &mut BTreeSet<String>, target: Target) {
    let key = format!("{}|{}|{}", target.type_name, target.file, target.schema);
    if seen.insert(key) {
        targets.push(target);
    }
}

/// An instance's way through the generated type: counted, decoded and re-encoded. `None` when it
/// stops (rejected by the spec, no type, decode error), with the reason recorded in `t`.
fn decode_instance(
    t: &mut tally::Tally,
    target: &Target,
    inst: &fyle_spec_check::Instance,
) -> Option<Value> {
    let kind = inst.kind.name();
    t.instances += 1;
    t.replaced_examples += inst.replaced;
    t.per_kind.entry(kind).or_default().0 += 1;
    if !inst.errors.is_empty() {
        t.rejected_by_spec.push(format!(
            "{} {} {kind}: {:?}",
            target.origin, target.type_name, inst.errors
        ));
        return None;
    }
    if target.type_name == UNTYPED {
        t.left_as_value.insert(target.origin.clone());
        return None;
    }
    let Some(result) = fyle_models::registry::round_trip(&target.type_name, &inst.value) else {
        t.untyped
            .push(format!("{} ({})", target.origin, target.type_name));
        return None;
    };
    match result {
        Ok(v) => {
            t.decoded += 1;
            t.per_kind.entry(kind).or_default().1 += 1;
            Some(v)
        }
        Err(e) => {
            let (path, msg) = tally::fold_decode_error(&e);
            let example = format!("{kind} instance of {}: {e}", target.origin);
            t.fail("decode", &target.type_name, &path, &msg, example);
            None
        }
    }
}

/// Records every loss between `original` and `encoded` (`allowed` ones, by a side's rule, are only
/// counted); `true` when there is none.
fn record_losses(
    t: &mut tally::Tally,
    target: &Target,
    inst: &fyle_spec_check::Instance,
    encoded: &Value,
    allowed: &dyn Fn(&str, &str) -> bool,
) -> bool {
    let mut clean = true;
    for loss in compare::losses(&inst.value, encoded) {
        let path = tally::fold_path(&loss.path);
        if allowed(&target.type_name, &path) {
            t.allowed += 1;
            continue;
        }
        let what = loss.what.split(" (was").next().unwrap_or(&loss.what);
        let what = if what.starts_with("changed") {
            "changed"
        } else {
            what
        };
        let example = format!(
            "{} instance of {}: {} {}",
            inst.kind.name(),
            target.origin,
            loss.path,
            loss.what
        );
        // An excepted loss is still a loss: it only does not fail the suite.
        t.fail("loss", &target.type_name, &path, what, example);
        clean = false;
    }
    clean
}

/// The type name the operation table uses for a payload it leaves as JSON.
const UNTYPED: &str = "serde_json::Value";
