//! Team communication in the browser: the team's standing meetings (huddles, the weekly case
//! review, team meetings) with who attends and short dated notes, and an outside consultant's
//! assessment kept with the plan (domain `planner::communication`). Every staff member reads
//! it; the practice administrator changes it. A meeting is named by its position; the form's
//! version makes sure the position still means the same meeting.

use super::actions::FieldView;
use super::forms::{Fields, FormErrors, get, see_other};
use super::plan_edit::{self, RoleCheck, lay_over, options, role_checks, ticked_roles, with_none};
use super::plan_model::weekday_label;
use super::{Chrome, render};
use crate::access::{Can, Op, op};
use crate::error::ApiError;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use stepwise_domain::error::ValidationError;
use stepwise_domain::patient::parse_date;
use stepwise_domain::planner::communication::{
    MeetingInput, MeetingNote, parse_consultant, parse_note,
};
use stepwise_domain::planner::presets::Weekday;
use stepwise_domain::planner::{Cadence, ConsultantAssessment, Meeting, MeetingKind, PracticePlan};
use stepwise_store::model::StoredPlan;
use time::Date;

const BACK: &str = "/plan/meetings";

pub struct MeetingRow {
    pub index: usize,
    pub name: String,
    pub kind: &'static str,
    pub when: String,
    pub attendees: String,
    /// (date, text), newest first.
    pub notes: Vec<(String, String)>,
}

pub struct ConsultantView {
    pub assessed_on: String,
    pub consultant: String,
    pub summary: String,
    pub recommendations: Vec<String>,
}

#[derive(Template)]
#[template(path = "plan_meetings.html")]
struct MeetingsPage {
    chrome: Chrome,
    version: i64,
    can_edit: bool,
    meetings: Vec<MeetingRow>,
    consultant: Option<ConsultantView>,
    editing: Option<usize>,
    summary: Vec<String>,
    meeting_fields: Vec<FieldView>,
    roles: Vec<RoleCheck>,
    roles_error: Option<String>,
    roles_legend: &'static str,
    note_fields: Vec<FieldView>,
    consultant_fields: Vec<FieldView>,
}

#[derive(Deserialize)]
pub struct MeetingQuery {
    meeting: Option<usize>,
}

pub fn kind_label(k: MeetingKind) -> &'static str {
    k.label()
}

/// When a meeting is held, in words: "Every week on Wednesday at 12:30".
pub fn when(m: &Meeting) -> String {
    let mut s = m.cadence.label().to_owned();
    if let Some(d) = m.day {
        s.push_str(" on ");
        s.push_str(weekday_label(d));
    }
    if let Some(t) = &m.time {
        s.push_str(" at ");
        s.push_str(t);
    }
    s
}

pub fn roles_text(roles: &[stepwise_domain::role::Role]) -> String {
    roles
        .iter()
        .map(|r| r.label())
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn meeting_rows(plan: &PracticePlan) -> Vec<MeetingRow> {
    plan.communication
        .meetings
        .iter()
        .enumerate()
        .map(|(index, m)| {
            let mut notes: Vec<&MeetingNote> = m.notes.iter().collect();
            notes.sort_by_key(|n| std::cmp::Reverse(n.on));
            MeetingRow {
                index,
                name: m.name.clone(),
                kind: kind_label(m.kind),
                when: when(m),
                attendees: roles_text(&m.attendees),
                notes: notes
                    .into_iter()
                    .map(|n| (n.on.to_string(), n.text.clone()))
                    .collect(),
            }
        })
        .collect()
}

pub fn consultant_view(a: &ConsultantAssessment) -> ConsultantView {
    ConsultantView {
        assessed_on: a.assessed_on.to_string(),
        consultant: a.consultant.clone(),
        summary: a.summary.clone(),
        recommendations: a.recommendations.clone(),
    }
}

fn meeting_fields(m: Option<&Meeting>) -> Vec<FieldView> {
    vec![
        FieldView::new("name", "Name", "text")
            .value(m.map_or_else(String::new, |m| m.name.clone()))
            .hint("For example: Morning huddle, Weekly case review."),
        FieldView::select(
            "kind",
            "Kind",
            with_none(
                "Choose a kind",
                options(MeetingKind::ALL, MeetingKind::code, kind_label),
            ),
        )
        .value(m.map_or("", |m| m.kind.code())),
        FieldView::select(
            "cadence",
            "How often",
            with_none(
                "Choose how often",
                options(Cadence::ALL, Cadence::code, Cadence::label),
            ),
        )
        .value(m.map_or("", |m| m.cadence.code())),
        FieldView::select(
            "day",
            "Day",
            with_none(
                "No set day",
                options(Weekday::ALL, Weekday::code, weekday_label),
            ),
        )
        .value(m.and_then(|m| m.day).map_or("", Weekday::code))
        .hint("Needed for a meeting held every week or every two weeks."),
        FieldView::new("time", "Time", "time")
            .value(m.and_then(|m| m.time.clone()).unwrap_or_default())
            .hint("24-hour clock, for example 08:30."),
    ]
}

fn note_fields(plan: &PracticePlan, today: Date) -> Vec<FieldView> {
    vec![
        FieldView::select(
            "note_meeting",
            "Meeting",
            with_none(
                "Choose a meeting",
                plan.communication
                    .meetings
                    .iter()
                    .enumerate()
                    .map(|(i, m)| (i.to_string(), m.name.clone()))
                    .collect(),
            ),
        ),
        FieldView::new("on", "Date of the meeting", "date").value(today.to_string()),
        FieldView::new("text", "Note", "textarea").hint(
            "A few lines: what the team decided or will try. No patient names or details: the plan is not a patient record.",
        ),
    ]
}

fn consultant_fields(a: Option<&ConsultantAssessment>, today: Date) -> Vec<FieldView> {
    vec![
        FieldView::new("assessed_on", "Date of the assessment", "date")
            .value(a.map_or_else(|| today.to_string(), |a| a.assessed_on.to_string())),
        FieldView::new("consultant", "Consultant", "text")
            .value(a.map_or_else(String::new, |a| a.consultant.clone()))
            .hint("Name and organization."),
        FieldView::new("summary", "Summary of the assessment", "textarea")
            .value(a.map_or_else(String::new, |a| a.summary.clone())),
        FieldView::new("recommendations", "Recommendations", "textarea")
            .value(a.map_or_else(String::new, |a| a.recommendations.join("\n")))
            .hint("One a line."),
    ]
}

/// Which form a submission came from.
#[derive(Clone, Copy)]
enum Which {
    Meeting,
    Note,
    Consultant,
    /// A removal: nothing typed to keep.
    Neither,
}

async fn page<O: Op>(
    state: &AppState,
    can: &Can<O>,
    editing: Option<usize>,
    submitted: Option<(Which, &Fields, &FormErrors)>,
) -> Response {
    let stored = match state.store.plan(can.ctx.practice).await {
        Ok(s) => s,
        Err(e) => return super::error_page(e.into()),
    };
    let plan = &stored.plan;
    let today = can.ctx.today;
    let meeting = editing.and_then(|i| plan.communication.meetings.get(i));
    let mut mfields = meeting_fields(meeting);
    let mut nfields = note_fields(plan, today);
    let mut cfields = consultant_fields(plan.communication.consultant.as_ref(), today);
    let none = FormErrors::default();
    let mut typed_roles = None;
    let mut attendees_error = None;
    let summary = match submitted {
        Some((Which::Meeting, f, e)) => {
            typed_roles = Some(f);
            attendees_error = e.get("attendees").map(str::to_owned);
            let mut s = lay_over(&mut mfields, Some(f), e);
            s.retain(|m| !m.starts_with("attendees:"));
            s
        }
        Some((Which::Note, f, e)) => lay_over(&mut nfields, Some(f), e),
        Some((Which::Consultant, f, e)) => lay_over(&mut cfields, Some(f), e),
        Some((Which::Neither, _, e)) => lay_over(&mut mfields, None, e),
        None => lay_over(&mut mfields, None, &none),
    };
    let page = render(&MeetingsPage {
        chrome: Chrome::new(&can.auth, state.config.demo.is_some()),
        version: stored.version,
        can_edit: plan_edit::can_edit(&can.auth),
        meetings: meeting_rows(plan),
        consultant: plan.communication.consultant.as_ref().map(consultant_view),
        editing: meeting.and(editing),
        summary,
        meeting_fields: mfields,
        roles: role_checks(
            meeting.map_or(&[][..], |m| m.attendees.as_slice()),
            typed_roles,
        ),
        roles_error: attendees_error,
        roles_legend: "Who attends",
        note_fields: nfields,
        consultant_fields: cfields,
    });
    if submitted.is_some() {
        super::forms::refused(page)
    } else {
        page
    }
}

pub async fn meetings_page(
    State(state): State<AppState>,
    can: Can<op::ReadPlan>,
    Query(q): Query<MeetingQuery>,
) -> Response {
    page(&state, &can, q.meeting, None).await
}

fn position(fields: &Fields, name: &str) -> Option<usize> {
    get(fields, name).parse().ok()
}

pub async fn save_meeting(
    State(state): State<AppState>,
    can: Can<op::EditPlan>,
    Form(fields): Form<Fields>,
) -> Response {
    let editing = position(&fields, "meeting");
    let result = async {
        let mut plan = plan_edit::latest(&state, &can).await?.plan;
        let existing = editing.filter(|i| *i < plan.communication.meetings.len());
        let mut errors = ValidationError::new();
        let attendees = ticked_roles(&mut errors, &fields, "attendees");
        let notes =
            existing.map_or_else(Vec::new, |i| plan.communication.meetings[i].notes.clone());
        let parsed = MeetingInput {
            name: get(&fields, "name"),
            kind: get(&fields, "kind"),
            cadence: get(&fields, "cadence"),
            day: get(&fields, "day"),
            time: get(&fields, "time"),
            attendees,
        }
        .parse(notes);
        let meeting = errors.check(parsed);
        let meeting = plan_edit::checked(errors, meeting)?;
        let version = plan_edit::version(&fields)?;
        match existing {
            Some(i) => plan.communication.meetings[i] = meeting,
            None => plan.communication.meetings.push(meeting),
        }
        plan_edit::save(&state, &can, version, &plan).await
    }
    .await;
    answer(&state, &can, editing, Which::Meeting, &fields, result).await
}

pub async fn remove_meeting(
    State(state): State<AppState>,
    can: Can<op::EditPlan>,
    Form(fields): Form<Fields>,
) -> Response {
    let result = async {
        let version = plan_edit::version(&fields)?;
        let mut plan = plan_edit::latest(&state, &can).await?.plan;
        match position(&fields, "meeting").filter(|i| *i < plan.communication.meetings.len()) {
            Some(i) => {
                plan.communication.meetings.remove(i);
            }
            None => {
                return Err(ApiError::invalid(
                    "meeting",
                    "that meeting is no longer in the plan",
                ));
            }
        }
        plan_edit::save(&state, &can, version, &plan).await
    }
    .await;
    answer(&state, &can, None, Which::Neither, &fields, result).await
}

pub async fn save_note(
    State(state): State<AppState>,
    can: Can<op::EditPlan>,
    Form(fields): Form<Fields>,
) -> Response {
    let result = async {
        let mut plan = plan_edit::latest(&state, &can).await?.plan;
        let mut errors = ValidationError::new();
        let meeting =
            position(&fields, "note_meeting").filter(|i| *i < plan.communication.meetings.len());
        if meeting.is_none() {
            errors.push("note_meeting", "choose one of the team's meetings");
        }
        let on = errors.check(parse_date("on", &get(&fields, "on")));
        let note = match on {
            Some(on) => errors.check(parse_note(on, &get(&fields, "text"), can.ctx.today)),
            None => {
                if get(&fields, "text").is_empty() {
                    errors.push("text", "must not be empty");
                }
                None
            }
        };
        let (i, note) = plan_edit::checked(errors, meeting.zip(note))?;
        let version = plan_edit::version(&fields)?;
        plan.communication.meetings[i].notes.push(note);
        plan_edit::save(&state, &can, version, &plan).await
    }
    .await;
    answer(&state, &can, None, Which::Note, &fields, result).await
}

pub async fn save_consultant(
    State(state): State<AppState>,
    can: Can<op::EditPlan>,
    Form(fields): Form<Fields>,
) -> Response {
    let result = async {
        let mut plan = plan_edit::latest(&state, &can).await?.plan;
        let mut errors = ValidationError::new();
        let on = errors.check(parse_date("assessed_on", &get(&fields, "assessed_on")));
        let assessment = parse_consultant(
            on.unwrap_or(can.ctx.today),
            &get(&fields, "consultant"),
            &get(&fields, "summary"),
            &get(&fields, "recommendations"),
            can.ctx.today,
        );
        let assessment = errors.check(assessment);
        let assessment = plan_edit::checked(errors, assessment)?;
        let version = plan_edit::version(&fields)?;
        plan.communication.consultant = Some(assessment);
        plan_edit::save(&state, &can, version, &plan).await
    }
    .await;
    answer(&state, &can, None, Which::Consultant, &fields, result).await
}

async fn answer(
    state: &AppState,
    can: &Can<op::EditPlan>,
    editing: Option<usize>,
    which: Which,
    fields: &Fields,
    result: Result<StoredPlan, ApiError>,
) -> Response {
    match result {
        Ok(_) => see_other(BACK),
        Err(e) => match FormErrors::from_api(e) {
            Ok(errors) => page(state, can, editing, Some((which, fields, &errors))).await,
            Err(e) => super::error_page(e),
        },
    }
}
