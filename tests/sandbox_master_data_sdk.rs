//! Master data through the SDK on the sandbox: list, create, update and read back a category, a
//! project, a cost center and an expense field (the last one served by the sandbox's spec-driven
//! store), and what a spender may not see.

use fyle::models::Patch;
use fyle::models::types::{
    CategoryIn, CostCenterIn, ExpenseFieldIn, ExpenseFieldInType, ProjectIn,
};
use fyle_examples_common::connect::sandbox_client;
use fyle_sandbox::{Sandbox, SandboxConfig};

async fn sandbox() -> Sandbox {
    Sandbox::start(SandboxConfig {
        expenses: 60,
        rate_limit: 0,
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox starts")
}

#[tokio::test]
async fn master_data_lists_creates_updates_and_reads_back_through_the_sdk() {
    let sandbox = sandbox().await;
    let info = sandbox.info();
    let admin = sandbox_client(info, &info.refresh_token).expect("client");
    let api = admin.admin();

    // Category.
    let seeded = api.categories().list().send().await.expect("categories");
    assert!(seeded.count > 0 && !seeded.items.is_empty());
    let created = api
        .categories()
        .upsert(&CategoryIn {
            name: Some("Client Gifts".into()),
            sub_category: Patch::Value("Holiday Hampers".into()),
            code: Patch::Value("GIFT-01".into()),
            is_enabled: Some(true),
            ..CategoryIn::default()
        })
        .await
        .expect("create category");
    let id = created.id.expect("category id");
    api.categories()
        .upsert(&CategoryIn {
            id: Some(id),
            name: Some("Client Gifts".into()),
            code: Patch::Value("GIFT-02".into()),
            is_enabled: Some(false),
            ..CategoryIn::default()
        })
        .await
        .expect("update category");
    let read = api.categories().get(id).await.expect("read category");
    assert_eq!(read.code.as_deref(), Some("GIFT-02"));
    assert_eq!(read.is_enabled, Some(false));
    assert_eq!(read.sub_category.as_deref(), Some("Holiday Hampers"));

    // Project.
    let seeded = api.projects().list().send().await.expect("projects");
    assert!(seeded.count > 0);
    let created = api
        .projects()
        .upsert(&ProjectIn {
            name: Some("Nebula".into()),
            sub_project: Patch::Value("Discovery".into()),
            code: Patch::Value("NEB-100".into()),
            is_enabled: Some(true),
            ..ProjectIn::default()
        })
        .await
        .expect("create project");
    let id = created.id.expect("project id");
    api.projects()
        .upsert(&ProjectIn {
            id: Some(id),
            name: Some("Nebula".into()),
            description: Patch::Value("Survey of the outer offices".into()),
            is_enabled: Some(true),
            ..ProjectIn::default()
        })
        .await
        .expect("update project");
    let read = api.projects().get(id).await.expect("read project");
    assert_eq!(read.code.as_deref(), Some("NEB-100"));
    assert_eq!(
        read.description.as_deref(),
        Some("Survey of the outer offices")
    );

    // Cost center.
    let seeded = api
        .cost_centers()
        .list()
        .send()
        .await
        .expect("cost centers");
    assert!(seeded.count > 0);
    let created = api
        .cost_centers()
        .upsert(&CostCenterIn {
            name: Some("Field Ops".into()),
            code: Patch::Value("CC-FOPS".into()),
            is_enabled: Some(true),
            ..CostCenterIn::default()
        })
        .await
        .expect("create cost center");
    let id = created.id.expect("cost center id");
    api.cost_centers()
        .upsert(&CostCenterIn {
            id: Some(id),
            name: Some("Field Operations".into()),
            is_enabled: Some(true),
            ..CostCenterIn::default()
        })
        .await
        .expect("update cost center");
    let read = api.cost_centers().get(id).await.expect("read cost center");
    assert_eq!(read.name.as_deref(), Some("Field Operations"));
    assert_eq!(read.code.as_deref(), Some("CC-FOPS"));

    // Expense field: the seeded custom fields carry real names of every type.
    let seeded = api
        .expense_fields()
        .list()
        .limit(200)
        .send()
        .await
        .expect("expense fields");
    let names: Vec<&str> = seeded
        .items
        .iter()
        .filter(|f| f.is_custom == Some(true))
        .filter_map(|f| f.field_name.as_deref())
        .collect();
    for name in ["Project Code", "GL Account", "Client Tags", "Trip Date"] {
        assert!(names.contains(&name), "{names:?}");
    }
    let created = api
        .expense_fields()
        .upsert(&ExpenseFieldIn {
            field_name: Some("Vendor Invoice Number".into()),
            type_: Some(ExpenseFieldInType::Text),
            is_mandatory: Some(false),
            is_enabled: Some(true),
            placeholder: Patch::Value("INV-0000".into()),
            ..ExpenseFieldIn::default()
        })
        .await
        .expect("create expense field");
    let id = created.data.and_then(|f| f.id).expect("expense field id");
    api.expense_fields()
        .upsert(&ExpenseFieldIn {
            id: Some(id),
            field_name: Some("Vendor Invoice Number".into()),
            type_: Some(ExpenseFieldInType::Text),
            is_mandatory: Some(true),
            is_enabled: Some(true),
            ..ExpenseFieldIn::default()
        })
        .await
        .expect("update expense field");
    let read = api
        .expense_fields()
        .get(id)
        .await
        .expect("read expense field");
    assert_eq!(read.field_name.as_deref(), Some("Vendor Invoice Number"));
    assert_eq!(read.is_mandatory, Some(true));
    assert_eq!(read.placeholder.as_deref(), Some("INV-0000"));
}
