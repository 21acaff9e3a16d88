//! How many patients a care manager can carry: AIMS Center caseload guidance for a 1.0 FTE
//! behavioral health care manager (reference bhi-planning.md §5.3 [V];
//! cocm-billing-registry.md §9.7 [S41]).

use super::team::Fte;
use crate::codes::code_enum;
use serde::{Deserialize, Serialize};

code_enum! {
    /// Who the practice's patients mostly are.
    pub enum PopulationType ("population type") {
        /// Commercially insured, adequate income and support.
        Commercial = "commercial",
        /// Medicaid, uninsured or otherwise vulnerable.
        Vulnerable = "vulnerable",
    }
}

code_enum! {
    /// What the care manager works on.
    pub enum CareScope ("care scope") {
        BehavioralOnly = "behavioral_only",
        BehavioralAndMedical = "behavioral_and_medical",
    }
}

/// The practice's predominant population and scope: its complexity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseloadProfile {
    pub population: PopulationType,
    pub scope: CareScope,
}

impl Default for CaseloadProfile {
    /// The most demanding cell, so capacity is never overstated before the practice says more.
    fn default() -> Self {
        Self {
            population: PopulationType::Vulnerable,
            scope: CareScope::BehavioralAndMedical,
        }
    }
}

/// Patients per 1.0 FTE care manager, inclusive range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseloadRange {
    pub low: u32,
    pub high: u32,
}

/// One row of the AIMS table.
#[derive(Debug, Clone, Copy)]
pub struct CaseloadRow {
    pub population: PopulationType,
    pub scope: CareScope,
    pub per_full_time: CaseloadRange,
}

pub const CASELOAD_SOURCE: &str = "AIMS Center, Caseload size guidance for behavioral health care \
managers (bhi-planning.md §5.3; cocm-billing-registry.md §9.7 [S41])";

/// Reference cocm-billing-registry.md §9.7.
pub const CASELOAD_TABLE: [CaseloadRow; 4] = [
    CaseloadRow {
        population: PopulationType::Commercial,
        scope: CareScope::BehavioralOnly,
        per_full_time: CaseloadRange { low: 90, high: 120 },
    },
    CaseloadRow {
        population: PopulationType::Commercial,
        scope: CareScope::BehavioralAndMedical,
        per_full_time: CaseloadRange { low: 80, high: 100 },
    },
    CaseloadRow {
        population: PopulationType::Vulnerable,
        scope: CareScope::BehavioralOnly,
        per_full_time: CaseloadRange { low: 60, high: 80 },
    },
    CaseloadRow {
        population: PopulationType::Vulnerable,
        scope: CareScope::BehavioralAndMedical,
        per_full_time: CaseloadRange { low: 50, high: 75 },
    },
];

/// AIMS recommends full-time or nearly full-time care managers (§5.3 [V]); "nearly" is ours [P].
pub const NEARLY_FULL_TIME: Fte = match Fte::from_hundredths(80) {
    Some(f) => f,
    None => Fte::FULL,
};

/// One full-time care manager supports four to five practitioners (§9.7 [S53]).
pub const PRACTITIONERS_PER_CARE_MANAGER: u32 = 5;

pub fn per_full_time(profile: CaseloadProfile) -> CaseloadRange {
    CASELOAD_TABLE
        .iter()
        .find(|r| r.population == profile.population && r.scope == profile.scope)
        .map_or(CaseloadRange { low: 50, high: 75 }, |r| r.per_full_time)
}

/// Capacity for a total care-manager FTE in hundredths (several people add up), rounded down.
pub fn capacity(fte_hundredths: u32, profile: CaseloadProfile) -> CaseloadRange {
    let r = per_full_time(profile);
    CaseloadRange {
        low: r.low * fte_hundredths / 100,
        high: r.high * fte_hundredths / 100,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn aims_ranges() {
        let cases = [
            (
                PopulationType::Commercial,
                CareScope::BehavioralOnly,
                100,
                (90, 120),
            ),
            (
                PopulationType::Commercial,
                CareScope::BehavioralAndMedical,
                100,
                (80, 100),
            ),
            (
                PopulationType::Vulnerable,
                CareScope::BehavioralOnly,
                100,
                (60, 80),
            ),
            (
                PopulationType::Vulnerable,
                CareScope::BehavioralAndMedical,
                100,
                (50, 75),
            ),
            (
                PopulationType::Commercial,
                CareScope::BehavioralOnly,
                50,
                (45, 60),
            ),
            (
                PopulationType::Vulnerable,
                CareScope::BehavioralAndMedical,
                150,
                (75, 112),
            ),
            (
                PopulationType::Vulnerable,
                CareScope::BehavioralOnly,
                0,
                (0, 0),
            ),
        ];
        for (population, scope, fte, (low, high)) in cases {
            let c = capacity(fte, CaseloadProfile { population, scope });
            assert_eq!((c.low, c.high), (low, high), "{population} {scope} {fte}");
        }
        // Every combination has exactly one row.
        for p in PopulationType::ALL {
            for s in CareScope::ALL {
                let n = CASELOAD_TABLE
                    .iter()
                    .filter(|r| r.population == *p && r.scope == *s)
                    .count();
                assert_eq!(n, 1);
            }
        }
    }

    proptest! {
        #[test]
        fn capacity_grows_with_fte(a in 0u32..400, b in 0u32..400, p in 0usize..2, s in 0usize..2) {
            let profile = CaseloadProfile { population: PopulationType::ALL[p], scope: CareScope::ALL[s] };
            let (lo, hi) = (a.min(b), a.max(b));
            let (x, y) = (capacity(lo, profile), capacity(hi, profile));
            prop_assert!(x.low <= y.low && x.high <= y.high);
            prop_assert!(y.low <= y.high);
            prop_assert!(y.high <= 120 * hi / 100 && y.low >= 50 * hi / 100);
        }
    }
}
