//! Seeding the long tail: the references generated rows may point at, and a dozen realistic
//! rows (or one object, for a singleton) for every resource the spec lists.

use serde_json::{Value, json};

use super::{ROWS_PER_RESOURCE, SINGLETON, hash_seed, id_prefix, row_schema};
use crate::instance::Builder;
use crate::realistic::{Refs, UserRef};
use crate::schema::{SPEC, Spec};
use crate::store::{OrgData, Resource, Table, id_key};

/// The references generated rows may use, `first` users leading.
pub(crate) fn refs(org: &OrgData, first: &[String], history_end: i64) -> Refs {
    let ids = |r: Resource| -> Vec<Value> {
        org.table(r)
            .rows
            .values()
            .filter_map(|row| row.get("id").cloned())
            .take(200)
            .collect()
    };
    let ints = |r: Resource| ids(r).iter().filter_map(Value::as_i64).collect();
    let strs = |r: Resource| {
        ids(r)
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect()
    };
    let mut users: Vec<UserRef> = org
        .table(Resource::Employees)
        .rows
        .values()
        .map(|e| {
            let s = |p: &str| {
                e.pointer(p)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned()
            };
            UserRef {
                user_id: s("/user_id"),
                employee_id: s("/id"),
                email: s("/user/email"),
                full_name: s("/user/full_name"),
            }
        })
        .collect();
    users.sort_by_key(|u| {
        first
            .iter()
            .position(|f| *f == u.user_id)
            .unwrap_or(usize::MAX)
    });
    Refs {
        org_id: org.org_id.clone(),
        org_name: org.org_name.clone(),
        domain: org.domain.clone(),
        currency: org.currency.clone(),
        users,
        category_ids: ints(Resource::Categories),
        project_ids: ints(Resource::Projects),
        cost_center_ids: ints(Resource::CostCenters),
        department_ids: strs(Resource::Departments),
        expense_ids: strs(Resource::Expenses),
        report_ids: strs(Resource::Reports),
        card_ids: strs(Resource::CorporateCards),
        history_end,
    }
}

/// Seeds every long-tail resource of `org`.
pub(crate) fn seed(org: &mut OrgData, seed: u64, refs: &Refs) {
    let spec: &Spec = &SPEC;
    for op in spec.operations.iter().filter(|o| o.method == "GET") {
        let key = op.path.split('/').skip(2).collect::<Vec<_>>().join("/");
        if Resource::from_name(&key).is_some() || org.generic.contains_key(&key) {
            continue;
        }
        // Computed from the expenses by `crate::spend_overview`, never stored.
        if key.starts_with("spend_overview/") {
            continue;
        }
        if op.params.iter().any(|p| p.required) {
            continue;
        }
        let mut table = Table::default();
        if let Some(item) = row_schema(&key).filter(|_| spec.list_item(op).is_some()) {
            for i in 0..ROWS_PER_RESOURCE {
                let mut b =
                    Builder::new(spec, refs, hash_seed(&[&org.org_id, &key], seed ^ i as u64));
                let mut row = b.build(item);
                place(&mut row, &key, refs, i);
                if !id_key(&row).is_empty() {
                    table.insert(row);
                }
            }
        } else if let Some(data) = spec.data_of(&op.response) {
            let mut b = Builder::new(spec, refs, hash_seed(&[&org.org_id, &key], seed));
            let row = b.build(data);
            table
                .rows
                .insert(SINGLETON.to_owned(), std::sync::Arc::new(row));
        } else {
            continue;
        }
        org.generic.insert(key, table);
    }
}

/// Gives seeded row `i` a distinct id and an owner: the first rows go to the users tests act as.
fn place(row: &mut Value, key: &str, refs: &Refs, i: usize) {
    let Some(m) = row.as_object_mut() else {
        return;
    };
    match m.get("id") {
        Some(Value::Number(_)) => {
            m.insert("id".into(), json!(i + 1));
        }
        Some(Value::String(id)) => {
            let id = format!("{}{}", id_prefix(key), id);
            m.insert("id".into(), json!(id));
        }
        _ => {}
    }
    if m.get("user_id").is_some_and(Value::is_string)
        && let Some(u) = refs.users.get(i % refs.users.len().max(1))
    {
        m.insert("user_id".into(), json!(u.user_id));
        if m.get("employee_id").is_some_and(Value::is_string) {
            m.insert("employee_id".into(), json!(u.employee_id));
        }
        if let Some(Value::Object(user)) = m.get_mut("user") {
            user.insert("id".into(), json!(u.user_id));
            if user.contains_key("email") {
                user.insert("email".into(), json!(u.email));
            }
            if user.contains_key("full_name") {
                user.insert("full_name".into(), json!(u.full_name));
            }
        }
    }
}
