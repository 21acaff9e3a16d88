//! Month close for the billing role (review, lock, adjust, export) and the billing settings
//! page for the practice administrator (fee table and rule settings).

use super::{Chrome, error_page, render};
use crate::access::{Can, op};
use crate::api::billing::parse_month;
use crate::error::ApiError;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use stepwise_domain::ValidationError;
use stepwise_domain::billing::close::{AdjustmentInput, LineInput};
use stepwise_domain::billing::settings::{DateOfService, InitialMonthRule, RuleOverrides};
use stepwise_domain::billing::{BillingCode, BillingSettings, CareSetting, RuleSettings};
use stepwise_domain::calendar::YearMonth;
use stepwise_domain::patient::PayerKind;
use stepwise_store::StoreError;
use stepwise_store::model::MonthReview;

/// `$1,234.56`.
pub fn dollars(cents: u64) -> String {
    let whole = (cents / 100).to_string();
    let mut grouped = String::new();
    for (i, ch) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    format!("${grouped}.{:02}", cents % 100)
}

pub struct RowView {
    pub patient_id: String,
    pub mrn: String,
    pub name: String,
    pub practitioner: String,
    pub program: String,
    pub minutes: u32,
    pub lines: String,
    pub holds: String,
    pub diagnoses: String,
    pub date_of_service: String,
    pub expected: String,
    pub explanation: String,
}

pub struct AdjustmentView {
    pub mrn: String,
    pub made: String,
    pub lines: String,
    pub diagnoses: String,
    pub date_of_service: String,
    pub expected: String,
    pub reason: String,
}

/// The adjustment form as typed, with its errors.
#[derive(Default, Deserialize)]
pub struct AdjustForm {
    #[serde(default)]
    pub patient: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub lines: String,
    #[serde(default)]
    pub diagnosis_codes: String,
    #[serde(default)]
    pub date_of_service: String,
}

#[derive(Template)]
#[template(path = "billing.html")]
pub struct MonthPage {
    chrome: Chrome,
    month: String,
    month_name: String,
    prev: String,
    next: Option<String>,
    locked: Option<String>,
    can_lock: bool,
    review_hash: String,
    rows: Vec<RowView>,
    held: usize,
    billable: usize,
    adjustments: Vec<AdjustmentView>,
    total: String,
    fee_schedule: String,
    practitioners: Vec<(String, String, String, String)>,
    message: Option<String>,
    form: AdjustForm,
    errors: BTreeMap<String, String>,
}

fn lines_text<'a>(lines: impl Iterator<Item = (&'a BillingCode, u32)>) -> String {
    let v: Vec<String> = lines
        .map(|(c, u)| {
            if u == 1 {
                c.code().to_owned()
            } else {
                format!("{} ×{u}", c.code())
            }
        })
        .collect();
    if v.is_empty() {
        "—".into()
    } else {
        v.join(" + ")
    }
}

fn page(
    auth_chrome: Chrome,
    review: &MonthReview,
    today: time::Date,
    message: Option<String>,
    form: AdjustForm,
    errors: BTreeMap<String, String>,
) -> MonthPage {
    let month = review.month;
    let rows: Vec<RowView> = review
        .patients
        .iter()
        .map(|p| RowView {
            patient_id: p.patient.to_string(),
            mrn: p.mrn.clone(),
            name: p.name.clone(),
            practitioner: match (&p.billing_practitioner_name, &p.npi) {
                (Some(n), Some(npi)) => format!("{n} (NPI {npi})"),
                (Some(n), None) => format!("{n} (no NPI on file)"),
                _ => "No treating practitioner".into(),
            },
            program: match &p.month_type {
                Some(t) => format!("{} · {t}", p.program.code()),
                None => p.program.code().to_owned(),
            },
            minutes: p.countable_minutes,
            lines: lines_text(p.lines.iter().map(|l| (&l.code, l.units))),
            holds: p
                .holds
                .iter()
                .map(|h| h.code.replace('_', " "))
                .collect::<Vec<_>>()
                .join(", "),
            diagnoses: p.diagnosis_codes.join(", "),
            date_of_service: p.date_of_service.map(|d| d.to_string()).unwrap_or_default(),
            expected: dollars(p.expected_cents),
            explanation: p.explanation.clone(),
        })
        .collect();
    MonthPage {
        chrome: auth_chrome,
        month: month.to_string(),
        month_name: month.long_name(),
        prev: month.prev().to_string(),
        next: (month.next().first_day() <= today).then(|| month.next().to_string()),
        locked: review.lock.as_ref().map(|l| {
            format!(
                "Locked on {} at {:02}:{:02} UTC",
                l.locked_at.date(),
                l.locked_at.hour(),
                l.locked_at.minute()
            )
        }),
        can_lock: review.lock.is_none() && month.last_day() < today,
        review_hash: review.review_hash.clone(),
        held: review
            .patients
            .iter()
            .filter(|p| !p.holds.is_empty())
            .count(),
        billable: review
            .patients
            .iter()
            .filter(|p| !p.lines.is_empty())
            .count(),
        rows,
        adjustments: review
            .adjustments
            .iter()
            .map(|a| AdjustmentView {
                mrn: a.mrn.clone(),
                made: a.created_at.date().to_string(),
                lines: lines_text(a.lines.iter().map(|l| (&l.code, l.units))),
                diagnoses: a.diagnosis_codes.join(", "),
                date_of_service: a.date_of_service.to_string(),
                expected: dollars(a.expected_cents),
                reason: a.reason.clone(),
            })
            .collect(),
        total: dollars(review.revenue.expected_cents),
        fee_schedule: review.revenue.fee_schedule.clone(),
        practitioners: review
            .revenue
            .practitioners
            .iter()
            .map(|p| {
                (
                    p.name
                        .clone()
                        .unwrap_or_else(|| "No treating practitioner".into()),
                    p.npi.clone().unwrap_or_default(),
                    p.claims.to_string(),
                    dollars(p.expected_cents),
                )
            })
            .collect(),
        message,
        form,
        errors,
    }
}

#[derive(Deserialize)]
pub struct MonthQuery {
    month: Option<String>,
}

async fn show(
    state: &AppState,
    can: &Can<op::CloseBillingMonth>,
    month: YearMonth,
    message: Option<String>,
    form: AdjustForm,
    errors: BTreeMap<String, String>,
) -> Response {
    let demo = state.config.demo.is_some();
    match state.store.billing_month(&can.ctx, month).await {
        Ok(review) => render(&page(
            Chrome::new(&can.auth, demo),
            &review,
            can.auth.today,
            message,
            form,
            errors,
        )),
        Err(e) => error_page(e.into()),
    }
}

/// The month-close page: `?month=YYYY-MM`, by default the month before this one.
pub async fn month(
    State(state): State<AppState>,
    can: Can<op::CloseBillingMonth>,
    Query(q): Query<MonthQuery>,
) -> Response {
    let month = match q.month.as_deref() {
        Some(m) => match parse_month(m) {
            Ok(m) => m,
            Err(e) => return error_page(e),
        },
        None => YearMonth::of(can.auth.today).prev(),
    };
    show(
        &state,
        &can,
        month,
        None,
        AdjustForm::default(),
        BTreeMap::new(),
    )
    .await
}

#[derive(Deserialize)]
pub struct LockForm {
    #[serde(default)]
    review_hash: String,
}

fn back_to(month: YearMonth) -> Response {
    Redirect::to(&format!("/billing?month={month}")).into_response()
}

pub async fn lock(
    State(state): State<AppState>,
    can: Can<op::CloseBillingMonth>,
    Path(month): Path<String>,
    Form(f): Form<LockForm>,
) -> Response {
    let month = match parse_month(&month) {
        Ok(m) => m,
        Err(e) => return error_page(e),
    };
    match state
        .store
        .lock_billing_month(&can.ctx, month, &f.review_hash)
        .await
    {
        Ok(_) => back_to(month),
        Err(StoreError::Conflict) => {
            let msg = "The month changed since this page was opened (a record or a setting): \
                       review it again below, then lock."
                .to_owned();
            show(
                &state,
                &can,
                month,
                Some(msg),
                AdjustForm::default(),
                BTreeMap::new(),
            )
            .await
        }
        Err(StoreError::Invalid(v)) => {
            show(
                &state,
                &can,
                month,
                Some(v.to_string()),
                AdjustForm::default(),
                BTreeMap::new(),
            )
            .await
        }
        Err(e) => error_page(e.into()),
    }
}

/// `99493, 99494x2` (or `×2`, `*2`) into lines; a token that is not a code with units is an
/// error of the `lines` field.
fn parse_lines(text: &str) -> Result<Vec<LineInput>, String> {
    text.split([',', ';', '+', '\n'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| {
            let (code, units) = match t.split_once(['x', 'X', '×', '*']) {
                Some((c, u)) => (c.trim(), u.trim()),
                None => (t, "1"),
            };
            let units: i64 = units
                .parse()
                .map_err(|_| format!("'{t}': write a code and units, e.g. 99494x2"))?;
            Ok(LineInput {
                code: code.to_owned(),
                units,
            })
        })
        .collect()
}

pub async fn adjust(
    State(state): State<AppState>,
    can: Can<op::CloseBillingMonth>,
    Path(month): Path<String>,
    Form(f): Form<AdjustForm>,
) -> Response {
    let month = match parse_month(&month) {
        Ok(m) => m,
        Err(e) => return error_page(e),
    };
    let mut errors = ValidationError::new();
    let patient = match uuid::Uuid::parse_str(f.patient.trim()) {
        Ok(p) => Some(p),
        Err(_) => {
            errors.push("patient", "choose the patient whose claim you adjust");
            None
        }
    };
    let lines = match parse_lines(&f.lines) {
        Ok(l) => l,
        Err(m) => {
            errors.push("lines", m);
            Vec::new()
        }
    };
    let input = AdjustmentInput {
        patient: patient.unwrap_or_default(),
        reason: f.reason.clone(),
        lines,
        diagnosis_codes: f
            .diagnosis_codes
            .split([',', ';', ' '])
            .filter(|s| !s.trim().is_empty())
            .map(str::to_owned)
            .collect(),
        date_of_service: Some(f.date_of_service.clone()),
    };
    let parsed = input.parse(month);
    if let Err(e) = &parsed {
        for fe in &e.errors {
            // lines[0].code → lines; diagnosis_codes[1] → diagnosis_codes
            let field = fe.field.split(['[', '.']).next().unwrap_or(&fe.field);
            errors.push(field, format!("{}: {}", fe.field, fe.message));
        }
    }
    let result = match (parsed, errors.is_empty(), patient) {
        (Ok(adj), true, Some(p)) => {
            state
                .store
                .adjust_billing_month(
                    &can.ctx,
                    month,
                    stepwise_domain::ids::PatientId::from_uuid(p),
                    &adj,
                )
                .await
        }
        _ => Err(StoreError::Invalid(errors)),
    };
    match result {
        Ok(_) => back_to(month),
        Err(StoreError::Invalid(v)) => {
            let mut by_field = BTreeMap::new();
            for e in v.errors {
                by_field
                    .entry(e.field)
                    .and_modify(|m: &mut String| {
                        m.push_str("; ");
                    })
                    .or_insert_with(String::new)
                    .push_str(&e.message);
            }
            let message = by_field.get("month").cloned().or(Some(
                "The adjustment was not saved: see the fields below.".into(),
            ));
            show(&state, &can, month, message, f, by_field).await
        }
        Err(e) => error_page(e.into()),
    }
}

// ---- Billing settings (practice administrator) ----

pub struct FieldView {
    pub name: String,
    pub label: String,
    pub help: String,
    /// `number`, `text`, `checkbox`, `select` or `textarea`.
    pub kind: &'static str,
    pub value: String,
    pub options: Vec<(String, bool)>,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "billing_settings.html")]
pub struct SettingsPage {
    chrome: Chrome,
    version: i64,
    saved: bool,
    general: Vec<FieldView>,
    rules: Vec<FieldView>,
    fees: Vec<FieldView>,
    message: Option<String>,
}

fn cents_text(c: u32) -> String {
    format!("{}.{:02}", c / 100, c % 100)
}

fn select(name: &str, label: &str, help: &str, value: &str, options: &[&str]) -> FieldView {
    FieldView {
        name: name.into(),
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

fn field(name: &str, label: &str, help: &str, kind: &'static str, value: String) -> FieldView {
    FieldView {
        name: name.into(),
        label: label.into(),
        help: help.into(),
        kind,
        value,
        options: Vec::new(),
        error: None,
    }
}

/// The form's fields, filled from `s` (or, after a failed save, from what was typed).
fn fields(
    s: &BillingSettings,
    typed: Option<&BTreeMap<String, String>>,
) -> (Vec<FieldView>, Vec<FieldView>, Vec<FieldView>) {
    let r = &s.rules.practice;
    let get = |name: &str, default: String| -> String {
        match typed {
            Some(t) => t.get(name).cloned().unwrap_or_default(),
            None => default,
        }
    };
    let check = |name: &str, v: bool| -> String {
        match typed {
            Some(t) => if t.contains_key(name) { "on" } else { "" }.into(),
            None => if v { "on" } else { "" }.into(),
        }
    };
    let settings: Vec<&str> = CareSetting::ALL.iter().map(|c| c.code()).collect();
    let payers = if s.rules.payers.is_empty() {
        String::new()
    } else {
        serde_json::to_string_pretty(&s.rules.payers).unwrap_or_default()
    };
    let general = vec![
        select(
            "setting",
            "Care setting",
            "Where the billing practitioners work: an RHC or FQHC bills dated codes (docs/billing.md, rule 7).",
            &get("setting", s.setting.code().into()),
            &settings,
        ),
        field(
            "payers",
            "Overrides per payer kind (JSON)",
            "e.g. {\"medicaid\": {\"max_99494_units\": 4}}; payer kinds: medicare, medicare_advantage, medicaid, commercial, self_pay, other. Empty: none.",
            "textarea",
            get("payers", payers),
        ),
    ];
    let initial: Vec<&str> = InitialMonthRule::ALL.iter().map(|c| c.code()).collect();
    let dos: Vec<&str> = DateOfService::ALL.iter().map(|c| c.code()).collect();
    let rules = vec![
        field(
            "g2214_floor_minutes",
            "G2214 floor (minutes)",
            "Default 16 [S6][S10]; [conflict] 30 [S7b].",
            "number",
            get("g2214_floor_minutes", r.g2214_floor_minutes.to_string()),
        ),
        field(
            "max_99494_units",
            "Most 99494 units a month",
            "Default 2 [S39]; NC Medicaid allows 4 [S5]. 0: no 99494.",
            "number",
            get("max_99494_units", r.max_99494_units.to_string()),
        ),
        field(
            "count_psychiatric_consultant_time",
            "Count the psychiatric consultant's own time",
            "Default no: CPT counts care-manager activities [S26].",
            "checkbox",
            check(
                "count_psychiatric_consultant_time",
                r.count_psychiatric_consultant_time,
            ),
        ),
        select(
            "initial_month",
            "Initial month",
            "Default first_activity_month (reference §3.4, [unverified]).",
            &get("initial_month", r.initial_month.code().into()),
            &initial,
        ),
        select(
            "date_of_service",
            "Date of service",
            "Default last_day_of_month (open item §10.1).",
            &get("date_of_service", r.date_of_service.code().into()),
            &dos,
        ),
        field(
            "floor_99484_minutes",
            "99484 floor (minutes)",
            "Default 20: \"at least 20 minutes\" [S9][S29].",
            "number",
            get("floor_99484_minutes", r.floor_99484_minutes.to_string()),
        ),
        field(
            "g0512_initial_floor_minutes",
            "G0512 floor in an initial month (minutes)",
            "Default 60 [S15]; [conflict] 70 [S3a][S7b].",
            "number",
            get(
                "g0512_initial_floor_minutes",
                r.g0512_initial_floor_minutes.to_string(),
            ),
        ),
        field(
            "rhc_fqhc_g0511_in_2025",
            "RHC/FQHC: G0511 rather than 99484 (Jan–Sep 2025)",
            "Default yes (§5 [S12][S13]).",
            "checkbox",
            check("rhc_fqhc_g0511_in_2025", r.rhc_fqhc_g0511_in_2025),
        ),
        field(
            "apcm_add_ons",
            "Bill the APCM behavioral-health add-ons",
            "Default yes [S16][S19].",
            "checkbox",
            check("apcm_add_ons", r.apcm_add_ons),
        ),
        field(
            "apcm_add_on_floor_minutes",
            "APCM add-on floor (minutes)",
            "Default 1 (no time requirement reported, [S18]).",
            "number",
            get(
                "apcm_add_on_floor_minutes",
                r.apcm_add_on_floor_minutes.to_string(),
            ),
        ),
    ];
    let mut fees = vec![
        field(
            "fees_year",
            "Fee table year",
            "The calendar year the amounts are for.",
            "number",
            get("fees_year", s.fees.year.to_string()),
        ),
        field(
            "fees_label",
            "Fee table name",
            "Shown with every expected-revenue figure.",
            "text",
            get("fees_label", s.fees.label.clone()),
        ),
    ];
    for code in BillingCode::ALL {
        let name = format!("fee_{}", code.code());
        let value = s
            .fees
            .amounts
            .get(code)
            .map(|c| cents_text(*c))
            .unwrap_or_default();
        fees.push(field(
            &name,
            code.code(),
            "Dollars per unit; empty: not priced.",
            "text",
            get(&name, value),
        ));
    }
    (general, rules, fees)
}

async fn settings_page(state: &AppState, can: &Can<op::Administer>, saved: bool) -> Response {
    match state.store.billing_settings(&can.ctx).await {
        Ok(r) => {
            let (general, rules, fees) = fields(&r.settings, None);
            render(&SettingsPage {
                chrome: Chrome::new(&can.auth, state.config.demo.is_some()),
                version: r.version,
                saved,
                general,
                rules,
                fees,
                message: None,
            })
        }
        Err(e) => error_page(e.into()),
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
    settings_page(&state, &can, q.saved.is_some()).await
}

/// Read the typed form into settings, with one error per field.
fn parse_form(form: &BTreeMap<String, String>) -> Result<BillingSettings, ValidationError> {
    let mut errors = ValidationError::new();
    let text = |n: &str| form.get(n).map(|s| s.trim().to_owned()).unwrap_or_default();
    let setting = CareSetting::parse(&text("setting")).map_err(|_| {
        ValidationError::field(
            "setting",
            format!("must be one of: {}", CareSetting::allowed()),
        )
    });
    let setting = errors.check(setting);
    // The practice's rules: each field on its own, so that each error names its field.
    let mut practice = Map::new();
    for name in [
        "g2214_floor_minutes",
        "max_99494_units",
        "floor_99484_minutes",
        "g0512_initial_floor_minutes",
        "apcm_add_on_floor_minutes",
    ] {
        match text(name).parse::<u32>() {
            Ok(n) => {
                practice.insert(name.into(), Value::from(n));
            }
            Err(_) => errors.push(name, "must be a whole number"),
        }
    }
    for name in ["initial_month", "date_of_service"] {
        practice.insert(name.into(), Value::from(text(name)));
    }
    for name in [
        "count_psychiatric_consultant_time",
        "rhc_fqhc_g0511_in_2025",
        "apcm_add_ons",
    ] {
        practice.insert(name.into(), Value::from(form.contains_key(name)));
    }
    let mut rules = RuleSettings::default();
    for (name, value) in &practice {
        let mut one = Map::new();
        one.insert(name.clone(), value.clone());
        match serde_json::from_value::<RuleSettings>(Value::Object(one)) {
            Ok(r) => rules = rules.with(&overrides_of(&r, name)),
            Err(e) => errors.push(name.clone(), clean_serde(&e.to_string())),
        }
    }
    let payers_text = text("payers");
    let payers: BTreeMap<PayerKind, RuleOverrides> = if payers_text.is_empty() {
        BTreeMap::new()
    } else {
        let de = &mut serde_json::Deserializer::from_str(&payers_text);
        match serde_path_to_error::deserialize(de) {
            Ok(p) => p,
            Err(e) => {
                let path = e.path().to_string();
                errors.push(
                    "payers",
                    format!("{path}: {}", clean_serde(&e.into_inner().to_string())),
                );
                BTreeMap::new()
            }
        }
    };
    let year = text("fees_year").parse::<u16>();
    if year.is_err() {
        errors.push("fees_year", "must be a year such as 2025");
    }
    let mut amounts = BTreeMap::new();
    for code in BillingCode::ALL {
        let name = format!("fee_{}", code.code());
        let raw = text(&name);
        if raw.is_empty() {
            continue;
        }
        match parse_dollars(&raw) {
            Some(c) => {
                amounts.insert(*code, c);
            }
            None => errors.push(name, "must be an amount in dollars such as 145.24"),
        }
    }
    let settings = BillingSettings {
        setting: setting.unwrap_or_default(),
        rules: stepwise_domain::billing::PracticeRules {
            practice: rules,
            payers,
        },
        fees: stepwise_domain::billing::FeeTable {
            year: year.unwrap_or(0),
            label: text("fees_label"),
            amounts,
        },
    };
    if let Err(v) = settings.validate() {
        for e in v.errors {
            let field = match e.field.as_str() {
                "fees.year" => "fees_year".to_owned(),
                "fees.label" => "fees_label".to_owned(),
                f => f
                    .strip_prefix("fees.amounts.")
                    .map_or(f.to_owned(), |c| format!("fee_{c}")),
            };
            if !errors.errors.iter().any(|x| x.field == field) {
                errors.push(field, e.message);
            }
        }
    }
    errors.into_result().map(|()| settings)
}

/// The overrides that set just `name` to its value in `r`.
fn overrides_of(r: &RuleSettings, name: &str) -> RuleOverrides {
    let mut json = serde_json::to_value(r).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut json {
        m.retain(|k, _| k == name);
    }
    serde_json::from_value(json).unwrap_or_default()
}

/// serde's message without its " at line 1 column 5" tail.
fn clean_serde(m: &str) -> String {
    match m.find(" at line ") {
        Some(i) => m[..i].to_owned(),
        None => m.to_owned(),
    }
}

/// `145.24`, `$145.24` or `145` in cents.
fn parse_dollars(raw: &str) -> Option<u32> {
    let s = raw.trim().trim_start_matches('$').replace(',', "");
    let (whole, frac) = match s.split_once('.') {
        Some((w, f)) => (w, f),
        None => (s.as_str(), ""),
    };
    if whole.is_empty() || frac.len() > 2 || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let cents = format!("{frac:0<2}");
    whole
        .parse::<u32>()
        .ok()?
        .checked_mul(100)?
        .checked_add(cents.parse::<u32>().unwrap_or(0))
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
            .update_billing_settings(&can.ctx, &s, version)
            .await
            .map(|_| ()),
        Err(v) => Err(StoreError::Invalid(v)),
    };
    let (errors, message) = match result {
        Ok(()) => return Redirect::to("/settings/billing?saved=1").into_response(),
        Err(StoreError::Invalid(v)) => (v, "Nothing was saved: correct the fields marked below."),
        Err(StoreError::Conflict) => (
            ValidationError::new(),
            "Someone else changed the billing settings since you opened this page: nothing was saved. Reload to see their version.",
        ),
        Err(e) => return error_page(ApiError::from(e)),
    };
    let current = match state.store.billing_settings(&can.ctx).await {
        Ok(r) => r,
        Err(e) => return error_page(e.into()),
    };
    let (mut general, mut rules, mut fees) = fields(&current.settings, Some(&form));
    for f in general
        .iter_mut()
        .chain(rules.iter_mut())
        .chain(fees.iter_mut())
    {
        if let Some(m) = super::forms::field_error(&errors, &f.name) {
            f.error = Some(m);
        }
    }
    let mut page = render(&SettingsPage {
        chrome: Chrome::new(&can.auth, state.config.demo.is_some()),
        version,
        saved: false,
        general,
        rules,
        fees,
        message: Some(message.to_owned()),
    });
    *page.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    page
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_and_lines_parse() {
        assert_eq!(dollars(12_345_678), "$123,456.78");
        assert_eq!(dollars(5), "$0.05");
        assert_eq!(parse_dollars("145.24"), Some(14_524));
        assert_eq!(parse_dollars("$1,145.2"), Some(114_520));
        assert_eq!(parse_dollars("12"), Some(1_200));
        assert_eq!(parse_dollars("1.234"), None);
        assert_eq!(parse_dollars("-3"), None);
        let l = parse_lines("99493, 99494x2").unwrap();
        assert_eq!((l[1].code.as_str(), l[1].units), ("99494", 2));
        assert!(parse_lines("99494 x two").is_err());
    }

    #[test]
    fn the_settings_form_round_trips_and_names_bad_fields() {
        let s = BillingSettings::default();
        let (general, rules, fees) = fields(&s, None);
        let mut form: BTreeMap<String, String> = BTreeMap::new();
        for f in general.iter().chain(&rules).chain(&fees) {
            if f.kind != "checkbox" || f.value == "on" {
                form.insert(f.name.clone(), f.value.clone());
            }
        }
        assert_eq!(parse_form(&form).unwrap(), s);
        form.insert("g2214_floor_minutes".into(), "0".into());
        form.insert("fee_99492".into(), "abc".into());
        form.insert("fees_year".into(), "1990".into());
        form.insert("payers".into(), r#"{"medigap": {}}"#.into());
        let e = parse_form(&form).unwrap_err();
        let fields: Vec<&str> = e.errors.iter().map(|e| e.field.as_str()).collect();
        for f in ["g2214_floor_minutes", "payers", "fee_99492", "fees_year"] {
            assert!(fields.contains(&f), "{fields:?}");
        }
    }
}
