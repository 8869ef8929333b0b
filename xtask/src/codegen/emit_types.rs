//! `crates/fyle-models-{core,spend,cards,org}/src/generated/types/*.rs`: one module per resource
//! (`expenses`, `reports`, ...; see `names::RESOURCES`) in the crate `split` gives each type, and
//! the re-exports that make them one `fyle_models::types` namespace
//! (`crates/fyle-models/src/generated/types/mod.rs`).

use std::collections::BTreeMap;

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use super::model::{Def, Field, Model, Roles, Ty, TypeDef};
use super::names;
use super::render::{self, cfg, code, docs};
use super::split::{self, ModelCrate};

fn ident(s: &str) -> Ident {
    Ident::new(s, Span::call_site())
}

/// Tokens of a type; named types are prefixed with `prefix` (`` or `types::`).
pub fn ty_tokens(ty: &Ty, prefix: &TokenStream) -> TokenStream {
    match ty {
        Ty::Str => quote!(String),
        Ty::DateTime => quote!(::time::OffsetDateTime),
        Ty::I64 => quote!(i64),
        Ty::Decimal => quote!(::rust_decimal::Decimal),
        Ty::Bool => quote!(bool),
        Ty::Value | Ty::Null => quote!(::serde_json::Value),
        Ty::Vec(i) => {
            let i = ty_tokens(i, prefix);
            quote!(Vec<#i>)
        }
        Ty::Named(n) => {
            let n = ident(n);
            quote!(#prefix #n)
        }
    }
}

/// The `crate::wire` adapter a field of this type needs inside `container` (`option`, `patch`, or
/// `""` for a bare value), if any.
fn wire_path(ty: &Ty, container: &str) -> Option<String> {
    let (base, vec) = match ty {
        Ty::DateTime => ("datetime", false),
        Ty::Decimal => ("number", false),
        Ty::Vec(i) if **i == Ty::DateTime => ("datetime", true),
        Ty::Vec(i) if **i == Ty::Decimal => ("number", true),
        Ty::Vec(i) => {
            assert!(
                wire_path(i, "").is_none(),
                "no wire adapter for nested {ty:?}"
            );
            return None;
        }
        _ => return None,
    };
    let shape = match (container, vec) {
        ("", false) => String::new(),
        ("", true) => "::vec".to_owned(),
        (c, false) => format!("::{c}"),
        (c, true) => format!("::{c}_vec"),
    };
    Some(format!("crate::wire::{base}{shape}"))
}

pub(super) fn field_docs(f: &Field, input: bool) -> Vec<String> {
    let mut lines = vec![format!("`{}`", f.json)];
    let mut facts: Vec<String> = f.facts.iter().map(|x| md_fact(x)).collect();
    if f.required && f.nullable && input {
        facts.push("required (always sent: `None` is sent as `null`)".to_owned());
    } else if f.required {
        facts.push(if input {
            "required".to_owned()
        } else {
            "required by the spec: read it with `.require()`".to_owned()
        });
    }
    if f.nullable {
        facts.push("nullable".to_owned());
    }
    if let Some(e) = f.example.as_ref().and_then(code) {
        facts.push(format!("example {e}"));
    }
    if !facts.is_empty() {
        lines[0] = format!("`{}`: {}.", f.json, facts.join(", "));
    }
    lines
}

/// Facts are built by the generator with their own backticks; escape only what rustdoc would misread.
fn md_fact(f: &str) -> String {
    f.replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('[', "\\[")
        .replace(']', "\\]")
}

fn type_docs(t: &TypeDef) -> Vec<String> {
    let mut lines = vec![format!("Generated from {}.", md_fact(&t.origin))];
    if !t.facts.is_empty() {
        lines.push(String::new());
        lines.push(format!(
            "{}.",
            t.facts
                .iter()
                .map(|f| md_fact(f))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    lines.push(String::new());
    lines.push(format!(
        "Roles: {}.",
        t.roles
            .iter()
            .map(|r| format!("`{r}`"))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    lines
}

/// A field's Rust type, and whether it is a `Patch`: a nullable optional input
/// field is `Patch<T>` (absent, null or a value), any other field `Option<T>`; `T` is boxed where
/// the field closes a cycle.
pub(super) fn field_ty(model: &Model, t: &TypeDef, f: &Field) -> (TokenStream, bool) {
    let inner = ty_tokens(&f.ty, &quote!());
    let inner = if model.needs_box(&t.name, &f.ty) {
        quote!(Box<#inner>)
    } else {
        inner
    };
    if t.input && f.nullable && !f.required {
        (quote!(crate::Patch<#inner>), true)
    } else {
        (quote!(Option<#inner>), false)
    }
}

fn emit_struct(model: &Model, t: &TypeDef, fields: &[Field], gate: &TokenStream) -> TokenStream {
    let name = ident(&t.name);
    let input = t.input;
    let fs = fields.iter().map(|f| {
        let rust = ident(&f.rust);
        // A required-and-nullable input field is always sent: `None` is `null`, never "absent".
        let always_sent = input && f.nullable && f.required;
        let (ty, patch) = field_ty(model, t, f);
        let (skip, container) = if patch {
            ("crate::Patch::is_absent", "patch")
        } else {
            ("Option::is_none", "option")
        };
        let mut attrs = Vec::new();
        if f.rust != f.json {
            let j = &f.json;
            attrs.push(quote!(rename = #j));
        }
        attrs.push(quote!(default));
        if !always_sent {
            attrs.push(quote!(skip_serializing_if = #skip));
        }
        if let Some(w) = wire_path(&f.ty, container) {
            attrs.push(quote!(with = #w));
        }
        let d = docs(&field_docs(f, input));
        quote! {
            #d
            #[serde(#(#attrs),*)]
            pub #rust: #ty,
        }
    });
    let extra = extra_field(t, fields);
    if !fields.iter().any(|f| is_secret(&f.json)) {
        return quote! {
            #[derive(Debug, Clone, PartialEq, Default, ::serde::Serialize, ::serde::Deserialize)]
            pub struct #name {
                #(#fs)*
                #extra
            }
        };
    }
    let debug = redacting_debug(t, fields);
    quote! {
        #[derive(Clone, PartialEq, Default, ::serde::Serialize, ::serde::Deserialize)]
        pub struct #name {
            #(#fs)*
            #extra
        }
        #gate
        #debug
    }
}

/// Fields that carry a credential: never printed by `Debug`.
const SECRET_FIELDS: &[&str] = &["client_secret", "refresh_token", "access_token"];

fn is_secret(json: &str) -> bool {
    SECRET_FIELDS.contains(&json)
}

/// A `Debug` that prints `[redacted]` for credential fields (`client_secret`, `refresh_token`,
/// `access_token`), so a logged request or response never leaks one.
fn redacting_debug(t: &TypeDef, fields: &[Field]) -> TokenStream {
    let name = ident(&t.name);
    let label = &t.name;
    let entries = fields.iter().map(|f| {
        let rust = ident(&f.rust);
        let key = &f.rust;
        if is_secret(&f.json) {
            quote!(.field(#key, &"[redacted]"))
        } else {
            quote!(.field(#key, &self.#rust))
        }
    });
    quote! {
        impl ::std::fmt::Debug for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(#label)
                    #(#entries)*
                    .finish_non_exhaustive()
            }
        }
    }
}

/// The name of the map that keeps keys the spec does not list: `extra`, or `extra_` when the
/// spec has a field named `extra`.
pub fn extra_name(fields: &[Field]) -> String {
    let mut name = "extra".to_owned();
    while fields.iter().any(|f| f.rust == name) {
        name.push('_');
    }
    name
}

/// `true` when the struct keeps unknown keys: every type read from a response (real objects carry
/// fields the spec lacks, such as `settlement_id`), and every open object (`additionalProperties`).
pub fn keeps_extra(t: &TypeDef) -> bool {
    t.output || t.open
}

/// The flattened map of keys the spec does not list, on types that keep them. serde decodes the
/// known fields directly and buffers only the unknown keys; the map re-encodes them unchanged.
fn extra_field(t: &TypeDef, fields: &[Field]) -> TokenStream {
    if !keeps_extra(t) {
        return quote!();
    }
    let name = ident(&extra_name(fields));
    let doc = if t.open {
        " Keys beyond the listed fields (the schema allows any: custom field names, for example), kept and re-encoded as they came."
    } else {
        " Keys the spec does not list (for example `settlement_id`), kept and re-encoded as they came."
    };
    quote! {
        #[doc = #doc]
        #[serde(flatten)]
        pub #name: ::serde_json::Map<String, ::serde_json::Value>,
    }
}

fn emit_enum(t: &TypeDef, variants: &[(String, String)], gate: &TokenStream) -> TokenStream {
    let name = ident(&t.name);
    let vs = variants.iter().map(|(v, w)| {
        let v = ident(v);
        let d = format!(" `{w}`");
        quote!(#[doc = #d] #v,)
    });
    let to = variants.iter().map(|(v, w)| {
        let v = ident(v);
        quote!(Self::#v => #w,)
    });
    let from = variants.iter().map(|(v, w)| {
        let v = ident(v);
        quote!(#w => Self::#v,)
    });
    quote! {
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum #name {
            #(#vs)*
            /// A value this version of the SDK does not know (the spec's enums grow).
            Unknown(String),
        }
        #gate
        impl #name {
            /// The wire value.
            pub fn as_str(&self) -> &str {
                match self {
                    #(#to)*
                    Self::Unknown(other) => other,
                }
            }
            pub(crate) fn from_wire(value: &str) -> Self {
                match value {
                    #(#from)*
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }
        #gate
        crate::impl_string_enum!(#name);
    }
}

fn emit_union(t: &TypeDef, variants: &[(String, Ty)]) -> TokenStream {
    let name = ident(&t.name);
    let vs = variants.iter().map(|(v, ty)| {
        let vi = ident(v);
        let tt = ty_tokens(ty, &quote!());
        let with = wire_path(ty, "").map(|w| quote!(#[serde(with = #w)]));
        let d = format!(" `{}`.", super::model::ty_label(ty));
        quote!(#[doc = #d] #vi(#with #tt),)
    });
    quote! {
        #[derive(Debug, Clone, PartialEq, ::serde::Serialize, ::serde::Deserialize)]
        #[serde(untagged)]
        pub enum #name {
            #(#vs)*
            /// Any other JSON value (a shape this version of the SDK does not know).
            Other(::serde_json::Value),
        }
    }
}

/// The target of a `pub type` alias. serde's `with` cannot reach through an alias, so an alias of
/// a formatted primitive names the wire newtype (`fyle_models::wire::Timestamp`,
/// `fyle_models::wire::Number`) that reads and writes Fyle's format on its own. Fields never use the
/// alias: they name the target type and carry the `with` adapter.
fn alias_tokens(ty: &Ty) -> TokenStream {
    match ty {
        Ty::DateTime => quote!(crate::wire::Timestamp),
        Ty::Decimal => quote!(crate::wire::Number),
        Ty::Vec(i) if matches!(**i, Ty::DateTime | Ty::Decimal) => {
            let i = alias_tokens(i);
            quote!(Vec<#i>)
        }
        other => ty_tokens(other, &quote!()),
    }
}

fn emit_type(model: &Model, t: &TypeDef, module_roles: &Roles) -> TokenStream {
    let d = docs(&type_docs(t));
    let gate = if t.roles == *module_roles {
        quote!()
    } else {
        cfg(&t.roles)
    };
    let body = match &t.def {
        Def::Struct(fs) => emit_struct(model, t, fs, &gate),
        Def::Enum(vs) => emit_enum(t, vs, &gate),
        Def::Union(vs) => emit_union(t, vs),
        Def::Alias(ty) => {
            let name = ident(&t.name);
            let ty = alias_tokens(ty);
            quote!(pub type #name = #ty;)
        }
    };
    quote! {
        #d
        #gate
        #body
    }
}

/// Every generated type file: each type in the crate `split::assign` gives it (paths from the
/// workspace root), and `fyle-models`' `types` module re-exporting them all.
pub fn emit(model: &Model, commit: &str) -> anyhow::Result<Vec<(String, String)>> {
    let crates = split::assign(model);
    let mut files = Vec::new();
    for krate in ModelCrate::ALL {
        files.extend(emit_crate(model, commit, &crates, krate)?);
    }
    let uses = ModelCrate::ALL.iter().map(|k| {
        let k = ident(&k.krate());
        // A role may have no type in a group: the glob is then empty, which is fine.
        quote! {
            #[allow(unused_imports, unreachable_pub)]
            pub use ::#k::types::*;
        }
    });
    let tokens = quote! {
        //! Every schema of the spec as a Rust type, in one namespace (`fyle_models::types`).
        //!
        //! The types are compiled in four crates that cargo builds side by side (`fyle-models-core`
        //! holds the types several resource groups share; `-spend`, `-cards` and `-org` the rest);
        //! each type is compiled only when a role feature that uses it is on.
        #(#uses)*
    };
    files.push((
        "crates/fyle-models/src/generated/types/mod.rs".to_owned(),
        render::file(commit, tokens)?,
    ));
    Ok(files)
}

/// The `types` modules of one crate: one file per module, and the crate's `types/mod.rs`.
fn emit_crate(
    model: &Model,
    commit: &str,
    crates: &BTreeMap<String, ModelCrate>,
    krate: ModelCrate,
) -> anyhow::Result<Vec<(String, String)>> {
    let mut modules: BTreeMap<String, Vec<&TypeDef>> = BTreeMap::new();
    for t in model.types.values() {
        if crates.get(&t.name) == Some(&krate) {
            modules
                .entry(names::module_of(&t.name))
                .or_default()
                .push(t);
        }
    }
    let dir = format!("crates/{}/src/generated/types", krate.package());
    let mut files = Vec::new();
    let mut decls = Vec::new();
    for (m, types) in &modules {
        let roles: Roles = types.iter().flat_map(|t| t.roles.iter().cloned()).collect();
        let items = types.iter().map(|t| emit_type(model, t, &roles));
        let doc = if m == names::FALLBACK_MODULE {
            " Types of no single resource: shared values, stats, filters and errors' leftovers."
                .to_owned()
        } else {
            format!(" Types of the `{m}` resource: its objects, their fields' types and payloads.")
        };
        let tokens = quote! {
            #![doc = #doc]
            #[allow(unused_imports, clippy::wildcard_imports)]
            use super::*;
            #(#items)*
        };
        files.push((format!("{dir}/{m}.rs"), render::file(commit, tokens)?));
        let mi = ident(m);
        let gate = cfg(&roles);
        decls.push(quote! {
            #gate
            mod #mi;
            #gate
            pub use #mi::*;
        });
    }
    // A group crate's types refer to the shared ones by name, as if they were its own.
    let shared = (krate != ModelCrate::Core).then(|| {
        quote! {
            #[allow(unused_imports, clippy::wildcard_imports)]
            use ::fyle_models_core::types::*;
        }
    });
    let doc = format!(
        " The generated types of `{}` (re-exported as `fyle_models::types`).",
        krate.package()
    );
    let tokens = quote! {
        #![doc = #doc]
        //!
        //! Each type is compiled only when a role feature that uses it is on.
        #shared
        #(#decls)*
    };
    files.push((format!("{dir}/mod.rs"), render::file(commit, tokens)?));
    Ok(files)
}
