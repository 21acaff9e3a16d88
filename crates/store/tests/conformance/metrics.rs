//! What the metrics read, from the registry, with known answers; baselines kept as recorded.

use crate::conformance;
use crate::episodes::enrolled_patient;
use crate::harness::{ctx, practice};
use crate::records::phq9;
use stepwise_domain::audit::AuditAction;
use stepwise_domain::baseline::{Baseline, BaselineMeasure};
use stepwise_domain::contact::ContactInput;
use stepwise_domain::episode::Program;
use stepwise_domain::metrics::{MetricCode, MetricsFilter, Period, compute};
use stepwise_domain::referral::{ReferralAction, ReferralTarget, Sensitivity};
use stepwise_domain::role::Role;
use stepwise_store::Store;
use time::macros::date;

fn contact(on: &str, kind: &str) -> ContactInput {
    ContactInput {
        label: None,
        contact_on: on.into(),
        staff_role: "care_manager".into(),
        kind: kind.into(),
        modality: "phone".into(),
        minutes: 20,
        exclusion: None,
        note: None,
    }
}

async fn metrics_read_the_registry(store: &Store) {
    let p = practice(store, "North Clinic").await;
    let other = practice(store, "South Clinic").await;
    let cm = ctx(p.id, p.care_manager, Role::CareManager);
    let (pt, ep) = enrolled_patient(store, &p, "M-1", Program::Cocm).await;
    let _ = enrolled_patient(store, &other, "M-9", Program::Cocm).await;
    let r = phq9("2026-09-03", [2, 2, 2, 2, 2, 2, 2, 1, 0])
        .parse(cm.today)
        .unwrap();
    store
        .add_assessment(&cm, pt, Some(ep.id), p.care_manager, &r)
        .await
        .unwrap();
    for (on, kind) in [
        ("2026-09-03", "initial_assessment"),
        ("2026-09-10", "follow_up"),
    ] {
        let k = contact(on, kind)
            .parse(&[Role::CareManager], cm.today)
            .unwrap();
        store
            .add_contact(&cm, ep.id, p.care_manager, &k, None)
            .await
            .unwrap();
    }
    // A GAD-7 and an outreach attempt are not read: the metrics never use them.
    let gad = stepwise_domain::assessment::AssessmentInput {
        label: None,
        instrument: "gad7".into(),
        administered_on: "2026-09-04".into(),
        mode: "phone".into(),
        answers: vec![Some(1); 7],
        loinc_answers: None,
    }
    .parse(cm.today)
    .unwrap();
    store
        .add_assessment(&cm, pt, Some(ep.id), p.care_manager, &gad)
        .await
        .unwrap();
    let outreach = contact("2026-09-05", "outreach_attempt")
        .parse(&[Role::CareManager], cm.today)
        .unwrap();
    store
        .add_contact(&cm, ep.id, p.care_manager, &outreach, None)
        .await
        .unwrap();
    // The lists in the store's SQL are the domain's.
    let screens: Vec<&str> = stepwise_domain::instruments::InstrumentId::ALL
        .iter()
        .filter(|i| stepwise_domain::metrics::is_depression_screen(**i))
        .map(|i| i.code())
        .collect();
    assert_eq!(screens, ["phq9", "phq2", "phqa", "epds"]);
    let sessions: Vec<&str> = stepwise_domain::contact::ContactKind::ALL
        .iter()
        .filter(|k| k.is_session())
        .map(|k| k.code())
        .collect();
    assert_eq!(
        sessions,
        [
            "initial_assessment",
            "follow_up",
            "brief_intervention",
            "relapse_prevention_planning"
        ]
    );
    let referral = store
        .create_referral(
            &cm,
            pt,
            &ReferralTarget::SpecialtyBehavioralHealth {
                description: "Psychotherapy".into(),
            },
            Sensitivity::General,
            "Trauma-focused therapy",
        )
        .await
        .unwrap();
    store
        .update_referral(&cm, referral.id, 1, ReferralAction::Send)
        .await
        .unwrap();

    let input = store
        .metrics_input(&cm, date!(2026 - 11 - 27))
        .await
        .unwrap();
    assert_eq!(input.patients.len(), 1, "only this practice's patients");
    let rec = &input.patients[0];
    assert_eq!(rec.visits, [date!(2026 - 09 - 03), date!(2026 - 09 - 10)]);
    assert_eq!(rec.episodes.len(), 1);
    assert_eq!(rec.episodes[0].phq9[0].total, Some(15));
    assert_eq!(rec.episodes[0].contacts.len(), 2);
    assert_eq!(rec.referrals[0].events.len(), 1);
    assert_eq!(
        input.care_managers.len(),
        2,
        "both care managers, full time"
    );
    assert!(input.care_managers.iter().all(|c| c.fte_percent == 100));

    let period = Period::new(date!(2026 - 10 - 01), date!(2026 - 11 - 27)).unwrap();
    let all = MetricsFilter::default();
    let m = |code| compute(code, &input, period, &all);
    let early = m(MetricCode::EarlyFollowUp4Weeks);
    assert_eq!((early.numerator, early.denominator), (1, 1));
    let contacted = m(MetricCode::CaseloadContacted);
    assert_eq!((contacted.numerator, contacted.denominator), (0, 1));
    let closed = m(MetricCode::ReferralLoopClosed);
    assert_eq!((closed.numerator, closed.denominator), (0, 1));
    let fte = m(MetricCode::CaseloadPerFte);
    assert_eq!((fte.numerator, fte.denominator), (1, 200));
    // A period before anything happened: nobody eligible, never 0 %.
    let empty = Period::new(date!(2026 - 01 - 01), date!(2026 - 01 - 31)).unwrap();
    assert_eq!(
        compute(MetricCode::Remission, &input, empty, &all).value,
        None
    );

    // Records after `to` are left out.
    let early_input = store
        .metrics_input(&cm, date!(2026 - 09 - 05))
        .await
        .unwrap();
    assert_eq!(early_input.patients[0].episodes[0].contacts.len(), 1);
    let audited = store
        .audit_events(p.id, 0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.event.action == AuditAction::MetricsRead)
        .count();
    assert_eq!(audited, 2);

    // A baseline from the registry, kept as recorded; latest first.
    let admin = ctx(p.id, p.admin, Role::PracticeAdmin);
    assert!(store.baselines(p.id).await.unwrap().is_empty());
    let results: Vec<_> = [MetricCode::EarlyFollowUp4Weeks, MetricCode::Remission]
        .into_iter()
        .map(|c| compute(c, &input, period, &all))
        .collect();
    let b = Baseline::from_registry(date!(2026 - 11 - 27), period, &results);
    let stored = store.create_baseline(&admin, &b).await.unwrap();
    let listed = store.baselines(p.id).await.unwrap();
    assert_eq!(listed, vec![stored]);
    assert_eq!(
        listed[0].baseline.measure(MetricCode::Remission),
        Some(BaselineMeasure::NotMeasured)
    );
    assert!(store.baselines(other.id).await.unwrap().is_empty());
}

/// The metrics read each patient's screens and each episode's sessions packed into one value:
/// every field, NULLs and the order of same-day records come back as recorded.
async fn metrics_input_keeps_every_record(store: &Store) {
    let p = practice(store, "North Clinic").await;
    let cm = ctx(p.id, p.care_manager, Role::CareManager);
    let (pt, ep) = enrolled_patient(store, &p, "M-1", Program::Cocm).await;
    let add = |instrument: &str, on: &str, answers: Vec<Option<i64>>| {
        stepwise_domain::assessment::AssessmentInput {
            label: None,
            instrument: instrument.into(),
            administered_on: on.into(),
            mode: "phone".into(),
            answers,
            loinc_answers: None,
        }
        .parse(cm.today)
        .unwrap()
    };
    // In the order recorded: a positive PHQ-2, then on one day an incomplete PHQ-9 and a
    // complete one in the episode, and a negative PHQ-2.
    let responses = [
        (None, add("phq2", "2026-09-02", vec![Some(3), Some(3)])),
        (
            Some(ep.id),
            add("phq9", "2026-09-03", {
                let mut a = vec![Some(1); 9];
                a[4] = None;
                a
            }),
        ),
        (Some(ep.id), add("phq9", "2026-09-03", vec![Some(2); 9])),
        (
            Some(ep.id),
            add("phq2", "2026-09-03", vec![Some(0), Some(0)]),
        ),
    ];
    let mut recorded = Vec::new();
    for (episode, r) in &responses {
        let a = store
            .add_assessment(&cm, pt, *episode, p.care_manager, r)
            .await
            .unwrap();
        recorded.push(a.id);
    }
    // A PHQ-9 of a patient without an episode (no episode id in the packed value).
    let other = crate::patients::add(
        store,
        &cm,
        "M-2",
        "Pat",
        "Other",
        stepwise_store::model::Assignments::default(),
    )
    .await;
    let other_phq9 = store
        .add_assessment(
            &cm,
            other.id,
            None,
            p.care_manager,
            &add("phq9", "2026-09-20", vec![Some(1); 9]),
        )
        .await
        .unwrap();
    let mut excluded = contact("2026-09-10", "follow_up");
    excluded.exclusion = Some("inpatient".into());
    let mut logged = Vec::new();
    for k in [contact("2026-09-04", "initial_assessment"), excluded] {
        let c = store
            .add_contact(
                &cm,
                ep.id,
                p.care_manager,
                &k.parse(&[Role::CareManager], cm.today).unwrap(),
                None,
            )
            .await
            .unwrap();
        logged.push(c.id);
    }

    let input = store
        .metrics_input(&cm, date!(2026 - 11 - 27))
        .await
        .unwrap();
    let rec = &input.patients[0];
    let screens: Vec<(time::Date, &str, bool)> = rec
        .screenings
        .iter()
        .map(|s| (s.on, s.instrument.code(), s.positive))
        .collect();
    assert_eq!(
        screens,
        [
            (date!(2026 - 09 - 02), "phq2", true),
            (date!(2026 - 09 - 03), "phq9", false),
            (date!(2026 - 09 - 03), "phq9", true),
            (date!(2026 - 09 - 03), "phq2", false),
        ]
    );
    let totals = |v: &[stepwise_domain::measurement::MeasuredScore]| -> Vec<Option<u16>> {
        v.iter().map(|s| s.total).collect()
    };
    assert_eq!(totals(&rec.episodes[0].phq9), [None, Some(18)]);
    let without = &input.patients[1];
    assert_eq!(without.patient, other.id);
    assert_eq!(totals(&without.phq9), [Some(9)]);
    assert_eq!(without.screenings.len(), 1);
    assert_eq!(without.visits, [date!(2026 - 09 - 20)]);
    let contacts: Vec<(time::Date, &str, u16, bool)> = rec.episodes[0]
        .contacts
        .iter()
        .map(|c| {
            (
                c.contact_on,
                c.kind.code(),
                c.minutes,
                c.counts_toward_care_management,
            )
        })
        .collect();
    assert_eq!(
        contacts,
        [
            (date!(2026 - 09 - 04), "initial_assessment", 20, true),
            (date!(2026 - 09 - 10), "follow_up", 20, false),
        ]
    );
    assert_eq!(
        rec.visits,
        [
            date!(2026 - 09 - 02),
            date!(2026 - 09 - 03),
            date!(2026 - 09 - 04),
            date!(2026 - 09 - 10),
        ]
    );
    // Records dated after the end of the period are left out.
    let early = store
        .metrics_input(&cm, date!(2026 - 09 - 03))
        .await
        .unwrap();
    assert_eq!(early.patients[0].screenings.len(), 4);
    assert!(early.patients[0].episodes[0].contacts.is_empty());
    assert!(early.patients[1].screenings.is_empty());

    // The stored summaries follow corrections: a response and a contact entered in error, and
    // a contact corrected by a later record, leave the metrics' input at once.
    store
        .mark_assessment_entered_in_error(&cm, recorded[0], "wrong patient")
        .await
        .unwrap();
    store
        .mark_contact_entered_in_error(&cm, logged[1], "duplicate")
        .await
        .unwrap();
    store
        .add_contact(
            &cm,
            ep.id,
            p.care_manager,
            &contact("2026-09-05", "initial_assessment")
                .parse(&[Role::CareManager], cm.today)
                .unwrap(),
            Some(logged[0]),
        )
        .await
        .unwrap();
    store
        .mark_assessment_entered_in_error(&cm, recorded.last().copied().unwrap(), "duplicate")
        .await
        .unwrap();
    let after = store
        .metrics_input(&cm, date!(2026 - 11 - 27))
        .await
        .unwrap();
    let rec = &after.patients[0];
    assert_eq!(rec.screenings.len(), 2);
    assert!(rec.screenings.iter().all(|s| s.instrument.code() == "phq9"));
    let days: Vec<time::Date> = rec.episodes[0]
        .contacts
        .iter()
        .map(|c| c.contact_on)
        .collect();
    assert_eq!(days, [date!(2026 - 09 - 05)]);
    assert_eq!(
        store.metric_summary_differences(p.id).await.unwrap(),
        Vec::<String>::new()
    );
    // The only response of the patient without an episode in error: nothing left to read.
    store
        .mark_assessment_entered_in_error(&cm, other_phq9.id, "wrong patient")
        .await
        .unwrap();
    let after = store
        .metrics_input(&cm, date!(2026 - 11 - 27))
        .await
        .unwrap();
    assert!(after.patients[1].screenings.is_empty());
    assert!(after.patients[1].phq9.is_empty());
    assert_eq!(
        store.metric_summary_differences(p.id).await.unwrap(),
        Vec::<String>::new()
    );
}

conformance!(metrics_read_the_registry, metrics_input_keeps_every_record);
