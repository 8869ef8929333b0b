//! Operations: classification (domain brief §1.1), body shapes and payload types.

use openapiv3::{
    Components, OAuth2Flows, OpenAPI, Parameter, ReferenceOr, RequestBody, Response, Schema,
    SchemaKind, SecurityScheme, StatusCode, Type,
};

use super::fixups::derived_operation_id;
use super::model::{Lowered, Model, Roles, Ty};
use super::names;

/// One operation, ready to emit.
#[derive(Debug, Clone)]
pub struct Op {
    pub role: String,
    pub file: String,
    pub method: &'static str,
    pub path: String,
    pub operation_id: String,
    pub derived_id: bool,
    pub summary: String,
    pub kind: &'static str,
    pub request_body: &'static str,
    pub response_body: &'static str,
    pub request_ty: Option<Ty>,
    pub response_ty: Option<Ty>,
    pub query: Vec<(String, bool)>,
    pub const_name: String,
    /// `OperationAuth` variant: `"Bearer"` or `"None"` (see [`auth_of`]).
    pub auth: &'static str,
    /// The spec declares a `202 Accepted` answer (the result is not ready yet).
    pub accepted: bool,
}

impl Op {
    /// Link to the operation in the published reference.
    pub fn docs_url(&self) -> String {
        format!(
            "https://docs.fylehq.com/docs/fyle-platform-docs/reference/{}.yaml/paths/{}/{}",
            self.file,
            self.path.replace('~', "~0").replace('/', "~1"),
            self.method.to_lowercase()
        )
    }
}

/// The item `r` names: itself, or the entry of a components table it references (one level;
/// the specs never chain references there).
fn resolve<'a, T>(
    api: &'a OpenAPI,
    r: &'a ReferenceOr<T>,
    table: impl FnOnce(&'a Components, &str) -> Option<&'a ReferenceOr<T>>,
) -> Option<&'a T> {
    match r {
        ReferenceOr::Item(item) => Some(item),
        ReferenceOr::Reference { reference } => {
            let name = reference.rsplit('/').next()?;
            match table(api.components.as_ref()?, name)? {
                ReferenceOr::Item(item) => Some(item),
                ReferenceOr::Reference { .. } => None,
            }
        }
    }
}

fn resolve_body<'a>(api: &'a OpenAPI, r: &'a ReferenceOr<RequestBody>) -> Option<&'a RequestBody> {
    resolve(api, r, |c, name| c.request_bodies.get(name))
}

fn resolve_response<'a>(api: &'a OpenAPI, r: &'a ReferenceOr<Response>) -> Option<&'a Response> {
    resolve(api, r, |c, name| c.responses.get(name))
}

fn resolve_param<'a>(api: &'a OpenAPI, r: &'a ReferenceOr<Parameter>) -> Option<&'a Parameter> {
    resolve(api, r, |c, name| c.parameters.get(name))
}

/// Named properties of an inline object schema.
type Props = Vec<(String, ReferenceOr<Schema>)>;

/// Properties of an inline object schema, or `None` when it is not one.
fn inline_props(s: &ReferenceOr<Schema>) -> Option<(Props, bool)> {
    let ReferenceOr::Item(schema) = s else {
        return None;
    };
    match &schema.schema_kind {
        SchemaKind::Type(Type::Object(o)) => Some((
            o.properties
                .iter()
                .map(|(k, v)| (k.clone(), super::model::unbox(v)))
                .collect(),
            true,
        )),
        SchemaKind::Any(a) if a.all_of.is_empty() && a.one_of.is_empty() && a.any_of.is_empty() => {
            let props: Vec<(String, ReferenceOr<Schema>)> = a
                .properties
                .iter()
                .map(|(k, v)| (k.clone(), super::model::unbox(v)))
                .collect();
            let objectish =
                a.typ.as_deref() == Some("object") || a.typ.is_none() && a.enumeration.is_empty();
            objectish.then_some((props, true))
        }
        _ => None,
    }
}

/// The token URLs of the file's OAuth 2.0 flows: the endpoints that mint tokens.
fn token_urls(api: &OpenAPI) -> Vec<&str> {
    let Some(components) = &api.components else {
        return Vec::new();
    };
    let flows = components
        .security_schemes
        .values()
        .filter_map(|s| match s {
            ReferenceOr::Item(SecurityScheme::OAuth2 { flows, .. }) => Some(flows),
            _ => None,
        });
    let mut urls = Vec::new();
    for OAuth2Flows {
        password,
        client_credentials,
        authorization_code,
        ..
    } in flows
    {
        urls.extend(password.iter().map(|f| f.token_url.as_str()));
        urls.extend(client_credentials.iter().map(|f| f.token_url.as_str()));
        urls.extend(authorization_code.iter().map(|f| f.token_url.as_str()));
    }
    urls
}

/// Whether `op` at `path` sends the Bearer token (`"Bearer"`) or nothing (`"None"`).
///
/// - The operation's `security`, else the file's: an empty list, or only empty requirements,
///   means no authentication.
/// - An operation whose URL (a server URL + `path`) is the `tokenUrl` of one of the file's OAuth
///   2.0 flows mints tokens and cannot require one: `POST /oauth/token` is sent without a
///   token, so an access token never goes with a client secret or refresh token.
/// - Otherwise every Fyle operation needs the token (the spec declares no global `security`,
///   yet every data and cluster call is refused without one).
pub fn auth_of(api: &OpenAPI, path: &str, op: &openapiv3::Operation) -> &'static str {
    if let Some(requirements) = op.security.as_ref().or(api.security.as_ref())
        && requirements
            .iter()
            .all(openapiv3::SecurityRequirement::is_empty)
    {
        return "None";
    }
    let mints_tokens = token_urls(api).iter().any(|token_url| {
        api.servers
            .iter()
            .any(|s| format!("{}{path}", s.url.trim_end_matches('/')) == *token_url)
    });
    if mints_tokens { "None" } else { "Bearer" }
}

fn payload(
    model: &mut Model,
    s: &ReferenceOr<Schema>,
    ctx: &str,
    origin: &str,
    roles: &Roles,
) -> Lowered {
    let l = model.lower(s, ctx, origin, roles);
    if l.ty == Ty::Null {
        Lowered { ty: Ty::Value, ..l }
    } else {
        l
    }
}

/// Collects every operation of one spec file, lowering inline payload schemas into `model`.
pub fn collect(api: &OpenAPI, role: &str, file: &str, model: &mut Model) -> Vec<Op> {
    let roles: Roles = std::iter::once(role.to_owned()).collect();
    // Paths with a GET list in this file: POST `{data:{..}}` there is an upsert.
    let mut raw = Vec::new();
    for (path, item) in &api.paths.paths {
        let ReferenceOr::Item(item) = item else {
            continue;
        };
        for (method, op) in [("GET", &item.get), ("POST", &item.post)] {
            if let Some(op) = op {
                raw.push((path.clone(), method, op.clone()));
            }
        }
        assert!(
            item.put.is_none() && item.patch.is_none() && item.delete.is_none(),
            "{path}: only GET and POST are expected"
        );
    }
    let mut ops = Vec::new();
    for (path, method, op) in &raw {
        let (operation_id, derived_id) = match &op.operation_id {
            Some(id) => (id.clone(), false),
            None => (derived_operation_id(path), true),
        };
        let ctx = names::type_name(&operation_id);
        let origin = format!("{method} {path}");
        // Request.
        let mut request_body = "None";
        let mut request_ty = None;
        let mut data_is_array = false;
        let mut data_is_object = false;
        if let Some(schema) = op
            .request_body
            .as_ref()
            .and_then(|r| resolve_body(api, r))
            .and_then(|rb| rb.content.get("application/json"))
            .and_then(|m| m.schema.as_ref())
        {
            {
                match inline_props(schema) {
                    Some((props, _)) if props.is_empty() => request_body = "EmptyObject",
                    Some((props, _)) if props.iter().any(|(k, _)| k == "data") => {
                        let data = &props.iter().find(|(k, _)| k == "data").expect("checked").1;
                        let l = payload(
                            model,
                            data,
                            &format!("{ctx}Request"),
                            &format!("{origin} request data"),
                            &roles,
                        );
                        if props.len() == 1 {
                            if let Ty::Vec(inner) = l.ty {
                                data_is_array = true;
                                request_body = "DataArray";
                                request_ty = Some(*inner);
                            } else {
                                data_is_object = true;
                                request_body = "Data";
                                request_ty = Some(l.ty);
                            }
                        } else {
                            data_is_array = matches!(l.ty, Ty::Vec(_));
                            let whole = payload(
                                model,
                                schema,
                                &format!("{ctx}Body"),
                                &format!("{origin} request"),
                                &roles,
                            );
                            request_body = "Bare";
                            request_ty = Some(whole.ty);
                        }
                    }
                    _ => {
                        let whole = payload(
                            model,
                            schema,
                            &format!("{ctx}Body"),
                            &format!("{origin} request"),
                            &roles,
                        );
                        request_body = "Bare";
                        request_ty = Some(whole.ty);
                    }
                }
            }
        }
        // Response.
        let responses = &op.responses.responses;
        let ok = responses
            .get(&StatusCode::Code(200))
            .and_then(|r| resolve_response(api, r));
        let mut response_body = "None";
        let mut response_ty = None;
        let mut is_list = false;
        match ok {
            None if responses.contains_key(&StatusCode::Code(302)) => response_body = "Redirect",
            None => {}
            Some(resp) => {
                if let Some(schema) = resp
                    .content
                    .get("application/json")
                    .and_then(|m| m.schema.as_ref())
                {
                    match inline_props(schema) {
                        Some((props, _)) if props.is_empty() => response_body = "EmptyObject",
                        Some((props, _)) if props.iter().any(|(k, _)| k == "data") => {
                            let data = &props.iter().find(|(k, _)| k == "data").expect("checked").1;
                            let has = |n: &str| props.iter().any(|(k, _)| k == n);
                            let only_envelope = props
                                .iter()
                                .all(|(k, _)| ["data", "count", "offset"].contains(&k.as_str()));
                            let l = payload(
                                model,
                                data,
                                &format!("{ctx}Response"),
                                &format!("{origin} response data"),
                                &roles,
                            );
                            if has("count") && only_envelope {
                                is_list = true;
                                response_body = "List";
                                response_ty = Some(match l.ty {
                                    Ty::Vec(inner) => *inner,
                                    other => other,
                                });
                            } else if props.len() == 1 {
                                if let Ty::Vec(inner) = l.ty {
                                    response_body = "DataArray";
                                    response_ty = Some(*inner);
                                } else {
                                    response_body = "Data";
                                    response_ty = Some(l.ty);
                                }
                            } else {
                                let whole = payload(
                                    model,
                                    schema,
                                    &format!("{ctx}ResponseBody"),
                                    &format!("{origin} response"),
                                    &roles,
                                );
                                response_body = "Bare";
                                response_ty = Some(whole.ty);
                            }
                        }
                        _ => {
                            let whole = payload(
                                model,
                                schema,
                                &format!("{ctx}ResponseBody"),
                                &format!("{origin} response"),
                                &roles,
                            );
                            response_body = "Bare";
                            response_ty = Some(whole.ty);
                        }
                    }
                } else if !resp.content.is_empty() {
                    response_body = "Bare";
                    response_ty = Some(Ty::Value);
                }
            }
        }
        let mut query = Vec::new();
        for p in &op.parameters {
            if let Some(Parameter::Query { parameter_data, .. }) = resolve_param(api, p)
                && !query
                    .iter()
                    .any(|(n, _): &(String, bool)| *n == parameter_data.name)
            {
                query.push((parameter_data.name.clone(), parameter_data.required));
            }
        }
        ops.push(Op {
            role: role.to_owned(),
            file: file.to_owned(),
            method,
            path: path.clone(),
            const_name: names::const_name(&operation_id),
            operation_id,
            derived_id,
            summary: op.summary.clone().unwrap_or_default().trim().to_owned(),
            kind: "",
            request_body,
            response_body,
            request_ty,
            response_ty,
            query,
            auth: auth_of(api, path, op),
            accepted: responses.contains_key(&StatusCode::Code(202)),
        });
        let last = ops.last_mut().expect("just pushed");
        last.kind = if *method == "GET" {
            match last.response_body {
                "List" => "List",
                "Data" => "GetSingle",
                "DataArray" => "GetArray",
                "Redirect" => "Download",
                _ => "GetOther",
            }
        } else if data_is_array {
            "Bulk"
        } else {
            "Action"
        };
        let _ = (is_list, data_is_object);
        if *method == "POST" && data_is_object {
            last.kind = "Data"; // provisional, settled below
        }
    }
    // Upserts: `{data: {..}}` on a collection path: a GET on the same path answers a collection
    // (a list `{count, offset, data: [..]}` or an array `{data: [..]}`), or the path is
    // `/role/resource`. One rule for every role, so the same kind of operation gets the same
    // method name (`filters()` and `filters_upsert(..)` on expenses, employees, cards, reports).
    let list_paths: Vec<String> = ops
        .iter()
        .filter(|o| o.kind == "List" || o.kind == "GetArray")
        .map(|o| o.path.clone())
        .collect();
    for o in &mut ops {
        if o.kind == "Data" {
            let depth = o.path.trim_start_matches('/').split('/').count();
            o.kind = if list_paths.contains(&o.path) || depth == 2 {
                "Upsert"
            } else {
                "Action"
            };
        }
    }
    ops
}
