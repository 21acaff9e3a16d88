//! The home page: what the signed-in person has to do today.

use super::alerts::{AlertView, TaskView, my_open_alerts, my_open_tasks};
use super::registry::{CaseloadPage, row_view};
use super::{Chrome, render};
use crate::access::Authenticated;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use stepwise_domain::access::{Operation, acting_role};
use stepwise_domain::role::Role;
use stepwise_store::RecommendationFilter;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    chrome: Chrome,
    can_search: bool,
    /// (patient, reviewed on, text, status, id, version, waiting for a decision)
    recommendations: Vec<(String, String, String, &'static str, String, i64, bool)>,
    show_recommendations: bool,
    alerts: Vec<AlertView>,
    tasks: Vec<TaskView>,
    /// The month to close, for the billing role.
    close_month: Option<String>,
    /// The practice administrator edits the billing settings.
    billing_settings: bool,
}

pub async fn home(State(state): State<AppState>, auth: Authenticated) -> Response {
    let demo = state.config.demo.is_some();
    let settings = &auth.practice.settings.registry;
    let roles = &auth.user.roles;
    // Open safety alerts come first on the home page of care managers and practitioners.
    let alerts = match my_open_alerts(&state, &auth).await {
        Ok(a) => a,
        Err(e) => return super::error_page(e.into()),
    };
    // A care manager starts on the caseload, the consultant on the review list.
    if let Some(role) = acting_role(roles, Operation::ReadOwnCaseload, None) {
        return match state
            .store
            .caseload(&auth.ctx(Some(role)), auth.user.id, settings)
            .await
        {
            Ok(entries) => render(&CaseloadPage {
                chrome: Chrome::new(&auth, demo),
                title: "My caseload",
                rows: entries
                    .iter()
                    .map(|e| row_view(&e.patient, &e.row))
                    .collect(),
                review_list: false,
                alerts,
            }),
            Err(e) => super::error_page(e.into()),
        };
    }
    if roles.contains(&Role::Psychiatrist) {
        return match state
            .store
            .review_list(&auth.ctx(Some(Role::Psychiatrist)), settings)
            .await
        {
            Ok(entries) => render(&CaseloadPage {
                chrome: Chrome::new(&auth, demo),
                title: "Psychiatric case review list",
                rows: entries
                    .iter()
                    .map(|e| super::registry::RowView {
                        reasons: e
                            .reasons
                            .iter()
                            .map(|r| r.code().replace('_', " "))
                            .collect::<Vec<_>>()
                            .join(", "),
                        ..row_view(&e.patient, &e.row)
                    })
                    .collect(),
                review_list: true,
                alerts,
            }),
            Err(e) => super::error_page(e.into()),
        };
    }
    let mut recommendations = Vec::new();
    let show_recommendations = roles.contains(&Role::TreatingPractitioner);
    if show_recommendations {
        let ctx = auth.ctx(Some(Role::TreatingPractitioner));
        match state
            .store
            .recommendations(
                &ctx,
                RecommendationFilter::OpenForPractitioner(auth.user.id),
            )
            .await
        {
            Ok(recs) => {
                recommendations = recs
                    .into_iter()
                    .map(|r| {
                        let waiting = r.status.is_open() && r.decided_by.is_none();
                        (
                            r.patient.to_string(),
                            r.review_on.to_string(),
                            r.text,
                            if waiting {
                                "waiting for your decision"
                            } else {
                                "accepted, not yet done"
                            },
                            r.id.to_string(),
                            r.version,
                            waiting,
                        )
                    })
                    .collect();
            }
            Err(e) => return super::error_page(e.into()),
        }
    }
    // The person who recorded a safety answer for a patient without a care team has its task.
    let tasks = match my_open_tasks(&state, &auth).await {
        Ok(t) => t,
        Err(e) => return super::error_page(e.into()),
    };
    render(&HomePage {
        chrome: Chrome::new(&auth, demo),
        can_search: acting_role(roles, Operation::ReadDemographics, None).is_some(),
        recommendations,
        show_recommendations,
        alerts,
        tasks,
        close_month: acting_role(roles, Operation::CloseBillingMonth, None).map(|_| {
            stepwise_domain::calendar::YearMonth::of(auth.today)
                .prev()
                .to_string()
        }),
        billing_settings: acting_role(roles, Operation::Administer, None).is_some(),
    })
}
