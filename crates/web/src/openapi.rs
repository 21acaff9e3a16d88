//! The OpenAPI document of the JSON API, served at `/api/v1/openapi.json`.

use crate::api;
use axum::Json;
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Stepwise API",
        description = "Behavioral health integration registry. Authenticate with `Authorization: Bearer <token>` \
                       (`stepwise token create`). Errors are `application/problem+json`; invalid input is 422 with \
                       one message per field. Changes to versioned records need `If-Match` with the version from \
                       the record's ETag; a stale version is 409.",
    ),
    paths(
        api::admin::health,
        api::admin::me,
        api::admin::staff,
        api::admin::practice,
        api::admin::update_settings,
        api::admin::sites,
        api::admin::create_site,
        api::admin::users,
        api::admin::create_user,
        api::admin::set_roles,
        api::admin::disable_user,
        api::admin::reset_credentials,
        api::admin::set_break_glass,
        api::admin::set_billing_kind,
        api::admin::break_glass,
        api::admin::reauthenticate,
        api::patients::create,
        api::patients::search,
        api::patients::read,
        api::patients::update,
        api::episodes::list,
        api::episodes::create,
        api::episodes::read,
        api::episodes::record_consent,
        api::episodes::revoke_consent,
        api::episodes::transition,
        api::episodes::care_plan,
        api::episodes::flags,
        api::records::assessments,
        api::records::record_assessment,
        api::records::assessment_in_error,
        api::records::trajectory,
        api::safety::open_alerts,
        api::safety::patient_alerts,
        api::safety::close,
        api::safety::my_tasks,
        api::instruments::list,
        api::instruments::load_wording,
        api::records::contacts,
        api::records::record_contact,
        api::records::contact_in_error,
        api::registry::caseload,
        api::registry::review_list,
        api::registry::create_case_review,
        api::registry::open_recommendations,
        api::registry::episode_recommendations,
        api::registry::decide,
        api::registry::complete,
        api::billing::review,
        api::billing::lock,
        api::billing::adjust,
        api::billing::export,
        api::billing::revenue,
        api::billing::settings,
        api::billing::update_settings,
        api::billing::record_visit,
        api::billing::set_diagnoses,
        api::billing::facts,
        api::billing::record_apcm_month,
        api::billing::remove_apcm_month,
        api::directory::list,
        api::directory::find,
        api::directory::read,
        api::directory::create,
        api::directory::update,
        api::directory::calls,
        api::directory::export,
        api::directory::import,
        api::referrals::worklist,
        api::referrals::of_patient,
        api::referrals::create,
        api::referrals::read,
        api::referrals::update,
        api::referrals::consent,
        api::metrics::metrics,
        api::metrics::baselines,
        api::metrics::from_registry,
        api::metrics::manual,
        api::metrics::export,
        api::finance::measures,
        api::finance::choose_measures,
        api::finance::view,
        api::finance::what_if,
        api::finance::export,
        api::finance::settings,
        api::finance::update_settings,
        api::plan::read,
        api::plan::save,
        api::plan::history,
        api::plan::next,
        api::plan::journey_view,
        api::plan::patient_content,
        api::plan::edit_patient_content,
        api::plan::reset_patient_content,
        document,
    ),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// This document (for signed-in users and API tokens, like every route but the health check).
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "system", responses((status = 200, description = "The OpenAPI document")))]
pub async fn document(_: crate::access::Authenticated) -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
