//! Safety alerts and tasks: the open alerts of one's patients, a patient's alerts, closing an
//! alert with the action taken, and one's own tasks.

use super::{Body, IfMatch, with_etag};
use crate::access::{Can, OnPatient, OnRecord, SafetyAlertKey, op};
use crate::error::ApiResult;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use stepwise_domain::ids::{PatientId, SafetyAlertId};
use stepwise_domain::safety::ClosureInput;
use stepwise_store::model::{SafetyAlert, SafetyAlertEntry, TaskEntry};

/// The open safety alerts of the signed-in clinician's patients (as their care manager or
/// treating practitioner), oldest first.
#[utoipa::path(get, path = "/api/v1/alerts", tag = "safety",
    responses((status = 200, body = Vec<SafetyAlertEntry>), (status = 404, body = crate::error::Problem)))]
pub async fn open_alerts(
    State(state): State<AppState>,
    can: Can<op::ReadOwnAlerts>,
) -> ApiResult<Json<Vec<SafetyAlertEntry>>> {
    Ok(Json(
        state
            .store
            .open_safety_alerts(&can.ctx, can.auth.user.id)
            .await?,
    ))
}

/// A patient's safety alerts, open and closed, newest first; each one's `version` is what
/// closing it needs in `If-Match`.
#[utoipa::path(get, path = "/api/v1/patients/{id}/alerts", tag = "safety", params(("id" = PatientId, Path)),
    responses((status = 200, body = Vec<SafetyAlert>), (status = 404, body = crate::error::Problem)))]
pub async fn patient_alerts(
    State(state): State<AppState>,
    on: OnPatient<op::ReadClinical>,
) -> ApiResult<Json<Vec<SafetyAlert>>> {
    Ok(Json(
        state.store.patient_safety_alerts(&on.ctx, on.id).await?,
    ))
}

/// Close an open alert with the action taken (the patient's care manager or treating
/// practitioner; needs If-Match). `other` needs a note; `item_asked` closes only an alert for
/// an unanswered item. The alert's task is completed with it.
#[utoipa::path(post, path = "/api/v1/alerts/{id}/closure", tag = "safety", request_body = ClosureInput,
    params(("id" = SafetyAlertId, Path), ("If-Match" = String, Header, description = "the alert's version")),
    responses((status = 200, body = SafetyAlert), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem), (status = 428, body = crate::error::Problem)))]
pub async fn close(
    State(state): State<AppState>,
    on: OnRecord<SafetyAlertKey, op::CloseSafetyAlert>,
    IfMatch(version): IfMatch,
    Body(input): Body<ClosureInput>,
) -> ApiResult<Response> {
    let alert = state
        .store
        .close_safety_alert(&on.ctx, on.id, version, &input)
        .await?;
    Ok(with_etag(alert.version, alert))
}

/// The signed-in user's open tasks, earliest due first.
#[utoipa::path(get, path = "/api/v1/tasks", tag = "safety",
    responses((status = 200, body = Vec<TaskEntry>), (status = 404, body = crate::error::Problem)))]
pub async fn my_tasks(
    State(state): State<AppState>,
    can: Can<op::ReadOwnTasks>,
) -> ApiResult<Json<Vec<TaskEntry>>> {
    Ok(Json(
        state.store.open_tasks(&can.ctx, can.auth.user.id).await?,
    ))
}
