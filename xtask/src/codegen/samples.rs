//! Sample JSON for every response type, assembled from the spec's per-property `example` values, and
//! the generated test that decodes and re-encodes each one and compares the result with the sample
//! itself (a second decode would hide a value the type drops).

use std::collections::{BTreeMap, HashSet};

use proc_macro2::{Ident, Span};
use quote::quote;
use serde_json::{Map, Value, json};

use super::model::{Def, Model, Ty};
use super::render::{self, cfg};

/// Spec examples the samples may replace (because they do not fit the type) before codegen fails:
/// a growing count means the generated types drift away from the spec's own examples.
/// 56 since unions whose arms only listed required fields became typed structs: an object
/// example was taken as-is while such a field was `serde_json::Value`, and `fits` never accepts
/// an object for a struct (the sampler builds structs from their fields' examples instead).
/// 66 since types no operation reaches (callback bodies such as `report_out_subscriptions_admin`)
/// are read types and so sampled too: 28 more types, 11 more examples that do not fit.
const REPLACED_BASELINE: usize = 66;

/// Counts of what the samples used.
#[derive(Debug, Default)]
pub struct SampleStats {
    pub types: usize,
    pub examples_used: usize,
    pub examples_replaced: usize,
}

fn looks_like_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 19
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[7] == b'-'
        && (b[10] == b'T' || b[10] == b' ')
        && b[13] == b':'
}

fn fits(ty: &Ty, v: &Value, model: &Model) -> bool {
    match (ty, v) {
        (Ty::Str, Value::String(_)) | (Ty::Bool, Value::Bool(_)) | (Ty::Value, _) => true,
        (Ty::DateTime, Value::String(s)) => looks_like_timestamp(s),
        (Ty::I64, Value::Number(n)) => n.is_i64(),
        (Ty::Decimal, Value::Number(n)) => n.as_f64().is_some_and(f64::is_finite),
        (Ty::Vec(i), Value::Array(items)) => items.iter().all(|x| fits(i, x, model)),
        (Ty::Named(n), v) => match model.types.get(n).map(|t| &t.def) {
            Some(Def::Enum(vs)) => v.as_str().is_some_and(|s| vs.iter().any(|(_, w)| w == s)),
            Some(Def::Alias(t)) => fits(t, v, model),
            _ => false,
        },
        _ => false,
    }
}

fn sample(
    ty: &Ty,
    example: Option<&Value>,
    model: &Model,
    stack: &mut Vec<String>,
    stats: &mut SampleStats,
) -> Value {
    if let Some(e) = example {
        if fits(ty, e, model) {
            stats.examples_used += 1;
            return e.clone();
        }
        stats.examples_replaced += 1;
    }
    match ty {
        Ty::Str => json!("string"),
        Ty::DateTime => json!("2020-06-11T13:14:55.201598+00:00"),
        Ty::I64 => json!(1),
        Ty::Decimal => json!(12.34),
        Ty::Bool => json!(true),
        Ty::Value | Ty::Null => json!({}),
        Ty::Vec(i) => Value::Array(vec![sample(i, None, model, stack, stats)]),
        Ty::Named(n) => named(n, model, stack, stats).unwrap_or(Value::Null),
    }
}

fn named(
    name: &str,
    model: &Model,
    stack: &mut Vec<String>,
    stats: &mut SampleStats,
) -> Option<Value> {
    let t = model.types.get(name)?;
    if stack.iter().any(|s| s == name) || stack.len() > 12 {
        return None;
    }
    stack.push(name.to_owned());
    let out = match &t.def {
        Def::Struct(fields) => {
            let mut map = Map::new();
            for f in fields {
                let v = sample(&f.ty, f.example.as_ref(), model, stack, stats);
                // A recursive field is left out (it is optional like every field).
                if !(v.is_null() && matches!(f.ty, Ty::Named(_))) {
                    map.insert(f.json.clone(), v);
                }
            }
            Value::Object(map)
        }
        Def::Enum(vs) => Value::String(vs.first().map(|v| v.1.clone()).unwrap_or_default()),
        Def::Union(vs) => vs
            .first()
            .map_or(Value::Null, |(_, t)| sample(t, None, model, stack, stats)),
        Def::Alias(t) => sample(t, None, model, stack, stats),
    };
    stack.pop();
    Some(out)
}

/// The response types to cover: every struct or union reachable from a response body.
fn response_types(model: &Model) -> Vec<&str> {
    model
        .types
        .values()
        .filter(|t| {
            t.output && !t.roles.is_empty() && matches!(t.def, Def::Struct(_) | Def::Union(_))
        })
        .map(|t| t.name.as_str())
        .collect()
}

/// `(tests/data/response_samples.json, tests/response_samples.rs)` texts.
pub fn emit(model: &Model, commit: &str) -> anyhow::Result<(Vec<(String, String)>, SampleStats)> {
    let mut stats = SampleStats::default();
    let mut samples: BTreeMap<&str, Value> = BTreeMap::new();
    for name in response_types(model) {
        let mut stack = Vec::new();
        if let Some(v) = named(name, model, &mut stack, &mut stats) {
            samples.insert(name, v);
        }
    }
    stats.types = samples.len();
    anyhow::ensure!(
        stats.examples_replaced <= REPLACED_BASELINE,
        "{} spec examples do not fit their generated type (baseline {REPLACED_BASELINE}): a type \
         stopped matching the spec's examples",
        stats.examples_replaced
    );
    let json_text = format!("{}\n", serde_json::to_string_pretty(&samples)?);
    let mut seen = HashSet::new();
    let checks = samples.keys().filter(|n| seen.insert(**n)).map(|n| {
        let t = &model.types[*n];
        let gate = cfg(&t.roles);
        let id = Ident::new(n, Span::call_site());
        quote! {
            #gate
            check::<types::#id>(&samples, #n, &mut checked, &mut failures);
        }
    });
    let total = samples.len();
    let tokens = quote! {
        //! Every response type decodes the sample assembled from the spec's `example` values and
        //! re-encodes to the same JSON: no non-null value lost or changed (numbers compare as
        //! numbers, timestamps as instants).
        #![allow(clippy::too_many_lines, unused_mut, unused_variables, unused_imports, dead_code)]
        use fyle_models::types;
        use serde::{Serialize, de::DeserializeOwned};
        use serde_json::Value;

        fn check<T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug>(
            samples: &serde_json::Map<String, Value>,
            name: &str,
            checked: &mut usize,
            failures: &mut Vec<String>,
        ) {
            *checked += 1;
            let Some(sample) = samples.get(name) else {
                failures.push(format!("{name}: no sample"));
                return;
            };
            let first: T = match serde_json::from_value(sample.clone()) {
                Ok(v) => v,
                Err(e) => {
                    failures.push(format!("{name}: sample does not decode: {e}"));
                    return;
                }
            };
            let encoded = match serde_json::to_value(&first) {
                Ok(v) => v,
                Err(e) => {
                    failures.push(format!("{name}: does not encode: {e}"));
                    return;
                }
            };
            let mut lost = Vec::new();
            compare(sample, &encoded, "", &mut lost);
            if !lost.is_empty() {
                failures.push(format!("{name}: re-encoding loses {}", lost.join(", ")));
            }
        }

        /// Pushes the path of every non-null value of `original` that `encoded` drops or changes.
        fn compare(original: &Value, encoded: &Value, path: &str, lost: &mut Vec<String>) {
            match (original, encoded) {
                (Value::Null, _) => {}
                (Value::Object(o), Value::Object(e)) => {
                    for (k, v) in o {
                        compare(v, e.get(k).unwrap_or(&Value::Null), &format!("{path}/{k}"), lost);
                    }
                }
                (Value::Array(o), Value::Array(e)) if o.len() == e.len() => {
                    for (i, (a, b)) in o.iter().zip(e).enumerate() {
                        compare(a, b, &format!("{path}/{i}"), lost);
                    }
                }
                (Value::Number(a), Value::Number(b)) if a.as_f64() == b.as_f64() => {}
                (Value::String(a), Value::String(b)) if a == b || same_instant(a, b) => {}
                (a, b) if a == b => {}
                (a, b) => lost.push(format!("{path} ({a} -> {b})")),
            }
        }

        fn same_instant(a: &str, b: &str) -> bool {
            match (
                fyle_models::wire::parse_timestamp(a),
                fyle_models::wire::parse_timestamp(b),
            ) {
                (Ok(x), Ok(y)) => x == y,
                _ => false,
            }
        }

        #[test]
        fn every_response_type_round_trips_its_spec_sample() {
            let text = include_str!("data/response_samples.json");
            let samples: serde_json::Map<String, Value> =
                serde_json::from_str(text).expect("the generated samples are JSON");
            let mut checked = 0usize;
            let mut failures: Vec<String> = Vec::new();
            #(#checks)*
            assert!(failures.is_empty(), "{} of {} failed:\n{}", failures.len(), checked, failures.join("\n"));
            if cfg!(all(feature = "accounts", feature = "spender", feature = "approver", feature = "admin",
                feature = "accountant", feature = "common", feature = "manager", feature = "owner",
                feature = "hod", feature = "hop", feature = "super_admin")) {
                assert_eq!(checked, #total, "every sample is checked with all roles on");
                assert_eq!(samples.len(), #total);
            } else {
                assert!(checked <= #total);
            }
        }
    };
    let rs = render::file(commit, tokens)?;
    Ok((
        vec![
            ("tests/data/response_samples.json".to_owned(), json_text),
            ("tests/response_samples.rs".to_owned(), rs),
        ],
        stats,
    ))
}
