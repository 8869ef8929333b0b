//! Build cost: cold `cargo build -p fyle` with every role, spender only, every role with the
//! partner apps' `auth-code` feature, and spender only on cargo's default profile (full debug
//! info in dependencies), each in a fresh target directory (wall time, the CPU time
//! of cargo and its children, the cargo process tree's peak RSS, the `fyle-models*` units'
//! times from cargo's `--timings` report), and the incremental rebuild of an example app after
//! its `main` file is touched. Wall time on a shared 2-core host moves by a third run to run;
//! the CPU time moves much less, so it is the figure to compare two trees by.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context, bail};

use super::proc_tree::PeakRss;
use super::{cargo, cargo_command, target_root};

/// The table section of these rows.
pub(crate) const SECTION: &str = "8 compile (cargo xtask bench --compile)";

/// The example whose `main` is touched for the incremental figure.
const EXAMPLE: &str = "export_expenses";

/// One build's cost.
struct Build {
    wall: Duration,
    /// User + system CPU of cargo and every process it waited for (rustc, build scripts, cc).
    cpu: Duration,
    peak_rss: u64,
    models: Option<Models>,
}

/// The measured builds: a label and cargo's arguments. "All roles" is `cargo add fyle`'s
/// default features; the partner build adds the authorization-code flow (the oauth2 crate);
/// the last one undoes the workspace's line-tables-only debug info for dependencies, to show
/// what an app on cargo's default profile pays.
const VARIANTS: [(&str, &[&str]); 4] = [
    ("all roles", &["build", "-p", "fyle"]),
    (
        "spender only",
        &[
            "build",
            "-p",
            "fyle",
            "--no-default-features",
            "--features",
            "reqwest,spender",
        ],
    ),
    (
        "all roles + auth-code (partner apps)",
        &["build", "-p", "fyle", "--features", "auth-code"],
    ),
    (
        "spender only, cargo's default profile (full debug info in dependencies)",
        &[
            "build",
            "-p",
            "fyle",
            "--no-default-features",
            "--features",
            "reqwest,spender",
            "--config",
            "profile.dev.package.\"*\".debug=true",
        ],
    ),
];

/// Measures every build `runs` times; returns the rows (measure, value). The variants take
/// turns (all, spender, partner, all, ...) so a neighbour's load on a shared host falls on
/// each of them rather than on one.
pub(crate) fn measure(runs: u32) -> anyhow::Result<Vec<(String, String)>> {
    let dir = target_root().join("xtask-compile-bench");
    let mut builds: Vec<Vec<Build>> = VARIANTS.iter().map(|_| Vec::new()).collect();
    for run in 1..=runs {
        for ((label, args), done) in VARIANTS.iter().zip(&mut builds) {
            eprintln!(
                "cold build {run}/{runs} ({label}): cargo {}",
                args.join(" ")
            );
            done.push(cold_build(args, &dir)?);
        }
    }
    std::fs::remove_dir_all(&dir).ok();
    let mut rows = Vec::new();
    let mut walls = Vec::new();
    for ((label, _), mut done) in VARIANTS.iter().zip(builds) {
        done.sort_by_key(|b| b.wall);
        let all = done
            .iter()
            .map(|b| format!("{:.1}", b.wall.as_secs_f64()))
            .collect::<Vec<_>>()
            .join(", ");
        let median = &done[done.len() / 2];
        rows.push((
            format!("cold `cargo build -p fyle`, {label}"),
            format!(
                "{:.1} s wall, {:.0} s CPU, {:.2} GB peak RSS of the cargo tree (median of {runs}: {all} s); {}",
                median.wall.as_secs_f64(),
                median.cpu.as_secs_f64(),
                gb(median.peak_rss),
                median
                    .models
                    .as_ref()
                    .map_or_else(|| "no timings report".to_owned(), Models::describe),
            ),
        ));
        walls.push(median.wall);
    }
    if let [all, one, ..] = walls[..] {
        rows.push((
            "ratio all roles / spender only (wall)".to_owned(),
            format!(
                "{:.2}",
                all.as_secs_f64() / one.as_secs_f64().max(f64::EPSILON)
            ),
        ));
    }
    let rebuild = incremental(runs)?;
    rows.push((
        format!("incremental rebuild after touching examples/{EXAMPLE}.rs"),
        format!(
            "{:.2} s (median of {runs}; target <= 2 s)",
            rebuild.as_secs_f64()
        ),
    ));
    rows.push((
        "machine load (1-min average) at the end".to_owned(),
        std::fs::read_to_string("/proc/loadavg")
            .ok()
            .and_then(|l| l.split_whitespace().next().map(str::to_owned))
            .unwrap_or_else(|| "n/a".to_owned()),
    ));
    Ok(rows)
}

/// One build in a fresh `dir`, with `--timings`, its output hidden.
fn cold_build(args: &[&str], dir: &Path) -> anyhow::Result<Build> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).with_context(|| format!("cannot remove {}", dir.display()))?;
    }
    let mut full: Vec<&str> = args.to_vec();
    full.push("--timings");
    let cpu_before = children_cpu();
    let started = Instant::now();
    let mut child = cargo_command(&full, Some(dir))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("could not start cargo {}", full.join(" ")))?;
    let sampler = PeakRss::watch(&child);
    let status = child.wait()?;
    let wall = started.elapsed();
    let cpu = children_cpu().saturating_sub(cpu_before);
    let peak_rss = sampler.finish();
    if !status.success() {
        bail!("cargo {} failed with {status}", full.join(" "));
    }
    Ok(Build {
        wall,
        cpu,
        peak_rss,
        models: models_units(&dir.join("cargo-timings/cargo-timing.html")),
    })
}

/// The user + system CPU time of this process's waited-for children, from `/proc/self/stat`
/// (`cutime` + `cstime`, in clock ticks of 1/100 s, the Linux `USER_HZ`); zero elsewhere.
fn children_cpu() -> Duration {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return Duration::ZERO;
    };
    // Fields after the `(comm)` one, which may hold spaces: state is field 3, cutime 16.
    let after_comm = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after_comm.split_whitespace().collect();
    let ticks: u64 = [13, 14]
        .iter()
        .filter_map(|&i| fields.get(i).and_then(|f| f.parse::<u64>().ok()))
        .sum();
    Duration::from_millis(ticks * 10)
}

/// The `fyle-models*` units of cargo's timings report (its embedded `UNIT_DATA` array):
/// the longest one and the sum of all, in seconds (the models may be split into several crates).
fn models_units(report: &Path) -> Option<Models> {
    let html = std::fs::read_to_string(report).ok()?;
    let start = html.find("UNIT_DATA = ")? + "UNIT_DATA = ".len();
    let end = start + html[start..].find("];")? + 1;
    let units: Vec<serde_json::Value> = serde_json::from_str(&html[start..end]).ok()?;
    let models: Vec<(String, f64)> = units
        .iter()
        .filter_map(|unit| {
            let name = unit.get("name")?.as_str()?;
            let duration = unit.get("duration")?.as_f64()?;
            name.starts_with("fyle-models")
                .then(|| (name.to_owned(), duration))
        })
        .collect();
    let longest = models.iter().max_by(|a, b| a.1.total_cmp(&b.1))?.clone();
    Some(Models {
        sum: models.iter().map(|(_, d)| d).sum(),
        units: models.len(),
        longest,
    })
}

/// The generated models' share of a build.
struct Models {
    /// The longest unit: name, seconds.
    longest: (String, f64),
    /// All their units' seconds.
    sum: f64,
    /// How many units.
    units: usize,
}

impl Models {
    fn describe(&self) -> String {
        format!(
            "{} fyle-models* units, {:.1} s in all, longest {} {:.1} s",
            self.units, self.sum, self.longest.0, self.longest.1
        )
    }
}

/// The median time of `cargo build -p fyle-examples --example EXAMPLE` after touching its
/// file (in the usual target directory, built once first).
fn incremental(runs: u32) -> anyhow::Result<Duration> {
    let args = ["build", "-p", "fyle-examples", "--example", EXAMPLE];
    cargo(&args, None)?;
    let file = workspace_root().join(format!("examples/{EXAMPLE}.rs"));
    let mut times = Vec::new();
    for _ in 0..runs {
        std::fs::File::options()
            .append(true)
            .open(&file)
            .and_then(|f| f.set_modified(SystemTime::now()))
            .with_context(|| format!("cannot touch {}", file.display()))?;
        let started = Instant::now();
        let status = cargo_command(&args, None)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()?;
        if !status.success() {
            bail!("cargo {} failed with {status}", args.join(" "));
        }
        times.push(started.elapsed());
    }
    times.sort();
    Ok(times[times.len() / 2])
}

/// The workspace root (xtask's manifest is in `xtask/`).
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

fn gb(bytes: u64) -> f64 {
    #[allow(clippy::cast_precision_loss)] // display only
    let bytes = bytes as f64;
    bytes / 1e9
}

#[cfg(test)]
mod tests {
    use super::models_units;

    #[test]
    fn reads_the_models_units_of_a_timings_report() {
        let dir = std::env::temp_dir().join(format!("xtask-timings-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let report = dir.join("cargo-timing.html");
        let html = r#"<script>
const UNIT_DATA = [
  {"i": 1, "name": "quote", "duration": 1.5},
  {"i": 2, "name": "fyle-models-spend", "duration": 46.64},
  {"i": 3, "name": "fyle-models", "duration": 3.5}
];
const CONCURRENCY_DATA = [];
</script>"#;
        std::fs::write(&report, html).expect("write");
        let models = models_units(&report).expect("units");
        std::fs::remove_dir_all(&dir).ok();
        assert_eq!(models.units, 2);
        assert_eq!(models.longest.0, "fyle-models-spend");
        assert!((models.sum - 50.14).abs() < 1e-9);
    }
}
