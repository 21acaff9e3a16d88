use crate::Store;
use crate::audit::{self, AuditCategory};
use crate::db::{Conn, args};
use crate::error::{Result, StoreError};
use crate::model::{Contact, Ctx, redisclosure_notice};
use crate::ops::episodes::{load_episode, require_role};
use crate::ops::{code, new_id, registry::refresh_facts};
use stepwise_domain::audit::AuditAction;
use stepwise_domain::contact::{ContactDetails, ContactKind, Minutes, MinutesExclusion, Modality};
use stepwise_domain::ids::{ContactId, EpisodeId, PatientId, PracticeId, UserId};
use stepwise_domain::record::RecordStatus;
use stepwise_domain::role::Role;
use stepwise_domain::sensitivity::RecordLabel;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct ContactRow {
    id: Uuid,
    episode_id: Uuid,
    patient_id: Uuid,
    staff_id: Uuid,
    contact_on: Date,
    staff_role: String,
    kind: String,
    modality: String,
    minutes: i64,
    exclusion: Option<String>,
    note: Option<String>,
    label: String,
    status: String,
    error_reason: Option<String>,
    replaces_id: Option<Uuid>,
    created_at: OffsetDateTime,
}

impl ContactRow {
    fn into_model(self) -> Result<Contact> {
        let minutes = u16::try_from(self.minutes)
            .ok()
            .and_then(Minutes::new)
            .ok_or_else(|| StoreError::Corrupt(format!("contact minutes {}", self.minutes)))?;
        let details = ContactDetails {
            contact_on: self.contact_on,
            staff_role: code(Role::parse(&self.staff_role))?,
            kind: code(ContactKind::parse(&self.kind))?,
            modality: code(Modality::parse(&self.modality))?,
            minutes,
            exclusion: self
                .exclusion
                .as_deref()
                .map(MinutesExclusion::parse)
                .transpose()
                .map_err(StoreError::corrupt)?,
            note: self.note,
            label: code(RecordLabel::parse(&self.label))?,
        };
        let details_label = details.label;
        Ok(Contact {
            id: ContactId::from_uuid(self.id),
            episode: EpisodeId::from_uuid(self.episode_id),
            patient: PatientId::from_uuid(self.patient_id),
            staff: UserId::from_uuid(self.staff_id),
            counts_toward_care_management: details.counts_toward_care_management(),
            details,
            status: code(RecordStatus::parse(&self.status))?,
            error_reason: self.error_reason,
            replaces: self.replaces_id.map(ContactId::from_uuid),
            created_at: self.created_at,
            redisclosure_notice: redisclosure_notice(details_label),
        })
    }
}

macro_rules! contact_columns {
    () => {
        "id, episode_id, patient_id, staff_id, contact_on, staff_role, kind, modality, minutes, exclusion, note, label, \
         status, error_reason, replaces_id, created_at"
    };
}

async fn load_contact(c: &mut Conn<'_>, practice: PracticeId, id: ContactId) -> Result<Contact> {
    let row: ContactRow = c
        .fetch_one(
            concat!(
                "SELECT ",
                contact_columns!(),
                " FROM contacts WHERE id = $1 AND practice_id = $2"
            ),
            args![id, practice],
        )
        .await?;
    row.into_model()
}

/// Shortest reason accepted for marking a record entered-in-error.
pub(crate) fn check_reason(reason: &str) -> Result<&str> {
    let r = reason.trim();
    if r.len() < 3 {
        return Err(StoreError::invalid(
            "reason",
            "Say why the record is wrong (at least 3 characters)",
        ));
    }
    if r.chars().count() > 500 {
        return Err(StoreError::invalid("reason", "at most 500 characters"));
    }
    Ok(r)
}

impl Store {
    /// Log a contact of `staff` (who must hold `details.staff_role`) on an episode.
    /// `replaces` names a contact this one corrects: it is marked entered-in-error in the same
    /// transaction.
    pub async fn add_contact(
        &self,
        ctx: &Ctx,
        episode: EpisodeId,
        staff: UserId,
        details: &ContactDetails,
        replaces: Option<ContactId>,
    ) -> Result<Contact> {
        let mut tx = self.begin().await?;
        let ep = load_episode(&mut tx.conn(), ctx.practice, episode).await?;
        require_role(
            &mut tx,
            ctx.practice,
            staff,
            details.staff_role,
            "staff_role",
        )
        .await?;
        if details.contact_on < ep.referred_on {
            return Err(StoreError::invalid(
                "contact_on",
                "The contact is dated before the referral",
            ));
        }
        if let Some(closed) = ep.closed_on
            && details.contact_on > closed
        {
            return Err(StoreError::invalid(
                "contact_on",
                "The episode was closed before this date; start a new episode",
            ));
        }
        if let Some(old) = replaces {
            let previous = load_contact(&mut tx.conn(), ctx.practice, old).await?;
            if previous.episode != episode {
                return Err(StoreError::invalid(
                    "replaces",
                    "The corrected contact belongs to another episode",
                ));
            }
            let n = tx
                .execute(
                    "UPDATE contacts SET status = 'entered_in_error', error_reason = $3 \
                     WHERE id = $1 AND practice_id = $2 AND status = 'final'",
                    args![old, ctx.practice, "Corrected by a later record"],
                )
                .await?;
            if n == 0 {
                return Err(StoreError::Conflict);
            }
        }
        let id: ContactId = new_id();
        tx.execute(
            "INSERT INTO contacts (id, practice_id, patient_id, episode_id, contact_on, staff_id, staff_role, kind, modality, \
             minutes, exclusion, note, status, replaces_id, created_at, created_by, label) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'final', $13, $14, $15, $16)",
            args![
                id,
                ctx.practice,
                ep.patient,
                episode,
                details.contact_on,
                staff,
                details.staff_role.code(),
                details.kind.code(),
                details.modality.code(),
                details.minutes.get(),
                details.exclusion.map(MinutesExclusion::code),
                details.note.clone(),
                replaces,
                ctx.now,
                ctx.user.unwrap_or(staff),
                details.label.code()
            ],
        )
        .await?;
        refresh_facts(&mut tx, ctx, episode).await?;
        audit::append(
            &mut tx,
            &ctx.event(
                AuditAction::ContactCreate,
                AuditCategory::Clinical,
                Some(ep.patient),
                id.to_string(),
            ),
        )
        .await?;
        let contact = load_contact(&mut tx.conn(), ctx.practice, id).await?;
        tx.commit().await?;
        Ok(contact)
    }

    /// Mark a contact entered-in-error; it stays on record, struck from the counts.
    pub async fn mark_contact_entered_in_error(
        &self,
        ctx: &Ctx,
        id: ContactId,
        reason: &str,
    ) -> Result<Contact> {
        let reason = check_reason(reason)?;
        let mut tx = self.begin().await?;
        let contact = load_contact(&mut tx.conn(), ctx.practice, id).await?;
        let n = tx
            .execute(
                "UPDATE contacts SET status = 'entered_in_error', error_reason = $3 WHERE id = $1 AND practice_id = $2 AND status = 'final'",
                args![id, ctx.practice, reason],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::invalid(
                "status",
                "The contact is already marked entered-in-error",
            ));
        }
        refresh_facts(&mut tx, ctx, contact.episode).await?;
        audit::append(
            &mut tx,
            &ctx.event(
                AuditAction::ContactEnteredInError,
                AuditCategory::Clinical,
                Some(contact.patient),
                id.to_string(),
            ),
        )
        .await?;
        let updated = load_contact(&mut tx.conn(), ctx.practice, id).await?;
        tx.commit().await?;
        Ok(updated)
    }

    /// An episode's contacts, newest first, including those entered in error (audited).
    pub async fn episode_contacts(&self, ctx: &Ctx, episode: EpisodeId) -> Result<Vec<Contact>> {
        let mut c = self.read().await?;
        let ep = load_episode(&mut c.conn(), ctx.practice, episode).await?;
        let rows: Vec<ContactRow> = c
            .conn()
            .fetch_all(
                concat!(
                    "SELECT ",
                    contact_columns!(),
                    " FROM contacts WHERE episode_id = $1 AND practice_id = $2 ORDER BY contact_on DESC, created_at DESC, id DESC"
                ),
                args![episode, ctx.practice],
            )
            .await?;
        drop(c);
        self.audit(ctx.event(
            AuditAction::EpisodeRead,
            AuditCategory::Clinical,
            Some(ep.patient),
            format!("{episode} contacts"),
        ))
        .await?;
        rows.into_iter().map(ContactRow::into_model).collect()
    }
}
