//! Seeding the master data: departments (string ids), then categories, projects and cost
//! centers (integer ids), each list in the order of its word list.

use rand::Rng;
use serde_json::{Value, json};

use super::words::{CATEGORIES, COST_CENTERS, DEPARTMENTS, PROJECTS};
use super::{DAY, Seeding, nested_name, ts};
use crate::ids::new_id;
use crate::store::Resource;

/// The ids of the seeded master data, which employees and expenses point at.
pub(super) struct MasterIds {
    pub(super) department_ids: Vec<String>,
    pub(super) category_ids: Vec<i64>,
    pub(super) project_ids: Vec<i64>,
    pub(super) cost_center_ids: Vec<i64>,
}

/// Seeds the master data, in this order (the draws of each follow the previous one's).
pub(super) fn seed(s: &mut Seeding) -> MasterIds {
    let department_ids = departments(s);
    let category_ids = categories(s);
    let project_ids = projects(s);
    let cost_center_ids = cost_centers(s);
    MasterIds {
        department_ids,
        category_ids,
        project_ids,
        cost_center_ids,
    }
}

fn departments(s: &mut Seeding) -> Vec<String> {
    let mut dept_ids = Vec::new();
    for (i, (name, sub)) in DEPARTMENTS.iter().enumerate() {
        let id = new_id(&mut s.rng, "dept");
        let (sub_v, display) = nested_name(name, sub);
        let created = ts(
            &mut s.rng,
            s.org_created + i64::try_from(i).unwrap_or(0) * 60,
        );
        s.org.table_mut(Resource::Departments).insert(json!({
            "id": id, "org_id": s.org_id, "created_at": created, "updated_at": created,
            "code": format!("D{:03}", i + 1), "name": name, "sub_department": sub_v,
            "display_name": display, "description": Value::Null, "is_enabled": true,
            "display_name_new": Value::Null,
        }));
        dept_ids.push(id);
    }
    dept_ids
}

fn categories(s: &mut Seeding) -> Vec<i64> {
    let mut category_ids = Vec::new();
    for (name, sub, system) in CATEGORIES {
        let id = 100_000 + s.org.next_int();
        let created_secs = s.org_created + s.rng.gen_range(0..DAY);
        let created = ts(&mut s.rng, created_secs);
        let (sub_v, display) = nested_name(name, sub);
        s.org.table_mut(Resource::Categories).insert(json!({
            "id": id, "org_id": s.org_id, "created_at": created, "updated_at": created,
            "name": name, "sub_category": sub_v, "is_enabled": true, "display_name": display,
            "system_category": system, "code": format!("C{}", id % 10_000),
            "restricted_project_ids": Value::Null, "restricted_spender_user_ids": Value::Null,
        }));
        category_ids.push(id);
    }
    category_ids
}

fn projects(s: &mut Seeding) -> Vec<i64> {
    let mut project_ids = Vec::new();
    for (name, sub) in PROJECTS {
        let id = 200_000 + s.org.next_int();
        let created_secs = s.org_created + s.rng.gen_range(0..DAY);
        let created = ts(&mut s.rng, created_secs);
        let (sub_v, display) = nested_name(name, sub);
        s.org.table_mut(Resource::Projects).insert(json!({
            "id": id, "org_id": s.org_id, "created_at": created, "updated_at": created,
            "name": name, "sub_project": sub_v, "code": format!("P{}", id % 10_000),
            "display_name": display, "description": Value::Null, "is_enabled": true,
            "restricted_spender_user_ids": Value::Null, "approver_user_ids": [],
            "approver_users": Value::Null, "category_ids": Value::Null, "default_billable": false,
        }));
        project_ids.push(id);
    }
    project_ids
}

fn cost_centers(s: &mut Seeding) -> Vec<i64> {
    let mut cost_center_ids = Vec::new();
    for name in COST_CENTERS {
        let id = 300_000 + s.org.next_int();
        let created_secs = s.org_created + s.rng.gen_range(0..DAY);
        let created = ts(&mut s.rng, created_secs);
        s.org.table_mut(Resource::CostCenters).insert(json!({
            "id": id, "org_id": s.org_id, "created_at": created, "updated_at": created,
            "name": name, "code": format!("CC{}", id % 10_000), "description": Value::Null,
            "is_enabled": true, "restricted_spender_user_ids": Value::Null,
        }));
        cost_center_ids.push(id);
    }
    cost_center_ids
}
