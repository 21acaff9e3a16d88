//! What the metrics read: plain per-patient records the store assembles, a period, and a
//! filter by site, care manager or treating practitioner.

use crate::episode::Program;
use crate::error::ValidationError;
use crate::ids::{PatientId, SiteId, UserId};
use crate::instruments::InstrumentId;
use crate::measurement::MeasuredScore;
use crate::patient::Assignments;
use crate::referral::Referral;
use crate::registry::ContactRecord;
use serde::{Deserialize, Serialize};
use time::{Date, Duration};

/// A reporting period: `from` through `to`, both days included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(try_from = "PeriodBounds", into = "PeriodBounds")]
pub struct Period {
    from: Date,
    to: Date,
}

#[derive(Serialize, Deserialize)]
struct PeriodBounds {
    from: Date,
    to: Date,
}

impl TryFrom<PeriodBounds> for Period {
    type Error = String;
    fn try_from(b: PeriodBounds) -> Result<Self, Self::Error> {
        Period::new(b.from, b.to).map_err(|e| e.to_string())
    }
}

impl From<Period> for PeriodBounds {
    fn from(p: Period) -> Self {
        PeriodBounds {
            from: p.from,
            to: p.to,
        }
    }
}

impl Period {
    pub fn new(from: Date, to: Date) -> Result<Self, ValidationError> {
        if to < from {
            Err(ValidationError::field(
                "to",
                "The period ends before it begins",
            ))
        } else {
            Ok(Period { from, to })
        }
    }

    pub fn from(self) -> Date {
        self.from
    }

    pub fn to(self) -> Date {
        self.to
    }

    pub fn contains(self, d: Date) -> bool {
        self.from <= d && d <= self.to
    }

    /// Whether an event on `start` has its window of `days` ending in the period.
    pub(crate) fn window_ends_in(self, start: Date, days: i64) -> bool {
        self.contains(start + Duration::days(days))
    }
}

/// A screening as the metrics need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Screening {
    pub on: Date,
    pub instrument: InstrumentId,
    /// Positive by the instrument's cut-off (as scored).
    pub positive: bool,
}

/// Depression screening instruments (HEDIS DSF-E lists standardised tools such as these;
/// reference §5.1 M1). Other screenings in the input are ignored by the depression metrics.
pub fn is_depression_screen(instrument: InstrumentId) -> bool {
    matches!(
        instrument,
        InstrumentId::Phq2 | InstrumentId::Phq9 | InstrumentId::Phqa | InstrumentId::Epds
    )
}

/// One episode of care (final records only; entered-in-error ones are left out by the caller).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EpisodeRecord {
    pub program: Program,
    /// The referral into behavioral health care (the episode's creation).
    pub referred_on: Date,
    pub enrolled_on: Option<Date>,
    /// Discharge or lapse date; `None` while open.
    pub closed_on: Option<Date>,
    /// The episode's PHQ-9 responses; the first complete one is the baseline.
    pub phq9: Vec<MeasuredScore>,
    pub contacts: Vec<ContactRecord>,
    /// Dates of the psychiatric case reviews that discussed the episode.
    pub case_reviews: Vec<Date>,
}

impl EpisodeRecord {
    /// Enrolled on or before `to` and not closed before `from`: on the caseload at some time
    /// in the period.
    pub fn open_during(&self, period: Period) -> bool {
        self.enrolled_on.is_some_and(|e| e <= period.to())
            && self.closed_on.is_none_or(|c| c >= period.from())
    }

    /// Enrolled and not closed on `day`.
    pub fn open_on(&self, day: Date) -> bool {
        self.enrolled_on.is_some_and(|e| e <= day) && self.closed_on.is_none_or(|c| c > day)
    }

    /// Dates of the sessions with the patient (reference: `ContactKind::is_session`), sorted.
    pub fn session_dates(&self) -> Vec<Date> {
        let mut d: Vec<Date> = self
            .contacts
            .iter()
            .filter(|c| c.kind.is_session())
            .map(|c| c.contact_on)
            .collect();
        d.sort_unstable();
        d
    }
}

/// One patient's records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatientRecord {
    pub patient: PatientId,
    /// Site, treating practitioner and care manager: what the filter groups by.
    pub assignments: Assignments,
    pub birth_date: Option<Date>,
    /// Dates of visits (encounters) with the practice.
    pub visits: Vec<Date>,
    pub depression_diagnosed_on: Option<Date>,
    pub screenings: Vec<Screening>,
    /// PHQ-9 responses outside the episodes (at a visit); the metrics also read the
    /// episodes' own PHQ-9s, so the same response may be given in both places.
    pub phq9: Vec<MeasuredScore>,
    pub episodes: Vec<EpisodeRecord>,
    pub referrals: Vec<Referral>,
}

impl PatientRecord {
    /// A patient with no records yet.
    pub fn new(patient: PatientId) -> Self {
        PatientRecord {
            patient,
            assignments: Assignments::default(),
            birth_date: None,
            visits: Vec::new(),
            depression_diagnosed_on: None,
            screenings: Vec::new(),
            phq9: Vec::new(),
            episodes: Vec::new(),
            referrals: Vec::new(),
        }
    }
}

/// A care manager's working time in the program, for caseload per FTE (M12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CareManagerFte {
    pub care_manager: UserId,
    pub site: Option<SiteId>,
    /// 100 = full time.
    pub fte_percent: u16,
}

/// Everything the metrics read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MetricsInput {
    pub patients: Vec<PatientRecord>,
    pub care_managers: Vec<CareManagerFte>,
}

/// Which patients count: those whose assignments match every given id.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct MetricsFilter {
    pub site: Option<SiteId>,
    pub care_manager: Option<UserId>,
    pub practitioner: Option<UserId>,
}

impl MetricsFilter {
    pub fn matches(&self, a: &Assignments) -> bool {
        self.site.is_none_or(|s| a.site == Some(s))
            && self.care_manager.is_none_or(|c| a.care_manager == Some(c))
            && self
                .practitioner
                .is_none_or(|p| a.treating_practitioner == Some(p))
    }

    /// The care managers whose FTE counts: the practitioner filter does not apply to them.
    pub(crate) fn matches_care_manager(&self, c: &CareManagerFte) -> bool {
        self.site.is_none_or(|s| c.site == Some(s))
            && self.care_manager.is_none_or(|id| c.care_manager == id)
    }
}

/// What to group the metrics by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    Site,
    CareManager,
    Practitioner,
}

/// The filter of the group of `by` that a patient with these assignments belongs to, if any.
pub(crate) fn group_key(a: &Assignments, by: GroupBy) -> Option<MetricsFilter> {
    match by {
        GroupBy::Site => a.site.map(|site| MetricsFilter {
            site: Some(site),
            ..Default::default()
        }),
        GroupBy::CareManager => a.care_manager.map(|c| MetricsFilter {
            care_manager: Some(c),
            ..Default::default()
        }),
        GroupBy::Practitioner => a.treating_practitioner.map(|p| MetricsFilter {
            practitioner: Some(p),
            ..Default::default()
        }),
    }
}

/// The order of [`groups`].
pub(crate) fn sort_key(f: &MetricsFilter) -> (Option<SiteId>, Option<UserId>, Option<UserId>) {
    (f.site, f.care_manager, f.practitioner)
}

/// One filter per distinct value of `by` among the patients, in id order; patients without
/// that assignment are not in any group.
pub fn groups(input: &MetricsInput, by: GroupBy) -> Vec<MetricsFilter> {
    let mut out: Vec<MetricsFilter> = input
        .patients
        .iter()
        .filter_map(|p| group_key(&p.assignments, by))
        .collect();
    out.sort_by_key(sort_key);
    out.dedup();
    out
}
