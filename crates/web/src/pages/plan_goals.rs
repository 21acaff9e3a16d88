//! The 90-day goals in the browser: each tied to one metric, with a target and a due date, and
//! its latest measured value so progress shows (partial improvement counts). A goal is named
//! by its position in the plan; the form's version makes sure the position still means the
//! same goal when it is saved.

use super::actions::FieldView;
use super::forms::{Fields, FormErrors, get, see_other};
use super::plan_edit::{self, lay_over, with_none};
use super::{Chrome, render};
use crate::access::{Can, op};
use crate::error::ApiError;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use stepwise_domain::error::ValidationError;
use stepwise_domain::planner::metrics::metric;
use stepwise_domain::planner::{GOAL_DAYS, Goal, GoalInput, METRICS};
use stepwise_store::model::StoredPlan;
use time::Date;

const BACK: &str = "/plan/goals";

pub struct GoalRow {
    pub index: usize,
    pub description: String,
    pub metric: String,
    pub baseline: String,
    pub target: String,
    pub current: String,
    pub due_on: String,
    pub status: &'static str,
}

#[derive(Template)]
#[template(path = "plan_goals.html")]
struct GoalsPage {
    chrome: Chrome,
    version: i64,
    goals: Vec<GoalRow>,
    editing: Option<usize>,
    notice: Option<&'static str>,
    summary: Vec<String>,
    fields: Vec<FieldView>,
}

#[derive(Deserialize)]
pub struct GoalQuery {
    goal: Option<usize>,
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}

fn metric_name(code: &str) -> String {
    metric(code).map_or_else(|| code.to_owned(), |m| m.name.to_owned())
}

fn fields(goal: Option<&Goal>, today: Date) -> Vec<FieldView> {
    let mut metrics: Vec<(String, String)> = METRICS
        .iter()
        .map(|m| (m.code.to_owned(), m.name.to_owned()))
        .collect();
    // A practice's own metric (custom_…) set through the API stays selectable.
    if let Some(g) = goal
        && metric(&g.metric).is_none()
    {
        metrics.push((g.metric.clone(), g.metric.clone()));
    }
    let opt = |v: Option<f64>| v.map_or_else(String::new, number);
    vec![
        FieldView::new("description", "Goal", "text")
            .value(goal.map_or("", |g| &g.description))
            .hint("In a sentence, such as “Follow up 70 % of new patients within 4 weeks”."),
        FieldView::select("metric", "Metric", with_none("Choose a metric", metrics))
            .value(goal.map_or("", |g| &g.metric)),
        FieldView::new("baseline", "Where we start (optional)", "text")
            .value(opt(goal.and_then(|g| g.baseline)))
            .hint("The metric's value today, if it is measured."),
        FieldView::new("target", "Target", "text").value(opt(goal.map(|g| g.target))),
        FieldView::new("current", "Latest value (optional)", "text")
            .value(opt(goal.and_then(|g| g.current)))
            .hint("Update it as the metric is measured: partial progress counts."),
        FieldView::new("due_on", "Due on", "date")
            .value(goal.map_or_else(
                || (today + time::Duration::days(GOAL_DAYS)).to_string(),
                |g| g.due_on.to_string(),
            ))
            .hint("90 days from today unless you choose another date within the year."),
    ]
}

async fn page(
    state: &AppState,
    can: &Can<op::EditPlan>,
    editing: Option<usize>,
    submitted: Option<(Option<&Fields>, &FormErrors)>,
) -> Response {
    let stored = match plan_edit::latest(state, can).await {
        Ok(s) => s,
        Err(e) => return super::error_page(e),
    };
    let plan = &stored.plan;
    let goal = editing.and_then(|i| plan.goals.get(i));
    let notice = (editing.is_some() && goal.is_none())
        .then_some("That goal is no longer in the plan: the form below sets a new goal.");
    let mut form = fields(goal, can.ctx.today);
    let summary = match submitted {
        Some((f, e)) => lay_over(&mut form, f, e),
        None => Vec::new(),
    };
    let page = render(&GoalsPage {
        chrome: Chrome::new(&can.auth, state.config.demo.is_some()),
        version: stored.version,
        goals: plan
            .goals
            .iter()
            .enumerate()
            .map(|(index, g)| GoalRow {
                index,
                description: g.description.clone(),
                metric: metric_name(&g.metric),
                baseline: g.baseline.map_or_else(|| "—".to_owned(), number),
                target: number(g.target),
                current: g.current.map_or_else(|| "—".to_owned(), number),
                due_on: g.due_on.to_string(),
                status: super::plan::goal_status_label(g.progress(can.ctx.today).status),
            })
            .collect(),
        editing: goal.and(editing),
        notice,
        summary,
        fields: form,
    });
    if submitted.is_some() {
        super::forms::refused(page)
    } else {
        page
    }
}

pub async fn goals_page(
    State(state): State<AppState>,
    can: Can<op::EditPlan>,
    Query(q): Query<GoalQuery>,
) -> Response {
    page(&state, &can, q.goal, None).await
}

/// An optional number: empty is none.
fn optional(errors: &mut ValidationError, fields: &Fields, name: &str) -> Option<f64> {
    let raw = get(fields, name);
    if raw.is_empty() {
        return None;
    }
    match raw.parse::<f64>() {
        Ok(v) if v.is_finite() => Some(v),
        _ => {
            errors.push(name, "enter a number, such as 70 or 12.5");
            None
        }
    }
}

/// The goal as entered; a goal being changed keeps the day it was set.
fn parse_goal(fields: &Fields, today: Date, set_on: Option<Date>) -> Result<Goal, ApiError> {
    let mut errors = ValidationError::new();
    let baseline = optional(&mut errors, fields, "baseline");
    let current = optional(&mut errors, fields, "current");
    let target_raw = get(fields, "target");
    let target = if target_raw.is_empty() {
        errors.push("target", "enter the value the goal aims for");
        None
    } else {
        optional(&mut errors, fields, "target")
    };
    let input = GoalInput {
        metric: get(fields, "metric"),
        description: get(fields, "description"),
        baseline,
        target: target.unwrap_or(f64::NAN),
        due_on: Some(get(fields, "due_on")),
    };
    let parsed = input.parse(today);
    if let Err(e) = &parsed {
        for f in &e.errors {
            // A target that was not a number is reported once, as typed.
            if !(f.field == "target" && target.is_none()) {
                errors.push(f.field.clone(), f.message.clone());
            }
        }
    }
    if current.is_some_and(|c| c < 0.0) {
        errors.push("current", "cannot be negative");
    }
    match parsed {
        Ok(mut g) if errors.is_empty() => {
            g.current = current;
            if let Some(d) = set_on {
                g.set_on = d;
            }
            Ok(g)
        }
        _ => Err(ApiError::Invalid(errors)),
    }
}

fn position(fields: &Fields) -> Option<usize> {
    get(fields, "goal").parse().ok()
}

pub async fn save_goal(
    State(state): State<AppState>,
    can: Can<op::EditPlan>,
    Form(fields): Form<Fields>,
) -> Response {
    let editing = position(&fields);
    let result = async {
        let mut plan = plan_edit::latest(&state, &can).await?.plan;
        let existing = editing.filter(|i| *i < plan.goals.len());
        let goal = parse_goal(
            &fields,
            can.ctx.today,
            existing.map(|i| plan.goals[i].set_on),
        )?;
        let version = plan_edit::version(&fields)?;
        match existing {
            Some(i) => plan.goals[i] = goal,
            None => plan.goals.push(goal),
        }
        plan_edit::save(&state, &can, version, &plan).await
    }
    .await;
    answer(&state, &can, editing, Some(&fields), result).await
}

pub async fn remove_goal(
    State(state): State<AppState>,
    can: Can<op::EditPlan>,
    Form(fields): Form<Fields>,
) -> Response {
    let result = async {
        let version = plan_edit::version(&fields)?;
        let mut plan = plan_edit::latest(&state, &can).await?.plan;
        match position(&fields).filter(|i| *i < plan.goals.len()) {
            Some(i) => {
                plan.goals.remove(i);
            }
            None => {
                return Err(ApiError::invalid(
                    "goal",
                    "that goal is no longer in the plan",
                ));
            }
        }
        plan_edit::save(&state, &can, version, &plan).await
    }
    .await;
    // A refused removal shows the goals with the reason; the goal form stays blank.
    answer(&state, &can, None, None, result).await
}

async fn answer(
    state: &AppState,
    can: &Can<op::EditPlan>,
    editing: Option<usize>,
    fields: Option<&Fields>,
    result: Result<StoredPlan, ApiError>,
) -> Response {
    match result {
        Ok(_) => see_other(BACK),
        Err(e) => match FormErrors::from_api(e) {
            Ok(errors) => page(state, can, editing, Some((fields, &errors))).await,
            Err(e) => super::error_page(e),
        },
    }
}
