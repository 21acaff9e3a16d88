//! DAST-10, the Drug Abuse Screening Test. Reference instruments.md §8.

use super::InstrumentId;
use super::model::{AnswerOption, Band, Definition, Item, ItemText, Loinc, Skip};

/// Generic LOINC No/Yes; the reference gives them for DAST-10 but asks to confirm the panel's
/// answer list [U].
const NO: Loinc = Loinc::unverified("LA32-8");
const YES: Loinc = Loinc::unverified("LA33-6");

/// One point per "Yes" (Skinner 1982; LOINC 82667-7: "items each receive 0 or 1").
const YES_SCORES: [AnswerOption; 2] = [
    AnswerOption::new("No", &[NO], 0),
    AnswerOption::new("Yes", &[YES], 1),
];

/// Item 3 is reverse-keyed: "No" scores 1 (reference §8, §16.1). Positions keep the
/// contract no = 0, yes = 1; only the points differ.
const NO_SCORES: [AnswerOption; 2] = [
    AnswerOption::new("No", &[NO], 1),
    AnswerOption::new("Yes", &[YES], 0),
];

const fn item(number: u8, form_number: &'static str, label: &'static str) -> Item {
    Item::scored(number, form_number, None, label, &YES_SCORES)
}

/// DAST-10: panel 82666-9, total 82667-7 [V]; item codes [U], so none are given. Past 12
/// months, excluding alcohol and tobacco.
///
/// Labels are neutral: © 1982 Harvey A. Skinner and CAMH, reproducible for non-commercial
/// use with credit; a commercial product needs permission (CamCOPS dast.rst, reference §8).
pub static DAST10: Definition = Definition {
    id: InstrumentId::Dast10,
    name: "DAST-10",
    full_name: "Drug Abuse Screening Test (10 items)",
    panel_loinc: Some(Loinc::verified("82666-9")),
    total_loinc: Some(Loinc::verified("82667-7")),
    items: &[
        item(
            1,
            "1",
            "DAST-10 item 1 (drug use other than for medical reasons)",
        ),
        item(2, "2", "DAST-10 item 2 (more than one drug at a time)"),
        Item {
            options: &NO_SCORES,
            ..item(
                3,
                "3",
                "DAST-10 item 3 (always able to stop; reverse-scored)",
            )
        },
        item(4, "4", "DAST-10 item 4 (blackouts or flashbacks)"),
        item(
            5,
            "5",
            "DAST-10 item 5 (feeling bad or guilty about drug use)",
        ),
        item(6, "6", "DAST-10 item 6 (spouse or parents complain)"),
        item(7, "7", "DAST-10 item 7 (neglected family)"),
        item(
            8,
            "8",
            "DAST-10 item 8 (illegal activities to obtain drugs)",
        ),
        item(9, "9", "DAST-10 item 9 (withdrawal symptoms)"),
        item(10, "10", "DAST-10 item 10 (medical problems from drug use)"),
    ],
    // Practices that stop after item 1 = No record the skip explicitly and score 0; otherwise
    // the reverse-keyed item 3 would give non-users 1 point (reference §8). Off by default.
    skips: &[Skip {
        gate: 1,
        when: &[0],
        items: &[2, 3, 4, 5, 6, 7, 8, 9, 10],
        optional: true,
        source: "Practice option: skip items 2-10 when item 1 = No (reference §8, §16.7)",
    }],
    // Skinner; comorbidityguidelines.org.au DAST-10 scoring; NIDA CDE cde.nida.nih.gov/node/192.
    bands: &[
        Band {
            min: 0,
            max: 0,
            label: "None",
        },
        Band {
            min: 1,
            max: 2,
            label: "Low",
        },
        Band {
            min: 3,
            max: 5,
            label: "Moderate",
        },
        Band {
            min: 6,
            max: 8,
            label: "Substantial",
        },
        Band {
            min: 9,
            max: 10,
            label: "Severe",
        },
    ],
    // LOINC 82667-7: "total 3 or above may indicate a substance abuse or dependence problem".
    positive_at: Some(3),
    prorate: false,
    item_text: ItemText::LabelsOnly,
    licence: "© 1982 Harvey A. Skinner and CAMH: non-commercial use with credit; commercial use needs permission",
    source: "Skinner HA. Addict Behav 1982; LOINC 82666-9 / 82667-7 (PMID 17306727); NIDA CDE",
};
