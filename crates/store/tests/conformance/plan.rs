//! The practice's plan: one document per practice, each save a new version (never
//! overwritten), a stale version refused, a plan the domain refuses never stored, saves
//! audited; and the registry summary the planner's next step is computed from.

use crate::conformance;
use crate::episodes::enrolled_patient;
use crate::harness::{ctx, practice};
use crate::records::phq9;
use stepwise_domain::audit::{AuditAction, AuditCategory};
use stepwise_domain::episode::Program;
use stepwise_domain::planner::communication::{MeetingInput, parse_consultant, parse_note};
use stepwise_domain::planner::engagement::default_content;
use stepwise_domain::planner::{
    CareModel, ContentKey, PracticePlan, RegistrySummary, check_edit, default_workflow, next_step,
};
use stepwise_domain::registry::RegistrySettings;
use stepwise_domain::role::Role;
use stepwise_store::{Store, StoreError};

async fn versions_kept_and_conflicts_refused(store: &Store) {
    let p = practice(store, "North Clinic").await;
    let admin = ctx(p.id, p.admin, Role::PracticeAdmin);

    // Before the first save: an empty plan at version 0, no history.
    let empty = store.plan(p.id).await.unwrap();
    assert_eq!(
        (empty.version, empty.saved_at, empty.saved_by),
        (0, None, None)
    );
    assert_eq!(empty.plan, PracticePlan::default());
    assert!(store.plan_history(p.id).await.unwrap().is_empty());

    // A plan the domain refuses (a workflow without its crisis protocol) is not stored.
    let mut bad = PracticePlan::default();
    let mut wf = default_workflow(CareModel::Coordinated, admin.today);
    wf.steps.retain(|s| s.key != "crisis_protocol");
    bad.workflow = Some(wf);
    match store.save_plan(&admin, 0, &bad).await {
        Err(StoreError::Invalid(v)) => {
            assert!(
                v.errors.iter().any(|e| e.field.starts_with("workflow")),
                "{v:?}"
            );
        }
        other => panic!("expected invalid, got {other:?}"),
    }
    assert_eq!(store.plan(p.id).await.unwrap().version, 0);

    // First save: version 1, read back as saved.
    let mut first = PracticePlan::default();
    first.profile.practitioners = 4;
    first.choose_model(CareModel::Coordinated, admin.today);
    let saved = store.save_plan(&admin, 0, &first).await.unwrap();
    assert_eq!(
        (saved.version, saved.saved_by, saved.saved_at),
        (1, Some(p.admin), Some(admin.now))
    );
    let read = store.plan(p.id).await.unwrap();
    assert_eq!(read, saved);
    assert_eq!(read.plan, first);

    // A save from the old version is a conflict; nothing changes.
    let mut second = first.clone();
    second.choose_model(CareModel::Cocm, admin.today);
    second.workflow = Some(default_workflow(CareModel::Cocm, admin.today));
    assert!(matches!(
        store.save_plan(&admin, 0, &second).await,
        Err(StoreError::Conflict)
    ));
    assert!(matches!(
        store.save_plan(&admin, 5, &second).await,
        Err(StoreError::Conflict)
    ));
    assert_eq!(store.plan(p.id).await.unwrap().plan, first);

    // From the current version: version 2; version 1 is kept as it was.
    let saved2 = store.save_plan(&admin, 1, &second).await.unwrap();
    assert_eq!(saved2.version, 2);
    assert_eq!(store.plan(p.id).await.unwrap().plan, second);
    assert_eq!(store.plan_version(p.id, 1).await.unwrap().plan, first);
    assert_eq!(store.plan_version(p.id, 2).await.unwrap().plan, second);
    assert!(matches!(
        store.plan_version(p.id, 3).await,
        Err(StoreError::NotFound)
    ));
    let history = store.plan_history(p.id).await.unwrap();
    assert_eq!(
        history.iter().map(|h| h.version).collect::<Vec<_>>(),
        [2, 1]
    );
    assert!(history.iter().all(|h| h.saved_by == Some(p.admin)));

    // Two saves from the same version: one wins, the other is a conflict.
    let (a, b) = tokio::join!(
        store.save_plan(&admin, 2, &first),
        store.save_plan(&admin, 2, &second)
    );
    let wins = [&a, &b].iter().filter(|r| r.is_ok()).count();
    assert_eq!(wins, 1, "{a:?} {b:?}");
    assert!(
        [&a, &b]
            .iter()
            .any(|r| matches!(r, Err(StoreError::Conflict)))
    );
    assert_eq!(store.plan(p.id).await.unwrap().version, 3);

    // Audited as administration, with the version and no content.
    let events = store.audit_events(p.id, 0, 1000).await.unwrap();
    let saves: Vec<&str> = events
        .iter()
        .filter(|e| e.event.action == AuditAction::PlanSave)
        .inspect(|e| {
            assert_eq!(e.event.category, AuditCategory::Administration);
            assert_eq!(e.event.patient, None);
        })
        .map(|e| e.event.detail.as_str())
        .collect();
    assert_eq!(
        saves,
        ["plan version 1", "plan version 2", "plan version 3"]
    );

    // Another practice has its own (empty) plan.
    let other = practice(store, "South Clinic").await;
    assert_eq!(store.plan(other.id).await.unwrap().version, 0);
    assert!(store.plan_history(other.id).await.unwrap().is_empty());
    assert!(matches!(
        store.plan_version(other.id, 1).await,
        Err(StoreError::NotFound)
    ));
}

async fn registry_summary_counts(store: &Store) {
    let p = practice(store, "North Clinic").await;
    let cm = ctx(p.id, p.care_manager, Role::CareManager);
    let settings = RegistrySettings::default();
    let empty = store.registry_summary(&cm, &settings).await.unwrap();
    assert_eq!(empty, RegistrySummary::default());
    // Nothing in the registry and no plan: the planner starts with the baseline.
    let first = next_step(&PracticePlan::default(), &empty, cm.today);

    let (pt, _ep) = enrolled_patient(store, &p, "A-1", Program::Cocm).await;
    enrolled_patient(store, &p, "A-2", Program::GeneralBhi).await;
    // Item 9 "several days": an open safety alert.
    let r = phq9(&cm.today.to_string(), [1, 1, 1, 0, 1, 0, 1, 0, 1])
        .parse(cm.today)
        .unwrap();
    store
        .add_assessment(&cm, pt, None, p.care_manager, &r)
        .await
        .unwrap();
    let s = store.registry_summary(&cm, &settings).await.unwrap();
    assert_eq!(s.enrolled_patients, 2);
    assert_eq!(s.screened_last_30_days, 1);
    assert_eq!(s.unreviewed_safety_alerts, 1);
    assert_eq!(s.last_case_review_on, None);
    // The new CoCM patient waits for a first case review.
    assert_eq!(s.awaiting_case_review, 1);
    // The open alert comes first, whatever the plan.
    let now = next_step(&PracticePlan::default(), &s, cm.today);
    assert_ne!(now, first);
    assert!(now.message.contains("safety alert"), "{}", now.message);

    // Counts only this practice.
    let other = practice(store, "South Clinic").await;
    let south = ctx(other.id, other.care_manager, Role::CareManager);
    assert_eq!(
        store.registry_summary(&south, &settings).await.unwrap(),
        RegistrySummary::default()
    );
}

/// Team communication and the practice's own patient texts are kept with the plan: they
/// round-trip unchanged, and a text that drops 988 is refused and not stored.
async fn communication_and_patient_texts_round_trip(store: &Store) {
    let p = practice(store, "East Clinic").await;
    let admin = ctx(p.id, p.admin, Role::PracticeAdmin);
    let mut plan = PracticePlan::default();
    let huddle = MeetingInput {
        name: "Morning huddle".into(),
        kind: "huddle".into(),
        cadence: "daily".into(),
        day: String::new(),
        time: "08:15".into(),
        attendees: vec![Role::MaNurse, Role::CareManager],
    }
    .parse(vec![
        parse_note(admin.today, "Start screening at rooming.", admin.today).unwrap(),
    ])
    .unwrap();
    plan.communication.meetings.push(huddle);
    plan.communication.consultant = Some(
        parse_consultant(
            admin.today,
            "Jo Park",
            "Good buy-in.",
            "Start the registry",
            admin.today,
        )
        .unwrap(),
    );
    let crisis = default_content(ContentKey::CrisisResources, "en");
    let (edit, _) = check_edit(
        ContentKey::CrisisResources,
        "en",
        "Help now",
        crisis.sections.clone(),
        admin.today,
    )
    .unwrap();
    plan.patient_content.push(edit);
    store.save_plan(&admin, 0, &plan).await.unwrap();
    assert_eq!(store.plan(p.id).await.unwrap().plan, plan);

    let mut bad = plan.clone();
    for s in &mut bad.patient_content[0].sections {
        s.body = s.body.replace("988", "the lifeline");
    }
    match store.save_plan(&admin, 1, &bad).await {
        Err(StoreError::Invalid(v)) => assert!(
            v.errors
                .iter()
                .any(|e| e.field == "patient_content[0].lifeline_988.body"),
            "{v:?}"
        ),
        other => panic!("expected invalid, got {other:?}"),
    }
    assert_eq!(store.plan(p.id).await.unwrap().version, 1);
}

conformance!(
    versions_kept_and_conflicts_refused,
    registry_summary_counts,
    communication_and_patient_texts_round_trip
);
