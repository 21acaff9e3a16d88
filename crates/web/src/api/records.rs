//! Contacts with their minutes, and instrument responses.

use super::{Body, created};
use crate::access::{AssessmentKey, ContactKey, EpisodeKey, OnPatient, OnRecord, op};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use stepwise_domain::assessment::AssessmentInput;
use stepwise_domain::contact::ContactInput;
use stepwise_domain::ids::{AssessmentId, ContactId, EpisodeId, PatientId};
use stepwise_domain::instruments::{InstrumentId, ScoringContext};
use stepwise_domain::measurement::{Trajectory, TrajectoryPoint, trajectory as chart};
use stepwise_domain::record::RecordStatus;
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

/// Record a response, scored on arrival with the patient's recorded sex (AUDIT-C) and the
/// practice's scoring settings. Give either `answers`, positions from 0 in the published option
/// order (`null` when unanswered), or `loinc_answers`, LOINC item and answer codes. A bad
/// answer is a 422 naming the item and its allowed values, and nothing is stored. It joins the
/// patient's open episode, if any. A safety item answered positive, or left unanswered, raises
/// a safety alert and a same-day task for the patient's care manager (else treating
/// practitioner) in the same transaction; `safety_alert` names it.
#[utoipa::path(post, path = "/api/v1/patients/{id}/assessments", tag = "assessments", request_body = AssessmentInput, params(("id" = PatientId, Path)),
    responses((status = 201, body = Assessment), (status = 422, body = crate::error::Problem)))]
pub async fn record_assessment(
    State(state): State<AppState>,
    on: OnPatient<op::RecordAssessment>,
    Body(input): Body<AssessmentInput>,
) -> ApiResult<Response> {
    let patient = state.store.patient(&on.ctx, on.id).await?;
    let scoring = ScoringContext {
        sex: Some(patient.details.sex),
        settings: on.auth.practice.settings.scoring,
    };
    let response = input.parse_with(on.ctx.today, &scoring)?;
    let a = state
        .store
        .add_assessment(&on.ctx, on.id, None, on.auth.user.id, &response)
        .await?;
    Ok(created(a))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TrajectoryQuery {
    /// The instrument to chart, e.g. `phq9` (required).
    pub instrument: Option<String>,
    /// The episode; by default the patient's open episode, else the most recent one (with no
    /// episode at all, the patient's screenings).
    pub episode: Option<EpisodeId>,
}

/// A measurement-based-care chart.
#[derive(Serialize, ToSchema)]
pub struct TrajectoryView {
    /// The episode charted; `null` for the screenings of a patient without one.
    pub episode: Option<EpisodeId>,
    #[serde(flatten)]
    pub trajectory: Trajectory,
}

/// The data of a measurement-based-care chart: each response of the instrument in the episode
/// (date, official total or `null`, prorated estimate apart, band, safety), the baseline (first
/// official score), the 50 % response line, the remission threshold, and the outcome
/// (response, remission). Estimates and incomplete responses never count; responses entered in
/// error are left out.
#[utoipa::path(get, path = "/api/v1/patients/{id}/trajectory", tag = "assessments", params(("id" = PatientId, Path), TrajectoryQuery),
    responses((status = 200, body = TrajectoryView), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn trajectory(
    State(state): State<AppState>,
    on: OnPatient<op::ReadClinical>,
    Query(q): Query<TrajectoryQuery>,
) -> ApiResult<Json<TrajectoryView>> {
    let instrument = q
        .instrument
        .as_deref()
        .map(str::trim)
        .and_then(|i| InstrumentId::parse(i).ok())
        .ok_or_else(|| {
            ApiError::invalid(
                "instrument",
                format!(
                    "name the instrument to chart, one of: {}",
                    InstrumentId::allowed()
                ),
            )
        })?;
    let episodes = state.store.patient_episodes(&on.ctx, on.id).await?;
    let episode = match q.episode {
        Some(e) if episodes.iter().any(|x| x.id == e) => Some(e),
        Some(_) => {
            return Err(ApiError::invalid(
                "episode",
                "not an episode of this patient",
            ));
        }
        // Newest first: the open one, else the most recent.
        None => episodes
            .iter()
            .find(|e| !e.status.is_closed())
            .or(episodes.first())
            .map(|e| e.id),
    };
    let points = state
        .store
        .patient_assessments(&on.ctx, on.id, Some(instrument))
        .await?
        .into_iter()
        .filter(|a| a.status == RecordStatus::Final && a.episode == episode)
        .map(|a| TrajectoryPoint {
            assessment: a.id,
            on: a.administered_on,
            total: a.score.total,
            estimate: a.score.estimate,
            complete: a.score.complete,
            band: a.score.band,
            safety: a.score.safety,
        })
        .collect();
    Ok(Json(TrajectoryView {
        episode,
        trajectory: chart(instrument, points),
    }))
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
