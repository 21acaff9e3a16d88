//! Training in the browser: who needs which module and by when (initial training, refreshers
//! every six months and when a colleague joins), the curriculum per role, group sessions with
//! who was invited and who attended, and training done alone. A session is named by its
//! position; the form's version makes sure the position still means the same session.

use super::actions::FieldView;
use super::forms::{Fields, FormErrors, get, see_other};
use super::plan_edit::{self, RoleCheck, lay_over, role_checks, ticked_roles, with_none};
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
use stepwise_domain::patient::parse_date;
use stepwise_domain::planner::training::{
    Completion, MAX_REFRESHER_MONTHS, ModuleInput, TrainingModule, TrainingSession,
};
use stepwise_domain::planner::{
    DueReason, DueStatus, PracticePlan, TeamMemberId, training_completion, training_due,
};
use stepwise_store::model::StoredPlan;
use time::{Date, Duration};
use uuid::Uuid;

const BACK: &str = "/plan/training";

pub struct DueRow {
    pub member: String,
    pub module: String,
    pub reason: &'static str,
    pub status: &'static str,
    pub due_on: String,
    pub scheduled_on: String,
}

pub struct ModuleRow {
    pub index: usize,
    pub title: String,
    pub roles: String,
    pub refresher: String,
    /// (title, source, link)
    pub materials: Vec<(String, String, Option<String>)>,
}

pub struct SessionRow {
    pub index: usize,
    pub module: String,
    pub held_on: String,
    pub invited: String,
    pub attended: String,
}

pub struct MemberCheck {
    pub id: String,
    pub name: String,
    pub invited: bool,
    pub attended: bool,
}

#[derive(Template)]
#[template(path = "plan_training.html")]
struct TrainingPage {
    chrome: Chrome,
    version: i64,
    completion: u32,
    due: Vec<DueRow>,
    modules: Vec<ModuleRow>,
    sessions: Vec<SessionRow>,
    completions: Vec<(String, String, String)>,
    editing: Option<usize>,
    summary: Vec<String>,
    session_fields: Vec<FieldView>,
    members: Vec<MemberCheck>,
    members_error: Option<String>,
    completion_fields: Vec<FieldView>,
    editing_module: Option<usize>,
    module_fields: Vec<FieldView>,
    roles: Vec<RoleCheck>,
    roles_error: Option<String>,
    roles_legend: &'static str,
}

#[derive(Deserialize)]
pub struct SessionQuery {
    session: Option<usize>,
    module: Option<usize>,
}

fn reason_label(r: DueReason) -> &'static str {
    match r {
        DueReason::Initial => "First training",
        DueReason::Refresher => "Refresher",
        DueReason::NewColleague => "A colleague joined",
    }
}

fn status_label(s: DueStatus) -> &'static str {
    match s {
        DueStatus::Due => "Due",
        DueStatus::Overdue => "Overdue",
    }
}

fn names(plan: &PracticePlan, ids: &[TeamMemberId]) -> String {
    let v: Vec<&str> = ids
        .iter()
        .filter_map(|id| plan.team.iter().find(|m| m.id == *id))
        .map(|m| m.name.as_str())
        .collect();
    if v.is_empty() {
        "—".to_owned()
    } else {
        v.join(", ")
    }
}

fn module_title(plan: &PracticePlan, code: &str) -> String {
    plan.training
        .modules
        .iter()
        .find(|m| m.code == code)
        .map_or_else(|| code.to_owned(), |m| m.title.clone())
}

fn module_options(plan: &PracticePlan) -> Vec<(String, String)> {
    with_none(
        "Choose a module",
        plan.training
            .modules
            .iter()
            .map(|m| (m.code.clone(), m.title.clone()))
            .collect(),
    )
}

fn session_fields(
    plan: &PracticePlan,
    session: Option<&TrainingSession>,
    today: Date,
) -> Vec<FieldView> {
    vec![
        FieldView::select("module", "Module", module_options(plan))
            .value(session.map_or("", |s| &s.module)),
        FieldView::new("held_on", "Date of the session", "date")
            .value(session.map_or_else(|| today.to_string(), |s| s.held_on.to_string()))
            .hint("A future date schedules the session for those invited; attendance is recorded on or after the day."),
    ]
}

fn completion_fields(plan: &PracticePlan, today: Date) -> Vec<FieldView> {
    vec![
        FieldView::select(
            "completion_member",
            "Team member",
            with_none(
                "Choose a member",
                plan.team
                    .iter()
                    .map(|m| (m.id.to_string(), m.name.clone()))
                    .collect(),
            ),
        ),
        FieldView::select("completion_module", "Module", module_options(plan)),
        FieldView::new("completed_on", "Completed on", "date").value(today.to_string()),
    ]
}

fn module_fields(m: Option<&TrainingModule>) -> Vec<FieldView> {
    vec![
        FieldView::new("title", "Title", "text").value(m.map_or_else(String::new, |m| m.title.clone())),
        FieldView::new("refresher_months", "Refresher every (months)", "number")
            .value(m.map_or_else(|| "6".to_owned(), |m| m.refresher_months.to_string()))
            .hint(&format!("1 to {MAX_REFRESHER_MONTHS}; six months is the usual interval.")),
        FieldView::new("refresh_on_new_hire", "Everyone retakes it when a colleague joins", "checkbox")
            .value(if m.is_some_and(|m| m.refresh_on_new_hire) { "yes" } else { "" }),
        FieldView::new("materials", "Materials", "textarea")
            .value(m.map_or_else(String::new, |m| {
                m.materials
                    .iter()
                    .map(|x| match &x.url {
                        Some(u) => format!("{} | {u}", x.title),
                        None => x.title.clone(),
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            }))
            .hint("One a line: a title, or a title, a bar and a link (Behavioral activation video | https://…)."),
    ]
}

fn ticked(fields: &Fields, name: &str, id: TeamMemberId) -> bool {
    let id = id.to_string();
    fields.iter().any(|(n, v)| n == name && *v == id)
}

/// Which form a submission came from.
#[derive(Clone, Copy)]
enum Which {
    Session,
    Completion,
    Module,
    /// A removal: nothing typed to keep.
    Neither,
}

async fn page(
    state: &AppState,
    can: &Can<op::EditPlan>,
    editing: Option<usize>,
    editing_module: Option<usize>,
    submitted: Option<(Which, &Fields, &FormErrors)>,
) -> Response {
    let stored = match plan_edit::latest(state, can).await {
        Ok(s) => s,
        Err(e) => return super::error_page(e),
    };
    let plan = &stored.plan;
    let today = can.ctx.today;
    let session = editing.and_then(|i| plan.training.sessions.get(i));
    let mut sfields = session_fields(plan, session, today);
    let mut cfields = completion_fields(plan, today);
    let module = editing_module.and_then(|i| plan.training.modules.get(i));
    let mut mfields = module_fields(module);
    let none = FormErrors::default();
    let mut typed_roles = None;
    let mut roles_error = None;
    let (summary, members_error, typed) = match submitted {
        Some((Which::Module, f, e)) => {
            lay_over(&mut sfields, None, &none);
            typed_roles = Some(f);
            roles_error = e.get("roles").map(str::to_owned);
            let mut s = lay_over(&mut mfields, Some(f), e);
            s.retain(|m| !m.starts_with("roles:"));
            (s, None, None)
        }
        Some((Which::Session, f, e)) => {
            lay_over(&mut cfields, None, &none);
            let mut s = lay_over(&mut sfields, Some(f), e);
            s.retain(|m| !m.starts_with("members:"));
            (s, e.get("members").map(str::to_owned), Some(f))
        }
        Some((Which::Completion, f, e)) => {
            lay_over(&mut sfields, None, &none);
            (lay_over(&mut cfields, Some(f), e), None, None)
        }
        // A removal has no field: its reason goes to the summary.
        Some((Which::Neither, _, e)) => (lay_over(&mut [], None, e), None, None),
        None => (Vec::new(), None, None),
    };
    let members = plan
        .team
        .iter()
        .map(|m| MemberCheck {
            id: m.id.to_string(),
            name: m.name.clone(),
            invited: match typed {
                Some(f) => ticked(f, "invited", m.id),
                None => session.is_some_and(|s| s.invited.contains(&m.id)),
            },
            attended: match typed {
                Some(f) => ticked(f, "attended", m.id),
                None => session.is_some_and(|s| s.attended.contains(&m.id)),
            },
        })
        .collect();
    let page = render(&TrainingPage {
        chrome: Chrome::new(&can.auth, state.config.demo.is_some()),
        version: stored.version,
        completion: (training_completion(&plan.training, &plan.team, today) * 100.0).round() as u32,
        due: training_due(&plan.training, &plan.team, today)
            .into_iter()
            .map(|d| DueRow {
                member: d.member_name,
                module: d.module_title,
                reason: reason_label(d.reason),
                status: status_label(d.status),
                due_on: d.due_on.to_string(),
                scheduled_on: d
                    .scheduled_on
                    .map_or_else(|| "—".to_owned(), |d| d.to_string()),
            })
            .collect(),
        modules: plan
            .training
            .modules
            .iter()
            .enumerate()
            .map(|(index, m)| ModuleRow {
                index,
                title: m.title.clone(),
                roles: m
                    .roles
                    .iter()
                    .map(|r| r.label())
                    .collect::<Vec<_>>()
                    .join(", "),
                refresher: format!(
                    "every {} months{}",
                    m.refresher_months,
                    if m.refresh_on_new_hire {
                        " and when a colleague joins"
                    } else {
                        ""
                    }
                ),
                materials: m
                    .materials
                    .iter()
                    .map(|x| (x.title.clone(), x.source.clone(), x.url.clone()))
                    .collect(),
            })
            .collect(),
        sessions: plan
            .training
            .sessions
            .iter()
            .enumerate()
            .map(|(index, s)| SessionRow {
                index,
                module: module_title(plan, &s.module),
                held_on: s.held_on.to_string(),
                invited: names(plan, &s.invited),
                attended: names(plan, &s.attended),
            })
            .collect(),
        completions: plan
            .training
            .completions
            .iter()
            .map(|c| {
                (
                    names(plan, &[c.member]),
                    module_title(plan, &c.module),
                    c.completed_on.to_string(),
                )
            })
            .collect(),
        editing: session.and(editing),
        summary,
        session_fields: sfields,
        members,
        members_error,
        completion_fields: cfields,
        editing_module: module.and(editing_module),
        module_fields: mfields,
        roles: role_checks(module.map_or(&[][..], |m| m.roles.as_slice()), typed_roles),
        roles_error,
        roles_legend: "Who takes it",
    });
    if submitted.is_some() {
        super::forms::refused(page)
    } else {
        page
    }
}

pub async fn training_page(
    State(state): State<AppState>,
    can: Can<op::EditPlan>,
    Query(q): Query<SessionQuery>,
) -> Response {
    page(&state, &can, q.session, q.module, None).await
}

fn known_module(errors: &mut ValidationError, plan: &PracticePlan, field: &str, code: &str) {
    if !plan.training.modules.iter().any(|m| m.code == code) {
        errors.push(field, "choose one of the plan's modules");
    }
}

/// The members ticked under `name`, each on the roster.
fn members(
    errors: &mut ValidationError,
    plan: &PracticePlan,
    fields: &Fields,
    name: &str,
) -> Vec<TeamMemberId> {
    let mut ids = Vec::new();
    for (_, v) in fields.iter().filter(|(n, _)| n == name) {
        match Uuid::parse_str(v).ok().map(TeamMemberId) {
            Some(id) if plan.team.iter().any(|m| m.id == id) => ids.push(id),
            _ => errors.push("members", "someone ticked is no longer on the roster"),
        }
    }
    ids
}

fn parse_session(
    plan: &PracticePlan,
    fields: &Fields,
    today: Date,
) -> Result<TrainingSession, ApiError> {
    let mut errors = ValidationError::new();
    let module = get(fields, "module");
    known_module(&mut errors, plan, "module", &module);
    let held_on = errors.check(parse_date("held_on", &get(fields, "held_on")));
    if held_on.is_some_and(|d| d > today + Duration::days(366)) {
        errors.push("held_on", "must be within the next year");
    }
    let invited = members(&mut errors, plan, fields, "invited");
    let attended = members(&mut errors, plan, fields, "attended");
    if held_on.is_some_and(|d| d > today) && !attended.is_empty() {
        errors.push(
            "members",
            "attendance is recorded on or after the day of the session",
        );
    }
    if invited.is_empty() && attended.is_empty() {
        errors.push("members", "tick who is invited or who attended");
    }
    match held_on {
        Some(held_on) if errors.is_empty() => Ok(TrainingSession {
            module,
            held_on,
            invited,
            attended,
        }),
        _ => Err(ApiError::Invalid(errors)),
    }
}

fn parse_completion(
    plan: &PracticePlan,
    fields: &Fields,
    today: Date,
) -> Result<Completion, ApiError> {
    let mut errors = ValidationError::new();
    let member = Uuid::parse_str(&get(fields, "completion_member"))
        .ok()
        .map(TeamMemberId)
        .filter(|id| plan.team.iter().any(|m| m.id == *id));
    if member.is_none() {
        errors.push("completion_member", "choose a member of the team");
    }
    let module = get(fields, "completion_module");
    known_module(&mut errors, plan, "completion_module", &module);
    let on = errors.check(parse_date("completed_on", &get(fields, "completed_on")));
    if on.is_some_and(|d| d > today) {
        errors.push("completed_on", "cannot be after today");
    }
    match (member, on) {
        (Some(member), Some(completed_on)) if errors.is_empty() => Ok(Completion {
            member,
            module,
            completed_on,
        }),
        _ => Err(ApiError::Invalid(errors)),
    }
}

fn position(fields: &Fields) -> Option<usize> {
    get(fields, "session").parse().ok()
}

pub async fn save_session(
    State(state): State<AppState>,
    can: Can<op::EditPlan>,
    Form(fields): Form<Fields>,
) -> Response {
    let editing = position(&fields);
    let result = async {
        let mut plan = plan_edit::latest(&state, &can).await?.plan;
        let session = parse_session(&plan, &fields, can.ctx.today)?;
        let version = plan_edit::version(&fields)?;
        match editing.filter(|i| *i < plan.training.sessions.len()) {
            Some(i) => plan.training.sessions[i] = session,
            None => plan.training.sessions.push(session),
        }
        plan_edit::save(&state, &can, version, &plan).await
    }
    .await;
    answer(
        &state,
        &can,
        (editing, None),
        Which::Session,
        &fields,
        result,
    )
    .await
}

pub async fn save_completion(
    State(state): State<AppState>,
    can: Can<op::EditPlan>,
    Form(fields): Form<Fields>,
) -> Response {
    let result = async {
        let mut plan = plan_edit::latest(&state, &can).await?.plan;
        let completion = parse_completion(&plan, &fields, can.ctx.today)?;
        let version = plan_edit::version(&fields)?;
        plan.training.completions.push(completion);
        plan_edit::save(&state, &can, version, &plan).await
    }
    .await;
    answer(
        &state,
        &can,
        (None, None),
        Which::Completion,
        &fields,
        result,
    )
    .await
}

pub async fn remove_session(
    State(state): State<AppState>,
    can: Can<op::EditPlan>,
    Form(fields): Form<Fields>,
) -> Response {
    let result = async {
        let version = plan_edit::version(&fields)?;
        let mut plan = plan_edit::latest(&state, &can).await?.plan;
        match position(&fields).filter(|i| *i < plan.training.sessions.len()) {
            Some(i) => {
                plan.training.sessions.remove(i);
            }
            None => {
                return Err(ApiError::invalid(
                    "session",
                    "that session is no longer in the plan",
                ));
            }
        }
        plan_edit::save(&state, &can, version, &plan).await
    }
    .await;
    answer(&state, &can, (None, None), Which::Neither, &fields, result).await
}

/// Add a module, or change the one at position `module`: title, roles, materials with links,
/// refresher interval (`training::ModuleInput`).
pub async fn save_module(
    State(state): State<AppState>,
    can: Can<op::EditPlan>,
    Form(fields): Form<Fields>,
) -> Response {
    let editing = get(&fields, "module").parse::<usize>().ok();
    let result = async {
        let mut plan = plan_edit::latest(&state, &can).await?.plan;
        let existing = editing.filter(|i| *i < plan.training.modules.len());
        let mut errors = ValidationError::new();
        let roles = ticked_roles(&mut errors, &fields, "roles");
        let parsed = ModuleInput {
            title: get(&fields, "title"),
            roles,
            materials: get(&fields, "materials"),
            refresher_months: get(&fields, "refresher_months"),
            refresh_on_new_hire: get(&fields, "refresh_on_new_hire") == "yes",
        }
        .parse(&plan.training, existing.map(|i| &plan.training.modules[i]));
        let module = errors.check(parsed);
        let module = plan_edit::checked(errors, module)?;
        let version = plan_edit::version(&fields)?;
        match existing {
            Some(i) => plan.training.modules[i] = module,
            None => plan.training.modules.push(module),
        }
        plan_edit::save(&state, &can, version, &plan).await
    }
    .await;
    answer(
        &state,
        &can,
        (None, editing),
        Which::Module,
        &fields,
        result,
    )
    .await
}

/// Remove the module at position `module`; refused while sessions or completions record it.
pub async fn remove_module(
    State(state): State<AppState>,
    can: Can<op::EditPlan>,
    Form(fields): Form<Fields>,
) -> Response {
    let result = async {
        let version = plan_edit::version(&fields)?;
        let mut plan = plan_edit::latest(&state, &can).await?.plan;
        let index = get(&fields, "module")
            .parse::<usize>()
            .unwrap_or(usize::MAX);
        plan.training.remove_module(index)?;
        plan_edit::save(&state, &can, version, &plan).await
    }
    .await;
    answer(&state, &can, (None, None), Which::Neither, &fields, result).await
}

async fn answer(
    state: &AppState,
    can: &Can<op::EditPlan>,
    (editing, editing_module): (Option<usize>, Option<usize>),
    which: Which,
    fields: &Fields,
    result: Result<StoredPlan, ApiError>,
) -> Response {
    match result {
        Ok(_) => see_other(BACK),
        Err(e) => match FormErrors::from_api(e) {
            Ok(errors) => {
                page(
                    state,
                    can,
                    editing,
                    editing_module,
                    Some((which, fields, &errors)),
                )
                .await
            }
            Err(e) => super::error_page(e),
        },
    }
}
