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
mod repair;
mod requests;
mod responses;
mod table;
mod tally;

use std::collections::BTreeSet;
use std::sync::OnceLock;

use fyle_models::operations::{self, BodyShape, HttpMethod};
use fyle_spec_check::{Envelope, Instance, Spec, build_instances};
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

/// An instance after its way through the generated type.
struct Decoded {
    /// The re-encoded value.
    encoded: Value,
    /// What the encoding must keep: the instance, minus the items and fields the lenient decoder
    /// dropped (with a warning) when plain serde could not decode it.
    expected: Value,
    /// JSON pointers the lenient decoder was allowed to change (a value turned into text, ...).
    repaired: Vec<String>,
}

/// Builds `target`'s instances and runs each through its generated type: counted, decoded,
/// re-encoded and compared (`allowed` losses, by a side's rule, are only counted). `check` is the
/// side's own test of the encoded value (requests: spec validity); it returns whether it passed.
fn run_target(
    t: &mut tally::Tally,
    target: &Target,
    allowed: &dyn Fn(&str, &str) -> bool,
    check: &mut dyn FnMut(&mut tally::Tally, &Instance, &Value) -> bool,
) {
    t.schemas += 1;
    let instances = build_instances(spec(), &target.file, &target.schema)
        .unwrap_or_else(|e| panic!("{}: {e}", target.origin));
    for inst in instances {
        let Some(decoded) = decode_instance(t, target, &inst) else {
            continue;
        };
        let checked = check(t, &inst, &decoded.encoded);
        if record_losses(t, target, &inst, &decoded, allowed) && checked {
            t.lossless += 1;
            t.per_kind.entry(inst.kind.name()).or_default().2 += 1;
        }
    }
}

/// An instance's way through the generated type: counted, decoded and re-encoded. Plain serde
/// first (counted as strict); when it fails, the lenient decoder the facade uses, whose repairs
/// are counted and replayed on the instance. `None` when it stops (rejected by the spec, no type,
/// no decode), with the reason recorded in `t`.
fn decode_instance(t: &mut tally::Tally, target: &Target, inst: &Instance) -> Option<Decoded> {
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
    let strict = if target.type_name == UNTYPED {
        // The table's type is `serde_json::Value`: decode and re-encode through it like any type.
        t.left_as_value.insert(target.origin.clone());
        Some(
            serde_json::from_str::<Value>(&inst.value.to_string())
                .and_then(|v| serde_json::to_value(&v))
                .map_err(|e| format!("decode at .: {e}")),
        )
    } else {
        fyle_models::registry::round_trip(&target.type_name, &inst.value)
    };
    let Some(strict) = strict else {
        t.untyped
            .push(format!("{} ({})", target.origin, target.type_name));
        return None;
    };
    let decoded = match strict {
        Ok(encoded) => {
            t.strict_decoded += 1;
            Ok(Decoded {
                encoded,
                expected: inst.value.clone(),
                repaired: Vec::new(),
            })
        }
        Err(strict_error) => {
            lenient(t, target, inst).map_err(|e| format!("{strict_error}; lenient: {e}"))
        }
    };
    match decoded {
        Ok(d) => {
            t.decoded += 1;
            t.per_kind.entry(kind).or_default().1 += 1;
            Some(d)
        }
        Err(e) => {
            let (path, msg) = tally::fold_decode_error(&e);
            let example = format!("{kind} instance of {}: {e}", target.origin);
            t.fail("decode", &target.type_name, &path, &msg, example);
            None
        }
    }
}

/// The facade's decode of an instance plain serde refused: warnings counted (and one example per
/// repair kind kept for the report), repairs replayed on the instance.
fn lenient(t: &mut tally::Tally, target: &Target, inst: &Instance) -> Result<Decoded, String> {
    let (encoded, warnings) =
        fyle_models::registry::round_trip_lenient(&target.type_name, &inst.value)
            .unwrap_or_else(|| Err("no such type".to_owned()))?;
    t.repaired_instances += 1;
    for w in &warnings {
        t.warnings += 1;
        let key = format!("{:?}: expected {}, got {}", w.repair, w.expected, w.got);
        t.warning_kinds
            .entry(key)
            .or_insert_with(|| format!("{}.{}", target.type_name, w.path));
    }
    let (expected, repaired) = repair::replay(&inst.value, &warnings)?;
    Ok(Decoded {
        encoded,
        expected,
        repaired,
    })
}

/// Records every loss between what the encoding must keep and what it kept (`allowed` ones, by a
/// side's rule, and values the lenient decoder repaired are only counted); `true` when there is
/// none.
fn record_losses(
    t: &mut tally::Tally,
    target: &Target,
    inst: &Instance,
    decoded: &Decoded,
    allowed: &dyn Fn(&str, &str) -> bool,
) -> bool {
    let mut clean = true;
    for loss in compare::losses(&decoded.expected, &decoded.encoded) {
        if decoded.repaired.contains(&loss.path) {
            continue;
        }
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
