//! `cargo xtask ci`: the same checks `.ci/run` runs, in the same order.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, bail};

/// Runs formatting, codegen freshness, clippy, the feature matrix, docs and the test suite;
/// stops at the first failure and prints how long each step took.
pub fn run() -> anyhow::Result<()> {
    let mut clock = Steps::default();
    postgres_check()?;
    clock.time("fmt", || cargo(&["fmt", "--all", "--check"], &[]))?;
    clock.time("lockfile", lockfile_check)?;
    clock.time("codegen --check", codegen_check)?;
    clock.time("clippy", clippy)?;
    clock.time("feature matrix", features)?;
    clock.time("doc", || {
        cargo(
            &["doc", "--workspace", "--no-deps", "--all-features"],
            &[("RUSTDOCFLAGS", "-D warnings")],
        )
    })?;
    // The README's test command.
    clock.time("test", || {
        cargo(&["test", "--workspace", "--all-features"], &[])
    })?;
    clock.print();
    Ok(())
}

/// Wall time per CI step, printed at the end so the 30-minute budget is visible in every log.
#[derive(Default)]
struct Steps(Vec<(&'static str, std::time::Duration)>);

impl Steps {
    fn time(
        &mut self,
        name: &'static str,
        step: impl FnOnce() -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        let start = std::time::Instant::now();
        let result = step();
        self.0.push((name, start.elapsed()));
        if result.is_err() {
            self.print();
        }
        result
    }

    fn print(&self) {
        println!("==> CI step times");
        for (name, took) in &self.0 {
            println!("    {name:<16} {:>7.1} s", took.as_secs_f64());
        }
        let total: std::time::Duration = self.0.iter().map(|(_, t)| *t).sum();
        println!("    {:<16} {:>7.1} s", "total", total.as_secs_f64());
    }
}

/// The lockfile keeps `idna_adapter` (under url, under reqwest) on its unicode-rs stream, 1.1:
/// 1.2 compiles ICU4X, about 13 s of a cold build's CPU (issue 17). A `cargo update` that moved
/// it fails here, with the command that puts it back.
fn lockfile_check() -> anyhow::Result<()> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.lock");
    let lock = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    match locked_version(&lock, "idna_adapter") {
        Some(version) if !version.starts_with("1.1.") => bail!(
            "Cargo.lock has idna_adapter {version}, which compiles ICU4X: run \
             `cargo update -p idna_adapter --precise 1.1.0` (see the README's build notes)"
        ),
        _ => Ok(()),
    }
}

/// The version of package `name` in a `Cargo.lock`, if it is there once.
fn locked_version<'a>(lock: &'a str, name: &str) -> Option<&'a str> {
    let wanted = format!("name = \"{name}\"");
    let mut versions = lock.split("[[package]]").filter_map(|package| {
        let mut lines = package.lines().map(str::trim);
        lines.any(|line| line == wanted).then_some(())?;
        package
            .lines()
            .map(str::trim)
            .find_map(|line| line.strip_prefix("version = \""))
            .and_then(|rest| rest.strip_suffix('"'))
    });
    let version = versions.next()?;
    versions.next().is_none().then_some(version)
}

fn clippy() -> anyhow::Result<()> {
    cargo(
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--all-features",
            "--",
            "-D",
            "warnings",
        ],
        &[],
    )
}

/// Every role of the facade, each built alone: the feature names of `fyle` and `fyle-models`.
const ROLES: &[&str] = &[
    "accounts",
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

/// What a pick-and-choose user builds: each role feature alone, each layer crate with no
/// default features and with each transport, and every crate's own targets with only the
/// features its manifest asks for (`cargo test -p CRATE` must compile on its own).
/// `cargo check` is enough to find a broken feature combination and costs a fraction of a build.
fn features() -> anyhow::Result<()> {
    let mut runs: Vec<Vec<String>> = Vec::new();
    for role in ROLES {
        runs.push(words(&format!(
            "check -p fyle --no-default-features --features reqwest,{role}"
        )));
    }
    for args in [
        "check -p fyle --no-default-features --features hyper,admin",
        "check -p fyle-models --no-default-features",
        "check -p fyle-transport --no-default-features",
        "check -p fyle-transport --no-default-features --features reqwest",
        "check -p fyle-transport --no-default-features --features hyper",
        "check -p fyle-transport --no-default-features --features reqwest,hyper,http2",
        "check -p fyle-auth --no-default-features",
        "check -p fyle-auth --no-default-features --features auth-code",
        "check -p fyle --no-default-features --features reqwest,spender,auth-code",
        "check -p fyle-cluster --no-default-features",
        "check -p fyle-store --no-default-features --features postgres",
    ] {
        runs.push(words(args));
    }
    for krate in workspace_crates()? {
        runs.push(words(&format!("check -p {krate} --all-targets")));
    }
    for args in &runs {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        cargo(&args, &[])?;
    }
    println!("feature matrix: {} builds passed", runs.len());
    Ok(())
}

fn words(s: &str) -> Vec<String> {
    s.split_whitespace().map(str::to_owned).collect()
}

/// The package names under `crates/`, read from their manifests.
fn workspace_crates() -> anyhow::Result<Vec<String>> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir("crates").context("reading crates/")? {
        let manifest = entry?.path().join("Cargo.toml");
        let text = std::fs::read_to_string(&manifest)
            .with_context(|| format!("reading {}", manifest.display()))?;
        let name = text
            .lines()
            .find_map(|l| l.trim().strip_prefix("name = "))
            .map(|n| n.trim_matches('"').to_owned())
            .with_context(|| format!("no package name in {}", manifest.display()))?;
        names.push(name);
    }
    names.sort();
    Ok(names)
}

/// The variable `.ci/with-postgres` sets for the fyle-store Postgres tests.
const ENV_POSTGRES_URL: &str = "FYLE_TEST_POSTGRES_URL";

/// Under `CI=true` the Postgres tests need a database: fail here, before the long build, when
/// none was started (`.ci/run` starts one through `.ci/with-postgres`).
fn postgres_check() -> anyhow::Result<()> {
    let url = std::env::var(ENV_POSTGRES_URL).unwrap_or_default();
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    match (url.is_empty(), ci) {
        (false, _) => println!("Postgres tests run against {ENV_POSTGRES_URL}"),
        (true, true) => bail!(
            "CI=true but {ENV_POSTGRES_URL} is not set: run `.ci/run` (or `.ci/with-postgres cargo xtask ci`)"
        ),
        (true, false) => println!(
            "{ENV_POSTGRES_URL} not set: the Postgres store tests will skip (use .ci/with-postgres)"
        ),
    }
    Ok(())
}

/// Set to `1` to run CI where the spec folder is absent (a published-crate checkout); the
/// committed generated code is then not proven current, and the log says so.
const ENV_SKIP_CODEGEN: &str = "FYLE_SKIP_CODEGEN_CHECK";

/// Checks that the committed generated code matches the spec. A missing spec folder is a
/// failure, not a silent skip, unless the opt-out variable is set.
fn codegen_check() -> anyhow::Result<()> {
    let spec = std::env::var("FYLE_SPEC_DIR")
        .unwrap_or_else(|_| "../shared/fyle-openapi/reference".to_owned());
    if !Path::new(&spec).is_dir() {
        if std::env::var(ENV_SKIP_CODEGEN).is_ok_and(|v| v == "1") {
            println!(
                "codegen --check NOT run: spec folder {spec} is absent and {ENV_SKIP_CODEGEN}=1"
            );
            return Ok(());
        }
        bail!(
            "spec folder {spec} is not present: set FYLE_SPEC_DIR, or {ENV_SKIP_CODEGEN}=1 to skip the codegen check"
        );
    }
    cargo(&["xtask", "codegen", "--check"], &[])
}

fn cargo(args: &[&str], env: &[(&str, &str)]) -> anyhow::Result<()> {
    println!("==> cargo {}", args.join(" "));
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
        .args(args)
        .envs(env.iter().copied())
        .status()
        .with_context(|| format!("could not start cargo {}", args.join(" ")))?;
    if !status.success() {
        bail!("cargo {} failed with {status}", args.join(" "));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{locked_version, lockfile_check};

    #[test]
    fn the_workspace_lockfile_keeps_idna_adapter_on_unicode_rs() {
        lockfile_check().expect("Cargo.lock pins idna_adapter 1.1");
    }

    #[test]
    fn reads_a_locked_version() {
        let lock = r#"
[[package]]
name = "idna"
version = "1.1.0"

[[package]]
name = "idna_adapter"
version = "1.1.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
"#;
        assert_eq!(locked_version(lock, "idna_adapter"), Some("1.1.0"));
        assert_eq!(locked_version(lock, "idna"), Some("1.1.0"));
        assert_eq!(locked_version(lock, "icu_normalizer"), None);
        let twice = format!("{lock}\n[[package]]\nname = \"idna\"\nversion = \"0.5.0\"\n");
        assert_eq!(
            locked_version(&twice, "idna"),
            None,
            "two versions: no single answer"
        );
    }
}
