//! Month close: a month evaluated for every patient from the registry's records, locked as
//! reviewed, adjusted without losing the original, exported; billing settings per practice.

use crate::conformance;
use crate::episodes::enrolled_patient;
use crate::harness::{Practice, ctx, practice};
use crate::records::contact;
use stepwise_domain::audit::{AuditAction, AuditCategory};
use stepwise_domain::billing::close::{
    AdjustmentInput, InitiatingVisitKind, LineInput, LineSource,
};
use stepwise_domain::billing::{BillingCode, DiagnosisCode, PractitionerKind};
use stepwise_domain::calendar::YearMonth;
use stepwise_domain::contact::ContactInput;
use stepwise_domain::episode::Program;
use stepwise_domain::ids::{EpisodeId, PatientId};
use stepwise_domain::role::Role;
use stepwise_store::{Store, StoreError};
use time::macros::date;

fn october() -> YearMonth {
    YearMonth::new(2026, 10).unwrap()
}

pub async fn log(store: &Store, p: &Practice, episode: EpisodeId, on: &str, minutes: i64) {
    let cm = ctx(p.id, p.care_manager, Role::CareManager);
    store
        .add_contact(
            &cm,
            episode,
            p.care_manager,
            &contact(on, "follow_up", minutes)
                .parse(&[Role::CareManager], cm.today)
                .unwrap(),
            None,
        )
        .await
        .unwrap();
}

pub async fn visit(store: &Store, p: &Practice, patient: PatientId) {
    let tp = ctx(p.id, p.practitioner, Role::TreatingPractitioner);
    store
        .record_initiating_visit(
            &tp,
            patient,
            p.practitioner,
            date!(2026 - 06 - 01),
            InitiatingVisitKind::AnnualWellnessVisit,
        )
        .await
        .unwrap();
}

fn adjustment(patient: PatientId, reason: &str, lines: &[(&str, i64)]) -> AdjustmentInput {
    AdjustmentInput {
        patient: patient.as_uuid(),
        reason: reason.into(),
        lines: lines
            .iter()
            .map(|(c, u)| LineInput {
                code: (*c).into(),
                units: *u,
            })
            .collect(),
        diagnosis_codes: vec![],
        date_of_service: None,
    }
}

async fn billing_events(store: &Store, p: &Practice, action: AuditAction) -> usize {
    store
        .audit_events(p.id, 0, 10_000)
        .await
        .unwrap()
        .iter()
        .filter(|e| e.event.action == action && e.event.category == AuditCategory::Billing)
        .count()
}

async fn month_review_lock_adjust_export(store: &Store) {
    let p = practice(store, "North Clinic").await;
    let biller = ctx(p.id, p.billing, Role::Billing);
    let tp = ctx(p.id, p.practitioner, Role::TreatingPractitioner);

    // A: CoCM, 50 minutes in September (initial), 80 in October: 99493 + 99494.
    let (a, a_ep) = enrolled_patient(store, &p, "A-1", Program::Cocm).await;
    visit(store, &p, a).await;
    log(store, &p, a_ep.id, "2026-09-10", 50).await;
    log(store, &p, a_ep.id, "2026-10-05", 40).await;
    log(store, &p, a_ep.id, "2026-10-20", 40).await;
    store
        .set_episode_diagnoses(
            &tp,
            a_ep.id,
            &[
                DiagnosisCode::parse("F32.1").unwrap(),
                DiagnosisCode::parse("F41.1").unwrap(),
            ],
        )
        .await
        .unwrap();
    // B: CoCM, 30 minutes in October, no initiating visit: held.
    let (b, b_ep) = enrolled_patient(store, &p, "B-1", Program::Cocm).await;
    log(store, &p, b_ep.id, "2026-10-10", 30).await;
    // C: general BHI, 25 minutes: 99484.
    let (c, c_ep) = enrolled_patient(store, &p, "C-1", Program::GeneralBhi).await;
    visit(store, &p, c).await;
    log(store, &p, c_ep.id, "2026-10-12", 25).await;
    // D: activity in September only: nothing in October.
    let (_, d_ep) = enrolled_patient(store, &p, "D-1", Program::Cocm).await;
    log(store, &p, d_ep.id, "2026-09-12", 40).await;

    let review = store.billing_month(&biller, october()).await.unwrap();
    assert!(review.lock.is_none());
    let mrns: Vec<&str> = review.patients.iter().map(|r| r.mrn.as_str()).collect();
    assert_eq!(mrns, ["A-1", "B-1", "C-1"]);
    let ra = &review.patients[0];
    assert_eq!(ra.countable_minutes, 80);
    assert_eq!(ra.month_type.as_deref(), Some("subsequent"));
    let codes: Vec<(BillingCode, u32)> = ra.lines.iter().map(|l| (l.code, l.units)).collect();
    assert_eq!(codes, [(BillingCode::C99493, 1), (BillingCode::C99494, 1)]);
    assert_eq!(ra.diagnosis_codes, ["F32.1", "F41.1"]);
    assert_eq!(ra.billing_practitioner, Some(p.practitioner));
    assert_eq!(ra.date_of_service, Some(date!(2026 - 10 - 31)));
    assert_eq!(ra.expected_cents, 13_359 + 5_596);
    assert!(ra.explanation.contains("99493"), "{}", ra.explanation);
    let rb = &review.patients[1];
    assert!(rb.lines.is_empty());
    assert_eq!(rb.holds[0].code, "no_initiating_visit");
    assert!(rb.explanation.starts_with("Held:"), "{}", rb.explanation);
    assert_eq!(review.patients[2].lines[0].code, BillingCode::C99484);
    // The biller never receives narrative: the contact notes are nowhere in the review.
    let json = serde_json::to_string(&review).unwrap();
    assert!(!json.contains("Discussed sleep"));
    assert_eq!(review.revenue.expected_cents, 13_359 + 5_596 + 5_305);
    assert_eq!(review.revenue.practitioners.len(), 1);
    assert_eq!(review.revenue.practitioners[0].claims, 2);
    assert_eq!(review.revenue.fee_schedule_year, 2025);
    assert_eq!(
        billing_events(store, &p, AuditAction::BillingMonthRead).await,
        1
    );

    // Revenue alone, for the administrator: the same total, no patients.
    let admin = ctx(p.id, p.admin, Role::PracticeAdmin);
    let revenue = store.billing_revenue(&admin, october()).await.unwrap();
    assert_eq!(revenue, review.revenue);

    // A month not over cannot be locked; a month not begun cannot be reviewed.
    let november = october().next();
    assert!(matches!(
        store.lock_billing_month(&biller, november, "x").await,
        Err(StoreError::Invalid(e)) if e.errors[0].field == "month"
    ));
    assert!(matches!(
        store.billing_month(&biller, november.next()).await,
        Err(StoreError::Invalid(_))
    ));
    // A lock applies to what was reviewed: a wrong hash, or a change since, is a conflict.
    assert!(matches!(
        store
            .lock_billing_month(&biller, october(), "not-the-review")
            .await,
        Err(StoreError::Conflict)
    ));
    log(store, &p, b_ep.id, "2026-10-11", 5).await;
    assert!(matches!(
        store
            .lock_billing_month(&biller, october(), &review.review_hash)
            .await,
        Err(StoreError::Conflict)
    ));
    assert!(matches!(
        store.billing_export(&biller, october()).await,
        Err(StoreError::Invalid(_))
    ));
    let review = store.billing_month(&biller, october()).await.unwrap();
    assert_eq!(review.patients[1].countable_minutes, 35);
    let lock = store
        .lock_billing_month(&biller, october(), &review.review_hash)
        .await
        .unwrap();
    assert_eq!(lock.locked_by, Some(p.billing));
    assert!(matches!(
        store.lock_billing_month(&biller, october(), &review.review_hash).await,
        Err(StoreError::Invalid(e)) if e.errors[0].message.contains("already locked")
    ));

    // Later records do not change a locked month.
    log(store, &p, a_ep.id, "2026-10-25", 30).await;
    let locked = store.billing_month(&biller, october()).await.unwrap();
    assert!(locked.lock.is_some());
    assert_eq!(locked.patients, review.patients);
    assert_eq!(locked.review_hash, review.review_hash);

    let export = store.billing_export(&biller, october()).await.unwrap();
    let rows: Vec<(&str, BillingCode, u32)> = export
        .iter()
        .map(|l| (l.patient_mrn.as_str(), l.code, l.units))
        .collect();
    assert_eq!(
        rows,
        [
            ("A-1", BillingCode::C99493, 1),
            ("A-1", BillingCode::C99494, 1),
            ("C-1", BillingCode::C99484, 1)
        ]
    );
    assert_eq!(export[0].diagnosis_codes, ["F32.1", "F41.1"]);
    assert_eq!(export[0].billing_practitioner, "dr.a");
    assert_eq!(export[0].date_of_service, date!(2026 - 10 - 31));
    assert!(export.iter().all(|l| l.source == LineSource::Original));

    // An adjustment: B's visit was found in the paper chart. The original stays.
    let adj = adjustment(
        b,
        "Initiating visit found in the paper chart",
        &[("99493", 1)],
    )
    .parse(october())
    .unwrap();
    let made = store
        .adjust_billing_month(&biller, october(), b, &adj)
        .await
        .unwrap();
    assert_eq!(made.mrn, "B-1");
    assert_eq!(made.expected_cents, 13_359);
    let after = store.billing_month(&biller, october()).await.unwrap();
    assert_eq!(after.patients, review.patients, "the original is kept");
    assert_eq!(after.adjustments.len(), 1);
    assert_eq!(
        after.adjustments[0].reason,
        "Initiating visit found in the paper chart"
    );
    assert_eq!(
        after.revenue.expected_cents,
        13_359 + 5_596 + 5_305 + 13_359
    );
    // A second adjustment of A voids its add-on; the latest of each patient stands.
    let adj = adjustment(a, "Add-on minutes not documented", &[("99493", 1)])
        .parse(october())
        .unwrap();
    store
        .adjust_billing_month(&biller, october(), a, &adj)
        .await
        .unwrap();
    let export = store.billing_export(&biller, october()).await.unwrap();
    let rows: Vec<(&str, BillingCode, LineSource)> = export
        .iter()
        .map(|l| (l.patient_mrn.as_str(), l.code, l.source))
        .collect();
    assert_eq!(
        rows,
        [
            ("A-1", BillingCode::C99493, LineSource::Adjustment),
            ("B-1", BillingCode::C99493, LineSource::Adjustment),
            ("C-1", BillingCode::C99484, LineSource::Original)
        ]
    );
    // A's adjustment keeps the original claim's diagnoses.
    assert_eq!(export[0].diagnosis_codes, ["F32.1", "F41.1"]);
    assert_eq!(
        billing_events(store, &p, AuditAction::BillingAdjust).await,
        2
    );
    assert_eq!(
        billing_events(store, &p, AuditAction::BillingMonthLock).await,
        1
    );
    assert_eq!(
        billing_events(store, &p, AuditAction::BillingExport).await,
        2
    );

    // An open month is not adjusted; another practice's patient is not found.
    let september = october().prev();
    assert!(matches!(
        store.adjust_billing_month(&biller, september, a, &adj).await,
        Err(StoreError::Invalid(e)) if e.errors[0].field == "month"
    ));
    let south = practice(store, "South Clinic").await;
    let (foreign, _) = enrolled_patient(store, &south, "F-1", Program::Cocm).await;
    assert!(matches!(
        store.adjust_billing_month(&biller, october(), foreign, &adj).await,
        Err(StoreError::Invalid(e)) if e.errors[0].field == "patient"
    ));
    // The other practice sees nothing of North's month.
    let south_biller = ctx(south.id, south.billing, Role::Billing);
    let theirs = store.billing_month(&south_biller, october()).await.unwrap();
    assert!(theirs.patients.is_empty() && theirs.lock.is_none());
    assert!(store.verify_audit_chain(p.id).await.unwrap().is_intact());
}

async fn settings_visits_and_diagnoses(store: &Store) {
    let p = practice(store, "North Clinic").await;
    let admin = ctx(p.id, p.admin, Role::PracticeAdmin);
    let initial = store.billing_settings(&admin).await.unwrap();
    assert_eq!(initial.version, 0);
    assert_eq!(initial.settings.fees.year, 2025);
    let mut s = initial.settings.clone();
    s.fees.amounts.insert(BillingCode::C99493, 14_000);
    s.rules.practice.max_99494_units = 3;
    let saved = store.update_billing_settings(&admin, &s, 0).await.unwrap();
    assert_eq!(saved.version, 1);
    // A stale version is a conflict; invalid settings change nothing.
    assert!(matches!(
        store.update_billing_settings(&admin, &s, 0).await,
        Err(StoreError::Conflict)
    ));
    let mut bad = s.clone();
    bad.fees.year = 1999;
    assert!(matches!(
        store.update_billing_settings(&admin, &bad, 1).await,
        Err(StoreError::Invalid(e)) if e.errors[0].field == "fees.year"
    ));
    let read = store.billing_settings(&admin).await.unwrap();
    assert_eq!((read.version, &read.settings), (1, &s));
    assert!(billing_events(store, &p, AuditAction::BillingSettingsUpdate).await == 1);

    // The new fee is used by the review.
    let (a, ep) = enrolled_patient(store, &p, "A-1", Program::Cocm).await;
    let tp = ctx(p.id, p.practitioner, Role::TreatingPractitioner);
    assert!(matches!(
        store
            .record_initiating_visit(&tp, a, p.care_manager, date!(2026 - 06 - 01), InitiatingVisitKind::EvaluationAndManagement)
            .await,
        Err(StoreError::Invalid(e)) if e.errors[0].field == "practitioner"
    ));
    assert!(matches!(
        store
            .record_initiating_visit(&tp, a, p.practitioner, date!(2026 - 12 - 01), InitiatingVisitKind::EvaluationAndManagement)
            .await,
        Err(StoreError::Invalid(e)) if e.errors[0].field == "visit_on"
    ));
    visit(store, &p, a).await;
    log(store, &p, ep.id, "2026-09-10", 50).await;
    log(store, &p, ep.id, "2026-10-10", 40).await;
    let biller = ctx(p.id, p.billing, Role::Billing);
    let review = store.billing_month(&biller, october()).await.unwrap();
    assert_eq!(review.patients[0].expected_cents, 14_000);
    assert!(review.patients[0].diagnosis_codes.is_empty());
    // Diagnoses: set, cleared; a missing episode is not found.
    store
        .set_episode_diagnoses(&tp, ep.id, &[DiagnosisCode::parse("F33.1").unwrap()])
        .await
        .unwrap();
    let review = store.billing_month(&biller, october()).await.unwrap();
    assert_eq!(review.patients[0].diagnosis_codes, ["F33.1"]);
    store.set_episode_diagnoses(&tp, ep.id, &[]).await.unwrap();
    let review = store.billing_month(&biller, october()).await.unwrap();
    assert!(review.patients[0].diagnosis_codes.is_empty());
    let south = practice(store, "South Clinic").await;
    let south_tp = ctx(south.id, south.practitioner, Role::TreatingPractitioner);
    assert!(matches!(
        store.set_episode_diagnoses(&south_tp, ep.id, &[]).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .record_initiating_visit(
                &south_tp,
                a,
                south.practitioner,
                date!(2026 - 06 - 01),
                InitiatingVisitKind::Ippe
            )
            .await,
        Err(StoreError::NotFound)
    ));
}

/// How the practitioner bills and the APCM months reach the month's codes: a behavioral health
/// clinician's general BHI is G0323; in an APCM month of the same practitioner the add-on
/// replaces 99484; a month recorded by mistake is removed with a reason and stops counting.
async fn billing_kind_and_apcm_months(store: &Store) {
    let p = practice(store, "North Clinic").await;
    let admin = ctx(p.id, p.admin, Role::PracticeAdmin);
    let biller = ctx(p.id, p.billing, Role::Billing);
    let (c, c_ep) = enrolled_patient(store, &p, "C-1", Program::GeneralBhi).await;
    visit(store, &p, c).await;
    // The practitioner's own time: it counts for 99484 and, as a clinician's, for G0323.
    let tp = ctx(p.id, p.practitioner, Role::TreatingPractitioner);
    store
        .add_contact(
            &tp,
            c_ep.id,
            p.practitioner,
            &ContactInput {
                staff_role: "treating_practitioner".into(),
                ..contact("2026-10-12", "follow_up", 25)
            }
            .parse(&[Role::TreatingPractitioner], tp.today)
            .unwrap(),
            None,
        )
        .await
        .unwrap();
    let code = |r: &stepwise_store::model::MonthReview| {
        let row = &r.patients[0];
        assert_eq!(row.lines.len(), 1, "{}", row.explanation);
        row.lines[0].code
    };
    assert_eq!(
        code(&store.billing_month(&biller, october()).await.unwrap()),
        BillingCode::C99484
    );

    // How the practitioner bills.
    let u = store
        .set_billing_kind(
            &admin,
            p.practitioner,
            PractitionerKind::BehavioralHealthClinician,
        )
        .await
        .unwrap();
    assert_eq!(u.billing_kind, PractitionerKind::BehavioralHealthClinician);
    let review = store.billing_month(&biller, october()).await.unwrap();
    assert_eq!(code(&review), BillingCode::G0323);
    assert!(review.patients[0].explanation.contains("G0323"));
    let facts = store.billing_facts(&biller, c).await.unwrap();
    assert_eq!(
        facts.billing_kind,
        Some(PractitionerKind::BehavioralHealthClinician)
    );
    assert!(matches!(
        store.set_billing_kind(&admin, p.care_manager, PractitionerKind::TreatingPractitioner).await,
        Err(StoreError::Invalid(e)) if e.errors[0].field == "kind"
    ));
    let south = practice(store, "South Clinic").await;
    let south_admin = ctx(south.id, south.admin, Role::PracticeAdmin);
    assert!(matches!(
        store
            .set_billing_kind(
                &south_admin,
                p.practitioner,
                PractitionerKind::TreatingPractitioner
            )
            .await,
        Err(StoreError::NotFound)
    ));
    store
        .set_billing_kind(
            &admin,
            p.practitioner,
            PractitionerKind::TreatingPractitioner,
        )
        .await
        .unwrap();

    // An APCM month of another practitioner changes nothing; of the same one, the add-on.
    let month = october();
    store
        .record_apcm_month(&biller, c, p.practitioner2, month)
        .await
        .unwrap();
    assert_eq!(
        code(&store.billing_month(&biller, month).await.unwrap()),
        BillingCode::C99484
    );
    let id = store
        .record_apcm_month(&biller, c, p.practitioner, month)
        .await
        .unwrap();
    assert_eq!(
        code(&store.billing_month(&biller, month).await.unwrap()),
        BillingCode::G0570
    );
    // Bad input changes nothing: twice, a future month, not a practitioner, not found.
    for (who, m, field) in [
        (p.practitioner, month, "month"),
        (p.practitioner, YearMonth::new(2027, 1).unwrap(), "month"),
        (
            p.care_manager,
            YearMonth::new(2026, 9).unwrap(),
            "practitioner",
        ),
    ] {
        assert!(matches!(
            store.record_apcm_month(&biller, c, who, m).await,
            Err(StoreError::Invalid(e)) if e.errors[0].field == field
        ));
    }
    let south_biller = ctx(south.id, south.billing, Role::Billing);
    assert!(matches!(
        store
            .record_apcm_month(&south_biller, c, south.practitioner, month)
            .await,
        Err(StoreError::NotFound)
    ));
    let facts = store.billing_facts(&biller, c).await.unwrap();
    assert_eq!(facts.apcm_months.len(), 2);
    assert_eq!(facts.initiating_visits.len(), 1);
    assert_eq!(facts.episodes[0].episode, c_ep.id);

    // Removal needs a reason, and another practice cannot remove it.
    assert!(matches!(
        store.remove_apcm_month(&biller, c, id, " ").await,
        Err(StoreError::Invalid(e)) if e.errors[0].field == "reason"
    ));
    assert!(matches!(
        store.remove_apcm_month(&south_biller, c, id, "typo").await,
        Err(StoreError::NotFound)
    ));
    store
        .remove_apcm_month(&biller, c, id, "entered for the wrong patient")
        .await
        .unwrap();
    assert!(matches!(
        store.remove_apcm_month(&biller, c, id, "again").await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        code(&store.billing_month(&biller, month).await.unwrap()),
        BillingCode::C99484
    );
    assert_eq!(
        store
            .billing_facts(&biller, c)
            .await
            .unwrap()
            .apcm_months
            .len(),
        1
    );
    assert!(matches!(
        store.billing_facts(&south_biller, c).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        billing_events(store, &p, AuditAction::ApcmMonthCreate).await,
        2
    );
    assert_eq!(
        billing_events(store, &p, AuditAction::ApcmMonthRemove).await,
        1
    );
    assert!(billing_events(store, &p, AuditAction::BillingFactsRead).await >= 3);
    assert!(store.verify_audit_chain(p.id).await.unwrap().is_intact());
}

/// Month close reads each episode's contacts packed into one value: only final contacts up to
/// the month's end count, excluded minutes stay excluded, earlier months make the history.
async fn month_close_reads_the_counting_contacts(store: &Store) {
    let p = practice(store, "North Clinic").await;
    let biller = ctx(p.id, p.billing, Role::Billing);
    let cm = ctx(p.id, p.care_manager, Role::CareManager);
    let (a, a_ep) = enrolled_patient(store, &p, "A-1", Program::Cocm).await;
    visit(store, &p, a).await;
    log(store, &p, a_ep.id, "2026-09-15", 40).await;
    log(store, &p, a_ep.id, "2026-10-05", 30).await;
    let mut excluded = contact("2026-10-06", "follow_up", 20);
    excluded.exclusion = Some("separately_billed".into());
    store
        .add_contact(
            &cm,
            a_ep.id,
            p.care_manager,
            &excluded.parse(&[Role::CareManager], cm.today).unwrap(),
            None,
        )
        .await
        .unwrap();
    let wrong = store
        .add_contact(
            &cm,
            a_ep.id,
            p.care_manager,
            &contact("2026-10-08", "follow_up", 25)
                .parse(&[Role::CareManager], cm.today)
                .unwrap(),
            None,
        )
        .await
        .unwrap();
    store
        .mark_contact_entered_in_error(&cm, wrong.id, "Logged on the wrong patient")
        .await
        .unwrap();
    log(store, &p, a_ep.id, "2026-11-02", 50).await;
    // A second patient in general BHI, with one contact a day over the month.
    let (c, c_ep) = enrolled_patient(store, &p, "C-1", Program::GeneralBhi).await;
    visit(store, &p, c).await;
    for day in 1..=31 {
        log(store, &p, c_ep.id, &format!("2026-10-{day:02}"), 1).await;
    }

    let review = store.billing_month(&biller, october()).await.unwrap();
    let mrns: Vec<&str> = review.patients.iter().map(|r| r.mrn.as_str()).collect();
    assert_eq!(mrns, ["A-1", "C-1"]);
    let ra = &review.patients[0];
    assert_eq!(ra.program, Program::Cocm);
    assert_eq!(ra.countable_minutes, 30, "{}", ra.explanation);
    assert_eq!(ra.month_type.as_deref(), Some("subsequent"));
    let rc = &review.patients[1];
    assert_eq!(rc.program, Program::GeneralBhi);
    assert_eq!(rc.countable_minutes, 31);
    assert_eq!(rc.lines[0].code, BillingCode::C99484);
    // The same records give the same fingerprint; a month with the history but no activity
    // of its own has no one to bill.
    let again = store.billing_month(&biller, october()).await.unwrap();
    assert_eq!(again.review_hash, review.review_hash);
    assert_eq!(again.patients, review.patients);
    let august = store
        .billing_month(&biller, YearMonth::new(2026, 8).unwrap())
        .await
        .unwrap();
    assert!(august.patients.is_empty());
    assert_ne!(august.review_hash, review.review_hash);
}

conformance!(
    month_review_lock_adjust_export,
    month_close_reads_the_counting_contacts,
    settings_visits_and_diagnoses,
    billing_kind_and_apcm_months
);
