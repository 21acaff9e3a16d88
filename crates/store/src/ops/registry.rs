//! The registry's derived facts: each episode's [`EpisodeFacts`] is recomputed from its full
//! history by the domain in every transaction that changes the episode, and stored beside it.
//! The caseload then reads one row per patient instead of their whole history.

use crate::Store;
use crate::audit::AuditCategory;
use crate::cache::Caseload;
use crate::db::{Tx, args};
use crate::error::Result;
use crate::model::{CaseloadEntry, Ctx, PatientSummary, RegistryGeneration, ReviewListEntry};
use crate::ops::episodes::{load_care_plan, load_episode};
use crate::ops::{code, from_json, to_json};
use serde::Serialize;
use std::sync::Arc;
use stepwise_domain::audit::AuditAction;
use stepwise_domain::contact::ContactKind;
use stepwise_domain::ids::{EpisodeId, PatientId, PracticeId, UserId};
use stepwise_domain::instruments::{InstrumentId, Safety};
use stepwise_domain::registry::{
    AssessmentRecord, ContactRecord, EpisodeFacts, EpisodeHistory, RegistrySettings, caseload_row,
    review_reasons, sort_caseload,
};
use stepwise_domain::safety::{AlertKind, OpenAlert};
use time::Date;
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct AssessmentFact {
    instrument: String,
    administered_on: Date,
    total: Option<i64>,
    safety: String,
}

#[derive(sqlx::FromRow)]
struct AlertFact {
    instrument: String,
    kind: String,
    items: String,
    raised_on: Date,
}

#[derive(sqlx::FromRow)]
struct ContactFact {
    contact_on: Date,
    kind: String,
    minutes: i64,
    exclusion: Option<String>,
}

async fn compute_facts(
    tx: &mut Tx,
    practice: PracticeId,
    episode: EpisodeId,
) -> Result<EpisodeFacts> {
    let mut c = tx.conn();
    let ep = load_episode(&mut c, practice, episode).await?;
    let plan = load_care_plan(&mut c, practice, episode).await?;
    let assessments: Vec<AssessmentFact> = c
        .fetch_all(
            "SELECT instrument, administered_on, total, safety FROM assessments \
             WHERE episode_id = $1 AND practice_id = $2 AND status = 'final' ORDER BY administered_on, created_at, id",
            args![episode, practice],
        )
        .await?;
    let contacts: Vec<ContactFact> = c
        .fetch_all(
            "SELECT contact_on, kind, minutes, exclusion FROM contacts \
             WHERE episode_id = $1 AND practice_id = $2 AND status = 'final' ORDER BY contact_on, created_at, id",
            args![episode, practice],
        )
        .await?;
    let reviews: Vec<crate::db::One<Date>> = c
        .fetch_all(
            "SELECT cr.review_on FROM case_review_items i JOIN case_reviews cr ON cr.id = i.case_review_id \
             WHERE i.episode_id = $1 AND i.practice_id = $2",
            args![episode, practice],
        )
        .await?;
    let open_recs: crate::db::One<i64> = c
        .fetch_one(
            "SELECT COUNT(*) FROM recommendations WHERE episode_id = $1 AND practice_id = $2 AND status IN ('proposed', 'accepted')",
            args![episode, practice],
        )
        .await?;
    // Safety is the patient's: every open alert, whichever episode (or none) raised it.
    let alerts: Vec<AlertFact> = c
        .fetch_all(
            "SELECT instrument, kind, items, raised_on FROM safety_alerts \
             WHERE patient_id = $1 AND practice_id = $2 AND status = 'open' ORDER BY raised_at, id",
            args![ep.patient, practice],
        )
        .await?;
    let open_safety_alerts = alerts
        .into_iter()
        .map(|a| {
            Ok(OpenAlert {
                instrument: code(InstrumentId::parse(&a.instrument))?,
                kind: code(AlertKind::parse(&a.kind))?,
                items: from_json(&a.items)?,
                raised_on: a.raised_on,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let assessments = assessments
        .into_iter()
        .map(|a| {
            Ok(AssessmentRecord {
                instrument: code(InstrumentId::parse(&a.instrument))?,
                administered_on: a.administered_on,
                total: a.total.map(|t| u16::try_from(t).unwrap_or(u16::MAX)),
                safety: code(Safety::parse(&a.safety))?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let contacts = contacts
        .into_iter()
        .map(|c| {
            Ok(ContactRecord {
                contact_on: c.contact_on,
                kind: code(ContactKind::parse(&c.kind))?,
                minutes: u16::try_from(c.minutes).unwrap_or(0),
                counts_toward_care_management: c.exclusion.is_none(),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let review_dates: Vec<Date> = reviews.into_iter().map(|r| r.0).collect();
    Ok(EpisodeFacts::from_history(&EpisodeHistory {
        program: ep.program,
        status: ep.status,
        referred_on: ep.referred_on,
        enrolled_on: ep.enrolled_on,
        care_plan: &plan.plan,
        assessments: &assessments,
        contacts: &contacts,
        case_reviews: &review_dates,
        manual_flags: ep.manual_flags,
        open_recommendations: u32::try_from(open_recs.0).unwrap_or(u32::MAX),
        open_safety_alerts: &open_safety_alerts,
    }))
}

/// Recompute and store an episode's facts inside the transaction that changed it.
pub(crate) async fn refresh_facts(tx: &mut Tx, ctx: &Ctx, episode: EpisodeId) -> Result<()> {
    // Take the episode's row lock before reading its history. Two writers of the same episode
    // then compute its facts one after the other, and the second (PostgreSQL reads committed
    // data statement by statement) sees the first's rows: without the lock each computes from
    // its own insert only, and the last to commit overwrites the other's facts. SQLite has a
    // single writer; there the statement is harmless. The same SQL locks on both engines.
    tx.execute(
        "UPDATE episodes SET version = version WHERE id = $1 AND practice_id = $2",
        args![episode, ctx.practice],
    )
    .await?;
    let facts = compute_facts(tx, ctx.practice, episode).await?;
    crate::ops::metrics::refresh_episode_sessions(tx, ctx.practice, episode).await?;
    tx.execute(
        "INSERT INTO episode_facts (episode_id, practice_id, facts, refreshed_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (episode_id) DO UPDATE SET facts = excluded.facts, refreshed_at = excluded.refreshed_at",
        args![episode, ctx.practice, to_json(&facts)?, ctx.now],
    )
    .await?;
    bump_registry_generation(tx, ctx.practice).await
}

/// Mark the practice's registry as changed, in the transaction that changes it: caseloads
/// cached before are no longer used.
pub(crate) async fn bump_registry_generation(tx: &mut Tx, practice: PracticeId) -> Result<()> {
    tx.execute(
        "UPDATE practices SET registry_generation = registry_generation + 1 WHERE id = $1",
        args![practice],
    )
    .await?;
    Ok(())
}

/// Recompute the facts of every episode of a patient: a change to the patient's safety alerts
/// changes the safety flag of each.
pub(crate) async fn refresh_patient_facts(
    tx: &mut Tx,
    ctx: &Ctx,
    patient: PatientId,
) -> Result<()> {
    let episodes: Vec<crate::db::One<Uuid>> = tx
        .conn()
        .fetch_all(
            "SELECT id FROM episodes WHERE patient_id = $1 AND practice_id = $2 ORDER BY id",
            args![patient, ctx.practice],
        )
        .await?;
    for e in episodes {
        refresh_facts(tx, ctx, EpisodeId::from_uuid(e.0)).await?;
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct RegistryRow {
    episode_id: Uuid,
    patient_id: Uuid,
    mrn: String,
    given_name: String,
    family_name: String,
    birth_date: Date,
    care_manager_id: Option<Uuid>,
    facts: String,
}

impl RegistryRow {
    fn patient(&self) -> PatientSummary {
        PatientSummary {
            id: PatientId::from_uuid(self.patient_id),
            mrn: self.mrn.clone(),
            given_name: self.given_name.clone(),
            family_name: self.family_name.clone(),
            birth_date: self.birth_date,
        }
    }
}

macro_rules! registry_columns {
    () => {
        "SELECT e.id AS episode_id, p.id AS patient_id, p.mrn, p.given_name, p.family_name, p.birth_date, \
         p.care_manager_id, f.facts "
    };
}

/// An episode whose stored facts differ from a recomputation from its history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FactsMismatch {
    pub episode: EpisodeId,
}

fn sort_key_name(p: &PatientSummary) -> String {
    format!("{} {}", p.family_name, p.given_name)
}

impl Store {
    /// A care manager's caseload on `ctx.today`: every referred or open episode of their
    /// patients, with the registry's columns and flags, safety first (audited once).
    pub async fn caseload(
        &self,
        ctx: &Ctx,
        care_manager: UserId,
        settings: &RegistrySettings,
    ) -> Result<Vec<CaseloadEntry>> {
        Ok(self
            .shared_caseload(ctx, care_manager, settings, None)
            .await?
            .entries
            .clone())
    }

    /// The same caseload as [`Store::caseload`] (audited the same way), as the JSON array
    /// `GET /api/v1/caseload` answers: serialized once per computed caseload and shared.
    /// `generation` is the practice's registry generation read earlier in the same request
    /// (with its credential, [`crate::model::Principal`]), which saves reading it again: any
    /// change committed since makes the next request recompute.
    pub async fn caseload_json(
        &self,
        ctx: &Ctx,
        care_manager: UserId,
        settings: &RegistrySettings,
        generation: RegistryGeneration,
    ) -> Result<Arc<[u8]>> {
        self.shared_caseload(ctx, care_manager, settings, Some(generation))
            .await?
            .json()
    }

    /// A practice's registry generation, as of now.
    pub async fn registry_generation(&self, practice: PracticeId) -> Result<RegistryGeneration> {
        let mut c = self.read().await?;
        let g: crate::db::One<i64> = c
            .conn()
            .fetch_one(
                "SELECT registry_generation FROM practices WHERE id = $1",
                args![practice],
            )
            .await?;
        Ok(RegistryGeneration {
            practice,
            value: g.0,
        })
    }

    /// The caseload from the cache (or computed and cached), returned only once its read is
    /// audited. Without a `generation`, it is read first.
    async fn shared_caseload(
        &self,
        ctx: &Ctx,
        care_manager: UserId,
        settings: &RegistrySettings,
        generation: Option<RegistryGeneration>,
    ) -> Result<Arc<Caseload>> {
        // The generation is read before the rows: a change committed in between makes the
        // next call recompute, never the reverse.
        let generation = match generation {
            Some(g) if g.practice == ctx.practice => g.value,
            _ => self.registry_generation(ctx.practice).await?.value,
        };
        let key = (ctx.practice, care_manager);
        let cached = self
            .inner
            .caseloads
            .get(key, generation, ctx.today, settings);
        let caseload = match cached {
            Some(caseload) => caseload,
            None => {
                let mut c = self.read().await?;
                let entries = Self::compute_caseload(&mut c, ctx, care_manager, settings).await?;
                drop(c);
                let caseload = Arc::new(Caseload::new(entries));
                self.inner
                    .caseloads
                    .put(key, generation, ctx.today, settings, caseload.clone());
                caseload
            }
        };
        self.audit(ctx.event(
            AuditAction::CaseloadRead,
            AuditCategory::Clinical,
            None,
            format!(
                "care manager {care_manager}: {} patients",
                caseload.entries.len()
            ),
        ))
        .await?;
        Ok(caseload)
    }

    async fn compute_caseload(
        c: &mut crate::ReadConn,
        ctx: &Ctx,
        care_manager: UserId,
        settings: &RegistrySettings,
    ) -> Result<Vec<CaseloadEntry>> {
        let rows: Vec<RegistryRow> = c
            .conn()
            .fetch_all(
                concat!(
                    registry_columns!(),
                    // From the care manager's patients to their episodes: `CROSS JOIN` keeps
                    // that order on SQLite (which otherwise reads every open episode of the
                    // practice); PostgreSQL plans it as the inner join it is.
                    "FROM patients p CROSS JOIN episodes e JOIN episode_facts f ON f.episode_id = e.id \
                     WHERE p.practice_id = $1 AND p.care_manager_id = $2 \
                     AND e.patient_id = p.id AND e.practice_id = p.practice_id \
                     AND e.status IN ('referred', 'enrolled', 'active', 'relapse_prevention')"
                ),
                args![ctx.practice, care_manager],
            )
            .await?;
        let mut entries = Vec::with_capacity(rows.len());
        for r in &rows {
            let facts: EpisodeFacts = from_json(&r.facts)?;
            entries.push((
                sort_key_name(&r.patient()),
                CaseloadEntry {
                    patient: r.patient(),
                    episode: EpisodeId::from_uuid(r.episode_id),
                    row: caseload_row(&facts, ctx.today, settings),
                },
            ));
        }
        sort_caseload(&mut entries, |e| &e.1.row, |e| e.0.as_str());
        Ok(entries.into_iter().map(|(_, e)| e).collect())
    }

    /// The psychiatric case-review list: open Collaborative Care episodes that are new, not
    /// improving, a safety concern, flagged for discussion or overdue for review (audited once).
    pub async fn review_list(
        &self,
        ctx: &Ctx,
        settings: &RegistrySettings,
    ) -> Result<Vec<ReviewListEntry>> {
        let mut c = self.read().await?;
        let rows: Vec<RegistryRow> = c
            .conn()
            .fetch_all(
                concat!(
                    registry_columns!(),
                    "FROM episodes e JOIN patients p ON p.id = e.patient_id AND p.practice_id = e.practice_id \
                     JOIN episode_facts f ON f.episode_id = e.id \
                     WHERE e.practice_id = $1 AND e.program = 'cocm' AND e.status IN ('enrolled', 'active', 'relapse_prevention')"
                ),
                args![ctx.practice],
            )
            .await?;
        drop(c);
        let mut entries = Vec::new();
        for r in &rows {
            let facts: EpisodeFacts = from_json(&r.facts)?;
            let reasons = review_reasons(&facts, ctx.today, settings);
            if reasons.is_empty() {
                continue;
            }
            entries.push((
                sort_key_name(&r.patient()),
                ReviewListEntry {
                    patient: r.patient(),
                    episode: EpisodeId::from_uuid(r.episode_id),
                    care_manager: r.care_manager_id.map(UserId::from_uuid),
                    reasons,
                    row: caseload_row(&facts, ctx.today, settings),
                },
            ));
        }
        sort_caseload(&mut entries, |e| &e.1.row, |e| e.0.as_str());
        self.audit(ctx.event(
            AuditAction::ReviewListRead,
            AuditCategory::Clinical,
            None,
            format!("{} patients", entries.len()),
        ))
        .await?;
        Ok(entries.into_iter().map(|(_, e)| e).collect())
    }

    /// An episode's stored registry facts (audited as a read of the episode).
    pub async fn episode_facts(
        &self,
        ctx: &Ctx,
        episode: EpisodeId,
    ) -> Result<Option<EpisodeFacts>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            patient_id: Uuid,
            facts: String,
        }
        let row: Option<Row> = {
            let mut c = self.read().await?;
            c.conn()
                .fetch_optional(
                    "SELECT e.patient_id, f.facts FROM episodes e JOIN episode_facts f ON f.episode_id = e.id \
                     WHERE e.id = $1 AND e.practice_id = $2",
                    args![episode, ctx.practice],
                )
                .await?
        };
        let Some(row) = row else { return Ok(None) };
        self.audit(ctx.event(
            AuditAction::EpisodeRead,
            AuditCategory::Clinical,
            Some(PatientId::from_uuid(row.patient_id)),
            format!("{episode} registry"),
        ))
        .await?;
        Ok(Some(from_json(&row.facts)?))
    }

    /// Recompute every episode's facts of a practice from its history and report those whose
    /// stored facts differ (they should never): a consistency check for tests and operators.
    pub async fn verify_facts(&self, practice: PracticeId) -> Result<Vec<FactsMismatch>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            episode_id: Uuid,
            facts: String,
        }
        let rows: Vec<Row> = {
            let mut c = self.read().await?;
            c.conn()
                .fetch_all(
                    "SELECT episode_id, facts FROM episode_facts WHERE practice_id = $1 ORDER BY episode_id",
                    args![practice],
                )
                .await?
        };
        let mut mismatches = Vec::new();
        let mut tx = self.begin().await?;
        for r in rows {
            let id = EpisodeId::from_uuid(r.episode_id);
            let stored: EpisodeFacts = from_json(&r.facts)?;
            if compute_facts(&mut tx, practice, id).await? != stored {
                mismatches.push(FactsMismatch { episode: id });
            }
        }
        drop(tx);
        Ok(mismatches)
    }
}
