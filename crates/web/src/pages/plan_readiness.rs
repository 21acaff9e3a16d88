//! Readiness in the browser: every assessment with the respondents' self-ratings side by side
//! (where they disagree is marked), the decision tree's placements and the checklist; and the
//! three forms that fill an assessment in: one respondent's self-rating, one respondent's
//! answers to the decision tree, and the readiness checklist. What is entered on one day makes
//! that day's assessment; another day starts the next one, so the history of results is kept.

use super::actions::FieldView;
use super::forms::{Fields, FormErrors, get, see_other};
use super::plan_edit::{self, PlanForm, checked, options, with_none};
use super::{Chrome, render};
use crate::access::{Can, op};
use crate::error::ApiError;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use stepwise_domain::access::{Operation, acting_role};
use stepwise_domain::error::ValidationError;
use stepwise_domain::patient::parse_date;
use stepwise_domain::planner::checklist::{CHECKLIST, definition};
use stepwise_domain::planner::decision_tree::{RespondentAnswers, TREE, TREE_SOURCE, node};
use stepwise_domain::planner::{
    Checklist, ChecklistItem, Dimension, FRAMEWORK_NOTE, IntegrationLevel, ItemStatus,
    PracticePlan, ReadinessAssessment, Respondent, SelfRating, TreeAnswers, TreeQuestion, place,
};
use stepwise_domain::role::Role;
use time::Date;

const BACK: &str = "/plan/readiness";

pub fn item_status_label(s: ItemStatus) -> &'static str {
    match s {
        ItemStatus::NotStarted => "Not started",
        ItemStatus::InProgress => "In progress",
        ItemStatus::Done => "Done",
    }
}

fn level_text(l: Option<IntegrationLevel>) -> String {
    l.map_or_else(
        || "—".to_owned(),
        |l| format!("Level {}: {}", l.number(), l.name()),
    )
}

// ---------------------------------------------------------------------------------------------
// The overview.

pub struct RatingRow {
    pub dimension: &'static str,
    /// One cell per respondent, in the order of `respondents`.
    pub cells: Vec<String>,
    pub median: String,
    pub range: String,
    pub disagreement: bool,
}

pub struct TreeRow {
    pub respondent: String,
    pub placement: String,
    pub index: usize,
}

pub struct ChecklistRow {
    pub label: &'static str,
    pub status: &'static str,
    pub code: &'static str,
}

pub struct AssessmentView {
    pub on: String,
    pub level: String,
    pub basis: &'static str,
    pub respondents: Vec<(usize, String)>,
    pub rows: Vec<RatingRow>,
    pub disagreements: Vec<&'static str>,
    pub tree: Vec<TreeRow>,
    pub disputed: Vec<&'static str>,
    pub checklist: Vec<ChecklistRow>,
    pub completion: u32,
}

/// An assessment as the overview and the printed plan show it.
pub fn assessment_view(a: &ReadinessAssessment) -> AssessmentView {
    let r = a.result();
    let rows = r
        .ratings
        .dimensions
        .iter()
        .map(|d| RatingRow {
            dimension: d.dimension.label(),
            cells: a
                .self_ratings
                .iter()
                .map(|s| {
                    s.ratings
                        .get(&d.dimension)
                        .map_or_else(|| "—".to_owned(), |l| l.number().to_string())
                })
                .collect(),
            median: d
                .median
                .map_or_else(|| "—".to_owned(), |l| l.number().to_string()),
            range: match (d.lowest, d.highest) {
                (Some(lo), Some(hi)) if lo != hi => format!("{} to {}", lo.number(), hi.number()),
                (Some(lo), _) => lo.number().to_string(),
                _ => "—".to_owned(),
            },
            disagreement: d.disagreement,
        })
        .collect();
    AssessmentView {
        on: a.assessed_on.to_string(),
        level: level_text(r.level),
        basis: match r.level_basis.map(|b| b.code()) {
            Some("decision_tree") => "from the decision tree",
            Some(_) => "from the self-ratings (no decision tree answered)",
            None => "",
        },
        respondents: a
            .self_ratings
            .iter()
            .enumerate()
            .map(|(i, s)| (i, s.respondent.name.clone()))
            .collect(),
        rows,
        disagreements: r.ratings.disagreements.iter().map(|d| d.label()).collect(),
        tree: a
            .tree
            .iter()
            .zip(&r.tree.placements)
            .enumerate()
            .map(|(index, (t, p))| TreeRow {
                respondent: t.respondent.name.clone(),
                placement: match place(&t.answers) {
                    Ok(_) => level_text(p.level),
                    Err(e) => format!("Not placed yet: {} is unanswered", e.next.code()),
                },
                index,
            })
            .collect(),
        disputed: r
            .tree
            .disputed
            .iter()
            .map(|q| node(*q).text.trim())
            .collect(),
        checklist: CHECKLIST
            .iter()
            .map(|d| {
                let s = a.checklist.status(d.item);
                ChecklistRow {
                    label: d.label,
                    status: item_status_label(s),
                    code: s.code(),
                }
            })
            .collect(),
        completion: (r.checklist_completion * 100.0).round() as u32,
    }
}

#[derive(Template)]
#[template(path = "plan_readiness.html")]
struct ReadinessPage {
    chrome: Chrome,
    can_edit: bool,
    today: String,
    assessments: Vec<AssessmentView>,
    change: Option<String>,
    framework_note: &'static str,
}

/// How the plan moved between the first assessment and the latest.
pub fn change_text(plan: &PracticePlan) -> Option<String> {
    let c = plan.readiness_change()?;
    let label = |v: &[ChecklistItem]| {
        v.iter()
            .map(|i| definition(*i).label)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut s = format!(
        "From {} to {} ({} days): {} → {}; checklist {} % → {} %.",
        c.from_date,
        c.to_date,
        c.days,
        level_text(c.level_from),
        level_text(c.level_to),
        (c.completion_from * 100.0).round(),
        (c.completion_to * 100.0).round()
    );
    if !c.items_advanced.is_empty() {
        s.push_str(&format!(" Advanced: {}.", label(&c.items_advanced)));
    }
    if !c.items_regressed.is_empty() {
        s.push_str(&format!(" Went back: {}.", label(&c.items_regressed)));
    }
    Some(s)
}

pub async fn overview(State(state): State<AppState>, can: Can<op::ReadPlan>) -> Response {
    let stored = match state.store.plan(can.ctx.practice).await {
        Ok(s) => s,
        Err(e) => return super::error_page(e.into()),
    };
    let mut taken: Vec<&ReadinessAssessment> = stored.plan.readiness.iter().collect();
    taken.sort_by_key(|a| std::cmp::Reverse(a.assessed_on));
    render(&ReadinessPage {
        chrome: Chrome::new(&can.auth, state.config.demo.is_some()),
        can_edit: acting_role(&can.auth.user.roles, Operation::EditPlan, None).is_some(),
        today: can.ctx.today.to_string(),
        assessments: taken.into_iter().map(assessment_view).collect(),
        change: change_text(&stored.plan),
        framework_note: FRAMEWORK_NOTE,
    })
}

// ---------------------------------------------------------------------------------------------
// What the three forms share.

#[derive(Deserialize)]
pub struct EditQuery {
    /// The day of the assessment to add to (YYYY-MM-DD); today when absent or not a date.
    on: Option<String>,
    /// Which respondent's entry of that day to change (its position).
    respondent: Option<usize>,
}

fn day(q: &EditQuery, today: Date) -> Date {
    q.on.as_deref()
        .and_then(|s| parse_date("on", s).ok())
        .unwrap_or(today)
}

/// The day of the assessment: a date, not after today.
fn assessed_on(errors: &mut ValidationError, fields: &Fields, today: Date) -> Option<Date> {
    let on = errors.check(parse_date("assessed_on", &get(fields, "assessed_on")))?;
    if on > today {
        errors.push("assessed_on", "cannot be after today");
        return None;
    }
    Some(on)
}

fn respondent(errors: &mut ValidationError, fields: &Fields) -> Option<Respondent> {
    let name = get(fields, "respondent");
    let role = get(fields, "respondent_role");
    let role = if role.is_empty() {
        None
    } else {
        match Role::parse(&role) {
            Ok(r) => Some(r),
            Err(_) => {
                errors.push(
                    "respondent_role",
                    format!("must be one of: {}", Role::allowed()),
                );
                return None;
            }
        }
    };
    if name.is_empty() || name.chars().count() > 120 {
        errors.push(
            "respondent",
            "enter the name of the person answering (1 to 120 characters)",
        );
        return None;
    }
    Some(Respondent { name, role })
}

fn respondent_fields(on: Date, who: Option<&Respondent>) -> Vec<FieldView> {
    let roles = with_none("Not given", options(Role::ALL, Role::code, Role::label));
    vec![
        FieldView::new("assessed_on", "Assessment date", "date")
            .value(on.to_string())
            .hint("Everything entered for the same date makes one assessment."),
        FieldView::new("respondent", "Who is answering", "text")
            .value(who.map_or_else(String::new, |r| r.name.clone()))
            .hint("A person, or “Planning team” for a shared answer. Answering again under the same name replaces that answer."),
        FieldView::select("respondent_role", "Their role", roles)
            .value(who.and_then(|r| r.role).map_or("", |r| r.code())),
    ]
}

async fn refuse_with(
    state: &AppState,
    can: &Can<op::EditPlan>,
    form: impl FnOnce(&PracticePlan) -> PlanForm,
    fields: &Fields,
    error: ApiError,
) -> Response {
    // The form comes back at the latest version: after a conflict, submitting again applies
    // the entry to the plan as it now is.
    let stored = match plan_edit::latest(state, can).await {
        Ok(s) => s,
        Err(e) => return super::error_page(e),
    };
    let form = form(&stored.plan);
    plan_edit::refusal(error, |errors| {
        plan_edit::form_page(state, &can.auth, stored.version, form, Some(fields), errors)
    })
}

/// Apply `change` to the latest plan and save it from the version the form was shown with.
async fn apply(
    state: &AppState,
    can: &Can<op::EditPlan>,
    fields: &Fields,
    change: impl FnOnce(&mut PracticePlan),
) -> Result<(), ApiError> {
    let version = plan_edit::version(fields)?;
    let mut plan = plan_edit::latest(state, can).await?.plan;
    change(&mut plan);
    plan_edit::save(state, can, version, &plan).await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// One respondent's self-rating.

fn rating_form(on: Date, existing: Option<&SelfRating>) -> PlanForm {
    let mut fields = respondent_fields(on, existing.map(|r| &r.respondent));
    for d in Dimension::ALL {
        let levels = IntegrationLevel::ALL
            .iter()
            .map(|l| {
                (
                    l.number().to_string(),
                    format!("{} — {}", l.number(), l.describe(*d).text),
                )
            })
            .collect();
        fields.push(
            FieldView::select(d.code(), d.label(), with_none("Not rated", levels)).value(
                existing
                    .and_then(|r| r.ratings.get(d))
                    .map_or_else(String::new, |l| l.number().to_string()),
            ),
        );
    }
    PlanForm {
        title: "Rate where the practice stands".into(),
        intro: Some(format!(
            "For each dimension, choose the description closest to how the practice works \
             today, not how it plans to work. Several people can rate: the readiness page shows \
             where their views differ. {FRAMEWORK_NOTE}"
        )),
        action: "/plan/readiness/rating",
        back_href: BACK,
        back_label: "Back to readiness",
        fields,
        submit: "Save the rating",
        hidden: Vec::new(),
    }
}

fn parse_rating(fields: &Fields, today: Date) -> Result<(Date, SelfRating), ApiError> {
    let mut errors = ValidationError::new();
    let on = assessed_on(&mut errors, fields, today);
    let who = respondent(&mut errors, fields);
    let mut ratings = std::collections::BTreeMap::new();
    for d in Dimension::ALL {
        let raw = get(fields, d.code());
        if raw.is_empty() {
            continue;
        }
        match raw.parse::<u8>().ok().and_then(IntegrationLevel::new) {
            Some(l) => {
                ratings.insert(*d, l);
            }
            None => errors.push(d.code(), "choose a level from 1 to 6, or “Not rated”"),
        }
    }
    if ratings.is_empty() && errors.is_empty() {
        errors.push(
            Dimension::ALL[0].code(),
            "rate at least one dimension to save a rating",
        );
    }
    let value = match (on, who) {
        (Some(on), Some(respondent)) => Some((
            on,
            SelfRating {
                respondent,
                ratings,
            },
        )),
        _ => None,
    };
    checked(errors, value)
}

pub async fn rating_page(
    State(state): State<AppState>,
    can: Can<op::EditPlan>,
    Query(q): Query<EditQuery>,
) -> Response {
    let stored = match plan_edit::latest(&state, &can).await {
        Ok(s) => s,
        Err(e) => return super::error_page(e),
    };
    let on = day(&q, can.ctx.today);
    let existing = q.respondent.and_then(|i| {
        stored
            .plan
            .readiness
            .iter()
            .find(|a| a.assessed_on == on)
            .and_then(|a| a.self_ratings.get(i))
    });
    plan_edit::form_page(
        &state,
        &can.auth,
        stored.version,
        rating_form(on, existing),
        None,
        &FormErrors::default(),
    )
}

pub async fn save_rating(
    State(state): State<AppState>,
    can: Can<op::EditPlan>,
    Form(fields): Form<Fields>,
) -> Response {
    let result = match parse_rating(&fields, can.ctx.today) {
        Ok((on, rating)) => {
            apply(&state, &can, &fields, |p| p.record_self_rating(on, rating)).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => see_other(BACK),
        Err(e) => {
            let on = can.ctx.today;
            refuse_with(&state, &can, |_| rating_form(on, None), &fields, e).await
        }
    }
}

// ---------------------------------------------------------------------------------------------
// One respondent's answers to the decision tree.

fn tree_form(on: Date, existing: Option<&RespondentAnswers>) -> PlanForm {
    let mut fields = respondent_fields(on, existing.map(|r| &r.respondent));
    for n in &TREE {
        let answer = existing
            .and_then(|r| r.answers.get(&n.question))
            .map_or("", |yes| if *yes { "yes" } else { "no" });
        fields.push(
            FieldView::select(
                n.question.code(),
                n.text,
                vec![
                    (String::new(), "Not answered".to_owned()),
                    ("yes".to_owned(), "Yes".to_owned()),
                    ("no".to_owned(), "No".to_owned()),
                ],
            )
            .hint(n.help)
            .value(answer),
        );
    }
    PlanForm {
        title: "Answer the decision tree".into(),
        intro: Some(format!(
            "Answer yes only for what is in place today, not what is planned. Only the questions \
             on your path are needed: question 1 decides whether question 2 or 3 comes next, and \
             so on. {TREE_SOURCE}"
        )),
        action: "/plan/readiness/tree",
        back_href: BACK,
        back_label: "Back to readiness",
        fields,
        submit: "Save the answers",
        hidden: Vec::new(),
    }
}

fn parse_tree(fields: &Fields, today: Date) -> Result<(Date, RespondentAnswers), ApiError> {
    let mut errors = ValidationError::new();
    let on = assessed_on(&mut errors, fields, today);
    let who = respondent(&mut errors, fields);
    let mut answers = TreeAnswers::new();
    for q in TreeQuestion::ALL {
        match get(fields, q.code()).as_str() {
            "" => {}
            "yes" => {
                answers.insert(*q, true);
            }
            "no" => {
                answers.insert(*q, false);
            }
            _ => errors.push(q.code(), "answer yes, no or leave it unanswered"),
        }
    }
    if errors.is_empty()
        && let Err(incomplete) = place(&answers)
    {
        errors.push(
            incomplete.next.code(),
            "answer this question: the answers so far do not place the practice on a level",
        );
    }
    let value = match (on, who) {
        (Some(on), Some(respondent)) => Some((
            on,
            RespondentAnswers {
                respondent,
                answers,
            },
        )),
        _ => None,
    };
    checked(errors, value)
}

pub async fn tree_page(
    State(state): State<AppState>,
    can: Can<op::EditPlan>,
    Query(q): Query<EditQuery>,
) -> Response {
    let stored = match plan_edit::latest(&state, &can).await {
        Ok(s) => s,
        Err(e) => return super::error_page(e),
    };
    let on = day(&q, can.ctx.today);
    let existing = q.respondent.and_then(|i| {
        stored
            .plan
            .readiness
            .iter()
            .find(|a| a.assessed_on == on)
            .and_then(|a| a.tree.get(i))
    });
    plan_edit::form_page(
        &state,
        &can.auth,
        stored.version,
        tree_form(on, existing),
        None,
        &FormErrors::default(),
    )
}

pub async fn save_tree(
    State(state): State<AppState>,
    can: Can<op::EditPlan>,
    Form(fields): Form<Fields>,
) -> Response {
    let result = match parse_tree(&fields, can.ctx.today) {
        Ok((on, answers)) => {
            apply(&state, &can, &fields, |p| {
                p.record_tree_answers(on, answers)
            })
            .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => see_other(BACK),
        Err(e) => {
            let on = can.ctx.today;
            refuse_with(&state, &can, |_| tree_form(on, None), &fields, e).await
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The readiness checklist.

fn checklist_form(on: Date, current: &Checklist) -> PlanForm {
    let statuses = options(ItemStatus::ALL, ItemStatus::code, item_status_label);
    let mut fields = vec![
        FieldView::new("assessed_on", "Assessment date", "date")
            .value(on.to_string())
            .hint("The checklist is kept with the assessment of this date."),
    ];
    for d in &CHECKLIST {
        fields.push(
            FieldView::select(d.item.code(), d.label, statuses.clone())
                .hint(d.done_when)
                .value(current.status(d.item).code()),
        );
    }
    PlanForm {
        title: "Readiness checklist".into(),
        intro: Some(
            "Mark each item as it stands today. Progress over perfection: an item under way \
             counts half."
                .into(),
        ),
        action: "/plan/readiness/checklist",
        back_href: BACK,
        back_label: "Back to readiness",
        fields,
        submit: "Save the checklist",
        hidden: Vec::new(),
    }
}

fn parse_checklist(fields: &Fields, today: Date) -> Result<(Date, Checklist), ApiError> {
    let mut errors = ValidationError::new();
    let on = assessed_on(&mut errors, fields, today);
    let mut checklist = Checklist::default();
    for item in ChecklistItem::ALL {
        match ItemStatus::parse(&get(fields, item.code())) {
            Ok(s) => checklist.set(*item, s),
            Err(_) => errors.push(item.code(), "choose not started, in progress or done"),
        }
    }
    checked(errors, on.map(|on| (on, checklist)))
}

pub async fn checklist_page(
    State(state): State<AppState>,
    can: Can<op::EditPlan>,
    Query(q): Query<EditQuery>,
) -> Response {
    let stored = match plan_edit::latest(&state, &can).await {
        Ok(s) => s,
        Err(e) => return super::error_page(e),
    };
    let on = day(&q, can.ctx.today);
    let current = stored.plan.checklist_on(on);
    plan_edit::form_page(
        &state,
        &can.auth,
        stored.version,
        checklist_form(on, &current),
        None,
        &FormErrors::default(),
    )
}

pub async fn save_checklist(
    State(state): State<AppState>,
    can: Can<op::EditPlan>,
    Form(fields): Form<Fields>,
) -> Response {
    let result = match parse_checklist(&fields, can.ctx.today) {
        Ok((on, checklist)) => {
            apply(&state, &can, &fields, |p| {
                p.assessment_on(on).checklist = checklist
            })
            .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => see_other(BACK),
        Err(e) => {
            let on = can.ctx.today;
            refuse_with(
                &state,
                &can,
                |p| checklist_form(on, &p.checklist_on(on)),
                &fields,
                e,
            )
            .await
        }
    }
}
