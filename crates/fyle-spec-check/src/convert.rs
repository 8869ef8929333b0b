//! OpenAPI 3.0 schema -> JSON Schema (draft 2020-12), and validation with the `jsonschema` crate.
//!
//! The conversion is literal except for four readings of OpenAPI 3.0 the validator needs:
//! - `nullable: true` allows `null` (beside `type`, beside `enum`, and beside a `$ref`, which Fyle's
//!   spec writes 97 times and means);
//! - a boolean `exclusiveMinimum`/`exclusiveMaximum` (draft 4 style) becomes the numeric form;
//! - a `pattern` written as a JavaScript regex literal (`/^...$/`, the spec's `phone_number`) loses its
//!   delimiters, without which no string could ever match;
//! - `allOf` merges its arms, as OpenAPI tools read it: an arm closed by `additionalProperties: false`
//!   (`report_out` in `allOf [report_out, {properties: {updated_by_user}}]`) would, read as JSON
//!   Schema, reject every property of the other arms, so closed arms are opened and the merged object
//!   is closed once with `unevaluatedProperties: false` (draft 2020-12).
//!
//! Referenced components are copied under `$defs` (an opened variant `<name>@open` where an `allOf`
//! arm needs one); nothing is fetched from the network.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use crate::spec::schema_ref_name;
use crate::{Spec, SpecError};

/// How closed the converted schema is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Openness {
    /// Exactly what the spec says.
    Strict,
    /// Forward-compatible reading: `additionalProperties: false` and `enum` lists are not enforced
    /// (and `oneOf` is read as `anyOf`, since an unknown value may then match several arms). Used to
    /// check instances that carry an unknown field or enum value on purpose.
    Open,
}

/// Keywords copied unchanged when present.
const COPIED: [&str; 16] = [
    "type",
    "required",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
    "multipleOf",
    "const",
    "default",
    "format",
    "enum",
];

/// Formats the validator checks; the spec's other `format` values (`double`, `DD/MM/YYYY`, ...) are
/// documentation only.
const CHECKED_FORMATS: [&str; 3] = ["date-time", "date", "email"];

/// Converts `schema` (a node of role file `file`) into a standalone JSON Schema document.
pub fn to_json_schema(
    spec: &Spec,
    file: &str,
    schema: &Value,
    openness: Openness,
) -> Result<Value, SpecError> {
    let mut conv = Converter {
        spec,
        file,
        openness,
        wanted: BTreeSet::new(),
    };
    let root = conv.node(schema, false);
    let mut defs = BTreeMap::new();
    while let Some((name, open)) = conv
        .wanted
        .iter()
        .find(|w| !defs.contains_key(&def_name(&w.0, w.1)))
        .cloned()
    {
        let target = spec
            .component(file, &name)
            .ok_or_else(|| SpecError::BadRef {
                file: file.to_owned(),
                reference: format!("#/components/schemas/{name}"),
            })?;
        let converted = conv.node(target, open);
        defs.insert(def_name(&name, open), converted);
    }
    Ok(json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$defs": defs,
        "allOf": [root],
    }))
}

/// Compiles the converted `schema` of `file` into a validator (formats checked, no remote refs).
pub fn validator(
    spec: &Spec,
    file: &str,
    schema: &Value,
    openness: Openness,
) -> Result<jsonschema::Validator, SpecError> {
    let doc = to_json_schema(spec, file, schema, openness)?;
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(&doc)
        .map_err(|e| SpecError::Compile {
            file: file.to_owned(),
            message: e.to_string(),
        })
}

/// Every error of `instance`, each as `<JSON pointer>: <message>` (`(root)` for the top).
pub fn validate(validator: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|e| {
            let path = e.instance_path().as_str();
            let path = if path.is_empty() { "(root)" } else { path };
            format!("{path}: {e}")
        })
        .collect()
}

struct Converter<'a> {
    spec: &'a Spec,
    file: &'a str,
    openness: Openness,
    /// Components to copy under `$defs`: (name, opened).
    wanted: BTreeSet<(String, bool)>,
}

impl Converter<'_> {
    /// Converts one node; `opened` drops a top-level `additionalProperties: false` (an `allOf` arm).
    fn node(&mut self, node: &Value, opened: bool) -> Value {
        let Some(obj) = node.as_object() else {
            return node.clone();
        };
        let nullable = obj.get("nullable").and_then(Value::as_bool) == Some(true);
        if let Some(r) = obj.get("$ref").and_then(Value::as_str) {
            let target = match schema_ref_name(r) {
                Some(name) => {
                    let open = opened && self.closed(node, 0);
                    self.wanted.insert((name.to_owned(), open));
                    json!({ "$ref": format!("#/$defs/{}", escape(&def_name(name, open))) })
                }
                None => json!({ "$ref": r }),
            };
            return if nullable { or_null(target) } else { target };
        }
        let mut out = Map::new();
        for key in COPIED {
            if let Some(v) = obj.get(key) {
                out.insert(key.to_owned(), v.clone());
            }
        }
        self.keywords(obj, &mut out, opened);
        if nullable {
            return make_nullable(out);
        }
        Value::Object(out)
    }

    /// Whether a node, read as an object, admits no property beyond the ones it (or its `allOf`
    /// arms) declare.
    fn closed(&self, node: &Value, hops: usize) -> bool {
        if hops > 32 {
            return false;
        }
        let Ok(node) = self.spec.deref(self.file, node) else {
            return false;
        };
        if node.get("additionalProperties") == Some(&Value::Bool(false)) {
            return true;
        }
        node.get("allOf")
            .and_then(Value::as_array)
            .is_some_and(|arms| arms.iter().any(|a| self.closed(a, hops + 1)))
    }

    fn keywords(&mut self, obj: &Map<String, Value>, out: &mut Map<String, Value>, opened: bool) {
        let open = self.openness == Openness::Open;
        if let Some(Value::String(f)) = out.get("format")
            && !CHECKED_FORMATS.contains(&f.as_str())
        {
            out.remove("format");
        }
        if open {
            out.remove("enum");
        }
        if let Some(Value::Object(props)) = obj.get("properties") {
            let props = props
                .iter()
                .map(|(k, v)| (k.clone(), self.node(v, false)))
                .collect();
            out.insert("properties".into(), Value::Object(props));
        }
        for key in ["items", "not"] {
            if let Some(v) = obj.get(key) {
                out.insert(key.into(), self.node(v, false));
            }
        }
        let all_of = obj.get("allOf").and_then(Value::as_array);
        let closed = !open && !opened && self.closed(&Value::Object(obj.clone()), 0);
        // `false` is written back below, as the keyword that fits (or not at all when opened).
        if let Some(v) = obj.get("additionalProperties")
            && v != &Value::Bool(false)
        {
            let v = self.node(v, false);
            out.insert("additionalProperties".into(), v);
        }
        if closed {
            // Without `allOf`, the two keywords mean the same; with it, only this one sees the
            // properties the arms declare.
            let key = if all_of.is_some() {
                "unevaluatedProperties"
            } else {
                "additionalProperties"
            };
            out.insert(key.into(), Value::Bool(false));
        }
        if let Some(arms) = all_of {
            let arms = arms.iter().map(|a| self.node(a, true)).collect();
            merge_arms(out, "allOf", arms);
        }
        for key in ["anyOf", "oneOf"] {
            if let Some(Value::Array(arms)) = obj.get(key) {
                let arms = arms.iter().map(|a| self.node(a, false)).collect();
                let key = if open && key == "oneOf" { "anyOf" } else { key };
                merge_arms(out, key, arms);
            }
        }
        exclusive_bound(obj, out, "exclusiveMinimum", "minimum");
        exclusive_bound(obj, out, "exclusiveMaximum", "maximum");
        if let Some(Value::String(p)) = obj.get("pattern") {
            out.insert(
                "pattern".into(),
                Value::String(strip_regex_literal(p).to_owned()),
            );
        }
    }
}

/// The `$defs` key of a component, opened or as declared.
fn def_name(name: &str, opened: bool) -> String {
    if opened {
        format!("{name}@open")
    } else {
        name.to_owned()
    }
}

/// Puts `arms` under `key`, or beside an existing list of that key (both must hold).
fn merge_arms(out: &mut Map<String, Value>, key: &str, arms: Vec<Value>) {
    match out.get(key) {
        None => {
            out.insert(key.into(), Value::Array(arms));
        }
        Some(existing) => {
            let previous = json!({ key: existing.clone() });
            out.insert(key.into(), Value::Array(arms));
            let all = out.entry("allOf").or_insert_with(|| json!([]));
            if let Value::Array(list) = all {
                list.push(previous);
            }
        }
    }
}

/// Draft 4's `exclusiveMinimum: true` beside `minimum: n` becomes draft 7's `exclusiveMinimum: n`.
fn exclusive_bound(obj: &Map<String, Value>, out: &mut Map<String, Value>, key: &str, bound: &str) {
    match obj.get(key) {
        Some(Value::Bool(true)) => {
            if let Some(n) = out.remove(bound) {
                out.insert(key.into(), n);
            }
        }
        Some(n @ Value::Number(_)) => {
            out.insert(key.into(), n.clone());
        }
        _ => {}
    }
}

/// `/^a$/` -> `^a$`; any other pattern unchanged.
fn strip_regex_literal(p: &str) -> &str {
    match p.strip_prefix('/').and_then(|s| s.strip_suffix('/')) {
        Some(inner) if !inner.is_empty() => inner,
        _ => p,
    }
}

/// Lets a converted (non-`$ref`) schema accept `null` too.
fn make_nullable(mut out: Map<String, Value>) -> Value {
    if let Some(Value::Array(values)) = out.get_mut("enum")
        && !values.contains(&Value::Null)
    {
        values.push(Value::Null);
    }
    match out.get("type").cloned() {
        Some(Value::String(t)) => {
            out.insert("type".into(), json!([t, "null"]));
            // Combinators beside the type would still reject null: move them under a non-null arm.
            let combined: Vec<_> = ["allOf", "anyOf", "oneOf", "not"]
                .into_iter()
                .filter(|k| out.contains_key(*k))
                .collect();
            if combined.is_empty() {
                Value::Object(out)
            } else {
                or_null(Value::Object(out))
            }
        }
        _ => or_null(Value::Object(out)),
    }
}

#[allow(clippy::needless_pass_by_value)] // Every caller hands over a value it no longer needs.
fn or_null(schema: Value) -> Value {
    json!({ "anyOf": [{ "type": "null" }, schema] })
}

/// Escapes a component name for a JSON pointer.
fn escape(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> Spec {
        let doc = json!({"components": {"schemas": {
            "base": {"type": "object", "additionalProperties": false,
                "properties": {"id": {"type": "string"}}},
            "x": {"type": "string"}
        }}});
        Spec::from_documents([("admin".to_owned(), doc)].into_iter().collect())
    }

    fn convert(node: &Value, openness: Openness) -> (Value, BTreeSet<(String, bool)>) {
        let spec = tiny();
        let mut conv = Converter {
            spec: &spec,
            file: "admin",
            openness,
            wanted: BTreeSet::new(),
        };
        let v = conv.node(node, false);
        (v, conv.wanted)
    }

    #[test]
    fn regex_literal_delimiters_are_stripped() {
        assert_eq!(strip_regex_literal("/^a$/"), "^a$");
        assert_eq!(strip_regex_literal("^[A-Z]$"), "^[A-Z]$");
        assert_eq!(strip_regex_literal("/"), "/");
    }

    #[test]
    fn nullable_enum_accepts_null() {
        let (v, _) = convert(
            &json!({"type": "string", "enum": ["A"], "nullable": true}),
            Openness::Strict,
        );
        assert_eq!(v["type"], json!(["string", "null"]));
        assert_eq!(v["enum"], json!(["A", null]));
    }

    #[test]
    fn nullable_beside_ref_accepts_null() {
        let (v, wanted) = convert(
            &json!({"$ref": "#/components/schemas/x", "nullable": true}),
            Openness::Strict,
        );
        assert_eq!(v["anyOf"][0], json!({"type": "null"}));
        assert_eq!(v["anyOf"][1]["$ref"], json!("#/$defs/x"));
        assert!(wanted.contains(&("x".to_owned(), false)));
    }

    #[test]
    fn open_mode_drops_closed_objects_and_enums() {
        let (v, _) = convert(
            &json!({"type": "object", "additionalProperties": false,
            "properties": {"k": {"type": "string", "enum": ["A"]}}}),
            Openness::Open,
        );
        assert!(v.get("additionalProperties").is_none());
        assert!(v["properties"]["k"].get("enum").is_none());
    }

    #[test]
    fn all_of_merges_closed_arms() {
        let spec = tiny();
        let schema = json!({"allOf": [{"$ref": "#/components/schemas/base"},
            {"type": "object", "additionalProperties": false, "properties": {"extra": {"type": "string"}}}]});
        let v = validator(&spec, "admin", &schema, Openness::Strict).expect("compiles");
        assert!(validate(&v, &json!({"id": "a", "extra": "b"})).is_empty());
        assert_eq!(validate(&v, &json!({"id": "a", "other": 1})).len(), 1);
        let base = json!({"$ref": "#/components/schemas/base"});
        let v = validator(&spec, "admin", &base, Openness::Strict).expect("compiles");
        assert_eq!(validate(&v, &json!({"id": "a", "extra": "b"})).len(), 1);
    }
}
