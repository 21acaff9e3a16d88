//! The patient's 42 CFR Part 2 consent: recording it (the elements 2.31 requires) and revoking
//! it, effective at once. It decides whether the psychiatric consultant sees the patient's
//! substance-use records (domain::sensitivity).

use super::actions::{FieldView, Spec, blank, refuse};
use super::forms::{Fields, get, see_other};
use crate::access::{OnPatient, OnRecord, Part2ConsentKey, op};
use crate::error::ApiError;
use crate::state::AppState;
use axum::Form;
use axum::extract::State;
use axum::response::Response;
use stepwise_domain::sensitivity::{Part2ConsentInput, Part2ConsentMethod};

fn record_spec(on: &OnPatient<op::ManageEpisode>) -> Spec {
    Spec {
        title: "Record the patient's Part 2 consent".into(),
        intro: Some(
            "The patient's written consent to disclose their substance-use records (42 CFR \
             Part 2) to those it names, usually the psychiatric consultant of the care team. \
             While it is in force, the consultant sees the records labelled Part 2; without it, \
             only the patient's practitioner, care manager and each record's author do. Every \
             element below is required by 42 CFR 2.31. The patient may revoke it at any time, \
             and a revocation takes effect as soon as it is recorded."
                .into(),
        ),
        action: format!("/patients/{}/part2-consent", on.id),
        hidden: vec![],
        fields: vec![
            FieldView::new("given_on", "Signed on", "date").value(on.ctx.today.to_string()),
            FieldView::select(
                "method",
                "Signed",
                Part2ConsentMethod::ALL
                    .iter()
                    .map(|m| {
                        (
                            m.code().to_owned(),
                            match m {
                                Part2ConsentMethod::Written => "On paper".to_owned(),
                                Part2ConsentMethod::Electronic => "Electronically".to_owned(),
                            },
                        )
                    })
                    .collect(),
            ),
            FieldView::new("recipients", "Who may receive the records", "text")
                .value("The psychiatric consultant of my care team"),
            FieldView::new("information", "What may be disclosed", "text")
                .value("My substance-use screening results and substance-use treatment contacts"),
            FieldView::new("purpose", "Purpose", "text")
                .value("Treatment: the consultant's advice to my care team"),
            FieldView::new("expires_on", "Expires on", "date")
                .hint("The last day the consent covers."),
        ],
        submit: "Record the consent",
        timer: false,
    }
}

pub async fn form(State(state): State<AppState>, on: OnPatient<op::ManageEpisode>) -> Response {
    blank(&state, &on.auth, on.id, record_spec(&on))
}

pub async fn submit(
    State(state): State<AppState>,
    on: OnPatient<op::ManageEpisode>,
    Form(fields): Form<Fields>,
) -> Response {
    let input = Part2ConsentInput {
        given_on: get(&fields, "given_on"),
        method: get(&fields, "method"),
        recipients: get(&fields, "recipients"),
        information: get(&fields, "information"),
        purpose: get(&fields, "purpose"),
        expires_on: get(&fields, "expires_on"),
    };
    let saved: Result<_, ApiError> = async {
        let consent = input.parse(on.ctx.today)?;
        Ok(state
            .store
            .record_part2_consent(&on.ctx, on.id, &consent)
            .await?)
    }
    .await;
    match saved {
        Ok(_) => see_other(&format!("/patients/{}", on.id)),
        Err(e) => refuse(&state, &on.auth, on.id, record_spec(&on), &fields, e),
    }
}

fn revoke_spec(on: &OnRecord<Part2ConsentKey, op::ManageEpisode>) -> Spec {
    Spec {
        title: "Revoke the Part 2 consent".into(),
        intro: Some(
            "From the moment you save, the consent no longer opens the patient's substance-use \
             records to those it named: the psychiatric consultant stops seeing them at once. \
             The consent stays on record with the revocation, the time and your name."
                .into(),
        ),
        action: format!("/part2-consents/{}/revoke", on.id),
        hidden: vec![],
        fields: vec![
            FieldView::new("note", "Note", "textarea")
                .hint("Optional: how the patient withdrew it."),
        ],
        submit: "Revoke the consent now",
        timer: false,
    }
}

pub async fn revoke_form(
    State(state): State<AppState>,
    on: OnRecord<Part2ConsentKey, op::ManageEpisode>,
) -> Response {
    blank(&state, &on.auth, on.patient, revoke_spec(&on))
}

pub async fn revoke(
    State(state): State<AppState>,
    on: OnRecord<Part2ConsentKey, op::ManageEpisode>,
    Form(fields): Form<Fields>,
) -> Response {
    let note = get(&fields, "note");
    match state
        .store
        .revoke_part2_consent(&on.ctx, on.id, (!note.is_empty()).then_some(note.as_str()))
        .await
    {
        Ok(_) => see_other(&format!("/patients/{}", on.patient)),
        Err(e) => refuse(
            &state,
            &on.auth,
            on.patient,
            revoke_spec(&on),
            &fields,
            e.into(),
        ),
    }
}
