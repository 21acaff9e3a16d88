//! Contacts and assessments: recorded, corrected without loss, entered-in-error with a reason.

use crate::conformance;
use crate::episodes::enrolled_patient;
use crate::harness::{ctx, practice};
use stepwise_domain::assessment::AssessmentInput;
use stepwise_domain::contact::ContactInput;
use stepwise_domain::episode::Program;
use stepwise_domain::instruments::{InstrumentId, Safety};
use stepwise_domain::record::RecordStatus;
use stepwise_domain::role::Role;
use stepwise_store::model::Assignments;
use stepwise_store::{Store, StoreError};

pub fn contact(on: &str, kind: &str, minutes: i64) -> ContactInput {
    ContactInput {
        label: None,
        contact_on: on.into(),
        staff_role: "care_manager".into(),
        kind: kind.into(),
        modality: "phone".into(),
        minutes,
        exclusion: None,
        note: Some("Discussed sleep; <script>alert(1)</script> kept as text".into()),
    }
}

pub fn phq9(on: &str, answers: [i64; 9]) -> AssessmentInput {
    AssessmentInput {
        label: None,
        instrument: "phq9".into(),
        administered_on: on.into(),
        mode: "phone".into(),
        answers: answers.iter().map(|a| Some(*a)).collect(),
        loinc_answers: None,
    }
}

async fn contacts(store: &Store) {
    let p = practice(store, "North Clinic").await;
    let (pt, ep) = enrolled_patient(store, &p, "A-1", Program::Cocm).await;
    let cm = ctx(p.id, p.care_manager, Role::CareManager);
    let roles = [Role::CareManager];
    let first = store
        .add_contact(
            &cm,
            ep.id,
            p.care_manager,
            &contact("2026-11-02", "initial_assessment", 45)
                .parse(&roles, cm.today)
                .unwrap(),
            None,
        )
        .await
        .unwrap();
    assert_eq!(first.patient, pt);
    assert_eq!(first.details.minutes.get(), 45);
    assert!(first.counts_toward_care_management);
    assert_eq!(
        first.details.note.as_deref(),
        Some("Discussed sleep; <script>alert(1)</script> kept as text")
    );

    let mut excluded = contact("2026-11-05", "other", 50);
    excluded.exclusion = Some("separately_billed".into());
    let second = store
        .add_contact(
            &cm,
            ep.id,
            p.care_manager,
            &excluded.parse(&roles, cm.today).unwrap(),
            None,
        )
        .await
        .unwrap();
    assert!(!second.counts_toward_care_management);

    // The staff member must hold the role they act in.
    let as_cm = contact("2026-11-06", "follow_up", 10)
        .parse(&roles, cm.today)
        .unwrap();
    assert!(matches!(
        store.add_contact(&cm, ep.id, p.ma, &as_cm, None).await,
        Err(StoreError::Invalid(_))
    ));
    // Not before the referral.
    let early = contact("2026-08-01", "follow_up", 10)
        .parse(&roles, cm.today)
        .unwrap();
    assert!(matches!(
        store
            .add_contact(&cm, ep.id, p.care_manager, &early, None)
            .await,
        Err(StoreError::Invalid(_))
    ));

    // A correction replaces the original, which stays on record.
    let fixed = contact("2026-11-02", "initial_assessment", 40)
        .parse(&roles, cm.today)
        .unwrap();
    let corrected = store
        .add_contact(&cm, ep.id, p.care_manager, &fixed, Some(first.id))
        .await
        .unwrap();
    assert_eq!(corrected.replaces, Some(first.id));
    // Correcting the same original twice is a conflict.
    assert!(matches!(
        store
            .add_contact(&cm, ep.id, p.care_manager, &fixed, Some(first.id))
            .await,
        Err(StoreError::Conflict)
    ));

    assert!(matches!(
        store
            .mark_contact_entered_in_error(&cm, second.id, " ")
            .await,
        Err(StoreError::Invalid(_))
    ));
    let marked = store
        .mark_contact_entered_in_error(&cm, second.id, "wrong patient")
        .await
        .unwrap();
    assert_eq!(marked.status, RecordStatus::EnteredInError);
    assert_eq!(marked.error_reason.as_deref(), Some("wrong patient"));
    assert!(
        store
            .mark_contact_entered_in_error(&cm, second.id, "again")
            .await
            .is_err()
    );

    use stepwise_store::RecordRef;
    assert_eq!(
        store
            .patient_of(p.id, RecordRef::Contact(second.id))
            .await
            .unwrap(),
        Some(pt)
    );
    let all = store.episode_contacts(&cm, ep.id).await.unwrap();
    assert_eq!(all.len(), 3);
    let statuses: Vec<(u16, RecordStatus)> = all
        .iter()
        .map(|c| (c.details.minutes.get(), c.status))
        .collect();
    assert!(statuses.contains(&(45, RecordStatus::EnteredInError)));
    assert!(statuses.contains(&(40, RecordStatus::Final)));

    let other = practice(store, "South Clinic").await;
    let oc = ctx(other.id, other.care_manager, Role::CareManager);
    assert!(matches!(
        store.episode_contacts(&oc, ep.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .mark_contact_entered_in_error(&oc, corrected.id, "not mine")
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .add_contact(&oc, ep.id, other.care_manager, &fixed, None)
            .await,
        Err(StoreError::NotFound)
    ));
}

async fn assessments(store: &Store) {
    let p = practice(store, "North Clinic").await;
    let (pt, ep) = enrolled_patient(store, &p, "A-1", Program::Cocm).await;
    let ma = ctx(p.id, p.ma, Role::MaNurse);
    let r = phq9("2026-11-02", [2, 2, 2, 1, 1, 1, 1, 0, 1])
        .parse(ma.today)
        .unwrap();
    // Without an episode, the response joins the patient's open episode.
    let a = store.add_assessment(&ma, pt, None, p.ma, &r).await.unwrap();
    assert_eq!(a.episode, Some(ep.id));
    assert_eq!(a.score.total, Some(11));
    assert_eq!(a.score.safety, Safety::Alert);
    assert_eq!(a.answers.len(), 9);

    let mut gad = phq9("2026-11-03", [1, 1, 1, 1, 1, 0, 0, 0, 0]);
    gad.instrument = "gad7".into();
    gad.answers.truncate(7);
    let g = store
        .add_assessment(&ma, pt, Some(ep.id), p.ma, &gad.parse(ma.today).unwrap())
        .await
        .unwrap();
    assert_eq!(g.score.total, Some(5));

    // A screening of a patient with no episode stays on the patient.
    let lone =
        crate::patients::add(store, &ma, "A-2", "Lone", "Screen", Assignments::default()).await;
    let s = store
        .add_assessment(&ma, lone.id, None, p.ma, &r)
        .await
        .unwrap();
    assert_eq!(s.episode, None);
    // An episode of another patient is refused.
    assert!(matches!(
        store
            .add_assessment(&ma, lone.id, Some(ep.id), p.ma, &r)
            .await,
        Err(StoreError::Invalid(_))
    ));

    let marked = store
        .mark_assessment_entered_in_error(&ma, a.id, "entered for the wrong patient")
        .await
        .unwrap();
    assert_eq!(marked.status, RecordStatus::EnteredInError);
    let all = store.patient_assessments(&ma, pt, None).await.unwrap();
    assert_eq!(all.len(), 2);
    let only_gad = store
        .patient_assessments(&ma, pt, Some(InstrumentId::Gad7))
        .await
        .unwrap();
    assert_eq!(
        only_gad.iter().map(|a| a.id).collect::<Vec<_>>(),
        vec![g.id]
    );

    // Each record resolves to its patient, only within its practice.
    use stepwise_store::RecordRef;
    assert_eq!(
        store
            .patient_of(p.id, RecordRef::Assessment(a.id))
            .await
            .unwrap(),
        Some(pt)
    );
    assert_eq!(
        store
            .patient_of(p.id, RecordRef::Episode(ep.id))
            .await
            .unwrap(),
        Some(pt)
    );
    assert_eq!(
        store
            .patient_of(p.id, RecordRef::Patient(pt))
            .await
            .unwrap(),
        Some(pt)
    );

    let other = practice(store, "South Clinic").await;
    assert_eq!(
        store
            .patient_of(other.id, RecordRef::Assessment(a.id))
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .patient_of(other.id, RecordRef::Patient(pt))
            .await
            .unwrap(),
        None
    );
    let oc = ctx(other.id, other.ma, Role::MaNurse);
    assert!(matches!(
        store.patient_assessments(&oc, pt, None).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.add_assessment(&oc, pt, None, other.ma, &r).await,
        Err(StoreError::NotFound)
    ));
}

conformance!(contacts, assessments);
