//! The practice's plan (issue 7, docs/planner.md): the document with everything derived from
//! it, its saved versions, the journey and the one recommended next step. Every staff member
//! reads it; the practice administrator changes it (If-Match with the plan's version).

use super::{Body, IfMatch, with_etag};
use crate::access::{Can, Op, op};
use crate::error::ApiResult;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::Serialize;
use stepwise_domain::ids::UserId;
use stepwise_domain::planner::{
    Journey, NextStep, PlanDocument, PracticePlan, RegistrySummary, journey, next_step,
    plan_document,
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
