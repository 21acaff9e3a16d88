//! The community resource directory: list, search, add, correct, the call list, and CSV
//! import (all or nothing) and export (docs/metrics.md, "The community resource directory").

use super::{Body, IfMatch, PathParam, created, with_etag};
use crate::access::{Can, op};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use stepwise_domain::ValidationError;
use stepwise_domain::resources::{
    CallList, Resource, ResourceId, ResourceQuery, call_list, export_csv, import_csv, search,
};
use stepwise_store::model::{DirectoryEntry, ImportSummary};
use uuid::Uuid;

/// The directory entries as plain resources (for the domain's search and call list).
pub(crate) fn plain(entries: &[DirectoryEntry]) -> Vec<Resource> {
    entries.iter().map(|e| e.resource.clone()).collect()
}

/// Every entry of the directory, active or not, with its version.
#[utoipa::path(get, path = "/api/v1/resources", tag = "directory",
    responses((status = 200, body = Vec<DirectoryEntry>)))]
pub async fn list(
    State(state): State<AppState>,
    can: Can<op::ReadDirectory>,
) -> ApiResult<Json<Vec<DirectoryEntry>>> {
    Ok(Json(state.store.resources(can.ctx.practice).await?))
}

/// Search the directory: every word must appear; by category and language; crisis first.
#[utoipa::path(post, path = "/api/v1/resources/search", tag = "directory", request_body = ResourceQuery,
    responses((status = 200, body = Vec<Resource>), (status = 422, body = crate::error::Problem)))]
pub async fn find(
    State(state): State<AppState>,
    can: Can<op::ReadDirectory>,
    Body(query): Body<ResourceQuery>,
) -> ApiResult<Json<Vec<Resource>>> {
    let all = plain(&state.store.resources(can.ctx.practice).await?);
    Ok(Json(search(&all, &query).into_iter().cloned().collect()))
}

/// One entry; its ETag is the version a correction needs.
#[utoipa::path(get, path = "/api/v1/resources/{id}", tag = "directory", params(("id" = ResourceId, Path)),
    responses((status = 200, body = DirectoryEntry), (status = 404, body = crate::error::Problem)))]
pub async fn read(
    State(state): State<AppState>,
    can: Can<op::ReadDirectory>,
    PathParam(id): PathParam<Uuid>,
) -> ApiResult<Response> {
    let e = state
        .store
        .resource(can.ctx.practice, ResourceId(id))
        .await?;
    Ok(with_etag(e.version, e))
}

/// Add an entry.
#[utoipa::path(post, path = "/api/v1/resources", tag = "directory", request_body = Resource,
    responses((status = 201, body = DirectoryEntry), (status = 422, body = crate::error::Problem)))]
pub async fn create(
    State(state): State<AppState>,
    can: Can<op::ManageDirectory>,
    Body(r): Body<Resource>,
) -> ApiResult<Response> {
    Ok(created(state.store.create_resource(&can.ctx, &r).await?))
}

/// Correct an entry (needs If-Match); make it inactive rather than removing it.
#[utoipa::path(put, path = "/api/v1/resources/{id}", tag = "directory", request_body = Resource,
    params(("id" = ResourceId, Path), ("If-Match" = String, Header, description = "the entry's version")),
    responses((status = 200, body = DirectoryEntry), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem), (status = 428, body = crate::error::Problem)))]
pub async fn update(
    State(state): State<AppState>,
    can: Can<op::ManageDirectory>,
    PathParam(id): PathParam<Uuid>,
    IfMatch(version): IfMatch,
    Body(r): Body<Resource>,
) -> ApiResult<Response> {
    let e = state
        .store
        .update_resource(&can.ctx, ResourceId(id), version, &r)
        .await?;
    Ok(with_etag(e.version, e))
}

/// The call list: active entries grouped by category, crisis first, with what a referral
/// call needs and whether each entry is due for re-verification.
#[utoipa::path(get, path = "/api/v1/resources/call-list", tag = "directory",
    responses((status = 200, body = CallList)))]
pub async fn calls(
    State(state): State<AppState>,
    can: Can<op::ReadDirectory>,
) -> ApiResult<Json<CallList>> {
    let all = plain(&state.store.resources(can.ctx.practice).await?);
    Ok(Json(call_list(&all, can.ctx.today)))
}

/// The whole directory as CSV (HSDS-compatible columns; formula-like cells escaped).
#[utoipa::path(get, path = "/api/v1/resources/export.csv", tag = "directory",
    responses((status = 200, content_type = "text/csv", body = String)))]
pub async fn export(
    State(state): State<AppState>,
    can: Can<op::ReadDirectory>,
) -> ApiResult<Response> {
    let all = plain(&state.store.resources(can.ctx.practice).await?);
    let text = export_csv(&all).map_err(|e| ApiError::Internal(e.to_string()))?;
    let mut res = text.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"directory.csv\""),
    );
    Ok(res)
}

/// Turn the file's problems into field errors named `line N: column`.
pub(crate) fn import_problems(e: &stepwise_domain::resources::ImportErrors) -> ValidationError {
    let mut v = ValidationError::new();
    for p in &e.errors {
        let field = match p.field.as_str() {
            "" => format!("line {}", p.line),
            f => format!("line {}: {f}", p.line),
        };
        v.push(field, p.message.clone());
    }
    v
}

/// Import a CSV file (the body, as text): all rows or none. Every problem is answered with
/// its line and column (422) and nothing is stored.
#[utoipa::path(post, path = "/api/v1/resources/import", tag = "directory",
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = ImportSummary), (status = 422, body = crate::error::Problem)))]
pub async fn import(
    State(state): State<AppState>,
    can: Can<op::ManageDirectory>,
    body: String,
) -> ApiResult<Json<ImportSummary>> {
    let rows = import_csv(&body).map_err(|e| ApiError::Invalid(import_problems(&e)))?;
    Ok(Json(state.store.import_resources(&can.ctx, &rows).await?))
}
