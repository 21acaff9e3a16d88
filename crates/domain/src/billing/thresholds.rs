//! Minute thresholds of the monthly care-management codes (reference
//! cocm-billing-registry.md §3.3, the CPT midpoint rule of §3.2).
//!
//! For CoCM, with `B` = 70 minutes in the episode's initial month and 60 in later months:
//! G2214 from 16 minutes; 99492 from 36 / 99493 from 31 (the midpoint of B); one 99494 for
//! each further 30 minutes once past their midpoint (B + 16, B + 46, …). General BHI: 99484
//! needs at least 20 minutes (a code-level "at least" overrides the midpoint rule, [S9]).

use crate::episode::Program;

/// Whether the month is the first calendar month of care-manager activity in the episode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MonthType {
    Initial,
    Subsequent,
}

/// G2214's floor by default ([S6][S10]; a setting of the billing engine can raise it).
pub const G2214_FLOOR: u32 = 16;

/// The next minute count at which a month's billing changes, and the code that it adds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NextThreshold {
    pub at_minutes: u32,
    pub code: &'static str,
}

/// The first threshold above `minutes` for the program and month type.
pub fn next_threshold(program: Program, month: MonthType, minutes: u32) -> Option<NextThreshold> {
    match program {
        Program::GeneralBhi => (minutes < 20).then_some(NextThreshold {
            at_minutes: 20,
            code: "99484",
        }),
        Program::Cocm => {
            let (base_minutes, base_code) = match month {
                MonthType::Initial => (70, "99492"),
                MonthType::Subsequent => (60, "99493"),
            };
            let base_floor = base_minutes / 2 + 1;
            if minutes < G2214_FLOOR {
                return Some(NextThreshold {
                    at_minutes: G2214_FLOOR,
                    code: "G2214",
                });
            }
            if minutes < base_floor {
                return Some(NextThreshold {
                    at_minutes: base_floor,
                    code: base_code,
                });
            }
            // Add-on units: reached at B + 16, B + 46, B + 76, …
            let first_add_on = base_minutes + 16;
            let at = if minutes < first_add_on {
                first_add_on
            } else {
                first_add_on + ((minutes - first_add_on) / 30 + 1) * 30
            };
            Some(NextThreshold {
                at_minutes: at,
                code: "99494",
            })
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
}
