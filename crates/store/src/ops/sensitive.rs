//! The patient's Part 2 consent (42 CFR 2.31): recorded, read, revoked. The consent decides
//! whether the psychiatric consultant sees the patient's Part 2 records
//! (domain::sensitivity::visibility); a revocation takes effect the moment it is recorded.

use crate::Store;
use crate::audit::{self, AuditCategory};
use crate::db::{Conn, args};
use crate::error::{Result, StoreError};
use crate::model::{Ctx, Part2ConsentRecord};
use crate::ops::patients::{RecordRef, load_patient};
use crate::ops::{code, new_id};
use stepwise_domain::audit::AuditAction;
use stepwise_domain::contact::parse_note;
use stepwise_domain::error::ValidationError;
use stepwise_domain::ids::{Part2ConsentId, PatientId, PracticeId, UserId};
use stepwise_domain::sensitivity::{Part2Consent, Part2ConsentMethod, RecordLabel};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct Part2ConsentRow {
    id: Uuid,
    patient_id: Uuid,
    given_on: Date,
    method: String,
    recipients: String,
    information: String,
    purpose: String,
    expires_on: Date,
    recorded_by: Uuid,
    recorded_at: OffsetDateTime,
    revoked_at: Option<OffsetDateTime>,
    revoked_by: Option<Uuid>,
    revocation_note: Option<String>,
}

macro_rules! columns {
    () => {
        "SELECT id, patient_id, given_on, method, recipients, information, purpose, expires_on, \
         recorded_by, recorded_at, revoked_at, revoked_by, revocation_note FROM part2_consents "
    };
}

impl Part2ConsentRow {
    fn into_model(self, today: Date) -> Result<Part2ConsentRecord> {
        let consent = Part2Consent {
            given_on: self.given_on,
            method: code(Part2ConsentMethod::parse(&self.method))?,
            recipients: self.recipients,
            information: self.information,
            purpose: self.purpose,
            expires_on: self.expires_on,
        };
        Ok(Part2ConsentRecord {
            id: Part2ConsentId::from_uuid(self.id),
            patient: PatientId::from_uuid(self.patient_id),
            in_force: consent.in_force(today, self.revoked_at.is_some()),
            consent,
            recorded_by: UserId::from_uuid(self.recorded_by),
            recorded_at: self.recorded_at,
            revoked_at: self.revoked_at,
            revoked_by: self.revoked_by.map(UserId::from_uuid),
            revocation_note: self.revocation_note,
        })
    }
}

async fn load(c: &mut Conn<'_>, ctx: &Ctx, id: Part2ConsentId) -> Result<Part2ConsentRecord> {
    let row: Part2ConsentRow = c
        .fetch_one(
            concat!(columns!(), "WHERE id = $1 AND practice_id = $2"),
            args![id, ctx.practice],
        )
        .await?;
    row.into_model(ctx.today)
}

async fn patient_consents(
    c: &mut Conn<'_>,
    practice: PracticeId,
    patient: PatientId,
    today: Date,
) -> Result<Vec<Part2ConsentRecord>> {
    let rows: Vec<Part2ConsentRow> = c
        .fetch_all(
            concat!(
                columns!(),
                "WHERE patient_id = $1 AND practice_id = $2 ORDER BY recorded_at DESC, id DESC"
            ),
            args![patient, practice],
        )
        .await?;
    rows.into_iter().map(|r| r.into_model(today)).collect()
}

impl Store {
    /// Record the patient's Part 2 consent.
    pub async fn record_part2_consent(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        consent: &Part2Consent,
    ) -> Result<Part2ConsentRecord> {
        let by = ctx.user.ok_or_else(|| {
            StoreError::invalid("user", "A consent is recorded by a staff member")
        })?;
        let mut tx = self.begin().await?;
        load_patient(&mut tx.conn(), ctx.practice, patient).await?;
        let id: Part2ConsentId = new_id();
        tx.execute(
            "INSERT INTO part2_consents (id, practice_id, patient_id, given_on, method, recipients, \
             information, purpose, expires_on, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            args![
                id,
                ctx.practice,
                patient,
                consent.given_on,
                consent.method.code(),
                consent.recipients.clone(),
                consent.information.clone(),
                consent.purpose.clone(),
                consent.expires_on,
                by,
                ctx.now
            ],
        )
        .await?;
        audit::append(
            &mut tx,
            &ctx.event(
                AuditAction::Part2ConsentCreate,
                AuditCategory::Clinical,
                Some(patient),
                id.to_string(),
            ),
        )
        .await?;
        let record = load(&mut tx.conn(), ctx, id).await?;
        tx.commit().await?;
        Ok(record)
    }

    /// Revoke a Part 2 consent now: from this moment it no longer opens the patient's Part 2
    /// records to anyone it named. It stays on record with who revoked it, when, and the note.
    pub async fn revoke_part2_consent(
        &self,
        ctx: &Ctx,
        id: Part2ConsentId,
        note: Option<&str>,
    ) -> Result<Part2ConsentRecord> {
        let mut errors = ValidationError::new();
        let note = parse_note(&mut errors, "note", note);
        errors.into_result().map_err(StoreError::from)?;
        let mut tx = self.begin().await?;
        let current = load(&mut tx.conn(), ctx, id).await?;
        let n = tx
            .execute(
                "UPDATE part2_consents SET revoked_at = $3, revoked_by = $4, revocation_note = $5 \
                 WHERE id = $1 AND practice_id = $2 AND revoked_at IS NULL",
                args![id, ctx.practice, ctx.now, ctx.user, note],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::invalid(
                "revoked_at",
                "The consent is already revoked",
            ));
        }
        audit::append(
            &mut tx,
            &ctx.event(
                AuditAction::Part2ConsentRevoke,
                AuditCategory::Clinical,
                Some(current.patient),
                id.to_string(),
            ),
        )
        .await?;
        let record = load(&mut tx.conn(), ctx, id).await?;
        tx.commit().await?;
        Ok(record)
    }

    /// A patient's Part 2 consents, newest first, revoked ones included (audited).
    pub async fn patient_part2_consents(
        &self,
        ctx: &Ctx,
        patient: PatientId,
    ) -> Result<Vec<Part2ConsentRecord>> {
        let mut c = self.read().await?;
        load_patient(&mut c.conn(), ctx.practice, patient).await?;
        let list = patient_consents(&mut c.conn(), ctx.practice, patient, ctx.today).await?;
        drop(c);
        self.audit(ctx.event(
            AuditAction::Part2ConsentRead,
            AuditCategory::Clinical,
            Some(patient),
            "",
        ))
        .await?;
        Ok(list)
    }

    /// A contact's or an assessment's label and author, for the access decision on correcting
    /// it (not a read of the record). `None` for other records or a missing one.
    pub async fn record_label(
        &self,
        practice: PracticeId,
        record: RecordRef,
    ) -> Result<Option<(RecordLabel, UserId)>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            label: String,
            author: Uuid,
        }
        let mut c = self.read().await?;
        let row: Option<Row> = match record {
            RecordRef::Contact(id) => {
                c.conn()
                    .fetch_optional(
                        "SELECT label, staff_id AS author FROM contacts \
                         WHERE id = $1 AND practice_id = $2",
                        args![id, practice],
                    )
                    .await?
            }
            RecordRef::Assessment(id) => {
                c.conn()
                    .fetch_optional(
                        "SELECT label, administered_by AS author FROM assessments \
                         WHERE id = $1 AND practice_id = $2",
                        args![id, practice],
                    )
                    .await?
            }
            _ => None,
        };
        row.map(|r| {
            Ok((
                code(RecordLabel::parse(&r.label))?,
                UserId::from_uuid(r.author),
            ))
        })
        .transpose()
    }

    /// Whether a Part 2 consent of the patient is in force on `today` and not revoked: an
    /// access decision, like [`Store::relationship`], not a read of the record.
    pub async fn part2_consent_in_force(
        &self,
        practice: PracticeId,
        patient: PatientId,
        today: Date,
    ) -> Result<bool> {
        let mut c = self.read().await?;
        let list = patient_consents(&mut c.conn(), practice, patient, today).await?;
        Ok(list.iter().any(|r| r.in_force))
    }
}
