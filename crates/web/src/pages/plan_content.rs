//! Patient engagement content in the browser: the consent conversation, why and how, privacy
//! and crisis resources, as the practice shows them (its own text or the default), each with
//! its reading level and a printable handout. The practice administrator edits a text; an
//! edit is a new plan version, checked by `engagement::check_edit` (required topics, 988 and
//! 911 are refused when removed; English above 8th grade is saved with a warning), and can be
//! reset to the default text.

use super::forms::{Fields, FormErrors, get, see_other};
use super::plan_edit;
use super::{Chrome, render};
use crate::access::{Can, op};
use crate::error::ApiError;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use stepwise_domain::planner::engagement::{ContentSection, default_content, required_topics};
use stepwise_domain::planner::{
    ContentKey, ContentView, PracticePlan, check_edit, practice_content,
};
use stepwise_store::model::StoredPlan;

/// The language the pages show and edit: English is the only complete language.
const LANGUAGE: &str = "en";

pub fn key_label(k: ContentKey) -> &'static str {
    match k {
        ContentKey::ConsentConversation => "The consent conversation",
        ContentKey::WhyAndHow => "Why and how: for patients and families",
        ContentKey::Confidentiality => "Your privacy",
        ContentKey::CrisisResources => "If you are in crisis",
    }
}

pub struct ItemRow {
    pub key: &'static str,
    pub label: &'static str,
    pub title: String,
    pub status: String,
    pub grade: String,
    pub warnings: Vec<String>,
}

#[derive(Template)]
#[template(path = "plan_content.html")]
struct ContentPage {
    chrome: Chrome,
    can_edit: bool,
    items: Vec<ItemRow>,
}

pub struct SectionView {
    pub heading: String,
    pub body: Vec<String>,
}

pub struct HandoutView {
    pub title: String,
    pub sections: Vec<SectionView>,
    pub sources: Vec<String>,
}

#[derive(Template)]
#[template(path = "plan_handout.html")]
struct HandoutPage {
    chrome: Chrome,
    /// One handout (its title is the page's heading), or every handout to print together.
    single: bool,
    handouts: Vec<HandoutView>,
}

fn handout_view(c: ContentView) -> HandoutView {
    HandoutView {
        title: c.content.title,
        sections: c
            .content
            .sections
            .into_iter()
            .map(|s| SectionView {
                heading: s.heading,
                body: s
                    .body
                    .split("\n\n")
                    .map(|p| p.trim().to_owned())
                    .filter(|p| !p.is_empty())
                    .collect(),
            })
            .collect(),
        sources: c.content.sources,
    }
}

pub struct SectionField {
    pub topic: &'static str,
    pub required: bool,
    pub heading: String,
    pub body: String,
    pub heading_error: Option<String>,
    pub body_error: Option<String>,
}

#[derive(Template)]
#[template(path = "plan_content_edit.html")]
struct EditPage {
    chrome: Chrome,
    version: i64,
    key: &'static str,
    label: &'static str,
    edited_on: Option<String>,
    grade: String,
    warnings: Vec<String>,
    title: String,
    title_error: Option<String>,
    sections: Vec<SectionField>,
    summary: Vec<String>,
}

#[derive(Deserialize)]
pub struct TopicQuery {
    topic: Option<String>,
}

fn grade(c: &ContentView) -> String {
    c.content
        .reading_grade
        .map_or_else(|| "—".to_owned(), |g| format!("grade {g:.1}"))
}

fn item(plan: &PracticePlan, key: ContentKey) -> ContentView {
    practice_content(&plan.patient_content, LANGUAGE)
        .into_iter()
        .find(|c| c.content.key == key)
        .unwrap_or_else(|| ContentView {
            content: default_content(key, LANGUAGE),
            edited_on: None,
            warnings: Vec::new(),
        })
}

fn parse_key(raw: Option<&str>) -> Result<ContentKey, ApiError> {
    raw.and_then(|k| ContentKey::parse(k).ok())
        .ok_or(ApiError::NotFound)
}

pub async fn content_page(State(state): State<AppState>, can: Can<op::ReadPlan>) -> Response {
    let stored = match state.store.plan(can.ctx.practice).await {
        Ok(s) => s,
        Err(e) => return super::error_page(e.into()),
    };
    let items = practice_content(&stored.plan.patient_content, LANGUAGE)
        .into_iter()
        .map(|c| ItemRow {
            key: c.content.key.code(),
            label: key_label(c.content.key),
            title: c.content.title.clone(),
            status: c
                .edited_on
                .map_or_else(|| "Default text".to_owned(), |d| format!("Edited on {d}")),
            grade: grade(&c),
            warnings: c.warnings,
        })
        .collect();
    render(&ContentPage {
        chrome: Chrome::new(&can.auth, state.config.demo.is_some()),
        can_edit: plan_edit::can_edit(&can.auth),
        items,
    })
}

/// One text as a patient handout (`?topic=KEY`), or every text together, to print from the
/// browser.
pub async fn handout(
    State(state): State<AppState>,
    can: Can<op::ReadPlan>,
    Query(q): Query<TopicQuery>,
) -> Response {
    let loaded = async {
        let key = q.topic.as_deref().map(|k| parse_key(Some(k))).transpose()?;
        let stored = state.store.plan(can.ctx.practice).await?;
        Ok::<_, ApiError>(match key {
            Some(key) => vec![item(&stored.plan, key)],
            None => practice_content(&stored.plan.patient_content, LANGUAGE),
        })
    }
    .await;
    match loaded {
        Ok(items) => render(&HandoutPage {
            chrome: Chrome::new(&can.auth, state.config.demo.is_some()),
            single: q.topic.is_some(),
            handouts: items.into_iter().map(handout_view).collect(),
        }),
        Err(e) => super::error_page(e),
    }
}

fn heading_field(topic: &str) -> String {
    format!("{topic}.heading")
}

fn body_field(topic: &str) -> String {
    format!("{topic}.body")
}

fn edit_page(
    state: &AppState,
    can: &Can<op::EditPlan>,
    stored: &StoredPlan,
    key: ContentKey,
    submitted: Option<(Option<&Fields>, &FormErrors)>,
) -> Response {
    let shown = item(&stored.plan, key);
    let typed = |name: &str, stored: String| match submitted {
        Some((Some(f), _)) => get(f, name),
        _ => stored,
    };
    let error = |name: &str| submitted.and_then(|(_, e)| e.get(name).map(str::to_owned));
    let required = required_topics(key);
    let mut placed = vec!["title".to_owned()];
    let sections = default_content(key, LANGUAGE)
        .sections
        .into_iter()
        .map(|d| {
            let current = shown.content.sections.iter().find(|s| s.topic == d.topic);
            let (h, b) = (heading_field(d.topic.code()), body_field(d.topic.code()));
            let field = SectionField {
                topic: d.topic.code(),
                required: required.contains(&d.topic),
                heading: typed(&h, current.map_or_else(String::new, |s| s.heading.clone())),
                body: typed(&b, current.map_or_else(String::new, |s| s.body.clone())),
                heading_error: error(&h),
                body_error: error(&b),
            };
            placed.push(h);
            placed.push(b);
            field
        })
        .collect();
    let summary = submitted.map_or_else(Vec::new, |(_, e)| {
        let placed: Vec<&str> = placed.iter().map(String::as_str).collect();
        let mut v = e.general.clone();
        v.extend(e.unplaced(&placed));
        if v.is_empty() && !e.is_empty() {
            v.push("Check the marked fields below.".to_owned());
        }
        v
    });
    let page = render(&EditPage {
        chrome: Chrome::new(&can.auth, state.config.demo.is_some()),
        version: stored.version,
        key: key.code(),
        label: key_label(key),
        edited_on: shown.edited_on.map(|d| d.to_string()),
        grade: grade(&shown),
        warnings: if submitted.is_some() {
            Vec::new()
        } else {
            shown.warnings.clone()
        },
        title: typed("title", shown.content.title.clone()),
        title_error: error("title"),
        sections,
        summary,
    });
    if submitted.is_some() {
        super::forms::refused(page)
    } else {
        page
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    can: Can<op::EditPlan>,
    Query(q): Query<TopicQuery>,
) -> Response {
    // Without a text to edit: the list of texts.
    if q.topic.is_none() {
        return see_other("/plan/patient-content");
    }
    let loaded = async {
        let key = parse_key(q.topic.as_deref())?;
        Ok::<_, ApiError>((key, plan_edit::latest(&state, &can).await?))
    }
    .await;
    match loaded {
        Ok((key, stored)) => edit_page(&state, &can, &stored, key, None),
        Err(e) => super::error_page(e),
    }
}

fn edit_href(key: ContentKey) -> String {
    format!("/plan/patient-content/edit?topic={}", key.code())
}

/// Save the practice's text of one item: replaces its earlier edit, if any.
pub async fn save(
    State(state): State<AppState>,
    can: Can<op::EditPlan>,
    Form(fields): Form<Fields>,
) -> Response {
    let key = match ContentKey::parse(&get(&fields, "key")) {
        Ok(k) => k,
        Err(_) => {
            return super::error_page(ApiError::invalid(
                "key",
                "choose one of the patient texts from the list",
            ));
        }
    };
    let result = async {
        let mut plan = plan_edit::latest(&state, &can).await?.plan;
        let sections = default_content(key, LANGUAGE)
            .sections
            .into_iter()
            .map(|d| ContentSection {
                topic: d.topic,
                heading: get(&fields, &heading_field(d.topic.code())),
                body: get(&fields, &body_field(d.topic.code())),
            })
            .collect();
        let (edit, _warnings) = check_edit(
            key,
            LANGUAGE,
            &get(&fields, "title"),
            sections,
            can.ctx.today,
        )?;
        let version = plan_edit::version(&fields)?;
        plan.patient_content
            .retain(|e| !(e.key == key && e.language == LANGUAGE));
        plan.patient_content.push(edit);
        plan_edit::save(&state, &can, version, &plan).await
    }
    .await;
    // Saved: back to the text, where a reading-level warning shows.
    answer(&state, &can, key, Some(&fields), result).await
}

/// Go back to the default text of one item.
pub async fn reset(
    State(state): State<AppState>,
    can: Can<op::EditPlan>,
    Form(fields): Form<Fields>,
) -> Response {
    let key = match ContentKey::parse(&get(&fields, "key")) {
        Ok(k) => k,
        Err(_) => {
            return super::error_page(ApiError::invalid(
                "key",
                "choose one of the patient texts from the list",
            ));
        }
    };
    let result = async {
        let version = plan_edit::version(&fields)?;
        let mut plan = plan_edit::latest(&state, &can).await?.plan;
        let before = plan.patient_content.len();
        plan.patient_content
            .retain(|e| !(e.key == key && e.language == LANGUAGE));
        if plan.patient_content.len() == before {
            return Err(ApiError::invalid(
                "key",
                "this text already uses the default",
            ));
        }
        plan_edit::save(&state, &can, version, &plan).await
    }
    .await;
    answer(&state, &can, key, None, result).await
}

async fn answer(
    state: &AppState,
    can: &Can<op::EditPlan>,
    key: ContentKey,
    fields: Option<&Fields>,
    result: Result<StoredPlan, ApiError>,
) -> Response {
    let error = match result {
        Ok(_) => return see_other(&edit_href(key)),
        Err(e) => e,
    };
    let stored = match plan_edit::latest(state, can).await {
        Ok(s) => s,
        Err(e) => return super::error_page(e),
    };
    match FormErrors::from_api(error) {
        // A refused reset shows the text as stored, with the reason.
        Ok(errors) => edit_page(state, can, &stored, key, Some((fields, &errors))),
        Err(e) => super::error_page(e),
    }
}
