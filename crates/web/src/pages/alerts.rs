//! Open safety alerts as the pages show them: on the home page of care managers and treating
//! practitioners (their patients'), and on the patient's chart.

use crate::access::Authenticated;
use crate::state::AppState;
use stepwise_domain::access::{Operation, acting_role};
use stepwise_domain::safety::{AlertKind, AlertStatus};
use stepwise_store::StoreError;
use stepwise_store::model::{SafetyAlert, SafetyAlertEntry};

/// One open alert, formatted.
pub struct AlertView {
    /// Set where the page lists several patients.
    pub patient_id: Option<String>,
    pub patient: String,
    pub kind: &'static str,
    pub what: String,
    pub raised_on: String,
}

fn kind_label(kind: AlertKind) -> &'static str {
    match kind {
        AlertKind::Positive => "Safety alert",
        AlertKind::Unanswered => "Safety item not answered",
    }
}

fn view(alert: &SafetyAlert, patient: Option<(String, String)>) -> AlertView {
    let (patient_id, patient) = match patient {
        Some((id, name)) => (Some(id), name),
        None => (None, String::new()),
    };
    AlertView {
        patient_id,
        patient,
        kind: kind_label(alert.kind),
        what: alert.items_label.clone(),
        raised_on: alert.raised_on.to_string(),
    }
}

fn entry_view(e: &SafetyAlertEntry) -> AlertView {
    view(
        &e.alert,
        Some((
            e.patient.id.to_string(),
            format!("{}, {}", e.patient.family_name, e.patient.given_name),
        )),
    )
}

/// The open alerts of the signed-in clinician's patients; none for roles that have no
/// patients of their own.
pub async fn my_open_alerts(
    state: &AppState,
    auth: &Authenticated,
) -> Result<Vec<AlertView>, StoreError> {
    let Some(role) = acting_role(&auth.user.roles, Operation::ReadOwnAlerts, None) else {
        return Ok(Vec::new());
    };
    let entries = state
        .store
        .open_safety_alerts(&auth.ctx(Some(role)), auth.user.id)
        .await?;
    Ok(entries.iter().map(entry_view).collect())
}

/// The open ones among a patient's alerts.
pub fn open_on_chart(alerts: &[SafetyAlert]) -> Vec<AlertView> {
    alerts
        .iter()
        .filter(|a| a.status == AlertStatus::Open)
        .map(|a| view(a, None))
        .collect()
}
