//! The shape of an instrument definition: static data, one value per instrument.

use super::InstrumentId;
use crate::codes::code_enum;
use serde::Serialize;

code_enum! {
    /// How well a code or fact is established, as marked in reference instruments.md:
    /// `[V]` checked against LOINC/Regenstrief/HL7, `[S]` a secondary source, `[U]` not verified.
    pub enum Evidence ("evidence") {
        Verified = "verified",
        Secondary = "secondary",
        Unverified = "unverified",
    }
}

/// A LOINC code (system `http://loinc.org`) with the evidence behind it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Loinc {
    pub code: &'static str,
    pub evidence: Evidence,
}

impl Loinc {
    pub const fn verified(code: &'static str) -> Self {
        Self {
            code,
            evidence: Evidence::Verified,
        }
    }

    pub const fn secondary(code: &'static str) -> Self {
        Self {
            code,
            evidence: Evidence::Secondary,
        }
    }

    pub const fn unverified(code: &'static str) -> Self {
        Self {
            code,
            evidence: Evidence::Unverified,
        }
    }
}

/// One answer option, in the order the published form lists it. Its position in
/// [`Item::options`] is the answer's encoding; `points` is what the scorer adds.
#[derive(Debug, Clone, Copy)]
pub struct AnswerOption {
    pub label: &'static str,
    /// LOINC answer codes accepted for this option; the first is the one to emit. Empty when
    /// the reference gives none (never invented).
    pub loinc: &'static [Loinc],
    pub points: u8,
}

impl AnswerOption {
    pub const fn new(label: &'static str, loinc: &'static [Loinc], points: u8) -> Self {
        Self {
            label,
            loinc,
            points,
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Item {
    /// Position in the answer list, from 1 (`answers[number - 1]`).
    pub number: u8,
    /// The item's number as printed on the form ("9", "6a", "1m", "Trauma").
    pub form_number: &'static str,
    /// `None` when the reference gives no item code.
    pub loinc: Option<Loinc>,
    /// The short wording where the instrument is free to reproduce, otherwise a neutral
    /// label (see [`Definition::item_text`]).
    pub label: &'static str,
    /// Counted in the total.
    pub scored: bool,
    /// Needed for a complete response (unless the form's logic skips it). Every scored item
    /// is required; so are some unscored ones (MDQ parts 2–3, the C-SSRS questions, the
    /// PC-PTSD-5 trauma gate).
    pub required: bool,
    /// Any answer worth at least this many points raises a safety alert; the item is then a
    /// safety item, and leaving it unanswered makes the safety status `unknown`.
    pub alert_at: Option<u8>,
    pub options: &'static [AnswerOption],
}

impl Item {
    /// A scored (hence required) item.
    pub const fn scored(
        number: u8,
        form_number: &'static str,
        loinc: Option<Loinc>,
        label: &'static str,
        options: &'static [AnswerOption],
    ) -> Self {
        Self {
            number,
            form_number,
            loinc,
            label,
            scored: true,
            required: true,
            alert_at: None,
            options,
        }
    }

    /// An item that is recorded but neither summed nor required.
    pub const fn recorded(
        number: u8,
        form_number: &'static str,
        loinc: Option<Loinc>,
        label: &'static str,
        options: &'static [AnswerOption],
    ) -> Self {
        Self {
            scored: false,
            required: false,
            ..Self::scored(number, form_number, loinc, label, options)
        }
    }

    pub const fn required(self) -> Self {
        Self {
            required: true,
            ..self
        }
    }

    /// Make this a safety item alerting at `points` or more.
    pub const fn alert_at(self, points: u8) -> Self {
        Self {
            alert_at: Some(points),
            ..self
        }
    }

    pub fn is_safety_item(&self) -> bool {
        self.alert_at.is_some()
    }

    pub fn max_points(&self) -> u8 {
        self.options.iter().map(|o| o.points).max().unwrap_or(0)
    }
}

/// The form's own skip logic: when the gate item is answered with one of `when`, the listed
/// items are not asked. A skipped item is neither missing nor scored.
#[derive(Debug, Clone, Copy)]
pub struct Skip {
    pub gate: u8,
    /// Answer positions of the gate that skip the items.
    pub when: &'static [u8],
    pub items: &'static [u8],
    /// Applies only when the practice turns it on (DAST-10, see `ScoringSettings`).
    pub optional: bool,
    pub source: &'static str,
}

/// A band over official totals, inclusive.
#[derive(Debug, Clone, Copy)]
pub struct Band {
    pub min: u16,
    pub max: u16,
    pub label: &'static str,
}

code_enum! {
    /// Whether the item wording ships with Stepwise.
    pub enum ItemText ("item text status") {
        /// Free to reproduce: item labels are the (abbreviated) published wording.
        Included = "included",
        /// Licensed wording: labels are neutral; the wording is loaded from a file the
        /// practice obtains from the licence holder (see `wording`).
        LabelsOnly = "labels_only",
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Definition {
    pub id: InstrumentId,
    pub name: &'static str,
    pub full_name: &'static str,
    pub panel_loinc: Option<Loinc>,
    /// The code of the result: the total score (for C-SSRS, the risk level).
    pub total_loinc: Option<Loinc>,
    pub items: &'static [Item],
    pub skips: &'static [Skip],
    pub bands: &'static [Band],
    /// The published cut-off for a positive screen. Where the reference makes it configurable
    /// the value in force comes from `ScoringSettings`, whose default is this one.
    pub positive_at: Option<u16>,
    /// Whether a prorated estimate is reported when exactly one scored item is missing
    /// (reference §1 and §4: PHQ-9 and GAD-7 only).
    pub prorate: bool,
    pub item_text: ItemText,
    pub licence: &'static str,
    pub source: &'static str,
}

impl Definition {
    /// Fewest answers accepted: every item up to the last one that is needed and that the
    /// form always asks. Later items may be left off and count as unanswered (or skipped).
    pub fn min_answers(&self) -> usize {
        self.items
            .iter()
            .rposition(|i| i.required && !self.is_skip_target(i.number))
            .map_or(0, |p| p + 1)
    }

    fn is_skip_target(&self, number: u8) -> bool {
        self.skips
            .iter()
            .any(|s| !s.optional && s.items.contains(&number))
    }

    pub fn item(&self, number: u8) -> Option<&'static Item> {
        self.items.get(usize::from(number).checked_sub(1)?)
    }

    pub fn scored_items(&self) -> usize {
        self.items.iter().filter(|i| i.scored).count()
    }

    /// The band of an official total under the published bands.
    pub fn band(&self, total: u16) -> Option<&'static str> {
        self.bands
            .iter()
            .find(|b| (b.min..=b.max).contains(&total))
            .map(|b| b.label)
    }
}
