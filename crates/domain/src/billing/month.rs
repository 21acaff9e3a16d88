//! One calendar month of a program: which minutes count, and where the month falls in its
//! episode (initial or subsequent month, new episode after six empty months).

use super::input::{Activity, ActivityRole, ConsentPeriod, PractitionerKind};
use super::settings::{InitialMonthRule, RuleSettings};
use super::thresholds::MonthType;
use crate::calendar::{YearMonth, add_months};
use crate::contact::MinutesExclusion;
use crate::episode::{Program, lapse_month};
use time::Date;

/// Whose time counts toward a program's codes (reference §3.1 and §1):
/// - CoCM: the care manager's activities and the billing practitioner's own care-manager-type
///   time ([S4][S26]); not clinical staff without behavioral-health training (the codes count
///   "behavioral health care manager activities", [S26]); the psychiatric consultant's own time
///   only when the setting says so ([conflict] [S26] vs [S32]).
/// - General BHI billed by a treating practitioner (99484, G0511, G0570): clinical staff time
///   directed by the practitioner ([S29][S14]); the care manager and the practitioner count too.
/// - G0323: the clinical psychologist's, social worker's, counselor's or therapist's own time
///   ([S22]), who is the billing practitioner.
pub fn role_counts(
    role: ActivityRole,
    program: Program,
    practitioner: PractitionerKind,
    rules: &RuleSettings,
) -> bool {
    use ActivityRole::*;
    use PractitionerKind::*;
    match (program, practitioner, role) {
        (_, BehavioralHealthClinician, BillingPractitioner) => true,
        (_, BehavioralHealthClinician, _) => false,
        (_, TreatingPractitioner, PsychiatricConsultant) => rules.count_psychiatric_consultant_time,
        (_, TreatingPractitioner, CareManager | BillingPractitioner) => true,
        (Program::Cocm, TreatingPractitioner, ClinicalStaff) => false,
        (Program::GeneralBhi, TreatingPractitioner, ClinicalStaff) => true,
    }
}

/// Why an activity's minutes count or not, first reason first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bucket {
    Countable,
    Excluded(MinutesExclusion),
    Role(ActivityRole),
    BeforeConsent(Option<Date>),
    AfterRevocation(Date),
}

/// A program's minutes in one month, by what happened to them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MinuteBreakdown {
    /// Activities of the program in the month, and their minutes, counted or not.
    pub activities: u32,
    pub recorded: u32,
    pub countable: u32,
    pub separately_billed: u32,
    pub inpatient: u32,
    /// Minutes of roles whose time does not count for this program, by [`ActivityRole::index`].
    pub role_not_counted: [u32; 4],
    /// Minutes dated before a consent for the program (or with no consent at all).
    pub before_consent: u32,
    /// Minutes dated on or after the consent's revocation.
    pub after_revocation: u32,
    pub first_activity: Option<Date>,
    pub first_countable: Option<Date>,
    /// A consent for the program was in force on the date of at least one activity.
    pub consent_in_force: bool,
    /// The next consent after minutes that preceded it, for the explanation.
    pub next_consent: Option<Date>,
    /// The revocation that minutes came after, for the explanation.
    pub revoked_on: Option<Date>,
    /// The month has psychiatric-consultant minutes not otherwise excluded.
    pub psychiatric_consultant_time: bool,
}

/// Everything that decides whether one activity counts.
#[derive(Clone, Copy)]
pub struct Counting<'a> {
    pub program: Program,
    pub practitioner: PractitionerKind,
    pub rules: &'a RuleSettings,
    pub consents: &'a [ConsentPeriod],
}

impl Counting<'_> {
    fn consent_on(&self, date: Date) -> Bucket {
        let mut revoked: Option<Date> = None;
        let mut next: Option<Date> = None;
        for c in self.consents.iter().filter(|c| c.program == self.program) {
            if c.in_force_on(date) {
                return Bucket::Countable;
            }
            match c.revoked {
                Some(r) if r <= date => revoked = revoked.max(Some(r)),
                _ if c.date > date => next = Some(next.map_or(c.date, |n| n.min(c.date))),
                _ => {}
            }
        }
        match revoked {
            Some(r) => Bucket::AfterRevocation(r),
            None => Bucket::BeforeConsent(next),
        }
    }

    /// The first reason that applies: a documented exclusion (§3.1 [S1][S2][S4]), a role whose
    /// time does not count, no consent in force on the day (§2.5 [S31]); else it counts.
    fn bucket(&self, a: &Activity, consent: Bucket) -> Bucket {
        if let Some(x) = a.excluded {
            return Bucket::Excluded(x);
        }
        if !role_counts(a.role, self.program, self.practitioner, self.rules) {
            return Bucket::Role(a.role);
        }
        consent
    }

    pub fn counts(&self, a: &Activity) -> bool {
        a.program == self.program && self.bucket(a, self.consent_on(a.date)) == Bucket::Countable
    }

    /// The breakdown of the program's minutes among `activities` (one month's, sorted).
    pub fn breakdown(&self, activities: &[Activity]) -> MinuteBreakdown {
        let mut b = MinuteBreakdown::default();
        for a in activities.iter().filter(|a| a.program == self.program) {
            let m = u32::from(a.minutes.get());
            let consent = self.consent_on(a.date);
            b.activities += 1;
            b.recorded += m;
            b.first_activity.get_or_insert(a.date);
            b.consent_in_force |= consent == Bucket::Countable;
            if a.role == ActivityRole::PsychiatricConsultant && a.excluded.is_none() {
                b.psychiatric_consultant_time = true;
            }
            match self.bucket(a, consent) {
                Bucket::Countable => {
                    b.countable += m;
                    if m > 0 {
                        b.first_countable.get_or_insert(a.date);
                    }
                }
                Bucket::Excluded(MinutesExclusion::SeparatelyBilled) => b.separately_billed += m,
                Bucket::Excluded(MinutesExclusion::Inpatient) => b.inpatient += m,
                Bucket::Role(r) => b.role_not_counted[r.index()] += m,
                Bucket::BeforeConsent(next) => {
                    b.before_consent += m;
                    b.next_consent = b.next_consent.or(next);
                }
                Bucket::AfterRevocation(r) => {
                    b.after_revocation += m;
                    b.revoked_on = b.revoked_on.max(Some(r));
                }
            }
        }
        b
    }

    /// The day the countable minutes first reached `minutes`, walking the month in date order.
    pub fn day_reaching(&self, activities: &[Activity], minutes: u32) -> Option<Date> {
        let mut total = 0;
        activities
            .iter()
            .filter(|a| self.counts(a))
            .find(|a| {
                total += u32::from(a.minutes.get());
                total >= minutes
            })
            .map(|a| a.date)
    }
}

/// An episode of one program, as far as billing needs it (reference §3.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Episode {
    pub start_month: YearMonth,
    /// The first day with countable time: "BHI starts" for the initiating-visit rule.
    pub start_date: Date,
    pub last_service_month: YearMonth,
    /// An initial-month code (99492, G0568, or G0512 in an initial month) has been billed.
    pub initial_code_billed: bool,
}

impl Episode {
    /// The last month in which a service continues this episode: six empty months close it.
    pub fn open_through(&self) -> YearMonth {
        lapse_month(self.last_service_month)
    }
}

/// Where a month falls relative to the episodes before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    /// The month starts a new episode; `previous_service` is the last service month of the
    /// previous episode, when there was one (it ended after six empty months, [S5]).
    New { previous_service: Option<YearMonth> },
    /// The month continues an open episode.
    Continuing(Episode),
}

impl Position {
    /// Initial or subsequent, by the setting's reading of the initial month (reference §3.4).
    pub fn month_type(&self, rules: &RuleSettings) -> MonthType {
        match self {
            Position::New { .. } => MonthType::Initial,
            Position::Continuing(e)
                if rules.initial_month == InitialMonthRule::Until99492
                    && !e.initial_code_billed =>
            {
                MonthType::Initial
            }
            Position::Continuing(_) => MonthType::Subsequent,
        }
    }

    /// Whether the two readings of the initial month would disagree for this month, so the
    /// setting mattered: a later month of an episode whose initial code was not billed.
    pub fn initial_month_rule_matters(&self) -> bool {
        matches!(self, Position::Continuing(e) if !e.initial_code_billed)
    }
}

/// Follows one program's episodes through its months with countable time, oldest first.
/// A month with countable minutes is a month with services; an episode ends after six
/// consecutive calendar months without them and the next service starts a new one
/// (reference §3.4, [S5]; examples 16 and 17).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EpisodeTracker {
    current: Option<Episode>,
}

impl EpisodeTracker {
    pub fn position(&self, month: YearMonth) -> Position {
        match self.current {
            Some(e) if month <= e.open_through() => Position::Continuing(e),
            Some(e) => Position::New {
                previous_service: Some(e.last_service_month),
            },
            None => Position::New {
                previous_service: None,
            },
        }
    }

    /// Record a month with services; `initial_code_billed`: it billed an initial-month code.
    pub fn record(&mut self, month: YearMonth, first_day: Date, initial_code_billed: bool) {
        self.current = Some(match self.position(month) {
            Position::Continuing(e) => Episode {
                last_service_month: month,
                initial_code_billed: e.initial_code_billed || initial_code_billed,
                ..e
            },
            Position::New { .. } => Episode {
                start_month: month,
                start_date: first_day,
                last_service_month: month,
                initial_code_billed,
            },
        });
    }

    pub fn current(&self) -> Option<Episode> {
        self.current
    }
}

/// The initiating visit of an episode starting on `start`: a qualifying visit by the billing
/// practitioner in the year before BHI starts, up to and including that day (reference §2.5,
/// [S8]). `Err` carries the visit closest to the window, for the explanation.
pub fn initiating_visit(visits: &[Date], start: Date) -> Result<Date, Option<Date>> {
    let from = add_months(start, -12);
    match visits.iter().rev().find(|v| **v <= start) {
        Some(v) if *v >= from => Ok(*v),
        before => Err(visits
            .iter()
            .find(|v| **v > start)
            .copied()
            .or(before.copied())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn ym(s: &str) -> YearMonth {
        s.parse().unwrap()
    }

    #[test]
    fn six_empty_months_start_a_new_episode() {
        let mut t = EpisodeTracker::default();
        for m in ["2025-01", "2025-02", "2025-03"] {
            t.record(ym(m), ym(m).first_day(), m == "2025-01");
        }
        // Example 17: April–August empty (5 months) → September continues the episode.
        assert!(matches!(t.position(ym("2025-09")), Position::Continuing(_)));
        // Example 16: April–September empty (6 months) → October starts a new one.
        assert_eq!(
            t.position(ym("2025-10")),
            Position::New {
                previous_service: Some(ym("2025-03"))
            }
        );
    }

    #[test]
    fn the_initial_month_rule_decides_the_month_after_an_unbilled_initial_month() {
        let mut t = EpisodeTracker::default();
        t.record(ym("2026-01"), date!(2026 - 01 - 05), false);
        let p = t.position(ym("2026-02"));
        let mut rules = RuleSettings::default();
        assert_eq!(p.month_type(&rules), MonthType::Subsequent);
        rules.initial_month = InitialMonthRule::Until99492;
        assert_eq!(p.month_type(&rules), MonthType::Initial);
        assert!(p.initial_month_rule_matters());
        t.record(ym("2026-02"), date!(2026 - 02 - 02), true);
        assert_eq!(
            t.position(ym("2026-03")).month_type(&rules),
            MonthType::Subsequent
        );
        assert_eq!(t.current().unwrap().start_date, date!(2026 - 01 - 05));
    }

    #[test]
    fn initiating_visit_window_is_the_year_up_to_the_start() {
        let start = date!(2026 - 01 - 05);
        assert_eq!(
            initiating_visit(&[date!(2025 - 01 - 05)], start),
            Ok(date!(2025 - 01 - 05))
        );
        assert_eq!(initiating_visit(&[start], start), Ok(start));
        assert_eq!(
            initiating_visit(&[date!(2025 - 01 - 04)], start),
            Err(Some(date!(2025 - 01 - 04)))
        );
        assert_eq!(
            initiating_visit(&[date!(2026 - 01 - 06)], start),
            Err(Some(date!(2026 - 01 - 06)))
        );
        assert_eq!(initiating_visit(&[], start), Err(None));
    }

    #[test]
    fn roles_that_count_per_program() {
        use ActivityRole::*;
        let d = RuleSettings::default();
        let tp = PractitionerKind::TreatingPractitioner;
        assert!(role_counts(CareManager, Program::Cocm, tp, &d));
        assert!(!role_counts(ClinicalStaff, Program::Cocm, tp, &d));
        assert!(role_counts(ClinicalStaff, Program::GeneralBhi, tp, &d));
        assert!(!role_counts(PsychiatricConsultant, Program::Cocm, tp, &d));
        let with = RuleSettings {
            count_psychiatric_consultant_time: true,
            ..d
        };
        assert!(role_counts(PsychiatricConsultant, Program::Cocm, tp, &with));
        let bh = PractitionerKind::BehavioralHealthClinician;
        assert!(role_counts(
            BillingPractitioner,
            Program::GeneralBhi,
            bh,
            &d
        ));
        assert!(!role_counts(CareManager, Program::GeneralBhi, bh, &d));
    }
}
