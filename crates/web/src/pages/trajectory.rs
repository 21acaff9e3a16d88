//! A measurement-based-care chart as SVG, drawn on the server: the instrument's severity bands,
//! each response (official totals joined by a line, estimates and incomplete responses drawn
//! apart), the baseline, the 50 % response line and the remission threshold, with a text
//! description for screen readers.

use stepwise_domain::ids::EpisodeId;
use stepwise_domain::instruments::InstrumentId;
use stepwise_domain::measurement::{Trajectory, TrajectoryPoint, trajectory};
use stepwise_domain::record::RecordStatus;
use stepwise_store::model::Assessment;
use time::Date;

/// One chart per instrument given in `episode` (`None`: the screenings outside any episode),
/// from a patient's responses; those entered in error are left out.
pub fn episode_charts(assessments: &[Assessment], episode: Option<EpisodeId>) -> Vec<ChartView> {
    InstrumentId::ALL
        .iter()
        .filter_map(|instrument| {
            let points: Vec<TrajectoryPoint> = assessments
                .iter()
                .filter(|a| {
                    a.instrument == *instrument
                        && a.status == RecordStatus::Final
                        && a.episode == episode
                })
                .map(|a| TrajectoryPoint {
                    assessment: a.id,
                    on: a.administered_on,
                    total: a.score.total,
                    estimate: a.score.estimate,
                    complete: a.score.complete,
                    band: a.score.band.clone(),
                    safety: a.score.safety,
                })
                .collect();
            chart_view(&trajectory(*instrument, points))
        })
        .collect()
}

const W: f64 = 680.0;
const H: f64 = 240.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 180.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 28.0;

pub struct BandRect {
    pub y: String,
    pub height: String,
    pub label: String,
    pub label_y: String,
    pub class: &'static str,
}

pub struct Line {
    pub y: String,
    pub label: String,
    pub class: &'static str,
}

pub struct Dot {
    pub x: String,
    pub y: String,
    pub official: bool,
    pub title: String,
}

pub struct Tick {
    pub pos: String,
    pub label: String,
}

/// Everything the template draws, in SVG user units.
pub struct ChartView {
    pub id: String,
    pub title: String,
    pub description: String,
    pub width: f64,
    pub height: f64,
    pub plot_left: f64,
    pub plot_right: String,
    pub plot_width: String,
    pub plot_bottom: String,
    pub label_x: String,
    pub bands: Vec<BandRect>,
    pub lines: Vec<Line>,
    pub path: String,
    pub dots: Vec<Dot>,
    pub y_ticks: Vec<Tick>,
    pub x_ticks: Vec<Tick>,
}

fn f(v: f64) -> String {
    format!("{v:.1}")
}

/// The chart of `t`, or `None` when nothing was measured.
pub fn chart_view(t: &Trajectory) -> Option<ChartView> {
    if t.points.is_empty() {
        return None;
    }
    let def = t.instrument.definition();
    let max = f64::from(t.instrument.max_total().max(1));
    let plot_w = W - LEFT - RIGHT;
    let plot_h = H - TOP - BOTTOM;
    let y = |v: f64| TOP + plot_h * (1.0 - v / max);
    let first = t.points.first().map(|p| p.on)?;
    let last = t.points.last().map(|p| p.on)?;
    let span = (last - first).whole_days().max(1) as f64;
    let x = |d: Date| {
        if first == last {
            LEFT + plot_w / 2.0
        } else {
            LEFT + plot_w * ((d - first).whole_days() as f64 / span)
        }
    };
    let classes = ["band-0", "band-1", "band-2", "band-3", "band-4", "band-5"];
    let bands = def
        .bands
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let top = y(f64::from(b.max + 1).min(max));
            let bottom = y(f64::from(b.min));
            BandRect {
                y: f(top),
                height: f((bottom - top).max(0.0)),
                label: format!("{} ({}–{})", b.label, b.min, b.max),
                label_y: f((top + bottom) / 2.0 + 4.0),
                class: classes[i.min(classes.len() - 1)],
            }
        })
        .collect();
    let mut lines = Vec::new();
    if let Some(b) = &t.baseline {
        lines.push(Line {
            y: f(y(f64::from(b.total))),
            label: format!("Baseline {}", b.total),
            class: "line-baseline",
        });
    }
    if let Some(r) = t.response_line {
        lines.push(Line {
            y: f(y(r)),
            label: format!("Response ≤ {r}"),
            class: "line-response",
        });
    }
    if let Some(r) = t.remission_below {
        lines.push(Line {
            y: f(y(f64::from(r))),
            label: format!("Remission < {r}"),
            class: "line-remission",
        });
    }
    let mut path = String::new();
    let mut dots = Vec::new();
    let mut described = Vec::new();
    for p in &t.points {
        let (value, official) = match (p.total, p.estimate) {
            (Some(v), _) => (Some(v), true),
            (None, e) => (e, false),
        };
        match value {
            Some(v) => {
                let (px, py) = (x(p.on), y(f64::from(v)));
                if official {
                    path.push_str(if path.is_empty() { "M" } else { " L" });
                    path.push_str(&format!("{} {}", f(px), f(py)));
                }
                let what = if official {
                    format!("{}: {v}", p.on)
                } else {
                    format!("{}: estimate {v} (incomplete)", p.on)
                };
                described.push(what.clone());
                dots.push(Dot {
                    x: f(px),
                    y: f(py),
                    official,
                    title: what,
                });
            }
            None => described.push(format!("{}: incomplete, no score", p.on)),
        }
    }
    let outcome = match (t.outcome.remission, t.outcome.response) {
        (Some(true), _) => "in remission",
        (_, Some(true)) => "responding (at least 50 % lower than baseline)",
        (_, Some(false)) => "not yet responding",
        _ if t.baseline.is_some() => "baseline only",
        _ => "no official score yet",
    };
    let name = t.instrument.name();
    let y_ticks = (0..=4)
        .map(|i| {
            let v = (max * f64::from(i) / 4.0).round();
            Tick {
                pos: f(y(v) + 4.0),
                label: format!("{v}"),
            }
        })
        .collect();
    let mut x_ticks = vec![Tick {
        pos: f(x(first)),
        label: first.to_string(),
    }];
    if last != first {
        x_ticks.push(Tick {
            pos: f(x(last)),
            label: last.to_string(),
        });
    }
    Some(ChartView {
        id: format!("chart-{}", t.instrument.code()),
        title: format!("{name} over time"),
        description: format!(
            "{name} scores, oldest first: {}. {}. Outcome: {outcome}.",
            described.join("; "),
            match (&t.baseline, t.response_line, t.remission_below) {
                (Some(b), Some(r), Some(m)) => format!(
                    "Baseline {} on {}; a response is {r} or lower; remission is below {m}",
                    b.total, b.on
                ),
                (Some(b), _, _) => format!("Baseline {} on {}", b.total, b.on),
                _ => "No official baseline yet".to_owned(),
            }
        ),
        width: W,
        height: H,
        plot_left: LEFT,
        plot_right: f(W - RIGHT),
        plot_width: f(W - RIGHT - LEFT),
        plot_bottom: f(H - BOTTOM),
        label_x: f(W - RIGHT + 6.0),
        bands,
        lines,
        path,
        dots,
        y_ticks,
        x_ticks,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use stepwise_domain::ids::AssessmentId;
    use stepwise_domain::instruments::Safety;
    use time::macros::date;

    fn point(on: Date, total: Option<u16>, estimate: Option<u16>) -> TrajectoryPoint {
        TrajectoryPoint {
            assessment: AssessmentId::from_uuid(uuid::Uuid::nil()),
            on,
            total,
            estimate,
            complete: total.is_some(),
            band: None,
            safety: Safety::Clear,
        }
    }

    #[test]
    fn draws_official_totals_joined_and_estimates_apart() {
        let t = trajectory(
            InstrumentId::Phq9,
            vec![
                point(date!(2026 - 01 - 05), Some(18), None),
                point(date!(2026 - 02 - 05), None, Some(12)),
                point(date!(2026 - 03 - 05), Some(8), None),
            ],
        );
        let v = chart_view(&t).unwrap();
        // Two official points joined; the estimate is a separate, hollow dot.
        assert_eq!(v.path.matches('L').count(), 1);
        assert_eq!(v.dots.len(), 3);
        assert_eq!(v.dots.iter().filter(|d| !d.official).count(), 1);
        // Baseline 18 → response line 9 → remission below 5.
        let labels: Vec<&str> = v.lines.iter().map(|l| l.label.as_str()).collect();
        assert_eq!(labels, ["Baseline 18", "Response ≤ 9", "Remission < 5"]);
        assert!(
            v.description
                .contains("2026-02-05: estimate 12 (incomplete)")
        );
        assert!(v.description.contains("responding"));
        // PHQ-9 has five severity bands, each drawn.
        assert_eq!(v.bands.len(), 5);
        // The first point is at the left edge, the last at the right edge of the plot.
        assert_eq!(v.dots[0].x, "44.0");
        assert_eq!(v.dots[2].x, v.plot_right);
    }

    #[test]
    fn nothing_measured_is_no_chart() {
        assert!(chart_view(&trajectory(InstrumentId::Gad7, vec![])).is_none());
    }
}
