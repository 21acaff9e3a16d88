//! The community resource directory and closed-loop referrals: the 988 line from the start,
//! corrections with versions, all-or-nothing CSV import, every referral change recorded with
//! its staff member and time, the consent check of sensitive referrals, follow-up tasks for
//! quiet referrals, and the audit of every referral read and write.

use crate::conformance;
use crate::harness::{NOW, ctx, practice, system_ctx};
use crate::patients::add;
use stepwise_domain::audit::AuditAction;
use stepwise_domain::ids::PatientId;
use stepwise_domain::referral::{
    FollowUpSettings, ReferralAction, ReferralState, ReferralTarget, Sensitivity,
};
use stepwise_domain::resources::seed::LIFELINE_988;
use stepwise_domain::resources::{Resource, ResourceCategory, ServiceStatus, import_csv};
use stepwise_domain::role::Role;
use stepwise_domain::task::TaskKind;
use stepwise_store::model::{Assignments, Ctx};
use stepwise_store::{RecordRef, Store, StoreError};
use time::Duration;

fn pantry() -> Resource {
    let mut r = Resource::new(
        "Riverside Food Bank",
        "Emergency pantry",
        vec![ResourceCategory::Food],
    );
    r.intake_phone = Some("+1 555 0100".into());
    r.languages = vec!["en".into(), "es".into()];
    r
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

async fn directory_starts_with_988_and_keeps_corrections(store: &Store) {
    let p = practice(store, "North Clinic").await;
    let other = practice(store, "South Clinic").await;
    let desk = ctx(p.id, p.front_desk, Role::FrontDesk);

    let start = store.resources(p.id).await.unwrap();
    assert_eq!(start.len(), 4, "the built-in national lines");
    let lifeline = store.resource(p.id, LIFELINE_988).await.unwrap();
    assert!(lifeline.built_in);
    assert_eq!(lifeline.resource.intake_phone.as_deref(), Some("988"));
    assert_eq!(lifeline.resource.id, Some(LIFELINE_988));
    // Every practice has its own copy.
    assert!(store.resource(other.id, LIFELINE_988).await.is_ok());

    let created = store.create_resource(&desk, &pantry()).await.unwrap();
    assert_eq!(created.version, 1);
    assert!(!created.built_in);
    assert_eq!(created.resource.languages, ["en", "es"]);
    let id = created.resource.id.unwrap();
    // Another practice never sees it.
    assert!(matches!(
        store.resource(other.id, id).await,
        Err(StoreError::NotFound)
    ));

    // Bad input names the field and changes nothing.
    let mut bad = pantry();
    bad.organization_name = "  ".into();
    bad.categories.clear();
    match store.update_resource(&desk, id, 1, &bad).await {
        Err(StoreError::Invalid(v)) => {
            let fields: Vec<&str> = v.errors.iter().map(|e| e.field.as_str()).collect();
            assert_eq!(fields, ["organization_name", "categories"]);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(store.resource(p.id, id).await.unwrap(), created);

    let mut fixed = created.resource.clone();
    fixed.status = ServiceStatus::Inactive;
    fixed.notes = Some("Closed for renovation".into());
    let updated = store.update_resource(&desk, id, 1, &fixed).await.unwrap();
    assert_eq!(updated.version, 2);
    assert_eq!(updated.resource.status, ServiceStatus::Inactive);
    // The second writer with the old version gets a conflict, never a silent overwrite.
    assert!(matches!(
        store.update_resource(&desk, id, 1, &pantry()).await,
        Err(StoreError::Conflict)
    ));
    assert!(matches!(
        store
            .update_resource(
                &ctx(other.id, other.front_desk, Role::FrontDesk),
                id,
                2,
                &pantry()
            )
            .await,
        Err(StoreError::NotFound)
    ));
    // An edited built-in line survives reopening (seeding never overwrites it).
    let mut edited = lifeline.resource.clone();
    edited.notes = Some("Local note".into());
    store
        .update_resource(&desk, LIFELINE_988, 1, &edited)
        .await
        .unwrap();
    let a = actions(store, &desk).await;
    assert_eq!(
        a.iter()
            .filter(|(x, _)| matches!(x, AuditAction::ResourceCreate | AuditAction::ResourceUpdate))
            .count(),
        3
    );
    assert!(a.iter().all(|(_, patient)| patient.is_none()));
}

async fn directory_import_is_all_or_nothing(store: &Store) {
    let p = practice(store, "North Clinic").await;
    let desk = ctx(p.id, p.front_desk, Role::FrontDesk);
    let kept = store.create_resource(&desk, &pantry()).await.unwrap();
    let kept_id = kept.resource.id.unwrap();
    let file = format!(
        "id,organization_name,service_name,categories,intake_phone\r\n\
         {kept_id},Riverside Food Bank,Pantry and meals,food,'+1 555 0100\r\n\
         ,Hope House,Family shelter,housing; food,555-0199\r\n"
    );
    let rows = import_csv(&file).unwrap();
    let summary = store.import_resources(&desk, &rows).await.unwrap();
    assert_eq!((summary.added, summary.updated), (1, 1));
    let all = store.resources(p.id).await.unwrap();
    assert_eq!(all.len(), 6);
    let pantry_now = store.resource(p.id, kept_id).await.unwrap();
    assert_eq!(pantry_now.resource.service_name, "Pantry and meals");
    assert_eq!(
        pantry_now.resource.intake_phone.as_deref(),
        Some("+1 555 0100")
    );
    assert_eq!(pantry_now.version, 2);

    // A row the store refuses (parsed rows re-checked) stops the whole file.
    let mut rows = import_csv(&file).unwrap();
    rows[1].categories.clear();
    match store.import_resources(&desk, &rows).await {
        Err(StoreError::Invalid(v)) => assert_eq!(v.errors[0].field, "rows[1].categories"),
        other => panic!("{other:?}"),
    }
    assert_eq!(store.resources(p.id).await.unwrap().len(), 6);
    assert_eq!(store.resource(p.id, kept_id).await.unwrap().version, 2);
    let imports = actions(store, &desk)
        .await
        .into_iter()
        .filter(|(a, _)| *a == AuditAction::ResourceImport)
        .count();
    assert_eq!(imports, 1);
}

async fn referral_loop_is_recorded_and_chased(store: &Store) {
    let p = practice(store, "North Clinic").await;
    let other = practice(store, "South Clinic").await;
    let cm = ctx(p.id, p.care_manager, Role::CareManager);
    let desk = ctx(p.id, p.front_desk, Role::FrontDesk);
    let pt = add(
        store,
        &desk,
        "R-1",
        "Ana",
        "Lee",
        Assignments {
            site: None,
            treating_practitioner: Some(p.practitioner),
            care_manager: Some(p.care_manager),
        },
    )
    .await;
    let food = store.create_resource(&desk, &pantry()).await.unwrap();
    let target = ReferralTarget::Partner {
        resource: food.resource.id.unwrap(),
    };

    // The system cannot refer, a reason is required, and the partner must exist here.
    assert!(matches!(
        store
            .create_referral(
                &system_ctx(p.id),
                pt.id,
                &target,
                Sensitivity::General,
                "Food"
            )
            .await,
        Err(StoreError::Invalid(_))
    ));
    match store
        .create_referral(&cm, pt.id, &target, Sensitivity::General, " ")
        .await
    {
        Err(StoreError::Invalid(v)) => assert_eq!(v.errors[0].field, "reason"),
        other => panic!("{other:?}"),
    }
    let foreign = store
        .create_resource(&ctx(other.id, other.front_desk, Role::FrontDesk), &pantry())
        .await
        .unwrap();
    match store
        .create_referral(
            &cm,
            pt.id,
            &ReferralTarget::Partner {
                resource: foreign.resource.id.unwrap(),
            },
            Sensitivity::General,
            "Food",
        )
        .await
    {
        Err(StoreError::Invalid(v)) => assert_eq!(v.errors[0].field, "target.resource"),
        other => panic!("{other:?}"),
    }

    let r = store
        .create_referral(&cm, pt.id, &target, Sensitivity::General, "Food insecurity")
        .await
        .unwrap();
    assert_eq!((r.state, r.version), (ReferralState::Draft, 1));
    assert_eq!(r.target_name, "Riverside Food Bank — Emergency pantry");
    assert_eq!(
        store
            .patient_of(p.id, RecordRef::Referral(r.id))
            .await
            .unwrap(),
        Some(pt.id)
    );

    // A step cannot be skipped; the refusal names it and nothing is recorded.
    match store
        .update_referral(
            &desk,
            r.id,
            1,
            ReferralAction::Schedule {
                appointment_on: NOW.date(),
            },
        )
        .await
    {
        Err(StoreError::Invalid(v)) => {
            assert_eq!(v.errors[0].field, "action");
            assert!(
                v.errors[0].message.contains("first"),
                "{}",
                v.errors[0].message
            );
        }
        other => panic!("{other:?}"),
    }
    let sent = store
        .update_referral(&desk, r.id, 1, ReferralAction::Send)
        .await
        .unwrap();
    assert_eq!((sent.state, sent.version), (ReferralState::Sent, 2));
    assert!(matches!(
        store
            .update_referral(&desk, r.id, 1, ReferralAction::Accept)
            .await,
        Err(StoreError::Conflict)
    ));

    // Quiet for 8 days: on the worklist first, and a follow-up task for the one who sent it.
    let later = Ctx {
        now: NOW + Duration::days(8),
        today: NOW.date() + Duration::days(8),
        ..desk.clone()
    };
    let settings = FollowUpSettings::default();
    let draft = store
        .create_referral(
            &later,
            pt.id,
            &ReferralTarget::SpecialtyBehavioralHealth {
                description: "Psychiatry intake".into(),
            },
            Sensitivity::General,
            "Bipolar assessment",
        )
        .await
        .unwrap();
    let list = store.referral_worklist(&later, settings).await.unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].referral.id, r.id);
    assert_eq!(list[0].follow_up.as_ref().unwrap().days_quiet, 8);
    assert_eq!(list[0].patient.mrn, "R-1");
    assert!(list[1].follow_up.is_none());
    assert_eq!(list[1].referral.id, draft.id);
    let tasks = store
        .create_referral_follow_ups(&later, settings)
        .await
        .unwrap();
    assert_eq!(tasks.len(), 1);
    // Run again: no second task for the same referral.
    assert!(
        store
            .create_referral_follow_ups(&later, settings)
            .await
            .unwrap()
            .is_empty()
    );
    let mine = store.open_tasks(&later, p.front_desk).await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].task.kind, TaskKind::ReferralFollowUp);
    assert!(mine[0].task.summary.contains("no update for 8 days"));

    // The call is made: accepted, scheduled, attended, closed. The update completes the task.
    let mut v = 2;
    for action in [
        ReferralAction::Accept,
        ReferralAction::Schedule {
            appointment_on: later.today + Duration::days(3),
        },
        ReferralAction::RecordAttended,
        ReferralAction::Close {
            feedback: "Enrolled in weekly pantry".into(),
        },
    ] {
        let r2 = store
            .update_referral(&later, r.id, v, action)
            .await
            .unwrap();
        v = r2.version;
    }
    assert!(
        store
            .open_tasks(&later, p.front_desk)
            .await
            .unwrap()
            .is_empty()
    );
    let done = store.referral(&cm, r.id).await.unwrap();
    assert_eq!(done.state, ReferralState::Closed);
    let steps: Vec<(ReferralState, ReferralState)> = done
        .referral
        .events
        .iter()
        .map(|e| (e.from, e.to))
        .collect();
    assert_eq!(
        steps,
        [
            (ReferralState::Draft, ReferralState::Sent),
            (ReferralState::Sent, ReferralState::Accepted),
            (ReferralState::Accepted, ReferralState::Scheduled),
            (ReferralState::Scheduled, ReferralState::Attended),
            (ReferralState::Attended, ReferralState::Closed),
        ]
    );
    assert_eq!(done.referral.events[0].by, p.front_desk);
    assert_eq!(done.referral.events[0].at, NOW);
    assert_eq!(done.referral.events[4].at, later.now);
    assert!(done.referral.events.iter().all(|e| e.by == p.front_desk));
    // Finished: no further change, and off the worklist.
    assert!(matches!(
        store
            .update_referral(&later, r.id, v, ReferralAction::Send)
            .await,
        Err(StoreError::Invalid(_))
    ));
    let list = store.referral_worklist(&later, settings).await.unwrap();
    assert_eq!(list.len(), 1);
    let chart = store.patient_referrals(&cm, pt.id).await.unwrap();
    assert_eq!(chart.len(), 2);
    assert_eq!(chart[0].id, draft.id, "newest first");
    assert_eq!(chart[1].referral.events.len(), 5);

    let a = actions(store, &cm).await;
    let count = |x: AuditAction| a.iter().filter(|(y, _)| *y == x).count();
    assert_eq!(count(AuditAction::ReferralCreate), 2);
    assert_eq!(count(AuditAction::ReferralUpdate), 5);
    assert_eq!(count(AuditAction::TaskCreate), 1);
    assert_eq!(count(AuditAction::TaskComplete), 1);
    assert_eq!(count(AuditAction::ReferralRead), 4);
    assert!(
        a.iter()
            .any(|(x, pid)| *x == AuditAction::ReferralUpdate && *pid == Some(pt.id))
    );
}

async fn sensitive_referral_needs_consent(store: &Store) {
    let p = practice(store, "North Clinic").await;
    let cm = ctx(p.id, p.care_manager, Role::CareManager);
    let pt = add(
        store,
        &cm,
        "S-1",
        "Ben",
        "Ortiz",
        Assignments {
            site: None,
            treating_practitioner: Some(p.practitioner),
            care_manager: Some(p.care_manager),
        },
    )
    .await;
    let r = store
        .create_referral(
            &cm,
            pt.id,
            &ReferralTarget::Partner {
                resource: stepwise_domain::resources::seed::SAMHSA_HELPLINE,
            },
            Sensitivity::SudPart2,
            "Opioid use disorder treatment",
        )
        .await
        .unwrap();
    match store
        .update_referral(&cm, r.id, 1, ReferralAction::Send)
        .await
    {
        Err(StoreError::Invalid(v)) => assert!(v.errors[0].message.contains("42 CFR Part 2")),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        store.referral(&cm, r.id).await.unwrap().state,
        ReferralState::Draft
    );
    assert!(matches!(
        store
            .record_referral_consent(&cm, r.id, 1, NOW.date() + Duration::days(1), None)
            .await,
        Err(StoreError::Invalid(_))
    ));
    let consented = store
        .record_referral_consent(&cm, r.id, 1, NOW.date(), Some("Signed Part 2 form"))
        .await
        .unwrap();
    let c = consented.disclosure_consent.clone().unwrap();
    assert_eq!(
        (c.consented_on, c.recorded_by),
        (NOW.date(), p.care_manager)
    );
    let sent = store
        .update_referral(&cm, r.id, consented.version, ReferralAction::Send)
        .await
        .unwrap();
    assert_eq!(sent.state, ReferralState::Sent);
    assert!(
        actions(store, &cm)
            .await
            .contains(&(AuditAction::ReferralConsent, Some(pt.id)))
    );
}

conformance!(
    directory_starts_with_988_and_keeps_corrections,
    directory_import_is_all_or_nothing,
    referral_loop_is_recorded_and_chased,
    sensitive_referral_needs_consent,
);
