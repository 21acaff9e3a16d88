//! Validated instruments, each defined once as data (items, answer options and their points,
//! LOINC codes, bands, cut-offs, skip logic, safety items, licence), and one scorer for all.
//! docs/instruments.md explains every rule with its source, for clinicians.
//!
//! # Answer encoding (a contract other code relies on)
//!
//! An answer is the option's *position*, counted from 0 in the order the published form lists
//! the options; the scorer converts positions to points through the definition. So PHQ-9
//! positions equal points, while reverse-scored items (EPDS items 3 and 5–10, DAST-10 item 3)
//! and AUDIT questions 9–10 (positions 0/1/2 → 0/2/4 points) differ. Yes/no questions are
//! encoded no = 0, yes = 1. `None` is an item skipped or left unanswered; the scorer tells the
//! two apart with the form's skip logic.
//!
//! # Files
//!
//! `model.rs` the shape of a definition; one file per instrument family holds the data and
//! its special rule (`phq.rs`, `gad.rs`, `alcohol.rs`, `dast.rs`, `ptsd.rs`, `epds.rs`,
//! `cssrs.rs`, `mdq.rs`); `scoring.rs` the scorer; `settings.rs` the configurable cut-offs;
//! `loinc.rs` LOINC-coded input; `wording.rs` licensed item wording; `catalogue.rs` the
//! instruments as forms show them (with the practice's wording); `cli.rs` the CLI output.

mod alcohol;
pub mod catalogue;
pub mod cli;
mod cssrs;
mod dast;
mod epds;
mod gad;
mod loinc;
mod mdq;
mod model;
mod options;
mod phq;
mod ptsd;
mod scoring;
mod settings;
pub mod wording;

use crate::codes::code_enum;

pub use cssrs::RiskLevel;
pub use loinc::{answer_position, score_loinc, score_loinc_with};
pub use model::{AnswerOption, Band, Definition, Evidence, Item, ItemText, Loinc, Skip};
pub use scoring::{AnswerError, Criterion, Safety, Score, Subscale};
pub use settings::{ScoringContext, ScoringSettings};

code_enum! {
    pub enum InstrumentId ("instrument") {
        Phq9 = "phq9",
        Phq2 = "phq2",
        Phqa = "phqa",
        Gad7 = "gad7",
        Gad2 = "gad2",
        Auditc = "auditc",
        Audit = "audit",
        Dast10 = "dast10",
        Pcl5 = "pcl5",
        Epds = "epds",
        Cssrs = "cssrs",
        Mdq = "mdq",
        Pcptsd5 = "pcptsd5",
    }
}

impl InstrumentId {
    pub fn definition(self) -> &'static Definition {
        match self {
            InstrumentId::Phq9 => &phq::PHQ9,
            InstrumentId::Phq2 => &phq::PHQ2,
            InstrumentId::Phqa => &phq::PHQA,
            InstrumentId::Gad7 => &gad::GAD7,
            InstrumentId::Gad2 => &gad::GAD2,
            InstrumentId::Auditc => &alcohol::AUDITC,
            InstrumentId::Audit => &alcohol::AUDIT,
            InstrumentId::Dast10 => &dast::DAST10,
            InstrumentId::Pcl5 => &ptsd::PCL5,
            InstrumentId::Epds => &epds::EPDS,
            InstrumentId::Cssrs => &cssrs::CSSRS,
            InstrumentId::Mdq => &mdq::MDQ,
            InstrumentId::Pcptsd5 => &ptsd::PCPTSD5,
        }
    }

    pub fn name(self) -> &'static str {
        self.definition().name
    }

    /// Highest possible official total (0 for the C-SSRS, which has no numeric score).
    pub fn max_total(self) -> u16 {
        self.definition()
            .items
            .iter()
            .filter(|i| i.scored)
            .map(|i| u16::from(i.max_points()))
            .sum()
    }

    /// Instruments whose totals measure treatment progress (response and remission).
    pub fn is_treatment_target(self) -> bool {
        matches!(self, InstrumentId::Phq9 | InstrumentId::Gad7)
    }
}

/// Score a response given as answer positions (see the module's answer encoding), with the
/// default context: sex unknown, documented default cut-offs.
pub fn score(instrument: InstrumentId, answers: &[Option<u8>]) -> Result<Score, AnswerError> {
    score_with(instrument, answers, &ScoringContext::default())
}

/// Score a response with the patient's sex and the practice's settings.
pub fn score_with(
    instrument: InstrumentId,
    answers: &[Option<u8>],
    ctx: &ScoringContext,
) -> Result<Score, AnswerError> {
    let reading = scoring::read(instrument.definition(), answers, ctx, &|i| {
        format!("answers[{i}]")
    })?;
    Ok(scoring::score_reading(&reading, ctx))
}

#[cfg(test)]
mod tests;
