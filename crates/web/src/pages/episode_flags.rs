//! The manual flags of an episode, "safety risk" and "for discussion" (reference §9.10), set
//! or cleared from the chart. They show on the caseload and the case-review list; the form
//! carries the episode's version, so a form opened before someone else's change is refused.

use super::actions::{FieldView, Spec, blank, checked, refuse};
use super::forms::{Fields, get, see_other};
use crate::access::{EpisodeKey, OnRecord, op};
use crate::error::ApiError;
use crate::state::AppState;
use axum::Form;
use axum::extract::State;
use axum::response::Response;
use stepwise_domain::registry::ManualFlags;
use stepwise_store::model::Episode;

fn yes(b: bool) -> &'static str {
    if b { "yes" } else { "" }
}

fn spec(ep: &Episode) -> Spec {
    Spec {
        title: "Flags for the care team".into(),
        intro: Some(format!(
            "{} · {}. A flag stays until someone clears it here; both show on the caseload \
             and the case-review list, “safety risk” first.",
            ep.program.label(),
            ep.status.label()
        )),
        action: format!("/episodes/{}/flags", ep.id),
        hidden: vec![("version", ep.version.to_string())],
        fields: vec![
            FieldView::new("safety_risk", "Safety risk", "checkbox")
                .value(yes(ep.manual_flags.safety_risk)),
            FieldView::new(
                "for_discussion",
                "For discussion at the next case review",
                "checkbox",
            )
            .value(yes(ep.manual_flags.for_discussion)),
        ],
        submit: "Save the flags",
        timer: false,
    }
}

pub async fn form(
    State(state): State<AppState>,
    on: OnRecord<EpisodeKey, op::ManageEpisode>,
) -> Response {
    match state.store.episode(&on.ctx, on.id).await {
        Ok(d) => blank(&state, &on.auth, on.patient, spec(&d.episode)),
        Err(e) => super::error_page(e.into()),
    }
}

pub async fn submit(
    State(state): State<AppState>,
    on: OnRecord<EpisodeKey, op::ManageEpisode>,
    Form(fields): Form<Fields>,
) -> Response {
    let ep = match state.store.episode(&on.ctx, on.id).await {
        Ok(d) => d.episode,
        Err(e) => return super::error_page(e.into()),
    };
    let saved: Result<_, ApiError> = async {
        let version = get(&fields, "version").parse::<i64>().map_err(|_| {
            ApiError::invalid("version", "the form is out of date; open the episode again")
        })?;
        let flags = ManualFlags {
            safety_risk: checked(&fields, "safety_risk"),
            for_discussion: checked(&fields, "for_discussion"),
        };
        Ok(state
            .store
            .set_manual_flags(&on.ctx, on.id, version, flags)
            .await?)
    }
    .await;
    match saved {
        Ok(_) => see_other(&format!("/patients/{}", on.patient)),
        Err(e) => refuse(&state, &on.auth, on.patient, spec(&ep), &fields, e),
    }
}
