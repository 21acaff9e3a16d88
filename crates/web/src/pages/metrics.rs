//! The metrics of success for a period, each with its definition beside it, per site, care
//! manager and practitioner, and the comparison with the latest baseline. The practice's
//! measures of success come first; the administrator chooses them here.

use super::forms::{Fields, get, see_other};
use super::progress::ProgressChart;
use super::{Chrome, error_page, render};
use crate::access::{Authenticated, Can, op};
use crate::api::metrics::take_from_registry;
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
use std::collections::HashMap;
use stepwise_domain::access::{Operation, acting_role};
use stepwise_domain::baseline::{BaselineMeasure, compare, periods};
use stepwise_domain::baseline::{ManualBaselineInput, ManualValueInput};
use stepwise_domain::calendar::YearMonth;
use stepwise_domain::metrics::measures::{MAX_MEASURES, RECOMMENDED_MIN};
use stepwise_domain::metrics::{
    CATALOGUE, MeasuresOfSuccess, MetricCode, MetricResult, MetricUnit, MetricsFilter, Period,
    compute_all,
};

/// Quarters shown in the progress charts: two years.
const MAX_QUARTERS: usize = 8;
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
    charts: Vec<ProgressChart>,
    chosen: Vec<MetricCode>,
    can_choose: bool,
    choices: Vec<MeasureChoice>,
    measures_version: i64,
    measures_error: Option<String>,
    /// A baseline form was refused: the page shows it as typed with its errors.
    baseline_refused: bool,
    registry_fields: Vec<InputView>,
    manual_fields: Vec<InputView>,
    manual_rows: Vec<ManualRow>,
    values_error: Option<String>,
    /// `baseline` after a baseline was recorded, anything else after the measures were saved.
    saved: Option<String>,
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

/// A baseline form's input as typed, with its error.
pub struct InputView {
    pub name: String,
    pub label: String,
    pub value: String,
    pub error: Option<String>,
}

/// One metric's row of the hand-entered baseline: numerator, denominator and median days
/// (only the cells that apply to the metric), and "not measured".
pub struct ManualRow {
    pub name: &'static str,
    pub cells: Vec<Option<InputView>>,
    pub not_measured: InputView,
}

/// The baseline forms as typed, with their errors by field name.
#[derive(Default)]
pub struct BaselineForms {
    values: HashMap<String, String>,
    errors: HashMap<String, String>,
}

impl BaselineForms {
    fn input(&self, name: &str, label: &str) -> InputView {
        InputView {
            name: name.to_owned(),
            label: label.to_owned(),
            value: self.values.get(name).cloned().unwrap_or_default(),
            error: self.errors.get(name).cloned(),
        }
    }

    fn typed(form: &Fields) -> Self {
        BaselineForms {
            values: form
                .iter()
                .map(|(k, v)| (k.clone(), v.trim().to_owned()))
                .collect(),
            errors: HashMap::new(),
        }
    }

    fn push(&mut self, field: String, message: String) {
        self.errors
            .entry(field)
            .and_modify(|m| {
                m.push_str("; ");
                m.push_str(&message);
            })
            .or_insert(message);
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
    baseline: Option<BaselineForms>,
) -> Response {
    let today = ctx.today;
    let saved = q.saved.clone();
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
        charts: Vec::new(),
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
        baseline_refused: baseline.is_some(),
        registry_fields: Vec::new(),
        manual_fields: Vec::new(),
        manual_rows: Vec::new(),
        values_error: None,
        saved,
        max_measures: MAX_MEASURES,
        recommended_min: RECOMMENDED_MIN,
    };
    let forms = baseline.unwrap_or_default();
    page.registry_fields = [
        ("baseline_from", "First day (YYYY-MM-DD)"),
        ("baseline_to", "Last day (YYYY-MM-DD), not after today"),
    ]
    .iter()
    .map(|(n, l)| forms.input(n, l))
    .collect();
    page.manual_fields = [
        ("taken_on", "Taken on (YYYY-MM-DD)"),
        ("period_from", "Measured from (YYYY-MM-DD)"),
        ("period_to", "Measured to (YYYY-MM-DD)"),
        (
            "method",
            "How the values were obtained (which report, who pulled it)",
        ),
        ("sample_size", "Charts audited (for a chart audit)"),
        ("caveats", "Caveats"),
    ]
    .iter()
    .map(|(n, l)| forms.input(n, l))
    .collect();
    page.manual_rows = CATALOGUE
        .iter()
        .map(|d| {
            let c = d.code.code();
            let days = d.unit == MetricUnit::Days;
            let cell = |prefix: &str, what: &str, shown: bool| {
                shown.then(|| forms.input(&format!("{prefix}_{c}"), &format!("{}: {what}", d.name)))
            };
            ManualRow {
                name: d.name,
                cells: vec![
                    cell("num", "numerator", !days),
                    cell("den", "denominator", !days),
                    cell("val", "median days", days),
                ],
                not_measured: forms.input(&format!("nm_{c}"), &format!("{}: not measured", d.name)),
            }
        })
        .collect();
    page.values_error = forms.errors.get("values").cloned();
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
    // Progress by quarter since the baseline's period (§5.4 item 7), at most two years.
    if let Some(b) = &latest {
        let mut quarters = periods(
            YearMonth::of(b.baseline.period.to()).next(),
            YearMonth::of(today),
            3,
        );
        if quarters.len() > MAX_QUARTERS {
            quarters = quarters.split_off(quarters.len() - MAX_QUARTERS);
        }
        if !quarters.is_empty() {
            let input = match state.store.metrics_input(ctx, today).await {
                Ok(i) => i,
                Err(e) => return error_page(ApiError::from(e)),
            };
            let results: Vec<MetricResult> = quarters
                .iter()
                .flat_map(|p| compute_all(&input, *p, &MetricsFilter::default()))
                .collect();
            page.charts = m
                .first(compare(&b.baseline, &results), |s| s.code)
                .iter()
                .filter_map(super::progress::chart)
                .collect();
        }
    }
    page.progress = latest.map(|b| {
        let mut p = progress(&b, &r, period);
        p.series = m.first(std::mem::take(&mut p.series), |s| s.code);
        p
    });
    page.report = Some(r);
    let status = if page.measures_error.is_some() || page.baseline_refused {
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
    page(&state, &can.auth, &can.ctx, q, None, None).await
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
        None,
    )
    .await
}

/// Take a baseline from the registry over the period typed (the administrator): the measures
/// of success when chosen, else every metric.
pub async fn baseline_from_registry(
    State(state): State<AppState>,
    can: Can<op::ManageBaseline>,
    Form(form): Form<Fields>,
) -> Response {
    let chosen = match state.store.measures_of_success(can.ctx.practice).await {
        Ok(m) => m.measures.chosen,
        Err(e) => return error_page(ApiError::from(e)),
    };
    let (from, to) = (get(&form, "baseline_from"), get(&form, "baseline_to"));
    match take_from_registry(&state, &can.ctx, from, to, &chosen).await {
        Ok(_) => see_other("/metrics?saved=baseline"),
        Err(ApiError::Invalid(v)) => {
            let mut b = BaselineForms::typed(&form);
            for e in v.errors {
                let field = if e.field.contains("from") {
                    "baseline_from"
                } else {
                    "baseline_to"
                };
                b.push(field.to_owned(), e.message);
            }
            page(
                &state,
                &can.auth,
                &can.ctx,
                MetricsQuery::default(),
                None,
                Some(b),
            )
            .await
        }
        Err(e) => error_page(e),
    }
}

/// The form field of a hand-entered baseline's domain field (`values[2].numerator` →
/// `num_<code of row 2>`).
fn manual_field(field: &str, codes: &[&str]) -> String {
    if let Some(rest) = field.strip_prefix("values[")
        && let Some((i, name)) = rest.split_once("].")
        && let Some(code) = i.parse::<usize>().ok().and_then(|i| codes.get(i))
    {
        let prefix = match name {
            "denominator" => "den",
            "not_measured" => "nm",
            "value" => "val",
            _ => "num",
        };
        return format!("{prefix}_{code}");
    }
    match field {
        "period.from" => "period_from".into(),
        "period.to" => "period_to".into(),
        other => other.into(),
    }
}

/// Enter a baseline by hand (an EHR report or a chart audit, before Stepwise): the rows with
/// anything typed; every error beside its field, nothing stored.
pub async fn baseline_manual(
    State(state): State<AppState>,
    can: Can<op::ManageBaseline>,
    Form(form): Form<Fields>,
) -> Response {
    let mut b = BaselineForms::typed(&form);
    let text = |k: &str| Some(get(&form, k)).filter(|v| !v.is_empty());
    let mut input = ManualBaselineInput {
        taken_on: get(&form, "taken_on"),
        period_from: get(&form, "period_from"),
        period_to: get(&form, "period_to"),
        method: text("method"),
        sample_size: None,
        caveats: text("caveats"),
        values: Vec::new(),
    };
    if let Some(n) = text("sample_size") {
        match n.parse::<u32>() {
            Ok(n) => input.sample_size = Some(n),
            Err(_) => b.push("sample_size".into(), "a whole number of charts".into()),
        }
    }
    let mut codes = Vec::new();
    for d in CATALOGUE {
        let c = d.code.code();
        let (num, den, val) = (
            get(&form, &format!("num_{c}")),
            get(&form, &format!("den_{c}")),
            get(&form, &format!("val_{c}")),
        );
        let not_measured = get(&form, &format!("nm_{c}")) == "yes";
        if num.is_empty() && den.is_empty() && val.is_empty() && !not_measured {
            continue;
        }
        let mut whole = |prefix: &str, raw: &str| -> Option<i64> {
            if raw.is_empty() {
                return None;
            }
            raw.parse::<i64>().ok().or_else(|| {
                b.push(format!("{prefix}_{c}"), "a whole number".into());
                None
            })
        };
        let numerator = whole("num", &num);
        let denominator = whole("den", &den);
        let value = if val.is_empty() {
            None
        } else {
            val.parse::<f64>().ok().or_else(|| {
                b.push(format!("val_{c}"), "a number of days, e.g. 12.5".into());
                None
            })
        };
        input.values.push(ManualValueInput {
            code: c.to_owned(),
            not_measured,
            numerator,
            denominator,
            value,
        });
        codes.push(c);
    }
    if b.errors.is_empty() {
        let stored = match input.parse(can.ctx.today) {
            Ok(baseline) => state
                .store
                .create_baseline(&can.ctx, &baseline)
                .await
                .map(|_| ())
                .map_err(ApiError::from),
            Err(v) => Err(ApiError::Invalid(v)),
        };
        match stored {
            Ok(()) => return see_other("/metrics?saved=baseline"),
            Err(ApiError::Invalid(v)) => {
                for e in v.errors {
                    b.push(manual_field(&e.field, &codes), e.message);
                }
            }
            Err(e) => return error_page(e),
        }
    }
    page(
        &state,
        &can.auth,
        &can.ctx,
        MetricsQuery::default(),
        None,
        Some(b),
    )
    .await
}
