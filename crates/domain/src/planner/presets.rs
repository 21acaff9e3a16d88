//! Registry defaults set by the chosen model, with presets for specialty practices: programs
//! offered, screening protocol, follow-up cadence and case-review day. The practice edits them;
//! these are starting points with their sources.

use super::model::CareModel;
use crate::care_plan::{DEFAULT_FOLLOW_UP_WEEKS, FOLLOW_UP_WEEKS};
use crate::codes::code_enum;
use crate::episode::Program;
use crate::error::ValidationError;
use crate::instruments::InstrumentId;
use serde::{Deserialize, Serialize};

code_enum! {
    /// Screening and monitoring instruments by code. Codes match `InstrumentId` where the
    /// registry already scores the instrument (reference instruments.md §0).
    pub enum ScreeningInstrument ("screening instrument") {
        Phq2 = "phq2",
        Phq9 = "phq9",
        /// PHQ-9 modified for teens, ages 12–17 (instruments.md §3).
        PhqA = "phqa",
        Gad2 = "gad2",
        Gad7 = "gad7",
        AuditC = "auditc",
        /// Edinburgh Postnatal Depression Scale (instruments.md §11).
        Epds = "epds",
    }
}

impl ScreeningInstrument {
    pub fn label(self) -> &'static str {
        match self {
            ScreeningInstrument::Phq2 => "PHQ-2",
            ScreeningInstrument::Phq9 => "PHQ-9",
            ScreeningInstrument::PhqA => "PHQ-A",
            ScreeningInstrument::Gad2 => "GAD-2",
            ScreeningInstrument::Gad7 => "GAD-7",
            ScreeningInstrument::AuditC => "AUDIT-C",
            ScreeningInstrument::Epds => "EPDS",
        }
    }

    /// The registry can score it today.
    pub fn is_scored(self) -> bool {
        InstrumentId::parse(self.code()).is_ok()
    }

    /// Licence caveat to show with the preset, if any (instruments.md §0, §11).
    pub fn licence_note(self) -> Option<&'static str> {
        match self {
            ScreeningInstrument::Epds => Some(
                "EPDS: displaying the questions needs permission from the Royal College of \
                 Psychiatrists; recording scores from the paper form does not.",
            ),
            ScreeningInstrument::PhqA => Some("PHQ-A: licence terms to confirm."),
            _ => None,
        }
    }
}

code_enum! {
    pub enum Specialty ("specialty") {
        /// Adult primary care (or an adult specialty without its own preset).
        PrimaryCare = "primary_care",
        /// Obstetrics and perinatal care.
        ObPerinatal = "ob_perinatal",
        /// Pediatrics, for adolescents aged 12 to 17.
        PediatricsAdolescent = "pediatrics_adolescent",
    }
}

code_enum! {
    pub enum Weekday ("weekday") {
        Monday = "monday",
        Tuesday = "tuesday",
        Wednesday = "wednesday",
        Thursday = "thursday",
        Friday = "friday",
    }
}

/// One screening step: an instrument, and the one to give next when it is positive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScreeningStep {
    pub instrument: ScreeningInstrument,
    pub then_if_positive: Option<ScreeningInstrument>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScreeningProtocol {
    /// Given to everyone in the target population.
    pub steps: Vec<ScreeningStep>,
    /// Repeated during treatment to treat to target.
    pub measure: Vec<ScreeningInstrument>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegistryDefaults {
    pub programs: Vec<Program>,
    pub screening: ScreeningProtocol,
    /// Default follow-up interval for new care plans, in weeks (1, 2, 3, 4, 6 or 8).
    pub follow_up_weeks: u8,
    /// Day of the weekly psychiatric case review; none without a psychiatric consultant.
    pub case_review_weekday: Option<Weekday>,
    /// Where each default comes from.
    pub sources: Vec<String>,
}

/// Follow-up every 4 weeks outside Collaborative Care: at least monthly check-ins (AAFP,
/// cocm-billing-registry.md §9.6 [S66]) and a first follow-up within 4 weeks (MHIP, [S47]).
pub const GENERAL_BHI_FOLLOW_UP_WEEKS: u8 = 4;

/// Our default case-review day [P]: mid-week, so the week's follow-ups feed the review.
/// The weekly rhythm is sourced (§9.8 [S59]); the day is the practice's choice.
pub const DEFAULT_CASE_REVIEW_DAY: Weekday = Weekday::Wednesday;

const fn step(instrument: ScreeningInstrument) -> ScreeningStep {
    ScreeningStep {
        instrument,
        then_if_positive: None,
    }
}

const fn two_step(first: ScreeningInstrument, then: ScreeningInstrument) -> ScreeningStep {
    ScreeningStep {
        instrument: first,
        then_if_positive: Some(then),
    }
}

fn screening(specialty: Specialty) -> (ScreeningProtocol, &'static str) {
    use ScreeningInstrument::*;
    match specialty {
        Specialty::PrimaryCare => (
            ScreeningProtocol {
                steps: vec![two_step(Phq2, Phq9), two_step(Gad2, Gad7), step(AuditC)],
                measure: vec![Phq9, Gad7],
            },
            "Screening: PHQ-2/9, GAD-2/7, AUDIT-C (bhi-planning.md §4.2 step 2); a positive \
             PHQ-2 leads to the PHQ-9 (instruments.md §2)",
        ),
        Specialty::ObPerinatal => (
            ScreeningProtocol {
                steps: vec![step(Epds), step(AuditC)],
                measure: vec![Epds, Phq9],
            },
            "Perinatal: EPDS, with its self-harm item (instruments.md §11); Collaborative Care for \
             mothers in MHIP (cocm-billing-registry.md §9.9 [S61])",
        ),
        Specialty::PediatricsAdolescent => (
            ScreeningProtocol {
                steps: vec![step(PhqA)],
                measure: vec![PhqA],
            },
            "Adolescents 12–17: PHQ-A, scored as the PHQ-9 with extra suicide items \
             (instruments.md §3); HEDIS accepts PHQ-9 or PHQ-9M from age 12",
        ),
    }
}

/// The defaults a chosen model and specialty set in the registry.
pub fn registry_defaults(model: CareModel, specialty: Specialty) -> RegistryDefaults {
    let (screening, screening_source) = screening(specialty);
    let mut sources = vec![screening_source.to_owned()];
    let (programs, follow_up_weeks, case_review_weekday) = if model == CareModel::Cocm {
        sources.push(
            "Collaborative Care and general BHI programs (cocm-billing-registry.md §1); follow-up \
             every 2 weeks in the acute phase (IMPACT, §9.6 [S51]); weekly case review (§9.8)"
                .to_owned(),
        );
        (
            vec![Program::Cocm, Program::GeneralBhi],
            DEFAULT_FOLLOW_UP_WEEKS,
            Some(DEFAULT_CASE_REVIEW_DAY),
        )
    } else {
        sources.push(
            "General BHI program, 99484 (cocm-billing-registry.md §1, §2.3); follow-up every 4 \
             weeks (§9.6 [S66][S47])"
                .to_owned(),
        );
        (vec![Program::GeneralBhi], GENERAL_BHI_FOLLOW_UP_WEEKS, None)
    };
    RegistryDefaults {
        programs,
        screening,
        follow_up_weeks,
        case_review_weekday,
        sources,
    }
}

impl RegistryDefaults {
    /// Checks a practice's edited defaults.
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut errors = ValidationError::new();
        if self.programs.is_empty() {
            errors.push("programs", "offer at least one program: cocm or bhi");
        }
        if self.programs.contains(&Program::Cocm) && self.case_review_weekday.is_none() {
            errors.push(
                "case_review_weekday",
                "Collaborative Care needs a weekly case review day",
            );
        }
        if self.screening.steps.is_empty() {
            errors.push(
                "screening.steps",
                "choose at least one screening instrument",
            );
        }
        if !FOLLOW_UP_WEEKS.contains(&self.follow_up_weeks) {
            errors.push("follow_up_weeks", "must be 1, 2, 3, 4, 6 or 8 weeks");
        }
        errors.into_result()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ScreeningInstrument::*;

    #[test]
    fn defaults_per_model_and_specialty() {
        // (model, specialty) → (programs, follow-up weeks, case review, first screen, measures)
        let cases = [
            (
                CareModel::Cocm,
                Specialty::PrimaryCare,
                &[Program::Cocm, Program::GeneralBhi][..],
                2,
                true,
                Phq2,
                &[Phq9, Gad7][..],
            ),
            (
                CareModel::Coordinated,
                Specialty::PrimaryCare,
                &[Program::GeneralBhi][..],
                4,
                false,
                Phq2,
                &[Phq9, Gad7][..],
            ),
            (
                CareModel::CoLocation,
                Specialty::PrimaryCare,
                &[Program::GeneralBhi][..],
                4,
                false,
                Phq2,
                &[Phq9, Gad7][..],
            ),
            (
                CareModel::Integrated,
                Specialty::ObPerinatal,
                &[Program::GeneralBhi][..],
                4,
                false,
                Epds,
                &[Epds, Phq9][..],
            ),
            (
                CareModel::Cocm,
                Specialty::ObPerinatal,
                &[Program::Cocm, Program::GeneralBhi][..],
                2,
                true,
                Epds,
                &[Epds, Phq9][..],
            ),
            (
                CareModel::Cocm,
                Specialty::PediatricsAdolescent,
                &[Program::Cocm, Program::GeneralBhi][..],
                2,
                true,
                PhqA,
                &[PhqA][..],
            ),
        ];
        for (model, specialty, programs, weeks, review, first, measure) in cases {
            let d = registry_defaults(model, specialty);
            assert_eq!(d.programs, programs, "{model} {specialty}");
            assert_eq!(d.follow_up_weeks, weeks, "{model} {specialty}");
            assert_eq!(
                d.case_review_weekday.is_some(),
                review,
                "{model} {specialty}"
            );
            assert_eq!(
                d.screening.steps[0].instrument, first,
                "{model} {specialty}"
            );
            assert_eq!(d.screening.measure, measure, "{model} {specialty}");
            assert!(d.validate().is_ok());
            assert_eq!(d.sources.len(), 2);
        }
    }

    #[test]
    fn primary_care_screens_in_two_steps() {
        let d = registry_defaults(CareModel::Cocm, Specialty::PrimaryCare);
        assert_eq!(d.screening.steps[0].then_if_positive, Some(Phq9));
        assert_eq!(d.screening.steps[1].then_if_positive, Some(Gad7));
        assert!(
            ScreeningInstrument::ALL.iter().all(|i| i.is_scored()),
            "every screening instrument is scored"
        );
        assert!(Epds.licence_note().unwrap().contains("Royal College"));
    }

    #[test]
    fn edited_defaults_are_checked() {
        let mut d = registry_defaults(CareModel::Cocm, Specialty::PrimaryCare);
        d.case_review_weekday = None;
        d.follow_up_weeks = 5;
        d.screening.steps.clear();
        let fields: Vec<String> = d
            .validate()
            .unwrap_err()
            .errors
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            ["case_review_weekday", "screening.steps", "follow_up_weeks"]
        );
        d.programs.clear();
        assert_eq!(d.validate().unwrap_err().errors[0].field, "programs");
    }
}
