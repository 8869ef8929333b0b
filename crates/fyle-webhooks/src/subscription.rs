//! [`ensure_subscription`]: the org's webhook subscription, created or updated idempotently.

use fyle::models::types::{AdminSubscriptionsIn, AdminSubscriptionsOut, SubscribedResourcesItem};

/// What [`ensure_subscription`] had to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubscriptionChange {
    /// An enabled subscription of that URL with those resources existed: nothing was written.
    Unchanged,
    /// A subscription of that URL existed with other resources (or disabled): it was updated.
    Updated,
    /// There was none for that URL: it was created.
    Created,
}

/// Makes sure the org (as `client`'s admin) has an enabled subscription sending `resources`
/// to `url`. Calling it again with the same arguments writes nothing.
pub async fn ensure_subscription(
    client: &fyle::Client,
    url: &str,
    resources: &[SubscribedResourcesItem],
) -> fyle::Result<(AdminSubscriptionsOut, SubscriptionChange)> {
    let api = client.admin().subscriptions();
    let page = api.list().send().await?;
    let existing = page
        .items
        .into_iter()
        .find(|s| s.webhook_url.as_deref() == Some(url));
    let wanted = sorted(resources);
    let change = match &existing {
        Some(sub)
            if sub.is_enabled == Some(true)
                && sub.subscribed_resources.as_deref().map(sorted) == Some(wanted.clone()) =>
        {
            tracing::debug!(url, "webhook subscription already in place");
            return Ok((sub.clone(), SubscriptionChange::Unchanged));
        }
        Some(_) => SubscriptionChange::Updated,
        None => SubscriptionChange::Created,
    };
    let body = AdminSubscriptionsIn {
        is_enabled: Some(true),
        webhook_url: Some(url.to_owned()),
        subscribed_resources: Some(resources.to_vec()),
    };
    let saved = api.upsert(&body).await?;
    tracing::info!(url, ?change, "webhook subscription saved");
    Ok((saved, change))
}

fn sorted(resources: &[SubscribedResourcesItem]) -> Vec<String> {
    let mut names: Vec<String> = resources.iter().map(|r| r.as_str().to_owned()).collect();
    names.sort();
    names.dedup();
    names
}
