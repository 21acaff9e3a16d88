//! The registry: the caseload, the case-review list, case reviews and recommendations.

use super::{Body, IfMatch, created, with_etag};
use crate::access::{Can, EpisodeKey, OnRecord, RecommendationKey, op};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::sync::Arc;
use stepwise_domain::case_review::RecommendationAction;
use stepwise_domain::ids::{EpisodeId, RecommendationId};
use stepwise_domain::patient::parse_date;
use stepwise_domain::role::Role;
use stepwise_store::RecommendationFilter;
use stepwise_store::model::{
    CaseReview, CaseloadEntry, NewCaseReviewItem, Recommendation, ReviewListEntry,
};
use utoipa::ToSchema;

/// The signed-in care manager's caseload: every referred or open episode of their patients,
/// with the registry's columns and flags, safety first.
#[utoipa::path(get, path = "/api/v1/caseload", tag = "registry",
    responses((status = 200, body = Vec<CaseloadEntry>), (status = 404, body = crate::error::Problem)))]
pub async fn caseload(
    State(state): State<AppState>,
    can: Can<op::ReadOwnCaseload>,
) -> ApiResult<Response> {
    let settings = &can.auth.practice.settings.registry;
    // The store keeps the serialized rows with the cached caseload: the answer is the same
    // bytes `Json` would write, without serializing ~120 KB on every request.
    let json = state
        .store
        .caseload_json(
            &can.ctx,
            can.auth.user.id,
            settings,
            can.auth.registry_generation,
        )
        .await?;
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        Bytes::from_owner(SharedJson(json)),
    )
        .into_response())
}

/// Shared JSON bytes as a response body, without copying them.
struct SharedJson(Arc<[u8]>);

impl AsRef<[u8]> for SharedJson {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

/// The psychiatric case-review list: patients who are new, not improving, a safety concern,
/// flagged for discussion or overdue for review.
#[utoipa::path(get, path = "/api/v1/review-list", tag = "registry",
    responses((status = 200, body = Vec<ReviewListEntry>), (status = 404, body = crate::error::Problem)))]
pub async fn review_list(
    State(state): State<AppState>,
    can: Can<op::ReadReviewList>,
) -> ApiResult<Json<Vec<ReviewListEntry>>> {
    let settings = &can.auth.practice.settings.registry;
    Ok(Json(state.store.review_list(&can.ctx, settings).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewItemBody {
    pub episode: EpisodeId,
    #[serde(default)]
    pub notes: Option<String>,
    /// Each becomes a proposed recommendation for the treating practitioner.
    #[serde(default)]
    pub recommendations: Vec<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseReviewBody {
    /// `YYYY-MM-DD`
    pub review_on: String,
    #[serde(default)]
    pub notes: Option<String>,
    pub items: Vec<ReviewItemBody>,
}

/// Record a psychiatric case review held by the signed-in consultant.
#[utoipa::path(post, path = "/api/v1/case-reviews", tag = "registry", request_body = CaseReviewBody,
    responses((status = 201, body = CaseReview), (status = 422, body = crate::error::Problem)))]
pub async fn create_case_review(
    State(state): State<AppState>,
    can: Can<op::RecordCaseReview>,
    Body(body): Body<CaseReviewBody>,
) -> ApiResult<Response> {
    let review_on = parse_date("review_on", &body.review_on)?;
    let items: Vec<NewCaseReviewItem> = body
        .items
        .into_iter()
        .map(|i| NewCaseReviewItem {
            episode: i.episode,
            notes: i.notes,
            recommendations: i.recommendations,
        })
        .collect();
    let review = state
        .store
        .create_case_review(
            &can.ctx,
            review_on,
            can.auth.user.id,
            body.notes.as_deref(),
            &items,
        )
        .await?;
    Ok(created(review))
}

/// Open recommendations: for a treating practitioner, those of their patients waiting for a
/// decision or to be done; for the psychiatric consultant, all of the practice's.
#[utoipa::path(get, path = "/api/v1/recommendations", tag = "registry",
    responses((status = 200, body = Vec<Recommendation>), (status = 404, body = crate::error::Problem)))]
pub async fn open_recommendations(
    State(state): State<AppState>,
    can: Can<op::ReadOpenRecommendations>,
) -> ApiResult<Json<Vec<Recommendation>>> {
    let filter = if can.role == Role::TreatingPractitioner {
        RecommendationFilter::OpenForPractitioner(can.auth.user.id)
    } else {
        RecommendationFilter::Open
    };
    Ok(Json(state.store.recommendations(&can.ctx, filter).await?))
}

/// Every recommendation of an episode, open or closed.
#[utoipa::path(get, path = "/api/v1/episodes/{id}/recommendations", tag = "registry", params(("id" = EpisodeId, Path)),
    responses((status = 200, body = Vec<Recommendation>), (status = 404, body = crate::error::Problem)))]
pub async fn episode_recommendations(
    State(state): State<AppState>,
    on: OnRecord<EpisodeKey, op::ReadClinical>,
) -> ApiResult<Json<Vec<Recommendation>>> {
    Ok(Json(
        state
            .store
            .recommendations(&on.ctx, RecommendationFilter::Episode(on.id))
            .await?,
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, tag = "decision", rename_all = "snake_case")]
pub enum Decision {
    Accept,
    Decline { reason: String },
}

/// The treating practitioner accepts or declines a recommendation (needs If-Match).
#[utoipa::path(post, path = "/api/v1/recommendations/{id}/decision", tag = "registry", request_body = Decision,
    params(("id" = RecommendationId, Path), ("If-Match" = String, Header, description = "the recommendation's version")),
    responses((status = 200, body = Recommendation), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn decide(
    State(state): State<AppState>,
    on: OnRecord<RecommendationKey, op::DecideRecommendation>,
    IfMatch(version): IfMatch,
    Body(decision): Body<Decision>,
) -> ApiResult<Response> {
    let action = match decision {
        Decision::Accept => RecommendationAction::Accept,
        Decision::Decline { reason } => RecommendationAction::Decline { reason },
    };
    let r = state
        .store
        .decide_recommendation(&on.ctx, on.id, version, &action)
        .await?;
    Ok(with_etag(r.version, r))
}

/// Mark an accepted recommendation done (treating practitioner or care manager; If-Match).
#[utoipa::path(post, path = "/api/v1/recommendations/{id}/completion", tag = "registry",
    params(("id" = RecommendationId, Path), ("If-Match" = String, Header, description = "the recommendation's version")),
    responses((status = 200, body = Recommendation), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn complete(
    State(state): State<AppState>,
    on: OnRecord<RecommendationKey, op::CompleteRecommendation>,
    IfMatch(version): IfMatch,
) -> ApiResult<Response> {
    let r = state
        .store
        .decide_recommendation(&on.ctx, on.id, version, &RecommendationAction::MarkDone)
        .await
        .map_err(ApiError::from)?;
    Ok(with_etag(r.version, r))
}
