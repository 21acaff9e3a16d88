//! Break-glass: a clinician outside a patient's care team opens their record in an
//! emergency, with a reason, for the practice's configured time, after re-authenticating.

use super::{Chrome, render};
use crate::access::{Fresh, OnPatient, op};
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use stepwise_store::StoreError;

#[derive(Template)]
#[template(path = "break_glass.html")]
struct BreakGlassPage {
    chrome: Chrome,
    minutes: u32,
    action: String,
    error: Option<String>,
}

fn page(state: &AppState, on: &OnPatient<op::BreakGlass>, error: Option<String>) -> Response {
    render(&BreakGlassPage {
        chrome: Chrome::new(&on.auth, state.config.demo.is_some()),
        minutes: on.auth.practice.settings.security.break_glass_minutes,
        action: format!("/patients/{}/break-glass", on.id),
        error,
    })
}

pub async fn form(
    State(state): State<AppState>,
    Fresh(on): Fresh<OnPatient<op::BreakGlass>>,
) -> Response {
    page(&state, &on, None)
}

#[derive(Deserialize)]
pub struct ReasonForm {
    reason: String,
}

pub async fn submit(
    State(state): State<AppState>,
    Fresh(on): Fresh<OnPatient<op::BreakGlass>>,
    Form(f): Form<ReasonForm>,
) -> Response {
    let minutes = on.auth.practice.settings.security.break_glass_minutes;
    match state
        .store
        .start_break_glass(&on.ctx, on.id, &f.reason, minutes)
        .await
    {
        Ok(_) => Redirect::to(&format!("/patients/{}", on.id)).into_response(),
        Err(StoreError::Invalid(v)) => page(&state, &on, Some(v.to_string())),
        Err(e) => super::error_page(e.into()),
    }
}
