//! The practice's plan (issue 7, docs/planner.md): the document with everything derived from
//! it, its saved versions, the journey and the one recommended next step. Every staff member
//! reads it; the practice administrator changes it (If-Match with the plan's version).

use super::{Body, IfMatch, with_etag};
use crate::access::{Can, Op, op};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use stepwise_domain::ids::UserId;
use stepwise_domain::planner::engagement::ContentSection;
use stepwise_domain::planner::{
    ContentKey, ContentView, Journey, NextStep, PlanDocument, PracticePlan, RegistrySummary,
    check_edit, journey, next_step, plan_document, practice_content,
};
use stepwise_store::model::{PlanVersion, StoredPlan};
use time::OffsetDateTime;
use utoipa::ToSchema;

/// The plan as saved, with its version (also the ETag) and what the planner derives from it
/// and the registry today.
#[derive(Serialize, ToSchema)]
pub struct PlanReply {
    /// 0 before the first save.
    pub version: i64,
    #[serde(with = "time::serde::rfc3339::option")]
    pub saved_at: Option<OffsetDateTime>,
    pub saved_by: Option<UserId>,
    pub document: PlanDocument,
    /// The registry's counts the journey and the next step were computed from.
    pub registry: RegistrySummary,
}

/// The latest plan and the registry summary of today, for a reader of the plan.
pub(crate) async fn load<O: Op>(
    state: &AppState,
    can: &Can<O>,
) -> ApiResult<(StoredPlan, RegistrySummary)> {
    let stored = state.store.plan(can.ctx.practice).await?;
    let summary = state
        .store
        .registry_summary(&can.ctx, &can.auth.practice.settings.registry)
        .await?;
    Ok((stored, summary))
}

fn reply(stored: StoredPlan, summary: RegistrySummary, today: time::Date) -> Response {
    let document = plan_document(&stored.plan, &summary, today);
    with_etag(
        stored.version,
        PlanReply {
            version: stored.version,
            saved_at: stored.saved_at,
            saved_by: stored.saved_by,
            document,
            registry: summary,
        },
    )
}

/// The practice's plan as a document: readiness, model, team, training, workflow, metrics and
/// goals, with the results, gaps, role cards and journey derived from them. The ETag is the
/// version to send when saving.
#[utoipa::path(get, path = "/api/v1/plan", tag = "plan",
    responses((status = 200, body = PlanReply)))]
pub async fn read(State(state): State<AppState>, can: Can<op::ReadPlan>) -> ApiResult<Response> {
    let (stored, summary) = load(&state, &can).await?;
    Ok(reply(stored, summary, can.ctx.today))
}

/// Save the plan as a new version (the previous ones are kept). Needs If-Match with the
/// version it was edited from ("0" for the first save); a plan the planner's rules refuse is
/// 422 with one message per field, and nothing is stored.
#[utoipa::path(put, path = "/api/v1/plan", tag = "plan", request_body = PracticePlan,
    params(("If-Match" = String, Header, description = "the plan's version, \"0\" before the first save")),
    responses((status = 200, body = PlanReply), (status = 409, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem), (status = 428, body = crate::error::Problem)))]
pub async fn save(
    State(state): State<AppState>,
    can: Can<op::EditPlan>,
    IfMatch(version): IfMatch,
    Body(plan): Body<PracticePlan>,
) -> ApiResult<Response> {
    let stored = state.store.save_plan(&can.ctx, version, &plan).await?;
    let summary = state
        .store
        .registry_summary(&can.ctx, &can.auth.practice.settings.registry)
        .await?;
    Ok(reply(stored, summary, can.ctx.today))
}

/// Every saved version of the plan, newest first.
#[utoipa::path(get, path = "/api/v1/plan/history", tag = "plan",
    responses((status = 200, body = Vec<PlanVersion>)))]
pub async fn history(
    State(state): State<AppState>,
    can: Can<op::ReadPlan>,
) -> ApiResult<Json<Vec<PlanVersion>>> {
    Ok(Json(state.store.plan_history(can.ctx.practice).await?))
}

/// The one recommended next step and its reason, from the plan and the registry today.
#[utoipa::path(get, path = "/api/v1/plan/next-step", tag = "plan",
    responses((status = 200, body = NextStep)))]
pub async fn next(
    State(state): State<AppState>,
    can: Can<op::ReadPlan>,
) -> ApiResult<Json<NextStep>> {
    let (stored, summary) = load(&state, &can).await?;
    Ok(Json(next_step(&stored.plan, &summary, can.ctx.today)))
}

/// Every step of the journey (done, in progress, not started, with partial progress) and the
/// next step.
#[utoipa::path(get, path = "/api/v1/plan/journey", tag = "plan",
    responses((status = 200, body = Journey)))]
pub async fn journey_view(
    State(state): State<AppState>,
    can: Can<op::ReadPlan>,
) -> ApiResult<Json<Journey>> {
    let (stored, summary) = load(&state, &can).await?;
    Ok(Json(journey(&stored.plan, &summary, can.ctx.today)))
}

/// The patient texts as the practice shows them, with the plan's version (also the ETag) to
/// send when editing one.
#[derive(Serialize, ToSchema)]
pub struct PatientContentReply {
    pub version: i64,
    /// Every text in the language, the practice's own where it edited one, else the default;
    /// each with its reading grade and the warnings of the reading-level check.
    pub items: Vec<ContentView>,
}

/// One text as the practice writes it.
#[derive(Deserialize, ToSchema)]
pub struct ContentEdit {
    pub key: ContentKey,
    /// BCP 47 language tag; `en` is the only language with content for now.
    pub language: String,
    pub title: String,
    pub sections: Vec<ContentSection>,
}

/// Which text goes back to its default.
#[derive(Deserialize, ToSchema)]
pub struct ContentReset {
    pub key: ContentKey,
    pub language: String,
}

fn content_reply(stored: &StoredPlan, language: &str) -> Response {
    with_etag(
        stored.version,
        PatientContentReply {
            version: stored.version,
            items: practice_content(&stored.plan.patient_content, language),
        },
    )
}

/// The patient engagement texts (consent conversation, why and how, privacy, crisis
/// resources) in English as the practice shows them.
#[utoipa::path(get, path = "/api/v1/plan/patient-content", tag = "plan",
    responses((status = 200, body = PatientContentReply)))]
pub async fn patient_content(
    State(state): State<AppState>,
    can: Can<op::ReadPlan>,
) -> ApiResult<Response> {
    let stored = state.store.plan(can.ctx.practice).await?;
    Ok(content_reply(&stored, "en"))
}

/// Replace one text with the practice's own (a new plan version; If-Match the plan's
/// version). Refused with 422: a required topic left out or emptied, 988 or 911 removed from
/// the crisis resources, an unknown topic or language. Saved with a warning in the reply:
/// English above 8th grade.
#[utoipa::path(put, path = "/api/v1/plan/patient-content", tag = "plan", request_body = ContentEdit,
    params(("If-Match" = String, Header, description = "the plan's version")),
    responses((status = 200, body = PatientContentReply), (status = 409, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem), (status = 428, body = crate::error::Problem)))]
pub async fn edit_patient_content(
    State(state): State<AppState>,
    can: Can<op::EditPlan>,
    IfMatch(version): IfMatch,
    Body(edit): Body<ContentEdit>,
) -> ApiResult<Response> {
    let (text, _warnings) = check_edit(
        edit.key,
        &edit.language,
        &edit.title,
        edit.sections,
        can.ctx.today,
    )?;
    let mut plan = state.store.plan(can.ctx.practice).await?.plan;
    plan.patient_content
        .retain(|e| !(e.key == text.key && e.language == text.language));
    let language = text.language.clone();
    plan.patient_content.push(text);
    let stored = state.store.save_plan(&can.ctx, version, &plan).await?;
    Ok(content_reply(&stored, &language))
}

/// Go back to the default text of one item (a new plan version; If-Match the plan's
/// version). 422 when the item already uses the default.
#[utoipa::path(post, path = "/api/v1/plan/patient-content/reset", tag = "plan", request_body = ContentReset,
    params(("If-Match" = String, Header, description = "the plan's version")),
    responses((status = 200, body = PatientContentReply), (status = 409, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem), (status = 428, body = crate::error::Problem)))]
pub async fn reset_patient_content(
    State(state): State<AppState>,
    can: Can<op::EditPlan>,
    IfMatch(version): IfMatch,
    Body(reset): Body<ContentReset>,
) -> ApiResult<Response> {
    let mut plan = state.store.plan(can.ctx.practice).await?.plan;
    let before = plan.patient_content.len();
    plan.patient_content
        .retain(|e| !(e.key == reset.key && e.language == reset.language));
    if plan.patient_content.len() == before {
        return Err(ApiError::invalid(
            "key",
            "this text already uses the default",
        ));
    }
    let stored = state.store.save_plan(&can.ctx, version, &plan).await?;
    Ok(content_reply(&stored, &reset.language))
}
