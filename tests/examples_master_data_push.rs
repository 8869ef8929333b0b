//! Bulk pushes with rejected rows resubmitted without them, against the sandbox.

use fyle::query::Filter;
use fyle_examples_common::connect::sandbox_client;
use fyle_examples_common::master_data::{
    example_categories, example_projects, push_categories, push_projects,
};
use fyle_sandbox::{Resource, Sandbox, SandboxConfig};

#[tokio::test]
async fn bad_rows_are_reported_and_the_rest_are_created() {
    let config = SandboxConfig {
        expenses: 100,
        rate_limit: 0,
        ..SandboxConfig::default()
    };
    let sandbox = Sandbox::start(config).await.expect("sandbox starts");
    let info = sandbox.info();
    let org_id = &info.orgs[0].org_id;
    let client = sandbox_client(info, &info.refresh_token).expect("client");
    let projects_before = sandbox
        .count(org_id, Resource::Projects, &Filter::new())
        .expect("org");
    let categories_before = sandbox
        .count(org_id, Resource::Categories, &Filter::new())
        .expect("org");

    let page = client
        .admin()
        .projects()
        .list()
        .limit(1)
        .send()
        .await
        .expect("list");
    let existing = page.items.first().expect("a seeded project").clone();

    // Projects: row 2 clashes with `existing`, row 3 repeats row 0.
    let report = push_projects(&client, example_projects(&existing))
        .await
        .expect("push");
    let failed: Vec<usize> = report.failed.iter().map(|f| f.index).collect();
    assert_eq!(failed, [2, 3], "{report:?}");
    assert_eq!(report.failed[0].name, existing.name);
    assert!(
        report.failed[0].reason.contains("already exists"),
        "{report:?}"
    );
    assert_eq!(report.failed[1].name.as_deref(), Some("Nimbus rollout"));
    let mut created: Vec<&str> = report.created.iter().map(|c| c.name.as_str()).collect();
    created.sort_unstable();
    assert_eq!(
        created,
        ["Nimbus rollout", "Orion audit", "Pegasus migration"]
    );
    let projects_after = sandbox
        .count(org_id, Resource::Projects, &Filter::new())
        .expect("org");
    assert_eq!(projects_after, projects_before + 3);
    for row in &report.created {
        let stored = sandbox
            .get(org_id, Resource::Projects, &row.id.to_string())
            .expect("stored");
        assert_eq!(stored["name"], row.name.as_str());
    }

    // Categories: row 1 has no name.
    let report = push_categories(&client, example_categories())
        .await
        .expect("push");
    let failed: Vec<usize> = report.failed.iter().map(|f| f.index).collect();
    assert_eq!(failed, [1], "{report:?}");
    assert_eq!(report.failed[0].name, None);
    assert!(report.failed[0].reason.contains("name"), "{report:?}");
    let mut created: Vec<&str> = report.created.iter().map(|c| c.name.as_str()).collect();
    created.sort_unstable();
    assert_eq!(created, ["Client gifts", "Conference fees"]);
    let categories_after = sandbox
        .count(org_id, Resource::Categories, &Filter::new())
        .expect("org");
    assert_eq!(categories_after, categories_before + 2);
}
