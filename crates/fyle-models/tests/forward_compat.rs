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

    // The unknown enum value re-encodes as it came; the amount stays a JSON number.
    let back = serde_json::to_value(&expense).expect("encodes");
    assert_eq!(back["state"], "ESCALATED_TO_MARS");
    assert_eq!(back["amount"], serde_json::json!(1234.56));
    assert!(back.get("brand_new_field").is_none());
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
