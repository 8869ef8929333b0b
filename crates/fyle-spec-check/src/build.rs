//! Instances of a schema, built from the raw spec: the spec's examples, nulls, minimal objects,
//! unknown fields and enum values, real custom-field keys and realistic formats.
//!
//! Every instance is validated against the spec before it is returned. A spec example that the spec
//! itself rejects (a date where a timestamp is declared, ...) is replaced by a generated value and
//! counted in [`Instance::replaced`]; whatever still fails is reported in [`Instance::errors`].

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use crate::spec::schema_ref_name;
use crate::{Openness, Spec, SpecError, validate, validator, values};

/// The kinds of instance [`build_instances`] makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum InstanceKind {
    /// Every property present, each leaf the spec's own example where it has a valid one.
    Example,
    /// Every property present, every nullable one `null` (array items included).
    Nulls,
    /// Only required properties (and the first `anyOf` set of required fields).
    Minimal,
    /// [`Self::Example`] plus an unknown field `x_future_field` in every object.
    UnknownField,
    /// [`Self::Example`] with every string enum holding an unknown value.
    UnknownEnum,
    /// [`Self::Example`] with custom-field keys (`Project Code`, `GL Account`, ...) in every
    /// `additionalProperties` object.
    CustomKeys,
    /// Every property present with generated values: timestamps in every real shape, e-mails,
    /// phone numbers.
    Formats,
}

impl InstanceKind {
    /// All kinds, in order.
    pub const ALL: [Self; 7] = [
        Self::Example,
        Self::Nulls,
        Self::Minimal,
        Self::UnknownField,
        Self::UnknownEnum,
        Self::CustomKeys,
        Self::Formats,
    ];

    /// A short name for reports.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Example => "example",
            Self::Nulls => "nulls",
            Self::Minimal => "minimal",
            Self::UnknownField => "unknown-field",
            Self::UnknownEnum => "unknown-enum",
            Self::CustomKeys => "custom-keys",
            Self::Formats => "formats",
        }
    }

    /// How strictly the instance is validated: unknown fields and values need the open reading.
    pub const fn openness(self) -> Openness {
        match self {
            Self::UnknownField | Self::UnknownEnum => Openness::Open,
            _ => Openness::Strict,
        }
    }

    const fn uses_examples(self) -> bool {
        !matches!(self, Self::Minimal | Self::Formats)
    }
}

/// The name of the unknown field added by [`InstanceKind::UnknownField`].
pub const UNKNOWN_FIELD: &str = "x_future_field";
/// The value given to enums by [`InstanceKind::UnknownEnum`].
pub const UNKNOWN_ENUM: &str = "FUTURE_VALUE";

/// One built instance.
#[derive(Debug, Clone)]
pub struct Instance {
    /// What it exercises.
    pub kind: InstanceKind,
    /// The JSON value.
    pub value: Value,
    /// How many spec examples were replaced because the spec rejects them.
    pub replaced: usize,
    /// Validation errors left after repair (empty when the spec accepts the instance).
    pub errors: Vec<String>,
}

/// Objects nest at most this deep; deeper, only required properties are built.
const MAX_DEPTH: usize = 6;
/// Rounds of replacing rejected examples before giving up.
const REPAIR_ROUNDS: usize = 4;

/// Builds one instance of each [`InstanceKind`] for `schema` (a node of role file `file`).
pub fn build_instances(
    spec: &Spec,
    file: &str,
    schema: &Value,
) -> Result<Vec<Instance>, SpecError> {
    let strict = validator(spec, file, schema, Openness::Strict)?;
    let open = validator(spec, file, schema, Openness::Open)?;
    let mut out = Vec::new();
    for kind in InstanceKind::ALL {
        let mut b = Builder {
            spec,
            file,
            kind,
            seq: 0,
            stack: Vec::new(),
            fallbacks: BTreeMap::new(),
        };
        let mut value = b.value(schema, "", "", 0)?;
        let check = match kind.openness() {
            Openness::Strict => &strict,
            Openness::Open => &open,
        };
        let mut replaced = 0;
        let mut errors = validate(check, &value);
        for _ in 0..REPAIR_ROUNDS {
            if errors.is_empty() {
                break;
            }
            let n = repair(&mut value, &b.fallbacks, &errors);
            if n == 0 {
                break;
            }
            replaced += n;
            errors = validate(check, &value);
        }
        out.push(Instance {
            kind,
            value,
            replaced,
            errors,
        });
    }
    Ok(out)
}

/// Replaces the leaves at or under each error's path by their generated fallback.
fn repair(value: &mut Value, fallbacks: &BTreeMap<String, Value>, errors: &[String]) -> usize {
    let mut n = 0;
    for e in errors {
        let path = e.split(": ").next().unwrap_or_default();
        let path = if path == "(root)" { "" } else { path };
        for (pointer, generated) in fallbacks {
            let related = pointer.starts_with(path) || path.starts_with(pointer.as_str());
            if related
                && let Some(slot) = value.pointer_mut(pointer)
                && slot != generated
            {
                *slot = generated.clone();
                n += 1;
            }
        }
    }
    n
}

/// A schema node with `$ref` and `allOf` merged in.
#[derive(Debug, Default)]
struct Flat {
    ty: Option<String>,
    nullable: bool,
    properties: Vec<(String, Value)>,
    required: BTreeSet<String>,
    required_sets: Vec<Vec<String>>,
    additional: Option<Value>,
    enum_values: Option<Vec<Value>>,
    format: Option<String>,
    example: Option<Value>,
    items: Option<Value>,
    choices: Vec<Value>,
    max_length: Option<u64>,
    pattern: bool,
    minimum: Option<f64>,
    maximum: Option<f64>,
    min_items: usize,
    min_properties: usize,
    refs: Vec<String>,
}

struct Builder<'a> {
    spec: &'a Spec,
    file: &'a str,
    kind: InstanceKind,
    seq: usize,
    stack: Vec<String>,
    fallbacks: BTreeMap<String, Value>,
}

impl Builder<'_> {
    fn flatten(&self, node: &Value, flat: &mut Flat, hops: usize) -> Result<(), SpecError> {
        let Some(obj) = node.as_object() else {
            return Ok(());
        };
        if hops > 32 {
            return Ok(());
        }
        flat.nullable |= obj.get("nullable").and_then(Value::as_bool) == Some(true);
        if let Some(r) = obj.get("$ref").and_then(Value::as_str) {
            if let Some(name) = schema_ref_name(r) {
                flat.refs.push(name.to_owned());
            }
            let target = self.spec.lookup(self.file, r)?;
            return self.flatten(target, flat, hops + 1);
        }
        Self::own_keywords(obj, flat);
        for arm in obj
            .get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            self.flatten(arm, flat, hops + 1)?;
        }
        for key in ["anyOf", "oneOf"] {
            for arm in obj.get(key).and_then(Value::as_array).into_iter().flatten() {
                self.choice(arm, flat)?;
            }
        }
        Ok(())
    }

    fn own_keywords(obj: &Map<String, Value>, flat: &mut Flat) {
        let text = |k: &str| obj.get(k).and_then(Value::as_str).map(str::to_owned);
        flat.ty = flat.ty.take().or_else(|| text("type"));
        flat.format = flat.format.take().or_else(|| text("format"));
        if flat.example.is_none() {
            flat.example = obj.get("example").cloned();
        }
        if let Some(Value::Object(props)) = obj.get("properties") {
            for (k, v) in props {
                flat.properties.retain(|(name, _)| name != k);
                flat.properties.push((k.clone(), v.clone()));
            }
        }
        for r in obj
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(r) = r.as_str() {
                flat.required.insert(r.to_owned());
            }
        }
        match obj.get("additionalProperties") {
            Some(Value::Bool(false)) | None => {}
            Some(v) => flat.additional = Some(v.clone()),
        }
        if let Some(Value::Array(values)) = obj.get("enum") {
            flat.enum_values = Some(values.clone());
        }
        if obj.get("type").and_then(Value::as_str) == Some("array") {
            flat.items = obj.get("items").cloned();
        }
        flat.max_length = flat
            .max_length
            .or_else(|| obj.get("maxLength").and_then(Value::as_u64));
        flat.minimum = flat
            .minimum
            .or_else(|| obj.get("minimum").and_then(Value::as_f64));
        flat.maximum = flat
            .maximum
            .or_else(|| obj.get("maximum").and_then(Value::as_f64));
        if let Some(n) = obj.get("minItems").and_then(Value::as_u64) {
            flat.min_items = usize::try_from(n).unwrap_or(1);
        }
        if let Some(n) = obj.get("minProperties").and_then(Value::as_u64) {
            flat.min_properties = usize::try_from(n).unwrap_or(1);
        }
    }

    /// Whether the spec lets `node` be `null`: `nullable` (beside a `$ref` too), a null arm of an
    /// `anyOf`/`oneOf`, or an `allOf` whose every arm does. An `allOf` arm with a `type` and no
    /// `nullable` (`allOf [nullable_ref, {type: object}]`) forbids it.
    fn accepts_null(&self, node: &Value, hops: usize) -> bool {
        let Some(obj) = node.as_object() else {
            return node == &Value::Bool(true);
        };
        if hops > 32 {
            return false;
        }
        if obj.get("nullable").and_then(Value::as_bool) == Some(true) {
            return true;
        }
        if let Some(r) = obj.get("$ref").and_then(Value::as_str) {
            return self
                .spec
                .lookup(self.file, r)
                .is_ok_and(|t| self.accepts_null(t, hops + 1));
        }
        if obj.get("type").is_some() {
            return false;
        }
        if let Some(values) = obj.get("enum").and_then(Value::as_array) {
            return values.contains(&Value::Null);
        }
        let all = obj.get("allOf").and_then(Value::as_array);
        let all_ok = all.is_none_or(|arms| arms.iter().all(|a| self.accepts_null(a, hops + 1)));
        let any: Vec<&Value> = ["anyOf", "oneOf"]
            .iter()
            .filter_map(|k| obj.get(*k).and_then(Value::as_array))
            .flatten()
            .collect();
        let any_ok = any.is_empty()
            || any
                .iter()
                .any(|a| self.is_null_choice(a) || self.accepts_null(a, hops + 1));
        // A bare `{}`-like node accepts anything, null included, but is not a "nullable field":
        // only combinators and explicit nulls count.
        (all.is_some() || !any.is_empty()) && all_ok && any_ok
    }

    fn is_null_choice(&self, arm: &Value) -> bool {
        self.spec
            .deref(self.file, arm)
            .is_ok_and(|target| is_null_arm(arm, target))
    }

    /// Sorts one `anyOf`/`oneOf` arm: a list of required fields, a null arm, or a real choice.
    fn choice(&self, arm: &Value, flat: &mut Flat) -> Result<(), SpecError> {
        let only_required = arm
            .as_object()
            .is_some_and(|o| o.len() == 1 && o.contains_key("required"));
        if only_required {
            let set = arm["required"].as_array().into_iter().flatten();
            flat.required_sets
                .push(set.filter_map(Value::as_str).map(str::to_owned).collect());
            return Ok(());
        }
        let target = self.spec.deref(self.file, arm)?;
        if is_null_arm(arm, target) {
            flat.nullable = true;
            return Ok(());
        }
        flat.choices.push(arm.clone());
        Ok(())
    }

    fn value(
        &mut self,
        node: &Value,
        pointer: &str,
        name: &str,
        depth: usize,
    ) -> Result<Value, SpecError> {
        let mut flat = Flat::default();
        self.flatten(node, &mut flat, 0)?;
        if self.kind == InstanceKind::Nulls && !pointer.is_empty() && self.accepts_null(node, 0) {
            return Ok(Value::Null);
        }
        let recursive = flat.refs.iter().any(|r| self.stack.contains(r));
        let pushed = flat.refs.len();
        self.stack.extend(flat.refs.iter().cloned());
        let result = self.shaped(
            &flat,
            pointer,
            name,
            depth + usize::from(recursive) * MAX_DEPTH,
        );
        self.stack.truncate(self.stack.len() - pushed);
        result
    }

    fn shaped(
        &mut self,
        flat: &Flat,
        pointer: &str,
        name: &str,
        depth: usize,
    ) -> Result<Value, SpecError> {
        if flat.properties.is_empty()
            && flat.ty.is_none()
            && flat.enum_values.is_none()
            && let Some(first) = flat.choices.first()
        {
            return self.value(first, pointer, name, depth);
        }
        if let Some(values) = &flat.enum_values {
            return Ok(self.enum_value(flat, values, pointer));
        }
        let is_object = flat.ty.as_deref() == Some("object") || !flat.properties.is_empty();
        match flat.ty.as_deref() {
            _ if is_object => self.object(flat, pointer, depth),
            Some("array") => self.array(flat, pointer, name, depth),
            Some("string" | "integer" | "number" | "boolean") => Ok(self.leaf(flat, pointer, name)),
            _ => match flat.choices.first() {
                Some(first) => self.value(first, pointer, name, depth),
                None => Ok(self.leaf(flat, pointer, name)),
            },
        }
    }

    fn enum_value(&mut self, flat: &Flat, values: &[Value], pointer: &str) -> Value {
        let first = values
            .iter()
            .find(|v| !v.is_null())
            .cloned()
            .unwrap_or(Value::Null);
        self.fallbacks.insert(pointer.to_owned(), first.clone());
        if self.kind == InstanceKind::UnknownEnum && first.is_string() {
            return json!(UNKNOWN_ENUM);
        }
        match &flat.example {
            Some(e) if self.kind.uses_examples() && values.contains(e) => e.clone(),
            _ => first,
        }
    }

    fn leaf(&mut self, flat: &Flat, pointer: &str, name: &str) -> Value {
        self.seq += 1;
        // A bare component (`phone_number`) is named by its schema.
        let name = if name.is_empty() {
            flat.refs.first().map_or("", String::as_str)
        } else {
            name
        };
        let generated = match flat.ty.as_deref() {
            Some("integer") => values::number(true, flat.minimum, flat.maximum),
            Some("number") => values::number(false, flat.minimum, flat.maximum),
            Some("boolean") => json!(true),
            _ => {
                let s = values::string(name, flat.format.as_deref(), self.seq);
                json!(values::fit(s, flat.max_length))
            }
        };
        self.fallbacks.insert(pointer.to_owned(), generated.clone());
        // A `pattern` is met by the spec's example, not by a generated text.
        let use_example = self.kind.uses_examples() || flat.pattern;
        match &flat.example {
            Some(e) if use_example && !e.is_null() && same_type(flat, e) => e.clone(),
            _ => generated,
        }
    }

    fn array(
        &mut self,
        flat: &Flat,
        pointer: &str,
        name: &str,
        depth: usize,
    ) -> Result<Value, SpecError> {
        let Some(items) = flat.items.clone() else {
            return Ok(json!([]));
        };
        let n = flat.min_items.max(1);
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            out.push(self.value(&items, &format!("{pointer}/{i}"), name, depth + 1)?);
        }
        Ok(Value::Array(out))
    }

    fn object(&mut self, flat: &Flat, pointer: &str, depth: usize) -> Result<Value, SpecError> {
        let mut wanted = flat.required.clone();
        if let Some(set) = flat.required_sets.first() {
            wanted.extend(set.iter().cloned());
        }
        let everything = self.kind != InstanceKind::Minimal && depth < MAX_DEPTH;
        // An empty `{}` matches every arm of a `oneOf` of optional-only objects, and breaks
        // `minProperties`: a minimal object still holds at least one field when it declares any.
        let at_least = flat.min_properties.max(usize::from(!pointer.is_empty()));
        let mut optional_taken = 0;
        let mut out = Map::new();
        for (key, schema) in &flat.properties {
            let pad = wanted.len() + optional_taken < at_least && !wanted.contains(key);
            optional_taken += usize::from(pad);
            if everything || wanted.contains(key) || pad {
                let child = format!("{pointer}/{}", escape(key));
                out.insert(key.clone(), self.value(schema, &child, key, depth + 1)?);
            }
        }
        for key in &flat.required {
            // The spec sometimes requires a field it does not declare (`suggest_mappings` requires
            // `id`); the instance must still carry it.
            if !out.contains_key(key) && !flat.properties.iter().any(|(k, _)| k == key) {
                self.seq += 1;
                let v = values::string(key, None, self.seq);
                out.insert(key.clone(), json!(v));
            }
        }
        if flat.properties.is_empty() && !flat.choices.is_empty() {
            // An object whose fields live in its arms: build the first arm's fields.
            if let Value::Object(arm) = self.value(&flat.choices[0], pointer, "", depth)? {
                out.extend(arm);
            }
        }
        if self.kind == InstanceKind::UnknownField {
            out.insert(
                UNKNOWN_FIELD.to_owned(),
                json!("a field the spec does not know"),
            );
        }
        if self.kind == InstanceKind::CustomKeys
            && let Some(extra) = flat.additional.clone()
        {
            self.custom_keys(&extra, pointer, depth, &mut out)?;
        }
        Ok(Value::Object(out))
    }

    fn custom_keys(
        &mut self,
        extra: &Value,
        pointer: &str,
        depth: usize,
        out: &mut Map<String, Value>,
    ) -> Result<(), SpecError> {
        for (key, sample) in values::custom_fields() {
            let value =
                if extra == &Value::Bool(true) || extra.as_object().is_some_and(Map::is_empty) {
                    sample
                } else {
                    let child = format!("{pointer}/{}", escape(key));
                    self.value(extra, &child, key, depth + 1)?
                };
            out.insert(key.to_owned(), value);
        }
        Ok(())
    }
}

/// `null_field` (declared `{type: string, nullable: true}`) is the spec's way of writing "null" as
/// an `anyOf` arm; `{type: "null"}` would be the JSON Schema way.
fn is_null_arm(arm: &Value, target: &Value) -> bool {
    let by_name =
        arm.get("$ref").and_then(Value::as_str) == Some("#/components/schemas/null_field");
    by_name || target.get("type").and_then(Value::as_str) == Some("null")
}

fn same_type(flat: &Flat, v: &Value) -> bool {
    match flat.ty.as_deref() {
        Some("string") => v.is_string(),
        Some("integer") => v.is_i64() || v.is_u64(),
        Some("number") => v.is_number(),
        Some("boolean") => v.is_boolean(),
        _ => true,
    }
}

fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> Spec {
        let doc = json!({"components": {"schemas": {
            "employee": {"type": "object", "additionalProperties": false, "required": ["id"],
                "properties": {
                    "id": {"type": "string", "example": "ouX"},
                    "mobile": {"type": "string", "nullable": true, "example": "+12131234567"},
                    "joined_at": {"type": "string", "format": "date-time", "example": "2022-02-01"},
                    "state": {"type": "string", "enum": ["ACTIVE", "DISABLED"]},
                    "custom_fields": {"$ref": "#/components/schemas/cf"}
                }},
            "cf": {"type": "object", "nullable": true, "additionalProperties": true,
                "properties": {"cf1": {"nullable": true}}}
        }}});
        Spec::from_documents([("admin".to_owned(), doc)].into_iter().collect())
    }

    fn of(kind: InstanceKind) -> Instance {
        let spec = tiny();
        let schema = json!({"$ref": "#/components/schemas/employee"});
        let all = build_instances(&spec, "admin", &schema).expect("tiny spec builds");
        let inst = all
            .into_iter()
            .find(|i| i.kind == kind)
            .expect("every kind is built");
        assert!(inst.errors.is_empty(), "{:?}", inst.errors);
        inst
    }

    #[test]
    fn examples_are_used_and_invalid_ones_replaced() {
        let inst = of(InstanceKind::Example);
        assert_eq!(inst.value["mobile"], json!("+12131234567"));
        assert_eq!(inst.value["id"], json!("ouX"));
        // The spec's date-only example of a date-time is rejected by the spec: replaced.
        assert_eq!(inst.replaced, 1);
        assert!(
            inst.value["joined_at"]
                .as_str()
                .is_some_and(|s| s.contains('T'))
        );
    }

    #[test]
    fn nulls_minimal_and_unknowns() {
        assert_eq!(of(InstanceKind::Nulls).value["custom_fields"], Value::Null);
        assert_eq!(
            of(InstanceKind::Minimal).value,
            json!({"id": "tx3qHxFNgRcZ"})
        );
        assert_eq!(
            of(InstanceKind::UnknownField).value[UNKNOWN_FIELD],
            json!("a field the spec does not know")
        );
        assert_eq!(
            of(InstanceKind::UnknownEnum).value["state"],
            json!(UNKNOWN_ENUM)
        );
    }

    #[test]
    fn custom_keys_are_real_names() {
        let inst = of(InstanceKind::CustomKeys);
        assert_eq!(
            inst.value["custom_fields"]["Project Code"],
            json!("PRJ-0042")
        );
        assert_eq!(
            inst.value["custom_fields"]["GL Account"],
            json!("6100 Travel")
        );
    }
}
