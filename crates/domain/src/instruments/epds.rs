//! EPDS, the Edinburgh Postnatal Depression Scale. Reference instruments.md §11.

use super::InstrumentId;
use super::model::{AnswerOption, Definition, Item, ItemText, Loinc};
use super::scoring::Score;
use super::settings::ScoringContext;

/// Options are the form's four answers, top to bottom; labels are neutral because the
/// wording is © RCPsych. No LA codes in the reference.
const fn options(points: [u8; 4]) -> [AnswerOption; 4] {
    [
        AnswerOption::new("1st option (top)", &[], points[0]),
        AnswerOption::new("2nd option", &[], points[1]),
        AnswerOption::new("3rd option", &[], points[2]),
        AnswerOption::new("4th option (bottom)", &[], points[3]),
    ]
}

/// Items 1, 2, 4: top option = 0 … bottom = 3 (Cox, Holden, Sagovsky 1987).
const TOP_IS_0: [AnswerOption; 4] = options([0, 1, 2, 3]);
/// Items 3, 5–10: reverse, top option = 3 … bottom = 0 (same source).
const TOP_IS_3: [AnswerOption; 4] = options([3, 2, 1, 0]);

const fn item(
    number: u8,
    form_number: &'static str,
    label: &'static str,
    options: &'static [AnswerOption],
) -> Item {
    Item::scored(number, form_number, None, label, options)
}

/// EPDS: 10 items, past 7 days, total 0–30. Panel 71354-5 [S]; total 99046-5 is used by
/// several public projects but unverified [U]; item codes [U].
///
/// Item 10 scoring above 0 is a self-harm alert whatever the total (same sources as the
/// scoring). Labels are neutral: © 1987 Royal College of Psychiatrists, written permission
/// needed to distribute or republish (CamCOPS epds.rst; reference §11, §16.11).
pub static EPDS: Definition = Definition {
    id: InstrumentId::Epds,
    name: "EPDS",
    full_name: "Edinburgh Postnatal Depression Scale",
    panel_loinc: Some(Loinc::secondary("71354-5")),
    total_loinc: Some(Loinc::unverified("99046-5")),
    items: &[
        item(1, "1", "EPDS item 1 (able to laugh)", &TOP_IS_0),
        item(
            2,
            "2",
            "EPDS item 2 (looking forward with enjoyment)",
            &TOP_IS_0,
        ),
        item(3, "3", "EPDS item 3 (self-blame)", &TOP_IS_3),
        item(4, "4", "EPDS item 4 (anxious or worried)", &TOP_IS_0),
        item(5, "5", "EPDS item 5 (scared or panicky)", &TOP_IS_3),
        item(
            6,
            "6",
            "EPDS item 6 (things getting on top of me)",
            &TOP_IS_3,
        ),
        item(
            7,
            "7",
            "EPDS item 7 (unhappy, difficulty sleeping)",
            &TOP_IS_3,
        ),
        item(8, "8", "EPDS item 8 (sad or miserable)", &TOP_IS_3),
        item(9, "9", "EPDS item 9 (crying)", &TOP_IS_3),
        item(10, "10", "EPDS item 10 (self-harm)", &TOP_IS_3).alert_at(1),
    ],
    skips: &[],
    // The bands follow the configured cut-offs, see `rule`.
    bands: &[],
    positive_at: Some(POSSIBLE_AT),
    prorate: false,
    item_text: ItemText::LabelsOnly,
    licence: "© 1987 Royal College of Psychiatrists: written permission needed for copying and distribution to others or republication",
    source: "Cox JL, Holden JM, Sagovsky R. Br J Psychiatry 1987;150:782; cut-offs CamCOPS epds.py and NSW guidance",
};

/// "Possible depression" ≥ 10 (CamCOPS epds.py; NSW postnatal ≥ 10 probable minor), the
/// positive screen; antenatal practices may use 13 (reference §11).
pub const POSSIBLE_AT: u16 = 10;
/// "Probable depression" ≥ 13 (CamCOPS "likely depression"; NSW postnatal ≥ 13 probable
/// major); antenatal practices may use 15 (reference §11).
pub const PROBABLE_AT: u16 = 13;

/// The EPDS bands are its two cut-offs, which are settings.
pub(super) fn rule(ctx: &ScoringContext, score: &mut Score) {
    let s = &ctx.settings;
    score.band = score.total.map(|t| {
        if t >= s.epds_probable_at {
            "Probable depression"
        } else if t >= s.epds_possible_at {
            "Possible depression"
        } else {
            "Below the cut-off"
        }
        .to_owned()
    });
}
