//! The GAD family: GAD-7 and GAD-2. Reference instruments.md §4–§5.

use super::InstrumentId;
use super::model::{Band, Definition, Item, ItemText, Loinc};
use super::options::{FREQUENCY, FREQUENCY_GAD7_ITEM2};

/// GAD-7 items and LOINC codes [V] (panel 69737-5, reference §4). Item 6's code 69689-8 says
/// "in last 4 weeks" in its LOINC name: a reused PHQ term, still the code in the panel.
const GAD7_ITEMS: [Item; 7] = [
    Item::scored(
        1,
        "1",
        Some(Loinc::verified("69725-0")),
        "Feeling nervous, anxious, or on edge",
        &FREQUENCY,
    ),
    Item::scored(
        2,
        "2",
        Some(Loinc::verified("68509-9")),
        "Not being able to stop or control worrying",
        &FREQUENCY_GAD7_ITEM2,
    ),
    Item::scored(
        3,
        "3",
        Some(Loinc::verified("69733-4")),
        "Worrying too much about different things",
        &FREQUENCY,
    ),
    Item::scored(
        4,
        "4",
        Some(Loinc::verified("69734-2")),
        "Trouble relaxing",
        &FREQUENCY,
    ),
    Item::scored(
        5,
        "5",
        Some(Loinc::verified("69735-9")),
        "Being so restless that it is hard to sit still",
        &FREQUENCY,
    ),
    Item::scored(
        6,
        "6",
        Some(Loinc::verified("69689-8")),
        "Becoming easily annoyed or irritable",
        &FREQUENCY,
    ),
    Item::scored(
        7,
        "7",
        Some(Loinc::verified("69736-7")),
        "Feeling afraid, as if something awful might happen",
        &FREQUENCY,
    ),
];

const GAD_LICENCE: &str = "Free: no permission required (Pfizer; CamCOPS gad7.rst)";

/// GAD-7 (Spitzer et al., Arch Intern Med 2006;166:1092): bands 0–4 / 5–9 / 10–14 / 15–21,
/// ≥ 10 positive (sensitivity 89 %, specificity 82 % for GAD).
pub static GAD7: Definition = Definition {
    id: InstrumentId::Gad7,
    name: "GAD-7",
    full_name: "Generalized Anxiety Disorder-7",
    panel_loinc: Some(Loinc::verified("69737-5")),
    total_loinc: Some(Loinc::verified("70274-6")),
    items: &GAD7_ITEMS,
    skips: &[],
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
    prorate: true,
    item_text: ItemText::Included,
    licence: GAD_LICENCE,
    source: "Spitzer RL et al. Arch Intern Med 2006;166:1092; LOINC 69737-5 / 70274-6",
};

/// GAD-2 = GAD-7 items 1 and 2 with their codes (item 2's LA18938-3 included); no LOINC panel
/// or total code was found [U], so none is given (reference §5).
pub static GAD2: Definition = Definition {
    id: InstrumentId::Gad2,
    name: "GAD-2",
    full_name: "Generalized Anxiety Disorder-2",
    panel_loinc: None,
    total_loinc: None,
    items: &[GAD7_ITEMS[0], GAD7_ITEMS[1]],
    skips: &[],
    bands: &[],
    positive_at: Some(GAD2_POSITIVE_AT),
    prorate: false,
    item_text: ItemText::Included,
    licence: GAD_LICENCE,
    source: "Kroenke K et al. Ann Intern Med 2007 (GAD-2 ≥ 3) [S]",
};

/// GAD-2 ≥ 3 positive, a secondary source [S] in the reference (§5): a setting.
pub const GAD2_POSITIVE_AT: u16 = 3;
