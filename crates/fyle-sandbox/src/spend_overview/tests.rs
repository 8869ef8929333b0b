//! The spend overview over a hand-made org whose sums are worked out by hand below, its query
//! parameters against the raw spec, its windows and its readiness.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use time::macros::datetime;

use super::aggregate::{Computed, compute};
use super::params::{self, Dimension, Params, View};
use super::readiness::{Answer, Computations, Key};
use super::window::{Granularity, Period, Preset};
use crate::store::{OrgData, Resource};

/// Three employees (Ann in Engineering, Bob in Sales, Cy without a department), two categories,
/// one project, one card of Ann's with one transaction, and seven expenses:
///
/// | id | state            | amount | spent      | merchant | cat | proj | user | card  |
/// |----|------------------|--------|------------|----------|-----|------|------|-------|
/// | e1 | COMPLETE         |  10.10 | 2026-01-05 | Uber     | 10  | 20   | Ann  |       |
/// | e2 | APPROVED         |  20.25 | 2026-01-20 | Uber     | 11  |      | Bob  |       |
/// | e3 | PAID             | 100.00 | 2026-02-03 | Delta    | 10  | 20   | Ann  | bacc1 |
/// | e4 | DRAFT            | 999.99 | 2026-02-10 | Delta    | 10  | 20   | Ann  |       |
/// | e5 | APPROVER_PENDING |   5.05 | 2026-03-31 | (none)   | 11  | 20   | Cy   |       |
/// | e6 | COMPLETE         |  50.00 | 2025-12-15 | Delta    | 10  | 20   | Ann  |       |
/// | e7 | COMPLETE         |   7.00 | 2026-04-01 | Uber     | 10  |      | Bob  |       |
///
/// In Q1 2026 (the window of [`q1`]) the spend is e1, e2, e3 and e5: 135.40 (e4 is a draft, e6
/// and e7 fall outside). The previous window (the 90 days before) holds e6 only. e3 alone is
/// card spend and not reimbursable.
fn org() -> OrgData {
    let mut org = OrgData::new("orTest".into(), "Test Org".into(), "example.com".into());
    let departments = org.table_mut(Resource::Departments);
    departments
        .insert(json!({"id": "dept1", "name": "Engineering", "display_name": "Engineering"}));
    departments.insert(json!({"id": "dept2", "name": "Sales", "display_name": "Sales / EMEA"}));
    let employees = org.table_mut(Resource::Employees);
    for (ou, us, name, dept) in [
        ("ou1", "us1", "Ann", json!("dept1")),
        ("ou2", "us2", "Bob", json!("dept2")),
        ("ou3", "us3", "Cy", Value::Null),
    ] {
        employees.insert(json!({
            "id": ou, "user_id": us, "department_id": dept,
            "user": {"email": format!("{}@example.com", name.to_lowercase()), "full_name": name},
        }));
    }
    let categories = org.table_mut(Resource::Categories);
    categories.insert(json!({"id": 10, "name": "Travel", "display_name": "Travel / Flights"}));
    categories.insert(json!({"id": 11, "name": "Meals", "display_name": "Meals"}));
    org.table_mut(Resource::Projects)
        .insert(json!({"id": 20, "name": "Apollo", "display_name": "Apollo"}));
    org.table_mut(Resource::CorporateCards).insert(json!({
        "id": "bacc1", "user_id": "us1", "card_number": "xxxx-1111",
        "cardholder_name": "Ann", "nickname": "Ann's travel card",
    }));
    org.table_mut(Resource::CorporateCardTransactions)
        .insert(json!({"id": "btxn1", "corporate_card_id": "bacc1"}));
    let rows = [
        (
            "e1",
            "COMPLETE",
            10.10,
            "2026-01-05",
            json!("Uber"),
            10,
            json!(20),
            "ou1",
            None,
        ),
        (
            "e2",
            "APPROVED",
            20.25,
            "2026-01-20",
            json!("Uber"),
            11,
            Value::Null,
            "ou2",
            None,
        ),
        (
            "e3",
            "PAID",
            100.00,
            "2026-02-03",
            json!("Delta"),
            10,
            json!(20),
            "ou1",
            Some("btxn1"),
        ),
        (
            "e4",
            "DRAFT",
            999.99,
            "2026-02-10",
            json!("Delta"),
            10,
            json!(20),
            "ou1",
            None,
        ),
        (
            "e5",
            "APPROVER_PENDING",
            5.05,
            "2026-03-31T12:00:00",
            Value::Null,
            11,
            json!(20),
            "ou3",
            None,
        ),
        (
            "e6",
            "COMPLETE",
            50.00,
            "2025-12-15",
            json!("Delta"),
            10,
            json!(20),
            "ou1",
            None,
        ),
        (
            "e7",
            "COMPLETE",
            7.00,
            "2026-04-01",
            json!("Uber"),
            10,
            Value::Null,
            "ou2",
            None,
        ),
    ];
    for (id, state, amount, spent, merchant, category, project, ou, txn) in rows {
        let user = ou.replace("ou", "us");
        let spent_at = if spent.len() == 10 {
            format!("{spent}T00:00:00.000000+00:00")
        } else {
            format!("{spent}.000000+00:00")
        };
        let account = if txn.is_some() {
            "PERSONAL_CORPORATE_CREDIT_CARD_ACCOUNT"
        } else {
            "PERSONAL_CASH_ACCOUNT"
        };
        org.table_mut(Resource::Expenses).insert(json!({
            "id": id, "state": state, "amount": amount, "spent_at": spent_at,
            "merchant": merchant, "category_id": category, "project_id": project,
            "employee_id": ou, "user_id": user, "is_reimbursable": txn.is_none(),
            "source_account": {"type": account},
            "matched_corporate_card_transaction_ids": txn.map_or_else(|| json!([]), |t| json!([t])),
        }));
    }
    org
}

/// 2026-01-01 to 2026-03-31, both inclusive.
fn q1() -> Period {
    Period::Between {
        start: datetime!(2026-01-01 0:00 UTC),
        end: datetime!(2026-03-31 23:59:59.999999 UTC),
    }
}

fn run(view: View, query: &[(&str, &str)]) -> Value {
    let pairs: Vec<(String, String)> = query
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let (mut params, rest) = params::parse(view, &pairs).expect("valid query");
    assert!(rest.is_empty(), "{rest:?}");
    if params.period == Period::default() {
        params.period = q1();
    }
    let windows = params
        .period
        .windows(datetime!(2026-05-01 0:00 UTC))
        .expect("windows");
    match compute(&org(), view, &params, &windows) {
        Computed::Summary(body) => body,
        Computed::Rows(rows) => Value::Array(rows),
    }
}

fn total(query: &[(&str, &str)]) -> Value {
    run(View::Summary, query)["total_amount"].clone()
}

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

#[test]
fn the_parameters_are_the_specs() {
    let spec = fyle_spec_check::Spec::load_default().expect("the spec folder (FYLE_SPEC_DIR)");
    let operations = spec.operations().expect("operations");
    let mut checked = 0;
    for op in operations
        .iter()
        .filter(|o| o.path.starts_with("/admin/spend_overview/"))
    {
        let segment = op.path.rsplit('/').next().unwrap_or_default();
        let view = View::from_segment(segment).expect("every spend overview has a view");
        let mut ours = view.declared();
        ours.sort_unstable();
        let mut theirs: Vec<&str> = op.parameters.iter().map(|p| p.name.as_str()).collect();
        theirs.sort_unstable();
        assert_eq!(ours, theirs, "{}", op.path);
        assert!(op.responses.contains_key("202"), "{}", op.path);
        checked += 1;
    }
    assert_eq!(checked, 7);
}

#[test]
fn bad_parameters_are_refused_with_their_name() {
    let refused = |view, pairs: &[(&str, &str)]| {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        match params::parse(view, &pairs) {
            Err(crate::errors::ApiError::InvalidQuery(m)) => m,
            other => panic!("expected a refusal, got {other:?}"),
        }
    };
    let m = refused(View::Summary, &[("merchant", "eq.Uber")]);
    assert!(m.contains("merchant") && m.contains("in"), "{m}");
    let m = refused(View::Summary, &[("time_interval_granularity", "eq.week")]);
    assert!(m.contains("eq.quarter"), "{m}");
    let m = refused(View::Summary, &[("time_interval_start", "eq.2026-01-01")]);
    assert!(m.contains("time_interval_end"), "{m}");
    let m = refused(
        View::Summary,
        &[
            ("time_interval_start", "eq.2026-02-01"),
            ("time_interval_end", "eq.2026-01-01"),
        ],
    );
    assert!(m.contains("after"), "{m}");
    let m = refused(View::Summary, &[("is_card_spend", "eq.maybe")]);
    assert!(m.contains("is_card_spend"), "{m}");
    let m = refused(
        View::Summary,
        &[("user_id", "in.(a)"), ("user_id", "in.(b)")],
    );
    assert!(m.contains("more than once"), "{m}");
    // The same query written two ways is one query.
    let a = params::parse(
        View::Summary,
        &[
            ("user_id".into(), "in.(b,a)".into()),
            ("merchant".into(), "in.(x)".into()),
        ],
    )
    .expect("valid");
    let b = params::parse(
        View::Summary,
        &[
            ("merchant".into(), "in.(x)".into()),
            ("user_id".into(), "in.(a,b,a)".into()),
        ],
    )
    .expect("valid");
    assert_eq!(a.0, b.0);
    // A by_* view hands back what it does not declare (its page's pairs).
    let (p, rest) = params::parse(
        View::By(Dimension::Merchant),
        &[
            ("merchant".into(), "in.(x)".into()),
            ("limit".into(), "5".into()),
        ],
    )
    .expect("valid");
    assert_eq!(p, Params::default());
    assert_eq!(rest.len(), 2);
}

#[test]
fn presets_are_calendar_periods_and_compare_with_the_one_before() {
    // A Wednesday in May.
    let now = datetime!(2026-05-13 15:30 UTC);
    let w = |p| Period::Preset(p).windows(now).expect("windows");
    let week = w(Preset::Week);
    assert_eq!(week.current.start, datetime!(2026-05-11 0:00 UTC));
    assert_eq!(week.current.end, datetime!(2026-05-18 0:00 UTC));
    assert_eq!(week.previous.start, datetime!(2026-05-04 0:00 UTC));
    let month = w(Preset::Month);
    assert_eq!(month.previous.start, datetime!(2026-04-01 0:00 UTC));
    assert_eq!(month.current.end, datetime!(2026-06-01 0:00 UTC));
    let quarter = w(Preset::Quarter);
    assert_eq!(quarter.current.start, datetime!(2026-04-01 0:00 UTC));
    assert_eq!(quarter.previous.start, datetime!(2026-01-01 0:00 UTC));
    assert_eq!(quarter.current.end, datetime!(2026-07-01 0:00 UTC));
    let year = w(Preset::Year);
    assert_eq!(year.current.start, datetime!(2026-01-01 0:00 UTC));
    assert_eq!(year.previous.start, datetime!(2025-01-01 0:00 UTC));
    // January's previous month and quarter are last year's.
    let january = datetime!(2026-01-02 0:00 UTC);
    let m = Period::Preset(Preset::Month)
        .windows(january)
        .expect("windows");
    assert_eq!(m.previous.start, datetime!(2025-12-01 0:00 UTC));
    let q = Period::Preset(Preset::Quarter)
        .windows(january)
        .expect("windows");
    assert_eq!(q.previous.start, datetime!(2025-10-01 0:00 UTC));
    // An explicit window includes its end; the one before has the same length.
    let explicit = q1().windows(now).expect("windows");
    assert!(
        explicit
            .current
            .contains(datetime!(2026-03-31 23:59:59.999999 UTC))
    );
    assert!(!explicit.current.contains(datetime!(2026-04-01 0:00 UTC)));
    assert_eq!(explicit.previous.end, datetime!(2026-01-01 0:00 UTC));
    assert_eq!(
        Granularity::Quarter.marker(datetime!(2026-12-31 23:00 UTC)),
        "2026-Q4"
    );
}

#[test]
fn a_query_is_accepted_then_ready_and_a_write_starts_it_over() {
    let key = Key {
        org_id: "orTest".into(),
        view: View::Summary,
        params: Params::default(),
        windows: q1()
            .windows(datetime!(2026-05-01 0:00 UTC))
            .expect("windows"),
    };
    let ready = |a: &Answer| matches!(a, Answer::Ready(_));
    let body = || Computed::Summary(json!({"data": []}));
    let t0 = Instant::now();

    let now = Computations::new(Duration::ZERO);
    assert!(!ready(&now.answer(key.clone(), 1, t0, body)));
    assert!(ready(&now.answer(key.clone(), 1, t0, body)));
    assert!(ready(&now.answer(key.clone(), 1, t0, body)));
    // Another query is computed on its own.
    let other = Key {
        view: View::By(Dimension::User),
        ..key.clone()
    };
    assert!(!ready(&now.answer(other, 1, t0, body)));
    // The org's data changed (version 2): computed again.
    assert!(!ready(&now.answer(key.clone(), 2, t0, body)));
    assert!(ready(&now.answer(key.clone(), 2, t0, body)));

    let slow = Computations::new(Duration::from_secs(30));
    match slow.answer(key.clone(), 1, t0, body) {
        Answer::Accepted { retry_after } => assert_eq!(retry_after, Duration::from_secs(30)),
        Answer::Ready(_) => panic!("the first request is accepted"),
    }
    match slow.answer(key.clone(), 1, t0 + Duration::from_secs(10), body) {
        Answer::Accepted { retry_after } => assert_eq!(retry_after, Duration::from_secs(20)),
        Answer::Ready(_) => panic!("not ready before 30 s"),
    }
    assert!(ready(&slow.answer(
        key,
        1,
        t0 + Duration::from_secs(30),
        body
    )));
}
