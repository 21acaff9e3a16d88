use super::*;
use crate::care_plan::CarePlan;
use crate::contact::ContactKind;
use crate::instruments::InstrumentId;
use crate::registry::{AssessmentRecord, ContactRecord, EpisodeFacts, EpisodeHistory, ManualFlags};
use crate::safety::{AlertKind, OpenAlert};
use proptest::prelude::*;
use time::macros::date;

struct Ep {
    program: Program,
    status: EpisodeStatus,
    enrolled_on: Option<Date>,
    plan: CarePlan,
    assessments: Vec<AssessmentRecord>,
    contacts: Vec<ContactRecord>,
    reviews: Vec<Date>,
    manual: ManualFlags,
    alerts: Vec<OpenAlert>,
}

impl Ep {
    fn cocm(enrolled: Date) -> Self {
        Ep {
            program: Program::Cocm,
            status: EpisodeStatus::Active,
            enrolled_on: Some(enrolled),
            plan: CarePlan::default(),
            assessments: vec![],
            contacts: vec![],
            reviews: vec![],
            manual: ManualFlags::default(),
            alerts: vec![],
        }
    }
    fn phq9(mut self, on: Date, total: u16, safety: Safety) -> Self {
        self.assessments.push(AssessmentRecord {
            instrument: InstrumentId::Phq9,
            administered_on: on,
            total: Some(total),
            safety,
        });
        self
    }
    fn contact(mut self, on: Date, kind: ContactKind, minutes: u16) -> Self {
        self.contacts.push(ContactRecord {
            contact_on: on,
            kind,
            minutes,
            counts_toward_care_management: true,
        });
        self
    }
    fn reviewed(mut self, on: Date) -> Self {
        self.reviews.push(on);
        self
    }
    fn facts(&self) -> EpisodeFacts {
        EpisodeFacts::from_history(&EpisodeHistory {
            program: self.program,
            status: self.status,
            referred_on: self.enrolled_on.unwrap_or(date!(2026 - 01 - 01)),
            enrolled_on: self.enrolled_on,
            care_plan: &self.plan,
            assessments: &self.assessments,
            contacts: &self.contacts,
            case_reviews: &self.reviews,
            manual_flags: self.manual,
            open_recommendations: 0,
            open_safety_alerts: &self.alerts,
        })
    }
    fn kinds(&self, today: Date) -> Vec<FlagKind> {
        flags(&self.facts(), today, &RegistrySettings::default())
            .into_iter()
            .map(|f| f.kind)
            .collect()
    }
}

const IA: ContactKind = ContactKind::InitialAssessment;
const FU: ContactKind = ContactKind::FollowUp;

/// A patient doing well: reviewed, followed up, improving. No flags.
fn doing_well() -> Ep {
    Ep::cocm(date!(2026 - 09 - 01))
        .contact(date!(2026 - 09 - 02), IA, 45)
        .phq9(date!(2026 - 09 - 02), 16, Safety::Clear)
        .contact(date!(2026 - 11 - 20), FU, 20)
        .phq9(date!(2026 - 11 - 20), 6, Safety::Clear)
        .reviewed(date!(2026 - 11 - 10))
}

#[test]
fn no_flags_when_all_is_well() {
    assert_eq!(doing_well().kinds(date!(2026 - 11 - 27)), vec![]);
}

#[test]
fn item9_on_initial_or_latest_flags_safety() {
    let ep = Ep::cocm(date!(2026 - 09 - 01))
        .contact(date!(2026 - 09 - 02), IA, 45)
        .phq9(date!(2026 - 09 - 02), 16, Safety::Alert)
        .phq9(date!(2026 - 10 - 02), 12, Safety::Clear)
        .phq9(date!(2026 - 11 - 20), 6, Safety::Clear);
    assert!(ep.kinds(date!(2026 - 11 - 27)).contains(&FlagKind::Safety));
    let latest = doing_well().phq9(date!(2026 - 11 - 21), 6, Safety::Alert);
    assert_eq!(latest.kinds(date!(2026 - 11 - 27))[0], FlagKind::Safety);
    let unknown = doing_well();
    let mut unknown = unknown;
    unknown.assessments.push(AssessmentRecord {
        instrument: InstrumentId::Phq9,
        administered_on: date!(2026 - 11 - 21),
        total: None,
        safety: Safety::Unknown,
    });
    assert_eq!(unknown.kinds(date!(2026 - 11 - 27))[0], FlagKind::Safety);
}

fn open_alert(instrument: InstrumentId, kind: AlertKind, items: &[u8], on: Date) -> OpenAlert {
    OpenAlert {
        instrument,
        kind,
        items: items.to_vec(),
        raised_on: on,
    }
}

/// An open alert keeps the safety flag up, whatever the PHQ-9 history says, and names itself
/// in the reason (reference instruments.md §1, §16.5).
#[test]
fn an_open_alert_raises_the_safety_flag() {
    let mut ep = doing_well();
    assert!(ep.kinds(date!(2026 - 11 - 27)).is_empty());
    ep.alerts.push(open_alert(
        InstrumentId::Epds,
        AlertKind::Positive,
        &[10],
        date!(2026 - 11 - 21),
    ));
    let f = flags(
        &ep.facts(),
        date!(2026 - 11 - 27),
        &RegistrySettings::default(),
    );
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].kind, FlagKind::Safety);
    assert_eq!(
        f[0].reason,
        "1 open safety alert: EPDS item 10 positive (raised 2026-11-21). Close it with the action taken"
    );
    // Two alerts, given newest first: listed oldest first, one flag.
    ep.alerts.insert(
        0,
        open_alert(
            InstrumentId::Phq9,
            AlertKind::Unanswered,
            &[9],
            date!(2026 - 11 - 25),
        ),
    );
    let f = flags(
        &ep.facts(),
        date!(2026 - 11 - 27),
        &RegistrySettings::default(),
    );
    assert_eq!(f.iter().filter(|f| f.kind == FlagKind::Safety).count(), 1);
    assert_eq!(
        f[0].reason,
        "2 open safety alerts: EPDS item 10 positive (raised 2026-11-21); PHQ-9 item 9 not answered (raised 2026-11-25). Close each with the action taken"
    );
    // It goes on the psychiatric review list for safety.
    assert_eq!(
        review_reasons(
            &ep.facts(),
            date!(2026 - 11 - 27),
            &RegistrySettings::default()
        ),
        vec![ReviewReason::Safety]
    );
}

/// While an alert is open its reason replaces the PHQ-9 one; once closed, the PHQ-9 rule of
/// [S54b] applies as before.
#[test]
fn the_phq9_rule_applies_when_no_alert_is_open() {
    let mut ep = doing_well().phq9(date!(2026 - 11 - 21), 6, Safety::Alert);
    let reason = |ep: &Ep| {
        flags(
            &ep.facts(),
            date!(2026 - 11 - 27),
            &RegistrySettings::default(),
        )[0]
        .reason
        .clone()
    };
    assert!(reason(&ep).starts_with("The latest PHQ-9 has item 9"));
    ep.alerts.push(open_alert(
        InstrumentId::Phq9,
        AlertKind::Positive,
        &[9],
        date!(2026 - 11 - 21),
    ));
    assert!(reason(&ep).starts_with("1 open safety alert: PHQ-9 item 9 positive"));
    ep.alerts.clear();
    assert!(reason(&ep).starts_with("The latest PHQ-9 has item 9"));
}

#[test]
fn closed_episodes_show_no_flag_even_with_an_open_alert() {
    let mut ep = doing_well();
    ep.alerts.push(open_alert(
        InstrumentId::Phq9,
        AlertKind::Positive,
        &[9],
        date!(2026 - 11 - 21),
    ));
    ep.status = EpisodeStatus::Discharged;
    assert!(ep.kinds(date!(2026 - 11 - 27)).is_empty());
}

/// Reference instruments.md §14: baseline 12 → 7 at week 11 is 41.7 %: not improving.
#[test]
fn not_improving_after_eight_weeks_under_fifty_percent() {
    let ep = Ep::cocm(date!(2026 - 09 - 01))
        .contact(date!(2026 - 09 - 07), IA, 45)
        .phq9(date!(2026 - 09 - 07), 12, Safety::Clear)
        .contact(date!(2026 - 11 - 23), FU, 20)
        .phq9(date!(2026 - 11 - 23), 7, Safety::Clear)
        .reviewed(date!(2026 - 11 - 10));
    let f = flags(
        &ep.facts(),
        date!(2026 - 11 - 23),
        &RegistrySettings::default(),
    );
    assert_eq!(f[0].kind, FlagKind::NotImproving);
    assert!(f[0].reason.contains("12 → 7"), "{}", f[0].reason);
    // 7 weeks and 6 days: not yet.
    assert!(
        !ep.kinds(date!(2026 - 11 - 01))
            .contains(&FlagKind::NotImproving)
    );
    // 18 → 9 is exactly 50 %: a response, no flag.
    let mut resp = ep;
    resp.assessments[0].total = Some(18);
    resp.assessments[1].total = Some(9);
    assert!(
        !resp
            .kinds(date!(2026 - 11 - 23))
            .contains(&FlagKind::NotImproving)
    );
}

#[test]
fn follow_up_overdue_after_the_interval() {
    // Interval 2 weeks from the last session on 20 Nov: due 4 Dec.
    let ep = doing_well();
    let facts = ep.facts();
    assert_eq!(
        follow_up_due(&facts, &RegistrySettings::default()),
        Some(date!(2026 - 12 - 04))
    );
    assert!(
        !ep.kinds(date!(2026 - 12 - 04))
            .contains(&FlagKind::FollowUpOverdue)
    );
    assert!(
        ep.kinds(date!(2026 - 12 - 05))
            .contains(&FlagKind::FollowUpOverdue)
    );
}

#[test]
fn first_follow_up_within_four_weeks_of_initial_assessment() {
    let mut ep = Ep::cocm(date!(2026 - 10 - 01)).contact(date!(2026 - 10 - 01), IA, 50);
    ep.plan.follow_up_weeks = 8;
    assert_eq!(
        follow_up_due(&ep.facts(), &RegistrySettings::default()),
        Some(date!(2026 - 10 - 29))
    );
}

#[test]
fn case_review_overdue_and_new() {
    let ep = Ep::cocm(date!(2026 - 09 - 01)).contact(date!(2026 - 11 - 20), IA, 45);
    let k = ep.kinds(date!(2026 - 11 - 27));
    assert!(k.contains(&FlagKind::CaseReviewOverdue));
    assert!(k.contains(&FlagKind::NewSinceLastReview));
    // Relapse prevention allows 2 months.
    let mut rp = doing_well();
    rp.status = EpisodeStatus::RelapsePrevention;
    assert!(
        !rp.kinds(date!(2027 - 01 - 09))
            .contains(&FlagKind::CaseReviewOverdue)
    );
    assert!(
        rp.kinds(date!(2027 - 01 - 11))
            .contains(&FlagKind::CaseReviewOverdue)
    );
    // General BHI has no psychiatric case review.
    let mut bhi = Ep::cocm(date!(2026 - 09 - 01)).contact(date!(2026 - 11 - 20), IA, 45);
    bhi.program = Program::GeneralBhi;
    let k = bhi.kinds(date!(2026 - 11 - 27));
    assert!(
        !k.contains(&FlagKind::CaseReviewOverdue) && !k.contains(&FlagKind::NewSinceLastReview)
    );
}

#[test]
fn near_billing_threshold_uses_the_month_type() {
    // Subsequent month (activity began in September): 25 minutes in November → 99493 at 31.
    let ep = doing_well().contact(date!(2026 - 11 - 24), FU, 5);
    let facts = ep.facts();
    let row = caseload_row(&facts, date!(2026 - 11 - 27), &RegistrySettings::default());
    assert_eq!(row.minutes_this_month, 25);
    assert_eq!(row.minutes_to_next_threshold, Some(6));
    assert_eq!(row.next_threshold_code.as_deref(), Some("99493"));
    assert!(
        row.flags
            .iter()
            .any(|f| f.kind == FlagKind::NearBillingThreshold)
    );
    // Initial month: 30 minutes → 99492 at 36.
    let first = Ep::cocm(date!(2026 - 11 - 02)).contact(date!(2026 - 11 - 03), IA, 30);
    let row = caseload_row(
        &first.facts(),
        date!(2026 - 11 - 27),
        &RegistrySettings::default(),
    );
    assert_eq!(row.next_threshold_code.as_deref(), Some("99492"));
    assert_eq!(row.minutes_to_next_threshold, Some(6));
}

#[test]
fn long_enrollment_at_nine_months() {
    let ep = Ep::cocm(date!(2026 - 02 - 27))
        .contact(date!(2026 - 11 - 20), FU, 20)
        .reviewed(date!(2026 - 11 - 20));
    assert!(
        ep.kinds(date!(2026 - 11 - 27))
            .contains(&FlagKind::LongEnrollment)
    );
    assert!(
        !ep.kinds(date!(2026 - 11 - 26))
            .contains(&FlagKind::LongEnrollment)
    );
}

#[test]
fn manual_flags_and_sorting() {
    let mut ep = doing_well();
    ep.manual = ManualFlags {
        safety_risk: true,
        for_discussion: true,
    };
    let k = ep.kinds(date!(2026 - 11 - 27));
    assert_eq!(k, vec![FlagKind::SafetyRisk, FlagKind::ForDiscussion]);
    let reasons = review_reasons(
        &ep.facts(),
        date!(2026 - 11 - 27),
        &RegistrySettings::default(),
    );
    assert_eq!(
        reasons,
        vec![ReviewReason::Safety, ReviewReason::ForDiscussion]
    );

    let today = date!(2026 - 11 - 27);
    let s = RegistrySettings::default();
    let mut rows = vec![
        ("Zed", caseload_row(&doing_well().facts(), today, &s)),
        ("Amy", caseload_row(&doing_well().facts(), today, &s)),
        ("Bob", caseload_row(&ep.facts(), today, &s)),
    ];
    sort_caseload(&mut rows, |r| &r.1, |r| r.0);
    let names: Vec<&str> = rows.iter().map(|r| r.0).collect();
    assert_eq!(names, ["Bob", "Amy", "Zed"]);
}

#[test]
fn closed_episodes_have_no_flags() {
    let mut ep = doing_well().phq9(date!(2026 - 11 - 21), 6, Safety::Alert);
    ep.status = EpisodeStatus::Discharged;
    assert!(ep.kinds(date!(2026 - 11 - 27)).is_empty());
}

#[test]
fn weeks_in_treatment_counts_first_to_last_session_plus_one() {
    let row = caseload_row(
        &doing_well().facts(),
        date!(2026 - 11 - 27),
        &RegistrySettings::default(),
    );
    // 2 Sep → 20 Nov is 11 weeks and 2 days: 11 + 1.
    assert_eq!(row.weeks_in_treatment, Some(12));
    assert_eq!(row.phq9_change_percent.map(|c| c.round()), Some(-63.0));
}

proptest! {
    /// Any PHQ-9 history whose latest response has item 9 positive is flagged for safety,
    /// and the safety flag always sorts first.
    #[test]
    fn latest_item9_always_flags_first(
        totals in proptest::collection::vec(0u16..=27, 1..6),
        day in 0i64..200,
    ) {
        let mut ep = Ep::cocm(date!(2026 - 01 - 05));
        for (i, t) in totals.iter().enumerate() {
            ep = ep.phq9(date!(2026 - 01 - 05) + Duration::weeks(i as i64), *t, Safety::Clear);
        }
        let last = ep.assessments.len() - 1;
        ep.assessments[last].safety = Safety::Alert;
        let today = date!(2026 - 03 - 01) + Duration::days(day);
        let f = flags(&ep.facts(), today, &RegistrySettings::default());
        prop_assert_eq!(f[0].kind, FlagKind::Safety);
    }
}

proptest! {
    /// Whatever the history, an open alert on an open episode flags safety, first.
    #[test]
    fn an_open_alert_always_flags_first(
        totals in proptest::collection::vec(0u16..=27, 0..6),
        unanswered in any::<bool>(),
        day in 0i64..200,
    ) {
        let mut ep = Ep::cocm(date!(2026 - 01 - 05));
        for (i, t) in totals.iter().enumerate() {
            ep = ep.phq9(date!(2026 - 01 - 05) + Duration::weeks(i as i64), *t, Safety::Clear);
        }
        let kind = if unanswered { AlertKind::Unanswered } else { AlertKind::Positive };
        ep.alerts.push(open_alert(InstrumentId::Phq9, kind, &[9], date!(2026 - 01 - 05)));
        let today = date!(2026 - 03 - 01) + Duration::days(day);
        let f = flags(&ep.facts(), today, &RegistrySettings::default());
        prop_assert_eq!(f[0].kind, FlagKind::Safety);
        prop_assert!(f[0].reason.contains("open safety alert"));
    }
}
