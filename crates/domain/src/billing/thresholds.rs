//! Minute thresholds of the monthly care-management codes (reference cocm-billing-registry.md
//! §3.3, the CPT midpoint rule of §3.2).
//!
//! For CoCM, with `B` = 70 minutes in the episode's initial month and 60 in later months:
//! G2214 from 16 minutes; 99492 from 36 / 99493 from 31 (the midpoint of B); one 99494 for
//! each further 30 minutes once past their midpoint (B + 16, B + 46, …). General BHI: 99484
//! needs at least 20 minutes (a code-level "at least" overrides the midpoint rule, [S9]).

use super::codes::BillingCode;
use super::settings::{RuleSettings, SettingName};
use crate::episode::Program;
use serde::{Deserialize, Serialize};

/// Whether the month is the first calendar month of care-manager activity in the episode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MonthType {
    Initial,
    Subsequent,
}

impl MonthType {
    pub fn code(self) -> &'static str {
        match self {
            MonthType::Initial => "initial",
            MonthType::Subsequent => "subsequent",
        }
    }
}

/// G2214's floor by default ([S6][S10]; a setting of the billing engine can raise it).
pub const G2214_FLOOR: u32 = 16;

/// How a code's minimum monthly time is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Floor {
    /// CPT midpoint rule: a unit of this many minutes is attained once its midpoint is passed,
    /// at half the unit plus one minute (§3.2 [S9]; "reportable at 36–85" for 99492 [S1]).
    Midpoint(u32),
    /// A code-level "at least N minutes" instruction, which overrides the midpoint rule ([S9]).
    AtLeast(u32),
    /// A rule setting (the sources disagree or are unverified); its default is documented there.
    Setting(SettingName),
}

/// The minimum monthly time of one code, in one month type or in any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeRule {
    pub code: BillingCode,
    /// `None`: the same in initial and subsequent months.
    pub month_type: Option<MonthType>,
    pub floor: Floor,
    pub source: &'static str,
}

const fn rule(
    code: BillingCode,
    month_type: Option<MonthType>,
    floor: Floor,
    source: &'static str,
) -> TimeRule {
    TimeRule {
        code,
        month_type,
        floor,
        source,
    }
}

use BillingCode::*;
use MonthType::{Initial, Subsequent};

/// The threshold table (reference §1 and §3.3).
pub const TIME_RULES: &[TimeRule] = &[
    rule(
        C99492,
        Some(Initial),
        Floor::Midpoint(70),
        "§3.3 [S1]: first 70 minutes, reportable at 36–85",
    ),
    rule(
        C99493,
        Some(Subsequent),
        Floor::Midpoint(60),
        "§3.3 [S1]: first 60 minutes, reportable at 31–75",
    ),
    rule(
        G2214,
        None,
        Floor::Setting(SettingName::G2214FloorMinutes),
        "§1 [S6][S10] 16 minutes; [conflict] [S7b] 30",
    ),
    rule(
        C99484,
        None,
        Floor::Setting(SettingName::Floor99484Minutes),
        "§1 [S9][S29] at least 20; [conflict] [S7b] 11",
    ),
    rule(
        G0323,
        None,
        Floor::AtLeast(20),
        "§1 [S22]: at least 20 minutes",
    ),
    rule(
        G0511,
        None,
        Floor::AtLeast(20),
        "§1 [S14]: 20 minutes or more",
    ),
    rule(
        G0512,
        Some(Initial),
        Floor::Setting(SettingName::G0512InitialFloorMinutes),
        "§1 [S15] 60 or more; [conflict] [S3a][S7b] 70 initial",
    ),
    rule(
        G0512,
        Some(Subsequent),
        Floor::AtLeast(60),
        "§1 [S15]: 60 minutes or more",
    ),
    rule(
        G0568,
        None,
        Floor::Setting(SettingName::ApcmAddOnFloorMinutes),
        "§1 [S18][S18b]: no time requirement reported",
    ),
    rule(
        G0569,
        None,
        Floor::Setting(SettingName::ApcmAddOnFloorMinutes),
        "§1 [S18][S18b]: no time requirement reported",
    ),
    rule(
        G0570,
        None,
        Floor::Setting(SettingName::ApcmAddOnFloorMinutes),
        "§1 [S18][S18b]: no time requirement reported",
    ),
];

/// 99494: "each additional 30 minutes" beyond the base code's B minutes, a unit attained at
/// its midpoint, B + 16, B + 46, … (§3.3 [S1][S2][S6]).
pub const ADD_ON_UNIT_MINUTES: u32 = 30;

/// The CoCM base code of a month type (99492 initial, 99493 subsequent; §3.4 [S1]).
pub fn cocm_base(month_type: MonthType) -> BillingCode {
    match month_type {
        Initial => C99492,
        Subsequent => C99493,
    }
}

fn time_rule(code: BillingCode, month_type: MonthType) -> Option<&'static TimeRule> {
    TIME_RULES
        .iter()
        .find(|r| r.code == code && r.month_type.is_none_or(|t| t == month_type))
}

fn setting_minutes(name: SettingName, rules: &RuleSettings) -> u32 {
    match name {
        SettingName::G2214FloorMinutes => rules.g2214_floor_minutes.get(),
        SettingName::Floor99484Minutes => rules.floor_99484_minutes.get(),
        SettingName::G0512InitialFloorMinutes => rules.g0512_initial_floor_minutes.get(),
        SettingName::ApcmAddOnFloorMinutes => rules.apcm_add_on_floor_minutes.get(),
        // Only minute settings appear in the table (a test walks it).
        _ => u32::MAX,
    }
}

/// The least countable minutes that bill `code` in a month of `month_type`, and the setting
/// that decided it, if any. `None` for 99494, which is counted in units ([`add_on_units`]).
pub fn floor_minutes(
    code: BillingCode,
    month_type: MonthType,
    rules: &RuleSettings,
) -> Option<(u32, Option<SettingName>)> {
    time_rule(code, month_type).map(|r| match r.floor {
        Floor::Midpoint(unit) => (unit / 2 + 1, None),
        Floor::AtLeast(m) => (m, None),
        Floor::Setting(name) => (setting_minutes(name, rules), Some(name)),
    })
}

/// The base code's time `B` (70 or 60 minutes), after which 99494 units count.
pub fn base_unit_minutes(code: BillingCode) -> u32 {
    TIME_RULES
        .iter()
        .find_map(|r| match (r.code == code, r.floor) {
            (true, Floor::Midpoint(unit)) => Some(unit),
            _ => None,
        })
        .unwrap_or(0)
}

/// Minutes at which the first 99494 unit is attained: B + 16.
fn first_add_on_at(base_unit: u32) -> u32 {
    base_unit + ADD_ON_UNIT_MINUTES / 2 + 1
}

/// Units of 99494 that `minutes` support above a base of `base_unit` minutes, before any cap:
/// `floor((T − B + 14) / 30)` once `T ≥ B + 16` (§3.3).
pub fn add_on_units(base_unit: u32, minutes: u32) -> u32 {
    let first = first_add_on_at(base_unit);
    if minutes < first {
        0
    } else {
        (minutes - first) / ADD_ON_UNIT_MINUTES + 1
    }
}

/// The minutes at which unit number `unit` (1, 2, …) of 99494 is attained.
pub fn add_on_unit_at(base_unit: u32, unit: u32) -> u32 {
    first_add_on_at(base_unit) + unit.saturating_sub(1) * ADD_ON_UNIT_MINUTES
}

/// The next minute count at which a month's billing changes, and the code that it adds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NextThreshold {
    pub at_minutes: u32,
    pub code: &'static str,
}

/// The first threshold above `minutes` for the program and month type, under the default
/// settings and with no cap on 99494: the registry's "near billing threshold" flag is about the
/// care team's time, not about a payer's unit cap.
pub fn next_threshold(program: Program, month: MonthType, minutes: u32) -> Option<NextThreshold> {
    let rules = RuleSettings::default();
    let at = |code: BillingCode| floor_minutes(code, month, &rules).map_or(0, |(m, _)| m);
    let next = |code: BillingCode, at_minutes: u32| {
        Some(NextThreshold {
            at_minutes,
            code: code.code(),
        })
    };
    match program {
        Program::GeneralBhi => {
            let floor = at(C99484);
            if minutes < floor {
                next(C99484, floor)
            } else {
                None
            }
        }
        Program::Cocm => {
            let base = cocm_base(month);
            let (g2214, base_floor) = (at(G2214), at(base));
            if minutes < g2214 {
                return next(G2214, g2214);
            }
            if minutes < base_floor {
                return next(base, base_floor);
            }
            let unit = base_unit_minutes(base);
            next(
                C99494,
                add_on_unit_at(unit, add_on_units(unit, minutes) + 1),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cocm_initial_thresholds_follow_the_table() {
        let t = |m| next_threshold(Program::Cocm, MonthType::Initial, m).unwrap();
        assert_eq!(t(0).at_minutes, 16);
        assert_eq!(t(15).code, "G2214");
        assert_eq!(t(16).at_minutes, 36);
        assert_eq!(t(35).code, "99492");
        assert_eq!(t(36).at_minutes, 86);
        assert_eq!(t(85).at_minutes, 86);
        assert_eq!(t(86).at_minutes, 116);
        assert_eq!(t(116).at_minutes, 146);
    }

    #[test]
    fn cocm_subsequent_and_bhi() {
        let t = |m| next_threshold(Program::Cocm, MonthType::Subsequent, m).unwrap();
        assert_eq!(t(16).at_minutes, 31);
        assert_eq!(t(30).code, "99493");
        assert_eq!(t(31).at_minutes, 76);
        assert_eq!(t(76).at_minutes, 106);
        assert_eq!(
            next_threshold(Program::GeneralBhi, MonthType::Initial, 19)
                .unwrap()
                .at_minutes,
            20
        );
        assert_eq!(
            next_threshold(Program::GeneralBhi, MonthType::Initial, 20),
            None
        );
    }

    #[test]
    fn add_on_units_follow_the_section_3_3_formula() {
        // U = floor((T − B + 14) / 30) when T ≥ B + 16.
        for b in [60, 70] {
            for t in 0..400 {
                let expected = if t >= b + 16 { (t - b + 14) / 30 } else { 0 };
                assert_eq!(add_on_units(b, t), expected, "B={b} T={t}");
            }
        }
        assert_eq!(add_on_unit_at(70, 2), 116);
        assert_eq!(add_on_unit_at(60, 1), 76);
    }

    #[test]
    fn the_table_covers_every_code_but_the_add_on() {
        let rules = RuleSettings::default();
        for code in BillingCode::ALL {
            for mt in [MonthType::Initial, MonthType::Subsequent] {
                let floor = floor_minutes(*code, mt, &rules);
                match code {
                    C99494 => assert!(floor.is_none()),
                    C99492 if mt == Subsequent => assert!(floor.is_none()),
                    C99493 if mt == Initial => assert!(floor.is_none()),
                    _ => {
                        let (m, _) = floor.unwrap();
                        assert!((1..=60).contains(&m), "{code} {m}");
                    }
                }
            }
        }
        assert_eq!(floor_minutes(G0512, Subsequent, &rules), Some((60, None)));
        assert_eq!(base_unit_minutes(C99492), 70);
        assert_eq!(base_unit_minutes(C99493), 60);
    }
}
