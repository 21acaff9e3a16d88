//! The operator's way back in when the only administrator is locked out: `stepwise user
//! reset-credentials` replaces the password, removes the second factor, ends the sessions and
//! leaves an audit event, on the database itself.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use stepwise_domain::audit::AuditAction;
use stepwise_domain::auth::throttle::Failures;
use stepwise_store::model::{Ctx, SessionStage};
use stepwise_store::{Location, OpenOptions, SessionPolicy, Store};
use stepwise_web::auth::{secret_hash, verify_password};
use time::{Duration, OffsetDateTime};

const OLD_PASSWORD: &str = "the forgotten old passphrase";

fn stepwise(dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_stepwise"))
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .env_remove("STEPWISE_DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(s) = stdin {
        input.write_all(s.as_bytes()).unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}

fn now() -> OffsetDateTime {
    #[allow(clippy::disallowed_methods)]
    let n = OffsetDateTime::now_utc();
    n
}

async fn open(dir: &Path) -> Store {
    Store::open(&Location::SqliteDir(dir.to_owned()), OpenOptions::default())
        .await
        .unwrap()
}

#[tokio::test]
async fn reset_credentials_lets_a_locked_out_sole_administrator_back_in() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = stepwise(d, &["practice", "create", "--name", "Solo Clinic"], None);
    assert!(out.status.success(), "{out:?}");
    let out = stepwise(
        d,
        &[
            "user",
            "add",
            "--email",
            "admin@solo.test",
            "--name",
            "Only Admin",
            "--role",
            "practice_admin",
            "--password-stdin",
        ],
        Some(&format!("{OLD_PASSWORD}\n")),
    );
    assert!(out.status.success(), "{out:?}");

    // The administrator had a second factor and a live session, then was locked out.
    let store = open(d).await;
    let account = store
        .user_for_sign_in("admin@solo.test")
        .await
        .unwrap()
        .unwrap();
    let admin = account.user;
    let policy = SessionPolicy {
        idle: Duration::minutes(15),
        absolute: Duration::hours(12),
    };
    let ctx = Ctx {
        practice: admin.practice,
        user: Some(admin.id),
        role: None,
        request_id: "test".into(),
        source: "test".into(),
        now: now(),
        today: now().date(),
    };
    store
        .begin_totp_enrollment(&ctx, "JBSWY3DPEHPK3PXP")
        .await
        .unwrap();
    store
        .confirm_totp_enrollment(&ctx, 1, &[secret_hash("recovery")])
        .await
        .unwrap();
    store
        .create_session(&ctx, &secret_hash("session-1"), policy, SessionStage::Full)
        .await
        .unwrap();
    for _ in 0..8 {
        store.record_sign_in_failure(&ctx, admin.id).await.unwrap();
    }
    let before = store
        .user_for_sign_in("admin@solo.test")
        .await
        .unwrap()
        .unwrap();
    assert!(before.has_mfa);
    assert_ne!(before.failures, Failures::default());
    store.close().await;

    let out = stepwise(
        d,
        &["user", "reset-credentials", "--email", "admin@solo.test"],
        None,
    );
    assert!(out.status.success(), "{out:?}");
    let password = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert!(password.len() >= 32, "{password}");
    let said = String::from_utf8(out.stderr).unwrap();
    assert!(said.contains("shown once"), "{said}");

    let store = open(d).await;
    let after = store
        .user_for_sign_in("admin@solo.test")
        .await
        .unwrap()
        .unwrap();
    let hash = after.password_hash.clone().unwrap();
    assert!(verify_password(&password, &hash));
    assert!(!verify_password(OLD_PASSWORD, &hash));
    assert!(!after.has_mfa, "enrolls a second factor again");
    assert!(
        store
            .totp_state(admin.practice, admin.id)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        store
            .recovery_codes_left(admin.practice, admin.id)
            .await
            .unwrap(),
        0
    );
    assert_eq!(after.failures, Failures::default(), "the lock is lifted");
    assert!(
        store
            .session_principal(&secret_hash("session-1"), now(), policy)
            .await
            .unwrap()
            .is_none(),
        "the old session ended"
    );
    let events = store.audit_events(admin.practice, 0, 10_000).await.unwrap();
    let reset = events
        .iter()
        .find(|e| e.event.action == AuditAction::CredentialReset)
        .unwrap();
    assert_eq!(reset.event.source, "cli");
    assert!(reset.event.detail.contains(&admin.id.to_string()));
    assert!(
        store
            .verify_audit_chain(admin.practice)
            .await
            .unwrap()
            .is_intact()
    );
    store.close().await;

    // An unknown account: a clear refusal, nothing changed.
    let out = stepwise(
        d,
        &["user", "reset-credentials", "--email", "nobody@solo.test"],
        None,
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no user nobody@solo.test"));
}
