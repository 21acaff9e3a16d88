//! Tests of the instruments: the reference's published vectors per family, the structure of
//! every definition, and properties over random responses.

mod alcohol;
mod cli;
mod cssrs;
mod dast;
mod definitions;
mod epds;
mod loinc;
mod mdq;
mod phq_gad;
mod props;
mod ptsd;
mod wording;

use super::*;

/// Every answer given.
fn given(v: &[u8]) -> Vec<Option<u8>> {
    v.iter().map(|&a| Some(a)).collect()
}

/// Answers written as on the CLI: digits, `-` for blank.
fn parse(s: &str) -> Vec<Option<u8>> {
    s.split_whitespace().map(|a| a.parse().ok()).collect()
}

fn ctx_with(settings: ScoringSettings) -> ScoringContext {
    ScoringContext {
        sex: None,
        settings,
    }
}
