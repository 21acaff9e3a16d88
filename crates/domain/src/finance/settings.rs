//! What a practice keeps for its financial view: the team roster with each member's cost and
//! what each payer pays (both editable, reference cocm-billing-registry.md §6 and the AIMS
//! financial workbook's inputs, competitors.md §1.1 [A10]); and the what-if's inputs as a
//! person types them.

use super::{Pay, PayerRates, TeamRoster, WhatIfInput};
use crate::billing::codes::CareSetting;
use crate::calendar::YearMonth;
use crate::episode::Program;
use crate::error::ValidationError;
use serde::{Deserialize, Serialize};

/// Most team members on a roster.
pub const MAX_MEMBERS: usize = 50;
/// Longest member name.
pub const MAX_NAME: usize = 100;
/// Most a salary may be, in cents ($1,000,000 a year): more is a typing error.
pub const MAX_SALARY_CENTS: u64 = 100_000_000;
/// Most an hourly rate may be, in cents ($2,000 an hour).
pub const MAX_HOURLY_CENTS: u64 = 200_000;
/// Hours in the longest month (31 × 24).
pub const MAX_HOURS_PER_MONTH: u16 = 744;
/// Most other monthly costs may be, in cents ($1,000,000).
pub const MAX_OTHER_CENTS: u64 = 100_000_000;
/// Most a payer may pay, in percent of the fee table (commercial contracts above Medicare).
pub const MAX_RATE_PERCENT: u16 = 300;
/// Most benefits may add to a salary, in percent.
pub const MAX_BENEFITS_PERCENT: u16 = 100;

/// The practice's financial settings: the roster the program's cost comes from and the
/// payers' rates. Stored per practice as versions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FinanceSettings {
    pub roster: TeamRoster,
    pub rates: PayerRates,
}

impl FinanceSettings {
    /// Check what the types cannot, with one error per field (`roster.members[0].name`).
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut e = ValidationError::new();
        let r = &self.roster;
        if r.members.len() > MAX_MEMBERS {
            e.push(
                "roster.members",
                format!("at most {MAX_MEMBERS} team members"),
            );
        }
        for (i, m) in r.members.iter().enumerate() {
            let f = |name: &str| format!("roster.members[{i}].{name}");
            let name = m.name.trim();
            if name.is_empty() {
                e.push(f("name"), "name the team member or the role");
            } else if name.chars().count() > MAX_NAME {
                e.push(f("name"), format!("at most {MAX_NAME} characters"));
            }
            match m.pay {
                Pay::Salaried {
                    annual_salary_cents,
                    fte_percent,
                    benefits_percent,
                } => {
                    if annual_salary_cents > MAX_SALARY_CENTS {
                        e.push(f("annual_salary_cents"), "at most $1,000,000 a year");
                    }
                    if !(1..=100).contains(&fte_percent) {
                        e.push(
                            f("fte_percent"),
                            "the share of a full-time post in the program, 1 to 100 %",
                        );
                    }
                    if benefits_percent > MAX_BENEFITS_PERCENT {
                        e.push(
                            f("benefits_percent"),
                            format!("at most {MAX_BENEFITS_PERCENT} %"),
                        );
                    }
                }
                Pay::Hourly {
                    hourly_rate_cents,
                    hours_per_month,
                } => {
                    if hourly_rate_cents > MAX_HOURLY_CENTS {
                        e.push(f("hourly_rate_cents"), "at most $2,000 an hour");
                    }
                    if !(1..=MAX_HOURS_PER_MONTH).contains(&hours_per_month) {
                        e.push(
                            f("hours_per_month"),
                            format!("1 to {MAX_HOURS_PER_MONTH} hours a month"),
                        );
                    }
                }
            }
        }
        if r.other_monthly_cents > MAX_OTHER_CENTS {
            e.push("roster.other_monthly_cents", "at most $1,000,000 a month");
        }
        for (payer, pct) in &self.rates.percent {
            if *pct > MAX_RATE_PERCENT {
                e.push(
                    format!("rates.percent.{payer}"),
                    format!("at most {MAX_RATE_PERCENT} % of the fee table"),
                );
            }
        }
        if self.rates.unknown_percent > MAX_RATE_PERCENT {
            e.push(
                "rates.unknown_percent",
                format!("at most {MAX_RATE_PERCENT} % of the fee table"),
            );
        }
        e.into_result()
    }
}

/// Most patients a what-if may have.
pub const MAX_CASELOAD: u32 = 5_000;
/// Most care-management minutes per patient per month a what-if may have (10 hours).
pub const MAX_MINUTES: u32 = 600;
/// Longest average episode, in months.
pub const MAX_EPISODE_MONTHS: u8 = 24;

/// The what-if's inputs as typed (query parameters or form fields); empty or absent takes the
/// default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct WhatIfQuery {
    /// `cocm` or `bhi`.
    pub program: Option<String>,
    /// Patients enrolled at any time.
    pub caseload: Option<String>,
    /// Countable care-management minutes per patient per month.
    pub minutes: Option<String>,
    /// Average months a patient stays (CoCM).
    pub episode_months: Option<String>,
    /// The blended payer rate, in percent of the fee table.
    pub rate_percent: Option<String>,
}

/// What an empty what-if field takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WhatIfDefaults {
    pub program: Program,
    pub caseload: u32,
    pub minutes: u32,
    pub episode_months: u8,
    pub rate_percent: u16,
}

impl Default for WhatIfDefaults {
    /// A CoCM care manager's usual load: 60 patients, 45 minutes each, six-month episodes
    /// (reference cocm-billing-registry.md §9.6 [S56]), paid at the fee table.
    fn default() -> Self {
        WhatIfDefaults {
            program: Program::Cocm,
            caseload: 60,
            minutes: 45,
            episode_months: 6,
            rate_percent: 100,
        }
    }
}

fn number<T: TryFrom<u64>>(
    e: &mut ValidationError,
    field: &str,
    raw: &Option<String>,
    default: T,
    max: u64,
    min: u64,
) -> Option<T> {
    let s = raw.as_deref().map(str::trim).unwrap_or_default();
    if s.is_empty() {
        return Some(default);
    }
    match s.parse::<u64>() {
        Ok(n) if (min..=max).contains(&n) => T::try_from(n).ok(),
        _ => {
            e.push(field, format!("a whole number from {min} to {max}"));
            None
        }
    }
}

impl WhatIfQuery {
    /// The what-if's input for `month` in `setting`, every bad field reported.
    pub fn parse(
        &self,
        defaults: &WhatIfDefaults,
        setting: CareSetting,
        month: YearMonth,
    ) -> Result<WhatIfInput, ValidationError> {
        let mut e = ValidationError::new();
        let program = match self.program.as_deref().map(str::trim) {
            None | Some("") => Some(defaults.program),
            Some(p) => match Program::parse(p) {
                Ok(p) => Some(p),
                Err(_) => {
                    e.push("program", format!("one of {}", Program::allowed()));
                    None
                }
            },
        };
        let caseload = number(
            &mut e,
            "caseload",
            &self.caseload,
            defaults.caseload,
            u64::from(MAX_CASELOAD),
            0,
        );
        let minutes = number(
            &mut e,
            "minutes",
            &self.minutes,
            defaults.minutes,
            u64::from(MAX_MINUTES),
            0,
        );
        let episode_months = number(
            &mut e,
            "episode_months",
            &self.episode_months,
            defaults.episode_months,
            u64::from(MAX_EPISODE_MONTHS),
            1,
        );
        let rate_percent = number(
            &mut e,
            "rate_percent",
            &self.rate_percent,
            defaults.rate_percent,
            u64::from(MAX_RATE_PERCENT),
            0,
        );
        e.clone().into_result()?;
        match (program, caseload, minutes, episode_months, rate_percent) {
            (Some(program), Some(caseload), Some(minutes), Some(episode_months), Some(rate)) => {
                Ok(WhatIfInput {
                    program,
                    caseload,
                    minutes_per_patient_month: minutes,
                    episode_months,
                    setting,
                    month,
                    rate_percent: rate,
                })
            }
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finance::{StaffRole, TeamMember};
    use crate::patient::PayerKind;

    fn member(name: &str, pay: Pay) -> TeamMember {
        TeamMember {
            name: name.into(),
            role: StaffRole::CareManager,
            pay,
        }
    }

    #[test]
    fn settings_name_each_bad_field() {
        let ok = FinanceSettings {
            roster: TeamRoster {
                members: vec![member(
                    "Care manager",
                    Pay::Salaried {
                        annual_salary_cents: 7_000_000,
                        fte_percent: 100,
                        benefits_percent: 25,
                    },
                )],
                other_monthly_cents: 0,
            },
            rates: PayerRates::default(),
        };
        assert_eq!(ok.validate(), Ok(()));
        assert_eq!(FinanceSettings::default().validate(), Ok(()));
        let bad = FinanceSettings {
            roster: TeamRoster {
                members: vec![
                    member(
                        " ",
                        Pay::Salaried {
                            annual_salary_cents: MAX_SALARY_CENTS + 1,
                            fte_percent: 0,
                            benefits_percent: 101,
                        },
                    ),
                    member(
                        &"x".repeat(101),
                        Pay::Hourly {
                            hourly_rate_cents: MAX_HOURLY_CENTS + 1,
                            hours_per_month: 745,
                        },
                    ),
                    member(
                        "Consultant",
                        Pay::Hourly {
                            hourly_rate_cents: 20_000,
                            hours_per_month: 0,
                        },
                    ),
                ],
                other_monthly_cents: MAX_OTHER_CENTS + 1,
            },
            rates: PayerRates {
                percent: [(PayerKind::Medicaid, 301)].into_iter().collect(),
                unknown_percent: 301,
            },
        };
        let fields: Vec<String> = bad
            .validate()
            .unwrap_err()
            .errors
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "roster.members[0].name",
                "roster.members[0].annual_salary_cents",
                "roster.members[0].fte_percent",
                "roster.members[0].benefits_percent",
                "roster.members[1].name",
                "roster.members[1].hourly_rate_cents",
                "roster.members[1].hours_per_month",
                "roster.members[2].hours_per_month",
                "roster.other_monthly_cents",
                "rates.percent.medicaid",
                "rates.unknown_percent",
            ]
        );
    }

    fn jan() -> YearMonth {
        "2026-01".parse().unwrap()
    }

    #[test]
    fn what_if_query_takes_defaults_and_reports_bad_fields() {
        let d = WhatIfDefaults::default();
        let empty = WhatIfQuery::default()
            .parse(&d, CareSetting::PhysicianOffice, jan())
            .unwrap();
        assert_eq!(
            (
                empty.program,
                empty.caseload,
                empty.minutes_per_patient_month,
                empty.episode_months,
                empty.rate_percent,
                empty.month
            ),
            (Program::Cocm, 60, 45, 6, 100, jan())
        );
        let q = WhatIfQuery {
            program: Some("bhi".into()),
            caseload: Some(" 80 ".into()),
            minutes: Some("".into()),
            episode_months: Some("24".into()),
            rate_percent: Some("0".into()),
        };
        let i = q.parse(&d, CareSetting::Rhc, jan()).unwrap();
        assert_eq!(
            (
                i.program,
                i.caseload,
                i.minutes_per_patient_month,
                i.episode_months,
                i.rate_percent,
                i.setting
            ),
            (Program::GeneralBhi, 80, 45, 24, 0, CareSetting::Rhc)
        );
        let bad = WhatIfQuery {
            program: Some("aims".into()),
            caseload: Some("-1".into()),
            minutes: Some("601".into()),
            episode_months: Some("0".into()),
            rate_percent: Some("1.5".into()),
        };
        let fields: Vec<String> = bad
            .parse(&d, CareSetting::PhysicianOffice, jan())
            .unwrap_err()
            .errors
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "program",
                "caseload",
                "minutes",
                "episode_months",
                "rate_percent"
            ]
        );
    }
}
