//! Contacts with their minutes, and instrument responses.

use super::{Body, created};
use crate::access::{
    AssessmentKey, ContactKey, EpisodeKey, OnPatient, OnRecord, Part2ConsentKey, op,
};
use crate::disclosure::{Shown, Viewer};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use stepwise_domain::assessment::AssessmentInput;
use stepwise_domain::contact::ContactInput;
use stepwise_domain::ids::{AssessmentId, ContactId, EpisodeId, Part2ConsentId, PatientId};
use stepwise_domain::instruments::{InstrumentId, ScoringContext};
use stepwise_domain::measurement::{Trajectory, TrajectoryPoint, trajectory as chart};
use stepwise_domain::record::RecordStatus;
use stepwise_domain::sensitivity::Part2ConsentInput;
use stepwise_store::RecordRef;
use stepwise_store::model::{Assessment, Contact, Part2ConsentRecord};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct InstrumentFilter {
    /// Only this instrument, e.g. `phq9`.
    pub instrument: Option<InstrumentId>,
}

/// The header that says how many labelled records (42 CFR Part 2) a list left out for this
/// reader; absent when none were.
pub const WITHHELD_HEADER: &str = "stepwise-withheld-records";

/// A list as JSON, with the count of records withheld from this reader.
fn shown<T: Serialize>(s: Shown<T>) -> Response {
    let mut r = Json(s.items).into_response();
    if s.withheld > 0 {
        r.headers_mut()
            .insert(WITHHELD_HEADER, HeaderValue::from(s.withheld));
    }
    r
}

/// A patient's responses, oldest first: the trajectory for charts. Substance-use screenings
/// labelled `sud_part2` are listed only for the patient's practitioner and care manager, their
/// author, the psychiatric consultant while the patient's Part 2 consent is in force, and
/// break-glass; each carries the 42 CFR 2.32 `redisclosure_notice`. The
/// `Stepwise-Withheld-Records` header counts those left out.
#[utoipa::path(get, path = "/api/v1/patients/{id}/assessments", tag = "assessments", params(("id" = PatientId, Path), InstrumentFilter),
    responses((status = 200, body = Vec<Assessment>), (status = 404, body = crate::error::Problem)))]
pub async fn assessments(
    State(state): State<AppState>,
    on: OnPatient<op::ReadClinical>,
    Query(filter): Query<InstrumentFilter>,
) -> ApiResult<Response> {
    let viewer = Viewer::of(&state, &on).await?;
    let list = state
        .store
        .patient_assessments(&on.ctx, on.id, filter.instrument)
        .await?;
    Ok(shown(viewer.assessments(list)))
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
    /// The 42 CFR 2.32 notice, when the points include records labelled Part 2.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redisclosure_notice: Option<String>,
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
    let viewer = Viewer::of(&state, &on).await?;
    let list = state
        .store
        .patient_assessments(&on.ctx, on.id, Some(instrument))
        .await?;
    let shown: Vec<Assessment> = viewer
        .assessments(list)
        .items
        .into_iter()
        .filter(|a| a.status == RecordStatus::Final && a.episode == episode)
        .collect();
    let redisclosure_notice = shown.iter().find_map(|a| a.redisclosure_notice.clone());
    let points = shown
        .into_iter()
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
        redisclosure_notice,
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
    Viewer::of(&state, &on)
        .await?
        .check_correct(&state, RecordRef::Assessment(on.id))
        .await?;
    Ok(Json(
        state
            .store
            .mark_assessment_entered_in_error(&on.ctx, on.id, &body.reason)
            .await?,
    ))
}

/// An episode's contacts, newest first, including those entered in error. A psychotherapy
/// note's text is returned to its author only (`note` is `null` for others); Part 2 contacts
/// as for assessments, with the `redisclosure_notice` and the `Stepwise-Withheld-Records` count.
#[utoipa::path(get, path = "/api/v1/episodes/{id}/contacts", tag = "contacts", params(("id" = EpisodeId, Path)),
    responses((status = 200, body = Vec<Contact>), (status = 404, body = crate::error::Problem)))]
pub async fn contacts(
    State(state): State<AppState>,
    on: OnRecord<EpisodeKey, op::ReadClinical>,
) -> ApiResult<Response> {
    let viewer = Viewer::of(&state, &on).await?;
    let list = state.store.episode_contacts(&on.ctx, on.id).await?;
    Ok(shown(viewer.contacts(list)))
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
    Viewer::of(&state, &on)
        .await?
        .check_correct(&state, RecordRef::Contact(on.id))
        .await?;
    Ok(Json(
        state
            .store
            .mark_contact_entered_in_error(&on.ctx, on.id, &body.reason)
            .await?,
    ))
}

/// A patient's Part 2 consents (42 CFR 2.31), newest first, revoked and expired ones included;
/// `in_force` says whether each opens the patient's Part 2 records today.
#[utoipa::path(get, path = "/api/v1/patients/{id}/part2-consents", tag = "consents", params(("id" = PatientId, Path)),
    responses((status = 200, body = Vec<Part2ConsentRecord>), (status = 404, body = crate::error::Problem)))]
pub async fn part2_consents(
    State(state): State<AppState>,
    on: OnPatient<op::ReadClinical>,
) -> ApiResult<Json<Vec<Part2ConsentRecord>>> {
    Ok(Json(
        state.store.patient_part2_consents(&on.ctx, on.id).await?,
    ))
}

/// Record the patient's Part 2 consent: while in force (from `given_on` to `expires_on`, until
/// revoked), the psychiatric consultant sees the patient's records labelled `sud_part2`.
#[utoipa::path(post, path = "/api/v1/patients/{id}/part2-consents", tag = "consents", request_body = Part2ConsentInput, params(("id" = PatientId, Path)),
    responses((status = 201, body = Part2ConsentRecord), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn record_part2_consent(
    State(state): State<AppState>,
    on: OnPatient<op::ManageEpisode>,
    Body(input): Body<Part2ConsentInput>,
) -> ApiResult<Response> {
    let consent = input.parse(on.ctx.today)?;
    Ok(created(
        state
            .store
            .record_part2_consent(&on.ctx, on.id, &consent)
            .await?,
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Part2Revocation {
    /// How the patient withdrew the consent (optional).
    #[serde(default)]
    pub note: Option<String>,
}

/// Revoke a Part 2 consent, effective the moment it is recorded; it stays on record with the
/// revocation. A second revocation is refused (422).
#[utoipa::path(post, path = "/api/v1/part2-consents/{id}/revocation", tag = "consents", request_body = Part2Revocation, params(("id" = Part2ConsentId, Path)),
    responses((status = 200, body = Part2ConsentRecord), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn revoke_part2_consent(
    State(state): State<AppState>,
    on: OnRecord<Part2ConsentKey, op::ManageEpisode>,
    Body(body): Body<Part2Revocation>,
) -> ApiResult<Json<Part2ConsentRecord>> {
    Ok(Json(
        state
            .store
            .revoke_part2_consent(&on.ctx, on.id, body.note.as_deref())
            .await?,
    ))
}
