//! The instrument definitions as data. Codes and cut-offs: reference instruments.md, whose
//! sources are LOINC answer list LL358-3, panels 44249-1 (PHQ-9) and 69737-5 (GAD-7).

use super::{AnswerOption, Band, Definition, InstrumentId, Item};

/// LOINC answer list LL358-3 ("Not at all" … "Nearly every day"), points 0–3.
const FREQUENCY: [AnswerOption; 4] = [
    AnswerOption {
        label: "Not at all",
        loinc: &["LA6568-5"],
        points: 0,
    },
    AnswerOption {
        label: "Several days",
        loinc: &["LA6569-3"],
        points: 1,
    },
    AnswerOption {
        label: "More than half the days",
        loinc: &["LA6570-1"],
        points: 2,
    },
    AnswerOption {
        label: "Nearly every day",
        loinc: &["LA6571-9"],
        points: 3,
    },
];

/// GAD-7 item 2 carries LA18938-3 "More days than not" for value 2 in LOINC; senders that
/// "fixed" it send LA6570-1, so both are accepted (instruments.md §4).
const FREQUENCY_GAD7_ITEM2: [AnswerOption; 4] = [
    AnswerOption {
        label: "Not at all",
        loinc: &["LA6568-5"],
        points: 0,
    },
    AnswerOption {
        label: "Several days",
        loinc: &["LA6569-3"],
        points: 1,
    },
    AnswerOption {
        label: "More days than not",
        loinc: &["LA18938-3", "LA6570-1"],
        points: 2,
    },
    AnswerOption {
        label: "Nearly every day",
        loinc: &["LA6571-9"],
        points: 3,
    },
];

/// PHQ-9 functional item 69722-7 (recorded, never scored). LA code order ≠ display order.
const DIFFICULTY: [AnswerOption; 4] = [
    AnswerOption {
        label: "Not difficult at all",
        loinc: &["LA6572-7"],
        points: 0,
    },
    AnswerOption {
        label: "Somewhat difficult",
        loinc: &["LA6573-5"],
        points: 1,
    },
    AnswerOption {
        label: "Very difficult",
        loinc: &["LA6575-0"],
        points: 2,
    },
    AnswerOption {
        label: "Extremely difficult",
        loinc: &["LA6574-3"],
        points: 3,
    },
];

const fn scored(number: u8, loinc: &'static str, label: &'static str) -> Item {
    Item {
        number,
        loinc,
        label,
        scored: true,
        alert_at: None,
        options: &FREQUENCY,
    }
}

/// PHQ-9 (Kroenke, Spitzer, Williams 2001). Item 9 ≥ 1 is a suicide-risk alert whatever the
/// total (instruments.md §1). Free to reproduce (Pfizer).
pub static PHQ9: Definition = Definition {
    id: InstrumentId::Phq9,
    name: "PHQ-9",
    panel_loinc: "44249-1",
    total_loinc: "44261-6",
    items: &[
        scored(1, "44250-9", "Little interest or pleasure in doing things"),
        scored(2, "44255-8", "Feeling down, depressed, or hopeless"),
        scored(
            3,
            "44259-0",
            "Trouble falling or staying asleep, or sleeping too much",
        ),
        scored(4, "44254-1", "Feeling tired or having little energy"),
        scored(5, "44251-7", "Poor appetite or overeating"),
        scored(
            6,
            "44258-2",
            "Feeling bad about yourself, or that you are a failure",
        ),
        scored(7, "44252-5", "Trouble concentrating on things"),
        scored(
            8,
            "44253-3",
            "Moving or speaking slowly, or being fidgety or restless",
        ),
        Item {
            alert_at: Some(1),
            ..scored(
                9,
                "44260-8",
                "Thoughts that you would be better off dead or of hurting yourself",
            )
        },
        Item {
            number: 10,
            loinc: "69722-7",
            label: "How difficult have these problems made it to work, take care of things at home, or get along with other people",
            scored: false,
            alert_at: None,
            options: &DIFFICULTY,
        },
    ],
    bands: &[
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
    ],
    positive_at: Some(10),
    licence: "Free to reproduce, translate, display or distribute (Pfizer)",
    source: "Kroenke K, Spitzer RL, Williams JB. J Gen Intern Med 2001;16:606; LOINC 44249-1",
};

/// GAD-7 (Spitzer et al. 2006). ≥ 10 is a positive screen. Free to reproduce (Pfizer).
pub static GAD7: Definition = Definition {
    id: InstrumentId::Gad7,
    name: "GAD-7",
    panel_loinc: "69737-5",
    total_loinc: "70274-6",
    items: &[
        scored(1, "69725-0", "Feeling nervous, anxious, or on edge"),
        Item {
            options: &FREQUENCY_GAD7_ITEM2,
            ..scored(2, "68509-9", "Not being able to stop or control worrying")
        },
        scored(3, "69733-4", "Worrying too much about different things"),
        scored(4, "69734-2", "Trouble relaxing"),
        scored(
            5,
            "69735-9",
            "Being so restless that it is hard to sit still",
        ),
        scored(6, "69689-8", "Becoming easily annoyed or irritable"),
        scored(
            7,
            "69736-7",
            "Feeling afraid, as if something awful might happen",
        ),
    ],
    bands: &[
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
            max: 21,
            label: "Severe",
        },
    ],
    positive_at: Some(10),
    licence: "Free to reproduce (Pfizer)",
    source: "Spitzer RL et al. Arch Intern Med 2006;166:1092; LOINC 69737-5",
};
