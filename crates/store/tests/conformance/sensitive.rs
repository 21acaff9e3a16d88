//! Sensitive records: labels on contacts and assessments kept and returned with the 42 CFR
//! 2.32 notice; the patient's Part 2 consent recorded, in force, revoked at once.

use crate::conformance;
use crate::episodes::enrolled_patient;
use crate::harness::{ctx, practice};
use crate::records::contact;
use stepwise_domain::assessment::AssessmentInput;
use stepwise_domain::audit::AuditAction;
use stepwise_domain::episode::Program;
use stepwise_domain::role::Role;
use stepwise_domain::sensitivity::{Part2ConsentInput, REDISCLOSURE_NOTICE, RecordLabel};
use stepwise_store::{RecordRef, Store, StoreError};

async fn labels_are_kept(store: &Store) {
    let p = practice(store, "North Clinic").await;
    let (pt, ep) = enrolled_patient(store, &p, "L-1", Program::Cocm).await;
    let cm = ctx(p.id, p.care_manager, Role::CareManager);
    let roles = [Role::CareManager];
    let mut note = contact("2026-11-02", "follow_up", 30);
    note.label = Some("psychotherapy_note".into());
    let therapy = store
        .add_contact(
            &cm,
            ep.id,
            p.care_manager,
            &note.parse(&roles, cm.today).unwrap(),
            None,
        )
        .await
        .unwrap();
    assert_eq!(therapy.details.label, RecordLabel::PsychotherapyNote);
    assert_eq!(therapy.redisclosure_notice, None);
    let mut sud = contact("2026-11-03", "brief_intervention", 15);
    sud.label = Some("sud_part2".into());
    let sud = store
        .add_contact(
            &cm,
            ep.id,
            p.care_manager,
            &sud.parse(&roles, cm.today).unwrap(),
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        sud.redisclosure_notice.as_deref(),
        Some(REDISCLOSURE_NOTICE)
    );
    let audit = AssessmentInput {
        instrument: "auditc".into(),
        administered_on: "2026-11-03".into(),
        mode: "clinic".into(),
        answers: vec![Some(2), Some(1), Some(1)],
        loinc_answers: None,
        label: Some("sud_part2".into()),
    }
    .parse(cm.today)
    .unwrap();
    let a = store
        .add_assessment(&cm, pt, Some(ep.id), p.care_manager, &audit)
        .await
        .unwrap();
    assert_eq!(a.label, RecordLabel::SudPart2);
    // Read back with their labels and notices.
    let listed = store.episode_contacts(&cm, ep.id).await.unwrap();
    let labels: Vec<RecordLabel> = listed.iter().map(|c| c.details.label).collect();
    assert!(labels.contains(&RecordLabel::PsychotherapyNote));
    assert!(labels.contains(&RecordLabel::SudPart2));
    let read = store.patient_assessments(&cm, pt, None).await.unwrap();
    assert_eq!(read.len(), 1);
    assert_eq!(read[0].label, RecordLabel::SudPart2);
    assert_eq!(
        read[0].redisclosure_notice.as_deref(),
        Some(REDISCLOSURE_NOTICE)
    );
    // The access decision's view: label and author, without a read event.
    assert_eq!(
        store
            .record_label(p.id, RecordRef::Contact(therapy.id))
            .await
            .unwrap(),
        Some((RecordLabel::PsychotherapyNote, p.care_manager))
    );
    assert_eq!(
        store
            .record_label(p.id, RecordRef::Assessment(a.id))
            .await
            .unwrap(),
        Some((RecordLabel::SudPart2, p.care_manager))
    );
    let other = practice(store, "South Clinic").await;
    assert_eq!(
        store
            .record_label(other.id, RecordRef::Assessment(a.id))
            .await
            .unwrap(),
        None
    );
}

fn consent_input() -> Part2ConsentInput {
    Part2ConsentInput {
        given_on: "2026-11-20".into(),
        method: "written".into(),
        recipients: "The psychiatric consultant of my care team".into(),
        information: "Substance-use screening results".into(),
        purpose: "Treatment".into(),
        expires_on: "2027-11-20".into(),
    }
}

async fn part2_consent_in_force_until_revoked(store: &Store) {
    let p = practice(store, "North Clinic").await;
    let (pt, _) = enrolled_patient(store, &p, "C-1", Program::Cocm).await;
    let cm = ctx(p.id, p.care_manager, Role::CareManager);
    assert!(
        !store
            .part2_consent_in_force(p.id, pt, cm.today)
            .await
            .unwrap()
    );
    let consent = consent_input().parse(cm.today).unwrap();
    let c = store.record_part2_consent(&cm, pt, &consent).await.unwrap();
    assert!(c.in_force);
    assert_eq!(c.recorded_by, p.care_manager);
    assert_eq!(
        store
            .patient_of(p.id, RecordRef::Part2Consent(c.id))
            .await
            .unwrap(),
        Some(pt)
    );
    assert!(
        store
            .part2_consent_in_force(p.id, pt, cm.today)
            .await
            .unwrap()
    );
    // Not in force after it expires.
    let later = time::macros::date!(2027 - 11 - 21);
    assert!(!store.part2_consent_in_force(p.id, pt, later).await.unwrap());

    let revoked = store
        .revoke_part2_consent(&cm, c.id, Some("Patient called to withdraw"))
        .await
        .unwrap();
    assert!(!revoked.in_force);
    assert_eq!(revoked.revoked_at, Some(cm.now));
    assert_eq!(revoked.revoked_by, Some(p.care_manager));
    assert!(
        !store
            .part2_consent_in_force(p.id, pt, cm.today)
            .await
            .unwrap()
    );
    // A second revocation is refused and changes nothing.
    let again = store.revoke_part2_consent(&cm, c.id, None).await;
    assert!(matches!(again, Err(StoreError::Invalid(_))), "{again:?}");
    let list = store.patient_part2_consents(&cm, pt).await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(
        list[0].revocation_note.as_deref(),
        Some("Patient called to withdraw")
    );

    // Each act is audited once, with the patient.
    let events = store.audit_events(p.id, 0, 10_000).await.unwrap();
    for action in [
        AuditAction::Part2ConsentCreate,
        AuditAction::Part2ConsentRevoke,
        AuditAction::Part2ConsentRead,
    ] {
        let n = events
            .iter()
            .filter(|e| e.event.action == action && e.event.patient == Some(pt))
            .count();
        assert_eq!(n, 1, "{action}");
    }
    // Another practice sees nothing of it.
    let other = practice(store, "South Clinic").await;
    let south = ctx(other.id, other.care_manager, Role::CareManager);
    assert!(
        store
            .revoke_part2_consent(&south, c.id, None)
            .await
            .is_err()
    );
    assert!(
        !store
            .part2_consent_in_force(other.id, pt, cm.today)
            .await
            .unwrap()
    );
}

conformance!(labels_are_kept, part2_consent_in_force_until_revoked);
