//! The financial view page (billing role and practice administrator): revenue per month,
//! program and practitioner, payer mix, program cost, margin, break-even caseload and a
//! what-if recomputed on the server; printable, with a CSV export. And the financial settings
//! page (practice administrator): the team roster's cost and the payers' rates.

use super::billing::{FieldView, dollars};
use super::{Chrome, error_page, render};
use crate::access::{Can, op};
use crate::api::finance::{FinanceQuery, build};
use crate::error::ApiError;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use stepwise_domain::ValidationError;
use stepwise_domain::access::{Operation, acting_role};
use stepwise_domain::calendar::YearMonth;
use stepwise_domain::episode::Program;
use stepwise_domain::finance::{
    FinanceSettings, FinancialView, Pay, PayerRates, StaffRole, TeamMember, TeamRoster,
};
use stepwise_domain::ids::UserId;
use stepwise_domain::patient::PayerKind;
use stepwise_store::StoreError;

/// One row of a revenue table.
pub struct RevenueRow {
    pub label: String,
    pub patient_months: u32,
    pub billed_months: u32,
    pub held_months: u32,
    pub expected: String,
    pub held: String,
}

fn row(label: String, t: &stepwise_domain::finance::RevenueTotals) -> RevenueRow {
    RevenueRow {
        label,
        patient_months: t.patient_months,
        billed_months: t.billed_months,
        held_months: t.held_months,
        expected: dollars(t.expected_cents),
        held: dollars(t.held_cents),
    }
}

fn program_label(p: Program) -> &'static str {
    match p {
        Program::Cocm => "Collaborative Care (CoCM)",
        Program::GeneralBhi => "General BHI",
    }
}

/// A what-if field as typed, with its error.
pub struct WhatIfField {
    pub name: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub value: String,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "finance.html")]
struct FinancePage {
    chrome: Chrome,
    from: String,
    to: String,
    range_error: Option<String>,
    /// Query string of the current view, for the CSV link.
    query: String,
    program: String,
    fields: Vec<WhatIfField>,
    program_error: Option<String>,
    can_edit: bool,
    view: Option<ViewModel>,
}

struct ViewModel {
    fee_table: String,
    months: Vec<RevenueRow>,
    total: RevenueRow,
    programs: Vec<RevenueRow>,
    practitioners: Vec<RevenueRow>,
    payers: Vec<(String, u32, String, String, String)>,
    cost: Vec<(&'static str, String)>,
    care_manager_fte: String,
    average_revenue: String,
    margin: String,
    observed: Option<String>,
    what_if: Vec<(&'static str, String)>,
    what_if_codes: Vec<(&'static str, String)>,
    break_even: String,
}

fn codes_text(c: &stepwise_domain::finance::PatientMonthCodes) -> String {
    if c.lines.is_empty() {
        return format!("nothing billable ({})", dollars(0));
    }
    let lines: Vec<String> = c
        .lines
        .iter()
        .map(|l| {
            if l.units > 1 {
                format!("{} × {}", l.code.code(), l.units)
            } else {
                l.code.code().to_owned()
            }
        })
        .collect();
    format!("{} = {}", lines.join(" + "), dollars(c.cents))
}

fn model(v: &FinancialView, names: &HashMap<UserId, String>) -> ViewModel {
    let name = |u: Option<UserId>| match u {
        Some(id) => names.get(&id).cloned().unwrap_or_else(|| id.to_string()),
        None => "No billing practitioner recorded".to_owned(),
    };
    let pct = |p: Option<f64>| p.map_or("—".to_owned(), |v| format!("{v:.0} %"));
    let w = &v.what_if;
    let mut codes = Vec::new();
    if let Some(i) = &w.initial {
        codes.push(("Initial month, per patient", codes_text(i)));
    }
    codes.push((
        if w.initial.is_some() {
            "Subsequent month, per patient"
        } else {
            "Each month, per patient"
        },
        codes_text(&w.subsequent),
    ));
    ViewModel {
        fee_table: v.fee_table.clone(),
        months: v
            .months
            .iter()
            .map(|m| row(m.month.to_string(), &m.total))
            .collect(),
        total: row(format!("{} to {}", v.from, v.to), &v.total),
        programs: v
            .by_program
            .iter()
            .map(|(p, t)| row(program_label(*p).to_owned(), t))
            .collect(),
        practitioners: v
            .by_practitioner
            .iter()
            .map(|(u, t)| row(name(*u), t))
            .collect(),
        payers: v
            .payer_mix
            .iter()
            .map(|s| {
                (
                    s.payer
                        .map_or("Not recorded".to_owned(), |p| p.code().replace('_', " ")),
                    s.patients,
                    pct(s.patient_percent),
                    dollars(s.expected_cents),
                    pct(s.revenue_percent),
                )
            })
            .collect(),
        cost: vec![
            ("Care managers", dollars(v.cost.care_manager_cents)),
            ("Psychiatric consultant", dollars(v.cost.consultant_cents)),
            ("Other staff", dollars(v.cost.other_staff_cents)),
            ("Other costs", dollars(v.cost.other_cents)),
            ("Total per month", dollars(v.cost.total_cents)),
        ],
        care_manager_fte: format!("{:.2}", f64::from(v.cost.care_manager_fte_percent) / 100.0),
        average_revenue: dollars(v.average_monthly_revenue_cents),
        margin: signed_money(v.average_monthly_margin_cents),
        observed: v.observed.map(|o| {
            format!(
                "{} patients a month in {}, {} countable minutes each, payers at {} % of the fee table",
                o.caseload,
                program_label(o.program),
                o.minutes,
                o.rate_percent
            )
        }),
        what_if: vec![
            ("Expected revenue per month", dollars(w.monthly_revenue_cents)),
            ("Program cost per month", dollars(w.monthly_cost_cents)),
            ("Margin per month", signed_money(w.margin_cents)),
            (
                "Care-manager minutes needed per month",
                w.care_manager_minutes.to_string(),
            ),
        ],
        what_if_codes: codes,
        break_even: match w.break_even_caseload {
            Some(n) => format!("{n} patients"),
            None => "never: at these minutes a patient-month bills nothing".to_owned(),
        },
    }
}

/// `$1,234.56`, or `−$1,234.56` for a loss.
fn signed_money(cents: i64) -> String {
    let d = dollars(cents.unsigned_abs());
    if cents < 0 { format!("−{d}") } else { d }
}

fn what_if_fields(q: &FinanceQuery, v: Option<&FinancialView>) -> Vec<WhatIfField> {
    let value = |typed: &Option<String>, shown: Option<String>| -> String {
        match typed.as_deref().map(str::trim) {
            Some(t) if !t.is_empty() => t.to_owned(),
            _ => shown.unwrap_or_default(),
        }
    };
    let i = v.map(|v| v.what_if_input);
    vec![
        WhatIfField {
            name: "caseload",
            label: "Caseload (patients enrolled at any time)",
            hint: "0 to 5,000",
            value: value(&q.caseload, i.map(|i| i.caseload.to_string())),
            error: None,
        },
        WhatIfField {
            name: "minutes",
            label: "Countable minutes per patient per month",
            hint: "0 to 600",
            value: value(
                &q.minutes,
                i.map(|i| i.minutes_per_patient_month.to_string()),
            ),
            error: None,
        },
        WhatIfField {
            name: "episode_months",
            label: "Average months a CoCM patient stays",
            hint: "1 to 24; each month 1 in this many patients is in an initial month",
            value: value(&q.episode_months, i.map(|i| i.episode_months.to_string())),
            error: None,
        },
        WhatIfField {
            name: "rate_percent",
            label: "Payers' blended rate (% of the fee table)",
            hint: "0 to 300",
            value: value(&q.rate_percent, i.map(|i| i.rate_percent.to_string())),
            error: None,
        },
    ]
}

/// The query string of `q`, for links (numbers and months only: no patient data).
fn query_string(q: &FinanceQuery) -> String {
    let mut parts = Vec::new();
    for (k, v) in [
        ("from", &q.from),
        ("to", &q.to),
        ("program", &q.program),
        ("caseload", &q.caseload),
        ("minutes", &q.minutes),
        ("episode_months", &q.episode_months),
        ("rate_percent", &q.rate_percent),
    ] {
        if let Some(v) = v.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            let safe: String = v
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect();
            parts.push(format!("{k}={safe}"));
        }
    }
    parts.join("&")
}

pub async fn finance(
    State(state): State<AppState>,
    can: Can<op::ReadRevenue>,
    Query(mut q): Query<FinanceQuery>,
) -> Response {
    // Without a range: the six months to this one.
    if q.from.is_none() && q.to.is_none() {
        let to = YearMonth::of(can.ctx.today);
        let mut from = to;
        for _ in 0..5 {
            from = from.prev();
        }
        q.from = Some(from.to_string());
        q.to = Some(to.to_string());
    }
    let can_edit = acting_role(&can.auth.user.roles, Operation::Administer, None).is_some();
    let mut page = FinancePage {
        chrome: Chrome::new(&can.auth, state.config.demo.is_some()),
        from: q.from.clone().unwrap_or_default(),
        to: q.to.clone().unwrap_or_default(),
        range_error: None,
        query: query_string(&q),
        program: q.program.clone().unwrap_or_default(),
        fields: what_if_fields(&q, None),
        program_error: None,
        can_edit,
        view: None,
    };
    match build(&state, &can.ctx, &q).await {
        Ok(v) => {
            let names = match crate::api::finance::names(&state, &can.ctx).await {
                Ok(n) => n,
                Err(e) => return error_page(e),
            };
            page.fields = what_if_fields(&q, Some(&v));
            if page.program.is_empty() {
                page.program = v.what_if_input.program.code().to_owned();
            }
            page.view = Some(model(&v, &names));
            render(&page)
        }
        Err(ApiError::Invalid(errors)) => {
            for e in errors.errors {
                match e.field.as_str() {
                    "from" | "to" => {
                        let m = format!("{}: {}", e.field, e.message);
                        page.range_error = Some(match page.range_error.take() {
                            Some(prev) => format!("{prev}; {m}"),
                            None => m,
                        });
                    }
                    "program" => page.program_error = Some(e.message),
                    other => {
                        if let Some(f) = page.fields.iter_mut().find(|f| f.name == other) {
                            f.error = Some(e.message);
                        }
                    }
                }
            }
            (StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response()
        }
        Err(e) => error_page(e),
    }
}

// ---- Financial settings (practice administrator) ----

#[derive(Template)]
#[template(path = "finance_settings.html")]
struct SettingsPage {
    chrome: Chrome,
    version: i64,
    saved: bool,
    message: Option<String>,
    members: Vec<Vec<FieldView>>,
    other: Vec<FieldView>,
    rates: Vec<FieldView>,
}

fn text(name: String, label: &str, help: &str, value: String) -> FieldView {
    FieldView {
        name,
        label: label.into(),
        help: help.into(),
        kind: "text",
        value,
        options: Vec::new(),
        error: None,
    }
}

fn select(name: String, label: &str, help: &str, value: &str, options: &[&str]) -> FieldView {
    FieldView {
        name,
        label: label.into(),
        help: help.into(),
        kind: "select",
        value: value.into(),
        options: options
            .iter()
            .map(|o| ((*o).to_owned(), *o == value))
            .collect(),
        error: None,
    }
}

fn cents(c: u64) -> String {
    format!("{}.{:02}", c / 100, c % 100)
}

/// Blank rows offered after the roster's members, to add people.
const BLANK_ROWS: usize = 2;

const ROLES: [&str; 3] = ["care_manager", "psychiatric_consultant", "other"];
const BASES: [&str; 2] = ["salaried", "hourly"];

/// The form's fields, from the settings (or, after a refused save, from what was typed).
fn fields(
    s: &FinanceSettings,
    typed: Option<&BTreeMap<String, String>>,
) -> (Vec<Vec<FieldView>>, Vec<FieldView>, Vec<FieldView>) {
    let get = |name: &str, default: String| -> String {
        match typed {
            Some(t) => t.get(name).cloned().unwrap_or_default(),
            None => default,
        }
    };
    let rows = match typed {
        Some(t) => t
            .keys()
            .filter_map(|k| {
                k.strip_prefix('m')?
                    .split_once('_')?
                    .0
                    .parse::<usize>()
                    .ok()
            })
            .max()
            .map_or(0, |m| m + 1),
        None => s.roster.members.len() + BLANK_ROWS,
    };
    let members = (0..rows)
        .map(|i| {
            let m = s.roster.members.get(i);
            let (basis, salary, fte, benefits, rate, hours) = match m.map(|m| m.pay) {
                Some(Pay::Salaried {
                    annual_salary_cents,
                    fte_percent,
                    benefits_percent,
                }) => (
                    "salaried",
                    cents(annual_salary_cents),
                    fte_percent.to_string(),
                    benefits_percent.to_string(),
                    String::new(),
                    String::new(),
                ),
                Some(Pay::Hourly {
                    hourly_rate_cents,
                    hours_per_month,
                }) => (
                    "hourly",
                    String::new(),
                    String::new(),
                    String::new(),
                    cents(hourly_rate_cents),
                    hours_per_month.to_string(),
                ),
                None => (
                    "salaried",
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                ),
            };
            let n = |f: &str| format!("m{i}_{f}");
            vec![
                text(
                    n("name"),
                    "Name or post",
                    "Leave empty to remove the row",
                    get(&n("name"), m.map(|m| m.name.clone()).unwrap_or_default()),
                ),
                select(
                    n("role"),
                    "Role in the program",
                    "",
                    &get(
                        &n("role"),
                        m.map_or("care_manager", |m| m.role.code()).into(),
                    ),
                    &ROLES,
                ),
                select(
                    n("basis"),
                    "Paid",
                    "salaried: salary × time in the program; hourly: rate × hours",
                    &get(&n("basis"), basis.into()),
                    &BASES,
                ),
                text(
                    n("salary"),
                    "Annual salary at full time ($)",
                    "salaried",
                    get(&n("salary"), salary),
                ),
                text(
                    n("fte"),
                    "Time in the program (% of full time)",
                    "salaried, 1 to 100",
                    get(&n("fte"), fte),
                ),
                text(
                    n("benefits"),
                    "Benefits (% of salary)",
                    "salaried, 0 to 100",
                    get(&n("benefits"), benefits),
                ),
                text(
                    n("rate"),
                    "Hourly rate ($)",
                    "hourly",
                    get(&n("rate"), rate),
                ),
                text(
                    n("hours"),
                    "Hours per month",
                    "hourly, 1 to 744",
                    get(&n("hours"), hours),
                ),
            ]
        })
        .collect();
    let other = vec![text(
        "other_monthly".into(),
        "Other monthly costs ($)",
        "registry, space, supervision",
        get("other_monthly", cents(s.roster.other_monthly_cents)),
    )];
    let mut rates: Vec<FieldView> = PayerKind::ALL
        .iter()
        .map(|p| {
            text(
                format!("rate_{}", p.code()),
                &format!("{} (% of the fee table)", p.code().replace('_', " ")),
                "0 to 300; 100 pays the fee table",
                get(
                    &format!("rate_{}", p.code()),
                    s.rates.percent_for(Some(*p)).to_string(),
                ),
            )
        })
        .collect();
    rates.push(text(
        "rate_unknown".into(),
        "Payer not recorded (% of the fee table)",
        "0 to 300",
        get("rate_unknown", s.rates.unknown_percent.to_string()),
    ));
    (members, other, rates)
}

/// `145.24`, `$145.24`, `70,000` or `145` in cents.
fn parse_money(raw: &str) -> Option<u64> {
    let s = raw.trim().trim_start_matches('$').replace(',', "");
    let (whole, frac) = s.split_once('.').unwrap_or((s.as_str(), ""));
    if whole.is_empty()
        || frac.len() > 2
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    whole
        .parse::<u64>()
        .ok()?
        .checked_mul(100)?
        .checked_add(format!("{frac:0<2}").parse::<u64>().unwrap_or(0))
}

/// Read the typed form into settings, with errors named by the form's fields.
fn parse_form(form: &BTreeMap<String, String>) -> Result<FinanceSettings, ValidationError> {
    let mut e = ValidationError::new();
    let t = |n: &str| form.get(n).map(|s| s.trim().to_owned()).unwrap_or_default();
    let money = |e: &mut ValidationError, n: &str| -> Option<u64> {
        let v = t(n);
        match parse_money(&v) {
            Some(c) => Some(c),
            None => {
                e.push(n, "an amount in dollars, e.g. 70000 or 185.50");
                None
            }
        }
    };
    let whole = |e: &mut ValidationError, n: &str| -> Option<u16> {
        match t(n).parse::<u16>() {
            Ok(v) => Some(v),
            Err(_) => {
                e.push(n, "a whole number");
                None
            }
        }
    };
    let rows = form
        .keys()
        .filter_map(|k| {
            k.strip_prefix('m')?
                .split_once('_')?
                .0
                .parse::<usize>()
                .ok()
        })
        .max()
        .map_or(0, |m| m + 1);
    let mut members = Vec::new();
    let mut row_of = Vec::new();
    for i in 0..rows.min(stepwise_domain::finance::settings::MAX_MEMBERS + BLANK_ROWS) {
        let n = |f: &str| format!("m{i}_{f}");
        let amounts = ["salary", "fte", "benefits", "rate", "hours"];
        if t(&n("name")).is_empty() && amounts.iter().all(|a| t(&n(a)).is_empty()) {
            continue;
        }
        let role = match StaffRole::parse(&t(&n("role"))) {
            Ok(r) => Some(r),
            Err(_) => {
                e.push(n("role"), format!("one of {}", StaffRole::allowed()));
                None
            }
        };
        let pay = match t(&n("basis")).as_str() {
            "salaried" => {
                let salary = money(&mut e, &n("salary"));
                let fte = whole(&mut e, &n("fte"));
                let benefits = if t(&n("benefits")).is_empty() {
                    Some(0)
                } else {
                    whole(&mut e, &n("benefits"))
                };
                match (salary, fte, benefits) {
                    (Some(s), Some(f), Some(b)) => Some(Pay::Salaried {
                        annual_salary_cents: s,
                        fte_percent: f,
                        benefits_percent: b,
                    }),
                    _ => None,
                }
            }
            "hourly" => {
                let rate = money(&mut e, &n("rate"));
                let hours = whole(&mut e, &n("hours"));
                match (rate, hours) {
                    (Some(r), Some(h)) => Some(Pay::Hourly {
                        hourly_rate_cents: r,
                        hours_per_month: h,
                    }),
                    _ => None,
                }
            }
            _ => {
                e.push(n("basis"), "salaried or hourly");
                None
            }
        };
        if let (Some(role), Some(pay)) = (role, pay) {
            members.push(TeamMember {
                name: t(&n("name")),
                role,
                pay,
            });
            row_of.push(i);
        }
    }
    let other = if t("other_monthly").is_empty() {
        Some(0)
    } else {
        money(&mut e, "other_monthly")
    };
    let mut rates = PayerRates::default();
    for p in PayerKind::ALL {
        let n = format!("rate_{}", p.code());
        if let Some(v) = whole(&mut e, &n) {
            rates.percent.insert(*p, v);
        }
    }
    if let Some(v) = whole(&mut e, "rate_unknown") {
        rates.unknown_percent = v;
    }
    let settings = FinanceSettings {
        roster: TeamRoster {
            members,
            other_monthly_cents: other.unwrap_or(0),
        },
        rates,
    };
    // The domain's checks, named by the form's fields.
    if let Err(v) = settings.validate() {
        for f in v.errors {
            e.push(form_field(&f.field, &row_of), f.message);
        }
    }
    e.into_result()?;
    Ok(settings)
}

/// The form field of a domain field name (`roster.members[0].fte_percent` → `m3_fte`).
fn form_field(field: &str, row_of: &[usize]) -> String {
    if let Some(rest) = field.strip_prefix("roster.members[")
        && let Some((i, name)) = rest.split_once("].")
    {
        let row = i.parse::<usize>().ok().and_then(|i| row_of.get(i)).copied();
        let short = match name {
            "annual_salary_cents" => "salary",
            "fte_percent" => "fte",
            "benefits_percent" => "benefits",
            "hourly_rate_cents" => "rate",
            "hours_per_month" => "hours",
            other => other,
        };
        if let Some(r) = row {
            return format!("m{r}_{short}");
        }
    }
    match field {
        "roster.other_monthly_cents" => "other_monthly".into(),
        "rates.unknown_percent" => "rate_unknown".into(),
        f => match f.strip_prefix("rates.percent.") {
            Some(p) => format!("rate_{p}"),
            None => f.into(),
        },
    }
}

#[derive(Deserialize)]
pub struct SavedQuery {
    saved: Option<String>,
}

pub async fn settings(
    State(state): State<AppState>,
    can: Can<op::Administer>,
    Query(q): Query<SavedQuery>,
) -> Response {
    match state.store.finance_settings(can.ctx.practice).await {
        Ok(s) => {
            let (members, other, rates) = fields(&s.settings, None);
            render(&SettingsPage {
                chrome: Chrome::new(&can.auth, state.config.demo.is_some()),
                version: s.version,
                saved: q.saved.is_some(),
                message: None,
                members,
                other,
                rates,
            })
        }
        Err(e) => error_page(e.into()),
    }
}

pub async fn save_settings(
    State(state): State<AppState>,
    can: Can<op::Administer>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let form: BTreeMap<String, String> = form.into_iter().collect();
    let version = form
        .get("version")
        .and_then(|v| v.trim().parse::<i64>().ok())
        .unwrap_or(-1);
    let result = match parse_form(&form) {
        Ok(s) => state
            .store
            .save_finance_settings(&can.ctx, version, &s)
            .await
            .map(|_| ()),
        Err(v) => Err(StoreError::Invalid(v)),
    };
    let (errors, message) = match result {
        Ok(()) => return Redirect::to("/settings/finance?saved=1").into_response(),
        Err(StoreError::Invalid(v)) => (v, "Nothing was saved: correct the fields marked below."),
        Err(StoreError::Conflict) => (
            ValidationError::new(),
            "Someone else changed the financial settings since you opened this page: nothing was saved. Reload to see their version.",
        ),
        Err(e) => return error_page(ApiError::from(e)),
    };
    let current = match state.store.finance_settings(can.ctx.practice).await {
        Ok(s) => s,
        Err(e) => return error_page(e.into()),
    };
    let (mut members, mut other, mut rates) = fields(&current.settings, Some(&form));
    for f in members
        .iter_mut()
        .flatten()
        .chain(other.iter_mut())
        .chain(rates.iter_mut())
    {
        if let Some(m) = super::forms::field_error(&errors, &f.name) {
            f.error = Some(m);
        }
    }
    let mut page = render(&SettingsPage {
        chrome: Chrome::new(&can.auth, state.config.demo.is_some()),
        version,
        saved: false,
        message: Some(message.to_owned()),
        members,
        other,
        rates,
    });
    *page.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    page
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn rates() -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = PayerKind::ALL
            .iter()
            .map(|p| (format!("rate_{}", p.code()), "100".to_owned()))
            .collect();
        v.push(("rate_unknown".into(), "100".into()));
        v
    }

    #[test]
    fn the_roster_form_reads_rows_and_names_bad_fields_by_row() {
        let mut f = form(&[
            ("m0_name", "Care manager"),
            ("m0_role", "care_manager"),
            ("m0_basis", "salaried"),
            ("m0_salary", "$70,000"),
            ("m0_fte", "100"),
            ("m0_benefits", "25"),
            // A blank row between is skipped.
            ("m1_name", ""),
            ("m1_role", "care_manager"),
            ("m1_basis", "salaried"),
            ("m2_name", "Dr Psych"),
            ("m2_role", "psychiatric_consultant"),
            ("m2_basis", "hourly"),
            ("m2_rate", "200"),
            ("m2_hours", "16"),
            ("other_monthly", "500"),
        ]);
        f.extend(rates());
        let s = parse_form(&f).unwrap();
        assert_eq!(s.roster.members.len(), 2);
        assert_eq!(
            stepwise_domain::finance::program_cost(&s.roster).total_cents,
            729_167 + 320_000 + 50_000
        );
        // Errors land on the row typed, after the skipped blank row.
        f.insert("m2_hours".into(), "0".into());
        f.insert("m0_fte".into(), "abc".into());
        f.insert("rate_medicaid".into(), "400".into());
        let fields: Vec<String> = parse_form(&f)
            .unwrap_err()
            .errors
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["m0_fte", "m2_hours", "rate_medicaid"]);
        assert_eq!(parse_money("185.5"), Some(18_550));
        assert_eq!(signed_money(-339_431), "−$3,394.31");
        assert_eq!(signed_money(5), "$0.05");
        assert_eq!(parse_money("1.234"), None);
    }
}
