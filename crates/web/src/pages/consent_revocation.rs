//! Revoking a consent, with the day it ends and what that means for billing. The consent stays
//! on record with its revocation (who, when, the note).

use super::actions::{FieldView, Spec, blank, refuse};
use super::forms::{Fields, get, see_other};
use crate::access::{ConsentKey, OnRecord, op};
use crate::error::ApiError;
use crate::state::AppState;
use axum::Form;
use axum::extract::State;
use axum::response::Response;
use stepwise_domain::patient::parse_date;
use stepwise_store::model::ConsentRecord;

/// The consent, found among its patient's episodes.
async fn load(
    state: &AppState,
    on: &OnRecord<ConsentKey, op::ManageEpisode>,
) -> Result<ConsentRecord, ApiError> {
    for ep in state.store.patient_episodes(&on.ctx, on.patient).await? {
        if let Some(c) = state
            .store
            .episode(&on.ctx, ep.id)
            .await?
            .consents
            .into_iter()
            .find(|c| c.id == on.id)
        {
            return Ok(c);
        }
    }
    Err(ApiError::NotFound)
}

fn spec(on: &OnRecord<ConsentKey, op::ManageEpisode>, c: &ConsentRecord) -> Spec {
    let program = c.consent.program.label();
    Spec {
        title: format!("Revoke the consent to {program}"),
        // What the billing engine does with a revoked consent (docs/billing.md, hold
        // `no_consent`; reference §2.5): in force until the day before the revocation.
        intro: Some(format!(
            "Consent given on {} ({}). From the revocation date on, the consent no longer \
             covers {program}: minutes on or after that day do not count toward billing, and a \
             month whose only activity comes after it is held for billing (no consent in force) \
             until a new consent is recorded. Minutes before that day still count. The consent \
             stays on record with the revocation and your name.",
            c.consent.consented_on,
            c.consent.method.code().replace('_', " "),
        )),
        action: format!("/consents/{}/revoke", c.id),
        hidden: vec![],
        fields: vec![
            FieldView::new("revoked_on", "Revoked on", "date")
                .hint("The first day the consent no longer covers; not in the future.")
                .value(on.ctx.today.to_string()),
            FieldView::new("note", "Note", "textarea")
                .hint("Optional: how the patient withdrew, what was agreed."),
        ],
        submit: "Revoke the consent",
        timer: false,
    }
}

pub async fn form(
    State(state): State<AppState>,
    on: OnRecord<ConsentKey, op::ManageEpisode>,
) -> Response {
    match load(&state, &on).await {
        Ok(c) if c.consent.revoked_on.is_some() => see_other(&format!("/patients/{}", on.patient)),
        Ok(c) => blank(&state, &on.auth, on.patient, spec(&on, &c)),
        Err(e) => super::error_page(e),
    }
}

pub async fn submit(
    State(state): State<AppState>,
    on: OnRecord<ConsentKey, op::ManageEpisode>,
    Form(fields): Form<Fields>,
) -> Response {
    let c = match load(&state, &on).await {
        Ok(c) => c,
        Err(e) => return super::error_page(e),
    };
    let saved: Result<_, ApiError> = async {
        let on_date = parse_date("revoked_on", &get(&fields, "revoked_on"))?;
        let note = get(&fields, "note");
        Ok(state
            .store
            .revoke_consent(
                &on.ctx,
                on.id,
                on_date,
                (!note.is_empty()).then_some(note.as_str()),
            )
            .await?)
    }
    .await;
    match saved {
        Ok(_) => see_other(&format!("/patients/{}", on.patient)),
        Err(e) => refuse(&state, &on.auth, on.patient, spec(&on, &c), &fields, e),
    }
}
