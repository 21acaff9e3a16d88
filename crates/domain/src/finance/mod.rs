//! The financial view: expected monthly revenue from the billing engine's results and a fee
//! schedule, per program and per practitioner; the payer mix; the program's monthly cost from
//! the team roster; the break-even caseload; and a what-if of caseload × minutes per patient.
//! Money is in integer cents; every division rounds half up, once, at the end.
//!
//! Fees come from the practice's editable fee table ([`FeeTable`], by default the national
//! Medicare approximation of reference cocm-billing-registry.md §6, before coinsurance and
//! deductible) and codes from the billing engine itself, never from a copy of its rules. Other payers are modelled as a percentage of
//! the schedule, an editable assumption (the AIMS financial workbook models payer mix and staff
//! cost the same way, competitors.md §1.1 [A10]).

pub mod settings;
pub mod view;

pub use settings::{FinanceSettings, WhatIfDefaults, WhatIfQuery};
pub use view::{FinancialView, financial_csv, financial_view, parse_range};

use crate::billing::codes::CareSetting;
use crate::billing::thresholds::MonthType;
use crate::billing::{
    Activity, ActivityRole, ClaimLine, ConsentPeriod, FeeTable, History, HistoryParts,
    MonthBilling, RuleSettings, bill_month,
};
use crate::calendar::YearMonth;
use crate::codes::code_enum;
use crate::contact::Minutes;
use crate::episode::Program;
use crate::ids::{PatientId, UserId};
use crate::patient::PayerKind;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// `num / den` rounded half up (`den > 0`).
fn div_round(num: u128, den: u128) -> u64 {
    u64::try_from((num + den / 2) / den).unwrap_or(u64::MAX)
}

/// What each payer pays, in percent of the fee schedule (editable; default 100 for every payer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct PayerRates {
    pub percent: BTreeMap<PayerKind, u16>,
    /// For patients whose payer is not recorded.
    pub unknown_percent: u16,
}

impl Default for PayerRates {
    fn default() -> Self {
        PayerRates {
            percent: BTreeMap::new(),
            unknown_percent: 100,
        }
    }
}

impl PayerRates {
    pub fn percent_for(&self, payer: Option<PayerKind>) -> u16 {
        match payer {
            Some(p) => self.percent.get(&p).copied().unwrap_or(100),
            None => self.unknown_percent,
        }
    }
}

/// One patient-month from the billing engine, with what the financial view groups by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BilledMonth {
    pub patient: PatientId,
    /// The billing (treating) practitioner.
    pub practitioner: Option<UserId>,
    pub payer: Option<PayerKind>,
    pub billing: MonthBilling,
}

/// Sums over a group of patient-months.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RevenueTotals {
    /// Patient-months with care-management activity.
    pub patient_months: u32,
    /// Of those, with claim lines.
    pub billed_months: u32,
    /// Of those, held (no consent, no initiating visit): nothing is billed.
    pub held_months: u32,
    /// Expected payment of the claim lines at the payers' rates.
    pub expected_cents: u64,
    /// What the held months' minutes would pay once the hold is resolved (revenue at risk).
    pub held_cents: u64,
    /// Lines whose code the fee schedule does not price (not in the amounts).
    pub unpriced_lines: u32,
}

impl RevenueTotals {
    /// Add another group's sums (months of a range).
    pub fn add_totals(&mut self, o: &RevenueTotals) {
        self.patient_months += o.patient_months;
        self.billed_months += o.billed_months;
        self.held_months += o.held_months;
        self.expected_cents += o.expected_cents;
        self.held_cents += o.held_cents;
        self.unpriced_lines += o.unpriced_lines;
    }

    fn add(&mut self, m: &MonthLine) {
        self.patient_months += 1;
        self.billed_months += u32::from(m.billed);
        self.held_months += u32::from(m.held);
        self.expected_cents += m.expected_cents;
        self.held_cents += m.held_cents;
        self.unpriced_lines += m.unpriced_lines;
    }
}

/// A month's expected revenue, in total, per program and per practitioner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MonthRevenue {
    /// `YYYY-MM`
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub month: YearMonth,
    pub total: RevenueTotals,
    pub by_program: Vec<(Program, RevenueTotals)>,
    /// `None`: no billing practitioner recorded.
    pub by_practitioner: Vec<(Option<UserId>, RevenueTotals)>,
}

struct MonthLine {
    billed: bool,
    held: bool,
    expected_cents: u64,
    held_cents: u64,
    unpriced_lines: u32,
}

fn at_rate(cents: u64, percent: u16) -> u64 {
    div_round(u128::from(cents) * u128::from(percent), 100)
}

fn month_line(m: &BilledMonth, fees: &FeeTable, rates: &PayerRates) -> MonthLine {
    let rate = rates.percent_for(m.payer);
    let billed = fees.payment(&m.billing.lines);
    let held = !m.billing.holds.is_empty();
    let at_risk = if held {
        fees.payment(&m.billing.detail.supported)
    } else {
        Default::default()
    };
    MonthLine {
        billed: !m.billing.lines.is_empty(),
        held,
        expected_cents: at_rate(billed.cents, rate),
        held_cents: at_rate(at_risk.cents, rate),
        unpriced_lines: billed.unpriced_lines,
    }
}

/// Expected revenue per calendar month (oldest first) of the patient-months given. Months
/// without care-management activity (no program) are left out.
pub fn monthly_revenue(
    months: &[BilledMonth],
    fees: &FeeTable,
    rates: &PayerRates,
) -> Vec<MonthRevenue> {
    let mut by_month: BTreeMap<YearMonth, MonthRevenue> = BTreeMap::new();
    for m in months {
        let Some(program) = m.billing.program else {
            continue;
        };
        let line = month_line(m, fees, rates);
        let entry = by_month
            .entry(m.billing.month)
            .or_insert_with(|| MonthRevenue {
                month: m.billing.month,
                total: RevenueTotals::default(),
                by_program: Vec::new(),
                by_practitioner: Vec::new(),
            });
        entry.total.add(&line);
        group(&mut entry.by_program, program).add(&line);
        group(&mut entry.by_practitioner, m.practitioner).add(&line);
    }
    let mut out: Vec<MonthRevenue> = by_month.into_values().collect();
    for m in &mut out {
        m.by_program.sort_by_key(|(k, _)| *k);
        m.by_practitioner.sort_by_key(|(k, _)| *k);
    }
    out
}

pub(crate) fn group<K: PartialEq>(
    groups: &mut Vec<(K, RevenueTotals)>,
    key: K,
) -> &mut RevenueTotals {
    let i = match groups.iter().position(|(k, _)| *k == key) {
        Some(i) => i,
        None => {
            groups.push((key, RevenueTotals::default()));
            groups.len() - 1
        }
    };
    &mut groups[i].1
}

/// One payer's share.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PayerShare {
    /// `None`: payer not recorded.
    pub payer: Option<PayerKind>,
    /// Distinct patients with care-management activity.
    pub patients: u32,
    pub patient_percent: Option<f64>,
    pub expected_cents: u64,
    pub revenue_percent: Option<f64>,
}

/// The payer mix of the patient-months given: distinct patients and expected revenue per payer.
pub fn payer_mix(months: &[BilledMonth], fees: &FeeTable, rates: &PayerRates) -> Vec<PayerShare> {
    let mut patients: BTreeMap<Option<PayerKind>, BTreeSet<PatientId>> = BTreeMap::new();
    let mut cents: BTreeMap<Option<PayerKind>, u64> = BTreeMap::new();
    for m in months.iter().filter(|m| m.billing.program.is_some()) {
        patients.entry(m.payer).or_default().insert(m.patient);
        *cents.entry(m.payer).or_default() += month_line(m, fees, rates).expected_cents;
    }
    let total_patients: usize = patients.values().map(BTreeSet::len).sum();
    let total_cents: u64 = cents.values().sum();
    let share = |part: f64, whole: f64| (whole > 0.0).then(|| part * 100.0 / whole);
    patients
        .into_iter()
        .map(|(payer, set)| {
            let expected_cents = cents.get(&payer).copied().unwrap_or(0);
            PayerShare {
                payer,
                patients: set.len() as u32,
                patient_percent: share(set.len() as f64, total_patients as f64),
                expected_cents,
                revenue_percent: share(expected_cents as f64, total_cents as f64),
            }
        })
        .collect()
}

code_enum! {
    /// A team member's role in the program's cost.
    pub enum StaffRole ("staff role") {
        CareManager = "care_manager",
        PsychiatricConsultant = "psychiatric_consultant",
        Other = "other",
    }
}

/// How a team member is paid (editable inputs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "basis", rename_all = "snake_case")]
pub enum Pay {
    /// Annual salary at full time, the share of time in the program, and benefits on top.
    Salaried {
        annual_salary_cents: u64,
        fte_percent: u16,
        benefits_percent: u16,
    },
    /// An hourly rate (a contracted consultant) and hours per month.
    Hourly {
        hourly_rate_cents: u64,
        hours_per_month: u16,
    },
}

impl Pay {
    /// Monthly cost: salary × FTE × (1 + benefits) ÷ 12, or rate × hours.
    pub fn monthly_cents(self) -> u64 {
        match self {
            Pay::Salaried {
                annual_salary_cents,
                fte_percent,
                benefits_percent,
            } => div_round(
                u128::from(annual_salary_cents)
                    * u128::from(fte_percent)
                    * (100 + u128::from(benefits_percent)),
                100 * 100 * 12,
            ),
            Pay::Hourly {
                hourly_rate_cents,
                hours_per_month,
            } => hourly_rate_cents.saturating_mul(u64::from(hours_per_month)),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TeamMember {
    pub name: String,
    pub role: StaffRole,
    pub pay: Pay,
}

/// The program's team and other monthly costs (registry, space, supervision).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct TeamRoster {
    pub members: Vec<TeamMember>,
    pub other_monthly_cents: u64,
}

/// The program's monthly cost.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgramCost {
    pub care_manager_cents: u64,
    pub consultant_cents: u64,
    pub other_staff_cents: u64,
    pub other_cents: u64,
    pub total_cents: u64,
    /// Care-manager FTE in percent (salaried care managers).
    pub care_manager_fte_percent: u32,
}

pub fn program_cost(roster: &TeamRoster) -> ProgramCost {
    let mut c = ProgramCost {
        other_cents: roster.other_monthly_cents,
        ..Default::default()
    };
    for m in &roster.members {
        let cents = m.pay.monthly_cents();
        match m.role {
            StaffRole::CareManager => {
                c.care_manager_cents += cents;
                if let Pay::Salaried { fte_percent, .. } = m.pay {
                    c.care_manager_fte_percent += u32::from(fte_percent);
                }
            }
            StaffRole::PsychiatricConsultant => c.consultant_cents += cents,
            StaffRole::Other => c.other_staff_cents += cents,
        }
    }
    c.total_cents = c.care_manager_cents + c.consultant_cents + c.other_staff_cents + c.other_cents;
    c
}

/// A what-if's assumptions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WhatIfInput {
    pub program: Program,
    /// Patients enrolled at any time (steady state).
    pub caseload: u32,
    /// Countable care-management minutes per patient per month.
    pub minutes_per_patient_month: u32,
    /// Average months a patient stays (CoCM: a typical episode lasts 4–6 months, reference
    /// cocm-billing-registry.md §9.6 [S56]); each month 1/`episode_months` of the caseload
    /// is in its initial month. At least 1.
    pub episode_months: u8,
    pub setting: CareSetting,
    /// The month whose codes and dates apply (`YYYY-MM`).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub month: YearMonth,
    /// The blended payer rate, in percent of the fee schedule.
    pub rate_percent: u16,
}

/// What one patient-month bills in a month type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PatientMonthCodes {
    /// `initial` or `subsequent`; `None` for general BHI, which has no initial or subsequent
    /// month.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub month_type: Option<MonthType>,
    /// `{"code": "99492", "units": 1}` per line.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub lines: Vec<ClaimLine>,
    /// At the blended rate.
    pub cents: u64,
    pub unpriced_lines: u32,
}

/// A what-if's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WhatIf {
    /// CoCM only.
    pub initial: Option<PatientMonthCodes>,
    pub subsequent: PatientMonthCodes,
    pub monthly_revenue_cents: u64,
    pub monthly_cost_cents: u64,
    /// Revenue − cost.
    pub margin_cents: i64,
    /// The smallest caseload whose revenue covers the cost; `None` when a patient-month earns
    /// nothing.
    pub break_even_caseload: Option<u32>,
    /// Care-manager minutes the caseload needs per month.
    pub care_manager_minutes: u64,
}

/// The billing engine's lines for one synthetic patient with consent, an initiating visit and
/// `minutes` of care-manager time in `month` (and in the month before, for a subsequent month).
fn patient_month(input: &WhatIfInput, rules: &RuleSettings, subsequent: bool) -> MonthBilling {
    let month = input.month;
    let earliest = month.prev();
    let mut activities = Vec::new();
    let months: &[YearMonth] = if subsequent {
        &[earliest, month]
    } else {
        &[month]
    };
    for m in months {
        let mut left = input.minutes_per_patient_month;
        let mut day = m.first_day();
        while left > 0 {
            let chunk = left.min(u32::from(Minutes::MAX));
            if let Some(minutes) = Minutes::new(chunk as u16) {
                activities.push(Activity {
                    date: day,
                    minutes,
                    role: ActivityRole::CareManager,
                    program: input.program,
                    excluded: None,
                });
            }
            left -= chunk;
            day = day.next_day().filter(|d| m.contains(*d)).unwrap_or(day);
        }
    }
    let history = History::new(HistoryParts {
        setting: input.setting,
        initiating_visits: vec![earliest.first_day()],
        consents: vec![ConsentPeriod {
            program: input.program,
            date: earliest.first_day(),
            revoked: None,
        }],
        activities,
        ..Default::default()
    });
    bill_month(&history, month, rules)
}

fn codes(b: &MonthBilling, fees: &FeeTable, rate: u16) -> PatientMonthCodes {
    let p = fees.payment(&b.lines);
    PatientMonthCodes {
        month_type: b.month_type,
        lines: b.lines.to_vec(),
        cents: at_rate(p.cents, rate),
        unpriced_lines: p.unpriced_lines,
    }
}

/// Revenue of `caseload` patients: `caseload × (initial + (E − 1) × subsequent) ÷ E`.
fn revenue(caseload: u32, initial: u64, subsequent: u64, episode_months: u8) -> u64 {
    let e = u128::from(episode_months.max(1));
    let per_episode = u128::from(initial) + (e - 1) * u128::from(subsequent);
    div_round(u128::from(caseload) * per_episode, e)
}

/// Caseload × minutes → the engine's codes per patient-month → revenue against the roster's
/// cost, and the break-even caseload.
pub fn what_if(
    input: &WhatIfInput,
    roster: &TeamRoster,
    fees: &FeeTable,
    rules: &RuleSettings,
) -> WhatIf {
    let rate = input.rate_percent;
    let subsequent = codes(&patient_month(input, rules, true), fees, rate);
    let initial = (input.program == Program::Cocm)
        .then(|| codes(&patient_month(input, rules, false), fees, rate));
    let first = initial.as_ref().map_or(subsequent.cents, |i| i.cents);
    let e = if initial.is_some() {
        input.episode_months
    } else {
        1
    };
    let revenue_of = |n: u32| revenue(n, first, subsequent.cents, e);
    let cost = program_cost(roster).total_cents;
    let monthly_revenue_cents = revenue_of(input.caseload);
    // Revenue grows with the caseload: the first caseload that covers the cost, by bisection.
    let break_even_caseload = (revenue_of(u32::MAX) >= cost).then(|| {
        let (mut lo, mut hi) = (0u32, u32::MAX);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if revenue_of(mid) >= cost {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        lo
    });
    WhatIf {
        initial,
        subsequent,
        monthly_revenue_cents,
        monthly_cost_cents: cost,
        margin_cents: i64::try_from(monthly_revenue_cents).unwrap_or(i64::MAX)
            - i64::try_from(cost).unwrap_or(i64::MAX),
        break_even_caseload,
        care_manager_minutes: u64::from(input.caseload)
            * u64::from(input.minutes_per_patient_month),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::billing::HistoryParts;
    use crate::billing::codes::BillingCode;
    use time::Date;
    use uuid::Uuid;

    /// The default fee table: the CY2025 national amounts of reference §6.
    fn fees() -> FeeTable {
        FeeTable::default()
    }

    fn ym(s: &str) -> YearMonth {
        s.parse().unwrap()
    }

    fn user(n: u128) -> UserId {
        UserId(Uuid::from_u128(n))
    }

    /// The engine's result for January 2026 of a patient with `minutes` in each given month.
    fn billed(
        n: u128,
        program: Program,
        months: &[&str],
        minutes: u16,
        visit: bool,
        practitioner: u128,
        payer: PayerKind,
    ) -> BilledMonth {
        let first: Date = ym(months[0]).first_day();
        let history = History::new(HistoryParts {
            initiating_visits: if visit { vec![first] } else { Vec::new() },
            consents: vec![ConsentPeriod {
                program,
                date: first,
                revoked: None,
            }],
            activities: months
                .iter()
                .map(|m| Activity {
                    date: ym(m).first_day(),
                    minutes: Minutes::new(minutes).unwrap(),
                    role: ActivityRole::CareManager,
                    program,
                    excluded: None,
                })
                .collect(),
            ..Default::default()
        });
        BilledMonth {
            patient: PatientId(Uuid::from_u128(n)),
            practitioner: Some(user(practitioner)),
            payer: Some(payer),
            billing: bill_month(&history, ym("2026-01"), &RuleSettings::default()),
        }
    }

    fn practice() -> Vec<BilledMonth> {
        vec![
            // 90 minutes in an initial month: 99492 + one 99494 = 145.24 + 55.96.
            billed(
                1,
                Program::Cocm,
                &["2026-01"],
                90,
                true,
                1,
                PayerKind::Medicare,
            ),
            // 40 minutes in a subsequent month: 99493 = 133.59, paid at 80 % → 106.872 → 106.87.
            billed(
                2,
                Program::Cocm,
                &["2025-12", "2026-01"],
                40,
                true,
                1,
                PayerKind::Medicaid,
            ),
            // General BHI, 25 minutes: 99484 = 53.05.
            billed(
                3,
                Program::GeneralBhi,
                &["2026-01"],
                25,
                true,
                2,
                PayerKind::Commercial,
            ),
            // No initiating visit: 99492 (145.24) is held.
            billed(
                4,
                Program::Cocm,
                &["2026-01"],
                40,
                false,
                2,
                PayerKind::Medicare,
            ),
        ]
    }

    fn rates() -> PayerRates {
        PayerRates {
            percent: [(PayerKind::Medicaid, 80)].into_iter().collect(),
            unknown_percent: 100,
        }
    }

    #[test]
    fn monthly_revenue_per_program_and_practitioner() {
        let months = practice();
        assert_eq!(months[0].billing.lines.units_of(BillingCode::C99494), 1);
        let r = monthly_revenue(&months, &fees(), &rates());
        assert_eq!(r.len(), 1);
        let jan = &r[0];
        assert_eq!(jan.month, ym("2026-01"));
        assert_eq!(
            jan.total,
            RevenueTotals {
                patient_months: 4,
                billed_months: 3,
                held_months: 1,
                expected_cents: 20_120 + 10_687 + 5_305,
                held_cents: 14_524,
                unpriced_lines: 0,
            }
        );
        assert_eq!(jan.by_program[0].0, Program::Cocm);
        assert_eq!(jan.by_program[0].1.expected_cents, 20_120 + 10_687);
        assert_eq!(jan.by_program[1].1.expected_cents, 5_305);
        assert_eq!(jan.by_practitioner[0].0, Some(user(1)));
        assert_eq!(jan.by_practitioner[0].1.expected_cents, 30_807);
        assert_eq!(
            (
                jan.by_practitioner[1].1.expected_cents,
                jan.by_practitioner[1].1.held_cents
            ),
            (5_305, 14_524)
        );
        assert!(monthly_revenue(&[], &fees(), &rates()).is_empty());
    }

    #[test]
    fn payer_mix_by_patients_and_revenue() {
        let mut months = practice();
        // A second month of patient 1 counts the patient once.
        months.push(billed(
            1,
            Program::Cocm,
            &["2026-01"],
            90,
            true,
            1,
            PayerKind::Medicare,
        ));
        let mix = payer_mix(&months, &fees(), &rates());
        let medicare = mix
            .iter()
            .find(|s| s.payer == Some(PayerKind::Medicare))
            .unwrap();
        assert_eq!((medicare.patients, medicare.expected_cents), (2, 40_240));
        assert_eq!(medicare.patient_percent, Some(50.0));
        let total = 40_240 + 10_687 + 5_305;
        let medicaid = mix
            .iter()
            .find(|s| s.payer == Some(PayerKind::Medicaid))
            .unwrap();
        assert_eq!(
            medicaid.revenue_percent,
            Some(10_687.0 * 100.0 / total as f64)
        );
        assert_eq!(mix.len(), 3);
        assert!(payer_mix(&[], &fees(), &rates()).is_empty());
    }

    fn roster() -> TeamRoster {
        TeamRoster {
            members: vec![
                TeamMember {
                    name: "Care manager".into(),
                    role: StaffRole::CareManager,
                    // $70,000 a year, full time, 25 % benefits: 70,000 × 1.25 ÷ 12 = $7,291.67.
                    pay: Pay::Salaried {
                        annual_salary_cents: 7_000_000,
                        fte_percent: 100,
                        benefits_percent: 25,
                    },
                },
                TeamMember {
                    name: "Consulting psychiatrist".into(),
                    role: StaffRole::PsychiatricConsultant,
                    // $200 an hour, 16 hours a month: $3,200.
                    pay: Pay::Hourly {
                        hourly_rate_cents: 20_000,
                        hours_per_month: 16,
                    },
                },
            ],
            other_monthly_cents: 50_000,
        }
    }

    #[test]
    fn program_cost_from_the_roster() {
        let c = program_cost(&roster());
        assert_eq!(c.care_manager_cents, 729_167);
        assert_eq!(c.consultant_cents, 320_000);
        assert_eq!(c.total_cents, 729_167 + 320_000 + 50_000);
        assert_eq!(c.care_manager_fte_percent, 100);
        // Half time, no benefits: 60,000 × 0.5 ÷ 12 = 2,500.00.
        let half = Pay::Salaried {
            annual_salary_cents: 6_000_000,
            fte_percent: 50,
            benefits_percent: 0,
        };
        assert_eq!(half.monthly_cents(), 250_000);
    }

    fn input(caseload: u32, minutes: u32) -> WhatIfInput {
        WhatIfInput {
            program: Program::Cocm,
            caseload,
            minutes_per_patient_month: minutes,
            episode_months: 6,
            setting: CareSetting::PhysicianOffice,
            month: ym("2026-01"),
            rate_percent: 100,
        }
    }

    #[test]
    fn what_if_cocm_45_minutes_for_60_patients() {
        let w = what_if(&input(60, 45), &roster(), &fees(), &RuleSettings::default());
        let initial = w.initial.as_ref().unwrap();
        assert_eq!(initial.month_type, Some(MonthType::Initial));
        assert_eq!(
            initial.lines,
            [ClaimLine {
                code: BillingCode::C99492,
                units: 1
            }]
        );
        assert_eq!(initial.cents, 14_524);
        assert_eq!(w.subsequent.month_type, Some(MonthType::Subsequent));
        assert_eq!(w.subsequent.cents, 13_359);
        // 60 × (145.24 + 5 × 133.59) ÷ 6 = 60 × 813.19 ÷ 6 = 8,131.90.
        assert_eq!(w.monthly_revenue_cents, 813_190);
        assert_eq!(w.monthly_cost_cents, 1_099_167);
        assert_eq!(w.margin_cents, 813_190 - 1_099_167);
        // 81 patients: 81 × 813.19 ÷ 6 = 10,978.07 < 10,991.67; 82: 11,113.60.
        assert_eq!(w.break_even_caseload, Some(82));
        assert_eq!(w.care_manager_minutes, 2_700);
    }

    #[test]
    fn what_if_follows_the_engine_thresholds_and_rates() {
        let rules = RuleSettings::default();
        // 90 minutes: 99492 + 99494 (from 86) initial; 99493 + 99494 (from 76) subsequent.
        let w = what_if(&input(6, 90), &roster(), &fees(), &rules);
        assert_eq!(w.initial.as_ref().unwrap().cents, 20_120);
        assert_eq!(w.subsequent.cents, 18_955);
        assert_eq!(w.monthly_revenue_cents, 20_120 + 5 * 18_955);
        // 20 minutes: G2214 in both months.
        let low = what_if(&input(6, 20), &roster(), &fees(), &rules);
        assert_eq!(
            low.subsequent.lines,
            [ClaimLine {
                code: BillingCode::G2214,
                units: 1
            }]
        );
        assert_eq!(low.monthly_revenue_cents, 6 * 5_434);
        // 10 minutes bill nothing: no break-even.
        let none = what_if(&input(60, 10), &roster(), &fees(), &rules);
        assert_eq!(
            (none.monthly_revenue_cents, none.break_even_caseload),
            (0, None)
        );
        // A blended payer rate of 80 %, applied to each claim: 116.19 and 106.87, so
        // 60 × (116.19 + 5 × 106.87) ÷ 6 = 6,505.40 (not 80 % of 8,131.90 = 6,505.52).
        let mut at80 = input(60, 45);
        at80.rate_percent = 80;
        assert_eq!(
            what_if(&at80, &roster(), &fees(), &rules).monthly_revenue_cents,
            650_540
        );
        // General BHI: 99484 every month, no initial month.
        let bhi = WhatIfInput {
            program: Program::GeneralBhi,
            ..input(10, 25)
        };
        let b = what_if(&bhi, &TeamRoster::default(), &fees(), &rules);
        assert!(b.initial.is_none());
        assert_eq!(
            b.subsequent.lines,
            [ClaimLine {
                code: BillingCode::C99484,
                units: 1
            }]
        );
        assert_eq!(b.monthly_revenue_cents, 53_050);
        assert_eq!(b.break_even_caseload, Some(0), "no cost to cover");
        // More than one activity's worth of minutes is spread over several days.
        let long = what_if(&input(1, 700), &roster(), &fees(), &rules);
        assert_eq!(long.subsequent.lines.len(), 2);
    }

    proptest::proptest! {
        /// The break-even caseload is the first whose margin is not negative: one patient
        /// fewer loses money (the what-if's revenue grows with the caseload).
        #[test]
        fn break_even_is_the_first_caseload_that_covers_the_cost(
            minutes in 0u32..200,
            salary in 0u64..20_000_000,
            cocm in proptest::bool::ANY,
        ) {
            let mut roster = roster();
            roster.members[0].pay = Pay::Salaried {
                annual_salary_cents: salary,
                fte_percent: 100,
                benefits_percent: 0,
            };
            let base = WhatIfInput {
                program: if cocm { Program::Cocm } else { Program::GeneralBhi },
                ..input(0, minutes)
            };
            let rules = RuleSettings::default();
            let w = what_if(&base, &roster, &fees(), &rules);
            match w.break_even_caseload {
                Some(b) => {
                    let at = what_if(&WhatIfInput { caseload: b, ..base }, &roster, &fees(), &rules);
                    proptest::prop_assert!(at.margin_cents >= 0);
                    if b > 0 {
                        let below =
                            what_if(&WhatIfInput { caseload: b - 1, ..base }, &roster, &fees(), &rules);
                        proptest::prop_assert!(below.margin_cents < 0);
                    }
                }
                None => proptest::prop_assert_eq!(w.subsequent.cents, 0),
            }
        }
    }
}
