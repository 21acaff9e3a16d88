//! What scoring may depend on besides the answers: the patient's recorded sex (AUDIT-C) and
//! the practice's settings for the cut-offs the reference marks configurable, unverified or
//! in conflict. Every default is the documented one.

use super::cssrs::RiskLevel;
use super::{InstrumentId, alcohol, epds, gad, phq, ptsd};
use crate::error::ValidationError;
use crate::patient::Sex;
use serde::{Deserialize, Serialize};

/// The context of one scoring. `ScoringContext::default()` is what [`super::score`] uses:
/// sex not known, the documented defaults for every setting.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScoringContext {
    /// The patient's recorded sex; AUDIT-C cut-offs differ for women and men.
    pub sex: Option<Sex>,
    #[serde(default)]
    pub settings: ScoringSettings,
}

/// The practice's scoring settings. Each field cites why it is configurable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct ScoringSettings {
    /// PHQ-2 positive at this total; 3 by default, 2 is more sensitive (reference §2).
    pub phq2_positive_at: u16,
    /// GAD-2 positive at this total; 3 from a secondary source [S] (reference §5).
    pub gad2_positive_at: u16,
    /// AUDIT-C positive for women at this total (3, LOINC 75626-2, Bradley 2003). Also used
    /// when sex is not recorded as female or male: the lower, more sensitive cut-off, flagged
    /// in the score's notes (reference §6).
    pub auditc_positive_at_female: u16,
    /// AUDIT-C positive for men at this total (4, LOINC 75626-2, Bradley 2003).
    pub auditc_positive_at_male: u16,
    /// AUDIT positive at this total (8, LOINC 75624-7 / WHO 2001); some guidance uses 7 for
    /// women and older adults (reference §7).
    pub audit_positive_at: u16,
    /// PCL-5 provisional PTSD at this total: the reference gives 31–33 (an early proposal
    /// was 38); default 33, the cut of the reference's test-vector table (§9).
    pub pcl5_positive_at: u16,
    /// EPDS "possible depression" (positive screen) at this total: 10 postnatal; 13 antenatal
    /// (reference §11).
    pub epds_possible_at: u16,
    /// EPDS "probable depression" at this total: 13 postnatal; 15 antenatal (reference §11).
    pub epds_probable_at: u16,
    /// C-SSRS risk level from which a safety alert is raised: Moderate by default; "many
    /// programs also alert on Low" (reference §10, §16.5).
    pub cssrs_alert_at: RiskLevel,
    /// PC-PTSD-5 positive at this total: 4 (VA primary care), 3 more sensitive / for women
    /// (Bovin 2021; reference §13).
    pub pcptsd5_positive_at: u16,
    /// The practice skips DAST-10 items 2–10 when item 1 is "No"; those items then score 0
    /// (reference §8, §16.7). Off by default: the form itself asks all ten.
    pub dast10_skip_when_item1_no: bool,
}

impl Default for ScoringSettings {
    fn default() -> Self {
        Self {
            phq2_positive_at: phq::PHQ2_POSITIVE_AT,
            gad2_positive_at: gad::GAD2_POSITIVE_AT,
            auditc_positive_at_female: alcohol::AUDITC_POSITIVE_AT_FEMALE,
            auditc_positive_at_male: alcohol::AUDITC_POSITIVE_AT_MALE,
            audit_positive_at: alcohol::AUDIT_POSITIVE_AT,
            pcl5_positive_at: ptsd::PCL5_POSITIVE_AT,
            epds_possible_at: epds::POSSIBLE_AT,
            epds_probable_at: epds::PROBABLE_AT,
            cssrs_alert_at: RiskLevel::Moderate,
            pcptsd5_positive_at: ptsd::PCPTSD5_POSITIVE_AT,
            dast10_skip_when_item1_no: false,
        }
    }
}

impl ScoringSettings {
    /// The cut-off in force for a positive screen: the setting where the reference makes it
    /// configurable, otherwise the published one.
    pub fn positive_at(&self, instrument: InstrumentId, sex: Option<Sex>) -> Option<u16> {
        match instrument {
            InstrumentId::Phq2 => Some(self.phq2_positive_at),
            InstrumentId::Gad2 => Some(self.gad2_positive_at),
            InstrumentId::Auditc => Some(match sex {
                Some(Sex::Male) => self.auditc_positive_at_male,
                _ => self.auditc_positive_at_female,
            }),
            InstrumentId::Audit => Some(self.audit_positive_at),
            InstrumentId::Pcl5 => Some(self.pcl5_positive_at),
            InstrumentId::Epds => Some(self.epds_possible_at),
            InstrumentId::Pcptsd5 => Some(self.pcptsd5_positive_at),
            other => other.definition().positive_at,
        }
    }

    /// Whether an optional skip rule of `instrument` is in force.
    pub fn optional_skip(&self, instrument: InstrumentId) -> bool {
        instrument == InstrumentId::Dast10 && self.dast10_skip_when_item1_no
    }

    /// Every cut-off within its instrument's range, and EPDS possible ≤ probable.
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut errors = ValidationError::new();
        let cuts = [
            (
                "phq2_positive_at",
                InstrumentId::Phq2,
                self.phq2_positive_at,
            ),
            (
                "gad2_positive_at",
                InstrumentId::Gad2,
                self.gad2_positive_at,
            ),
            (
                "auditc_positive_at_female",
                InstrumentId::Auditc,
                self.auditc_positive_at_female,
            ),
            (
                "auditc_positive_at_male",
                InstrumentId::Auditc,
                self.auditc_positive_at_male,
            ),
            (
                "audit_positive_at",
                InstrumentId::Audit,
                self.audit_positive_at,
            ),
            (
                "pcl5_positive_at",
                InstrumentId::Pcl5,
                self.pcl5_positive_at,
            ),
            (
                "epds_possible_at",
                InstrumentId::Epds,
                self.epds_possible_at,
            ),
            (
                "epds_probable_at",
                InstrumentId::Epds,
                self.epds_probable_at,
            ),
            (
                "pcptsd5_positive_at",
                InstrumentId::Pcptsd5,
                self.pcptsd5_positive_at,
            ),
        ];
        for (field, instrument, at) in cuts {
            let max = instrument.max_total();
            if !(1..=max).contains(&at) {
                errors.push(
                    field,
                    format!("must be between 1 and {max} ({})", instrument.name()),
                );
            }
        }
        if self.epds_possible_at > self.epds_probable_at {
            errors.push("epds_probable_at", "must not be below epds_possible_at");
        }
        if self.cssrs_alert_at == RiskLevel::NoRisk {
            errors.push("cssrs_alert_at", "must be low, moderate or high");
        }
        errors.into_result()
    }
}
