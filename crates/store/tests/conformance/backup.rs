//! Backups of either engine (T-BR-01): a snapshot holds every table the catalog lists, restores
//! row for row into an empty database of either engine with every audit chain intact, and a
//! damaged, truncated, foreign or misplaced snapshot writes nothing.

use crate::episodes::enrolled_patient;
use crate::harness::{Harness, NOW, practice, system_ctx};
use std::collections::BTreeMap;
use stepwise_domain::audit::AuditAction;
use stepwise_domain::episode::Program;
use stepwise_store::{SnapshotHeader, Store, StoreError};

async fn count(store: &Store, practice: stepwise_domain::ids::PracticeId, a: AuditAction) -> usize {
    store
        .audit_events(practice, 0, 100_000)
        .await
        .unwrap()
        .iter()
        .filter(|e| e.event.action == a)
        .count()
}

async fn snapshot(store: &Store) -> (SnapshotHeader, Vec<u8>) {
    let mut out = Vec::new();
    let header = store.backup_snapshot(NOW, &mut out).await.unwrap();
    (header, out)
}

/// A snapshot's rows by table, sorted; the chain heads and the restore's own events (which
/// move them) left out.
fn rows(bytes: &[u8]) -> BTreeMap<String, Vec<String>> {
    let text = std::str::from_utf8(bytes).unwrap();
    let mut lines = text.lines();
    let header: SnapshotHeader = serde_json::from_str(lines.next().unwrap()).unwrap();
    let mut out = BTreeMap::new();
    for t in &header.tables {
        let action = t.columns.iter().position(|(c, _)| c == "action");
        let mut rows = Vec::new();
        for _ in 0..t.rows {
            let line = lines.next().unwrap();
            let values: Vec<serde_json::Value> = serde_json::from_str(line).unwrap();
            let restore_event = t.name == "audit_events"
                && action.is_some_and(|i| values[i] == AuditAction::BackupRestore.code());
            if !restore_event {
                rows.push(line.to_owned());
            }
        }
        rows.sort();
        if t.name != "audit_heads" {
            out.insert(t.name.clone(), rows);
        }
    }
    assert!(lines.next().unwrap().contains("sha256"));
    assert!(lines.next().is_none());
    out
}

async fn restore(
    target: &Store,
    bytes: &[u8],
) -> Result<stepwise_store::RestoreSummary, StoreError> {
    target
        .restore_snapshot(
            &system_ctx(stepwise_store::NO_PRACTICE),
            &mut &bytes[..],
            "test restore",
        )
        .await
}

/// The data of `source` restored into a fresh store of each engine, and checked.
async fn round_trip(
    source: &Store,
    expected: &BTreeMap<String, Vec<String>>,
    bytes: &[u8],
    target: &Harness,
) {
    let summary = restore(&target.store, bytes).await.unwrap();
    assert!(summary.chains.iter().all(|c| c.is_intact()));
    let (_, again) = snapshot(&target.store).await;
    assert_eq!(&rows(&again), expected, "restored row for row");
    for p in source.practices().await.unwrap() {
        assert!(
            target
                .store
                .verify_audit_chain(p.id)
                .await
                .unwrap()
                .is_intact()
        );
        assert_eq!(
            count(&target.store, p.id, AuditAction::BackupRestore).await,
            1
        );
    }
    // Into a database that is no longer empty: refused, nothing changes.
    let refused = restore(&target.store, bytes).await.unwrap_err();
    assert!(refused.to_string().contains("not empty"), "{refused}");
    let (_, after) = snapshot(&target.store).await;
    assert_eq!(&rows(&after), expected);
}

async fn snapshot_restores_row_for_row_on_either_engine(h: &Harness) {
    let store = &h.store;
    let north = practice(store, "Backup North").await;
    let south = practice(store, "Backup South").await;
    enrolled_patient(store, &north, "B-1", Program::Cocm).await;
    enrolled_patient(store, &south, "B-2", Program::GeneralBhi).await;

    let (header, bytes) = snapshot(store).await;
    // Every table the catalog lists is in the backup: a new table cannot be left out.
    let mut in_backup: Vec<String> = header.tables.iter().map(|t| t.name.clone()).collect();
    in_backup.sort();
    assert_eq!(in_backup, h.table_names().await);
    assert_eq!(header.rows_of("patients"), Some(2));
    assert!(header.rows_of("audit_events").unwrap() > 10);
    let expected = rows(&bytes);
    assert_eq!(expected["patients"].len(), 2);

    // The backup is an audit event of every practice.
    store
        .audit_every_practice(
            &system_ctx(north.id),
            AuditAction::BackupCreate,
            "test backup",
        )
        .await
        .unwrap();
    for p in [north.id, south.id] {
        assert_eq!(count(store, p, AuditAction::BackupCreate).await, 1);
        assert!(store.verify_audit_chain(p).await.unwrap().is_intact());
    }

    // Into the same engine and into the other one (PostgreSQL when it is configured).
    let (same, other) = if store.engine() == stepwise_store::Engine::Postgres {
        (
            crate::harness::postgres().await.unwrap(),
            Some(crate::harness::sqlite().await),
        )
    } else {
        (
            crate::harness::sqlite().await,
            crate::harness::postgres().await,
        )
    };

    // Damaged, truncated or foreign snapshots write nothing.
    let text = String::from_utf8(bytes.clone()).unwrap();
    let altered = text.replacen("B-1", "B-9", 1);
    assert_ne!(altered, text);
    let err = restore(&same.store, altered.as_bytes()).await.unwrap_err();
    assert!(err.to_string().contains("checksum"), "{err}");
    let truncated = &bytes[..bytes.len() / 2];
    assert!(restore(&same.store, truncated).await.is_err());
    let newer = text.replacen(
        &format!("\"schema_version\":{}", header.schema_version),
        &format!("\"schema_version\":{}", header.schema_version + 1),
        1,
    );
    let err = restore(&same.store, newer.as_bytes()).await.unwrap_err();
    assert!(err.to_string().contains("schema version"), "{err}");
    assert!(restore(&same.store, b"not a backup\n").await.is_err());
    assert!(same.store.is_empty().await.unwrap());
    assert_eq!(
        rows(&snapshot(&same.store).await.1)
            .values()
            .map(Vec::len)
            .sum::<usize>(),
        0
    );

    round_trip(store, &expected, &bytes, &same).await;
    same.finish().await;
    if let Some(other) = other {
        round_trip(store, &expected, &bytes, &other).await;
        other.finish().await;
    }

    // The source is not empty: a restore into it is refused.
    let refused = restore(store, &bytes).await.unwrap_err();
    assert!(refused.to_string().contains("not empty"), "{refused}");
}

crate::conformance_with_harness!(snapshot_restores_row_for_row_on_either_engine);
