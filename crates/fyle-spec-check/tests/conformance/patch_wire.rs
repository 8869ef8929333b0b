//! `Patch<T>` on the wire through real generated input types: `Absent` is omitted, `Null` is sent
//! as `null`, a value is sent; and the body is valid against the spec's request schema. Getting
//! this wrong clears stored data.

use fyle_models::Patch;
use fyle_models::types::{AdvanceIn, ProjectIn};
use fyle_spec_check::{Openness, validate, validator};
use serde_json::{Value, json};

use crate::spec;

fn spec_errors(component: &str, body: &Value) -> Vec<String> {
    let schema = json!({ "$ref": format!("#/components/schemas/{component}") });
    let v = validator(spec(), "admin", &schema, Openness::Strict).unwrap_or_else(|e| panic!("{e}"));
    validate(&v, body)
}

#[test]
fn project_in_sends_null_and_omits_absent() {
    let project = ProjectIn {
        name: Some("Fast and Furious".to_owned()),
        sub_project: Patch::Null,
        description: Patch::Value("Formula One team".to_owned()),
        code: Patch::Absent,
        ..ProjectIn::default()
    };
    let body = serde_json::to_value(&project).unwrap_or_else(|e| panic!("{e}"));
    let obj = body
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {body}"));
    assert_eq!(
        obj.get("sub_project"),
        Some(&Value::Null),
        "Null is sent as null"
    );
    assert_eq!(obj.get("description"), Some(&json!("Formula One team")));
    assert!(!obj.contains_key("code"), "Absent is omitted: {body}");
    assert!(
        !obj.contains_key("category_ids"),
        "untouched Patch fields stay absent: {body}"
    );
    let errors = spec_errors("project_in", &body);
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn project_in_decodes_null_and_absent_apart() {
    let p: ProjectIn =
        serde_json::from_value(json!({"name": "P", "sub_project": null, "code": "C1"}))
            .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(p.sub_project, Patch::Null);
    assert_eq!(p.code, Patch::Value("C1".to_owned()));
    assert_eq!(p.description, Patch::Absent);
    let back = serde_json::to_value(&p).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        back,
        json!({"name": "P", "sub_project": null, "code": "C1"})
    );
}

#[test]
fn advance_in_patch_fields_on_the_wire() {
    let advance = AdvanceIn {
        advance_account_id: Patch::Null,
        advance_wallet_id: Patch::Value("awfgRr8YA6KK".to_owned()),
        ..AdvanceIn::default()
    };
    let body = serde_json::to_value(&advance).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(body["advance_account_id"], Value::Null);
    assert_eq!(body["advance_wallet_id"], json!("awfgRr8YA6KK"));
    assert!(body.get("source").is_none(), "Absent is omitted: {body}");
    // Only the fields set above (and any field the spec requires be sent) appear.
    let errors = spec_errors("advance_in", &body);
    assert!(errors.iter().all(|e| e.contains("required")), "{errors:?}");
}
