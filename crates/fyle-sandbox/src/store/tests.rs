//! Unit tests of the store: spec defaults for every resource, and materialization.

use std::collections::HashSet;

use serde_json::{Value, json};

use super::served::defaults;
use super::{OrgData, Resource};

#[test]
fn defaults_cover_every_resource() {
    for r in Resource::ALL {
        assert!(
            defaults(r).is_some_and(|m| m.contains_key("id")),
            "{}",
            r.name()
        );
    }
    assert_eq!(
        Resource::from_name("cost_centers"),
        Some(Resource::CostCenters)
    );
}

#[test]
fn materialize_fills_embeds_and_defaults() {
    let mut org = OrgData::new("orX".into(), "Org".into(), "example.com".into());
    org.table_mut(Resource::Categories)
        .insert(json!({"id": 7, "name": "Travel", "display_name": "Travel"}));
    let row = json!({"id": "tx1", "category_id": 7, "state": "COMPLETE"});
    let full = org.materialize(Resource::Expenses, &row);
    assert_eq!(full.pointer("/category/name"), Some(&json!("Travel")));
    assert_eq!(full.get("file_ids"), Some(&json!([])));
    assert_eq!(full.get("report"), Some(&Value::Null));
    let tokens: HashSet<String> = ["category".to_owned()].into();
    assert!(OrgData::needs_materialize(Resource::Expenses, &tokens));
    let tokens: HashSet<String> = ["amount".to_owned()].into();
    assert!(!OrgData::needs_materialize(Resource::Expenses, &tokens));
}
