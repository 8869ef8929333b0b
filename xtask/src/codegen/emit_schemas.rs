//! `crates/fyle-cli/src/generated/schemas.json`: the table behind `fyle schema NAME`. Every
//! generated struct, and every alias of one (the names dedupe merged), with its fields: wire
//! name, Rust type and the first line of the field's doc, written from the generator's own model
//! so the CLI never parses generated source. JSON, one type per line: it is data, and as Rust
//! literals rustfmt spreads it over 27,000 lines.

use serde_json::{Value, json};

use super::emit_types::{field_docs, field_ty};
use super::model::{Def, Field, Model, TypeDef};

/// The file's path from the workspace root.
pub const PATH: &str = "crates/fyle-cli/src/generated/schemas.json";

/// The table file (path from the workspace root, text).
pub fn emit(model: &Model) -> (String, String) {
    let mut rows: Vec<(String, Value)> = Vec::new();
    for t in model.types.values().filter(|t| !t.roles.is_empty()) {
        let Some(target) = model.resolve(&t.name) else {
            continue;
        };
        let Def::Struct(fields) = &target.def else {
            continue;
        };
        let fields: Vec<Value> = fields.iter().map(|f| field_row(model, target, f)).collect();
        let row = json!({"rust": t.name, "schema": schema_of(t), "fields": fields});
        rows.push((t.name.clone(), row));
    }
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    let lines: Vec<String> = rows.iter().map(|(_, row)| row.to_string()).collect();
    (PATH.to_owned(), format!("[\n{}\n]\n", lines.join(",\n")))
}

/// `expense_out` from ``schema `expense_out` ``; `expense_out.accounting_export_summary` for a
/// type lowered from a field.
fn schema_of(t: &TypeDef) -> String {
    t.origin.trim_start_matches("schema ").replace('`', "")
}

/// `["wire name", "Rust type", "doc"]` of one field.
fn field_row(model: &Model, owner: &TypeDef, f: &Field) -> Value {
    let rust = ty_text(&field_ty(model, owner, f).0);
    let doc = field_docs(f, owner.input)
        .into_iter()
        .next()
        .unwrap_or_default()
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("\\[", "[")
        .replace("\\]", "]");
    json!([f.json, rust, doc])
}

/// A type's tokens as a reader writes them: `Vec<::time::OffsetDateTime>`, `Patch<bool>`.
fn ty_text(tokens: &proc_macro2::TokenStream) -> String {
    tokens.to_string().replace(' ', "").replace("crate::", "")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codegen::emit_types::ty_tokens;
    use crate::codegen::model::Ty;
    use quote::quote;

    #[test]
    fn types_read_as_written() {
        assert_eq!(
            ty_text(&ty_tokens(&Ty::Vec(Box::new(Ty::DateTime)), &quote!())),
            "Vec<::time::OffsetDateTime>"
        );
    }
}
