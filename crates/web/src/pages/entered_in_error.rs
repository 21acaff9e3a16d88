//! Marking a contact or an assessment entered-in-error, with the reason. Clinical records are
//! never deleted: the record stays on the chart, struck through and labelled with the reason,
//! and leaves the minutes, scores and flags (the store recomputes the episode's facts in the
//! same transaction).

use super::actions::{FieldView, Spec, blank, refuse};
use super::forms::{Fields, get, see_other};
use crate::access::{AssessmentKey, ContactKey, OnRecord, op};
use crate::disclosure::Viewer;
use crate::error::ApiError;
use crate::state::AppState;
use axum::Form;
use axum::extract::State;
use axum::response::Response;
use stepwise_domain::record::RecordStatus;
use stepwise_store::model::{Assessment, Contact};

fn reason_field() -> FieldView {
    FieldView::new("reason", "Why is it wrong?", "textarea").hint(
        "For example: logged on the wrong patient, wrong date, entered twice. 3 to 500 characters.",
    )
}

// ---------------------------------------------------------------------------------------------
// A contact.

/// The contact, found among its patient's episodes (the record's patient is known from the
/// access check).
async fn load_contact(
    state: &AppState,
    on: &OnRecord<ContactKey, op::RecordContact>,
) -> Result<Contact, ApiError> {
    for ep in state.store.patient_episodes(&on.ctx, on.patient).await? {
        if let Some(c) = state
            .store
            .episode_contacts(&on.ctx, ep.id)
            .await?
            .into_iter()
            .find(|c| c.id == on.id)
        {
            // A labelled record the user may not see is not theirs to correct.
            let viewer = Viewer::of(state, on).await?;
            return match viewer.may_correct(c.details.label, c.staff) {
                true => Ok(c),
                false => Err(ApiError::NotFound),
            };
        }
    }
    Err(ApiError::NotFound)
}

fn contact_spec(c: &Contact) -> Spec {
    let d = &c.details;
    Spec {
        title: "Mark a contact entered-in-error".into(),
        intro: Some(format!(
            "{} · {} · {} · {} min. The contact stays on record, struck through with your \
             reason; its minutes no longer count toward care management or billing.",
            d.contact_on,
            d.kind.label(),
            d.modality.code().replace('_', " "),
            d.minutes.get()
        )),
        action: format!("/contacts/{}/in-error", c.id),
        hidden: vec![],
        fields: vec![reason_field()],
        submit: "Mark entered-in-error",
        timer: false,
    }
}

pub async fn contact_form(
    State(state): State<AppState>,
    on: OnRecord<ContactKey, op::RecordContact>,
) -> Response {
    match load_contact(&state, &on).await {
        Ok(c) if c.status == RecordStatus::EnteredInError => {
            see_other(&format!("/patients/{}", on.patient))
        }
        Ok(c) => blank(&state, &on.auth, on.patient, contact_spec(&c)),
        Err(e) => super::error_page(e),
    }
}

pub async fn contact(
    State(state): State<AppState>,
    on: OnRecord<ContactKey, op::RecordContact>,
    Form(fields): Form<Fields>,
) -> Response {
    let c = match load_contact(&state, &on).await {
        Ok(c) => c,
        Err(e) => return super::error_page(e),
    };
    match state
        .store
        .mark_contact_entered_in_error(&on.ctx, on.id, &get(&fields, "reason"))
        .await
    {
        Ok(_) => see_other(&format!("/patients/{}", on.patient)),
        Err(e) => refuse(
            &state,
            &on.auth,
            on.patient,
            contact_spec(&c),
            &fields,
            e.into(),
        ),
    }
}

// ---------------------------------------------------------------------------------------------
// An assessment.

async fn load_assessment(
    state: &AppState,
    on: &OnRecord<AssessmentKey, op::RecordAssessment>,
) -> Result<Assessment, ApiError> {
    let a = state
        .store
        .patient_assessments(&on.ctx, on.patient, None)
        .await?
        .into_iter()
        .find(|a| a.id == on.id)
        .ok_or(ApiError::NotFound)?;
    // A labelled record the user may not see is not theirs to correct.
    match Viewer::of(state, on)
        .await?
        .may_correct(a.label, a.administered_by)
    {
        true => Ok(a),
        false => Err(ApiError::NotFound),
    }
}

fn assessment_spec(a: &Assessment) -> Spec {
    let score = match a.score.total {
        Some(t) => format!("total {t}"),
        None => "incomplete".to_owned(),
    };
    Spec {
        title: "Mark an assessment entered-in-error".into(),
        intro: Some(format!(
            "{} · {} · {score}. The response stays on record, struck through with your \
             reason; it no longer counts in the score trajectory, the registry's flags or \
             treat-to-target. A safety alert it raised stays open until closed with the \
             action taken.",
            a.administered_on,
            a.instrument.name(),
        )),
        action: format!("/assessments/{}/in-error", a.id),
        hidden: vec![],
        fields: vec![reason_field()],
        submit: "Mark entered-in-error",
        timer: false,
    }
}

pub async fn assessment_form(
    State(state): State<AppState>,
    on: OnRecord<AssessmentKey, op::RecordAssessment>,
) -> Response {
    match load_assessment(&state, &on).await {
        Ok(a) if a.status == RecordStatus::EnteredInError => {
            see_other(&format!("/patients/{}", on.patient))
        }
        Ok(a) => blank(&state, &on.auth, on.patient, assessment_spec(&a)),
        Err(e) => super::error_page(e),
    }
}

pub async fn assessment(
    State(state): State<AppState>,
    on: OnRecord<AssessmentKey, op::RecordAssessment>,
    Form(fields): Form<Fields>,
) -> Response {
    let a = match load_assessment(&state, &on).await {
        Ok(a) => a,
        Err(e) => return super::error_page(e),
    };
    match state
        .store
        .mark_assessment_entered_in_error(&on.ctx, on.id, &get(&fields, "reason"))
        .await
    {
        Ok(_) => see_other(&format!("/patients/{}", on.patient)),
        Err(e) => refuse(
            &state,
            &on.auth,
            on.patient,
            assessment_spec(&a),
            &fields,
            e.into(),
        ),
    }
}
