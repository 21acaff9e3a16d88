//! The practice's plan page: where the practice stands on its journey, the one next step and
//! why, the team's gaps and the goals. Every staff member reads it; it prints as the plan's
//! summary (the print view hides the navigation).

use super::plan_content::key_label;
use super::plan_meetings::{ConsultantView, MeetingRow, consultant_view, meeting_rows};
use super::plan_model::{DefaultsView, defaults_view, specialty_label};
use super::plan_readiness::{AssessmentView, assessment_view, change_text};
use super::plan_team::employment_label;
use super::{Chrome, render};
use crate::access::{Can, op};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use stepwise_domain::planner::{FRAMEWORK_NOTE, GoalStatus, Severity, StepStatus, plan_document};

pub struct StepView {
    pub label: &'static str,
    /// `done`, `in_progress` or `not_started`, for styling.
    pub code: &'static str,
    pub status: &'static str,
    pub percent: u32,
}

pub struct GapView {
    pub severity: &'static str,
    pub code: &'static str,
    pub message: String,
    pub basis: String,
}

pub struct GoalView {
    pub description: String,
    pub metric: String,
    pub target: String,
    pub current: String,
    pub due_on: String,
    pub status: &'static str,
    pub percent: String,
}

pub struct MemberView {
    pub name: String,
    pub role: &'static str,
    pub fte: String,
    pub employment: &'static str,
    pub champion: bool,
    pub account: String,
}

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage {
    chrome: Chrome,
    version: i64,
    saved: String,
    progress: u32,
    steps: Vec<StepView>,
    next_message: String,
    next_reason: String,
    level: String,
    model: String,
    recommended: String,
    recommended_reasons: Vec<String>,
    team: Vec<MemberView>,
    capacity: String,
    enrolled: u32,
    gaps: Vec<GapView>,
    goals: Vec<GoalView>,
    framework_note: &'static str,
    can_edit: bool,
    profile: Vec<(&'static str, String)>,
    assessment: Option<AssessmentView>,
    change: Option<String>,
    defaults: Option<DefaultsView>,
    training_pct: u32,
    training_due: Vec<(String, String, &'static str, String)>,
    sessions: Vec<(String, String, String)>,
    workflow: Option<(String, Vec<[String; 4]>)>,
    meetings: Vec<MeetingRow>,
    consultant: Option<ConsultantView>,
    /// (label, title, default or edited)
    handouts: Vec<(&'static str, String, String)>,
}

fn percent(f: f64) -> u32 {
    (f.clamp(0.0, 1.0) * 100.0).round() as u32
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

pub fn status_label(s: StepStatus) -> &'static str {
    match s {
        StepStatus::Done => "Done",
        StepStatus::InProgress => "In progress",
        StepStatus::NotStarted => "Not started",
    }
}

pub fn severity_label(s: Severity) -> &'static str {
    match s {
        Severity::Blocking => "Blocking",
        Severity::Warning => "Warning",
        Severity::Advice => "Advice",
    }
}

pub fn goal_status_label(s: GoalStatus) -> &'static str {
    match s {
        GoalStatus::NotMeasured => "Not measured yet",
        GoalStatus::InProgress => "In progress",
        GoalStatus::Achieved => "Achieved",
        GoalStatus::PastDue => "Past due",
    }
}

/// The practice's profile as the printed plan states it.
fn profile_facts(plan: &stepwise_domain::planner::PracticePlan) -> Vec<(&'static str, String)> {
    let p = &plan.profile;
    let m = &p.payer_mix;
    vec![
        ("Specialty", specialty_label(p.specialty).to_owned()),
        ("Treating practitioners", p.practitioners.to_string()),
        ("Adult patients a year", p.patients.to_string()),
        (
            "Payer mix",
            format!(
                "Medicare {} %, Medicaid {} %{}, commercial {} %, uninsured {} %",
                m.medicare_pct,
                m.medicaid_pct,
                if m.medicaid_pays_cocm {
                    " (pays care management)"
                } else {
                    ""
                },
                m.commercial_pct,
                m.uninsured_pct
            ),
        ),
    ]
}

pub async fn plan(State(state): State<AppState>, can: Can<op::ReadPlan>) -> Response {
    let demo = state.config.demo.is_some();
    let loaded = async {
        let (stored, summary) = crate::api::plan::load(&state, &can).await?;
        let users = state.store.users(can.ctx.practice).await?;
        Ok::<_, crate::error::ApiError>((stored, summary, users))
    }
    .await;
    let (stored, summary, users) = match loaded {
        Ok(x) => x,
        Err(e) => return super::error_page(e),
    };
    let doc = plan_document(&stored.plan, &summary, can.ctx.today);
    let plan = &doc.plan;
    let steps = doc
        .journey
        .steps
        .iter()
        .map(|s| StepView {
            label: s.stage.label(),
            code: s.status.code(),
            status: status_label(s.status),
            percent: percent(s.progress),
        })
        .collect();
    let gaps = doc
        .team_gaps
        .iter()
        .map(|g| GapView {
            severity: severity_label(g.severity),
            code: g.severity.code(),
            message: g.message.clone(),
            basis: g.basis.clone(),
        })
        .collect();
    let goals = plan
        .goals
        .iter()
        .zip(&doc.goals)
        .map(|(g, p)| GoalView {
            description: g.description.clone(),
            metric: g.metric.clone(),
            target: number(g.target),
            current: g.current.map_or_else(|| "—".to_owned(), number),
            due_on: g.due_on.to_string(),
            status: goal_status_label(p.status),
            percent: p
                .progress
                .map_or_else(|| "—".to_owned(), |f| format!("{} %", percent(f))),
        })
        .collect();
    let team = plan
        .team
        .iter()
        .map(|m| MemberView {
            name: m.name.clone(),
            role: m.role.label(),
            fte: format!("{:.2}", m.fte.as_f64()),
            employment: employment_label(m.employment),
            champion: m.champion,
            account: m
                .user
                .and_then(|id| users.iter().find(|u| u.id == id))
                .map_or_else(|| "—".to_owned(), |u| u.display_name.clone()),
        })
        .collect();
    let level = doc
        .readiness_results
        .last()
        .map(|r| match r.level {
            Some(l) => format!(
                "Level {}: {} (assessed {})",
                l.number(),
                l.name(),
                r.assessed_on
            ),
            None => format!("Not placed yet (assessed {})", r.assessed_on),
        })
        .unwrap_or_else(|| "No readiness assessment yet".to_owned());
    render(&PlanPage {
        chrome: Chrome::new(&can.auth, demo),
        version: stored.version,
        saved: stored
            .saved_at
            .map_or_else(|| "never".to_owned(), |t| t.date().to_string()),
        progress: percent(doc.journey.progress),
        steps,
        next_message: doc.journey.next.message.clone(),
        next_reason: doc.journey.next.reason.clone(),
        level,
        model: plan.model.as_ref().map_or_else(
            || "Not chosen yet".to_owned(),
            |m| format!("{} (chosen {})", m.model.label(), m.chosen_on),
        ),
        recommended: doc.recommendation.model.label().to_owned(),
        recommended_reasons: doc.recommendation.reasons.clone(),
        team,
        capacity: format!(
            "{} to {} patients",
            doc.caseload_capacity.low, doc.caseload_capacity.high
        ),
        enrolled: summary.enrolled_patients,
        gaps,
        goals,
        framework_note: FRAMEWORK_NOTE,
        can_edit: stepwise_domain::access::acting_role(
            &can.auth.user.roles,
            stepwise_domain::access::Operation::EditPlan,
            None,
        )
        .is_some(),
        profile: profile_facts(plan),
        assessment: plan
            .readiness
            .iter()
            .filter(|a| !a.is_empty())
            .max_by_key(|a| a.assessed_on)
            .map(assessment_view),
        change: change_text(plan),
        defaults: plan
            .model
            .as_ref()
            .map(|c| defaults_view(c.model, &c.registry)),
        training_pct: percent(stepwise_domain::planner::training_completion(
            &plan.training,
            &plan.team,
            can.ctx.today,
        )),
        training_due: doc
            .training_due
            .iter()
            .map(|d| {
                (
                    d.member_name.clone(),
                    d.module_title.clone(),
                    match d.status {
                        stepwise_domain::planner::DueStatus::Due => "due",
                        stepwise_domain::planner::DueStatus::Overdue => "overdue",
                    },
                    d.due_on.to_string(),
                )
            })
            .collect(),
        workflow: plan.workflow.as_ref().map(|w| {
            let roles = |v: &[stepwise_domain::role::Role]| {
                if v.is_empty() {
                    "—".to_owned()
                } else {
                    v.iter().map(|r| r.label()).collect::<Vec<_>>().join(", ")
                }
            };
            (
                format!(
                    "Version {} for {}, in effect since {}; next review {}.",
                    w.version,
                    w.model.label(),
                    w.effective_on,
                    w.review_on
                ),
                w.steps
                    .iter()
                    .map(|s| {
                        [
                            s.name.clone(),
                            roles(&s.responsible),
                            roles(&s.supporting),
                            roles(&s.informed),
                        ]
                    })
                    .collect(),
            )
        }),
        meetings: meeting_rows(plan),
        consultant: plan.communication.consultant.as_ref().map(consultant_view),
        handouts: doc
            .patient_content
            .iter()
            .map(|c| {
                (
                    key_label(c.content.key),
                    c.content.title.clone(),
                    c.edited_on
                        .map_or_else(|| "default text".to_owned(), |d| format!("edited on {d}")),
                )
            })
            .collect(),
        sessions: plan
            .training
            .sessions
            .iter()
            .map(|s| {
                let who: Vec<&str> = s
                    .attended
                    .iter()
                    .filter_map(|id| plan.team.iter().find(|m| m.id == *id))
                    .map(|m| m.name.as_str())
                    .collect();
                (
                    s.held_on.to_string(),
                    plan.training
                        .modules
                        .iter()
                        .find(|m| m.code == s.module)
                        .map_or_else(|| s.module.clone(), |m| m.title.clone()),
                    if who.is_empty() {
                        "—".to_owned()
                    } else {
                        who.join(", ")
                    },
                )
            })
            .collect(),
    })
}
