//! `--checkpoint` with rows a run could not export: they stay pending in the checkpoint, and
//! the next run asks for them again by id. A pending row that changed since is exported by the
//! next run's window instead (once, not twice); a run killed while asking again resumes after
//! its last recorded batch, without duplicates.

mod common;

use std::collections::HashSet;
use std::process::Output;
use std::time::Duration;

use common::{World, changed_between, csv_ids, ok, stderr, unique, watermark};
use fyle_sandbox::ChurnConfig;
use serde_json::Value;

/// The ids the run reported as not exported (`not exported: ID: TYPE: reason`).
fn not_exported(stderr: &str) -> HashSet<String> {
    stderr
        .lines()
        .filter_map(|line| line.strip_prefix("not exported: "))
        .filter_map(|rest| rest.split(": ").next())
        .map(str::to_owned)
        .collect()
}

/// The checkpoint's pending ids.
fn pending(checkpoint: &std::path::Path) -> HashSet<String> {
    let text = std::fs::read_to_string(checkpoint).expect("checkpoint exists");
    let value: Value = serde_json::from_str(&text).expect("checkpoint is JSON");
    value["pending"]
        .as_array()
        .expect("a pending list")
        .iter()
        .map(|row| row["id"].as_str().expect("an id").to_owned())
        .collect()
}

/// `fyle export expenses --state PAID --checkpoint CK --out OUT [EXTRA...]`.
fn export_args<'a>(ck: &'a str, out: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "export",
        "expenses",
        "--state",
        "PAID",
        "--checkpoint",
        ck,
        "--out",
        out,
    ];
    args.extend_from_slice(extra);
    args
}

/// A first run that requires a project code: the PAID expenses without one are not exported.
/// Returns the run and their ids.
async fn first_run(world: &World, ck: &str) -> (Output, HashSet<String>) {
    let out = world.path("first.csv");
    let run = world
        .fyle(&export_args(
            ck,
            out.to_str().expect("utf-8 path"),
            &["--require", "project_code"],
        ))
        .await;
    let failed = not_exported(&stderr(&run));
    (run, failed)
}

#[tokio::test(flavor = "multi_thread")]
async fn rows_not_exported_are_asked_again_and_written_once() {
    let world = World::start(600).await;
    let ck = world.path("sync.ck");
    let ck_arg = ck.to_str().expect("utf-8 path");
    let (first, failed) = first_run(&world, ck_arg).await;
    assert!(!first.status.success(), "{}", stderr(&first));
    assert!(
        stderr(&first).contains("the next run with this --checkpoint asks for them again"),
        "{}",
        stderr(&first)
    );
    assert!(!failed.is_empty(), "some PAID expenses have no project");
    assert_eq!(pending(&ck), failed, "every row not written is pending");
    let first_mark = watermark(&ck);
    let before = world.expenses();

    // Between the runs (past the first bound, which is in whole seconds) some rows change,
    // some of them pending, and some are deleted.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let churn = ChurnConfig {
        inserts: 5,
        updates: 200,
        deletes: 20,
        ..ChurnConfig::default()
    };
    world.sandbox.churn_once(&churn);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let after = world.expenses();
    let changed: HashSet<String> = after
        .iter()
        .filter(|(id, at)| before.get(*id) != Some(*at))
        .map(|(id, _)| id.clone())
        .collect();
    let unchanged_pending: HashSet<String> = failed
        .iter()
        .filter(|id| after.contains_key(*id) && !changed.contains(*id))
        .cloned()
        .collect();
    let changed_pending = failed.intersection(&changed).count();
    println!(
        "{} not exported by the first run: {} unchanged since, {changed_pending} changed, {} deleted",
        failed.len(),
        unchanged_pending.len(),
        failed.iter().filter(|id| !after.contains_key(*id)).count()
    );
    assert!(
        !unchanged_pending.is_empty() && changed_pending > 0,
        "the churn leaves both kinds of pending rows"
    );

    let second_out = world.path("second.csv");
    let second = world
        .fyle(&export_args(
            ck_arg,
            second_out.to_str().expect("utf-8 path"),
            &[],
        ))
        .await;
    ok(&second);
    let written = unique(&csv_ids(&second_out));
    let paid = paid_ids(&world);
    let window: HashSet<String> = changed_between(&after, Some(&first_mark), &watermark(&ck))
        .intersection(&paid)
        .cloned()
        .collect();
    let expected: HashSet<String> = window.union(&unchanged_pending).cloned().collect();
    assert_eq!(
        written, expected,
        "the window's rows and the unchanged pending ones"
    );
    assert!(
        stderr(&second).contains(&format!(
            "Asked again for {} expenses earlier runs could not export: {} written now.",
            failed.len(),
            unchanged_pending.len()
        )),
        "changed pending rows are left to the window: {}",
        stderr(&second)
    );
    assert!(pending(&ck).is_empty(), "nothing is pending any more");

    let third_out = world.path("third.csv");
    let third = world
        .fyle(&export_args(
            ck_arg,
            third_out.to_str().expect("utf-8 path"),
            &[],
        ))
        .await;
    ok(&third);
    assert!(csv_ids(&third_out).is_empty(), "{}", stderr(&third));
    assert!(
        !stderr(&third).contains("Asked again"),
        "{}",
        stderr(&third)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_killed_while_asking_again_resumes_without_duplicates() {
    let world = World::start(1500).await;
    let ck = world.path("kill.ck");
    let ck_arg = ck.to_str().expect("utf-8 path");
    // The first run's failures are what the second run asks for again, 50 ids a request.
    let (first, failed) = first_run(&world, ck_arg).await;
    println!("{} pending after the first run", failed.len());
    assert!(
        failed.len() > 100,
        "more than two batches to ask for: {}",
        stderr(&first)
    );

    let out = world.path("retry.csv");
    let args = export_args(ck_arg, out.to_str().expect("utf-8 path"), &[]);
    // Killed in the third batch: two are recorded, the third is asked again.
    let kill_after = "125";
    let killed = world
        .fyle_env(&args, &[("FYLE_CLI_ABORT_AFTER_ROWS", kill_after)])
        .await;
    assert!(!killed.status.success(), "the run was killed");
    let resumed = world.fyle(&args).await;
    ok(&resumed);
    assert!(
        stderr(&resumed).contains("resuming a run that had written 100"),
        "{}",
        stderr(&resumed)
    );
    let written = unique(&csv_ids(&out));
    assert_eq!(written, failed, "each pending row once, none lost");
    assert!(pending(&ck).is_empty());
}

/// The ids of the PAID expenses in the sandbox now.
fn paid_ids(world: &World) -> HashSet<String> {
    let org = world.org();
    world
        .sandbox
        .ids(&org, fyle_sandbox::Resource::Expenses)
        .into_iter()
        .filter(|id| {
            world
                .sandbox
                .get(&org, fyle_sandbox::Resource::Expenses, id)
                .is_some_and(|row| row["state"] == "PAID")
        })
        .collect()
}
