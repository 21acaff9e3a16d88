//! What the metrics of success read (domain::metrics::MetricsInput), assembled from the
//! registry in a handful of practice-wide queries, and the practice's baselines.
//!
//! The registry records no encounters and no diagnoses yet: a **visit** is a day with a
//! depression screen (or PHQ-9) or a session with the care team, and the depression diagnosis is not
//! known, so PHQ-9 utilisation (M2) has no denominator until diagnoses are recorded
//! (docs/metrics.md says so). Care-manager FTE comes from the practice's settings; a care
//! manager not listed there counts as full time.

use crate::Store;
use crate::audit::{self, AuditCategory};
use crate::db::{One, Tx, args};
use crate::error::Result;
use crate::model::{Ctx, StoredBaseline};
use crate::ops::{code, from_json, new_id, packed, to_json};
use std::collections::HashMap;
use stepwise_domain::audit::AuditAction;
use stepwise_domain::baseline::Baseline;
use stepwise_domain::contact::ContactKind;
use stepwise_domain::episode::Program;
use stepwise_domain::ids::{BaselineId, EpisodeId, PatientId, PracticeId, SiteId, UserId};
use stepwise_domain::instruments::InstrumentId;
use stepwise_domain::measurement::MeasuredScore;
use stepwise_domain::metrics::{
    CareManagerFte, EpisodeRecord, MetricsInput, PatientRecord, Screening,
};
use stepwise_domain::patient::Assignments;
use stepwise_domain::referral::{Referral, ReferralEvent, ReferralState, ReferralTarget};
use stepwise_domain::registry::ContactRecord;
use stepwise_domain::resources::ResourceId;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct PatientRow {
    id: Uuid,
    site_id: Option<Uuid>,
    treating_practitioner_id: Option<Uuid>,
    care_manager_id: Option<Uuid>,
    birth_date: Date,
}

#[derive(sqlx::FromRow)]
struct EpisodeRow {
    id: Uuid,
    patient_id: Uuid,
    program: String,
    referred_on: Date,
    enrolled_on: Option<Date>,
    closed_on: Option<Date>,
}

/// A patient's depression screens and PHQ-9s, packed (see [`packed`]) in the order
/// `administered_on, created_at, id`: `date,instrument,total,positive,episode` per response,
/// `total` and `episode` (hex) empty when NULL, `positive` `1`, `0` or empty. Kept in
/// `patient_screens` by [`refresh_patient_screens`].
#[derive(sqlx::FromRow)]
struct AssessmentsRow {
    patient_id: Uuid,
    items: String,
}

/// One patient's packed screens. Only what the metrics read: depression screens and PHQ-9s
/// (domain::metrics::is_depression_screen; the conformance suite checks the list against the
/// domain). Migration 0014 fills the table with the same aggregate for every patient.
const PATIENT_SCREENS: &str = "SELECT string_agg(CAST(administered_on AS TEXT) || ',' || instrument \
     || ',' || COALESCE(CAST(total AS TEXT), '') \
     || ',' || CASE WHEN positive THEN '1' WHEN NOT positive THEN '0' ELSE '' END \
     || ',' || COALESCE(hex(episode_id), ''), ';' ORDER BY administered_on, created_at, id) \
     FROM assessments WHERE practice_id = $1 AND patient_id = $2 AND status = 'final' \
     AND instrument IN ('phq2', 'phq9', 'phqa', 'epds')";

/// An episode's sessions (ContactKind::is_session; the conformance suite checks the list
/// against the domain), packed in the order `contact_on, id`: `date,kind,minutes,counts` per
/// contact, `counts` `1` when the minutes count toward care management (no exclusion). Kept in
/// `episode_sessions` by [`refresh_episode_sessions`].
#[derive(sqlx::FromRow)]
struct ContactsRow {
    patient_id: Uuid,
    episode_id: Uuid,
    items: String,
}

const EPISODE_SESSIONS: &str = "SELECT string_agg(CAST(contact_on AS TEXT) || ',' || kind \
     || ',' || CAST(minutes AS TEXT) || ',' || CASE WHEN exclusion IS NULL THEN '1' ELSE '0' END, ';' \
     ORDER BY contact_on, id) \
     FROM contacts WHERE practice_id = $1 AND episode_id = $2 AND status = 'final' \
     AND kind IN ('initial_assessment', 'follow_up', 'brief_intervention', 'relapse_prevention_planning')";

/// Recompute a patient's packed screens, in the transaction that records or corrects one of
/// the patient's responses.
pub(crate) async fn refresh_patient_screens(
    tx: &mut Tx,
    practice: PracticeId,
    patient: PatientId,
) -> Result<()> {
    let items: One<Option<String>> = tx
        .conn()
        .fetch_one(PATIENT_SCREENS, args![practice, patient])
        .await?;
    match items.0 {
        Some(items) => {
            tx.execute(
                "INSERT INTO patient_screens (patient_id, practice_id, items) VALUES ($1, $2, $3) \
                 ON CONFLICT (patient_id) DO UPDATE SET items = excluded.items",
                args![patient, practice, items],
            )
            .await?
        }
        None => {
            tx.execute(
                "DELETE FROM patient_screens WHERE patient_id = $1 AND practice_id = $2",
                args![patient, practice],
            )
            .await?
        }
    };
    Ok(())
}

/// Recompute an episode's packed sessions, in the transaction that records or corrects one of
/// its contacts (`registry::refresh_facts` calls it).
pub(crate) async fn refresh_episode_sessions(
    tx: &mut Tx,
    practice: PracticeId,
    episode: EpisodeId,
) -> Result<()> {
    let items: One<Option<String>> = tx
        .conn()
        .fetch_one(EPISODE_SESSIONS, args![practice, episode])
        .await?;
    match items.0 {
        Some(items) => {
            tx.execute(
                "INSERT INTO episode_sessions (episode_id, practice_id, patient_id, items) \
                 SELECT id, practice_id, patient_id, $3 FROM episodes WHERE id = $1 AND practice_id = $2 \
                 ON CONFLICT (episode_id) DO UPDATE SET items = excluded.items",
                args![episode, practice, items],
            )
            .await?
        }
        None => {
            tx.execute(
                "DELETE FROM episode_sessions WHERE episode_id = $1 AND practice_id = $2",
                args![episode, practice],
            )
            .await?
        }
    };
    Ok(())
}

#[derive(sqlx::FromRow)]
struct ReviewRow {
    episode_id: Uuid,
    review_on: Date,
}

#[derive(sqlx::FromRow)]
struct ReferralRow {
    id: Uuid,
    patient_id: Uuid,
    target_kind: String,
    resource_id: Option<Uuid>,
    target_description: Option<String>,
    sensitivity: String,
    reason: String,
    created_by: Uuid,
    created_at: OffsetDateTime,
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

#[derive(sqlx::FromRow)]
struct BaselineRow {
    id: Uuid,
    doc: String,
    created_by: Option<Uuid>,
    created_at: OffsetDateTime,
}

impl Store {
    /// Everything the metrics read for periods ending on or before `to` (records dated after
    /// it are left out). Reading the whole registry is audited once, without a patient.
    pub async fn metrics_input(&self, ctx: &Ctx, to: Date) -> Result<MetricsInput> {
        let practice = ctx.practice;
        let input = self.load_metrics_input(practice, to).await?;
        self.audit(ctx.event(
            AuditAction::MetricsRead,
            AuditCategory::Clinical,
            None,
            format!("{} patients to {to}", input.patients.len()),
        ))
        .await?;
        Ok(input)
    }

    /// Compare the stored packed screens and sessions of every patient and episode of the
    /// practice with what their records give now; returns one line per difference (empty when
    /// every summary is current). A consistency check for the tests and for support.
    pub async fn metric_summary_differences(&self, practice: PracticeId) -> Result<Vec<String>> {
        let mut c = self.read().await?;
        let mut c = c.conn();
        let stored = |rows: Vec<(Uuid, String)>| rows.into_iter().collect::<HashMap<_, _>>();
        let screens: Vec<(Uuid, String)> = c
            .fetch_all(
                "SELECT patient_id, items FROM patient_screens WHERE practice_id = $1",
                args![practice],
            )
            .await?;
        let mut screens = stored(screens);
        let sessions: Vec<(Uuid, String)> = c
            .fetch_all(
                "SELECT episode_id, items FROM episode_sessions WHERE practice_id = $1",
                args![practice],
            )
            .await?;
        let mut sessions = stored(sessions);
        let patients: Vec<One<Uuid>> = c
            .fetch_all(
                "SELECT id FROM patients WHERE practice_id = $1 ORDER BY id",
                args![practice],
            )
            .await?;
        let episodes: Vec<One<Uuid>> = c
            .fetch_all(
                "SELECT id FROM episodes WHERE practice_id = $1 ORDER BY id",
                args![practice],
            )
            .await?;
        let mut out = Vec::new();
        for (what, ids, query, kept) in [
            ("patient", patients, PATIENT_SCREENS, &mut screens),
            ("episode", episodes, EPISODE_SESSIONS, &mut sessions),
        ] {
            for id in ids {
                let now: One<Option<String>> = c.fetch_one(query, args![practice, id.0]).await?;
                let kept = kept.remove(&id.0);
                if now.0 != kept {
                    out.push(format!(
                        "{what} {}: stored {kept:?}, records give {:?}",
                        id.0, now.0
                    ));
                }
            }
            out.extend(
                kept.keys()
                    .map(|id| format!("{what} {id}: stored for an unknown {what}")),
            );
        }
        Ok(out)
    }

    async fn load_metrics_input(&self, practice: PracticeId, to: Date) -> Result<MetricsInput> {
        let mut c = self.read().await?;
        let mut c = c.conn();
        let patients: Vec<PatientRow> = c
            .fetch_all(
                "SELECT id, site_id, treating_practitioner_id, care_manager_id, birth_date FROM patients \
                 WHERE practice_id = $1 ORDER BY id",
                args![practice],
            )
            .await?;
        let episodes: Vec<EpisodeRow> = c
            .fetch_all(
                "SELECT id, patient_id, program, referred_on, enrolled_on, closed_on FROM episodes \
                 WHERE practice_id = $1 AND referred_on <= $2 ORDER BY referred_on, id",
                args![practice, to],
            )
            .await?;
        let assessments: Vec<AssessmentsRow> = c
            .fetch_all(
                "SELECT patient_id, items FROM patient_screens WHERE practice_id = $1",
                args![practice],
            )
            .await?;
        let contacts: Vec<ContactsRow> = c
            .fetch_all(
                "SELECT patient_id, episode_id, items FROM episode_sessions WHERE practice_id = $1",
                args![practice],
            )
            .await?;
        let reviews: Vec<ReviewRow> = c
            .fetch_all(
                "SELECT i.episode_id, cr.review_on FROM case_review_items i \
                 JOIN case_reviews cr ON cr.id = i.case_review_id AND cr.practice_id = i.practice_id \
                 WHERE i.practice_id = $1 AND cr.review_on <= $2",
                args![practice, to],
            )
            .await?;
        let referrals: Vec<ReferralRow> = c
            .fetch_all(
                "SELECT id, patient_id, target_kind, resource_id, target_description, sensitivity, reason, created_by, \
                 created_at FROM referrals WHERE practice_id = $1 ORDER BY created_at, id",
                args![practice],
            )
            .await?;
        let events: Vec<EventRow> = c
            .fetch_all(
                "SELECT referral_id, from_state, to_state, action, user_id, at FROM referral_events \
                 WHERE practice_id = $1 ORDER BY referral_id, seq",
                args![practice],
            )
            .await?;
        let care_managers: Vec<One<Uuid>> = c
            .fetch_all(
                "SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id \
                 WHERE u.practice_id = $1 AND r.role = 'care_manager' AND u.disabled = $2 ORDER BY u.id",
                args![practice, false],
            )
            .await?;
        let settings: One<String> = c
            .fetch_one(
                "SELECT settings FROM practices WHERE id = $1",
                args![practice],
            )
            .await?;
        let settings: crate::model::PracticeSettings = from_json(&settings.0)?;

        let mut index: HashMap<Uuid, usize> = HashMap::with_capacity(patients.len());
        let mut out: Vec<PatientRecord> = Vec::with_capacity(patients.len());
        for p in patients {
            index.insert(p.id, out.len());
            let mut r = PatientRecord::new(PatientId::from_uuid(p.id));
            r.assignments = Assignments {
                site: p.site_id.map(SiteId::from_uuid),
                treating_practitioner: p.treating_practitioner_id.map(UserId::from_uuid),
                care_manager: p.care_manager_id.map(UserId::from_uuid),
            };
            r.birth_date = Some(p.birth_date);
            out.push(r);
        }
        // Episodes of each patient, and where each episode sits.
        let mut episode_at: HashMap<Uuid, (usize, usize)> = HashMap::with_capacity(episodes.len());
        for e in episodes {
            let Some(&pi) = index.get(&e.patient_id) else {
                continue;
            };
            let rec = &mut out[pi];
            episode_at.insert(e.id, (pi, rec.episodes.len()));
            rec.episodes.push(EpisodeRecord {
                program: code(Program::parse(&e.program))?,
                referred_on: e.referred_on,
                enrolled_on: e.enrolled_on.filter(|d| *d <= to),
                closed_on: e.closed_on.filter(|d| *d <= to),
                phq9: Vec::new(),
                contacts: Vec::new(),
                case_reviews: Vec::new(),
            });
        }
        for a in assessments {
            let Some(&pi) = index.get(&a.patient_id) else {
                continue;
            };
            let rec = &mut out[pi];
            for item in packed::items::<5>(&a.items, "assessment") {
                let [on, instrument, total, positive, episode] = item?;
                let on = packed::date(on)?;
                if on > to {
                    break; // in date order: the rest are later too
                }
                let instrument = code(InstrumentId::parse(instrument))?;
                rec.visits.push(on);
                rec.screenings.push(Screening {
                    on,
                    instrument,
                    positive: positive == "1",
                });
                if instrument == InstrumentId::Phq9 {
                    let score = MeasuredScore {
                        on,
                        total: packed::opt_int::<i64>(total)?.and_then(|t| u16::try_from(t).ok()),
                        estimate: false,
                    };
                    match packed::opt_id(episode)?.and_then(|e| episode_at.get(&e)) {
                        Some(&(_, ei)) => rec.episodes[ei].phq9.push(score),
                        None => rec.phq9.push(score),
                    }
                }
            }
        }
        for k in contacts {
            let Some(&(pi, ei)) = episode_at.get(&k.episode_id) else {
                continue;
            };
            let patient_known = index.contains_key(&k.patient_id);
            for item in packed::items::<4>(&k.items, "contact") {
                let [on, kind, minutes, counts] = item?;
                let contact_on = packed::date(on)?;
                if contact_on > to {
                    break; // in date order: the rest are later too
                }
                let kind = code(ContactKind::parse(kind))?;
                if kind.is_session() && patient_known {
                    out[pi].visits.push(contact_on);
                }
                out[pi].episodes[ei].contacts.push(ContactRecord {
                    contact_on,
                    kind,
                    minutes: u16::try_from(packed::int::<i64>(minutes)?).unwrap_or(0),
                    counts_toward_care_management: counts == "1",
                });
            }
        }
        for r in reviews {
            if let Some(&(pi, ei)) = episode_at.get(&r.episode_id) {
                out[pi].episodes[ei].case_reviews.push(r.review_on);
            }
        }
        let mut events_of: HashMap<Uuid, Vec<ReferralEvent>> = HashMap::new();
        for e in events {
            events_of
                .entry(e.referral_id)
                .or_default()
                .push(ReferralEvent {
                    from: code(ReferralState::parse(&e.from_state))?,
                    to: code(ReferralState::parse(&e.to_state))?,
                    action: from_json(&e.action)?,
                    by: UserId::from_uuid(e.user_id),
                    at: e.at,
                });
        }
        for r in referrals {
            let Some(&pi) = index.get(&r.patient_id) else {
                continue;
            };
            let target = match (r.target_kind.as_str(), r.resource_id) {
                ("partner", Some(id)) => ReferralTarget::Partner {
                    resource: ResourceId(id),
                },
                _ => ReferralTarget::SpecialtyBehavioralHealth {
                    description: r.target_description.unwrap_or_default(),
                },
            };
            out[pi].referrals.push(Referral {
                patient: PatientId::from_uuid(r.patient_id),
                target,
                sensitivity: code(stepwise_domain::referral::Sensitivity::parse(
                    &r.sensitivity,
                ))?,
                reason: r.reason,
                created_by: UserId::from_uuid(r.created_by),
                created_at: r.created_at,
                events: events_of.remove(&r.id).unwrap_or_default(),
            });
        }
        for p in &mut out {
            p.visits.sort_unstable();
            p.visits.dedup();
        }
        let care_managers = care_managers
            .into_iter()
            .map(|u| {
                let id = UserId::from_uuid(u.0);
                settings
                    .care_manager_fte
                    .iter()
                    .find(|c| c.care_manager == id)
                    .copied()
                    .unwrap_or(CareManagerFte {
                        care_manager: id,
                        site: None,
                        fte_percent: 100,
                    })
            })
            .collect();
        Ok(MetricsInput {
            patients: out,
            care_managers,
        })
    }

    /// Record a baseline snapshot (from the registry or entered by hand).
    pub async fn create_baseline(&self, ctx: &Ctx, baseline: &Baseline) -> Result<StoredBaseline> {
        let id: BaselineId = new_id();
        let mut tx = self.begin().await?;
        tx.execute(
            "INSERT INTO baselines (id, practice_id, taken_on, source, doc, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            args![
                id,
                ctx.practice,
                baseline.taken_on,
                baseline.source.code(),
                to_json(baseline)?,
                ctx.user,
                ctx.now
            ],
        )
        .await?;
        audit::append(
            &mut tx,
            &ctx.event(
                AuditAction::BaselineCreate,
                AuditCategory::Administration,
                None,
                format!("{id} {}", baseline.source.code()),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(StoredBaseline {
            id,
            baseline: baseline.clone(),
            created_by: ctx.user,
            created_at: ctx.now,
        })
    }

    /// The practice's baselines, latest first.
    pub async fn baselines(&self, practice: PracticeId) -> Result<Vec<StoredBaseline>> {
        let mut c = self.read().await?;
        let rows: Vec<BaselineRow> = c
            .conn()
            .fetch_all(
                "SELECT id, doc, created_by, created_at FROM baselines WHERE practice_id = $1 \
                 ORDER BY taken_on DESC, created_at DESC, id DESC",
                args![practice],
            )
            .await?;
        rows.into_iter()
            .map(|r| {
                Ok(StoredBaseline {
                    id: BaselineId::from_uuid(r.id),
                    baseline: from_json(&r.doc)?,
                    created_by: r.created_by.map(UserId::from_uuid),
                    created_at: r.created_at,
                })
            })
            .collect()
    }
}
