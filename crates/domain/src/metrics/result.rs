//! A metric's result for one period: numerator, denominator and value.

use super::catalogue::{MetricCode, MetricUnit};
use super::input::Period;
use serde::{Deserialize, Serialize};

/// A metric computed over a period. An empty denominator gives `value: None`, never NaN or 0.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MetricResult {
    pub code: MetricCode,
    pub period: Period,
    pub numerator: u32,
    pub denominator: u32,
    /// Percent (0–100), median days, or patients per FTE, per the metric's unit.
    pub value: Option<f64>,
    pub unit: MetricUnit,
}

impl MetricResult {
    /// numerator / denominator × 100, or `None` when the denominator is 0.
    pub(crate) fn percent(
        code: MetricCode,
        period: Period,
        numerator: u32,
        denominator: u32,
    ) -> Self {
        MetricResult {
            code,
            period,
            numerator,
            denominator,
            value: (denominator > 0).then(|| f64::from(numerator) * 100.0 / f64::from(denominator)),
            unit: code.definition().unit,
        }
    }
}

/// The median of `values` (the mean of the two middle values for an even count).
pub(crate) fn median(mut values: Vec<i64>) -> Option<f64> {
    values.sort_unstable();
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(values[n / 2] as f64),
        _ => Some((values[n / 2 - 1] + values[n / 2]) as f64 / 2.0),
    }
}

/// Count of `items` matching `denominator`, and of those also matching `numerator`.
pub(crate) fn count<T>(
    items: impl IntoIterator<Item = T>,
    mut denominator: impl FnMut(&T) -> bool,
    mut numerator: impl FnMut(&T) -> bool,
) -> (u32, u32) {
    items
        .into_iter()
        .filter(|i| denominator(i))
        .fold((0, 0), |(n, d), i| (n + u32::from(numerator(&i)), d + 1))
}
