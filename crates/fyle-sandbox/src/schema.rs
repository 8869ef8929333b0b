//! The spec table the sandbox carries (generated into `generated/spec.json`): every operation
//! with its request and response schemas, every component schema, and a validator for them.
//!
//! The validator follows OpenAPI 3.0: `nullable: true` admits `null`, a `$ref` admits `null` when
//! it sits beside `nullable: true`, `additionalProperties: false` forbids unknown keys. It checks
//! what a request body or a served row can get wrong (kinds, enums, required keys, unknown keys,
//! bounds, `date`/`date-time` formats) and reports each error with its JSON path.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::generated::SPEC_JSON;

/// One operation of the table.
#[derive(Debug, Deserialize)]
pub(crate) struct OpSpec {
    /// Spec file (= role): `admin`, `spender`, `common`...
    pub(crate) file: String,
    /// `GET` or `POST`.
    pub(crate) method: String,
    /// Path under `/platform/v1` (or the accounts server for `authorization`).
    pub(crate) path: String,
    /// The spec's `operationId`, when it has one (see [`OpSpec::operation_id`]).
    #[serde(rename = "operation_id")]
    pub(crate) declared_id: Option<String>,
    /// The success status (`200`), `None` when the operation has no 2xx answer (a redirect).
    pub(crate) status: Option<u16>,
    /// Query parameters.
    pub(crate) params: Vec<Param>,
    /// Schema of the request body, `null` when it has none.
    pub(crate) request: Value,
    /// Schema of the success body, `null` when it has none.
    pub(crate) response: Value,
}

/// A query parameter.
#[derive(Debug, Deserialize)]
pub(crate) struct Param {
    /// Whether the spec requires it.
    pub(crate) required: bool,
}

/// The whole table.
#[derive(Debug, Deserialize)]
pub(crate) struct Spec {
    /// Every operation of the 11 files.
    pub(crate) operations: Vec<OpSpec>,
    /// Component schemas by name.
    pub(crate) schemas: HashMap<String, Value>,
}

/// The table, parsed once.
pub(crate) static SPEC: LazyLock<Spec> = LazyLock::new(|| {
    serde_json::from_str(SPEC_JSON)
        .expect("generated/spec.json is valid (written by cargo xtask codegen, checked by a test)")
});

impl Spec {
    /// The operation for `method` and `path` (exact, without `/platform/v1`).
    pub(crate) fn find(&self, method: &str, path: &str) -> Option<&OpSpec> {
        self.operations
            .iter()
            .find(|o| o.method == method && o.path == path)
    }

    /// Follows `$ref`s to the schema they name; `{}` for an unknown name.
    pub(crate) fn resolve<'a>(&'a self, mut schema: &'a Value) -> &'a Value {
        static EMPTY: LazyLock<Value> = LazyLock::new(|| Value::Object(Map::new()));
        for _ in 0..16 {
            match schema.get("$ref").and_then(Value::as_str) {
                Some(name) => schema = self.schemas.get(name).unwrap_or(&EMPTY),
                None => return schema,
            }
        }
        schema
    }

    /// The item schema of a list answer (`{count, offset, data: [item]}`), if `op` is a list.
    pub(crate) fn list_item<'a>(&'a self, op: &'a OpSpec) -> Option<&'a Value> {
        let response = self.resolve(&op.response);
        let props = response.get("properties")?;
        if props.get("count").is_none() || props.get("offset").is_none() {
            return None;
        }
        let data = self.resolve(props.get("data")?);
        data.get("items").map(|i| self.resolve(i))
    }

    /// The schema of `data` in a `{data: ...}` envelope, if `schema` is one.
    pub(crate) fn data_of<'a>(&'a self, schema: &'a Value) -> Option<&'a Value> {
        let s = self.resolve(schema);
        s.get("properties")?.get("data").map(|d| self.resolve(d))
    }

    /// Every error of `value` under `schema`, as `(json path, message)`.
    pub(crate) fn errors(&self, schema: &Value, value: &Value) -> Vec<(String, String)> {
        let mut out = Vec::new();
        self.check(schema, value, "", &mut out);
        out
    }

    /// Whether `value` is valid under `schema`.
    pub(crate) fn valid(&self, schema: &Value, value: &Value) -> bool {
        let mut out = Vec::new();
        self.check(schema, value, "", &mut out);
        out.is_empty()
    }

    fn check(&self, schema: &Value, value: &Value, at: &str, out: &mut Vec<(String, String)>) {
        let Some(s) = schema.as_object() else {
            return;
        };
        let nullable = s.get("nullable").and_then(Value::as_bool) == Some(true);
        if value.is_null() && nullable {
            return;
        }
        if let Some(target) = s.get("$ref") {
            let target = target.as_str().and_then(|n| self.schemas.get(n));
            if let Some(target) = target {
                self.check(target, value, at, out);
            }
            return;
        }
        if let Some(arms) = s.get("allOf").and_then(Value::as_array) {
            for arm in arms {
                self.check(arm, value, at, out);
            }
        }
        for (kw, need_one) in [("anyOf", false), ("oneOf", true)] {
            if let Some(arms) = s.get(kw).and_then(Value::as_array) {
                let matching = arms.iter().filter(|a| self.valid(a, value)).count();
                if matching == 0 || (need_one && matching > 1) {
                    out.push((
                        at.to_owned(),
                        format!("does not match {kw} ({matching} arms)"),
                    ));
                }
            }
        }
        if let Some(kind) = s.get("type").and_then(Value::as_str)
            && !kind_matches(kind, value)
        {
            out.push((
                at.to_owned(),
                format!("expected {kind}, got {}", kind_of(value)),
            ));
            return;
        }
        if value.is_null() && s.contains_key("type") {
            out.push((at.to_owned(), "must not be null".to_owned()));
            return;
        }
        if let Some(values) = s.get("enum").and_then(Value::as_array)
            && !values.contains(value)
        {
            out.push((
                at.to_owned(),
                format!("{value} is not one of {}", Value::from(values.clone())),
            ));
        }
        match value {
            Value::String(text) => check_string(s, text, at, out),
            Value::Number(n) => check_number(s, n.as_f64().unwrap_or_default(), at, out),
            Value::Array(items) => self.check_array(s, items, at, out),
            Value::Object(map) => self.check_object(s, map, at, out),
            _ => {}
        }
    }

    fn check_array(
        &self,
        s: &Map<String, Value>,
        items: &[Value],
        at: &str,
        out: &mut Vec<(String, String)>,
    ) {
        let len = items.len() as u64;
        if s.get("minItems")
            .and_then(Value::as_u64)
            .is_some_and(|m| len < m)
        {
            out.push((at.to_owned(), format!("fewer than minItems ({len})")));
        }
        if s.get("maxItems")
            .and_then(Value::as_u64)
            .is_some_and(|m| len > m)
        {
            out.push((at.to_owned(), format!("more than maxItems ({len})")));
        }
        if let Some(item) = s.get("items") {
            for (i, v) in items.iter().enumerate() {
                self.check(item, v, &format!("{at}/{i}"), out);
            }
        }
    }

    fn check_object(
        &self,
        s: &Map<String, Value>,
        map: &Map<String, Value>,
        at: &str,
        out: &mut Vec<(String, String)>,
    ) {
        for key in s
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(k) = key.as_str()
                && !map.contains_key(k)
            {
                out.push((format!("{at}/{k}"), "is required".to_owned()));
            }
        }
        let len = map.len() as u64;
        if s.get("minProperties")
            .and_then(Value::as_u64)
            .is_some_and(|m| len < m)
        {
            out.push((at.to_owned(), format!("fewer than minProperties ({len})")));
        }
        let props = s.get("properties").and_then(Value::as_object);
        let extra = s.get("additionalProperties");
        for (k, v) in map {
            let path = format!("{at}/{k}");
            match props.and_then(|p| p.get(k)) {
                Some(ps) => self.check(ps, v, &path, out),
                None => match extra {
                    Some(Value::Bool(false)) => {
                        out.push((path, "is not a field of this object".to_owned()));
                    }
                    Some(ap @ Value::Object(_)) => self.check(ap, v, &path, out),
                    _ => {}
                },
            }
        }
    }
}

fn check_string(s: &Map<String, Value>, text: &str, at: &str, out: &mut Vec<(String, String)>) {
    let len = text.chars().count() as u64;
    if s.get("maxLength")
        .and_then(Value::as_u64)
        .is_some_and(|m| len > m)
    {
        out.push((at.to_owned(), format!("longer than maxLength ({len})")));
    }
    if s.get("minLength")
        .and_then(Value::as_u64)
        .is_some_and(|m| len < m)
    {
        out.push((at.to_owned(), format!("shorter than minLength ({len})")));
    }
    let format_ok = match s.get("format").and_then(Value::as_str) {
        Some("date-time") => crate::clock::parse_timestamp(text).is_some(),
        Some("date") => parse_date(text),
        Some("email") => text.contains('@'),
        _ => true,
    };
    if !format_ok {
        out.push((
            at.to_owned(),
            format!("{text:?} is not a valid {}", s["format"]),
        ));
    }
}

fn check_number(s: &Map<String, Value>, n: f64, at: &str, out: &mut Vec<(String, String)>) {
    if s.get("minimum")
        .and_then(Value::as_f64)
        .is_some_and(|m| n < m)
    {
        out.push((at.to_owned(), format!("{n} is below the minimum")));
    }
    if s.get("maximum")
        .and_then(Value::as_f64)
        .is_some_and(|m| n > m)
    {
        out.push((at.to_owned(), format!("{n} is above the maximum")));
    }
}

/// Whether `text` is a `YYYY-MM-DD` date.
fn parse_date(text: &str) -> bool {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text, format).is_ok()
}

/// Whether `value` has JSON kind `kind` (`integer` admits `2.0`).
fn kind_matches(kind: &str, value: &Value) -> bool {
    match kind {
        "string" => value.is_string(),
        "integer" => {
            value.is_i64() || value.is_u64() || value.as_f64().is_some_and(|f| f.fract() == 0.0)
        }
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        _ => true,
    }
}

/// The JSON kind of a value, for messages.
pub(crate) fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_table_holds_every_operation_of_the_11_files() {
        assert_eq!(SPEC.operations.len(), 542);
        assert!(SPEC.find("GET", "/admin/tax_groups").is_some());
        let op = SPEC.find("GET", "/admin/tax_groups").expect("listed above");
        assert!(SPEC.list_item(op).is_some());
    }

    #[test]
    fn nullable_enum_and_unknown_keys_are_checked() {
        let schema = json!({
            "type": "object", "additionalProperties": false, "required": ["a"],
            "properties": {"a": {"type": "string", "enum": ["X"]}, "b": {"type": "integer", "nullable": true}}
        });
        assert!(SPEC.valid(&schema, &json!({"a": "X", "b": null})));
        let errors = SPEC.errors(&schema, &json!({"a": "", "c": 1}));
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(!SPEC.valid(&schema, &json!({"b": 1})));
    }
}
