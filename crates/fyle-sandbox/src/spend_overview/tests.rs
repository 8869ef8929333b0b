//! The spend overview over a hand-made org whose sums are worked out by hand below (the org and
//! the helpers that query it live here), its query parameters against the raw spec, its windows
//! and its readiness.

use serde_json::{Value, json};
use time::macros::datetime;

use super::aggregate::{Computed, compute};
use super::params::{self, View};
use super::window::Period;
use crate::store::{OrgData, Resource};

mod groups;
mod parameters;
mod windows;

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
