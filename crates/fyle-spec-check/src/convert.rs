//! OpenAPI 3.0 schema -> JSON Schema (draft 7), and validation with the `jsonschema` crate.
//!
//! The conversion is literal except for three readings of OpenAPI 3.0 the validator needs:
//! - `nullable: true` allows `null` (beside `type`, beside `enum`, and beside a `$ref`, which Fyle's
//!   spec writes 97 times and means);
//! - a boolean `exclusiveMinimum`/`exclusiveMaximum` (draft 4 style) becomes the numeric form;
//! - a `pattern` written as a JavaScript regex literal (`/^...$/`, the spec's `phone_number`) loses its
//!   delimiters, without which no string could ever match.
//!
//! Referenced components are copied under `definitions`; nothing is fetched from the network.

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
        openness,
        wanted: BTreeSet::new(),
    };
    let root = conv.node(schema);
    let mut defs = BTreeMap::new();
    while let Some(name) = conv.wanted.iter().find(|n| !defs.contains_key(*n)).cloned() {
        let target = spec
            .component(file, &name)
            .ok_or_else(|| SpecError::BadRef {
                file: file.to_owned(),
                reference: format!("#/components/schemas/{name}"),
            })?;
        let converted = conv.node(target);
        defs.insert(name, converted);
    }
    Ok(json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "definitions": defs,
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
        .with_draft(jsonschema::Draft::Draft7)
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

struct Converter {
    openness: Openness,
    wanted: BTreeSet<String>,
}

impl Converter {
    fn node(&mut self, node: &Value) -> Value {
        let Some(obj) = node.as_object() else {
            return node.clone();
        };
        let nullable = obj.get("nullable").and_then(Value::as_bool) == Some(true);
        if let Some(r) = obj.get("$ref").and_then(Value::as_str) {
            let target = match schema_ref_name(r) {
                Some(name) => {
                    self.wanted.insert(name.to_owned());
                    json!({ "$ref": format!("#/definitions/{}", escape(name)) })
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
        self.keywords(obj, &mut out);
        if nullable {
            return make_nullable(out);
        }
        Value::Object(out)
    }

    fn keywords(&mut self, obj: &Map<String, Value>, out: &mut Map<String, Value>) {
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
                .map(|(k, v)| (k.clone(), self.node(v)))
                .collect();
            out.insert("properties".into(), Value::Object(props));
        }
        for key in ["items", "not"] {
            if let Some(v) = obj.get(key) {
                out.insert(key.into(), self.node(v));
            }
        }
        match obj.get("additionalProperties") {
            Some(Value::Bool(false)) if open => {}
            Some(v) => {
                let v = self.node(v);
                out.insert("additionalProperties".into(), v);
            }
            None => {}
        }
        for key in ["allOf", "anyOf", "oneOf"] {
            if let Some(Value::Array(arms)) = obj.get(key) {
                let arms = arms.iter().map(|a| self.node(a)).collect();
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

    #[test]
    fn regex_literal_delimiters_are_stripped() {
        assert_eq!(strip_regex_literal("/^a$/"), "^a$");
        assert_eq!(strip_regex_literal("^[A-Z]$"), "^[A-Z]$");
        assert_eq!(strip_regex_literal("/"), "/");
    }

    #[test]
    fn nullable_enum_accepts_null() {
        let mut conv = Converter {
            openness: Openness::Strict,
            wanted: BTreeSet::new(),
        };
        let v = conv.node(&json!({"type": "string", "enum": ["A"], "nullable": true}));
        assert_eq!(v["type"], json!(["string", "null"]));
        assert_eq!(v["enum"], json!(["A", null]));
    }

    #[test]
    fn nullable_beside_ref_accepts_null() {
        let mut conv = Converter {
            openness: Openness::Strict,
            wanted: BTreeSet::new(),
        };
        let v = conv.node(&json!({"$ref": "#/components/schemas/x", "nullable": true}));
        assert_eq!(v["anyOf"][0], json!({"type": "null"}));
        assert_eq!(v["anyOf"][1]["$ref"], json!("#/definitions/x"));
        assert!(conv.wanted.contains("x"));
    }

    #[test]
    fn open_mode_drops_closed_objects_and_enums() {
        let mut conv = Converter {
            openness: Openness::Open,
            wanted: BTreeSet::new(),
        };
        let v = conv.node(&json!({"type": "object", "additionalProperties": false,
            "properties": {"k": {"type": "string", "enum": ["A"]}}}));
        assert!(v.get("additionalProperties").is_none());
        assert!(v["properties"]["k"].get("enum").is_none());
    }
}
