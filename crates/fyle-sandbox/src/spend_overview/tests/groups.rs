//! The summary and the grouped views, summed by hand over the fixture org.

use serde_json::{Value, json};

use super::{run, total};
use crate::spend_overview::params::{Dimension, View};

#[test]
fn the_summary_sums_spend_per_bucket() {
    assert_eq!(
        run(View::Summary, &[]),
        json!({
            "time_interval_granularity": "month",
            "total_amount": 135.4,
            "data": [
                {"amount": 30.35, "time_interval_marker": "2026-01"},
                {"amount": 100.0, "time_interval_marker": "2026-02"},
                {"amount": 5.05, "time_interval_marker": "2026-03"},
            ],
        })
    );
    let quarters = run(
        View::Summary,
        &[("time_interval_granularity", "eq.quarter")],
    );
    assert_eq!(
        quarters["data"],
        json!([{"amount": 135.4, "time_interval_marker": "2026-Q1"}])
    );
    let days = run(View::Summary, &[("time_interval_granularity", "eq.day")]);
    let markers: Vec<&str> = days["data"]
        .as_array()
        .expect("data")
        .iter()
        .filter_map(|b| b["time_interval_marker"].as_str())
        .collect();
    assert_eq!(
        markers,
        ["2026-01-05", "2026-01-20", "2026-02-03", "2026-03-31"]
    );
    let years = run(View::Summary, &[("time_interval_granularity", "eq.year")]);
    assert_eq!(years["data"][0]["time_interval_marker"], json!("2026"));
}

#[test]
fn the_summary_honours_every_filter() {
    assert_eq!(total(&[("is_card_spend", "eq.true")]), json!(100.0));
    assert_eq!(total(&[("is_card_spend", "eq.false")]), json!(35.4));
    assert_eq!(total(&[("is_reimbursable", "eq.false")]), json!(100.0));
    assert_eq!(total(&[("is_reimbursable", "eq.true")]), json!(35.4));
    assert_eq!(total(&[("merchant", "in.(uber)")]), json!(30.35));
    assert_eq!(total(&[("merchant", "in.(Uber,Delta)")]), json!(130.35));
    assert_eq!(total(&[("category_id", "in.(11)")]), json!(25.3));
    assert_eq!(total(&[("project_id", "in.(20)")]), json!(115.15));
    assert_eq!(total(&[("department_id", "in.(dept2)")]), json!(20.25));
    assert_eq!(total(&[("user_id", "in.(us1,us3)")]), json!(115.15));
    assert_eq!(total(&[("card_id", "in.(bacc1)")]), json!(100.0));
    assert_eq!(
        total(&[("merchant", "in.(Uber)"), ("user_id", "in.(us1)")]),
        json!(10.1)
    );
    assert_eq!(total(&[("user_id", "in.(nobody)")]), json!(0.0));
}

#[test]
fn by_merchant_ranks_groups_with_their_share_and_change() {
    assert_eq!(
        run(View::By(Dimension::Merchant), &[]),
        json!([
            // 100 / 135.40; Delta spent 50.00 in the window before: +100 %.
            {"merchant_name": "Delta", "amount": 100.0, "percentage": 73.86, "change_percentage": 100.0},
            {"merchant_name": "Uber", "amount": 30.35, "percentage": 22.42, "change_percentage": 0.0},
            {"merchant_name": null, "amount": 5.05, "percentage": 3.73, "change_percentage": 0.0},
        ])
    );
}

#[test]
fn by_project_category_department_user_and_card_name_their_groups() {
    assert_eq!(
        run(View::By(Dimension::Project), &[]),
        json!([{"project_id": 20, "project_display_name": "Apollo", "amount": 115.15,
                "percentage": 85.04, "change_percentage": 130.3}])
    );
    assert_eq!(
        run(View::By(Dimension::Category), &[]),
        json!([
            {"category_id": 10, "category_display_name": "Travel / Flights", "amount": 110.1,
             "percentage": 81.31, "change_percentage": 120.2},
            {"category_id": 11, "category_display_name": "Meals", "amount": 25.3,
             "percentage": 18.69, "change_percentage": 0.0},
        ])
    );
    assert_eq!(
        run(View::By(Dimension::Department), &[]),
        json!([
            {"department_id": "dept1", "department_display_name": "Engineering", "amount": 110.1,
             "percentage": 81.31, "change_percentage": 120.2},
            {"department_id": "dept2", "department_display_name": "Sales / EMEA", "amount": 20.25,
             "percentage": 14.96, "change_percentage": 0.0},
        ])
    );
    let users = run(View::By(Dimension::User), &[]);
    assert_eq!(
        users[0],
        json!({"user_id": "us1", "user_full_name": "Ann", "user_email": "ann@example.com",
               "amount": 110.1, "percentage": 81.31, "change_percentage": 120.2})
    );
    let amounts: Vec<&Value> = users
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| &r["amount"])
        .collect();
    assert_eq!(amounts, [&json!(110.1), &json!(20.25), &json!(5.05)]);
    assert_eq!(
        run(View::By(Dimension::CorporateCard), &[]),
        json!([{"card_id": "bacc1", "card_number": "xxxx-1111", "card_holder_name": "Ann",
                "card_nickname": "Ann's travel card", "user_id": "us1", "amount": 100.0,
                "percentage": 73.86, "change_percentage": 0.0}])
    );
    // A by_* view's filters narrow the spend, and the share is of what is left.
    assert_eq!(
        run(View::By(Dimension::Merchant), &[("user_id", "in.(us2)")]),
        json!([{"merchant_name": "Uber", "amount": 20.25, "percentage": 100.0, "change_percentage": 0.0}])
    );
}
