use super::facts::{EpisodeFacts, Trend};
use crate::billing::thresholds::{MonthType, NextThreshold, next_threshold};
use crate::calendar::{YearMonth, add_months, weeks_between};
use crate::codes::code_enum;
use crate::episode::{EpisodeStatus, Program};
use crate::instruments::Safety;
use crate::measurement::is_response;
use serde::{Deserialize, Serialize};
use time::{Date, Duration};

code_enum! {
    /// The registry's flags, in the order the caseload sorts them: safety first
    /// (reference §9.4 [S54b]: "safety flags first, then discussion flags").
    pub enum FlagKind ("flag") {
        /// An open safety alert (reference instruments.md §1, §10, §16.5), else PHQ-9 item 9
        /// above "not at all" on the initial or latest PHQ-9 ([S54b]).
        Safety = "safety",
        /// Set by hand: "Flag as safety risk" ([S54]).
        SafetyRisk = "safety_risk",
        /// Set by hand: "Flag for discussion" ([S54], [S55b]).
        ForDiscussion = "for_discussion",
        /// ≥ 8 weeks in treatment and under 50 % improvement ([S47][S51][S52]).
        NotImproving = "not_improving",
        /// Past the follow-up interval, or no follow-up within 4 weeks of the initial assessment ([S54b][S47]).
        FollowUpOverdue = "follow_up_overdue",
        /// No psychiatric case review in 1 month (2 in relapse prevention) ([S54b]).
        CaseReviewOverdue = "case_review_overdue",
        /// Not yet discussed at a case review ([S42][S59]).
        NewSinceLastReview = "new_since_last_review",
        /// This month's minutes are close to the next billing threshold ([S6][S55]).
        NearBillingThreshold = "near_billing_threshold",
        /// Enrolled 9 months or more: review for discharge or referral ([S54b]).
        LongEnrollment = "long_enrollment",
    }
}

impl FlagKind {
    pub fn label(self) -> &'static str {
        match self {
            FlagKind::Safety => "Safety",
            FlagKind::SafetyRisk => "Safety risk",
            FlagKind::ForDiscussion => "For discussion",
            FlagKind::NotImproving => "Not improving",
            FlagKind::FollowUpOverdue => "Follow-up overdue",
            FlagKind::CaseReviewOverdue => "Case review overdue",
            FlagKind::NewSinceLastReview => "New since last review",
            FlagKind::NearBillingThreshold => "Near billing threshold",
            FlagKind::LongEnrollment => "Long enrollment",
        }
    }

    pub fn is_safety(self) -> bool {
        matches!(self, FlagKind::Safety | FlagKind::SafetyRisk)
    }
}

/// A flag with the reason a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Flag {
    pub kind: FlagKind,
    pub reason: String,
}

/// The registry's adjustable thresholds, with the documented defaults. (The `schema(maximum)`
/// attributes: the document gives an unsigned field only its minimum otherwise, and a tool that
/// reads `int32` then sends values the type refuses or accepts values the document refuses.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct RegistrySettings {
    /// Weeks in treatment after which under 50 % improvement flags "not improving"
    /// (default 8: MHIP fidelity measure, consultation for non-responders by week 8 [S47]).
    #[cfg_attr(feature = "openapi", schema(maximum = 255))]
    pub not_improving_weeks: u8,
    /// Flag when the next billing threshold is at most this many minutes away (default 10).
    #[cfg_attr(feature = "openapi", schema(format = Int64, maximum = 4294967295.0))]
    pub near_threshold_minutes: u32,
    /// Months of enrollment that flag "long enrollment" (default 9, [S54b]).
    #[cfg_attr(feature = "openapi", schema(maximum = 255))]
    pub long_enrollment_months: u8,
    /// Months without a case review that make it overdue, in active treatment (default 1) and
    /// in relapse prevention (default 2) ([S54b]).
    #[cfg_attr(feature = "openapi", schema(maximum = 255))]
    pub case_review_months_active: u8,
    #[cfg_attr(feature = "openapi", schema(maximum = 255))]
    pub case_review_months_relapse_prevention: u8,
    /// Weeks after the initial assessment by which the first follow-up is due (default 4, [S47]).
    #[cfg_attr(feature = "openapi", schema(maximum = 255))]
    pub first_follow_up_weeks: u8,
    /// Days after referral by which a first contact (outreach) is due (default 7).
    #[cfg_attr(feature = "openapi", schema(maximum = 255))]
    pub outreach_due_days: u8,
}

impl Default for RegistrySettings {
    fn default() -> Self {
        Self {
            not_improving_weeks: 8,
            near_threshold_minutes: 10,
            long_enrollment_months: 9,
            case_review_months_active: 1,
            case_review_months_relapse_prevention: 2,
            first_follow_up_weeks: 4,
            outreach_due_days: 7,
        }
    }
}

code_enum! {
    /// Why an episode is on the psychiatrist's case-review list.
    pub enum ReviewReason ("review reason") {
        Safety = "safety",
        ForDiscussion = "for_discussion",
        NotImproving = "not_improving",
        New = "new",
        ReviewOverdue = "review_overdue",
    }
}

/// One caseload row's derived columns (reference §9.4: the UW SCOPE caseload columns).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseloadRow {
    pub program: Program,
    pub status: EpisodeStatus,
    pub enrolled_on: Option<Date>,
    pub flags: Vec<Flag>,
    pub phq9: Option<Trend>,
    pub phq9_change_percent: Option<f64>,
    pub gad7: Option<Trend>,
    pub gad7_change_percent: Option<f64>,
    /// Weeks between the first and the last session, plus one ([S54b]).
    pub weeks_in_treatment: Option<i64>,
    pub sessions: u32,
    pub contacts: u32,
    pub last_contact_on: Option<Date>,
    pub follow_up_due: Option<Date>,
    pub last_case_review_on: Option<Date>,
    pub minutes_this_month: u32,
    /// Minutes still needed for the next billing threshold this month, and its code.
    pub minutes_to_next_threshold: Option<u32>,
    pub next_threshold_code: Option<String>,
    pub open_recommendations: u32,
}

fn month_type(facts: &EpisodeFacts, month: YearMonth) -> MonthType {
    match facts.first_activity_month {
        Some(first) if first < month => MonthType::Subsequent,
        _ => MonthType::Initial,
    }
}

fn this_months_threshold(facts: &EpisodeFacts, today: Date) -> Option<(u32, NextThreshold)> {
    let month = YearMonth::of(today);
    let minutes = facts.minutes_in(month);
    next_threshold(facts.program, month_type(facts, month), minutes).map(|t| (minutes, t))
}

/// When the next contact is due: the last session plus the follow-up interval, no later than
/// the first-follow-up deadline after the initial assessment; for a referral not yet reached,
/// the outreach deadline.
pub fn follow_up_due(facts: &EpisodeFacts, settings: &RegistrySettings) -> Option<Date> {
    if facts.status.is_closed() {
        return None;
    }
    if facts.status == EpisodeStatus::Referred {
        let anchor = facts.last_contact_on.unwrap_or(facts.referred_on);
        return Some(anchor + Duration::days(settings.outreach_due_days as i64));
    }
    let interval = Duration::weeks(facts.follow_up_weeks as i64);
    let anchor = facts.last_session_on.or(facts.enrolled_on)?;
    let due = anchor + interval;
    // Only the initial assessment so far: the first follow-up is due within 4 weeks ([S47]).
    match facts.initial_assessment_on {
        Some(ia) if facts.sessions <= 1 => {
            Some(due.min(ia + Duration::weeks(settings.first_follow_up_weeks as i64)))
        }
        _ => Some(due),
    }
}

fn treatment_start(facts: &EpisodeFacts, trend: Option<&Trend>) -> Option<Date> {
    facts
        .initial_assessment_on
        .or(trend.map(|t| t.first.on))
        .or(facts.enrolled_on)
}

/// The flags of an episode on `today`, safety first.
pub fn flags(facts: &EpisodeFacts, today: Date, settings: &RegistrySettings) -> Vec<Flag> {
    let mut out = Vec::new();
    if facts.status.is_closed() {
        return out;
    }
    let mut push = |kind: FlagKind, reason: String| out.push(Flag { kind, reason });

    // Safety: an open alert first, until a clinician closes it with the action taken
    // (reference instruments.md §1, §16.5); otherwise the initial or the latest PHQ-9
    // ([S54b]). An unanswered safety item is not "no".
    if !facts.open_safety_alerts.is_empty() {
        push(FlagKind::Safety, open_alerts_reason(facts));
    } else {
        phq9_safety(facts, &mut push);
    }
    if facts.manual_flags.safety_risk {
        push(
            FlagKind::SafetyRisk,
            "Flagged as a safety risk by the care team".into(),
        );
    }
    if facts.manual_flags.for_discussion {
        push(
            FlagKind::ForDiscussion,
            "Flagged for discussion at the case review".into(),
        );
    }

    let in_treatment = matches!(
        facts.status,
        EpisodeStatus::Enrolled | EpisodeStatus::Active
    );
    let target = match facts.target_instrument {
        crate::instruments::InstrumentId::Gad7 => facts.gad7.as_ref(),
        _ => facts.phq9.as_ref(),
    };
    let name = facts.target_instrument.name();
    if in_treatment && let Some(start) = treatment_start(facts, target) {
        let weeks = weeks_between(start, today);
        if weeks >= settings.not_improving_weeks as i64 {
            match target {
                None => push(
                    FlagKind::NotImproving,
                    format!("No {name} score after {weeks} weeks: improvement cannot be judged"),
                ),
                Some(t)
                    if t.first.total >= facts.target_below
                        && !is_response(t.first.total, t.last.total) =>
                {
                    let change = t
                        .change_percent()
                        .map_or(String::new(), |c| format!(" ({c:+.0} %)"));
                    push(
                        FlagKind::NotImproving,
                        format!(
                            "{name} {} → {}{change} after {weeks} weeks: less than 50 % improvement",
                            t.first.total, t.last.total
                        ),
                    );
                }
                Some(_) => {}
            }
        }
    }

    if let Some(due) = follow_up_due(facts, settings)
        && today > due
    {
        let days = (today - due).whole_days();
        let what = if facts.status == EpisodeStatus::Referred {
            "Outreach"
        } else {
            "Follow-up"
        };
        push(
            FlagKind::FollowUpOverdue,
            format!(
                "{what} was due {due}, {days} day{} ago",
                if days == 1 { "" } else { "s" }
            ),
        );
    }

    if facts.program == Program::Cocm && facts.status.is_open() {
        let months = if facts.status == EpisodeStatus::RelapsePrevention {
            settings.case_review_months_relapse_prevention
        } else {
            settings.case_review_months_active
        };
        match (facts.last_case_review_on, facts.enrolled_on) {
            (Some(last), _) if today > add_months(last, months as i32) => push(
                FlagKind::CaseReviewOverdue,
                format!(
                    "Last case review {last}; one is due at least every {months} month{}",
                    plural(months)
                ),
            ),
            (None, Some(enrolled)) if today > add_months(enrolled, months as i32) => push(
                FlagKind::CaseReviewOverdue,
                format!(
                    "Enrolled {enrolled} and never reviewed; one is due at least every {months} month{}",
                    plural(months)
                ),
            ),
            _ => {}
        }
        if facts.last_case_review_on.is_none() {
            push(
                FlagKind::NewSinceLastReview,
                "Not yet discussed with the psychiatric consultant".into(),
            );
        }
    }

    if facts.status.is_open()
        && let Some((minutes, t)) = this_months_threshold(facts, today)
    {
        let gap = t.at_minutes - minutes;
        if minutes > 0 && gap <= settings.near_threshold_minutes {
            push(
                FlagKind::NearBillingThreshold,
                format!(
                    "{minutes} minutes this month; {gap} more would reach {} ({} minutes)",
                    t.code, t.at_minutes
                ),
            );
        }
    }

    if facts.status.is_open()
        && let Some(enrolled) = facts.enrolled_on
        && add_months(enrolled, settings.long_enrollment_months as i32) <= today
    {
        push(
            FlagKind::LongEnrollment,
            format!(
                "Enrolled since {enrolled} ({} months or more): review for discharge or referral",
                settings.long_enrollment_months
            ),
        );
    }
    out.sort_by_key(|f| f.kind);
    out
}

/// The reason of the safety flag raised by open alerts: each alert, oldest first.
fn open_alerts_reason(facts: &EpisodeFacts) -> String {
    let alerts: Vec<String> = facts
        .open_safety_alerts
        .iter()
        .map(|a| a.describe())
        .collect();
    let n = alerts.len();
    format!(
        "{n} open safety alert{}: {}. Close {} with the action taken",
        if n == 1 { "" } else { "s" },
        alerts.join("; "),
        if n == 1 { "it" } else { "each" }
    )
}

/// The PHQ-9 safety rule of the registry ([S54b]): item 9 on the initial or latest PHQ-9.
fn phq9_safety(facts: &EpisodeFacts, push: &mut impl FnMut(FlagKind, String)) {
    match (facts.phq9_first_safety, facts.phq9_latest_safety) {
        (_, Some(Safety::Alert)) => push(
            FlagKind::Safety,
            "The latest PHQ-9 has item 9 (thoughts of death or self-harm) above \"not at all\": review safety".into(),
        ),
        (Some(Safety::Alert), _) => push(
            FlagKind::Safety,
            "The initial PHQ-9 had item 9 (thoughts of death or self-harm) above \"not at all\"".into(),
        ),
        (_, Some(Safety::Unknown)) => push(
            FlagKind::Safety,
            "Item 9 of the latest PHQ-9 was not answered: ask it and record the answer".into(),
        ),
        _ => {}
    }
}

fn plural(n: u8) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The caseload row of an episode on `today`.
pub fn caseload_row(facts: &EpisodeFacts, today: Date, settings: &RegistrySettings) -> CaseloadRow {
    let threshold = facts
        .status
        .is_open()
        .then(|| this_months_threshold(facts, today))
        .flatten();
    CaseloadRow {
        program: facts.program,
        status: facts.status,
        enrolled_on: facts.enrolled_on,
        flags: flags(facts, today, settings),
        phq9: facts.phq9,
        phq9_change_percent: facts.phq9.as_ref().and_then(Trend::change_percent),
        gad7: facts.gad7,
        gad7_change_percent: facts.gad7.as_ref().and_then(Trend::change_percent),
        weeks_in_treatment: match (facts.first_session_on, facts.last_session_on) {
            (Some(a), Some(b)) => Some(weeks_between(a, b) + 1),
            _ => None,
        },
        sessions: facts.sessions,
        contacts: facts.contacts,
        last_contact_on: facts.last_contact_on,
        follow_up_due: follow_up_due(facts, settings),
        last_case_review_on: facts.last_case_review_on,
        minutes_this_month: facts.minutes_in(YearMonth::of(today)),
        minutes_to_next_threshold: threshold.as_ref().map(|(m, t)| t.at_minutes - m),
        next_threshold_code: threshold.map(|(_, t)| t.code.to_owned()),
        open_recommendations: facts.open_recommendations,
    }
}

/// Why an episode belongs on the psychiatric case-review list, if it does: CoCM episodes that
/// are new, not improving, a safety concern, flagged for discussion or overdue for review
/// (reference §9.8: "new patients and those not improving as expected" [S59][S51]).
pub fn review_reasons(
    facts: &EpisodeFacts,
    today: Date,
    settings: &RegistrySettings,
) -> Vec<ReviewReason> {
    if facts.program != Program::Cocm || !facts.status.is_open() {
        return Vec::new();
    }
    let mut reasons: Vec<ReviewReason> = flags(facts, today, settings)
        .iter()
        .filter_map(|f| match f.kind {
            FlagKind::Safety | FlagKind::SafetyRisk => Some(ReviewReason::Safety),
            FlagKind::ForDiscussion => Some(ReviewReason::ForDiscussion),
            FlagKind::NotImproving => Some(ReviewReason::NotImproving),
            FlagKind::NewSinceLastReview => Some(ReviewReason::New),
            FlagKind::CaseReviewOverdue => Some(ReviewReason::ReviewOverdue),
            _ => None,
        })
        .collect();
    reasons.sort();
    reasons.dedup();
    reasons
}

/// Sort caseload rows: safety first, then by the most urgent flag, then by follow-up due
/// date (earliest first), then by `name`.
pub fn sort_caseload<T>(
    rows: &mut [T],
    row: impl Fn(&T) -> &CaseloadRow,
    name: impl Fn(&T) -> &str,
) {
    rows.sort_by(|a, b| {
        let key = |t: &T| {
            let r = row(t);
            (
                r.flags.first().map_or(u8::MAX, |f| f.kind as u8),
                r.follow_up_due.unwrap_or(Date::MAX),
            )
        };
        key(a).cmp(&key(b)).then_with(|| name(a).cmp(name(b)))
    });
}

#[cfg(test)]
mod tests;
