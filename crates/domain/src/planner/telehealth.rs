//! Medicare telehealth rules for behavioral health, as dated settings, and the warnings they
//! raise for one contact (reference bhi-planning.md §8). Congress and the DEA move these dates
//! often, so every date is a setting with the documented default and its source (§8.3).

use super::team_gaps::Severity;
use crate::calendar::add_months;
use crate::codes::code_enum;
use serde::{Deserialize, Serialize};
use time::macros::date;
use time::{Date, Duration};

/// The dated rules. Defaults as of November 2026.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct TelehealthRules {
    /// First day Medicare enforces the in-person visit requirement for mental-health
    /// telehealth: delayed through 1 January 2028 by the Consolidated Appropriations Act, 2026
    /// (H.R. 7148, signed 3 February 2026), §8.2 [V]. The product treats 1 January 2028 as the
    /// enforcement date, as §8.3 does.
    #[serde(with = "super::dates")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub in_person_requirement_from: Date,
    /// In-person visit within this many months before the first mental-health telehealth
    /// service (§8.2 [V]).
    pub in_person_before_first_months: u8,
    /// ... and then every this many months (§8.2 [V]).
    pub in_person_every_months: u8,
    /// Last day of the other Medicare telehealth flexibilities (geography, practitioner list,
    /// FQHC/RHC distant site, audio-only): 31 December 2027, §8.2 [V].
    #[serde(with = "super::dates")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub medicare_flexibilities_until: Date,
    /// Last day of the DEA's temporary tele-prescribing flexibilities for controlled
    /// substances without a prior in-person exam: 31 December 2026 (fourth extension), §8.2 [V].
    #[serde(with = "super::dates")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub dea_flexibilities_until: Date,
    /// Warn this many days before a flexibility ends or a requirement starts [P].
    pub warn_days_before: u16,
}

impl Default for TelehealthRules {
    fn default() -> Self {
        Self {
            in_person_requirement_from: date!(2028 - 01 - 01),
            in_person_before_first_months: 6,
            in_person_every_months: 12,
            medicare_flexibilities_until: date!(2027 - 12 - 31),
            dea_flexibilities_until: date!(2026 - 12 - 31),
            warn_days_before: 90,
        }
    }
}

code_enum! {
    pub enum Modality ("modality") {
        InPerson = "in_person",
        Video = "video",
        AudioOnly = "audio_only",
    }
}

code_enum! {
    /// Why a visit was audio-only. Medicare allows audio-only telehealth to the home when the
    /// practitioner can offer video but the patient cannot use it or does not consent to it
    /// (CMS regulation since 1 January 2025, §8.2 [V]).
    pub enum AudioOnlyReason ("audio-only reason") {
        PatientCannotUseVideo = "patient_cannot_use_video",
        PatientDeclinedVideo = "patient_declined_video",
        PractitionerCannotOfferVideo = "practitioner_cannot_offer_video",
    }
}

code_enum! {
    pub enum ServiceKind ("service kind") {
        /// Care-management time (CoCM, general BHI): not a Medicare telehealth service, so the
        /// telehealth rules do not apply (CY2025 PFS, §8.1 [V]; inference [K]).
        CareManagement = "care_management",
        /// A mental-health visit: E/M for a mental-health condition, psychotherapy.
        MentalHealthVisit = "mental_health_visit",
        /// Any other visit, including the initiating visit before BHI starts.
        OtherVisit = "other_visit",
    }
}

/// A prescription of a controlled substance at this contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ControlledPrescription {
    /// A Schedule III–V medication for opioid use disorder (e.g. buprenorphine).
    pub for_opioid_use_disorder: bool,
    /// The prescriber has examined the patient in person before.
    pub prior_in_person_exam: bool,
}

/// What the rules look at for one contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TelehealthContact {
    pub modality: Modality,
    pub audio_only_reason: Option<AudioOnlyReason>,
    pub service: ServiceKind,
    pub medicare: bool,
    /// Treatment of a substance use disorder: exempt from the in-person requirement
    /// (§8.2, [K] to verify).
    pub substance_use_disorder: bool,
    #[serde(default, with = "super::dates::option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub last_in_person_on: Option<Date>,
    /// The patient's first mental-health telehealth service; `None` when this is the first.
    #[serde(default, with = "super::dates::option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub first_mental_health_telehealth_on: Option<Date>,
    /// A documented exception: the risks and burdens of an in-person visit outweigh its
    /// benefit (§8.2 [K]).
    pub in_person_exception_documented: bool,
    pub controlled_prescription: Option<ControlledPrescription>,
}

code_enum! {
    pub enum TelehealthWarningKind ("telehealth warning") {
        AudioOnlyReasonMissing = "audio_only_reason_missing",
        AudioOnlyNotAllowed = "audio_only_not_allowed",
        InPersonVisitNeeded = "in_person_visit_needed",
        InPersonRequirementComing = "in_person_requirement_coming",
        FlexibilitiesEnded = "flexibilities_ended",
        FlexibilitiesEnding = "flexibilities_ending",
        PrescribingNeedsInPersonExam = "prescribing_needs_in_person_exam",
        PrescribingFlexibilitiesEnding = "prescribing_flexibilities_ending",
        AudioOnlyPrescribing = "audio_only_prescribing",
        BuprenorphineRule = "buprenorphine_rule",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TelehealthWarning {
    pub kind: TelehealthWarningKind,
    pub severity: Severity,
    pub message: String,
    pub basis: String,
}

fn long(d: Date) -> String {
    format!("{} {} {}", d.day(), d.month(), d.year())
}

/// When the patient next needs an in-person visit for Medicare mental-health telehealth,
/// or `None` when the requirement does not apply to this contact.
pub fn next_in_person_due(c: &TelehealthContact, rules: &TelehealthRules) -> Option<Date> {
    if !c.medicare
        || c.service != ServiceKind::MentalHealthVisit
        || c.substance_use_disorder
        || c.in_person_exception_documented
    {
        return None;
    }
    let due = c
        .last_in_person_on
        .map(|d| add_months(d, rules.in_person_every_months as i32));
    Some(due.map_or(rules.in_person_requirement_from, |d| {
        d.max(rules.in_person_requirement_from)
    }))
}

/// Warnings for one contact on `today`, most serious first.
pub fn telehealth_warnings(
    c: &TelehealthContact,
    rules: &TelehealthRules,
    today: Date,
) -> Vec<TelehealthWarning> {
    let mut out = Vec::new();
    let mut warn = |kind, severity, message: String, basis: &str| {
        out.push(TelehealthWarning {
            kind,
            severity,
            message,
            basis: basis.to_owned(),
        })
    };
    let remote = c.modality != Modality::InPerson;
    let soon =
        |end: Date| today <= end && today + Duration::days(rules.warn_days_before as i64) > end;
    let visit = c.service != ServiceKind::CareManagement;

    if visit && c.modality == Modality::AudioOnly {
        match c.audio_only_reason {
            None => warn(
                TelehealthWarningKind::AudioOnlyReasonMissing,
                Severity::Warning,
                "Record why the visit was audio-only: the patient could not use video or did not \
                 consent to it."
                    .into(),
                "CMS audio-only rule since 1 January 2025, bhi-planning.md §8.2",
            ),
            Some(AudioOnlyReason::PractitionerCannotOfferVideo) => warn(
                TelehealthWarningKind::AudioOnlyNotAllowed,
                Severity::Blocking,
                "Audio-only telehealth is allowed only when the practitioner can offer video and \
                 the patient cannot use it or declines it."
                    .into(),
                "CMS audio-only rule since 1 January 2025, bhi-planning.md §8.2",
            ),
            Some(_) => {}
        }
    }

    if remote && let Some(due) = next_in_person_due(c, rules) {
        let enforced = today >= rules.in_person_requirement_from;
        let first = c
            .first_mental_health_telehealth_on
            .is_none_or(|d| d >= today);
        let needed_since = if first {
            add_months(today, -(rules.in_person_before_first_months as i32))
        } else {
            add_months(today, -(rules.in_person_every_months as i32))
        };
        let met = c.last_in_person_on.is_some_and(|d| d >= needed_since);
        let last = c
            .last_in_person_on
            .map_or("no in-person visit on record".to_owned(), |d| {
                format!("last in-person visit {}", long(d))
            });
        if enforced && !met {
            warn(
                TelehealthWarningKind::InPersonVisitNeeded,
                Severity::Blocking,
                format!(
                    "Medicare needs an in-person visit within {} months before mental-health \
                     telehealth ({last}). Schedule one, or document why its risks outweigh its \
                     benefit.",
                    if first {
                        rules.in_person_before_first_months
                    } else {
                        rules.in_person_every_months
                    }
                ),
                "In-person requirement, bhi-planning.md §8.2; exception [K]",
            );
        } else if !enforced
            && soon(rules.in_person_requirement_from - Duration::days(1))
            && due <= rules.in_person_requirement_from
        {
            warn(
                TelehealthWarningKind::InPersonRequirementComing,
                Severity::Advice,
                format!(
                    "From {} Medicare will require in-person visits for mental-health telehealth \
                     ({last}). Plan one.",
                    long(rules.in_person_requirement_from)
                ),
                "Consolidated Appropriations Act, 2026, bhi-planning.md §8.2",
            );
        }
    }

    let non_mental_health_visit = c.service == ServiceKind::OtherVisit;
    if remote && c.medicare && non_mental_health_visit {
        let end = rules.medicare_flexibilities_until;
        if today > end {
            warn(
                TelehealthWarningKind::FlexibilitiesEnded,
                Severity::Blocking,
                format!(
                    "Medicare's telehealth flexibilities ended on {}: outside mental health, \
                     check the originating site and practitioner rules before billing this as \
                     telehealth.",
                    long(end)
                ),
                "bhi-planning.md §8.2 (flexibilities through 31 December 2027)",
            );
        } else if soon(end) {
            warn(
                TelehealthWarningKind::FlexibilitiesEnding,
                Severity::Advice,
                format!(
                    "Medicare's telehealth flexibilities end on {} unless Congress extends them.",
                    long(end)
                ),
                "bhi-planning.md §8.2",
            );
        }
    }

    if let Some(rx) = c.controlled_prescription
        && remote
        && !rx.prior_in_person_exam
    {
        let end = rules.dea_flexibilities_until;
        if today > end {
            if rx.for_opioid_use_disorder {
                warn(
                    TelehealthWarningKind::BuprenorphineRule,
                    Severity::Warning,
                    "The DEA's temporary flexibilities have ended: prescribe buprenorphine for \
                     opioid use disorder by telemedicine only under the permanent rule and its \
                     conditions."
                        .into(),
                    "DEA buprenorphine final rule effective 31 December 2025, bhi-planning.md §8.2",
                );
            } else {
                warn(
                    TelehealthWarningKind::PrescribingNeedsInPersonExam,
                    Severity::Blocking,
                    format!(
                        "The DEA's tele-prescribing flexibilities ended on {}: this controlled \
                         substance needs an in-person exam first.",
                        long(end)
                    ),
                    "DEA temporary extension through 31 December 2026, bhi-planning.md §8.2",
                );
            }
        } else {
            if c.modality == Modality::AudioOnly && !rx.for_opioid_use_disorder {
                warn(
                    TelehealthWarningKind::AudioOnlyPrescribing,
                    Severity::Blocking,
                    "Audio-only prescribing of controlled substances is allowed only for \
                     Schedule III–V medications for opioid use disorder: use video."
                        .into(),
                    "DEA temporary extension, bhi-planning.md §8.2",
                );
            }
            if soon(end) {
                warn(
                    TelehealthWarningKind::PrescribingFlexibilitiesEnding,
                    Severity::Advice,
                    format!(
                        "The DEA's tele-prescribing flexibilities end on {}: plan in-person exams \
                         for patients who need them.",
                        long(end)
                    ),
                    "DEA temporary extension through 31 December 2026, bhi-planning.md §8.2",
                );
            }
        }
    }
    out.sort_by_key(|w| w.severity);
    out
}

/// One dated rule, for the settings page and the policy watch list (§8.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DatedRule {
    pub setting: String,
    pub label: String,
    #[serde(with = "super::dates")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub date: Date,
    pub source: String,
}

impl TelehealthRules {
    /// The dates in force, with their sources.
    pub fn dated_rules(&self) -> Vec<DatedRule> {
        let rule = |setting: &str, label: &str, date, source: &str| DatedRule {
            setting: setting.to_owned(),
            label: label.to_owned(),
            date,
            source: source.to_owned(),
        };
        vec![
            rule(
                "dea_flexibilities_until",
                "DEA tele-prescribing flexibilities end",
                self.dea_flexibilities_until,
                "DEA fourth temporary extension, 90 FR (31 Dec 2025); bhi-planning.md §8.2",
            ),
            rule(
                "medicare_flexibilities_until",
                "Medicare telehealth flexibilities end",
                self.medicare_flexibilities_until,
                "Consolidated Appropriations Act, 2026; bhi-planning.md §8.2",
            ),
            rule(
                "in_person_requirement_from",
                "Medicare in-person requirement for mental-health telehealth starts",
                self.in_person_requirement_from,
                "Consolidated Appropriations Act, 2026 (H.R. 7148); bhi-planning.md §8.2",
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TelehealthWarningKind::*;

    fn visit(modality: Modality) -> TelehealthContact {
        TelehealthContact {
            modality,
            audio_only_reason: None,
            service: ServiceKind::MentalHealthVisit,
            medicare: true,
            substance_use_disorder: false,
            last_in_person_on: None,
            first_mental_health_telehealth_on: Some(date!(2026 - 02 - 01)),
            in_person_exception_documented: false,
            controlled_prescription: None,
        }
    }

    fn kinds(c: &TelehealthContact, today: Date) -> Vec<TelehealthWarningKind> {
        telehealth_warnings(c, &TelehealthRules::default(), today)
            .into_iter()
            .map(|w| w.kind)
            .collect()
    }

    #[test]
    fn in_person_and_care_management_contacts_raise_nothing() {
        let mut c = visit(Modality::InPerson);
        c.controlled_prescription = Some(ControlledPrescription {
            for_opioid_use_disorder: false,
            prior_in_person_exam: false,
        });
        assert!(kinds(&c, date!(2028 - 06 - 01)).is_empty());
        let mut cm = visit(Modality::AudioOnly);
        cm.service = ServiceKind::CareManagement;
        assert!(kinds(&cm, date!(2028 - 06 - 01)).is_empty());
    }

    #[test]
    fn audio_only_needs_the_patients_reason() {
        let mut c = visit(Modality::AudioOnly);
        c.last_in_person_on = Some(date!(2026 - 05 - 01));
        let today = date!(2026 - 06 - 01);
        assert_eq!(kinds(&c, today), [AudioOnlyReasonMissing]);
        c.audio_only_reason = Some(AudioOnlyReason::PractitionerCannotOfferVideo);
        assert_eq!(kinds(&c, today), [AudioOnlyNotAllowed]);
        c.audio_only_reason = Some(AudioOnlyReason::PatientDeclinedVideo);
        assert!(kinds(&c, today).is_empty());
    }

    /// (today, last in person, first telehealth) → in-person warnings.
    #[test]
    fn the_in_person_requirement_by_date() {
        type Case = (
            Date,
            Option<Date>,
            Option<Date>,
            &'static [TelehealthWarningKind],
        );
        let cases: [Case; 7] = [
            // Not yet enforced and far away: nothing.
            (
                date!(2027 - 06 - 01),
                None,
                Some(date!(2026 - 02 - 01)),
                &[],
            ),
            // Within 90 days of enforcement, no visit planned: get ready.
            (
                date!(2027 - 11 - 15),
                None,
                Some(date!(2026 - 02 - 01)),
                &[InPersonRequirementComing],
            ),
            // ... unless a recent visit covers the first year.
            (
                date!(2027 - 11 - 15),
                Some(date!(2027 - 10 - 01)),
                Some(date!(2026 - 02 - 01)),
                &[],
            ),
            // Enforced: no visit in 12 months.
            (
                date!(2028 - 03 - 01),
                Some(date!(2027 - 02 - 01)),
                Some(date!(2026 - 02 - 01)),
                &[InPersonVisitNeeded],
            ),
            // Enforced: a visit 11 months ago covers an established patient.
            (
                date!(2028 - 03 - 01),
                Some(date!(2027 - 04 - 01)),
                Some(date!(2026 - 02 - 01)),
                &[],
            ),
            // Enforced, first telehealth service: the visit must be within 6 months.
            (
                date!(2028 - 03 - 01),
                Some(date!(2027 - 04 - 01)),
                None,
                &[InPersonVisitNeeded],
            ),
            (
                date!(2028 - 03 - 01),
                Some(date!(2027 - 10 - 01)),
                None,
                &[],
            ),
        ];
        for (today, last, first, expected) in cases {
            let mut c = visit(Modality::Video);
            c.last_in_person_on = last;
            c.first_mental_health_telehealth_on = first;
            assert_eq!(kinds(&c, today), expected, "{today} {last:?} {first:?}");
        }
    }

    #[test]
    fn exemptions_from_the_in_person_requirement() {
        let today = date!(2028 - 03 - 01);
        let mut c = visit(Modality::Video);
        c.substance_use_disorder = true;
        assert!(kinds(&c, today).is_empty());
        let mut c = visit(Modality::Video);
        c.in_person_exception_documented = true;
        assert!(kinds(&c, today).is_empty());
        let mut c = visit(Modality::Video);
        c.medicare = false;
        assert!(kinds(&c, today).is_empty());
    }

    #[test]
    fn other_visits_follow_the_flexibility_end_date() {
        let mut c = visit(Modality::Video);
        c.service = ServiceKind::OtherVisit;
        assert!(kinds(&c, date!(2027 - 06 - 01)).is_empty());
        assert_eq!(kinds(&c, date!(2027 - 12 - 01)), [FlexibilitiesEnding]);
        assert_eq!(kinds(&c, date!(2028 - 01 - 01)), [FlexibilitiesEnded]);
    }

    #[test]
    fn controlled_substances_by_date_and_modality() {
        let rx = |oud| ControlledPrescription {
            for_opioid_use_disorder: oud,
            prior_in_person_exam: false,
        };
        let mut c = visit(Modality::Video);
        c.service = ServiceKind::CareManagement;
        c.controlled_prescription = Some(rx(false));
        assert!(kinds(&c, date!(2026 - 06 - 01)).is_empty());
        assert_eq!(
            kinds(&c, date!(2026 - 11 - 01)),
            [PrescribingFlexibilitiesEnding]
        );
        assert_eq!(
            kinds(&c, date!(2027 - 01 - 01)),
            [PrescribingNeedsInPersonExam]
        );
        c.controlled_prescription = Some(rx(true));
        assert_eq!(kinds(&c, date!(2027 - 01 - 01)), [BuprenorphineRule]);
        c.modality = Modality::AudioOnly;
        assert!(kinds(&c, date!(2026 - 06 - 01)).is_empty());
        c.controlled_prescription = Some(rx(false));
        assert_eq!(kinds(&c, date!(2026 - 06 - 01)), [AudioOnlyPrescribing]);
        c.controlled_prescription = Some(ControlledPrescription {
            for_opioid_use_disorder: false,
            prior_in_person_exam: true,
        });
        assert!(kinds(&c, date!(2027 - 06 - 01)).is_empty());
    }

    #[test]
    fn dates_are_settings() {
        let mut rules = TelehealthRules::default();
        let c = TelehealthContact {
            service: ServiceKind::OtherVisit,
            ..visit(Modality::Video)
        };
        assert_eq!(kinds(&c, date!(2028 - 02 - 01)), [FlexibilitiesEnded]);
        // Congress extends the flexibilities: the date is changed, not the code.
        rules.medicare_flexibilities_until = date!(2029 - 12 - 31);
        assert!(telehealth_warnings(&c, &rules, date!(2028 - 02 - 01)).is_empty());
        let parsed: TelehealthRules =
            serde_json::from_str(r#"{"dea_flexibilities_until":"2027-12-31"}"#).unwrap();
        assert_eq!(parsed.dea_flexibilities_until, date!(2027 - 12 - 31));
        assert_eq!(parsed.in_person_requirement_from, date!(2028 - 01 - 01));
        assert_eq!(rules.dated_rules().len(), 3);
    }

    #[test]
    fn next_in_person_due_is_a_year_after_the_last_visit_but_not_before_enforcement() {
        let rules = TelehealthRules::default();
        let mut c = visit(Modality::Video);
        assert_eq!(next_in_person_due(&c, &rules), Some(date!(2028 - 01 - 01)));
        c.last_in_person_on = Some(date!(2027 - 09 - 15));
        assert_eq!(next_in_person_due(&c, &rules), Some(date!(2028 - 09 - 15)));
        c.last_in_person_on = Some(date!(2026 - 03 - 01));
        assert_eq!(next_in_person_due(&c, &rules), Some(date!(2028 - 01 - 01)));
        c.service = ServiceKind::CareManagement;
        assert_eq!(next_in_person_due(&c, &rules), None);
    }
}
