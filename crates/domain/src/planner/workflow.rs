//! The workflow plan: steps × roles (responsible, supporting, informed), seeded per model from
//! the default table of reference bhi-planning.md §4.2 [P], reviewed every six months (AIMS
//! Nurture care, §3.2 [V]). Versions are kept by the store; the plan carries its number.

use super::model::CareModel;
use crate::calendar::add_months;
use crate::error::ValidationError;
use crate::role::Role;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use time::Date;

/// The step every plan must have: what to do when a patient is at risk of suicide or in crisis
/// (AIMS workflow phase 1, "a protocol for suicidality found at screening", §4.1 [V]; AMA
/// workflow guide on crisis protocols, §3.4 [V]).
pub const CRISIS_STEP: &str = "crisis_protocol";

/// Weekly caseload review with the psychiatric consultant: required for Collaborative Care
/// (CPT 99492/99493 elements, cocm-billing-registry.md §2.1, §9.8).
pub const CASELOAD_REVIEW_STEP: &str = "caseload_review";

/// Months between workflow reviews (AIMS: revisit the clinical flowchart every six months).
pub const REVIEW_MONTHS: i32 = 6;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkflowStep {
    /// Stable key within the plan (snake_case); default steps use the keys of `DEFAULT_STEPS`.
    pub key: String,
    pub name: String,
    pub responsible: Vec<Role>,
    #[serde(default)]
    pub supporting: Vec<Role>,
    #[serde(default)]
    pub informed: Vec<Role>,
    /// Where the step comes from, for default steps.
    #[serde(default)]
    pub basis: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkflowPlan {
    pub model: CareModel,
    /// 1 for the first plan; the store increments it on each saved change.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 1_000_000))]
    pub version: u32,
    #[serde(with = "super::dates")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub effective_on: Date,
    #[serde(with = "super::dates")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub review_on: Date,
    pub steps: Vec<WorkflowStep>,
}

impl WorkflowPlan {
    pub fn step(&self, key: &str) -> Option<&WorkflowStep> {
        self.steps.iter().find(|s| s.key == key)
    }

    pub fn review_due(&self, today: Date) -> bool {
        today >= self.review_on
    }
}

/// A row of the default table.
struct DefaultStep {
    key: &'static str,
    name: &'static str,
    r: &'static [Role],
    s: &'static [Role],
    i: &'static [Role],
    /// Models that use the step.
    models: &'static [CareModel],
}

use CareModel::{CoLocation as CL, Cocm as CC, Coordinated as CO, Integrated as IN};
use Role::{
    Billing as BL, CareManager as CM, FrontDesk as FD, MaNurse as MA, PracticeAdmin as AD,
    Psychiatrist as PS, TreatingPractitioner as TP,
};

const ALL: &[CareModel] = &[CO, CL, IN, CC];
const ON_SITE: &[CareModel] = &[CL, IN, CC];

/// Reference bhi-planning.md §4.2, rows 1–16 (front desk/admin split into front desk and
/// billing for step 15; champion/manager is the practice administrator).
const DEFAULT_STEPS: [DefaultStep; 16] = [
    DefaultStep {
        key: "previsit_identification",
        name: "Pre-visit identification (registry, screens due)",
        r: &[MA],
        s: &[CM, FD],
        i: &[TP, AD],
        models: ALL,
    },
    DefaultStep {
        key: "screening",
        name: "Screening (PHQ-2/9, GAD-2/7, AUDIT-C)",
        r: &[MA],
        s: &[FD],
        i: &[TP],
        models: ALL,
    },
    DefaultStep {
        key: "score_and_safety_check",
        name: "Score, flag, check the suicide item",
        r: &[MA],
        s: &[TP, CM],
        i: &[],
        models: ALL,
    },
    DefaultStep {
        key: "assessment_and_diagnosis",
        name: "Practitioner's brief assessment and diagnosis",
        r: &[TP],
        s: &[MA, CM],
        i: &[],
        models: ALL,
    },
    DefaultStep {
        key: "handoff",
        name: "Warm handoff or referral",
        r: &[TP, CM],
        s: &[MA, FD],
        i: &[],
        models: ALL,
    },
    DefaultStep {
        key: "consent_enrollment",
        name: "Consent and registry enrollment",
        r: &[CM],
        s: &[TP, MA, FD],
        i: &[],
        models: ALL,
    },
    DefaultStep {
        key: "initial_assessment",
        name: "Behavioral health initial assessment, provisional diagnosis",
        r: &[CM],
        s: &[TP, PS],
        i: &[],
        models: ON_SITE,
    },
    DefaultStep {
        key: "treatment_plan",
        name: "Treatment plan (medication, brief therapy, referral)",
        r: &[TP, CM],
        s: &[PS],
        i: &[],
        models: ON_SITE,
    },
    DefaultStep {
        key: "follow_up",
        name: "Follow-up contacts and repeat measurement",
        r: &[CM],
        s: &[MA],
        i: &[TP],
        models: ALL,
    },
    DefaultStep {
        key: CASELOAD_REVIEW_STEP,
        name: "Systematic caseload review (weekly)",
        r: &[CM, PS],
        s: &[],
        i: &[TP],
        models: &[CC],
    },
    DefaultStep {
        key: "treatment_adjustment",
        name: "Treatment adjustment",
        r: &[TP],
        s: &[CM, PS],
        i: &[],
        models: ALL,
    },
    DefaultStep {
        key: CRISIS_STEP,
        name: "Crisis and suicidality protocol",
        r: &[TP, CM],
        s: &[MA, PS, FD],
        i: &[AD],
        models: ALL,
    },
    DefaultStep {
        key: "referral_closed_loop",
        name: "External referral and closed-loop tracking",
        r: &[CM, FD],
        s: &[TP, MA],
        i: &[AD],
        models: ALL,
    },
    DefaultStep {
        key: "relapse_prevention",
        name: "Relapse prevention and episode completion",
        r: &[CM],
        s: &[PS],
        i: &[TP],
        models: ON_SITE,
    },
    DefaultStep {
        key: "time_and_billing",
        name: "Time capture, documentation, billing",
        r: &[TP, BL],
        s: &[CM, PS],
        i: &[AD],
        models: ALL,
    },
    DefaultStep {
        key: "metrics_review",
        name: "Metrics report and workflow review (every 6 months)",
        r: &[AD],
        s: &[TP, MA, CM, PS, FD],
        i: &[],
        models: ALL,
    },
];

const DEFAULT_BASIS: &str = "Default RACI for a small practice, bhi-planning.md §4.2 [P]";

/// Steps a model's plan cannot leave out.
pub fn required_steps(model: CareModel) -> &'static [&'static str] {
    match model {
        CareModel::Cocm => &[CRISIS_STEP, CASELOAD_REVIEW_STEP],
        _ => &[CRISIS_STEP],
    }
}

/// The default plan for `model`, version 1, to review six months after `effective_on`.
/// Without Collaborative Care there is no psychiatric consultant, so that role is left out.
pub fn default_workflow(model: CareModel, effective_on: Date) -> WorkflowPlan {
    let keep = |roles: &[Role]| -> Vec<Role> {
        roles
            .iter()
            .copied()
            .filter(|r| model == CareModel::Cocm || *r != Role::Psychiatrist)
            .collect()
    };
    WorkflowPlan {
        model,
        version: 1,
        effective_on,
        review_on: add_months(effective_on, REVIEW_MONTHS),
        steps: DEFAULT_STEPS
            .iter()
            .filter(|d| d.models.contains(&model))
            .map(|d| WorkflowStep {
                key: d.key.to_owned(),
                name: d.name.to_owned(),
                responsible: keep(d.r),
                supporting: keep(d.s),
                informed: keep(d.i),
                basis: Some(DEFAULT_BASIS.to_owned()),
            })
            .collect(),
    }
}

/// A new stable key made from `name` (lowercase letters, digits and _), with `_2`, `_3`… when
/// `taken` already has it; `fallback` when the name has no letter or digit.
pub(crate) fn new_key(name: &str, fallback: &str, taken: impl Fn(&str) -> bool) -> String {
    let mut base = String::new();
    for c in name.trim().chars() {
        if c.is_ascii_alphanumeric() {
            base.push(c.to_ascii_lowercase());
        } else if !base.ends_with('_') && !base.is_empty() {
            base.push('_');
        }
    }
    base.truncate(40);
    let base = match base.trim_end_matches('_') {
        "" => fallback.to_owned(),
        b => b.to_owned(),
    };
    let mut key = base.clone();
    let mut n = 2;
    while taken(&key) {
        key = format!("{base}_{n}");
        n += 1;
    }
    key
}

impl WorkflowPlan {
    /// Add a step at the end with one responsible role; the team fills in the other parts in
    /// the grid. A new version of the workflow.
    pub fn add_step(&mut self, name: &str, responsible: Role) -> Result<(), ValidationError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(ValidationError::field("name", "must not be empty"));
        }
        let key = new_key(name, "step", |k| self.step(k).is_some());
        self.steps.push(WorkflowStep {
            key,
            name: name.to_owned(),
            responsible: vec![responsible],
            supporting: Vec::new(),
            informed: Vec::new(),
            basis: None,
        });
        self.version += 1;
        Ok(())
    }

    /// Remove the step at `index`. The crisis and suicidality protocol, and any other step the
    /// model requires, cannot be removed (see `required_steps`). A new version of the workflow.
    pub fn remove_step(&mut self, index: usize) -> Result<WorkflowStep, ValidationError> {
        let Some(step) = self.steps.get(index) else {
            return Err(ValidationError::field(
                "step",
                "that step is no longer in the workflow",
            ));
        };
        if step.key == CRISIS_STEP {
            return Err(ValidationError::field(
                "step",
                "The crisis and suicidality protocol cannot be removed: every workflow needs it. \
                 Change who does what in the grid instead.",
            ));
        }
        if required_steps(self.model).contains(&step.key.as_str()) {
            return Err(ValidationError::field(
                "step",
                format!(
                    "'{}' cannot be removed: {} needs it.",
                    step.name,
                    self.model.label()
                ),
            ));
        }
        self.version += 1;
        Ok(self.steps.remove(index))
    }

    /// Move the step at `index` one place up (earlier) or down. A new version of the workflow.
    pub fn move_step(&mut self, index: usize, up: bool) -> Result<(), ValidationError> {
        let other = if up {
            index.checked_sub(1)
        } else {
            index.checked_add(1)
        };
        match other {
            Some(j) if index < self.steps.len() && j < self.steps.len() => {
                self.steps.swap(index, j);
                self.version += 1;
                Ok(())
            }
            _ => Err(ValidationError::field(
                "step",
                if index < self.steps.len() {
                    "that step cannot move further"
                } else {
                    "that step is no longer in the workflow"
                },
            )),
        }
    }
}

fn valid_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 64
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Refuses a plan without its required steps (the crisis protocol first of all), a step
/// nobody is responsible for, or a role in two columns of one step.
pub fn validate_workflow(plan: &WorkflowPlan) -> Result<(), ValidationError> {
    let mut errors = ValidationError::new();
    if plan.version == 0 {
        errors.push("version", "starts at 1");
    } else if plan.version > 1_000_000 {
        errors.push("version", "must be at most 1,000,000");
    }
    if plan.review_on <= plan.effective_on {
        errors.push("review_on", "must be after the effective date");
    }
    for key in required_steps(plan.model) {
        if plan.step(key).is_none() {
            let message = if *key == CRISIS_STEP {
                "The plan needs a crisis and suicidality protocol step (key 'crisis_protocol')"
                    .to_owned()
            } else {
                format!("{} needs the step '{key}'", plan.model.label())
            };
            errors.push("steps", message);
        }
    }
    let mut seen = BTreeSet::new();
    for (n, step) in plan.steps.iter().enumerate() {
        let field = |f: &str| format!("steps[{n}].{f}");
        if !valid_key(&step.key) {
            errors.push(field("key"), "use 1 to 64 lowercase letters, digits or _");
        } else if !seen.insert(step.key.as_str()) {
            errors.push(field("key"), format!("'{}' appears twice", step.key));
        }
        if step.name.trim().is_empty() {
            errors.push(field("name"), "must not be empty");
        }
        if step.responsible.is_empty() {
            errors.push(
                field("responsible"),
                "at least one role must be responsible",
            );
        }
        let mut roles = BTreeSet::new();
        let all = step
            .responsible
            .iter()
            .chain(&step.supporting)
            .chain(&step.informed);
        for role in all {
            if !roles.insert(*role) {
                errors.push(
                    field("roles"),
                    format!("{} appears more than once in this step", role.label()),
                );
            }
        }
    }
    errors.into_result()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const ON: Date = date!(2026 - 03 - 02);

    #[test]
    fn defaults_per_model_are_valid_and_include_the_crisis_protocol() {
        // model → (steps, has caseload review, psychiatrist anywhere)
        let cases = [
            (CareModel::Cocm, 16, true, true),
            (CareModel::Integrated, 15, false, false),
            (CareModel::CoLocation, 15, false, false),
            (CareModel::Coordinated, 12, false, false),
        ];
        for (model, steps, review, psych) in cases {
            let p = default_workflow(model, ON);
            assert_eq!(p.steps.len(), steps, "{model}");
            assert!(p.step(CRISIS_STEP).is_some());
            assert_eq!(p.step(CASELOAD_REVIEW_STEP).is_some(), review, "{model}");
            let has_psych = p.steps.iter().any(|s| {
                s.responsible
                    .iter()
                    .chain(&s.supporting)
                    .chain(&s.informed)
                    .any(|r| *r == Role::Psychiatrist)
            });
            assert_eq!(has_psych, psych, "{model}");
            assert_eq!(validate_workflow(&p), Ok(()), "{model}");
            assert_eq!(p.version, 1);
            assert_eq!(p.review_on, date!(2026 - 09 - 02));
        }
    }

    #[test]
    fn a_plan_without_the_crisis_protocol_is_refused() {
        let mut p = default_workflow(CareModel::Coordinated, ON);
        p.steps.retain(|s| s.key != CRISIS_STEP);
        let err = validate_workflow(&p).unwrap_err();
        assert_eq!(err.errors.len(), 1);
        assert_eq!(err.errors[0].field, "steps");
        assert!(err.errors[0].message.contains("crisis"));
    }

    #[test]
    fn cocm_needs_its_caseload_review() {
        let mut p = default_workflow(CareModel::Cocm, ON);
        p.steps.retain(|s| s.key != CASELOAD_REVIEW_STEP);
        let err = validate_workflow(&p).unwrap_err();
        assert!(err.errors[0].message.contains("caseload_review"), "{err}");
    }

    #[test]
    fn step_level_problems_are_reported_by_field() {
        let mut p = default_workflow(CareModel::Coordinated, ON);
        p.version = 0;
        p.review_on = ON;
        p.steps[0].responsible.clear();
        p.steps[1].informed.push(Role::MaNurse);
        p.steps[2].key = "Bad Key".into();
        p.steps[3].key = p.steps[4].key.clone();
        p.steps[5].name = " ".into();
        let fields: Vec<String> = validate_workflow(&p)
            .unwrap_err()
            .errors
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "version",
                "review_on",
                "steps[0].responsible",
                "steps[1].roles",
                "steps[2].key",
                "steps[4].key",
                "steps[5].name"
            ]
        );
    }

    #[test]
    fn review_falls_due_after_six_months() {
        let p = default_workflow(CareModel::Cocm, ON);
        assert!(!p.review_due(date!(2026 - 09 - 01)));
        assert!(p.review_due(date!(2026 - 09 - 02)));
    }

    #[test]
    fn steps_are_added_moved_and_removed_but_the_crisis_protocol_stays() {
        let mut p = default_workflow(CareModel::Cocm, ON);
        let n = p.steps.len();
        p.add_step(" Warm handoff: same day! ", Role::CareManager)
            .unwrap();
        p.add_step("Warm handoff same day", Role::FrontDesk)
            .unwrap();
        assert_eq!(p.steps[n].key, "warm_handoff_same_day");
        assert_eq!(p.steps[n + 1].key, "warm_handoff_same_day_2");
        assert_eq!(p.steps[n].name, "Warm handoff: same day!");
        assert_eq!(p.version, 3);
        assert_eq!(validate_workflow(&p), Ok(()));
        assert_eq!(
            p.add_step(" ", Role::MaNurse).unwrap_err().errors[0].field,
            "name"
        );

        p.move_step(n + 1, true).unwrap();
        assert_eq!(p.steps[n].key, "warm_handoff_same_day_2");
        assert!(p.move_step(0, true).is_err());
        assert!(p.move_step(p.steps.len() - 1, false).is_err());
        assert!(p.move_step(99, false).is_err());

        let crisis = p.steps.iter().position(|s| s.key == CRISIS_STEP).unwrap();
        let before = p.clone();
        let e = p.remove_step(crisis).unwrap_err();
        assert!(
            e.errors[0]
                .message
                .contains("crisis and suicidality protocol")
        );
        let review = p
            .steps
            .iter()
            .position(|s| s.key == CASELOAD_REVIEW_STEP)
            .unwrap();
        assert!(
            p.remove_step(review).unwrap_err().errors[0]
                .message
                .contains("Collaborative Care")
        );
        assert_eq!(p, before, "a refused removal changes nothing");
        let removed = p.remove_step(n).unwrap();
        assert_eq!(removed.key, "warm_handoff_same_day_2");
        assert_eq!(p.version, before.version + 1);
        assert!(p.remove_step(99).is_err());
    }

    #[test]
    fn new_keys_are_well_formed() {
        assert_eq!(new_key("!!!", "step", |_| false), "step");
        assert_eq!(
            new_key("Étape 2 — review", "step", |_| false),
            "tape_2_review"
        );
        let long = new_key(&"a".repeat(100), "step", |_| false);
        assert!(valid_key(&long) && long.len() == 40);
    }
}
