//! Backups: on SQLite an online, consistent copy that opens as a store with the same data; on
//! PostgreSQL a clear refusal (pg_dump's job). Either way the installation-wide events reach
//! every practice's audit trail.

use crate::conformance;
use crate::episodes::enrolled_patient;
use crate::harness::{practice, system_ctx};
use stepwise_domain::audit::AuditAction;
use stepwise_domain::episode::Program;
use stepwise_store::{Engine, Location, OpenOptions, SQLITE_FILE, Store, StoreError};

async fn count(store: &Store, practice: stepwise_domain::ids::PracticeId, a: AuditAction) -> usize {
    store
        .audit_events(practice, 0, 100_000)
        .await
        .unwrap()
        .iter()
        .filter(|e| e.event.action == a)
        .count()
}

async fn backup_copies_everything_and_is_audited(store: &Store) {
    let north = practice(store, "Backup North").await;
    let south = practice(store, "Backup South").await;
    enrolled_patient(store, &north, "B-1", Program::Cocm).await;
    let ctx = system_ctx(north.id);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("copy").join(SQLITE_FILE);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    match store.engine() {
        Engine::Sqlite => {
            let bytes = store.backup_to(&ctx, &file).await.unwrap();
            assert!(bytes > 0 && file.exists());
            // A second backup never overwrites a file.
            assert!(store.backup_to(&ctx, &file).await.is_err());
            let copy = Store::open(
                &Location::SqliteDir(file.parent().unwrap().to_owned()),
                OpenOptions::default(),
            )
            .await
            .unwrap();
            let names = |s: &Store| {
                let s = s.clone();
                async move {
                    s.practices()
                        .await
                        .unwrap()
                        .into_iter()
                        .map(|p| p.name)
                        .collect::<Vec<_>>()
                }
            };
            assert_eq!(names(&copy).await, names(store).await);
            assert_eq!(
                copy.users(north.id).await.unwrap(),
                store.users(north.id).await.unwrap()
            );
            assert!(copy.verify_audit_chain(north.id).await.unwrap().is_intact());
            copy.close().await;
            for p in [north.id, south.id] {
                assert_eq!(count(store, p, AuditAction::BackupCreate).await, 1);
            }
        }
        Engine::Postgres => {
            let refused = store.backup_to(&ctx, &file).await.unwrap_err();
            assert!(
                matches!(&refused, StoreError::Invalid(v) if v.to_string().contains("pg_dump")),
                "{refused}"
            );
            assert!(!file.exists());
        }
    }
    store
        .audit_every_practice(&ctx, AuditAction::BackupRestore, "restored from copy")
        .await
        .unwrap();
    for p in [north.id, south.id] {
        assert_eq!(count(store, p, AuditAction::BackupRestore).await, 1);
        assert!(store.verify_audit_chain(p).await.unwrap().is_intact());
    }
}

conformance!(backup_copies_everything_and_is_audited);
