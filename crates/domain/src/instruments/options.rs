//! Answer option lists shared by several instruments. Yes/no questions are encoded no = 0,
//! yes = 1 whatever the printed order (the answer-encoding contract, see `mod.rs`).

use super::model::{AnswerOption, Loinc};

/// LOINC answer list LL358-3, points 0–3 [V] (https://loinc.org/LL358-3, reference §1).
pub const FREQUENCY: [AnswerOption; 4] = [
    AnswerOption::new("Not at all", &[Loinc::verified("LA6568-5")], 0),
    AnswerOption::new("Several days", &[Loinc::verified("LA6569-3")], 1),
    AnswerOption::new("More than half the days", &[Loinc::verified("LA6570-1")], 2),
    AnswerOption::new("Nearly every day", &[Loinc::verified("LA6571-9")], 3),
];

/// GAD-7 item 2 carries LA18938-3 "More days than not" for value 2 in LOINC/LHC-Forms [V];
/// senders that "fixed" it send LA6570-1, so both are accepted (reference §4, §16.2).
pub const FREQUENCY_GAD7_ITEM2: [AnswerOption; 4] = [
    AnswerOption::new("Not at all", &[Loinc::verified("LA6568-5")], 0),
    AnswerOption::new("Several days", &[Loinc::verified("LA6569-3")], 1),
    AnswerOption::new(
        "More days than not",
        &[Loinc::verified("LA18938-3"), Loinc::verified("LA6570-1")],
        2,
    ),
    AnswerOption::new("Nearly every day", &[Loinc::verified("LA6571-9")], 3),
];

/// The same frequency scale where the reference gives no answer codes (PHQ-A, §3 [U]).
pub const FREQUENCY_UNCODED: [AnswerOption; 4] = [
    AnswerOption::new("Not at all", &[], 0),
    AnswerOption::new("Several days", &[], 1),
    AnswerOption::new("More than half the days", &[], 2),
    AnswerOption::new("Nearly every day", &[], 3),
];

/// PHQ-9 functional item 69722-7 (recorded, never scored) [V]. LA code order ≠ display order:
/// "Very difficult" is LA6575-0 and "Extremely difficult" LA6574-3 (reference §1).
pub const DIFFICULTY: [AnswerOption; 4] = [
    AnswerOption::new("Not difficult at all", &[Loinc::verified("LA6572-7")], 0),
    AnswerOption::new("Somewhat difficult", &[Loinc::verified("LA6573-5")], 1),
    AnswerOption::new("Very difficult", &[Loinc::verified("LA6575-0")], 2),
    AnswerOption::new("Extremely difficult", &[Loinc::verified("LA6574-3")], 3),
];

/// The functional question where the reference gives no answer codes (PHQ-A).
pub const DIFFICULTY_UNCODED: [AnswerOption; 4] = [
    AnswerOption::new("Not difficult at all", &[], 0),
    AnswerOption::new("Somewhat difficult", &[], 1),
    AnswerOption::new("Very difficult", &[], 2),
    AnswerOption::new("Extremely difficult", &[], 3),
];

/// Generic LOINC No/Yes, as used by the C-SSRS screener [V]
/// (`HL7/us-behavioral-health-profiles` C-SSRS example, reference §10).
pub const NO_YES: [AnswerOption; 2] = [
    AnswerOption::new("No", &[Loinc::verified("LA32-8")], 0),
    AnswerOption::new("Yes", &[Loinc::verified("LA33-6")], 1),
];

/// No/Yes where the reference gives no answer codes (MDQ, PC-PTSD-5, PHQ-A extra items).
pub const NO_YES_UNCODED: [AnswerOption; 2] = [
    AnswerOption::new("No", &[], 0),
    AnswerOption::new("Yes", &[], 1),
];
