//! The store on every available backend (SQLite always; Postgres when `.ci/run` started one):
//! save, load and rotate; the key-rotation round trip; a wrong key; revocation; no secret in
//! `Debug`.

mod support;

use fyle_auth::{ExposeSecret, SecretString, TokenStore};
use fyle_store::{Connection, DataKey, Keyring, StoreError};
use support::{databases, open, unique_org};

fn connection() -> Connection {
    Connection {
        cluster: Some("https://in1.fylehq.com".to_owned()),
        user_id: Some("usABC".to_owned()),
        user_email: Some("admin@example.com".to_owned()),
    }
}

#[tokio::test]
async fn save_load_and_rotate_the_refresh_token() {
    for db in databases() {
        let store = open(&db, support::keyring()).await;
        let org = unique_org("orSave");
        assert!(store.load(&org).await.expect("load").is_none());
        store
            .connect_org(&org, &SecretString::from("rt-first"), &connection())
            .await
            .expect("connect");
        let loaded = store.load(&org).await.expect("load").expect("stored");
        assert_eq!(loaded.expose_secret(), "rt-first", "{}", db.name);

        // A rotation through the TokenStore hook replaces it.
        store
            .save(&org, &SecretString::from("rt-second"))
            .await
            .expect("save");
        let loaded = store.load(&org).await.expect("load").expect("stored");
        assert_eq!(loaded.expose_secret(), "rt-second", "{}", db.name);

        let record = store.org(&org).await.expect("org").expect("row");
        assert_eq!(record.connection, connection());
        assert!(!record.revoked);
        assert_eq!(record.key_id, "k1");
        assert!(record.last_refresh_at.is_none());
        assert!(
            store
                .orgs()
                .await
                .expect("orgs")
                .iter()
                .any(|r| r.org_key == org)
        );

        // Saving for an org that never connected is a typed error.
        let missing = store
            .save_refresh_token("orNever", &SecretString::from("x"))
            .await;
        assert!(matches!(missing, Err(StoreError::NotConnected { .. })));
        println!("{}: save, load, rotate ok", db.name);
    }
}

#[tokio::test]
async fn key_rotation_re_seals_and_old_key_can_go() {
    for db in databases() {
        let old = DataKey::generate();
        let old_b64 = old.to_base64();
        let store = open(&db, Keyring::new("old", old)).await;
        let org = unique_org("orRotate");
        store
            .connect_org(&org, &SecretString::from("rt-keep"), &connection())
            .await
            .expect("connect");

        // New key current, old key kept to read: everything still opens, then re-seals.
        let new = DataKey::generate();
        let new_b64 = new.to_base64();
        let ring = Keyring::new("new", new).with_old_key(
            "old",
            DataKey::from_base64(old_b64.expose_secret()).expect("key"),
        );
        let rotated = open(&db, ring).await;
        let before = rotated
            .refresh_token(&org)
            .await
            .expect("opens")
            .expect("row");
        assert_eq!(before.expose_secret(), "rt-keep");
        let report = rotated.rotate_keys().await.expect("rotate");
        assert!(report.resealed.contains(&org), "{}: {report:?}", db.name);
        assert!(!report.unreadable.contains(&org));
        let record = rotated.org(&org).await.expect("org").expect("row");
        assert_eq!(record.key_id, "new");

        // The new key alone opens it now.
        let only_new = open(
            &db,
            Keyring::new(
                "new",
                DataKey::from_base64(new_b64.expose_secret()).expect("key"),
            ),
        )
        .await;
        let after = only_new
            .refresh_token(&org)
            .await
            .expect("opens")
            .expect("row");
        assert_eq!(after.expose_secret(), "rt-keep");
        // Rotating again has nothing to do for this org.
        let again = only_new.rotate_keys().await.expect("rotate again");
        assert!(!again.resealed.contains(&org) && !again.unreadable.contains(&org));
        println!(
            "{}: key rotation round trip ok ({} rows re-sealed)",
            db.name,
            report.resealed.len()
        );
    }
}

#[tokio::test]
async fn a_wrong_or_missing_key_is_a_typed_error() {
    for db in databases() {
        let store = open(&db, support::keyring()).await;
        let org = unique_org("orWrong");
        store
            .connect_org(&org, &SecretString::from("rt-secret"), &connection())
            .await
            .expect("connect");

        let wrong = open(&db, Keyring::new("k1", DataKey::generate())).await;
        let err = wrong.refresh_token(&org).await.expect_err("wrong key");
        assert!(
            matches!(&err, StoreError::WrongKey { key_id, .. } if key_id == "k1"),
            "{}: {err:?}",
            db.name
        );
        assert!(!err.to_string().contains("rt-secret"));

        let unknown = open(&db, Keyring::new("k9", DataKey::generate())).await;
        let err = unknown
            .refresh_token(&org)
            .await
            .expect_err("unknown key id");
        assert!(matches!(&err, StoreError::UnknownKeyId { key_id } if key_id == "k1"));
        println!("{}: wrong key -> {err}", db.name);
    }
}

#[tokio::test]
async fn revoked_orgs_hand_out_nothing_and_reconnect_clears_it() {
    for db in databases() {
        let store = open(&db, support::keyring()).await;
        let org = unique_org("orRevoke");
        store
            .connect_org(&org, &SecretString::from("rt"), &connection())
            .await
            .expect("connect");
        assert!(
            store
                .revoke(&org, "user disconnected the app")
                .await
                .expect("revoke")
        );
        let err = store.refresh_token(&org).await.expect_err("revoked");
        assert!(
            matches!(&err, StoreError::Revoked { reason, .. } if reason == "user disconnected the app")
        );
        let record = store.org(&org).await.expect("org").expect("row");
        assert!(record.revoked && record.revoked_at.is_some());

        store
            .connect_org(&org, &SecretString::from("rt-again"), &connection())
            .await
            .expect("reconnect");
        assert!(!store.org(&org).await.expect("org").expect("row").revoked);
        assert!(
            !store
                .revoke("orUnknown", "x")
                .await
                .expect("revoke unknown")
        );
    }
}

#[tokio::test]
async fn debug_output_carries_no_secret() {
    let db = support::sqlite();
    let key = DataKey::generate();
    let key_b64 = key.to_base64();
    let store = open(&db, Keyring::new("k1", key)).await;
    store
        .connect_org("orDebug", &SecretString::from("rt-hidden"), &connection())
        .await
        .expect("connect");
    let record = store.org("orDebug").await.expect("org");
    let text = format!("{store:?} {record:?} {:?}", store.keyring());
    assert!(!text.contains("rt-hidden"));
    assert!(!text.contains(key_b64.expose_secret()));
    assert!(text.contains("k1"));
}
