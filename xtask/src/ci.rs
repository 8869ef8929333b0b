//! `cargo xtask ci`: the same checks `.ci/run` runs, in the same order.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, bail};

/// Runs formatting, codegen freshness, clippy, docs and the test suite; stops at the first failure.
pub fn run() -> anyhow::Result<()> {
    postgres_check()?;
    cargo(&["fmt", "--all", "--check"], &[])?;
    codegen_check()?;
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
    )?;
    cargo(
        &["doc", "--workspace", "--no-deps", "--all-features"],
        &[("RUSTDOCFLAGS", "-D warnings")],
    )?;
    // The README's test command.
    cargo(&["test", "--workspace", "--all-features"], &[])?;
    Ok(())
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

/// Checks that the committed generated code matches the spec, when the spec folder is present.
fn codegen_check() -> anyhow::Result<()> {
    let spec = std::env::var("FYLE_SPEC_DIR")
        .unwrap_or_else(|_| "../shared/fyle-openapi/reference".to_owned());
    if !Path::new(&spec).is_dir() {
        println!("codegen --check skipped: spec folder {spec} is not present");
        return Ok(());
    }
    if !Path::new("xtask/src/codegen").is_dir() {
        println!("codegen --check skipped: the generator is not in this tree yet");
        return Ok(());
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
