//! One-page role cards generated from the workflow plan: per role, the steps it is responsible
//! for, supports, and is kept informed of (reference bhi-planning.md §4.4 [P]).

use super::workflow::WorkflowPlan;
use crate::role::Role;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StepRef {
    pub key: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoleCard {
    pub role: Role,
    pub title: String,
    pub responsible: Vec<StepRef>,
    pub supports: Vec<StepRef>,
    pub informed: Vec<StepRef>,
}

/// A card for every role that appears in the plan, in the order of `Role::ALL`; steps in plan
/// order.
pub fn role_cards(plan: &WorkflowPlan) -> Vec<RoleCard> {
    Role::ALL
        .iter()
        .map(|role| {
            let pick = |column: fn(&super::workflow::WorkflowStep) -> &Vec<Role>| -> Vec<StepRef> {
                plan.steps
                    .iter()
                    .filter(|s| column(s).contains(role))
                    .map(|s| StepRef {
                        key: s.key.clone(),
                        name: s.name.clone(),
                    })
                    .collect()
            };
            RoleCard {
                role: *role,
                title: role.label().to_owned(),
                responsible: pick(|s| &s.responsible),
                supports: pick(|s| &s.supporting),
                informed: pick(|s| &s.informed),
            }
        })
        .filter(|c| !(c.responsible.is_empty() && c.supports.is_empty() && c.informed.is_empty()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::planner::model::CareModel;
    use crate::planner::workflow::{CRISIS_STEP, default_workflow};
    use time::macros::date;

    fn keys(v: &[StepRef]) -> Vec<&str> {
        v.iter().map(|s| s.key.as_str()).collect()
    }

    #[test]
    fn cards_follow_the_plan() {
        let plan = default_workflow(CareModel::Cocm, date!(2026 - 03 - 02));
        let cards = role_cards(&plan);
        assert_eq!(cards.len(), Role::ALL.len());
        let psych = cards.iter().find(|c| c.role == Role::Psychiatrist).unwrap();
        assert_eq!(keys(&psych.responsible), ["caseload_review"]);
        assert!(keys(&psych.supports).contains(&CRISIS_STEP));
        let billing = cards.iter().find(|c| c.role == Role::Billing).unwrap();
        assert_eq!(keys(&billing.responsible), ["time_and_billing"]);
        assert!(billing.supports.is_empty() && billing.informed.is_empty());
        let admin = cards
            .iter()
            .find(|c| c.role == Role::PracticeAdmin)
            .unwrap();
        assert_eq!(keys(&admin.responsible), ["metrics_review"]);
    }

    #[test]
    fn every_assignment_appears_on_exactly_one_card_column() {
        let plan = default_workflow(CareModel::Coordinated, date!(2026 - 03 - 02));
        let cards = role_cards(&plan);
        assert!(!cards.iter().any(|c| c.role == Role::Psychiatrist));
        let on_cards: usize = cards
            .iter()
            .map(|c| c.responsible.len() + c.supports.len() + c.informed.len())
            .sum();
        let in_plan: usize = plan
            .steps
            .iter()
            .map(|s| s.responsible.len() + s.supporting.len() + s.informed.len())
            .sum();
        assert_eq!(on_cards, in_plan);
    }
}
