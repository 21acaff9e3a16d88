//! Validated instruments, each defined once as data (items, answer options and their points,
//! LOINC codes, bands, cut-offs, safety items), and one scorer for all of them.
//!
//! Rules (reference instruments.md §1, §4, §16):
//! - a total is official only when every scored item is answered; otherwise the response is
//!   incomplete and only the partial sum is given, clearly labelled;
//! - a missing safety item is never taken as 0: the safety status is then `unknown`;
//! - safety items raise an alert whatever the total.

mod definitions;

use crate::codes::code_enum;
use serde::{Deserialize, Serialize};

code_enum! {
    pub enum InstrumentId ("instrument") {
        Phq9 = "phq9",
        Gad7 = "gad7",
    }
}

impl InstrumentId {
    pub fn definition(self) -> &'static Definition {
        match self {
            InstrumentId::Phq9 => &definitions::PHQ9,
            InstrumentId::Gad7 => &definitions::GAD7,
        }
    }

    pub fn name(self) -> &'static str {
        self.definition().name
    }

    /// Highest possible official total.
    pub fn max_total(self) -> u16 {
        self.definition()
            .items
            .iter()
            .filter(|i| i.scored)
            .map(|i| i.options.iter().map(|o| o.points as u16).max().unwrap_or(0))
            .sum()
    }

    /// Instruments whose totals measure treatment progress (response and remission).
    pub fn is_treatment_target(self) -> bool {
        matches!(self, InstrumentId::Phq9 | InstrumentId::Gad7)
    }
}

/// One answer option, in the order the published form lists it.
#[derive(Debug, Clone, Copy)]
pub struct AnswerOption {
    pub label: &'static str,
    /// LOINC answer codes accepted for this option (GAD-7 item 2 has two, §4).
    pub loinc: &'static [&'static str],
    pub points: u8,
}

#[derive(Debug, Clone, Copy)]
pub struct Item {
    pub number: u8,
    pub loinc: &'static str,
    /// A neutral label, or the short wording where the instrument is free to reproduce.
    pub label: &'static str,
    /// Counted in the total. PHQ-9's functional item is recorded but not scored.
    pub scored: bool,
    /// Any answer worth at least this many points raises a safety alert.
    pub alert_at: Option<u8>,
    pub options: &'static [AnswerOption],
}

/// A severity band over official totals, inclusive.
#[derive(Debug, Clone, Copy)]
pub struct Band {
    pub min: u16,
    pub max: u16,
    pub label: &'static str,
}

#[derive(Debug, Clone, Copy)]
pub struct Definition {
    pub id: InstrumentId,
    pub name: &'static str,
    pub panel_loinc: &'static str,
    pub total_loinc: &'static str,
    pub items: &'static [Item],
    pub bands: &'static [Band],
    /// Official totals at or above this are a positive screen.
    pub positive_at: Option<u16>,
    pub licence: &'static str,
    pub source: &'static str,
}

impl Definition {
    /// Items that must be answered: every item up to the last scored one.
    pub fn required_items(&self) -> usize {
        self.items
            .iter()
            .rposition(|i| i.scored)
            .map_or(0, |p| p + 1)
    }
}

code_enum! {
    /// Whether a response reveals a safety risk. `unknown` when a safety item is unanswered:
    /// never assume it is zero.
    pub enum Safety ("safety status") {
        Clear = "clear",
        Alert = "alert",
        Unknown = "unknown",
    }
}

/// The result of scoring one response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Score {
    pub instrument: InstrumentId,
    /// The official total; `None` when any scored item is unanswered.
    pub total: Option<u16>,
    /// Sum of the answered scored items, for display as "partial sum" when incomplete.
    pub partial_sum: u16,
    pub answered: u8,
    pub scored_items: u8,
    pub complete: bool,
    pub band: Option<String>,
    pub positive: Option<bool>,
    pub safety: Safety,
    /// Item numbers (from 1) that raised the safety alert.
    pub alert_items: Vec<u8>,
}

/// An answer the instrument does not allow; nothing is stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct AnswerError {
    /// `answers` for the whole list, or `answers[i]` (0-based) for one item.
    pub field: String,
    pub message: String,
}

/// Score a response given as answer positions (0-based, in the published option order);
/// `None` is an unanswered item.
pub fn score(instrument: InstrumentId, answers: &[Option<u8>]) -> Result<Score, AnswerError> {
    let def = instrument.definition();
    let required = def.required_items();
    if answers.len() < required || answers.len() > def.items.len() {
        let expected = if required == def.items.len() {
            format!("{required}")
        } else {
            format!("{required} to {}", def.items.len())
        };
        return Err(AnswerError {
            field: "answers".into(),
            message: format!(
                "{} has {expected} items; {} answers were given",
                def.name,
                answers.len()
            ),
        });
    }
    let mut partial_sum = 0u16;
    let mut answered = 0u8;
    let mut scored_items = 0u8;
    let mut missing_scored = false;
    let mut safety = Safety::Clear;
    let mut alert_items = Vec::new();
    for (idx, (item, answer)) in def.items.iter().zip(answers).enumerate() {
        if item.scored {
            scored_items += 1;
        }
        let Some(pos) = answer else {
            missing_scored |= item.scored;
            if item.alert_at.is_some() && safety == Safety::Clear {
                safety = Safety::Unknown;
            }
            continue;
        };
        let option = item.options.get(*pos as usize).ok_or_else(|| AnswerError {
            field: format!("answers[{idx}]"),
            message: format!(
                "item {} ({}) allows answers 0 to {}; got {pos}",
                item.number,
                item.label,
                item.options.len().saturating_sub(1)
            ),
        })?;
        answered += 1;
        if item.scored {
            partial_sum += option.points as u16;
        }
        if item.alert_at.is_some_and(|at| option.points >= at) {
            safety = Safety::Alert;
            alert_items.push(item.number);
        }
    }
    let total = (!missing_scored).then_some(partial_sum);
    let band = total.and_then(|t| {
        def.bands
            .iter()
            .find(|b| (b.min..=b.max).contains(&t))
            .map(|b| b.label.to_owned())
    });
    let positive = match (total, def.positive_at) {
        (Some(t), Some(cut)) => Some(t >= cut),
        _ => None,
    };
    Ok(Score {
        instrument,
        total,
        partial_sum,
        answered,
        scored_items,
        complete: total.is_some(),
        band,
        positive,
        safety,
        alert_items,
    })
}

#[cfg(test)]
mod tests;
