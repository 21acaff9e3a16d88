//! The PHQ family: PHQ-9, PHQ-2 and the PHQ-9 Modified for Teens (PHQ-A).
//! Reference instruments.md §1–§3.

use super::InstrumentId;
use super::model::{Band, Definition, Item, ItemText, Loinc};
use super::options::{
    DIFFICULTY, DIFFICULTY_UNCODED, FREQUENCY, FREQUENCY_UNCODED, NO_YES_UNCODED,
};

/// PHQ-9 severity bands, cut-points 5/10/15/20 (Kroenke, Spitzer, Williams 2001,
/// J Gen Intern Med 16:606; LOINC 44261-6). LOINC's text says "1–4 = Minimal"; 0 is minimal too.
const PHQ_BANDS: [Band; 5] = [
    Band {
        min: 0,
        max: 4,
        label: "Minimal",
    },
    Band {
        min: 5,
        max: 9,
        label: "Mild",
    },
    Band {
        min: 10,
        max: 14,
        label: "Moderate",
    },
    Band {
        min: 15,
        max: 19,
        label: "Moderately severe",
    },
    Band {
        min: 20,
        max: 27,
        label: "Severe",
    },
];

/// PHQ-9 items and LOINC codes [V] (LOINC Questionnaire 44249-1, reference §1). Item 9 ≥ 1
/// ("Several days" or more) is a suicide-risk alert whatever the total. Item 10, the
/// functional question, is recorded and never summed.
const PHQ9_ITEMS: [Item; 10] = [
    Item::scored(
        1,
        "1",
        Some(Loinc::verified("44250-9")),
        "Little interest or pleasure in doing things",
        &FREQUENCY,
    ),
    Item::scored(
        2,
        "2",
        Some(Loinc::verified("44255-8")),
        "Feeling down, depressed, or hopeless",
        &FREQUENCY,
    ),
    Item::scored(
        3,
        "3",
        Some(Loinc::verified("44259-0")),
        "Trouble falling or staying asleep, or sleeping too much",
        &FREQUENCY,
    ),
    Item::scored(
        4,
        "4",
        Some(Loinc::verified("44254-1")),
        "Feeling tired or having little energy",
        &FREQUENCY,
    ),
    Item::scored(
        5,
        "5",
        Some(Loinc::verified("44251-7")),
        "Poor appetite or overeating",
        &FREQUENCY,
    ),
    Item::scored(
        6,
        "6",
        Some(Loinc::verified("44258-2")),
        "Feeling bad about yourself, or that you are a failure",
        &FREQUENCY,
    ),
    Item::scored(
        7,
        "7",
        Some(Loinc::verified("44252-5")),
        "Trouble concentrating on things",
        &FREQUENCY,
    ),
    Item::scored(
        8,
        "8",
        Some(Loinc::verified("44253-3")),
        "Moving or speaking slowly, or being fidgety or restless",
        &FREQUENCY,
    ),
    Item::scored(
        9,
        "9",
        Some(Loinc::verified("44260-8")),
        "Thoughts that you would be better off dead or of hurting yourself",
        &FREQUENCY,
    )
    .alert_at(1),
    Item::recorded(
        10,
        "10",
        Some(Loinc::verified("69722-7")),
        "How difficult have these problems made it to work, take care of things at home, or get along with other people",
        &DIFFICULTY,
    ),
];

const PHQ_LICENCE: &str = "Free: no permission required to reproduce, translate, display or distribute (Pfizer copyright notice, LOINC 44249-1)";

pub static PHQ9: Definition = Definition {
    id: InstrumentId::Phq9,
    name: "PHQ-9",
    full_name: "Patient Health Questionnaire-9",
    panel_loinc: Some(Loinc::verified("44249-1")),
    total_loinc: Some(Loinc::verified("44261-6")),
    items: &PHQ9_ITEMS,
    skips: &[],
    bands: &PHQ_BANDS,
    // ≥ 10: sensitivity 88 %, specificity 88 % for major depression (Kroenke 2001).
    positive_at: Some(10),
    prorate: true,
    item_text: ItemText::Included,
    licence: PHQ_LICENCE,
    source: "Kroenke K, Spitzer RL, Williams JB. J Gen Intern Med 2001;16:606; LOINC 44249-1 / 44261-6",
};

/// PHQ-2 = PHQ-9 items 1 and 2, same answers; panel 55757-9, total 55758-7 [V] (reference §2).
/// Its cut-off (default ≥ 3, ≥ 2 more sensitive) is a setting. No suicide item: a PHQ-2
/// cannot raise the item-9 alert.
pub static PHQ2: Definition = Definition {
    id: InstrumentId::Phq2,
    name: "PHQ-2",
    full_name: "Patient Health Questionnaire-2",
    panel_loinc: Some(Loinc::verified("55757-9")),
    total_loinc: Some(Loinc::verified("55758-7")),
    items: &[PHQ9_ITEMS[0], PHQ9_ITEMS[1]],
    skips: &[],
    bands: &[],
    positive_at: Some(PHQ2_POSITIVE_AT),
    prorate: false,
    item_text: ItemText::Included,
    licence: PHQ_LICENCE,
    source: "Kroenke K et al. 2003; Arroll B et al. Ann Fam Med 2010;8:348 (≥ 2 more sensitive); LOINC 55757-9 / 55758-7",
};

/// PHQ-2 ≥ 3 positive (Kroenke 2003; reference §2: "Make the threshold configurable; default 3").
pub const PHQ2_POSITIVE_AT: u16 = 3;

/// PHQ-A (PHQ-9 Modified for Teens): panel 89206-7, total 89204-2 [V]; total = sum of the
/// first 9 items, the 4 further items are recorded (LOINC 89204-2 description, reference §3).
/// Item codes are [U] in the reference, so none are given. Bands as PHQ-9 [S] (GLAD-PC).
/// Alert: item 9 ≥ 1, or serious thoughts of ending one's life in the past month = yes, or a
/// lifetime suicide attempt = yes.
///
/// Labels are neutral: the licence is [U] ("derived from the PHQ; widely distributed free in
/// GLAD-PC — confirm") and the teen wording was not in the reference. Item order follows the
/// reference (item 1 adds "irritable", item 5 appetite, item 7 school work).
pub static PHQA: Definition = Definition {
    id: InstrumentId::Phqa,
    name: "PHQ-A",
    full_name: "Patient Health Questionnaire-9: Modified for Teens",
    panel_loinc: Some(Loinc::verified("89206-7")),
    total_loinc: Some(Loinc::verified("89204-2")),
    items: &[
        Item::scored(
            1,
            "1",
            None,
            "PHQ-A item 1 (depressed, irritable or hopeless mood)",
            &FREQUENCY_UNCODED,
        ),
        Item::scored(
            2,
            "2",
            None,
            "PHQ-A item 2 (little interest or pleasure)",
            &FREQUENCY_UNCODED,
        ),
        Item::scored(3, "3", None, "PHQ-A item 3 (sleep)", &FREQUENCY_UNCODED),
        Item::scored(
            4,
            "4",
            None,
            "PHQ-A item 4 (tiredness, low energy)",
            &FREQUENCY_UNCODED,
        ),
        Item::scored(
            5,
            "5",
            None,
            "PHQ-A item 5 (appetite, weight loss or overeating)",
            &FREQUENCY_UNCODED,
        ),
        Item::scored(
            6,
            "6",
            None,
            "PHQ-A item 6 (feeling bad about oneself)",
            &FREQUENCY_UNCODED,
        ),
        Item::scored(
            7,
            "7",
            None,
            "PHQ-A item 7 (concentration, e.g. school work)",
            &FREQUENCY_UNCODED,
        ),
        Item::scored(
            8,
            "8",
            None,
            "PHQ-A item 8 (moving or speaking slowly, or restless)",
            &FREQUENCY_UNCODED,
        ),
        Item::scored(
            9,
            "9",
            None,
            "PHQ-A item 9 (thoughts of death or self-harm)",
            &FREQUENCY_UNCODED,
        )
        .alert_at(1),
        Item::recorded(
            10,
            "10",
            None,
            "PHQ-A extra item (depressed or sad most days in the past year)",
            &NO_YES_UNCODED,
        ),
        Item::recorded(
            11,
            "11",
            None,
            "PHQ-A extra item (difficulty at home, school or with others)",
            &DIFFICULTY_UNCODED,
        ),
        Item::recorded(
            12,
            "12",
            None,
            "PHQ-A extra item (serious thoughts of ending one's life, past month)",
            &NO_YES_UNCODED,
        )
        .alert_at(1),
        Item::recorded(
            13,
            "13",
            None,
            "PHQ-A extra item (suicide attempt, ever)",
            &NO_YES_UNCODED,
        )
        .alert_at(1),
    ],
    skips: &[],
    bands: &PHQ_BANDS,
    // The reference gives no PHQ-A cut-off for a positive screen.
    positive_at: None,
    prorate: false,
    item_text: ItemText::LabelsOnly,
    licence: "Derived from the PHQ (Johnson et al. 2002); distributed free in the GLAD-PC toolkit; licence unverified [U]",
    source: "Johnson JG et al. J Adolesc Health 2002 (PHQ-A); LOINC 89206-7 / 89204-2; GLAD-PC toolkit [S]",
};
