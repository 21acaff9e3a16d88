//! MDQ, the Mood Disorder Questionnaire. Reference instruments.md §12.

use super::InstrumentId;
use super::model::{AnswerOption, Definition, Item, ItemText, Loinc};
use super::options::NO_YES_UNCODED;
use super::scoring::{Criterion, Reading, Score, all_met};

const fn part1(number: u8, form_number: &'static str, label: &'static str) -> Item {
    Item::scored(number, form_number, None, label, &NO_YES_UNCODED)
}

/// Part 3, "how much of a problem" (No / Minor / Moderate / Serious); recorded, not summed.
const PROBLEM: [AnswerOption; 4] = [
    AnswerOption::new("No problem", &[], 0),
    AnswerOption::new("Minor problem", &[], 1),
    AnswerOption::new("Moderate problem", &[], 2),
    AnswerOption::new("Serious problem", &[], 3),
];

const PART2: u8 = 14;
const PART3: u8 = 15;
/// Part 3 positions that count: Moderate or Serious.
const MODERATE_OR_SERIOUS: [u8; 2] = [2, 3];
/// Part 1 score from which criterion 1 is met.
const PART1_AT_LEAST: u16 = 7;

/// MDQ: panel 85102-2, total 84773-1 (the Part 1 count) [V]; item codes [U]. The total is
/// the number of Yes in Part 1 (0–13); parts 2 and 3 are needed for the positive screen.
/// Optional family-history and prior-diagnosis questions of some versions are not included.
///
/// Labels are neutral: "Copyright 2002 © Dr. Robert Hirschfeld. Used with permission"
/// (LOINC); terms for software use unverified [U].
pub static MDQ: Definition = Definition {
    id: InstrumentId::Mdq,
    name: "MDQ",
    full_name: "Mood Disorder Questionnaire",
    panel_loinc: Some(Loinc::verified("85102-2")),
    total_loinc: Some(Loinc::verified("84773-1")),
    items: &[
        part1(1, "1a", "MDQ question 1a"),
        part1(2, "1b", "MDQ question 1b"),
        part1(3, "1c", "MDQ question 1c"),
        part1(4, "1d", "MDQ question 1d"),
        part1(5, "1e", "MDQ question 1e"),
        part1(6, "1f", "MDQ question 1f"),
        part1(7, "1g", "MDQ question 1g"),
        part1(8, "1h", "MDQ question 1h"),
        part1(9, "1i", "MDQ question 1i"),
        part1(10, "1j", "MDQ question 1j"),
        part1(11, "1k", "MDQ question 1k"),
        part1(12, "1l", "MDQ question 1l"),
        part1(13, "1m", "MDQ question 1m"),
        Item::recorded(
            PART2,
            "2",
            None,
            "MDQ question 2 (several during the same period)",
            &NO_YES_UNCODED,
        )
        .required(),
        Item::recorded(
            PART3,
            "3",
            None,
            "MDQ question 3 (how much of a problem)",
            &PROBLEM,
        )
        .required(),
    ],
    skips: &[],
    bands: &[],
    positive_at: None,
    prorate: false,
    item_text: ItemText::LabelsOnly,
    licence: "Copyright 2002 Dr. Robert Hirschfeld, used with permission (LOINC); terms for software use unverified",
    source: "Hirschfeld RMA et al. Am J Psychiatry 2000; LOINC 85102-2 (PMIDs 15014728, 15306144); NINDS CDE",
};

/// Positive = (Part 1 ≥ 7) AND (Part 2 = Yes) AND (Part 3 = Moderate or Serious) (LOINC
/// 85102-2 description; NINDS CDE). Each part is decided only when answered (Part 1: its
/// official total); the screen is negative as soon as one decided part fails.
pub(super) fn rule(reading: &Reading, score: &mut Score) {
    let part1 = score.total.map(|t| t >= PART1_AT_LEAST);
    let part2 = reading.position(PART2).map(|p| p == 1);
    let part3 = reading
        .position(PART3)
        .map(|p| MODERATE_OR_SERIOUS.contains(&p));
    score.positive = all_met([part1, part2, part3]);
    score.criteria = vec![
        Criterion {
            key: "part1".into(),
            label: format!("Part 1: {PART1_AT_LEAST} or more of 13 answered Yes"),
            met: part1,
        },
        Criterion {
            key: "part2".into(),
            label: "Part 2: several during the same period (Yes)".into(),
            met: part2,
        },
        Criterion {
            key: "part3".into(),
            label: "Part 3: a moderate or serious problem".into(),
            met: part3,
        },
    ];
}
