//! The practice's journey (the planner): readiness, choice of model, team, training,
//! workflow, patient engagement, telehealth, goals and the best next step, and the plan as one
//! document. Pure rules over plain data, each citing its source in reference
//! `bhi-planning.md` (and `cocm-billing-registry.md` for caseload sizes and codes).
//!
//! The integration levels and the decision tree are based on the SAMHSA-HRSA CIHS Standard
//! Framework, in our own words; they are never presented as the licensed assessment tool.

pub mod assessment;
pub mod caseload;
pub mod checklist;
pub mod communication;
mod content_en;
mod dates;
pub mod decision_tree;
pub mod engagement;
pub mod goals;
pub mod journey;
pub mod level;
pub mod metrics;
pub mod model;
pub mod next_step;
pub mod plan;
pub mod presets;
pub mod reading_level;
pub mod role_card;
pub mod self_rating;
pub mod team;
pub mod team_gaps;
pub mod telehealth;
pub mod training;
pub mod workflow;

pub use assessment::{ReadinessAssessment, ReadinessChange, ReadinessResult, compare};
pub use caseload::{CaseloadProfile, CaseloadRange, capacity};
pub use checklist::{Checklist, ChecklistItem, ItemStatus};
pub use communication::{Cadence, Communication, ConsultantAssessment, Meeting, MeetingKind};
pub use decision_tree::{TreeAnswers, TreePlacement, TreeQuestion, place};
pub use engagement::{
    ContentKey, ContentView, EditedContent, PatientContent, Topic, check_edit, patient_content,
    practice_content,
};
pub use goals::{GOAL_DAYS, Goal, GoalInput, GoalProgress, GoalStatus};
pub use journey::{Journey, JourneyStage, JourneyStep, RegistrySummary, StepStatus, journey};
pub use level::{Category, Dimension, FRAMEWORK_NOTE, IntegrationLevel};
pub use metrics::{Baseline, METRICS, MetricValue, MetricsPlan};
pub use model::{Alternative, CareModel, ModelInputs, PayerMix, Recommendation, recommend_model};
pub use next_step::{NextAction, NextStep, next_step};
pub use plan::{ModelChoice, PlanDocument, PracticePlan, PracticeProfile, plan_document};
pub use presets::{RegistryDefaults, ScreeningInstrument, Specialty, Weekday, registry_defaults};
pub use reading_level::flesch_kincaid_grade;
pub use role_card::{RoleCard, StepRef, role_cards};
pub use self_rating::{RatingConsensus, Respondent, SelfRating, consensus};
pub use team::{Employment, Fte, TeamMember, TeamMemberId, TeamMemberInput};
pub use team_gaps::{Severity, TeamGap, TeamGapKind, team_capacity, team_gaps};
pub use telehealth::{
    Modality, TelehealthContact, TelehealthRules, TelehealthWarning, telehealth_warnings,
};
pub use training::{
    DueReason, DueStatus, TrainingDue, TrainingPlan, TrainingSettings, default_training_plan,
    training_completion, training_due,
};
pub use workflow::{WorkflowPlan, WorkflowStep, default_workflow, validate_workflow};

#[cfg(test)]
mod scenario_tests;
