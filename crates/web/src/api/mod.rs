//! The JSON API under `/api/v1`: everything the pages do, described by the OpenAPI document at
//! `/api/v1/openapi.json`.

pub(crate) mod admin;
pub(crate) mod billing;
pub(crate) mod directory;
pub(crate) mod episodes;
pub mod finance;
pub(crate) mod instruments;
pub mod metrics;
pub(crate) mod patients;
pub(crate) mod plan;
pub(crate) mod records;
pub(crate) mod referrals;
pub(crate) mod registry;
pub(crate) mod safety;

use crate::error::ApiError;
use crate::routes::{Access, Entry};
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use stepwise_domain::ValidationError;
use stepwise_domain::access::Operation as O;

/// Check that a request body is JSON and read it.
async fn json_bytes<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, ApiError> {
    let json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json"));
    if !json {
        return Err(ApiError::invalid(
            "body",
            "send the body as JSON with Content-Type: application/json",
        ));
    }
    Bytes::from_request(req, state)
        .await
        .map_err(|e| ApiError::invalid("body", e.body_text()))
}

/// A JSON request body kept as text, for documents checked by a domain parser that reports
/// problems against the text itself (a licensed wording file: line and column).
pub struct JsonText(pub String);

impl<S: Send + Sync> FromRequest<S> for JsonText {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = json_bytes(req, state).await?;
        String::from_utf8(bytes.to_vec())
            .map(JsonText)
            .map_err(|_| ApiError::invalid("body", "the body is not UTF-8 text"))
    }
}

/// A JSON request body. Malformed JSON, unknown fields and wrong types are answered with 422
/// and the path of the offending field.
pub struct Body<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = json_bytes(req, state).await?;
        // Every JSON body of the API is an object; serde would otherwise fill a struct from an
        // array by position (`[null, null]`), which the document does not allow.
        if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
            return Err(ApiError::invalid(
                "body",
                "send a JSON object, not an array",
            ));
        }
        let de = &mut serde_json::Deserializer::from_slice(&bytes);
        serde_path_to_error::deserialize(de).map(Body).map_err(|e| {
            let path = e.path().to_string();
            let field = if path == "." { "body".to_owned() } else { path };
            ApiError::Invalid(ValidationError::field(field, e.into_inner().to_string()))
        })
    }
}

/// A path parameter. One that does not parse names no record: 404 as a problem document, like
/// the record extractors (axum's own rejection is a plain-text 400 the document does not list).
pub struct PathParam<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for PathParam<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| PathParam(p.0))
            .map_err(|_| ApiError::NotFound)
    }
}

/// The record version a change applies to, from `If-Match: "3"`. Without it a change is
/// refused (428): a silent overwrite of someone else's edit is never possible.
pub struct IfMatch(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let Some(v) = parts.headers.get(header::IF_MATCH) else {
            return Err(ApiError::PreconditionRequired);
        };
        v.to_str()
            .ok()
            .map(|s| s.trim().trim_start_matches("W/").trim_matches('"'))
            .and_then(|s| s.parse().ok())
            .map(IfMatch)
            .ok_or_else(|| {
                ApiError::invalid("If-Match", "must be the record's version, e.g. \"3\"")
            })
    }
}

/// A JSON response carrying the record's version as its ETag.
pub fn with_etag<T: serde::Serialize>(version: i64, body: T) -> Response {
    let mut res = axum::Json(body).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("\"{version}\"")) {
        res.headers_mut().insert(header::ETAG, v);
    }
    res
}

/// 201 Created with a JSON body.
pub fn created<T: serde::Serialize>(body: T) -> Response {
    (axum::http::StatusCode::CREATED, axum::Json(body)).into_response()
}

/// Every API route with its access rule. The router and the OpenAPI document are built from
/// this list, and the tests walk it.
pub fn entries() -> Vec<Entry> {
    use Access::*;
    use axum::routing::{get, post, put};
    vec![
        Entry::new("GET", "/api/v1/health", Public, get(admin::health)),
        Entry::new(
            "GET",
            "/api/v1/openapi.json",
            SignedIn,
            get(crate::openapi::document),
        ),
        Entry::new("GET", "/api/v1/me", SignedIn, get(admin::me)),
        Entry::new("GET", "/api/v1/staff", SignedIn, get(admin::staff)),
        Entry::new("GET", "/api/v1/practice", SignedIn, get(admin::practice)),
        Entry::new(
            "PUT",
            "/api/v1/practice/settings",
            Practice(O::Administer),
            put(admin::update_settings),
        ),
        Entry::new("GET", "/api/v1/sites", SignedIn, get(admin::sites)),
        Entry::new(
            "POST",
            "/api/v1/sites",
            Practice(O::Administer),
            post(admin::create_site),
        ),
        Entry::new(
            "GET",
            "/api/v1/users",
            Practice(O::Administer),
            get(admin::users),
        ),
        Entry::new(
            "POST",
            "/api/v1/users",
            Practice(O::Administer),
            post(admin::create_user),
        ),
        Entry::new(
            "PUT",
            "/api/v1/users/{id}/roles",
            Practice(O::Administer),
            put(admin::set_roles),
        ),
        Entry::new(
            "POST",
            "/api/v1/users/{id}/disable",
            Practice(O::Administer),
            post(admin::disable_user),
        ),
        Entry::new(
            "POST",
            "/api/v1/users/{id}/credentials/reset",
            Practice(O::Administer),
            post(admin::reset_credentials),
        ),
        Entry::new(
            "PUT",
            "/api/v1/users/{id}/break-glass",
            Practice(O::Administer),
            put(admin::set_break_glass),
        ),
        Entry::new(
            "PUT",
            "/api/v1/users/{id}/billing-kind",
            Practice(O::Administer),
            put(admin::set_billing_kind),
        ),
        Entry::new(
            "POST",
            "/api/v1/patients/{id}/break-glass",
            Patient(O::BreakGlass),
            post(admin::break_glass),
        ),
        Entry::new(
            "POST",
            "/api/v1/session/reauthenticate",
            SignedIn,
            post(admin::reauthenticate),
        ),
        Entry::new(
            "POST",
            "/api/v1/patients",
            Practice(O::EditDemographics),
            post(patients::create),
        ),
        Entry::new(
            "POST",
            "/api/v1/patients/search",
            Practice(O::ReadDemographics),
            post(patients::search),
        ),
        Entry::new(
            "GET",
            "/api/v1/patients/{id}",
            Patient(O::ReadDemographics),
            get(patients::read),
        ),
        Entry::new(
            "PUT",
            "/api/v1/patients/{id}",
            Patient(O::EditDemographics),
            put(patients::update),
        ),
        Entry::new(
            "GET",
            "/api/v1/patients/{id}/episodes",
            Patient(O::ReadClinical),
            get(episodes::list),
        ),
        Entry::new(
            "POST",
            "/api/v1/patients/{id}/episodes",
            Patient(O::ManageEpisode),
            post(episodes::create),
        ),
        Entry::new(
            "GET",
            "/api/v1/patients/{id}/assessments",
            Patient(O::ReadClinical),
            get(records::assessments),
        ),
        Entry::new(
            "POST",
            "/api/v1/patients/{id}/assessments",
            Patient(O::RecordAssessment),
            post(records::record_assessment),
        ),
        Entry::new(
            "GET",
            "/api/v1/patients/{id}/trajectory",
            Patient(O::ReadClinical),
            get(records::trajectory),
        ),
        Entry::new(
            "GET",
            "/api/v1/patients/{id}/alerts",
            Patient(O::ReadClinical),
            get(safety::patient_alerts),
        ),
        Entry::new(
            "GET",
            "/api/v1/alerts",
            Practice(O::ReadOwnAlerts),
            get(safety::open_alerts),
        ),
        Entry::new(
            "POST",
            "/api/v1/alerts/{id}/closure",
            Patient(O::CloseSafetyAlert),
            post(safety::close),
        ),
        Entry::new(
            "GET",
            "/api/v1/tasks",
            Practice(O::ReadOwnTasks),
            get(safety::my_tasks),
        ),
        Entry::new(
            "GET",
            "/api/v1/instruments",
            SignedIn,
            get(instruments::list),
        ),
        Entry::new(
            "PUT",
            "/api/v1/instruments/{code}/wording",
            Practice(O::Administer),
            put(instruments::load_wording),
        ),
        Entry::new(
            "POST",
            "/api/v1/assessments/{id}/entered-in-error",
            Patient(O::RecordAssessment),
            post(records::assessment_in_error),
        ),
        Entry::new(
            "GET",
            "/api/v1/episodes/{id}",
            Patient(O::ReadClinical),
            get(episodes::read),
        ),
        Entry::new(
            "POST",
            "/api/v1/episodes/{id}/consents",
            Patient(O::ManageEpisode),
            post(episodes::record_consent),
        ),
        Entry::new(
            "POST",
            "/api/v1/consents/{id}/revocation",
            Patient(O::ManageEpisode),
            post(episodes::revoke_consent),
        ),
        Entry::new(
            "GET",
            "/api/v1/patients/{id}/part2-consents",
            Patient(O::ReadClinical),
            get(records::part2_consents),
        ),
        Entry::new(
            "POST",
            "/api/v1/patients/{id}/part2-consents",
            Patient(O::ManageEpisode),
            post(records::record_part2_consent),
        ),
        Entry::new(
            "POST",
            "/api/v1/part2-consents/{id}/revocation",
            Patient(O::ManageEpisode),
            post(records::revoke_part2_consent),
        ),
        Entry::new(
            "POST",
            "/api/v1/episodes/{id}/transitions",
            Patient(O::ManageEpisode),
            post(episodes::transition),
        ),
        Entry::new(
            "PUT",
            "/api/v1/episodes/{id}/care-plan",
            Patient(O::ManageEpisode),
            put(episodes::care_plan),
        ),
        Entry::new(
            "PUT",
            "/api/v1/episodes/{id}/flags",
            Patient(O::ManageEpisode),
            put(episodes::flags),
        ),
        Entry::new(
            "GET",
            "/api/v1/episodes/{id}/contacts",
            Patient(O::ReadClinical),
            get(records::contacts),
        ),
        Entry::new(
            "POST",
            "/api/v1/episodes/{id}/contacts",
            Patient(O::RecordContact),
            post(records::record_contact),
        ),
        Entry::new(
            "POST",
            "/api/v1/contacts/{id}/entered-in-error",
            Patient(O::RecordContact),
            post(records::contact_in_error),
        ),
        Entry::new(
            "GET",
            "/api/v1/episodes/{id}/recommendations",
            Patient(O::ReadClinical),
            get(registry::episode_recommendations),
        ),
        Entry::new(
            "GET",
            "/api/v1/caseload",
            Practice(O::ReadOwnCaseload),
            get(registry::caseload),
        ),
        Entry::new(
            "GET",
            "/api/v1/review-list",
            Practice(O::ReadReviewList),
            get(registry::review_list),
        ),
        Entry::new(
            "POST",
            "/api/v1/case-reviews",
            Practice(O::RecordCaseReview),
            post(registry::create_case_review),
        ),
        Entry::new(
            "GET",
            "/api/v1/recommendations",
            Practice(O::ReadOpenRecommendations),
            get(registry::open_recommendations),
        ),
        Entry::new(
            "POST",
            "/api/v1/recommendations/{id}/decision",
            Patient(O::DecideRecommendation),
            post(registry::decide),
        ),
        Entry::new(
            "POST",
            "/api/v1/recommendations/{id}/completion",
            Patient(O::CompleteRecommendation),
            post(registry::complete),
        ),
        Entry::new(
            "GET",
            "/api/v1/billing/months/{month}",
            Practice(O::CloseBillingMonth),
            get(billing::review),
        ),
        Entry::new(
            "POST",
            "/api/v1/billing/months/{month}/lock",
            Practice(O::CloseBillingMonth),
            post(billing::lock),
        ),
        Entry::new(
            "POST",
            "/api/v1/billing/months/{month}/adjustments",
            Practice(O::CloseBillingMonth),
            post(billing::adjust),
        ),
        Entry::new(
            "GET",
            "/api/v1/billing/months/{month}/export/{format}",
            Practice(O::CloseBillingMonth),
            get(billing::export),
        ),
        Entry::new(
            "GET",
            "/api/v1/billing/months/{month}/revenue",
            Practice(O::ReadRevenue),
            get(billing::revenue),
        ),
        Entry::new(
            "GET",
            "/api/v1/billing/settings",
            Practice(O::ReadRevenue),
            get(billing::settings),
        ),
        Entry::new(
            "PUT",
            "/api/v1/billing/settings",
            Practice(O::Administer),
            put(billing::update_settings),
        ),
        Entry::new(
            "POST",
            "/api/v1/patients/{id}/initiating-visits",
            Patient(O::ManageEpisode),
            post(billing::record_visit),
        ),
        Entry::new(
            "PUT",
            "/api/v1/episodes/{id}/diagnoses",
            Patient(O::ManageEpisode),
            put(billing::set_diagnoses),
        ),
        Entry::new(
            "GET",
            "/api/v1/patients/{id}/billing-facts",
            Patient(O::ManageBillingFacts),
            get(billing::facts),
        ),
        Entry::new(
            "POST",
            "/api/v1/patients/{id}/apcm-months",
            Patient(O::ManageBillingFacts),
            post(billing::record_apcm_month),
        ),
        Entry::new(
            "POST",
            "/api/v1/patients/{id}/apcm-months/remove",
            Patient(O::ManageBillingFacts),
            post(billing::remove_apcm_month),
        ),
        Entry::new(
            "GET",
            "/api/v1/resources",
            Practice(O::ReadDirectory),
            get(directory::list),
        ),
        Entry::new(
            "POST",
            "/api/v1/resources",
            Practice(O::ManageDirectory),
            post(directory::create),
        ),
        Entry::new(
            "POST",
            "/api/v1/resources/search",
            Practice(O::ReadDirectory),
            post(directory::find),
        ),
        Entry::new(
            "GET",
            "/api/v1/resources/call-list",
            Practice(O::ReadDirectory),
            get(directory::calls),
        ),
        Entry::new(
            "GET",
            "/api/v1/resources/export.csv",
            Practice(O::ReadDirectory),
            get(directory::export),
        ),
        Entry::new(
            "POST",
            "/api/v1/resources/import",
            Practice(O::ManageDirectory),
            post(directory::import),
        ),
        Entry::new(
            "GET",
            "/api/v1/resources/{id}",
            Practice(O::ReadDirectory),
            get(directory::read),
        ),
        Entry::new(
            "PUT",
            "/api/v1/resources/{id}",
            Practice(O::ManageDirectory),
            put(directory::update),
        ),
        Entry::new(
            "GET",
            "/api/v1/referrals",
            Practice(O::ReadReferrals),
            get(referrals::worklist),
        ),
        Entry::new(
            "GET",
            "/api/v1/patients/{id}/referrals",
            Patient(O::ReadReferrals),
            get(referrals::of_patient),
        ),
        Entry::new(
            "POST",
            "/api/v1/patients/{id}/referrals",
            Patient(O::Refer),
            post(referrals::create),
        ),
        Entry::new(
            "GET",
            "/api/v1/referrals/{id}",
            Patient(O::ReadReferrals),
            get(referrals::read),
        ),
        Entry::new(
            "POST",
            "/api/v1/referrals/{id}/updates",
            Patient(O::UpdateReferral),
            post(referrals::update),
        ),
        Entry::new(
            "POST",
            "/api/v1/referrals/{id}/consent",
            Patient(O::UpdateReferral),
            post(referrals::consent),
        ),
        Entry::new(
            "GET",
            "/api/v1/metrics",
            Practice(O::ReadMetrics),
            get(metrics::metrics),
        ),
        Entry::new(
            "GET",
            "/api/v1/baselines",
            Practice(O::ReadMetrics),
            get(metrics::baselines),
        ),
        Entry::new(
            "POST",
            "/api/v1/baselines/registry",
            Practice(O::ManageBaseline),
            post(metrics::from_registry),
        ),
        Entry::new(
            "POST",
            "/api/v1/baselines/manual",
            Practice(O::ManageBaseline),
            post(metrics::manual),
        ),
        Entry::new(
            "GET",
            "/api/v1/metrics/export.csv",
            Practice(O::ReadMetrics),
            get(metrics::export),
        ),
        Entry::new(
            "GET",
            "/api/v1/metrics/measures",
            Practice(O::ReadMetrics),
            get(finance::measures),
        ),
        Entry::new(
            "PUT",
            "/api/v1/metrics/measures",
            Practice(O::ManageBaseline),
            put(finance::choose_measures),
        ),
        Entry::new(
            "GET",
            "/api/v1/finance",
            Practice(O::ReadRevenue),
            get(finance::view),
        ),
        Entry::new(
            "GET",
            "/api/v1/finance/what-if",
            Practice(O::ReadRevenue),
            get(finance::what_if),
        ),
        Entry::new(
            "GET",
            "/api/v1/finance/export.csv",
            Practice(O::ReadRevenue),
            get(finance::export),
        ),
        Entry::new(
            "GET",
            "/api/v1/finance/settings",
            Practice(O::ReadRevenue),
            get(finance::settings),
        ),
        Entry::new(
            "PUT",
            "/api/v1/finance/settings",
            Practice(O::Administer),
            put(finance::update_settings),
        ),
        Entry::new(
            "GET",
            "/api/v1/plan",
            Practice(O::ReadPlan),
            get(plan::read),
        ),
        Entry::new(
            "PUT",
            "/api/v1/plan",
            Practice(O::EditPlan),
            put(plan::save),
        ),
        Entry::new(
            "GET",
            "/api/v1/plan/history",
            Practice(O::ReadPlan),
            get(plan::history),
        ),
        Entry::new(
            "GET",
            "/api/v1/plan/next-step",
            Practice(O::ReadPlan),
            get(plan::next),
        ),
        Entry::new(
            "GET",
            "/api/v1/plan/journey",
            Practice(O::ReadPlan),
            get(plan::journey_view),
        ),
        Entry::new(
            "GET",
            "/api/v1/plan/patient-content",
            Practice(O::ReadPlan),
            get(plan::patient_content),
        ),
        Entry::new(
            "PUT",
            "/api/v1/plan/patient-content",
            Practice(O::EditPlan),
            put(plan::edit_patient_content),
        ),
        Entry::new(
            "POST",
            "/api/v1/plan/patient-content/reset",
            Practice(O::EditPlan),
            post(plan::reset_patient_content),
        ),
    ]
}
