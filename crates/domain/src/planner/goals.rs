//! 90-day goals, each tied to one metric, with progress that counts partial improvement
//! (reference bhi-planning.md §9 "Goals & next steps" [P]: "progress over perfection", 90-day
//! goals tied to one metric each, 6-month review; §5.4 step 7: trend, not pass/fail).

use super::metrics::{metric, valid_metric_code};
use crate::codes::code_enum;
use crate::error::ValidationError;
use serde::{Deserialize, Serialize};
use time::{Date, Duration};

/// Days from setting a goal to its default due date.
pub const GOAL_DAYS: i64 = 90;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Goal {
    /// A metric code from the catalogue, or `custom_…`.
    pub metric: String,
    pub description: String,
    /// The metric's value when the goal was set, if measured.
    pub baseline: Option<f64>,
    pub target: f64,
    /// The latest measured value.
    #[serde(default)]
    pub current: Option<f64>,
    #[serde(with = "super::dates")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub set_on: Date,
    #[serde(with = "super::dates")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub due_on: Date,
}

/// Raw goal input.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct GoalInput {
    pub metric: String,
    pub description: String,
    #[serde(default)]
    pub baseline: Option<f64>,
    pub target: f64,
    /// `YYYY-MM-DD`; 90 days after `today` when absent.
    #[serde(default)]
    pub due_on: Option<String>,
}

impl GoalInput {
    /// A goal set on `today`.
    pub fn parse(&self, today: Date) -> Result<Goal, ValidationError> {
        let mut errors = ValidationError::new();
        let code = self.metric.trim();
        if !valid_metric_code(code) {
            errors.push(
                "metric",
                "choose a metric from the catalogue, or a practice metric starting with custom_",
            );
        }
        let description = self.description.trim();
        if description.is_empty() || description.chars().count() > 300 {
            errors.push("description", "must be 1 to 300 characters");
        }
        let percent = metric(code).is_some_and(|m| m.unit == super::metrics::MetricUnit::Percent);
        let in_range = |v: f64| v.is_finite() && v >= 0.0 && (!percent || v <= 100.0);
        if !in_range(self.target) {
            errors.push("target", "must be a number in the metric's range");
        }
        if self.baseline.is_some_and(|b| !in_range(b)) {
            errors.push("baseline", "must be a number in the metric's range");
        }
        let due_on = match self.due_on.as_deref() {
            None | Some("") => Some(today + Duration::days(GOAL_DAYS)),
            Some(raw) => errors.check(crate::patient::parse_date("due_on", raw)),
        };
        if let Some(d) = due_on
            && (d <= today || d > today + Duration::days(366))
        {
            errors.push("due_on", "must be within the next year");
        }
        if self.baseline == Some(self.target) {
            errors.push("target", "must differ from the baseline");
        }
        match due_on {
            Some(due_on) if errors.is_empty() => Ok(Goal {
                metric: code.to_owned(),
                description: description.to_owned(),
                baseline: self.baseline,
                target: self.target,
                current: None,
                set_on: today,
                due_on,
            }),
            _ => Err(errors),
        }
    }
}

code_enum! {
    pub enum GoalStatus ("goal status") {
        /// No value measured since the goal was set.
        NotMeasured = "not_measured",
        InProgress = "in_progress",
        Achieved = "achieved",
        /// Past the due date and not achieved: review it, keep the progress made.
        PastDue = "past_due",
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GoalProgress {
    pub status: GoalStatus,
    /// Share of the way from baseline to target, in [0, 1]; `None` without both values.
    pub progress: Option<f64>,
    pub days_left: i64,
}

impl Goal {
    /// Reached: at or beyond the target, in the direction from the baseline (or, without a
    /// baseline, the metric's direction; higher is better by default).
    pub fn reached(&self) -> bool {
        let Some(current) = self.current else {
            return false;
        };
        let lower_better = match self.baseline {
            Some(b) => self.target < b,
            None => metric(&self.metric)
                .is_some_and(|m| m.direction == super::metrics::Direction::LowerIsBetter),
        };
        if lower_better {
            current <= self.target
        } else {
            current >= self.target
        }
    }

    pub fn progress(&self, today: Date) -> GoalProgress {
        let progress = match (self.baseline, self.current) {
            (Some(b), Some(c)) if self.target != b => {
                Some(((c - b) / (self.target - b)).clamp(0.0, 1.0))
            }
            _ => None,
        };
        let status = if self.reached() {
            GoalStatus::Achieved
        } else if today > self.due_on {
            GoalStatus::PastDue
        } else if self.current.is_none() {
            GoalStatus::NotMeasured
        } else {
            GoalStatus::InProgress
        };
        GoalProgress {
            status,
            progress: if status == GoalStatus::Achieved {
                Some(1.0)
            } else {
                progress
            },
            days_left: (self.due_on - today).whole_days(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 04 - 01);

    fn input() -> GoalInput {
        GoalInput {
            metric: "early_follow_up".into(),
            description: "Call every new patient within 4 weeks".into(),
            baseline: Some(40.0),
            target: 80.0,
            due_on: None,
        }
    }

    #[test]
    fn goals_default_to_90_days() {
        let g = input().parse(TODAY).unwrap();
        assert_eq!(g.due_on, date!(2026 - 06 - 30));
        assert_eq!(g.progress(TODAY).status, GoalStatus::NotMeasured);
        assert_eq!(g.progress(TODAY).days_left, 90);
    }

    #[test]
    fn bad_goals_are_refused_field_by_field() {
        let bad = GoalInput {
            metric: "happiness".into(),
            description: "".into(),
            baseline: Some(-1.0),
            target: f64::NAN,
            due_on: Some("2026-03-01".into()),
        };
        let fields: Vec<String> = bad
            .parse(TODAY)
            .unwrap_err()
            .errors
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            ["metric", "description", "target", "baseline", "due_on"]
        );
        let over = GoalInput {
            target: 120.0,
            ..input()
        };
        assert_eq!(over.parse(TODAY).unwrap_err().errors[0].field, "target");
        let same = GoalInput {
            target: 40.0,
            ..input()
        };
        assert_eq!(same.parse(TODAY).unwrap_err().errors[0].field, "target");
    }

    /// (baseline, target, current, today) → (status, progress)
    #[test]
    fn partial_progress_counts() {
        let cases = [
            (
                Some(40.0),
                80.0,
                Some(60.0),
                TODAY,
                GoalStatus::InProgress,
                Some(0.5),
            ),
            (
                Some(40.0),
                80.0,
                Some(85.0),
                TODAY,
                GoalStatus::Achieved,
                Some(1.0),
            ),
            (
                Some(40.0),
                80.0,
                Some(30.0),
                TODAY,
                GoalStatus::InProgress,
                Some(0.0),
            ),
            (
                Some(40.0),
                80.0,
                Some(70.0),
                date!(2026 - 07 - 15),
                GoalStatus::PastDue,
                Some(0.75),
            ),
            (
                Some(21.0),
                14.0,
                Some(17.5),
                TODAY,
                GoalStatus::InProgress,
                Some(0.5),
            ),
            (
                Some(21.0),
                14.0,
                Some(14.0),
                TODAY,
                GoalStatus::Achieved,
                Some(1.0),
            ),
            (None, 80.0, Some(50.0), TODAY, GoalStatus::InProgress, None),
        ];
        for (baseline, target, current, today, status, progress) in cases {
            let g = Goal {
                metric: "early_follow_up".into(),
                description: "x".into(),
                baseline,
                target,
                current,
                set_on: TODAY,
                due_on: date!(2026 - 06 - 30),
            };
            let p = g.progress(today);
            assert_eq!(
                (p.status, p.progress),
                (status, progress),
                "{baseline:?} {target} {current:?}"
            );
        }
    }

    #[test]
    fn without_a_baseline_the_metric_gives_the_direction() {
        let g = Goal {
            metric: "days_to_first_contact".into(),
            description: "x".into(),
            baseline: None,
            target: 7.0,
            current: Some(6.0),
            set_on: TODAY,
            due_on: date!(2026 - 06 - 30),
        };
        assert!(g.reached());
    }

    proptest! {
        #[test]
        fn progress_is_a_fraction(b in 0.0f64..100.0, t in 0.0f64..100.0, c in 0.0f64..100.0, day in 0i64..200) {
            prop_assume!((b - t).abs() > 1e-6);
            let g = Goal {
                metric: "response".into(),
                description: "x".into(),
                baseline: Some(b),
                target: t,
                current: Some(c),
                set_on: TODAY,
                due_on: TODAY + Duration::days(90),
            };
            let p = g.progress(TODAY + Duration::days(day)).progress.unwrap();
            prop_assert!((0.0..=1.0).contains(&p));
            if g.reached() {
                prop_assert_eq!(p, 1.0);
            }
        }
    }
}
