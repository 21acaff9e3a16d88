//! The practice's sites (practice administrator): the list and adding one. A site is chosen
//! on a patient's registration once the practice has any, and filters the metrics.

use super::forms::{Fields, FormErrors, get, refused, see_other};
use super::{Chrome, render};
use crate::access::{Can, op};
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::Response;
use stepwise_store::model::Site;

#[derive(Template)]
#[template(path = "admin_sites.html")]
struct SitesPage {
    chrome: Chrome,
    sites: Vec<Site>,
    name: String,
    errors: FormErrors,
    summary: Vec<String>,
}

async fn sites_page(
    state: &AppState,
    can: &Can<op::Administer>,
    entered: Option<&Fields>,
    errors: FormErrors,
) -> Response {
    let sites = match state.store.sites(can.ctx.practice).await {
        Ok(s) => s,
        Err(e) => return super::error_page(e.into()),
    };
    let mut summary = errors.general.clone();
    summary.extend(errors.unplaced(&["name"]));
    let failed = !errors.is_empty();
    let page = render(&SitesPage {
        chrome: Chrome::new(&can.auth, state.config.demo.is_some()),
        sites,
        name: entered.map(|f| get(f, "name")).unwrap_or_default(),
        errors,
        summary,
    });
    if failed { refused(page) } else { page }
}

pub async fn list(State(state): State<AppState>, can: Can<op::Administer>) -> Response {
    sites_page(&state, &can, None, FormErrors::default()).await
}

pub async fn add(
    State(state): State<AppState>,
    can: Can<op::Administer>,
    Form(fields): Form<Fields>,
) -> Response {
    match state
        .store
        .create_site(&can.ctx, &get(&fields, "name"))
        .await
    {
        Ok(_) => see_other("/admin/sites"),
        Err(e) => match FormErrors::from_api(e.into()) {
            Ok(errors) => sites_page(&state, &can, Some(&fields), errors).await,
            Err(e) => super::error_page(e),
        },
    }
}
