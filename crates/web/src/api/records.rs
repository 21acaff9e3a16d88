//! Contacts with their minutes, and instrument responses.

use super::{Body, created};
use crate::access::{AssessmentKey, ContactKey, EpisodeKey, OnPatient, OnRecord, op};
use crate::error::ApiResult;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use stepwise_domain::assessment::AssessmentInput;
use stepwise_domain::contact::ContactInput;
use stepwise_domain::ids::{AssessmentId, ContactId, EpisodeId, PatientId};
use stepwise_domain::instruments::InstrumentId;
use stepwise_store::model::{Assessment, Contact};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct InstrumentFilter {
    /// Only this instrument, e.g. `phq9`.
    pub instrument: Option<InstrumentId>,
}

/// A patient's responses, oldest first: the trajectory for charts.
#[utoipa::path(get, path = "/api/v1/patients/{id}/assessments", tag = "assessments", params(("id" = PatientId, Path), InstrumentFilter),
    responses((status = 200, body = Vec<Assessment>), (status = 404, body = crate::error::Problem)))]
pub async fn assessments(
    State(state): State<AppState>,
    on: OnPatient<op::ReadClinical>,
    Query(filter): Query<InstrumentFilter>,
) -> ApiResult<Json<Vec<Assessment>>> {
    Ok(Json(
        state
            .store
            .patient_assessments(&on.ctx, on.id, filter.instrument)
            .await?,
    ))
}

/// Record a response, scored on arrival. Answers are positions from 0 in the published
/// option order, `null` when unanswered. It joins the patient's open episode, if any.
#[utoipa::path(post, path = "/api/v1/patients/{id}/assessments", tag = "assessments", request_body = AssessmentInput, params(("id" = PatientId, Path)),
    responses((status = 201, body = Assessment), (status = 422, body = crate::error::Problem)))]
pub async fn record_assessment(
    State(state): State<AppState>,
    on: OnPatient<op::RecordAssessment>,
    Body(input): Body<AssessmentInput>,
) -> ApiResult<Response> {
    let response = input.parse(on.ctx.today)?;
    let a = state
        .store
        .add_assessment(&on.ctx, on.id, None, on.auth.user.id, &response)
        .await?;
    Ok(created(a))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorReason {
    /// Why the record is wrong (kept with it).
    pub reason: String,
}

/// Mark a response entered-in-error: it stays on record, left out of scores and flags.
#[utoipa::path(post, path = "/api/v1/assessments/{id}/entered-in-error", tag = "assessments", request_body = ErrorReason, params(("id" = AssessmentId, Path)),
    responses((status = 200, body = Assessment), (status = 422, body = crate::error::Problem)))]
pub async fn assessment_in_error(
    State(state): State<AppState>,
    on: OnRecord<AssessmentKey, op::RecordAssessment>,
    Body(body): Body<ErrorReason>,
) -> ApiResult<Json<Assessment>> {
    Ok(Json(
        state
            .store
            .mark_assessment_entered_in_error(&on.ctx, on.id, &body.reason)
            .await?,
    ))
}

/// An episode's contacts, newest first, including those entered in error.
#[utoipa::path(get, path = "/api/v1/episodes/{id}/contacts", tag = "contacts", params(("id" = EpisodeId, Path)),
    responses((status = 200, body = Vec<Contact>), (status = 404, body = crate::error::Problem)))]
pub async fn contacts(
    State(state): State<AppState>,
    on: OnRecord<EpisodeKey, op::ReadClinical>,
) -> ApiResult<Json<Vec<Contact>>> {
    Ok(Json(state.store.episode_contacts(&on.ctx, on.id).await?))
}

/// Log a contact of the signed-in staff member, with its minutes.
#[utoipa::path(post, path = "/api/v1/episodes/{id}/contacts", tag = "contacts", request_body = ContactInput, params(("id" = EpisodeId, Path)),
    responses((status = 201, body = Contact), (status = 422, body = crate::error::Problem)))]
pub async fn record_contact(
    State(state): State<AppState>,
    on: OnRecord<EpisodeKey, op::RecordContact>,
    Body(input): Body<ContactInput>,
) -> ApiResult<Response> {
    let details = input.parse(&on.auth.user.roles, on.ctx.today)?;
    let c = state
        .store
        .add_contact(&on.ctx, on.id, on.auth.user.id, &details, None)
        .await?;
    Ok(created(c))
}

/// Mark a contact entered-in-error: it stays on record, struck from minutes and counts.
#[utoipa::path(post, path = "/api/v1/contacts/{id}/entered-in-error", tag = "contacts", request_body = ErrorReason, params(("id" = ContactId, Path)),
    responses((status = 200, body = Contact), (status = 422, body = crate::error::Problem)))]
pub async fn contact_in_error(
    State(state): State<AppState>,
    on: OnRecord<ContactKey, op::RecordContact>,
    Body(body): Body<ErrorReason>,
) -> ApiResult<Json<Contact>> {
    Ok(Json(
        state
            .store
            .mark_contact_entered_in_error(&on.ctx, on.id, &body.reason)
            .await?,
    ))
}
