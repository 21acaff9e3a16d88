use crate::Store;
use crate::audit::{self, AuditCategory};
use crate::db::{Conn, args};
use crate::error::{Result, StoreError};
use crate::model::{Assessment, Ctx, redisclosure_notice};
use crate::ops::contacts::check_reason;
use crate::ops::episodes::load_episode;
use crate::ops::metrics::refresh_patient_screens;
use crate::ops::registry::{refresh_facts, refresh_patient_facts};
use crate::ops::safety::{AlertSource, raise_alert};
use crate::ops::{code, from_json, new_id, to_json};
use stepwise_domain::assessment::{AdministrationMode, ScoredResponse};
use stepwise_domain::audit::AuditAction;
use stepwise_domain::ids::{AssessmentId, EpisodeId, PatientId, PracticeId, SafetyAlertId, UserId};
use stepwise_domain::instruments::InstrumentId;
use stepwise_domain::record::RecordStatus;
use stepwise_domain::safety::raised_alert;
use stepwise_domain::sensitivity::RecordLabel;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct AssessmentRow {
    id: Uuid,
    patient_id: Uuid,
    episode_id: Option<Uuid>,
    instrument: String,
    administered_on: Date,
    administered_by: Uuid,
    mode: String,
    answers: String,
    score: String,
    status: String,
    error_reason: Option<String>,
    replaces_id: Option<Uuid>,
    safety_alert_id: Option<Uuid>,
    created_at: OffsetDateTime,
    label: String,
}

impl AssessmentRow {
    fn into_model(self) -> Result<Assessment> {
        let label = code(RecordLabel::parse(&self.label))?;
        Ok(Assessment {
            id: AssessmentId::from_uuid(self.id),
            patient: PatientId::from_uuid(self.patient_id),
            episode: self.episode_id.map(EpisodeId::from_uuid),
            instrument: code(InstrumentId::parse(&self.instrument))?,
            administered_on: self.administered_on,
            administered_by: UserId::from_uuid(self.administered_by),
            mode: code(AdministrationMode::parse(&self.mode))?,
            answers: from_json(&self.answers)?,
            score: from_json(&self.score)?,
            status: code(RecordStatus::parse(&self.status))?,
            error_reason: self.error_reason,
            replaces: self.replaces_id.map(AssessmentId::from_uuid),
            safety_alert: self.safety_alert_id.map(SafetyAlertId::from_uuid),
            created_at: self.created_at,
            label,
            redisclosure_notice: redisclosure_notice(label),
        })
    }
}

/// The columns of [`AssessmentRow`] from `assessments s`, with its alert from `safety_alerts a`
/// (for `concat!` into queries).
macro_rules! assessment_columns {
    () => {
        "s.id, s.patient_id, s.episode_id, s.instrument, s.administered_on, s.administered_by, s.mode, s.answers, \
         s.score, s.status, s.error_reason, s.replaces_id, a.id AS safety_alert_id, s.created_at, s.label"
    };
}

/// `assessments s` with its alert, if any (at most one per response).
macro_rules! assessments_with_alert {
    () => {
        " FROM assessments s LEFT JOIN safety_alerts a ON a.assessment_id = s.id AND a.practice_id = s.practice_id"
    };
}

async fn load_assessment(
    c: &mut Conn<'_>,
    practice: PracticeId,
    id: AssessmentId,
) -> Result<Assessment> {
    let row: AssessmentRow = c
        .fetch_one(
            concat!(
                "SELECT ",
                assessment_columns!(),
                assessments_with_alert!(),
                " WHERE s.id = $1 AND s.practice_id = $2"
            ),
            args![id, practice],
        )
        .await?;
    row.into_model()
}

impl Store {
    /// Record a scored response. Without an explicit episode, the response joins the
    /// patient's open episode (Collaborative Care first), so a PHQ-9 taken at a visit counts in
    /// the registry; with none open it is kept on the patient alone (a screening).
    ///
    /// A response whose safety items alert, or are left unanswered, raises a safety alert and
    /// a same-day task for the responsible clinician (`domain::safety`) in the same
    /// transaction, and the patient's registry facts are refreshed with it: the response, the
    /// alert, the task, the flag and their audit events are durable together or not at all.
    pub async fn add_assessment(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        episode: Option<EpisodeId>,
        administered_by: UserId,
        response: &ScoredResponse,
    ) -> Result<Assessment> {
        let mut tx = self.begin().await?;
        let patient_record =
            crate::ops::patients::load_patient(&mut tx.conn(), ctx.practice, patient).await?;
        let episode = match episode {
            Some(e) => {
                let ep = load_episode(&mut tx.conn(), ctx.practice, e).await?;
                if ep.patient != patient {
                    return Err(StoreError::invalid(
                        "episode",
                        "The episode belongs to another patient",
                    ));
                }
                Some(e)
            }
            None => {
                let open: Option<crate::db::One<Uuid>> = tx
                    .fetch_optional(
                        "SELECT id FROM episodes WHERE patient_id = $1 AND practice_id = $2 \
                         AND status NOT IN ('discharged', 'lapsed') ORDER BY program DESC, referred_on DESC LIMIT 1",
                        args![patient, ctx.practice],
                    )
                    .await?;
                open.map(|o| EpisodeId::from_uuid(o.0))
            }
        };
        let id: AssessmentId = new_id();
        let s = &response.score;
        tx.execute(
            "INSERT INTO assessments (id, practice_id, patient_id, episode_id, instrument, administered_on, administered_by, \
             mode, answers, total, complete, band, positive, safety, score, status, created_at, created_by, label) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 'final', $16, $17, $18)",
            args![
                id,
                ctx.practice,
                patient,
                episode,
                response.instrument.code(),
                response.administered_on,
                administered_by,
                response.mode.code(),
                to_json(&response.answers)?,
                s.total,
                s.complete,
                s.band.clone(),
                s.positive,
                s.safety.code(),
                to_json(s)?,
                ctx.now,
                ctx.user.unwrap_or(administered_by),
                response.label.code()
            ],
        )
        .await?;
        audit::append(
            &mut tx,
            &ctx.event(
                AuditAction::AssessmentCreate,
                AuditCategory::Assessment,
                Some(patient),
                id.to_string(),
            ),
        )
        .await?;
        match raised_alert(&response.score, &response.answers) {
            Some(raised) => {
                let source = AlertSource {
                    assessment: id,
                    episode,
                    response,
                    recorded_by: administered_by,
                };
                raise_alert(&mut tx, ctx, &patient_record, &source, &raised).await?;
                refresh_patient_facts(&mut tx, ctx, patient).await?;
            }
            None => {
                if let Some(e) = episode {
                    refresh_facts(&mut tx, ctx, e).await?;
                }
            }
        }
        refresh_patient_screens(&mut tx, ctx.practice, patient).await?;
        let a = load_assessment(&mut tx.conn(), ctx.practice, id).await?;
        tx.commit().await?;
        Ok(a)
    }

    /// Mark a response entered-in-error: kept on record, left out of scores and flags.
    pub async fn mark_assessment_entered_in_error(
        &self,
        ctx: &Ctx,
        id: AssessmentId,
        reason: &str,
    ) -> Result<Assessment> {
        let reason = check_reason(reason)?;
        let mut tx = self.begin().await?;
        let a = load_assessment(&mut tx.conn(), ctx.practice, id).await?;
        let n = tx
            .execute(
                "UPDATE assessments SET status = 'entered_in_error', error_reason = $3 WHERE id = $1 AND practice_id = $2 AND status = 'final'",
                args![id, ctx.practice, reason],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::invalid(
                "status",
                "The response is already marked entered-in-error",
            ));
        }
        if let Some(e) = a.episode {
            refresh_facts(&mut tx, ctx, e).await?;
        }
        refresh_patient_screens(&mut tx, ctx.practice, a.patient).await?;
        audit::append(
            &mut tx,
            &ctx.event(
                AuditAction::AssessmentEnteredInError,
                AuditCategory::Assessment,
                Some(a.patient),
                id.to_string(),
            ),
        )
        .await?;
        let updated = load_assessment(&mut tx.conn(), ctx.practice, id).await?;
        tx.commit().await?;
        Ok(updated)
    }

    /// A patient's responses, oldest first, optionally of one instrument (audited): the
    /// trajectory for charts.
    pub async fn patient_assessments(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        instrument: Option<InstrumentId>,
    ) -> Result<Vec<Assessment>> {
        let mut c = self.read().await?;
        crate::ops::patients::load_patient(&mut c.conn(), ctx.practice, patient).await?;
        let rows: Vec<AssessmentRow> = c
            .conn()
            .fetch_all(
                concat!(
                    "SELECT ",
                    assessment_columns!(),
                    assessments_with_alert!(),
                    " WHERE s.patient_id = $1 AND s.practice_id = $2 AND ($3 IS NULL OR s.instrument = $3) \
                     ORDER BY s.administered_on, s.created_at, s.id"
                ),
                args![patient, ctx.practice, instrument.map(InstrumentId::code)],
            )
            .await?;
        drop(c);
        self.audit(ctx.event(
            AuditAction::AssessmentRead,
            AuditCategory::Assessment,
            Some(patient),
            "",
        ))
        .await?;
        rows.into_iter().map(AssessmentRow::into_model).collect()
    }
}
