//! Master data pushed in bulk: projects and categories from another system of record.
//!
//! Fyle's bulk endpoints are all-or-nothing: one bad row fails the call with a `BulkError`
//! that names the failed rows. [`Client::execute_bulk`] drops those rows and resubmits the
//! rest, so the good rows land and the bad ones come back with Fyle's reason.

use futures::TryStreamExt;
use fyle::bulk::BulkOutcome;
use fyle::models::operations::Operation;
use fyle::models::operations::admin::{CATEGORIES_BULK_POST, PROJECTS_BULK_POST};
use fyle::models::types::{AdminApproverProjectOut, CategoryIn, ProjectIn};
use fyle::query::Filter;
use fyle::{Client, ListRequest};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A row Fyle created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedRow {
    /// Fyle's id.
    pub id: i64,
    /// The name.
    pub name: String,
}

/// A row Fyle rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedRow {
    /// The index of the row in what was pushed.
    pub index: usize,
    /// The row's name, if it had one.
    pub name: Option<String>,
    /// Fyle's reason.
    pub reason: String,
}

/// What a push did.
#[derive(Debug, Clone, Default)]
pub struct PushReport {
    /// The rows that were created, as listed back from Fyle.
    pub created: Vec<CreatedRow>,
    /// The rows Fyle rejected.
    pub failed: Vec<FailedRow>,
}

/// Pushes `projects` with `POST /admin/projects/bulk`, resubmitting without the rows a
/// `BulkError` names.
pub async fn push_projects(
    client: &Client,
    projects: Vec<ProjectIn>,
) -> Result<PushReport, fyle::Error> {
    let names = projects.iter().map(|p| p.name.clone()).collect();
    let list = client.admin().projects().list();
    push(client, &PROJECTS_BULK_POST, projects, names, list, |p| {
        created(p.id, p.name)
    })
    .await
}

/// Pushes `categories` with `POST /admin/categories/bulk`, resubmitting without the rows a
/// `BulkError` names.
pub async fn push_categories(
    client: &Client,
    categories: Vec<CategoryIn>,
) -> Result<PushReport, fyle::Error> {
    let names = categories.iter().map(|c| c.name.clone()).collect();
    let list = client.admin().categories().list();
    push(
        client,
        &CATEGORIES_BULK_POST,
        categories,
        names,
        list,
        |c| created(c.id, c.name),
    )
    .await
}

/// The bulk push both resources share: `execute_bulk`, then `list` filtered on the accepted
/// names reads back the ids Fyle gave them (bulk answers carry none).
async fn push<B, T>(
    client: &Client,
    op: &'static Operation,
    rows: Vec<B>,
    names: Vec<Option<String>>,
    list: ListRequest<T>,
    to_row: impl Fn(T) -> Option<CreatedRow>,
) -> Result<PushReport, fyle::Error>
where
    B: Serialize + Clone,
    T: DeserializeOwned + Send + 'static,
{
    let outcome = client.execute_bulk::<_, ()>(op, rows).await?;
    let failed = failed_rows(&outcome, &names);
    let accepted = accepted_names(&outcome, &names);
    if accepted.is_empty() {
        return Ok(PushReport {
            created: Vec::new(),
            failed,
        });
    }
    let listed: Vec<T> = list
        .filter(Filter::new().is_in("name", accepted))
        .stream()
        .try_collect()
        .await?;
    let created = listed.into_iter().filter_map(to_row).collect();
    Ok(PushReport { created, failed })
}

fn created(id: Option<i64>, name: Option<String>) -> Option<CreatedRow> {
    Some(CreatedRow {
        id: id?,
        name: name?,
    })
}

/// The rows Fyle rejected, with their index in what was pushed and Fyle's reason.
fn failed_rows<B>(outcome: &BulkOutcome<B, ()>, names: &[Option<String>]) -> Vec<FailedRow> {
    outcome
        .rejected
        .iter()
        .map(|rejected| FailedRow {
            index: rejected.index,
            name: names.get(rejected.index).cloned().flatten(),
            reason: rejected
                .error
                .message
                .clone()
                .unwrap_or_else(|| "rejected".to_owned()),
        })
        .collect()
}

/// The names of the rows that went through (none when every row was rejected).
fn accepted_names<B>(outcome: &BulkOutcome<B, ()>, names: &[Option<String>]) -> Vec<String> {
    if outcome.response.is_none() {
        return Vec::new();
    }
    let mut accepted: Vec<String> = names
        .iter()
        .enumerate()
        .filter(|(index, _)| !outcome.rejected.iter().any(|r| r.index == *index))
        .filter_map(|(_, name)| name.clone())
        .collect();
    accepted.sort();
    accepted.dedup();
    accepted
}

/// The example's projects: three new ones, one that clashes with `existing` (a project the
/// org already has: same name and sub-project), and one repeated within the batch.
pub fn example_projects(existing: &AdminApproverProjectOut) -> Vec<ProjectIn> {
    let project = |name: &str| ProjectIn {
        name: Some(name.to_owned()),
        is_enabled: Some(true),
        ..ProjectIn::default()
    };
    vec![
        project("Nimbus rollout"),
        project("Orion audit"),
        ProjectIn {
            name: existing.name.clone(),
            sub_project: existing.sub_project.clone().into(),
            ..ProjectIn::default()
        },
        project("Nimbus rollout"),
        project("Pegasus migration"),
    ]
}

/// The example's categories: two new ones around a row without the required name.
pub fn example_categories() -> Vec<CategoryIn> {
    let category = |name: Option<&str>| CategoryIn {
        name: name.map(str::to_owned),
        is_enabled: Some(true),
        ..CategoryIn::default()
    };
    vec![
        category(Some("Conference fees")),
        category(None),
        category(Some("Client gifts")),
    ]
}
