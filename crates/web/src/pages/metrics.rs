//! The metrics of success for a period, each with its definition beside it, per site, care
//! manager and practitioner, and the comparison with the latest baseline. The practice's
//! measures of success come first; the administrator chooses them here.

use super::forms::{Fields, see_other};
use super::{Chrome, error_page, render};
use crate::access::{Authenticated, Can, op};
use crate::api::metrics::{
    BaselineProgress, MetricView, MetricsReport, PeriodQuery, progress, report,
};
use crate::error::ApiError;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use stepwise_domain::access::{Operation, acting_role};
use stepwise_domain::baseline::BaselineMeasure;
use stepwise_domain::metrics::measures::{MAX_MEASURES, RECOMMENDED_MIN};
use stepwise_domain::metrics::{CATALOGUE, MeasuresOfSuccess, MetricCode, MetricUnit, Period};
use stepwise_store::StoreError;
use stepwise_store::model::Ctx;

/// A value as the page shows it.
pub fn shown(value: Option<f64>, unit: MetricUnit) -> String {
    match (value, unit) {
        (None, _) => "not available".into(),
        (Some(v), MetricUnit::Percent) => format!("{v:.0} %"),
        (Some(v), MetricUnit::Days) => format!("{v:.1} days"),
        (Some(v), _) => format!("{v:.1}"),
    }
}

/// One metric of the catalogue in the measures form.
pub struct MeasureChoice {
    pub code: &'static str,
    pub name: &'static str,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "metrics.html")]
struct MetricsPage {
    chrome: Chrome,
    from: String,
    to: String,
    error: Option<String>,
    report: Option<MetricsReport>,
    progress: Option<BaselineProgress>,
    chosen: Vec<MetricCode>,
    can_choose: bool,
    choices: Vec<MeasureChoice>,
    measures_version: i64,
    measures_error: Option<String>,
    saved: bool,
    max_measures: usize,
    recommended_min: usize,
}

impl MetricsPage {
    fn show(&self, m: &MetricView) -> String {
        shown(m.value, m.unit)
    }
    fn show_value(&self, v: &Option<f64>, unit: &MetricUnit) -> String {
        shown(*v, *unit)
    }
    fn show_baseline(&self, b: &BaselineMeasure, unit: &MetricUnit) -> String {
        shown(b.value(), *unit)
    }
    fn is_measure(&self, code: &MetricCode) -> bool {
        self.chosen.contains(code)
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MetricsQuery {
    from: Option<String>,
    to: Option<String>,
    saved: Option<String>,
}

/// What was ticked and the error of a refused choice.
struct Typed {
    codes: Vec<String>,
    error: String,
}

async fn page(
    state: &AppState,
    auth: &Authenticated,
    ctx: &Ctx,
    q: MetricsQuery,
    typed: Option<Typed>,
) -> Response {
    let today = ctx.today;
    let saved = q.saved.is_some();
    // Without a period: the last 12 months to today.
    let q = if q.from.is_none() && q.to.is_none() {
        let from = today.replace_year(today.year() - 1).unwrap_or(today) + time::Duration::days(1);
        PeriodQuery {
            from: Some(from.to_string()),
            to: Some(today.to_string()),
        }
    } else {
        PeriodQuery {
            from: q.from,
            to: q.to,
        }
    };
    let measures = match state.store.measures_of_success(ctx.practice).await {
        Ok(m) => m,
        Err(e) => return error_page(ApiError::from(e)),
    };
    let ticked: Vec<String> = match &typed {
        Some(t) => t.codes.clone(),
        None => measures
            .measures
            .chosen
            .iter()
            .map(|c| c.code().to_owned())
            .collect(),
    };
    let mut page = MetricsPage {
        chrome: Chrome::new(auth, state.config.demo.is_some()),
        from: q.from.clone().unwrap_or_default(),
        to: q.to.clone().unwrap_or_default(),
        error: None,
        report: None,
        progress: None,
        chosen: measures.measures.chosen.clone(),
        can_choose: acting_role(&auth.user.roles, Operation::ManageBaseline, None).is_some(),
        choices: CATALOGUE
            .iter()
            .map(|d| MeasureChoice {
                code: d.code.code(),
                name: d.name,
                checked: ticked.iter().any(|t| t == d.code.code()),
            })
            .collect(),
        measures_version: measures.version,
        measures_error: typed.map(|t| t.error),
        saved,
        max_measures: MAX_MEASURES,
        recommended_min: RECOMMENDED_MIN,
    };
    let period: Period = match q.parse() {
        Ok(p) => p,
        Err(v) => {
            page.error = Some(v.to_string());
            return (StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response();
        }
    };
    let mut r = match report(state, ctx, period).await {
        Ok(r) => r,
        Err(e) => return error_page(e),
    };
    // The measures of success first, in the practice's order.
    let m = &measures.measures;
    r.overall = m.first(std::mem::take(&mut r.overall), |v| v.code);
    for g in &mut r.groups {
        g.metrics = m.first(std::mem::take(&mut g.metrics), |v| v.code);
    }
    let latest = match state.store.baselines(ctx.practice).await {
        Ok(b) => b.into_iter().next(),
        Err(e) => return error_page(ApiError::from(e)),
    };
    page.progress = latest.map(|b| {
        let mut p = progress(&b, &r, period);
        p.series = m.first(std::mem::take(&mut p.series), |s| s.code);
        p
    });
    page.report = Some(r);
    let status = if page.measures_error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    (status, render(&page)).into_response()
}

pub async fn metrics(
    State(state): State<AppState>,
    can: Can<op::ReadMetrics>,
    Query(q): Query<MetricsQuery>,
) -> Response {
    page(&state, &can.auth, &can.ctx, q, None).await
}

/// Choose the measures of success (the practice administrator): ticked metrics of the
/// catalogue, at most six; each choice is a new version, audited.
pub async fn choose_measures(
    State(state): State<AppState>,
    can: Can<op::ManageBaseline>,
    Form(form): Form<Fields>,
) -> Response {
    let codes: Vec<String> = form
        .iter()
        .filter(|(k, _)| k == "measure")
        .map(|(_, v)| v.trim().to_owned())
        .collect();
    let version = super::forms::get(&form, "version")
        .parse::<i64>()
        .unwrap_or(-1);
    let result = match MeasuresOfSuccess::parse(&codes) {
        Ok(m) => state
            .store
            .save_measures_of_success(&can.ctx, version, &m)
            .await
            .map(|_| ()),
        Err(v) => Err(StoreError::Invalid(v)),
    };
    let error = match result {
        Ok(()) => return see_other("/metrics?saved=1"),
        Err(StoreError::Invalid(v)) => v
            .errors
            .iter()
            .map(|e| e.message.clone())
            .collect::<Vec<_>>()
            .join("; "),
        Err(StoreError::Conflict) => "Someone else changed the measures of success since you opened this page: nothing was saved. Reload to see their choice.".to_owned(),
        Err(e) => return error_page(ApiError::from(e)),
    };
    page(
        &state,
        &can.auth,
        &can.ctx,
        MetricsQuery::default(),
        Some(Typed { codes, error }),
    )
    .await
}
