//! The billing codes the engine can put on a claim, the care settings, and the table of where
//! and when each code can be billed (reference cocm-billing-registry.md §1, §5, §4).

use crate::calendar::YearMonth;
use crate::codes::code_enum;
use time::Date;
use time::macros::date;

code_enum! {
    /// A care-management code the engine can bill (reference §1).
    pub enum BillingCode ("billing code") {
        /// Initial psychiatric collaborative care management, first 70 minutes ([S26][S27]).
        C99492 = "99492",
        /// Subsequent psychiatric collaborative care management, first 60 minutes ([S1][S27]).
        C99493 = "99493",
        /// Add-on to 99492/99493: each additional 30 minutes ([S1][S64]).
        C99494 = "99494",
        /// Psychiatric collaborative care management, first 30 minutes in a month ([S24][S7]).
        G2214 = "G2214",
        /// General BHI care management, at least 20 minutes of clinical staff time ([S29][S65]).
        C99484 = "99484",
        /// General BHI care management by a clinical psychologist, social worker, counselor or
        /// marriage and family therapist, at least 20 minutes ([S22][S23]).
        G0323 = "G0323",
        /// RHC/FQHC general care management, 20 minutes or more ([S14]).
        G0511 = "G0511",
        /// RHC/FQHC psychiatric CoCM, 60 minutes or more ([S15]).
        G0512 = "G0512",
        /// APCM behavioral-health add-on, CoCM initial month (mirrors 99492) ([S16b][S17]).
        G0568 = "G0568",
        /// APCM behavioral-health add-on, CoCM subsequent month (mirrors 99493) ([S16b][S17]).
        G0569 = "G0569",
        /// APCM behavioral-health add-on, general BHI (mirrors 99484) ([S16b][S17]).
        G0570 = "G0570",
    }
}

code_enum! {
    /// Where the billing practitioner works: the physician fee schedule, or a rural health clinic
    /// or federally qualified health center with its own dated codes (reference §5).
    #[derive(Default)]
    pub enum CareSetting ("care setting") {
        #[default]
        PhysicianOffice = "physician_office",
        Rhc = "rhc",
        Fqhc = "fqhc",
    }
}

impl CareSetting {
    pub fn is_rhc_or_fqhc(self) -> bool {
        matches!(self, CareSetting::Rhc | CareSetting::Fqhc)
    }

    /// "an RHC", "an FQHC", "a physician office", for explanations.
    pub fn with_article(self) -> &'static str {
        match self {
            CareSetting::PhysicianOffice => "a physician office",
            CareSetting::Rhc => "an RHC",
            CareSetting::Fqhc => "an FQHC",
        }
    }
}

/// The settings a row of [`AVAILABILITY`] applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settings {
    PhysicianOffice,
    RhcOrFqhc,
    Any,
}

impl Settings {
    fn contains(self, setting: CareSetting) -> bool {
        match self {
            Settings::PhysicianOffice => setting == CareSetting::PhysicianOffice,
            Settings::RhcOrFqhc => setting.is_rhc_or_fqhc(),
            Settings::Any => true,
        }
    }
}

/// One row of the date table: `code` can be billed in `settings` for dates of service from
/// `from` through `through` (open-ended when `None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Availability {
    pub code: BillingCode,
    pub settings: Settings,
    pub from: Date,
    pub through: Option<Date>,
    pub source: &'static str,
}

const fn row(
    code: BillingCode,
    settings: Settings,
    from: Date,
    through: Option<Date>,
    source: &'static str,
) -> Availability {
    Availability {
        code,
        settings,
        from,
        through,
        source,
    }
}

use BillingCode::*;

/// Where and when each code can be billed. Every boundary falls on a month's first or last
/// day (a test checks it), so a code is either available for a whole calendar month or not at
/// all, whichever day of the month is the date of service.
pub const AVAILABILITY: &[Availability] = &[
    // The CPT CoCM and general BHI codes replaced G0502–G0504 and G0507 in 2018 ([S28][S29][S67]).
    row(
        C99492,
        Settings::PhysicianOffice,
        date!(2018 - 01 - 01),
        None,
        "§1 [S28][S67]",
    ),
    row(
        C99493,
        Settings::PhysicianOffice,
        date!(2018 - 01 - 01),
        None,
        "§1 [S67]",
    ),
    row(
        C99494,
        Settings::PhysicianOffice,
        date!(2018 - 01 - 01),
        None,
        "§1 [S28]",
    ),
    row(
        C99484,
        Settings::PhysicianOffice,
        date!(2018 - 01 - 01),
        None,
        "§1 [S29][S30]",
    ),
    // G2214 was created by the CY2021 PFS ([S25][S24]).
    row(
        G2214,
        Settings::PhysicianOffice,
        date!(2021 - 01 - 01),
        None,
        "§1 [S25][S24]",
    ),
    // G0323 was created by the CY2023 PFS ([S23]).
    row(
        G0323,
        Settings::PhysicianOffice,
        date!(2023 - 01 - 01),
        None,
        "§1 [S23]",
    ),
    // RHC/FQHC: G0511 (general care management incl. BHI) until it stopped being payable on
    // 1 October 2025; G0512 (CoCM) until its discontinuation on 1 January 2026 (§5 [S11][S13][S10]).
    row(
        G0511,
        Settings::RhcOrFqhc,
        date!(2018 - 01 - 01),
        Some(date!(2025 - 09 - 30)),
        "§5 [S11][S13][S14]",
    ),
    row(
        G0512,
        Settings::RhcOrFqhc,
        date!(2018 - 01 - 01),
        Some(date!(2025 - 12 - 31)),
        "§5 [S10][S15][S18]",
    ),
    // CY2025: RHC/FQHC may bill the individual care-management codes instead of G0511 (§5 [S12]).
    row(
        C99484,
        Settings::RhcOrFqhc,
        date!(2025 - 01 - 01),
        None,
        "§5 [S12]",
    ),
    row(
        G0323,
        Settings::RhcOrFqhc,
        date!(2025 - 01 - 01),
        None,
        "§5 [S12]",
    ),
    // CY2026: RHC/FQHC bill Medicare CoCM with 99492, 99493, 99494 and G2214 (§5 [S10][S18]).
    row(
        C99492,
        Settings::RhcOrFqhc,
        date!(2026 - 01 - 01),
        None,
        "§5 [S10][S18]",
    ),
    row(
        C99493,
        Settings::RhcOrFqhc,
        date!(2026 - 01 - 01),
        None,
        "§5 [S10][S18]",
    ),
    row(
        C99494,
        Settings::RhcOrFqhc,
        date!(2026 - 01 - 01),
        None,
        "§5 [S10][S18]",
    ),
    row(
        G2214,
        Settings::RhcOrFqhc,
        date!(2026 - 01 - 01),
        None,
        "§5 [S10][S18]",
    ),
    // CY2026 PFS: the APCM behavioral-health add-ons (§1 [S16][S18]). RHC/FQHC may bill APCM
    // since 2025 (§4 [S12]), so the add-ons are not limited to the physician office.
    row(
        G0568,
        Settings::Any,
        date!(2026 - 01 - 01),
        None,
        "§1 [S16][S18]",
    ),
    row(
        G0569,
        Settings::Any,
        date!(2026 - 01 - 01),
        None,
        "§1 [S16][S18]",
    ),
    row(
        G0570,
        Settings::Any,
        date!(2026 - 01 - 01),
        None,
        "§1 [S16][S18]",
    ),
];

/// Whether `code` can be billed in `setting` for a date of service in `month`.
pub fn is_available(code: BillingCode, setting: CareSetting, month: YearMonth) -> bool {
    let day = month.first_day();
    AVAILABILITY.iter().any(|a| {
        a.code == code
            && a.settings.contains(setting)
            && a.from <= day
            && a.through.is_none_or(|t| day <= t)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ym(s: &str) -> YearMonth {
        s.parse().unwrap()
    }

    #[test]
    fn every_boundary_is_a_month_boundary() {
        for a in AVAILABILITY {
            assert_eq!(a.from.day(), 1, "{:?}", a);
            if let Some(t) = a.through {
                assert_eq!(t, YearMonth::of(t).last_day(), "{:?}", a);
            }
            assert!(!a.source.is_empty());
        }
    }

    #[test]
    fn rhc_fqhc_codes_follow_the_dates_of_section_5() {
        let rhc = CareSetting::Rhc;
        assert!(is_available(G0511, rhc, ym("2025-09")));
        assert!(!is_available(G0511, rhc, ym("2025-10")));
        assert!(is_available(G0512, CareSetting::Fqhc, ym("2025-12")));
        assert!(!is_available(G0512, CareSetting::Fqhc, ym("2026-01")));
        assert!(!is_available(C99493, rhc, ym("2025-12")));
        assert!(is_available(C99493, rhc, ym("2026-01")));
        assert!(is_available(C99484, rhc, ym("2025-01")));
        assert!(!is_available(C99484, rhc, ym("2024-12")));
        assert!(!is_available(
            G0511,
            CareSetting::PhysicianOffice,
            ym("2024-01")
        ));
    }

    #[test]
    fn codes_start_on_their_creation_dates() {
        let po = CareSetting::PhysicianOffice;
        assert!(!is_available(G2214, po, ym("2020-12")));
        assert!(is_available(G2214, po, ym("2021-01")));
        assert!(!is_available(G0568, po, ym("2025-12")));
        assert!(is_available(G0570, CareSetting::Fqhc, ym("2026-01")));
        assert!(!is_available(C99492, po, ym("2017-12")));
        assert_eq!(BillingCode::parse("99494").unwrap(), C99494);
    }
}
