//! Seeding the employees: the admin first, then a few approvers, then spenders, each spender
//! approved by one of the approvers.

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

use super::words::{FIRST_NAMES, LAST_NAMES, LOCATIONS, TITLES};
use super::{DAY, Seeding, pick, ts};
use crate::clock::fyle_timestamp_unix;
use crate::ids::new_id;
use crate::store::Resource;

/// The seeded employees, in order: (employee id, user id).
pub(super) type Employees = Vec<(String, String)>;

/// Seeds the employees (about one per hundred expenses, 8 to 400) in departments of
/// `department_ids`.
pub(super) fn seed(s: &mut Seeding, department_ids: &[String], expenses: usize) -> Employees {
    // Employees: 0 is the admin, the next few approvers, the rest spenders.
    let n_employees = (expenses / 100).clamp(8, 400);
    let n_approvers = (n_employees / 8).max(2);
    let mut employees: Employees = Vec::new();
    for i in 0..n_employees {
        let id = new_id(&mut s.rng, "ou");
        let user_id = new_id(&mut s.rng, "us");
        let first = *pick(&mut s.rng, FIRST_NAMES);
        let last = *pick(&mut s.rng, LAST_NAMES);
        let email = format!(
            "{}.{}{}@{}",
            first.to_lowercase(),
            last.to_lowercase(),
            i + 1,
            s.org.domain
        );
        let roles = roles(i, n_approvers);
        let approver_ids = approver(&mut s.rng, &employees, i, n_approvers);
        let joined = s.org_created + s.rng.gen_range(0..60) * DAY;
        let created = ts(&mut s.rng, joined);
        let updated_secs = joined + s.rng.gen_range(0..300) * DAY;
        let updated = ts(&mut s.rng, updated_secs);
        s.org.table_mut(Resource::Employees).insert(json!({
            "id": id, "org_id": s.org_id, "created_at": created, "updated_at": updated,
            "user_id": user_id,
            "user": {"id": user_id, "email": email, "full_name": format!("{first} {last}")},
            "business_unit": if i % 2 == 0 { "North America" } else { "International" },
            "code": format!("E{:05}", i + 1001),
            "department_id": pick(&mut s.rng, department_ids),
            "is_enabled": true,
            "joined_at": fyle_timestamp_unix(joined, 0),
            "level_id": Value::Null, "level": Value::Null,
            "location": pick(&mut s.rng, LOCATIONS),
            "roles": roles,
            "special_email": Value::Null,
            "title": pick(&mut s.rng, TITLES),
            "custom_fields": [], "flattened_custom_field": {},
            "project_ids": [], "projects": [], "cost_center_ids": [], "cost_centers": [],
            "per_diem_rate_ids": [], "per_diem_rates": [], "mileage_rate_ids": [], "mileage_rates": [],
            "approver_user_ids": approver_ids,
            "has_accepted_invite": i % 17 != 5,
            "mobile": format!("+1213{:07}", s.extra.gen_range(1_000_000..10_000_000)),
            "is_mobile_verified": true,
            "delegatees": [], "category_ids": [], "categories": [],
        }));
        employees.push((id, user_id));
    }
    admin_approved_by_first_approver(s, &employees);
    employees
}

/// The roles of employee `i`: the admin, an approver, or a spender.
fn roles(i: usize, n_approvers: usize) -> Vec<&'static str> {
    if i == 0 {
        vec!["FYLER", "ADMIN", "APPROVER"]
    } else if i <= n_approvers {
        vec!["FYLER", "APPROVER"]
    } else {
        vec!["FYLER"]
    }
}

/// Who approves employee `i`: the admin for the admin (replaced afterwards, when the first
/// approver exists) and the approvers, one of the approvers (drawn) for a spender.
fn approver(
    rng: &mut ChaCha8Rng,
    employees: &Employees,
    i: usize,
    n_approvers: usize,
) -> Vec<String> {
    let approver = if i <= n_approvers {
        employees.first().map(|(_, u)| u.clone())
    } else {
        let k = rng.gen_range(1..=n_approvers);
        employees.get(k).map(|(_, u)| u.clone())
    };
    approver.into_iter().collect()
}

/// The admin's own approver is the first approver, set once that approver is seeded.
fn admin_approved_by_first_approver(s: &mut Seeding, employees: &Employees) {
    if let (Some((admin_emp, _)), Some((_, first_approver))) = (employees.first(), employees.get(1))
    {
        let table = s.org.table_mut(Resource::Employees);
        if let Some(row) = table.get(admin_emp).map(|r| (**r).clone()) {
            let mut row = row;
            row["approver_user_ids"] = json!([first_approver]);
            table.insert(row);
        }
    }
}
