//! Metrics of success (docs/metrics.md): every metric of the catalogue for a period, overall
//! and per site, care manager and treating practitioner, each with its definition; and the
//! baselines progress is compared with.

use super::{Body, created};
use crate::access::{Can, op};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use stepwise_domain::ValidationError;
use stepwise_domain::baseline::{Baseline, ManualBaselineInput, MetricSeries, compare};
use stepwise_domain::metrics::export::{CsvRow, metrics_csv};
use stepwise_domain::metrics::{
    Better, GroupBy, MetricCode, MetricResult, MetricUnit, MetricsFilter, MetricsInput, Period,
    compute_all, compute_grouped,
};
use stepwise_domain::patient::parse_date;
use stepwise_store::model::{Ctx, StoredBaseline};
use time::Date;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// The period, as `from` and `to` (YYYY-MM-DD, both included).
#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct PeriodQuery {
    pub from: Option<String>,
    pub to: Option<String>,
}

impl PeriodQuery {
    pub fn parse(&self) -> Result<Period, ValidationError> {
        let mut e = ValidationError::new();
        let mut date = |field: &str, raw: &Option<String>| match raw.as_deref() {
            None | Some("") => {
                e.push(field, "required, as YYYY-MM-DD");
                None
            }
            Some(s) => e.check(parse_date(field, s)),
        };
        let (from, to) = (date("from", &self.from), date("to", &self.to));
        e.into_result()?;
        match (from, to) {
            (Some(f), Some(t)) => Period::new(f, t),
            _ => Err(ValidationError::field("from", "required, as YYYY-MM-DD")),
        }
    }
}

/// One metric's result with its definition beside it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MetricView {
    pub code: MetricCode,
    /// M1–M12 of the reference (or the section that defines it).
    pub reference_id: &'static str,
    pub name: &'static str,
    pub numerator: u32,
    pub denominator: u32,
    /// `null` when nobody was eligible (never 0 %).
    pub value: Option<f64>,
    pub unit: MetricUnit,
    pub better: Better,
    pub definition: &'static str,
    pub numerator_definition: &'static str,
    pub denominator_definition: &'static str,
    pub window: &'static str,
    pub source: &'static str,
}

impl From<&MetricResult> for MetricView {
    fn from(r: &MetricResult) -> Self {
        let d = r.code.definition();
        MetricView {
            code: r.code,
            reference_id: d.reference_id,
            name: d.name,
            numerator: r.numerator,
            denominator: r.denominator,
            value: r.value,
            unit: r.unit,
            better: d.better,
            definition: d.definition,
            numerator_definition: d.numerator,
            denominator_definition: d.denominator,
            window: d.window,
            source: d.source,
        }
    }
}

/// The metrics of the patients of one site, care manager or treating practitioner.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GroupMetrics {
    /// `site`, `care_manager` or `practitioner`.
    pub by: GroupBy,
    pub id: Uuid,
    pub name: String,
    pub metrics: Vec<MetricView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MetricsReport {
    pub from: Date,
    pub to: Date,
    pub overall: Vec<MetricView>,
    pub groups: Vec<GroupMetrics>,
}

/// Compute the report from the store's input (shared by the API, the page and the bench).
pub async fn report(
    state: &AppState,
    ctx: &Ctx,
    period: Period,
) -> Result<MetricsReport, ApiError> {
    let input = state.store.metrics_input(ctx, period.to()).await?;
    let sites: HashMap<Uuid, String> = state
        .store
        .sites(ctx.practice)
        .await?
        .into_iter()
        .map(|s| (s.id.as_uuid(), s.name))
        .collect();
    let users: HashMap<Uuid, String> = state
        .store
        .users(ctx.practice)
        .await?
        .into_iter()
        .map(|u| (u.id.as_uuid(), u.display_name))
        .collect();
    Ok(build(&input, period, &sites, &users))
}

pub fn build(
    input: &MetricsInput,
    period: Period,
    sites: &HashMap<Uuid, String>,
    users: &HashMap<Uuid, String>,
) -> MetricsReport {
    let views = |results: &[MetricResult]| -> Vec<MetricView> {
        results.iter().map(MetricView::from).collect()
    };
    let mut out = Vec::new();
    for by in [GroupBy::Site, GroupBy::CareManager, GroupBy::Practitioner] {
        for (f, results) in compute_grouped(input, period, by) {
            let (id, names) = match by {
                GroupBy::Site => (f.site.map(|s| s.as_uuid()), sites),
                GroupBy::CareManager => (f.care_manager.map(|u| u.as_uuid()), users),
                GroupBy::Practitioner => (f.practitioner.map(|u| u.as_uuid()), users),
            };
            let Some(id) = id else { continue };
            out.push(GroupMetrics {
                by,
                id,
                name: names.get(&id).cloned().unwrap_or_else(|| id.to_string()),
                metrics: views(&results),
            });
        }
    }
    MetricsReport {
        from: period.from(),
        to: period.to(),
        overall: views(&compute_all(input, period, &MetricsFilter::default())),
        groups: out,
    }
}

/// Every metric of the catalogue for the period, with numerator, denominator, value and
/// definition: overall, then per site, care manager and treating practitioner.
#[utoipa::path(get, path = "/api/v1/metrics", tag = "metrics", params(PeriodQuery),
    responses((status = 200, body = MetricsReport), (status = 422, body = crate::error::Problem)))]
pub async fn metrics(
    State(state): State<AppState>,
    can: Can<op::ReadMetrics>,
    Query(q): Query<PeriodQuery>,
) -> ApiResult<Json<MetricsReport>> {
    let period = q.parse()?;
    Ok(Json(report(&state, &can.ctx, period).await?))
}

/// A baseline with its comparison to a later period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BaselineProgress {
    pub baseline: StoredBaseline,
    pub series: Vec<MetricSeries>,
}

/// The practice's baselines, latest first.
#[utoipa::path(get, path = "/api/v1/baselines", tag = "metrics",
    responses((status = 200, body = Vec<StoredBaseline>)))]
pub async fn baselines(
    State(state): State<AppState>,
    can: Can<op::ReadMetrics>,
) -> ApiResult<Json<Vec<StoredBaseline>>> {
    Ok(Json(state.store.baselines(can.ctx.practice).await?))
}

/// A baseline from the registry: the chosen metrics computed over the period.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegistryBaselineInput {
    pub from: String,
    pub to: String,
    /// Metric codes; empty takes the whole catalogue.
    #[serde(default)]
    pub metrics: Vec<MetricCode>,
}

/// Take a baseline from the registry's data over a period.
#[utoipa::path(post, path = "/api/v1/baselines/registry", tag = "metrics", request_body = RegistryBaselineInput,
    responses((status = 201, body = StoredBaseline), (status = 422, body = crate::error::Problem)))]
pub async fn from_registry(
    State(state): State<AppState>,
    can: Can<op::ManageBaseline>,
    Body(input): Body<RegistryBaselineInput>,
) -> ApiResult<Response> {
    Ok(created(
        take_from_registry(&state, &can.ctx, input.from, input.to, &input.metrics).await?,
    ))
}

/// Compute `metrics` (every metric when empty) over the period and store them as a baseline
/// (shared by the API and the page).
pub async fn take_from_registry(
    state: &AppState,
    ctx: &Ctx,
    from: String,
    to: String,
    metrics: &[MetricCode],
) -> ApiResult<StoredBaseline> {
    let period = PeriodQuery {
        from: Some(from),
        to: Some(to),
    }
    .parse()?;
    if period.to() > ctx.today {
        return Err(ApiError::invalid(
            "to",
            "The baseline period cannot end in the future",
        ));
    }
    let data = state.store.metrics_input(ctx, period.to()).await?;
    let results: Vec<MetricResult> = compute_all(&data, period, &MetricsFilter::default())
        .into_iter()
        .filter(|r| metrics.is_empty() || metrics.contains(&r.code))
        .collect();
    let b = Baseline::from_registry(ctx.today, period, &results);
    Ok(state.store.create_baseline(ctx, &b).await?)
}

/// A baseline entered by hand (an EHR report or a chart audit).
#[utoipa::path(post, path = "/api/v1/baselines/manual", tag = "metrics", request_body = ManualBaselineInput,
    responses((status = 201, body = StoredBaseline), (status = 422, body = crate::error::Problem)))]
pub async fn manual(
    State(state): State<AppState>,
    can: Can<op::ManageBaseline>,
    Body(input): Body<ManualBaselineInput>,
) -> ApiResult<Response> {
    let b = input.parse(can.ctx.today)?;
    Ok(created(state.store.create_baseline(&can.ctx, &b).await?))
}

/// The latest baseline compared with the period's overall results.
pub fn progress(
    baseline: &StoredBaseline,
    report: &MetricsReport,
    period: Period,
) -> BaselineProgress {
    let results: Vec<MetricResult> = report
        .overall
        .iter()
        .map(|m| MetricResult {
            code: m.code,
            period,
            numerator: m.numerator,
            denominator: m.denominator,
            value: m.value,
            unit: m.unit,
        })
        .collect();
    BaselineProgress {
        series: compare(&baseline.baseline, &results),
        baseline: baseline.clone(),
    }
}

/// Every metric of the period as CSV: the whole practice (with the comparison with the latest
/// baseline), then each site, care manager and treating practitioner; the measures of success
/// first.
#[utoipa::path(get, path = "/api/v1/metrics/export.csv", tag = "metrics", params(PeriodQuery),
    responses((status = 200, description = "text/csv"), (status = 422, body = crate::error::Problem)))]
pub async fn export(
    State(state): State<AppState>,
    can: Can<op::ReadMetrics>,
    Query(q): Query<PeriodQuery>,
) -> ApiResult<Response> {
    let period = q.parse()?;
    let r = report(&state, &can.ctx, period).await?;
    let measures = state
        .store
        .measures_of_success(can.ctx.practice)
        .await?
        .measures;
    let series = match state.store.baselines(can.ctx.practice).await?.first() {
        Some(b) => progress(b, &r, period).series,
        None => Vec::new(),
    };
    let mut rows = Vec::new();
    for m in measures.first(r.overall.clone(), |v| v.code) {
        let s = series.iter().find(|s| s.code == m.code);
        let point = s.and_then(|s| s.points.first());
        rows.push(CsvRow {
            scope: "practice",
            group: String::new(),
            code: m.code,
            numerator: m.numerator,
            denominator: m.denominator,
            value: m.value,
            measure_of_success: measures.contains(m.code),
            baseline: s.and_then(|s| s.baseline),
            change: point.and_then(|p| p.change),
            direction: point.and_then(|p| p.direction),
        });
    }
    for g in &r.groups {
        let scope = match g.by {
            GroupBy::Site => "site",
            GroupBy::CareManager => "care_manager",
            GroupBy::Practitioner => "practitioner",
        };
        for m in measures.first(g.metrics.clone(), |v| v.code) {
            rows.push(CsvRow {
                scope,
                group: g.name.clone(),
                code: m.code,
                numerator: m.numerator,
                denominator: m.denominator,
                value: m.value,
                measure_of_success: measures.contains(m.code),
                baseline: None,
                change: None,
                direction: None,
            });
        }
    }
    let (from, to) = (period.from().to_string(), period.to().to_string());
    let body = metrics_csv(&from, &to, &rows).map_err(ApiError::Internal)?;
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"stepwise-metrics-{from}-{to}.csv\""
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}
