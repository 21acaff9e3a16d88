//! Open safety alerts as the pages show them: on the home page of care managers and treating
//! practitioners (their patients'), and on the patient's chart; and one's open tasks.

use crate::access::Authenticated;
use crate::state::AppState;
use stepwise_domain::access::{Operation, acting_role};
use stepwise_domain::safety::{AlertKind, AlertStatus};
use stepwise_store::StoreError;
use stepwise_store::model::{SafetyAlert, SafetyAlertEntry, TaskEntry};

/// One open alert, formatted.
pub struct AlertView {
    pub id: String,
    /// The viewer may close it (the chart sets it for the patient's care team).
    pub closable: bool,
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
        id: alert.id.to_string(),
        closable: false,
        patient_id,
        patient,
        kind: kind_label(alert.kind),
        what: alert.items_label.clone(),
        raised_on: alert.raised_on.to_string(),
    }
}

/// One of the viewer's own patients' alerts: their care team closes it.
fn entry_view(e: &SafetyAlertEntry) -> AlertView {
    let v = view(
        &e.alert,
        Some((
            e.patient.id.to_string(),
            format!("{}, {}", e.patient.family_name, e.patient.given_name),
        )),
    );
    AlertView {
        closable: true,
        ..v
    }
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

/// The open ones among a patient's alerts; `closable` when the viewer may close them.
pub fn open_on_chart(alerts: &[SafetyAlert], closable: bool) -> Vec<AlertView> {
    alerts
        .iter()
        .filter(|a| a.status == AlertStatus::Open)
        .map(|a| AlertView {
            closable,
            ..view(a, None)
        })
        .collect()
}

/// One open task, formatted.
pub struct TaskView {
    pub patient_id: String,
    pub patient: String,
    pub summary: String,
    pub due_on: String,
}

fn task_view(e: &TaskEntry) -> TaskView {
    TaskView {
        patient_id: e.patient.id.to_string(),
        patient: format!("{}, {}", e.patient.family_name, e.patient.given_name),
        summary: e.task.summary.clone(),
        due_on: e.task.due_on.to_string(),
    }
}

/// The signed-in user's open tasks; none for roles that are given no tasks.
pub async fn my_open_tasks(
    state: &AppState,
    auth: &Authenticated,
) -> Result<Vec<TaskView>, StoreError> {
    let Some(role) = acting_role(&auth.user.roles, Operation::ReadOwnTasks, None) else {
        return Ok(Vec::new());
    };
    let entries = state
        .store
        .open_tasks(&auth.ctx(Some(role)), auth.user.id)
        .await?;
    Ok(entries.iter().map(task_view).collect())
}
