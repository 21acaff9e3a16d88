//! `stepwise score INSTRUMENT ANSWER... [--sex female|male] [--json]`, without the I/O:
//! parse the arguments, score, and build the report the binary prints as JSON or text.
//!
//! Answers are positions (see the answer encoding in `instruments`): digits, or `-` for an
//! item left blank or skipped. Example: `stepwise score phq9 1 1 2 0 1 0 1 0 1 --json`
//! reports total 7, Mild, and a safety alert on item 9.

use super::cssrs::RiskLevel;
use super::model::Loinc;
use super::scoring::{AnswerError, Criterion, Safety, Score, Subscale};
use super::settings::{ScoringContext, ScoringSettings};
use super::{InstrumentId, score_with};
use crate::patient::Sex;
use serde::Serialize;

pub const USAGE: &str = "stepwise score INSTRUMENT ANSWER... [--sex female|male] [--json]";

/// The parsed arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreArgs {
    pub instrument: InstrumentId,
    pub answers: Vec<Option<u8>>,
    pub sex: Option<Sex>,
    /// `--json` was given: print [`ScoreReport`] as JSON rather than [`ScoreReport::render_text`].
    pub json: bool,
}

/// Parse the arguments after `score`. The instrument is its text code, case and dashes
/// ignored (`PHQ-9` is `phq9`); errors name the argument (`instrument`, `answers[i]`, `--sex`).
pub fn parse_args<S: AsRef<str>>(args: &[S]) -> Result<ScoreArgs, AnswerError> {
    let mut args = args.iter().map(AsRef::as_ref);
    let raw = args.next().ok_or_else(|| {
        AnswerError::new("instrument", format!("missing instrument; usage: {USAGE}"))
    })?;
    let code: String = raw
        .chars()
        .filter(|c| *c != '-')
        .flat_map(char::to_lowercase)
        .collect();
    let instrument = InstrumentId::parse(&code).map_err(|_| {
        AnswerError::new(
            "instrument",
            format!(
                "unknown instrument '{raw}'; allowed: {}",
                InstrumentId::allowed()
            ),
        )
    })?;
    let mut parsed = ScoreArgs {
        instrument,
        answers: Vec::new(),
        sex: None,
        json: false,
    };
    while let Some(arg) = args.next() {
        if arg == "--json" {
            parsed.json = true;
        } else if let Some(rest) = arg.strip_prefix("--sex") {
            let value = match rest.strip_prefix('=') {
                Some(v) => Some(v),
                None if rest.is_empty() => args.next(),
                None => return Err(unknown_option(arg)),
            };
            let sex = value
                .and_then(|v| Sex::parse(v.trim()).ok())
                .ok_or_else(|| {
                    AnswerError::new(
                        "--sex",
                        format!(
                            "must be one of: {}; got {}",
                            Sex::allowed(),
                            value.unwrap_or("nothing")
                        ),
                    )
                })?;
            if parsed.sex.replace(sex).is_some() {
                return Err(AnswerError::new("--sex", "given more than once"));
            }
        } else if arg.starts_with("--") {
            return Err(unknown_option(arg));
        } else {
            let idx = parsed.answers.len();
            let answer = match arg {
                "-" => None,
                digits => Some(digits.parse::<u8>().map_err(|_| {
                    AnswerError::new(
                        format!("answers[{idx}]"),
                        format!(
                            "'{digits}' is not an answer: give the answer's position (0, 1, 2, …) or - for a blank"
                        ),
                    )
                })?),
            };
            parsed.answers.push(answer);
        }
    }
    Ok(parsed)
}

fn unknown_option(arg: &str) -> AnswerError {
    AnswerError::new(
        "arguments",
        format!("unknown option '{arg}'; usage: {USAGE}"),
    )
}

/// Parse, score with the practice's settings, and build the report.
pub fn report<S: AsRef<str>>(
    args: &[S],
    settings: &ScoringSettings,
) -> Result<ScoreReport, AnswerError> {
    let args = parse_args(args)?;
    let ctx = ScoringContext {
        sex: args.sex,
        settings: *settings,
    };
    let score = score_with(args.instrument, &args.answers, &ctx)?;
    Ok(ScoreReport::new(&score, &args.answers, &ctx))
}

/// An item that raised the safety alert, with its answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AlertLine {
    pub item: u8,
    pub form_number: &'static str,
    pub label: &'static str,
    pub answer: &'static str,
    pub points: u8,
}

/// The LOINC codes of one answered item (`None` where the reference gives no code).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemCodes {
    pub item: u8,
    pub form_number: &'static str,
    pub code: Option<Loinc>,
    pub position: u8,
    pub points: u8,
    pub answer: Option<Loinc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoincCodes {
    pub panel: Option<Loinc>,
    /// The result's code: total score, or the C-SSRS risk level.
    pub total: Option<Loinc>,
    /// The coded value of the result where it is an answer (C-SSRS risk level).
    pub result_answer: Option<Loinc>,
    pub items: Vec<ItemCodes>,
}

/// What `stepwise score` prints: with `--json` as JSON, otherwise [`Self::render_text`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScoreReport {
    pub instrument: InstrumentId,
    pub name: &'static str,
    pub complete: bool,
    /// The official total, `null` when incomplete (or for the C-SSRS).
    pub total: Option<u16>,
    pub max_total: Option<u16>,
    pub partial_sum: u16,
    /// Prorated estimate, never official.
    pub estimate: Option<u16>,
    pub band: Option<String>,
    pub positive: Option<bool>,
    /// The cut-off in force for `positive`.
    pub positive_at: Option<u16>,
    pub risk_level: Option<RiskLevel>,
    pub safety: Safety,
    pub alerts: Vec<AlertLine>,
    pub criteria: Vec<Criterion>,
    pub subscales: Vec<Subscale>,
    pub skipped_items: Vec<u8>,
    pub missing_items: Vec<u8>,
    pub notes: Vec<String>,
    pub loinc: LoincCodes,
}

impl ScoreReport {
    /// The report of `score`, computed from `answers` (positions) under `ctx`.
    pub fn new(score: &Score, answers: &[Option<u8>], ctx: &ScoringContext) -> Self {
        let def = score.instrument.definition();
        let given: Vec<(&'static super::Item, u8, &'static super::AnswerOption)> = def
            .items
            .iter()
            .zip(answers)
            .filter(|(item, _)| !score.skipped_items.contains(&item.number))
            .filter_map(|(item, a)| {
                let p = (*a)?;
                Some((item, p, item.options.get(usize::from(p))?))
            })
            .collect();
        let alerts = given
            .iter()
            .filter(|(item, _, _)| score.alert_items.contains(&item.number))
            .map(|(item, _, option)| AlertLine {
                item: item.number,
                form_number: item.form_number,
                label: item.label,
                answer: option.label,
                points: option.points,
            })
            .collect();
        let items = given
            .iter()
            .map(|(item, p, option)| ItemCodes {
                item: item.number,
                form_number: item.form_number,
                code: item.loinc,
                position: *p,
                points: option.points,
                answer: option.loinc.first().copied(),
            })
            .collect();
        let max_total = score.instrument.max_total();
        Self {
            instrument: score.instrument,
            name: def.name,
            complete: score.complete,
            total: score.total,
            max_total: (max_total > 0).then_some(max_total),
            partial_sum: score.partial_sum,
            estimate: score.estimate,
            band: score.band.clone(),
            positive: score.positive,
            positive_at: ctx.settings.positive_at(score.instrument, ctx.sex),
            risk_level: score.risk_level,
            safety: score.safety,
            alerts,
            criteria: score.criteria.clone(),
            subscales: score.subscales.clone(),
            skipped_items: score.skipped_items.clone(),
            missing_items: score.missing_items.clone(),
            notes: score.notes.clone(),
            loinc: LoincCodes {
                panel: def.panel_loinc,
                total: def.total_loinc,
                result_answer: score.risk_level.and_then(RiskLevel::loinc),
                items,
            },
        }
    }

    /// The human-readable report.
    pub fn render_text(&self) -> String {
        let def = self.instrument.definition();
        // Items as printed on the form ("6a"), not their positions.
        let list = |v: &[u8]| {
            v.iter()
                .filter_map(|&n| def.item(n).map(|i| i.form_number))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut lines = vec![format!("{} ({})", def.name, def.full_name)];
        match (self.total, self.max_total) {
            (Some(t), Some(max)) => lines.push(match &self.band {
                Some(band) => format!("Total: {t} of {max} ({band})"),
                None => format!("Total: {t} of {max}"),
            }),
            (None, Some(_)) => lines.push(format!(
                "INCOMPLETE: no official total. Partial sum {} (not a total).",
                self.partial_sum
            )),
            _ => {}
        }
        if !self.missing_items.is_empty() {
            lines.push(format!(
                "Not answered: item(s) {}",
                list(&self.missing_items)
            ));
        }
        if let Some(estimate) = self.estimate {
            lines.push(format!("Estimate (prorated, not official): {estimate}"));
        }
        if !self.skipped_items.is_empty() {
            lines.push(format!(
                "Skipped by the form: item(s) {}",
                list(&self.skipped_items)
            ));
        }
        if let Some(level) = self.risk_level {
            lines.push(format!("Risk level: {}", level.label()));
        }
        if let Some(positive) = self.positive {
            let answer = if positive { "yes" } else { "no" };
            lines.push(match self.positive_at {
                Some(at) => format!("Positive screen: {answer} (cut-off {at})"),
                None => format!("Positive screen: {answer}"),
            });
        }
        for c in &self.subscales {
            let score = c.score.map_or("incomplete".to_owned(), |s| s.to_string());
            lines.push(format!("  {} {}: {score}", c.key, c.label));
        }
        for c in &self.criteria {
            let met = match c.met {
                Some(true) => "met",
                Some(false) => "not met",
                None => "undecided",
            };
            lines.push(format!("  [{met}] {}", c.label));
        }
        match self.safety {
            Safety::Alert => lines.extend(self.alerts.iter().map(|a| {
                format!(
                    "SAFETY ALERT: item {} ({}): {} (points: {})",
                    a.form_number, a.label, a.answer, a.points
                )
            })),
            Safety::Unknown => lines.push(
                "SAFETY UNKNOWN: a safety question is not answered; ask it and record the answer"
                    .into(),
            ),
            Safety::Clear => {}
        }
        lines.extend(self.notes.iter().map(|n| format!("Note: {n}")));
        let codes: Vec<String> = [
            ("panel", self.loinc.panel),
            ("result", self.loinc.total),
            ("value", self.loinc.result_answer),
        ]
        .into_iter()
        .filter_map(|(what, l)| Some(format!("{what} {}", code(l?))))
        .collect();
        if !codes.is_empty() {
            lines.push(format!("LOINC: {}", codes.join(", ")));
        }
        lines.join("\n") + "\n"
    }
}

/// A code as printed: its evidence is shown unless verified.
fn code(l: Loinc) -> String {
    match l.evidence {
        super::Evidence::Verified => l.code.to_owned(),
        super::Evidence::Secondary => format!("{} (secondary source)", l.code),
        super::Evidence::Unverified => format!("{} (unverified)", l.code),
    }
}
