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
        api::records::part2_consents,
        api::records::record_part2_consent,
        api::records::revoke_part2_consent,
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
    modifiers(&BearerAuth, &CommonResponses),
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

/// The answers every operation can give besides its own, from the access its route declares
/// (`api::entries()`), so that the document lists every status the API really sends:
/// 401 without a valid session or token; 404 when the role or relationship does not allow the
/// operation (a refused caller cannot tell whether the record exists); 422 for input that does
/// not parse; 409 and 428 for a change with `If-Match`; 503 when the audit trail cannot be
/// written. Every error body is a problem document, `application/problem+json`.
struct CommonResponses;

impl utoipa::Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use crate::routes::Access;
        let access: std::collections::HashMap<(String, String), Access> = api::entries()
            .into_iter()
            .map(|e| ((e.method.to_owned(), e.path.to_owned()), e.access))
            .collect();
        for (path, item) in openapi.paths.paths.iter_mut() {
            for (method, op) in [
                ("GET", &mut item.get),
                ("PUT", &mut item.put),
                ("POST", &mut item.post),
                ("DELETE", &mut item.delete),
                ("PATCH", &mut item.patch),
            ] {
                let Some(op) = op.as_mut() else { continue };
                let access = access
                    .get(&(method.to_owned(), path.clone()))
                    .copied()
                    .unwrap_or(Access::SignedIn);
                complete(op, access);
            }
        }
    }
}

fn complete(op: &mut utoipa::openapi::path::Operation, access: crate::routes::Access) {
    use crate::routes::Access;
    use utoipa::openapi::path::ParameterIn;
    let responses = &mut op.responses.responses;
    // Error bodies are problem documents whatever the annotation said.
    for (status, response) in responses.iter_mut() {
        if let (true, utoipa::openapi::RefOr::T(r)) =
            (status.parse::<u16>().is_ok_and(|s| s >= 400), response)
            && let Some(content) = r.content.shift_remove("application/json")
        {
            r.content.insert(PROBLEM_JSON.to_owned(), content);
        }
    }
    let mut add = |status: &str, description: &str| {
        responses
            .entry(status.to_owned())
            .or_insert_with(|| problem(description));
    };
    if access == Access::Public {
        // No credential needed: an empty requirement list overrides the document's.
        op.security = Some(Vec::new());
        return;
    }
    add("401", "No valid session or API token");
    if matches!(access, Access::Practice(_) | Access::Patient(_)) {
        add(
            "404",
            "Not found, or not allowed for this user: a refused caller cannot tell whether the record exists",
        );
    }
    let params = op.parameters.as_deref().unwrap_or_default();
    if op.request_body.is_some() || !params.is_empty() {
        add("422", "Invalid input: one message per field");
    }
    let if_match = params.iter().any(|p| {
        matches!(p, utoipa::openapi::RefOr::T(p)
            if p.parameter_in == ParameterIn::Header && p.name.eq_ignore_ascii_case("if-match"))
    });
    if if_match {
        // The version from the record's ETag, quoted or not (`"3"`, `3`, `W/"3"`); anything
        // else is refused with 422, so the document says so.
        for p in op.parameters.iter_mut().flatten() {
            if let utoipa::openapi::RefOr::T(p) = p
                && p.parameter_in == ParameterIn::Header
                && p.name.eq_ignore_ascii_case("if-match")
            {
                p.schema = Some(
                    utoipa::openapi::schema::ObjectBuilder::new()
                        .schema_type(utoipa::openapi::schema::Type::String)
                        .pattern(Some(r#"^(W/)?"?[0-9]{1,18}"?$"#))
                        .into(),
                );
            }
        }
        add("409", "The record changed since the version in If-Match");
        add("428", "If-Match is missing");
    }
    add("503", "The audit trail cannot be written; nothing was done");
}

const PROBLEM_JSON: &str = "application/problem+json";

fn problem(description: &str) -> utoipa::openapi::RefOr<utoipa::openapi::Response> {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    ResponseBuilder::new()
        .description(description)
        .content(
            PROBLEM_JSON,
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build(),
        )
        .build()
        .into()
}

/// This document (for signed-in users and API tokens, like every route but the health check).
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "system", responses((status = 200, description = "The OpenAPI document")))]
pub async fn document(_: crate::access::Authenticated) -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
