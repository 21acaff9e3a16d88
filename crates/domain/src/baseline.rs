//! The practice's baseline and its progress against it (reference bhi-planning.md §5.4 [P]):
//! a snapshot of chosen metrics taken before the changes, from the registry or entered by hand
//! (an EHR report or a chart audit), and the series of later values for run charts. Rendering
//! is the web layer's job; this is the data.
//!
//! §5.4 item 4: an outcome metric that could not be measured (PHQ-9s were not repeated) is
//! recorded as **not measured**, never as zero. Item 7: re-measure quarterly and show the trend
//! ("progress over perfection"), not a pass or a fail.

use crate::calendar::YearMonth;
use crate::codes::code_enum;
use crate::error::ValidationError;
use crate::metrics::{Better, MetricCode, MetricResult, MetricUnit, Period};
use serde::{Deserialize, Serialize};
use time::Date;

code_enum! {
    /// Where the baseline's values come from.
    pub enum BaselineSource ("baseline source") {
        /// Computed by Stepwise from the registry's records.
        Registry = "registry",
        /// Entered by hand from an EHR report or a chart audit (§5.4 items 3 and 5).
        Manual = "manual",
    }
}

/// One metric's baseline value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum BaselineMeasure {
    Measured {
        numerator: u32,
        denominator: u32,
        value: f64,
    },
    /// Not measured (or nobody was eligible): recorded explicitly, never as zero.
    NotMeasured,
}

impl BaselineMeasure {
    pub fn value(self) -> Option<f64> {
        match self {
            BaselineMeasure::Measured { value, .. } => Some(value),
            BaselineMeasure::NotMeasured => None,
        }
    }
}

/// A metric and its baseline value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BaselineValue {
    pub code: MetricCode,
    pub measure: BaselineMeasure,
}

/// `Baseline {date, method, metric values, caveats}` of §5.4 item 7.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Baseline {
    pub taken_on: Date,
    /// The measurement window the values describe (§5.4 item 4: e.g. the last 3 or 12 months).
    pub period: Period,
    pub source: BaselineSource,
    /// How the values were obtained (which EHR report, who pulled it, the audit method).
    pub method: Option<String>,
    /// Charts audited per period, for a chart-audit baseline (§5.4 item 5).
    pub sample_size: Option<u32>,
    pub caveats: Option<String>,
    /// One value per metric, in catalogue order.
    pub values: Vec<BaselineValue>,
}

impl Baseline {
    /// A baseline from metrics computed over the registry. Metrics without a value (nobody
    /// eligible) are recorded as not measured.
    pub fn from_registry(taken_on: Date, period: Period, results: &[MetricResult]) -> Self {
        let mut values: Vec<BaselineValue> = results
            .iter()
            .filter(|r| r.period == period)
            .map(|r| BaselineValue {
                code: r.code,
                measure: match r.value {
                    Some(value) => BaselineMeasure::Measured {
                        numerator: r.numerator,
                        denominator: r.denominator,
                        value,
                    },
                    None => BaselineMeasure::NotMeasured,
                },
            })
            .collect();
        values.sort_by_key(|v| v.code);
        values.dedup_by_key(|v| v.code);
        Baseline {
            taken_on,
            period,
            source: BaselineSource::Registry,
            method: None,
            sample_size: None,
            caveats: None,
            values,
        }
    }

    /// The baseline of `code`, if one was recorded.
    pub fn measure(&self, code: MetricCode) -> Option<BaselineMeasure> {
        self.values
            .iter()
            .find(|v| v.code == code)
            .map(|v| v.measure)
    }
}

/// One hand-entered value.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ManualValueInput {
    pub code: String,
    #[serde(default)]
    pub not_measured: bool,
    #[serde(default)]
    pub numerator: Option<i64>,
    #[serde(default)]
    pub denominator: Option<i64>,
    /// Only for a metric in days (time to first contact): the median.
    #[serde(default)]
    pub value: Option<f64>,
}

/// A baseline entered by hand.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ManualBaselineInput {
    /// `YYYY-MM-DD`
    pub taken_on: String,
    pub period_from: String,
    pub period_to: String,
    #[serde(default)]
    pub method: Option<String>,
    /// At most [`MAX_SAMPLE_SIZE`].
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(maximum = 10_000_000))]
    pub sample_size: Option<u32>,
    #[serde(default)]
    pub caveats: Option<String>,
    pub values: Vec<ManualValueInput>,
}

/// More records than a small or medium practice has: a typing error, refused.
pub const MAX_SAMPLE_SIZE: u32 = 10_000_000;

fn count(e: &mut ValidationError, field: String, raw: Option<i64>) -> Option<u32> {
    match raw.map(u32::try_from) {
        Some(Ok(n)) => Some(n),
        Some(Err(_)) => {
            e.push(field, "must be a whole number, 0 or more");
            None
        }
        None => {
            e.push(field, "required");
            None
        }
    }
}

fn parse_value(e: &mut ValidationError, i: usize, v: &ManualValueInput) -> Option<BaselineValue> {
    let f = |name: &str| format!("values[{i}].{name}");
    let Ok(code) = MetricCode::parse(v.code.trim()) else {
        e.push(
            f("code"),
            format!("must be one of: {}", MetricCode::allowed()),
        );
        return None;
    };
    if v.not_measured {
        if v.numerator.is_some() || v.denominator.is_some() || v.value.is_some() {
            e.push(
                f("not_measured"),
                "A value marked not measured has no numbers",
            );
            return None;
        }
        return Some(BaselineValue {
            code,
            measure: BaselineMeasure::NotMeasured,
        });
    }
    let before = e.errors.len();
    let measure = match code.definition().unit {
        MetricUnit::Days => {
            let value = v.value.filter(|x| x.is_finite() && *x >= 0.0);
            if value.is_none() {
                e.push(f("value"), "Enter the median number of days (0 or more)");
            }
            let numerator = v
                .numerator
                .map_or(Some(0), |n| count(e, f("numerator"), Some(n)));
            let denominator = v
                .denominator
                .map_or(Some(0), |n| count(e, f("denominator"), Some(n)));
            value
                .zip(numerator)
                .zip(denominator)
                .map(
                    |((value, numerator), denominator)| BaselineMeasure::Measured {
                        numerator,
                        denominator,
                        value,
                    },
                )
        }
        unit => {
            if v.value.is_some() {
                e.push(
                    f("value"),
                    "Enter the numerator and the denominator; the value follows from them",
                );
            }
            let n = count(e, f("numerator"), v.numerator);
            let d = count(e, f("denominator"), v.denominator);
            match (n, d) {
                (_, Some(0)) => {
                    e.push(
                        f("denominator"),
                        "must be above 0; mark the metric not measured instead",
                    );
                    None
                }
                (Some(n), Some(d)) if unit == MetricUnit::Percent && n > d => {
                    e.push(f("numerator"), "cannot be larger than the denominator");
                    None
                }
                (Some(numerator), Some(denominator)) => Some(BaselineMeasure::Measured {
                    numerator,
                    denominator,
                    // Percent and patients per FTE (denominator in FTE %) both scale by 100.
                    value: f64::from(numerator) * 100.0 / f64::from(denominator),
                }),
                _ => None,
            }
        }
    };
    (e.errors.len() == before)
        .then_some(measure)
        .flatten()
        .map(|measure| BaselineValue { code, measure })
}

impl ManualBaselineInput {
    pub fn parse(&self, today: Date) -> Result<Baseline, ValidationError> {
        let mut e = ValidationError::new();
        let date = |e: &mut ValidationError, field: &str, raw: &str| {
            e.check(crate::patient::parse_date(field, raw))
        };
        let taken_on = date(&mut e, "taken_on", &self.taken_on);
        if taken_on.is_some_and(|d| d > today) {
            e.push("taken_on", "The baseline date is in the future");
        }
        let from = date(&mut e, "period_from", &self.period_from);
        let to = date(&mut e, "period_to", &self.period_to);
        let period = from
            .zip(to)
            .and_then(|(f, t)| e.check(Period::new(f, t).map_err(|err| err.nested("period"))));
        if self.values.is_empty() {
            e.push("values", "Enter at least one metric (§5.4: pick 3–6)");
        }
        let mut values = Vec::new();
        for (i, v) in self.values.iter().enumerate() {
            if let Some(value) = parse_value(&mut e, i, v) {
                if values.iter().any(|b: &BaselineValue| b.code == value.code) {
                    e.push(format!("values[{i}].code"), "This metric is entered twice");
                } else {
                    values.push(value);
                }
            }
        }
        values.sort_by_key(|v| v.code);
        if self.sample_size.is_some_and(|n| n > MAX_SAMPLE_SIZE) {
            e.push("sample_size", "must be at most 10,000,000");
        }
        let text = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        match (taken_on, period) {
            (Some(taken_on), Some(period)) if e.is_empty() => Ok(Baseline {
                taken_on,
                period,
                source: BaselineSource::Manual,
                method: text(&self.method),
                sample_size: self.sample_size,
                caveats: text(&self.caveats),
                values,
            }),
            _ => Err(e),
        }
    }
}

code_enum! {
    /// How a value moved from the baseline, given which way is better for the metric.
    pub enum Direction ("direction") {
        Improved = "improved",
        Unchanged = "unchanged",
        Worse = "worse",
    }
}

/// The direction of `change` (current − baseline) for a metric where `better` is better.
/// `None` for a metric judged against a range (caseload size).
pub fn direction(better: Better, change: f64) -> Option<Direction> {
    const SAME: f64 = 1e-9;
    let sign = match better {
        Better::Higher => change,
        Better::Lower => -change,
        Better::InRange => return None,
    };
    Some(if sign > SAME {
        Direction::Improved
    } else if sign < -SAME {
        Direction::Worse
    } else {
        Direction::Unchanged
    })
}

/// One point of a run chart.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SeriesPoint {
    pub period: Period,
    pub numerator: u32,
    pub denominator: u32,
    pub value: Option<f64>,
    /// value − baseline, when both exist.
    pub change: Option<f64>,
    pub direction: Option<Direction>,
}

/// A metric over time against its baseline: the data of a run chart.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MetricSeries {
    pub code: MetricCode,
    pub name: &'static str,
    pub unit: MetricUnit,
    pub better: Better,
    /// The baseline as recorded; `None` when the baseline does not include the metric.
    pub baseline: Option<BaselineMeasure>,
    /// In period order.
    pub points: Vec<SeriesPoint>,
}

/// The series of `code` from `results` (any order; other metrics are ignored).
pub fn series(
    code: MetricCode,
    baseline: Option<&Baseline>,
    results: &[MetricResult],
) -> MetricSeries {
    let def = code.definition();
    let base = baseline.and_then(|b| b.measure(code));
    let base_value = base.and_then(BaselineMeasure::value);
    let mut points: Vec<SeriesPoint> = results
        .iter()
        .filter(|r| r.code == code)
        .map(|r| {
            let change = r.value.zip(base_value).map(|(v, b)| v - b);
            SeriesPoint {
                period: r.period,
                numerator: r.numerator,
                denominator: r.denominator,
                value: r.value,
                change,
                direction: change.and_then(|c| direction(def.better, c)),
            }
        })
        .collect();
    points.sort_by_key(|p| p.period);
    MetricSeries {
        code,
        name: def.name,
        unit: def.unit,
        better: def.better,
        baseline: base,
        points,
    }
}

/// The series of every metric the baseline records, in catalogue order.
pub fn compare(baseline: &Baseline, results: &[MetricResult]) -> Vec<MetricSeries> {
    baseline
        .values
        .iter()
        .map(|v| series(v.code, Some(baseline), results))
        .collect()
}

/// Consecutive periods of `months` calendar months from `first` through `last` (the last
/// period may be shorter): quarters with `months = 3` (§5.4 item 7: re-measure quarterly).
pub fn periods(first: YearMonth, last: YearMonth, months: u8) -> Vec<Period> {
    let step = months.max(1);
    let mut out = Vec::new();
    let mut start = first;
    while start <= last {
        let mut end = start;
        for _ in 1..step {
            if end < last {
                end = end.next();
            }
        }
        if let Ok(p) = Period::new(start.first_day(), end.last_day()) {
            out.push(p);
        }
        if end >= last {
            break;
        }
        start = end.next();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn period(from: Date, to: Date) -> Period {
        Period::new(from, to).unwrap()
    }

    fn result(code: MetricCode, p: Period, n: u32, d: u32) -> MetricResult {
        let value = match code.definition().unit {
            MetricUnit::Days => Some(f64::from(n)),
            _ => (d > 0).then(|| f64::from(n) * 100.0 / f64::from(d)),
        };
        MetricResult {
            code,
            period: p,
            numerator: n,
            denominator: d,
            value,
            unit: code.definition().unit,
        }
    }

    fn value(code: &str, n: i64, d: i64) -> ManualValueInput {
        ManualValueInput {
            code: code.into(),
            numerator: Some(n),
            denominator: Some(d),
            ..Default::default()
        }
    }

    #[test]
    fn registry_baseline_records_missing_values_as_not_measured() {
        let p = period(date!(2025 - 10 - 01), date!(2025 - 12 - 31));
        let other = period(date!(2026 - 01 - 01), date!(2026 - 03 - 31));
        let b = Baseline::from_registry(
            date!(2026 - 01 - 05),
            p,
            &[
                result(MetricCode::Response, p, 0, 0),
                result(MetricCode::DepressionScreening, p, 30, 120),
                result(MetricCode::DepressionScreening, other, 99, 100),
            ],
        );
        assert_eq!(b.values.len(), 2);
        assert_eq!(b.values[0].code, MetricCode::DepressionScreening);
        assert_eq!(
            b.measure(MetricCode::DepressionScreening),
            Some(BaselineMeasure::Measured {
                numerator: 30,
                denominator: 120,
                value: 25.0
            })
        );
        assert_eq!(
            b.measure(MetricCode::Response),
            Some(BaselineMeasure::NotMeasured)
        );
        assert_eq!(b.measure(MetricCode::Remission), None);
    }

    #[test]
    fn manual_baseline_parses_counts_and_not_measured() {
        let input = ManualBaselineInput {
            taken_on: "2026-01-05".into(),
            period_from: "2025-01-01".into(),
            period_to: "2025-12-31".into(),
            method: Some(" chart audit of 30 charts ".into()),
            sample_size: Some(30),
            caveats: None,
            values: vec![
                value("screening_follow_up", 9, 12),
                ManualValueInput {
                    code: "response".into(),
                    not_measured: true,
                    ..Default::default()
                },
                ManualValueInput {
                    code: "time_to_first_contact".into(),
                    value: Some(21.5),
                    ..Default::default()
                },
                value("caseload_per_fte", 45, 50),
            ],
        };
        let b = input.parse(date!(2026 - 01 - 05)).unwrap();
        assert_eq!(b.source, BaselineSource::Manual);
        assert_eq!(b.method.as_deref(), Some("chart audit of 30 charts"));
        assert_eq!(
            b.measure(MetricCode::ScreeningFollowUp).unwrap().value(),
            Some(75.0)
        );
        assert_eq!(
            b.measure(MetricCode::Response),
            Some(BaselineMeasure::NotMeasured)
        );
        assert_eq!(
            b.measure(MetricCode::TimeToFirstContact).unwrap().value(),
            Some(21.5)
        );
        // 45 patients on a half-time care manager: 90 per FTE.
        assert_eq!(
            b.measure(MetricCode::CaseloadPerFte).unwrap().value(),
            Some(90.0)
        );
    }

    #[test]
    fn manual_baseline_reports_each_bad_field() {
        let input = ManualBaselineInput {
            taken_on: "2026-02-01".into(),
            period_from: "2025-12-31".into(),
            period_to: "2025-01-01".into(),
            values: vec![
                value("screening", 1, 2),
                value("depression_screening", 13, 12),
                value("response", 1, 0),
                value("depression_screening", -1, 5),
                ManualValueInput {
                    code: "remission".into(),
                    not_measured: true,
                    numerator: Some(0),
                    ..Default::default()
                },
                ManualValueInput {
                    code: "time_to_first_contact".into(),
                    value: Some(f64::NAN),
                    ..Default::default()
                },
                value("remission", 2, 10),
                value("remission", 3, 10),
            ],
            ..Default::default()
        };
        let fields: Vec<String> = input
            .parse(date!(2026 - 01 - 05))
            .unwrap_err()
            .errors
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "taken_on",
                "period.to",
                "values[0].code",
                "values[1].numerator",
                "values[2].denominator",
                "values[3].numerator",
                "values[4].not_measured",
                "values[5].value",
                "values[7].code",
            ]
        );
    }

    #[test]
    fn series_compares_with_the_baseline_in_the_better_direction() {
        let base_p = period(date!(2025 - 10 - 01), date!(2025 - 12 - 31));
        let q1 = period(date!(2026 - 01 - 01), date!(2026 - 03 - 31));
        let q2 = period(date!(2026 - 04 - 01), date!(2026 - 06 - 30));
        let baseline = Baseline::from_registry(
            date!(2026 - 01 - 02),
            base_p,
            &[
                result(MetricCode::DepressionScreening, base_p, 40, 100),
                result(MetricCode::TimeToFirstContact, base_p, 14, 10),
                result(MetricCode::CaseloadPerFte, base_p, 40, 100),
                result(MetricCode::Remission, base_p, 0, 0),
            ],
        );
        let results = [
            result(MetricCode::DepressionScreening, q2, 40, 100),
            result(MetricCode::DepressionScreening, q1, 55, 100),
            result(MetricCode::TimeToFirstContact, q1, 21, 12),
            result(MetricCode::CaseloadPerFte, q1, 60, 100),
            result(MetricCode::Remission, q1, 3, 10),
        ];
        let s = series(MetricCode::DepressionScreening, Some(&baseline), &results);
        assert_eq!(s.points.len(), 2);
        assert_eq!(s.points[0].period, q1, "sorted by period");
        assert_eq!(s.points[0].change, Some(15.0));
        assert_eq!(s.points[0].direction, Some(Direction::Improved));
        assert_eq!(s.points[1].direction, Some(Direction::Unchanged));
        // Time to first contact: lower is better, so 14 → 21 days is worse.
        let t = series(MetricCode::TimeToFirstContact, Some(&baseline), &results);
        assert_eq!(t.points[0].change, Some(7.0));
        assert_eq!(t.points[0].direction, Some(Direction::Worse));
        // Caseload size is judged against a range, not as better or worse.
        let c = series(MetricCode::CaseloadPerFte, Some(&baseline), &results);
        assert_eq!(
            (c.points[0].change, c.points[0].direction),
            (Some(20.0), None)
        );
        // Not measured at baseline: values, but no change.
        let r = series(MetricCode::Remission, Some(&baseline), &results);
        assert_eq!(r.baseline, Some(BaselineMeasure::NotMeasured));
        assert_eq!((r.points[0].value, r.points[0].change), (Some(30.0), None));
        let all = compare(&baseline, &results);
        assert_eq!(all.len(), 4);
        assert!(
            series(MetricCode::Response, None, &results)
                .points
                .is_empty()
        );
    }

    #[test]
    fn quarterly_periods_cover_the_months() {
        let ym = |s: &str| s.parse::<YearMonth>().unwrap();
        let q = periods(ym("2025-11"), ym("2026-06"), 3);
        let bounds: Vec<(Date, Date)> = q.iter().map(|p| (p.from(), p.to())).collect();
        assert_eq!(
            bounds,
            [
                (date!(2025 - 11 - 01), date!(2026 - 01 - 31)),
                (date!(2026 - 02 - 01), date!(2026 - 04 - 30)),
                (date!(2026 - 05 - 01), date!(2026 - 06 - 30)),
            ]
        );
        assert_eq!(periods(ym("2026-01"), ym("2026-01"), 1).len(), 1);
        assert!(periods(ym("2026-02"), ym("2026-01"), 3).is_empty());
    }
}
