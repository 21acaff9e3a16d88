//! Safety alerts and tasks: raised with the response in one transaction, shown until closed
//! with a documented action by a clinician, the task completed with the closure, all audited.

use crate::episodes::enrolled_patient;
use crate::harness::{Harness, ctx, practice, system_ctx};
use crate::patients::add;
use crate::records::phq9;
use crate::{conformance, conformance_with_harness};
use stepwise_domain::audit::AuditAction;
use stepwise_domain::episode::Program;
use stepwise_domain::ids::PatientId;
use stepwise_domain::registry::{FlagKind, RegistrySettings, flags};
use stepwise_domain::role::Role;
use stepwise_domain::safety::{AlertKind, AlertStatus, ClosureAction, ClosureInput};
use stepwise_domain::task::{TaskKind, TaskSource, TaskStatus};
use stepwise_store::model::{Assignments, Ctx};
use stepwise_store::{RecordRef, Store, StoreError};

fn closure(action: &str, note: Option<&str>) -> ClosureInput {
    ClosureInput {
        action: action.into(),
        note: note.map(str::to_owned),
    }
}

async fn actions(store: &Store, c: &Ctx) -> Vec<(AuditAction, Option<PatientId>)> {
    store
        .audit_events(c.practice, 0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.event.action, e.event.patient))
        .collect()
}

async fn raised_with_the_response_closed_with_an_action(store: &Store) {
    let p = practice(store, "North Clinic").await;
    let (pt, ep) = enrolled_patient(store, &p, "A-1", Program::Cocm).await;
    let ma = ctx(p.id, p.ma, Role::MaNurse);
    let cm = ctx(p.id, p.care_manager, Role::CareManager);
    let dr = ctx(p.id, p.practitioner, Role::TreatingPractitioner);
    // Item 9 "several days": a safety alert whatever the total (7).
    let r = phq9("2026-11-20", [1, 1, 1, 0, 1, 0, 1, 0, 1])
        .parse(ma.today)
        .unwrap();
    let a = store.add_assessment(&ma, pt, None, p.ma, &r).await.unwrap();
    let alert_id = a.safety_alert.expect("an alert was raised");

    let alerts = store.patient_safety_alerts(&cm, pt).await.unwrap();
    assert_eq!(alerts.len(), 1);
    let alert = &alerts[0];
    assert_eq!(alert.id, alert_id);
    assert_eq!(
        (alert.kind, alert.status, alert.items.clone()),
        (AlertKind::Positive, AlertStatus::Open, vec![9])
    );
    assert_eq!(alert.items_label, "PHQ-9 item 9");
    assert_eq!((alert.assessment, alert.episode), (a.id, Some(ep.id)));
    assert_eq!((alert.raised_on, alert.raised_by), (ma.today, p.ma));
    assert_eq!(
        store
            .patient_of(p.id, RecordRef::SafetyAlert(alert_id))
            .await
            .unwrap(),
        Some(pt)
    );

    // It shows to the patient's care manager and practitioner, not to another clinician.
    let mine = store.open_safety_alerts(&cm, p.care_manager).await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!((mine[0].alert.id, mine[0].patient.id), (alert_id, pt));
    assert_eq!(
        store
            .open_safety_alerts(&dr, p.practitioner)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(
        store
            .open_safety_alerts(&cm, p.care_manager2)
            .await
            .unwrap()
            .is_empty()
    );

    // The care manager has a same-day task; the MA who recorded it has none.
    let tasks = store.open_tasks(&cm, p.care_manager).await.unwrap();
    assert_eq!(tasks.len(), 1);
    let task = &tasks[0].task;
    assert_eq!(
        (task.kind, task.status, task.due_on, task.assignee),
        (
            TaskKind::SafetyAssessment,
            TaskStatus::Open,
            cm.today,
            p.care_manager
        )
    );
    assert_eq!(
        (task.source_kind, task.source_id),
        (TaskSource::SafetyAlert, alert_id.as_uuid())
    );
    assert!(task.summary.contains("PHQ-9 item 9"), "{}", task.summary);
    assert_eq!(tasks[0].patient.id, pt);
    assert!(store.open_tasks(&ma, p.ma).await.unwrap().is_empty());

    // The registry's safety flag names the open alert.
    let facts = store.episode_facts(&cm, ep.id).await.unwrap().unwrap();
    assert_eq!(facts.open_safety_alerts.len(), 1);
    let f = flags(&facts, cm.today, &RegistrySettings::default());
    assert_eq!(f[0].kind, FlagKind::Safety);
    assert!(
        f[0].reason
            .starts_with("1 open safety alert: PHQ-9 item 9 positive")
    );
    let caseload = store
        .caseload(&cm, p.care_manager, &RegistrySettings::default())
        .await
        .unwrap();
    assert!(
        caseload[0].row.flags[0]
            .reason
            .contains("open safety alert")
    );

    // Never closed silently: not by the system, not without a valid action, not on a stale
    // version.
    assert!(matches!(
        store
            .close_safety_alert(
                &system_ctx(p.id),
                alert_id,
                1,
                &closure("safety_plan_made", None)
            )
            .await,
        Err(StoreError::Invalid(_))
    ));
    for bad in [
        closure("dismissed", None),
        closure("other", None),
        closure("item_asked", None),
    ] {
        assert!(matches!(
            store.close_safety_alert(&cm, alert_id, 1, &bad).await,
            Err(StoreError::Invalid(_))
        ));
    }
    assert!(matches!(
        store
            .close_safety_alert(&cm, alert_id, 7, &closure("safety_plan_made", None))
            .await,
        Err(StoreError::Conflict)
    ));
    let other = practice(store, "South Clinic").await;
    let oc = ctx(other.id, other.care_manager, Role::CareManager);
    assert!(matches!(
        store
            .close_safety_alert(&oc, alert_id, 1, &closure("safety_plan_made", None))
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.patient_safety_alerts(&oc, pt).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        store
            .patient_of(other.id, RecordRef::SafetyAlert(alert_id))
            .await
            .unwrap(),
        None
    );
    assert!(
        store
            .open_safety_alerts(&oc, p.care_manager)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .open_tasks(&oc, p.care_manager)
            .await
            .unwrap()
            .is_empty()
    );
    // Still open after every refusal.
    assert_eq!(
        store.patient_safety_alerts(&cm, pt).await.unwrap()[0].status,
        AlertStatus::Open
    );

    let closed = store
        .close_safety_alert(
            &cm,
            alert_id,
            1,
            &closure(
                "cssrs_completed",
                Some("C-SSRS low risk; safety plan reviewed"),
            ),
        )
        .await
        .unwrap();
    assert_eq!(
        (closed.status, closed.closure_action, closed.closed_by),
        (
            AlertStatus::Closed,
            Some(ClosureAction::CssrsCompleted),
            Some(p.care_manager)
        )
    );
    assert_eq!(
        closed.closure_note.as_deref(),
        Some("C-SSRS low risk; safety plan reviewed")
    );
    assert_eq!((closed.version, closed.closed_at), (2, Some(cm.now)));
    assert!(matches!(
        store
            .close_safety_alert(&cm, alert_id, 2, &closure("safety_plan_made", None))
            .await,
        Err(StoreError::Invalid(_))
    ));
    // The task is done, the alert off the lists, the flag back to the PHQ-9 rule.
    assert!(
        store
            .open_tasks(&cm, p.care_manager)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .open_safety_alerts(&cm, p.care_manager)
            .await
            .unwrap()
            .is_empty()
    );
    let facts = store.episode_facts(&cm, ep.id).await.unwrap().unwrap();
    assert!(facts.open_safety_alerts.is_empty());
    let f = flags(&facts, cm.today, &RegistrySettings::default());
    assert!(
        f[0].reason.starts_with("The latest PHQ-9 has item 9"),
        "{}",
        f[0].reason
    );
    // The closed alert stays on the patient's record.
    assert_eq!(
        store.patient_safety_alerts(&cm, pt).await.unwrap(),
        vec![closed]
    );

    // Every step is audited, in order, and the registry facts agree with the history.
    let seen: Vec<AuditAction> = actions(store, &cm)
        .await
        .into_iter()
        .filter(|(_, patient)| *patient == Some(pt))
        .map(|(a, _)| a)
        .filter(|a| {
            matches!(
                a,
                AuditAction::AssessmentCreate
                    | AuditAction::SafetyAlertRaise
                    | AuditAction::TaskCreate
                    | AuditAction::SafetyAlertClose
                    | AuditAction::TaskComplete
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            AuditAction::AssessmentCreate,
            AuditAction::SafetyAlertRaise,
            AuditAction::TaskCreate,
            AuditAction::SafetyAlertClose,
            AuditAction::TaskComplete
        ]
    );
    assert!(
        actions(store, &cm)
            .await
            .contains(&(AuditAction::SafetyAlertRead, Some(pt)))
    );
    assert!(store.verify_facts(p.id).await.unwrap().is_empty());
    assert!(store.verify_audit_chain(p.id).await.unwrap().is_intact());
}

/// A safety item left blank is never taken as "no": it raises an alert of its own, with a
/// task to ask it, closed once it is asked.
async fn an_unanswered_safety_item_raises_an_alert(store: &Store) {
    let p = practice(store, "North Clinic").await;
    let (pt, _) = enrolled_patient(store, &p, "A-1", Program::Cocm).await;
    let cm = ctx(p.id, p.care_manager, Role::CareManager);
    let mut input = phq9("2026-11-20", [0; 9]);
    input.answers[8] = None;
    let r = input.parse(cm.today).unwrap();
    let a = store
        .add_assessment(&cm, pt, None, p.care_manager, &r)
        .await
        .unwrap();
    assert_eq!(a.score.total, None);
    let alert = &store.patient_safety_alerts(&cm, pt).await.unwrap()[0];
    assert_eq!(
        (alert.kind, alert.items.clone(), Some(alert.id)),
        (AlertKind::Unanswered, vec![9], a.safety_alert)
    );
    let task = &store.open_tasks(&cm, p.care_manager).await.unwrap()[0].task;
    assert_eq!(task.kind, TaskKind::AskSafetyItem);
    let closed = store
        .close_safety_alert(&cm, alert.id, alert.version, &closure("item_asked", None))
        .await
        .unwrap();
    assert_eq!(closed.closure_action, Some(ClosureAction::ItemAsked));
    // A clear response raises nothing.
    let clear = phq9("2026-11-21", [0; 9]).parse(cm.today).unwrap();
    let b = store
        .add_assessment(&cm, pt, None, p.care_manager, &clear)
        .await
        .unwrap();
    assert_eq!(b.safety_alert, None);
    assert_eq!(store.patient_safety_alerts(&cm, pt).await.unwrap().len(), 1);
    // The responses list carries each one's alert.
    let listed = store.patient_assessments(&cm, pt, None).await.unwrap();
    assert_eq!(
        listed.iter().map(|a| a.safety_alert).collect::<Vec<_>>(),
        vec![Some(alert.id), None]
    );
}

/// The task goes to the care manager, else the treating practitioner, else whoever recorded
/// the response; a screening outside any episode still raises its alert, and the patient's
/// later episode shows its flag.
async fn the_task_always_has_someone(store: &Store) {
    let p = practice(store, "North Clinic").await;
    let ma = ctx(p.id, p.ma, Role::MaNurse);
    let positive = phq9("2026-11-20", [0, 0, 0, 0, 0, 0, 0, 0, 2])
        .parse(ma.today)
        .unwrap();
    let dr_only = add(
        store,
        &ma,
        "B-1",
        "Dr",
        "Only",
        Assignments {
            site: None,
            treating_practitioner: Some(p.practitioner2),
            care_manager: None,
        },
    )
    .await;
    let nobody = add(store, &ma, "B-2", "No", "Team", Assignments::default()).await;
    store
        .add_assessment(&ma, dr_only.id, None, p.ma, &positive)
        .await
        .unwrap();
    let a = store
        .add_assessment(&ma, nobody.id, None, p.ma, &positive)
        .await
        .unwrap();
    assert_eq!(a.episode, None);
    let dr = ctx(p.id, p.practitioner2, Role::TreatingPractitioner);
    let dr_tasks = store.open_tasks(&dr, p.practitioner2).await.unwrap();
    assert_eq!(dr_tasks.len(), 1);
    assert_eq!(dr_tasks[0].patient.id, dr_only.id);
    let ma_tasks = store.open_tasks(&ma, p.ma).await.unwrap();
    assert_eq!(ma_tasks.len(), 1);
    assert_eq!(ma_tasks[0].patient.id, nobody.id);

    // An episode opened later carries the open alert in its facts.
    let ep = store
        .create_episode(&ma, nobody.id, Program::GeneralBhi, ma.today, None)
        .await
        .unwrap();
    let facts = store.episode_facts(&ma, ep.id).await.unwrap().unwrap();
    assert_eq!(facts.open_safety_alerts.len(), 1);
    assert!(store.verify_facts(p.id).await.unwrap().is_empty());
}

/// The response, its alert, its task, the refreshed registry facts and their audit events
/// are written together or not at all: a failure injected at the facts (the last write), the
/// task or the alert leaves nothing behind.
async fn the_response_alert_and_task_are_atomic(h: &Harness) {
    let store = &h.store;
    let p = practice(store, "North Clinic").await;
    let (pt, ep) = enrolled_patient(store, &p, "A-1", Program::Cocm).await;
    let cm = ctx(p.id, p.care_manager, Role::CareManager);
    let before_facts = store.episode_facts(&cm, ep.id).await.unwrap().unwrap();
    let positive = phq9("2026-11-20", [2, 2, 2, 2, 2, 2, 2, 2, 3])
        .parse(cm.today)
        .unwrap();
    let writes = |actions: &[(AuditAction, Option<PatientId>)]| {
        actions
            .iter()
            .filter(|(a, _)| {
                matches!(
                    a,
                    AuditAction::AssessmentCreate
                        | AuditAction::SafetyAlertRaise
                        | AuditAction::TaskCreate
                )
            })
            .count()
    };
    for table in ["episode_facts", "tasks", "safety_alerts"] {
        h.fail_inserts(table, true).await;
        let err = store
            .add_assessment(&cm, pt, None, p.care_manager, &positive)
            .await;
        assert!(
            matches!(err, Err(StoreError::Database(_))),
            "{table}: {err:?}"
        );
        h.fail_inserts(table, false).await;
        assert!(
            store
                .patient_assessments(&cm, pt, None)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            store
                .patient_safety_alerts(&cm, pt)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            store
                .open_tasks(&cm, p.care_manager)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(writes(&actions(store, &cm).await), 0, "{table}");
        assert_eq!(
            store.episode_facts(&cm, ep.id).await.unwrap().unwrap(),
            before_facts
        );
    }
    assert!(store.verify_audit_chain(p.id).await.unwrap().is_intact());
    // Without the fault, all of it is written.
    let a = store
        .add_assessment(&cm, pt, None, p.care_manager, &positive)
        .await
        .unwrap();
    assert!(a.safety_alert.is_some());
    assert_eq!(store.patient_safety_alerts(&cm, pt).await.unwrap().len(), 1);
    assert_eq!(
        store.open_tasks(&cm, p.care_manager).await.unwrap().len(),
        1
    );
    assert_eq!(writes(&actions(store, &cm).await), 3);
    assert_ne!(
        store.episode_facts(&cm, ep.id).await.unwrap().unwrap(),
        before_facts
    );
    assert!(store.verify_facts(p.id).await.unwrap().is_empty());
}

/// Closing completes the task in the same transaction: a failure there leaves the alert
/// open and the task open.
async fn closing_and_completing_are_atomic(h: &Harness) {
    let store = &h.store;
    let p = practice(store, "North Clinic").await;
    let (pt, _) = enrolled_patient(store, &p, "A-1", Program::Cocm).await;
    let cm = ctx(p.id, p.care_manager, Role::CareManager);
    let positive = phq9("2026-11-20", [0, 0, 0, 0, 0, 0, 0, 0, 1])
        .parse(cm.today)
        .unwrap();
    let a = store
        .add_assessment(&cm, pt, None, p.care_manager, &positive)
        .await
        .unwrap();
    let id = a.safety_alert.unwrap();
    // The facts refresh comes after the task's completion: fault it.
    h.fail_inserts("episode_facts", true).await;
    let err = store
        .close_safety_alert(&cm, id, 1, &closure("emergency_services", None))
        .await;
    h.fail_inserts("episode_facts", false).await;
    assert!(err.is_err());
    assert_eq!(
        store.patient_safety_alerts(&cm, pt).await.unwrap()[0].status,
        AlertStatus::Open
    );
    assert_eq!(
        store.open_tasks(&cm, p.care_manager).await.unwrap().len(),
        1
    );
    store
        .close_safety_alert(&cm, id, 1, &closure("emergency_services", None))
        .await
        .unwrap();
    assert!(
        store
            .open_tasks(&cm, p.care_manager)
            .await
            .unwrap()
            .is_empty()
    );
}

conformance!(
    raised_with_the_response_closed_with_an_action,
    an_unanswered_safety_item_raises_an_alert,
    the_task_always_has_someone,
);
conformance_with_harness!(
    the_response_alert_and_task_are_atomic,
    closing_and_completing_are_atomic
);
