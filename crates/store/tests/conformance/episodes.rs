//! Episodes: referral, consent, the state machine, care plans, manual flags, lapses.

use crate::conformance;
use crate::harness::{Practice, ctx, practice};
use crate::patients::add;
use stepwise_domain::care_plan::CarePlanInput;
use stepwise_domain::episode::{ConsentInput, DischargeReason, EpisodeStatus, Program, Transition};
use stepwise_domain::ids::{EpisodeId, PatientId};
use stepwise_domain::registry::ManualFlags;
use stepwise_domain::role::Role;
use stepwise_store::model::{Assignments, Ctx, Episode};
use stepwise_store::{Store, StoreError};
use time::Duration;
use time::macros::date;

pub async fn enrolled_patient(
    store: &Store,
    p: &Practice,
    mrn: &str,
    program: Program,
) -> (PatientId, Episode) {
    let cm = ctx(p.id, p.care_manager, Role::CareManager);
    let pt = add(
        store,
        &cm,
        mrn,
        "Pat",
        mrn,
        Assignments {
            site: None,
            treating_practitioner: Some(p.practitioner),
            care_manager: Some(p.care_manager),
        },
    )
    .await;
    let ep = store
        .create_episode(
            &cm,
            pt.id,
            program,
            date!(2026 - 09 - 01),
            Some(p.practitioner),
        )
        .await
        .unwrap();
    let consent = ConsentInput {
        consented_on: "2026-09-02".into(),
        method: "verbal".into(),
        cost_sharing_explained: true,
        consult_permission: true,
    }
    .parse(program, p.care_manager, cm.today)
    .unwrap();
    store.record_consent(&cm, ep.id, &consent).await.unwrap();
    let ep = store
        .transition_episode(
            &cm,
            ep.id,
            ep.version,
            &Transition::Enroll,
            date!(2026 - 09 - 02),
        )
        .await
        .unwrap();
    (pt.id, ep)
}

async fn status(store: &Store, c: &Ctx, id: EpisodeId) -> Episode {
    store.episode(c, id).await.unwrap().episode
}

async fn lifecycle(store: &Store) {
    let p = practice(store, "North Clinic").await;
    let cm = ctx(p.id, p.care_manager, Role::CareManager);
    let pt = add(store, &cm, "A-1", "Ann", "Lee", Assignments::default()).await;
    let ep = store
        .create_episode(
            &cm,
            pt.id,
            Program::Cocm,
            date!(2026 - 09 - 01),
            Some(p.practitioner),
        )
        .await
        .unwrap();
    assert_eq!(ep.status, EpisodeStatus::Referred);

    // A second open episode of the same program is refused; another program is allowed.
    assert!(matches!(
        store
            .create_episode(&cm, pt.id, Program::Cocm, date!(2026 - 09 - 03), None)
            .await,
        Err(StoreError::Invalid(_))
    ));
    store
        .create_episode(&cm, pt.id, Program::GeneralBhi, date!(2026 - 09 - 03), None)
        .await
        .unwrap();
    assert_eq!(store.patient_episodes(&cm, pt.id).await.unwrap().len(), 2);
    // The referring practitioner must be one.
    let pt2 = add(store, &cm, "A-2", "Bo", "Kim", Assignments::default()).await;
    assert!(matches!(
        store
            .create_episode(
                &cm,
                pt2.id,
                Program::Cocm,
                date!(2026 - 09 - 03),
                Some(p.billing)
            )
            .await,
        Err(StoreError::Invalid(_))
    ));

    // Enrollment without consent is refused with a reason, and nothing changes.
    let err = store
        .transition_episode(
            &cm,
            ep.id,
            ep.version,
            &Transition::Enroll,
            date!(2026 - 09 - 02),
        )
        .await
        .unwrap_err();
    let StoreError::Invalid(v) = err else {
        panic!("{err:?}")
    };
    assert!(v.errors[0].message.contains("consent"), "{v}");
    assert_eq!(status(store, &cm, ep.id).await, ep);

    let consent = ConsentInput {
        consented_on: "2026-09-02".into(),
        method: "written".into(),
        cost_sharing_explained: true,
        consult_permission: true,
    }
    .parse(Program::Cocm, p.care_manager, cm.today)
    .unwrap();
    let c = store.record_consent(&cm, ep.id, &consent).await.unwrap();
    // A consent arrives unrevoked; a revocation is recorded on its own, with who took it.
    let pre_revoked = stepwise_domain::episode::Consent {
        revoked_on: Some(cm.today),
        ..consent.clone()
    };
    assert!(matches!(
        store.record_consent(&cm, ep.id, &pre_revoked).await,
        Err(StoreError::Invalid(_))
    ));
    // Consent from 2 September does not cover an enrollment dated the 1st.
    assert!(
        store
            .transition_episode(
                &cm,
                ep.id,
                ep.version,
                &Transition::Enroll,
                date!(2026 - 09 - 01)
            )
            .await
            .is_err()
    );
    let ep = store
        .transition_episode(
            &cm,
            ep.id,
            ep.version,
            &Transition::Enroll,
            date!(2026 - 09 - 02),
        )
        .await
        .unwrap();
    assert_eq!(
        (ep.status, ep.enrolled_on),
        (EpisodeStatus::Enrolled, Some(date!(2026 - 09 - 02)))
    );
    // The old version is now stale.
    let stale = store
        .transition_episode(
            &cm,
            ep.id,
            ep.version - 1,
            &Transition::StartTreatment,
            cm.today,
        )
        .await
        .unwrap_err();
    assert!(matches!(stale, StoreError::Conflict));

    let ep = store
        .transition_episode(
            &cm,
            ep.id,
            ep.version,
            &Transition::StartTreatment,
            date!(2026 - 09 - 10),
        )
        .await
        .unwrap();
    assert!(
        store
            .transition_episode(
                &cm,
                ep.id,
                ep.version,
                &Transition::Discharge {
                    reason: DischargeReason::GoalMet
                },
                cm.today
            )
            .await
            .is_err()
    );
    let ep = store
        .transition_episode(
            &cm,
            ep.id,
            ep.version,
            &Transition::BeginRelapsePrevention {
                plan: "Walk daily; call if PHQ-9 rises above 10".into(),
            },
            date!(2026 - 11 - 01),
        )
        .await
        .unwrap();
    assert_eq!(
        ep.relapse_prevention_plan.as_deref(),
        Some("Walk daily; call if PHQ-9 rises above 10")
    );
    let ep = store
        .transition_episode(
            &cm,
            ep.id,
            ep.version,
            &Transition::Discharge {
                reason: DischargeReason::GoalMet,
            },
            cm.today,
        )
        .await
        .unwrap();
    assert_eq!(ep.status, EpisodeStatus::Discharged);
    assert_eq!(ep.discharge_reason, Some(DischargeReason::GoalMet));
    assert_eq!(ep.closed_on, Some(cm.today));

    let detail = store.episode(&cm, ep.id).await.unwrap();
    let timeline: Vec<EpisodeStatus> = detail.events.iter().map(|e| e.to_status).collect();
    assert_eq!(
        timeline,
        [
            EpisodeStatus::Referred,
            EpisodeStatus::Enrolled,
            EpisodeStatus::Active,
            EpisodeStatus::RelapsePrevention,
            EpisodeStatus::Discharged
        ]
    );
    assert_eq!(detail.consents, vec![c.clone()]);
    assert_eq!(
        store
            .patient_of(p.id, stepwise_store::RecordRef::Consent(c.id))
            .await
            .unwrap(),
        Some(pt.id)
    );

    // Closed is final; a new episode may start.
    assert!(
        store
            .transition_episode(
                &cm,
                ep.id,
                ep.version,
                &Transition::StartTreatment,
                cm.today
            )
            .await
            .is_err()
    );
    store
        .create_episode(&cm, pt.id, Program::Cocm, cm.today, None)
        .await
        .unwrap();

    // Consent revocation keeps the record.
    let revoked = store
        .revoke_consent(&cm, c.id, date!(2026 - 11 - 20), Some("patient asked"))
        .await
        .unwrap();
    assert_eq!(revoked.consent.revoked_on, Some(date!(2026 - 11 - 20)));
    assert_eq!(revoked.revoked_by, Some(p.care_manager));
    assert!(matches!(
        store.revoke_consent(&cm, c.id, cm.today, None).await,
        Err(StoreError::Invalid(_))
    ));

    // Another practice sees nothing.
    let other = practice(store, "South Clinic").await;
    let oc = ctx(other.id, other.care_manager, Role::CareManager);
    assert!(matches!(
        store.episode(&oc, ep.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.patient_episodes(&oc, pt.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.revoke_consent(&oc, c.id, cm.today, None).await,
        Err(StoreError::NotFound)
    ));
}

async fn care_plan_and_flags(store: &Store) {
    let p = practice(store, "North Clinic").await;
    let (_, ep) = enrolled_patient(store, &p, "A-1", Program::Cocm).await;
    let cm = ctx(p.id, p.care_manager, Role::CareManager);
    let detail = store.episode(&cm, ep.id).await.unwrap();
    assert_eq!(detail.care_plan.plan.follow_up_weeks, 2);
    let plan = CarePlanInput {
        follow_up_weeks: 4,
        goals: Some("Sleep better".into()),
        ..Default::default()
    }
    .parse()
    .unwrap();
    let updated = store
        .update_care_plan(&cm, ep.id, detail.care_plan.version, &plan)
        .await
        .unwrap();
    assert_eq!(updated.plan.follow_up_weeks, 4);
    assert_eq!(updated.version, detail.care_plan.version + 1);
    assert!(matches!(
        store
            .update_care_plan(&cm, ep.id, detail.care_plan.version, &plan)
            .await,
        Err(StoreError::Conflict)
    ));
    assert_eq!(
        store
            .record_history(p.id, ep.id.as_uuid())
            .await
            .unwrap()
            .len(),
        1
    );

    let flagged = store
        .set_manual_flags(
            &cm,
            ep.id,
            ep.version,
            ManualFlags {
                safety_risk: true,
                for_discussion: false,
            },
        )
        .await
        .unwrap();
    assert!(flagged.manual_flags.safety_risk);
    assert!(matches!(
        store
            .set_manual_flags(&cm, ep.id, ep.version, ManualFlags::default())
            .await,
        Err(StoreError::Conflict)
    ));
}

async fn lapses(store: &Store) {
    let p = practice(store, "North Clinic").await;
    let (_, ep) = enrolled_patient(store, &p, "A-1", Program::Cocm).await;
    let mut sys = crate::harness::system_ctx(p.id);
    // Enrolled September 2026, no services: open through March 2027, lapsed in April.
    sys.today = date!(2027 - 03 - 31);
    sys.now += Duration::days(124);
    assert!(store.close_lapsed_episodes(&sys).await.unwrap().is_empty());
    sys.today = date!(2027 - 04 - 01);
    assert_eq!(
        store.close_lapsed_episodes(&sys).await.unwrap(),
        vec![ep.id]
    );
    let e = status(store, &ctx(p.id, p.care_manager, Role::CareManager), ep.id).await;
    assert_eq!(e.status, EpisodeStatus::Lapsed);
    assert_eq!(e.closed_on, Some(date!(2027 - 03 - 31)));
    assert!(store.close_lapsed_episodes(&sys).await.unwrap().is_empty());
}

conformance!(lifecycle, care_plan_and_flags, lapses);
