use crate::Store;
use crate::audit::{self, AuditCategory};
use crate::db::{Conn, Tx, args};
use crate::error::{Result, StoreError};
use crate::model::{CarePlanRecord, ConsentRecord, Ctx, Episode, EpisodeDetail, EpisodeEvent};
use crate::ops::{code, new_id, patients::record_history, registry::refresh_facts};
use stepwise_domain::audit::AuditAction;
use stepwise_domain::calendar::YearMonth;
use stepwise_domain::care_plan::CarePlan;
use stepwise_domain::episode::{
    Consent, ConsentMethod, DischargeReason, EpisodeStatus, Program, Transition, TransitionContext,
    lapsed_on, transition,
};
use stepwise_domain::ids::{ConsentId, EpisodeId, PatientId, PracticeId, UserId};
use stepwise_domain::instruments::InstrumentId;
use stepwise_domain::registry::ManualFlags;
use stepwise_domain::role::Role;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

#[derive(sqlx::FromRow)]
pub(crate) struct EpisodeRow {
    id: Uuid,
    patient_id: Uuid,
    program: String,
    status: String,
    referred_on: Date,
    referring_practitioner_id: Option<Uuid>,
    enrolled_on: Option<Date>,
    closed_on: Option<Date>,
    discharge_reason: Option<String>,
    relapse_prevention_plan: Option<String>,
    flag_safety_risk: bool,
    flag_for_discussion: bool,
    version: i64,
}

impl EpisodeRow {
    pub(crate) fn into_model(self) -> Result<Episode> {
        Ok(Episode {
            id: EpisodeId::from_uuid(self.id),
            patient: PatientId::from_uuid(self.patient_id),
            program: code(Program::parse(&self.program))?,
            status: code(EpisodeStatus::parse(&self.status))?,
            referred_on: self.referred_on,
            referring_practitioner: self.referring_practitioner_id.map(UserId::from_uuid),
            enrolled_on: self.enrolled_on,
            closed_on: self.closed_on,
            discharge_reason: self
                .discharge_reason
                .as_deref()
                .map(DischargeReason::parse)
                .transpose()
                .map_err(StoreError::corrupt)?,
            relapse_prevention_plan: self.relapse_prevention_plan,
            manual_flags: ManualFlags {
                safety_risk: self.flag_safety_risk,
                for_discussion: self.flag_for_discussion,
            },
            version: self.version,
        })
    }
}

/// The columns of [`EpisodeRow`], for `concat!` into queries.
macro_rules! episode_columns {
    () => {
        "id, patient_id, program, status, referred_on, referring_practitioner_id, enrolled_on, closed_on, \
         discharge_reason, relapse_prevention_plan, flag_safety_risk, flag_for_discussion, version"
    };
}

pub(crate) async fn load_episode(
    c: &mut Conn<'_>,
    practice: PracticeId,
    id: EpisodeId,
) -> Result<Episode> {
    let row: EpisodeRow = c
        .fetch_one(
            concat!(
                "SELECT ",
                episode_columns!(),
                " FROM episodes WHERE id = $1 AND practice_id = $2"
            ),
            args![id, practice],
        )
        .await?;
    row.into_model()
}

#[derive(sqlx::FromRow)]
struct ConsentRow {
    id: Uuid,
    episode_id: Uuid,
    program: String,
    consented_on: Date,
    method: String,
    cost_sharing_explained: bool,
    consult_permission: bool,
    obtained_by: Uuid,
    revoked_on: Option<Date>,
    revoked_by: Option<Uuid>,
    revocation_note: Option<String>,
}

impl ConsentRow {
    fn into_model(self) -> Result<ConsentRecord> {
        Ok(ConsentRecord {
            id: ConsentId::from_uuid(self.id),
            episode: EpisodeId::from_uuid(self.episode_id),
            consent: Consent {
                program: code(Program::parse(&self.program))?,
                consented_on: self.consented_on,
                method: code(ConsentMethod::parse(&self.method))?,
                cost_sharing_explained: self.cost_sharing_explained,
                consult_permission: self.consult_permission,
                obtained_by: UserId::from_uuid(self.obtained_by),
                revoked_on: self.revoked_on,
            },
            revoked_by: self.revoked_by.map(UserId::from_uuid),
            revocation_note: self.revocation_note,
        })
    }
}

pub(crate) async fn load_consents(
    c: &mut Conn<'_>,
    practice: PracticeId,
    episode: EpisodeId,
) -> Result<Vec<ConsentRecord>> {
    let rows: Vec<ConsentRow> = c
        .fetch_all(
            "SELECT id, episode_id, program, consented_on, method, cost_sharing_explained, consult_permission, \
             obtained_by, revoked_on, revoked_by, revocation_note FROM consents \
             WHERE episode_id = $1 AND practice_id = $2 ORDER BY consented_on, id",
            args![episode, practice],
        )
        .await?;
    rows.into_iter().map(ConsentRow::into_model).collect()
}

#[derive(sqlx::FromRow)]
struct CarePlanRow {
    episode_id: Uuid,
    target_instrument: String,
    target_below: i64,
    follow_up_weeks: i64,
    goals: Option<String>,
    version: i64,
    updated_at: OffsetDateTime,
}

pub(crate) async fn load_care_plan(
    c: &mut Conn<'_>,
    practice: PracticeId,
    episode: EpisodeId,
) -> Result<CarePlanRecord> {
    let r: CarePlanRow = c
        .fetch_one(
            "SELECT episode_id, target_instrument, target_below, follow_up_weeks, goals, version, updated_at \
             FROM care_plans WHERE episode_id = $1 AND practice_id = $2",
            args![episode, practice],
        )
        .await?;
    Ok(CarePlanRecord {
        episode: EpisodeId::from_uuid(r.episode_id),
        plan: CarePlan {
            target_instrument: code(InstrumentId::parse(&r.target_instrument))?,
            target_below: u16::try_from(r.target_below).map_err(StoreError::corrupt)?,
            follow_up_weeks: u8::try_from(r.follow_up_weeks).map_err(StoreError::corrupt)?,
            goals: r.goals,
        },
        version: r.version,
        updated_at: r.updated_at,
    })
}

#[derive(sqlx::FromRow)]
struct EventRow {
    occurred_on: Date,
    recorded_at: OffsetDateTime,
    from_status: Option<String>,
    to_status: String,
    user_id: Option<Uuid>,
    note: Option<String>,
}

async fn add_event(
    tx: &mut Tx,
    ctx: &Ctx,
    episode: EpisodeId,
    on: Date,
    from: Option<EpisodeStatus>,
    to: EpisodeStatus,
    note: Option<&str>,
) -> Result<()> {
    let id: Uuid = new_id();
    tx.execute(
        "INSERT INTO episode_events (id, practice_id, episode_id, occurred_on, recorded_at, from_status, to_status, user_id, note) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        args![id, ctx.practice, episode, on, ctx.now, from.map(EpisodeStatus::code), to.code(), ctx.user, note],
    )
    .await?;
    Ok(())
}

/// The note a status change leaves on the episode's timeline.
pub(crate) fn transition_note(change: &Transition) -> Option<String> {
    match change {
        Transition::BeginRelapsePrevention { .. } => {
            Some("Relapse-prevention plan written".to_owned())
        }
        Transition::Discharge { reason } => Some(format!("Discharged: {}", reason.code())),
        Transition::Enroll | Transition::StartTreatment => None,
    }
}

/// Bump an episode's version if it is still `version`; a conflict otherwise.
async fn claim_version(tx: &mut Tx, ctx: &Ctx, episode: &Episode, version: i64) -> Result<()> {
    if episode.version != version {
        return Err(StoreError::Conflict);
    }
    let n = tx
        .execute(
            "UPDATE episodes SET version = version + 1, updated_at = $4 WHERE id = $1 AND practice_id = $2 AND version = $3",
            args![episode.id, ctx.practice, version, ctx.now],
        )
        .await?;
    if n == 0 {
        return Err(StoreError::Conflict);
    }
    Ok(())
}

/// Check that a user of the practice holds a role.
pub(crate) async fn require_role(
    tx: &mut Tx,
    practice: PracticeId,
    user: UserId,
    role: Role,
    field: &str,
) -> Result<()> {
    #[derive(sqlx::FromRow)]
    struct N {
        n: i64,
    }
    let n: N = tx
        .fetch_one(
            "SELECT COUNT(*) AS n FROM user_roles WHERE user_id = $1 AND practice_id = $2 AND role = $3",
            args![user, practice, role.code()],
        )
        .await?;
    if n.n == 0 {
        return Err(StoreError::invalid(
            field,
            format!(
                "No {} with this id in the practice",
                role.label().to_lowercase()
            ),
        ));
    }
    Ok(())
}

impl Store {
    /// Refer a patient to a program: a new episode in status `referred`, with the default
    /// care plan. Refused while the patient has an episode of the program that is not closed.
    pub async fn create_episode(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        program: Program,
        referred_on: Date,
        referring_practitioner: Option<UserId>,
    ) -> Result<Episode> {
        if referred_on > ctx.today {
            return Err(StoreError::invalid(
                "referred_on",
                "The referral date is in the future",
            ));
        }
        let mut tx = self.begin().await?;
        crate::ops::patients::load_patient(&mut tx.conn(), ctx.practice, patient).await?;
        if let Some(p) = referring_practitioner {
            require_role(
                &mut tx,
                ctx.practice,
                p,
                Role::TreatingPractitioner,
                "referring_practitioner",
            )
            .await?;
        }
        #[derive(sqlx::FromRow)]
        struct N {
            n: i64,
        }
        let open: N = tx
            .fetch_one(
                "SELECT COUNT(*) AS n FROM episodes WHERE patient_id = $1 AND practice_id = $2 AND program = $3 \
                 AND status NOT IN ('discharged', 'lapsed')",
                args![patient, ctx.practice, program.code()],
            )
            .await?;
        if open.n > 0 {
            return Err(StoreError::invalid(
                "program",
                format!(
                    "The patient already has an open {} episode",
                    program.label()
                ),
            ));
        }
        let id: EpisodeId = new_id();
        tx.execute(
            "INSERT INTO episodes (id, practice_id, patient_id, program, status, referred_on, referring_practitioner_id, \
             flag_safety_risk, flag_for_discussion, created_at, updated_at, version) \
             VALUES ($1, $2, $3, $4, 'referred', $5, $6, FALSE, FALSE, $7, $7, 1)",
            args![id, ctx.practice, patient, program.code(), referred_on, referring_practitioner, ctx.now],
        )
        .await?;
        let plan = CarePlan::default();
        tx.execute(
            "INSERT INTO care_plans (episode_id, practice_id, target_instrument, target_below, follow_up_weeks, goals, updated_at, updated_by, version) \
             VALUES ($1, $2, $3, $4, $5, NULL, $6, $7, 1)",
            args![id, ctx.practice, plan.target_instrument.code(), plan.target_below, plan.follow_up_weeks, ctx.now, ctx.user],
        )
        .await?;
        add_event(
            &mut tx,
            ctx,
            id,
            referred_on,
            None,
            EpisodeStatus::Referred,
            None,
        )
        .await?;
        refresh_facts(&mut tx, ctx, id).await?;
        audit::append(
            &mut tx,
            &ctx.event(
                AuditAction::EpisodeCreate,
                AuditCategory::Clinical,
                Some(patient),
                id.to_string(),
            ),
        )
        .await?;
        let episode = load_episode(&mut tx.conn(), ctx.practice, id).await?;
        tx.commit().await?;
        Ok(episode)
    }

    /// An episode with its timeline, consents and care plan (audited).
    pub async fn episode(&self, ctx: &Ctx, id: EpisodeId) -> Result<EpisodeDetail> {
        let mut c = self.read().await?;
        let mut conn = c.conn();
        let episode = load_episode(&mut conn, ctx.practice, id).await?;
        let events: Vec<EventRow> = conn
            .fetch_all(
                "SELECT occurred_on, recorded_at, from_status, to_status, user_id, note FROM episode_events \
                 WHERE episode_id = $1 AND practice_id = $2 ORDER BY recorded_at, occurred_on, id",
                args![id, ctx.practice],
            )
            .await?;
        let events = events
            .into_iter()
            .map(|e| {
                Ok(EpisodeEvent {
                    occurred_on: e.occurred_on,
                    recorded_at: e.recorded_at,
                    from_status: e
                        .from_status
                        .as_deref()
                        .map(EpisodeStatus::parse)
                        .transpose()
                        .map_err(StoreError::corrupt)?,
                    to_status: code(EpisodeStatus::parse(&e.to_status))?,
                    user: e.user_id.map(UserId::from_uuid),
                    note: e.note,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let consents = load_consents(&mut conn, ctx.practice, id).await?;
        let care_plan = load_care_plan(&mut conn, ctx.practice, id).await?;
        drop(c);
        self.audit(ctx.event(
            AuditAction::EpisodeRead,
            AuditCategory::Clinical,
            Some(episode.patient),
            id.to_string(),
        ))
        .await?;
        Ok(EpisodeDetail {
            episode,
            events,
            consents,
            care_plan,
        })
    }

    /// A patient's episodes, newest first (audited).
    pub async fn patient_episodes(&self, ctx: &Ctx, patient: PatientId) -> Result<Vec<Episode>> {
        let mut c = self.read().await?;
        crate::ops::patients::load_patient(&mut c.conn(), ctx.practice, patient).await?;
        let rows: Vec<EpisodeRow> = c
            .conn()
            .fetch_all(
                concat!(
                    "SELECT ",
                    episode_columns!(),
                    " FROM episodes WHERE patient_id = $1 AND practice_id = $2 ORDER BY referred_on DESC, id DESC"
                ),
                args![patient, ctx.practice],
            )
            .await?;
        drop(c);
        self.audit(ctx.event(
            AuditAction::EpisodeRead,
            AuditCategory::Clinical,
            Some(patient),
            "list",
        ))
        .await?;
        rows.into_iter().map(EpisodeRow::into_model).collect()
    }

    /// Document a consent for the episode's program.
    pub async fn record_consent(
        &self,
        ctx: &Ctx,
        episode: EpisodeId,
        consent: &Consent,
    ) -> Result<ConsentRecord> {
        let mut tx = self.begin().await?;
        let ep = load_episode(&mut tx.conn(), ctx.practice, episode).await?;
        if ep.program != consent.program {
            return Err(StoreError::invalid(
                "program",
                "The consent is for another program than the episode",
            ));
        }
        if ep.status.is_closed() {
            return Err(StoreError::invalid("episode", "The episode is closed"));
        }
        if consent.revoked_on.is_some() {
            // A revocation is its own act, recorded with who took it (`revoke_consent`).
            return Err(StoreError::invalid(
                "revoked_on",
                "Record the consent first, then its revocation",
            ));
        }
        let id: ConsentId = new_id();
        tx.execute(
            "INSERT INTO consents (id, practice_id, patient_id, episode_id, program, consented_on, method, \
             cost_sharing_explained, consult_permission, obtained_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            args![
                id,
                ctx.practice,
                ep.patient,
                episode,
                consent.program.code(),
                consent.consented_on,
                consent.method.code(),
                consent.cost_sharing_explained,
                consent.consult_permission,
                consent.obtained_by,
                ctx.now
            ],
        )
        .await?;
        audit::append(
            &mut tx,
            &ctx.event(
                AuditAction::ConsentCreate,
                AuditCategory::Clinical,
                Some(ep.patient),
                id.to_string(),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(ConsentRecord {
            id,
            episode,
            consent: consent.clone(),
            revoked_by: None,
            revocation_note: None,
        })
    }

    /// Revoke a consent from `on`; the consent stays on record with its revocation.
    pub async fn revoke_consent(
        &self,
        ctx: &Ctx,
        consent: ConsentId,
        on: Date,
        note: Option<&str>,
    ) -> Result<ConsentRecord> {
        if on > ctx.today {
            return Err(StoreError::invalid(
                "revoked_on",
                "The revocation date is in the future",
            ));
        }
        let mut tx = self.begin().await?;
        #[derive(sqlx::FromRow)]
        struct Row {
            episode_id: Uuid,
            patient_id: Uuid,
            consented_on: Date,
        }
        let row: Row = tx
            .fetch_one(
                "SELECT episode_id, patient_id, consented_on FROM consents WHERE id = $1 AND practice_id = $2",
                args![consent, ctx.practice],
            )
            .await?;
        if on < row.consented_on {
            return Err(StoreError::invalid(
                "revoked_on",
                "The revocation is dated before the consent",
            ));
        }
        let n = tx
            .execute(
                "UPDATE consents SET revoked_on = $3, revoked_by = $4, revocation_note = $5 \
                 WHERE id = $1 AND practice_id = $2 AND revoked_on IS NULL",
                args![consent, ctx.practice, on, ctx.user, note],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::invalid(
                "consent",
                "The consent is already revoked",
            ));
        }
        let patient = PatientId::from_uuid(row.patient_id);
        audit::append(
            &mut tx,
            &ctx.event(
                AuditAction::ConsentRevoke,
                AuditCategory::Clinical,
                Some(patient),
                consent.to_string(),
            ),
        )
        .await?;
        let episode = EpisodeId::from_uuid(row.episode_id);
        let record = load_consents(&mut tx.conn(), ctx.practice, episode)
            .await?
            .into_iter()
            .find(|c| c.id == consent)
            .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(record)
    }

    /// Change an episode's status, checked by the domain's state machine.
    pub async fn transition_episode(
        &self,
        ctx: &Ctx,
        episode: EpisodeId,
        version: i64,
        change: &Transition,
        on: Date,
    ) -> Result<Episode> {
        if on > ctx.today {
            return Err(StoreError::invalid("on", "The date is in the future"));
        }
        let mut tx = self.begin().await?;
        let ep = load_episode(&mut tx.conn(), ctx.practice, episode).await?;
        if on < ep.referred_on {
            return Err(StoreError::invalid("on", "The date is before the referral"));
        }
        let consents = load_consents(&mut tx.conn(), ctx.practice, episode).await?;
        let transition_ctx = TransitionContext {
            consent_in_force: consents
                .iter()
                .any(|c| c.consent.program == ep.program && c.consent.in_force_on(on)),
            has_relapse_prevention_plan: ep
                .relapse_prevention_plan
                .as_deref()
                .is_some_and(|p| !p.trim().is_empty()),
        };
        let to = transition(ep.status, change, transition_ctx)
            .map_err(|e| StoreError::invalid("action", e.message))?;
        claim_version(&mut tx, ctx, &ep, version).await?;
        match change {
            Transition::Enroll => {
                tx.execute(
                    "UPDATE episodes SET enrolled_on = $2 WHERE id = $1",
                    args![episode, on],
                )
                .await?;
            }
            Transition::BeginRelapsePrevention { plan } => {
                let plan = plan.trim();
                if plan.chars().count() > stepwise_domain::contact::NOTE_MAX {
                    return Err(StoreError::invalid("plan", "The plan is too long"));
                }
                tx.execute(
                    "UPDATE episodes SET relapse_prevention_plan = $2 WHERE id = $1",
                    args![episode, plan],
                )
                .await?;
            }
            Transition::Discharge { reason } => {
                tx.execute(
                    "UPDATE episodes SET closed_on = $2, discharge_reason = $3 WHERE id = $1",
                    args![episode, on, reason.code()],
                )
                .await?;
            }
            Transition::StartTreatment => {}
        }
        let note = transition_note(change);
        tx.execute(
            "UPDATE episodes SET status = $2 WHERE id = $1",
            args![episode, to.code()],
        )
        .await?;
        add_event(
            &mut tx,
            ctx,
            episode,
            on,
            Some(ep.status),
            to,
            note.as_deref(),
        )
        .await?;
        refresh_facts(&mut tx, ctx, episode).await?;
        audit::append(
            &mut tx,
            &ctx.event(
                AuditAction::EpisodeTransition,
                AuditCategory::Clinical,
                Some(ep.patient),
                format!("{episode} {} -> {}", ep.status, to),
            ),
        )
        .await?;
        let updated = load_episode(&mut tx.conn(), ctx.practice, episode).await?;
        tx.commit().await?;
        Ok(updated)
    }

    /// Set or clear the manual flags of an episode.
    pub async fn set_manual_flags(
        &self,
        ctx: &Ctx,
        episode: EpisodeId,
        version: i64,
        flags: ManualFlags,
    ) -> Result<Episode> {
        let mut tx = self.begin().await?;
        let ep = load_episode(&mut tx.conn(), ctx.practice, episode).await?;
        claim_version(&mut tx, ctx, &ep, version).await?;
        tx.execute(
            "UPDATE episodes SET flag_safety_risk = $2, flag_for_discussion = $3 WHERE id = $1",
            args![episode, flags.safety_risk, flags.for_discussion],
        )
        .await?;
        refresh_facts(&mut tx, ctx, episode).await?;
        audit::append(
            &mut tx,
            &ctx.event(
                AuditAction::EpisodeFlags,
                AuditCategory::Clinical,
                Some(ep.patient),
                episode.to_string(),
            ),
        )
        .await?;
        let updated = load_episode(&mut tx.conn(), ctx.practice, episode).await?;
        tx.commit().await?;
        Ok(updated)
    }

    /// Replace the care plan; the previous version is kept in the history.
    pub async fn update_care_plan(
        &self,
        ctx: &Ctx,
        episode: EpisodeId,
        version: i64,
        plan: &CarePlan,
    ) -> Result<CarePlanRecord> {
        let mut tx = self.begin().await?;
        let ep = load_episode(&mut tx.conn(), ctx.practice, episode).await?;
        let before = load_care_plan(&mut tx.conn(), ctx.practice, episode).await?;
        if before.version != version {
            return Err(StoreError::Conflict);
        }
        let n = tx
            .execute(
                "UPDATE care_plans SET target_instrument = $3, target_below = $4, follow_up_weeks = $5, goals = $6, \
                 updated_at = $7, updated_by = $8, version = version + 1 \
                 WHERE episode_id = $1 AND practice_id = $2 AND version = $9",
                args![
                    episode,
                    ctx.practice,
                    plan.target_instrument.code(),
                    plan.target_below,
                    plan.follow_up_weeks,
                    plan.goals.clone(),
                    ctx.now,
                    ctx.user,
                    version
                ],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::Conflict);
        }
        record_history(
            &mut tx,
            ctx,
            "care_plan",
            episode.as_uuid(),
            before.version,
            &before,
        )
        .await?;
        refresh_facts(&mut tx, ctx, episode).await?;
        audit::append(
            &mut tx,
            &ctx.event(
                AuditAction::CarePlanUpdate,
                AuditCategory::Clinical,
                Some(ep.patient),
                episode.to_string(),
            ),
        )
        .await?;
        let updated = load_care_plan(&mut tx.conn(), ctx.practice, episode).await?;
        tx.commit().await?;
        Ok(updated)
    }

    /// Close every open episode of the practice that has had no services for six consecutive
    /// calendar months (reference §3.4), dated the last day of the sixth empty month. Returns
    /// the episodes closed.
    pub async fn close_lapsed_episodes(&self, ctx: &Ctx) -> Result<Vec<EpisodeId>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            id: Uuid,
            patient_id: Uuid,
            status: String,
            referred_on: Date,
            enrolled_on: Option<Date>,
            facts: String,
        }
        let candidates: Vec<Row> = {
            let mut c = self.read().await?;
            c.conn()
                .fetch_all(
                    "SELECT e.id, e.patient_id, e.status, e.referred_on, e.enrolled_on, f.facts FROM episodes e \
                     JOIN episode_facts f ON f.episode_id = e.id \
                     WHERE e.practice_id = $1 AND e.status IN ('enrolled', 'active', 'relapse_prevention')",
                    args![ctx.practice],
                )
                .await?
        };
        let mut closed = Vec::new();
        for row in candidates {
            let facts: stepwise_domain::registry::EpisodeFacts = crate::ops::from_json(&row.facts)?;
            let anchor = facts
                .last_service_month
                .or(row.enrolled_on.map(YearMonth::of))
                .unwrap_or(YearMonth::of(row.referred_on));
            let Some(on) = lapsed_on(anchor, ctx.today) else {
                continue;
            };
            let id = EpisodeId::from_uuid(row.id);
            let mut tx = self.begin().await?;
            let n = tx
                .execute(
                    "UPDATE episodes SET status = 'lapsed', closed_on = $3, version = version + 1, updated_at = $4 \
                     WHERE id = $1 AND practice_id = $2 AND status = $5",
                    args![id, ctx.practice, on, ctx.now, row.status.as_str()],
                )
                .await?;
            if n == 0 {
                continue;
            }
            let from = code(EpisodeStatus::parse(&row.status))?;
            add_event(
                &mut tx,
                ctx,
                id,
                on,
                Some(from),
                EpisodeStatus::Lapsed,
                Some("No services for six consecutive calendar months"),
            )
            .await?;
            refresh_facts(&mut tx, ctx, id).await?;
            audit::append(
                &mut tx,
                &ctx.event(
                    AuditAction::EpisodeLapse,
                    AuditCategory::Clinical,
                    Some(PatientId::from_uuid(row.patient_id)),
                    id.to_string(),
                ),
            )
            .await?;
            tx.commit().await?;
            closed.push(id);
        }
        Ok(closed)
    }
}
