//! The stable JSON evaluation interface (`stepwise billing evaluate`): one patient's history
//! in, one result per month out. The field names and codes are a contract; see
//! `docs/billing.md` for examples.

use super::codes::{BillingCode, CareSetting};
use super::engine::{MonthBilling, evaluate};
use super::input::{
    Activity, ActivityRole, ConsentPeriod, History, HistoryParts, PractitionerKind,
};
use super::settings::RuleSettings;
use super::thresholds::MonthType;
use crate::calendar::YearMonth;
use crate::contact::{Minutes, MinutesExclusion};
use crate::episode::Program;
use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;
use time::Date;

/// Bad input: where (a path such as `activities[2].date`) and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InputError {
    pub path: String,
    pub message: String,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() || self.path == "." {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for InputError {}

/// A `YYYY-MM-DD` date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct IsoDate(Date);

impl<'de> Deserialize<'de> for IsoDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let format = time::macros::format_description!("[year]-[month]-[day]");
        let date = Date::parse(&s, &format).map_err(|_| {
            serde::de::Error::custom(format!("'{s}' is not a date in the form YYYY-MM-DD"))
        })?;
        // The years of a calendar month (`YearMonth`).
        if !(1900..=9999).contains(&date.year()) {
            return Err(serde::de::Error::custom(format!(
                "'{s}' is outside the years 1900 to 9999"
            )));
        }
        Ok(IsoDate(date))
    }
}

/// The input document.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EvaluationInput {
    setting: CareSetting,
    /// Optional; `treating_practitioner` unless a behavioral health clinician bills (G0323).
    #[serde(default)]
    billing_practitioner: PractitionerKind,
    #[serde(default)]
    rules: RuleSettings,
    #[serde(default)]
    initiating_visit: Option<IsoDate>,
    #[serde(default)]
    consents: Vec<ConsentInput>,
    activities: Vec<ActivityInput>,
    #[serde(default)]
    apcm_months: Vec<YearMonth>,
    #[serde(default)]
    months: Option<Vec<YearMonth>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConsentInput {
    program: Program,
    date: IsoDate,
    #[serde(default)]
    revoked: Option<IsoDate>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ActivityInput {
    date: IsoDate,
    minutes: Minutes,
    role: ActivityRole,
    program: Program,
    #[serde(default)]
    excluded: Option<MinutesExclusion>,
}

/// The output document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvaluationOutput {
    pub months: Vec<MonthOutput>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MonthOutput {
    pub month: YearMonth,
    pub program: Option<Program>,
    pub month_type: Option<MonthType>,
    pub countable_minutes: u32,
    pub lines: Vec<LineOutput>,
    pub holds: Vec<HoldOutput>,
    pub explanation: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineOutput {
    pub code: BillingCode,
    pub units: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HoldOutput {
    pub code: &'static str,
    pub explanation: String,
}

impl From<&MonthBilling> for MonthOutput {
    fn from(b: &MonthBilling) -> Self {
        MonthOutput {
            month: b.month,
            program: b.program,
            month_type: b.month_type,
            countable_minutes: b.countable_minutes,
            lines: b
                .lines
                .iter()
                .map(|l| LineOutput {
                    code: l.code,
                    units: l.units,
                })
                .collect(),
            holds: b
                .holds
                .iter()
                .map(|h| HoldOutput {
                    code: h.code(),
                    explanation: h.to_string(),
                })
                .collect(),
            explanation: b.explanation(),
        }
    }
}

fn json_error(e: serde_path_to_error::Error<serde_json::Error>) -> InputError {
    let path = e.path().to_string();
    let inner = e.into_inner();
    let full = inner.to_string();
    // serde_json appends " at line L column C"; the path says where more usefully.
    let suffix = format!(" at line {} column {}", inner.line(), inner.column());
    let message = full.strip_suffix(&suffix).unwrap_or(&full).to_owned();
    InputError { path, message }
}

/// Parse the input document into a history, its rule settings and the months to evaluate.
pub fn parse_input(input: &str) -> Result<(History, RuleSettings, Vec<YearMonth>), InputError> {
    let de = &mut serde_json::Deserializer::from_str(input);
    let doc: EvaluationInput = serde_path_to_error::deserialize(&mut *de).map_err(json_error)?;
    de.end().map_err(|e| InputError {
        path: String::new(),
        message: format!("unexpected text after the JSON document: {e}"),
    })?;
    for (i, c) in doc.consents.iter().enumerate() {
        if let Some(r) = c.revoked
            && r.0 < c.date.0
        {
            return Err(InputError {
                path: format!("consents[{i}].revoked"),
                message: format!("{} is before the consent date {}", r.0, c.date.0),
            });
        }
    }
    let history = History::new(HistoryParts {
        setting: doc.setting,
        billing_practitioner: doc.billing_practitioner,
        initiating_visits: doc.initiating_visit.map(|d| d.0).into_iter().collect(),
        consents: doc
            .consents
            .iter()
            .map(|c| ConsentPeriod {
                program: c.program,
                date: c.date.0,
                revoked: c.revoked.map(|r| r.0),
            })
            .collect(),
        activities: doc
            .activities
            .iter()
            .map(|a| Activity {
                date: a.date.0,
                minutes: a.minutes,
                role: a.role,
                program: a.program,
                excluded: a.excluded,
            })
            .collect(),
        apcm_months: doc.apcm_months,
    });
    let months = doc.months.unwrap_or_else(|| history.activity_months());
    Ok((history, doc.rules, months))
}

/// Evaluate an input document; the result serializes to the output document.
pub fn evaluate_input(input: &str) -> Result<EvaluationOutput, InputError> {
    let (history, rules, months) = parse_input(input)?;
    Ok(EvaluationOutput {
        months: evaluate(&history, &months, &rules)
            .iter()
            .map(MonthOutput::from)
            .collect(),
    })
}

/// Evaluate an input document and write the output document as pretty-printed JSON.
pub fn evaluate_json(input: &str) -> Result<String, InputError> {
    let output = evaluate_input(input)?;
    serde_json::to_string_pretty(&output).map_err(|e| InputError {
        path: String::new(),
        message: format!("could not write the result: {e}"),
    })
}
