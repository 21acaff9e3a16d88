//! A new practice walks from nothing to a running Collaborative Care program; at each stage
//! the journey shows partial progress and the next step changes to what is left.

use super::*;
use crate::planner::caseload::{CareScope, PopulationType};
use crate::planner::checklist::ItemStatus;
use crate::planner::decision_tree::{RespondentAnswers, TreeQuestion};
use crate::planner::metrics::{BaselineMethod, MetricValue};
use crate::planner::training::TrainingSession;
use crate::role::Role;
use time::Date;
use time::macros::date;
use uuid::Uuid;

fn who(name: &str, role: Role) -> Respondent {
    Respondent {
        name: name.into(),
        role: Some(role),
    }
}

fn ratings(name: &str, role: Role, levels: [u8; 6]) -> SelfRating {
    SelfRating {
        respondent: who(name, role),
        ratings: Dimension::ALL
            .iter()
            .copied()
            .zip(levels.map(|n| IntegrationLevel::new(n).unwrap()))
            .collect(),
    }
}

fn assessment(
    on: Date,
    levels: [[u8; 6]; 2],
    tree: &[(TreeQuestion, bool)],
) -> ReadinessAssessment {
    ReadinessAssessment {
        assessed_on: on,
        self_ratings: vec![
            ratings("Dr. Rivera", Role::TreatingPractitioner, levels[0]),
            ratings("Sam (MA)", Role::MaNurse, levels[1]),
        ],
        tree: vec![RespondentAnswers {
            respondent: who("Planning team", Role::PracticeAdmin),
            answers: tree.iter().copied().collect(),
        }],
        checklist: Checklist::default(),
    }
}

fn member(
    n: u128,
    name: &str,
    role: Role,
    fte: u16,
    employment: Employment,
    joined_on: Date,
) -> TeamMember {
    TeamMember {
        id: TeamMemberId(Uuid::from_u128(n)),
        name: name.into(),
        role,
        fte: Fte::from_hundredths(fte).unwrap(),
        employment,
        champion: false,
        joined_on,
        user: None,
    }
}

fn next(plan: &PracticePlan, summary: &RegistrySummary, today: Date) -> NextStep {
    let j = journey(plan, summary, today);
    assert!((0.0..=1.0).contains(&j.progress));
    assert_eq!(j.next, next_step(plan, summary, today));
    j.next
}

fn status(
    plan: &PracticePlan,
    summary: &RegistrySummary,
    today: Date,
    stage: JourneyStage,
) -> StepStatus {
    journey(plan, summary, today)
        .steps
        .into_iter()
        .find(|s| s.stage == stage)
        .unwrap()
        .status
}

#[test]
fn from_nothing_to_a_running_collaborative_care_program() {
    let mut plan = PracticePlan {
        profile: PracticeProfile {
            practitioners: 4,
            patients: 3200,
            payer_mix: PayerMix {
                medicare_pct: 35,
                medicaid_pct: 20,
                commercial_pct: 40,
                uninsured_pct: 5,
                medicaid_pays_cocm: false,
            },
            specialty: Specialty::PrimaryCare,
            caseload: CaseloadProfile {
                population: PopulationType::Commercial,
                scope: CareScope::BehavioralOnly,
            },
        },
        ..Default::default()
    };
    let mut summary = RegistrySummary::default();

    // 1. Nothing yet: the baseline comes first.
    let today = date!(2026 - 01 - 05);
    let n = next(&plan, &summary, today);
    assert_eq!(n.action, NextAction::TakeBaseline);
    assert_eq!(
        n.message,
        "No baseline yet: take it now, it takes 10 minutes."
    );
    assert_eq!(journey(&plan, &summary, today).progress, 0.0);

    // 2. The team takes the readiness assessment: level 2, checklist under way.
    let mut first = assessment(
        today,
        [[1, 2, 2, 2, 1, 2], [2, 2, 3, 2, 1, 2]],
        &[
            (TreeQuestion::SameSite, false),
            (TreeQuestion::RoutineExchange, true),
        ],
    );
    first
        .checklist
        .set(ChecklistItem::ImplementationLeader, ItemStatus::InProgress);
    first
        .checklist
        .set(ChecklistItem::SharedVision, ItemStatus::Done);
    plan.readiness.push(first);
    let n = next(&plan, &summary, today);
    assert_eq!(n.action, NextAction::ChooseModel);
    assert_eq!(
        n.message,
        "Choose your model: from your answers, coordinated care is the place to start."
    );
    assert!(n.reason.contains("[level-to-model map"), "{}", n.reason);
    assert_eq!(
        status(&plan, &summary, today, JourneyStage::Readiness),
        StepStatus::Done
    );

    // 3. The practice aims for Collaborative Care; the registry defaults follow.
    let today = date!(2026 - 01 - 12);
    plan.choose_model(CareModel::Cocm, today);
    let choice = plan.model.as_ref().unwrap();
    assert_eq!(choice.registry.follow_up_weeks, 2);
    assert_eq!(
        choice.registry.case_review_weekday,
        Some(Weekday::Wednesday)
    );
    assert_eq!(
        choice.recommendation.as_ref().unwrap().model,
        CareModel::Coordinated
    );
    assert_eq!(plan.training.modules.len(), 9);
    let n = next(&plan, &summary, today);
    assert_eq!(n.action, NextAction::NameChampion);

    // 4. Dr. Rivera champions the plan; the missing roles come next, one at a time.
    let mut rivera = member(
        1,
        "Dr. Rivera",
        Role::TreatingPractitioner,
        100,
        Employment::Employed,
        date!(2019 - 06 - 01),
    );
    rivera.champion = true;
    plan.team.push(rivera);
    plan.team.push(member(
        2,
        "Sam",
        Role::MaNurse,
        100,
        Employment::Employed,
        date!(2022 - 03 - 01),
    ));
    let n = next(&plan, &summary, today);
    assert_eq!(n.action, NextAction::FillRole);
    assert!(n.message.contains("care manager"), "{}", n.message);
    assert_eq!(
        status(&plan, &summary, today, JourneyStage::Team),
        StepStatus::InProgress
    );

    let today = date!(2026 - 02 - 02);
    plan.team.push(member(
        3,
        "Dana Lee",
        Role::CareManager,
        100,
        Employment::Employed,
        today,
    ));
    let n = next(&plan, &summary, today);
    assert_eq!(n.action, NextAction::FillRole);
    assert!(
        n.message.contains("psychiatric consultant"),
        "{}",
        n.message
    );

    plan.team.push(member(
        4,
        "Dr. Okafor",
        Role::Psychiatrist,
        10,
        Employment::Remote,
        today,
    ));
    assert_eq!(
        status(&plan, &summary, today, JourneyStage::Team),
        StepStatus::Done
    );
    assert_eq!(plan.recommendation().model, CareModel::Cocm);

    // 5. The workflow, from the default plan.
    let n = next(&plan, &summary, today);
    assert_eq!(n.action, NextAction::WriteWorkflow);
    let mut workflow = default_workflow(CareModel::Cocm, date!(2026 - 02 - 09));
    workflow.steps.retain(|s| s.key != "crisis_protocol");
    plan.workflow = Some(workflow);
    let n = next(&plan, &summary, today);
    assert_eq!(n.action, NextAction::FixWorkflow);
    assert!(n.message.contains("crisis"), "{}", n.message);
    assert_eq!(
        status(&plan, &summary, today, JourneyStage::Workflow),
        StepStatus::InProgress
    );
    plan.workflow = Some(default_workflow(CareModel::Cocm, date!(2026 - 02 - 09)));
    assert_eq!(role_cards(plan.workflow.as_ref().unwrap()).len(), 4 + 3);

    // 6. Training: everyone needs a first session.
    let today = date!(2026 - 02 - 10);
    let n = next(&plan, &summary, today);
    assert_eq!(n.action, NextAction::TrainTeam);
    assert_eq!(
        n.message,
        "4 team members need their first training: schedule a group session on “Our workflow plan and your role card”."
    );
    let everyone: Vec<TeamMemberId> = plan.team.iter().map(|m| m.id).collect();
    let held_on = date!(2026 - 02 - 20);
    for m in plan.training.modules.clone() {
        plan.training.sessions.push(TrainingSession {
            module: m.code,
            held_on,
            invited: everyone.clone(),
            attended: everyone.clone(),
        });
    }
    let today = date!(2026 - 02 - 23);
    assert_eq!(
        status(&plan, &summary, today, JourneyStage::Training),
        StepStatus::Done
    );

    // 7. Crisis resources on the call list.
    let n = next(&plan, &summary, today);
    assert_eq!(n.action, NextAction::ListCrisisResources);
    summary.call_list_entries = 12;
    summary.crisis_resources = 3;

    // 8. Billing: under way is enough to move on.
    let n = next(&plan, &summary, today);
    assert_eq!(n.action, NextAction::PlanBilling);
    assert!(n.message.contains("99492"), "{}", n.message);
    plan.readiness[0]
        .checklist
        .set(ChecklistItem::BillingPlan, ItemStatus::InProgress);

    // 9. Metrics and their baseline, then goals.
    let n = next(&plan, &summary, today);
    assert_eq!(n.action, NextAction::ChooseMetrics);
    plan.metrics.chosen = vec![
        "screening_follow_up".into(),
        "early_follow_up".into(),
        "response".into(),
    ];
    let n = next(&plan, &summary, today);
    assert_eq!(n.action, NextAction::RecordMetricsBaseline);
    plan.metrics.baseline = Some(Baseline {
        taken_on: today,
        method: BaselineMethod::ChartAudit,
        values: vec![
            MetricValue {
                metric: "screening_follow_up".into(),
                value: Some(35.0),
                note: None,
            },
            MetricValue {
                metric: "early_follow_up".into(),
                value: Some(40.0),
                note: None,
            },
            MetricValue {
                metric: "response".into(),
                value: None,
                note: Some("PHQ-9 not repeated".into()),
            },
        ],
        caveats: Some("30 charts, last 3 months".into()),
    });
    let n = next(&plan, &summary, today);
    assert_eq!(n.action, NextAction::SetGoals);
    let today = date!(2026 - 03 - 02);
    let goal = GoalInput {
        metric: "early_follow_up".into(),
        description: "Follow up every new patient within 4 weeks".into(),
        baseline: Some(40.0),
        target: 80.0,
        due_on: None,
    }
    .parse(today)
    .unwrap();
    plan.goals.push(goal);

    // 10. Launch: screening, then the first enrollment.
    let n = next(&plan, &summary, today);
    assert_eq!(n.action, NextAction::StartScreening);
    assert!(n.message.contains("PHQ-2"), "{}", n.message);
    summary.screened_last_30_days = 40;
    let n = next(&plan, &summary, today);
    assert_eq!(n.action, NextAction::EnrollFirstPatient);
    assert_eq!(
        status(&plan, &summary, today, JourneyStage::Launch),
        StepStatus::InProgress
    );

    // 11. Launched, with the billing plan still under way: progress over perfection.
    summary.enrolled_patients = 5;
    summary.awaiting_case_review = 5;
    let j = journey(&plan, &summary, today);
    let by_stage = |s: JourneyStage| j.steps.iter().find(|x| x.stage == s).unwrap().status;
    assert_eq!(by_stage(JourneyStage::Launch), StepStatus::Done);
    assert_eq!(by_stage(JourneyStage::Billing), StepStatus::InProgress);
    assert!(j.progress > 0.9 && j.progress < 1.0, "{}", j.progress);
    assert_eq!(j.next.action, NextAction::HoldCaseReview);
    assert_eq!(
        j.next.message,
        "5 patients are waiting for the weekly case review: hold it this week."
    );
    assert!(plan.validate().is_ok());

    // 12. Running smoothly: the next step is the lowest-rated dimension.
    summary.last_case_review_on = Some(date!(2026 - 03 - 04));
    let today = date!(2026 - 03 - 06);
    let n = next(&plan, &summary, today);
    assert_eq!(n.action, NextAction::KeepGoing);
    assert!(
        n.message.contains("“Where clinicians work”"),
        "{}",
        n.message
    );

    // 13. Patients not improving: a case review.
    let today = date!(2026 - 05 - 20);
    summary.waiting_over_12_weeks_without_improvement = 3;
    summary.last_case_review_on = Some(date!(2026 - 05 - 13));
    let n = next(&plan, &summary, today);
    assert_eq!(
        n.message,
        "3 patients have waited over 12 weeks without improvement: schedule a case review."
    );
    summary.waiting_over_12_weeks_without_improvement = 0;

    // 14. Upkeep: the goal falls due, then the six-month reassessment.
    let today = date!(2026 - 07 - 10);
    summary.last_case_review_on = Some(date!(2026 - 07 - 08));
    plan.goals[0].current = Some(60.0);
    let n = next(&plan, &summary, today);
    assert_eq!(n.action, NextAction::ReviewGoal);
    assert!(
        n.message.ends_with("You got 50 % of the way."),
        "{}",
        n.message
    );
    plan.goals[0].current = Some(82.0);
    let n = next(&plan, &summary, today);
    assert_eq!(n.action, NextAction::Reassess);

    let mut again = assessment(
        today,
        [[3, 3, 4, 3, 3, 3], [3, 4, 4, 3, 3, 3]],
        &[
            (TreeQuestion::SameSite, true),
            (TreeQuestion::SharedSpaceSystemsMeetings, true),
            (TreeQuestion::ChangedCareDelivery, false),
        ],
    );
    again.checklist = plan.readiness[0].checklist.clone();
    again
        .checklist
        .set(ChecklistItem::BillingPlan, ItemStatus::Done);
    plan.readiness.push(again);
    let change = plan.readiness_change().unwrap();
    assert_eq!(change.level_from.map(|l| l.number()), Some(2));
    assert_eq!(change.level_to.map(|l| l.number()), Some(4));
    assert!(change.items_advanced.contains(&ChecklistItem::BillingPlan));

    // Six months after the team training, refreshers fall due.
    let today = date!(2026 - 08 - 21);
    summary.last_case_review_on = Some(date!(2026 - 08 - 19));
    let n = next(&plan, &summary, today);
    assert_eq!(n.action, NextAction::RefreshTraining);
}

#[test]
fn the_plan_is_a_json_document() {
    let mut plan = PracticePlan::default();
    plan.readiness.push(assessment(
        date!(2026 - 01 - 05),
        [[2; 6], [3; 6]],
        &[
            (TreeQuestion::SameSite, false),
            (TreeQuestion::RoutineExchange, false),
        ],
    ));
    plan.choose_model(CareModel::Coordinated, date!(2026 - 01 - 12));
    plan.workflow = Some(default_workflow(
        CareModel::Coordinated,
        date!(2026 - 01 - 12),
    ));
    let json = serde_json::to_string(&plan).unwrap();
    let back: PracticePlan = serde_json::from_str(&json).unwrap();
    assert_eq!(back, plan);
    assert!(json.contains(r#""assessed_on":"2026-01-05""#), "{json}");

    let doc = plan_document(&plan, &RegistrySummary::default(), date!(2026 - 01 - 12));
    let value = serde_json::to_value(&doc).unwrap();
    assert_eq!(value["readiness_results"][0]["level"], 1);
    assert_eq!(value["journey"]["next"]["action"], "name_champion");
    assert!(
        doc.framework_note
            .contains("SAMHSA-HRSA CIHS Standard Framework")
    );
    let text = value.to_string();
    assert!(!text.contains("IPAT"));
    assert_eq!(doc.role_cards.len(), 6);
}
