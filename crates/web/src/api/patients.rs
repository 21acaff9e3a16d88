//! Patients: register, find, read, correct.

use super::{Body, IfMatch, created, with_etag};
use crate::access::{Can, OnPatient, op};
use crate::error::ApiResult;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use stepwise_domain::ids::PatientId;
use stepwise_domain::patient::PatientInput;
use stepwise_store::PatientQuery;
use stepwise_store::model::{Patient, PatientSummary};
use utoipa::ToSchema;

/// Register a patient.
#[utoipa::path(post, path = "/api/v1/patients", tag = "patients", request_body = PatientInput,
    responses((status = 201, body = Patient), (status = 422, body = crate::error::Problem)))]
pub async fn create(
    State(state): State<AppState>,
    can: Can<op::EditDemographics>,
    Body(input): Body<PatientInput>,
) -> ApiResult<Response> {
    let new = input.parse_new(can.ctx.today)?;
    let p = state
        .store
        .create_patient(&can.ctx, new.details, new.assignments)
        .await?;
    Ok(created(p))
}

/// A search; sent in the body so that names and birth dates never appear in a URL.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchBody {
    /// A name (family or given, or the start of one), an MRN, or a date of birth YYYY-MM-DD.
    pub q: String,
}

/// Find patients by name, MRN or date of birth (at most 50).
#[utoipa::path(post, path = "/api/v1/patients/search", tag = "patients", request_body = SearchBody,
    responses((status = 200, body = Vec<PatientSummary>), (status = 422, body = crate::error::Problem)))]
pub async fn search(
    State(state): State<AppState>,
    can: Can<op::ReadDemographics>,
    Body(body): Body<SearchBody>,
) -> ApiResult<Json<Vec<PatientSummary>>> {
    let q = PatientQuery::parse(&body.q)?;
    Ok(Json(state.store.search_patients(&can.ctx, &q).await?))
}

/// A patient's demographics and care team; the ETag is the version to send when correcting.
#[utoipa::path(get, path = "/api/v1/patients/{id}", tag = "patients", params(("id" = PatientId, Path)),
    responses((status = 200, body = Patient), (status = 404, body = crate::error::Problem)))]
pub async fn read(
    State(state): State<AppState>,
    on: OnPatient<op::ReadDemographics>,
) -> ApiResult<Response> {
    let p = state.store.patient(&on.ctx, on.id).await?;
    Ok(with_etag(p.version, p))
}

/// Correct demographics or assignments; the previous version is kept (needs If-Match).
#[utoipa::path(put, path = "/api/v1/patients/{id}", tag = "patients", request_body = PatientInput,
    params(("id" = PatientId, Path), ("If-Match" = String, Header, description = "the patient's version")),
    responses((status = 200, body = Patient), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem), (status = 428, body = crate::error::Problem)))]
pub async fn update(
    State(state): State<AppState>,
    on: OnPatient<op::EditDemographics>,
    IfMatch(version): IfMatch,
    Body(input): Body<PatientInput>,
) -> ApiResult<Response> {
    let new = input.parse_new(on.ctx.today)?;
    let p = state
        .store
        .update_patient(&on.ctx, on.id, version, new.details, new.assignments)
        .await?;
    Ok(with_etag(p.version, p))
}
