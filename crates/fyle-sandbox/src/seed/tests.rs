//! Unit tests of the seeding: determinism and references that resolve.

use serde_json::Value;

use super::seed_org;
use crate::store::{OrgData, Resource};

/// 2026-10-31T00:00:00Z: a fixed end so these tests do not depend on today's date.
const TEST_HISTORY_END: i64 = 1_793_404_800;

#[test]
fn same_seed_same_data() {
    let a = seed_org(7, 0, 50, TEST_HISTORY_END);
    let b = seed_org(7, 0, 50, TEST_HISTORY_END);
    assert_eq!(a.org_id, b.org_id);
    let ids = |o: &OrgData| {
        o.table(Resource::Expenses)
            .rows
            .keys()
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&a), ids(&b));
    assert_eq!(a.table(Resource::Expenses).rows.len(), 50);
    let c = seed_org(8, 0, 50, TEST_HISTORY_END);
    assert_ne!(a.org_id, c.org_id);
}

#[test]
fn references_resolve() {
    let org = seed_org(1, 0, 200, TEST_HISTORY_END);
    for row in org.table(Resource::Expenses).rows.values() {
        let full = org.materialize(Resource::Expenses, row);
        assert!(
            full.pointer("/employee/user/email")
                .is_some_and(Value::is_string)
        );
        assert!(full.pointer("/category/name").is_some_and(Value::is_string));
        if full["report_id"].is_string() {
            assert!(full.pointer("/report/state").is_some_and(Value::is_string));
        }
        for f in full["file_ids"].as_array().into_iter().flatten() {
            assert!(
                org.table(Resource::Files)
                    .get(f.as_str().unwrap_or_default())
                    .is_some()
            );
        }
    }
}
