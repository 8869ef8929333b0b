//! Building values that are valid under a schema of the spec table, and conforming stored rows
//! to the shape of the operation serving them.
//!
//! [`Builder::build`] makes a realistic instance of a schema (every property at shallow depth,
//! only the required ones deeper, realistic values by field name). [`Builder::conform`] keeps
//! what of a value is valid and rebuilds the rest, so a row stored once can be served by an
//! admin, a spender or an approver operation in the shape each declares.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Map, Value, json};

use crate::realistic::{self, Refs};
use crate::schema::Spec;

/// Depth below which optional properties are filled in too.
const FULL_DEPTH: usize = 3;
/// Depth at which a nullable value is left null and arrays are left empty.
const MAX_DEPTH: usize = 6;

/// Builds and conforms instances for one row.
pub(crate) struct Builder<'a> {
    spec: &'a Spec,
    refs: &'a Refs,
    rng: ChaCha8Rng,
}

impl<'a> Builder<'a> {
    /// A builder whose choices depend only on `seed` (and the schema).
    pub(crate) fn new(spec: &'a Spec, refs: &'a Refs, seed: u64) -> Builder<'a> {
        Builder {
            spec,
            refs,
            rng: ChaCha8Rng::seed_from_u64(seed),
        }
    }

    /// A realistic instance of `schema`.
    pub(crate) fn build(&mut self, schema: &Value) -> Value {
        self.make(schema, "", 0)
    }

    /// `value` where it is valid under `schema`, rebuilt where it is not; unknown keys dropped
    /// where the schema forbids them.
    pub(crate) fn conform(&mut self, schema: &Value, value: &Value) -> Value {
        self.fit(schema, value, "", 0)
    }

    fn make(&mut self, schema: &Value, name: &str, depth: usize) -> Value {
        let Some(s) = schema.as_object() else {
            return json!("value");
        };
        let nullable = s.get("nullable").and_then(Value::as_bool) == Some(true);
        if nullable && depth >= MAX_DEPTH {
            return Value::Null;
        }
        if let Some(target) = s.get("$ref").and_then(Value::as_str) {
            let spec = self.spec;
            return match spec.schemas.get(target) {
                Some(t) if depth < MAX_DEPTH + 4 => self.make(t, name, depth),
                _ => Value::Null,
            };
        }
        if let Some(arms) = s.get("allOf").and_then(Value::as_array) {
            // Objects merge; a scalar arm (`allOf: [$ref: amount]`) is the value itself.
            let mut out = Map::new();
            for arm in arms {
                match self.make(arm, name, depth) {
                    Value::Object(m) => out.extend(m),
                    scalar => return scalar,
                }
            }
            return Value::Object(out);
        }
        for kw in ["oneOf", "anyOf"] {
            if let Some(arms) = s.get(kw).and_then(Value::as_array) {
                return self.make_one_of(schema, arms, name, depth);
            }
        }
        if let Some(values) = s.get("enum").and_then(Value::as_array) {
            let choices: Vec<&Value> = values.iter().filter(|v| !v.is_null()).collect();
            if !choices.is_empty() {
                return choices[self.rng.gen_range(0..choices.len())].clone();
            }
        }
        let kind = s.get("type").and_then(Value::as_str).unwrap_or_else(|| {
            if s.contains_key("properties") {
                "object"
            } else if s.contains_key("items") {
                "array"
            } else {
                ""
            }
        });
        match kind {
            "object" => self.make_object(s, depth),
            "array" => self.make_array(s, name, depth),
            "boolean" => Value::Bool(self.rng.gen_bool(0.5)),
            "string" | "integer" | "number" => self.make_scalar(s, kind, name),
            _ if nullable => Value::Null,
            _ => json!("value"),
        }
    }

    fn make_one_of(&mut self, schema: &Value, arms: &[Value], name: &str, depth: usize) -> Value {
        let mut first = None;
        // Prefer the richest arm (an object with properties over `{}`), valid as a whole.
        let mut order: Vec<&Value> = arms.iter().collect();
        order.sort_by_key(|a| {
            std::cmp::Reverse(
                self.spec
                    .resolve(a)
                    .get("properties")
                    .and_then(Value::as_object)
                    .map_or(0, Map::len),
            )
        });
        for arm in order {
            let v = self.make(arm, name, depth);
            if self.spec.valid(schema, &v) {
                return v;
            }
            first.get_or_insert(v);
        }
        first.unwrap_or(Value::Null)
    }

    fn make_object(&mut self, s: &Map<String, Value>, depth: usize) -> Value {
        let required: Vec<&str> = s
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let min = s
            .get("minProperties")
            .and_then(Value::as_u64)
            .and_then(|m| usize::try_from(m).ok())
            .unwrap_or(0);
        let mut out = Map::new();
        if let Some(props) = s.get("properties").and_then(Value::as_object) {
            for (k, ps) in props {
                if depth < FULL_DEPTH || required.contains(&k.as_str()) || out.len() < min {
                    let v = self.make(ps, k, depth + 1);
                    out.insert(k.clone(), v);
                }
            }
        }
        self.link(&mut out);
        Value::Object(out)
    }

    fn make_array(&mut self, s: &Map<String, Value>, name: &str, depth: usize) -> Value {
        let min = s.get("minItems").and_then(Value::as_u64).unwrap_or(0);
        let max = s
            .get("maxItems")
            .and_then(Value::as_u64)
            .unwrap_or(2)
            .min(2);
        let n = if depth >= MAX_DEPTH {
            min
        } else {
            max.max(min).min(1.max(min))
        };
        let singular = name.strip_suffix('s').unwrap_or(name);
        let item = s.get("items").cloned().unwrap_or(Value::Null);
        Value::Array(
            (0..n)
                .map(|_| self.make(&item, singular, depth + 1))
                .collect(),
        )
    }

    fn make_scalar(&mut self, s: &Map<String, Value>, kind: &str, name: &str) -> Value {
        let format = s.get("format").and_then(Value::as_str);
        if let Some(example) = s.get("example")
            && format.is_none()
            && self.spec.valid(&Value::Object(s.clone()), example)
            && !matches!(name, "id" | "name" | "email" | "code")
            && !name.ends_with("_id")
        {
            return example.clone();
        }
        let v = realistic::value_for(&mut self.rng, self.refs, name, kind, format).unwrap_or_else(
            || match kind {
                "string" => json!(format!("{} {}", title(name), self.rng.gen_range(1..100))),
                "integer" => json!(self.rng.gen_range(1..100)),
                _ => json!(1.5),
            },
        );
        clamp(s, v)
    }

    /// Makes the ids and embedded people of a generated object agree: the `user` object is the
    /// user of `user_id`, `employee_id` is theirs.
    fn link(&self, out: &mut Map<String, Value>) {
        let Some(uid) = out.get("user_id").and_then(Value::as_str) else {
            return;
        };
        let Some(u) = self.refs.users.iter().find(|u| u.user_id == uid) else {
            return;
        };
        if out.get("employee_id").is_some_and(Value::is_string) {
            out.insert("employee_id".into(), json!(u.employee_id));
        }
        if let Some(Value::Object(user)) = out.get_mut("user") {
            for (k, v) in [
                ("id", &u.user_id),
                ("email", &u.email),
                ("full_name", &u.full_name),
            ] {
                if user.get(k).is_some_and(Value::is_string) {
                    user.insert(k.into(), json!(v));
                }
            }
        }
    }

    fn fit(&mut self, schema: &Value, value: &Value, name: &str, depth: usize) -> Value {
        let spec = self.spec;
        let s = spec.resolve(schema);
        let nullable = schema.get("nullable").and_then(Value::as_bool) == Some(true)
            || s.get("nullable").and_then(Value::as_bool) == Some(true);
        if value.is_null() {
            return if nullable && s.get("enum").is_none() {
                Value::Null
            } else {
                self.make(schema, name, depth)
            };
        }
        if spec.valid(schema, value) {
            return value.clone();
        }
        if let Some(arms) = s.get("allOf").and_then(Value::as_array) {
            let mut cur = value.clone();
            for arm in arms {
                let fitted = self.fit(arm, &cur, name, depth);
                if let (Value::Object(c), Value::Object(f)) = (&mut cur, fitted) {
                    c.extend(f);
                }
            }
            if spec.valid(schema, &cur) {
                return cur;
            }
        }
        for kw in ["oneOf", "anyOf"] {
            if let Some(arms) = s.get(kw).and_then(Value::as_array) {
                for arm in arms {
                    let v = self.fit(arm, value, name, depth);
                    if spec.valid(schema, &v) {
                        return v;
                    }
                }
                return self.make(schema, name, depth);
            }
        }
        match (value, s.get("properties").and_then(Value::as_object)) {
            (Value::Object(m), Some(props)) => self.fit_object(s, props, m, depth),
            (Value::Array(items), _) if s.get("items").is_some() => {
                let item = s.get("items").cloned().unwrap_or(Value::Null);
                let out = Value::Array(
                    items
                        .iter()
                        .map(|v| self.fit(&item, v, name, depth + 1))
                        .collect(),
                );
                if spec.valid(schema, &out) {
                    out
                } else {
                    self.make(schema, name, depth)
                }
            }
            _ => self.make(schema, name, depth),
        }
    }

    fn fit_object(
        &mut self,
        s: &Value,
        props: &Map<String, Value>,
        m: &Map<String, Value>,
        depth: usize,
    ) -> Value {
        let required: Vec<&str> = s
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let mut out = Map::new();
        for (k, ps) in props {
            match m.get(k) {
                Some(v) => {
                    let v = self.fit(ps, v, k, depth + 1);
                    out.insert(k.clone(), v);
                }
                None if required.contains(&k.as_str()) || depth < FULL_DEPTH => {
                    let v = self.make(ps, k, depth + 1);
                    out.insert(k.clone(), v);
                }
                None => {}
            }
        }
        match s.get("additionalProperties") {
            Some(Value::Bool(false)) => {}
            Some(ap @ Value::Object(_)) => {
                for (k, v) in m.iter().filter(|(k, _)| !props.contains_key(*k)) {
                    if self.spec.valid(ap, v) {
                        out.insert(k.clone(), v.clone());
                    }
                }
            }
            _ => {
                for (k, v) in m.iter().filter(|(k, _)| !props.contains_key(*k)) {
                    out.insert(k.clone(), v.clone());
                }
            }
        }
        Value::Object(out)
    }
}

/// `v` moved inside the schema's bounds (minimum, maximum, maxLength).
fn clamp(s: &Map<String, Value>, v: Value) -> Value {
    match &v {
        Value::Number(n) => {
            let mut x = n.as_f64().unwrap_or_default();
            if let Some(max) = s.get("maximum").and_then(Value::as_f64) {
                x = x.min(max);
            }
            if let Some(min) = s.get("minimum").and_then(Value::as_f64) {
                x = x.max(min);
            }
            if v.is_i64() || v.is_u64() {
                #[allow(clippy::cast_possible_truncation)] // bounds are small integers
                return json!(x as i64);
            }
            json!(x)
        }
        Value::String(text) => {
            let max = s
                .get("maxLength")
                .and_then(Value::as_u64)
                .and_then(|m| usize::try_from(m).ok());
            match max {
                Some(max) if text.chars().count() > max => {
                    json!(text.chars().take(max).collect::<String>())
                }
                _ => v,
            }
        }
        _ => v,
    }
}

/// `snake_case` as `Title Case`.
fn title(name: &str) -> String {
    name.split('_')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}
