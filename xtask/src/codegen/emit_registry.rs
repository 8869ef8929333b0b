//! `crates/fyle-models/src/generated/registry.rs` (feature `registry`): every generated type reachable
//! by its name, so the conformance suite (`crates/fyle-spec-check`) can decode and re-encode a value
//! through any type without reading the generator's model of the spec.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use super::model::{Def, Model, TypeDef};
use super::render::{self, cfg};

/// The registry file (`path relative to the models crate`, text).
pub fn emit(model: &Model, commit: &str) -> anyhow::Result<(String, String)> {
    let emitted: Vec<&TypeDef> = model
        .types
        .values()
        .filter(|t| !t.roles.is_empty())
        .collect();
    let entries = emitted.iter().map(|t| entry(t));
    let arms = emitted.iter().map(|t| {
        let name = &t.name;
        let ty = Ident::new(name, Span::call_site());
        let gate = cfg(&t.roles);
        quote! {
            #gate
            #name => Some(visitor.visit::<crate::types::#ty>()),
        }
    });
    let defaults = emitted
        .iter()
        .filter(|t| {
            t.input
                && model
                    .resolve(&t.name)
                    .is_some_and(|r| matches!(r.def, Def::Struct(_)))
        })
        .map(|t| {
            let name = &t.name;
            let ty = Ident::new(name, Span::call_site());
            let gate = cfg(&t.roles);
            quote! {
                #gate
                #name => Some(::serde_json::to_value(crate::types::#ty::default()).map_err(|e| e.to_string())),
            }
        });
    let tokens = quote! {
        //! Every generated type by name (feature `registry`, for conformance tests): `TYPES` lists
        //! them with the spec schema and roles they come from, `round_trip` decodes a JSON value
        //! through one and encodes it again.

        /// One generated type.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct TypeEntry {
            /// The Rust name in `fyle_models::types`.
            pub name: &'static str,
            /// Where the spec defines it: a component schema, or a field or arm inside one.
            pub origin: &'static str,
            /// The roles (cargo features) that compile it.
            pub roles: &'static [&'static str],
            /// Reachable from a request body.
            pub input: bool,
            /// Reachable from a response body.
            pub output: bool,
        }

        /// Every generated type, in name order (whether or not its roles are compiled).
        pub static TYPES: &[TypeEntry] = &[#(#entries),*];

        /// Something done with one generated type, chosen by name at run time ([`with_type`]).
        pub trait TypeVisitor {
            /// What the visit returns.
            type Out;
            /// Runs with `T` = the generated type.
            fn visit<T>(self) -> Self::Out
            where
                T: ::serde::de::DeserializeOwned + ::serde::Serialize;
        }

        /// Calls `visitor` with the generated type named `type_name`; `None` when no such type is
        /// compiled (unknown name, or none of its role features is on).
        pub fn with_type<V: TypeVisitor>(type_name: &str, visitor: V) -> Option<V::Out> {
            match type_name {
                #(#arms)*
                _ => None,
            }
        }

        /// Decodes `json` into the generated type named `type_name` with plain serde and encodes it
        /// back; `None` when no such type is compiled. The error names the JSON path that failed.
        pub fn round_trip(
            type_name: &str,
            json: &::serde_json::Value,
        ) -> Option<Result<::serde_json::Value, String>> {
            with_type(type_name, Strict(json))
        }

        /// Decodes `json` the way the facade does ([`crate::lenient::decode_value`]: values of the
        /// wrong shape are repaired, each with a warning) and encodes it back; `None` when no such
        /// type is compiled.
        pub fn round_trip_lenient(
            type_name: &str,
            json: &::serde_json::Value,
        ) -> Option<Result<(::serde_json::Value, Vec<crate::lenient::DecodeWarning>), String>> {
            with_type(type_name, Lenient(json))
        }

        struct Strict<'a>(&'a ::serde_json::Value);

        impl TypeVisitor for Strict<'_> {
            type Out = Result<::serde_json::Value, String>;
            fn visit<T>(self) -> Self::Out
            where
                T: ::serde::de::DeserializeOwned + ::serde::Serialize,
            {
                let text = self.0.to_string();
                let mut de = ::serde_json::Deserializer::from_str(&text);
                let value: T = ::serde_path_to_error::deserialize(&mut de)
                    .map_err(|e| format!("decode at {}: {}", e.path(), e.inner()))?;
                ::serde_json::to_value(&value).map_err(|e| format!("encode: {e}"))
            }
        }

        struct Lenient<'a>(&'a ::serde_json::Value);

        impl TypeVisitor for Lenient<'_> {
            type Out = Result<(::serde_json::Value, Vec<crate::lenient::DecodeWarning>), String>;
            fn visit<T>(self) -> Self::Out
            where
                T: ::serde::de::DeserializeOwned + ::serde::Serialize,
            {
                let decoded = crate::lenient::decode_value::<T>(self.0.clone())
                    .map_err(|e| format!("decode at {}: {}", e.path(), e.inner()))?;
                let value = ::serde_json::to_value(&decoded.value).map_err(|e| format!("encode: {e}"))?;
                Ok((value, decoded.warnings))
            }
        }

        /// Encodes `Default::default()` of the generated input struct named `type_name`: what a
        /// caller who sets no field sends. `None` for other names and uncompiled roles.
        pub fn default_json(type_name: &str) -> Option<Result<::serde_json::Value, String>> {
            match type_name {
                #(#defaults)*
                _ => None,
            }
        }

    };
    Ok((
        "src/generated/registry.rs".to_owned(),
        render::file(commit, tokens)?,
    ))
}

fn entry(t: &TypeDef) -> TokenStream {
    let name = &t.name;
    let origin = &t.origin;
    let roles = t.roles.iter();
    let (input, output) = (t.input, t.output);
    quote! {
        TypeEntry { name: #name, origin: #origin, roles: &[#(#roles),*], input: #input, output: #output }
    }
}
