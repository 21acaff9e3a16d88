//! The journey view: every step of the plan with its status and partial progress ("progress
//! over perfection", AMA guidance for private practices; reference bhi-planning.md §9), and the
//! one recommended next step.

use super::checklist::ChecklistItem;
use super::model::CareModel;
use super::next_step::{NextStep, next_step};
use super::plan::PracticePlan;
use super::team::has_role;
use super::training::training_completion;
use super::workflow::validate_workflow;
use crate::codes::code_enum;
use crate::role::Role;
use serde::{Deserialize, Serialize};
use time::Date;

/// What the registry knows today, summarized by the store for the planner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct RegistrySummary {
    /// Patients screened in the last 30 days.
    pub screened_last_30_days: u32,
    /// Open episodes (enrolled, active or in relapse prevention).
    pub enrolled_patients: u32,
    /// Safety flags nobody has reviewed yet.
    pub unreviewed_safety_alerts: u32,
    /// In treatment over 12 weeks without a 50 % improvement.
    pub waiting_over_12_weeks_without_improvement: u32,
    /// Patients on the next case-review list (new or not improving).
    pub awaiting_case_review: u32,
    #[serde(with = "super::dates::option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub last_case_review_on: Option<Date>,
    pub follow_ups_overdue: u32,
    /// Entries on the referral call list, and how many are crisis resources.
    pub call_list_entries: u32,
    pub crisis_resources: u32,
}

code_enum! {
    /// The journey, in the order a practice usually walks it (§9; AIMS phases, §3.2).
    pub enum JourneyStage ("journey stage") {
        Readiness = "readiness",
        Model = "model",
        Team = "team",
        Workflow = "workflow",
        Training = "training",
        CommunityResources = "community_resources",
        Billing = "billing",
        Metrics = "metrics",
        Goals = "goals",
        Launch = "launch",
    }
}

impl JourneyStage {
    pub fn label(self) -> &'static str {
        match self {
            JourneyStage::Readiness => "Assess readiness",
            JourneyStage::Model => "Choose a model",
            JourneyStage::Team => "Assemble the team",
            JourneyStage::Workflow => "Write the workflow",
            JourneyStage::Training => "Prepare and train",
            JourneyStage::CommunityResources => "Community resources",
            JourneyStage::Billing => "Payment and billing",
            JourneyStage::Metrics => "Baseline and metrics",
            JourneyStage::Goals => "Goals",
            JourneyStage::Launch => "Launch care",
        }
    }
}

code_enum! {
    pub enum StepStatus ("step status") {
        NotStarted = "not_started",
        InProgress = "in_progress",
        Done = "done",
    }
}

impl StepStatus {
    pub fn of(progress: f64) -> Self {
        if progress >= 1.0 {
            StepStatus::Done
        } else if progress > 0.0 {
            StepStatus::InProgress
        } else {
            StepStatus::NotStarted
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JourneyStep {
    pub stage: JourneyStage,
    pub label: String,
    pub status: StepStatus,
    /// In [0, 1]; partial work counts.
    pub progress: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Journey {
    pub steps: Vec<JourneyStep>,
    /// Mean progress of the steps, in [0, 1].
    pub progress: f64,
    pub next: NextStep,
}

fn fraction(met: usize, of: usize) -> f64 {
    if of == 0 { 1.0 } else { met as f64 / of as f64 }
}

/// Progress of one stage, in [0, 1].
pub fn stage_progress(
    stage: JourneyStage,
    plan: &PracticePlan,
    summary: &RegistrySummary,
    today: Date,
) -> f64 {
    let latest = plan.latest_readiness();
    match stage {
        JourneyStage::Readiness => latest.map_or(0.0, |r| {
            let parts = [
                r.ratings.modal_level.is_some(),
                r.tree.level.is_some(),
                !r.checklist.0.is_empty(),
            ];
            fraction(parts.iter().filter(|p| **p).count(), parts.len())
        }),
        JourneyStage::Model => {
            if plan.model.is_some() {
                1.0
            } else {
                0.0
            }
        }
        JourneyStage::Team => {
            if plan.team.is_empty() {
                return 0.0;
            }
            let mut needs = vec![plan.team.iter().any(|m| m.champion)];
            if plan.chosen_model() == Some(CareModel::Cocm) {
                needs.push(has_role(&plan.team, Role::CareManager));
                needs.push(has_role(&plan.team, Role::Psychiatrist));
            }
            fraction(needs.iter().filter(|n| **n).count(), needs.len())
        }
        JourneyStage::Workflow => match &plan.workflow {
            None => 0.0,
            Some(w) if validate_workflow(w).is_ok() => 1.0,
            Some(_) => 0.5,
        },
        JourneyStage::Training => {
            if plan.team.is_empty() || plan.training.modules.is_empty() {
                0.0
            } else {
                training_completion(&plan.training, &plan.team, today)
            }
        }
        JourneyStage::CommunityResources => {
            if summary.crisis_resources > 0 {
                1.0
            } else if summary.call_list_entries > 0 {
                0.5
            } else {
                0.0
            }
        }
        JourneyStage::Billing => latest.map_or(0.0, |r| {
            r.checklist.status(ChecklistItem::BillingPlan).credit()
        }),
        JourneyStage::Metrics => plan.metrics.progress(),
        JourneyStage::Goals => {
            if plan.goals.is_empty() {
                0.0
            } else {
                1.0
            }
        }
        JourneyStage::Launch => {
            let screening = summary.screened_last_30_days > 0 || summary.enrolled_patients > 0;
            0.5 * (screening as u8 as f64) + 0.5 * ((summary.enrolled_patients > 0) as u8 as f64)
        }
    }
}

/// Every stage with its status, overall progress, and the best next step.
pub fn journey(plan: &PracticePlan, summary: &RegistrySummary, today: Date) -> Journey {
    let steps: Vec<JourneyStep> = JourneyStage::ALL
        .iter()
        .map(|stage| {
            let progress = stage_progress(*stage, plan, summary, today);
            JourneyStep {
                stage: *stage,
                label: stage.label().to_owned(),
                status: StepStatus::of(progress),
                progress,
            }
        })
        .collect();
    let progress = steps.iter().map(|s| s.progress).sum::<f64>() / steps.len() as f64;
    Journey {
        steps,
        progress,
        next: next_step(plan, summary, today),
    }
}
