//! Choosing the model in the browser: the practice's profile the recommendation reads (size,
//! payer mix, population), the recommendation with its reasons and the alternatives, and the
//! choice of model and specialty preset with the registry defaults each choice sets.

use super::actions::FieldView;
use super::forms::{Fields, FormErrors, get, see_other};
use super::plan_edit::{self, checked, lay_over, options};
use super::{Chrome, render};
use crate::access::{Can, op};
use crate::error::ApiError;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::Response;
use stepwise_domain::error::ValidationError;
use stepwise_domain::planner::caseload::{CareScope, PopulationType};
use stepwise_domain::planner::{
    CareModel, CaseloadProfile, PayerMix, PracticePlan, RegistryDefaults, Specialty, Weekday,
    registry_defaults,
};

const BACK: &str = "/plan/model";

pub fn specialty_label(s: Specialty) -> &'static str {
    match s {
        Specialty::PrimaryCare => "Primary care (adults)",
        Specialty::ObPerinatal => "OB / perinatal care (EPDS screening)",
        Specialty::PediatricsAdolescent => "Pediatrics / adolescents (PHQ-A screening)",
    }
}

fn population_label(p: PopulationType) -> &'static str {
    match p {
        PopulationType::Commercial => "Mostly commercially insured",
        PopulationType::Vulnerable => "Vulnerable or complex (safety net, Medicaid, uninsured)",
    }
}

fn scope_label(s: CareScope) -> &'static str {
    match s {
        CareScope::BehavioralOnly => "Care managers handle behavioral health only",
        CareScope::BehavioralAndMedical => "Care managers also handle medical conditions",
    }
}

pub(super) fn weekday_label(d: Weekday) -> &'static str {
    match d {
        Weekday::Monday => "Monday",
        Weekday::Tuesday => "Tuesday",
        Weekday::Wednesday => "Wednesday",
        Weekday::Thursday => "Thursday",
        Weekday::Friday => "Friday",
    }
}

/// What a model choice sets in the registry, in words.
pub struct DefaultsView {
    pub model: &'static str,
    pub programs: String,
    pub screening: String,
    pub measure: String,
    pub follow_up: String,
    pub case_review: String,
    pub sources: Vec<String>,
}

pub fn defaults_view(model: CareModel, d: &RegistryDefaults) -> DefaultsView {
    DefaultsView {
        model: model.label(),
        programs: d
            .programs
            .iter()
            .map(|p| p.label())
            .collect::<Vec<_>>()
            .join(", "),
        screening: d
            .screening
            .steps
            .iter()
            .map(|s| match s.then_if_positive {
                Some(then) => format!(
                    "{}, then {} if positive",
                    s.instrument.label(),
                    then.label()
                ),
                None => s.instrument.label().to_owned(),
            })
            .collect::<Vec<_>>()
            .join("; "),
        measure: d
            .screening
            .measure
            .iter()
            .map(|i| i.label())
            .collect::<Vec<_>>()
            .join(", "),
        follow_up: format!("every {} weeks", d.follow_up_weeks),
        case_review: d
            .case_review_weekday
            .map_or("none (no psychiatric consultant in this model)", |w| {
                weekday_label(w)
            })
            .to_owned(),
        sources: d.sources.clone(),
    }
}

pub struct AlternativeView {
    pub model: &'static str,
    pub available_now: bool,
    pub needs: Vec<String>,
}

#[derive(Template)]
#[template(path = "plan_model.html")]
struct ModelPage {
    chrome: Chrome,
    version: i64,
    summary: Vec<String>,
    recommended: &'static str,
    reasons: Vec<String>,
    alternatives: Vec<AlternativeView>,
    chosen: Option<(String, DefaultsView)>,
    presets: Vec<DefaultsView>,
    specialty: &'static str,
    profile_fields: Vec<FieldView>,
    model_fields: Vec<FieldView>,
}

fn number(v: impl ToString) -> String {
    v.to_string()
}

fn profile_fields(plan: &PracticePlan) -> Vec<FieldView> {
    let p = &plan.profile;
    let m = &p.payer_mix;
    vec![
        FieldView::new("practitioners", "Treating practitioners", "number")
            .value(number(p.practitioners))
            .hint("Physicians, NPs and PAs who see patients."),
        FieldView::new("patients", "Adult patients seen in a year", "number")
            .value(number(p.patients)),
        FieldView::new("medicare_pct", "Medicare, % of patients", "number")
            .value(number(m.medicare_pct)),
        FieldView::new("medicaid_pct", "Medicaid, % of patients", "number")
            .value(number(m.medicaid_pct)),
        FieldView::new(
            "commercial_pct",
            "Commercial insurance, % of patients",
            "number",
        )
        .value(number(m.commercial_pct)),
        FieldView::new("uninsured_pct", "Uninsured, % of patients", "number")
            .value(number(m.uninsured_pct))
            .hint("The four shares may add up to less than 100 %: the rest is other payers."),
        FieldView::new(
            "medicaid_pays_cocm",
            "Our state's Medicaid pays the care-management codes",
            "checkbox",
        )
        .value(if m.medicaid_pays_cocm { "yes" } else { "" }),
        FieldView::select(
            "population",
            "Patient population",
            options(PopulationType::ALL, PopulationType::code, population_label),
        )
        .value(p.caseload.population.code())
        .hint("Sets the caseload a full-time care manager can carry (AIMS guidance)."),
        FieldView::select(
            "scope",
            "Care managers' scope",
            options(CareScope::ALL, CareScope::code, scope_label),
        )
        .value(p.caseload.scope.code()),
    ]
}

fn model_fields(plan: &PracticePlan) -> Vec<FieldView> {
    let recommended = plan.recommendation().model;
    vec![
        FieldView::select(
            "model",
            "Model",
            options(CareModel::ALL, CareModel::code, CareModel::label),
        )
        .value(plan.chosen_model().unwrap_or(recommended).code()),
        FieldView::select(
            "specialty",
            "Specialty preset",
            options(Specialty::ALL, Specialty::code, specialty_label),
        )
        .value(plan.profile.specialty.code())
        .hint("Sets the screening protocol: OB / perinatal practices screen with the EPDS."),
    ]
}

/// Which form a submission came from, with what was typed and its errors.
enum Submitted<'a> {
    Profile(&'a Fields, &'a FormErrors),
    Model(&'a Fields, &'a FormErrors),
}

fn page(
    state: &AppState,
    can: &Can<op::EditPlan>,
    stored: &stepwise_store::model::StoredPlan,
    submitted: Option<Submitted<'_>>,
) -> Response {
    let plan = &stored.plan;
    let r = plan.recommendation();
    let mut profile = profile_fields(plan);
    let mut model = model_fields(plan);
    let none = FormErrors::default();
    let summary = match submitted {
        Some(Submitted::Profile(f, e)) => {
            lay_over(&mut model, None, &none);
            lay_over(&mut profile, Some(f), e)
        }
        Some(Submitted::Model(f, e)) => {
            lay_over(&mut profile, None, &none);
            lay_over(&mut model, Some(f), e)
        }
        None => Vec::new(),
    };
    render(&ModelPage {
        chrome: Chrome::new(&can.auth, state.config.demo.is_some()),
        version: stored.version,
        summary,
        recommended: r.model.label(),
        reasons: r.reasons.clone(),
        alternatives: r
            .alternatives
            .iter()
            .map(|a| AlternativeView {
                model: a.model.label(),
                available_now: a.available_now,
                needs: a.needs.clone(),
            })
            .collect(),
        chosen: plan.model.as_ref().map(|c| {
            (
                format!("{}, chosen {}", c.model.label(), c.chosen_on),
                defaults_view(c.model, &c.registry),
            )
        }),
        presets: CareModel::ALL
            .iter()
            .map(|m| defaults_view(*m, &registry_defaults(*m, plan.profile.specialty)))
            .collect(),
        specialty: specialty_label(plan.profile.specialty),
        profile_fields: profile,
        model_fields: model,
    })
}

pub async fn model_page(State(state): State<AppState>, can: Can<op::EditPlan>) -> Response {
    match plan_edit::latest(&state, &can).await {
        Ok(stored) => page(&state, &can, &stored, None),
        Err(e) => super::error_page(e),
    }
}

/// A whole number from 0 to `max`.
fn count(errors: &mut ValidationError, fields: &Fields, name: &str, max: u32) -> Option<u32> {
    let raw = get(fields, name);
    match raw.parse::<u32>() {
        Ok(n) if n <= max => Some(n),
        _ => {
            errors.push(name, format!("enter a whole number from 0 to {max}"));
            None
        }
    }
}

fn parse_profile(fields: &Fields) -> Result<(u32, u32, PayerMix, CaseloadProfile), ApiError> {
    let mut errors = ValidationError::new();
    let practitioners = count(&mut errors, fields, "practitioners", 10_000);
    let patients = count(&mut errors, fields, "patients", 10_000_000);
    let pct =
        |errors: &mut ValidationError, name| count(errors, fields, name, 100).map(|n| n as u8);
    let medicare = pct(&mut errors, "medicare_pct");
    let medicaid = pct(&mut errors, "medicaid_pct");
    let commercial = pct(&mut errors, "commercial_pct");
    let uninsured = pct(&mut errors, "uninsured_pct");
    let population = PopulationType::parse(&get(fields, "population"))
        .map_err(|_| errors.push("population", "choose the patient population"))
        .ok();
    let scope = CareScope::parse(&get(fields, "scope"))
        .map_err(|_| errors.push("scope", "choose the care managers' scope"))
        .ok();
    let value = match (
        practitioners,
        patients,
        medicare,
        medicaid,
        commercial,
        uninsured,
        population,
        scope,
    ) {
        (Some(pr), Some(pa), Some(a), Some(b), Some(c), Some(d), Some(population), Some(scope)) => {
            let mix = PayerMix {
                medicare_pct: a,
                medicaid_pct: b,
                commercial_pct: c,
                uninsured_pct: d,
                medicaid_pays_cocm: get(fields, "medicaid_pays_cocm") == "yes",
            };
            if let Err(e) = mix.validate() {
                // The shares' sum belongs to no one field: shown beside the last of them.
                for f in e.errors {
                    errors.push("uninsured_pct", f.message);
                }
            }
            Some((pr, pa, mix, CaseloadProfile { population, scope }))
        }
        _ => None,
    };
    checked(errors, value)
}

pub async fn save_profile(
    State(state): State<AppState>,
    can: Can<op::EditPlan>,
    Form(fields): Form<Fields>,
) -> Response {
    let result = async {
        let (practitioners, patients, payer_mix, caseload) = parse_profile(&fields)?;
        let version = plan_edit::version(&fields)?;
        let mut plan = plan_edit::latest(&state, &can).await?.plan;
        plan.profile.practitioners = practitioners;
        plan.profile.patients = patients;
        plan.profile.payer_mix = payer_mix;
        plan.profile.caseload = caseload;
        plan_edit::save(&state, &can, version, &plan).await
    }
    .await;
    answer(&state, &can, &fields, result, true).await
}

fn parse_choice(fields: &Fields) -> Result<(CareModel, Specialty), ApiError> {
    let mut errors = ValidationError::new();
    let model = CareModel::parse(&get(fields, "model"))
        .map_err(|_| errors.push("model", format!("choose one of: {}", CareModel::allowed())))
        .ok();
    let specialty = Specialty::parse(&get(fields, "specialty"))
        .map_err(|_| {
            errors.push(
                "specialty",
                format!("choose one of: {}", Specialty::allowed()),
            )
        })
        .ok();
    checked(errors, model.zip(specialty))
}

pub async fn save_model(
    State(state): State<AppState>,
    can: Can<op::EditPlan>,
    Form(fields): Form<Fields>,
) -> Response {
    let result = async {
        let (model, specialty) = parse_choice(&fields)?;
        let version = plan_edit::version(&fields)?;
        let mut plan = plan_edit::latest(&state, &can).await?.plan;
        plan.profile.specialty = specialty;
        plan.choose_model(model, can.ctx.today);
        plan_edit::save(&state, &can, version, &plan).await
    }
    .await;
    answer(&state, &can, &fields, result, false).await
}

async fn answer(
    state: &AppState,
    can: &Can<op::EditPlan>,
    fields: &Fields,
    result: Result<stepwise_store::model::StoredPlan, ApiError>,
    profile: bool,
) -> Response {
    let error = match result {
        Ok(_) => return see_other(BACK),
        Err(e) => e,
    };
    // Shown again at the latest version: after a conflict, submitting again applies the entry
    // to the plan as it now is.
    let stored = match plan_edit::latest(state, can).await {
        Ok(s) => s,
        Err(e) => return super::error_page(e),
    };
    plan_edit::refusal(error, |errors| {
        let submitted = if profile {
            Submitted::Profile(fields, errors)
        } else {
            Submitted::Model(fields, errors)
        };
        page(state, can, &stored, Some(submitted))
    })
}
