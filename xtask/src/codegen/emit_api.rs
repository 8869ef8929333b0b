//! `crates/fyle/src/generated/{mod.rs,<role>.rs}` (the module `fyle::api`): one method per operation, grouped by role and resource.
//!
//! Naming (`method_names` is the single place these rules live):
//! - resource = the path segment after the role (`/admin/expenses/...` -> `expenses()`); for the
//!   accounts server (`/oauth/token`) the first segment.
//! - at the resource root: GET list -> `list()` (+ `get(id)`), other GETs -> `get()`, download ->
//!   `download(id)`, POST upsert -> `upsert(body)`, POST bulk -> `bulk(body)`, other POSTs -> `post(..)`.
//! - below the root: the remaining segments joined with `_` (`attach_files/bulk` ->
//!   `attach_files_bulk`, `reports/submit` -> `submit`).
//! - collisions (same name in one resource, i.e. GET and POST on one sub-path): sorted by
//!   (path, method), the later one gets `_upsert` (a POST upsert on a sub-collection, e.g.
//!   `exports()` lists and `exports_upsert(..)` creates) or `_post`/`_get` appended, then a number.

use std::collections::{BTreeMap, HashSet};

use heck::ToPascalCase;
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use super::emit_ops::op_docs;
use super::emit_types::ty_tokens;
use super::model::Ty;
use super::names;
use super::ops::Op;
use super::render::{self, docs};

fn ident(s: &str) -> Ident {
    Ident::new(s, Span::call_site())
}

/// (resource, rest-of-path segments) of an operation.
pub fn split_path(op: &Op) -> (String, Vec<String>) {
    let segs: Vec<String> = op
        .path
        .trim_start_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    let skip = usize::from(segs.first().is_some_and(|s| *s == op.role));
    let resource = segs.get(skip).cloned().unwrap_or_else(|| "root".to_owned());
    (resource, segs.iter().skip(skip + 1).cloned().collect())
}

/// Method name for each operation of one resource, in the given order (see the module docs).
pub fn method_names(ops: &[&Op]) -> Vec<String> {
    let mut order: Vec<usize> = (0..ops.len()).collect();
    order.sort_by(|&a, &b| (&ops[a].path, ops[a].method).cmp(&(&ops[b].path, ops[b].method)));
    let mut used: HashSet<String> = HashSet::new();
    // `get` is taken by `get(id)` when the resource root has a list.
    if ops
        .iter()
        .any(|o| o.kind == "List" && split_path(o).1.is_empty())
    {
        used.insert("get".to_owned());
    }
    let mut out = vec![String::new(); ops.len()];
    for i in order {
        let op = ops[i];
        let rest = split_path(op).1;
        let base = if rest.is_empty() {
            match op.kind {
                "List" => "list".to_owned(),
                "Download" => "download".to_owned(),
                "Upsert" => "upsert".to_owned(),
                "Bulk" => "bulk".to_owned(),
                _ if op.method == "GET" => "get".to_owned(),
                _ => "post".to_owned(),
            }
        } else {
            names::ident_name(&rest.join("_"))
        };
        let mut name = base.clone();
        if used.contains(&name) {
            let suffix = if op.kind == "Upsert" {
                "upsert".to_owned()
            } else {
                op.method.to_lowercase()
            };
            name = format!("{}_{suffix}", base.trim_end_matches('_'));
        }
        let mut n = 2;
        while used.contains(&name) {
            name = format!("{base}_{n}");
            n += 1;
        }
        used.insert(name.clone());
        out[i] = name;
    }
    out
}

/// `"1 operation"`, `"3 operations"`.
pub fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

fn payload(t: Option<&Ty>) -> TokenStream {
    t.map_or_else(
        || quote!(::serde_json::Value),
        |t| ty_tokens(t, &quote!(types::)),
    )
}

fn method(op: &Op, name: &str) -> TokenStream {
    let fn_name = ident(name);
    let op_const = ident(&op.const_name);
    let doc_attrs = docs(&op_docs(op));
    let opref = quote!(&ops::#op_const);
    match op.kind {
        "List" => {
            let item = payload(op.response_ty.as_ref());
            let get = if name == "list" {
                let gd = docs(&[
                    format!(
                        "Fetches one item by id through `{} {}?id=eq.<id>`.",
                        op.method, op.path
                    ),
                    "A count of 0 is a typed not-found error.".to_owned(),
                ]);
                quote! {
                    #gd
                    pub async fn get(&self, id: impl std::fmt::Display) -> Result<#item> {
                        self.list().fetch_by_id(id).await
                    }
                }
            } else {
                quote!()
            };
            quote! {
                #doc_attrs
                pub fn #fn_name(&self) -> ListRequest<#item> {
                    ListRequest::new(self.client.clone(), #opref)
                }
                #get
            }
        }
        "GetSingle" | "GetArray" | "GetOther" => {
            let item = payload(op.response_ty.as_ref());
            let ret = if op.kind == "GetArray" {
                quote!(Vec<#item>)
            } else {
                item
            };
            quote! {
                #doc_attrs
                pub fn #fn_name(&self) -> GetRequest<#ret> {
                    GetRequest::new(self.client.clone(), #opref)
                }
            }
        }
        "Download" => quote! {
            #doc_attrs
            pub async fn #fn_name(&self, id: &str) -> Result<crate::files::Download> {
                self.client.download(#opref, id).await
            }
        },
        _ => {
            let ret = match op.response_body {
                "None" => quote!(()),
                "EmptyObject" | "Redirect" => quote!(::serde_json::Value),
                "DataArray" => {
                    let item = payload(op.response_ty.as_ref());
                    quote!(Vec<#item>)
                }
                // An action that answers a list envelope (`{count, offset, data}`): the page.
                "List" => {
                    let item = payload(op.response_ty.as_ref());
                    quote!(crate::Page<#item>)
                }
                _ => payload(op.response_ty.as_ref()),
            };
            match op.request_body {
                "None" | "EmptyObject" => quote! {
                    #doc_attrs
                    pub async fn #fn_name(&self) -> Result<#ret> {
                        self.client.execute::<(), #ret>(#opref, None).await
                    }
                },
                "DataArray" => {
                    let item = payload(op.request_ty.as_ref());
                    quote! {
                        #doc_attrs
                        pub async fn #fn_name(&self, body: &[#item]) -> Result<#ret> {
                            self.client.execute(#opref, Some(body)).await
                        }
                    }
                }
                _ => {
                    let item = payload(op.request_ty.as_ref());
                    quote! {
                        #doc_attrs
                        pub async fn #fn_name(&self, body: &#item) -> Result<#ret> {
                            self.client.execute(#opref, Some(body)).await
                        }
                    }
                }
            }
        }
    }
}

/// Files relative to `crates/fyle`, plus the naming table `(role, resource, method, op const)` for the report.
/// `(role, resource, method, operation const)`.
pub type NamingRow = (String, String, String, String);

/// `(path, text)` of generated files.
pub type Files = Vec<(String, String)>;

/// Generated files, and the naming table.
pub fn emit(ops: &[Op], commit: &str) -> anyhow::Result<(Files, Vec<NamingRow>)> {
    let mut by_role: BTreeMap<&str, BTreeMap<String, Vec<&Op>>> = BTreeMap::new();
    for op in ops {
        let (res, _) = split_path(op);
        by_role
            .entry(op.role.as_str())
            .or_default()
            .entry(res)
            .or_default()
            .push(op);
    }
    let mut files = Vec::new();
    let mut table = Vec::new();
    let mut role_fns = Vec::new();
    let mut mods = Vec::new();
    for (role, resources) in &by_role {
        let role_ty = ident(&role.to_pascal_case());
        let role_mod = ident(role);
        let mut accessors = Vec::new();
        let mut structs = Vec::new();
        for (res, rops) in resources {
            let res_ident = ident(&names::ident_name(res));
            let res_ty = ident(&format!("{}{}", role.to_pascal_case(), names::pascal(res)));
            let mnames = method_names(rops);
            let methods = rops.iter().zip(&mnames).map(|(op, n)| method(op, n));
            for (op, n) in rops.iter().zip(&mnames) {
                table.push((
                    (*role).to_owned(),
                    res.clone(),
                    n.clone(),
                    op.const_name.clone(),
                ));
            }
            let url = if *role == "accounts" {
                format!("/{res}")
            } else {
                format!("/{role}/{res}")
            };
            let count = plural(rops.len(), "operation");
            let adoc = format!(" `{url}` ({count}).");
            accessors.push(quote! {
                #[doc = #adoc]
                pub fn #res_ident(&self) -> #res_ty {
                    #res_ty { client: self.client.clone() }
                }
            });
            let sdoc = format!(" Operations under `{url}` ({count}).");
            structs.push(quote! {
                #[doc = #sdoc]
                #[derive(Clone)]
                pub struct #res_ty {
                    client: Client,
                }
                impl #res_ty {
                    #(#methods)*
                }
            });
        }
        let rdoc = format!(" Role `{role}`: feature `{role}`, reached with `client.{role}()`.");
        let tokens = quote! {
            #![doc = #rdoc]
            #[allow(unused_imports)]
            use crate::{Client, GetRequest, ListRequest, Result};
            use fyle_models::operations::#role_mod as ops;
            #[allow(unused_imports)]
            use fyle_models::types;

            #[doc = #rdoc]
            #[derive(Clone)]
            pub struct #role_ty {
                client: Client,
            }
            impl #role_ty {
                pub(crate) fn new(client: Client) -> Self {
                    Self { client }
                }
                #(#accessors)*
            }
            #(#structs)*
        };
        files.push((
            format!("src/generated/{role}.rs"),
            render::file(commit, tokens)?,
        ));
        let f = role.to_string();
        let mdoc = format!(" Operations of role `{role}`.");
        mods.push(quote!(#[doc = #mdoc] #[cfg(feature = #f)] pub mod #role_mod;));
        let fdoc = format!(" Operations of role `{role}` (feature `{role}`).");
        role_fns.push(quote! {
            #[doc = #fdoc]
            #[cfg(feature = #f)]
            pub fn #role_mod(&self) -> #role_mod::#role_ty {
                #role_mod::#role_ty::new(self.clone())
            }
        });
    }
    let tokens = quote! {
        //! One method per operation of the spec, grouped by role and resource:
        //! `client.admin().expenses().list()`. Generated from the operation table.
        #![allow(clippy::unused_async, clippy::missing_errors_doc)]
        #(#mods)*
        impl crate::Client {
            #(#role_fns)*
        }
    };
    files.push((
        "src/generated/mod.rs".to_owned(),
        render::file(commit, tokens)?,
    ));
    Ok((files, table))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(method: &'static str, path: &str, kind: &'static str) -> Op {
        Op {
            role: path.split('/').nth(1).unwrap_or_default().to_owned(),
            file: "admin".to_owned(),
            method,
            path: path.to_owned(),
            operation_id: "x".to_owned(),
            derived_id: false,
            summary: String::new(),
            kind,
            request_body: "None",
            response_body: "None",
            request_ty: None,
            response_ty: None,
            query: Vec::new(),
            const_name: "X".to_owned(),
            auth: "Bearer",
            accepted: false,
        }
    }

    #[test]
    fn names_follow_the_path() {
        let ops = [
            op("GET", "/admin/expenses", "List"),
            op("POST", "/admin/expenses", "Upsert"),
            op("POST", "/admin/expenses/bulk", "Bulk"),
            op("POST", "/admin/expenses/attach_files/bulk", "Bulk"),
            op("GET", "/admin/expenses/exports", "List"),
            op("POST", "/admin/expenses/exports", "Upsert"),
            op("POST", "/admin/expenses/stats", "Action"),
            op("GET", "/admin/expenses/stats", "GetSingle"),
        ];
        let refs: Vec<&Op> = ops.iter().collect();
        assert_eq!(
            method_names(&refs),
            [
                "list",
                "upsert",
                "bulk",
                "attach_files_bulk",
                "exports",
                "exports_upsert",
                "stats_post",
                "stats"
            ]
        );
        assert_eq!(plural(1, "operation"), "1 operation");
        assert_eq!(plural(2, "operation"), "2 operations");
        let single = [op("GET", "/spender/my_profile", "GetSingle")];
        assert_eq!(method_names(&single.iter().collect::<Vec<_>>()), ["get"]);
        assert_eq!(split_path(&single[0]), ("my_profile".to_owned(), vec![]));
        let submit = op("POST", "/spender/reports/submit", "Action");
        assert_eq!(
            split_path(&submit),
            ("reports".to_owned(), vec!["submit".to_owned()])
        );
        let token = Op {
            role: "accounts".to_owned(),
            ..op("POST", "/oauth/token", "Action")
        };
        assert_eq!(
            split_path(&token),
            ("oauth".to_owned(), vec!["token".to_owned()])
        );
    }
}
