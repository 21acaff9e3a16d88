//! Progress against the baseline as run charts drawn on the server (reference bhi-planning.md
//! §5.4 item 7: re-measure quarterly and show the trend): one SVG per metric of the baseline,
//! the baseline as a dashed line, each quarter's value as a dot joined by a line, with a text
//! description for screen readers. Same drawing conventions as the measurement charts
//! (`trajectory.rs`).

use super::metrics::shown;
use stepwise_domain::baseline::{BaselineMeasure, MetricSeries};
use stepwise_domain::metrics::MetricUnit;

const W: f64 = 680.0;
const H: f64 = 220.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 48.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 28.0;

pub struct Point {
    pub x: String,
    pub y: String,
    pub title: String,
}

pub struct Tick {
    pub pos: String,
    pub label: String,
}

/// Everything the template draws, in SVG user units.
pub struct ProgressChart {
    pub id: String,
    pub title: String,
    pub description: String,
    pub width: f64,
    pub height: f64,
    pub plot_left: f64,
    pub plot_right: String,
    pub plot_bottom: String,
    /// The baseline's y and label, when it was measured.
    pub baseline: Option<(String, String)>,
    pub path: String,
    pub points: Vec<Point>,
    pub y_ticks: Vec<Tick>,
    pub x_ticks: Vec<Tick>,
}

fn f(v: f64) -> String {
    format!("{v:.1}")
}

/// The chart of `s`, or `None` when no quarter has a value.
pub fn chart(s: &MetricSeries) -> Option<ProgressChart> {
    let values: Vec<f64> = s.points.iter().filter_map(|p| p.value).collect();
    if values.is_empty() {
        return None;
    }
    let base = s.baseline.and_then(BaselineMeasure::value);
    let top = match s.unit {
        MetricUnit::Percent => 100.0,
        _ => {
            let m = values.iter().copied().chain(base).fold(0.0_f64, f64::max);
            (m * 1.2).ceil().max(1.0)
        }
    };
    let plot_w = W - LEFT - RIGHT;
    let plot_h = H - TOP - BOTTOM;
    let y = |v: f64| TOP + plot_h * (1.0 - (v / top).clamp(0.0, 1.0));
    let n = s.points.len();
    let x = |i: usize| {
        if n <= 1 {
            LEFT + plot_w / 2.0
        } else {
            LEFT + plot_w * i as f64 / (n - 1) as f64
        }
    };
    let mut path = String::new();
    let mut points = Vec::new();
    let mut described = Vec::new();
    let mut x_ticks = Vec::new();
    for (i, p) in s.points.iter().enumerate() {
        let label = format!("{} to {}", p.period.from(), p.period.to());
        x_ticks.push(Tick {
            pos: f(x(i)),
            label: p.period.from().to_string(),
        });
        match p.value {
            Some(v) => {
                let (px, py) = (x(i), y(v));
                path.push_str(if path.is_empty() { "M" } else { " L" });
                path.push_str(&format!("{} {}", f(px), f(py)));
                let mut text = format!(
                    "{label}: {} ({} of {})",
                    shown(Some(v), s.unit),
                    p.numerator,
                    p.denominator
                );
                if let Some(d) = p.direction {
                    text.push_str(&format!(", {} since the baseline", d.code()));
                }
                described.push(text.clone());
                points.push(Point {
                    x: f(px),
                    y: f(py),
                    title: text,
                });
            }
            None => described.push(format!("{label}: not available (nobody eligible)")),
        }
    }
    let baseline_text = match s.baseline {
        Some(BaselineMeasure::Measured { value, .. }) => {
            format!("Baseline {}", shown(Some(value), s.unit))
        }
        Some(BaselineMeasure::NotMeasured) => "Baseline not measured".to_owned(),
        None => "No baseline for this metric".to_owned(),
    };
    let y_ticks = (0..=4)
        .map(|i| {
            let v = top * f64::from(i) / 4.0;
            Tick {
                pos: f(y(v) + 4.0),
                label: shown(Some(v), s.unit),
            }
        })
        .collect();
    Some(ProgressChart {
        id: format!("progress-{}", s.code.code()),
        title: format!("{} by quarter", s.name),
        description: format!(
            "{baseline_text}. By quarter, oldest first: {}.",
            described.join("; ")
        ),
        width: W,
        height: H,
        plot_left: LEFT,
        plot_right: f(W - RIGHT),
        plot_bottom: f(H - BOTTOM),
        baseline: base.map(|b| (f(y(b)), baseline_text)),
        path,
        points,
        y_ticks,
        x_ticks,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use stepwise_domain::baseline::{Baseline, series};
    use stepwise_domain::metrics::{MetricCode, MetricResult, Period};
    use time::macros::date;

    fn result(p: Period, n: u32, d: u32) -> MetricResult {
        MetricResult {
            code: MetricCode::DepressionScreening,
            period: p,
            numerator: n,
            denominator: d,
            value: (d > 0).then(|| f64::from(n) * 100.0 / f64::from(d)),
            unit: MetricUnit::Percent,
        }
    }

    #[test]
    fn a_chart_describes_every_quarter_and_the_baseline() {
        let base = Period::new(date!(2025 - 10 - 01), date!(2025 - 12 - 31)).unwrap();
        let q1 = Period::new(date!(2026 - 01 - 01), date!(2026 - 03 - 31)).unwrap();
        let q2 = Period::new(date!(2026 - 04 - 01), date!(2026 - 06 - 30)).unwrap();
        let b = Baseline::from_registry(date!(2026 - 01 - 02), base, &[result(base, 40, 100)]);
        let s = series(
            MetricCode::DepressionScreening,
            Some(&b),
            &[result(q1, 55, 100), result(q2, 0, 0)],
        );
        let c = chart(&s).unwrap();
        assert_eq!(
            c.points.len(),
            1,
            "a quarter nobody was eligible for has no dot"
        );
        assert!(
            c.description.starts_with("Baseline 40 %."),
            "{}",
            c.description
        );
        assert!(
            c.description.contains(
                "2026-01-01 to 2026-03-31: 55 % (55 of 100), improved since the baseline"
            ),
            "{}",
            c.description
        );
        assert!(
            c.description
                .contains("2026-04-01 to 2026-06-30: not available")
        );
        // 40 % on a 0–100 axis of 180 units from y = 12: 12 + 180 × 0.6 = 120.
        assert_eq!(c.baseline.as_ref().unwrap().0, "120.0");
        assert!(c.path.starts_with('M'));
        assert_eq!(c.x_ticks.len(), 2);
        let empty = series(
            MetricCode::DepressionScreening,
            Some(&b),
            &[result(q2, 0, 0)],
        );
        assert!(chart(&empty).is_none());
    }
}
