//! The practice's plan as one serializable document: readiness history, model, team, training,
//! workflow, metrics and goals. The store keeps it; the API returns it as JSON, with the facts
//! derived from it (`PlanDocument`).

use super::assessment::{ReadinessAssessment, ReadinessChange, ReadinessResult, compare};
use super::caseload::{CaseloadProfile, CaseloadRange};
use super::checklist::Checklist;
use super::communication::Communication;
use super::decision_tree::RespondentAnswers;
use super::engagement::{ContentView, EditedContent, practice_content, validate_edits};
use super::goals::{Goal, GoalProgress};
use super::journey::{Journey, RegistrySummary, journey};
use super::level::FRAMEWORK_NOTE;
use super::metrics::MetricsPlan;
use super::model::{CareModel, ModelInputs, PayerMix, Recommendation, recommend_model};
use super::presets::{RegistryDefaults, Specialty, registry_defaults};
use super::role_card::{RoleCard, role_cards};
use super::self_rating::{Respondent, SelfRating};
use super::team::TeamMember;
use super::team_gaps::{TeamGap, team_capacity, team_gaps};
use super::training::{TrainingDue, TrainingPlan, default_training_plan, training_due};
use super::workflow::{WorkflowPlan, validate_workflow};
use crate::error::ValidationError;
use serde::{Deserialize, Serialize};
use time::Date;

/// What the practice is: size, payers, specialty, population.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PracticeProfile {
    /// Treating practitioners, at most [`MAX_PRACTITIONERS`].
    #[cfg_attr(feature = "openapi", schema(maximum = 10_000))]
    pub practitioners: u32,
    /// Patients of the practice, at most [`MAX_PATIENTS`].
    #[cfg_attr(feature = "openapi", schema(maximum = 10_000_000))]
    pub patients: u32,
    pub payer_mix: PayerMix,
    pub specialty: Specialty,
    pub caseload: CaseloadProfile,
}

/// More practitioners than any small or medium practice has: a typing error, refused.
pub const MAX_PRACTITIONERS: u32 = 10_000;
/// More patients than any small or medium practice has: a typing error, refused.
pub const MAX_PATIENTS: u32 = 10_000_000;

impl PracticeProfile {
    fn validate(&self) -> Result<(), ValidationError> {
        let mut errors = ValidationError::new();
        if self.practitioners > MAX_PRACTITIONERS {
            errors.push("practitioners", "must be at most 10,000");
        }
        if self.patients > MAX_PATIENTS {
            errors.push("patients", "must be at most 10,000,000");
        }
        if let Err(e) = self.payer_mix.validate() {
            errors.errors.extend(e.errors);
        }
        errors.into_result()
    }
}

impl Default for PracticeProfile {
    fn default() -> Self {
        Self {
            practitioners: 0,
            patients: 0,
            payer_mix: PayerMix::default(),
            specialty: Specialty::PrimaryCare,
            caseload: CaseloadProfile::default(),
        }
    }
}

/// The model the practice chose and the registry defaults it set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ModelChoice {
    pub model: CareModel,
    #[serde(with = "super::dates")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub chosen_on: Date,
    pub registry: RegistryDefaults,
    /// The recommendation shown when the choice was made, kept for the record. The practice
    /// may choose another model.
    pub recommendation: Option<Recommendation>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PracticePlan {
    #[serde(default)]
    pub profile: PracticeProfile,
    /// Every assessment taken, in any order.
    #[serde(default)]
    pub readiness: Vec<ReadinessAssessment>,
    #[serde(default)]
    pub model: Option<ModelChoice>,
    #[serde(default)]
    pub team: Vec<TeamMember>,
    #[serde(default)]
    pub training: TrainingPlan,
    #[serde(default)]
    pub workflow: Option<WorkflowPlan>,
    #[serde(default)]
    pub metrics: MetricsPlan,
    #[serde(default)]
    pub goals: Vec<Goal>,
    /// Standing meetings with their notes, and an outside consultant's assessment.
    #[serde(default)]
    pub communication: Communication,
    /// The practice's own patient texts; an item not edited uses the default text.
    #[serde(default)]
    pub patient_content: Vec<EditedContent>,
}

impl PracticePlan {
    /// Results of every non-empty assessment, oldest first.
    pub fn readiness_results(&self) -> Vec<ReadinessResult> {
        let mut taken: Vec<&ReadinessAssessment> =
            self.readiness.iter().filter(|a| !a.is_empty()).collect();
        taken.sort_by_key(|a| a.assessed_on);
        taken.into_iter().map(ReadinessAssessment::result).collect()
    }

    pub fn latest_readiness(&self) -> Option<ReadinessResult> {
        self.readiness_results().pop()
    }

    /// From the first assessment to the latest, when there are two.
    pub fn readiness_change(&self) -> Option<ReadinessChange> {
        let results = self.readiness_results();
        match (results.first(), results.last()) {
            (Some(a), Some(b)) if results.len() > 1 => Some(compare(a, b)),
            _ => None,
        }
    }

    /// The assessment taken on `on`, added when there is none: the respondents who rate, the
    /// answers to the tree and the checklist of one day make one assessment, and a later day
    /// starts the next one, so the history of results is kept (bhi-planning.md §2.1, §5.4:
    /// assessments are repeated measures).
    pub fn assessment_on(&mut self, on: Date) -> &mut ReadinessAssessment {
        match self.readiness.iter().position(|a| a.assessed_on == on) {
            Some(i) => &mut self.readiness[i],
            None => {
                self.readiness.push(ReadinessAssessment {
                    assessed_on: on,
                    self_ratings: Vec::new(),
                    tree: Vec::new(),
                    checklist: Checklist::default(),
                });
                let last = self.readiness.len() - 1;
                &mut self.readiness[last]
            }
        }
    }

    /// Record one respondent's self-rating on `on`. A respondent who already rated that day is
    /// replaced (names compared ignoring case and surrounding spaces): one person, one view.
    pub fn record_self_rating(&mut self, on: Date, rating: SelfRating) {
        let ratings = &mut self.assessment_on(on).self_ratings;
        match ratings
            .iter_mut()
            .find(|r| same_person(&r.respondent, &rating.respondent))
        {
            Some(r) => *r = rating,
            None => ratings.push(rating),
        }
    }

    /// Record one respondent's answers to the decision tree on `on`, replacing theirs of that day.
    pub fn record_tree_answers(&mut self, on: Date, answers: RespondentAnswers) {
        let tree = &mut self.assessment_on(on).tree;
        match tree
            .iter_mut()
            .find(|r| same_person(&r.respondent, &answers.respondent))
        {
            Some(r) => *r = answers,
            None => tree.push(answers),
        }
    }

    /// The checklist as it stands on `on`: that day's when it was ticked, else the latest one
    /// before it, carried forward so nobody ticks the same items twice.
    pub fn checklist_on(&self, on: Date) -> Checklist {
        self.readiness
            .iter()
            .filter(|a| a.assessed_on <= on && !a.checklist.0.is_empty())
            .max_by_key(|a| a.assessed_on)
            .map(|a| a.checklist.clone())
            .unwrap_or_default()
    }

    pub fn model_inputs(&self) -> ModelInputs {
        ModelInputs::from_roster(
            self.latest_readiness().and_then(|r| r.level),
            &self.team,
            self.profile.practitioners,
            self.profile.patients,
            self.profile.payer_mix,
        )
    }

    pub fn recommendation(&self) -> Recommendation {
        recommend_model(&self.model_inputs())
    }

    pub fn chosen_model(&self) -> Option<CareModel> {
        self.model.as_ref().map(|m| m.model)
    }

    /// Choose `model` on `today`: records the recommendation of the day, sets the registry
    /// defaults for the practice's specialty and, when the plan has no curriculum yet, the
    /// default training modules. The workflow is left to the team (start from
    /// `default_workflow`).
    pub fn choose_model(&mut self, model: CareModel, today: Date) {
        self.model = Some(ModelChoice {
            model,
            chosen_on: today,
            registry: registry_defaults(model, self.profile.specialty),
            recommendation: Some(self.recommendation()),
        });
        if self.training.modules.is_empty() {
            self.training.modules = default_training_plan(model).modules;
        }
    }

    /// Team gaps for the chosen model (coordinated care when none is chosen yet).
    pub fn team_gaps(&self, summary: &RegistrySummary) -> Vec<TeamGap> {
        team_gaps(
            &self.team,
            self.chosen_model().unwrap_or(CareModel::Coordinated),
            summary.enrolled_patients,
            self.profile.caseload,
        )
    }

    /// Every problem in the parts a person edits, with nested field names.
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut errors = ValidationError::new();
        let mut nested = |prefix: &str, r: Result<(), ValidationError>| {
            if let Err(e) = r {
                errors.errors.extend(e.nested(prefix).errors);
            }
        };
        nested("profile", self.profile.validate());
        if let Some(m) = &self.model {
            nested("model.registry", m.registry.validate());
        }
        if let Some(w) = &self.workflow {
            nested("workflow", validate_workflow(w));
        }
        nested("metrics", self.metrics.validate());
        nested("training", self.training.validate());
        nested("communication", self.communication.validate());
        if let Err(e) = validate_edits(&self.patient_content) {
            errors.errors.extend(e.errors);
        }
        errors.into_result()
    }
}

fn same_person(a: &Respondent, b: &Respondent) -> bool {
    a.name.trim().to_lowercase() == b.name.trim().to_lowercase()
}

/// The plan with everything derived from it, as the API returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanDocument {
    pub plan: PracticePlan,
    pub readiness_results: Vec<ReadinessResult>,
    pub readiness_change: Option<ReadinessChange>,
    pub recommendation: Recommendation,
    pub team_gaps: Vec<TeamGap>,
    pub caseload_capacity: CaseloadRange,
    pub training_due: Vec<TrainingDue>,
    pub role_cards: Vec<RoleCard>,
    pub goals: Vec<GoalProgress>,
    pub journey: Journey,
    /// The patient texts in English as the practice shows them (its edits or the defaults).
    pub patient_content: Vec<ContentView>,
    /// Shown with any level or assessment: based on the CIHS framework, not a licensed tool.
    pub framework_note: String,
}

pub fn plan_document(plan: &PracticePlan, summary: &RegistrySummary, today: Date) -> PlanDocument {
    PlanDocument {
        readiness_results: plan.readiness_results(),
        readiness_change: plan.readiness_change(),
        recommendation: plan.recommendation(),
        team_gaps: plan.team_gaps(summary),
        caseload_capacity: team_capacity(&plan.team, plan.profile.caseload),
        training_due: training_due(&plan.training, &plan.team, today),
        role_cards: plan.workflow.as_ref().map(role_cards).unwrap_or_default(),
        goals: plan.goals.iter().map(|g| g.progress(today)).collect(),
        journey: journey(plan, summary, today),
        patient_content: practice_content(&plan.patient_content, "en"),
        framework_note: FRAMEWORK_NOTE.to_owned(),
        plan: plan.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::planner::checklist::{ChecklistItem, ItemStatus};
    use crate::planner::decision_tree::TreeQuestion;
    use crate::planner::level::{Dimension, IntegrationLevel};
    use time::macros::date;

    fn rating(name: &str, level: u8) -> SelfRating {
        SelfRating {
            respondent: Respondent {
                name: name.into(),
                role: None,
            },
            ratings: [(Dimension::Systems, IntegrationLevel::new(level).unwrap())]
                .into_iter()
                .collect(),
        }
    }

    /// Found by Schemathesis: 2,147,483,648 practitioners was saved.
    #[test]
    fn an_impossible_practice_size_is_refused() {
        let mut plan = PracticePlan::default();
        plan.profile.practitioners = MAX_PRACTITIONERS;
        plan.profile.patients = MAX_PATIENTS;
        assert!(plan.validate().is_ok());
        plan.profile.practitioners = MAX_PRACTITIONERS + 1;
        plan.profile.patients = u32::MAX;
        let fields: Vec<String> = plan
            .validate()
            .unwrap_err()
            .errors
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["profile.practitioners", "profile.patients"]);
    }

    #[test]
    fn one_day_makes_one_assessment_and_a_respondent_rates_once_a_day() {
        let mut plan = PracticePlan::default();
        let day1 = date!(2026 - 01 - 10);
        let day2 = date!(2026 - 07 - 10);
        plan.record_self_rating(day1, rating("Dr A", 2));
        plan.record_self_rating(day1, rating("BHCM", 4));
        plan.record_self_rating(day1, rating(" dr a ", 3));
        plan.record_tree_answers(
            day1,
            RespondentAnswers {
                respondent: Respondent {
                    name: "Dr A".into(),
                    role: None,
                },
                answers: [(TreeQuestion::SameSite, false)].into_iter().collect(),
            },
        );
        assert_eq!(plan.readiness.len(), 1);
        let a = &plan.readiness[0];
        assert_eq!(a.self_ratings.len(), 2);
        assert_eq!(a.self_ratings[0].respondent.name, " dr a ");
        assert_eq!(a.tree.len(), 1);

        plan.record_self_rating(day2, rating("Dr A", 5));
        assert_eq!(plan.readiness.len(), 2);
        assert_eq!(plan.readiness_results().len(), 2);
        assert!(plan.readiness_change().is_some());
    }

    #[test]
    fn the_checklist_carries_forward_to_a_later_day() {
        let mut plan = PracticePlan::default();
        let day1 = date!(2026 - 01 - 10);
        assert!(plan.checklist_on(day1).0.is_empty());
        let mut c = Checklist::default();
        c.set(ChecklistItem::Registry, ItemStatus::Done);
        plan.assessment_on(day1).checklist = c.clone();
        assert_eq!(plan.checklist_on(date!(2026 - 03 - 01)), c);
        assert!(plan.checklist_on(date!(2026 - 01 - 09)).0.is_empty());
    }
}
