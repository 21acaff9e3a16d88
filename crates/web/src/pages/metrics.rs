//! The metrics of success for a period, each with its definition beside it, per site, care
//! manager and practitioner, and the comparison with the latest baseline.

use super::{Chrome, error_page, render};
use crate::access::{Can, op};
use crate::api::metrics::{
    BaselineProgress, MetricView, MetricsReport, PeriodQuery, progress, report,
};
use crate::error::ApiError;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use stepwise_domain::baseline::BaselineMeasure;
use stepwise_domain::metrics::{MetricUnit, Period};

/// A value as the page shows it.
pub fn shown(value: Option<f64>, unit: MetricUnit) -> String {
    match (value, unit) {
        (None, _) => "not available".into(),
        (Some(v), MetricUnit::Percent) => format!("{v:.0} %"),
        (Some(v), MetricUnit::Days) => format!("{v:.1} days"),
        (Some(v), _) => format!("{v:.1}"),
    }
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
}

pub async fn metrics(
    State(state): State<AppState>,
    can: Can<op::ReadMetrics>,
    Query(q): Query<PeriodQuery>,
) -> Response {
    let today = can.ctx.today;
    // Without a period: the last 12 months to today.
    let q = if q.from.is_none() && q.to.is_none() {
        let from = today.replace_year(today.year() - 1).unwrap_or(today) + time::Duration::days(1);
        PeriodQuery {
            from: Some(from.to_string()),
            to: Some(today.to_string()),
        }
    } else {
        q
    };
    let chrome = Chrome::new(&can.auth, state.config.demo.is_some());
    let (from, to) = (
        q.from.clone().unwrap_or_default(),
        q.to.clone().unwrap_or_default(),
    );
    let period: Period = match q.parse() {
        Ok(p) => p,
        Err(v) => {
            let page = render(&MetricsPage {
                chrome,
                from,
                to,
                error: Some(v.to_string()),
                report: None,
                progress: None,
            });
            return (axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response();
        }
    };
    let r = match report(&state, &can.ctx, period).await {
        Ok(r) => r,
        Err(e) => return error_page(e),
    };
    let latest = match state.store.baselines(can.ctx.practice).await {
        Ok(b) => b.into_iter().next(),
        Err(e) => return error_page(ApiError::from(e)),
    };
    render(&MetricsPage {
        chrome,
        from,
        to,
        error: None,
        progress: latest.map(|b| progress(&b, &r, period)),
        report: Some(r),
    })
}
