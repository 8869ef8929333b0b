//! `fyle api METHOD PATH`: any operation, with filters, a body, and every page as NDJSON.

use std::io::{self, IsTerminal, Read, Write};

use anyhow::Context as _;
use futures::TryStreamExt;
use fyle::ListRequest;
use fyle::models::operations::{self, HttpMethod, Operation, OperationKind};
use fyle::query::{Clause, RESERVED_KEYS};
use serde_json::{Map, Value};

use crate::args::{ApiArgs, Global};
use crate::cmd::connect::connect;
use crate::exit::Usage;
use crate::output::Notes;

const ROLES: [&str; 10] = [
    "spender",
    "approver",
    "admin",
    "accountant",
    "common",
    "manager",
    "owner",
    "hod",
    "hop",
    "super_admin",
];

/// Runs one call and prints the JSON answer on stdout.
pub(crate) async fn run(global: &Global, args: ApiArgs, notes: Notes) -> anyhow::Result<()> {
    let method = match args.method.to_ascii_uppercase().as_str() {
        "GET" => HttpMethod::Get,
        "POST" => HttpMethod::Post,
        other => return Err(Usage(format!("method {other:?}: Fyle uses GET and POST")).into()),
    };
    let path = full_path(&args.path, args.role.as_deref())?;
    let op = operations::find(method, &path).ok_or_else(|| {
        let last = path.rsplit('/').next().unwrap_or_default();
        Usage(format!(
            "no operation {} {path} in the Fyle Platform API; see `fyle ops search {last}`",
            method.as_str()
        ))
    })?;
    let pairs = split_fields(&args.fields)?;
    if method == HttpMethod::Get {
        check_filters(&pairs)?;
    }
    if args.all && op.kind != OperationKind::List {
        return Err(Usage(format!(
            "--all streams the pages of a list; {} {path} is not one",
            method.as_str()
        ))
        .into());
    }
    if let Some(limit) = args.limit
        && !(1..=fyle::MAX_PAGE_SIZE).contains(&limit)
    {
        return Err(Usage(format!("--limit must be 1..=200, got {limit}")).into());
    }
    let connection = connect(global, notes).await?;
    let client = connection.client;
    let mut stdout = io::stdout().lock();
    if args.all {
        let count = stream_all(client, op, &pairs, args.limit, &mut stdout).await?;
        notes.say(format!("{count} objects"));
        return Ok(());
    }
    let mut request = client.request(method_of(method), path.as_str());
    if method == HttpMethod::Get {
        for (key, value) in &pairs {
            request = request.query(key.as_str(), value);
        }
        if let Some(limit) = args.limit {
            request = request.query("limit", limit);
        }
    } else {
        let body = post_body(args.data.as_deref(), &pairs)?;
        request = request.json(&body);
    }
    let response = request.send().await?;
    let body: Value = if response.body.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&response.body).context("Fyle answered a body that is not JSON")?
    };
    let text = if io::stdout().is_terminal() {
        serde_json::to_string_pretty(&body)?
    } else {
        body.to_string()
    };
    writeln!(stdout, "{text}")?;
    Ok(())
}

fn method_of(method: HttpMethod) -> http::Method {
    match method {
        HttpMethod::Get => http::Method::GET,
        HttpMethod::Post => http::Method::POST,
    }
}

/// `/admin/expenses` as is; `expenses` or `/expenses` under `--role`.
fn full_path(path: &str, role: Option<&str>) -> anyhow::Result<String> {
    let trimmed = path
        .trim_start_matches("/platform/v1")
        .trim_end_matches('/');
    let trimmed = trimmed.trim_start_matches('/');
    let first = trimmed.split('/').next().unwrap_or_default();
    if ROLES.contains(&first) {
        if let Some(role) = role
            && role != first
        {
            return Err(Usage(format!("the path is under /{first} but --role is {role}")).into());
        }
        return Ok(format!("/{trimmed}"));
    }
    match role {
        Some(role) if ROLES.contains(&role) => Ok(format!("/{role}/{trimmed}")),
        Some(role) => Err(Usage(format!(
            "unknown role {role:?}; roles: {}",
            ROLES.join(", ")
        ))
        .into()),
        None => Err(Usage(format!(
            "{path:?} has no role prefix: use a path such as /admin/{trimmed}, or --role"
        ))
        .into()),
    }
}

fn split_fields(fields: &[String]) -> anyhow::Result<Vec<(String, String)>> {
    fields
        .iter()
        .map(|field| {
            field
                .split_once('=')
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .ok_or_else(|| Usage(format!("-f {field:?}: expected KEY=VALUE")).into())
        })
        .collect()
}

/// Every filter must parse with Fyle's grammar; reserved keys (`order`, `limit`, ...) pass.
fn check_filters(pairs: &[(String, String)]) -> anyhow::Result<()> {
    for (key, value) in pairs {
        if RESERVED_KEYS.contains(&key.as_str()) {
            continue;
        }
        Clause::parse_query_pair(key, value)
            .map_err(|e| Usage(format!("bad filter -f {key}={value}: {e}")))?;
    }
    Ok(())
}

/// The POST body: `--data` (inline or @file), else `{"data": {fields}}`.
fn post_body(data: Option<&str>, pairs: &[(String, String)]) -> anyhow::Result<Value> {
    if let Some(data) = data {
        let text = match data.strip_prefix('@') {
            Some("-") => {
                let mut text = String::new();
                io::stdin().read_to_string(&mut text)?;
                text
            }
            Some(file) => {
                std::fs::read_to_string(file).with_context(|| format!("reading --data @{file}"))?
            }
            None => data.to_owned(),
        };
        let mut body: Value = serde_json::from_str(&text)
            .map_err(|e| Usage(format!("--data is not valid JSON: {e}")))?;
        if let (Some(object), false) = (body.as_object_mut(), pairs.is_empty()) {
            let target = object
                .entry("data")
                .or_insert_with(|| Value::Object(Map::new()));
            if let Some(data) = target.as_object_mut() {
                data.extend(pairs.iter().map(|(k, v)| (k.clone(), json_or_text(v))));
            }
        }
        return Ok(body);
    }
    let data: Map<String, Value> = pairs
        .iter()
        .map(|(k, v)| (k.clone(), json_or_text(v)))
        .collect();
    Ok(serde_json::json!({ "data": data }))
}

fn json_or_text(value: &str) -> Value {
    serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.to_owned()))
}

/// Streams every item of a list in stable (keyset) order, one JSON object per line.
async fn stream_all(
    client: fyle::Client,
    op: &'static Operation,
    pairs: &[(String, String)],
    limit: Option<u32>,
    out: &mut impl Write,
) -> anyhow::Result<u64> {
    let mut request = ListRequest::<Value>::new(client, op).stable();
    for (key, value) in pairs {
        request = match key.as_str() {
            "order" => request,
            "limit" | "offset" => {
                return Err(Usage(format!(
                    "-f {key}=...: --all pages by itself; use --limit for the page size"
                ))
                .into());
            }
            _ if RESERVED_KEYS.contains(&key.as_str()) => request.query(key.as_str(), value),
            _ => request.raw_filter(key.as_str(), value.as_str()),
        };
    }
    if let Some(limit) = limit {
        request = request.limit(limit);
    }
    let mut items = request.stream();
    let mut count = 0;
    while let Some(item) = items.try_next().await? {
        serde_json::to_writer(&mut *out, &item)?;
        out.write_all(b"\n")?;
        count += 1;
    }
    out.flush()?;
    Ok(count)
}
