use crate::calendar::YearMonth;
use crate::care_plan::CarePlan;
use crate::contact::ContactKind;
use crate::episode::{EpisodeStatus, Program};
use crate::instruments::{InstrumentId, Safety};
use crate::safety::OpenAlert;
use serde::{Deserialize, Serialize};
use time::Date;

/// One assessment as the registry needs it (final records only; entered-in-error ones are
/// left out by the caller).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssessmentRecord {
    pub instrument: InstrumentId,
    pub administered_on: Date,
    /// Official total; `None` when incomplete.
    pub total: Option<u16>,
    pub safety: Safety,
}

/// One contact as the registry needs it (final records only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactRecord {
    pub contact_on: Date,
    pub kind: ContactKind,
    pub minutes: u16,
    pub counts_toward_care_management: bool,
}

/// The manual flags a care manager sets ([S54]: "Flag as safety risk", "Flag for discussion").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ManualFlags {
    pub safety_risk: bool,
    pub for_discussion: bool,
}

/// An episode's full history, the input of every registry rule.
#[derive(Debug, Clone)]
pub struct EpisodeHistory<'a> {
    pub program: Program,
    pub status: EpisodeStatus,
    pub referred_on: Date,
    pub enrolled_on: Option<Date>,
    pub care_plan: &'a CarePlan,
    pub assessments: &'a [AssessmentRecord],
    pub contacts: &'a [ContactRecord],
    /// Dates of the psychiatric case reviews that discussed this episode.
    pub case_reviews: &'a [Date],
    pub manual_flags: ManualFlags,
    pub open_recommendations: u32,
    /// The patient's open safety alerts (any episode, or a screening outside one).
    pub open_safety_alerts: &'a [OpenAlert],
}

/// A score on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScorePoint {
    pub on: Date,
    pub total: u16,
}

/// First (baseline) and latest official score of an instrument in the episode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Trend {
    pub first: ScorePoint,
    pub last: ScorePoint,
    pub count: u32,
}

impl Trend {
    /// `(last − first) / first × 100` ([S54b]); negative is improvement.
    pub fn change_percent(&self) -> Option<f64> {
        crate::measurement::change_percent(self.first.total, self.last.total)
    }
}

/// The condensed history of an episode: everything the caseload and the flags need, and
/// nothing that depends on today's date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpisodeFacts {
    pub program: Program,
    pub status: EpisodeStatus,
    pub referred_on: Date,
    pub enrolled_on: Option<Date>,
    pub follow_up_weeks: u8,
    pub target_instrument: InstrumentId,
    pub target_below: u16,
    pub phq9: Option<Trend>,
    pub gad7: Option<Trend>,
    /// Safety status of the first and of the latest PHQ-9 response (complete or not).
    pub phq9_first_safety: Option<Safety>,
    pub phq9_latest_safety: Option<Safety>,
    pub initial_assessment_on: Option<Date>,
    pub first_session_on: Option<Date>,
    pub last_session_on: Option<Date>,
    pub sessions: u32,
    pub contacts: u32,
    pub last_contact_on: Option<Date>,
    /// The first calendar month with care-management activity: the episode's initial
    /// billing month (reference §3.4).
    pub first_activity_month: Option<YearMonth>,
    /// The last month with any service; the six-month lapse rule counts from it.
    pub last_service_month: Option<YearMonth>,
    /// Countable care-management minutes per month, oldest first.
    pub minutes_by_month: Vec<(YearMonth, u32)>,
    pub last_case_review_on: Option<Date>,
    pub manual_flags: ManualFlags,
    pub open_recommendations: u32,
    /// The patient's open safety alerts, oldest first: each keeps the safety flag up until a
    /// clinician closes it with the action taken. Absent from facts stored before alerts
    /// existed, hence the default.
    #[serde(default)]
    pub open_safety_alerts: Vec<OpenAlert>,
}

fn trend(assessments: &[&AssessmentRecord], instrument: InstrumentId) -> Option<Trend> {
    let mut official = assessments
        .iter()
        .filter(|a| a.instrument == instrument)
        .filter_map(|a| {
            a.total.map(|total| ScorePoint {
                on: a.administered_on,
                total,
            })
        });
    let first = official.next()?;
    let (last, count) = official.fold((first, 1), |(_, n), p| (p, n + 1));
    Some(Trend { first, last, count })
}

impl EpisodeFacts {
    pub fn from_history(h: &EpisodeHistory<'_>) -> Self {
        let mut assessments: Vec<&AssessmentRecord> = h.assessments.iter().collect();
        // Stable sort: responses on the same day keep their recorded order.
        assessments.sort_by_key(|a| a.administered_on);
        let mut contacts: Vec<&ContactRecord> = h.contacts.iter().collect();
        contacts.sort_by_key(|c| c.contact_on);

        let phq9_responses: Vec<&&AssessmentRecord> = assessments
            .iter()
            .filter(|a| a.instrument == InstrumentId::Phq9)
            .collect();
        let sessions: Vec<Date> = contacts
            .iter()
            .filter(|c| c.kind.is_session())
            .map(|c| c.contact_on)
            .collect();

        let mut minutes_by_month: Vec<(YearMonth, u32)> = Vec::new();
        for c in contacts.iter().filter(|c| c.counts_toward_care_management) {
            let m = YearMonth::of(c.contact_on);
            match minutes_by_month.last_mut() {
                Some((last, total)) if *last == m => *total += c.minutes as u32,
                _ => minutes_by_month.push((m, c.minutes as u32)),
            }
        }
        let first_activity_month = contacts
            .iter()
            .find(|c| c.minutes > 0 && c.counts_toward_care_management)
            .map(|c| YearMonth::of(c.contact_on));
        let last_service = contacts
            .last()
            .map(|c| c.contact_on)
            .into_iter()
            .chain(assessments.last().map(|a| a.administered_on))
            .max();

        EpisodeFacts {
            program: h.program,
            status: h.status,
            referred_on: h.referred_on,
            enrolled_on: h.enrolled_on,
            follow_up_weeks: h.care_plan.follow_up_weeks,
            target_instrument: h.care_plan.target_instrument,
            target_below: h.care_plan.target_below,
            phq9: trend(&assessments, InstrumentId::Phq9),
            gad7: trend(&assessments, InstrumentId::Gad7),
            phq9_first_safety: phq9_responses.first().map(|a| a.safety),
            phq9_latest_safety: phq9_responses.last().map(|a| a.safety),
            initial_assessment_on: contacts
                .iter()
                .find(|c| c.kind == ContactKind::InitialAssessment)
                .map(|c| c.contact_on),
            first_session_on: sessions.first().copied(),
            last_session_on: sessions.last().copied(),
            sessions: sessions.len() as u32,
            contacts: contacts.len() as u32,
            last_contact_on: contacts.last().map(|c| c.contact_on),
            first_activity_month,
            last_service_month: last_service.map(YearMonth::of),
            minutes_by_month,
            last_case_review_on: h.case_reviews.iter().max().copied(),
            manual_flags: h.manual_flags,
            open_recommendations: h.open_recommendations,
            open_safety_alerts: {
                let mut alerts = h.open_safety_alerts.to_vec();
                alerts.sort_by_key(|a| a.raised_on);
                alerts
            },
        }
    }

    /// Countable minutes in `month`.
    pub fn minutes_in(&self, month: YearMonth) -> u32 {
        self.minutes_by_month
            .iter()
            .find(|(m, _)| *m == month)
            .map_or(0, |(_, n)| *n)
    }
}
