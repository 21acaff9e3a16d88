//! Closed-loop referrals (reference bhi-planning.md §6.4): the referral and every change of it,
//! each with who and when, in `referral_events`; the state machine is the domain's
//! (`domain::referral`). A referral that goes quiet becomes a follow-up task; any update
//! completes that task. Referrals are patient data: every read and write is audited.

use crate::Store;
use crate::audit::{self, AuditCategory};
use crate::db::{Conn, One, Tx, args};
use crate::error::{Result, StoreError};
use crate::model::{Ctx, DisclosureConsent, PatientSummary, ReferralEntry, ReferralRecord};
use crate::ops::patients::load_patient;
use crate::ops::{code, from_json, new_id, to_json};
use stepwise_domain::audit::AuditAction;
use stepwise_domain::ids::{PatientId, PracticeId, ReferralId, TaskId, UserId};
use stepwise_domain::referral::{
    FollowUpSettings, Referral, ReferralAction, ReferralContext, ReferralEvent, ReferralState,
    ReferralTarget, Sensitivity, follow_up_due,
};
use stepwise_domain::resources::{Resource, ResourceId};
use stepwise_domain::task::{TaskKind, TaskSource};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct ReferralRow {
    id: Uuid,
    patient_id: Uuid,
    target_kind: String,
    resource_id: Option<Uuid>,
    target_description: Option<String>,
    sensitivity: String,
    reason: String,
    disclosure_consent_on: Option<Date>,
    disclosure_consent_by: Option<Uuid>,
    disclosure_consent_note: Option<String>,
    created_by: Uuid,
    created_at: OffsetDateTime,
    version: i64,
    /// The recipient's directory entry (JSON), when it is a partner.
    resource_doc: Option<String>,
}

macro_rules! referral_columns {
    () => {
        "r.id, r.patient_id, r.target_kind, r.resource_id, r.target_description, r.sensitivity, r.reason, \
         r.disclosure_consent_on, r.disclosure_consent_by, r.disclosure_consent_note, r.created_by, r.created_at, \
         r.version, s.doc AS resource_doc"
    };
}

macro_rules! referral_from {
    () => {
        " FROM referrals r LEFT JOIN resources s ON s.practice_id = r.practice_id AND s.id = r.resource_id"
    };
}

#[derive(sqlx::FromRow)]
struct EventRow {
    referral_id: Uuid,
    from_state: String,
    to_state: String,
    action: String,
    user_id: Uuid,
    at: OffsetDateTime,
}

impl EventRow {
    fn into_event(self) -> Result<ReferralEvent> {
        Ok(ReferralEvent {
            from: code(ReferralState::parse(&self.from_state))?,
            to: code(ReferralState::parse(&self.to_state))?,
            action: from_json(&self.action)?,
            by: UserId::from_uuid(self.user_id),
            at: self.at,
        })
    }
}

impl ReferralRow {
    fn into_model(self, events: Vec<ReferralEvent>) -> Result<ReferralRecord> {
        let (target, target_name) = match self.target_kind.as_str() {
            "partner" => {
                let id = self
                    .resource_id
                    .ok_or_else(|| StoreError::corrupt("a partner referral without its partner"))?;
                let name = match &self.resource_doc {
                    Some(doc) => from_json::<Resource>(doc)?.display_name(),
                    None => String::new(),
                };
                (
                    ReferralTarget::Partner {
                        resource: ResourceId(id),
                    },
                    name,
                )
            }
            "specialty_behavioral_health" => {
                let description = self.target_description.unwrap_or_default();
                (
                    ReferralTarget::SpecialtyBehavioralHealth {
                        description: description.clone(),
                    },
                    description,
                )
            }
            other => return Err(StoreError::corrupt(format!("referral target {other}"))),
        };
        let referral = Referral {
            patient: PatientId::from_uuid(self.patient_id),
            target,
            sensitivity: code(Sensitivity::parse(&self.sensitivity))?,
            reason: self.reason,
            created_by: UserId::from_uuid(self.created_by),
            created_at: self.created_at,
            events,
        };
        let disclosure_consent = match (self.disclosure_consent_on, self.disclosure_consent_by) {
            (Some(on), Some(by)) => Some(DisclosureConsent {
                consented_on: on,
                recorded_by: UserId::from_uuid(by),
                note: self.disclosure_consent_note,
            }),
            _ => None,
        };
        Ok(ReferralRecord {
            id: ReferralId::from_uuid(self.id),
            state: referral.state(),
            referral,
            target_name,
            disclosure_consent,
            version: self.version,
        })
    }
}

/// The events of the referrals in `rows`, attached to each.
async fn with_events(
    c: &mut Conn<'_>,
    practice: PracticeId,
    rows: Vec<ReferralRow>,
    patient: Option<PatientId>,
) -> Result<Vec<ReferralRecord>> {
    let events: Vec<EventRow> = match patient {
        Some(p) => {
            c.fetch_all(
                "SELECT e.referral_id, e.from_state, e.to_state, e.action, e.user_id, e.at FROM referral_events e \
                 JOIN referrals r ON r.id = e.referral_id AND r.practice_id = e.practice_id \
                 WHERE e.practice_id = $1 AND r.patient_id = $2 ORDER BY e.referral_id, e.seq",
                args![practice, p],
            )
            .await?
        }
        None => {
            c.fetch_all(
                "SELECT e.referral_id, e.from_state, e.to_state, e.action, e.user_id, e.at FROM referral_events e \
                 JOIN referrals r ON r.id = e.referral_id AND r.practice_id = e.practice_id \
                 WHERE e.practice_id = $1 AND r.state NOT IN ('declined', 'closed', 'cancelled', 'unable_to_reach', 'patient_declined') \
                 ORDER BY e.referral_id, e.seq",
                args![practice],
            )
            .await?
        }
    };
    let mut by_referral: std::collections::HashMap<Uuid, Vec<ReferralEvent>> =
        std::collections::HashMap::new();
    for e in events {
        by_referral
            .entry(e.referral_id)
            .or_default()
            .push(e.into_event()?);
    }
    rows.into_iter()
        .map(|r| {
            let ev = by_referral.remove(&r.id).unwrap_or_default();
            r.into_model(ev)
        })
        .collect()
}

async fn load(c: &mut Conn<'_>, practice: PracticeId, id: ReferralId) -> Result<ReferralRecord> {
    let row: ReferralRow = c
        .fetch_one(
            concat!(
                "SELECT ",
                referral_columns!(),
                referral_from!(),
                " WHERE r.id = $1 AND r.practice_id = $2"
            ),
            args![id, practice],
        )
        .await?;
    let events: Vec<EventRow> = c
        .fetch_all(
            "SELECT referral_id, from_state, to_state, action, user_id, at FROM referral_events \
             WHERE referral_id = $1 AND practice_id = $2 ORDER BY seq",
            args![id, practice],
        )
        .await?;
    row.into_model(
        events
            .into_iter()
            .map(EventRow::into_event)
            .collect::<Result<_>>()?,
    )
}

/// Complete the open follow-up tasks of a referral that has just been updated.
async fn complete_follow_ups(
    tx: &mut Tx,
    ctx: &Ctx,
    referral: ReferralId,
    patient: PatientId,
) -> Result<()> {
    let tasks: Vec<One<Uuid>> = tx
        .conn()
        .fetch_all(
            "SELECT id FROM tasks WHERE practice_id = $1 AND source_kind = $2 AND source_id = $3 AND status = 'open' \
             ORDER BY id",
            args![ctx.practice, TaskSource::Referral.code(), referral.as_uuid()],
        )
        .await?;
    for task in tasks {
        let task = TaskId::from_uuid(task.0);
        tx.execute(
            "UPDATE tasks SET status = 'done', completed_at = $3, completed_by = $4 WHERE id = $1 AND practice_id = $2",
            args![task, ctx.practice, ctx.now, ctx.user],
        )
        .await?;
        audit::append(
            tx,
            &ctx.event(
                AuditAction::TaskComplete,
                AuditCategory::Clinical,
                Some(patient),
                format!("{task} with referral {referral}"),
            ),
        )
        .await?;
    }
    Ok(())
}

fn acting_user(ctx: &Ctx, field: &str) -> Result<UserId> {
    ctx.user.ok_or_else(|| {
        StoreError::invalid(
            field,
            "A referral is written and updated by a staff member, never by the system",
        )
    })
}

#[derive(sqlx::FromRow)]
struct PatientNameRow {
    id: Uuid,
    mrn: String,
    given_name: String,
    family_name: String,
    birth_date: Date,
}

impl Store {
    /// Write a draft referral of a patient to a directory entry or to specialty behavioral
    /// health (a clinician of the patient's care team).
    pub async fn create_referral(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        target: &ReferralTarget,
        sensitivity: Sensitivity,
        reason: &str,
    ) -> Result<ReferralRecord> {
        let user = acting_user(ctx, "created_by")?;
        let referral = Referral::new(patient, target.clone(), sensitivity, reason, user, ctx.now)?;
        let id: ReferralId = new_id();
        let mut tx = self.begin().await?;
        load_patient(&mut tx.conn(), ctx.practice, patient).await?;
        let (kind, resource, description) = match &referral.target {
            ReferralTarget::Partner { resource } => {
                let found: Option<One<String>> = tx
                    .fetch_optional(
                        "SELECT status FROM resources WHERE practice_id = $1 AND id = $2",
                        args![ctx.practice, resource.0],
                    )
                    .await?;
                match found {
                    Some(One(status)) if status == "active" => {}
                    Some(_) => {
                        return Err(StoreError::invalid(
                            "target.resource",
                            "This directory entry is not active: choose an active one",
                        ));
                    }
                    None => {
                        return Err(StoreError::invalid(
                            "target.resource",
                            "No such entry in the practice's directory",
                        ));
                    }
                }
                ("partner", Some(resource.0), None)
            }
            ReferralTarget::SpecialtyBehavioralHealth { description } => (
                "specialty_behavioral_health",
                None,
                Some(description.trim().to_owned()),
            ),
        };
        tx.execute(
            "INSERT INTO referrals (id, practice_id, patient_id, target_kind, resource_id, target_description, sensitivity, \
             reason, state, created_by, created_at, last_update_at, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'draft', $9, $10, $10, 1)",
            args![
                id,
                ctx.practice,
                patient,
                kind,
                resource,
                description,
                sensitivity.code(),
                referral.reason.clone(),
                user,
                ctx.now
            ],
        )
        .await?;
        audit::append(
            &mut tx,
            &ctx.event(
                AuditAction::ReferralCreate,
                AuditCategory::Clinical,
                Some(patient),
                format!("{id} {kind} {}", sensitivity.code()),
            ),
        )
        .await?;
        let record = load(&mut tx.conn(), ctx.practice, id).await?;
        tx.commit().await?;
        Ok(record)
    }

    /// One referral with its history (audited).
    pub async fn referral(&self, ctx: &Ctx, id: ReferralId) -> Result<ReferralRecord> {
        let mut c = self.read().await?;
        let r = load(&mut c.conn(), ctx.practice, id).await?;
        drop(c);
        self.audit(ctx.event(
            AuditAction::ReferralRead,
            AuditCategory::Clinical,
            Some(r.referral.patient),
            id.to_string(),
        ))
        .await?;
        Ok(r)
    }

    /// A patient's referrals, newest first, each with its history (audited).
    pub async fn patient_referrals(
        &self,
        ctx: &Ctx,
        patient: PatientId,
    ) -> Result<Vec<ReferralRecord>> {
        let mut c = self.read().await?;
        load_patient(&mut c.conn(), ctx.practice, patient).await?;
        let rows: Vec<ReferralRow> = c
            .conn()
            .fetch_all(
                concat!(
                    "SELECT ",
                    referral_columns!(),
                    referral_from!(),
                    " WHERE r.patient_id = $1 AND r.practice_id = $2 ORDER BY r.created_at DESC, r.id DESC"
                ),
                args![patient, ctx.practice],
            )
            .await?;
        let records = with_events(&mut c.conn(), ctx.practice, rows, Some(patient)).await?;
        drop(c);
        self.audit(ctx.event(
            AuditAction::ReferralRead,
            AuditCategory::Clinical,
            Some(patient),
            format!("{} referrals", records.len()),
        ))
        .await?;
        Ok(records)
    }

    /// Record a change after a call (`version` from the referral's ETag): the domain's state
    /// machine decides; sending a sensitive referral needs the documented disclosure consent.
    /// The change is recorded with the staff member and the time; open follow-up tasks of the
    /// referral are completed in the same transaction.
    pub async fn update_referral(
        &self,
        ctx: &Ctx,
        id: ReferralId,
        version: i64,
        action: ReferralAction,
    ) -> Result<ReferralRecord> {
        let user = acting_user(ctx, "by")?;
        let mut tx = self.begin().await?;
        let mut record = load(&mut tx.conn(), ctx.practice, id).await?;
        if record.version != version {
            return Err(StoreError::Conflict);
        }
        let rctx = ReferralContext {
            sensitive_disclosure_consent: record.disclosure_consent.is_some(),
        };
        let to = record
            .referral
            .apply(action.clone(), user, ctx.now, rctx)
            .map_err(|e| StoreError::invalid("action", e.message))?;
        let seq = record.referral.events.len() as i64;
        let from = record
            .referral
            .events
            .last()
            .map_or(ReferralState::Draft, |e| e.from);
        let event_id: Uuid = Uuid::now_v7();
        tx.execute(
            "INSERT INTO referral_events (id, practice_id, referral_id, seq, from_state, to_state, action, user_id, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            args![
                event_id,
                ctx.practice,
                id,
                seq,
                from.code(),
                to.code(),
                to_json(&action)?,
                user,
                ctx.now
            ],
        )
        .await?;
        let n = tx
            .execute(
                "UPDATE referrals SET state = $3, last_update_at = $4, appointment_on = $5, version = version + 1 \
                 WHERE id = $1 AND practice_id = $2 AND version = $6",
                args![
                    id,
                    ctx.practice,
                    to.code(),
                    ctx.now,
                    record.referral.appointment_on(),
                    version
                ],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::Conflict);
        }
        let patient = record.referral.patient;
        audit::append(
            &mut tx,
            &ctx.event(
                AuditAction::ReferralUpdate,
                AuditCategory::Clinical,
                Some(patient),
                format!("{id} {} -> {}", from.code(), to.code()),
            ),
        )
        .await?;
        complete_follow_ups(&mut tx, ctx, id, patient).await?;
        record = load(&mut tx.conn(), ctx.practice, id).await?;
        tx.commit().await?;
        Ok(record)
    }

    /// Document the patient's consent to disclose a sensitive referral to its recipient
    /// (42 CFR Part 2), needed before it is sent.
    pub async fn record_referral_consent(
        &self,
        ctx: &Ctx,
        id: ReferralId,
        version: i64,
        consented_on: Date,
        note: Option<&str>,
    ) -> Result<ReferralRecord> {
        let user = acting_user(ctx, "recorded_by")?;
        if consented_on > ctx.today {
            return Err(StoreError::invalid(
                "consented_on",
                "The consent cannot be dated in the future",
            ));
        }
        let mut tx = self.begin().await?;
        let record = load(&mut tx.conn(), ctx.practice, id).await?;
        if record.version != version {
            return Err(StoreError::Conflict);
        }
        if record.state.is_terminal() {
            return Err(StoreError::invalid(
                "consented_on",
                "This referral is finished; make a new referral instead",
            ));
        }
        let note = note.map(str::trim).filter(|n| !n.is_empty());
        let n = tx
            .execute(
                "UPDATE referrals SET disclosure_consent_on = $3, disclosure_consent_by = $4, disclosure_consent_note = $5, \
                 version = version + 1 WHERE id = $1 AND practice_id = $2 AND version = $6",
                args![id, ctx.practice, consented_on, user, note, version],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::Conflict);
        }
        audit::append(
            &mut tx,
            &ctx.event(
                AuditAction::ReferralConsent,
                AuditCategory::Clinical,
                Some(record.referral.patient),
                id.to_string(),
            ),
        )
        .await?;
        let record = load(&mut tx.conn(), ctx.practice, id).await?;
        tx.commit().await?;
        Ok(record)
    }

    /// The practice's open referrals for the staff who chase them: those due for follow-up
    /// first (longest quiet first), then the others by last update (audited once).
    pub async fn referral_worklist(
        &self,
        ctx: &Ctx,
        settings: FollowUpSettings,
    ) -> Result<Vec<ReferralEntry>> {
        let (records, patients) = self.open_referrals(ctx.practice).await?;
        self.audit(ctx.event(
            AuditAction::ReferralRead,
            AuditCategory::Clinical,
            None,
            format!("open referrals: {}", records.len()),
        ))
        .await?;
        let mut entries: Vec<ReferralEntry> = records
            .into_iter()
            .filter_map(|r| {
                let patient = patients.get(&r.referral.patient)?.clone();
                Some(ReferralEntry {
                    patient,
                    follow_up: follow_up_due(&r.referral, ctx.today, settings),
                    referral: r,
                })
            })
            .collect();
        entries.sort_by_key(|e| {
            (
                e.follow_up.is_none(),
                std::cmp::Reverse(e.follow_up.as_ref().map_or(0, |f| f.days_quiet)),
                e.referral.referral.last_update(),
            )
        });
        Ok(entries)
    }

    /// Make a follow-up task for each open referral quiet for the configured number of days
    /// that has none open yet, assigned to the staff member who last updated it (or wrote it).
    /// Run by the hourly job; returns the tasks made.
    pub async fn create_referral_follow_ups(
        &self,
        ctx: &Ctx,
        settings: FollowUpSettings,
    ) -> Result<Vec<TaskId>> {
        let (records, _) = self.open_referrals(ctx.practice).await?;
        let due: Vec<_> = records
            .into_iter()
            .filter_map(|r| follow_up_due(&r.referral, ctx.today, settings).map(|f| (r, f)))
            .collect();
        let mut made = Vec::new();
        if due.is_empty() {
            return Ok(made);
        }
        let mut tx = self.begin().await?;
        for (r, f) in due {
            let open: Option<One<Uuid>> = tx
                .fetch_optional(
                    "SELECT id FROM tasks WHERE practice_id = $1 AND source_kind = $2 AND source_id = $3 AND status = 'open'",
                    args![ctx.practice, TaskSource::Referral.code(), r.id.as_uuid()],
                )
                .await?;
            if open.is_some() {
                continue;
            }
            let assignee = r
                .referral
                .events
                .last()
                .map_or(r.referral.created_by, |e| e.by);
            let task: TaskId = new_id();
            let summary = format!(
                "Referral to {} {} with no update for {} days: {}",
                r.target_name,
                r.state.label().to_lowercase(),
                f.days_quiet,
                f.next_step
            );
            tx.execute(
                "INSERT INTO tasks (id, practice_id, patient_id, kind, summary, due_on, status, assignee_id, source_kind, \
                 source_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8, $9, $10)",
                args![
                    task,
                    ctx.practice,
                    r.referral.patient,
                    TaskKind::ReferralFollowUp.code(),
                    summary,
                    ctx.today,
                    assignee,
                    TaskSource::Referral.code(),
                    r.id.as_uuid(),
                    ctx.now
                ],
            )
            .await?;
            audit::append(
                &mut tx,
                &ctx.event(
                    AuditAction::TaskCreate,
                    AuditCategory::Clinical,
                    Some(r.referral.patient),
                    format!("{task} for {assignee} from referral {}", r.id),
                ),
            )
            .await?;
            made.push(task);
        }
        tx.commit().await?;
        Ok(made)
    }

    /// The open referrals of a practice with their histories, and their patients' identities.
    async fn open_referrals(
        &self,
        practice: PracticeId,
    ) -> Result<(
        Vec<ReferralRecord>,
        std::collections::HashMap<PatientId, PatientSummary>,
    )> {
        let mut c = self.read().await?;
        let rows: Vec<ReferralRow> = c
            .conn()
            .fetch_all(
                concat!(
                    "SELECT ",
                    referral_columns!(),
                    referral_from!(),
                    " WHERE r.practice_id = $1 AND r.state NOT IN ('declined', 'closed', 'cancelled', 'unable_to_reach', 'patient_declined') \
                     ORDER BY r.last_update_at, r.id"
                ),
                args![practice],
            )
            .await?;
        let records = with_events(&mut c.conn(), practice, rows, None).await?;
        let people: Vec<PatientNameRow> = c
            .conn()
            .fetch_all(
                "SELECT DISTINCT p.id, p.mrn, p.given_name, p.family_name, p.birth_date FROM patients p \
                 JOIN referrals r ON r.patient_id = p.id AND r.practice_id = p.practice_id \
                 WHERE p.practice_id = $1 AND r.state NOT IN ('declined', 'closed', 'cancelled', 'unable_to_reach', 'patient_declined')",
                args![practice],
            )
            .await?;
        let patients = people
            .into_iter()
            .map(|p| {
                let id = PatientId::from_uuid(p.id);
                (
                    id,
                    PatientSummary {
                        id,
                        mrn: p.mrn,
                        given_name: p.given_name,
                        family_name: p.family_name,
                        birth_date: p.birth_date,
                    },
                )
            })
            .collect();
        Ok((records, patients))
    }
}
