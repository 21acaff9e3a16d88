//! Sign-in state: failures and locks, session stages and re-authentication, TOTP secrets with
//! single-use steps, recovery codes, credential resets, the demo's relaxed second factor, and
//! break-glass grants.

use crate::conformance;
use crate::harness::{NOW, ctx, practice, system_ctx};
use stepwise_domain::audit::AuditAction;
use stepwise_domain::role::Role;
use stepwise_store::model::{Assignments, Credential, SessionStage};
use stepwise_store::{SessionPolicy, Store, StoreError};
use time::Duration;

const POLICY: SessionPolicy = SessionPolicy {
    idle: Duration::minutes(15),
    absolute: Duration::hours(12),
};

async fn actions(store: &Store, practice: stepwise_domain::ids::PracticeId) -> Vec<AuditAction> {
    store
        .audit_events(practice, 0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.event.action)
        .collect()
}

async fn failures_lock_and_clear(store: &Store) {
    let p = practice(store, "North Clinic").await;
    let email = "cm.a@north-clinic.example";
    let sys = system_ctx(p.id);
    let mut now = NOW;
    for i in 1..=5 {
        let locked = store
            .record_sign_in_failure(
                &stepwise_store::model::Ctx { now, ..sys.clone() },
                p.care_manager,
            )
            .await
            .unwrap();
        assert_eq!(locked, i == 5, "failure {i}");
        now += Duration::minutes(1);
    }
    let a = store.user_for_sign_in(email).await.unwrap().unwrap();
    assert_eq!(a.failures.count, 5);
    assert_eq!(
        a.failures.locked_until,
        Some(NOW + Duration::minutes(4 + 15))
    );
    assert!(
        actions(store, p.id)
            .await
            .contains(&AuditAction::SignInLockout)
    );
    // Another practice's context cannot touch the account.
    let other = practice(store, "South Clinic").await;
    assert!(matches!(
        store
            .record_sign_in_failure(&system_ctx(other.id), p.care_manager)
            .await,
        Err(StoreError::NotFound)
    ));
    // A full sign-in clears the count.
    let cm = ctx(p.id, p.care_manager, Role::CareManager);
    store
        .create_session(&cm, "full-1", POLICY, SessionStage::Full)
        .await
        .unwrap();
    let a = store.user_for_sign_in(email).await.unwrap().unwrap();
    assert_eq!(a.failures.count, 0);
    assert_eq!(a.failures.locked_until, None);
}

async fn stages_and_reauthentication(store: &Store) {
    let p = practice(store, "North Clinic").await;
    let cm = ctx(p.id, p.care_manager, Role::CareManager);
    store
        .create_session(&cm, "pending", POLICY, SessionStage::SecondFactor)
        .await
        .unwrap();
    let who = store
        .session_principal("pending", NOW, POLICY)
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(
        who.credential,
        Credential::Session {
            stage: SessionStage::SecondFactor,
            ..
        }
    ));
    // A pending session lasts 10 minutes.
    assert!(
        store
            .session_principal("pending", NOW + Duration::minutes(10), POLICY)
            .await
            .unwrap()
            .is_none()
    );
    let later = stepwise_store::model::Ctx {
        now: NOW + Duration::minutes(2),
        ..cm.clone()
    };
    store
        .complete_sign_in(&later, "pending", "full", POLICY)
        .await
        .unwrap();
    // The pending id is spent; the new one is a full session authenticated now.
    assert!(
        store
            .session_principal("pending", later.now, POLICY)
            .await
            .unwrap()
            .is_none()
    );
    assert!(matches!(
        store
            .complete_sign_in(&later, "pending", "again", POLICY)
            .await,
        Err(StoreError::NotFound)
    ));
    let who = store
        .session_principal("full", later.now, POLICY)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        who.credential,
        Credential::Session {
            stage: SessionStage::Full,
            authenticated_at: later.now
        }
    );
    let re = stepwise_store::model::Ctx {
        now: NOW + Duration::minutes(9),
        ..cm.clone()
    };
    store.reauthenticate(&re, "full").await.unwrap();
    let who = store
        .session_principal("full", re.now, POLICY)
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(
        who.credential,
        Credential::Session { authenticated_at, .. } if authenticated_at == re.now
    ));
    assert!(matches!(
        store.reauthenticate(&re, "no-such-session").await,
        Err(StoreError::NotFound)
    ));
    let acts = actions(store, p.id).await;
    assert!(acts.contains(&AuditAction::SignIn));
    assert!(acts.contains(&AuditAction::Reauthenticate));
}

async fn totp_and_recovery_codes(store: &Store) {
    let p = practice(store, "North Clinic").await;
    let cm = ctx(p.id, p.care_manager, Role::CareManager);
    assert_eq!(store.totp_state(p.id, p.care_manager).await.unwrap(), None);
    store.begin_totp_enrollment(&cm, "SECRETONE").await.unwrap();
    // An unconfirmed secret is replaced by a new enrollment.
    store.begin_totp_enrollment(&cm, "SECRETTWO").await.unwrap();
    let t = store
        .totp_state(p.id, p.care_manager)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((t.secret.as_str(), t.confirmed), ("SECRETTWO", false));
    // Steps are not accepted before confirmation.
    assert!(!store.use_totp_step(&cm, 100).await.unwrap());
    let hashes: Vec<String> = (0..10).map(|i| format!("hash-{i}")).collect();
    store
        .confirm_totp_enrollment(&cm, 100, &hashes)
        .await
        .unwrap();
    let t = store
        .totp_state(p.id, p.care_manager)
        .await
        .unwrap()
        .unwrap();
    assert!(t.confirmed);
    assert_eq!(t.last_step, Some(100));
    assert!(
        store
            .user_for_sign_in("cm.a@north-clinic.example")
            .await
            .unwrap()
            .unwrap()
            .has_mfa
    );
    // A confirmed secret cannot be replaced by enrolling again.
    assert!(matches!(
        store.begin_totp_enrollment(&cm, "SECRETTHREE").await,
        Err(StoreError::Invalid(_))
    ));
    // Each step once, and never an earlier one.
    assert!(!store.use_totp_step(&cm, 100).await.unwrap());
    assert!(store.use_totp_step(&cm, 101).await.unwrap());
    assert!(!store.use_totp_step(&cm, 101).await.unwrap());
    assert!(!store.use_totp_step(&cm, 99).await.unwrap());
    // Recovery codes: each once.
    assert_eq!(
        store
            .recovery_codes_left(p.id, p.care_manager)
            .await
            .unwrap(),
        10
    );
    assert!(store.use_recovery_code(&cm, "hash-3").await.unwrap());
    assert!(!store.use_recovery_code(&cm, "hash-3").await.unwrap());
    assert!(!store.use_recovery_code(&cm, "not-a-code").await.unwrap());
    assert_eq!(
        store
            .recovery_codes_left(p.id, p.care_manager)
            .await
            .unwrap(),
        9
    );
    let acts = actions(store, p.id).await;
    assert!(acts.contains(&AuditAction::MfaEnroll));
    assert!(acts.contains(&AuditAction::RecoveryCodeUse));

    // The administrator's reset removes both, replaces the password and ends sessions.
    store
        .create_session(&cm, "s1", POLICY, SessionStage::Full)
        .await
        .unwrap();
    let admin = ctx(p.id, p.admin, Role::PracticeAdmin);
    let u = store
        .reset_credentials(&admin, p.care_manager, Some("$argon2id$reset"))
        .await
        .unwrap();
    assert_eq!(u.id, p.care_manager);
    assert_eq!(store.totp_state(p.id, p.care_manager).await.unwrap(), None);
    assert_eq!(
        store
            .recovery_codes_left(p.id, p.care_manager)
            .await
            .unwrap(),
        0
    );
    assert!(
        store
            .session_principal("s1", NOW, POLICY)
            .await
            .unwrap()
            .is_none()
    );
    let a = store.user_for_sign_in(&u.email).await.unwrap().unwrap();
    assert_eq!(a.password_hash.as_deref(), Some("$argon2id$reset"));
    assert!(!a.has_mfa);
    assert!(
        actions(store, p.id)
            .await
            .contains(&AuditAction::CredentialReset)
    );
    let other = practice(store, "South Clinic").await;
    assert!(matches!(
        store
            .reset_credentials(
                &ctx(other.id, other.admin, Role::PracticeAdmin),
                p.care_manager,
                None
            )
            .await,
        Err(StoreError::NotFound)
    ));
}

async fn demo_relaxation(store: &Store) {
    let p = practice(store, "North Clinic").await;
    assert!(!store.practice(p.id).await.unwrap().mfa_relaxed_demo);
    store
        .set_demo_mfa_relaxed(&system_ctx(p.id), true)
        .await
        .unwrap();
    assert!(store.practice(p.id).await.unwrap().mfa_relaxed_demo);
    let a = store
        .user_for_sign_in("ma@north-clinic.example")
        .await
        .unwrap()
        .unwrap();
    assert!(a.mfa_relaxed);
    let other = practice(store, "South Clinic").await;
    assert!(!store.practice(other.id).await.unwrap().mfa_relaxed_demo);
}

async fn break_glass(store: &Store) {
    let p = practice(store, "North Clinic").await;
    let desk = ctx(p.id, p.front_desk, Role::FrontDesk);
    let patient = crate::patients::add(
        store,
        &desk,
        "BG-1",
        "Ana",
        "Lopez",
        Assignments {
            site: None,
            treating_practitioner: Some(p.practitioner),
            care_manager: Some(p.care_manager),
        },
    )
    .await;
    let cm2 = ctx(p.id, p.care_manager2, Role::CareManager);
    // Not allowed until the administrator allows it.
    assert!(matches!(
        store
            .start_break_glass(&cm2, patient.id, "patient in crisis", 60)
            .await,
        Err(StoreError::Invalid(_))
    ));
    let admin = ctx(p.id, p.admin, Role::PracticeAdmin);
    let u = store
        .set_break_glass_allowed(&admin, p.care_manager2, true)
        .await
        .unwrap();
    assert!(u.break_glass_allowed);
    assert!(matches!(
        store.start_break_glass(&cm2, patient.id, "  ", 60).await,
        Err(StoreError::Invalid(_))
    ));
    let g = store
        .start_break_glass(&cm2, patient.id, "patient in crisis, on call", 60)
        .await
        .unwrap();
    assert_eq!(g.expires_at, NOW + Duration::minutes(60));
    let live = |at| store.active_break_glass(p.id, p.care_manager2, patient.id, at);
    assert_eq!(
        live(NOW + Duration::minutes(59)).await.unwrap(),
        Some(g.clone())
    );
    assert_eq!(live(NOW + Duration::minutes(60)).await.unwrap(), None);
    // Only for that user and patient.
    assert_eq!(
        store
            .active_break_glass(p.id, p.care_manager, patient.id, NOW)
            .await
            .unwrap(),
        None
    );
    // Withdrawing the permission ends live grants.
    store
        .set_break_glass_allowed(&admin, p.care_manager2, false)
        .await
        .unwrap();
    assert_eq!(live(NOW).await.unwrap(), None);
    let grants = store
        .break_glass_grants(p.id, NOW - Duration::hours(1), NOW + Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(grants, vec![g]);
    let acts = actions(store, p.id).await;
    assert!(acts.contains(&AuditAction::BreakGlassStart));
    assert!(acts.contains(&AuditAction::UserBreakGlass));
    // Another practice's patient: not found.
    let other = practice(store, "South Clinic").await;
    store
        .set_break_glass_allowed(
            &ctx(other.id, other.admin, Role::PracticeAdmin),
            other.care_manager,
            true,
        )
        .await
        .unwrap();
    assert!(matches!(
        store
            .start_break_glass(
                &ctx(other.id, other.care_manager, Role::CareManager),
                patient.id,
                "wrong practice",
                60
            )
            .await,
        Err(StoreError::NotFound)
    ));
}

conformance!(
    failures_lock_and_clear,
    stages_and_reauthentication,
    totp_and_recovery_codes,
    demo_relaxation,
    break_glass
);
