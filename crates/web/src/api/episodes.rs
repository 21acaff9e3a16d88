//! Episodes of care: referral, consent, status, care plan, manual flags.

use super::{Body, IfMatch, created, with_etag};
use crate::access::{ConsentKey, EpisodeKey, OnPatient, OnRecord, op};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use stepwise_domain::care_plan::CarePlanInput;
use stepwise_domain::episode::{ConsentInput, Program, Transition};
use stepwise_domain::ids::{ConsentId, EpisodeId, PatientId};
use stepwise_domain::patient::parse_date;
use stepwise_domain::registry::ManualFlags;
use stepwise_domain::role::Role;
use stepwise_store::model::{CarePlanRecord, ConsentRecord, Episode, EpisodeDetail};
use utoipa::ToSchema;

/// A patient's episodes, newest first.
#[utoipa::path(get, path = "/api/v1/patients/{id}/episodes", tag = "episodes", params(("id" = PatientId, Path)),
    responses((status = 200, body = Vec<Episode>), (status = 404, body = crate::error::Problem)))]
pub async fn list(
    State(state): State<AppState>,
    on: OnPatient<op::ReadClinical>,
) -> ApiResult<Json<Vec<Episode>>> {
    Ok(Json(state.store.patient_episodes(&on.ctx, on.id).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEpisode {
    pub program: Program,
    /// `YYYY-MM-DD`
    pub referred_on: String,
    /// The treating practitioner who refers; the signed-in practitioner when absent.
    #[serde(default)]
    pub referring_practitioner: Option<stepwise_domain::ids::UserId>,
}

/// Refer the patient to Collaborative Care or general BHI: a new episode, status referred.
#[utoipa::path(post, path = "/api/v1/patients/{id}/episodes", tag = "episodes", request_body = NewEpisode, params(("id" = PatientId, Path)),
    responses((status = 201, body = Episode), (status = 422, body = crate::error::Problem)))]
pub async fn create(
    State(state): State<AppState>,
    on: OnPatient<op::ManageEpisode>,
    Body(body): Body<NewEpisode>,
) -> ApiResult<Response> {
    let referred_on = parse_date("referred_on", &body.referred_on)?;
    let referrer = body
        .referring_practitioner
        .or_else(|| (on.role == Role::TreatingPractitioner).then_some(on.auth.user.id));
    let ep = state
        .store
        .create_episode(&on.ctx, on.patient, body.program, referred_on, referrer)
        .await?;
    Ok(created(ep))
}

/// An episode with its timeline, consents and care plan; the ETag is the episode's version.
#[utoipa::path(get, path = "/api/v1/episodes/{id}", tag = "episodes", params(("id" = EpisodeId, Path)),
    responses((status = 200, body = EpisodeDetail), (status = 404, body = crate::error::Problem)))]
pub async fn read(
    State(state): State<AppState>,
    on: OnRecord<EpisodeKey, op::ReadClinical>,
) -> ApiResult<Response> {
    let d = state.store.episode(&on.ctx, on.id).await?;
    Ok(with_etag(d.episode.version, d))
}

/// Document the patient's consent to the episode's program (obtained by the signed-in user).
#[utoipa::path(post, path = "/api/v1/episodes/{id}/consents", tag = "episodes", request_body = ConsentInput, params(("id" = EpisodeId, Path)),
    responses((status = 201, body = ConsentRecord), (status = 422, body = crate::error::Problem)))]
pub async fn record_consent(
    State(state): State<AppState>,
    on: OnRecord<EpisodeKey, op::ManageEpisode>,
    Body(input): Body<ConsentInput>,
) -> ApiResult<Response> {
    let ep = state.store.episode(&on.ctx, on.id).await?.episode;
    let consent = input.parse(ep.program, on.auth.user.id, on.ctx.today)?;
    Ok(created(
        state.store.record_consent(&on.ctx, on.id, &consent).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Revocation {
    /// `YYYY-MM-DD`: the consent no longer covers activity from this day on.
    pub revoked_on: String,
    #[serde(default)]
    pub note: Option<String>,
}

/// Revoke a consent; it stays on record with its revocation.
#[utoipa::path(post, path = "/api/v1/consents/{id}/revocation", tag = "episodes", request_body = Revocation, params(("id" = ConsentId, Path)),
    responses((status = 200, body = ConsentRecord), (status = 422, body = crate::error::Problem)))]
pub async fn revoke_consent(
    State(state): State<AppState>,
    on: OnRecord<ConsentKey, op::ManageEpisode>,
    Body(body): Body<Revocation>,
) -> ApiResult<Json<ConsentRecord>> {
    let on_date = parse_date("revoked_on", &body.revoked_on)?;
    let note = body
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    Ok(Json(
        state
            .store
            .revoke_consent(&on.ctx, on.id, on_date, note)
            .await?,
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionBody {
    /// `YYYY-MM-DD`: when the change took effect.
    pub on: String,
    pub transition: Transition,
}

/// Change the episode's status: enroll (needs consent), start treatment, begin relapse
/// prevention (with the plan), discharge (with a reason). Needs If-Match.
#[utoipa::path(post, path = "/api/v1/episodes/{id}/transitions", tag = "episodes", request_body = TransitionBody,
    params(("id" = EpisodeId, Path), ("If-Match" = String, Header, description = "the episode's version")),
    responses((status = 200, body = Episode), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn transition(
    State(state): State<AppState>,
    on: OnRecord<EpisodeKey, op::ManageEpisode>,
    IfMatch(version): IfMatch,
    Body(body): Body<TransitionBody>,
) -> ApiResult<Response> {
    let on_date = parse_date("on", &body.on)?;
    let ep = state
        .store
        .transition_episode(&on.ctx, on.id, version, &body.transition, on_date)
        .await?;
    Ok(with_etag(ep.version, ep))
}

/// Replace the care plan: target and follow-up interval. Needs If-Match with the care plan's
/// version (from `care_plan.version`).
#[utoipa::path(put, path = "/api/v1/episodes/{id}/care-plan", tag = "episodes", request_body = CarePlanInput,
    params(("id" = EpisodeId, Path), ("If-Match" = String, Header, description = "the care plan's version")),
    responses((status = 200, body = CarePlanRecord), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn care_plan(
    State(state): State<AppState>,
    on: OnRecord<EpisodeKey, op::ManageEpisode>,
    IfMatch(version): IfMatch,
    Body(input): Body<CarePlanInput>,
) -> ApiResult<Response> {
    let plan = input.parse()?;
    let rec = state
        .store
        .update_care_plan(&on.ctx, on.id, version, &plan)
        .await?;
    Ok(with_etag(rec.version, rec))
}

/// Set or clear the manual flags "safety risk" and "for discussion". Needs If-Match.
#[utoipa::path(put, path = "/api/v1/episodes/{id}/flags", tag = "episodes", request_body = ManualFlags,
    params(("id" = EpisodeId, Path), ("If-Match" = String, Header, description = "the episode's version")),
    responses((status = 200, body = Episode), (status = 409, body = crate::error::Problem)))]
pub async fn flags(
    State(state): State<AppState>,
    on: OnRecord<EpisodeKey, op::ManageEpisode>,
    IfMatch(version): IfMatch,
    Body(flags): Body<ManualFlags>,
) -> ApiResult<Response> {
    let ep = state
        .store
        .set_manual_flags(&on.ctx, on.id, version, flags)
        .await?;
    Ok(with_etag(ep.version, ep))
}

impl From<stepwise_domain::instruments::AnswerError> for ApiError {
    fn from(e: stepwise_domain::instruments::AnswerError) -> Self {
        ApiError::invalid(&e.field, e.message)
    }
}
