//! The community resource directory as pages: search and filter, the edit form (every CSV
//! column, errors next to their field), CSV import, and the printable call list.

use super::{Chrome, error_page, render};
use crate::access::{Can, op};
use crate::api::directory::{import_problems, plain};
use crate::error::ApiError;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use stepwise_domain::access::{Operation, acting_role};
use stepwise_domain::resources::{
    COLUMNS, CallList, Resource, ResourceCategory, ResourceId, ResourceQuery, call_list,
    field_text, from_fields, import_csv, inventory_gaps, search,
};
use stepwise_store::StoreError;
use stepwise_store::model::DirectoryEntry;
use uuid::Uuid;

/// The search form (a GET: directory words are not patient data).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SearchParams {
    text: String,
    category: String,
    language: String,
    inactive: Option<String>,
}

pub struct EntryView {
    pub id: String,
    pub name: String,
    pub categories: String,
    pub phone: String,
    pub hours: String,
    pub languages: String,
    pub status: String,
    pub due: bool,
}

#[derive(Template)]
#[template(path = "directory.html")]
struct DirectoryPage {
    chrome: Chrome,
    text: String,
    category: String,
    language: String,
    inactive: bool,
    categories: Vec<(&'static str, &'static str)>,
    entries: Vec<EntryView>,
    gaps: Vec<&'static str>,
    can_manage: bool,
    error: Option<String>,
}

fn view(r: &Resource, today: time::Date) -> EntryView {
    EntryView {
        id: r.id.map(|i| i.to_string()).unwrap_or_default(),
        name: r.display_name(),
        categories: r
            .categories
            .iter()
            .map(|c| c.label())
            .collect::<Vec<_>>()
            .join(", "),
        phone: r.intake_phone.clone().unwrap_or_default(),
        hours: r.hours.to_string(),
        languages: r.languages.join(", "),
        status: r.status.to_string(),
        due: r.reverification_due(today),
    }
}

fn categories() -> Vec<(&'static str, &'static str)> {
    ResourceCategory::ALL
        .iter()
        .map(|c| (c.code(), c.label()))
        .collect()
}

pub async fn directory(
    State(state): State<AppState>,
    can: Can<op::ReadDirectory>,
    Query(q): Query<SearchParams>,
) -> Response {
    let entries = match state.store.resources(can.ctx.practice).await {
        Ok(e) => plain(&e),
        Err(e) => return error_page(e.into()),
    };
    let mut error = None;
    let category = match q.category.trim() {
        "" => None,
        c => match ResourceCategory::parse(c) {
            Ok(c) => Some(c),
            Err(e) => {
                error = Some(e.to_string());
                None
            }
        },
    };
    let query = ResourceQuery {
        text: Some(q.text.clone()),
        category,
        language: Some(q.language.clone()),
        include_inactive: q.inactive.is_some(),
    };
    let found = search(&entries, &query)
        .into_iter()
        .map(|r| view(r, can.ctx.today))
        .collect();
    render(&DirectoryPage {
        chrome: Chrome::new(&can.auth, state.config.demo.is_some()),
        inactive: q.inactive.is_some(),
        text: q.text,
        category: q.category,
        language: q.language,
        categories: categories(),
        entries: found,
        gaps: inventory_gaps(&entries)
            .into_iter()
            .map(|c| c.label())
            .collect(),
        can_manage: acting_role(&can.auth.user.roles, Operation::ManageDirectory, None).is_some(),
        error,
    })
}

#[derive(Template)]
#[template(path = "call_list.html")]
struct CallListPage {
    chrome: Chrome,
    list: CallList,
}

pub async fn print_call_list(
    State(state): State<AppState>,
    can: Can<op::ReadDirectory>,
) -> Response {
    match state.store.resources(can.ctx.practice).await {
        Ok(e) => render(&CallListPage {
            chrome: Chrome::new(&can.auth, state.config.demo.is_some()),
            list: call_list(&plain(&e), can.ctx.today),
        }),
        Err(e) => error_page(e.into()),
    }
}

/// One field of the edit form.
pub struct FieldView {
    pub name: &'static str,
    pub label: String,
    pub help: &'static str,
    pub value: String,
    pub required: bool,
    pub long: bool,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "resource_form.html")]
struct FormPage {
    chrome: Chrome,
    title: String,
    action: String,
    version: i64,
    fields: Vec<FieldView>,
    errors: usize,
    conflict: bool,
}

fn form_fields(values: &dyn Fn(&str) -> String, errors: &[(String, String)]) -> Vec<FieldView> {
    COLUMNS
        .iter()
        .filter(|c| c.name != "id")
        .map(|c| FieldView {
            name: c.name,
            label: {
                let l = c.name.replace('_', " ");
                let mut chars = l.chars();
                chars
                    .next()
                    .map(|f| f.to_uppercase().collect::<String>() + chars.as_str())
                    .unwrap_or_default()
            },
            help: c.help,
            value: values(c.name),
            required: c.required,
            long: matches!(
                c.name,
                "description" | "eligibility_description" | "application_process" | "notes"
            ),
            error: errors
                .iter()
                .filter(|(f, _)| f == c.name)
                .map(|(_, m)| m.clone())
                .reduce(|a, b| format!("{a}; {b}")),
        })
        .collect()
}

fn form_page(
    can: &Can<impl crate::access::Op>,
    state: &AppState,
    id: Option<ResourceId>,
    version: i64,
    values: &dyn Fn(&str) -> String,
    errors: &[(String, String)],
    conflict: bool,
) -> Response {
    let (title, action) = match id {
        Some(id) => (
            "Correct a directory entry".to_owned(),
            format!("/directory/{id}/edit"),
        ),
        None => (
            "Add a directory entry".to_owned(),
            "/directory/new".to_owned(),
        ),
    };
    let status = if errors.is_empty() && !conflict {
        axum::http::StatusCode::OK
    } else if conflict {
        axum::http::StatusCode::CONFLICT
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = render(&FormPage {
        chrome: Chrome::new(&can.auth, state.config.demo.is_some()),
        title,
        action,
        version,
        fields: form_fields(values, errors),
        errors: errors.len(),
        conflict,
    });
    (status, page).into_response()
}

pub async fn new_form(State(state): State<AppState>, can: Can<op::ManageDirectory>) -> Response {
    let blank = Resource::new("", "", Vec::new());
    form_page(
        &can,
        &state,
        None,
        0,
        &|c| field_text(&blank, c),
        &[],
        false,
    )
}

pub async fn edit_form(
    State(state): State<AppState>,
    can: Can<op::ManageDirectory>,
    Path(id): Path<Uuid>,
) -> Response {
    match state.store.resource(can.ctx.practice, ResourceId(id)).await {
        Ok(e) => form_page(
            &can,
            &state,
            e.resource.id,
            e.version,
            &|c| field_text(&e.resource, c),
            &[],
            false,
        ),
        Err(e) => error_page(e.into()),
    }
}

fn lookup(form: &[(String, String)]) -> impl Fn(&str) -> String + '_ {
    |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
}

async fn save(
    state: AppState,
    can: Can<op::ManageDirectory>,
    id: Option<ResourceId>,
    form: Vec<(String, String)>,
) -> Response {
    let version: i64 = lookup(&form)("version").parse().unwrap_or(0);
    let parsed = from_fields(form.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let result: Result<DirectoryEntry, StoreError> = match (&parsed, id) {
        (Err(v), _) => Err(StoreError::Invalid(v.clone())),
        (Ok(r), None) => state.store.create_resource(&can.ctx, r).await,
        (Ok(r), Some(id)) => state.store.update_resource(&can.ctx, id, version, r).await,
    };
    match result {
        Ok(_) => Redirect::to("/directory").into_response(),
        Err(StoreError::Invalid(v)) => {
            let errors: Vec<(String, String)> = v
                .errors
                .into_iter()
                .map(|e| {
                    (
                        e.field.split('[').next().unwrap_or_default().to_owned(),
                        e.message,
                    )
                })
                .collect();
            form_page(&can, &state, id, version, &lookup(&form), &errors, false)
        }
        Err(StoreError::Conflict) => {
            form_page(&can, &state, id, version, &lookup(&form), &[], true)
        }
        Err(e) => error_page(e.into()),
    }
}

pub async fn create(
    State(state): State<AppState>,
    can: Can<op::ManageDirectory>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    save(state, can, None, form).await
}

pub async fn update(
    State(state): State<AppState>,
    can: Can<op::ManageDirectory>,
    Path(id): Path<Uuid>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    save(state, can, Some(ResourceId(id)), form).await
}

#[derive(Template)]
#[template(path = "resource_import.html")]
struct ImportPage {
    chrome: Chrome,
    csv: String,
    problems: Vec<(String, String)>,
    done: Option<String>,
}

pub async fn import_form(State(state): State<AppState>, can: Can<op::ManageDirectory>) -> Response {
    render(&ImportPage {
        chrome: Chrome::new(&can.auth, state.config.demo.is_some()),
        csv: String::new(),
        problems: Vec::new(),
        done: None,
    })
}

#[derive(Deserialize)]
pub struct ImportForm {
    csv: String,
}

pub async fn import(
    State(state): State<AppState>,
    can: Can<op::ManageDirectory>,
    Form(f): Form<ImportForm>,
) -> Response {
    let chrome = Chrome::new(&can.auth, state.config.demo.is_some());
    let problems = |v: stepwise_domain::ValidationError| {
        v.errors
            .into_iter()
            .map(|e| (e.field, e.message))
            .collect::<Vec<_>>()
    };
    let outcome = match import_csv(&f.csv) {
        Err(e) => Err(problems(import_problems(&e))),
        Ok(rows) => match state.store.import_resources(&can.ctx, &rows).await {
            Ok(s) => Ok(format!("{} added, {} updated.", s.added, s.updated)),
            Err(StoreError::Invalid(v)) => Err(problems(v)),
            Err(e) => return error_page(ApiError::from(e)),
        },
    };
    match outcome {
        Ok(done) => render(&ImportPage {
            chrome,
            csv: String::new(),
            problems: Vec::new(),
            done: Some(done),
        }),
        Err(problems) => (
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            render(&ImportPage {
                chrome,
                csv: f.csv,
                problems,
                done: None,
            }),
        )
            .into_response(),
    }
}
