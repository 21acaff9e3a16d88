//! The catalogue of metrics of success and the practice's metrics plan with its baseline
//! (reference bhi-planning.md §5.1, §5.2, §5.4).

use crate::codes::code_enum;
use crate::error::ValidationError;
use serde::{Deserialize, Serialize};
use time::Date;

code_enum! {
    pub enum MetricUnit ("metric unit") {
        Percent = "percent",
        Days = "days",
        Patients = "patients",
        Level = "level",
    }
}

code_enum! {
    pub enum Direction ("metric direction") {
        HigherIsBetter = "higher_is_better",
        LowerIsBetter = "lower_is_better",
        /// Best inside a range (e.g. caseload per care manager).
        WithinRange = "within_range",
    }
}

#[derive(Debug, Clone, Copy)]
pub struct MetricDefinition {
    pub code: &'static str,
    /// The reference's id (M1–M12), or the metric family of §5.2.
    pub reference_id: &'static str,
    pub name: &'static str,
    pub definition: &'static str,
    pub unit: MetricUnit,
    pub direction: Direction,
    pub source: &'static str,
}

/// Reference bhi-planning.md §5.1 (M1–M12) and the integration-level family of §5.2.
pub const METRICS: [MetricDefinition; 13] = [
    MetricDefinition {
        code: "screening_follow_up",
        reference_id: "M1",
        name: "Depression screening and follow-up",
        definition: "Patients 12 and older screened with a standard tool in the period; of those positive, the share followed up within 30 days.",
        unit: MetricUnit::Percent,
        direction: Direction::HigherIsBetter,
        source: "NCQA HEDIS DSF-E [V]",
    },
    MetricDefinition {
        code: "phq9_utilization",
        reference_id: "M2",
        name: "PHQ-9 use",
        definition: "Patients with depression and a visit who have a PHQ-9 in the same period.",
        unit: MetricUnit::Percent,
        direction: Direction::HigherIsBetter,
        source: "NCQA HEDIS DMS-E [V]",
    },
    MetricDefinition {
        code: "phq9_follow_up",
        reference_id: "M3",
        name: "Follow-up PHQ-9",
        definition: "Patients with an elevated PHQ-9 who have another PHQ-9 4 to 8 months later.",
        unit: MetricUnit::Percent,
        direction: Direction::HigherIsBetter,
        source: "NCQA HEDIS DRR-E [V]",
    },
    MetricDefinition {
        code: "response",
        reference_id: "M4",
        name: "Response",
        definition: "Most recent PHQ-9 at least 50 % below the index score, 4 to 8 months later.",
        unit: MetricUnit::Percent,
        direction: Direction::HigherIsBetter,
        source: "NCQA HEDIS DRR-E [V]",
    },
    MetricDefinition {
        code: "remission",
        reference_id: "M5",
        name: "Remission",
        definition: "Most recent PHQ-9 below 5, 4 to 8 months after the index score.",
        unit: MetricUnit::Percent,
        direction: Direction::HigherIsBetter,
        source: "NCQA HEDIS DRR-E [V]",
    },
    MetricDefinition {
        code: "improvement",
        reference_id: "M6",
        name: "Clinically significant improvement",
        definition: "PHQ-9 below 10 or at least 50 % below baseline.",
        unit: MetricUnit::Percent,
        direction: Direction::HigherIsBetter,
        source: "MHIP, Psychiatric Services 2016 [V]",
    },
    MetricDefinition {
        code: "early_follow_up",
        reference_id: "M7",
        name: "Early follow-up",
        definition: "Enrolled patients with a care-manager follow-up within 4 weeks of the initial contact.",
        unit: MetricUnit::Percent,
        direction: Direction::HigherIsBetter,
        source: "MHIP fidelity study [V]",
    },
    MetricDefinition {
        code: "consultation_for_non_responders",
        reference_id: "M8",
        name: "Psychiatric consultation for non-responders",
        definition: "Patients not improved by week 8 with a psychiatric consultation in weeks 8 to 12.",
        unit: MetricUnit::Percent,
        direction: Direction::HigherIsBetter,
        source: "MHIP fidelity study [V]",
    },
    MetricDefinition {
        code: "caseload_reviewed",
        reference_id: "M9",
        name: "Caseload reviewed",
        definition: "Active caseload reviewed by the psychiatric consultant in the period.",
        unit: MetricUnit::Percent,
        direction: Direction::HigherIsBetter,
        source: "AIMS registry requirements [P]",
    },
    MetricDefinition {
        code: "days_to_first_contact",
        reference_id: "M10",
        name: "Time to first contact",
        definition: "Days from a positive screen or referral to the first behavioral health contact (median).",
        unit: MetricUnit::Days,
        direction: Direction::LowerIsBetter,
        source: "Lean BHI study [P]",
    },
    MetricDefinition {
        code: "referral_completion",
        reference_id: "M11",
        name: "Referral completion",
        definition: "Behavioral health referrals that led to an attended visit.",
        unit: MetricUnit::Percent,
        direction: Direction::HigherIsBetter,
        source: "Lean BHI study [V]",
    },
    MetricDefinition {
        code: "caseload_per_fte",
        reference_id: "M12",
        name: "Caseload per care-manager FTE",
        definition: "Patients on the caseload per full-time care manager.",
        unit: MetricUnit::Patients,
        direction: Direction::WithinRange,
        source: "AIMS registry guidance [V]",
    },
    MetricDefinition {
        code: "integration_level",
        reference_id: "§5.2",
        name: "Integration level",
        definition: "The practice's level from the readiness assessment, 1 to 6.",
        unit: MetricUnit::Level,
        direction: Direction::HigherIsBetter,
        source: "Based on the SAMHSA-HRSA CIHS Standard Framework [P]",
    },
];

pub fn metric(code: &str) -> Option<&'static MetricDefinition> {
    METRICS.iter().find(|m| m.code == code)
}

/// How many metrics to track: 3 to 6 the practice can actually compute (§5.4 step 3 [P]).
pub const RECOMMENDED_METRICS: std::ops::RangeInclusive<usize> = 3..=6;

code_enum! {
    pub enum BaselineMethod ("baseline method") {
        EhrReport = "ehr_report",
        ChartAudit = "chart_audit",
        Registry = "registry",
    }
}

/// A metric's value at baseline. `None` means "not measured", recorded as such rather than as
/// zero (§5.4 step 4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MetricValue {
    pub metric: String,
    pub value: Option<f64>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Baseline {
    #[serde(with = "super::dates")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub taken_on: Date,
    pub method: BaselineMethod,
    pub values: Vec<MetricValue>,
    /// Sample size and window for a chart audit, data caveats (§5.4 step 5).
    #[serde(default)]
    pub caveats: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MetricsPlan {
    /// Metric codes the practice tracks.
    pub chosen: Vec<String>,
    #[serde(default)]
    pub baseline: Option<Baseline>,
}

/// A metric code: a catalogue code, or a practice's own code starting with `custom_`.
pub fn valid_metric_code(code: &str) -> bool {
    let well_formed = !code.is_empty()
        && code.len() <= 64
        && code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    well_formed && (metric(code).is_some() || code.starts_with("custom_"))
}

impl MetricsPlan {
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut errors = ValidationError::new();
        for (n, code) in self.chosen.iter().enumerate() {
            if !valid_metric_code(code) {
                errors.push(
                    format!("chosen[{n}]"),
                    format!("'{code}' is not a known metric; a practice's own metric starts with custom_"),
                );
            } else if self.chosen[..n].contains(code) {
                errors.push(format!("chosen[{n}]"), format!("'{code}' appears twice"));
            }
        }
        if let Some(b) = &self.baseline {
            for (n, v) in b.values.iter().enumerate() {
                if !self.chosen.contains(&v.metric) {
                    errors.push(
                        format!("baseline.values[{n}].metric"),
                        format!("'{}' is not one of the chosen metrics", v.metric),
                    );
                }
                let percent = metric(&v.metric).is_some_and(|m| m.unit == MetricUnit::Percent);
                if v.value
                    .is_some_and(|x| !x.is_finite() || x < 0.0 || (percent && x > 100.0))
                {
                    errors.push(format!("baseline.values[{n}].value"), "out of range");
                }
            }
        }
        errors.into_result()
    }

    /// Progress in [0, 1]: half for choosing enough metrics (in proportion), half for the
    /// baseline.
    pub fn progress(&self) -> f64 {
        let chosen = self.chosen.len().min(*RECOMMENDED_METRICS.start()) as f64
            / *RECOMMENDED_METRICS.start() as f64;
        0.5 * chosen + if self.baseline.is_some() { 0.5 } else { 0.0 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn catalogue_codes_are_unique_and_sourced() {
        for (n, m) in METRICS.iter().enumerate() {
            assert!(valid_metric_code(m.code), "{}", m.code);
            assert!(!m.source.is_empty());
            assert!(METRICS[..n].iter().all(|o| o.code != m.code));
        }
        assert_eq!(metric("remission").unwrap().reference_id, "M5");
        assert!(valid_metric_code("custom_no_shows"));
        assert!(!valid_metric_code("No-Shows"));
        assert!(!valid_metric_code("made_up"));
    }

    #[test]
    fn plan_validation_and_progress() {
        let mut p = MetricsPlan::default();
        assert_eq!(p.progress(), 0.0);
        p.chosen = vec!["screening_follow_up".into(), "response".into()];
        assert!((p.progress() - 1.0 / 3.0).abs() < 1e-9);
        p.chosen.push("early_follow_up".into());
        assert_eq!(p.progress(), 0.5);
        p.baseline = Some(Baseline {
            taken_on: date!(2026 - 04 - 01),
            method: BaselineMethod::ChartAudit,
            values: vec![
                MetricValue {
                    metric: "screening_follow_up".into(),
                    value: Some(42.0),
                    note: None,
                },
                MetricValue {
                    metric: "response".into(),
                    value: None,
                    note: Some("PHQ-9 not repeated".into()),
                },
            ],
            caveats: Some("20 charts from the last 3 months".into()),
        });
        assert_eq!(p.progress(), 1.0);
        assert_eq!(p.validate(), Ok(()));

        p.chosen.push("response".into());
        p.chosen.push("vibes".into());
        if let Some(b) = p.baseline.as_mut() {
            b.values.push(MetricValue {
                metric: "early_follow_up".into(),
                value: Some(140.0),
                note: None,
            });
            b.values.push(MetricValue {
                metric: "remission".into(),
                value: Some(10.0),
                note: None,
            });
        }
        let fields: Vec<String> = p
            .validate()
            .unwrap_err()
            .errors
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "chosen[3]",
                "chosen[4]",
                "baseline.values[2].value",
                "baseline.values[3].metric"
            ]
        );
    }
}
