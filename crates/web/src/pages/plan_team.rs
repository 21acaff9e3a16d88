//! The team roster in the browser: add, change and remove members (role, FTE, employed /
//! contracted / remote, champion, the Stepwise account they sign in with), with the
//! care-manager capacity and the gaps for the chosen model shown beside the roster.

use super::actions::FieldView;
use super::forms::{Fields, FormErrors, get, see_other};
use super::plan::{GapView, severity_label};
use super::plan_edit::{self, lay_over, options, with_none};
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
use stepwise_domain::ids::UserId;
use stepwise_domain::planner::{
    Employment, TeamMember, TeamMemberId, TeamMemberInput, team_capacity,
};
use stepwise_domain::role::Role;
use stepwise_store::model::{StoredPlan, User};
use uuid::Uuid;

const BACK: &str = "/plan/team";

pub fn employment_label(e: Employment) -> &'static str {
    match e {
        Employment::Employed => "Employed",
        Employment::Contracted => "Contracted",
        Employment::Remote => "Remote",
    }
}

pub struct RosterRow {
    pub id: String,
    pub name: String,
    pub role: &'static str,
    pub fte: String,
    pub employment: &'static str,
    pub champion: bool,
    pub account: String,
    pub joined_on: String,
}

#[derive(Template)]
#[template(path = "plan_team.html")]
struct TeamPage {
    chrome: Chrome,
    version: i64,
    roster: Vec<RosterRow>,
    capacity: String,
    enrolled: u32,
    gaps: Vec<GapView>,
    model: String,
    editing: Option<String>,
    notice: Option<&'static str>,
    summary: Vec<String>,
    fields: Vec<FieldView>,
}

#[derive(Deserialize)]
pub struct MemberQuery {
    member: Option<String>,
}

fn member_id(raw: &str) -> Option<TeamMemberId> {
    Uuid::parse_str(raw.trim()).ok().map(TeamMemberId)
}

fn account_name(users: &[User], id: Option<UserId>) -> String {
    id.and_then(|id| users.iter().find(|u| u.id == id))
        .map_or_else(|| "—".to_owned(), |u| u.display_name.clone())
}

fn fields(member: Option<&TeamMember>, users: &[User], today: time::Date) -> Vec<FieldView> {
    let accounts = with_none(
        "No account",
        users
            .iter()
            .filter(|u| !u.disabled || member.and_then(|m| m.user) == Some(u.id))
            .map(|u| (u.id.to_string(), u.display_name.clone()))
            .collect(),
    );
    vec![
        FieldView::new("name", "Name", "text").value(member.map_or("", |m| &m.name)),
        FieldView::select(
            "role",
            "Role on the team",
            options(Role::ALL, Role::code, Role::label),
        )
        .value(member.map_or(Role::CareManager.code(), |m| m.role.code())),
        FieldView::new("fte", "Full-time equivalent", "text")
            .value(member.map_or_else(|| "1.00".to_owned(), |m| format!("{:.2}", m.fte.as_f64())))
            .hint("From 0.01 to 1.00: 0.5 is half time."),
        FieldView::select(
            "employment",
            "Employment",
            options(Employment::ALL, Employment::code, employment_label),
        )
        .value(member.map_or(Employment::Employed.code(), |m| m.employment.code())),
        FieldView::new("champion", "Champion (implementation leader)", "checkbox").value(
            if member.is_some_and(|m| m.champion) {
                "yes"
            } else {
                ""
            },
        ),
        FieldView::new("joined_on", "Joined the team on", "date")
            .value(member.map_or_else(|| today.to_string(), |m| m.joined_on.to_string()))
            .hint("Initial training is due from this date."),
        FieldView::select("user", "Stepwise account", accounts)
            .value(
                member
                    .and_then(|m| m.user)
                    .map_or_else(String::new, |u| u.to_string()),
            )
            .hint("Link the member to the account they sign in with, if they have one."),
    ]
}

/// The roster page at the plan's latest version: the form edits `editing` (or adds a member),
/// with what was typed and its errors when a submission was refused.
async fn page(
    state: &AppState,
    can: &Can<op::EditPlan>,
    editing: Option<TeamMemberId>,
    submitted: Option<(Option<&Fields>, &FormErrors)>,
) -> Response {
    let loaded = async {
        let (stored, summary) = crate::api::plan::load(state, can).await?;
        let users = state.store.users(can.ctx.practice).await?;
        Ok::<_, ApiError>((stored, users, summary))
    }
    .await;
    let (stored, users, registry) = match loaded {
        Ok(x) => x,
        Err(e) => return super::error_page(e),
    };
    let plan = &stored.plan;
    let member = editing.and_then(|id| plan.team.iter().find(|m| m.id == id));
    let notice = (editing.is_some() && member.is_none())
        .then_some("That member is no longer on the roster: the form below adds a new member.");
    let mut form = fields(member, &users, can.ctx.today);
    let summary = match submitted {
        Some((f, e)) => lay_over(&mut form, f, e),
        None => Vec::new(),
    };
    let capacity = team_capacity(&plan.team, plan.profile.caseload);
    let page = render(&TeamPage {
        chrome: Chrome::new(&can.auth, state.config.demo.is_some()),
        version: stored.version,
        roster: plan
            .team
            .iter()
            .map(|m| RosterRow {
                id: m.id.to_string(),
                name: m.name.clone(),
                role: m.role.label(),
                fte: format!("{:.2}", m.fte.as_f64()),
                employment: employment_label(m.employment),
                champion: m.champion,
                account: account_name(&users, m.user),
                joined_on: m.joined_on.to_string(),
            })
            .collect(),
        capacity: format!("{} to {} patients", capacity.low, capacity.high),
        enrolled: registry.enrolled_patients,
        gaps: plan
            .team_gaps(&registry)
            .iter()
            .map(|g| GapView {
                severity: severity_label(g.severity),
                code: g.severity.code(),
                message: g.message.clone(),
                basis: g.basis.clone(),
            })
            .collect(),
        model: plan.chosen_model().map_or_else(
            || "no model chosen yet: gaps are for coordinated care".to_owned(),
            |m| m.label().to_owned(),
        ),
        editing: member.map(|m| m.id.to_string()),
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

pub async fn team_page(
    State(state): State<AppState>,
    can: Can<op::EditPlan>,
    Query(q): Query<MemberQuery>,
) -> Response {
    let editing = q.member.as_deref().and_then(member_id);
    page(&state, &can, editing, None).await
}

fn parse_member(fields: &Fields, id: TeamMemberId, users: &[User]) -> Result<TeamMember, ApiError> {
    let mut errors = ValidationError::new();
    let fte_raw = get(fields, "fte");
    let fte = match fte_raw.parse::<f64>() {
        Ok(v) => v,
        Err(_) => {
            errors.push("fte", "enter a number from 0.01 to 1.00, such as 0.5");
            f64::NAN
        }
    };
    let user_raw = get(fields, "user");
    let user = if user_raw.is_empty() {
        None
    } else {
        let known = Uuid::parse_str(&user_raw)
            .ok()
            .map(UserId::from)
            .filter(|id| users.iter().any(|u| u.id == *id));
        if known.is_none() {
            errors.push(
                "user",
                "choose one of the practice's accounts, or “No account”",
            );
        }
        known
    };
    let input = TeamMemberInput {
        name: get(fields, "name"),
        role: get(fields, "role"),
        fte,
        employment: get(fields, "employment"),
        champion: get(fields, "champion") == "yes",
        joined_on: get(fields, "joined_on"),
        user,
    };
    match input.parse(id) {
        // An FTE that was not a number is reported once, as typed.
        Err(e) => {
            for f in e.errors {
                if !(f.field == "fte" && errors.errors.iter().any(|x| x.field == "fte")) {
                    errors.push(f.field, f.message);
                }
            }
            Err(ApiError::Invalid(errors))
        }
        Ok(m) if errors.is_empty() => Ok(m),
        Ok(_) => Err(ApiError::Invalid(errors)),
    }
}

pub async fn save_member(
    State(state): State<AppState>,
    can: Can<op::EditPlan>,
    Form(fields): Form<Fields>,
) -> Response {
    let editing = member_id(&get(&fields, "member"));
    let result = async {
        let users = state.store.users(can.ctx.practice).await?;
        let mut plan = plan_edit::latest(&state, &can).await?.plan;
        let existing = editing.and_then(|id| plan.team.iter().position(|m| m.id == id));
        let id = match existing {
            Some(i) => plan.team[i].id,
            None => TeamMemberId(Uuid::now_v7()),
        };
        let member = parse_member(&fields, id, &users)?;
        let version = plan_edit::version(&fields)?;
        match existing {
            Some(i) => plan.team[i] = member,
            None => plan.team.push(member),
        }
        plan_edit::save(&state, &can, version, &plan).await
    }
    .await;
    answer(&state, &can, editing, Some(&fields), result).await
}

pub async fn remove_member(
    State(state): State<AppState>,
    can: Can<op::EditPlan>,
    Form(fields): Form<Fields>,
) -> Response {
    let result = async {
        let version = plan_edit::version(&fields)?;
        let mut plan = plan_edit::latest(&state, &can).await?.plan;
        let id = member_id(&get(&fields, "member"));
        let before = plan.team.len();
        plan.team.retain(|m| Some(m.id) != id);
        if plan.team.len() == before {
            return Err(ApiError::invalid(
                "member",
                "that member is no longer on the roster",
            ));
        }
        plan_edit::save(&state, &can, version, &plan).await
    }
    .await;
    // A refused removal shows the roster with the reason; the member form stays blank.
    answer(&state, &can, None, None, result).await
}

async fn answer(
    state: &AppState,
    can: &Can<op::EditPlan>,
    editing: Option<TeamMemberId>,
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
