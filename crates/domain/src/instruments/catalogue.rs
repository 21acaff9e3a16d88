//! The instruments as a form shows them: items and options with the practice's licensed
//! wording when it has loaded one (see `wording`), otherwise the wording that ships (free
//! instruments) or the neutral labels (licensed ones).

use super::InstrumentId;
use super::model::{ItemText, Loinc};
use super::wording::Wording;
use crate::codes::code_enum;
use serde::Serialize;

code_enum! {
    /// Where the item text shown comes from.
    pub enum TextSource ("text source") {
        /// The published wording, free to reproduce, shipped (abbreviated).
        Included = "included",
        /// Neutral labels: the wording is licensed and the practice has not loaded it.
        LabelsOnly = "labels_only",
        /// The practice's licensed wording, loaded from its file.
        Licensed = "licensed",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OptionView {
    /// The answer's encoding: its position from 0.
    pub position: u8,
    pub label: String,
    pub points: u8,
    /// LOINC answer codes accepted; the first is the one emitted. Empty when none is known.
    pub loinc: Vec<Loinc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItemView {
    /// Position in the answer list, from 1.
    pub number: u8,
    /// As printed on the form ("9", "6a").
    pub form_number: String,
    pub text: String,
    pub scored: bool,
    pub required: bool,
    /// Answers at or above its alert level raise a safety alert; left blank, an alert for the
    /// unanswered item.
    pub safety_item: bool,
    pub loinc: Option<Loinc>,
    pub options: Vec<OptionView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InstrumentView {
    pub code: InstrumentId,
    pub name: String,
    pub full_name: String,
    pub licence: String,
    pub text_source: TextSource,
    /// With licensed wording: who holds the licence, and the permission reference.
    pub licence_holder: Option<String>,
    pub permission: Option<String>,
    pub panel_loinc: Option<Loinc>,
    pub total_loinc: Option<Loinc>,
    pub items: Vec<ItemView>,
}

/// One instrument as shown, with `wording` when the practice has loaded one for it (a
/// wording of another instrument is ignored).
pub fn view(instrument: InstrumentId, wording: Option<&Wording>) -> InstrumentView {
    let def = instrument.definition();
    let wording = wording.filter(|w| w.instrument == instrument);
    let items = def
        .items
        .iter()
        .map(|item| {
            let licensed = wording.and_then(|w| w.item(item.number));
            ItemView {
                number: item.number,
                form_number: item.form_number.to_owned(),
                text: licensed.map_or(item.label, |w| w.text.as_str()).to_owned(),
                scored: item.scored,
                required: item.required,
                safety_item: item.is_safety_item(),
                loinc: item.loinc,
                options: item
                    .options
                    .iter()
                    .enumerate()
                    .map(|(p, o)| OptionView {
                        position: p as u8,
                        label: licensed
                            .and_then(|w| w.options.get(p))
                            .map_or(o.label, String::as_str)
                            .to_owned(),
                        points: o.points,
                        loinc: o.loinc.to_vec(),
                    })
                    .collect(),
            }
        })
        .collect();
    InstrumentView {
        code: instrument,
        name: def.name.to_owned(),
        full_name: def.full_name.to_owned(),
        licence: def.licence.to_owned(),
        text_source: match (wording, def.item_text) {
            (Some(_), _) => TextSource::Licensed,
            (None, ItemText::Included) => TextSource::Included,
            (None, ItemText::LabelsOnly) => TextSource::LabelsOnly,
        },
        licence_holder: wording.map(|w| w.licence_holder.clone()),
        permission: wording.and_then(|w| w.permission.clone()),
        panel_loinc: def.panel_loinc,
        total_loinc: def.total_loinc,
        items,
    }
}

/// Every instrument, in the order of [`InstrumentId::ALL`], each with the practice's wording
/// if it has loaded one.
pub fn catalogue(wordings: &[Wording]) -> Vec<InstrumentView> {
    InstrumentId::ALL
        .iter()
        .map(|id| view(*id, wordings.iter().find(|w| w.instrument == *id)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instruments::wording::parse_wording;

    fn epds_wording() -> Wording {
        let items: Vec<String> = (1..=10)
            .map(|n| {
                format!(
                    r#"{{"number": {n}, "text": "Licensed text {n}", "options": ["A{n}", "B{n}", "C{n}", "D{n}"]}}"#
                )
            })
            .collect();
        parse_wording(&format!(
            r#"{{"instrument": "epds", "licence_holder": "RCPsych", "permission": "ref 1", "items": [{}]}}"#,
            items.join(",")
        ))
        .unwrap()
    }

    #[test]
    fn licensed_wording_replaces_the_neutral_labels() {
        let plain = view(InstrumentId::Epds, None);
        assert_eq!(plain.text_source, TextSource::LabelsOnly);
        assert_eq!(plain.items[9].text, "EPDS item 10 (self-harm)");
        assert_eq!(plain.items[9].options[0].label, "1st option (top)");
        assert!(plain.items[9].safety_item);
        let w = epds_wording();
        let licensed = view(InstrumentId::Epds, Some(&w));
        assert_eq!(licensed.text_source, TextSource::Licensed);
        assert_eq!(licensed.licence_holder.as_deref(), Some("RCPsych"));
        assert_eq!(licensed.items[9].text, "Licensed text 10");
        assert_eq!(licensed.items[9].options[3].label, "D10");
        // The scoring data do not change with the wording: item 10 is reverse-scored.
        assert_eq!(licensed.items[9].options[0].points, 3);
        assert_eq!(licensed.items[9].options[3].points, 0);
        // Another instrument's wording is ignored.
        assert_eq!(
            view(InstrumentId::Phq9, Some(&w)).text_source,
            TextSource::Included
        );
    }

    #[test]
    fn the_catalogue_lists_every_instrument() {
        let w = epds_wording();
        let all = catalogue(std::slice::from_ref(&w));
        assert_eq!(all.len(), InstrumentId::ALL.len());
        let phq9 = &all[0];
        assert_eq!(phq9.code, InstrumentId::Phq9);
        assert_eq!(phq9.items.len(), 10);
        assert_eq!(phq9.items[8].loinc.map(|l| l.code), Some("44260-8"));
        assert_eq!(phq9.items[8].options[1].loinc[0].code, "LA6569-3");
        let sources: Vec<(InstrumentId, TextSource)> =
            all.iter().map(|v| (v.code, v.text_source)).collect();
        assert!(sources.contains(&(InstrumentId::Epds, TextSource::Licensed)));
        assert!(sources.contains(&(InstrumentId::Cssrs, TextSource::LabelsOnly)));
        assert!(sources.contains(&(InstrumentId::Gad7, TextSource::Included)));
    }
}
