//! Referrals as pages: the front desk's worklist (due follow-ups first), one referral with its
//! history and the forms to record an update or the disclosure consent, the printable letter,
//! and writing a referral from the patient's chart.

use super::{Chrome, error_page, render};
use crate::access::{Can, OnPatient, OnRecord, ReferralKey, op};
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use stepwise_domain::ValidationError;
use stepwise_domain::patient::parse_date;
use stepwise_domain::referral::{ReferralAction, ReferralTarget, Sensitivity};
use stepwise_domain::resources::ResourceId;
use stepwise_store::StoreError;
use stepwise_store::model::{ReferralEntry, ReferralRecord};

/// A referral's history line.
pub struct EventView {
    pub at: String,
    pub by: String,
    pub change: String,
    pub detail: String,
}

fn detail(a: &ReferralAction) -> String {
    match a {
        ReferralAction::Decline { reason } | ReferralAction::Cancel { reason } => reason.clone(),
        ReferralAction::Schedule { appointment_on } => format!("appointment {appointment_on}"),
        ReferralAction::Close { feedback } => feedback.clone(),
        ReferralAction::UnableToReach { note } | ReferralAction::PatientDeclined { note } => {
            note.clone().unwrap_or_default()
        }
        _ => String::new(),
    }
}

async fn staff_names(
    state: &AppState,
    practice: stepwise_domain::ids::PracticeId,
) -> std::collections::HashMap<stepwise_domain::ids::UserId, String> {
    state
        .store
        .users(practice)
        .await
        .map(|u| u.into_iter().map(|u| (u.id, u.display_name)).collect())
        .unwrap_or_default()
}

fn events(
    r: &ReferralRecord,
    names: &std::collections::HashMap<stepwise_domain::ids::UserId, String>,
) -> Vec<EventView> {
    r.referral
        .events
        .iter()
        .map(|e| EventView {
            at: e.at.date().to_string(),
            by: names
                .get(&e.by)
                .cloned()
                .unwrap_or_else(|| e.by.to_string()),
            change: format!("{} → {}", e.from.label(), e.to.label()),
            detail: detail(&e.action),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "referrals.html")]
struct WorklistPage {
    chrome: Chrome,
    days: u16,
    entries: Vec<ReferralEntry>,
}

pub async fn worklist(State(state): State<AppState>, can: Can<op::ReadReferrals>) -> Response {
    let settings = can.auth.practice.settings.referrals;
    match state.store.referral_worklist(&can.ctx, settings).await {
        Ok(entries) => render(&WorklistPage {
            chrome: Chrome::new(&can.auth, state.config.demo.is_some()),
            days: settings.days_without_update,
            entries,
        }),
        Err(e) => error_page(e.into()),
    }
}

#[derive(Template)]
#[template(path = "referral.html")]
struct ReferralPage {
    chrome: Chrome,
    r: ReferralRecord,
    patient_name: String,
    events: Vec<EventView>,
    error: Option<String>,
    needs_consent: bool,
}

async fn referral_page(
    state: &AppState,
    on: &OnRecord<ReferralKey, impl crate::access::Op>,
    error: Option<String>,
) -> Response {
    let r = match state.store.referral(&on.ctx, on.id).await {
        Ok(r) => r,
        Err(e) => return error_page(e.into()),
    };
    let patient = match state.store.patient(&on.ctx, on.patient).await {
        Ok(p) => p,
        Err(e) => return error_page(e.into()),
    };
    let names = staff_names(state, on.ctx.practice).await;
    let status = if error.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    let page = render(&ReferralPage {
        chrome: Chrome::new(&on.auth, state.config.demo.is_some()),
        needs_consent: r.referral.sensitivity == Sensitivity::SudPart2
            && r.disclosure_consent.is_none()
            && !r.state.is_terminal(),
        events: events(&r, &names),
        patient_name: format!(
            "{}, {}",
            patient.details.family_name, patient.details.given_name
        ),
        r,
        error,
    });
    (status, page).into_response()
}

pub async fn show(
    State(state): State<AppState>,
    on: OnRecord<ReferralKey, op::ReadReferrals>,
) -> Response {
    referral_page(&state, &on, None).await
}

/// The update form: the action, with the date or text it needs.
#[derive(Deserialize)]
pub struct UpdateForm {
    version: i64,
    action: String,
    #[serde(default)]
    appointment_on: String,
    #[serde(default)]
    text: String,
}

fn action_of(f: &UpdateForm) -> Result<ReferralAction, ValidationError> {
    let text = f.text.trim().to_owned();
    let note = (!text.is_empty()).then(|| text.clone());
    Ok(match f.action.as_str() {
        "send" => ReferralAction::Send,
        "accept" => ReferralAction::Accept,
        "decline" => ReferralAction::Decline { reason: text },
        "schedule" => ReferralAction::Schedule {
            appointment_on: parse_date("appointment_on", &f.appointment_on)?,
        },
        "record_attended" => ReferralAction::RecordAttended,
        "record_no_show" => ReferralAction::RecordNoShow,
        "close" => ReferralAction::Close { feedback: text },
        "cancel" => ReferralAction::Cancel { reason: text },
        "unable_to_reach" => ReferralAction::UnableToReach { note },
        "patient_declined" => ReferralAction::PatientDeclined { note },
        _ => return Err(ValidationError::field("action", "Choose an update")),
    })
}

/// The message to show beside the form, or the error that is not the user's to fix.
fn message(e: StoreError) -> Result<String, StoreError> {
    match e {
        StoreError::Invalid(v) => Ok(v
            .errors
            .into_iter()
            .map(|e| e.message)
            .collect::<Vec<_>>()
            .join("; ")),
        StoreError::Conflict => Ok(StoreError::Conflict.to_string()),
        other => Err(other),
    }
}

pub async fn update(
    State(state): State<AppState>,
    on: OnRecord<ReferralKey, op::UpdateReferral>,
    Form(f): Form<UpdateForm>,
) -> Response {
    let result = match action_of(&f) {
        Ok(action) => {
            state
                .store
                .update_referral(&on.ctx, on.id, f.version, action)
                .await
        }
        Err(v) => Err(StoreError::Invalid(v)),
    };
    match result {
        Ok(_) => Redirect::to(&format!("/referrals/{}", on.id)).into_response(),
        Err(e) => match message(e) {
            Ok(m) => referral_page(&state, &on, Some(m)).await,
            Err(e) => error_page(e.into()),
        },
    }
}

#[derive(Deserialize)]
pub struct ConsentForm {
    version: i64,
    consented_on: String,
    #[serde(default)]
    note: String,
}

pub async fn consent(
    State(state): State<AppState>,
    on: OnRecord<ReferralKey, op::UpdateReferral>,
    Form(f): Form<ConsentForm>,
) -> Response {
    let result = match parse_date("consented_on", &f.consented_on) {
        Ok(d) => {
            state
                .store
                .record_referral_consent(&on.ctx, on.id, f.version, d, Some(&f.note))
                .await
        }
        Err(v) => Err(StoreError::Invalid(v)),
    };
    match result {
        Ok(_) => Redirect::to(&format!("/referrals/{}", on.id)).into_response(),
        Err(e) => match message(e) {
            Ok(m) => referral_page(&state, &on, Some(m)).await,
            Err(e) => error_page(e.into()),
        },
    }
}

#[derive(Template)]
#[template(path = "referral_letter.html")]
struct LetterPage {
    practice: String,
    today: String,
    r: ReferralRecord,
    patient: stepwise_store::model::Patient,
    referrer: String,
    partner: Option<stepwise_domain::resources::Resource>,
    /// The 42 CFR 2.32 notice, printed on every letter of a Part 2 referral.
    notice: &'static str,
}

pub async fn letter(
    State(state): State<AppState>,
    on: OnRecord<ReferralKey, op::ReadReferrals>,
) -> Response {
    let r = match state.store.referral(&on.ctx, on.id).await {
        Ok(r) => r,
        Err(e) => return error_page(e.into()),
    };
    let patient = match state.store.patient(&on.ctx, on.patient).await {
        Ok(p) => p,
        Err(e) => return error_page(e.into()),
    };
    let partner = match &r.referral.target {
        ReferralTarget::Partner { resource } => state
            .store
            .resource(on.ctx.practice, *resource)
            .await
            .ok()
            .map(|e| e.resource),
        ReferralTarget::SpecialtyBehavioralHealth { .. } => None,
    };
    let names = staff_names(&state, on.ctx.practice).await;
    render(&LetterPage {
        notice: stepwise_domain::sensitivity::REDISCLOSURE_NOTICE,
        practice: on.auth.practice.name.clone(),
        today: on.ctx.today.to_string(),
        referrer: names
            .get(&r.referral.created_by)
            .cloned()
            .unwrap_or_default(),
        r,
        patient,
        partner,
    })
}

/// The new-referral form on the chart.
#[derive(Deserialize)]
pub struct NewForm {
    /// A directory entry's id, or `specialty`.
    target: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    sensitive: Option<String>,
    reason: String,
}

pub async fn create(
    State(state): State<AppState>,
    on: OnPatient<op::Refer>,
    Form(f): Form<NewForm>,
) -> Response {
    let target = if f.target == "specialty" {
        Ok(ReferralTarget::SpecialtyBehavioralHealth {
            description: f.description.clone(),
        })
    } else {
        f.target
            .parse::<uuid::Uuid>()
            .map(|u| ReferralTarget::Partner {
                resource: ResourceId(u),
            })
            .map_err(|_| ValidationError::field("target", "Choose where to refer the patient"))
    };
    let sensitivity = if f.sensitive.is_some() {
        Sensitivity::SudPart2
    } else {
        Sensitivity::General
    };
    let result = match target {
        Ok(t) => {
            state
                .store
                .create_referral(&on.ctx, on.id, &t, sensitivity, &f.reason)
                .await
        }
        Err(v) => Err(StoreError::Invalid(v)),
    };
    match result {
        Ok(r) => Redirect::to(&format!("/referrals/{}", r.id)).into_response(),
        Err(StoreError::Invalid(v)) => error_page(crate::error::ApiError::Invalid(v)),
        Err(e) => error_page(e.into()),
    }
}
