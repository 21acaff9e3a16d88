//! Month close: review a billing month, lock it, adjust a locked month, export its claims,
//! expected revenue; the practice's billing settings; initiating visits, episode diagnoses and
//! APCM months (a patient's billing facts).
//!
//! Who: the billing role closes months (it sees identity, codes and diagnoses, never
//! narrative); the practice administrator edits the settings and sees revenue totals, never a
//! patient; the patient's care team records initiating visits and diagnoses.

use super::{Body, IfMatch, created, with_etag};
use crate::access::{Can, EpisodeKey, OnPatient, OnRecord, op};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use stepwise_domain::ValidationError;
use stepwise_domain::billing::close::{
    AdjustmentInput, BillingSettings, ExportLine, InitiatingVisitKind, export_csv, parse_diagnoses,
};
use stepwise_domain::calendar::YearMonth;
use stepwise_domain::ids::{PatientId, UserId};
use stepwise_domain::patient::parse_date;
use stepwise_store::model::{
    BillingAdjustment, BillingFacts, MonthLock, MonthRevenue, MonthReview,
};
use utoipa::ToSchema;

/// The `{month}` of a route.
pub fn parse_month(raw: &str) -> ApiResult<YearMonth> {
    raw.parse()
        .map_err(|m: String| ApiError::invalid("month", m))
}

/// Every patient with activity in the month: lines, holds, explanation, billing practitioner,
/// diagnosis codes and expected payment; a locked month shows its snapshot and adjustments.
#[utoipa::path(get, path = "/api/v1/billing/months/{month}", tag = "billing",
    params(("month" = String, Path, description = "YYYY-MM")),
    responses((status = 200, body = MonthReview), (status = 422, body = crate::error::Problem)))]
pub async fn review(
    State(state): State<AppState>,
    can: Can<op::CloseBillingMonth>,
    Path(month): Path<String>,
) -> ApiResult<Json<MonthReview>> {
    let month = parse_month(&month)?;
    Ok(Json(state.store.billing_month(&can.ctx, month).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LockBody {
    /// The `review_hash` of the review being locked: if anything changed since, the lock is
    /// refused with 409 and the month must be reviewed again.
    pub review_hash: String,
}

/// Lock a month that is over, as reviewed: its claims are kept as they are now.
#[utoipa::path(post, path = "/api/v1/billing/months/{month}/lock", tag = "billing", request_body = LockBody,
    params(("month" = String, Path, description = "YYYY-MM")),
    responses((status = 200, body = MonthLock), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn lock(
    State(state): State<AppState>,
    can: Can<op::CloseBillingMonth>,
    Path(month): Path<String>,
    Body(body): Body<LockBody>,
) -> ApiResult<Json<MonthLock>> {
    let month = parse_month(&month)?;
    Ok(Json(
        state
            .store
            .lock_billing_month(&can.ctx, month, &body.review_hash)
            .await?,
    ))
}

/// Adjust one patient's claim in a locked month, with the reason. The adjustment's lines
/// stand for the patient's month; the original and earlier adjustments are kept.
#[utoipa::path(post, path = "/api/v1/billing/months/{month}/adjustments", tag = "billing", request_body = AdjustmentInput,
    params(("month" = String, Path, description = "YYYY-MM")),
    responses((status = 201, body = BillingAdjustment), (status = 422, body = crate::error::Problem)))]
pub async fn adjust(
    State(state): State<AppState>,
    can: Can<op::CloseBillingMonth>,
    Path(month): Path<String>,
    Body(body): Body<AdjustmentInput>,
) -> ApiResult<Response> {
    let month = parse_month(&month)?;
    let adjustment = body.parse(month)?;
    Ok(created(
        state
            .store
            .adjust_billing_month(
                &can.ctx,
                month,
                PatientId::from_uuid(body.patient),
                &adjustment,
            )
            .await?,
    ))
}

#[derive(Serialize, ToSchema)]
pub struct ExportDocument {
    #[schema(value_type = String)]
    pub month: YearMonth,
    /// One per claim line: the latest adjustment of a patient, else the locked original.
    pub lines: Vec<ExportLine>,
}

/// The claim lines of a locked month as `csv` or `json` (a download). CSV cells that begin
/// with `=`, `+`, `-`, `@`, tab or carriage return are prefixed with a single quote.
#[utoipa::path(get, path = "/api/v1/billing/months/{month}/export/{format}", tag = "billing",
    params(("month" = String, Path, description = "YYYY-MM"), ("format" = String, Path, description = "csv or json")),
    responses((status = 200, body = ExportDocument, description = "JSON, or text/csv with the same lines"),
              (status = 422, body = crate::error::Problem)))]
pub async fn export(
    State(state): State<AppState>,
    can: Can<op::CloseBillingMonth>,
    Path((month, format)): Path<(String, String)>,
) -> ApiResult<Response> {
    let month = parse_month(&month)?;
    if format != "csv" && format != "json" {
        return Err(ApiError::invalid("format", "must be csv or json"));
    }
    let lines = state.store.billing_export(&can.ctx, month).await?;
    let (body, content_type) = if format == "csv" {
        (
            export_csv(&lines).map_err(ApiError::Internal)?,
            "text/csv; charset=utf-8",
        )
    } else {
        (
            serde_json::to_string_pretty(&ExportDocument { month, lines })
                .map_err(|e| ApiError::Internal(e.to_string()))?,
            "application/json",
        )
    };
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"stepwise-claims-{month}.{format}\""
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}

/// A month's expected revenue from the fee table (labelled with its year), in total and per
/// billing practitioner. No patient data: the practice administrator may read it too.
#[utoipa::path(get, path = "/api/v1/billing/months/{month}/revenue", tag = "billing",
    params(("month" = String, Path, description = "YYYY-MM")),
    responses((status = 200, body = MonthRevenue), (status = 422, body = crate::error::Problem)))]
pub async fn revenue(
    State(state): State<AppState>,
    can: Can<op::ReadRevenue>,
    Path(month): Path<String>,
) -> ApiResult<Json<MonthRevenue>> {
    let month = parse_month(&month)?;
    Ok(Json(state.store.billing_revenue(&can.ctx, month).await?))
}

/// The billing settings document: care setting, rule settings with per-payer overrides, and
/// fee table (see docs/billing.md, "Settings").
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsBody {
    #[schema(value_type = Object)]
    pub settings: BillingSettings,
}

/// The practice's billing settings (billing role and practice administrator); the ETag is the
/// version to send back with a change.
#[utoipa::path(get, path = "/api/v1/billing/settings", tag = "billing",
    responses((status = 200, body = SettingsBody)))]
pub async fn settings(
    State(state): State<AppState>,
    can: Can<op::ReadRevenue>,
) -> ApiResult<Response> {
    let r = state.store.billing_settings(&can.ctx).await?;
    Ok(with_etag(
        r.version,
        SettingsBody {
            settings: r.settings,
        },
    ))
}

/// Replace the billing settings (practice administrator; needs If-Match, `"0"` before the
/// first change). Every field is required; unknown fields and codes are refused.
#[utoipa::path(put, path = "/api/v1/billing/settings", tag = "billing", request_body = SettingsBody,
    params(("If-Match" = String, Header, description = "the settings' version")),
    responses((status = 200, body = SettingsBody), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn update_settings(
    State(state): State<AppState>,
    can: Can<op::Administer>,
    IfMatch(version): IfMatch,
    Body(body): Body<SettingsBody>,
) -> ApiResult<Response> {
    body.settings
        .validate()
        .map_err(|e| ApiError::Invalid(e.nested("settings")))?;
    let r = state
        .store
        .update_billing_settings(&can.ctx, &body.settings, version)
        .await?;
    Ok(with_etag(
        r.version,
        SettingsBody {
            settings: r.settings,
        },
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitBody {
    /// The treating practitioner who saw the patient.
    pub practitioner: UserId,
    /// `YYYY-MM-DD`
    pub visit_on: String,
    pub kind: InitiatingVisitKind,
}

#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: uuid::Uuid,
}

/// Record a qualifying visit (AWV, IPPE, TCM or E/M) that can initiate BHI for the patient.
#[utoipa::path(post, path = "/api/v1/patients/{id}/initiating-visits", tag = "billing", request_body = VisitBody,
    params(("id" = PatientId, Path)),
    responses((status = 201, body = Created), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn record_visit(
    State(state): State<AppState>,
    on: OnPatient<op::ManageEpisode>,
    Body(body): Body<VisitBody>,
) -> ApiResult<Response> {
    let visit_on = parse_date("visit_on", &body.visit_on)?;
    let id = state
        .store
        .record_initiating_visit(&on.ctx, on.id, body.practitioner, visit_on, body.kind)
        .await?;
    Ok(created(Created { id }))
}

/// The patient's billing facts: initiating visits, episodes' diagnoses, APCM months and how
/// the treating practitioner bills (codes and dates only).
#[utoipa::path(get, path = "/api/v1/patients/{id}/billing-facts", tag = "billing",
    params(("id" = PatientId, Path)),
    responses((status = 200, body = BillingFacts), (status = 404, body = crate::error::Problem)))]
pub async fn facts(
    State(state): State<AppState>,
    on: OnPatient<op::ManageBillingFacts>,
) -> ApiResult<Json<BillingFacts>> {
    Ok(Json(state.store.billing_facts(&on.ctx, on.id).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApcmMonthBody {
    /// The treating practitioner who billed the APCM base code (G0556–G0558).
    pub practitioner: UserId,
    /// `YYYY-MM`
    pub month: String,
}

/// Record a month in which the practitioner billed an APCM base code for the patient: the
/// APCM behavioral-health add-ons (G0568–G0570) need one by the same practitioner.
#[utoipa::path(post, path = "/api/v1/patients/{id}/apcm-months", tag = "billing", request_body = ApcmMonthBody,
    params(("id" = PatientId, Path)),
    responses((status = 201, body = Created), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn record_apcm_month(
    State(state): State<AppState>,
    on: OnPatient<op::ManageBillingFacts>,
    Body(body): Body<ApcmMonthBody>,
) -> ApiResult<Response> {
    let month = parse_month(body.month.trim())?;
    let id = state
        .store
        .record_apcm_month(&on.ctx, on.id, body.practitioner, month)
        .await?;
    Ok(created(Created { id }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RemoveApcmBody {
    /// The APCM month's id (from the billing facts).
    pub id: uuid::Uuid,
    /// Why it is removed (3 to 500 characters).
    pub reason: String,
}

/// Remove an APCM month recorded by mistake (kept, marked removed with the reason).
#[utoipa::path(post, path = "/api/v1/patients/{id}/apcm-months/remove", tag = "billing", request_body = RemoveApcmBody,
    params(("id" = PatientId, Path)),
    responses((status = 204), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn remove_apcm_month(
    State(state): State<AppState>,
    on: OnPatient<op::ManageBillingFacts>,
    Body(body): Body<RemoveApcmBody>,
) -> ApiResult<StatusCode> {
    state
        .store
        .remove_apcm_month(&on.ctx, on.id, body.id, &body.reason)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DiagnosesBody {
    /// ICD-10-CM codes, e.g. `F32.1`; an empty list clears them.
    pub diagnosis_codes: Vec<String>,
}

/// Set the episode's diagnosis codes, put on its claims.
#[utoipa::path(put, path = "/api/v1/episodes/{id}/diagnoses", tag = "billing", request_body = DiagnosesBody,
    params(("id" = stepwise_domain::ids::EpisodeId, Path)),
    responses((status = 200, body = DiagnosesBodyOut), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn set_diagnoses(
    State(state): State<AppState>,
    on: OnRecord<EpisodeKey, op::ManageEpisode>,
    Body(body): Body<DiagnosesBody>,
) -> ApiResult<Json<DiagnosesBodyOut>> {
    let mut errors = ValidationError::new();
    let codes = parse_diagnoses(&mut errors, "diagnosis_codes", &body.diagnosis_codes);
    errors.into_result()?;
    state
        .store
        .set_episode_diagnoses(&on.ctx, on.id, &codes)
        .await?;
    Ok(Json(DiagnosesBodyOut {
        diagnosis_codes: codes.into_iter().map(String::from).collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct DiagnosesBodyOut {
    pub diagnosis_codes: Vec<String>,
}
