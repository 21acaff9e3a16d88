//! Practices, sites, users, roles, sessions and API tokens.

use crate::conformance;
use crate::harness::{NOW, ctx, practice, system_ctx};
use stepwise_domain::role::Role;
use stepwise_store::model::{Credential, NewUser, PracticeSettings, SessionStage};
use stepwise_store::{SessionPolicy, Store, StoreError};
use time::Duration;

const POLICY: SessionPolicy = SessionPolicy {
    idle: Duration::minutes(15),
    absolute: Duration::hours(12),
};

async fn practices_and_sites(store: &Store) {
    assert!(store.is_empty().await.unwrap());
    let a = practice(store, "North Clinic").await;
    let b = practice(store, "South Clinic").await;
    assert!(!store.is_empty().await.unwrap());
    let all = store.practices().await.unwrap();
    assert_eq!(
        all.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
        ["North Clinic", "South Clinic"]
    );
    let p = store.practice(a.id).await.unwrap();
    assert_eq!(p.time_zone, "America/New_York");
    assert_eq!(p.settings, PracticeSettings::default());

    let admin = ctx(a.id, a.admin, Role::PracticeAdmin);
    let mut settings = p.settings.clone();
    settings.registry.not_improving_weeks = 10;
    store
        .update_practice_settings(&admin, &settings)
        .await
        .unwrap();
    assert_eq!(
        store
            .practice(a.id)
            .await
            .unwrap()
            .settings
            .registry
            .not_improving_weeks,
        10
    );

    let site = store.create_site(&admin, "Main Street").await.unwrap();
    store.create_site(&admin, "Annex").await.unwrap();
    let dup = store.create_site(&admin, "Main Street").await.unwrap_err();
    assert!(
        matches!(dup, StoreError::Duplicate { field: "name", .. }),
        "{dup:?}"
    );
    // The same name in another practice is fine: practices are isolated.
    store
        .create_site(&ctx(b.id, b.admin, Role::PracticeAdmin), "Main Street")
        .await
        .unwrap();
    let sites = store.sites(a.id).await.unwrap();
    assert_eq!(
        sites.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
        ["Annex", "Main Street"]
    );
    assert!(sites.contains(&site));
    assert_eq!(store.sites(b.id).await.unwrap().len(), 1);
}

async fn users_and_roles(store: &Store) {
    let p = practice(store, "North Clinic").await;
    let admin = ctx(p.id, p.admin, Role::PracticeAdmin);
    let u = store
        .create_user(
            &admin,
            NewUser {
                email: "  Nurse.Joy@North.example ".into(),
                display_name: "Joy".into(),
                password_hash: Some("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into()),
                roles: vec![Role::MaNurse, Role::CareManager, Role::MaNurse],
                npi: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(u.email, "nurse.joy@north.example");
    assert_eq!(u.roles, vec![Role::MaNurse, Role::CareManager]);

    let dup = store
        .create_user(
            &admin,
            NewUser {
                email: "NURSE.JOY@north.example".into(),
                display_name: "Other".into(),
                password_hash: None,
                roles: vec![Role::FrontDesk],
                npi: None,
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(dup, StoreError::Duplicate { field: "email", .. }));
    let bad = store
        .create_user(
            &admin,
            NewUser {
                email: "nope".into(),
                display_name: " ".into(),
                password_hash: None,
                roles: vec![],
                npi: Some("12".into()),
            },
        )
        .await
        .unwrap_err();
    let StoreError::Invalid(v) = bad else {
        panic!("{bad:?}")
    };
    assert_eq!(
        v.errors
            .iter()
            .map(|e| e.field.as_str())
            .collect::<Vec<_>>(),
        ["email", "display_name", "roles", "npi"]
    );

    let users = store.users(p.id).await.unwrap();
    assert_eq!(users.len(), 10);
    assert!(users.iter().any(|x| x.id == u.id && x.roles == u.roles));
    assert_eq!(store.user(p.id, u.id).await.unwrap(), u);
    assert_eq!(
        store
            .user_by_email(p.id, "NURSE.joy@north.example")
            .await
            .unwrap()
            .id,
        u.id
    );
    let found = store
        .user_for_sign_in("nurse.joy@north.example")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.user.id, u.id);
    assert!(found.password_hash.unwrap().starts_with("$argon2id$"));
    assert!(!found.has_mfa && !found.mfa_relaxed);
    assert_eq!(found.failures.count, 0);
    assert!(
        store
            .user_for_sign_in("nobody@north.example")
            .await
            .unwrap()
            .is_none()
    );

    // Another practice cannot see or change this user.
    let other = practice(store, "South Clinic").await;
    let other_admin = ctx(other.id, other.admin, Role::PracticeAdmin);
    assert!(matches!(
        store.user(other.id, u.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.user_by_email(other.id, &u.email).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.disable_user(&other_admin, u.id).await,
        Err(StoreError::NotFound)
    ));

    // Changing roles needs the current version and ends sessions.
    store
        .create_session(
            &ctx(p.id, u.id, Role::MaNurse),
            "session-joy",
            POLICY,
            SessionStage::Full,
        )
        .await
        .unwrap();
    let stale = store
        .set_roles(&admin, u.id, u.version - 1, &[Role::FrontDesk])
        .await
        .unwrap_err();
    assert!(matches!(stale, StoreError::Conflict));
    let changed = store
        .set_roles(&admin, u.id, u.version, &[Role::FrontDesk])
        .await
        .unwrap();
    assert_eq!(changed.roles, vec![Role::FrontDesk]);
    assert_eq!(changed.version, u.version + 1);
    assert!(
        store
            .session_principal("session-joy", NOW, POLICY)
            .await
            .unwrap()
            .is_none()
    );

    store
        .set_password_hash(&admin, u.id, "$argon2id$new")
        .await
        .unwrap();
    let found = store.user_for_sign_in(&u.email).await.unwrap().unwrap();
    assert_eq!(found.password_hash.as_deref(), Some("$argon2id$new"));

    let disabled = store.disable_user(&admin, u.id).await.unwrap();
    assert!(disabled.disabled);
}

async fn sessions(store: &Store) {
    let p = practice(store, "North Clinic").await;
    let cm = ctx(p.id, p.care_manager, Role::CareManager);
    store
        .create_session(&cm, "hash-1", POLICY, SessionStage::Full)
        .await
        .unwrap();
    let who = store
        .session_principal("hash-1", NOW, POLICY)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(who.user.id, p.care_manager);
    assert_eq!(
        who.credential,
        Credential::Session {
            stage: SessionStage::Full,
            authenticated_at: NOW
        }
    );
    assert!(
        store
            .session_principal("hash-unknown", NOW, POLICY)
            .await
            .unwrap()
            .is_none()
    );

    // Idle for 14 minutes: alive, and the idle timer restarts.
    let later = NOW + Duration::minutes(14);
    assert!(
        store
            .session_principal("hash-1", later, POLICY)
            .await
            .unwrap()
            .is_some()
    );
    let later = later + Duration::minutes(14);
    assert!(
        store
            .session_principal("hash-1", later, POLICY)
            .await
            .unwrap()
            .is_some()
    );
    // Idle for 15 minutes: gone.
    assert!(
        store
            .session_principal("hash-1", later + Duration::minutes(15), POLICY)
            .await
            .unwrap()
            .is_none()
    );

    // Absolute lifetime, however active.
    store
        .create_session(&cm, "hash-2", POLICY, SessionStage::Full)
        .await
        .unwrap();
    let mut t = NOW;
    while t < NOW + Duration::hours(12) - Duration::minutes(10) {
        t += Duration::minutes(10);
        assert!(
            store
                .session_principal("hash-2", t, POLICY)
                .await
                .unwrap()
                .is_some(),
            "{t}"
        );
    }
    assert!(
        store
            .session_principal("hash-2", NOW + Duration::hours(12), POLICY)
            .await
            .unwrap()
            .is_none()
    );

    // Sign-out ends the session on the server.
    store
        .create_session(&cm, "hash-3", POLICY, SessionStage::Full)
        .await
        .unwrap();
    store.end_session(&cm, "hash-3").await.unwrap();
    assert!(
        store
            .session_principal("hash-3", NOW, POLICY)
            .await
            .unwrap()
            .is_none()
    );

    // Disabling the user ends every session.
    store
        .create_session(&cm, "hash-4", POLICY, SessionStage::Full)
        .await
        .unwrap();
    store
        .disable_user(&ctx(p.id, p.admin, Role::PracticeAdmin), p.care_manager)
        .await
        .unwrap();
    assert!(
        store
            .session_principal("hash-4", NOW, POLICY)
            .await
            .unwrap()
            .is_none()
    );
}

async fn api_tokens(store: &Store) {
    let p = practice(store, "North Clinic").await;
    let admin = ctx(p.id, p.admin, Role::PracticeAdmin);
    let t = store
        .create_token(&admin, p.care_manager, "token-hash-1", " integration ")
        .await
        .unwrap();
    assert_eq!(t.label, "integration");
    let who = store
        .token_principal("token-hash-1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(who.user.id, p.care_manager);
    assert_eq!(who.credential, Credential::Token(t.id));
    assert!(
        store
            .token_principal("token-hash-x")
            .await
            .unwrap()
            .is_none()
    );
    let list = store.tokens(p.id).await.unwrap();
    assert_eq!(list, vec![t.clone()]);

    store.revoke_token(&admin, t.id).await.unwrap();
    assert!(
        store
            .token_principal("token-hash-1")
            .await
            .unwrap()
            .is_none()
    );
    assert!(matches!(
        store.revoke_token(&admin, t.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(store.tokens(p.id).await.unwrap()[0].revoked_at.is_some());

    // Another practice cannot revoke or mint for this practice's users.
    let other = practice(store, "South Clinic").await;
    let other_admin = ctx(other.id, other.admin, Role::PracticeAdmin);
    assert!(matches!(
        store
            .create_token(&other_admin, p.care_manager, "x", "x")
            .await,
        Err(StoreError::NotFound)
    ));
    let t2 = store
        .create_token(&admin, p.care_manager, "token-hash-2", "second")
        .await
        .unwrap();
    assert!(matches!(
        store.revoke_token(&other_admin, t2.id).await,
        Err(StoreError::NotFound)
    ));

    // A disabled user's tokens stop working.
    store.disable_user(&admin, p.care_manager).await.unwrap();
    assert!(
        store
            .token_principal("token-hash-2")
            .await
            .unwrap()
            .is_none()
    );
    let refused = store
        .create_token(&admin, p.care_manager, "token-hash-3", "third")
        .await
        .unwrap_err();
    assert!(matches!(refused, StoreError::Invalid(_)));
    let _ = system_ctx(p.id);
}

conformance!(practices_and_sites, users_and_roles, sessions, api_tokens);
