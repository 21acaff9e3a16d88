//! The audit trail: every read and write leaves an event; the chain detects tampering; the
//! table refuses updates and deletes.

use crate::episodes::enrolled_patient;
use crate::harness::{Harness, Tamper};
use crate::harness::{NOW, ctx, practice};
use crate::{conformance, conformance_with_harness};
use stepwise_domain::audit::{AuditAction, AuditCategory, AuditOutcome};
use stepwise_domain::episode::Program;
use stepwise_domain::role::Role;
use stepwise_store::{AuditEvent, AuditFilter, NO_PRACTICE, Store};

async fn events_and_chain(store: &Store) {
    let p = practice(store, "North Clinic").await;
    let (pt, ep) = enrolled_patient(store, &p, "A-1", Program::Cocm).await;
    let cm = ctx(p.id, p.care_manager, Role::CareManager);
    store.patient(&cm, pt).await.unwrap();
    store.episode(&cm, ep.id).await.unwrap();
    // Many concurrent reads, of two practices at once (so that the group commit writes
    // events of both chains in one transaction): each is audited, and each chain stays whole.
    let q = practice(store, "South Clinic").await;
    let (q_pt, _) = enrolled_patient(store, &q, "B-1", Program::Cocm).await;
    let q_cm = ctx(q.id, q.care_manager, Role::CareManager);
    let mut tasks = Vec::new();
    for i in 0..80 {
        let s = store.clone();
        let (c, id) = if i % 2 == 0 {
            (cm.clone(), pt)
        } else {
            (q_cm.clone(), q_pt)
        };
        tasks.push(tokio::spawn(
            async move { s.patient(&c, id).await.map(|_| ()) },
        ));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let q_report = store.verify_audit_chain(q.id).await.unwrap();
    assert!(q_report.is_intact(), "{:?}", q_report.problems);
    let q_reads = store
        .audit_events(q.id, 0, 1000)
        .await
        .unwrap()
        .iter()
        .filter(|e| e.event.action == AuditAction::PatientRead && e.event.patient == Some(q_pt))
        .count();
    assert_eq!(q_reads, 40);
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

/// The audit report's filters, each alone and together, newest first, paged by position.
async fn report_filters(store: &Store) {
    let p = practice(store, "Report Clinic").await;
    let other = practice(store, "Elsewhere").await;
    let (pt, _) = enrolled_patient(store, &p, "R-1", Program::Cocm).await;
    let (pt2, _) = enrolled_patient(store, &p, "R-2", Program::Cocm).await;
    let event = |practice, at, user, patient, action| AuditEvent {
        practice,
        at,
        user: Some(user),
        role: Some(Role::CareManager),
        patient: Some(patient),
        action,
        category: AuditCategory::Clinical,
        outcome: AuditOutcome::Success,
        request_id: "' OR 1=1 --".into(),
        source: "test".into(),
        detail: String::new(),
    };
    let day = time::Duration::days(1);
    // Before the fixtures' own events (written at NOW), so that only the planted ones count.
    let base = NOW - day * 10;
    let planted = [
        (base - day * 3, p.care_manager, pt, AuditAction::PatientRead),
        (
            base - day * 2,
            p.care_manager2,
            pt,
            AuditAction::BreakGlassAccess,
        ),
        (base - day, p.care_manager, pt2, AuditAction::EpisodeRead),
        (base, p.care_manager, pt, AuditAction::PatientRead),
    ];
    for (at, user, patient, action) in planted {
        store
            .audit(event(p.id, at, user, patient, action))
            .await
            .unwrap();
    }
    // Another practice's event for the same ids is never reported.
    store
        .audit(event(
            other.id,
            base,
            p.care_manager,
            pt,
            AuditAction::PatientRead,
        ))
        .await
        .unwrap();
    let planted_only = |f: AuditFilter| AuditFilter {
        from: f.from.or(Some(base - day * 3)),
        to: f.to.or(Some(base + time::Duration::seconds(1))),
        ..f
    };
    let report = async |f: AuditFilter| -> Vec<(time::OffsetDateTime, AuditAction)> {
        store
            .audit_report(p.id, &planted_only(f), None, 100)
            .await
            .unwrap()
            .into_iter()
            .map(|e| {
                assert_eq!(e.event.practice, p.id);
                (e.event.at, e.event.action)
            })
            .collect()
    };
    let all = report(AuditFilter::default()).await;
    assert_eq!(all.len(), 4, "{all:?}");
    assert_eq!(all[0], (base, AuditAction::PatientRead), "newest first");
    let by_user = report(AuditFilter {
        user: Some(p.care_manager2),
        ..Default::default()
    })
    .await;
    assert_eq!(
        by_user,
        vec![(base - day * 2, AuditAction::BreakGlassAccess)]
    );
    let by_patient = report(AuditFilter {
        patient: Some(pt2),
        ..Default::default()
    })
    .await;
    assert_eq!(by_patient, vec![(base - day, AuditAction::EpisodeRead)]);
    let by_action = report(AuditFilter {
        action: Some(AuditAction::PatientRead),
        ..Default::default()
    })
    .await;
    assert_eq!(by_action.len(), 2);
    // The period: from included, to excluded.
    let period = report(AuditFilter {
        from: Some(base - day * 2),
        to: Some(base),
        ..Default::default()
    })
    .await;
    assert_eq!(
        period,
        vec![
            (base - day, AuditAction::EpisodeRead),
            (base - day * 2, AuditAction::BreakGlassAccess)
        ]
    );
    let together = report(AuditFilter {
        user: Some(p.care_manager),
        patient: Some(pt),
        action: Some(AuditAction::PatientRead),
        from: Some(base - day * 3),
        to: Some(base),
    })
    .await;
    assert_eq!(together, vec![(base - day * 3, AuditAction::PatientRead)]);
    // Pages: two at a time, each starting before the last one shown.
    let f = planted_only(AuditFilter::default());
    let first = store.audit_report(p.id, &f, None, 2).await.unwrap();
    let second = store
        .audit_report(p.id, &f, Some(first[1].seq), 2)
        .await
        .unwrap();
    let third = store
        .audit_report(p.id, &f, Some(second[1].seq), 2)
        .await
        .unwrap();
    assert_eq!((first.len(), second.len(), third.len()), (2, 2, 0));
    assert!(first[1].seq > second[0].seq);
}

/// One request, one event: inside `audited_request`, reads of a patient are recorded once when
/// the request ends (the first read's action, the most sensitive category, the others named in
/// the detail), and not at all beside a committed write of the same patient.
async fn one_event_per_request(store: &Store) {
    let p = practice(store, "North Clinic").await;
    let (pt, ep) = enrolled_patient(store, &p, "A-1", Program::Cocm).await;
    let as_cm = |request: &str| stepwise_store::model::Ctx {
        request_id: request.into(),
        ..ctx(p.id, p.care_manager, Role::CareManager)
    };
    let of = async |request: &str| -> Vec<AuditEvent> {
        store
            .audit_events(p.id, 0, 10_000)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.event)
            .filter(|e| e.request_id == request)
            .collect()
    };

    let c = as_cm("reads");
    let ((), written) = store
        .audited_request(async {
            store.patient(&c, pt).await.unwrap();
            store.episode(&c, ep.id).await.unwrap();
            store.patient_episodes(&c, pt).await.unwrap();
            // Nothing is recorded before the request ends.
            assert!(of("reads").await.is_empty());
        })
        .await;
    written.unwrap();
    let events = of("reads").await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].action, AuditAction::PatientRead);
    assert_eq!(events[0].patient, Some(pt));
    assert_eq!(events[0].category, AuditCategory::Clinical);
    assert!(
        events[0]
            .detail
            .ends_with("also episode.read, episode.read"),
        "{}",
        events[0].detail
    );

    // A read, then a change of the same patient: the change's event alone.
    let c = as_cm("write");
    let ((), written) = store
        .audited_request(async {
            let version = store.episode(&c, ep.id).await.unwrap().episode.version;
            let flags = stepwise_domain::registry::ManualFlags {
                safety_risk: false,
                for_discussion: true,
            };
            store
                .set_manual_flags(&c, ep.id, version, flags)
                .await
                .unwrap();
            // A stale change is refused and rolls back: it does not stand for the read.
            assert!(
                store
                    .set_manual_flags(&c, ep.id, version, flags)
                    .await
                    .is_err()
            );
        })
        .await;
    written.unwrap();
    let actions: Vec<AuditAction> = of("write").await.iter().map(|e| e.action).collect();
    assert_eq!(actions, [AuditAction::EpisodeFlags]);

    let c = as_cm("refused");
    let ((), written) = store
        .audited_request(async {
            let version = store.episode(&c, ep.id).await.unwrap().episode.version;
            let flags = stepwise_domain::registry::ManualFlags {
                safety_risk: true,
                for_discussion: true,
            };
            assert!(
                store
                    .set_manual_flags(&c, ep.id, version - 1, flags)
                    .await
                    .is_err()
            );
        })
        .await;
    written.unwrap();
    let actions: Vec<AuditAction> = of("refused").await.iter().map(|e| e.action).collect();
    assert_eq!(actions, [AuditAction::EpisodeRead]);
    assert!(store.verify_audit_chain(p.id).await.unwrap().is_intact());
}

conformance!(events_and_chain, report_filters, one_event_per_request);

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

/// A read whose audit event cannot be written returns nothing; a write whose event cannot be
/// written stores nothing; once the trail can be written again, so can everything else.
async fn no_data_without_its_event(h: &Harness) {
    let store = &h.store;
    let p = practice(store, "North Clinic").await;
    let (pt, ep) = enrolled_patient(store, &p, "A-1", Program::Cocm).await;
    let cm = ctx(p.id, p.care_manager, Role::CareManager);
    let contact = crate::records::contact("2026-11-20", "follow_up", 20)
        .parse(&[Role::CareManager], cm.today)
        .unwrap();
    let before = store.audit_events(p.id, 0, 100_000).await.unwrap().len();

    h.fail_inserts("audit_events", true).await;
    let read = store.patient(&cm, pt).await;
    assert!(
        read.is_err(),
        "a read was returned without its event: {read:?}"
    );
    assert!(store.episode_contacts(&cm, ep.id).await.is_err());
    let write = store
        .add_contact(&cm, ep.id, p.care_manager, &contact, None)
        .await;
    assert!(
        write.is_err(),
        "a write was stored without its event: {write:?}"
    );
    h.fail_inserts("audit_events", false).await;

    // Nothing was written, no event either; the trail works again and is intact.
    assert!(store.episode_contacts(&cm, ep.id).await.unwrap().is_empty());
    assert_eq!(store.patient(&cm, pt).await.unwrap().id, pt);
    let after = store.audit_events(p.id, 0, 100_000).await.unwrap();
    assert_eq!(
        after.len(),
        before + 2,
        "only the two reads after the fault"
    );
    assert!(store.verify_audit_chain(p.id).await.unwrap().is_intact());
}

conformance_with_harness!(tampering_is_detected, no_data_without_its_event);
