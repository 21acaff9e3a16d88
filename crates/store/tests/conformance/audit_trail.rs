//! The audit trail: every read and write leaves an event; the chain detects tampering; the
//! table refuses updates and deletes.

use crate::episodes::enrolled_patient;
use crate::harness::{Harness, Tamper};
use crate::harness::{NOW, ctx, practice};
use crate::{conformance, conformance_with_harness};
use stepwise_domain::audit::{AuditAction, AuditCategory, AuditOutcome};
use stepwise_domain::episode::Program;
use stepwise_domain::role::Role;
use stepwise_store::{AuditEvent, NO_PRACTICE, Store};

async fn events_and_chain(store: &Store) {
    let p = practice(store, "North Clinic").await;
    let (pt, ep) = enrolled_patient(store, &p, "A-1", Program::Cocm).await;
    let cm = ctx(p.id, p.care_manager, Role::CareManager);
    store.patient(&cm, pt).await.unwrap();
    store.episode(&cm, ep.id).await.unwrap();
    // Many concurrent reads: each is audited, and the chain stays whole.
    let mut tasks = Vec::new();
    for _ in 0..40 {
        let s = store.clone();
        let c = cm.clone();
        tasks.push(tokio::spawn(
            async move { s.patient(&c, pt).await.map(|_| ()) },
        ));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let events = store.audit_events(p.id, 0, 1000).await.unwrap();
    let reads = events
        .iter()
        .filter(|e| e.event.action == AuditAction::PatientRead && e.event.patient == Some(pt))
        .count();
    assert_eq!(reads, 41);
    let seqs: Vec<i64> = events.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=seqs.len() as i64).collect::<Vec<_>>());
    assert!(
        events
            .iter()
            .any(|e| e.event.action == AuditAction::EpisodeTransition
                && e.event.user == Some(p.care_manager))
    );
    let report = store.verify_audit_chain(p.id).await.unwrap();
    assert!(report.is_intact(), "{:?}", report.problems);
    assert_eq!(report.events, events.len() as u64);

    // An event outside any practice, e.g. a failed sign-in for an unknown account.
    store
        .audit(AuditEvent {
            practice: NO_PRACTICE,
            at: NOW,
            user: None,
            role: None,
            patient: None,
            action: AuditAction::SignInFailed,
            category: AuditCategory::Authentication,
            outcome: AuditOutcome::Failed,
            request_id: "r1".into(),
            source: "127.0.0.1".into(),
            detail: String::new(),
        })
        .await
        .unwrap();
    assert!(
        store
            .verify_audit_chain(NO_PRACTICE)
            .await
            .unwrap()
            .is_intact()
    );
    let practices = store.audit_practices().await.unwrap();
    assert!(practices.contains(&NO_PRACTICE) && practices.contains(&p.id));
}

conformance!(events_and_chain);

/// Each kind of tampering is detected, and the append-only triggers refuse plain edits.
async fn tampering_is_detected(h: &Harness) {
    let store = &h.store;
    let first = practice(store, "Untouched").await;
    assert!(
        h.audit_edits_refused(first.id).await,
        "the audit table accepted an edit"
    );
    assert!(
        store
            .verify_audit_chain(first.id)
            .await
            .unwrap()
            .is_intact()
    );
    for how in [
        Tamper::Edit,
        Tamper::Delete,
        Tamper::Swap,
        Tamper::Insert,
        Tamper::Truncate,
    ] {
        let p = practice(store, &format!("Clinic {how:?}")).await;
        let (pt, _) = enrolled_patient(store, &p, "A-1", Program::Cocm).await;
        let cm = ctx(p.id, p.care_manager, Role::CareManager);
        for _ in 0..3 {
            store.patient(&cm, pt).await.unwrap();
        }
        assert!(store.verify_audit_chain(p.id).await.unwrap().is_intact());
        h.tamper(p.id, how).await;
        let report = store.verify_audit_chain(p.id).await.unwrap();
        assert!(!report.is_intact(), "{how:?} went unnoticed");
    }
}

conformance_with_harness!(tampering_is_detected);
