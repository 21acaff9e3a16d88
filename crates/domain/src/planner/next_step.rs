//! The one recommended next step, chosen by an ordered table of rules over the plan and a
//! summary of the registry: the first rule that applies wins. The AMA's guidance for private
//! practices is to find the best next step whatever the starting point; "progress over
//! perfection" means a step under way is not repeated, and partial work is never a blocker
//! unless the model cannot run without it.
//!
//! Order: patient safety and patients waiting first, then the setup in journey order, then
//! upkeep (refreshers, reviews, reassessment).

use super::assessment::ReadinessResult;
use super::checklist::{ChecklistItem, ItemStatus};
use super::goals::GoalStatus;
use super::journey::{JourneyStage, RegistrySummary};
use super::metrics::RECOMMENDED_METRICS;
use super::model::CareModel;
use super::plan::PracticePlan;
use super::team_gaps::{Severity, TeamGap, TeamGapKind};
use super::training::{DueReason, DueStatus, TrainingDue, training_due};
use super::workflow::validate_workflow;
use crate::calendar::add_months;
use crate::codes::code_enum;
use serde::{Deserialize, Serialize};
use time::Date;

code_enum! {
    pub enum NextAction ("next action") {
        ReviewSafetyAlerts = "review_safety_alerts",
        ScheduleCaseReview = "schedule_case_review",
        HoldCaseReview = "hold_case_review",
        CatchUpFollowUps = "catch_up_follow_ups",
        AddCareManagerTime = "add_care_manager_time",
        TakeBaseline = "take_baseline",
        ChooseModel = "choose_model",
        NameChampion = "name_champion",
        FillRole = "fill_role",
        WriteWorkflow = "write_workflow",
        FixWorkflow = "fix_workflow",
        TrainTeam = "train_team",
        ListCrisisResources = "list_crisis_resources",
        PlanBilling = "plan_billing",
        ChooseMetrics = "choose_metrics",
        RecordMetricsBaseline = "record_metrics_baseline",
        SetGoals = "set_goals",
        StartScreening = "start_screening",
        EnrollFirstPatient = "enroll_first_patient",
        RefreshTraining = "refresh_training",
        ReviewWorkflow = "review_workflow",
        ReviewGoal = "review_goal",
        Reassess = "reassess",
        KeepGoing = "keep_going",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NextStep {
    pub action: NextAction,
    /// The journey stage it advances; `None` for running the care itself.
    pub stage: Option<JourneyStage>,
    /// What to do, in one sentence.
    pub message: String,
    /// Why, with the basis.
    pub reason: String,
}

/// Reassess readiness after this many months (AIMS: revisit every six months, §3.2; MeHAF SSA
/// repeated semi-annually, §3.1).
pub const REASSESS_MONTHS: i32 = 6;

/// Days after which the weekly case review counts as missed (weekly caseload consultation,
/// cocm-billing-registry.md §2.1, §9.8).
pub const CASE_REVIEW_DAYS: i64 = 7;

struct Ctx<'a> {
    plan: &'a PracticePlan,
    s: &'a RegistrySummary,
    today: Date,
    latest: Option<ReadinessResult>,
    model: Option<CareModel>,
    gaps: Vec<TeamGap>,
    training: Vec<TrainingDue>,
}

fn step(
    action: NextAction,
    stage: Option<JourneyStage>,
    message: String,
    reason: &str,
) -> NextStep {
    NextStep {
        action,
        stage,
        message,
        reason: reason.to_owned(),
    }
}

/// "1 patient has" / "3 patients have".
fn patients_have(n: u32) -> String {
    if n == 1 {
        "1 patient has".to_owned()
    } else {
        format!("{n} patients have")
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

type Rule = fn(&Ctx) -> Option<NextStep>;

/// The rules, in priority order.
const RULES: [Rule; 22] = [
    safety_alerts,
    waiting_without_improvement,
    case_review_waiting,
    follow_ups_overdue,
    over_capacity,
    baseline,
    model,
    champion,
    blocking_roles,
    workflow,
    first_training,
    crisis_resources,
    billing,
    choose_metrics,
    metrics_baseline,
    goals,
    screening,
    first_enrollment,
    refreshers,
    workflow_review,
    goal_review,
    reassess,
];

/// Safety alerts need a clinician's review whatever else is going on (registry flags,
/// cocm-billing-registry.md §9.10 [S54b]).
fn safety_alerts(c: &Ctx) -> Option<NextStep> {
    let n = c.s.unreviewed_safety_alerts;
    (n > 0).then(|| {
        step(
            NextAction::ReviewSafetyAlerts,
            None,
            format!(
                "{} a safety alert nobody has reviewed: review {} today.",
                patients_have(n),
                if n == 1 { "it" } else { "them" }
            ),
            "A positive suicide item needs a clinician's review whatever the total \
             (cocm-billing-registry.md §9.10).",
        )
    })
}

/// IMPACT reviews patients without significant improvement at 10–12 weeks and changes the
/// plan (cocm-billing-registry.md §9.5 [S51]).
fn waiting_without_improvement(c: &Ctx) -> Option<NextStep> {
    let n = c.s.waiting_over_12_weeks_without_improvement;
    (n > 0).then(|| {
        step(
            NextAction::ScheduleCaseReview,
            None,
            format!(
                "{} waited over 12 weeks without improvement: schedule a case review.",
                patients_have(n)
            ),
            "Treat to target: patients not improving by 10 to 12 weeks need a change of \
             treatment (IMPACT, cocm-billing-registry.md §9.5).",
        )
    })
}

fn case_review_waiting(c: &Ctx) -> Option<NextStep> {
    let n = c.s.awaiting_case_review;
    let missed =
        c.s.last_case_review_on
            .is_none_or(|d| (c.today - d).whole_days() >= CASE_REVIEW_DAYS);
    (n > 0 && missed && c.model == Some(CareModel::Cocm)).then(|| {
        step(
            NextAction::HoldCaseReview,
            None,
            format!(
                "{} waiting for the weekly case review: hold it this week.",
                plural(n as usize, "patient is", "patients are")
            ),
            "Collaborative Care includes a weekly caseload review with the psychiatric \
             consultant, new and not-improving patients first (cocm-billing-registry.md §2.1, \
             §9.8).",
        )
    })
}

fn follow_ups_overdue(c: &Ctx) -> Option<NextStep> {
    let n = c.s.follow_ups_overdue;
    (n > 0).then(|| {
        step(
            NextAction::CatchUpFollowUps,
            None,
            format!(
                "{} overdue: reach {} this week.",
                plural(n as usize, "follow-up is", "follow-ups are"),
                if n == 1 {
                    "that patient"
                } else {
                    "those patients"
                }
            ),
            "Timely follow-up predicts improvement (MHIP, cocm-billing-registry.md §9.6).",
        )
    })
}

fn over_capacity(c: &Ctx) -> Option<NextStep> {
    c.gaps
        .iter()
        .find(|g| g.kind == TeamGapKind::OverCapacity)
        .map(|g| {
            step(
                NextAction::AddCareManagerTime,
                Some(JourneyStage::Team),
                g.message.clone(),
                &g.basis,
            )
        })
}

/// Measure before changing anything, so progress can show (§5.4 step 1); the AHRQ
/// self-assessment takes about 10 minutes (§3.3 [V]).
fn baseline(c: &Ctx) -> Option<NextStep> {
    c.latest.is_none().then(|| {
        step(
            NextAction::TakeBaseline,
            Some(JourneyStage::Readiness),
            "No baseline yet: take it now, it takes 10 minutes.".to_owned(),
            "A readiness baseline shows where the practice starts, so every later step shows as \
             progress (bhi-planning.md §5.4; AHRQ self-assessment, about 10 minutes, §3.3).",
        )
    })
}

fn model(c: &Ctx) -> Option<NextStep> {
    c.model.is_none().then(|| {
        let r = c.plan.recommendation();
        step(
            NextAction::ChooseModel,
            Some(JourneyStage::Model),
            format!(
                "Choose your model: from your answers, {} is the place to start.",
                r.model.label().to_lowercase()
            ),
            r.reasons.first().map_or("", String::as_str),
        )
    })
}

fn champion(c: &Ctx) -> Option<NextStep> {
    c.gaps
        .iter()
        .find(|g| g.kind == TeamGapKind::NoChampion)
        .map(|g| {
            step(
                NextAction::NameChampion,
                Some(JourneyStage::Team),
                "Name a champion: the person who gives the plan time and resources and keeps it \
                 moving."
                    .to_owned(),
                &g.basis,
            )
        })
}

fn blocking_roles(c: &Ctx) -> Option<NextStep> {
    c.gaps
        .iter()
        .find(|g| g.severity == Severity::Blocking)
        .map(|g| {
            step(
                NextAction::FillRole,
                Some(JourneyStage::Team),
                g.message.clone(),
                &g.basis,
            )
        })
}

fn workflow(c: &Ctx) -> Option<NextStep> {
    let model = c.model?;
    match &c.plan.workflow {
        None => Some(step(
            NextAction::WriteWorkflow,
            Some(JourneyStage::Workflow),
            format!(
                "Write your workflow: start from the default plan for {} and adjust it in one \
                 team meeting.",
                model.label().to_lowercase()
            ),
            "Workflows say who identifies, engages, communicates and adjusts treatment (AHRQ \
             Playbook, bhi-planning.md §3.3; default plan §4.2).",
        )),
        Some(w) => validate_workflow(w).err().map(|e| {
            let first = e
                .errors
                .first()
                .map_or(String::new(), |f| f.message.clone());
            step(
                NextAction::FixWorkflow,
                Some(JourneyStage::Workflow),
                format!("Finish your workflow plan: {first}."),
                "Every plan needs a crisis and suicidality protocol (AIMS, AMA workflow guide, \
                 bhi-planning.md §3.4, §4.1).",
            )
        }),
    }
}

fn first_training(c: &Ctx) -> Option<NextStep> {
    let first: Vec<&TrainingDue> = c
        .training
        .iter()
        .filter(|d| d.reason == DueReason::Initial)
        .collect();
    let people = {
        let mut ids: Vec<_> = first.iter().map(|d| d.member).collect();
        ids.sort();
        ids.dedup();
        ids.len()
    };
    first.first().map(|d| {
        step(
            NextAction::TrainTeam,
            Some(JourneyStage::Training),
            format!(
                "{} their first training: schedule a group session on “{}”.",
                plural(people, "team member needs", "team members need"),
                d.module_title
            ),
            "Role-specific training before launch (AIMS phase 3, bhi-planning.md §3.2, §4.4).",
        )
    })
}

fn crisis_resources(c: &Ctx) -> Option<NextStep> {
    (c.s.crisis_resources == 0).then(|| {
        step(
            NextAction::ListCrisisResources,
            Some(JourneyStage::CommunityResources),
            "Add crisis resources to your referral call list: 988, your local crisis team and \
             the nearest emergency room."
                .to_owned(),
            "Someone must keep a referral list with contacts for higher levels of care (AMA \
             workflow guide, bhi-planning.md §3.4; crisis rows first, §6.3).",
        )
    })
}

fn billing(c: &Ctx) -> Option<NextStep> {
    let status = c.latest.as_ref().map_or(ItemStatus::NotStarted, |r| {
        r.checklist.status(ChecklistItem::BillingPlan)
    });
    (status == ItemStatus::NotStarted).then(|| {
        let codes = if c.model == Some(CareModel::Cocm) {
            "99492, 99493, 99494 and G2214"
        } else {
            "99484"
        };
        step(
            NextAction::PlanBilling,
            Some(JourneyStage::Billing),
            format!(
                "Make a billing plan: check which of your payers pay for {codes}, and set the \
                 codes up in your EHR."
            ),
            "Funding and billing plan (AIMS, bhi-planning.md §3.2 item 8; codes, \
             cocm-billing-registry.md §1).",
        )
    })
}

fn choose_metrics(c: &Ctx) -> Option<NextStep> {
    (c.plan.metrics.chosen.len() < *RECOMMENDED_METRICS.start()).then(|| {
        step(
            NextAction::ChooseMetrics,
            Some(JourneyStage::Metrics),
            "Pick 3 to 6 metrics you can measure, such as early follow-up and response.".to_owned(),
            "Choose metrics the practice can actually compute (bhi-planning.md §5.4 step 3).",
        )
    })
}

fn metrics_baseline(c: &Ctx) -> Option<NextStep> {
    c.plan.metrics.baseline.is_none().then(|| {
        step(
            NextAction::RecordMetricsBaseline,
            Some(JourneyStage::Metrics),
            "Record your metrics baseline: where you stand today, even if some metrics are not \
             measured yet."
                .to_owned(),
            "Record \"not measured\" rather than zero; later periods compare with it \
             (bhi-planning.md §5.4 steps 4 and 7).",
        )
    })
}

fn goals(c: &Ctx) -> Option<NextStep> {
    c.plan.goals.is_empty().then(|| {
        step(
            NextAction::SetGoals,
            Some(JourneyStage::Goals),
            "Set one to three 90-day goals, each tied to one of your metrics.".to_owned(),
            "Goals of 90 days tied to one metric each (bhi-planning.md §9).",
        )
    })
}

fn screening(c: &Ctx) -> Option<NextStep> {
    (c.s.screened_last_30_days == 0 && c.s.enrolled_patients == 0).then(|| {
        let first = c
            .plan
            .model
            .as_ref()
            .and_then(|m| m.registry.screening.steps.first())
            .map_or("screening questionnaire", |s| s.instrument.label());
        step(
            NextAction::StartScreening,
            Some(JourneyStage::Launch),
            format!(
                "Start screening: give the {first} at rooming to the patients you chose to reach."
            ),
            "Identification is the first step of every workflow (bhi-planning.md §4.1, §4.2 steps \
             1 to 3).",
        )
    })
}

fn first_enrollment(c: &Ctx) -> Option<NextStep> {
    (c.s.enrolled_patients == 0).then(|| {
        step(
            NextAction::EnrollFirstPatient,
            Some(JourneyStage::Launch),
            "Enroll your first patient: hold the consent conversation and add them to the \
             registry."
                .to_owned(),
            "Consent is documented before care management starts (bhi-planning.md §7.1; workflow \
             step 6, §4.2).",
        )
    })
}

fn refreshers(c: &Ctx) -> Option<NextStep> {
    let overdue = c
        .training
        .iter()
        .filter(|d| d.status == DueStatus::Overdue)
        .count();
    (overdue > 0).then(|| {
        step(
            NextAction::RefreshTraining,
            Some(JourneyStage::Training),
            format!(
                "{} overdue: schedule a refresher session.",
                plural(overdue, "training is", "trainings are")
            ),
            "Refresh training every six months and when new staff join (AIMS, bhi-planning.md \
             §3.2, §4.4).",
        )
    })
}

fn workflow_review(c: &Ctx) -> Option<NextStep> {
    let w = c.plan.workflow.as_ref()?;
    w.review_due(c.today).then(|| {
        step(
            NextAction::ReviewWorkflow,
            Some(JourneyStage::Workflow),
            "Your workflow plan is due for its 6-month review: go over what worked with the team."
                .to_owned(),
            "Revisit the vision, clinical flowchart and action plan every six months (AIMS, \
             bhi-planning.md §3.2).",
        )
    })
}

fn goal_review(c: &Ctx) -> Option<NextStep> {
    c.plan.goals.iter().find_map(|g| {
        let p = g.progress(c.today);
        (p.status == GoalStatus::PastDue).then(|| {
            let done = p
                .progress
                .map_or(String::new(), |x| format!(" You got {:.0} % of the way.", x * 100.0));
            step(
                NextAction::ReviewGoal,
                Some(JourneyStage::Goals),
                format!(
                    "Your goal \"{}\" is past its date: review it and set the next one.{done}",
                    g.description
                ),
                "Progress over perfection: a trend, not pass or fail (bhi-planning.md §5.4 step 7).",
            )
        })
    })
}

fn reassess(c: &Ctx) -> Option<NextStep> {
    let latest = c.latest.as_ref()?;
    (c.today >= add_months(latest.assessed_on, REASSESS_MONTHS)).then(|| {
        step(
            NextAction::Reassess,
            Some(JourneyStage::Readiness),
            "Take the readiness assessment again to see how far you have come: it takes 10 \
             minutes."
                .to_owned(),
            "Integration assessments are repeated measures (bhi-planning.md §2.1, §3.1, §5.4).",
        )
    })
}

/// Nothing urgent: work on the lowest-rated dimension (bhi-planning.md §1.4).
fn keep_going(c: &Ctx) -> NextStep {
    let lowest = c.latest.as_ref().and_then(|r| {
        let d = *r.ratings.lowest_dimensions.first()?;
        let median = r
            .ratings
            .dimensions
            .iter()
            .find(|x| x.dimension == d)?
            .median?;
        let next = super::level::IntegrationLevel::new(median.number() + 1)?;
        Some((d, next))
    });
    let message = match lowest {
        Some((d, next)) => format!(
            "Keep going. Your next step toward integration is in “{}”: {}",
            d.label(),
            next.describe(d).text
        ),
        None => "Keep going: review your metrics each month and celebrate progress.".to_owned(),
    };
    step(
        NextAction::KeepGoing,
        None,
        message,
        "Work on the lowest-rated dimension first (bhi-planning.md §1.4); any step toward \
         integration counts.",
    )
}

/// The best next step for the practice on `today`.
pub fn next_step(plan: &PracticePlan, summary: &RegistrySummary, today: Date) -> NextStep {
    let ctx = Ctx {
        plan,
        s: summary,
        today,
        latest: plan.latest_readiness(),
        model: plan.chosen_model(),
        gaps: plan.team_gaps(summary),
        training: training_due(&plan.training, &plan.team, today),
    };
    RULES
        .iter()
        .find_map(|rule| rule(&ctx))
        .unwrap_or_else(|| keep_going(&ctx))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_plan_starts_with_the_baseline() {
        let n = next_step(
            &PracticePlan::default(),
            &RegistrySummary::default(),
            time::macros::date!(2026 - 01 - 05),
        );
        assert_eq!(n.action, NextAction::TakeBaseline);
        assert_eq!(
            n.message,
            "No baseline yet: take it now, it takes 10 minutes."
        );
    }

    /// Each message that counts patients or tasks agrees with its count, in the whole sentence:
    /// "1 patient has … review it", "3 patients have … review them".
    #[test]
    fn counted_messages_agree_in_number() {
        let today = time::macros::date!(2026 - 01 - 05);
        let mut cocm = PracticePlan::default();
        cocm.choose_model(CareModel::Cocm, today);
        type Set = fn(&mut RegistrySummary, u32);
        let cases: [(Set, &PracticePlan, u32, &str); 8] = [
            (
                |s, n| s.unreviewed_safety_alerts = n,
                &cocm,
                1,
                "1 patient has a safety alert nobody has reviewed: review it today.",
            ),
            (
                |s, n| s.unreviewed_safety_alerts = n,
                &cocm,
                3,
                "3 patients have a safety alert nobody has reviewed: review them today.",
            ),
            (
                |s, n| s.waiting_over_12_weeks_without_improvement = n,
                &cocm,
                1,
                "1 patient has waited over 12 weeks without improvement: schedule a case review.",
            ),
            (
                |s, n| s.waiting_over_12_weeks_without_improvement = n,
                &cocm,
                3,
                "3 patients have waited over 12 weeks without improvement: schedule a case review.",
            ),
            (
                |s, n| s.awaiting_case_review = n,
                &cocm,
                1,
                "1 patient is waiting for the weekly case review: hold it this week.",
            ),
            (
                |s, n| s.awaiting_case_review = n,
                &cocm,
                3,
                "3 patients are waiting for the weekly case review: hold it this week.",
            ),
            (
                |s, n| s.follow_ups_overdue = n,
                &cocm,
                1,
                "1 follow-up is overdue: reach that patient this week.",
            ),
            (
                |s, n| s.follow_ups_overdue = n,
                &cocm,
                3,
                "3 follow-ups are overdue: reach those patients this week.",
            ),
        ];
        for (set, plan, n, expected) in cases {
            let mut s = RegistrySummary::default();
            set(&mut s, n);
            assert_eq!(next_step(plan, &s, today).message, expected);
        }
    }

    #[test]
    fn patient_signals_come_before_setup() {
        let s = RegistrySummary {
            unreviewed_safety_alerts: 1,
            waiting_over_12_weeks_without_improvement: 3,
            ..Default::default()
        };
        let today = time::macros::date!(2026 - 01 - 05);
        let n = next_step(&PracticePlan::default(), &s, today);
        assert_eq!(n.action, NextAction::ReviewSafetyAlerts);
        assert!(
            n.message.starts_with("1 patient has a safety alert"),
            "{}",
            n.message
        );
        let s = RegistrySummary {
            unreviewed_safety_alerts: 0,
            ..s
        };
        let n = next_step(&PracticePlan::default(), &s, today);
        assert_eq!(
            n.message,
            "3 patients have waited over 12 weeks without improvement: schedule a case review."
        );
    }
}
