//! An expense whose employee has a mobile number and whose custom fields are named
//! `Project Code` and `GL Account`: both show in the export, one column each.

mod common;

use common::{ok, run, stderr};
use fyle_mock::MockFyle;
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn custom_fields_become_columns_by_name() {
    let fyle = MockFyle::start().await;
    let expense = json!({
        "id": "txMOCK1", "seq_num": "E/2026/01/T/1", "state": "PAID",
        "updated_at": "2026-01-02T03:04:05.000000+00:00",
        "spent_at": "2026-01-01T00:00:00.000000+00:00",
        "amount": 120.5, "currency": "USD",
        "employee": {"code": "E42", "mobile": "+14155550123",
                     "user": {"email": "ann@example.com", "full_name": "Ann Lee"},
                     "department": {"name": "Finance"}},
        "custom_fields": [
            {"name": "Project Code", "value": "PX-7"},
            {"name": "GL Account", "value": "=6100"}
        ]
    });
    fyle.mock_list("/admin/expenses", vec![expense]).await;
    let dir = tempfile::tempdir().expect("as the test set it up");
    let out = dir.path().join("e.csv");
    let env = vec![
        ("FYLE_ACCOUNTS_URL".to_owned(), fyle.uri()),
        ("FYLE_CLIENT_ID".into(), "mock-client-id".into()),
        ("FYLE_CLIENT_SECRET".into(), "mock-client-secret".into()),
        ("FYLE_REFRESH_TOKEN".into(), "mock-refresh-token".into()),
    ];
    let export = run(
        dir.path(),
        &[
            "export",
            "expenses",
            "--out",
            out.to_str().expect("utf-8 path"),
        ],
        env,
    )
    .await;
    ok(&export);
    assert!(
        stderr(&export).contains("custom fields: Project Code, GL Account"),
        "{}",
        stderr(&export)
    );
    let mut reader = csv::Reader::from_path(&out).expect("as the test set it up");
    let headers = reader.headers().expect("as the test set it up").clone();
    let record = reader
        .records()
        .next()
        .expect("one row")
        .expect("as the test set it up");
    let cell = |name: &str| record[headers.iter().position(|h| h == name).expect(name)].to_owned();
    assert_eq!(cell("employee_mobile"), "+14155550123");
    assert_eq!(cell("employee_department"), "Finance");
    assert_eq!(cell("Project Code"), "PX-7");
    assert_eq!(
        cell("GL Account"),
        "'=6100",
        "formula-like text is neutralised"
    );
    assert_eq!(cell("amount"), "120.50");
    assert_eq!(cell("spent_at"), "2026-01-01");
}
