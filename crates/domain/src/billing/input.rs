//! What the billing engine reads: one patient's care-management history.

use super::codes::CareSetting;
use crate::calendar::YearMonth;
use crate::codes::code_enum;
use crate::contact::{Minutes, MinutesExclusion};
use crate::episode::Program;
use time::Date;

code_enum! {
    /// In which capacity a person spent an activity's minutes (reference §2.4).
    pub enum ActivityRole ("activity role") {
        /// The behavioral health care manager.
        CareManager = "care_manager",
        /// The treating practitioner who bills the month, on care-manager-type work.
        BillingPractitioner = "billing_practitioner",
        /// The psychiatric consultant's own time (case review, advice).
        PsychiatricConsultant = "psychiatric_consultant",
        /// Clinical staff without behavioral-health training (medical assistant, nurse).
        ClinicalStaff = "clinical_staff",
    }
}

impl ActivityRole {
    pub fn label(self) -> &'static str {
        match self {
            ActivityRole::CareManager => "care manager",
            ActivityRole::BillingPractitioner => "billing practitioner",
            ActivityRole::PsychiatricConsultant => "psychiatric consultant",
            ActivityRole::ClinicalStaff => "clinical staff",
        }
    }

    pub(crate) fn index(self) -> usize {
        match self {
            ActivityRole::CareManager => 0,
            ActivityRole::BillingPractitioner => 1,
            ActivityRole::PsychiatricConsultant => 2,
            ActivityRole::ClinicalStaff => 3,
        }
    }
}

code_enum! {
    /// Who bills the month (reference §1 "Who bills", §2.4).
    #[derive(Default)]
    pub enum PractitionerKind ("billing practitioner kind") {
        /// A physician or non-physician practitioner (NP, PA, CNS, CNM): bills CoCM and 99484.
        #[default]
        TreatingPractitioner = "treating_practitioner",
        /// A clinical psychologist, clinical social worker, mental health counselor or marriage
        /// and family therapist as the focal point: bills general BHI as G0323 ([S22][S23]).
        BehavioralHealthClinician = "behavioral_health_clinician",
    }
}

/// One documented care-management activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Activity {
    pub date: Date,
    pub minutes: Minutes,
    pub role: ActivityRole,
    pub program: Program,
    pub excluded: Option<MinutesExclusion>,
}

/// A documented consent to one program, in force from `date` until `revoked` (exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConsentPeriod {
    pub program: Program,
    pub date: Date,
    pub revoked: Option<Date>,
}

impl ConsentPeriod {
    /// Same rule as [`crate::episode::Consent::in_force_on`]: from the consent date, until the
    /// day of revocation.
    pub fn in_force_on(&self, date: Date) -> bool {
        self.date <= date && self.revoked.is_none_or(|r| date < r)
    }
}

/// The parts of a history, in any order; [`History::new`] sorts them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryParts {
    pub setting: CareSetting,
    pub billing_practitioner: PractitionerKind,
    /// Dates of the billing practitioner's visits that can initiate BHI: an annual wellness
    /// visit, the IPPE, TCM or another qualifying E/M visit (reference §2.5, [S8]). An episode
    /// needs one in the year before it starts.
    pub initiating_visits: Vec<Date>,
    pub consents: Vec<ConsentPeriod>,
    pub activities: Vec<Activity>,
    /// Months in which the same practitioner billed an APCM base code (G0556–G0558).
    pub apcm_months: Vec<YearMonth>,
}

/// One patient's history, sorted so the engine can walk it month by month.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    parts: HistoryParts,
}

impl History {
    pub fn new(mut parts: HistoryParts) -> Self {
        parts.initiating_visits.sort_unstable();
        parts.consents.sort_by_key(|c| c.date);
        parts.activities.sort_by_key(|a| a.date);
        parts.apcm_months.sort_unstable();
        parts.apcm_months.dedup();
        Self { parts }
    }

    pub fn setting(&self) -> CareSetting {
        self.parts.setting
    }

    pub fn billing_practitioner(&self) -> PractitionerKind {
        self.parts.billing_practitioner
    }

    /// Sorted by date.
    pub fn initiating_visits(&self) -> &[Date] {
        &self.parts.initiating_visits
    }

    /// Sorted by consent date.
    pub fn consents(&self) -> &[ConsentPeriod] {
        &self.parts.consents
    }

    /// Sorted by date (stable: same-day activities keep their order).
    pub fn activities(&self) -> &[Activity] {
        &self.parts.activities
    }

    pub fn is_apcm_month(&self, month: YearMonth) -> bool {
        self.parts.apcm_months.binary_search(&month).is_ok()
    }

    /// The months with any activity, oldest first.
    pub fn activity_months(&self) -> Vec<YearMonth> {
        let mut months: Vec<YearMonth> = self
            .activities()
            .iter()
            .map(|a| YearMonth::of(a.date))
            .collect();
        months.dedup();
        months
    }

    pub fn into_parts(self) -> HistoryParts {
        self.parts
    }
}
