//! One scorer for every instrument: read the answers against the definition (ranges, skip
//! logic), sum, band, cut-off and safety items; then the instrument's own rule, if any.
//!
//! Rules (reference instruments.md §1, §4, §16):
//! - a total is official only when every scored item is answered (or skipped by the form's
//!   logic); otherwise the response is incomplete and only the partial sum is given;
//! - a missing safety item is never taken as 0: the safety status is then `unknown`;
//! - safety items raise an alert whatever the total;
//! - a prorated estimate is never a total.

use super::cssrs::RiskLevel;
use super::model::{Definition, Item};
use super::settings::ScoringContext;
use super::{InstrumentId, alcohol, cssrs, epds, mdq, ptsd};
use crate::codes::code_enum;
use serde::{Deserialize, Serialize};

code_enum! {
    /// Whether a response reveals a safety risk. `unknown` when a safety item is unanswered:
    /// never assume it is zero.
    pub enum Safety ("safety status") {
        Clear = "clear",
        Alert = "alert",
        Unknown = "unknown",
    }
}

/// One criterion of a composite rule (MDQ's three parts, PCL-5's cut-off and DSM-5 rule).
/// `met` is `None` while the items it needs are not all answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Criterion {
    pub key: String,
    pub label: String,
    pub met: Option<bool>,
}

/// A published sub-score (PCL-5 symptom clusters); `None` while any of its items is missing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Subscale {
    pub key: String,
    pub label: String,
    pub score: Option<u16>,
}

/// The result of scoring one response. Fields added after the first release default when
/// absent, so earlier serialized scores still read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Score {
    pub instrument: InstrumentId,
    /// The official total; `None` when any scored item is unanswered, and for the C-SSRS,
    /// which has no numeric score.
    pub total: Option<u16>,
    /// Sum of the answered scored items, for display as "partial sum" when incomplete.
    pub partial_sum: u16,
    /// Items answered (items skipped by the form's logic are not counted).
    pub answered: u8,
    pub scored_items: u8,
    /// Every item the form asks was answered: items skipped by its logic count as done.
    pub complete: bool,
    /// Prorated estimate `round(partial sum × scored items / answered scored items)` when
    /// exactly one scored item is missing and the instrument allows it (PHQ-9, GAD-7).
    /// Never official: not a total, not eligible for response or remission.
    #[serde(default)]
    pub estimate: Option<u16>,
    pub band: Option<String>,
    /// Positive screen under the cut-off in force; `None` without an official total (or,
    /// for MDQ, while undecided).
    pub positive: Option<bool>,
    pub safety: Safety,
    /// Item numbers (from 1) that raised the safety alert.
    pub alert_items: Vec<u8>,
    /// C-SSRS screener risk level, once every question asked is answered.
    #[serde(default)]
    pub risk_level: Option<RiskLevel>,
    #[serde(default)]
    pub criteria: Vec<Criterion>,
    #[serde(default)]
    pub subscales: Vec<Subscale>,
    /// Item numbers not asked because of the form's skip logic.
    #[serde(default)]
    pub skipped_items: Vec<u8>,
    /// Item numbers the form asks that were left unanswered.
    #[serde(default)]
    pub missing_items: Vec<u8>,
    /// Review notes the published rules ask to surface (e.g. AUDIT-C "all points from Q1").
    #[serde(default)]
    pub notes: Vec<String>,
}

/// An answer the instrument does not allow; nothing is stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct AnswerError {
    /// `answers` for the whole list, or `answers[i]` (0-based) for one item.
    pub field: String,
    pub message: String,
}

impl AnswerError {
    pub(super) fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// One item's answer once read against the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Answer {
    Given {
        position: u8,
        points: u8,
    },
    /// Not asked: the form's skip logic.
    Skipped,
    Unanswered,
}

/// A response read against its definition: one [`Answer`] per item.
pub(super) struct Reading {
    pub def: &'static Definition,
    pub answers: Vec<Answer>,
}

impl Reading {
    pub fn answer(&self, number: u8) -> Answer {
        usize::from(number)
            .checked_sub(1)
            .and_then(|i| self.answers.get(i).copied())
            .unwrap_or(Answer::Unanswered)
    }

    pub fn position(&self, number: u8) -> Option<u8> {
        match self.answer(number) {
            Answer::Given { position, .. } => Some(position),
            _ => None,
        }
    }

    /// Points of an item, 0 when skipped, `None` when unanswered.
    pub fn points(&self, number: u8) -> Option<u8> {
        match self.answer(number) {
            Answer::Given { points, .. } => Some(points),
            Answer::Skipped => Some(0),
            Answer::Unanswered => None,
        }
    }
}

/// "Item 9 (Thoughts that …)", as errors and notes name an item.
pub(super) fn item_name(def: &Definition, item: &Item) -> String {
    format!("{} item {} ({})", def.name, item.form_number, item.label)
}

/// The allowed positions of an item, with labels, and points where they differ.
pub(super) fn allowed_positions(item: &Item) -> String {
    let shows_points = item
        .options
        .iter()
        .enumerate()
        .any(|(p, o)| usize::from(o.points) != p);
    let list: Vec<String> = item
        .options
        .iter()
        .enumerate()
        .map(|(p, o)| {
            if shows_points {
                format!("{p} = {} ({} points)", o.label, o.points)
            } else {
                format!("{p} = {}", o.label)
            }
        })
        .collect();
    format!(
        "answers 0 to {} ({})",
        item.options.len().saturating_sub(1),
        list.join(", ")
    )
}

fn check_count(def: &Definition, answers: &[Option<u8>]) -> Result<(), AnswerError> {
    let (min, max) = (def.min_answers(), def.items.len());
    if (min..=max).contains(&answers.len()) {
        return Ok(());
    }
    let expected = if min == max {
        format!("{max} items")
    } else {
        format!("{min} to {max} items")
    };
    Err(AnswerError::new(
        "answers",
        format!(
            "{} has {expected}; {} answers were given",
            def.name,
            answers.len()
        ),
    ))
}

/// Read the answers against the form: range of each answer, then the skip logic. An answer
/// recorded for an item the form skips is accepted only as its first option ("No", "Never",
/// a blank paper box) and then treated as skipped; any other answer contradicts the gate
/// and is rejected rather than guessed at. `field` names the input field of item index `i`.
pub(super) fn read(
    def: &'static Definition,
    answers: &[Option<u8>],
    ctx: &ScoringContext,
    field: &dyn Fn(usize) -> String,
) -> Result<Reading, AnswerError> {
    check_count(def, answers)?;
    let mut reading = Reading {
        def,
        answers: Vec::with_capacity(def.items.len()),
    };
    for (idx, item) in def.items.iter().enumerate() {
        let given = match answers.get(idx).copied().flatten() {
            Some(pos) => {
                let option = item.options.get(usize::from(pos)).ok_or_else(|| {
                    AnswerError::new(
                        field(idx),
                        format!(
                            "{} allows {}; got {pos}",
                            item_name(def, item),
                            allowed_positions(item)
                        ),
                    )
                })?;
                Some((pos, option.points))
            }
            None => None,
        };
        // The skip rule in force whose gate, already read, was answered so as to skip this item.
        let skipped_by = def.skips.iter().find_map(|s| {
            let gate_answer = reading.position(s.gate)?;
            (s.items.contains(&item.number)
                && s.when.contains(&gate_answer)
                && (!s.optional || ctx.settings.optional_skip(def.id)))
            .then_some((s.gate, gate_answer))
        });
        let answer = match (given, skipped_by) {
            (Some((pos, _)), Some((gate, gate_answer))) if pos != 0 => {
                return Err(AnswerError::new(
                    field(idx),
                    contradiction(def, item, gate, gate_answer),
                ));
            }
            (_, Some(_)) => Answer::Skipped,
            (Some((position, points)), None) => Answer::Given { position, points },
            (None, None) => Answer::Unanswered,
        };
        reading.answers.push(answer);
    }
    Ok(reading)
}

fn contradiction(def: &Definition, item: &Item, gate: u8, gate_answer: u8) -> String {
    let gate = def.item(gate);
    let number = gate.map_or("", |g| g.form_number);
    let label = gate
        .and_then(|g| g.options.get(usize::from(gate_answer)))
        .map_or("", |o| o.label);
    format!(
        "{} is not asked when item {number} is \"{label}\"; leave it blank (-) or correct item {number}",
        item_name(def, item)
    )
}

/// Half-up rounding of `sum × items / answered` in integers (reference §1:
/// `round(sum × 9 / n_answered)`).
pub(super) fn prorate(sum: u16, items: u16, answered: u16) -> Option<u16> {
    let (sum, items, answered) = (u32::from(sum), u32::from(items), u32::from(answered));
    if answered == 0 {
        return None;
    }
    u16::try_from((2 * sum * items + answered) / (2 * answered)).ok()
}

pub(super) fn score_reading(reading: &Reading, ctx: &ScoringContext) -> Score {
    let def = reading.def;
    let mut partial_sum = 0u16;
    let mut answered = 0u8;
    let mut answered_scored = 0u16;
    let mut missing_scored = 0u16;
    let mut safety_missing = false;
    let mut alert_items = Vec::new();
    let mut skipped_items = Vec::new();
    let mut missing_items = Vec::new();
    for (item, answer) in def.items.iter().zip(&reading.answers) {
        match *answer {
            Answer::Given { points, .. } => {
                answered += 1;
                if item.scored {
                    partial_sum += u16::from(points);
                    answered_scored += 1;
                }
                if item.alert_at.is_some_and(|at| points >= at) {
                    alert_items.push(item.number);
                }
            }
            Answer::Skipped => skipped_items.push(item.number),
            Answer::Unanswered => {
                if item.required {
                    missing_items.push(item.number);
                }
                if item.scored {
                    missing_scored += 1;
                }
                safety_missing |= item.is_safety_item();
            }
        }
    }
    let has_total = def.items.iter().any(|i| i.scored);
    let total = (has_total && missing_scored == 0).then_some(partial_sum);
    let estimate = (def.prorate && missing_scored == 1)
        .then(|| prorate(partial_sum, answered_scored + 1, answered_scored))
        .flatten();
    let safety = if !alert_items.is_empty() {
        Safety::Alert
    } else if safety_missing {
        Safety::Unknown
    } else {
        Safety::Clear
    };
    let positive_at = ctx.settings.positive_at(def.id, ctx.sex);
    let mut score = Score {
        instrument: def.id,
        total,
        partial_sum,
        answered,
        scored_items: def.scored_items() as u8,
        complete: missing_items.is_empty(),
        estimate,
        band: total.and_then(|t| def.band(t)).map(str::to_owned),
        positive: total.zip(positive_at).map(|(t, at)| t >= at),
        safety,
        alert_items,
        risk_level: None,
        criteria: Vec::new(),
        subscales: Vec::new(),
        skipped_items,
        missing_items,
        notes: Vec::new(),
    };
    // The instrument's own rule, where the published scoring has one.
    match def.id {
        InstrumentId::Phq2 | InstrumentId::Gad2 => two_item_follow_up(&mut score),
        InstrumentId::Auditc => alcohol::auditc_rule(reading, ctx, &mut score),
        InstrumentId::Epds => epds::rule(ctx, &mut score),
        InstrumentId::Pcl5 => ptsd::pcl5_rule(reading, ctx, &mut score),
        InstrumentId::Pcptsd5 => ptsd::pcptsd5_rule(&mut score),
        InstrumentId::Mdq => mdq::rule(reading, &mut score),
        InstrumentId::Cssrs => cssrs::rule(reading, ctx, &mut score),
        InstrumentId::Phq9
        | InstrumentId::Phqa
        | InstrumentId::Gad7
        | InstrumentId::Audit
        | InstrumentId::Dast10 => {}
    }
    score
}

/// A positive PHQ-2 / GAD-2 calls for the full PHQ-9 / GAD-7 (reference §2, §5).
fn two_item_follow_up(score: &mut Score) {
    if score.positive == Some(true) {
        let full = match score.instrument {
            InstrumentId::Phq2 => "PHQ-9",
            _ => "GAD-7",
        };
        score
            .notes
            .push(format!("Positive screen: administer the full {full}"));
    }
}

/// Kleene "and": false as soon as one part is false, unknown while any part is unknown.
pub(super) fn all_met(parts: impl IntoIterator<Item = Option<bool>>) -> Option<bool> {
    let mut result = Some(true);
    for part in parts {
        match part {
            Some(false) => return Some(false),
            None => result = None,
            Some(true) => {}
        }
    }
    result
}
