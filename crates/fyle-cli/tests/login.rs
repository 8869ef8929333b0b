//! `fyle login` through the sandbox's OAuth consent page (`--auto`), then `whoami` with the
//! saved profile; secrets in a 0600 file when the keyring is off.

mod common;

use common::{World, ok, run, stderr, stdout};

#[tokio::test(flavor = "multi_thread")]
async fn oauth_login_saves_a_profile_that_whoami_uses() {
    let world = World::start(20).await;
    let info = world.sandbox.info().clone();
    let login = run(
        world.dir.path(),
        &[
            "login",
            "--profile",
            "acme",
            "--auto",
            "--accounts-url",
            &info.accounts_url,
            "--client-id",
            &info.client_id,
            "--client-secret",
            &info.client_secret,
        ],
        vec![],
    )
    .await;
    ok(&login);
    assert!(
        stderr(&login).contains("Logged in as"),
        "{}",
        stderr(&login)
    );
    assert!(
        !stderr(&login).contains(&info.client_secret),
        "no secret on stderr"
    );

    let secrets = world.dir.path().join("secrets").join("acme.json");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&secrets)
            .expect("secrets file")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let profiles = std::fs::read_to_string(world.dir.path().join("profiles.json"))
        .expect("as the test set it up");
    assert!(profiles.contains("\"oauth\"") && !profiles.contains(&info.client_secret));

    let whoami = run(
        world.dir.path(),
        &["whoami", "--profile", "acme", "--json"],
        vec![],
    )
    .await;
    ok(&whoami);
    let me: serde_json::Value = serde_json::from_str(&stdout(&whoami)).expect("JSON");
    let admin = &info.orgs[0].users[0];
    assert_eq!(me["user"]["email"], admin.email.as_str());
    assert_eq!(me["org"]["id"], info.orgs[0].org_id.as_str());
    assert!(
        me["roles"]
            .as_array()
            .expect("as the test set it up")
            .iter()
            .any(|r| r == "ADMIN")
    );
    assert!(
        me["cluster"]
            .as_str()
            .expect("as the test set it up")
            .starts_with(&info.cluster_domain)
    );

    // A refresh token (internal app) as the default profile.
    let internal = run(
        world.dir.path(),
        &[
            "login",
            "--accounts-url",
            &info.accounts_url,
            "--client-id",
            &info.client_id,
        ],
        vec![
            ("FYLE_CLIENT_SECRET".into(), info.client_secret.clone()),
            ("FYLE_REFRESH_TOKEN".into(), info.refresh_token.clone()),
        ],
    )
    .await;
    ok(&internal);
    let whoami = run(world.dir.path(), &["whoami"], vec![]).await;
    ok(&whoami);
    assert!(
        stdout(&whoami).contains("roles:   FYLER, ADMIN, APPROVER"),
        "{}",
        stdout(&whoami)
    );
}
