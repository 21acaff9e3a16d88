//! The practice's journey (the planner): readiness, choice of model, team, training,
//! workflow, patient engagement, telehealth, goals and the best next step, and the plan as one
//! document. Pure rules over plain data, each citing its source in reference
//! `bhi-planning.md` (and `cocm-billing-registry.md` for caseload sizes and codes).
//!
//! The integration levels and the decision tree are based on the SAMHSA-HRSA CIHS Standard
//! Framework, in our own words; they are never presented as the licensed assessment tool.

pub mod assessment;
pub mod checklist;
mod dates;
pub mod decision_tree;
pub mod level;
pub mod self_rating;

pub use assessment::{ReadinessAssessment, ReadinessChange, ReadinessResult, compare};
pub use checklist::{Checklist, ChecklistItem, ItemStatus};
pub use decision_tree::{TreeAnswers, TreePlacement, TreeQuestion, place};
pub use level::{Category, Dimension, FRAMEWORK_NOTE, IntegrationLevel};
pub use self_rating::{RatingConsensus, Respondent, SelfRating, consensus};
