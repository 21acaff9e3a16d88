//! A patient's billing facts in the browser: what the claims depend on beyond the care itself.
//! The care team records the initiating visits and each episode's diagnosis codes; the biller
//! records the months in which the practitioner billed an APCM base code (and removes one
//! entered by mistake, with a reason). Codes and dates only: no clinical narrative.

use super::forms::{Fields, FormErrors, get, see_other};
use super::{Chrome, render};
use crate::access::{EpisodeKey, Key, OnPatient, OnRecord, Op, op};
use crate::api::billing::parse_month;
use crate::error::ApiError;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use stepwise_domain::ValidationError;
use stepwise_domain::access::{Operation, Relation, acting_role};
use stepwise_domain::billing::PractitionerKind;
use stepwise_domain::billing::close::{InitiatingVisitKind, parse_diagnoses};
use stepwise_domain::ids::{PatientId, UserId};
use stepwise_domain::patient::parse_date;
use stepwise_domain::role::Role;
use stepwise_store::model::{BillingFacts, Ctx};

/// Plain words for a visit kind.
pub fn visit_label(k: &InitiatingVisitKind) -> &'static str {
    match k {
        InitiatingVisitKind::AnnualWellnessVisit => "Annual wellness visit (AWV)",
        InitiatingVisitKind::Ippe => "Initial preventive physical exam (IPPE)",
        InitiatingVisitKind::TransitionalCare => "Transitional care management (TCM)",
        InitiatingVisitKind::EvaluationAndManagement => "Other qualifying E/M visit",
    }
}

/// Plain words for how a practitioner bills.
pub fn kind_label(k: PractitionerKind) -> &'static str {
    match k {
        PractitionerKind::TreatingPractitioner => {
            "Physician or non-physician practitioner (CoCM 99492–99494, general BHI 99484)"
        }
        PractitionerKind::BehavioralHealthClinician => {
            "Behavioral health clinician (general BHI as G0323; no CoCM, no APCM)"
        }
    }
}

#[derive(Template)]
#[template(path = "billing_facts.html")]
struct FactsPage {
    chrome: Chrome,
    patient: PatientId,
    name: String,
    facts: BillingFacts,
    kind: String,
    /// The care team may record visits and diagnoses; the biller only reads them.
    can_clinical: bool,
    practitioners: Vec<(String, String)>,
    /// The patient's treating practitioner, proposed in the forms.
    default_practitioner: String,
    visit_kinds: Vec<(String, String)>,
    /// Which form was refused (`visit`, `dx-<episode>`, `apcm`, `remove`), its errors and
    /// what was typed in it.
    refused: String,
    errors: FormErrors,
    typed: Fields,
    today: String,
}

impl FactsPage {
    /// The error of `field` in form `form`, if that form was the one refused.
    fn err(&self, form: &str, field: &str) -> Option<&str> {
        (self.refused == form)
            .then(|| self.errors.get(field))
            .flatten()
    }

    /// What was typed in `field` of the refused form, else `default`.
    fn val(&self, form: &str, field: &str, default: &str) -> String {
        if self.refused == form {
            get(&self.typed, field)
        } else {
            default.to_owned()
        }
    }
}

/// Who the page is for, whatever route brought them here.
struct Viewer<'a> {
    auth: &'a crate::access::Authenticated,
    ctx: &'a Ctx,
    patient: PatientId,
}

impl<'a> Viewer<'a> {
    fn of<K: Key, O: Op>(on: &'a OnRecord<K, O>) -> Self {
        Viewer {
            auth: &on.auth,
            ctx: &on.ctx,
            patient: on.patient,
        }
    }
}

async fn page(
    state: &AppState,
    v: Viewer<'_>,
    refused: &str,
    errors: FormErrors,
    typed: Fields,
) -> Response {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let built: Result<FactsPage, ApiError> = async {
        let patient = state.store.patient(v.ctx, v.patient).await?;
        let facts = state.store.billing_facts(v.ctx, v.patient).await?;
        let rel = match state
            .store
            .relationship(v.ctx.practice, v.auth.user.id, v.patient)
            .await?
        {
            Some(r) => r.relation(),
            None => Relation::default(),
        };
        let can_clinical =
            acting_role(&v.auth.user.roles, Operation::ManageEpisode, Some(rel)).is_some();
        let mut practitioners = vec![(String::new(), "— choose —".to_owned())];
        practitioners.extend(
            state
                .store
                .users(v.ctx.practice)
                .await?
                .into_iter()
                .filter(|u| !u.disabled && u.roles.contains(&Role::TreatingPractitioner))
                .map(|u| (u.id.to_string(), u.display_name)),
        );
        Ok(FactsPage {
            chrome: Chrome::new(v.auth, state.config.demo.is_some()),
            patient: v.patient,
            name: format!(
                "{}, {} ({})",
                patient.details.family_name, patient.details.given_name, patient.details.mrn
            ),
            kind: match facts.billing_kind {
                Some(k) => kind_label(k).to_owned(),
                None => "No treating practitioner assigned: nothing can be billed.".to_owned(),
            },
            default_practitioner: facts
                .treating_practitioner
                .map(|u| u.to_string())
                .unwrap_or_default(),
            facts,
            can_clinical,
            practitioners,
            visit_kinds: InitiatingVisitKind::ALL
                .iter()
                .map(|k| (k.code().to_owned(), visit_label(k).to_owned()))
                .collect(),
            refused: refused.to_owned(),
            errors,
            typed,
            today: v.ctx.today.to_string(),
        })
    }
    .await;
    match built {
        Ok(p) => (status, render(&p)).into_response(),
        Err(e) => super::error_page(e),
    }
}

fn facts_path(patient: PatientId) -> String {
    format!("/patients/{patient}/billing-facts")
}

pub async fn show(
    State(state): State<AppState>,
    on: OnPatient<op::ManageBillingFacts>,
) -> Response {
    let v = Viewer::of(&on);
    page(&state, v, "", FormErrors::default(), Vec::new()).await
}

/// Saved: back to the page; refused where the user can fix it: the page again with the
/// errors beside the fields of `form` and what was typed.
async fn answer(
    state: &AppState,
    v: Viewer<'_>,
    form: &str,
    fields: Fields,
    saved: Result<(), ApiError>,
) -> Response {
    match saved {
        Ok(()) => see_other(&facts_path(v.patient)),
        Err(e) => match FormErrors::from_api(e) {
            Ok(errors) => page(state, v, form, errors, fields).await,
            Err(e) => super::error_page(e),
        },
    }
}

fn practitioner_field(errors: &mut ValidationError, raw: &str) -> Option<UserId> {
    match raw.parse::<uuid::Uuid>() {
        Ok(u) => Some(UserId::from_uuid(u)),
        Err(_) => {
            errors.push("practitioner", "Choose the practitioner from the list");
            None
        }
    }
}

pub async fn record_visit(
    State(state): State<AppState>,
    on: OnPatient<op::ManageEpisode>,
    Form(fields): Form<Fields>,
) -> Response {
    let saved: Result<(), ApiError> = async {
        let mut errors = ValidationError::new();
        let visit_on = errors.check(parse_date("visit_on", &get(&fields, "visit_on")));
        let kind = InitiatingVisitKind::parse(&get(&fields, "kind"))
            .map_err(|_| errors.push("kind", "Choose the kind of visit"))
            .ok();
        let practitioner = practitioner_field(&mut errors, &get(&fields, "practitioner"));
        let (Some(visit_on), Some(kind), Some(practitioner)) = (visit_on, kind, practitioner)
        else {
            return Err(ApiError::Invalid(errors));
        };
        state
            .store
            .record_initiating_visit(&on.ctx, on.id, practitioner, visit_on, kind)
            .await?;
        Ok(())
    }
    .await;
    let v = Viewer::of(&on);
    answer(&state, v, "visit", fields, saved).await
}

pub async fn set_diagnoses(
    State(state): State<AppState>,
    on: OnRecord<EpisodeKey, op::ManageEpisode>,
    Form(fields): Form<Fields>,
) -> Response {
    // Codes separated by commas, semicolons or spaces, as they are usually typed.
    let typed = get(&fields, "diagnosis_codes");
    let raw: Vec<String> = typed
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect();
    let saved: Result<(), ApiError> = async {
        let mut errors = ValidationError::new();
        let codes = parse_diagnoses(&mut errors, "diagnosis_codes", &raw);
        // One field on the page: each code's error there, naming the code.
        let mut shown = ValidationError::new();
        for f in &errors.errors {
            let code = f
                .field
                .strip_prefix("diagnosis_codes[")
                .and_then(|r| r.strip_suffix(']'))
                .and_then(|n| n.parse::<usize>().ok())
                .and_then(|n| raw.get(n));
            match code {
                Some(c) => shown.push("diagnosis_codes", format!("{c}: {}", f.message)),
                None => shown.push("diagnosis_codes", f.message.clone()),
            }
        }
        shown.into_result()?;
        state
            .store
            .set_episode_diagnoses(&on.ctx, on.id, &codes)
            .await?;
        Ok(())
    }
    .await;
    let v = Viewer::of(&on);
    answer(&state, v, &format!("dx-{}", on.id), fields, saved).await
}

pub async fn record_apcm(
    State(state): State<AppState>,
    on: OnPatient<op::ManageBillingFacts>,
    Form(fields): Form<Fields>,
) -> Response {
    let saved: Result<(), ApiError> = async {
        let mut errors = ValidationError::new();
        let month = parse_month(&get(&fields, "month"))
            .map_err(|_| errors.push("month", "Enter the month as YYYY-MM"))
            .ok();
        let practitioner = practitioner_field(&mut errors, &get(&fields, "practitioner"));
        let (Some(month), Some(practitioner)) = (month, practitioner) else {
            return Err(ApiError::Invalid(errors));
        };
        state
            .store
            .record_apcm_month(&on.ctx, on.id, practitioner, month)
            .await?;
        Ok(())
    }
    .await;
    let v = Viewer::of(&on);
    answer(&state, v, "apcm", fields, saved).await
}

pub async fn remove_apcm(
    State(state): State<AppState>,
    on: OnPatient<op::ManageBillingFacts>,
    Form(fields): Form<Fields>,
) -> Response {
    let id = get(&fields, "id");
    let form = format!("remove-{id}");
    let saved: Result<(), ApiError> = async {
        let id = id.parse::<uuid::Uuid>().map_err(|_| ApiError::NotFound)?;
        state
            .store
            .remove_apcm_month(&on.ctx, on.id, id, &get(&fields, "reason"))
            .await?;
        Ok(())
    }
    .await;
    let v = Viewer::of(&on);
    answer(&state, v, &form, fields, saved).await
}
