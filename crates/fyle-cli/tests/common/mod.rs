//! Running the `fyle` binary against a sandbox started by the test, as a user would.

#![allow(dead_code, unreachable_pub)] // each test file uses part of this

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Output;

use fyle_sandbox::{Resource, Sandbox, SandboxConfig};
use serde_json::Value;

/// A sandbox, a config dir and the environment that points the binary at them.
pub struct World {
    pub sandbox: Sandbox,
    pub dir: tempfile::TempDir,
}

impl World {
    pub async fn start(expenses: usize) -> World {
        let config = SandboxConfig {
            expenses,
            rate_limit: 0,
            ..SandboxConfig::default()
        };
        World {
            sandbox: Sandbox::start(config).await.expect("sandbox starts"),
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn org(&self) -> String {
        self.sandbox.info().orgs[0].org_id.clone()
    }

    /// `fyle ARGS` with the sandbox admin's credentials in the environment.
    pub async fn fyle(&self, args: &[&str]) -> Output {
        self.fyle_env(args, &[]).await
    }

    pub async fn fyle_env(&self, args: &[&str], extra: &[(&str, &str)]) -> Output {
        let info = self.sandbox.info();
        let mut env: Vec<(String, String)> = vec![
            ("FYLE_ACCOUNTS_URL".into(), info.accounts_url.clone()),
            ("FYLE_CLIENT_ID".into(), info.client_id.clone()),
            ("FYLE_CLIENT_SECRET".into(), info.client_secret.clone()),
            ("FYLE_REFRESH_TOKEN".into(), info.refresh_token.clone()),
        ];
        env.extend(
            extra
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        run(self.dir.path(), args, env).await
    }

    /// `(id, updated_at)` of every expense, from the sandbox's store.
    pub fn expenses(&self) -> HashMap<String, String> {
        let org = self.org();
        self.sandbox
            .ids(&org, Resource::Expenses)
            .into_iter()
            .filter_map(|id| {
                let row = self.sandbox.get(&org, Resource::Expenses, &id)?;
                let at = row.get("updated_at")?.as_str()?.to_owned();
                Some((id, at))
            })
            .collect()
    }
}

/// Runs the binary with only the given environment (plus PATH), config in `config_dir`.
pub async fn run(config_dir: &Path, args: &[&str], env: Vec<(String, String)>) -> Output {
    let mut command = assert_cmd::Command::cargo_bin("fyle").expect("the fyle binary is built");
    command
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("FYLE_CONFIG_DIR", config_dir)
        .env("FYLE_NO_KEYRING", "1");
    for (k, v) in env {
        command.env(k, v);
    }
    tokio::task::spawn_blocking(move || command.output().expect("fyle runs"))
        .await
        .expect("the runner thread finishes")
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Asserts success, showing stderr otherwise.
pub fn ok(output: &Output) {
    assert!(
        output.status.success(),
        "fyle failed ({:?}): {}",
        output.status.code(),
        stderr(output)
    );
}

/// The `id` column of a CSV file, in order.
pub fn csv_ids(path: &Path) -> Vec<String> {
    let mut reader = csv::Reader::from_path(path).expect("csv opens");
    let headers = reader.headers().expect("header").clone();
    let at = headers.iter().position(|h| h == "id").expect("id column");
    reader
        .records()
        .map(|r| r.expect("csv row")[at].to_owned())
        .collect()
}

/// The checkpoint's watermark (the last run's snapshot bound).
pub fn watermark(path: &Path) -> String {
    let text = std::fs::read_to_string(path).expect("checkpoint exists");
    let value: Value = serde_json::from_str(&text).expect("checkpoint is JSON");
    value["watermark"].as_str().expect("a watermark").to_owned()
}

/// Ids whose `updated_at` is in `(after, upto]` (RFC 3339 strings compared as instants).
pub fn changed_between(
    rows: &HashMap<String, String>,
    after: Option<&str>,
    upto: &str,
) -> HashSet<String> {
    use time::OffsetDateTime;
    use time::format_description::well_known::Rfc3339;
    let parse = |s: &str| OffsetDateTime::parse(s, &Rfc3339).expect("RFC 3339");
    let upto = parse(upto);
    let after = after.map(parse);
    rows.iter()
        .filter(|(_, at)| {
            let at = parse(at);
            at <= upto && after.is_none_or(|a| at > a)
        })
        .map(|(id, _)| id.clone())
        .collect()
}

/// Asserts no id repeats and returns them as a set.
pub fn unique(ids: &[String]) -> HashSet<String> {
    let set: HashSet<String> = ids.iter().cloned().collect();
    assert_eq!(set.len(), ids.len(), "no row is written twice");
    set
}
