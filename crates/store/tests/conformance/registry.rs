//! The registry: stored facts stay equal to a recomputation, the caseload and the review list.

use crate::conformance;
use crate::episodes::enrolled_patient;
use crate::harness::{ctx, practice};
use crate::records::{contact, phq9};
use stepwise_domain::episode::{Program, Transition};
use stepwise_domain::registry::{FlagKind, ManualFlags, RegistrySettings, ReviewReason};
use stepwise_domain::role::Role;
use stepwise_store::model::NewCaseReviewItem;
use stepwise_store::{AuditAction, Store};
use time::macros::date;

async fn caseload_and_review_list(store: &Store) {
    let p = practice(store, "North Clinic").await;
    let cm = ctx(p.id, p.care_manager, Role::CareManager);
    let settings = RegistrySettings::default();
    let roles = [Role::CareManager];

    // Safety: item 9 positive on the latest PHQ-9.
    let (safe_pt, safe) = enrolled_patient(store, &p, "S-1", Program::Cocm).await;
    store
        .add_contact(
            &cm,
            safe.id,
            p.care_manager,
            &contact("2026-11-20", "initial_assessment", 30)
                .parse(&roles, cm.today)
                .unwrap(),
            None,
        )
        .await
        .unwrap();
    store
        .add_assessment(
            &cm,
            safe_pt,
            Some(safe.id),
            p.care_manager,
            &phq9("2026-11-20", [2, 2, 2, 2, 2, 2, 1, 1, 2])
                .parse(cm.today)
                .unwrap(),
        )
        .await
        .unwrap();

    // Not improving: 12 → 10 over 11 weeks, reviewed recently, followed up.
    let (slow_pt, slow) = enrolled_patient(store, &p, "N-1", Program::Cocm).await;
    let slow = store
        .transition_episode(
            &cm,
            slow.id,
            slow.version,
            &Transition::StartTreatment,
            date!(2026 - 09 - 07),
        )
        .await
        .unwrap();
    for (on, kind, answers) in [
        (
            "2026-09-07",
            "initial_assessment",
            [2, 2, 2, 2, 1, 1, 1, 1, 0],
        ),
        ("2026-11-23", "follow_up", [2, 2, 1, 1, 1, 1, 1, 1, 0]),
    ] {
        store
            .add_contact(
                &cm,
                slow.id,
                p.care_manager,
                &contact(on, kind, 20).parse(&roles, cm.today).unwrap(),
                None,
            )
            .await
            .unwrap();
        store
            .add_assessment(
                &cm,
                slow_pt,
                Some(slow.id),
                p.care_manager,
                &phq9(on, answers).parse(cm.today).unwrap(),
            )
            .await
            .unwrap();
    }
    let psych = ctx(p.id, p.psychiatrist, Role::Psychiatrist);
    store
        .create_case_review(
            &psych,
            date!(2026 - 11 - 18),
            p.psychiatrist,
            None,
            &[NewCaseReviewItem {
                episode: slow.id,
                notes: None,
                recommendations: vec!["Add therapy".into()],
            }],
        )
        .await
        .unwrap();

    // Another care manager's patient is not on this caseload.
    let (other_pt, _) = enrolled_patient(store, &p, "O-1", Program::Cocm).await;
    let desk = ctx(p.id, p.front_desk, Role::FrontDesk);
    let mut other = store.patient(&desk, other_pt).await.unwrap();
    other.assignments.care_manager = Some(p.care_manager2);
    store
        .update_patient(
            &desk,
            other.id,
            other.version,
            other.details.clone(),
            other.assignments.clone(),
        )
        .await
        .unwrap();

    let rows = store
        .caseload(&cm, p.care_manager, &settings)
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].episode, safe.id, "safety first");
    assert_eq!(rows[0].row.flags[0].kind, FlagKind::Safety);
    let slow_row = &rows[1];
    assert_eq!(slow_row.patient.id, slow_pt);
    let kinds: Vec<FlagKind> = slow_row.row.flags.iter().map(|f| f.kind).collect();
    assert!(kinds.contains(&FlagKind::NotImproving), "{kinds:?}");
    assert!(!kinds.contains(&FlagKind::NewSinceLastReview));
    assert_eq!(
        slow_row.row.phq9.map(|t| (t.first.total, t.last.total)),
        Some((12, 10))
    );
    assert_eq!(
        slow_row.row.last_case_review_on,
        Some(date!(2026 - 11 - 18))
    );
    assert_eq!(slow_row.row.minutes_this_month, 20);
    assert_eq!(slow_row.row.open_recommendations, 1);
    assert_eq!(slow_row.row.sessions, 2);
    assert!(
        store
            .caseload(&cm, p.care_manager2, &settings)
            .await
            .unwrap()
            .len()
            == 1
    );

    // The manual flag reaches the caseload at once.
    let e = store.episode(&cm, slow.id).await.unwrap().episode;
    store
        .set_manual_flags(
            &cm,
            slow.id,
            e.version,
            ManualFlags {
                safety_risk: false,
                for_discussion: true,
            },
        )
        .await
        .unwrap();
    let rows = store
        .caseload(&cm, p.care_manager, &settings)
        .await
        .unwrap();
    assert!(
        rows[1]
            .row
            .flags
            .iter()
            .any(|f| f.kind == FlagKind::ForDiscussion)
    );

    // A caseload is recomputed when anything it shows changed: a name, a date, a setting.
    let mut renamed = store.patient(&desk, slow_pt).await.unwrap();
    renamed.details.family_name = "Renamed".into();
    store
        .update_patient(
            &desk,
            slow_pt,
            renamed.version,
            renamed.details.clone(),
            renamed.assignments.clone(),
        )
        .await
        .unwrap();
    let rows = store
        .caseload(&cm, p.care_manager, &settings)
        .await
        .unwrap();
    assert!(rows.iter().any(|r| r.patient.family_name == "Renamed"));
    // The API's JSON is kept with the cached rows and is theirs exactly, renamed patient
    // included; each read of it is audited like a read of the rows.
    let audited = store.audit_events(p.id, 0, i64::MAX).await.unwrap().len();
    for _ in 0..2 {
        let generation = store.registry_generation(p.id).await.unwrap();
        let json = store
            .caseload_json(&cm, p.care_manager, &settings, generation)
            .await
            .unwrap();
        assert_eq!(&json[..], serde_json::to_vec(&rows).unwrap().as_slice());
    }
    let events = store.audit_events(p.id, 0, i64::MAX).await.unwrap();
    assert_eq!(events.len(), audited + 2);
    assert!(
        events[audited..]
            .iter()
            .all(|e| e.event.action == AuditAction::CaseloadRead)
    );
    let later = stepwise_store::model::Ctx {
        today: date!(2027 - 06 - 15),
        ..cm.clone()
    };
    let rows = store
        .caseload(&later, p.care_manager, &settings)
        .await
        .unwrap();
    assert!(rows.iter().any(|r| {
        r.row
            .flags
            .iter()
            .any(|f| f.kind == FlagKind::LongEnrollment)
    }));
    let strict = RegistrySettings {
        not_improving_weeks: 52,
        ..settings.clone()
    };
    let rows = store.caseload(&cm, p.care_manager, &strict).await.unwrap();
    assert!(
        !rows
            .iter()
            .any(|r| r.row.flags.iter().any(|f| f.kind == FlagKind::NotImproving))
    );

    let list = store.review_list(&psych, &settings).await.unwrap();
    let by_episode = |id| {
        list.iter()
            .find(|e| e.episode == id)
            .map(|e| e.reasons.clone())
    };
    assert_eq!(
        by_episode(safe.id),
        Some(vec![
            ReviewReason::Safety,
            ReviewReason::New,
            ReviewReason::ReviewOverdue
        ])
    );
    assert_eq!(
        by_episode(slow.id),
        Some(vec![
            ReviewReason::ForDiscussion,
            ReviewReason::NotImproving
        ])
    );

    let facts = store.episode_facts(&cm, slow.id).await.unwrap().unwrap();
    assert_eq!(facts.phq9.map(|t| t.count), Some(2));
    let other = practice(store, "South Clinic").await;
    assert!(
        store
            .episode_facts(
                &ctx(other.id, other.care_manager, Role::CareManager),
                slow.id
            )
            .await
            .unwrap()
            .is_none()
    );

    // Stored facts equal a recomputation from the history, after every kind of write.
    assert!(store.verify_facts(p.id).await.unwrap().is_empty());
}

/// Concurrent writers of one episode: every contact counts and the stored facts equal a
/// recomputation (on PostgreSQL, without the episode lock, the last writer's facts missed the
/// others' rows).
async fn concurrent_writes_keep_facts_whole(store: &Store) {
    let p = practice(store, "North Clinic").await;
    let (_, ep) = enrolled_patient(store, &p, "C-1", Program::Cocm).await;
    let cm = ctx(p.id, p.care_manager, Role::CareManager);
    let mut tasks = Vec::new();
    for i in 0..24 {
        let (s, c) = (store.clone(), cm.clone());
        let details = contact("2026-11-20", "follow_up", 5 + (i % 3))
            .parse(&[Role::CareManager], cm.today)
            .unwrap();
        let cm_id = p.care_manager;
        tasks.push(tokio::spawn(async move {
            s.add_contact(&c, ep.id, cm_id, &details, None)
                .await
                .map(|_| ())
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let facts = store.episode_facts(&cm, ep.id).await.unwrap().unwrap();
    assert_eq!(facts.contacts, 24);
    assert_eq!(
        facts.minutes_in(stepwise_domain::calendar::YearMonth::of(date!(
            2026 - 11 - 20
        ))),
        (0..24).map(|i| 5 + (i % 3)).sum::<u32>()
    );
    assert!(store.verify_facts(p.id).await.unwrap().is_empty());
}

conformance!(caseload_and_review_list, concurrent_writes_keep_facts_whole);
