//! `crates/fyle-models/src/generated/operations/*.rs`: the operation table.

use std::collections::BTreeMap;

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use super::model::{Ty, ty_label};
use super::ops::Op;
use super::render::{self, docs, md};

fn ident(s: &str) -> Ident {
    Ident::new(s, Span::call_site())
}

/// The `Role` variant of a feature name.
pub fn role_variant(role: &str) -> Ident {
    ident(&heck::ToPascalCase::to_pascal_case(role))
}

fn type_str(t: Option<&Ty>) -> TokenStream {
    t.map_or_else(
        || quote!(None),
        |t| {
            let label = ty_label(t);
            quote!(Some(#label))
        },
    )
}

/// Doc lines shared by the table entry and the facade method.
pub fn op_docs(op: &Op) -> Vec<String> {
    let mut lines = vec![
        format!("{}.", md(op.summary.trim_end_matches('.'))),
        String::new(),
        format!(
            "`{} {}` (role `{}`), operationId `{}`{}.",
            op.method,
            op.path,
            op.role,
            op.operation_id,
            if op.derived_id {
                " (derived: the spec has none)"
            } else {
                ""
            }
        ),
        format!(
            "Kind: {}; request: {}{}; response: {}{}.",
            op.kind,
            op.request_body,
            op.request_ty
                .as_ref()
                .map(|t| format!(" `{}`", ty_label(t)))
                .unwrap_or_default(),
            op.response_body,
            op.response_ty
                .as_ref()
                .map(|t| format!(" `{}`", ty_label(t)))
                .unwrap_or_default()
        ),
    ];
    if op.auth == "None" {
        lines.push(
            "Sent without an access token (no `Authorization` header): it mints tokens.".to_owned(),
        );
    }
    if op.accepted {
        lines.push(
            "Answers `202 Accepted` (`{message}`) while the result is computed: the facade \
             returns that as the typed not-ready error (`fyle::ErrorKind::NotReady`), never as \
             an empty result."
                .to_owned(),
        );
    }
    if !op.query.is_empty() {
        lines.push(format!(
            "Query parameters: {}.",
            op.query
                .iter()
                .map(|(n, r)| if *r {
                    format!("`{n}` (required)")
                } else {
                    format!("`{n}`")
                })
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    lines.push(format!("Docs: <{}>", op.docs_url()));
    lines
}

/// Files of the table, relative to the models crate.
pub fn emit(ops: &[Op], commit: &str) -> anyhow::Result<Vec<(String, String)>> {
    let mut by_role: BTreeMap<&str, Vec<&Op>> = BTreeMap::new();
    for op in ops {
        by_role.entry(op.role.as_str()).or_default().push(op);
    }
    let mut files = Vec::new();
    let mut mods = Vec::new();
    let mut all = Vec::new();
    for (role, ops) in &by_role {
        let rv = role_variant(role);
        let items = ops.iter().map(|op| {
            let c = ident(&op.const_name);
            let d = docs(&op_docs(op));
            let method = ident(if op.method == "GET" { "Get" } else { "Post" });
            let path = &op.path;
            let id = &op.operation_id;
            let summary = &op.summary;
            let kind = ident(op.kind);
            let rq = ident(op.request_body);
            let rs = ident(op.response_body);
            let rqt = type_str(op.request_ty.as_ref());
            let rst = type_str(op.response_ty.as_ref());
            let qs = op
                .query
                .iter()
                .map(|(n, r)| quote!(QueryParam { name: #n, required: #r }));
            let url = op.docs_url();
            let auth = ident(op.auth);
            let accepted = op.accepted;
            quote! {
                #d
                pub static #c: Operation = Operation {
                    role: Role::#rv,
                    method: HttpMethod::#method,
                    path: #path,
                    operation_id: #id,
                    summary: #summary,
                    kind: OperationKind::#kind,
                    request_body: BodyShape::#rq,
                    response_body: BodyShape::#rs,
                    request_type: #rqt,
                    response_type: #rst,
                    query_params: &[#(#qs),*],
                    docs_url: #url,
                    auth: OperationAuth::#auth,
                    answers_accepted: #accepted,
                };
            }
        });
        let consts: Vec<Ident> = ops.iter().map(|o| ident(&o.const_name)).collect();
        let doc = format!(
            " Operations of role `{role}` ({}).",
            super::emit_api::plural(ops.len(), "operation")
        );
        let qp = if ops.iter().any(|o| !o.query.is_empty()) {
            quote!(QueryParam,)
        } else {
            quote!()
        };
        let tokens = quote! {
            #![doc = #doc]
            use super::{BodyShape, HttpMethod, Operation, OperationAuth, OperationKind, #qp Role};
            #(#items)*
            /// Every operation of this role, in spec order.
            pub static ALL: &[&Operation] = &[#(&#consts),*];
        };
        files.push((
            format!("src/generated/operations/{role}.rs"),
            render::file(commit, tokens)?,
        ));
        let m = ident(role);
        let f = role.to_string();
        let mdoc = format!(" Operations of role `{role}` (feature `{role}`).");
        mods.push(quote!(#[doc = #mdoc] #[cfg(feature = #f)] pub mod #m;));
        for c in &consts {
            all.push(quote!(#[cfg(feature = #f)] &#m::#c));
        }
    }
    let tokens = quote! {
        //! The operation table: every operation of the spec, one `static` each, grouped by role.
        pub use crate::operation::{BodyShape, HttpMethod, Operation, OperationAuth, OperationKind, QueryParam, Role, find};
        #(#mods)*
        /// Every operation of the enabled roles, in role then spec order.
        pub static ALL: &[&Operation] = &[#(#all),*];
    };
    files.push((
        "src/generated/operations/mod.rs".to_owned(),
        render::file(commit, tokens)?,
    ));
    Ok(files)
}
