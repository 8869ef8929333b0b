//! The model: every Rust type the spec needs, lowered from OpenAPI schemas.
//!
//! Rules (each has a unit test below):
//! - `$ref` -> the named type; `nullable` beside it (rewritten to a one-item `allOf` by the fixups) and
//!   single-`$ref` `allOf` wrappers -> the referenced type, nullable when the wrapper says so.
//! - `allOf` with two or more items -> one struct with the merged properties and `required` lists.
//! - string `enum` -> a Rust enum with an `Unknown(String)` fallback; a `null` value makes it nullable.
//! - `oneOf`/`anyOf` -> null arms make the result nullable; one arm left -> that type; otherwise an
//!   untagged enum when every arm has a different JSON kind (boolean, integer, number, string,
//!   array, object), else `serde_json::Value` (counted as a fallback). The recursive `any_type`
//!   lands here: its free-form object arm makes it a `Value`.
//! - `number` -> `Decimal`, `integer` -> `i64`, `format: date-time` -> `OffsetDateTime`, free-form
//!   objects -> `Value`.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use openapiv3::{AdditionalProperties, ReferenceOr, Schema, SchemaKind, Type};
use serde_json::Value;

use super::fixups::NULL_SCHEMAS;
use super::names;

/// A role = one spec file = one cargo feature.
pub type Roles = BTreeSet<String>;

/// A Rust type as generated code spells it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Ty {
    Str,
    DateTime,
    I64,
    Decimal,
    Bool,
    Value,
    /// JSON `null` only (transient: unions drop it, elsewhere it becomes `Value`).
    Null,
    Vec(Box<Ty>),
    Named(String),
}

impl Ty {
    /// The JSON kind the type decodes from, for union distinguishability.
    fn kind(&self, model: &Model) -> Option<&'static str> {
        match self {
            Ty::Str | Ty::DateTime => Some("string"),
            Ty::I64 => Some("integer"),
            Ty::Decimal => Some("number"),
            Ty::Bool => Some("boolean"),
            Ty::Vec(_) => Some("array"),
            Ty::Value | Ty::Null => None,
            Ty::Named(n) => match model.types.get(n).map(|t| &t.def) {
                Some(Def::Struct(_)) => Some("object"),
                Some(Def::Enum(_)) => Some("string"),
                Some(Def::Alias(t)) => t.kind(model),
                Some(Def::Union(_)) | None => None,
            },
        }
    }
}

/// One struct field.
#[derive(Debug, Clone)]
pub struct Field {
    pub rust: String,
    pub json: String,
    pub ty: Ty,
    pub nullable: bool,
    pub required: bool,
    pub facts: Vec<String>,
    pub example: Option<Value>,
}

/// What a generated type is.
#[derive(Debug, Clone)]
pub enum Def {
    Struct(Vec<Field>),
    /// (variant, wire value)
    Enum(Vec<(String, String)>),
    /// (variant, type), in untagged try order.
    Union(Vec<(String, Ty)>),
    Alias(Ty),
}

/// One generated type.
#[derive(Debug, Clone)]
pub struct TypeDef {
    pub name: String,
    /// Where it comes from: `schema expense_out` or `expense_out.custom_fields`.
    pub origin: String,
    pub def: Def,
    pub roles: Roles,
    pub facts: Vec<String>,
    /// Reachable from a request body (fields nullable-and-optional become `Patch<T>`).
    pub input: bool,
    /// Reachable from a response body.
    pub output: bool,
    /// The schema allows keys beyond its `properties` (`additionalProperties: true` or a schema):
    /// the struct keeps them in its `extra` map even when it is only sent.
    pub open: bool,
    canon: String,
}

/// The result of lowering one schema in a field position.
#[derive(Debug, Clone)]
pub struct Lowered {
    pub ty: Ty,
    pub nullable: bool,
    pub example: Option<Value>,
    pub facts: Vec<String>,
}

impl Lowered {
    fn new(ty: Ty) -> Self {
        Self {
            ty,
            nullable: false,
            example: None,
            facts: Vec::new(),
        }
    }
}

/// All generated types plus the component schemas they come from.
#[derive(Debug, Default)]
pub struct Model {
    pub types: BTreeMap<String, TypeDef>,
    /// Component schemas by spec name, with the roles whose file defines them.
    components: BTreeMap<String, (Schema, Roles)>,
    reserved: HashSet<String>,
    cache: HashMap<String, Lowered>,
    in_progress: HashSet<String>,
    /// `(where, why)` for every union that became `serde_json::Value`.
    pub fallbacks: Vec<(String, String)>,
}

/// A schema reference with the `Box` variants of `openapiv3` flattened.
pub fn unbox(r: &ReferenceOr<Box<Schema>>) -> ReferenceOr<Schema> {
    match r {
        ReferenceOr::Reference { reference } => ReferenceOr::Reference {
            reference: reference.clone(),
        },
        ReferenceOr::Item(b) => ReferenceOr::Item((**b).clone()),
    }
}

fn ref_name(reference: &str) -> &str {
    reference.rsplit('/').next().unwrap_or(reference)
}

impl Model {
    /// Registers a component schema of `role`'s file (shared names are identical across files).
    pub fn add_component(&mut self, name: &str, schema: Schema, role: &str) {
        let entry = self
            .components
            .entry(name.to_owned())
            .or_insert_with(|| (schema, Roles::new()));
        entry.1.insert(role.to_owned());
        self.reserved.insert(names::type_name(name));
    }

    /// Number of distinct component schemas.
    pub fn component_count(&self) -> usize {
        self.components.len()
    }

    /// Lowers every component schema (in name order, so output is deterministic).
    pub fn lower_components(&mut self) {
        let names: Vec<String> = self.components.keys().cloned().collect();
        for n in names {
            self.component(&n);
        }
    }

    fn component(&mut self, name: &str) -> Lowered {
        if NULL_SCHEMAS.contains(&name) {
            return Lowered {
                nullable: true,
                ..Lowered::new(Ty::Null)
            };
        }
        if let Some(l) = self.cache.get(name) {
            return l.clone();
        }
        let tname = names::type_name(name);
        if self.in_progress.contains(name) {
            return Lowered::new(Ty::Named(tname));
        }
        let Some((schema, roles)) = self.components.get(name).cloned() else {
            return Lowered {
                facts: vec![format!("unresolved `{name}`")],
                ..Lowered::new(Ty::Value)
            };
        };
        self.in_progress.insert(name.to_owned());
        let origin = format!("schema `{name}`");
        let low = self.lower_schema(&schema, &tname, &origin, &roles, true);
        self.in_progress.remove(name);
        if low.ty != Ty::Named(tname.clone()) {
            // Primitive, array, Value or a wrapper of another type: a documented alias.
            let alias_ty = if low.ty == Ty::Null {
                Ty::Value
            } else {
                low.ty.clone()
            };
            let mut facts = low.facts.clone();
            if low.nullable {
                facts.push("nullable".to_owned());
            }
            self.types.insert(
                tname.clone(),
                TypeDef {
                    name: tname.clone(),
                    origin,
                    def: Def::Alias(alias_ty),
                    roles: roles.clone(),
                    facts,
                    input: false,
                    output: false,
                    open: false,
                    canon: String::new(),
                },
            );
        }
        let mut out = low;
        if let Ty::Named(n) = &out.ty
            && *n != tname
        {
            out.facts.insert(0, format!("schema `{name}`"));
        }
        // Fields that use a component by reference see its type (aliases are resolved to their
        // target so serde adapters apply) and nullability.
        self.cache.insert(name.to_owned(), out.clone());
        out
    }

    /// Lowers a schema reference in a position named `ctx` (the type name used if it needs one).
    pub fn lower(
        &mut self,
        s: &ReferenceOr<Schema>,
        ctx: &str,
        origin: &str,
        roles: &Roles,
    ) -> Lowered {
        match s {
            ReferenceOr::Reference { reference } => {
                let name = ref_name(reference).to_owned();
                let mut l = self.component(&name);
                // The component's own alias for types such as `id_string`: keep a fact.
                if !matches!(l.ty, Ty::Named(_) | Ty::Null)
                    && !l.facts.iter().any(|f| f.starts_with("schema"))
                {
                    l.facts.insert(0, format!("schema `{name}`"));
                }
                l
            }
            ReferenceOr::Item(schema) => self.lower_schema(schema, ctx, origin, roles, false),
        }
    }

    fn lower_schema(
        &mut self,
        s: &Schema,
        ctx: &str,
        origin: &str,
        roles: &Roles,
        top: bool,
    ) -> Lowered {
        let data = &s.schema_data;
        let mut low = match &s.schema_kind {
            SchemaKind::Type(Type::String(st)) => {
                let values: Vec<&Option<String>> = st.enumeration.iter().collect();
                if values.is_empty() {
                    let mut l;
                    let fmt = format!("{:?}", st.format);
                    if fmt.contains("DateTime") {
                        l = Lowered::new(Ty::DateTime);
                        l.facts.push("`string` (`date-time`)".to_owned());
                    } else {
                        l = Lowered::new(Ty::Str);
                        if let openapiv3::VariantOrUnknownOrEmpty::Unknown(f) = &st.format {
                            l.facts.push(format!("`string` (`{f}`)"));
                        } else if fmt.contains("Item") {
                            l.facts.push(format!("`string` ({})", fmt.to_lowercase()));
                        } else {
                            l.facts.push("`string`".to_owned());
                        }
                    }
                    if let Some(m) = st.min_length {
                        l.facts.push(format!("min length {m}"));
                    }
                    if let Some(m) = st.max_length {
                        l.facts.push(format!("max length {m}"));
                    }
                    if let Some(p) = &st.pattern {
                        l.facts.push(format!("pattern `{p}`"));
                    }
                    l
                } else {
                    let strs: Vec<String> = values.iter().filter_map(|v| (*v).clone()).collect();
                    let has_null = values.iter().any(|v| v.is_none());
                    self.string_enum(&strs, has_null, ctx, origin, roles, top)
                }
            }
            SchemaKind::Type(Type::Integer(it)) => {
                let mut l = Lowered::new(Ty::I64);
                l.facts.push("`integer`".to_owned());
                if let Some(m) = it.minimum {
                    l.facts.push(format!("minimum {m}"));
                }
                if let Some(m) = it.maximum {
                    l.facts.push(format!("maximum {m}"));
                }
                let vals: Vec<String> = it
                    .enumeration
                    .iter()
                    .flatten()
                    .map(ToString::to_string)
                    .collect();
                if !vals.is_empty() {
                    l.facts.push(format!("one of {}", vals.join(", ")));
                }
                l
            }
            SchemaKind::Type(Type::Number(nt)) => {
                let mut l = Lowered::new(Ty::Decimal);
                l.facts.push("`number`".to_owned());
                if let Some(m) = nt.minimum {
                    l.facts.push(format!("minimum {m}"));
                }
                if let Some(m) = nt.maximum {
                    l.facts.push(format!("maximum {m}"));
                }
                l
            }
            SchemaKind::Type(Type::Boolean(_)) => {
                let mut l = Lowered::new(Ty::Bool);
                l.facts.push("`boolean`".to_owned());
                l
            }
            SchemaKind::Type(Type::Array(at)) => self.array(
                at.items.as_ref().map(unbox),
                at.max_items,
                ctx,
                origin,
                roles,
            ),
            SchemaKind::Type(Type::Object(ot)) => {
                let props: Vec<(String, ReferenceOr<Schema>)> = ot
                    .properties
                    .iter()
                    .map(|(k, v)| (k.clone(), unbox(v)))
                    .collect();
                self.object(
                    &props,
                    &ot.required,
                    ot.additional_properties.as_ref(),
                    ctx,
                    origin,
                    roles,
                    top,
                )
            }
            SchemaKind::AllOf { all_of } => self.all_of(all_of, &[], &[], ctx, origin, roles, top),
            SchemaKind::OneOf { one_of } => self.union(one_of, "oneOf", ctx, origin, roles, top),
            SchemaKind::AnyOf { any_of } => self.union(any_of, "anyOf", ctx, origin, roles, top),
            SchemaKind::Not { .. } => Lowered::new(Ty::Value),
            SchemaKind::Any(a) => {
                let props: Vec<(String, ReferenceOr<Schema>)> = a
                    .properties
                    .iter()
                    .map(|(k, v)| (k.clone(), unbox(v)))
                    .collect();
                if !a.all_of.is_empty() {
                    self.all_of(&a.all_of, &props, &a.required, ctx, origin, roles, top)
                } else if !props.is_empty()
                    && a.one_of.iter().chain(&a.any_of).next().is_some()
                    && a.one_of.iter().chain(&a.any_of).all(lists_required_only)
                {
                    // `anyOf: [{required: [a, b]}, {required: [id]}]` beside real `properties`
                    // (`admin_expense_in`): the arms only say which fields a valid body has, so
                    // the type is the object of the sibling properties.
                    let mut l = self.object(
                        &props,
                        &a.required,
                        a.additional_properties.as_ref(),
                        ctx,
                        origin,
                        roles,
                        top,
                    );
                    l.facts.push(format!(
                        "one of the field sets {}",
                        required_sets(a.one_of.iter().chain(&a.any_of))
                    ));
                    l
                } else if !a.one_of.is_empty() {
                    self.union(&a.one_of, "oneOf", ctx, origin, roles, top)
                } else if !a.any_of.is_empty() {
                    self.union(&a.any_of, "anyOf", ctx, origin, roles, top)
                } else if !props.is_empty() || a.typ.as_deref() == Some("object") {
                    self.object(
                        &props,
                        &a.required,
                        a.additional_properties.as_ref(),
                        ctx,
                        origin,
                        roles,
                        top,
                    )
                } else if !a.enumeration.is_empty() {
                    let strs: Vec<String> = a
                        .enumeration
                        .iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect();
                    let has_null = a.enumeration.iter().any(Value::is_null);
                    if strs.len() + usize::from(has_null) == a.enumeration.len() {
                        self.string_enum(&strs, has_null, ctx, origin, roles, top)
                    } else {
                        Lowered::new(Ty::Value)
                    }
                } else if a.typ.as_deref() == Some("array") || a.items.is_some() {
                    self.array(a.items.as_ref().map(unbox), a.max_items, ctx, origin, roles)
                } else {
                    match a.typ.as_deref() {
                        Some("string") => Lowered::new(Ty::Str),
                        Some("integer") => Lowered::new(Ty::I64),
                        Some("number") => Lowered::new(Ty::Decimal),
                        Some("boolean") => Lowered::new(Ty::Bool),
                        _ => {
                            let mut l = Lowered::new(Ty::Value);
                            l.facts.push("any JSON value".to_owned());
                            l
                        }
                    }
                }
            }
        };
        low.nullable |= data.nullable;
        if data.example.is_some() {
            low.example.clone_from(&data.example);
        }
        if data.read_only {
            low.facts.push("read-only".to_owned());
        }
        if let Some(d) = &data.default {
            low.facts.push(format!("default `{d}`"));
        }
        low
    }

    fn array(
        &mut self,
        items: Option<ReferenceOr<Schema>>,
        max_items: Option<usize>,
        ctx: &str,
        origin: &str,
        roles: &Roles,
    ) -> Lowered {
        let inner = match items {
            Some(i) => self.lower(&i, &format!("{ctx}Item"), &format!("{origin}[]"), roles),
            None => Lowered::new(Ty::Value),
        };
        let inner_ty = if inner.ty == Ty::Null {
            Ty::Value
        } else {
            inner.ty
        };
        let mut l = Lowered::new(Ty::Vec(Box::new(inner_ty)));
        l.facts.push("array".to_owned());
        l.facts
            .extend(inner.facts.into_iter().map(|f| format!("items: {f}")));
        if let Some(m) = max_items {
            l.facts.push(format!("at most {m} items"));
        }
        if let Some(e) = inner.example {
            l.example = Some(Value::Array(vec![e]));
        }
        l
    }

    #[allow(clippy::too_many_arguments)]
    fn object(
        &mut self,
        props: &[(String, ReferenceOr<Schema>)],
        required: &[String],
        additional: Option<&AdditionalProperties>,
        ctx: &str,
        origin: &str,
        roles: &Roles,
        top: bool,
    ) -> Lowered {
        if props.is_empty() {
            let mut l = Lowered::new(Ty::Value);
            l.facts.push(match additional {
                Some(AdditionalProperties::Schema(_)) => "object map".to_owned(),
                _ => "free-form object".to_owned(),
            });
            return l;
        }
        let mut fields = Vec::new();
        let mut used: HashSet<String> = HashSet::new();
        for (json, p) in props {
            let prop_ctx = format!("{ctx}{}", names::pascal(json));
            let l = self.lower(p, &prop_ctx, &format!("{origin}.{json}"), roles);
            let mut rust = names::field_name(json);
            while !used.insert(rust.clone()) {
                rust.push('_');
            }
            let (ty, nullable) = if l.ty == Ty::Null {
                (Ty::Value, true)
            } else {
                (l.ty, l.nullable)
            };
            fields.push(Field {
                rust,
                json: json.clone(),
                ty,
                nullable,
                required: required.contains(json),
                facts: l.facts,
                example: l.example,
            });
        }
        let open = matches!(
            additional,
            Some(AdditionalProperties::Any(true) | AdditionalProperties::Schema(_))
        );
        let canon = format!("struct open={open} {}", canon_fields(&fields));
        let name = self.define(ctx, origin, Def::Struct(fields), roles, canon, top);
        if let Some(t) = self.types.get_mut(&name) {
            t.open = open;
        }
        Lowered::new(Ty::Named(name))
    }

    fn string_enum(
        &mut self,
        values: &[String],
        has_null: bool,
        ctx: &str,
        origin: &str,
        roles: &Roles,
        top: bool,
    ) -> Lowered {
        if values.is_empty() {
            return Lowered {
                nullable: true,
                ..Lowered::new(Ty::Null)
            };
        }
        let mut used = HashSet::new();
        let mut variants = Vec::new();
        for v in values {
            if variants.iter().any(|(_, w): &(String, String)| w == v) {
                continue;
            }
            let mut n = names::variant_name(v);
            while !used.insert(n.clone()) {
                n.push('_');
            }
            variants.push((n, v.clone()));
        }
        let canon = format!("enum {values:?}");
        let name = self.define(ctx, origin, Def::Enum(variants), roles, canon, top);
        let mut l = Lowered::new(Ty::Named(name));
        l.nullable = has_null;
        l.facts.push(format!(
            "one of {}{}",
            values
                .iter()
                .map(|v| format!("`{v}`"))
                .collect::<Vec<_>>()
                .join(", "),
            if has_null { ", `null`" } else { "" }
        ));
        l
    }

    #[allow(clippy::too_many_arguments)]
    fn all_of(
        &mut self,
        items: &[ReferenceOr<Schema>],
        extra_props: &[(String, ReferenceOr<Schema>)],
        extra_required: &[String],
        ctx: &str,
        origin: &str,
        roles: &Roles,
        top: bool,
    ) -> Lowered {
        if items.len() == 1 && extra_props.is_empty() {
            return self.lower(&items[0], ctx, origin, roles);
        }
        let mut props: Vec<(String, ReferenceOr<Schema>)> = Vec::new();
        let mut required: Vec<String> = Vec::new();
        for item in items {
            self.collect_object(item, &mut props, &mut required, 0);
        }
        for (k, v) in extra_props {
            upsert_prop(&mut props, k, v.clone());
        }
        required.extend(extra_required.iter().cloned());
        let mut l = self.object(&props, &required, None, ctx, origin, roles, top);
        l.facts
            .push(format!("merged from `allOf` of {} schemas", items.len()));
        l
    }

    /// Gathers the properties of an object schema (through refs and nested `allOf`).
    fn collect_object(
        &self,
        s: &ReferenceOr<Schema>,
        props: &mut Vec<(String, ReferenceOr<Schema>)>,
        required: &mut Vec<String>,
        depth: usize,
    ) {
        if depth > 16 {
            return;
        }
        let schema = match s {
            ReferenceOr::Reference { reference } => {
                match self.components.get(ref_name(reference)) {
                    Some((sch, _)) => sch.clone(),
                    None => return,
                }
            }
            ReferenceOr::Item(i) => i.clone(),
        };
        match &schema.schema_kind {
            SchemaKind::Type(Type::Object(ot)) => {
                for (k, v) in &ot.properties {
                    upsert_prop(props, k, unbox(v));
                }
                required.extend(ot.required.iter().cloned());
            }
            SchemaKind::AllOf { all_of } => {
                for i in all_of {
                    self.collect_object(i, props, required, depth + 1);
                }
            }
            SchemaKind::Any(a) => {
                for i in &a.all_of {
                    self.collect_object(i, props, required, depth + 1);
                }
                for (k, v) in &a.properties {
                    upsert_prop(props, k, unbox(v));
                }
                required.extend(a.required.iter().cloned());
            }
            _ => {}
        }
    }

    fn union(
        &mut self,
        arms: &[ReferenceOr<Schema>],
        combinator: &str,
        ctx: &str,
        origin: &str,
        roles: &Roles,
        top: bool,
    ) -> Lowered {
        let mut nullable = false;
        let mut lowered = Vec::new();
        let closed_empty = arms.iter().filter(|a| is_closed_empty_object(a)).count();
        for (i, arm) in arms.iter().enumerate() {
            // `{}` beside an object arm (`matched_corporate_card_transaction`: "empty object when
            // nothing is matched"): the object arm, whose fields are all optional, reads `{}`.
            if closed_empty < arms.len() && is_closed_empty_object(arm) {
                continue;
            }
            let l = self.lower(
                arm,
                &format!("{ctx}Variant{i}"),
                &format!("{origin}|{i}"),
                roles,
            );
            if l.ty == Ty::Null {
                nullable = true;
            } else {
                nullable |= l.nullable;
                lowered.push(l);
            }
        }
        // Identical arms collapse.
        let mut arms_ty: Vec<Ty> = Vec::new();
        for l in &lowered {
            if !arms_ty.contains(&l.ty) {
                arms_ty.push(l.ty.clone());
            }
        }
        if arms_ty.len() == 1 {
            let mut l = lowered.swap_remove(0);
            l.nullable |= nullable;
            return l;
        }
        if arms_ty.is_empty() {
            return Lowered {
                nullable: true,
                ..Lowered::new(Ty::Null)
            };
        }
        let mut kinds: Vec<(&'static str, Ty)> = Vec::new();
        let mut reason = None;
        for t in &arms_ty {
            match t.kind(self) {
                None => {
                    reason = Some(format!("arm `{}` has no single JSON kind", ty_label(t)));
                    break;
                }
                Some(k) if kinds.iter().any(|(k2, _)| *k2 == k) => {
                    reason = Some(format!("two arms decode from a JSON {k}"));
                    break;
                }
                Some(k) => kinds.push((k, t.clone())),
            }
        }
        if let Some(reason) = reason {
            self.fallbacks
                .push((origin.to_owned(), format!("{combinator}: {reason}")));
            let mut l = Lowered::new(Ty::Value);
            l.nullable = nullable;
            l.facts.push(format!(
                "`{combinator}` of {} arms, kept as JSON",
                arms.len()
            ));
            return l;
        }
        let order = ["boolean", "integer", "number", "string", "array", "object"];
        kinds.sort_by_key(|(k, _)| order.iter().position(|o| o == k));
        let variants: Vec<(String, Ty)> = kinds
            .into_iter()
            .map(|(k, t)| {
                let v = match (&t, k) {
                    (Ty::Named(n), _) => n.clone(),
                    (Ty::DateTime, _) => "DateTime".to_owned(),
                    (_, "boolean") => "Boolean".to_owned(),
                    (_, "integer") => "Integer".to_owned(),
                    (_, "number") => "Number".to_owned(),
                    (_, "string") => "String".to_owned(),
                    (_, "array") => "Array".to_owned(),
                    _ => "Object".to_owned(),
                };
                (v, t)
            })
            .collect();
        let canon = format!("union {variants:?}");
        let name = self.define(ctx, origin, Def::Union(variants), roles, canon, top);
        let mut l = Lowered::new(Ty::Named(name));
        l.nullable = nullable;
        l.facts
            .push(format!("`{combinator}` of {} arms", arms.len()));
        l
    }

    /// Adds a type named `ctx` (or `ctx2`, `ctx3`... when that name holds a different type);
    /// an identical type under the same name is shared, and its roles widen.
    fn define(
        &mut self,
        ctx: &str,
        origin: &str,
        def: Def,
        roles: &Roles,
        canon: String,
        top: bool,
    ) -> String {
        let mut n = 1usize;
        loop {
            let name = if n == 1 {
                ctx.to_owned()
            } else {
                format!("{ctx}{n}")
            };
            n += 1;
            if !top && n == 2 && self.reserved.contains(&name) {
                continue;
            }
            if !top && self.reserved.contains(&name) {
                continue;
            }
            match self.types.get_mut(&name) {
                Some(existing) if existing.canon == canon => {
                    existing.roles.extend(roles.iter().cloned());
                    return name;
                }
                Some(_) => {}
                None => {
                    self.types.insert(
                        name.clone(),
                        TypeDef {
                            name: name.clone(),
                            origin: origin.to_owned(),
                            def,
                            roles: roles.clone(),
                            facts: Vec::new(),
                            input: false,
                            output: false,
                            open: false,
                            canon,
                        },
                    );
                    return name;
                }
            }
        }
    }

    /// Types referenced by `t` (names).
    pub fn refs_of(ty: &Ty, out: &mut Vec<String>) {
        match ty {
            Ty::Named(n) => out.push(n.clone()),
            Ty::Vec(i) => Self::refs_of(i, out),
            _ => {}
        }
    }

    /// The types `name` refers to directly.
    pub fn children(&self, name: &str) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(t) = self.types.get(name) {
            match &t.def {
                Def::Struct(fs) => fs.iter().for_each(|f| Self::refs_of(&f.ty, &mut out)),
                Def::Union(vs) => vs.iter().for_each(|(_, t)| Self::refs_of(t, &mut out)),
                Def::Alias(t) => Self::refs_of(t, &mut out),
                Def::Enum(_) => {}
            }
        }
        out
    }

    /// Marks `root` and everything it reaches with `role` and as input/output.
    pub fn mark(&mut self, root: &Ty, role: &str, input: bool) {
        let mut stack = Vec::new();
        Self::refs_of(root, &mut stack);
        let mut seen = HashSet::new();
        while let Some(n) = stack.pop() {
            if !seen.insert(n.clone()) {
                continue;
            }
            if let Some(t) = self.types.get_mut(&n) {
                t.roles.insert(role.to_owned());
                if input {
                    t.input = true;
                } else {
                    t.output = true;
                }
            }
            stack.extend(self.children(&n));
        }
    }

    /// Widens every type's roles to cover the roles of the types that use it.
    pub fn propagate_roles(&mut self) {
        loop {
            let mut changed = false;
            let names: Vec<String> = self.types.keys().cloned().collect();
            for n in &names {
                let roles = self.types[n].roles.clone();
                for c in self.children(n) {
                    if let Some(t) = self.types.get_mut(&c) {
                        let before = t.roles.len();
                        t.roles.extend(roles.iter().cloned());
                        changed |= t.roles.len() != before;
                    }
                }
            }
            if !changed {
                break;
            }
        }
    }

    /// `true` when `name` is the type name of a component schema (other types must not take it).
    pub fn is_reserved(&self, name: &str) -> bool {
        self.reserved.contains(name)
    }

    /// Types no operation sends or returns (callback and webhook bodies such as
    /// `report_out_subscriptions_admin`) can only be decoded by a user: mark them as read, so they
    /// keep the keys the spec does not list like every response type.
    pub fn mark_unreached_as_output(&mut self) {
        let unreached: Vec<String> = self
            .types
            .values()
            .filter(|t| !t.input && !t.output && !t.roles.is_empty())
            .map(|t| t.name.clone())
            .collect();
        let mut stack = unreached;
        let mut seen = HashSet::new();
        while let Some(n) = stack.pop() {
            if !seen.insert(n.clone()) {
                continue;
            }
            if let Some(t) = self.types.get_mut(&n) {
                t.output = true;
            }
            stack.extend(self.children(&n));
        }
    }

    /// The type `name` stands for once aliases of named types are followed.
    pub fn resolve<'a>(&'a self, name: &'a str) -> Option<&'a TypeDef> {
        let mut t = self.types.get(name)?;
        for _ in 0..16 {
            match &t.def {
                Def::Alias(Ty::Named(n)) => t = self.types.get(n)?,
                _ => return Some(t),
            }
        }
        Some(t)
    }

    /// `true` when the struct field `from -> to` (not through a `Vec`) closes a cycle, so it needs a `Box`.
    pub fn needs_box(&self, from: &str, ty: &Ty) -> bool {
        let Ty::Named(to) = ty else { return false };
        let mut stack = vec![to.clone()];
        let mut seen = HashSet::new();
        while let Some(n) = stack.pop() {
            if n == from {
                return true;
            }
            if !seen.insert(n.clone()) {
                continue;
            }
            if let Some(t) = self.types.get(&n) {
                match &t.def {
                    Def::Struct(fs) => {
                        for f in fs {
                            if let Ty::Named(c) = &f.ty {
                                stack.push(c.clone());
                            }
                        }
                    }
                    Def::Union(vs) => {
                        for (_, t) in vs {
                            if let Ty::Named(c) = t {
                                stack.push(c.clone());
                            }
                        }
                    }
                    Def::Alias(Ty::Named(c)) => stack.push(c.clone()),
                    _ => {}
                }
            }
        }
        false
    }
}

/// `true` for an arm that only lists required fields (`{required: [id]}`): no type, no properties.
fn lists_required_only(arm: &ReferenceOr<Schema>) -> bool {
    match arm {
        ReferenceOr::Item(s) => match &s.schema_kind {
            SchemaKind::Any(a) => {
                !a.required.is_empty()
                    && a.typ.is_none()
                    && a.properties.is_empty()
                    && a.all_of.is_empty()
                    && a.any_of.is_empty()
                    && a.one_of.is_empty()
                    && a.items.is_none()
                    && a.enumeration.is_empty()
            }
            _ => false,
        },
        ReferenceOr::Reference { .. } => false,
    }
}

/// The field sets of required-only arms, for docs: `` `admin_amount`+`assignee_user_email` or `id` ``.
fn required_sets<'a>(arms: impl Iterator<Item = &'a ReferenceOr<Schema>>) -> String {
    arms.filter_map(|arm| match arm {
        ReferenceOr::Item(Schema {
            schema_kind: SchemaKind::Any(a),
            ..
        }) => Some(
            a.required
                .iter()
                .map(|r| format!("`{r}`"))
                .collect::<Vec<_>>()
                .join("+"),
        ),
        _ => None,
    })
    .collect::<Vec<_>>()
    .join(" or ")
}

/// `true` for `{type: object, properties: {}, additionalProperties: false}`: only `{}`.
fn is_closed_empty_object(arm: &ReferenceOr<Schema>) -> bool {
    let ReferenceOr::Item(s) = arm else {
        return false;
    };
    match &s.schema_kind {
        SchemaKind::Type(Type::Object(ot)) => {
            ot.properties.is_empty()
                && matches!(
                    ot.additional_properties,
                    Some(AdditionalProperties::Any(false))
                )
        }
        SchemaKind::Any(a) => {
            a.typ.as_deref() == Some("object")
                && a.properties.is_empty()
                && matches!(
                    a.additional_properties,
                    Some(AdditionalProperties::Any(false))
                )
        }
        _ => false,
    }
}

fn upsert_prop(props: &mut Vec<(String, ReferenceOr<Schema>)>, k: &str, v: ReferenceOr<Schema>) {
    if let Some(slot) = props.iter_mut().find(|(k2, _)| k2 == k) {
        slot.1 = v;
    } else {
        props.push((k.to_owned(), v));
    }
}

fn canon_fields(fields: &[Field]) -> String {
    fields
        .iter()
        .map(|f| {
            format!(
                "{}:{:?}:{}:{}:{:?}",
                f.json, f.ty, f.nullable, f.required, f.example
            )
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// A short label of a type, for messages.
pub fn ty_label(t: &Ty) -> String {
    match t {
        Ty::Str => "String".into(),
        Ty::DateTime => "OffsetDateTime".into(),
        Ty::I64 => "i64".into(),
        Ty::Decimal => "Decimal".into(),
        Ty::Bool => "bool".into(),
        Ty::Value | Ty::Null => "serde_json::Value".into(),
        Ty::Vec(i) => format!("Vec<{}>", ty_label(i)),
        Ty::Named(n) => n.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(yaml: &str) -> Model {
        let mut doc: serde_yaml_ng::Value = serde_yaml_ng::from_str(yaml).unwrap();
        let mut stats = super::super::fixups::FixupStats::default();
        super::super::fixups::apply(&mut doc, &mut stats);
        let map: BTreeMap<String, Schema> = serde_yaml_ng::from_value(doc).unwrap();
        let mut m = Model::default();
        for (k, v) in map {
            m.add_component(&k, v, "admin");
        }
        m.lower_components();
        m
    }

    fn field<'a>(m: &'a Model, ty: &str, f: &str) -> &'a Field {
        match &m.types[ty].def {
            Def::Struct(fs) => fs.iter().find(|x| x.json == f).unwrap(),
            other => panic!("{ty} is {other:?}"),
        }
    }

    #[test]
    fn nullable_beside_ref() {
        let m = model(
            "a:\n  type: object\n  properties:\n    b:\n      $ref: '#/components/schemas/b'\n      nullable: true\n\
             b:\n  type: object\n  properties:\n    x: {type: string}\n",
        );
        let f = field(&m, "A", "b");
        assert_eq!(f.ty, Ty::Named("B".into()));
        assert!(f.nullable);
    }

    #[test]
    fn single_ref_all_of_is_the_ref() {
        let m = model(
            "a:\n  type: object\n  properties:\n    b:\n      allOf:\n        - $ref: '#/components/schemas/b'\n      nullable: true\n\
             b:\n  type: string\n  format: date-time\n",
        );
        let f = field(&m, "A", "b");
        assert_eq!(f.ty, Ty::DateTime);
        assert!(f.nullable);
        assert!(!m.types.contains_key("AB"));
    }

    #[test]
    fn real_all_of_merges() {
        let m = model(
            "file_in:\n  type: object\n  required: [name]\n  properties:\n    name: {type: string}\n\
             admin_file_in:\n  allOf:\n    - $ref: '#/components/schemas/file_in'\n    - type: object\n      properties:\n        user_id: {type: string}\n",
        );
        let Def::Struct(fs) = &m.types["AdminFileIn"].def else {
            panic!()
        };
        let names: Vec<&str> = fs.iter().map(|f| f.json.as_str()).collect();
        assert_eq!(names, ["name", "user_id"]);
        assert!(fs[0].required);
    }

    #[test]
    fn one_of_distinguishable_and_not() {
        let m = model(
            "key:\n  oneOf:\n    - type: string\n    - type: integer\n\
             two_objects:\n  oneOf:\n    - {type: object, properties: {a: {type: string}}}\n    - {type: object, properties: {b: {type: string}}}\n",
        );
        let Def::Union(vs) = &m.types["Key"].def else {
            panic!()
        };
        assert_eq!(
            vs.iter().map(|v| v.0.as_str()).collect::<Vec<_>>(),
            ["Integer", "String"]
        );
        assert!(matches!(&m.types["TwoObjects"].def, Def::Alias(Ty::Value)));
        assert_eq!(m.fallbacks.len(), 1);
    }

    #[test]
    fn enum_with_null() {
        let m = model(
            "a:\n  type: object\n  properties:\n    error_type:\n      type: string\n      nullable: true\n      enum: [MAPPING, null]\n",
        );
        let f = field(&m, "A", "error_type");
        assert!(f.nullable);
        let Def::Enum(vs) = &m.types["AErrorType"].def else {
            panic!()
        };
        assert_eq!(vs, &[("Mapping".to_owned(), "MAPPING".to_owned())]);
    }

    #[test]
    fn keyword_and_digit_names() {
        let m = model(
            "'400':\n  type: object\n  properties:\n    type: {type: string}\n    if: {type: string}\n    configName: {type: string}\n",
        );
        let Def::Struct(fs) = &m.types["Status400"].def else {
            panic!()
        };
        let names: Vec<&str> = fs.iter().map(|f| f.rust.as_str()).collect();
        assert_eq!(names, ["type_", "if_", "config_name"]);
    }

    #[test]
    fn recursive_any_type_is_value() {
        let m = model(
            "any_type:\n  anyOf:\n    - type: string\n    - type: number\n    - type: integer\n    - type: boolean\n    - type: array\n      items:\n        $ref: '#/components/schemas/any_type'\n    - type: object\n\
             holder:\n  type: object\n  properties:\n    v:\n      $ref: '#/components/schemas/any_type'\n",
        );
        assert!(matches!(&m.types["AnyType"].def, Def::Alias(Ty::Value)));
        assert_eq!(field(&m, "Holder", "v").ty, Ty::Value);
    }

    #[test]
    fn required_only_arms_beside_properties_are_the_object() {
        let m = model(
            "admin_expense_in:\n  type: object\n  anyOf:\n    - required: [admin_amount]\n    - required: [id]\n  properties:\n    id: {type: string}\n    admin_amount: {type: number}\n",
        );
        let Def::Struct(fs) = &m.types["AdminExpenseIn"].def else {
            panic!("{:?}", m.types["AdminExpenseIn"].def)
        };
        assert_eq!(fs.len(), 2);
        assert!(m.fallbacks.is_empty());
    }

    #[test]
    fn an_empty_closed_object_arm_leaves_the_object_arm() {
        let m = model(
            "matched:\n  anyOf:\n    - {type: object, additionalProperties: false, properties: {}}\n    - {type: object, properties: {id: {type: string}}}\n",
        );
        // The object arm is the type: `Matched` is that struct, or an alias naming it.
        let target = match &m.types["Matched"].def {
            Def::Struct(_) => "Matched".to_owned(),
            Def::Alias(Ty::Named(n)) => n.clone(),
            other => panic!("{other:?}"),
        };
        assert!(matches!(&m.types[target.as_str()].def, Def::Struct(_)));
        assert!(m.fallbacks.is_empty());
    }

    #[test]
    fn null_field_any_of_is_nullable_timestamp() {
        let m = model(
            "null_field:\n  type: string\n  nullable: true\n\
             ts:\n  type: string\n  format: date-time\n\
             a:\n  type: object\n  properties:\n    joined_at:\n      anyOf:\n        - $ref: '#/components/schemas/null_field'\n        - $ref: '#/components/schemas/ts'\n",
        );
        let f = field(&m, "A", "joined_at");
        assert_eq!(f.ty, Ty::DateTime);
        assert!(f.nullable);
    }
}
