//! Pages carrying each shape captured from Fyle's servers that disagrees with the spec. Each
//! page decodes whole through the lenient decoder, with the repaired values named, and the keys
//! the spec lacks kept and re-encoded.
#![cfg(feature = "admin")]

use fyle_models::lenient::{self, Decoded, Repair};
use fyle_models::types::{
    EmployeeOut, ExpenseFieldOut, ExpenseOut, ProjectOut, ReimbursementOut, ReportOut,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// Fyle's list envelope.
#[derive(Debug, Deserialize, Serialize)]
struct Page<T> {
    count: u64,
    offset: u64,
    data: Vec<T>,
}

fn page<T: DeserializeOwned>(items: &Value) -> Decoded<Page<T>> {
    let n = items.as_array().map_or(0, Vec::len);
    let body = json!({"count": n, "offset": 0, "data": items});
    let bytes = serde_json::to_vec(&body).expect("json");
    let decoded = lenient::decode::<Page<T>>(&bytes).expect("the page decodes whole");
    assert_eq!(decoded.value.data.len(), n, "no item lost");
    for w in &decoded.warnings {
        println!("warning: {w}");
    }
    decoded
}

fn warned(d: &Decoded<impl Sized>) -> Vec<(String, Repair)> {
    d.warnings
        .iter()
        .map(|w| (w.path.clone(), w.repair))
        .collect()
}

#[test]
fn nulls_in_approver_ids_are_dropped_and_named() {
    // `project_out` does not list `approver_user_ids`: the array is kept as it came.
    let d = page::<ProjectOut>(&json!([
        {"id": 1, "name": "Alpha", "approver_user_ids": ["usA", null]},
        {"id": 2, "name": "Beta", "approver_user_ids": [null]}
    ]));
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);
    assert_eq!(
        d.value.data[0].extra["approver_user_ids"],
        json!(["usA", null])
    );
    // Where the spec types an id array, a null inside is dropped and named.
    let d = page::<ExpenseOut>(&json!([
        {"id": "tx1", "file_ids": ["fiA", null]},
        {"id": "tx2", "file_ids": [null]}
    ]));
    assert_eq!(d.value.data[0].file_ids, Some(vec!["fiA".to_owned()]));
    assert_eq!(d.value.data[1].file_ids, Some(vec![]));
    assert_eq!(
        warned(&d),
        [
            ("data[0].file_ids[1]".to_owned(), Repair::DroppedItem),
            ("data[1].file_ids[0]".to_owned(), Repair::DroppedItem),
        ]
    );
    assert_eq!(d.warnings[0].expected, "a string");
    assert_eq!(d.warnings[0].got, "null");
}

#[test]
fn a_boolean_default_value_on_expense_fields_is_kept_as_text() {
    let d = page::<ExpenseFieldOut>(&json!([
        {"id": 10, "field_name": "Billable", "default_value": false},
        {"id": 11, "field_name": "Purpose", "default_value": "none"}
    ]));
    assert_eq!(d.value.data[0].default_value.as_deref(), Some("false"));
    assert_eq!(d.value.data[1].default_value.as_deref(), Some("none"));
    assert_eq!(
        warned(&d),
        [("data[0].default_value".to_owned(), Repair::AsText)]
    );
}

#[test]
fn reimbursements_with_offset_less_timestamps_and_a_settlement_id() {
    let d = page::<ReimbursementOut>(&json!([
        {"id": "reim1", "created_at": "2022-01-20T16:30:44.584100", "settlement_id": "setl1"},
        {"id": "reim2", "created_at": "2022-01-20T16:30:44", "settlement_id": "setl2"}
    ]));
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);
    let first = &d.value.data[0];
    assert_eq!(
        first
            .created_at
            .map(|t| (t.offset().is_utc(), t.microsecond())),
        Some((true, 584_100))
    );
    assert_eq!(first.extra["settlement_id"], "setl1");
    let back = serde_json::to_value(&d.value).expect("encodes");
    assert_eq!(back["data"][1]["settlement_id"], "setl2");
}

#[test]
fn an_expense_page_keeps_what_the_spec_lacks() {
    let items = json!([
        {
            "id": "tx1",
            "amount": 12.5,
            "spent_at": "2024-03-01T00:00:00+00:00",
            "created_at": "2024-03-01T10:11:12.7+00:00",
            "updated_at": "2024-03-01T10:11:12.774000+00:00",
            "settlement_id": "setlA",
            "report_settlement_id": "setlB",
            "is_weekend_spend": true,
            "employee": {"id": "ouA", "mobile": "+12131234567"},
            "custom_fields_flattened": {"Project Code": "PRJ-42", "GL Account": "6100"}
        },
        {"id": "tx2", "created_at": "2024-03-01T10:11:12.12+00:00", "updated_at": "2024-03-01T10:11:12.774+00:00"}
    ]);
    let d = page::<ExpenseOut>(&items);
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);
    let e = &d.value.data[0];
    assert_eq!(e.extra["settlement_id"], "setlA");
    assert_eq!(e.extra["report_settlement_id"], "setlB");
    assert_eq!(e.extra["is_weekend_spend"], true);
    assert_eq!(
        e.employee.as_ref().and_then(|x| x.mobile.as_deref()),
        Some("+12131234567")
    );
    let custom = e.custom_fields_flattened.as_ref().expect("custom fields");
    assert_eq!(custom.extra["Project Code"], "PRJ-42");
    assert_eq!(custom.extra["GL Account"], "6100");
    assert_eq!(
        e.updated_at, d.value.data[1].updated_at,
        "`.774000` and `.774` are the same instant"
    );
    let back = serde_json::to_value(&d.value.data[0]).expect("encodes");
    for key in [
        "settlement_id",
        "report_settlement_id",
        "is_weekend_spend",
        "custom_fields_flattened",
    ] {
        assert_eq!(back[key], items[0][key], "{key} re-encodes unchanged");
    }
    assert_eq!(back["employee"]["mobile"], "+12131234567");
}

#[test]
fn employees_keep_the_currency_of_their_per_diem_rates() {
    let d = page::<EmployeeOut>(&json!([
        {"id": "ouA", "mobile": "+12131234567", "per_diem_rates": [{"id": 5, "name": "Paris", "currency": "EUR"}]}
    ]));
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);
    let rates = d.value.data[0].per_diem_rates.as_ref().expect("rates");
    assert_eq!(rates[0].extra["currency"], "EUR");
    let back = serde_json::to_value(&d.value).expect("encodes");
    assert_eq!(back["data"][0]["per_diem_rates"][0]["currency"], "EUR");
}

#[test]
fn reports_keep_their_settlement_id() {
    let d = page::<ReportOut>(&json!([
        {"id": "rp1", "settlement_id": "setl9", "employee": {"id": "ouA", "mobile": "+12131234567"}}
    ]));
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);
    assert_eq!(d.value.data[0].extra["settlement_id"], "setl9");
}

#[test]
fn strict_decoding_fails_where_lenient_repairs() {
    let body = br#"{"count": 1, "offset": 0, "data": [{"id": "tx1", "file_ids": ["fiA", null]}]}"#;
    let err = lenient::decode_strict::<Page<ExpenseOut>>(body).expect_err("strict");
    assert_eq!(err.path().to_string(), "data[0].file_ids[1]");
}
