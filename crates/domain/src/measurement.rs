//! Measurement-based care: baseline, response, remission (reference instruments.md §14,
//! cocm-billing-registry.md §9.5; NCQA DRR-E for response and remission).

use crate::ids::AssessmentId;
use crate::instruments::{InstrumentId, Safety};
use serde::{Deserialize, Serialize};
use time::Date;

/// Relative reduction from `baseline` to `current`: `(baseline − current) / baseline`.
/// Undefined (None) when the baseline is 0.
pub fn reduction(baseline: u16, current: u16) -> Option<f64> {
    (baseline > 0).then(|| (baseline as f64 - current as f64) / baseline as f64)
}

/// Change in percent as registries show it: `(last − first) / first × 100`
/// (UW SCOPE registry, reference §9.4 [S54b]); negative is improvement.
pub fn change_percent(first: u16, last: u16) -> Option<f64> {
    reduction(first, last).map(|r| -r * 100.0)
}

/// Response: the current score is at least 50 % lower than the baseline (NCQA DRR-E).
pub fn is_response(baseline: u16, current: u16) -> bool {
    // Integer form of (b − c)/b ≥ 0.5, exact at the boundary (18 → 9 is a response).
    baseline > 0 && 2 * (baseline as u32).saturating_sub(current as u32) >= baseline as u32
}

/// Remission: PHQ-9 < 5 (NCQA DRR-E, CMS159); GAD-7 < 5 by the same convention.
pub const REMISSION_BELOW: u16 = 5;

pub fn is_remission(current: u16) -> bool {
    current < REMISSION_BELOW
}

/// "Clinically significant improvement" (MHIP, Psychiatr Serv 2016): PHQ-9 < 10 or a
/// response.
pub fn is_clinically_significant_improvement(baseline: u16, current: u16) -> bool {
    current < 10 || is_response(baseline, current)
}

/// One response of an episode, as the outcome rules need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MeasuredScore {
    pub on: Date,
    /// The official total; `None` when the response is incomplete.
    pub total: Option<u16>,
    /// `total` is a prorated estimate, not an official total.
    pub estimate: bool,
}

impl MeasuredScore {
    /// The official total: estimates and incomplete responses never count (reference §1,
    /// §14: "exclude prorated/incomplete totals").
    fn official(&self) -> Option<DatedTotal> {
        match (self.total, self.estimate) {
            (Some(total), false) => Some(DatedTotal { on: self.on, total }),
            _ => None,
        }
    }
}

/// An official total on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DatedTotal {
    pub on: Date,
    pub total: u16,
}

/// Where an episode stands on one instrument.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TreatmentOutcome {
    /// The episode's first official score.
    pub baseline: Option<DatedTotal>,
    /// The most recent official score (the baseline itself when it is the only one).
    pub latest: Option<DatedTotal>,
    pub official_count: u32,
    /// ≥ 50 % reduction from the baseline. `None` until a later official score exists, when
    /// the baseline is 0, or for instruments that are not treatment targets.
    pub response: Option<bool>,
    /// Latest below 5 (PHQ-9, GAD-7). `None` until a later official score exists, or for
    /// instruments that are not treatment targets.
    pub remission: Option<bool>,
}

/// Baseline, latest official score, response and remission of one instrument over an
/// episode's responses, given in time order (same-day responses in recorded order; the list
/// is re-sorted by date, stably, in case it is not).
pub fn outcome(instrument: InstrumentId, responses: &[MeasuredScore]) -> TreatmentOutcome {
    let mut sorted: Vec<&MeasuredScore> = responses.iter().collect();
    sorted.sort_by_key(|r| r.on);
    let official: Vec<DatedTotal> = sorted.iter().filter_map(|r| r.official()).collect();
    let baseline = official.first().copied();
    let latest = official.last().copied();
    let follow_up = baseline
        .zip(latest)
        .filter(|_| official.len() > 1 && instrument.is_treatment_target());
    TreatmentOutcome {
        baseline,
        latest,
        official_count: official.len() as u32,
        response: follow_up
            .filter(|(b, _)| b.total > 0)
            .map(|(b, l)| is_response(b.total, l.total)),
        remission: follow_up.map(|(_, l)| is_remission(l.total)),
    }
}

/// The 50 % line of a chart: a score at or below it is a response (NCQA DRR-E, see
/// [`is_response`]). `None` when the baseline is 0 (no response is defined) or the instrument
/// is not a treatment target.
pub fn response_line(instrument: InstrumentId, baseline: u16) -> Option<f64> {
    (instrument.is_treatment_target() && baseline > 0).then(|| f64::from(baseline) / 2.0)
}

/// The remission threshold of a treatment target: a score below it is a remission.
pub fn remission_below(instrument: InstrumentId) -> Option<u16> {
    instrument.is_treatment_target().then_some(REMISSION_BELOW)
}

/// One response as a chart shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrajectoryPoint {
    pub assessment: AssessmentId,
    pub on: Date,
    /// The official total; `null` when the response is incomplete (or for the C-SSRS).
    pub total: Option<u16>,
    /// A prorated estimate, when the instrument allows one and exactly one item is missing:
    /// drawn apart, never official, never counted in the outcome.
    pub estimate: Option<u16>,
    pub complete: bool,
    pub band: Option<String>,
    pub safety: Safety,
}

/// The data of a measurement-based-care chart for one instrument of one episode.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Trajectory {
    pub instrument: InstrumentId,
    /// Oldest first.
    pub points: Vec<TrajectoryPoint>,
    /// The episode's first official score.
    pub baseline: Option<DatedTotal>,
    /// Half the baseline: at or below it is a response (treatment targets only).
    pub response_line: Option<f64>,
    /// Below it is a remission (treatment targets only).
    pub remission_below: Option<u16>,
    pub outcome: TreatmentOutcome,
}

/// A chart's data from an episode's responses of one instrument (in any order): the points
/// oldest first, the baseline, the lines and the outcome. Estimates and incomplete responses
/// are drawn but never count (reference §1, §14).
pub fn trajectory(instrument: InstrumentId, mut points: Vec<TrajectoryPoint>) -> Trajectory {
    points.sort_by_key(|p| p.on);
    let measured: Vec<MeasuredScore> = points
        .iter()
        .map(|p| match (p.total, p.estimate) {
            (Some(total), _) => MeasuredScore {
                on: p.on,
                total: Some(total),
                estimate: false,
            },
            (None, estimate) => MeasuredScore {
                on: p.on,
                total: estimate,
                estimate: estimate.is_some(),
            },
        })
        .collect();
    let outcome = outcome(instrument, &measured);
    Trajectory {
        instrument,
        baseline: outcome.baseline,
        response_line: outcome
            .baseline
            .and_then(|b| response_line(instrument, b.total)),
        remission_below: remission_below(instrument),
        outcome,
        points,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    /// Vectors of instruments.md §14.
    #[test]
    fn published_vectors() {
        assert!(is_response(18, 9));
        assert!(!is_response(18, 10));
        assert!(is_response(18, 4) && is_remission(4));
        assert!(!is_response(12, 7)); // 41.7 % → not improving
        assert!((reduction(12, 7).unwrap() - 0.41666).abs() < 1e-3);
        assert_eq!(reduction(0, 3), None);
        assert_eq!(change_percent(20, 10), Some(-50.0));
    }

    fn official(on: Date, total: u16) -> MeasuredScore {
        MeasuredScore {
            on,
            total: Some(total),
            estimate: false,
        }
    }

    /// Baseline 18 → 9 is a response (§14 vectors); the estimate and the incomplete response
    /// in between and after never count, even when they would change the answer.
    #[test]
    fn outcome_uses_official_scores_only() {
        let responses = [
            MeasuredScore {
                on: date!(2026 - 08 - 20),
                total: None,
                estimate: false,
            },
            MeasuredScore {
                on: date!(2026 - 08 - 25),
                total: Some(3),
                estimate: true,
            },
            official(date!(2026 - 09 - 01), 18),
            official(date!(2026 - 10 - 01), 9),
            MeasuredScore {
                on: date!(2026 - 11 - 01),
                total: Some(2),
                estimate: true,
            },
            MeasuredScore {
                on: date!(2026 - 11 - 15),
                total: None,
                estimate: false,
            },
        ];
        let o = outcome(InstrumentId::Phq9, &responses);
        assert_eq!(
            o.baseline,
            Some(DatedTotal {
                on: date!(2026 - 09 - 01),
                total: 18
            })
        );
        assert_eq!(
            o.latest,
            Some(DatedTotal {
                on: date!(2026 - 10 - 01),
                total: 9
            })
        );
        assert_eq!(o.official_count, 2);
        assert_eq!((o.response, o.remission), (Some(true), Some(false)));
    }

    #[test]
    fn outcome_published_vectors() {
        let d1 = date!(2026 - 01 - 05);
        let d2 = date!(2026 - 03 - 23);
        let o = |b, l| outcome(InstrumentId::Phq9, &[official(d1, b), official(d2, l)]);
        assert_eq!(
            (o(18, 10).response, o(18, 10).remission),
            (Some(false), Some(false))
        );
        assert_eq!(
            (o(18, 4).response, o(18, 4).remission),
            (Some(true), Some(true))
        );
        assert_eq!(o(12, 7).response, Some(false));
        let g = outcome(InstrumentId::Gad7, &[official(d1, 12), official(d2, 4)]);
        assert_eq!((g.response, g.remission), (Some(true), Some(true)));
    }

    #[test]
    fn outcome_needs_a_follow_up_and_a_treatment_target() {
        let d1 = date!(2026 - 01 - 05);
        let d2 = date!(2026 - 02 - 05);
        let only = outcome(InstrumentId::Phq9, &[official(d1, 3)]);
        assert_eq!(
            (only.baseline, only.latest),
            (
                Some(DatedTotal { on: d1, total: 3 }),
                Some(DatedTotal { on: d1, total: 3 })
            )
        );
        assert_eq!((only.response, only.remission), (None, None));
        let zero = outcome(InstrumentId::Phq9, &[official(d1, 0), official(d2, 0)]);
        assert_eq!((zero.response, zero.remission), (None, Some(true)));
        let audit = outcome(InstrumentId::Audit, &[official(d1, 20), official(d2, 2)]);
        assert_eq!((audit.response, audit.remission), (None, None));
        assert_eq!(audit.latest.map(|l| l.total), Some(2));
        let none = outcome(InstrumentId::Phq9, &[]);
        assert_eq!((none.baseline, none.official_count), (None, 0));
        // Out of order input: the baseline is still the earliest.
        let swapped = outcome(InstrumentId::Phq9, &[official(d2, 9), official(d1, 18)]);
        assert_eq!(swapped.baseline.map(|b| b.total), Some(18));
        assert_eq!(swapped.response, Some(true));
    }

    fn point(n: u128, on: Date, total: Option<u16>, estimate: Option<u16>) -> TrajectoryPoint {
        TrajectoryPoint {
            assessment: AssessmentId::from_uuid(uuid::Uuid::from_u128(n)),
            on,
            total,
            estimate,
            complete: total.is_some(),
            band: None,
            safety: Safety::Clear,
        }
    }

    /// The chart of §14's vector 18 → 9 with an estimate and an incomplete response around
    /// it: baseline 18, the 50 % line at 9, remission below 5, a response; the estimate of 2
    /// (which would be a remission) does not count.
    #[test]
    fn trajectory_lines_and_outcome() {
        let t = trajectory(
            InstrumentId::Phq9,
            vec![
                point(3, date!(2026 - 11 - 01), None, Some(2)),
                point(1, date!(2026 - 09 - 01), Some(18), None),
                point(4, date!(2026 - 11 - 15), None, None),
                point(2, date!(2026 - 10 - 01), Some(9), None),
            ],
        );
        let dates: Vec<Date> = t.points.iter().map(|p| p.on).collect();
        assert_eq!(
            dates,
            [
                date!(2026 - 09 - 01),
                date!(2026 - 10 - 01),
                date!(2026 - 11 - 01),
                date!(2026 - 11 - 15)
            ]
        );
        assert_eq!(t.baseline.map(|b| b.total), Some(18));
        assert_eq!(t.response_line, Some(9.0));
        assert_eq!(t.remission_below, Some(5));
        assert_eq!(t.outcome.latest.map(|l| l.total), Some(9));
        assert_eq!(
            (t.outcome.response, t.outcome.remission),
            (Some(true), Some(false))
        );
        // An odd baseline: 13 → 6 is a response (6 ≤ 6.5), 7 is not.
        let odd = |last| {
            trajectory(
                InstrumentId::Phq9,
                vec![
                    point(1, date!(2026 - 09 - 01), Some(13), None),
                    point(2, date!(2026 - 10 - 01), Some(last), None),
                ],
            )
        };
        assert_eq!(odd(6).response_line, Some(6.5));
        assert_eq!(odd(6).outcome.response, Some(true));
        assert_eq!(odd(7).outcome.response, Some(false));
    }

    #[test]
    fn trajectory_without_official_scores_or_target() {
        let t = trajectory(
            InstrumentId::Phq9,
            vec![point(1, date!(2026 - 09 - 01), None, Some(12))],
        );
        assert_eq!((t.baseline, t.response_line), (None, None));
        assert_eq!(t.remission_below, Some(5));
        assert_eq!(t.points.len(), 1);
        let audit = trajectory(
            InstrumentId::Audit,
            vec![point(1, date!(2026 - 09 - 01), Some(20), None)],
        );
        assert_eq!(audit.baseline.map(|b| b.total), Some(20));
        assert_eq!((audit.response_line, audit.remission_below), (None, None));
        let zero = trajectory(
            InstrumentId::Gad7,
            vec![point(1, date!(2026 - 09 - 01), Some(0), None)],
        );
        assert_eq!(zero.response_line, None);
    }

    proptest! {
        /// Estimates and incomplete responses never become the baseline or the latest score.
        #[test]
        fn outcome_ignores_unofficial(
            entries in proptest::collection::vec((proptest::option::of(0u16..=27), any::<bool>()), 0..12)
        ) {
            let start = date!(2026 - 01 - 01);
            let responses: Vec<MeasuredScore> = entries
                .iter()
                .enumerate()
                .map(|(i, &(total, estimate))| MeasuredScore {
                    on: start + time::Duration::days(i as i64 * 7),
                    total,
                    estimate,
                })
                .collect();
            let official: Vec<u16> = responses
                .iter()
                .filter(|r| !r.estimate)
                .filter_map(|r| r.total)
                .collect();
            let o = outcome(InstrumentId::Phq9, &responses);
            prop_assert_eq!(o.baseline.map(|b| b.total), official.first().copied());
            prop_assert_eq!(o.latest.map(|l| l.total), official.last().copied());
            prop_assert_eq!(o.official_count as usize, official.len());
            if official.len() < 2 {
                prop_assert_eq!((o.response, o.remission), (None, None));
            }
        }

        #[test]
        fn response_matches_the_ratio(b in 1u16..=27, c in 0u16..=27) {
            let ratio = reduction(b, c).unwrap();
            prop_assert_eq!(is_response(b, c), ratio >= 0.5);
        }
    }
}
