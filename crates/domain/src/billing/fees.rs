//! Approximate Medicare payment of a month's lines, from a fee table labelled with its year
//! (reference §6). Money is in integer cents.

use super::engine::ClaimLine;
use serde::Serialize;

/// One code's RVUs (in hundredths) and its published national amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fee {
    pub code: &'static str,
    pub work_rvu: u32,
    pub practice_expense_rvu: u32,
    pub malpractice_rvu: u32,
    /// `None` when the code is contractor priced.
    pub amount_cents: Option<u32>,
}

/// A fee table for one calendar year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeeSchedule {
    pub year: u16,
    pub description: &'static str,
    /// Dollars per RVU, in ten-thousandths of a dollar.
    pub conversion_factor: u32,
    pub source: &'static str,
    pub fees: &'static [Fee],
}

const fn fee(code: &'static str, w: u32, pe: u32, mp: u32, cents: u32) -> Fee {
    Fee {
        code,
        work_rvu: w,
        practice_expense_rvu: pe,
        malpractice_rvu: mp,
        amount_cents: Some(cents),
    }
}

/// CY2025 Medicare PFS national non-facility amounts: all GPCIs 1.000, conversion factor
/// $32.3465 ([S35]), RVUs from the CY2025 RVU file as processed in [S34] (reference §6; the
/// reference cross-checks 99492, 99494 [S35] and G0511 [S11b]). CY2026 RVUs, and those of
/// G0568–G0570, were not retrieved: those codes are unpriced here.
pub const CY2025_NATIONAL_NON_FACILITY: FeeSchedule = FeeSchedule {
    year: 2025,
    description: "CY2025 Medicare PFS national non-facility amounts (GPCI 1.000)",
    conversion_factor: 323_465,
    source: "reference §6 [S34][S34b][S35]",
    fees: &[
        fee("99492", 188, 248, 13, 14_524),
        fee("99493", 205, 193, 15, 13_359),
        fee("99494", 82, 87, 4, 5_596),
        fee("G2214", 77, 87, 4, 5_434),
        fee("99484", 93, 66, 5, 5_305),
        fee("G0323", 93, 69, 4, 5_370),
        fee("G0553", 62, 94, 4, 5_175),
        fee("G0554", 61, 58, 4, 3_979),
        Fee {
            code: "G0552",
            work_rvu: 0,
            practice_expense_rvu: 0,
            malpractice_rvu: 0,
            amount_cents: None,
        },
        fee("G0556", 25, 20, 2, 1_520),
        fee("G0557", 77, 70, 4, 4_884),
        fee("G0558", 167, 152, 12, 10_707),
        fee("G0511", 90, 72, 7, 5_467),
        fee("G0512", 197, 220, 14, 13_941),
    ],
};

impl FeeSchedule {
    /// The published amount of `code`, if the table prices it.
    pub fn amount_cents(&self, code: &str) -> Option<u32> {
        self.fees
            .iter()
            .find(|f| f.code == code)
            .and_then(|f| f.amount_cents)
    }
}

/// Expected payment of a month's lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct ExpectedPayment {
    /// Sum of amount × units over the priced lines.
    pub cents: u64,
    /// Lines whose code the table does not price (their amount is not in `cents`).
    pub unpriced_lines: u32,
}

/// Expected payment of `lines` under `schedule` (before coinsurance and deductible, [S33]).
pub fn expected_payment(lines: &[ClaimLine], schedule: &FeeSchedule) -> ExpectedPayment {
    lines.iter().fold(ExpectedPayment::default(), |mut p, l| {
        match schedule.amount_cents(l.code.code()) {
            Some(c) => p.cents += u64::from(c) * u64::from(l.units),
            None => p.unpriced_lines += 1,
        }
        p
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::billing::codes::BillingCode;

    #[test]
    fn published_amounts_equal_rvus_times_the_conversion_factor() {
        let s = CY2025_NATIONAL_NON_FACILITY;
        for f in s.fees {
            let Some(amount) = f.amount_cents else {
                continue;
            };
            let rvu = u64::from(f.work_rvu + f.practice_expense_rvu + f.malpractice_rvu);
            // hundredths of an RVU × ten-thousandths of a dollar = millionths; round to cents.
            let cents = (rvu * u64::from(s.conversion_factor) + 5_000) / 10_000;
            assert_eq!(cents, u64::from(amount), "{}", f.code);
        }
    }

    #[test]
    fn payment_sums_units_and_reports_unpriced_lines() {
        let lines = [
            ClaimLine {
                code: BillingCode::C99492,
                units: 1,
            },
            ClaimLine {
                code: BillingCode::C99494,
                units: 2,
            },
        ];
        let p = expected_payment(&lines, &CY2025_NATIONAL_NON_FACILITY);
        assert_eq!(p.cents, 14_524 + 2 * 5_596);
        assert_eq!(p.unpriced_lines, 0);
        let add_on = [ClaimLine {
            code: BillingCode::G0568,
            units: 1,
        }];
        let p = expected_payment(&add_on, &CY2025_NATIONAL_NON_FACILITY);
        assert_eq!((p.cents, p.unpriced_lines), (0, 1));
    }
}
