//! Alcohol: AUDIT-C and the 10-item AUDIT. Reference instruments.md §6–§7.

use super::InstrumentId;
use super::model::{AnswerOption, Band, Definition, Item, ItemText, Loinc, Skip};
use super::scoring::{Reading, Score};
use super::settings::ScoringContext;
use crate::patient::Sex;

/// Question 1 (68518-0): answer codes [V] in the HL7 Portugal value set "CPE – AUDIT-C
/// Result"; points per WHO AUDIT / Bush 1998 (reference §6).
const HOW_OFTEN: [AnswerOption; 5] = [
    AnswerOption::new("Never", &[Loinc::verified("LA6270-8")], 0),
    AnswerOption::new("Monthly or less", &[Loinc::verified("LA18926-8")], 1),
    AnswerOption::new("2-4 times a month", &[Loinc::verified("LA18927-6")], 2),
    AnswerOption::new("2-3 times a week", &[Loinc::verified("LA18928-4")], 3),
    AnswerOption::new("4 or more times a week", &[Loinc::verified("LA18929-2")], 4),
];

/// Question 2 (68519-8), same source.
const DRINKS: [AnswerOption; 5] = [
    AnswerOption::new("1 or 2", &[Loinc::verified("LA15694-5")], 0),
    AnswerOption::new("3 or 4", &[Loinc::verified("LA15695-2")], 1),
    AnswerOption::new("5 or 6", &[Loinc::verified("LA18930-0")], 2),
    AnswerOption::new("7 to 9", &[Loinc::verified("LA18931-8")], 3),
    AnswerOption::new("10 or more", &[Loinc::verified("LA18932-6")], 4),
];

/// Question 3 (68520-6) and AUDIT questions 4–8, same source.
const FREQUENCY: [AnswerOption; 5] = [
    AnswerOption::new("Never", &[Loinc::verified("LA6270-8")], 0),
    AnswerOption::new("Less than monthly", &[Loinc::verified("LA18933-4")], 1),
    AnswerOption::new("Monthly", &[Loinc::verified("LA18876-5")], 2),
    AnswerOption::new("Weekly", &[Loinc::verified("LA18891-4")], 3),
    AnswerOption::new("Daily or almost daily", &[Loinc::verified("LA18934-2")], 4),
];

/// AUDIT questions 9–10 take only 0, 2 or 4 points (reference §7). "No" = LA32-8 [V]; the
/// codes of the two "Yes" answers are [U] (third parties disagree), so none are given.
const INJURY: [AnswerOption; 3] = [
    AnswerOption::new("No", &[Loinc::verified("LA32-8")], 0),
    AnswerOption::new("Yes, but not in the last year", &[], 2),
    AnswerOption::new("Yes, during the last year", &[], 4),
];

/// AUDIT-C = AUDIT questions 1–3; public domain (SAMHSA; LOINC: "As a WHO-approved
/// instrument, the AUDIT is in the public domain"), so the wording ships.
const AUDITC_ITEMS: [Item; 3] = [
    Item::scored(
        1,
        "1",
        Some(Loinc::verified("68518-0")),
        "How often do you have a drink containing alcohol?",
        &HOW_OFTEN,
    ),
    Item::scored(
        2,
        "2",
        Some(Loinc::verified("68519-8")),
        "How many drinks containing alcohol do you have on a typical day when you are drinking?",
        &DRINKS,
    ),
    Item::scored(
        3,
        "3",
        Some(Loinc::verified("68520-6")),
        "How often do you have six or more drinks on one occasion?",
        &FREQUENCY,
    ),
];

/// Q1 = Never ⇒ Q2 and Q3 are not asked and score 0: a valid total, not missing
/// (WHO AUDIT administration convention [S], reference §6 and §16.7).
const NEVER_SKIPS_2_AND_3: Skip = Skip {
    gate: 1,
    when: &[0],
    items: &[2, 3],
    optional: false,
    source: "WHO AUDIT administration convention: question 1 = Never skips questions 2-3 (reference §6) [S]",
};

/// AUDIT-C (Bush et al. 1998; Bradley et al. 2003). Positive ≥ 4 men, ≥ 3 women (LOINC
/// 75626-2 term description, PMID 12695273); both are settings. No published bands.
pub static AUDITC: Definition = Definition {
    id: InstrumentId::Auditc,
    name: "AUDIT-C",
    full_name: "Alcohol Use Disorders Identification Test - Consumption",
    panel_loinc: Some(Loinc::verified("72109-2")),
    total_loinc: Some(Loinc::verified("75626-2")),
    items: &AUDITC_ITEMS,
    skips: &[NEVER_SKIPS_2_AND_3],
    bands: &[],
    positive_at: Some(AUDITC_POSITIVE_AT_FEMALE),
    prorate: false,
    item_text: ItemText::Included,
    licence: "Public domain (SAMHSA; LOINC: a WHO-approved instrument in the public domain)",
    source: "Bush K et al. Arch Intern Med 1998; Bradley KA et al. 2003 (PMID 12695273); LOINC 72109-2 / 75626-2",
};

pub const AUDITC_POSITIVE_AT_FEMALE: u16 = 3;
pub const AUDITC_POSITIVE_AT_MALE: u16 = 4;
/// VA programs treat AUDIT-C ≥ 8 as high risk / possible dependence [S] (reference §6).
const AUDITC_HIGH_RISK_AT: u16 = 8;

/// AUDIT positive ≥ 8: "Total scores of 8 or more suggest possible hazardous and harmful
/// alcohol use (WHO, 2012)" (LOINC 75624-7). A setting: some guidance uses 7 (reference §7).
pub const AUDIT_POSITIVE_AT: u16 = 8;

/// The 10-item AUDIT, items per the current LOINC panel 72110-0 [V] (reference §7). The
/// panel's sex item 46098-0 is context, not a question: sex comes from `ScoringContext`.
///
/// Item text: questions 1–3 are the AUDIT-C (public domain, above). For questions 4–10 the
/// WHO wording "may be freely … reproduced … but not for sale or for use in conjunction with
/// commercial purposes" (WHO 2001, via CamCOPS audit.rst), and the reference lists AUDIT among
/// the licensing blockers for displaying item text in a distributed product (§16.11): Stepwise
/// is used by commercial practices, so questions 4–10 carry neutral labels until WHO or
/// counsel confirms; a practice may load the wording from a file.
///
/// Skip logic: only the reference's rule (Q1 = Never skips Q2–Q3) is applied; see
/// docs/instruments.md for the WHO form's further skip, which the reference does not give.
pub static AUDIT: Definition = Definition {
    id: InstrumentId::Audit,
    name: "AUDIT",
    full_name: "Alcohol Use Disorders Identification Test",
    panel_loinc: Some(Loinc::verified("72110-0")),
    total_loinc: Some(Loinc::verified("75624-7")),
    items: &[
        AUDITC_ITEMS[0],
        AUDITC_ITEMS[1],
        AUDITC_ITEMS[2],
        Item::scored(
            4,
            "4",
            Some(Loinc::verified("97734-8")),
            "AUDIT question 4 (unable to stop drinking once started)",
            &FREQUENCY,
        ),
        Item::scored(
            5,
            "5",
            Some(Loinc::verified("97735-5")),
            "AUDIT question 5 (failed to do what was expected because of drinking)",
            &FREQUENCY,
        ),
        Item::scored(
            6,
            "6",
            Some(Loinc::verified("97736-3")),
            "AUDIT question 6 (morning drink)",
            &FREQUENCY,
        ),
        Item::scored(
            7,
            "7",
            Some(Loinc::verified("97737-1")),
            "AUDIT question 7 (guilt or remorse after drinking)",
            &FREQUENCY,
        ),
        Item::scored(
            8,
            "8",
            Some(Loinc::verified("97738-9")),
            "AUDIT question 8 (blackout)",
            &FREQUENCY,
        ),
        Item::scored(
            9,
            "9",
            Some(Loinc::verified("97739-7")),
            "AUDIT question 9 (injury to self or others)",
            &INJURY,
        ),
        Item::scored(
            10,
            "10",
            Some(Loinc::verified("97740-5")),
            "AUDIT question 10 (relative, friend or doctor concerned)",
            &INJURY,
        ),
    ],
    skips: &[NEVER_SKIPS_2_AND_3],
    // WHO risk zones (Babor et al., AUDIT Guidelines for Use in Primary Care, WHO 2001) [S].
    bands: &[
        Band {
            min: 0,
            max: 7,
            label: "Zone I: low risk",
        },
        Band {
            min: 8,
            max: 15,
            label: "Zone II: hazardous",
        },
        Band {
            min: 16,
            max: 19,
            label: "Zone III: harmful",
        },
        Band {
            min: 20,
            max: 40,
            label: "Zone IV: possible dependence",
        },
    ],
    positive_at: Some(AUDIT_POSITIVE_AT),
    prorate: false,
    item_text: ItemText::LabelsOnly,
    licence: "WHO: free to review, reproduce and translate, but not for sale or for use in conjunction with commercial purposes (WHO 2001); LOINC calls it public domain; confirm for commercial use",
    source: "Babor TF et al. AUDIT Guidelines for Use in Primary Care, WHO 2001; LOINC 72110-0 / 75624-7",
};

/// AUDIT-C notes (reference §6): the cut-off used when sex is not recorded as female or
/// male; "all points from Q1" (LOINC 75626-2: likely drinking below recommended limits, a
/// review note and not an automatic negative); ≥ 8 high risk [S].
pub(super) fn auditc_rule(reading: &Reading, ctx: &ScoringContext, score: &mut Score) {
    if !matches!(ctx.sex, Some(Sex::Female | Sex::Male)) {
        score.notes.push(format!(
            "Sex not recorded as female or male: the lower (women's) cut-off {} was used",
            ctx.settings.auditc_positive_at_female
        ));
    }
    let Some(total) = score.total else { return };
    if total > 0 && reading.points(2) == Some(0) && reading.points(3) == Some(0) {
        score.notes.push(
            "All points come from question 1: the patient is likely drinking below recommended limits; review".into(),
        );
    }
    if total >= AUDITC_HIGH_RISK_AT {
        score
            .notes
            .push("AUDIT-C 8 or more: high risk, possible dependence (VA)".into());
    }
}
