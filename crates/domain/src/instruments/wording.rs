//! Licensed item wording, supplied by the practice. EPDS, C-SSRS, DAST-10, MDQ, AUDIT
//! questions 4–10 and PHQ-A ship with neutral labels only (see each definition's licence);
//! a practice that holds a permission loads the wording from a file in this format, which is
//! checked here against the definition. Reading the file is the caller's job.
//!
//! ```json
//! {
//!   "instrument": "epds",
//!   "licence_holder": "Royal College of Psychiatrists",
//!   "permission": "Letter of 5 January 2027, ref. 1234",
//!   "items": [
//!     { "number": 1, "text": "…", "options": ["…", "…", "…", "…"] }
//!   ]
//! }
//! ```
//!
//! `permission` is optional. Every item of the instrument appears once, in form order,
//! numbered from 1 as in the answer list; its options are listed in the printed order, so
//! option `i` is answer position `i`.

use super::InstrumentId;
use crate::error::ValidationError;
use serde::{Deserialize, Serialize};

/// Wording checked against its instrument's definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Wording {
    pub instrument: InstrumentId,
    pub licence_holder: String,
    pub permission: Option<String>,
    pub items: Vec<WordingItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WordingItem {
    pub number: u8,
    pub text: String,
    pub options: Vec<String>,
}

impl Wording {
    /// The wording of item `number` (from 1).
    pub fn item(&self, number: u8) -> Option<&WordingItem> {
        self.items.get(usize::from(number).checked_sub(1)?)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWording {
    instrument: String,
    licence_holder: String,
    #[serde(default)]
    permission: Option<String>,
    items: Vec<RawItem>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    number: u32,
    text: String,
    options: Vec<String>,
}

/// Parse and check a wording file. Syntax errors name the line and column; content errors
/// name the field (`items[3].options`), reporting every problem at once.
pub fn parse_wording(json: &str) -> Result<Wording, ValidationError> {
    let raw: RawWording = serde_json::from_str(json).map_err(|e| {
        ValidationError::field(
            "wording",
            format!("line {}, column {}: {e}", e.line(), e.column()),
        )
    })?;
    let instrument = InstrumentId::parse(raw.instrument.trim()).map_err(|_| {
        ValidationError::field(
            "instrument",
            format!(
                "unknown instrument '{}'; allowed: {}",
                raw.instrument,
                InstrumentId::allowed()
            ),
        )
    })?;
    let def = instrument.definition();
    let mut errors = ValidationError::new();
    if raw.licence_holder.trim().is_empty() {
        errors.push("licence_holder", "is required");
    }
    if raw.items.len() != def.items.len() {
        errors.push(
            "items",
            format!(
                "{} has {} items; the file gives {}",
                def.name,
                def.items.len(),
                raw.items.len()
            ),
        );
    }
    let mut items = Vec::with_capacity(raw.items.len());
    for (idx, (raw_item, item)) in raw.items.into_iter().zip(def.items).enumerate() {
        let field = format!("items[{idx}]");
        if raw_item.number != u32::from(item.number) {
            errors.push(
                format!("{field}.number"),
                format!(
                    "expected {} (items in form order, numbered from 1); got {}",
                    item.number, raw_item.number
                ),
            );
        }
        if raw_item.text.trim().is_empty() {
            errors.push(format!("{field}.text"), "is empty");
        }
        if raw_item.options.len() != item.options.len() {
            errors.push(
                format!("{field}.options"),
                format!(
                    "{} item {} has {} answer options; the file gives {}",
                    def.name,
                    item.form_number,
                    item.options.len(),
                    raw_item.options.len()
                ),
            );
        }
        for (o, option) in raw_item.options.iter().enumerate() {
            if option.trim().is_empty() {
                errors.push(format!("{field}.options[{o}]"), "is empty");
            }
        }
        items.push(WordingItem {
            number: item.number,
            text: raw_item.text.trim().to_owned(),
            options: raw_item
                .options
                .iter()
                .map(|o| o.trim().to_owned())
                .collect(),
        });
    }
    errors.into_result()?;
    Ok(Wording {
        instrument,
        licence_holder: raw.licence_holder.trim().to_owned(),
        permission: raw
            .permission
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty()),
        items,
    })
}
