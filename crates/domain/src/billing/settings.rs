//! Rule settings: every point that the reference marks [unverified] or [conflict] is a setting
//! with a documented default (DESIGN.md, "Where a rule there is marked unverified or in
//! conflict, make it a configurable setting"). A practice keeps one [`RuleSettings`] and may
//! override any of them per payer kind ([`PracticeRules`]).

use crate::codes::code_enum;
use crate::patient::PayerKind;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// A minute floor of at least one minute: a code is never billed for a month without time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct FloorMinutes(u32);

impl FloorMinutes {
    /// Longer than any month's care-management time can be (31 days × 24 hours).
    pub const MAX: u32 = 44_640;

    pub const fn new(minutes: u32) -> Option<Self> {
        if minutes >= 1 && minutes <= Self::MAX {
            Some(Self(minutes))
        } else {
            None
        }
    }

    pub const fn get(self) -> u32 {
        self.0
    }
}

impl TryFrom<u32> for FloorMinutes {
    type Error = String;
    fn try_from(m: u32) -> Result<Self, Self::Error> {
        Self::new(m).ok_or_else(|| format!("must be from 1 to {} minutes", Self::MAX))
    }
}

impl From<FloorMinutes> for u32 {
    fn from(m: FloorMinutes) -> u32 {
        m.0
    }
}

impl fmt::Display for FloorMinutes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

const fn floor(minutes: u32) -> FloorMinutes {
    FloorMinutes(minutes)
}

code_enum! {
    /// Which month of a CoCM episode is its initial month (99492, G0568).
    pub enum InitialMonthRule ("initial month rule") {
        /// The episode's first calendar month with countable care-manager time, whatever it
        /// billed; every later month is subsequent (99492 descriptor [S26], reference §3.4).
        FirstActivityMonth = "first_activity_month",
        /// Months stay "initial" until 99492 (or G0568, or G0512 in an initial month) is billed:
        /// a first month billed only with G2214, or with nothing, does not use up the initial month.
        Until99492 = "until_99492",
    }
}

code_enum! {
    /// The date of service put on a month's claim lines.
    pub enum DateOfService ("date of service rule") {
        /// The last day of the calendar month: all of the month's time is in.
        LastDayOfMonth = "last_day_of_month",
        /// The day on which the countable minutes first reached what the billed lines need.
        ThresholdMet = "threshold_met",
    }
}

/// Declares the settings once: the struct with its defaults, the per-payer overrides (every
/// field optional), and a name per setting for explanations and documentation.
macro_rules! rule_settings {
    ( $( $(#[$doc:meta])* $field:ident ($name:ident) : $ty:ty = $default:expr ; )* ) => {
        /// The billing engine's rule settings (see `docs/billing.md` for each default and why).
        /// Missing fields take their default; unknown fields are rejected.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(default, deny_unknown_fields)]
        pub struct RuleSettings {
            $( $(#[$doc])* pub $field: $ty, )*
        }

        impl Default for RuleSettings {
            fn default() -> Self {
                Self { $( $field: $default, )* }
            }
        }

        /// Some settings overridden, for one payer kind; absent fields keep the practice's value.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
        #[serde(default, deny_unknown_fields)]
        pub struct RuleOverrides {
            $(
                #[serde(skip_serializing_if = "Option::is_none")]
                pub $field: Option<$ty>,
            )*
        }

        impl RuleSettings {
            /// These settings with `overrides` applied.
            pub fn with(mut self, overrides: &RuleOverrides) -> Self {
                $( if let Some(v) = overrides.$field { self.$field = v; } )*
                self
            }

            fn write_value(&self, name: SettingName, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match name {
                    $( SettingName::$name => write!(f, "{} = {}", name.code(), self.$field), )*
                }
            }
        }

        /// The name of one setting, as written in JSON and in explanations.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum SettingName {
            $( $name, )*
        }

        impl SettingName {
            pub const ALL: &'static [SettingName] = &[ $( SettingName::$name, )* ];

            pub const fn code(self) -> &'static str {
                match self {
                    $( SettingName::$name => stringify!($field), )*
                }
            }
        }
    };
}

rule_settings! {
    /// G2214's minimum monthly minutes. Default 16, the midpoint of its 30 minutes ([S6][S10]);
    /// [conflict] a Michigan source lists "≥ 30 minutes" ([S7b]).
    g2214_floor_minutes (G2214FloorMinutes): FloorMinutes = floor(16);
    /// Most units of 99494 per month. Default 2: the codes reimburse "up to 130 minutes in the
    /// initial month and 120 in subsequent months" ([S39]); [conflict] NC Medicaid allows 4
    /// ([S5]); the Medicare MUE is [unverified].
    max_99494_units (Max99494Units): u32 = 2;
    /// Whether the psychiatric consultant's own (non-shared) time counts. Default false: CPT
    /// defines the time as the care manager's activities ([S26]); [conflict] BCBSM counts all
    /// clinical team members ([S32]).
    count_psychiatric_consultant_time (CountPsychiatricConsultantTime): bool = false;
    /// Which month is an episode's initial month. Default `first_activity_month`: a first month
    /// billed only with G2214 is still the initial month, so the next is subsequent (reference
    /// §3.4, marked [unverified]).
    initial_month (InitialMonth): InitialMonthRule = InitialMonthRule::FirstActivityMonth;
    /// The date of service of a month's lines. Default `last_day_of_month` (the DOS convention
    /// is an open item, reference §10.1).
    date_of_service (DateOfServiceRule): DateOfService = DateOfService::LastDayOfMonth;
    /// 99484's minimum monthly minutes. Default 20: "at least 20 minutes" overrides the
    /// midpoint rule ([S9][S29]); [conflict] a Michigan table lists 11–20 ([S7b]).
    floor_99484_minutes (Floor99484Minutes): FloorMinutes = floor(20);
    /// G0512's minimum in an episode's initial month. Default 60, the descriptor ([S15]);
    /// [conflict] APA and a Michigan table read 70 for the initial month ([S3a][S7b]).
    g0512_initial_floor_minutes (G0512InitialFloorMinutes): FloorMinutes = floor(60);
    /// Whether an RHC/FQHC bills G0511 rather than 99484 for general BHI while both are allowed
    /// (1 January – 30 September 2025, [S12][S13]). Default true (example 24 lists G0511 first).
    rhc_fqhc_g0511_in_2025 (RhcFqhcG0511In2025): bool = true;
    /// Whether the practice bills the APCM behavioral-health add-ons (G0568–G0570) in months
    /// when the same practitioner bills an APCM base code. Default true; when false the
    /// standalone codes are billed, which is [verify] with APCM (reference example 26).
    apcm_add_ons (ApcmAddOns): bool = true;
    /// Minimum monthly minutes for an APCM behavioral-health add-on. Default 1 (some countable
    /// time): no time requirement is reported ([S18][S18b]), an open item (reference §10.2).
    apcm_add_on_floor_minutes (ApcmAddOnFloorMinutes): FloorMinutes = floor(1);
}

/// The settings that mattered for one month's result, named in its explanation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SettingsUsed(u16);

impl SettingsUsed {
    pub fn add(&mut self, name: SettingName) {
        self.0 |= 1 << name as u16;
    }

    pub fn remove(&mut self, name: SettingName) {
        self.0 &= !(1 << name as u16);
    }

    pub fn contains(self, name: SettingName) -> bool {
        self.0 & (1 << name as u16) != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn iter(self) -> impl Iterator<Item = SettingName> {
        SettingName::ALL
            .iter()
            .copied()
            .filter(move |n| self.contains(*n))
    }
}

/// Writes "name = value; name = value" for the settings used.
pub struct UsedSettings<'a> {
    pub settings: &'a RuleSettings,
    pub used: SettingsUsed,
}

impl fmt::Display for UsedSettings<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, name) in self.used.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            self.settings.write_value(name, f)?;
        }
        Ok(())
    }
}

/// A practice's settings and its per-payer overrides, keyed by payer kind code
/// (`medicare`, `medicare_advantage`, `medicaid`, `commercial`, `self_pay`, `other`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PracticeRules {
    pub practice: RuleSettings,
    pub payers: BTreeMap<PayerKind, RuleOverrides>,
}

impl PracticeRules {
    /// The settings for a patient whose primary payer is `payer` (the practice's own settings
    /// when the payer is unknown or has no overrides).
    pub fn for_payer(&self, payer: Option<PayerKind>) -> RuleSettings {
        match payer.and_then(|p| self.payers.get(&p)) {
            Some(o) => self.practice.with(o),
            None => self.practice,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_documented_ones() {
        let d = RuleSettings::default();
        assert_eq!(d.g2214_floor_minutes.get(), 16);
        assert_eq!(d.max_99494_units, 2);
        assert!(!d.count_psychiatric_consultant_time);
        assert_eq!(d.initial_month, InitialMonthRule::FirstActivityMonth);
        assert_eq!(d.date_of_service, DateOfService::LastDayOfMonth);
        assert_eq!(d.floor_99484_minutes.get(), 20);
        assert_eq!(d.g0512_initial_floor_minutes.get(), 60);
        assert!(d.rhc_fqhc_g0511_in_2025);
        assert!(d.apcm_add_ons);
        assert_eq!(d.apcm_add_on_floor_minutes.get(), 1);
    }

    #[test]
    fn json_overrides_only_what_it_names_and_rejects_the_rest() {
        let s: RuleSettings =
            serde_json::from_str(r#"{"g2214_floor_minutes": 30, "initial_month": "until_99492"}"#)
                .unwrap();
        assert_eq!(s.g2214_floor_minutes.get(), 30);
        assert_eq!(s.initial_month, InitialMonthRule::Until99492);
        assert_eq!(s.max_99494_units, 2);
        assert!(serde_json::from_str::<RuleSettings>(r#"{"g2214_floor": 30}"#).is_err());
        assert!(serde_json::from_str::<RuleSettings>(r#"{"g2214_floor_minutes": 0}"#).is_err());
    }

    #[test]
    fn payer_overrides_layer_on_the_practice_settings() {
        let rules: PracticeRules = serde_json::from_str(
            r#"{"practice": {"g2214_floor_minutes": 30},
                "payers": {"medicaid": {"max_99494_units": 4}}}"#,
        )
        .unwrap();
        let medicaid = rules.for_payer(Some(PayerKind::Medicaid));
        assert_eq!(medicaid.max_99494_units, 4);
        assert_eq!(medicaid.g2214_floor_minutes.get(), 30);
        let medicare = rules.for_payer(Some(PayerKind::Medicare));
        assert_eq!(medicare.max_99494_units, 2);
        assert_eq!(rules.for_payer(None), rules.practice);
        assert!(serde_json::from_str::<PracticeRules>(r#"{"payers": {"medigap": {}}}"#).is_err());
    }

    #[test]
    fn every_setting_has_a_distinct_name_and_renders_its_value() {
        let mut used = SettingsUsed::default();
        for n in SettingName::ALL {
            used.add(*n);
        }
        let text = UsedSettings {
            settings: &RuleSettings::default(),
            used,
        }
        .to_string();
        for n in SettingName::ALL {
            assert!(text.contains(n.code()), "{text}");
        }
        assert!(text.starts_with("g2214_floor_minutes = 16; max_99494_units = 2"));
        let json = serde_json::to_value(RuleSettings::default()).unwrap();
        assert_eq!(json.as_object().unwrap().len(), SettingName::ALL.len());
    }
}
