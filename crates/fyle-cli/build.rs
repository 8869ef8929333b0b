//! Builds the table behind `fyle schema`: every generated struct of `fyle-models` with its
//! fields, read from the generated source (its doc comments carry the wire name, type, whether
//! required, and an example), so the generator needs no change.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

struct Field {
    name: String,
    rust_type: String,
    doc: String,
}

struct Schema {
    rust_name: String,
    schema: String,
    fields: Vec<Field>,
}

/// The crates holding the generated types.
const MODEL_CRATES: [&str; 4] = [
    "fyle-models-core",
    "fyle-models-spend",
    "fyle-models-cards",
    "fyle-models-org",
];

fn main() {
    // The generated types are split over four crates (see xtask/src/codegen/split.rs).
    let mut files: Vec<PathBuf> = Vec::new();
    for krate in MODEL_CRATES {
        let dir =
            Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../{krate}/src/generated/types"));
        println!("cargo:rerun-if-changed={}", dir.display());
        files.extend(
            fs::read_dir(&dir)
                .map(|entries| {
                    entries
                        .filter_map(|e| e.ok().map(|e| e.path()))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default(),
        );
    }
    files.sort();
    let mut schemas = Vec::new();
    for file in files {
        if let Ok(text) = fs::read_to_string(&file) {
            scan(&text, &mut schemas);
        }
    }
    schemas.sort_by(|a, b| a.rust_name.cmp(&b.rust_name));
    let mut out = String::from(
        "/// One field: (wire name, Rust type, first line of its doc).\n\
         pub(crate) type FieldInfo = (&'static str, &'static str, &'static str);\n\
         /// Every generated struct: (Rust name, schema name, fields).\n\
         pub(crate) static SCHEMAS: &[(&str, &str, &[FieldInfo])] = &[\n",
    );
    for schema in &schemas {
        let _ = write!(out, "    ({:?}, {:?}, &[", schema.rust_name, schema.schema);
        for field in &schema.fields {
            let _ = write!(
                out,
                "({:?}, {:?}, {:?}), ",
                field.name, field.rust_type, field.doc
            );
        }
        out.push_str("]),\n");
    }
    out.push_str("];\n");
    let target =
        PathBuf::from(std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into())).join("schemas.rs");
    if let Err(e) = fs::write(&target, out) {
        println!("cargo:warning=cannot write {}: {e}", target.display());
    }
}

/// Reads the structs of one generated file.
fn scan(text: &str, schemas: &mut Vec<Schema>) {
    let mut schema_name = String::new();
    let mut current: Option<Schema> = None;
    let mut doc = String::new();
    let mut rename: Option<String> = None;
    for line in text.lines() {
        let trimmed = line.trim();
        if let Some(rest) = trimmed.strip_prefix("/// Generated from schema `") {
            rest.split('`')
                .next()
                .unwrap_or_default()
                .clone_into(&mut schema_name);
            continue;
        }
        if let Some(rest) = line.strip_prefix("pub struct ") {
            if let Some(name) = rest.strip_suffix(" {") {
                current = Some(Schema {
                    rust_name: name.trim().to_owned(),
                    schema: schema_name.clone(),
                    fields: Vec::new(),
                });
            }
            continue;
        }
        let Some(schema) = current.as_mut() else {
            continue;
        };
        if line == "}" {
            if let Some(done) = current.take() {
                schemas.push(done);
            }
            continue;
        }
        if let Some(text) = trimmed.strip_prefix("///") {
            if doc.is_empty() {
                text.trim().clone_into(&mut doc);
            }
        } else if trimmed.starts_with("#[serde(") && trimmed.contains("rename = \"") {
            rename = trimmed
                .split("rename = \"")
                .nth(1)
                .and_then(|r| r.split('"').next())
                .map(str::to_owned);
        } else if let Some(rest) = trimmed.strip_prefix("pub ")
            && let Some((name, ty)) = rest.split_once(": ")
        {
            let name = rename
                .take()
                .unwrap_or_else(|| name.trim_start_matches("r#").to_owned());
            schema.fields.push(Field {
                name,
                rust_type: ty.trim_end_matches(',').to_owned(),
                doc: std::mem::take(&mut doc),
            });
        }
    }
}
