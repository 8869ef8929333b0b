//! `fyle export` in each format against the sandbox; the xlsx is read back with calamine.

mod common;

use calamine::{Data, Reader, Xlsx, open_workbook};
use common::{World, changed_between, csv_ids, ok, stderr, unique, watermark};
use serde_json::Value;

#[tokio::test(flavor = "multi_thread")]
async fn csv_json_ndjson_and_xlsx_carry_the_same_rows() {
    let world = World::start(600).await;
    let ck = world.path("csv.ck");
    let csv = world.path("e.csv");
    let out = world
        .fyle(&[
            "export",
            "expenses",
            "--out",
            csv.to_str().expect("utf-8 path"),
            "--checkpoint",
            ck.to_str().expect("utf-8 path"),
        ])
        .await;
    ok(&out);
    // Every expense up to the snapshot bound, each once.
    let expected = changed_between(&world.expenses(), None, &watermark(&ck));
    let ids = unique(&csv_ids(&csv));
    assert_eq!(ids, expected, "0 missing, 0 extra");
    assert!(
        ids.len() > 500,
        "most seeded rows are in the past: {}",
        ids.len()
    );

    let json = world.path("e.json");
    ok(&world
        .fyle(&[
            "export",
            "expenses",
            "--format",
            "json",
            "--out",
            json.to_str().expect("utf-8 path"),
        ])
        .await);
    let array: Vec<Value> =
        serde_json::from_slice(&std::fs::read(&json).expect("as the test set it up"))
            .expect("a JSON array");
    let ndjson = world.path("e.ndjson");
    ok(&world
        .fyle(&[
            "export",
            "expenses",
            "--out",
            ndjson.to_str().expect("utf-8 path"),
        ])
        .await);
    let lines: Vec<Value> = std::fs::read_to_string(&ndjson)
        .expect("as the test set it up")
        .lines()
        .map(|l| serde_json::from_str(l).expect("one object per line"))
        .collect();
    assert_eq!(array.len(), ids.len());
    assert_eq!(lines.len(), ids.len());
    let first = &array[0];
    assert!(
        first["amount"].is_number(),
        "money is a JSON number: {first}"
    );
    assert!(
        first["spent_at"].as_str().is_some_and(|d| d.len() == 10),
        "dates are dates: {first}"
    );
    assert!(first["is_reimbursable"].is_boolean());

    let xlsx = world.path("e.xlsx");
    ok(&world
        .fyle(&[
            "export",
            "expenses",
            "--out",
            xlsx.to_str().expect("utf-8 path"),
        ])
        .await);
    let mut book: Xlsx<_> = open_workbook(&xlsx).expect("xlsx opens");
    let sheet = book
        .worksheet_range_at(0)
        .expect("a sheet")
        .expect("readable");
    let rows: Vec<&[Data]> = sheet.rows().collect();
    let header: Vec<String> = rows[0].iter().map(ToString::to_string).collect();
    let col = |name: &str| header.iter().position(|h| h == name).expect(name);
    assert_eq!(rows.len(), ids.len() + 2, "header + rows + totals");
    let (amount, spent, id) = (col("amount"), col("spent_at"), col("id"));
    let mut sum = 0.0;
    for row in &rows[1..rows.len() - 1] {
        assert!(matches!(row[id], Data::String(_)), "id is text");
        match &row[amount] {
            Data::Float(v) => sum += v,
            Data::Empty => {}
            other => panic!("amount is a number, got {other:?}"),
        }
        assert!(
            matches!(row[spent], Data::DateTime(_)),
            "spent_at is a date: {:?}",
            row[spent]
        );
    }
    let totals = rows[rows.len() - 1];
    assert_eq!(totals[0].to_string(), "Total");
    match &totals[amount] {
        Data::Float(total) => assert!((total - sum).abs() < 0.01, "totals row {total} = {sum}"),
        other => panic!("the totals row holds a number, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn columns_choose_and_order_and_filters_narrow() {
    let world = World::start(300).await;
    let out = world.path("paid.csv");
    let run = world
        .fyle(&[
            "export",
            "expenses",
            "--state",
            "PAID",
            "--source-account",
            "personal",
            "--columns",
            "seq_num,amount,state,source_account_type",
            "--out",
            out.to_str().expect("utf-8 path"),
        ])
        .await;
    ok(&run);
    let mut reader = csv::Reader::from_path(&out).expect("as the test set it up");
    assert_eq!(
        reader.headers().expect("as the test set it up"),
        vec!["seq_num", "amount", "state", "source_account_type"]
    );
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("csv row")).collect();
    assert!(!records.is_empty());
    for r in &records {
        assert_eq!(&r[2], "PAID");
        assert_eq!(&r[3], "PERSONAL_CASH_ACCOUNT");
    }
    let bad = world
        .fyle(&["export", "expenses", "--columns", "seq_num,nope"])
        .await;
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
    assert!(
        stderr(&bad).contains("unknown column \"nope\""),
        "{}",
        stderr(&bad)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn master_data_exports_share_the_output_options() {
    let world = World::start(50).await;
    for what in [
        "reports",
        "employees",
        "categories",
        "projects",
        "cost-centers",
    ] {
        let out = world.path(&format!("{what}.ndjson"));
        let run = world
            .fyle(&["export", what, "--out", out.to_str().expect("utf-8 path")])
            .await;
        ok(&run);
        let lines = std::fs::read_to_string(&out).expect("as the test set it up");
        assert!(lines.lines().count() > 0, "{what} exported rows");
        for line in lines.lines() {
            let row: Value = serde_json::from_str(line).expect("as the test set it up");
            assert!(!row["id"].is_null(), "{what} rows have ids");
        }
    }
}
