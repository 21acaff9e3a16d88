//! Each metric on hand-built fixtures with known answers, including empty periods and events
//! exactly on the window boundaries. Dates near a boundary are written relative to it.

use super::*;
use crate::contact::ContactKind;
use crate::episode::Program;
use crate::ids::{PatientId, SiteId, UserId};
use crate::instruments::InstrumentId;
use crate::measurement::MeasuredScore;
use crate::referral::{Referral, ReferralAction, ReferralContext, ReferralTarget, Sensitivity};
use crate::registry::ContactRecord;
use crate::resources::ResourceId;
use time::macros::date;
use time::{Date, Duration};
use uuid::Uuid;

const FROM: Date = date!(2026 - 01 - 01);
const TO: Date = date!(2026 - 03 - 31);

fn q1() -> Period {
    Period::new(FROM, TO).unwrap()
}

fn days(n: i64) -> Duration {
    Duration::days(n)
}

fn phq(on: Date, total: u16) -> MeasuredScore {
    MeasuredScore {
        on,
        total: Some(total),
        estimate: false,
    }
}

fn contact(on: Date, kind: ContactKind) -> ContactRecord {
    ContactRecord {
        contact_on: on,
        kind,
        minutes: 20,
        counts_toward_care_management: true,
    }
}

fn episode(referred_on: Date, enrolled_on: Option<Date>) -> EpisodeRecord {
    EpisodeRecord {
        program: Program::Cocm,
        referred_on,
        enrolled_on,
        closed_on: None,
        phq9: Vec::new(),
        contacts: Vec::new(),
        case_reviews: Vec::new(),
    }
}

fn patient(n: u128) -> PatientRecord {
    PatientRecord::new(PatientId(Uuid::from_u128(n)))
}

fn with_episodes(episodes: Vec<EpisodeRecord>) -> MetricsInput {
    MetricsInput {
        patients: episodes
            .into_iter()
            .enumerate()
            .map(|(i, e)| {
                let mut p = patient(i as u128);
                p.episodes.push(e);
                p
            })
            .collect(),
        care_managers: Vec::new(),
    }
}

fn run(code: MetricCode, input: &MetricsInput) -> (u32, u32, Option<f64>) {
    let r = compute(code, input, q1(), &MetricsFilter::default());
    assert_eq!(r.code, code);
    (r.numerator, r.denominator, r.value)
}

fn pct(n: u32, d: u32) -> (u32, u32, Option<f64>) {
    (n, d, Some(f64::from(n) * 100.0 / f64::from(d)))
}

fn screen(on: Date, instrument: InstrumentId, positive: bool) -> Screening {
    Screening {
        on,
        instrument,
        positive,
    }
}

#[test]
fn an_empty_period_gives_no_value_never_nan() {
    let mut input = MetricsInput::default();
    for r in compute_all(&input, q1(), &MetricsFilter::default()) {
        assert_eq!(
            (r.numerator, r.denominator, r.value),
            (0, 0, None),
            "{}",
            r.code
        );
    }
    // Records exist, but none falls in the period (a year later).
    let mut p = patient(1);
    p.visits.push(date!(2024 - 02 - 01));
    p.screenings
        .push(screen(date!(2024 - 02 - 01), InstrumentId::Phq9, true));
    let mut e = episode(date!(2024 - 02 - 01), Some(date!(2024 - 02 - 02)));
    e.closed_on = Some(date!(2024 - 06 - 01));
    e.phq9.push(phq(date!(2024 - 02 - 02), 15));
    p.episodes.push(e);
    input.patients.push(p);
    for r in compute_all(&input, q1(), &MetricsFilter::default()) {
        assert_eq!(r.denominator, 0, "{}", r.code);
        assert_eq!(r.value, None, "{}", r.code);
    }
    assert!(Period::new(TO, FROM).is_err());
}

#[test]
fn depression_screening_counts_patients_seen_aged_12_or_more() {
    let mut screened = patient(1);
    screened.visits.push(date!(2026 - 02 - 01));
    screened
        .screenings
        .push(screen(date!(2026 - 02 - 01), InstrumentId::Phq2, false));
    let mut not_screened = patient(2);
    not_screened.visits.push(date!(2026 - 03 - 31));
    let mut eleven = patient(3);
    eleven.birth_date = Some(date!(2014 - 01 - 02)); // 11 on 1 January 2026
    eleven.visits.push(date!(2026 - 02 - 01));
    let mut twelve = patient(4);
    twelve.birth_date = Some(date!(2014 - 01 - 01)); // 12 on 1 January 2026
    twelve.visits.push(date!(2026 - 02 - 01));
    twelve
        .screenings
        .push(screen(date!(2026 - 01 - 01), InstrumentId::Phq9, true));
    let mut not_seen = patient(5);
    not_seen
        .screenings
        .push(screen(date!(2026 - 02 - 01), InstrumentId::Phq9, false));
    let mut anxiety_only = patient(6);
    anxiety_only.visits.push(date!(2026 - 01 - 15));
    anxiety_only
        .screenings
        .push(screen(date!(2026 - 01 - 15), InstrumentId::Gad7, true));
    let input = MetricsInput {
        patients: vec![
            screened,
            not_screened,
            eleven,
            twelve,
            not_seen,
            anxiety_only,
        ],
        care_managers: Vec::new(),
    };
    assert_eq!(run(MetricCode::DepressionScreening, &input), pct(2, 4));
}

#[test]
fn screening_follow_up_within_30_days_at_the_boundaries() {
    let mut patients = Vec::new();
    // Window ends on the period's first day; follow-up on day 30 counts.
    let mut a = patient(1);
    let a_on = FROM - days(30);
    a.screenings.push(screen(a_on, InstrumentId::Phq2, true));
    let mut ae = episode(a_on, None);
    ae.contacts
        .push(contact(a_on + days(30), ContactKind::FollowUp));
    a.episodes.push(ae);
    patients.push(a);
    // Window ends on the period's last day; follow-up on day 31 does not count.
    let mut b = patient(2);
    let b_on = TO - days(30);
    b.screenings.push(screen(b_on, InstrumentId::Phq2, true));
    let mut be = episode(b_on - days(60), None);
    be.contacts
        .push(contact(b_on + days(31), ContactKind::FollowUp));
    b.episodes.push(be);
    patients.push(b);
    // Window ends the day after the period: not in this period.
    let mut c = patient(3);
    c.screenings
        .push(screen(TO - days(29), InstrumentId::Phq2, true));
    patients.push(c);
    // Positive PHQ-2 followed the same day by a complete PHQ-9.
    let mut d = patient(4);
    d.screenings
        .push(screen(date!(2026 - 01 - 10), InstrumentId::Phq2, true));
    d.phq9.push(phq(date!(2026 - 01 - 10), 12));
    patients.push(d);
    // Positive PHQ-9: the same PHQ-9 is not its own follow-up; an incomplete later one
    // is not either.
    let mut e = patient(5);
    e.screenings
        .push(screen(date!(2026 - 01 - 10), InstrumentId::Phq9, true));
    e.phq9.push(phq(date!(2026 - 01 - 10), 12));
    e.phq9.push(MeasuredScore {
        on: date!(2026 - 01 - 20),
        total: None,
        estimate: false,
    });
    patients.push(e);
    // Positive PHQ-9 and a referral sent 10 days later.
    let mut f = patient(6);
    f.screenings
        .push(screen(date!(2026 - 01 - 10), InstrumentId::Phq9, true));
    f.referrals.push(sent_referral(date!(2026 - 01 - 20), &[]));
    patients.push(f);
    let input = MetricsInput {
        patients,
        care_managers: Vec::new(),
    };
    assert_eq!(run(MetricCode::ScreeningFollowUp, &input), pct(3, 5));
}

#[test]
fn phq9_utilization_needs_a_diagnosis_a_visit_and_a_complete_phq9() {
    let seen = |n: u128, dx: Option<Date>| {
        let mut p = patient(n);
        p.depression_diagnosed_on = dx;
        p.visits.push(date!(2026 - 02 - 10));
        p
    };
    let mut a = seen(1, Some(date!(2025 - 06 - 01)));
    a.phq9.push(phq(date!(2026 - 03 - 31), 8));
    let mut b = seen(2, Some(date!(2025 - 06 - 01)));
    b.phq9.push(MeasuredScore {
        on: date!(2026 - 02 - 10),
        total: Some(9),
        estimate: true,
    });
    b.phq9.push(phq(date!(2025 - 12 - 31), 9));
    let mut c = seen(3, Some(date!(2026 - 04 - 01)));
    c.phq9.push(phq(date!(2026 - 02 - 10), 9));
    let d = seen(4, None);
    let mut e = seen(5, Some(date!(2026 - 03 - 31)));
    let mut ep = episode(date!(2026 - 01 - 05), Some(date!(2026 - 01 - 06)));
    ep.phq9.push(phq(date!(2026 - 01 - 06), 17));
    e.episodes.push(ep);
    let input = MetricsInput {
        patients: vec![a, b, c, d, e],
        care_managers: Vec::new(),
    };
    assert_eq!(run(MetricCode::Phq9Utilization, &input), pct(2, 3));
}

/// An enrolled episode with PHQ-9 scores at the given day offsets from `base`.
fn scored(base: Date, scores: &[(i64, u16)]) -> EpisodeRecord {
    let mut e = episode(base, Some(base));
    e.phq9 = scores
        .iter()
        .map(|(d, total)| phq(base + days(*d), *total))
        .collect();
    e
}

#[test]
fn drr_follow_up_response_and_remission_in_the_120_to_240_day_window() {
    // A: window ends on the first day; day 119 (4) is too early, day 120 (9) counts:
    // 18 → 9 is a response, not a remission; day 241 is too late.
    let a = scored(FROM - days(240), &[(0, 18), (119, 4), (120, 9), (241, 2)]);
    // B: window ends on the last day; day 240 = 4: response and remission.
    let b = scored(TO - days(240), &[(0, 20), (130, 12), (240, 4)]);
    // C: baseline 8 is not elevated (instruments.md §14 vector).
    let c = scored(FROM - days(200), &[(0, 8), (150, 2)]);
    // D: window ends the day after the period.
    let d = scored(TO - days(239), &[(0, 15), (150, 3)]);
    // E: no complete follow-up: an estimate in the window does not count.
    let mut e = scored(FROM - days(180), &[(0, 12)]);
    e.phq9.push(MeasuredScore {
        on: FROM - days(180) + days(150),
        total: Some(2),
        estimate: true,
    });
    // F: its only follow-up is on day 119, a day too early.
    let f = scored(FROM - days(220), &[(0, 16), (119, 3)]);
    let input = with_episodes(vec![a, b, c, d, e, f]);
    assert_eq!(run(MetricCode::Phq9FollowUp, &input), pct(2, 4));
    assert_eq!(run(MetricCode::Response, &input), pct(2, 4));
    assert_eq!(run(MetricCode::Remission, &input), pct(1, 4));
}

#[test]
fn drr_uses_the_latest_score_in_the_window() {
    // 18 → 9 (response) then 10 (no response) within the window: the latest decides.
    let a = scored(FROM - days(200), &[(0, 18), (125, 9), (200, 10)]);
    let input = with_episodes(vec![a]);
    assert_eq!(run(MetricCode::Response, &input), pct(0, 1));
    assert_eq!(run(MetricCode::Phq9FollowUp, &input), pct(1, 1));
}

#[test]
fn clinically_significant_improvement_below_10_or_halved() {
    let base = date!(2025 - 12 - 01);
    // Below 10 by the end of the period; the later 20 (after the period) is ignored.
    let a = scored(base, &[(0, 16), (90, 9), (140, 20)]);
    // 20 → 11: neither below 10 nor halved.
    let b = scored(base, &[(0, 20), (60, 11)]);
    // 22 → 11: halved although not below 10.
    let c = scored(base, &[(0, 22), (60, 11)]);
    // Baseline 9: not in the cohort.
    let d = scored(base, &[(0, 9), (60, 3)]);
    // Closed before the period.
    let mut e = scored(base, &[(0, 15), (10, 3)]);
    e.closed_on = Some(FROM - days(1));
    // Only the baseline: not (yet) improved.
    let f = scored(base, &[(0, 14)]);
    // Not enrolled.
    let mut g = scored(base, &[(0, 15), (20, 2)]);
    g.enrolled_on = None;
    let input = with_episodes(vec![a, b, c, d, e, f, g]);
    assert_eq!(
        run(MetricCode::ClinicallySignificantImprovement, &input),
        pct(2, 4)
    );
}

fn with_contacts(initial: Date, contacts: &[(i64, ContactKind)]) -> EpisodeRecord {
    let mut e = episode(initial, Some(initial));
    e.contacts = contacts
        .iter()
        .map(|(d, k)| contact(initial + days(*d), *k))
        .collect();
    e
}

#[test]
fn early_follow_up_within_4_and_2_weeks() {
    use ContactKind::*;
    // Window (28 days) ends on the first day; follow-up on day 28 counts.
    let a = with_contacts(FROM - days(28), &[(0, InitialAssessment), (28, FollowUp)]);
    // Window ends on the last day; day 29 is too late and an outreach attempt is no contact.
    let b = with_contacts(
        TO - days(28),
        &[(0, InitialAssessment), (5, OutreachAttempt), (29, FollowUp)],
    );
    // No follow-up at all; its 28-day window ends after the period.
    let c = with_contacts(TO - days(20), &[(0, InitialAssessment)]);
    // No initial assessment: the first session is the initial contact.
    let d = with_contacts(
        date!(2026 - 02 - 01),
        &[(0, FollowUp), (9, BriefIntervention)],
    );
    // A follow-up on the day of the initial assessment is not a later follow-up.
    let e = with_contacts(
        date!(2026 - 02 - 10),
        &[(0, InitialAssessment), (0, FollowUp)],
    );
    let input = with_episodes(vec![a, b, c, d, e]);
    assert_eq!(run(MetricCode::EarlyFollowUp4Weeks, &input), pct(2, 4));
    // 14-day windows: A ends in December (out), B–E end in the period; only D within 14.
    assert_eq!(run(MetricCode::EarlyFollowUp2Weeks, &input), pct(1, 4));
}

#[test]
fn consultation_for_non_responders_in_weeks_8_to_12() {
    use ContactKind::InitialAssessment;
    let start_a = FROM - days(84);
    // A: 20 → 15 by week 8 (25 %): not responding; reviewed on day 56.
    let mut a = with_contacts(start_a, &[(0, InitialAssessment)]);
    a.phq9 = vec![phq(start_a, 20), phq(start_a + days(50), 15)];
    a.case_reviews = vec![start_a + days(56)];
    // B: 20 → 9 by week 8: responding, not in the cohort.
    let start_b = TO - days(84);
    let mut b = with_contacts(start_b, &[(0, InitialAssessment)]);
    b.phq9 = vec![phq(start_b, 20), phq(start_b + days(56), 9)];
    // C: no follow-up score: not responding; reviews on days 55 and 85 are outside weeks 8–12.
    let start_c = date!(2025 - 12 - 15);
    let mut c = with_contacts(start_c, &[(0, InitialAssessment)]);
    c.phq9 = vec![phq(start_c, 18)];
    c.case_reviews = vec![start_c + days(55), start_c + days(85)];
    // D: closed at week 8: not in the cohort.
    let mut d = with_contacts(start_c, &[(0, InitialAssessment)]);
    d.phq9 = vec![phq(start_c, 18)];
    d.closed_on = Some(start_c + days(56));
    // E: week 12 ends the day after the period.
    let start_e = TO - days(83);
    let mut e = with_contacts(start_e, &[(0, InitialAssessment)]);
    e.phq9 = vec![phq(start_e, 18)];
    let input = with_episodes(vec![a, b, c, d, e]);
    assert_eq!(run(MetricCode::NonResponderConsultation, &input), pct(1, 2));
}

fn cm(n: u128) -> UserId {
    UserId(Uuid::from_u128(1000 + n))
}

fn caseload() -> MetricsInput {
    use ContactKind::*;
    let mut a = with_contacts(date!(2025 - 12 - 01), &[(40, FollowUp)]);
    a.case_reviews = vec![date!(2026 - 02 - 03)];
    let mut b = with_contacts(date!(2026 - 02 - 01), &[(5, BriefIntervention)]);
    b.closed_on = Some(date!(2026 - 03 - 10));
    b.case_reviews = vec![date!(2025 - 12 - 20)];
    let mut c = with_contacts(date!(2025 - 10 - 01), &[(10, FollowUp)]);
    c.closed_on = Some(FROM - days(1));
    let d = with_contacts(TO + days(1), &[(0, FollowUp)]);
    let e = with_contacts(date!(2026 - 01 - 10), &[(3, OutreachAttempt)]);
    let mut input = with_episodes(vec![a, b, c, d, e]);
    for p in &mut input.patients {
        p.assignments.care_manager = Some(cm(1));
    }
    input.care_managers = vec![
        CareManagerFte {
            care_manager: cm(1),
            site: None,
            fte_percent: 50,
        },
        CareManagerFte {
            care_manager: cm(2),
            site: None,
            fte_percent: 100,
        },
    ];
    input
}

#[test]
fn caseload_reviewed_and_contacted_in_the_period() {
    let input = caseload();
    assert_eq!(run(MetricCode::CaseloadReviewed, &input), pct(1, 3));
    assert_eq!(run(MetricCode::CaseloadContacted, &input), pct(2, 3));
}

#[test]
fn caseload_per_fte_counts_open_episodes_on_the_last_day() {
    let input = caseload();
    // Open on 31 March: A and E. All care managers: 150 % FTE.
    let all = compute(
        MetricCode::CaseloadPerFte,
        &input,
        q1(),
        &MetricsFilter::default(),
    );
    assert_eq!((all.numerator, all.denominator), (2, 150));
    assert!((all.value.unwrap() - 2.0 / 1.5).abs() < 1e-9);
    let one = MetricsFilter {
        care_manager: Some(cm(1)),
        ..Default::default()
    };
    let r = compute(MetricCode::CaseloadPerFte, &input, q1(), &one);
    assert_eq!((r.numerator, r.denominator, r.value), (2, 50, Some(4.0)));
    assert_eq!(r.unit, MetricUnit::PatientsPerFte);
}

#[test]
fn time_to_first_contact_is_the_median_of_days_to_the_first_session() {
    use ContactKind::*;
    let mut a = episode(date!(2026 - 01 - 10), None);
    a.contacts = vec![contact(date!(2026 - 01 - 17), InitialAssessment)];
    let mut b = episode(date!(2026 - 02 - 01), None);
    b.contacts = vec![
        contact(date!(2026 - 02 - 02), OutreachAttempt),
        contact(date!(2026 - 02 - 11), InitialAssessment),
    ];
    let mut c = episode(date!(2026 - 03 - 20), None);
    c.contacts = vec![contact(date!(2026 - 04 - 05), InitialAssessment)];
    let mut d = episode(FROM - days(1), None);
    d.contacts = vec![contact(FROM, InitialAssessment)];
    let mut e = episode(TO, None);
    e.contacts = vec![contact(TO, FollowUp)];
    let input = with_episodes(vec![a, b, c, d, e]);
    // Days 7, 10 and 0: median 7; C is referred in the period but not yet seen.
    let r = compute(
        MetricCode::TimeToFirstContact,
        &input,
        q1(),
        &MetricsFilter::default(),
    );
    assert_eq!((r.numerator, r.denominator, r.value), (3, 4, Some(7.0)));
    assert_eq!(r.unit, MetricUnit::Days);
    assert_eq!(super::result::median(vec![12, 3, 10, 7]), Some(8.5));
    assert_eq!(super::result::median(Vec::new()), None);
}

fn at(d: Date) -> time::OffsetDateTime {
    d.with_time(time::macros::time!(12:00)).assume_utc()
}

/// A referral sent on `sent`, then the given actions on the given dates.
fn sent_referral(sent: Date, then: &[(ReferralAction, Date)]) -> Referral {
    let by = UserId(Uuid::from_u128(1));
    let mut r = Referral::new(
        PatientId(Uuid::from_u128(1)),
        ReferralTarget::Partner {
            resource: ResourceId(Uuid::from_u128(2)),
        },
        Sensitivity::General,
        "Therapy",
        by,
        at(sent),
    )
    .unwrap();
    let ctx = ReferralContext::default();
    r.apply(ReferralAction::Send, by, at(sent), ctx).unwrap();
    for (action, on) in then {
        r.apply(action.clone(), by, at(*on), ctx).unwrap();
    }
    r
}

#[test]
fn referrals_scheduled_attended_and_closed() {
    let appointment = |d: Date| ReferralAction::Schedule { appointment_on: d };
    let r1 = sent_referral(
        date!(2026 - 01 - 05),
        &[
            (ReferralAction::Accept, date!(2026 - 01 - 06)),
            (appointment(date!(2026 - 01 - 20)), date!(2026 - 01 - 10)),
            (ReferralAction::RecordAttended, date!(2026 - 01 - 20)),
            (
                ReferralAction::Close {
                    feedback: "Seen; weekly therapy".into(),
                },
                date!(2026 - 02 - 01),
            ),
        ],
    );
    let r2 = sent_referral(
        date!(2026 - 02 - 01),
        &[
            (ReferralAction::Accept, date!(2026 - 02 - 03)),
            (appointment(date!(2026 - 03 - 15)), TO),
        ],
    );
    // Sent on the last day, scheduled after the period.
    let r3 = sent_referral(
        TO,
        &[
            (ReferralAction::Accept, TO),
            (appointment(date!(2026 - 04 - 20)), TO + days(1)),
        ],
    );
    // Sent before the period.
    let r4 = sent_referral(FROM - days(1), &[]);
    let mut p = patient(1);
    p.referrals = vec![r1, r2, r3, r4];
    let input = MetricsInput {
        patients: vec![p],
        care_managers: Vec::new(),
    };
    assert_eq!(run(MetricCode::ReferralScheduled, &input), pct(2, 3));
    assert_eq!(run(MetricCode::ReferralAttended, &input), pct(1, 3));
    assert_eq!(run(MetricCode::ReferralLoopClosed, &input), pct(1, 3));
}

#[test]
fn filters_and_groups_by_site_care_manager_and_practitioner() {
    let site = |n: u128| SiteId(Uuid::from_u128(n));
    let seen = |n: u128, s: u128, screened: bool| {
        let mut p = patient(n);
        p.assignments.site = Some(site(s));
        p.assignments.treating_practitioner = Some(UserId(Uuid::from_u128(500 + s)));
        p.visits.push(date!(2026 - 02 - 01));
        if screened {
            p.screenings
                .push(screen(date!(2026 - 02 - 01), InstrumentId::Phq2, false));
        }
        p
    };
    let mut input = MetricsInput {
        patients: vec![seen(1, 2, true), seen(2, 2, false), seen(3, 1, true)],
        care_managers: Vec::new(),
    };
    input.patients.push(patient(4)); // no site
    let by_site = groups(&input, GroupBy::Site);
    assert_eq!(by_site.len(), 2);
    assert_eq!(by_site[0].site, Some(site(1)));
    let values: Vec<Option<f64>> = by_site
        .iter()
        .map(|f| compute(MetricCode::DepressionScreening, &input, q1(), f).value)
        .collect();
    assert_eq!(values, [Some(100.0), Some(50.0)]);
    let practitioner = groups(&input, GroupBy::Practitioner);
    assert_eq!(
        practitioner[1].practitioner,
        Some(UserId(Uuid::from_u128(502)))
    );
    let r = compute(
        MetricCode::DepressionScreening,
        &input,
        q1(),
        &practitioner[1],
    );
    assert_eq!((r.numerator, r.denominator), (1, 2));
    assert!(groups(&input, GroupBy::CareManager).is_empty());
}

mod grouped {
    //! `compute_grouped` sorts patients into their groups in one pass; it must give, group by
    //! group, exactly what `compute_all` gives with that group's filter.
    use super::*;
    use crate::patient::Assignments;
    use proptest::prelude::*;

    const KINDS: [ContactKind; 4] = [
        ContactKind::InitialAssessment,
        ContactKind::FollowUp,
        ContactKind::OutreachAttempt,
        ContactKind::PsychiatricCaseReview,
    ];

    fn day(offset: i64) -> Date {
        FROM - days(200) + days(offset)
    }

    prop_compose! {
        fn arb_episode()(
            referred in 0i64..400,
            enrolled in proptest::option::of(0i64..60),
            closed in proptest::option::of(0i64..300),
            scores in proptest::collection::vec((0i64..400, 0u16..28), 0..5),
            contacts in proptest::collection::vec((0i64..400, 0usize..4), 0..6),
            reviews in proptest::collection::vec(0i64..400, 0..3),
        ) -> EpisodeRecord {
            let enrolled_on = enrolled.map(|e| day(referred + e));
            let mut scores: Vec<MeasuredScore> =
                scores.into_iter().map(|(d, t)| phq(day(d), t)).collect();
            scores.sort_by_key(|s| s.on);
            EpisodeRecord {
                program: Program::Cocm,
                referred_on: day(referred),
                enrolled_on,
                closed_on: enrolled_on.and(closed.map(|c| day(referred + 60 + c))),
                phq9: scores,
                contacts: contacts.into_iter().map(|(d, k)| contact(day(d), KINDS[k])).collect(),
                case_reviews: reviews.into_iter().map(day).collect(),
            }
        }
    }

    prop_compose! {
        fn arb_patient()(
            n in 0u128..1_000_000,
            site in proptest::option::of(0u128..3),
            cm in proptest::option::of(0u128..3),
            practitioner in proptest::option::of(0u128..3),
            screens in proptest::collection::vec((0i64..400, any::<bool>(), any::<bool>()), 0..4),
            episodes in proptest::collection::vec(arb_episode(), 0..3),
        ) -> PatientRecord {
            let mut p = patient(n);
            p.assignments = Assignments {
                site: site.map(|s| SiteId(Uuid::from_u128(100 + s))),
                care_manager: cm.map(|c| UserId(Uuid::from_u128(200 + c))),
                treating_practitioner: practitioner.map(|t| UserId(Uuid::from_u128(300 + t))),
            };
            p.birth_date = Some(date!(1980 - 01 - 01));
            for (d, positive, phq9) in screens {
                let on = day(d);
                p.visits.push(on);
                let instrument = if phq9 { InstrumentId::Phq9 } else { InstrumentId::Phq2 };
                p.screenings.push(Screening { on, instrument, positive });
                if phq9 {
                    p.phq9.push(phq(on, if positive { 14 } else { 3 }));
                }
            }
            p.visits.sort_unstable();
            p.visits.dedup();
            p.episodes = episodes;
            p
        }
    }

    proptest! {
        #[test]
        fn grouped_equals_one_filter_at_a_time(
            patients in proptest::collection::vec(arb_patient(), 0..25),
            ftes in proptest::collection::vec((0u128..3, proptest::option::of(0u128..3), 10u16..=100), 0..3),
        ) {
            let input = MetricsInput {
                patients,
                care_managers: ftes
                    .into_iter()
                    .map(|(c, s, f)| CareManagerFte {
                        care_manager: UserId(Uuid::from_u128(200 + c)),
                        site: s.map(|s| SiteId(Uuid::from_u128(100 + s))),
                        fte_percent: f,
                    })
                    .collect(),
            };
            for by in [GroupBy::Site, GroupBy::CareManager, GroupBy::Practitioner] {
                let grouped = compute_grouped(&input, q1(), by);
                let filters = groups(&input, by);
                prop_assert_eq!(grouped.len(), filters.len());
                for ((f, results), expected) in grouped.iter().zip(&filters) {
                    prop_assert_eq!(f, expected);
                    prop_assert_eq!(results, &compute_all(&input, q1(), f));
                }
            }
        }
    }
}
