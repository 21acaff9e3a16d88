//! The caseload and the case-review list.

use super::alerts::{AlertView, my_open_alerts};
use super::{Chrome, render};
use crate::access::{Can, op};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use stepwise_domain::registry::{CaseloadRow, Trend};
use stepwise_store::model::PatientSummary;

/// One caseload row, formatted for the page.
pub struct RowView {
    pub patient_id: String,
    pub name: String,
    pub mrn: String,
    pub status: &'static str,
    pub program: &'static str,
    /// (code for styling, label, reason)
    pub flags: Vec<(&'static str, &'static str, String)>,
    pub phq9: String,
    pub gad7: String,
    pub weeks: String,
    pub sessions: u32,
    pub last_contact: String,
    pub follow_up_due: String,
    pub last_review: String,
    pub minutes: String,
    pub reasons: String,
}

fn trend(t: Option<&Trend>, change: Option<f64>) -> String {
    match t {
        None => "—".into(),
        Some(t) if t.count == 1 => format!("{} ({})", t.first.total, t.first.on),
        Some(t) => {
            let c = change.map(|c| format!(", {c:+.0} %")).unwrap_or_default();
            format!("{} → {}{c} ({})", t.first.total, t.last.total, t.last.on)
        }
    }
}

fn opt_date(d: Option<time::Date>) -> String {
    d.map_or_else(|| "—".into(), |d| d.to_string())
}

pub fn row_view(p: &PatientSummary, r: &CaseloadRow) -> RowView {
    RowView {
        patient_id: p.id.to_string(),
        name: format!("{}, {}", p.family_name, p.given_name),
        mrn: p.mrn.clone(),
        status: r.status.label(),
        program: r.program.label(),
        flags: r
            .flags
            .iter()
            .map(|f| (f.kind.code(), f.kind.label(), f.reason.clone()))
            .collect(),
        phq9: trend(r.phq9.as_ref(), r.phq9_change_percent),
        gad7: trend(r.gad7.as_ref(), r.gad7_change_percent),
        weeks: r
            .weeks_in_treatment
            .map_or_else(|| "—".into(), |w| w.to_string()),
        sessions: r.sessions,
        last_contact: opt_date(r.last_contact_on),
        follow_up_due: opt_date(r.follow_up_due),
        last_review: opt_date(r.last_case_review_on),
        minutes: match (&r.next_threshold_code, r.minutes_to_next_threshold) {
            (Some(code), Some(to_go)) => {
                format!("{} min ({to_go} to {code})", r.minutes_this_month)
            }
            _ => format!("{} min", r.minutes_this_month),
        },
        reasons: String::new(),
    }
}

#[derive(Template)]
#[template(path = "caseload.html")]
pub struct CaseloadPage {
    pub chrome: Chrome,
    pub title: &'static str,
    pub rows: Vec<RowView>,
    pub review_list: bool,
    /// The open safety alerts of the care manager's patients, above the caseload.
    pub alerts: Vec<AlertView>,
}

pub async fn caseload(State(state): State<AppState>, can: Can<op::ReadOwnCaseload>) -> Response {
    let settings = &can.auth.practice.settings.registry;
    // The caseload first: the request's audit event is the first read's (`caseload.read`).
    let entries = state
        .store
        .caseload(&can.ctx, can.auth.user.id, settings)
        .await;
    let alerts = match my_open_alerts(&state, &can.auth).await {
        Ok(a) => a,
        Err(e) => return super::error_page(e.into()),
    };
    match entries {
        Ok(entries) => render(&CaseloadPage {
            chrome: Chrome::new(&can.auth, state.config.demo.is_some()),
            title: "My caseload",
            rows: entries
                .iter()
                .map(|e| row_view(&e.patient, &e.row))
                .collect(),
            review_list: false,
            alerts,
        }),
        Err(e) => super::error_page(e.into()),
    }
}

pub async fn review_list(State(state): State<AppState>, can: Can<op::ReadReviewList>) -> Response {
    let settings = &can.auth.practice.settings.registry;
    match state.store.review_list(&can.ctx, settings).await {
        Ok(entries) => render(&CaseloadPage {
            chrome: Chrome::new(&can.auth, state.config.demo.is_some()),
            title: "Psychiatric case review list",
            rows: entries
                .iter()
                .map(|e| RowView {
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
            alerts: Vec::new(),
        }),
        Err(e) => super::error_page(e.into()),
    }
}
