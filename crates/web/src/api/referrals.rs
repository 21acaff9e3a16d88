//! Closed-loop referrals: the worklist of open referrals (due follow-ups first), a patient's
//! referrals, writing one, recording each update after a call, and documenting the consent a
//! sensitive referral needs before it is sent.

use super::{Body, IfMatch, created, with_etag};
use crate::access::{Can, OnPatient, OnRecord, ReferralKey, op};
use crate::error::ApiResult;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use stepwise_domain::ids::{PatientId, ReferralId};
use stepwise_domain::patient::parse_date;
use stepwise_domain::referral::{ReferralAction, ReferralTarget, Sensitivity};
use stepwise_store::model::{ReferralEntry, ReferralRecord};
use utoipa::ToSchema;

/// A new referral.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewReferral {
    pub target: ReferralTarget,
    /// `general` (the default) or `sud_part2`: substance-use information under 42 CFR Part 2,
    /// sent only once the patient's consent to disclose it is documented.
    #[serde(default)]
    pub sensitivity: Option<Sensitivity>,
    /// Why the patient is referred.
    pub reason: String,
}

/// The patient's consent to disclose a sensitive referral to its recipient.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentBody {
    /// YYYY-MM-DD, not in the future.
    pub consented_on: String,
    pub note: Option<String>,
}

/// The practice's open referrals: those with no update for the configured number of days
/// first (with the next step), then the others.
#[utoipa::path(get, path = "/api/v1/referrals", tag = "referrals",
    responses((status = 200, body = Vec<ReferralEntry>), (status = 404, body = crate::error::Problem)))]
pub async fn worklist(
    State(state): State<AppState>,
    can: Can<op::ReadReferrals>,
) -> ApiResult<Json<Vec<ReferralEntry>>> {
    let settings = can.auth.practice.settings.referrals;
    Ok(Json(
        state.store.referral_worklist(&can.ctx, settings).await?,
    ))
}

/// A patient's referrals, newest first, each with its full history.
#[utoipa::path(get, path = "/api/v1/patients/{id}/referrals", tag = "referrals", params(("id" = PatientId, Path)),
    responses((status = 200, body = Vec<ReferralRecord>), (status = 404, body = crate::error::Problem)))]
pub async fn of_patient(
    State(state): State<AppState>,
    on: OnPatient<op::ReadReferrals>,
) -> ApiResult<Json<Vec<ReferralRecord>>> {
    Ok(Json(state.store.patient_referrals(&on.ctx, on.id).await?))
}

/// Write a draft referral of the patient (a clinician of the patient's care team).
#[utoipa::path(post, path = "/api/v1/patients/{id}/referrals", tag = "referrals", request_body = NewReferral,
    params(("id" = PatientId, Path)),
    responses((status = 201, body = ReferralRecord), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn create(
    State(state): State<AppState>,
    on: OnPatient<op::Refer>,
    Body(body): Body<NewReferral>,
) -> ApiResult<Response> {
    let r = state
        .store
        .create_referral(
            &on.ctx,
            on.id,
            &body.target,
            body.sensitivity.unwrap_or(Sensitivity::General),
            &body.reason,
        )
        .await?;
    Ok(created(r))
}

/// One referral with its history; the ETag is the version an update needs.
#[utoipa::path(get, path = "/api/v1/referrals/{id}", tag = "referrals", params(("id" = ReferralId, Path)),
    responses((status = 200, body = ReferralRecord), (status = 404, body = crate::error::Problem)))]
pub async fn read(
    State(state): State<AppState>,
    on: OnRecord<ReferralKey, op::ReadReferrals>,
) -> ApiResult<Response> {
    let r = state.store.referral(&on.ctx, on.id).await?;
    Ok(with_etag(r.version, r))
}

/// Record an update (needs If-Match): `{"action": "send"}`, `{"action": "schedule",
/// "appointment_on": "2026-12-03"}`, `{"action": "close", "feedback": "…"}`… A step cannot be
/// skipped; the refusal (422) names the step to do first.
#[utoipa::path(post, path = "/api/v1/referrals/{id}/updates", tag = "referrals", request_body = ReferralAction,
    params(("id" = ReferralId, Path), ("If-Match" = String, Header, description = "the referral's version")),
    responses((status = 200, body = ReferralRecord), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem), (status = 428, body = crate::error::Problem)))]
pub async fn update(
    State(state): State<AppState>,
    on: OnRecord<ReferralKey, op::UpdateReferral>,
    IfMatch(version): IfMatch,
    Body(action): Body<ReferralAction>,
) -> ApiResult<Response> {
    let r = state
        .store
        .update_referral(&on.ctx, on.id, version, action)
        .await?;
    Ok(with_etag(r.version, r))
}

/// Document the patient's consent to disclose this referral to its recipient (needs If-Match).
#[utoipa::path(post, path = "/api/v1/referrals/{id}/consent", tag = "referrals", request_body = ConsentBody,
    params(("id" = ReferralId, Path), ("If-Match" = String, Header, description = "the referral's version")),
    responses((status = 200, body = ReferralRecord), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem), (status = 428, body = crate::error::Problem)))]
pub async fn consent(
    State(state): State<AppState>,
    on: OnRecord<ReferralKey, op::UpdateReferral>,
    IfMatch(version): IfMatch,
    Body(body): Body<ConsentBody>,
) -> ApiResult<Response> {
    let on_date = parse_date("consented_on", &body.consented_on)?;
    let r = state
        .store
        .record_referral_consent(&on.ctx, on.id, version, on_date, body.note.as_deref())
        .await?;
    Ok(with_etag(r.version, r))
}
