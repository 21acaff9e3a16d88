//! What happens to each demo patient, as a list of dated acts: screenings, referral, consent,
//! enrollment, contacts, responses, status changes, flags and corrections. Plans are pure
//! (seed and `today` in, acts out); `run.rs` carries them out through the store's operations,
//! in date order, together with the weekly case reviews, which depend on the registry as it
//! stands on the review day.
//!
//! Most patients follow a course drawn from the mix below (improving, remitting, plateauing,
//! relapsing, dropping out, lapsing…). A few are *anchors*, placed relative to `today` so that
//! every registry flag and every case-review reason is present on `today` whatever the date
//! (see [`Kind`]); the rest make the registry look like a practice's.

use super::text::*;
use crate::answers;
use crate::people::{Person, person};
use crate::rng::Rng;
use std::collections::HashSet;
use stepwise_domain::assessment::AdministrationMode;
use stepwise_domain::calendar::{YearMonth, add_months};
use stepwise_domain::care_plan::CarePlan;
use stepwise_domain::contact::{ContactKind, MinutesExclusion, Modality};
use stepwise_domain::episode::{ConsentMethod, DischargeReason, Program, Transition};
use stepwise_domain::instruments::InstrumentId;
use time::{Date, Duration, Weekday};

/// Who carries out an act: the patient's care manager or treating practitioner, or the MA.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Staff {
    CareManager,
    Practitioner,
    Ma,
}

#[derive(Debug, Clone)]
pub(super) struct ContactAct {
    pub(super) ep: usize,
    pub(super) staff: Staff,
    pub(super) kind: ContactKind,
    pub(super) modality: Modality,
    pub(super) minutes: u16,
    pub(super) exclusion: Option<MinutesExclusion>,
    pub(super) note: Option<&'static str>,
    /// A handle for a later correction of this contact.
    pub(super) key: Option<u8>,
}

/// One thing that happens to a patient; `ep` is the patient's episode, counted from 0.
#[derive(Debug, Clone)]
pub(super) enum Act {
    /// The front desk registers the patient (site and treating practitioner).
    Register,
    /// The care manager takes the patient on (patient record updated).
    AssignCareManager,
    /// A screening at a visit, recorded by the MA, outside any episode.
    Screen {
        instrument: InstrumentId,
        answers: Vec<Option<u8>>,
    },
    Refer {
        ep: usize,
        program: Program,
    },
    Consent {
        ep: usize,
        method: ConsentMethod,
    },
    Transition {
        ep: usize,
        change: Transition,
    },
    CarePlan {
        ep: usize,
        plan: CarePlan,
    },
    Contact(ContactAct),
    Assess {
        ep: usize,
        instrument: InstrumentId,
        answers: Vec<Option<u8>>,
        mode: AdministrationMode,
        key: Option<u8>,
    },
    /// Set (`Some(true)`), clear (`Some(false)`) or leave (`None`) each manual flag.
    Flags {
        ep: usize,
        safety_risk: Option<bool>,
        for_discussion: Option<bool>,
    },
    ContactInError {
        key: u8,
        reason: &'static str,
    },
    /// Re-enter the contact `key` with the right minutes; the old one is marked in error.
    CorrectContact {
        key: u8,
        minutes: u16,
    },
    AssessmentInError {
        key: u8,
        reason: &'static str,
    },
    RevokeConsent {
        ep: usize,
        note: &'static str,
    },
}

pub(super) struct PatientPlan {
    pub(super) person: Person,
    pub(super) site: usize,
    /// Index into `staff::PRACTITIONERS`.
    pub(super) practitioner: usize,
    /// Index into `staff::CARE_MANAGERS`.
    pub(super) care_manager: usize,
    /// The consultant discusses this patient at most once (so that a review is overdue).
    pub(super) review_hold: bool,
    pub(super) acts: Vec<(Date, Act)>,
}

/// The case review meets every Wednesday.
pub(super) const REVIEW_DAY: Weekday = Weekday::Wednesday;

/// Days of history before `today` (about ten months: the longest enrollment is nine).
const HISTORY_DAYS: i64 = 300;

/// The demo's dates, all relative to `today`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Calendar {
    pub(super) today: Date,
    pub(super) start: Date,
    /// The last case review before `today` (reviews are held on days before `today`).
    pub(super) last_review: Date,
}

impl Calendar {
    pub(super) fn new(today: Date) -> Self {
        let mut last_review = today - Duration::days(1);
        while last_review.weekday() != REVIEW_DAY {
            last_review -= Duration::days(1);
        }
        Self {
            today,
            start: today - Duration::days(HISTORY_DAYS),
            last_review,
        }
    }

    /// Weekly reviews from the second week of the program until yesterday.
    pub(super) fn is_review_day(&self, d: Date) -> bool {
        d.weekday() == REVIEW_DAY && d >= self.start + Duration::days(7) && d < self.today
    }

    fn days_ago(&self, days: i64) -> Date {
        self.today - Duration::days(days)
    }
}

/// The courses patients take. The anchors (last group) are dated from `today`, so that on
/// `today` each flag and each case-review reason is shown by at least one patient of each
/// care manager.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    ScreenOnly,
    ReferredPending,
    ReferredUnreached,
    DeclinedAtOutreach,
    Improving,
    Remitting,
    GoalMet,
    Plateau,
    Relapse,
    Specialty,
    DeclinedInTreatment,
    LostToFollowUp,
    Lapsed,
    LapsedReturned,
    Drifting,
    Bhi,
    BhiDischarged,
    /// Item 9 positive on the latest PHQ-9: flag "safety", review reason "safety".
    SafetyLatest,
    /// Flagged "safety risk" by hand.
    SafetyRiskFlag,
    /// Flagged "for discussion" after the last review.
    ForDiscussionFlag,
    /// Thirteen weeks in treatment without improvement.
    NotImproving,
    /// Discussed once, months ago, and not since: review overdue.
    ReviewOverdue,
    /// Enrolled after the last review: new.
    NewEnrollee,
    /// General BHI with a few minutes short of 99484 this month.
    NearThresholdBhi,
    /// Enrolled nine months ago and still in treatment.
    LongEnrollment,
    /// Last session three and a half weeks ago on a two-week schedule.
    FollowUpOverdue,
}

/// How many patients take each course (150 in all).
const MIX: &[(Kind, u32)] = &[
    (Kind::ScreenOnly, 27),
    (Kind::ReferredPending, 4),
    (Kind::ReferredUnreached, 2),
    (Kind::DeclinedAtOutreach, 3),
    (Kind::Improving, 32),
    (Kind::Remitting, 10),
    (Kind::GoalMet, 12),
    (Kind::Plateau, 8),
    (Kind::Relapse, 3),
    (Kind::Specialty, 4),
    (Kind::DeclinedInTreatment, 3),
    (Kind::LostToFollowUp, 3),
    (Kind::Lapsed, 4),
    (Kind::LapsedReturned, 2),
    (Kind::Drifting, 5),
    (Kind::Bhi, 6),
    (Kind::BhiDischarged, 3),
    (Kind::SafetyLatest, 2),
    (Kind::SafetyRiskFlag, 2),
    (Kind::ForDiscussionFlag, 2),
    (Kind::NotImproving, 2),
    (Kind::ReviewOverdue, 2),
    (Kind::NewEnrollee, 3),
    (Kind::NearThresholdBhi, 2),
    (Kind::LongEnrollment, 2),
    (Kind::FollowUpOverdue, 2),
];

impl Kind {
    fn is_anchor(self) -> bool {
        matches!(
            self,
            Kind::SafetyLatest
                | Kind::SafetyRiskFlag
                | Kind::ForDiscussionFlag
                | Kind::NotImproving
                | Kind::ReviewOverdue
                | Kind::NewEnrollee
                | Kind::NearThresholdBhi
                | Kind::LongEnrollment
                | Kind::FollowUpOverdue
        )
    }
}

/// The acts of one patient, and the counters that name their episodes and records.
struct Script<'a> {
    rng: &'a mut Rng,
    acts: Vec<(Date, Act)>,
    registered: bool,
    assigned: bool,
    episodes: usize,
    keys: u8,
    goals: Option<&'static str>,
    /// The care manager is a licensed therapist (an LCSW) who also gives psychotherapy.
    therapist: bool,
}

impl Script<'_> {
    fn at(&mut self, d: Date, act: Act) {
        self.acts.push((d, act));
    }

    fn register(&mut self, d: Date) {
        if !self.registered {
            self.registered = true;
            self.at(d, Act::Register);
        }
    }

    fn key(&mut self) -> u8 {
        self.keys += 1;
        self.keys
    }

    fn screen(&mut self, d: Date, instrument: InstrumentId, total: u16) {
        self.register(d);
        let answers = answers::answers(self.rng, instrument, total);
        self.at(
            d,
            Act::Screen {
                instrument,
                answers,
            },
        );
    }

    /// A referral; the care manager takes on the patient at their first referral.
    fn refer(&mut self, d: Date, program: Program) -> usize {
        self.register(d);
        let ep = self.episodes;
        self.episodes += 1;
        self.at(d, Act::Refer { ep, program });
        if !self.assigned {
            self.assigned = true;
            self.at(d, Act::AssignCareManager);
        }
        ep
    }

    #[allow(clippy::too_many_arguments)]
    fn contact(
        &mut self,
        d: Date,
        ep: usize,
        staff: Staff,
        kind: ContactKind,
        modality: Modality,
        minutes: u16,
        note: Option<&'static str>,
    ) {
        self.at(
            d,
            Act::Contact(ContactAct {
                ep,
                staff,
                kind,
                modality,
                minutes,
                exclusion: None,
                note,
                key: None,
            }),
        );
    }

    fn minutes(&mut self, lo: i64, hi: i64) -> u16 {
        self.rng.int(lo, hi) as u16
    }

    fn outreach(&mut self, d: Date, ep: usize) {
        let staff = if self.rng.chance(0.4) {
            Staff::Ma
        } else {
            Staff::CareManager
        };
        let modality = if self.rng.chance(0.7) {
            Modality::Phone
        } else {
            Modality::PortalMessage
        };
        let minutes = self.minutes(3, 8);
        let note = *self.rng.pick(OUTREACH_NOTES);
        self.contact(
            d,
            ep,
            staff,
            ContactKind::OutreachAttempt,
            modality,
            minutes,
            Some(note),
        );
    }

    fn assess(&mut self, d: Date, ep: usize, instrument: InstrumentId, answers: Vec<Option<u8>>) {
        let mode = *self.rng.weighted(&[
            (AdministrationMode::Phone, 5),
            (AdministrationMode::Clinic, 3),
            (AdministrationMode::SelfReport, 2),
        ]);
        self.at(
            d,
            Act::Assess {
                ep,
                instrument,
                answers,
                mode,
                key: None,
            },
        );
    }

    fn phq9(&mut self, d: Date, ep: usize, total: u16, item9: u8) {
        let answers = answers::phq9(self.rng, total, item9);
        self.assess(d, ep, InstrumentId::Phq9, answers);
    }

    fn gad7(&mut self, d: Date, ep: usize, total: u16) {
        let answers = answers::gad7(self.rng, total);
        self.assess(d, ep, InstrumentId::Gad7, answers);
    }

    fn transition(&mut self, d: Date, ep: usize, change: Transition) {
        self.at(d, Act::Transition { ep, change });
    }

    /// The care plan with its follow-up interval; the patient's goals, once chosen, stay.
    fn care_plan(&mut self, d: Date, ep: usize, instrument: InstrumentId, weeks: u8) {
        let goals = match self.goals {
            Some(g) => g,
            None => *self.goals.insert(*self.rng.pick(GOALS)),
        };
        let goals = Some(goals.to_owned());
        self.at(
            d,
            Act::CarePlan {
                ep,
                plan: CarePlan {
                    target_instrument: instrument,
                    target_below: 5,
                    follow_up_weeks: weeks,
                    goals,
                },
            },
        );
    }

    /// Referral by the PCP, a call from the care manager, consent and enrollment.
    fn enroll(&mut self, referred: Date, enrolled: Date, ep: usize) {
        if enrolled > referred {
            let minutes = self.minutes(6, 12);
            let on = referred + Duration::days(self.rng.int(0, (enrolled - referred).whole_days()));
            self.contact(
                on,
                ep,
                Staff::CareManager,
                ContactKind::OutreachAttempt,
                Modality::Phone,
                minutes,
                Some("Introduced the program and explained cost sharing."),
            );
        }
        let method = if enrolled == referred || self.rng.chance(0.3) {
            ConsentMethod::Written
        } else {
            ConsentMethod::Verbal
        };
        self.at(enrolled, Act::Consent { ep, method });
        self.transition(enrolled, ep, Transition::Enroll);
    }

    /// The last PHQ-9 of an episode, made to answer item 9 above "not at all".
    fn item9_on_last(&mut self, ep: usize) {
        let last = self.acts.iter_mut().rev().find_map(|(_, a)| match a {
            Act::Assess {
                ep: e,
                instrument: InstrumentId::Phq9,
                answers,
                ..
            } if *e == ep => Some(answers),
            _ => None,
        });
        if let Some(answers) = last {
            let total: u16 = answers
                .iter()
                .take(9)
                .map(|a| u16::from(a.unwrap_or(0)))
                .sum();
            *answers = answers::phq9(self.rng, total.max(6), 1);
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Course {
    /// PHQ-9 below 5 by week `by`.
    Remit {
        by: f64,
    },
    /// Down to `floor` × baseline by week `by`, never below 5.
    Respond {
        by: f64,
        floor: f64,
    },
    /// Down to `frac` × baseline by week 10.
    Partial {
        frac: f64,
    },
    Flat,
}

impl Course {
    fn remits(self) -> bool {
        matches!(self, Course::Remit { .. })
    }

    /// The expected PHQ-9 `weeks` after the initial assessment. Improvement is fastest in the
    /// first weeks (the curve `t(2 − t)`); only `+ − × /` are used, whose results are the same
    /// on every platform (unlike `powf`), so a seed gives the same scores everywhere.
    fn expected(self, baseline: f64, weeks: f64) -> f64 {
        let eased = |t: f64| {
            let t = t.min(1.0);
            t * (2.0 - t)
        };
        match self {
            Course::Remit { by } => baseline - (baseline - 2.5) * eased(weeks / by),
            Course::Respond { by, floor } => {
                baseline - (baseline - floor * baseline) * eased(weeks / by)
            }
            Course::Partial { frac } => {
                baseline - baseline * (1.0 - frac) * (weeks / 10.0).min(1.0)
            }
            Course::Flat => baseline,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Ending {
    /// Still in care on `today` (in relapse prevention once remitted).
    Open,
    GoalMet {
        rp_weeks: i64,
    },
    /// Remits, then relapses `after_rp_weeks` into relapse prevention and returns to treatment.
    Relapse {
        after_rp_weeks: i64,
    },
    Specialty {
        at_week: i64,
    },
    Declined {
        at_week: i64,
    },
    LostToFollowUp {
        at_week: i64,
    },
    /// No services after week `last_week`: the lapse job closes the episode six months on.
    Lapse {
        last_week: i64,
    },
}

/// A Collaborative Care episode, from referral to its end or `today`.
#[derive(Debug, Clone, Copy)]
struct Cocm {
    referred: Date,
    /// Days from referral to consent and enrollment, then to the initial assessment.
    enroll_days: i64,
    start_days: i64,
    baseline: u16,
    anxiety: Option<u16>,
    course: Course,
    ending: Ending,
    interval: u8,
    /// No session after this date.
    stop: Date,
    /// Sessions exactly every `interval` weeks, none missed, no corrections.
    exact: bool,
    item9_baseline: bool,
    item9_last: bool,
    psychotherapy: bool,
    inpatient_at: Option<u32>,
    for_discussion_week: Option<i64>,
}

impl Cocm {
    fn new(rng: &mut Rng, referred: Date, today: Date) -> Self {
        let baseline = rng.int(10, 22) as u16;
        Self {
            referred,
            enroll_days: rng.int(1, 7),
            start_days: rng.int(0, 5),
            baseline,
            anxiety: rng.chance(0.5).then(|| rng.int(8, 17) as u16),
            course: Course::Respond {
                by: rng.int(4, 9) as f64,
                floor: 0.25 + rng.unit() * 0.2,
            },
            ending: Ending::Open,
            interval: if baseline >= 20 && rng.chance(0.3) {
                1
            } else {
                2
            },
            stop: today,
            exact: false,
            item9_baseline: baseline >= 18 && rng.chance(0.2),
            item9_last: false,
            psychotherapy: rng.chance(0.08),
            inpatient_at: rng.chance(0.05).then(|| rng.int(2, 5) as u32),
            for_discussion_week: None,
        }
    }

    /// The initial assessment: the day treatment starts.
    fn start(&self) -> Date {
        self.referred + Duration::days(self.enroll_days + self.start_days)
    }
}

/// A correction planned on one session of an episode.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Slip {
    Duplicate,
    MinutesTypo,
    WrongPatient,
}

/// Write a Collaborative Care episode; returns the date of its last service.
fn cocm(s: &mut Script, spec: &Cocm) -> Date {
    let r = spec.referred;
    s.screen(
        r,
        InstrumentId::Phq9,
        spec.baseline.saturating_sub(1).max(10),
    );
    let ep = s.refer(r, Program::Cocm);
    let enrolled = r + Duration::days(spec.enroll_days);
    s.enroll(r, enrolled, ep);
    let a = spec.start();
    s.transition(a, ep, Transition::StartTreatment);
    let mut interval = spec.interval;
    s.care_plan(a, ep, InstrumentId::Phq9, interval);
    let ia_minutes = s.minutes(40, 60);
    let modality = *s
        .rng
        .pick(&[Modality::InPerson, Modality::InPerson, Modality::Video]);
    s.contact(
        a,
        ep,
        Staff::CareManager,
        ContactKind::InitialAssessment,
        modality,
        ia_minutes,
        Some("Initial assessment: history, goals, safety screen, treatment options."),
    );
    let b = spec.baseline;
    s.phq9(a, ep, b, u8::from(spec.item9_baseline));
    if let Some(g) = spec.anxiety {
        s.gad7(a, ep, g);
    }
    if spec.item9_baseline && !spec.exact {
        s.at(
            a,
            Act::Flags {
                ep,
                safety_risk: Some(true),
                for_discussion: None,
            },
        );
    }
    let slip = (!spec.exact && s.rng.chance(0.14)).then(|| {
        (
            *s.rng
                .pick(&[Slip::Duplicate, Slip::MinutesTypo, Slip::WrongPatient]),
            s.rng.int(1, 4) as u32,
        )
    });

    let mut d = a;
    let mut last_service = a;
    let mut n: u32 = 0;
    let mut low = 0;
    let mut in_rp: Option<Date> = None;
    let mut relapsed: Option<(Date, u16)> = None;
    let mut flagged = false;
    let mut safety_cleared = !spec.item9_baseline || spec.exact;
    loop {
        let jitter = if spec.exact { 0 } else { s.rng.int(-2, 1) };
        let next = d + Duration::days(i64::from(interval) * 7 + jitter);
        if next > spec.stop {
            break;
        }
        d = next;
        n += 1;
        let weeks = (d - a).whole_days() / 7;
        match spec.ending {
            Ending::Specialty { at_week } if weeks >= at_week => {
                s.contact(
                    d,
                    ep,
                    Staff::CareManager,
                    ContactKind::CareCoordination,
                    Modality::Phone,
                    20,
                    Some("Referred to the community mental health center for psychotherapy and medication management."),
                );
                s.transition(
                    d,
                    ep,
                    Transition::Discharge {
                        reason: DischargeReason::ReferredToSpecialtyCare,
                    },
                );
                return d;
            }
            Ending::Declined { at_week } if weeks >= at_week => {
                s.contact(
                    d,
                    ep,
                    Staff::CareManager,
                    ContactKind::FollowUp,
                    Modality::Phone,
                    10,
                    Some("Patient no longer wishes to take part; knows how to re-engage."),
                );
                s.at(
                    d,
                    Act::RevokeConsent {
                        ep,
                        note: "Withdrew from care management by phone.",
                    },
                );
                s.transition(
                    d,
                    ep,
                    Transition::Discharge {
                        reason: DischargeReason::PatientDeclined,
                    },
                );
                return d;
            }
            Ending::LostToFollowUp { at_week } if weeks >= at_week => {
                for k in 0..3 {
                    s.outreach(d + Duration::days(7 * k), ep);
                }
                let end = d + Duration::days(21);
                s.transition(
                    end,
                    ep,
                    Transition::Discharge {
                        reason: DischargeReason::LostToFollowUp,
                    },
                );
                return end;
            }
            Ending::Lapse { last_week } if weeks > last_week => return last_service,
            _ => {}
        }
        if !spec.exact && s.rng.chance(0.08) {
            s.outreach(d, ep);
            d += Duration::days(s.rng.int(2, 4));
            if d > spec.stop {
                break;
            }
        }

        // This session's PHQ-9.
        let base = f64::from(b);
        let expected = match relapsed {
            Some((on, level)) => f64::from(level) - ((d - on).whole_days() as f64 / 7.0) * 0.4,
            None => spec.course.expected(base, weeks as f64),
        };
        let noise = if in_rp.is_some() || (spec.course.remits() && low > 0) {
            s.rng.int(-1, 1)
        } else {
            s.rng.int(-2, 2)
        };
        // Only a remitting course goes below 5 (remission); the others respond at best.
        let floor = if spec.course.remits() && relapsed.is_none() {
            0.0
        } else {
            5.0
        };
        let mut score = (expected + noise as f64).round().clamp(floor, 27.0) as u16;
        let mut relapse_now = false;
        if let (Some(rp), Ending::Relapse { after_rp_weeks }) = (in_rp, spec.ending)
            && relapsed.is_none()
            && (d - rp).whole_days() >= after_rp_weeks * 7
        {
            score = s.rng.int(11, 15) as u16;
            relapse_now = true;
        }
        let item9 = u8::from(!spec.exact && score >= 15 && s.rng.chance(0.03));

        // The session itself.
        let remission_now = in_rp.is_none()
            && relapsed.is_none()
            && spec.course.remits()
            && score < 5
            && low >= 1
            && weeks >= 6;
        let (kind, minutes, note) = if remission_now {
            (
                ContactKind::RelapsePreventionPlanning,
                s.minutes(30, 45),
                "Wrote the relapse-prevention plan together.",
            )
        } else if s.rng.chance(0.2) {
            (
                ContactKind::BriefIntervention,
                s.minutes(25, 40),
                *s.rng.pick(BRIEF_INTERVENTION_NOTES),
            )
        } else {
            (
                ContactKind::FollowUp,
                s.minutes(15, 35),
                *s.rng.pick(FOLLOW_UP_NOTES),
            )
        };
        let modality = *s.rng.weighted(&[
            (Modality::Phone, 5),
            (Modality::Video, 3),
            (Modality::InPerson, 2),
        ]);
        match slip {
            Some((what, at)) if at == n => {
                let key = s.key();
                let typo = what == Slip::MinutesTypo;
                s.at(
                    d,
                    Act::Contact(ContactAct {
                        ep,
                        staff: Staff::CareManager,
                        kind,
                        modality,
                        minutes: if typo { minutes * 10 } else { minutes },
                        exclusion: None,
                        note: Some(note),
                        key: Some(key),
                    }),
                );
                match what {
                    Slip::MinutesTypo => s.at(d, Act::CorrectContact { key, minutes }),
                    Slip::Duplicate => {
                        let dup = s.key();
                        s.at(
                            d,
                            Act::Contact(ContactAct {
                                ep,
                                staff: Staff::CareManager,
                                kind,
                                modality,
                                minutes,
                                exclusion: None,
                                note: Some(note),
                                key: Some(dup),
                            }),
                        );
                        s.at(
                            d,
                            Act::ContactInError {
                                key: dup,
                                reason: "Duplicate entry",
                            },
                        );
                    }
                    Slip::WrongPatient => {
                        let key = s.key();
                        let total = s.rng.int(3, 20) as u16;
                        let answers = answers::phq9(s.rng, total, 0);
                        s.at(
                            d,
                            Act::Assess {
                                ep,
                                instrument: InstrumentId::Phq9,
                                answers,
                                mode: AdministrationMode::Phone,
                                key: Some(key),
                            },
                        );
                        s.at(
                            d,
                            Act::AssessmentInError {
                                key,
                                reason: "Entered on the wrong patient's chart",
                            },
                        );
                    }
                }
            }
            _ => s.contact(
                d,
                ep,
                Staff::CareManager,
                kind,
                modality,
                minutes,
                Some(note),
            ),
        }
        s.phq9(d, ep, score, item9);
        if let Some(g) = spec.anxiety
            && n.is_multiple_of(2)
        {
            let ratio = f64::from(score) / base;
            let total = (f64::from(g) * ratio + s.rng.int(-1, 1) as f64)
                .round()
                .clamp(0.0, 21.0) as u16;
            s.gad7(d, ep, total);
        }
        last_service = d;
        let goal_met = matches!(
            (in_rp, spec.ending),
            (Some(rp), Ending::GoalMet { rp_weeks }) if (d - rp).whole_days() >= rp_weeks * 7
        );
        if goal_met {
            s.transition(
                d,
                ep,
                Transition::Discharge {
                    reason: DischargeReason::GoalMet,
                },
            );
            return d;
        }

        // Work around the session.
        if s.rng.chance(0.25) {
            let on = d + Duration::days(s.rng.int(1, 3));
            let staff = if s.rng.chance(0.3) {
                Staff::Practitioner
            } else {
                Staff::CareManager
            };
            let minutes = s.minutes(8, 20);
            let note = *s.rng.pick(COORDINATION_NOTES);
            s.contact(
                on,
                ep,
                staff,
                ContactKind::CareCoordination,
                Modality::Phone,
                minutes,
                Some(note),
            );
            last_service = on;
        }
        if spec.psychotherapy && s.therapist && n % 2 == 1 {
            let on = d + Duration::days(1);
            s.at(
                on,
                Act::Contact(ContactAct {
                    ep,
                    staff: Staff::CareManager,
                    kind: ContactKind::Other,
                    modality: Modality::InPerson,
                    minutes: 45,
                    exclusion: Some(MinutesExclusion::SeparatelyBilled),
                    note: Some("Psychotherapy, 45 minutes, billed separately."),
                    key: None,
                }),
            );
            last_service = on;
        }
        if spec.inpatient_at == Some(n) {
            let on = d + Duration::days(2);
            let minutes = s.minutes(15, 25);
            s.at(
                on,
                Act::Contact(ContactAct {
                    ep,
                    staff: Staff::CareManager,
                    kind: ContactKind::CareCoordination,
                    modality: Modality::Phone,
                    minutes,
                    exclusion: Some(MinutesExclusion::Inpatient),
                    note: Some("Admitted for pneumonia; coordinated with the inpatient team."),
                    key: None,
                }),
            );
            last_service = on;
        }
        if !safety_cleared && weeks >= 4 && item9 == 0 {
            safety_cleared = true;
            s.at(
                d,
                Act::Flags {
                    ep,
                    safety_risk: Some(false),
                    for_discussion: None,
                },
            );
        }
        if spec.for_discussion_week.is_some_and(|w| weeks >= w) && !flagged {
            flagged = true;
            s.at(
                d,
                Act::Flags {
                    ep,
                    safety_risk: None,
                    for_discussion: Some(true),
                },
            );
        }

        // Changes of phase.
        if relapse_now {
            relapsed = Some((d, score));
            in_rp = None;
            interval = 2;
            s.transition(d, ep, Transition::StartTreatment);
            s.care_plan(d, ep, InstrumentId::Phq9, interval);
        } else if remission_now {
            in_rp = Some(d);
            interval = 4;
            let plan = (*s.rng.pick(RELAPSE_PREVENTION_PLANS)).to_owned();
            s.transition(d, ep, Transition::BeginRelapsePrevention { plan });
            s.care_plan(d, ep, InstrumentId::Phq9, interval);
        } else if in_rp.is_none()
            && !spec.exact
            && interval == 2
            && weeks >= 8
            && f64::from(score) <= base / 2.0
        {
            interval = 3;
            s.care_plan(d, ep, InstrumentId::Phq9, interval);
        } else if in_rp.is_none() && interval < 4 && weeks >= 16 {
            // Continuation phase: monthly contacts (IMPACT, reference §9.6).
            interval = 4;
            s.care_plan(d, ep, InstrumentId::Phq9, interval);
        }
        low = if score < 5 { low + 1 } else { 0 };
    }
    if spec.item9_last {
        s.item9_on_last(ep);
    }
    last_service
}

/// A general BHI episode: monthly contacts and a monthly measure of the target.
struct Bhi {
    referred: Date,
    anxiety: bool,
    discharge: bool,
    /// Stop the monthly contacts before this month and log one short contact in it.
    short_month: Option<Date>,
}

fn bhi(s: &mut Script, spec: &Bhi, today: Date) {
    let r = spec.referred;
    let instrument = if spec.anxiety {
        InstrumentId::Gad7
    } else {
        InstrumentId::Phq9
    };
    let baseline = s.rng.int(10, 16) as u16;
    s.screen(r, instrument, baseline);
    let ep = s.refer(r, Program::GeneralBhi);
    let enrolled = r + Duration::days(s.rng.int(1, 5));
    s.enroll(r, enrolled, ep);
    s.transition(enrolled, ep, Transition::StartTreatment);
    s.care_plan(enrolled, ep, instrument, 4);
    let minutes = s.minutes(30, 45);
    s.contact(
        enrolled,
        ep,
        Staff::CareManager,
        ContactKind::InitialAssessment,
        Modality::InPerson,
        minutes,
        Some("Initial assessment for behavioral health integration."),
    );
    let measure = |s: &mut Script, d: Date, total: u16| match instrument {
        InstrumentId::Gad7 => s.gad7(d, ep, total),
        _ => s.phq9(d, ep, total, 0),
    };
    measure(s, enrolled, baseline);
    let stop = spec.short_month.map_or(today, |m| m - Duration::days(1));
    let mut d = enrolled;
    let mut month = 0;
    let mut rp: Option<Date> = None;
    loop {
        d += Duration::days(28 + s.rng.int(-3, 3));
        if d > stop {
            break;
        }
        month += 1;
        let score = (f64::from(baseline) * (1.0 - 0.22 * f64::from(month)).max(0.15)
            + s.rng.int(-1, 1) as f64)
            .round()
            .max(2.0) as u16;
        let kind = if s.rng.chance(0.3) {
            ContactKind::BriefIntervention
        } else {
            ContactKind::FollowUp
        };
        let minutes = s.minutes(20, 35);
        let note = *s.rng.pick(FOLLOW_UP_NOTES);
        s.contact(
            d,
            ep,
            Staff::CareManager,
            kind,
            Modality::Phone,
            minutes,
            Some(note),
        );
        measure(s, d, score);
        if spec.discharge {
            match rp {
                None if score < 5 => {
                    rp = Some(d);
                    let plan = (*s.rng.pick(RELAPSE_PREVENTION_PLANS)).to_owned();
                    s.transition(d, ep, Transition::BeginRelapsePrevention { plan });
                }
                Some(on) if (d - on).whole_days() >= 28 => {
                    s.transition(
                        d,
                        ep,
                        Transition::Discharge {
                            reason: DischargeReason::GoalMet,
                        },
                    );
                    return;
                }
                _ => {}
            }
        }
    }
    if let Some(first) = spec.short_month {
        let on = (today - Duration::days(s.rng.int(0, 2))).max(first);
        let minutes = s.minutes(12, 16);
        s.contact(
            on,
            ep,
            Staff::CareManager,
            ContactKind::FollowUp,
            Modality::Phone,
            minutes,
            Some("Short check-in; the longer visit is booked for next week."),
        );
    }
}

fn screen_only(s: &mut Script, cal: &Calendar) {
    let mut d = cal.days_ago(s.rng.int(1, HISTORY_DAYS - 10));
    for _ in 0..s.rng.int(1, 2) {
        if d > cal.today {
            break;
        }
        let positive = s.rng.chance(0.15);
        let total = s.rng.int(0, 2) as u16 + if positive { 3 } else { 0 };
        s.screen(d, InstrumentId::Phq2, total);
        if positive {
            let total = s.rng.int(5, 9) as u16;
            s.screen(d, InstrumentId::Phq9, total);
        }
        if s.rng.chance(0.5) {
            let total = s.rng.int(0, 3) as u16;
            s.screen(d, InstrumentId::Gad2, total);
        }
        if s.rng.chance(0.3) {
            let total = s.rng.int(0, 5) as u16;
            s.screen(d, InstrumentId::Auditc, total);
        }
        d += Duration::days(s.rng.int(90, 180));
    }
}

/// Write the acts of a patient of kind `kind`; `true` when the consultant is to discuss the
/// patient at most once (see `PatientPlan::review_hold`).
fn acts(s: &mut Script, kind: Kind, cal: &Calendar) -> bool {
    let today = cal.today;
    let between = |s: &mut Script, far: i64, near: i64| cal.days_ago(s.rng.int(near, far));
    let mut review_hold = false;
    match kind {
        Kind::ScreenOnly => screen_only(s, cal),
        Kind::ReferredPending | Kind::ReferredUnreached => {
            let r = if kind == Kind::ReferredPending {
                between(s, 6, 0)
            } else {
                between(s, 13, 10)
            };
            let total = s.rng.int(10, 18) as u16;
            s.screen(r, InstrumentId::Phq9, total);
            let ep = s.refer(r, Program::Cocm);
            let on = r + Duration::days(s.rng.int(1, 2));
            s.outreach(on, ep);
        }
        Kind::DeclinedAtOutreach => {
            let r = between(s, 200, 20);
            let total = s.rng.int(10, 16) as u16;
            s.screen(r, InstrumentId::Phq9, total);
            let ep = s.refer(r, Program::Cocm);
            let on = r + Duration::days(s.rng.int(1, 3));
            s.contact(
                on,
                ep,
                Staff::CareManager,
                ContactKind::OutreachAttempt,
                Modality::Phone,
                10,
                Some("Explained Collaborative Care; patient declined for now."),
            );
            s.transition(
                on,
                ep,
                Transition::Discharge {
                    reason: DischargeReason::PatientDeclined,
                },
            );
        }
        Kind::Improving => {
            let r = between(s, 150, 21);
            let spec = Cocm::new(s.rng, r, today);
            cocm(s, &spec);
        }
        Kind::Remitting | Kind::GoalMet | Kind::Relapse => {
            let (far, near) = match kind {
                Kind::Remitting => (170, 80),
                Kind::GoalMet => (270, 130),
                _ => (230, 140),
            };
            let r = between(s, far, near);
            let mut spec = Cocm::new(s.rng, r, today);
            spec.course = Course::Remit {
                by: s.rng.int(6, 11) as f64,
            };
            spec.ending = match kind {
                Kind::GoalMet => Ending::GoalMet {
                    rp_weeks: s.rng.int(8, 12),
                },
                Kind::Relapse => Ending::Relapse {
                    after_rp_weeks: s.rng.int(6, 10),
                },
                _ => Ending::Open,
            };
            cocm(s, &spec);
        }
        Kind::Plateau | Kind::Drifting => {
            let r = between(s, 150, 60);
            let mut spec = Cocm::new(s.rng, r, today);
            spec.course = Course::Partial {
                frac: 0.65 + s.rng.unit() * 0.25,
            };
            if kind == Kind::Plateau {
                spec.for_discussion_week = s.rng.chance(0.5).then(|| s.rng.int(6, 9));
            } else {
                spec.interval = 2;
                spec.stop = cal.days_ago(s.rng.int(22, 35));
            }
            let last = cocm(s, &spec);
            if kind == Kind::Drifting {
                let on = last + Duration::days(s.rng.int(10, 14));
                s.outreach(on, 0);
            }
        }
        Kind::Specialty | Kind::DeclinedInTreatment | Kind::LostToFollowUp => {
            let r = between(s, 230, 90);
            let mut spec = Cocm::new(s.rng, r, today);
            spec.ending = match kind {
                Kind::Specialty => {
                    spec.course = Course::Flat;
                    Ending::Specialty {
                        at_week: s.rng.int(12, 16),
                    }
                }
                Kind::DeclinedInTreatment => Ending::Declined {
                    at_week: s.rng.int(3, 6),
                },
                _ => {
                    spec.course = Course::Partial { frac: 0.8 };
                    Ending::LostToFollowUp {
                        at_week: s.rng.int(4, 8),
                    }
                }
            };
            cocm(s, &spec);
        }
        Kind::Lapsed | Kind::LapsedReturned => {
            let r = between(s, 298, 290);
            let mut spec = Cocm::new(s.rng, r, today);
            spec.ending = Ending::Lapse {
                last_week: s.rng.int(1, 2),
            };
            spec.psychotherapy = false;
            spec.inpatient_at = None;
            let last = cocm(s, &spec);
            if kind == Kind::LapsedReturned {
                // Six empty calendar months close the episode on the first of the seventh
                // month (the lapse job); a new referral starts a new episode after that. The
                // case review may still discuss the patient for a few weeks after the last
                // session (see `run::DISENGAGED_DAYS`), which counts as a service.
                let mut m = YearMonth::of(last + Duration::days(super::run::DISENGAGED_DAYS));
                for _ in 0..7 {
                    m = m.next();
                }
                let r2 = (m.first_day() + Duration::days(2)).max(cal.days_ago(40));
                if r2 <= cal.days_ago(3) {
                    let spec = Cocm::new(s.rng, r2, today);
                    cocm(s, &spec);
                }
            }
        }
        Kind::Bhi | Kind::BhiDischarged => {
            let discharge = kind == Kind::BhiDischarged;
            let r = if discharge {
                between(s, 270, 150)
            } else {
                between(s, 200, 30)
            };
            let spec = Bhi {
                referred: r,
                anxiety: s.rng.chance(0.6),
                discharge,
                short_month: None,
            };
            bhi(s, &spec, today);
        }
        Kind::NearThresholdBhi => {
            let spec = Bhi {
                referred: between(s, 120, 100),
                anxiety: true,
                discharge: false,
                short_month: Some(YearMonth::of(today).first_day()),
            };
            bhi(s, &spec, today);
        }
        Kind::SafetyLatest
        | Kind::SafetyRiskFlag
        | Kind::ForDiscussionFlag
        | Kind::NotImproving
        | Kind::ReviewOverdue
        | Kind::LongEnrollment
        | Kind::FollowUpOverdue => {
            let weeks = match kind {
                Kind::SafetyLatest => 8,
                Kind::SafetyRiskFlag => 10,
                Kind::ForDiscussionFlag => 9,
                Kind::NotImproving => 13,
                Kind::ReviewOverdue => 12,
                _ => 0,
            };
            let start = match kind {
                Kind::LongEnrollment => add_months(today, -9) - Duration::days(s.rng.int(5, 10)),
                Kind::FollowUpOverdue => cal.days_ago(24 + 14 * 5),
                _ => cal.days_ago(7 * weeks + s.rng.int(0, 3)),
            };
            let mut spec = Cocm::new(s.rng, start - Duration::days(5), today);
            spec.enroll_days = 3;
            spec.start_days = 2;
            spec.exact = true;
            spec.item9_baseline = false;
            spec.psychotherapy = false;
            spec.inpatient_at = None;
            spec.interval = 2;
            spec.course = match kind {
                Kind::ForDiscussionFlag => Course::Partial { frac: 0.75 },
                Kind::NotImproving => Course::Flat,
                Kind::LongEnrollment => Course::Partial { frac: 0.55 },
                _ => Course::Respond {
                    by: 6.0,
                    floor: 0.4,
                },
            };
            match kind {
                Kind::SafetyLatest => spec.item9_last = true,
                Kind::FollowUpOverdue => spec.stop = cal.days_ago(24),
                Kind::ReviewOverdue => review_hold = true,
                _ => {}
            }
            cocm(s, &spec);
            match kind {
                Kind::SafetyRiskFlag => {
                    let d = cal.days_ago(s.rng.int(2, 6));
                    s.contact(
                        d,
                        0,
                        Staff::CareManager,
                        ContactKind::CareCoordination,
                        Modality::Phone,
                        15,
                        Some(SAFETY_RISK_NOTE),
                    );
                    s.at(
                        d,
                        Act::Flags {
                            ep: 0,
                            safety_risk: Some(true),
                            for_discussion: None,
                        },
                    );
                }
                Kind::ForDiscussionFlag => {
                    let after = (today - cal.last_review).whole_days() - 1;
                    let d = cal.last_review + Duration::days(1 + s.rng.int(0, after));
                    s.at(
                        d,
                        Act::Flags {
                            ep: 0,
                            safety_risk: None,
                            for_discussion: Some(true),
                        },
                    );
                }
                Kind::FollowUpOverdue => s.outreach(cal.days_ago(6), 0),
                _ => {}
            }
        }
        Kind::NewEnrollee => {
            let after = (today - cal.last_review).whole_days() - 1;
            let enrolled = cal.last_review + Duration::days(1 + s.rng.int(0, after));
            let referred = enrolled - Duration::days(s.rng.int(2, 5));
            let mut spec = Cocm::new(s.rng, referred, today);
            spec.enroll_days = (enrolled - spec.referred).whole_days();
            spec.start_days = s.rng.int(0, 2);
            spec.exact = true;
            spec.psychotherapy = false;
            spec.inpatient_at = None;
            cocm(s, &spec);
        }
    }
    review_hold
}

/// Every patient's plan, for a seed and a calendar.
pub(super) fn plans(seed: u64, cal: &Calendar) -> Vec<PatientPlan> {
    let mut rng = Rng::new(seed, 0);
    let mut kinds: Vec<Kind> = MIX
        .iter()
        .flat_map(|(k, n)| std::iter::repeat_n(*k, *n as usize))
        .collect();
    for i in (1..kinds.len()).rev() {
        let j = rng.index(i + 1);
        kinds.swap(i, j);
    }
    let mut names = HashSet::new();
    let mut anchors_seen: Vec<Kind> = Vec::new();
    let mut mrn = 104_200;
    let mut out = Vec::with_capacity(kinds.len());
    for (i, kind) in kinds.into_iter().enumerate() {
        let mut rng = Rng::new(seed, 1000 + i as u64);
        mrn += rng.int(3, 40);
        let mrn_text = format!("RFM-{mrn:06}");
        let person = loop {
            let p = person(&mut rng, cal.today, &mrn_text);
            if names.insert(p.name_key()) {
                break p;
            }
        };
        // Anchors alternate between the care managers; the others mostly follow their site.
        let (site, care_manager) = if kind.is_anchor() {
            let cm = anchors_seen.iter().filter(|k| **k == kind).count() % 2;
            anchors_seen.push(kind);
            (cm, cm)
        } else {
            // Caseloads of equal size; most patients are seen at their care manager's site.
            let cm = (i - anchors_seen.len()) % 2;
            let site = if rng.chance(0.85) { cm } else { 1 - cm };
            (site, cm)
        };
        let practitioner = site * 2 + usize::from(rng.chance(0.5));
        let mut script = Script {
            rng: &mut rng,
            acts: Vec::new(),
            registered: false,
            assigned: false,
            episodes: 0,
            keys: 0,
            goals: None,
            therapist: care_manager == 0,
        };
        let review_hold = acts(&mut script, kind, cal);
        // Some patients were screened at an earlier visit, months before anything else; they
        // were registered then.
        let first = script
            .acts
            .iter()
            .map(|(d, _)| *d)
            .min()
            .unwrap_or(cal.today);
        let spare = (first - cal.start).whole_days() - 30;
        if kind != Kind::ScreenOnly && spare > 0 && script.rng.chance(0.3) {
            let d = cal.start + Duration::days(script.rng.int(0, spare));
            let total = script.rng.int(0, 2) as u16;
            let answers = answers::answers(script.rng, InstrumentId::Phq2, total);
            for (on, act) in &mut script.acts {
                if matches!(act, Act::Register) {
                    *on = d;
                }
            }
            script.at(
                d,
                Act::Screen {
                    instrument: InstrumentId::Phq2,
                    answers,
                },
            );
        }
        let mut acts = script.acts;
        // What would come after today has not happened yet.
        acts.retain(|(d, _)| *d <= cal.today);
        acts.sort_by_key(|(d, _)| *d);
        out.push(PatientPlan {
            person,
            site,
            practitioner,
            care_manager,
            review_hold,
            acts,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn plans_stay_between_the_start_and_today() {
        for today in [
            date!(2026 - 11 - 27),
            date!(2028 - 03 - 01),
            date!(2027 - 01 - 31),
        ] {
            let cal = Calendar::new(today);
            assert_eq!(cal.last_review.weekday(), REVIEW_DAY);
            assert!(cal.last_review < today && today - cal.last_review <= Duration::days(7));
            let plans = plans(1, &cal);
            assert_eq!(plans.len(), 150);
            for p in &plans {
                assert!(matches!(p.acts.first(), Some((_, Act::Register))));
                for (d, _) in &p.acts {
                    assert!(*d >= cal.start && *d <= today, "{d}");
                }
            }
        }
    }

    #[test]
    fn the_same_seed_plans_the_same_patients() {
        let cal = Calendar::new(date!(2026 - 11 - 27));
        let a = plans(5, &cal);
        let b = plans(5, &cal);
        let c = plans(6, &cal);
        let names = |p: &[PatientPlan]| -> Vec<(String, String)> {
            p.iter().map(|p| p.person.name_key()).collect()
        };
        assert_eq!(names(&a), names(&b));
        assert_ne!(names(&a), names(&c));
    }
}
