//! The sandbox's schema table: `crates/fyle-sandbox/src/generated/spec.json`.
//!
//! The sandbox runs without the spec folder (users install it from crates.io), yet it serves every
//! operation and must answer spec-valid bodies and validate request bodies. It needs the shape of
//! each schema, not its prose: this table keeps, per operation, the role, method, path, query
//! parameters and the request and `200` response schemas, plus every component schema, with only
//! the keywords that constrain a value (types, formats, enums, required, nullable, properties,
//! items, references, combinators, bounds, scalar examples). Descriptions are dropped.
//!
//! It reads the raw YAML itself (not the typed model), so the sandbox sees the spec as written:
//! a stray `items` beside `type: string` stays what the spec says and the validator decides.
//! Component names that mean different schemas in different files are qualified `file.name`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde_json::{Map, Value};

/// Keywords of a schema object the table keeps (everything else is prose or tooling).
const KEEP: &[&str] = &[
    "type",
    "format",
    "enum",
    "required",
    "nullable",
    "items",
    "$ref",
    "allOf",
    "anyOf",
    "oneOf",
    "additionalProperties",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "minProperties",
    "maxProperties",
    "uniqueItems",
    "pattern",
];

/// Emits the table for the 11 spec files of `files` (`(file stem, role)`).
pub fn emit(
    spec: &Path,
    files: &[(&str, &str)],
    commit: &str,
) -> anyhow::Result<BTreeMap<PathBuf, String>> {
    let mut docs = Vec::new();
    for (file, _) in files {
        let path = spec.join(format!("{file}.yaml"));
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        let doc: Value = serde_yaml_ng::from_str(&text)
            .with_context(|| format!("parsing {} as JSON-compatible YAML", path.display()))?;
        docs.push((*file, doc));
    }
    let names = component_names(&docs);
    let mut schemas: BTreeMap<String, Value> = BTreeMap::new();
    let mut operations = Vec::new();
    for (file, doc) in &docs {
        let rename = |name: &str| qualified(&names, file, name);
        if let Some(components) = doc
            .pointer("/components/schemas")
            .and_then(Value::as_object)
        {
            for (name, schema) in components {
                schemas
                    .entry(rename(name))
                    .or_insert_with(|| strip(schema, &|n| rename(n)));
            }
        }
        operations.extend(file_operations(file, doc, &|n| rename(n)));
    }
    let mut out = String::from("{\n\"operations\": [\n");
    let ops: Vec<String> = operations.iter().map(Value::to_string).collect();
    out.push_str(&ops.join(",\n"));
    out.push_str("\n],\n\"schemas\": {\n");
    let defs: Vec<String> = schemas
        .iter()
        .map(|(k, v)| format!("{}: {v}", Value::String(k.clone())))
        .collect();
    out.push_str(&defs.join(",\n"));
    out.push_str("\n}\n}\n");

    let mut files_out = BTreeMap::new();
    let dir = Path::new("crates/fyle-sandbox/src/generated");
    files_out.insert(dir.join("spec.json"), out);
    let mut module = super::render::header(commit);
    writeln!(
        module,
        "//! The spec as the sandbox needs it: operations with their request and response schemas,\n\
         //! and every component schema, without prose (see `xtask/src/codegen/emit_sandbox.rs`).\n\n\
         /// The table as JSON: `{{\"operations\": [...], \"schemas\": {{...}}}}`.\n\
         pub(crate) const SPEC_JSON: &str = include_str!(\"spec.json\");"
    )?;
    files_out.insert(dir.join("mod.rs"), module);
    Ok(files_out)
}

/// For each component name, the files defining it and whether they all agree.
fn component_names(docs: &[(&str, Value)]) -> BTreeMap<String, bool> {
    let mut seen: BTreeMap<String, Value> = BTreeMap::new();
    let mut unique: BTreeMap<String, bool> = BTreeMap::new();
    for (_, doc) in docs {
        let Some(components) = doc
            .pointer("/components/schemas")
            .and_then(Value::as_object)
        else {
            continue;
        };
        for (name, schema) in components {
            let plain = strip(schema, &str::to_owned);
            match seen.get(name) {
                Some(prev) if *prev != plain => {
                    unique.insert(name.clone(), false);
                }
                Some(_) => {}
                None => {
                    seen.insert(name.clone(), plain);
                    unique.insert(name.clone(), true);
                }
            }
        }
    }
    unique
}

/// The table's name of component `name` as seen from `file`.
fn qualified(names: &BTreeMap<String, bool>, file: &str, name: &str) -> String {
    if names.get(name).copied().unwrap_or(true) {
        name.to_owned()
    } else {
        format!("{file}.{name}")
    }
}

/// The operations of one file, each with its stripped schemas.
fn file_operations(file: &str, doc: &Value, rename: &dyn Fn(&str) -> String) -> Vec<Value> {
    let mut out = Vec::new();
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return out;
    };
    for (path, item) in paths {
        for method in ["get", "post"] {
            let Some(op) = item.get(method) else {
                continue;
            };
            let params: Vec<Value> = op
                .get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|p| parameter(doc, p))
                .collect();
            let request = op
                .pointer("/requestBody/content/application~1json/schema")
                .map_or(Value::Null, |s| strip(s, rename));
            let response = op
                .get("responses")
                .and_then(Value::as_object)
                .and_then(|r| {
                    r.iter()
                        .find(|(code, _)| code.starts_with('2'))
                        .map(|(code, body)| (code.clone(), body))
                });
            let (status, response) = response.map_or((Value::Null, Value::Null), |(code, r)| {
                (
                    Value::from(code.parse::<u16>().unwrap_or(200)),
                    r.pointer("/content/application~1json/schema")
                        .map_or(Value::Null, |s| strip(s, rename)),
                )
            });
            let mut m = Map::new();
            m.insert("file".into(), file.into());
            m.insert("method".into(), method.to_uppercase().into());
            m.insert("path".into(), path.clone().into());
            m.insert(
                "operation_id".into(),
                op.get("operationId").cloned().unwrap_or(Value::Null),
            );
            m.insert("params".into(), params.into());
            m.insert("request".into(), request);
            m.insert("status".into(), status);
            m.insert("response".into(), response);
            out.push(Value::Object(m));
        }
    }
    out
}

/// A query parameter (`{name, required}`), resolving `#/components/parameters/...`.
fn parameter(doc: &Value, p: &Value) -> Option<Value> {
    let p = match p.get("$ref").and_then(Value::as_str) {
        Some(r) => doc.pointer(&r.trim_start_matches('#').replace("~1", "/"))?,
        None => p,
    };
    if p.get("in").and_then(Value::as_str) != Some("query") {
        return None;
    }
    let mut m = Map::new();
    m.insert("name".into(), p.get("name")?.clone());
    m.insert(
        "required".into(),
        p.get("required").cloned().unwrap_or(Value::Bool(false)),
    );
    Some(Value::Object(m))
}

/// A schema with only the [`KEEP`] keywords, references renamed to table names.
fn strip(schema: &Value, rename: &dyn Fn(&str) -> String) -> Value {
    let Some(obj) = schema.as_object() else {
        return schema.clone();
    };
    let mut out = Map::new();
    for (k, v) in obj {
        match k.as_str() {
            "$ref" => {
                let target = v.as_str().unwrap_or_default();
                let name = target.rsplit('/').next().unwrap_or(target);
                out.insert(k.clone(), Value::String(rename(name)));
            }
            "properties" => {
                let props = v
                    .as_object()
                    .map(|p| {
                        p.iter()
                            .map(|(name, s)| (name.clone(), strip(s, rename)))
                            .collect()
                    })
                    .unwrap_or_default();
                out.insert(k.clone(), Value::Object(props));
            }
            "items" | "additionalProperties" => {
                out.insert(k.clone(), strip(v, rename));
            }
            "allOf" | "anyOf" | "oneOf" => {
                let arms = v
                    .as_array()
                    .map(|a| a.iter().map(|s| strip(s, rename)).collect())
                    .unwrap_or_default();
                out.insert(k.clone(), Value::Array(arms));
            }
            "example" if !v.is_object() && !v.is_array() && !v.is_null() => {
                out.insert(k.clone(), v.clone());
            }
            other if KEEP.contains(&other) => {
                out.insert(k.clone(), v.clone());
            }
            _ => {}
        }
    }
    Value::Object(out)
}
