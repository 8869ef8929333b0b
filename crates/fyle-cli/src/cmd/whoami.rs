//! `fyle whoami`: the user, org, roles and cluster the credentials act as.

use serde_json::{Value, json};

use crate::args::{Global, WhoamiArgs};
use crate::cmd::connect::connect;
use crate::output::Notes;

/// Prints who the credentials act as.
pub(crate) async fn run(global: &Global, args: &WhoamiArgs, notes: Notes) -> anyhow::Result<()> {
    let connection = connect(global, notes).await?;
    let client = &connection.client;
    let profile: Value = client
        .request(http::Method::GET, "/spender/my_profile")
        .send_json()
        .await?;
    let cluster = client.api_base().await?;
    let data = profile.get("data").unwrap_or(&Value::Null);
    let text = |path: &str| {
        fyle_cli::columns::lookup(data, path)
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    let roles: Vec<String> = data
        .get("roles")
        .and_then(Value::as_array)
        .map(|r| {
            r.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let summary = json!({
        "user": {"email": text("user.email"), "full_name": text("user.full_name"), "id": text("user_id")},
        "org": {"name": text("org.name"), "id": text("org_id")},
        "roles": roles,
        "cluster": cluster.as_str(),
    });
    if args.json {
        println!("{summary}");
    } else {
        println!(
            "user:    {} <{}> ({})",
            text("user.full_name"),
            text("user.email"),
            text("user_id")
        );
        println!("org:     {} ({})", text("org.name"), text("org_id"));
        println!("roles:   {}", roles.join(", "));
        println!("cluster: {cluster}");
    }
    Ok(())
}
