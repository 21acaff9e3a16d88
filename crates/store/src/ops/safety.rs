//! Safety alerts and their tasks. An alert is raised inside the transaction that records the
//! response (`raise_alert`, called by `add_assessment`), with the task for the responsible
//! clinician and the refreshed registry facts of the patient's episodes: the four are durable
//! together or not at all. It is closed only with a documented action by a clinician, which
//! completes its task; both are audited.

use crate::Store;
use crate::audit::{self, AuditCategory};
use crate::db::{Conn, Tx, args};
use crate::error::{Result, StoreError};
use crate::model::{Ctx, Patient, PatientSummary, SafetyAlert, SafetyAlertEntry, Task, TaskEntry};
use crate::ops::registry::refresh_patient_facts;
use crate::ops::{code, from_json, new_id, to_json};
use stepwise_domain::assessment::ScoredResponse;
use stepwise_domain::audit::AuditAction;
use stepwise_domain::ids::{
    AssessmentId, EpisodeId, PatientId, PracticeId, SafetyAlertId, TaskId, UserId,
};
use stepwise_domain::instruments::InstrumentId;
use stepwise_domain::safety::{
    AlertKind, AlertStatus, ClosureAction, ClosureInput, RaisedAlert, describe_items,
    responsible_clinician, task_due, task_kind, task_summary,
};
use stepwise_domain::task::{TaskKind, TaskSource, TaskStatus};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct AlertRow {
    id: Uuid,
    patient_id: Uuid,
    episode_id: Option<Uuid>,
    assessment_id: Uuid,
    instrument: String,
    kind: String,
    items: String,
    raised_on: Date,
    raised_at: OffsetDateTime,
    raised_by: Uuid,
    status: String,
    closed_at: Option<OffsetDateTime>,
    closed_by: Option<Uuid>,
    closure_action: Option<String>,
    closure_note: Option<String>,
    version: i64,
}

impl AlertRow {
    fn into_model(self) -> Result<SafetyAlert> {
        let instrument = code(InstrumentId::parse(&self.instrument))?;
        let items: Vec<u8> = from_json(&self.items)?;
        Ok(SafetyAlert {
            id: SafetyAlertId::from_uuid(self.id),
            patient: PatientId::from_uuid(self.patient_id),
            episode: self.episode_id.map(EpisodeId::from_uuid),
            assessment: AssessmentId::from_uuid(self.assessment_id),
            instrument,
            kind: code(AlertKind::parse(&self.kind))?,
            items_label: describe_items(instrument, &items),
            items,
            raised_on: self.raised_on,
            raised_at: self.raised_at,
            raised_by: UserId::from_uuid(self.raised_by),
            status: code(AlertStatus::parse(&self.status))?,
            closed_at: self.closed_at,
            closed_by: self.closed_by.map(UserId::from_uuid),
            closure_action: self
                .closure_action
                .as_deref()
                .map(ClosureAction::parse)
                .transpose()
                .map_err(StoreError::corrupt)?,
            closure_note: self.closure_note,
            version: self.version,
        })
    }
}

/// The columns of [`AlertRow`], prefixed `a.`, for `concat!` into queries.
macro_rules! alert_columns {
    () => {
        "a.id, a.patient_id, a.episode_id, a.assessment_id, a.instrument, a.kind, a.items, a.raised_on, \
         a.raised_at, a.raised_by, a.status, a.closed_at, a.closed_by, a.closure_action, a.closure_note, a.version"
    };
}

#[derive(sqlx::FromRow)]
struct TaskRow {
    id: Uuid,
    patient_id: Uuid,
    kind: String,
    summary: String,
    due_on: Date,
    status: String,
    assignee_id: Uuid,
    source_kind: String,
    source_id: Uuid,
    created_at: OffsetDateTime,
    completed_at: Option<OffsetDateTime>,
    completed_by: Option<Uuid>,
}

impl TaskRow {
    fn into_model(self) -> Result<Task> {
        Ok(Task {
            id: TaskId::from_uuid(self.id),
            patient: PatientId::from_uuid(self.patient_id),
            kind: code(TaskKind::parse(&self.kind))?,
            summary: self.summary,
            due_on: self.due_on,
            status: code(TaskStatus::parse(&self.status))?,
            assignee: UserId::from_uuid(self.assignee_id),
            source_kind: code(TaskSource::parse(&self.source_kind))?,
            source_id: self.source_id,
            created_at: self.created_at,
            completed_at: self.completed_at,
            completed_by: self.completed_by.map(UserId::from_uuid),
        })
    }
}

/// An alert joined with its patient's identity.
#[derive(sqlx::FromRow)]
struct AlertWithPatient {
    #[sqlx(flatten)]
    row: AlertRow,
    mrn: String,
    given_name: String,
    family_name: String,
    birth_date: Date,
}

/// A task joined with its patient's identity.
#[derive(sqlx::FromRow)]
struct TaskWithPatient {
    #[sqlx(flatten)]
    row: TaskRow,
    mrn: String,
    given_name: String,
    family_name: String,
    birth_date: Date,
}

fn summary(
    id: Uuid,
    mrn: String,
    given_name: String,
    family_name: String,
    birth_date: Date,
) -> PatientSummary {
    PatientSummary {
        id: PatientId::from_uuid(id),
        mrn,
        given_name,
        family_name,
        birth_date,
    }
}

async fn load_alert(
    c: &mut Conn<'_>,
    practice: PracticeId,
    id: SafetyAlertId,
) -> Result<SafetyAlert> {
    let row: AlertRow = c
        .fetch_one(
            concat!(
                "SELECT ",
                alert_columns!(),
                " FROM safety_alerts a WHERE a.id = $1 AND a.practice_id = $2"
            ),
            args![id, practice],
        )
        .await?;
    row.into_model()
}

/// The response an alert comes from.
pub(crate) struct AlertSource<'a> {
    pub assessment: AssessmentId,
    pub episode: Option<EpisodeId>,
    pub response: &'a ScoredResponse,
    pub recorded_by: UserId,
}

/// Raise the alert of a response just recorded, with its task, inside the response's
/// transaction. The caller refreshes the patient's registry facts in the same transaction.
pub(crate) async fn raise_alert(
    tx: &mut Tx,
    ctx: &Ctx,
    patient: &Patient,
    source: &AlertSource<'_>,
    raised: &RaisedAlert,
) -> Result<SafetyAlertId> {
    let AlertSource {
        assessment,
        episode,
        response,
        recorded_by,
    } = *source;
    let id: SafetyAlertId = new_id();
    tx.execute(
        "INSERT INTO safety_alerts (id, practice_id, patient_id, episode_id, assessment_id, instrument, kind, items, \
         raised_on, raised_at, raised_by, status, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'open', 1)",
        args![
            id,
            ctx.practice,
            patient.id,
            episode,
            assessment,
            response.instrument.code(),
            raised.kind.code(),
            to_json(&raised.items)?,
            ctx.today,
            ctx.now,
            ctx.user.unwrap_or(recorded_by)
        ],
    )
    .await?;
    audit::append(
        tx,
        &ctx.event(
            AuditAction::SafetyAlertRaise,
            AuditCategory::Clinical,
            Some(patient.id),
            format!("{id} {} from {assessment}", raised.kind),
        ),
    )
    .await?;
    let assignee = responsible_clinician(
        patient.assignments.care_manager,
        patient.assignments.treating_practitioner,
        recorded_by,
    );
    let task: TaskId = new_id();
    tx.execute(
        "INSERT INTO tasks (id, practice_id, patient_id, kind, summary, due_on, status, assignee_id, source_kind, \
         source_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8, $9, $10)",
        args![
            task,
            ctx.practice,
            patient.id,
            task_kind(raised.kind).code(),
            task_summary(response.instrument, raised.kind, &raised.items),
            task_due(ctx.today),
            assignee,
            TaskSource::SafetyAlert.code(),
            id.as_uuid(),
            ctx.now
        ],
    )
    .await?;
    audit::append(
        tx,
        &ctx.event(
            AuditAction::TaskCreate,
            AuditCategory::Clinical,
            Some(patient.id),
            format!("{task} for {assignee} from safety alert {id}"),
        ),
    )
    .await?;
    Ok(id)
}

impl Store {
    /// Close an open alert with the action taken (`version` from its ETag). Only a signed-in
    /// clinician closes an alert: the system never dismisses one. The alert's task is
    /// completed in the same transaction; both steps are audited.
    pub async fn close_safety_alert(
        &self,
        ctx: &Ctx,
        id: SafetyAlertId,
        version: i64,
        input: &ClosureInput,
    ) -> Result<SafetyAlert> {
        let Some(user) = ctx.user else {
            return Err(StoreError::invalid(
                "closed_by",
                "A safety alert is closed by a clinician, with the action taken; it is never closed without one",
            ));
        };
        let mut tx = self.begin().await?;
        let alert = load_alert(&mut tx.conn(), ctx.practice, id).await?;
        if alert.status == AlertStatus::Closed {
            return Err(StoreError::invalid("status", "The alert is already closed"));
        }
        if alert.version != version {
            return Err(StoreError::Conflict);
        }
        let closure = input.parse(alert.kind)?;
        let n = tx
            .execute(
                "UPDATE safety_alerts SET status = 'closed', closed_at = $4, closed_by = $5, closure_action = $6, \
                 closure_note = $7, version = version + 1 \
                 WHERE id = $1 AND practice_id = $2 AND version = $3 AND status = 'open'",
                args![
                    id,
                    ctx.practice,
                    version,
                    ctx.now,
                    user,
                    closure.action.code(),
                    closure.note.clone()
                ],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::Conflict);
        }
        audit::append(
            &mut tx,
            &ctx.event(
                AuditAction::SafetyAlertClose,
                AuditCategory::Clinical,
                Some(alert.patient),
                format!("{id} {}", closure.action),
            ),
        )
        .await?;
        let tasks: Vec<crate::db::One<Uuid>> = tx
            .conn()
            .fetch_all(
                "SELECT id FROM tasks WHERE practice_id = $1 AND source_kind = $2 AND source_id = $3 AND status = 'open' \
                 ORDER BY id",
                args![ctx.practice, TaskSource::SafetyAlert.code(), id.as_uuid()],
            )
            .await?;
        for task in tasks {
            let task = TaskId::from_uuid(task.0);
            tx.execute(
                "UPDATE tasks SET status = 'done', completed_at = $3, completed_by = $4 WHERE id = $1 AND practice_id = $2",
                args![task, ctx.practice, ctx.now, user],
            )
            .await?;
            audit::append(
                &mut tx,
                &ctx.event(
                    AuditAction::TaskComplete,
                    AuditCategory::Clinical,
                    Some(alert.patient),
                    format!("{task} with safety alert {id}"),
                ),
            )
            .await?;
        }
        refresh_patient_facts(&mut tx, ctx, alert.patient).await?;
        let closed = load_alert(&mut tx.conn(), ctx.practice, id).await?;
        tx.commit().await?;
        Ok(closed)
    }

    /// A patient's safety alerts, open and closed, newest first (audited).
    pub async fn patient_safety_alerts(
        &self,
        ctx: &Ctx,
        patient: PatientId,
    ) -> Result<Vec<SafetyAlert>> {
        let mut c = self.read().await?;
        crate::ops::patients::load_patient(&mut c.conn(), ctx.practice, patient).await?;
        let rows: Vec<AlertRow> = c
            .conn()
            .fetch_all(
                concat!(
                    "SELECT ",
                    alert_columns!(),
                    " FROM safety_alerts a WHERE a.patient_id = $1 AND a.practice_id = $2 \
                     ORDER BY a.raised_at DESC, a.id DESC"
                ),
                args![patient, ctx.practice],
            )
            .await?;
        drop(c);
        self.audit(ctx.event(
            AuditAction::SafetyAlertRead,
            AuditCategory::Clinical,
            Some(patient),
            format!("{} alerts", rows.len()),
        ))
        .await?;
        rows.into_iter().map(AlertRow::into_model).collect()
    }

    /// The open alerts of a clinician's patients (those whose care manager or treating
    /// practitioner they are), oldest first: none waits unseen behind newer ones (audited once).
    pub async fn open_safety_alerts(
        &self,
        ctx: &Ctx,
        clinician: UserId,
    ) -> Result<Vec<SafetyAlertEntry>> {
        let mut c = self.read().await?;
        let rows: Vec<AlertWithPatient> = c
            .conn()
            .fetch_all(
                concat!(
                    "SELECT ",
                    alert_columns!(),
                    ", p.mrn, p.given_name, p.family_name, p.birth_date \
                     FROM safety_alerts a JOIN patients p ON p.id = a.patient_id AND p.practice_id = a.practice_id \
                     WHERE a.practice_id = $1 AND a.status = 'open' \
                     AND (p.care_manager_id = $2 OR p.treating_practitioner_id = $2) \
                     ORDER BY a.raised_at, a.id"
                ),
                args![ctx.practice, clinician],
            )
            .await?;
        drop(c);
        self.audit(ctx.event(
            AuditAction::SafetyAlertRead,
            AuditCategory::Clinical,
            None,
            format!("open alerts of {clinician}: {}", rows.len()),
        ))
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(SafetyAlertEntry {
                    patient: summary(
                        r.row.patient_id,
                        r.mrn,
                        r.given_name,
                        r.family_name,
                        r.birth_date,
                    ),
                    alert: r.row.into_model()?,
                })
            })
            .collect()
    }

    /// A clinician's open tasks, earliest due first (audited once).
    pub async fn open_tasks(&self, ctx: &Ctx, assignee: UserId) -> Result<Vec<TaskEntry>> {
        let mut c = self.read().await?;
        let rows: Vec<TaskWithPatient> = c
            .conn()
            .fetch_all(
                "SELECT t.id, t.patient_id, t.kind, t.summary, t.due_on, t.status, t.assignee_id, t.source_kind, \
                 t.source_id, t.created_at, t.completed_at, t.completed_by, \
                 p.mrn, p.given_name, p.family_name, p.birth_date \
                 FROM tasks t JOIN patients p ON p.id = t.patient_id AND p.practice_id = t.practice_id \
                 WHERE t.practice_id = $1 AND t.assignee_id = $2 AND t.status = 'open' \
                 ORDER BY t.due_on, t.created_at, t.id",
                args![ctx.practice, assignee],
            )
            .await?;
        drop(c);
        self.audit(ctx.event(
            AuditAction::TaskRead,
            AuditCategory::Clinical,
            None,
            format!("open tasks of {assignee}: {}", rows.len()),
        ))
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(TaskEntry {
                    patient: summary(
                        r.row.patient_id,
                        r.mrn,
                        r.given_name,
                        r.family_name,
                        r.birth_date,
                    ),
                    task: r.row.into_model()?,
                })
            })
            .collect()
    }
}
