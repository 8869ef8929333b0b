//! The operation walker: every `paths` entry of every role file, with its parameters, request body,
//! responses by status and callbacks, read straight from the YAML.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::{Spec, SpecError};

/// One operation of one role file.
#[derive(Debug, Clone)]
pub struct Operation {
    /// Role file stem (`admin`, `authorization`, ...).
    pub file: String,
    /// `GET` or `POST` (upper case).
    pub method: String,
    /// The path as written (`/admin/expenses`).
    pub path: String,
    /// The `operationId`, when the spec gives one.
    pub operation_id: Option<String>,
    /// Path-level and operation-level parameters, references resolved.
    pub parameters: Vec<Parameter>,
    /// The JSON request body schema, as written (may be a `$ref`).
    pub request_body: Option<Value>,
    /// Whether the spec marks the request body required.
    pub request_body_required: bool,
    /// Responses by status code (`"200"`, `"202"`, `"302"`, ...); `None` when the status has no JSON body.
    pub responses: BTreeMap<String, Option<Value>>,
    /// Callbacks the operation declares (webhook bodies).
    pub callbacks: Vec<Callback>,
    /// The operation's `security`, else the file's top-level one, as written (`None` when
    /// neither says).
    pub security: Option<Value>,
    /// Whether a server URL of the file + the path is the `tokenUrl` of one of the file's OAuth
    /// 2.0 flows: the operation mints tokens.
    pub is_token_url: bool,
}

impl Operation {
    /// Whether the spec lets this operation go without an access token: its `security` lists
    /// only empty requirements, or it is the OAuth 2.0 `tokenUrl`.
    pub fn token_free(&self) -> bool {
        let empty_security = self.security.as_ref().is_some_and(|s| {
            s.as_array().is_some_and(|reqs| {
                reqs.iter()
                    .all(|r| r.as_object().is_some_and(serde_json::Map::is_empty))
            })
        });
        empty_security || self.is_token_url
    }
}

/// A declared parameter.
#[derive(Debug, Clone)]
pub struct Parameter {
    /// Its name.
    pub name: String,
    /// `query`, `path`, `header` or `cookie`.
    pub location: String,
    /// Whether the spec requires it.
    pub required: bool,
    /// Its schema, when given.
    pub schema: Option<Value>,
}

/// A callback request the server sends (a webhook).
#[derive(Debug, Clone)]
pub struct Callback {
    /// The callback's name (`REPORT.*`).
    pub name: String,
    /// The URL expression (`{$request.body#/data/webhook_url}`).
    pub url: String,
    /// The method the server uses.
    pub method: String,
    /// The callback's `operationId`.
    pub operation_id: Option<String>,
    /// The body schema the server sends.
    pub request_body: Option<Value>,
}

/// The outer shape of a request or response body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Envelope {
    /// No JSON body.
    None,
    /// `{data: T}` (without `count`).
    Data(Value),
    /// `{data: [T]}` (without `count`).
    DataArray(Value),
    /// `{count, offset, data: [T]}`; `Data`, `DataArray` and `List` hold no other field.
    List(Value),
    /// An object without properties or with only `additionalProperties` (`{}`).
    EmptyObject,
    /// Anything else: the schema itself.
    Bare(Value),
}

impl Envelope {
    /// The schema inside the envelope (the item of a list), if any.
    pub fn inner(&self) -> Option<&Value> {
        match self {
            Self::Data(v) | Self::DataArray(v) | Self::List(v) | Self::Bare(v) => Some(v),
            Self::None | Self::EmptyObject => None,
        }
    }
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

impl Spec {
    /// Every operation of every role file, in file then path order.
    pub fn operations(&self) -> Result<Vec<Operation>, SpecError> {
        let mut out = Vec::new();
        for (file, doc) in self.documents() {
            let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
                continue;
            };
            for (path, item) in paths {
                let shared = item.get("parameters");
                for method in METHODS {
                    if let Some(op) = item.get(method) {
                        out.push(self.operation(file, method, path, shared, op)?);
                    }
                }
            }
        }
        Ok(out)
    }

    fn operation(
        &self,
        file: &str,
        method: &str,
        path: &str,
        shared: Option<&Value>,
        op: &Value,
    ) -> Result<Operation, SpecError> {
        let mut parameters = Vec::new();
        for list in [shared, op.get("parameters")].into_iter().flatten() {
            for p in list.as_array().into_iter().flatten() {
                parameters.push(self.parameter(file, p)?);
            }
        }
        let body = match op.get("requestBody") {
            Some(b) => Some(self.deref(file, b)?),
            None => None,
        };
        let mut responses = BTreeMap::new();
        for (status, resp) in op
            .get("responses")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let resp = self.deref(file, resp)?;
            responses.insert(status.clone(), json_schema_of(resp));
        }
        Ok(Operation {
            file: file.to_owned(),
            method: method.to_uppercase(),
            path: path.to_owned(),
            operation_id: op
                .get("operationId")
                .and_then(Value::as_str)
                .map(str::to_owned),
            parameters,
            request_body: body.and_then(json_schema_of),
            request_body_required: body
                .and_then(|b| b.get("required"))
                .and_then(Value::as_bool)
                .unwrap_or(false),
            responses,
            callbacks: self.callbacks(file, op)?,
            security: op
                .get("security")
                .or_else(|| self.document(file).ok()?.get("security"))
                .cloned(),
            is_token_url: self.is_token_url(file, path)?,
        })
    }

    /// Whether a server URL of `file` + `path` is one of the file's OAuth 2.0 `tokenUrl`s.
    fn is_token_url(&self, file: &str, path: &str) -> Result<bool, SpecError> {
        let doc = self.document(file)?;
        let token_urls: Vec<&str> = doc
            .pointer("/components/securitySchemes")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .filter_map(|(_, scheme)| scheme.get("flows")?.as_object())
            .flatten()
            .filter_map(|(_, flow)| flow.get("tokenUrl")?.as_str())
            .collect();
        let servers = doc.get("servers").and_then(Value::as_array);
        Ok(servers.into_iter().flatten().any(|server| {
            server
                .get("url")
                .and_then(Value::as_str)
                .is_some_and(|url| {
                    let full = format!("{}{path}", url.trim_end_matches('/'));
                    token_urls.contains(&full.as_str())
                })
        }))
    }

    fn parameter(&self, file: &str, p: &Value) -> Result<Parameter, SpecError> {
        let p = self.deref(file, p)?;
        let text = |k: &str| {
            p.get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        Ok(Parameter {
            name: text("name"),
            location: text("in"),
            required: p.get("required").and_then(Value::as_bool).unwrap_or(false),
            schema: p.get("schema").cloned(),
        })
    }

    fn callbacks(&self, file: &str, op: &Value) -> Result<Vec<Callback>, SpecError> {
        let mut out = Vec::new();
        for (name, cb) in op
            .get("callbacks")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let cb = self.deref(file, cb)?;
            for (url, item) in cb.as_object().into_iter().flatten() {
                for method in METHODS {
                    let Some(inner) = item.get(method) else {
                        continue;
                    };
                    let body = match inner.get("requestBody") {
                        Some(b) => Some(self.deref(file, b)?),
                        None => None,
                    };
                    out.push(Callback {
                        name: name.clone(),
                        url: url.clone(),
                        method: method.to_uppercase(),
                        operation_id: inner
                            .get("operationId")
                            .and_then(Value::as_str)
                            .map(str::to_owned),
                        request_body: body.and_then(json_schema_of),
                    });
                }
            }
        }
        Ok(out)
    }

    /// Classifies a body schema by its envelope (`{data}`, `{data: [..]}`, `{count, offset, data}`).
    pub fn envelope(&self, file: &str, schema: Option<&Value>) -> Result<Envelope, SpecError> {
        let Some(schema) = schema else {
            return Ok(Envelope::None);
        };
        let node = self.deref(file, schema)?;
        let props = node.get("properties").and_then(Value::as_object);
        let Some(props) = props.filter(|p| !p.is_empty()) else {
            let is_object = node.get("type").and_then(Value::as_str) == Some("object");
            let combined = ["allOf", "anyOf", "oneOf"]
                .iter()
                .any(|k| node.get(*k).is_some());
            return Ok(if is_object && !combined {
                Envelope::EmptyObject
            } else {
                Envelope::Bare(schema.clone())
            });
        };
        let Some(data) = props.get("data") else {
            return Ok(Envelope::Bare(schema.clone()));
        };
        // A field beside `data` (`reason`, `total_amount`, ...) makes the body its own shape.
        let beside_data = props
            .keys()
            .any(|k| !matches!(k.as_str(), "data" | "count" | "offset"));
        if beside_data {
            return Ok(Envelope::Bare(schema.clone()));
        }
        let data_node = self.deref(file, data)?;
        let is_array = data_node.get("type").and_then(Value::as_str) == Some("array");
        let item = data_node.get("items").cloned().unwrap_or(Value::Bool(true));
        Ok(match (is_array, props.contains_key("count")) {
            (true, true) => Envelope::List(item),
            (true, false) => Envelope::DataArray(item),
            (false, _) => Envelope::Data(data.clone()),
        })
    }
}

/// The `application/json` schema of a request body or response (any JSON-ish media type).
fn json_schema_of(node: &Value) -> Option<Value> {
    let content = node.get("content")?.as_object()?;
    let media = content.get("application/json").or_else(|| {
        content
            .iter()
            .find(|(k, _)| k.contains("json"))
            .map(|(_, v)| v)
    })?;
    media.get("schema").cloned()
}
