//! The financial view of a range of months: revenue per month (per program and practitioner),
//! the payer mix, the program's cost, the margin, and a what-if whose defaults are what the
//! practice's own months show; and the same as CSV.

use super::settings::{FinanceSettings, WhatIfDefaults};
use super::{
    BilledMonth, MonthRevenue, PayerRates, PayerShare, ProgramCost, RevenueTotals, WhatIf,
    WhatIfInput, group, monthly_revenue, payer_mix, program_cost, what_if,
};
use crate::billing::BillingSettings;
use crate::billing::close::csv_cell;
use crate::calendar::YearMonth;
use crate::episode::Program;
use crate::error::ValidationError;
use crate::ids::UserId;
use serde::Serialize;

/// Most months a view may cover.
pub const MAX_MONTHS: u32 = 24;

/// `from` and `to` (`YYYY-MM`, both included): `to` not before `from`, not after the current
/// month, and at most [`MAX_MONTHS`] months.
pub fn parse_range(
    from: &str,
    to: &str,
    today: time::Date,
) -> Result<(YearMonth, YearMonth), ValidationError> {
    let mut e = ValidationError::new();
    let mut month = |field: &str, raw: &str| match raw.trim().parse::<YearMonth>() {
        Ok(m) => Some(m),
        Err(msg) => {
            e.push(field, msg);
            None
        }
    };
    let (from, to) = (month("from", from), month("to", to));
    if let (Some(f), Some(t)) = (from, to) {
        if t < f {
            e.push("to", "must not be before the first month");
        } else if months_between(f, t) > MAX_MONTHS {
            e.push("to", format!("at most {MAX_MONTHS} months at a time"));
        }
        if t > YearMonth::of(today) {
            e.push("to", "must not be after the current month");
        }
    }
    e.clone().into_result()?;
    from.zip(to).ok_or(e)
}

/// Months from `from` to `to`, both included (0 when `to` is before `from`).
pub fn months_between(from: YearMonth, to: YearMonth) -> u32 {
    let n = (to.year() - from.year()) * 12 + i32::from(to.month()) - i32::from(from.month()) + 1;
    u32::try_from(n).unwrap_or(0)
}

/// What the practice's months show, as the what-if's starting point: the average patients
/// billed for care management per month, their average countable minutes, the program most of
/// them are in and the payers' blended rate. `None` without any care-management month.
pub fn observed(months: &[BilledMonth], rates: &PayerRates) -> Option<WhatIfDefaults> {
    let with_program: Vec<&BilledMonth> = months
        .iter()
        .filter(|m| m.billing.program.is_some())
        .collect();
    let n = with_program.len() as u64;
    if n == 0 {
        return None;
    }
    let mut distinct: Vec<YearMonth> = with_program.iter().map(|m| m.billing.month).collect();
    distinct.sort();
    distinct.dedup();
    let per_month = distinct.len() as u64;
    let round = |num: u64, den: u64| (num + den / 2) / den;
    let minutes: u64 = with_program
        .iter()
        .map(|m| u64::from(m.billing.countable_minutes))
        .sum();
    let percent: u64 = with_program
        .iter()
        .map(|m| u64::from(rates.percent_for(m.payer)))
        .sum();
    let cocm = with_program
        .iter()
        .filter(|m| m.billing.program == Some(Program::Cocm))
        .count() as u64;
    let defaults = WhatIfDefaults::default();
    Some(WhatIfDefaults {
        program: if 2 * cocm >= n {
            Program::Cocm
        } else {
            Program::GeneralBhi
        },
        caseload: u32::try_from(round(n, per_month)).unwrap_or(u32::MAX),
        minutes: u32::try_from(round(minutes, n)).unwrap_or(u32::MAX),
        episode_months: defaults.episode_months,
        rate_percent: u16::try_from(round(percent, n)).unwrap_or(u16::MAX),
    })
}

/// The financial view of the months `from`..=`to`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FinancialView {
    /// `YYYY-MM`
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub from: YearMonth,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub to: YearMonth,
    /// The fee table the amounts come from, with its year.
    pub fee_table: String,
    /// Months with care-management activity, oldest first.
    pub months: Vec<MonthRevenue>,
    /// Over the whole range.
    pub total: RevenueTotals,
    /// Over the whole range, per program.
    pub by_program: Vec<(Program, RevenueTotals)>,
    /// Over the whole range, per billing practitioner (`None`: none recorded).
    pub by_practitioner: Vec<(Option<UserId>, RevenueTotals)>,
    /// Expected revenue over the range ÷ its months (months without activity count as 0).
    pub average_monthly_revenue_cents: u64,
    pub payer_mix: Vec<PayerShare>,
    /// Monthly, from the roster.
    pub cost: ProgramCost,
    /// Average monthly revenue − monthly cost.
    pub average_monthly_margin_cents: i64,
    /// What the range's months show (the what-if's defaults); `None` without activity.
    pub observed: Option<WhatIfDefaults>,
    pub what_if_input: WhatIfInput,
    pub what_if: WhatIf,
}

fn signed(cents: u64) -> i64 {
    i64::try_from(cents).unwrap_or(i64::MAX)
}

/// Build the view from the billing engine's patient-months of the range.
pub fn financial_view(
    (from, to): (YearMonth, YearMonth),
    months: &[BilledMonth],
    billing: &BillingSettings,
    finance: &FinanceSettings,
    what_if_input: WhatIfInput,
) -> FinancialView {
    let in_range: Vec<BilledMonth> = months
        .iter()
        .filter(|m| m.billing.month >= from && m.billing.month <= to)
        .cloned()
        .collect();
    let revenue = monthly_revenue(&in_range, &billing.fees, &finance.rates);
    let mut total = RevenueTotals::default();
    let mut by_program: Vec<(Program, RevenueTotals)> = Vec::new();
    let mut by_practitioner: Vec<(Option<UserId>, RevenueTotals)> = Vec::new();
    for m in &revenue {
        total.add_totals(&m.total);
        for (p, t) in &m.by_program {
            group(&mut by_program, *p).add_totals(t);
        }
        for (u, t) in &m.by_practitioner {
            group(&mut by_practitioner, *u).add_totals(t);
        }
    }
    by_program.sort_by_key(|(k, _)| *k);
    by_practitioner.sort_by_key(|(k, _)| *k);
    let span = u64::from(months_between(from, to).max(1));
    let average = (total.expected_cents + span / 2) / span;
    let cost = program_cost(&finance.roster);
    let rules = billing.rules.for_payer(None);
    FinancialView {
        from,
        to,
        fee_table: billing.fees.title(),
        months: revenue,
        total,
        by_program,
        by_practitioner,
        average_monthly_revenue_cents: average,
        payer_mix: payer_mix(&in_range, &billing.fees, &finance.rates),
        cost,
        average_monthly_margin_cents: signed(average) - signed(cost.total_cents),
        observed: observed(&in_range, &finance.rates),
        what_if: what_if(&what_if_input, &finance.roster, &billing.fees, &rules),
        what_if_input,
    }
}

/// Cents as dollars with two decimals: `1234` → `12.34`, `-5` → `-0.05`.
pub fn dollars(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    format!("{sign}{}.{:02}", c / 100, c % 100)
}

/// The CSV columns, in order.
pub const CSV_COLUMNS: [&str; 10] = [
    "section",
    "month",
    "group",
    "patient_months",
    "billed_months",
    "held_months",
    "patients",
    "amount_dollars",
    "held_dollars",
    "percent",
];

/// The view as CSV: one row per month and group (`revenue`), per payer (`payer_mix`), per
/// cost line (`cost`) and per what-if figure (`what_if`). `name` names a practitioner.
pub fn financial_csv(
    view: &FinancialView,
    name: impl Fn(Option<UserId>) -> String,
) -> Result<String, String> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(Vec::new());
    w.write_record(CSV_COLUMNS).map_err(|e| e.to_string())?;
    // Only the group names text a person typed (a practitioner's name); the other cells are
    // numbers the program wrote, and a margin's minus sign must stay a number.
    let mut row = |mut cells: [String; 10]| {
        cells[2] = csv_cell(&cells[2]).into_owned();
        w.write_record(&cells).map_err(|e| e.to_string())
    };
    let totals = |section: &str, month: String, group: String, t: &RevenueTotals| {
        [
            section.to_owned(),
            month,
            group,
            t.patient_months.to_string(),
            t.billed_months.to_string(),
            t.held_months.to_string(),
            String::new(),
            dollars(signed(t.expected_cents)),
            dollars(signed(t.held_cents)),
            String::new(),
        ]
    };
    for m in &view.months {
        let month = m.month.to_string();
        row(totals("revenue", month.clone(), "total".into(), &m.total))?;
        for (p, t) in &m.by_program {
            row(totals(
                "revenue",
                month.clone(),
                format!("program: {}", p.code()),
                t,
            ))?;
        }
        for (u, t) in &m.by_practitioner {
            row(totals(
                "revenue",
                month.clone(),
                format!("practitioner: {}", name(*u)),
                t,
            ))?;
        }
    }
    row(totals(
        "revenue",
        format!("{} to {}", view.from, view.to),
        "total".into(),
        &view.total,
    ))?;
    let pct = |p: Option<f64>| p.map(|v| format!("{v:.1}")).unwrap_or_default();
    for s in &view.payer_mix {
        row([
            "payer_mix".into(),
            String::new(),
            s.payer
                .map_or("not recorded".to_owned(), |p| p.code().to_owned()),
            String::new(),
            String::new(),
            String::new(),
            s.patients.to_string(),
            dollars(signed(s.expected_cents)),
            String::new(),
            pct(s.revenue_percent),
        ])?;
    }
    let money = |section: &str, group: &str, cents: i64| {
        [
            section.to_owned(),
            String::new(),
            group.to_owned(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            dollars(cents),
            String::new(),
            String::new(),
        ]
    };
    let c = &view.cost;
    for (group, cents) in [
        ("care_manager", c.care_manager_cents),
        ("psychiatric_consultant", c.consultant_cents),
        ("other_staff", c.other_staff_cents),
        ("other", c.other_cents),
        ("total", c.total_cents),
    ] {
        row(money("cost", group, signed(cents)))?;
    }
    row(money(
        "margin",
        "average_month",
        view.average_monthly_margin_cents,
    ))?;
    let wi = &view.what_if;
    row(money(
        "what_if",
        "monthly_revenue",
        signed(wi.monthly_revenue_cents),
    ))?;
    row(money(
        "what_if",
        "monthly_cost",
        signed(wi.monthly_cost_cents),
    ))?;
    row(money("what_if", "margin", wi.margin_cents))?;
    let mut be = money("what_if", "break_even_caseload", 0);
    be[6] = wi
        .break_even_caseload
        .map_or("never".to_owned(), |n| n.to_string());
    be[7] = String::new();
    row(be)?;
    let bytes = w.into_inner().map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::billing::codes::CareSetting;
    use crate::billing::{
        Activity, ActivityRole, ConsentPeriod, History, HistoryParts, RuleSettings, bill_month,
    };
    use crate::contact::Minutes;
    use crate::finance::{Pay, StaffRole, TeamMember, TeamRoster};
    use crate::ids::PatientId;
    use crate::patient::PayerKind;
    use time::macros::date;
    use uuid::Uuid;

    fn ym(s: &str) -> YearMonth {
        s.parse().unwrap()
    }

    /// A patient-month of `month` with `minutes` of care-manager time, consent and a visit
    /// from the month before.
    fn month(
        n: u128,
        program: Program,
        month: &str,
        minutes: u16,
        payer: PayerKind,
    ) -> BilledMonth {
        let m = ym(month);
        let start = m.prev().first_day();
        let history = History::new(HistoryParts {
            initiating_visits: vec![start],
            consents: vec![ConsentPeriod {
                program,
                date: start,
                revoked: None,
            }],
            activities: vec![
                Activity {
                    date: start,
                    minutes: Minutes::new(minutes).unwrap(),
                    role: ActivityRole::CareManager,
                    program,
                    excluded: None,
                },
                Activity {
                    date: m.first_day(),
                    minutes: Minutes::new(minutes).unwrap(),
                    role: ActivityRole::CareManager,
                    program,
                    excluded: None,
                },
            ],
            ..Default::default()
        });
        BilledMonth {
            patient: PatientId(Uuid::from_u128(n)),
            practitioner: Some(UserId(Uuid::from_u128(100))),
            payer: Some(payer),
            billing: bill_month(&history, m, &RuleSettings::default()),
        }
    }

    fn settings() -> FinanceSettings {
        FinanceSettings {
            roster: TeamRoster {
                members: vec![TeamMember {
                    name: "Care manager".into(),
                    role: StaffRole::CareManager,
                    // $60,000 at half time, no benefits: $2,500.00 a month.
                    pay: Pay::Salaried {
                        annual_salary_cents: 6_000_000,
                        fte_percent: 50,
                        benefits_percent: 0,
                    },
                }],
                other_monthly_cents: 0,
            },
            rates: PayerRates {
                percent: [(PayerKind::Medicaid, 80)].into_iter().collect(),
                unknown_percent: 100,
            },
        }
    }

    #[test]
    fn ranges_are_checked() {
        let today = date!(2026 - 03 - 15);
        assert_eq!(
            parse_range("2026-01", "2026-03", today),
            Ok((ym("2026-01"), ym("2026-03")))
        );
        let fields = |f: &str, t: &str| -> Vec<String> {
            parse_range(f, t, today)
                .unwrap_err()
                .errors
                .into_iter()
                .map(|e| e.field)
                .collect()
        };
        assert_eq!(fields("2026-13", "x"), ["from", "to"]);
        assert_eq!(fields("2026-02", "2026-01"), ["to"]);
        assert_eq!(fields("2026-01", "2026-04"), ["to"], "after this month");
        assert_eq!(fields("2023-01", "2026-01"), ["to"], "more than 24 months");
        assert_eq!(months_between(ym("2025-11"), ym("2026-02")), 4);
        assert_eq!(months_between(ym("2026-02"), ym("2026-01")), 0);
    }

    #[test]
    fn observed_defaults_average_the_months() {
        let months = [
            // January: two CoCM patients, 40 and 60 minutes; February: one, 50 minutes.
            month(1, Program::Cocm, "2026-01", 40, PayerKind::Medicare),
            month(2, Program::Cocm, "2026-01", 60, PayerKind::Medicaid),
            month(1, Program::Cocm, "2026-02", 50, PayerKind::Medicare),
        ];
        let o = observed(&months, &settings().rates).unwrap();
        // 3 patient-months over 2 months: 1.5 → 2; (40 + 60 + 50) ÷ 3 = 50 minutes;
        // rates (100 + 80 + 100) ÷ 3 = 93.3 → 93 %.
        assert_eq!(
            (o.program, o.caseload, o.minutes, o.rate_percent),
            (Program::Cocm, 2, 50, 93)
        );
        assert_eq!(observed(&[], &settings().rates), None);
        let bhi = [month(
            3,
            Program::GeneralBhi,
            "2026-01",
            30,
            PayerKind::Other,
        )];
        assert_eq!(
            observed(&bhi, &settings().rates).unwrap().program,
            Program::GeneralBhi
        );
    }

    #[test]
    fn the_view_sums_the_range_and_exports_csv() {
        let months = [
            month(1, Program::Cocm, "2026-01", 40, PayerKind::Medicare),
            month(2, Program::Cocm, "2026-01", 40, PayerKind::Medicaid),
            month(1, Program::Cocm, "2026-02", 40, PayerKind::Medicare),
            // Outside the range: left out.
            month(1, Program::Cocm, "2026-04", 40, PayerKind::Medicare),
        ];
        let billing = BillingSettings::default();
        let input = WhatIfInput {
            program: Program::Cocm,
            caseload: 60,
            minutes_per_patient_month: 45,
            episode_months: 6,
            setting: CareSetting::PhysicianOffice,
            month: ym("2026-03"),
            rate_percent: 100,
        };
        let v = financial_view(
            (ym("2026-01"), ym("2026-03")),
            &months,
            &billing,
            &settings(),
            input,
        );
        // 99493 each (133.59), Medicaid at 80 %: 106.87; total 133.59 × 2 + 106.87 = 374.05.
        assert_eq!(v.months.len(), 2);
        assert_eq!(v.total.patient_months, 3);
        assert_eq!(v.total.expected_cents, 37_405);
        assert_eq!(v.by_program, [(Program::Cocm, v.total)]);
        assert_eq!(v.by_practitioner.len(), 1);
        assert_eq!(v.by_practitioner[0].1, v.total);
        // Over three months (March had none): 374.05 ÷ 3 = 124.68.
        assert_eq!(v.average_monthly_revenue_cents, 12_468);
        assert_eq!(v.cost.total_cents, 250_000);
        assert_eq!(v.average_monthly_margin_cents, 12_468 - 250_000);
        assert_eq!(v.payer_mix.len(), 2);
        assert_eq!(v.observed.unwrap().caseload, 2);
        // 60 × (145.24 + 5 × 133.59) ÷ 6 = 8,131.90 against 2,500.00: break-even 19 patients
        // (18 × 813.19 ÷ 6 = 2,439.57; 19: 2,575.10).
        assert_eq!(v.what_if.monthly_revenue_cents, 813_190);
        assert_eq!(v.what_if.break_even_caseload, Some(19));
        assert_eq!(v.fee_table, billing.fees.title());

        let csv = financial_csv(&v, |u| match u {
            Some(_) => "Dr Ames".into(),
            None => "none".into(),
        })
        .unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], CSV_COLUMNS.join(","));
        assert_eq!(lines[1], "revenue,2026-01,total,2,2,0,,240.46,0.00,");
        assert_eq!(
            lines[2],
            "revenue,2026-01,program: cocm,2,2,0,,240.46,0.00,"
        );
        assert_eq!(
            lines[3],
            "revenue,2026-01,practitioner: Dr Ames,2,2,0,,240.46,0.00,"
        );
        assert!(csv.contains("revenue,2026-01 to 2026-03,total,3,3,0,,374.05,0.00,\r\n"));
        assert!(csv.contains("payer_mix,,medicaid,,,,1,106.87,,28.6\r\n"));
        assert!(csv.contains("cost,,total,,,,,2500.00,,\r\n"));
        assert!(csv.contains("margin,,average_month,,,,,-2375.32,,\r\n"));
        assert!(csv.contains("what_if,,break_even_caseload,,,,19,,,\r\n"));
        assert!(csv.ends_with("\r\n"));
    }

    #[test]
    fn dollars_keep_the_sign_and_two_decimals() {
        assert_eq!(dollars(0), "0.00");
        assert_eq!(dollars(5), "0.05");
        assert_eq!(dollars(123_456), "1234.56");
        assert_eq!(dollars(-237_532), "-2375.32");
    }
}
