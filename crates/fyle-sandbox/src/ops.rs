//! The operation table, seen from the sandbox: which (method, path) pairs are real Fyle
//! operations, their ids, and how their answers are wrapped.
//!
//! It reads the sandbox's own generated spec table (`generated/spec.json`, see
//! [`crate::schema`]), so the sandbox compiles none of `fyle_models`' generated types or
//! operation statics: from `fyle_models` it takes only the filter AST, the timestamp parser and
//! the [`BodyShape`] vocabulary. The envelope of each answer is derived from its response schema
//! by the rules the generator applies to `fyle_models::operations` (a unit test holds the two to
//! the same answer for every operation).

use fyle_models::operations::BodyShape;
use serde_json::Value;

use crate::schema::{OpSpec, SPEC};

/// Looks an operation up by HTTP method and path under `/platform/v1` (or the accounts path).
pub(crate) fn find(method: &http::Method, path: &str) -> Option<&'static OpSpec> {
    if *method != http::Method::GET && *method != http::Method::POST {
        return None;
    }
    SPEC.find(method.as_str(), path)
}

/// The response envelope of `op`, or `fallback` when the path is not in the table.
pub(crate) fn response_shape(op: Option<&OpSpec>, fallback: BodyShape) -> BodyShape {
    op.map_or(fallback, OpSpec::response_shape)
}

/// Number of operations in the table (for the startup log).
pub(crate) fn count() -> usize {
    SPEC.operations.len()
}

impl OpSpec {
    /// The spec's `operationId`, or (when the spec has none) the path without its role,
    /// segments joined by `_` (`/admin/expenses/delete/bulk` -> `expenses_delete_bulk`), as the
    /// generator names it.
    pub(crate) fn operation_id(&self) -> String {
        if let Some(id) = &self.declared_id {
            return id.clone();
        }
        let mut segments: Vec<&str> = self.path.trim_start_matches('/').split('/').collect();
        if segments.len() > 1 {
            segments.remove(0);
        }
        segments.join("_")
    }

    /// The envelope of the success answer: no 2xx answer is a redirect (downloads), no JSON
    /// schema no body, `{}` the empty object, `{count, offset, data}` a list, `{data}` one row
    /// or an array of rows (`data` an array, inline or through `$ref`), anything else (a `$ref`, extra keys, a non-object) the bare value.
    pub(crate) fn response_shape(&self) -> BodyShape {
        if self.status.is_none() {
            return BodyShape::Redirect;
        }
        let Some(props) = inline_properties(&self.response) else {
            return if self.response.is_null() {
                BodyShape::None
            } else {
                BodyShape::Bare
            };
        };
        let Some(data) = props.get("data") else {
            return if props.is_empty() {
                BodyShape::EmptyObject
            } else {
                BodyShape::Bare
            };
        };
        let envelope_only = props
            .keys()
            .all(|k| matches!(k.as_str(), "data" | "count" | "offset"));
        if props.contains_key("count") && envelope_only {
            BodyShape::List
        } else if props.len() > 1 {
            BodyShape::Bare
        } else if is_array(SPEC.resolve(data)) {
            BodyShape::DataArray
        } else {
            BodyShape::Data
        }
    }
}

/// Whether a (resolved) schema is an array: `type: array`, or `items` without a type.
fn is_array(schema: &Value) -> bool {
    match schema.get("type").and_then(Value::as_str) {
        Some(t) => t == "array",
        None => schema.get("items").is_some(),
    }
}

/// The properties of an inline object schema (not a `$ref`, not a combinator): `type: object`,
/// or no type and no `enum`. `None` for anything else.
fn inline_properties(schema: &Value) -> Option<&serde_json::Map<String, Value>> {
    static EMPTY: std::sync::LazyLock<serde_json::Map<String, Value>> =
        std::sync::LazyLock::new(serde_json::Map::new);
    let s = schema.as_object()?;
    if ["$ref", "allOf", "oneOf", "anyOf"]
        .iter()
        .any(|k| s.contains_key(*k))
    {
        return None;
    }
    let objectish = match s.get("type").and_then(Value::as_str) {
        Some(t) => t == "object",
        None => !s.contains_key("enum"),
    };
    if !objectish {
        return None;
    }
    Some(
        s.get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&EMPTY),
    )
}

#[cfg(test)]
mod tests {
    use fyle_models::operations::{ALL, HttpMethod};

    use super::{SPEC, count};

    /// The sandbox's table names the same operations, with the same ids and envelopes, as the
    /// generated `fyle_models::operations` table (compiled here only: a dev-dependency).
    #[test]
    fn the_table_agrees_with_the_generated_operations() {
        assert_eq!(count(), ALL.len());
        let mut wrong = Vec::new();
        for op in ALL {
            let method = match op.method {
                HttpMethod::Get => "GET",
                HttpMethod::Post => "POST",
            };
            let ours = SPEC
                .find(method, op.path)
                .unwrap_or_else(|| panic!("{method} {} is in the sandbox table", op.path));
            if ours.operation_id() != op.operation_id {
                wrong.push(format!(
                    "{method} {}: id {} != {}",
                    op.path,
                    ours.operation_id(),
                    op.operation_id
                ));
            }
            if ours.response_shape() != op.response_body {
                wrong.push(format!(
                    "{method} {}: envelope {:?} != {:?}",
                    op.path,
                    ours.response_shape(),
                    op.response_body
                ));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }
}
