//! The workflow plan in the browser: steps × roles, each role responsible, supporting or
//! informed for a step, with the date of the next review. It starts from the default plan for
//! the chosen model (reference bhi-planning.md §4.2); each saved change raises the workflow's
//! own version and is a new plan version.

use super::forms::{Fields, FormErrors, get, see_other};
use super::{Chrome, render};
use crate::access::{Can, op};
use crate::error::ApiError;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::Response;
use stepwise_domain::patient::parse_date;
use stepwise_domain::planner::workflow::{CRISIS_STEP, required_steps};
use stepwise_domain::planner::{WorkflowPlan, default_workflow, validate_workflow};
use stepwise_domain::role::Role;
use stepwise_store::model::StoredPlan;

use super::plan_edit;

const BACK: &str = "/plan/workflow";

/// The part a role plays in a step, as the grid's cell codes.
const PARTS: [(&str, &str); 4] = [
    ("", "—"),
    ("r", "Responsible"),
    ("s", "Supporting"),
    ("i", "Informed"),
];

pub struct Cell {
    pub name: String,
    pub role: &'static str,
    pub value: String,
}

pub struct StepRow {
    pub index: usize,
    pub name: String,
    pub required: bool,
    pub cells: Vec<Cell>,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "plan_workflow.html")]
struct WorkflowPage {
    chrome: Chrome,
    version: i64,
    model: Option<String>,
    workflow: Option<(u32, String, String)>,
    review_on: String,
    review_error: Option<String>,
    review_due: bool,
    roles: Vec<&'static str>,
    steps: Vec<StepRow>,
    summary: Vec<String>,
    parts: &'static [(&'static str, &'static str)],
    new_name: String,
    new_name_error: Option<String>,
    new_responsible: String,
    new_responsible_error: Option<String>,
    role_options: Vec<(&'static str, &'static str)>,
}

fn cell_name(step: usize, role: Role) -> String {
    format!("s{step}.{}", role.code())
}

fn part_of(w: &WorkflowPlan, step: usize, role: Role) -> &'static str {
    let s = &w.steps[step];
    if s.responsible.contains(&role) {
        "r"
    } else if s.supporting.contains(&role) {
        "s"
    } else if s.informed.contains(&role) {
        "i"
    } else {
        ""
    }
}

fn page(
    state: &AppState,
    can: &Can<op::EditPlan>,
    stored: &StoredPlan,
    submitted: Option<(Option<&Fields>, &FormErrors)>,
    grid: bool,
) -> Response {
    let plan = &stored.plan;
    // What was typed, when the grid was submitted; a refused start, move or removal keeps the
    // stored grid, and a refused new step keeps the grid as stored and the step as typed.
    let typed = |name: &str, stored: String| match submitted {
        Some((Some(f), _)) if grid => get(f, name),
        _ => stored,
    };
    let typed_step = |name: &str| match submitted {
        Some((Some(f), _)) if !grid => get(f, name),
        _ => String::new(),
    };
    let error = |name: &str| submitted.and_then(|(_, e)| e.get(name).map(str::to_owned));
    let w = plan.workflow.as_ref();
    let steps = w
        .map(|w| {
            let required = required_steps(w.model);
            w.steps
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let errors: Vec<String> = ["name", "responsible", "roles", "key"]
                        .iter()
                        .filter_map(|f| error(&format!("steps[{i}].{f}")))
                        .collect();
                    StepRow {
                        index: i,
                        name: typed(&format!("s{i}.name"), s.name.clone()),
                        required: required.contains(&s.key.as_str()) || s.key == CRISIS_STEP,
                        cells: Role::ALL
                            .iter()
                            .map(|r| {
                                let name = cell_name(i, *r);
                                Cell {
                                    value: typed(&name, part_of(w, i, *r).to_owned()),
                                    name,
                                    role: r.label(),
                                }
                            })
                            .collect(),
                        error: (!errors.is_empty()).then(|| errors.join("; ")),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let mut summary = submitted.map_or_else(Vec::new, |(_, e)| {
        let mut v = e.general.clone();
        v.extend(e.get("step").map(str::to_owned));
        v.extend(
            e.unplaced(&["review_on", "step", "new_name", "new_responsible"])
                .into_iter()
                .filter(|m| !m.starts_with("steps[")),
        );
        v
    });
    if submitted.is_some_and(|(_, e)| !e.is_empty()) && summary.is_empty() {
        summary.push("Check the marked rows below.".to_owned());
    }
    let page = render(&WorkflowPage {
        chrome: Chrome::new(&can.auth, state.config.demo.is_some()),
        version: stored.version,
        model: plan.chosen_model().map(|m| m.label().to_owned()),
        workflow: w.map(|w| {
            (
                w.version,
                w.model.label().to_owned(),
                w.effective_on.to_string(),
            )
        }),
        review_on: typed(
            "review_on",
            w.map_or_else(String::new, |w| w.review_on.to_string()),
        ),
        review_error: error("review_on"),
        review_due: w.is_some_and(|w| w.review_due(can.ctx.today)),
        roles: Role::ALL.iter().map(|r| r.label()).collect(),
        steps,
        summary,
        parts: &PARTS,
        new_name: typed_step("new_name"),
        new_name_error: error("new_name"),
        new_responsible: typed_step("new_responsible"),
        new_responsible_error: error("new_responsible"),
        role_options: Role::ALL.iter().map(|r| (r.code(), r.label())).collect(),
    });
    if submitted.is_some() {
        super::forms::refused(page)
    } else {
        page
    }
}

pub async fn workflow_page(State(state): State<AppState>, can: Can<op::EditPlan>) -> Response {
    match plan_edit::latest(&state, &can).await {
        Ok(stored) => page(&state, &can, &stored, None, false),
        Err(e) => super::error_page(e),
    }
}

/// Start from the default plan for the chosen model.
pub async fn start(
    State(state): State<AppState>,
    can: Can<op::EditPlan>,
    Form(fields): Form<Fields>,
) -> Response {
    let result = async {
        let version = plan_edit::version(&fields)?;
        let mut plan = plan_edit::latest(&state, &can).await?.plan;
        let Some(model) = plan.chosen_model() else {
            return Err(ApiError::invalid(
                "model",
                "choose a model first: the default workflow depends on it",
            ));
        };
        if plan.workflow.is_some() {
            return Err(ApiError::invalid(
                "workflow",
                "the plan already has a workflow: change it below",
            ));
        }
        plan.workflow = Some(default_workflow(model, can.ctx.today));
        plan_edit::save(&state, &can, version, &plan).await
    }
    .await;
    answer(&state, &can, None, false, result).await
}

/// The grid as submitted, over the latest workflow: the same steps, their names, the part each
/// role plays, and the review date.
fn parse_grid(w: &WorkflowPlan, fields: &Fields) -> Result<WorkflowPlan, ApiError> {
    let mut next = w.clone();
    let mut errors = stepwise_domain::error::ValidationError::new();
    match parse_date("review_on", &get(fields, "review_on")) {
        Ok(d) => next.review_on = d,
        Err(e) => errors.errors.extend(e.errors),
    }
    for (i, step) in next.steps.iter_mut().enumerate() {
        step.name = get(fields, &format!("s{i}.name"));
        step.responsible.clear();
        step.supporting.clear();
        step.informed.clear();
        for role in Role::ALL {
            match get(fields, &cell_name(i, *role)).as_str() {
                "" => {}
                "r" => step.responsible.push(*role),
                "s" => step.supporting.push(*role),
                "i" => step.informed.push(*role),
                _ => errors.push(
                    format!("steps[{i}].roles"),
                    format!("choose a part for {}", role.label()),
                ),
            }
        }
    }
    if let Err(e) = validate_workflow(&next) {
        errors.errors.extend(e.errors);
    }
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    // Each saved change is a new version of the workflow plan (workflow.rs: "versions are kept").
    if next != *w {
        next.version = w.version + 1;
    }
    Ok(next)
}

pub async fn save(
    State(state): State<AppState>,
    can: Can<op::EditPlan>,
    Form(fields): Form<Fields>,
) -> Response {
    let result = async {
        let mut plan = plan_edit::latest(&state, &can).await?.plan;
        let Some(w) = plan.workflow.as_ref() else {
            return Err(ApiError::invalid(
                "workflow",
                "the plan has no workflow yet: start from the default",
            ));
        };
        let next = parse_grid(w, &fields)?;
        let version = plan_edit::version(&fields)?;
        plan.workflow = Some(next);
        plan_edit::save(&state, &can, version, &plan).await
    }
    .await;
    answer(&state, &can, Some(&fields), true, result).await
}

/// Add a step at the end, with the role responsible for it.
pub async fn add_step(
    State(state): State<AppState>,
    can: Can<op::EditPlan>,
    Form(fields): Form<Fields>,
) -> Response {
    let result = async {
        let mut plan = plan_edit::latest(&state, &can).await?.plan;
        let Some(w) = plan.workflow.as_mut() else {
            return Err(no_workflow());
        };
        let role = Role::parse(&get(&fields, "new_responsible")).map_err(|_| {
            ApiError::invalid(
                "new_responsible",
                "choose the role responsible for the step",
            )
        })?;
        w.add_step(&get(&fields, "new_name"), role).map_err(|e| {
            ApiError::Invalid(stepwise_domain::error::ValidationError {
                errors: e
                    .errors
                    .into_iter()
                    .map(|mut f| {
                        f.field = format!("new_{}", f.field);
                        f
                    })
                    .collect(),
            })
        })?;
        let version = plan_edit::version(&fields)?;
        plan_edit::save(&state, &can, version, &plan).await
    }
    .await;
    answer(&state, &can, Some(&fields), false, result).await
}

fn no_workflow() -> ApiError {
    ApiError::invalid(
        "workflow",
        "the plan has no workflow yet: start from the default",
    )
}

/// Remove the step at position `step`; the crisis protocol (and any step the model needs)
/// is refused with its reason.
pub async fn remove_step(
    State(state): State<AppState>,
    can: Can<op::EditPlan>,
    Form(fields): Form<Fields>,
) -> Response {
    let result = async {
        let version = plan_edit::version(&fields)?;
        let mut plan = plan_edit::latest(&state, &can).await?.plan;
        let Some(w) = plan.workflow.as_mut() else {
            return Err(no_workflow());
        };
        let index = get(&fields, "step").parse::<usize>().unwrap_or(usize::MAX);
        w.remove_step(index)?;
        plan_edit::save(&state, &can, version, &plan).await
    }
    .await;
    answer(&state, &can, None, false, result).await
}

/// Move a step one place: the button's value is `up.N` or `down.N`.
pub async fn move_step(
    State(state): State<AppState>,
    can: Can<op::EditPlan>,
    Form(fields): Form<Fields>,
) -> Response {
    let result = async {
        let version = plan_edit::version(&fields)?;
        let mut plan = plan_edit::latest(&state, &can).await?.plan;
        let Some(w) = plan.workflow.as_mut() else {
            return Err(no_workflow());
        };
        let raw = get(&fields, "move");
        let (up, index) = match raw.split_once('.') {
            Some(("up", n)) => (true, n.parse::<usize>().unwrap_or(usize::MAX)),
            Some(("down", n)) => (false, n.parse::<usize>().unwrap_or(usize::MAX)),
            _ => (true, usize::MAX),
        };
        w.move_step(index, up)?;
        plan_edit::save(&state, &can, version, &plan).await
    }
    .await;
    answer(&state, &can, None, false, result).await
}

async fn answer(
    state: &AppState,
    can: &Can<op::EditPlan>,
    fields: Option<&Fields>,
    grid: bool,
    result: Result<StoredPlan, ApiError>,
) -> Response {
    let error = match result {
        Ok(_) => return see_other(BACK),
        Err(e) => e,
    };
    let stored = match plan_edit::latest(state, can).await {
        Ok(s) => s,
        Err(e) => return super::error_page(e),
    };
    match FormErrors::from_api(error) {
        Ok(errors) => page(state, can, &stored, Some((fields, &errors)), grid),
        Err(e) => super::error_page(e),
    }
}
