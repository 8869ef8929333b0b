//! The decoding policy in practice: an expense from a newer (or sloppier) server still decodes.
#![cfg(feature = "admin")]

use fyle_models::types::{ExpenseOut, ExpenseOutState};
use rust_decimal::Decimal;

#[test]
fn expense_with_unknown_field_unknown_enum_value_and_missing_required_field_decodes() {
    // `org_id` and `user_id` are required by the spec and missing here, `state` carries a value the
    // spec does not list, `brand_new_field` is not in the spec, `project_id` is null.
    let json = r#"{
        "id": "txwownwrng",
        "amount": 1234.56,
        "currency": "USD",
        "state": "ESCALATED_TO_MARS",
        "spent_at": "2020-06-11T13:14:55.201598+00:00",
        "created_at": "2020-06-01T01:18:19.292-08:00",
        "project_id": null,
        "category_id": 12345,
        "brand_new_field": {"nested": [1, 2, 3]}
    }"#;
    let expense: ExpenseOut = serde_json::from_str(json).expect("tolerant decoding");
    assert_eq!(expense.id.as_deref(), Some("txwownwrng"));
    assert_eq!(expense.amount, Some(Decimal::new(123_456, 2)));
    assert_eq!(
        expense.state,
        Some(ExpenseOutState::Unknown("ESCALATED_TO_MARS".to_owned()))
    );
    assert_eq!(expense.org_id, None);
    assert_eq!(expense.user_id, None);
    assert_eq!(expense.project_id, None);
    assert_eq!(expense.category_id, Some(12345));
    let spent_at = expense.spent_at.expect("timestamp");
    assert_eq!(spent_at.microsecond(), 201_598);
    assert_eq!(
        expense
            .created_at
            .expect("timestamp")
            .offset()
            .whole_hours(),
        -8
    );

    // The unknown field is kept and readable.
    assert_eq!(
        expense.extra.get("brand_new_field"),
        Some(&serde_json::json!({"nested": [1, 2, 3]}))
    );

    // The unknown enum value and the unknown field re-encode as they came; the amount stays a
    // JSON number.
    let back = serde_json::to_value(&expense).expect("encodes");
    assert_eq!(back["state"], "ESCALATED_TO_MARS");
    assert_eq!(back["amount"], serde_json::json!(1234.56));
    assert_eq!(
        back["brand_new_field"],
        serde_json::json!({"nested": [1, 2, 3]})
    );
}

#[test]
fn known_enum_values_round_trip() {
    let s: ExpenseOutState = serde_json::from_str("\"APPROVER_PENDING\"").expect("decodes");
    assert_eq!(s, ExpenseOutState::ApproverPending);
    assert_eq!(
        serde_json::to_string(&s).expect("encodes"),
        "\"APPROVER_PENDING\""
    );
    assert_eq!(s.to_string(), "APPROVER_PENDING");
}

#[test]
fn money_survives_the_f64_path_exactly() {
    for text in [
        "0.1",
        "0.2",
        "12.34",
        "1234567.89",
        "99999999999.99",
        "-0.01",
        "100",
    ] {
        let e: ExpenseOut =
            serde_json::from_str(&format!(r#"{{"amount": {text}}}"#)).expect("decodes");
        let expected: Decimal = text.parse().expect("decimal");
        assert_eq!(e.amount, Some(expected), "{text}");
        let back = serde_json::to_value(&e).expect("encodes");
        assert!(
            back["amount"].is_number(),
            "{text} is written as a JSON number"
        );
        let again: ExpenseOut = serde_json::from_value(back).expect("decodes again");
        assert_eq!(again.amount, Some(expected), "{text} after a round trip");
    }
}

#[test]
fn an_employee_mobile_number_is_a_string_and_custom_fields_keep_their_names() {
    let json = r#"{
        "id": "txwownwrng",
        "employee": {"id": "ouX", "mobile": "+12131234567", "flattened_custom_field": {"Cost Code": "CC-1"}},
        "custom_fields_flattened": {"Project Code": "PRJ-42", "GL Account": 6100, "cf1": "x"}
    }"#;
    let expense: ExpenseOut = serde_json::from_str(json).expect("decodes");
    let employee = expense.employee.as_ref().expect("employee");
    assert_eq!(employee.mobile.as_deref(), Some("+12131234567"));
    let custom = expense
        .custom_fields_flattened
        .as_ref()
        .expect("custom fields");
    assert_eq!(custom.extra["Project Code"], "PRJ-42");
    assert_eq!(custom.extra["GL Account"], 6100);
    let back = serde_json::to_value(&expense).expect("encodes");
    let original: serde_json::Value = serde_json::from_str(json).expect("json");
    assert_eq!(back, original, "nothing lost or changed on the way back");
}

#[test]
fn timestamps_in_every_shape_fyle_sends_decode() {
    use fyle_models::wire::parse_timestamp;
    let utc = |text: &str| parse_timestamp(text).expect(text).unix_timestamp_nanos();
    let base = utc("2022-01-20T16:30:44Z");
    for (text, nanos) in [
        ("2022-01-20T16:30:44+00:00", 0),
        ("2022-01-20T16:30:44.5+00:00", 500_000_000),
        ("2022-01-20T16:30:44.58+00:00", 580_000_000),
        ("2022-01-20T16:30:44.584+00:00", 584_000_000),
        ("2022-01-20T16:30:44.5841+00:00", 584_100_000),
        ("2022-01-20T16:30:44.58410+00:00", 584_100_000),
        ("2022-01-20T16:30:44.584100+00:00", 584_100_000),
        ("2022-01-20T16:30:44.584100123+00:00", 584_100_123),
        ("2022-01-20T16:30:44.584100", 584_100_000),
        ("2022-01-20T16:30:44", 0),
        ("2022-01-20 16:30:44.584100+00:00", 584_100_000),
    ] {
        assert_eq!(utc(text) - base, nanos, "{text}");
    }
    assert_eq!(
        utc("2022-02-01"),
        utc("2022-02-01T00:00:00Z"),
        "a date-only value is midnight UTC"
    );
}

#[test]
fn aliases_of_timestamps_and_numbers_use_the_wire_format() {
    use fyle_models::types::{Amount, CreatedAt};
    let t: CreatedAt = serde_json::from_str("\"2020-06-01T13:14:54.804+00:00\"").expect("decodes");
    assert_eq!(t.millisecond(), 804);
    let again: CreatedAt =
        serde_json::from_value(serde_json::to_value(t).expect("encodes")).expect("decodes");
    assert_eq!(again, t);
    let a: Amount = serde_json::from_str("12.34").expect("decodes");
    assert_eq!(*a, Decimal::new(1234, 2));
    assert_eq!(
        serde_json::to_value(a).expect("encodes"),
        serde_json::json!(12.34)
    );
}

#[test]
fn input_fields_go_on_the_wire_as_the_spec_requires() {
    use fyle_models::Patch;
    use fyle_models::types::{AccountingExportSummaryIn, AdminExpenseIn, ProjectIn};
    // Required and nullable: always sent, `None` as `null`.
    let summary = AccountingExportSummaryIn {
        id: Some("txA".to_owned()),
        ..Default::default()
    };
    assert_eq!(
        serde_json::to_value(&summary).expect("encodes"),
        serde_json::json!({"id": "txA", "error_type": null})
    );
    // Optional and nullable: `Absent` is omitted (Fyle keeps the stored value), `Null` clears it.
    let keep = ProjectIn {
        name: Some("Alpha".to_owned()),
        ..Default::default()
    };
    let keep = serde_json::to_value(&keep).expect("encodes");
    assert!(keep.get("code").is_none(), "{keep}");
    let clear = ProjectIn {
        code: Patch::Null,
        description: Patch::Value("Win".to_owned()),
        ..Default::default()
    };
    let clear = serde_json::to_value(&clear).expect("encodes");
    assert_eq!(clear["code"], serde_json::Value::Null);
    assert_eq!(clear["description"], "Win");
    // `admin_expense_in` (its `anyOf` only lists required field sets) is a typed struct.
    let expense = AdminExpenseIn {
        id: Some("txA".to_owned()),
        admin_amount: Some(Decimal::new(1900, 0)),
        ..Default::default()
    };
    let json = serde_json::to_value(&expense).expect("encodes");
    assert_eq!(json["admin_amount"], serde_json::json!(1900.0));
}

#[cfg(feature = "accounts")]
#[test]
fn credential_fields_never_reach_debug() {
    let body: fyle_models::types::OauthTokenBody = serde_json::from_value(serde_json::json!({
        "grant_type": "refresh_token",
        "client_id": "tpaABC",
        "client_secret": "s3cr3t-value",
        "refresh_token": "r3fr3sh-value"
    }))
    .expect("decodes");
    let printed = format!("{body:?}");
    assert!(!printed.contains("s3cr3t-value"), "{printed}");
    assert!(!printed.contains("r3fr3sh-value"), "{printed}");
    assert!(printed.contains("[redacted]"), "{printed}");
    assert!(printed.contains("tpaABC"), "{printed}");
}
