//! `--checkpoint`: incremental runs, churn during a run, a killed run resumed, and
//! `--mark-exported`; 0 duplicates and 0 missing each time.

mod common;

use std::collections::HashSet;
use std::time::Duration;

use common::{World, changed_between, csv_ids, ok, stderr, unique, watermark};
use fyle_sandbox::{ChurnConfig, FaultConfig, Resource};

fn churn() -> ChurnConfig {
    ChurnConfig {
        interval: Duration::from_millis(10),
        inserts: 7,
        updates: 9,
        deletes: 0,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_run_exports_only_the_changed_rows() {
    let world = World::start(800).await;
    let ck = world.path("sync.ck");
    let (first, second) = (world.path("1.csv"), world.path("2.csv"));
    let export = |out: &std::path::Path| {
        vec![
            "export".to_owned(),
            "expenses".into(),
            "--checkpoint".into(),
            ck.to_str().expect("utf-8 path").into(),
            "--out".into(),
            out.to_str().expect("utf-8 path").into(),
        ]
    };
    let args: Vec<String> = export(&first);
    ok(&world
        .fyle(&args.iter().map(String::as_str).collect::<Vec<_>>())
        .await);
    let mark1 = watermark(&ck);
    let run1 = unique(&csv_ids(&first));
    assert_eq!(run1, changed_between(&world.expenses(), None, &mark1));

    // Let the clock pass the first bound, then change rows.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let stats = world.sandbox.churn_once(&churn());
    assert!(stats.inserted > 0 && stats.updated > 0, "{stats:?}");
    tokio::time::sleep(Duration::from_millis(1100)).await;

    let args = export(&second);
    ok(&world
        .fyle(&args.iter().map(String::as_str).collect::<Vec<_>>())
        .await);
    let mark2 = watermark(&ck);
    let run2 = unique(&csv_ids(&second));
    let changed = changed_between(&world.expenses(), Some(&mark1), &mark2);
    assert_eq!(run2, changed, "the second run is exactly the changed rows");
    assert_eq!(run2.len(), stats.inserted + stats.updated, "{stats:?}");
    eprintln!(
        "run 1: {} rows, run 2: {} changed rows",
        run1.len(),
        run2.len()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn rows_changing_during_the_export_are_each_exported_once() {
    let world = World::start(1500).await;
    // Slow pages, so churn lands mid-export.
    world.sandbox.set_faults(FaultConfig {
        latency_ms: 150,
        ..FaultConfig::default()
    });
    let ck = world.path("churn.ck");
    let (first, second) = (world.path("1.csv"), world.path("2.csv"));
    let args = |out: &std::path::Path| {
        vec![
            "export".to_owned(),
            "expenses".into(),
            "--checkpoint".into(),
            ck.to_str().expect("utf-8 path").into(),
            "--out".into(),
            out.to_str().expect("utf-8 path").into(),
        ]
    };
    let a1 = args(&first);
    let a1: Vec<&str> = a1.iter().map(String::as_str).collect();
    let export = world.fyle(&a1);
    let churner = async {
        let mut ticks = 0;
        for _ in 0..8 {
            tokio::time::sleep(Duration::from_millis(120)).await;
            world.sandbox.churn_once(&churn());
            ticks += 1;
        }
        ticks
    };
    let (out, ticks) = tokio::join!(export, churner);
    ok(&out);
    assert_eq!(ticks, 8);
    let run1 = unique(&csv_ids(&first));
    world.sandbox.set_faults(FaultConfig::default());
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let a2 = args(&second);
    ok(&world
        .fyle(&a2.iter().map(String::as_str).collect::<Vec<_>>())
        .await);
    let run2 = unique(&csv_ids(&second));

    let now = world.expenses();
    let expected = changed_between(&now, None, &watermark(&ck));
    let union: HashSet<String> = run1.union(&run2).cloned().collect();
    let missing: Vec<&String> = expected.difference(&union).collect();
    assert!(missing.is_empty(), "0 missing: {missing:?}");
    // A row in both runs changed after the first run's snapshot: the second has its new version.
    let mark1_rows = run1.intersection(&run2).count();
    eprintln!(
        "churn: run 1 {} rows, run 2 {} rows ({} re-exported after changing), 0 duplicates, 0 missing",
        run1.len(),
        run2.len(),
        mark1_rows
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_killed_half_way_resumes_without_duplicates() {
    let world = World::start(1200).await;
    let ck = world.path("kill.ck");
    for (format, ext) in [("csv", "csv"), ("ndjson", "ndjson"), ("json", "json")] {
        let out = world.path(&format!("killed.{ext}"));
        let _ = std::fs::remove_file(&ck);
        let args = [
            "export",
            "expenses",
            "--format",
            format,
            "--checkpoint",
            ck.to_str().expect("utf-8 path"),
            "--out",
            out.to_str().expect("utf-8 path"),
        ];
        let killed = world
            .fyle_env(&args, &[("FYLE_CLI_ABORT_AFTER_ROWS", "517")])
            .await;
        assert!(!killed.status.success(), "the run was killed");
        let resumed = world.fyle(&args).await;
        ok(&resumed);
        assert!(
            stderr(&resumed).contains("resuming a run that had written 400"),
            "{}",
            stderr(&resumed)
        );
        let ids: Vec<String> = match format {
            "csv" => csv_ids(&out),
            "ndjson" => std::fs::read_to_string(&out)
                .expect("as the test set it up")
                .lines()
                .map(|l| {
                    serde_json::from_str::<serde_json::Value>(l).expect("as the test set it up")
                            ["id"]
                            .as_str()
                            .expect("as the test set it up")
                            .to_owned()
                })
                .collect(),
            _ => serde_json::from_slice::<Vec<serde_json::Value>>(
                &std::fs::read(&out).expect("as the test set it up"),
            )
            .expect("the resumed JSON array is whole")
            .iter()
            .map(|r| r["id"].as_str().expect("as the test set it up").to_owned())
            .collect(),
        };
        let ids = unique(&ids);
        assert_eq!(
            ids,
            changed_between(&world.expenses(), None, &watermark(&ck)),
            "{format}: 0 missing"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn mark_exported_writes_the_summary_back() {
    let world = World::start(300).await;
    let out = world.path("marked.csv");
    let run = world
        .fyle(&[
            "export",
            "expenses",
            "--state",
            "PAID",
            "--out",
            out.to_str().expect("utf-8 path"),
            "--mark-exported",
            "https://erp.example.com/bills/{id}?n={seq_num}",
        ])
        .await;
    ok(&run);
    let ids = csv_ids(&out);
    assert!(!ids.is_empty());
    assert!(
        stderr(&run).contains(&format!("Marked {} expenses exported", ids.len())),
        "{}",
        stderr(&run)
    );
    for id in &ids {
        let row = world
            .sandbox
            .get(&world.org(), Resource::Expenses, id)
            .expect("row");
        let summary = &row["accounting_export_summary"];
        assert_eq!(summary["state"], "COMPLETE");
        let url = summary["url"].as_str().unwrap_or_default();
        assert!(
            url.starts_with(&format!("https://erp.example.com/bills/{id}?n=E/")),
            "{url}"
        );
    }
    // And through the API, as an integration would see it.
    let seen = world
        .fyle(&[
            "api",
            "GET",
            "/admin/expenses",
            "-f",
            &format!("id=eq.{}", ids[0]),
        ])
        .await;
    ok(&seen);
    assert!(
        common::stdout(&seen).contains("erp.example.com/bills"),
        "{}",
        common::stdout(&seen)
    );
    // Marking again is harmless.
    let again = world
        .fyle(&[
            "export",
            "expenses",
            "--state",
            "PAID",
            "--out",
            out.to_str().expect("utf-8 path"),
            "--mark-exported",
            "https://erp.example.com/bills/{id}?n={seq_num}",
        ])
        .await;
    ok(&again);
}
