//! Screening entry at rooming: one instrument's items as a keyboard-first form (type each
//! answer's number, Tab to the next), scored on submission with the score and any safety alert
//! shown at once.

use super::forms::{FormErrors, refused};
use super::{Chrome, render};
use crate::access::{OnPatient, op};
use crate::error::ApiError;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use stepwise_domain::assessment::{AdministrationMode, AssessmentInput};
use stepwise_domain::instruments::InstrumentId;
use stepwise_domain::instruments::catalogue::{InstrumentView, catalogue};
use stepwise_domain::instruments::wording::Wording;
use stepwise_domain::instruments::{Safety, ScoringContext};
use stepwise_domain::sensitivity::{RecordLabel, may_be_part2};
use stepwise_store::model::{Assessment, Patient};

#[derive(Deserialize)]
pub struct Which {
    instrument: Option<String>,
}

/// One item as the form shows it.
pub struct ItemField {
    pub name: String,
    pub form_number: String,
    pub text: String,
    pub safety: bool,
    /// "0 Not at all · 1 Several days · …"
    pub options: Vec<(u8, String)>,
    pub value: String,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "screening.html")]
struct ScreeningPage {
    chrome: Chrome,
    patient_id: String,
    patient_name: String,
    instruments: Vec<(&'static str, &'static str)>,
    code: &'static str,
    name: String,
    licence: String,
    administered_on: String,
    mode: String,
    modes: Vec<(&'static str, &'static str)>,
    /// A substance-use screening, which may be kept under 42 CFR Part 2.
    part2_possible: bool,
    label: String,
    items: Vec<ItemField>,
    errors: FormErrors,
    summary: Vec<String>,
}

#[derive(Template)]
#[template(path = "screening_result.html")]
struct ResultPage {
    chrome: Chrome,
    patient_id: String,
    patient_name: String,
    code: &'static str,
    name: String,
    result: String,
    band: Option<String>,
    positive: Option<bool>,
    alert: Option<String>,
    notes: Vec<String>,
}

fn mode_label(m: AdministrationMode) -> &'static str {
    match m {
        AdministrationMode::Clinic => "In clinic",
        AdministrationMode::Phone => "By phone",
        AdministrationMode::SelfReport => "Self-report",
    }
}

async fn view_of(
    state: &AppState,
    on: &OnPatient<op::RecordAssessment>,
    id: InstrumentId,
) -> Result<InstrumentView, ApiError> {
    let wordings: Vec<Wording> = state
        .store
        .instrument_wordings(on.ctx.practice)
        .await?
        .into_iter()
        .map(|(_, w)| w)
        .collect();
    catalogue(&wordings)
        .into_iter()
        .find(|v| v.code == id)
        .ok_or(ApiError::NotFound)
}

fn parse_instrument(raw: Option<&str>) -> InstrumentId {
    raw.and_then(|c| InstrumentId::parse(c.trim()).ok())
        .unwrap_or(InstrumentId::Phq9)
}

struct Entered<'a> {
    administered_on: String,
    mode: String,
    label: String,
    values: &'a [(String, String)],
}

#[allow(clippy::too_many_arguments)]
fn page(
    on: &OnPatient<op::RecordAssessment>,
    demo: bool,
    patient: &Patient,
    view: &InstrumentView,
    entered: Entered<'_>,
    errors: FormErrors,
) -> ScreeningPage {
    let value_of = |name: &str| {
        entered
            .values
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let items: Vec<ItemField> = view
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let name = format!("item_{}", item.number);
            ItemField {
                error: errors.get(&format!("answers[{i}]")).map(str::to_owned),
                value: value_of(&name),
                name,
                form_number: item.form_number.clone(),
                text: item.text.clone(),
                safety: item.safety_item,
                options: item
                    .options
                    .iter()
                    .map(|o| (o.position, o.label.clone()))
                    .collect(),
            }
        })
        .collect();
    let mut shown: Vec<String> = (0..items.len()).map(|i| format!("answers[{i}]")).collect();
    shown.push("administered_on".into());
    shown.push("mode".into());
    let shown: Vec<&str> = shown.iter().map(String::as_str).collect();
    let mut summary = errors.general.clone();
    summary.extend(errors.unplaced(&shown));
    ScreeningPage {
        chrome: Chrome::new(&on.auth, demo),
        patient_id: patient.id.to_string(),
        patient_name: format!(
            "{}, {}",
            patient.details.family_name, patient.details.given_name
        ),
        instruments: InstrumentId::ALL
            .iter()
            .map(|i| (i.code(), i.name()))
            .collect(),
        code: view.code.code(),
        name: view.full_name.clone(),
        licence: view.licence.clone(),
        administered_on: entered.administered_on,
        mode: entered.mode,
        modes: [
            AdministrationMode::Clinic,
            AdministrationMode::Phone,
            AdministrationMode::SelfReport,
        ]
        .into_iter()
        .map(|m| (m.code(), mode_label(m)))
        .collect(),
        part2_possible: may_be_part2(view.code),
        label: entered.label,
        items,
        summary,
        errors,
    }
}

/// The entry form for one instrument (PHQ-9 unless `?instrument=` names another).
pub async fn form(
    State(state): State<AppState>,
    on: OnPatient<op::RecordAssessment>,
    Query(which): Query<Which>,
) -> Response {
    let id = parse_instrument(which.instrument.as_deref());
    let demo = state.config.demo.is_some();
    let patient = match state.store.patient(&on.ctx, on.id).await {
        Ok(p) => p,
        Err(e) => return super::error_page(e.into()),
    };
    let view = match view_of(&state, &on, id).await {
        Ok(v) => v,
        Err(e) => return super::error_page(e),
    };
    render(&page(
        &on,
        demo,
        &patient,
        &view,
        Entered {
            administered_on: on.ctx.today.to_string(),
            mode: AdministrationMode::Clinic.code().to_owned(),
            label: RecordLabel::General.code().to_owned(),
            values: &[],
        },
        FormErrors::default(),
    ))
}

/// Score and record the response; show the result, or the form again with each error beside
/// its item and every answer as typed.
pub async fn submit(
    State(state): State<AppState>,
    on: OnPatient<op::RecordAssessment>,
    Form(fields): Form<super::forms::Fields>,
) -> Response {
    let get = |k: &str| super::forms::get(&fields, k);
    let id = parse_instrument(Some(&get("instrument")));
    let demo = state.config.demo.is_some();
    let patient = match state.store.patient(&on.ctx, on.id).await {
        Ok(p) => p,
        Err(e) => return super::error_page(e.into()),
    };
    let view = match view_of(&state, &on, id).await {
        Ok(v) => v,
        Err(e) => return super::error_page(e),
    };
    // Each answer as typed: blank or "-" is unanswered; anything else must be a number.
    let mut errors = FormErrors::default();
    let mut answers = Vec::with_capacity(view.items.len());
    let mut bad = Vec::new();
    for (i, item) in view.items.iter().enumerate() {
        let raw = get(&format!("item_{}", item.number));
        if raw.is_empty() || raw == "-" {
            answers.push(None);
        } else {
            match raw.parse::<i64>() {
                Ok(v) => answers.push(Some(v)),
                Err(_) => {
                    bad.push(i);
                    answers.push(None);
                }
            }
        }
    }
    let label = get("label");
    let input = AssessmentInput {
        label: (!label.is_empty()).then(|| label.clone()),
        instrument: id.code().to_owned(),
        administered_on: get("administered_on"),
        mode: get("mode"),
        answers,
        loinc_answers: None,
    };
    let entered = Entered {
        administered_on: input.administered_on.clone(),
        mode: input.mode.clone(),
        label,
        values: &fields,
    };
    if !bad.is_empty() {
        for i in bad {
            let item = &view.items[i];
            let max = item.options.iter().map(|o| o.position).max().unwrap_or(0);
            errors.push(
                &format!("answers[{i}]"),
                format!("Type the answer's number, 0 to {max}, or leave it blank"),
            );
        }
        return refused(render(&page(&on, demo, &patient, &view, entered, errors)));
    }
    let scoring = ScoringContext {
        sex: Some(patient.details.sex),
        settings: on.auth.practice.settings.scoring,
    };
    let recorded: Result<Assessment, ApiError> = async {
        let response = input.parse_with(on.ctx.today, &scoring)?;
        Ok(state
            .store
            .add_assessment(&on.ctx, on.id, None, on.auth.user.id, &response)
            .await?)
    }
    .await;
    match recorded {
        Ok(a) => render(&result_page(&on, demo, &patient, &view, &a)),
        Err(e) => match FormErrors::from_api(e) {
            Ok(errors) => refused(render(&page(&on, demo, &patient, &view, entered, errors))),
            Err(e) => super::error_page(e),
        },
    }
}

fn result_page(
    on: &OnPatient<op::RecordAssessment>,
    demo: bool,
    patient: &Patient,
    view: &InstrumentView,
    a: &Assessment,
) -> ResultPage {
    let s = &a.score;
    let result = match (s.total, s.risk_level) {
        (_, Some(level)) => format!("Risk level: {}", level.label()),
        (Some(t), None) => format!("Total {t} of {}", a.instrument.max_total()),
        (None, None) => {
            let mut r = format!(
                "Incomplete: {} of {} scored items answered, partial sum {} (not a score)",
                s.answered, s.scored_items, s.partial_sum
            );
            if let Some(e) = s.estimate {
                r.push_str(&format!("; prorated estimate {e}, never used for outcomes"));
            }
            r
        }
    };
    let alert = match s.safety {
        Safety::Clear => None,
        Safety::Alert => Some(format!(
            "Safety alert: item {} answered positive. The care team has been alerted and a \
             task created; follow your practice's crisis protocol now (for example a C-SSRS, a \
             safety plan, or 988).",
            s.alert_items
                .iter()
                .map(u8::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        )),
        Safety::Unknown => Some(
            "The safety question was not answered, so the patient's safety is unknown. Ask it \
             now; an alert and a task have been raised until it is answered."
                .to_owned(),
        ),
    };
    ResultPage {
        chrome: Chrome::new(&on.auth, demo),
        patient_id: patient.id.to_string(),
        patient_name: format!(
            "{}, {}",
            patient.details.family_name, patient.details.given_name
        ),
        code: view.code.code(),
        name: view.full_name.clone(),
        result,
        band: s.band.clone(),
        positive: s.positive,
        alert,
        notes: s.notes.clone(),
    }
}
