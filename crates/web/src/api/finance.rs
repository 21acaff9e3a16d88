//! The financial view (docs/finance.md): expected revenue per month, program and practitioner
//! from the billing engine and the fee table, the payer mix, the program's cost from the team
//! roster, the margin, the break-even caseload and a what-if; its CSV export; and the
//! practice's financial settings (roster cost, payer rates).
//!
//! Who: the billing role and the practice administrator read it (totals, never a patient);
//! the administrator edits the settings.

use super::{Body, IfMatch, with_etag};
use crate::access::{Can, op};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use stepwise_domain::finance::view::observed;
use stepwise_domain::finance::{
    FinanceSettings, FinancialView, WhatIf, WhatIfInput, WhatIfQuery, financial_csv,
    financial_view, parse_range,
};
use stepwise_domain::ids::UserId;
use stepwise_domain::metrics::{MeasuresOfSuccess, MetricCode};
use stepwise_store::model::{Ctx, StoredFinanceSettings, StoredMeasures};
use utoipa::{IntoParams, ToSchema};

/// The range of months and the what-if's inputs; an empty what-if field takes what the
/// range's months show (or a CoCM care manager's usual load without any).
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(default)]
pub struct FinanceQuery {
    /// First month, `YYYY-MM`.
    pub from: Option<String>,
    /// Last month, `YYYY-MM` (at most 24 months, not after the current month).
    pub to: Option<String>,
    /// `cocm` or `bhi`.
    pub program: Option<String>,
    /// Patients enrolled at any time (0–5,000).
    pub caseload: Option<String>,
    /// Countable care-management minutes per patient per month (0–600).
    pub minutes: Option<String>,
    /// Average months a CoCM patient stays (1–24).
    pub episode_months: Option<String>,
    /// The blended payer rate, in percent of the fee table (0–300).
    pub rate_percent: Option<String>,
}

impl FinanceQuery {
    fn what_if(&self) -> WhatIfQuery {
        WhatIfQuery {
            program: self.program.clone(),
            caseload: self.caseload.clone(),
            minutes: self.minutes.clone(),
            episode_months: self.episode_months.clone(),
            rate_percent: self.rate_percent.clone(),
        }
    }
}

/// Build the view (shared by the API, the CSV and the page): the range is checked, then the
/// what-if's fields.
pub async fn build(state: &AppState, ctx: &Ctx, q: &FinanceQuery) -> ApiResult<FinancialView> {
    let range = parse_range(
        q.from.as_deref().unwrap_or_default(),
        q.to.as_deref().unwrap_or_default(),
        ctx.today,
    )?;
    let data = state.store.finance_months(ctx, range.0, range.1).await?;
    let finance = state.store.finance_settings(ctx.practice).await?.settings;
    let defaults = observed(&data.months, &finance.rates).unwrap_or_default();
    let input = q
        .what_if()
        .parse(&defaults, data.billing.setting, range.1)?;
    Ok(financial_view(
        range,
        &data.months,
        &data.billing,
        &finance,
        input,
    ))
}

/// The financial view of a range of months.
#[utoipa::path(get, path = "/api/v1/finance", tag = "finance", params(FinanceQuery),
    responses((status = 200, body = FinancialView), (status = 422, body = crate::error::Problem)))]
pub async fn view(
    State(state): State<AppState>,
    can: Can<op::ReadRevenue>,
    Query(q): Query<FinanceQuery>,
) -> ApiResult<Json<FinancialView>> {
    Ok(Json(build(&state, &can.ctx, &q).await?))
}

/// A what-if alone: its input as understood and its result.
#[derive(Serialize, ToSchema)]
pub struct WhatIfReply {
    pub input: WhatIfInput,
    pub result: WhatIf,
}

/// Recompute the what-if for a caseload, minutes per patient, program, episode length and
/// payer rate, against the team roster's cost (the range's last month's codes apply).
#[utoipa::path(get, path = "/api/v1/finance/what-if", tag = "finance", params(FinanceQuery),
    responses((status = 200, body = WhatIfReply), (status = 422, body = crate::error::Problem)))]
pub async fn what_if(
    State(state): State<AppState>,
    can: Can<op::ReadRevenue>,
    Query(q): Query<FinanceQuery>,
) -> ApiResult<Json<WhatIfReply>> {
    let v = build(&state, &can.ctx, &q).await?;
    Ok(Json(WhatIfReply {
        input: v.what_if_input,
        result: v.what_if,
    }))
}

/// The practitioners' names, for the CSV.
pub async fn names(state: &AppState, ctx: &Ctx) -> ApiResult<HashMap<UserId, String>> {
    Ok(state
        .store
        .users(ctx.practice)
        .await?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect())
}

/// The view as CSV (a download).
pub fn csv_response(view: &FinancialView, names: &HashMap<UserId, String>) -> ApiResult<Response> {
    let body = financial_csv(view, |u| match u {
        Some(id) => names.get(&id).cloned().unwrap_or_else(|| id.to_string()),
        None => "no billing practitioner".into(),
    })
    .map_err(ApiError::Internal)?;
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"stepwise-finance-{}-{}.csv\"",
        view.from, view.to
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}

/// The financial view as CSV: revenue per month, program and practitioner, payer mix, cost,
/// margin and the what-if.
#[utoipa::path(get, path = "/api/v1/finance/export.csv", tag = "finance", params(FinanceQuery),
    responses((status = 200, description = "text/csv"), (status = 422, body = crate::error::Problem)))]
pub async fn export(
    State(state): State<AppState>,
    can: Can<op::ReadRevenue>,
    Query(q): Query<FinanceQuery>,
) -> ApiResult<Response> {
    let v = build(&state, &can.ctx, &q).await?;
    csv_response(&v, &names(&state, &can.ctx).await?)
}

/// The financial settings (billing role and practice administrator); the ETag is the version
/// to send back with a change.
#[utoipa::path(get, path = "/api/v1/finance/settings", tag = "finance",
    responses((status = 200, body = StoredFinanceSettings)))]
pub async fn settings(
    State(state): State<AppState>,
    can: Can<op::ReadRevenue>,
) -> ApiResult<Response> {
    let s = state.store.finance_settings(can.ctx.practice).await?;
    Ok(with_etag(s.version, s))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FinanceSettingsBody {
    pub settings: FinanceSettings,
}

/// Replace the financial settings: the team roster with each member's cost, other monthly
/// costs, and what each payer pays (practice administrator; If-Match, `"0"` before the first
/// save). Each save is a new version; the previous ones are kept.
#[utoipa::path(put, path = "/api/v1/finance/settings", tag = "finance", request_body = FinanceSettingsBody,
    params(("If-Match" = String, Header, description = "the settings' version")),
    responses((status = 200, body = StoredFinanceSettings), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn update_settings(
    State(state): State<AppState>,
    can: Can<op::Administer>,
    IfMatch(version): IfMatch,
    Body(body): Body<FinanceSettingsBody>,
) -> ApiResult<Response> {
    body.settings
        .validate()
        .map_err(|e| ApiError::Invalid(e.nested("settings")))?;
    let s = state
        .store
        .save_finance_settings(&can.ctx, version, &body.settings)
        .await?;
    Ok(with_etag(s.version, s))
}

/// The practice's measures of success (everyone who reads the metrics).
#[utoipa::path(get, path = "/api/v1/metrics/measures", tag = "metrics",
    responses((status = 200, body = StoredMeasures)))]
pub async fn measures(
    State(state): State<AppState>,
    can: Can<op::ReadMetrics>,
) -> ApiResult<Response> {
    let m = state.store.measures_of_success(can.ctx.practice).await?;
    Ok(with_etag(m.version, m))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeasuresBody {
    /// Metric codes of the catalogue, in the practice's order; at most 6; empty clears.
    #[schema(value_type = Vec<MetricCode>)]
    pub chosen: Vec<String>,
}

/// Choose the measures of success (practice administrator; If-Match, `"0"` before the first
/// choice). Each choice is a new version, audited.
#[utoipa::path(put, path = "/api/v1/metrics/measures", tag = "metrics", request_body = MeasuresBody,
    params(("If-Match" = String, Header, description = "the measures' version")),
    responses((status = 200, body = StoredMeasures), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn choose_measures(
    State(state): State<AppState>,
    can: Can<op::ManageBaseline>,
    IfMatch(version): IfMatch,
    Body(body): Body<MeasuresBody>,
) -> ApiResult<Response> {
    let m = MeasuresOfSuccess::parse(&body.chosen)?;
    let saved = state
        .store
        .save_measures_of_success(&can.ctx, version, &m)
        .await?;
    Ok(with_etag(saved.version, saved))
}
