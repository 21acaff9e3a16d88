//! Server-rendered pages. Templates are compiled into the binary (askama, auto-escaping);
//! there is no inline script or style, so the CSP forbids both.

mod actions;
mod admin;
mod alerts;
mod assets;
mod audit;
mod billing;
mod billing_facts;
mod break_glass;
mod consent_revocation;
mod directory;
mod entered_in_error;
mod episode_flags;
mod finance;
mod forms;
mod home;
mod metrics;
mod part2_consent;
mod patient_edit;
mod patients;
mod plan;
mod plan_content;
mod plan_edit;
mod plan_goals;
mod plan_meetings;
mod plan_model;
mod plan_readiness;
mod plan_team;
mod plan_training;
mod plan_workflow;
mod practice_settings;
mod progress;
mod referrals;
mod registry;
mod review;
mod screening;
mod sign_in;
mod sites;
mod trajectory;

use crate::access::Authenticated;
use crate::error::{ApiError, current_request_id};
use crate::routes::{Access, Entry};
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use stepwise_domain::access::Operation as O;
use stepwise_domain::role::Role;

/// What every signed-in page shows around its content.
pub struct Chrome {
    pub user_name: String,
    pub roles: String,
    pub practice_name: String,
    pub demo: bool,
    pub nav: Vec<(&'static str, &'static str)>,
    pub today: String,
}

impl Chrome {
    pub fn new(auth: &Authenticated, demo: bool) -> Self {
        let has = |r: Role| auth.user.roles.contains(&r);
        let mut nav = vec![("/", "Home")];
        if has(Role::CareManager) {
            nav.push(("/caseload", "My caseload"));
        }
        if has(Role::CareManager) || has(Role::Psychiatrist) {
            nav.push(("/review-list", "Case review list"));
        }
        if has(Role::Psychiatrist) {
            nav.push(("/review", "Review mode"));
        }
        if has(Role::Billing) {
            nav.push(("/billing", "Month close"));
        }
        // Every staff role reads the practice's plan.
        nav.push(("/plan", "Our plan"));
        if stepwise_domain::access::acting_role(&auth.user.roles, O::ReadRevenue, None).is_some() {
            nav.push(("/finance", "Finance"));
        }
        if has(Role::PracticeAdmin) {
            nav.push(("/admin/users", "Staff accounts"));
            nav.push(("/admin/sites", "Sites"));
            nav.push(("/settings/practice", "Practice settings"));
            nav.push(("/settings/billing", "Billing settings"));
            nav.push(("/admin/audit", "Audit report"));
        }
        if has(Role::FrontDesk) {
            nav.push(("/patients/new", "Register a patient"));
            nav.push(("/referrals", "Referrals"));
        }
        nav.push(("/directory", "Community resources"));
        if stepwise_domain::access::acting_role(&auth.user.roles, O::ReadMetrics, None).is_some() {
            nav.push(("/metrics", "Metrics"));
        }
        Chrome {
            user_name: auth.user.display_name.clone(),
            roles: auth
                .user
                .roles
                .iter()
                .map(|r| r.label())
                .collect::<Vec<_>>()
                .join(", "),
            practice_name: auth.practice.name.clone(),
            demo: demo || auth.practice.mfa_relaxed_demo,
            nav,
            today: auth.today.to_string(),
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    status: u16,
    title: String,
    message: String,
    request_id: String,
}

/// An error as a page: a short message, never internals; the request id to quote.
pub fn error_page(error: ApiError) -> Response {
    let status = error.status();
    if let ApiError::Internal(cause) = &error {
        tracing::error!(request_id = %current_request_id(), %cause, "page failed");
    }
    let message = match &error {
        ApiError::NotFound => "There is nothing here, or you do not have access to it.".to_owned(),
        ApiError::Invalid(v) => v.to_string(),
        ApiError::Internal(_) => {
            "Something went wrong on our side. Nothing was changed.".to_owned()
        }
        other => other.to_string(),
    };
    let page = ErrorPage {
        status: status.as_u16(),
        title: status.canonical_reason().unwrap_or("Error").to_owned(),
        message,
        request_id: current_request_id(),
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, "error").into_response(),
    }
}

/// Render a template, or the error page if rendering fails.
pub fn render<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => error_page(ApiError::Internal(e.to_string())),
    }
}

/// The page routes.
pub fn entries() -> Vec<Entry> {
    use Access::*;
    use axum::routing::{get, post};
    vec![
        Entry::new("GET", "/sign-in", Public, get(sign_in::form)),
        Entry::new("POST", "/sign-in", Public, post(sign_in::submit)),
        Entry::new(
            "GET",
            "/sign-in/second-factor",
            SignInStep,
            get(sign_in::second_factor_form),
        ),
        Entry::new(
            "POST",
            "/sign-in/second-factor",
            SignInStep,
            post(sign_in::second_factor_submit),
        ),
        Entry::new("GET", "/mfa/enroll", SignInStep, get(sign_in::enroll_form)),
        Entry::new(
            "POST",
            "/mfa/enroll",
            SignInStep,
            post(sign_in::enroll_submit),
        ),
        Entry::new("GET", "/reauth", SignedIn, get(sign_in::reauth_form)),
        Entry::new("POST", "/reauth", SignedIn, post(sign_in::reauth_submit)),
        Entry::new("POST", "/sign-out", SignInStep, post(sign_in::sign_out)),
        Entry::new("GET", "/", SignedIn, get(home::home)),
        Entry::new(
            "GET",
            "/caseload",
            Practice(O::ReadOwnCaseload),
            get(registry::caseload),
        ),
        Entry::new(
            "GET",
            "/review-list",
            Practice(O::ReadReviewList),
            get(registry::review_list),
        ),
        Entry::new(
            "POST",
            "/patients/search",
            Practice(O::ReadDemographics),
            post(patients::search),
        ),
        Entry::new(
            "GET",
            "/patients/{id}",
            Patient(O::ReadDemographics),
            get(patients::chart),
        ),
        Entry::new(
            "GET",
            "/patients/{id}/summary",
            Patient(O::ReadDemographics),
            get(patients::summary),
        ),
        Entry::new(
            "GET",
            "/patients/{id}/screening",
            Patient(O::RecordAssessment),
            get(screening::form),
        ),
        Entry::new(
            "POST",
            "/patients/{id}/screening",
            Patient(O::RecordAssessment),
            post(screening::submit),
        ),
        Entry::new(
            "GET",
            "/alerts/{id}/close",
            Patient(O::CloseSafetyAlert),
            get(actions::close_alert_form),
        ),
        Entry::new(
            "POST",
            "/alerts/{id}/close",
            Patient(O::CloseSafetyAlert),
            post(actions::close_alert),
        ),
        Entry::new(
            "GET",
            "/episodes/{id}/contact",
            Patient(O::RecordContact),
            get(actions::contact_form),
        ),
        Entry::new(
            "POST",
            "/episodes/{id}/contact",
            Patient(O::RecordContact),
            post(actions::contact),
        ),
        Entry::new(
            "GET",
            "/patients/{id}/refer",
            Patient(O::ManageEpisode),
            get(actions::refer_form),
        ),
        Entry::new(
            "POST",
            "/patients/{id}/refer",
            Patient(O::ManageEpisode),
            post(actions::refer),
        ),
        Entry::new(
            "GET",
            "/episodes/{id}/consent",
            Patient(O::ManageEpisode),
            get(actions::consent_form),
        ),
        Entry::new(
            "POST",
            "/episodes/{id}/consent",
            Patient(O::ManageEpisode),
            post(actions::consent),
        ),
        Entry::new(
            "GET",
            "/episodes/{id}/status",
            Patient(O::ManageEpisode),
            get(actions::status_form),
        ),
        Entry::new(
            "POST",
            "/episodes/{id}/status",
            Patient(O::ManageEpisode),
            post(actions::status),
        ),
        Entry::new(
            "GET",
            "/review",
            Practice(O::RecordCaseReview),
            get(review::review),
        ),
        Entry::new(
            "POST",
            "/review",
            Practice(O::RecordCaseReview),
            post(review::record),
        ),
        Entry::new(
            "POST",
            "/recommendations/{id}/decide",
            Patient(O::DecideRecommendation),
            post(review::decide),
        ),
        Entry::new(
            "POST",
            "/recommendations/{id}/done",
            Patient(O::CompleteRecommendation),
            post(review::mark_done),
        ),
        Entry::new(
            "GET",
            "/episodes/{id}/care-plan",
            Patient(O::ManageEpisode),
            get(actions::care_plan_form),
        ),
        Entry::new(
            "POST",
            "/episodes/{id}/care-plan",
            Patient(O::ManageEpisode),
            post(actions::care_plan),
        ),
        Entry::new(
            "GET",
            "/patients/{id}/edit",
            Patient(O::EditDemographics),
            get(patient_edit::form),
        ),
        Entry::new(
            "POST",
            "/patients/{id}/edit",
            Patient(O::EditDemographics),
            post(patient_edit::submit),
        ),
        Entry::new(
            "GET",
            "/episodes/{id}/flags",
            Patient(O::ManageEpisode),
            get(episode_flags::form),
        ),
        Entry::new(
            "POST",
            "/episodes/{id}/flags",
            Patient(O::ManageEpisode),
            post(episode_flags::submit),
        ),
        Entry::new(
            "GET",
            "/patients/{id}/part2-consent",
            Patient(O::ManageEpisode),
            get(part2_consent::form),
        ),
        Entry::new(
            "POST",
            "/patients/{id}/part2-consent",
            Patient(O::ManageEpisode),
            post(part2_consent::submit),
        ),
        Entry::new(
            "GET",
            "/part2-consents/{id}/revoke",
            Patient(O::ManageEpisode),
            get(part2_consent::revoke_form),
        ),
        Entry::new(
            "POST",
            "/part2-consents/{id}/revoke",
            Patient(O::ManageEpisode),
            post(part2_consent::revoke),
        ),
        Entry::new(
            "GET",
            "/consents/{id}/revoke",
            Patient(O::ManageEpisode),
            get(consent_revocation::form),
        ),
        Entry::new(
            "POST",
            "/consents/{id}/revoke",
            Patient(O::ManageEpisode),
            post(consent_revocation::submit),
        ),
        Entry::new(
            "GET",
            "/contacts/{id}/in-error",
            Patient(O::RecordContact),
            get(entered_in_error::contact_form),
        ),
        Entry::new(
            "POST",
            "/contacts/{id}/in-error",
            Patient(O::RecordContact),
            post(entered_in_error::contact),
        ),
        Entry::new(
            "GET",
            "/assessments/{id}/in-error",
            Patient(O::RecordAssessment),
            get(entered_in_error::assessment_form),
        ),
        Entry::new(
            "POST",
            "/assessments/{id}/in-error",
            Patient(O::RecordAssessment),
            post(entered_in_error::assessment),
        ),
        Entry::new(
            "GET",
            "/patients/new",
            Practice(O::EditDemographics),
            get(actions::register_form),
        ),
        Entry::new(
            "POST",
            "/patients/new",
            Practice(O::EditDemographics),
            post(actions::register),
        ),
        Entry::new(
            "GET",
            "/patients/{id}/billing-facts",
            Patient(O::ManageBillingFacts),
            get(billing_facts::show),
        ),
        Entry::new(
            "POST",
            "/patients/{id}/billing-facts/visit",
            Patient(O::ManageEpisode),
            post(billing_facts::record_visit),
        ),
        Entry::new(
            "POST",
            "/episodes/{id}/billing-facts/diagnoses",
            Patient(O::ManageEpisode),
            post(billing_facts::set_diagnoses),
        ),
        Entry::new(
            "POST",
            "/patients/{id}/billing-facts/apcm",
            Patient(O::ManageBillingFacts),
            post(billing_facts::record_apcm),
        ),
        Entry::new(
            "POST",
            "/patients/{id}/billing-facts/apcm-remove",
            Patient(O::ManageBillingFacts),
            post(billing_facts::remove_apcm),
        ),
        Entry::new(
            "GET",
            "/patients/{id}/break-glass",
            Patient(O::BreakGlass),
            get(break_glass::form),
        ),
        Entry::new(
            "POST",
            "/patients/{id}/break-glass",
            Patient(O::BreakGlass),
            post(break_glass::submit),
        ),
        Entry::new(
            "GET",
            "/admin/users",
            Practice(O::Administer),
            get(admin::users),
        ),
        Entry::new(
            "POST",
            "/admin/users",
            Practice(O::Administer),
            post(admin::add_user),
        ),
        Entry::new(
            "POST",
            "/admin/users/{id}/roles",
            Practice(O::Administer),
            post(admin::set_roles),
        ),
        Entry::new(
            "POST",
            "/admin/users/{id}/disable",
            Practice(O::Administer),
            post(admin::disable),
        ),
        Entry::new(
            "POST",
            "/admin/users/{id}/billing-kind",
            Practice(O::Administer),
            post(admin::set_billing_kind),
        ),
        Entry::new(
            "POST",
            "/admin/users/{id}/break-glass",
            Practice(O::Administer),
            post(admin::set_break_glass),
        ),
        Entry::new(
            "GET",
            "/admin/users/{id}/credentials",
            Practice(O::Administer),
            get(admin::reset_form),
        ),
        Entry::new(
            "POST",
            "/admin/users/{id}/credentials",
            Practice(O::Administer),
            post(admin::reset),
        ),
        Entry::new(
            "GET",
            "/admin/sites",
            Practice(O::Administer),
            get(sites::list),
        ),
        Entry::new(
            "POST",
            "/admin/sites",
            Practice(O::Administer),
            post(sites::add),
        ),
        Entry::new(
            "GET",
            "/settings/practice",
            Practice(O::Administer),
            get(practice_settings::form),
        ),
        Entry::new(
            "POST",
            "/settings/practice",
            Practice(O::Administer),
            post(practice_settings::submit),
        ),
        Entry::new(
            "GET",
            "/admin/audit",
            Practice(O::ReadAuditReport),
            get(audit::report),
        ),
        Entry::new(
            "POST",
            "/admin/audit",
            Practice(O::ReadAuditReport),
            post(audit::filter),
        ),
        Entry::new(
            "POST",
            "/admin/audit/export",
            Practice(O::ReadAuditReport),
            post(audit::export),
        ),
        Entry::new(
            "GET",
            "/billing",
            Practice(O::CloseBillingMonth),
            get(billing::month),
        ),
        Entry::new(
            "POST",
            "/billing/{month}/lock",
            Practice(O::CloseBillingMonth),
            post(billing::lock),
        ),
        Entry::new(
            "POST",
            "/billing/{month}/adjustments",
            Practice(O::CloseBillingMonth),
            post(billing::adjust),
        ),
        Entry::new(
            "GET",
            "/settings/billing",
            Practice(O::Administer),
            get(billing::settings),
        ),
        Entry::new(
            "POST",
            "/settings/billing",
            Practice(O::Administer),
            post(billing::save_settings),
        ),
        Entry::new(
            "GET",
            "/directory",
            Practice(O::ReadDirectory),
            get(directory::directory),
        ),
        Entry::new(
            "GET",
            "/directory/call-list",
            Practice(O::ReadDirectory),
            get(directory::print_call_list),
        ),
        Entry::new(
            "GET",
            "/directory/new",
            Practice(O::ManageDirectory),
            get(directory::new_form),
        ),
        Entry::new(
            "POST",
            "/directory/new",
            Practice(O::ManageDirectory),
            post(directory::create),
        ),
        Entry::new(
            "GET",
            "/directory/import",
            Practice(O::ManageDirectory),
            get(directory::import_form),
        ),
        Entry::new(
            "POST",
            "/directory/import",
            Practice(O::ManageDirectory),
            post(directory::import),
        ),
        Entry::new(
            "GET",
            "/directory/{id}/edit",
            Practice(O::ManageDirectory),
            get(directory::edit_form),
        ),
        Entry::new(
            "POST",
            "/directory/{id}/edit",
            Practice(O::ManageDirectory),
            post(directory::update),
        ),
        Entry::new(
            "GET",
            "/referrals",
            Practice(O::ReadReferrals),
            get(referrals::worklist),
        ),
        Entry::new(
            "GET",
            "/referrals/{id}",
            Patient(O::ReadReferrals),
            get(referrals::show),
        ),
        Entry::new(
            "POST",
            "/referrals/{id}/update",
            Patient(O::UpdateReferral),
            post(referrals::update),
        ),
        Entry::new(
            "POST",
            "/referrals/{id}/consent",
            Patient(O::UpdateReferral),
            post(referrals::consent),
        ),
        Entry::new(
            "GET",
            "/referrals/{id}/letter",
            Patient(O::ReadReferrals),
            get(referrals::letter),
        ),
        Entry::new(
            "POST",
            "/patients/{id}/referrals",
            Patient(O::Refer),
            post(referrals::create),
        ),
        Entry::new(
            "GET",
            "/metrics",
            Practice(O::ReadMetrics),
            get(metrics::metrics),
        ),
        Entry::new(
            "POST",
            "/metrics/baselines/registry",
            Practice(O::ManageBaseline),
            post(metrics::baseline_from_registry),
        ),
        Entry::new(
            "POST",
            "/metrics/baselines/manual",
            Practice(O::ManageBaseline),
            post(metrics::baseline_manual),
        ),
        Entry::new(
            "POST",
            "/metrics/measures",
            Practice(O::ManageBaseline),
            post(metrics::choose_measures),
        ),
        Entry::new(
            "GET",
            "/finance",
            Practice(O::ReadRevenue),
            get(finance::finance),
        ),
        Entry::new(
            "GET",
            "/settings/finance",
            Practice(O::Administer),
            get(finance::settings),
        ),
        Entry::new(
            "POST",
            "/settings/finance",
            Practice(O::Administer),
            post(finance::save_settings),
        ),
        Entry::new("GET", "/plan", Practice(O::ReadPlan), get(plan::plan)),
        Entry::new(
            "GET",
            "/plan/readiness",
            Practice(O::ReadPlan),
            get(plan_readiness::overview),
        ),
        Entry::new(
            "GET",
            "/plan/readiness/rating",
            Practice(O::EditPlan),
            get(plan_readiness::rating_page),
        ),
        Entry::new(
            "POST",
            "/plan/readiness/rating",
            Practice(O::EditPlan),
            post(plan_readiness::save_rating),
        ),
        Entry::new(
            "GET",
            "/plan/readiness/tree",
            Practice(O::EditPlan),
            get(plan_readiness::tree_page),
        ),
        Entry::new(
            "POST",
            "/plan/readiness/tree",
            Practice(O::EditPlan),
            post(plan_readiness::save_tree),
        ),
        Entry::new(
            "GET",
            "/plan/readiness/checklist",
            Practice(O::EditPlan),
            get(plan_readiness::checklist_page),
        ),
        Entry::new(
            "POST",
            "/plan/readiness/checklist",
            Practice(O::EditPlan),
            post(plan_readiness::save_checklist),
        ),
        Entry::new(
            "GET",
            "/plan/model",
            Practice(O::EditPlan),
            get(plan_model::model_page),
        ),
        Entry::new(
            "POST",
            "/plan/model",
            Practice(O::EditPlan),
            post(plan_model::save_model),
        ),
        Entry::new(
            "POST",
            "/plan/profile",
            Practice(O::EditPlan),
            post(plan_model::save_profile),
        ),
        Entry::new(
            "GET",
            "/plan/team",
            Practice(O::EditPlan),
            get(plan_team::team_page),
        ),
        Entry::new(
            "POST",
            "/plan/team",
            Practice(O::EditPlan),
            post(plan_team::save_member),
        ),
        Entry::new(
            "POST",
            "/plan/team/remove",
            Practice(O::EditPlan),
            post(plan_team::remove_member),
        ),
        Entry::new(
            "GET",
            "/plan/goals",
            Practice(O::EditPlan),
            get(plan_goals::goals_page),
        ),
        Entry::new(
            "POST",
            "/plan/goals",
            Practice(O::EditPlan),
            post(plan_goals::save_goal),
        ),
        Entry::new(
            "POST",
            "/plan/goals/remove",
            Practice(O::EditPlan),
            post(plan_goals::remove_goal),
        ),
        Entry::new(
            "GET",
            "/plan/training",
            Practice(O::EditPlan),
            get(plan_training::training_page),
        ),
        Entry::new(
            "POST",
            "/plan/training/session",
            Practice(O::EditPlan),
            post(plan_training::save_session),
        ),
        Entry::new(
            "POST",
            "/plan/training/session/remove",
            Practice(O::EditPlan),
            post(plan_training::remove_session),
        ),
        Entry::new(
            "POST",
            "/plan/training/completion",
            Practice(O::EditPlan),
            post(plan_training::save_completion),
        ),
        Entry::new(
            "GET",
            "/plan/workflow",
            Practice(O::EditPlan),
            get(plan_workflow::workflow_page),
        ),
        Entry::new(
            "POST",
            "/plan/workflow",
            Practice(O::EditPlan),
            post(plan_workflow::save),
        ),
        Entry::new(
            "POST",
            "/plan/workflow/start",
            Practice(O::EditPlan),
            post(plan_workflow::start),
        ),
        Entry::new(
            "POST",
            "/plan/training/module",
            Practice(O::EditPlan),
            post(plan_training::save_module),
        ),
        Entry::new(
            "POST",
            "/plan/training/module/remove",
            Practice(O::EditPlan),
            post(plan_training::remove_module),
        ),
        Entry::new(
            "POST",
            "/plan/workflow/step",
            Practice(O::EditPlan),
            post(plan_workflow::add_step),
        ),
        Entry::new(
            "POST",
            "/plan/workflow/step/remove",
            Practice(O::EditPlan),
            post(plan_workflow::remove_step),
        ),
        Entry::new(
            "POST",
            "/plan/workflow/step/move",
            Practice(O::EditPlan),
            post(plan_workflow::move_step),
        ),
        Entry::new(
            "GET",
            "/plan/meetings",
            Practice(O::ReadPlan),
            get(plan_meetings::meetings_page),
        ),
        Entry::new(
            "POST",
            "/plan/meetings",
            Practice(O::EditPlan),
            post(plan_meetings::save_meeting),
        ),
        Entry::new(
            "POST",
            "/plan/meetings/remove",
            Practice(O::EditPlan),
            post(plan_meetings::remove_meeting),
        ),
        Entry::new(
            "POST",
            "/plan/meetings/note",
            Practice(O::EditPlan),
            post(plan_meetings::save_note),
        ),
        Entry::new(
            "POST",
            "/plan/consultant",
            Practice(O::EditPlan),
            post(plan_meetings::save_consultant),
        ),
        Entry::new(
            "GET",
            "/plan/patient-content",
            Practice(O::ReadPlan),
            get(plan_content::content_page),
        ),
        Entry::new(
            "POST",
            "/plan/patient-content",
            Practice(O::EditPlan),
            post(plan_content::save),
        ),
        Entry::new(
            "GET",
            "/plan/patient-content/handout",
            Practice(O::ReadPlan),
            get(plan_content::handout),
        ),
        Entry::new(
            "GET",
            "/plan/patient-content/edit",
            Practice(O::EditPlan),
            get(plan_content::edit_form),
        ),
        Entry::new(
            "POST",
            "/plan/patient-content/reset",
            Practice(O::EditPlan),
            post(plan_content::reset),
        ),
        Entry::new("GET", "/assets/{*path}", Public, get(assets::serve)),
    ]
}
