//! Correcting a patient's demographics, contact details, payer, preferred language and care
//! team from the chart. The form carries the record's version: a form opened before someone
//! else's change is refused with what was typed kept, never saved over their change. The
//! previous version is kept in the record's history by the store.

use super::actions::{FieldView, Spec, blank, patient_fields, patient_input, refuse};
use super::forms::{Fields, get, see_other};
use crate::access::{OnPatient, op};
use crate::error::ApiError;
use crate::state::AppState;
use axum::Form;
use axum::extract::State;
use axum::response::Response;
use stepwise_store::model::Patient;

/// The form, filled in with the patient as stored.
async fn edit_spec(
    state: &AppState,
    on: &OnPatient<op::EditDemographics>,
    patient: &Patient,
) -> Result<Spec, ApiError> {
    let d = &patient.details;
    let a = &patient.assignments;
    let id = |v: Option<String>| v.unwrap_or_default();
    let stored = |name: &str| -> String {
        match name {
            "mrn" => d.mrn.to_string(),
            "given_name" => d.given_name.clone(),
            "family_name" => d.family_name.clone(),
            "birth_date" => d.birth_date.to_string(),
            "sex" => d.sex.code().to_owned(),
            "phone" => d.phone.clone().unwrap_or_default(),
            "email" => d.email.clone().unwrap_or_default(),
            "address" => d.address.clone().unwrap_or_default(),
            "preferred_language" => d.preferred_language.clone(),
            "payer_kind" => d
                .payer_kind
                .map(|k| k.code().to_owned())
                .unwrap_or_default(),
            "payer_name" => d.payer_name.clone().unwrap_or_default(),
            "site" => id(a.site.map(|s| s.to_string())),
            "treating_practitioner" => id(a.treating_practitioner.map(|u| u.to_string())),
            "care_manager" => id(a.care_manager.map(|u| u.to_string())),
            _ => String::new(),
        }
    };
    let fields: Vec<FieldView> = patient_fields(state, on.ctx.practice)
        .await?
        .into_iter()
        .map(|f| {
            let v = stored(&f.name);
            f.value(v)
        })
        .collect();
    Ok(Spec {
        title: format!("Edit {} {}'s details", d.given_name, d.family_name),
        intro: Some(
            "Correct demographics, contact details, payer, preferred language or the care team. \
             The previous version is kept in the record's history. Changing the treating \
             practitioner or care manager changes who sees the patient's clinical record."
                .into(),
        ),
        action: format!("/patients/{}/edit", on.id),
        hidden: vec![("version", patient.version.to_string())],
        fields,
        submit: "Save the changes",
        timer: false,
    })
}

pub async fn form(State(state): State<AppState>, on: OnPatient<op::EditDemographics>) -> Response {
    let spec: Result<Spec, ApiError> = async {
        let patient = state.store.patient(&on.ctx, on.id).await?;
        edit_spec(&state, &on, &patient).await
    }
    .await;
    match spec {
        Ok(spec) => blank(&state, &on.auth, on.id, spec),
        Err(e) => super::error_page(e),
    }
}

pub async fn submit(
    State(state): State<AppState>,
    on: OnPatient<op::EditDemographics>,
    Form(fields): Form<Fields>,
) -> Response {
    let patient = match state.store.patient(&on.ctx, on.id).await {
        Ok(p) => p,
        Err(e) => return super::error_page(e.into()),
    };
    let spec = match edit_spec(&state, &on, &patient).await {
        Ok(s) => s,
        Err(e) => return super::error_page(e),
    };
    let saved: Result<_, ApiError> = async {
        let version = get(&fields, "version").parse::<i64>().map_err(|_| {
            ApiError::invalid("version", "the form is out of date; open the patient again")
        })?;
        let new = patient_input(&fields).parse_new(on.ctx.today)?;
        Ok(state
            .store
            .update_patient(&on.ctx, on.id, version, new.details, new.assignments)
            .await?)
    }
    .await;
    match saved {
        Ok(_) => see_other(&format!("/patients/{}", on.id)),
        Err(e) => refuse(&state, &on.auth, on.id, spec, &fields, e),
    }
}
