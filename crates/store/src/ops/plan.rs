//! The practice's plan (issue 7, docs/planner.md): one JSON document per practice, saved as a
//! new version each time and never overwritten, and the summary of the registry the planner's
//! next step and journey are computed from. The plan holds no patient data; the summary is
//! counts only.

use crate::Store;
use crate::audit::{self, AuditCategory};
use crate::db::{One, args};
use crate::error::{Result, StoreError};
use crate::model::{Ctx, PlanVersion, StoredPlan};
use crate::ops::{from_json, to_json};
use stepwise_domain::audit::AuditAction;
use stepwise_domain::ids::{PracticeId, UserId};
use stepwise_domain::planner::{PracticePlan, RegistrySummary};
use stepwise_domain::registry::{
    EpisodeFacts, FlagKind, RegistrySettings, caseload_row, review_reasons,
};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct PlanRow {
    version: i64,
    plan: String,
    saved_at: OffsetDateTime,
    saved_by: Option<Uuid>,
}

#[derive(sqlx::FromRow)]
struct VersionRow {
    version: i64,
    saved_at: OffsetDateTime,
    saved_by: Option<Uuid>,
}

impl PlanRow {
    fn model(&self) -> Result<StoredPlan> {
        Ok(StoredPlan {
            plan: from_json(&self.plan)?,
            version: self.version,
            saved_at: Some(self.saved_at),
            saved_by: self.saved_by.map(UserId::from_uuid),
        })
    }
}

/// Weeks in treatment after which a patient not improving "has waited too long" for the
/// planner (IMPACT: change treatment by 10 to 12 weeks, cocm-billing-registry.md §9.5).
const WAITING_WEEKS: i64 = 12;

impl Store {
    /// The practice's latest plan, or an empty plan at version 0 before the first save.
    pub async fn plan(&self, practice: PracticeId) -> Result<StoredPlan> {
        let mut c = self.read().await?;
        let row: Option<PlanRow> = c
            .conn()
            .fetch_optional(
                "SELECT version, plan, saved_at, saved_by FROM practice_plans \
                 WHERE practice_id = $1 ORDER BY version DESC LIMIT 1",
                args![practice],
            )
            .await?;
        match row {
            Some(r) => r.model(),
            None => Ok(StoredPlan {
                plan: PracticePlan::default(),
                version: 0,
                saved_at: None,
                saved_by: None,
            }),
        }
    }

    /// One saved version of the plan, as it was.
    pub async fn plan_version(&self, practice: PracticeId, version: i64) -> Result<StoredPlan> {
        let mut c = self.read().await?;
        let row: Option<PlanRow> = c
            .conn()
            .fetch_optional(
                "SELECT version, plan, saved_at, saved_by FROM practice_plans \
                 WHERE practice_id = $1 AND version = $2",
                args![practice, version],
            )
            .await?;
        row.ok_or(StoreError::NotFound)?.model()
    }

    /// Every saved version, newest first.
    pub async fn plan_history(&self, practice: PracticeId) -> Result<Vec<PlanVersion>> {
        let mut c = self.read().await?;
        let rows: Vec<VersionRow> = c
            .conn()
            .fetch_all(
                "SELECT version, saved_at, saved_by FROM practice_plans \
                 WHERE practice_id = $1 ORDER BY version DESC",
                args![practice],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| PlanVersion {
                version: r.version,
                saved_at: r.saved_at,
                saved_by: r.saved_by.map(UserId::from_uuid),
            })
            .collect())
    }

    /// Save the plan as the version after `expected` (the version it was edited from; 0 for
    /// the first save). The plan is checked by the domain first; a plan saved by someone else
    /// meanwhile is a conflict and nothing is stored. Audited as administration.
    pub async fn save_plan(
        &self,
        ctx: &Ctx,
        expected: i64,
        plan: &PracticePlan,
    ) -> Result<StoredPlan> {
        plan.validate()?;
        let text = to_json(plan)?;
        let mut tx = self.begin().await?;
        let latest: Option<One<i64>> = tx
            .fetch_optional(
                "SELECT version FROM practice_plans WHERE practice_id = $1 \
                 ORDER BY version DESC LIMIT 1",
                args![ctx.practice],
            )
            .await?;
        if latest.map_or(0, |v| v.0) != expected {
            return Err(StoreError::Conflict);
        }
        let version = expected + 1;
        // Two saves from the same version race to this insert: the primary key lets one win.
        let inserted = tx
            .execute(
                "INSERT INTO practice_plans (practice_id, version, plan, saved_at, saved_by) \
                 VALUES ($1, $2, $3, $4, $5)",
                args![ctx.practice, version, text, ctx.now, ctx.user],
            )
            .await;
        if let Err(e) = inserted {
            return Err(if e.unique_violation().is_some() {
                StoreError::Conflict
            } else {
                e
            });
        }
        audit::append(
            &mut tx,
            &ctx.event(
                AuditAction::PlanSave,
                AuditCategory::Administration,
                None,
                format!("plan version {version}"),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(StoredPlan {
            plan: plan.clone(),
            version,
            saved_at: Some(ctx.now),
            saved_by: ctx.user,
        })
    }

    /// What the registry knows today, as counts for the planner (no patient is named, so the
    /// summary is not audited as a read of records).
    pub async fn registry_summary(
        &self,
        ctx: &Ctx,
        settings: &RegistrySettings,
    ) -> Result<RegistrySummary> {
        let mut c = self.read().await?;
        let mut conn = c.conn();
        let since = ctx.today - Duration::days(30);
        let screened: One<i64> = conn
            .fetch_one(
                "SELECT COUNT(DISTINCT patient_id) FROM assessments \
                 WHERE practice_id = $1 AND administered_on > $2 AND status = 'final'",
                args![ctx.practice, since],
            )
            .await?;
        let alerts: One<i64> = conn
            .fetch_one(
                "SELECT COUNT(*) FROM safety_alerts WHERE practice_id = $1 AND status = 'open'",
                args![ctx.practice],
            )
            .await?;
        let last_review: Option<One<time::Date>> = conn
            .fetch_optional(
                "SELECT review_on FROM case_reviews WHERE practice_id = $1 \
                 ORDER BY review_on DESC LIMIT 1",
                args![ctx.practice],
            )
            .await?;
        let facts: Vec<One<String>> = conn
            .fetch_all(
                "SELECT f.facts FROM episodes e JOIN episode_facts f ON f.episode_id = e.id \
                 WHERE e.practice_id = $1 AND e.status IN ('enrolled', 'active', 'relapse_prevention')",
                args![ctx.practice],
            )
            .await?;
        drop(c);
        let count = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
        let mut summary = RegistrySummary {
            screened_last_30_days: count(screened.0),
            enrolled_patients: count(facts.len() as i64),
            unreviewed_safety_alerts: count(alerts.0),
            last_case_review_on: last_review.map(|d| d.0),
            ..RegistrySummary::default()
        };
        for f in &facts {
            let facts: EpisodeFacts = from_json(&f.0)?;
            let row = caseload_row(&facts, ctx.today, settings);
            let has = |k: FlagKind| row.flags.iter().any(|f| f.kind == k);
            if has(FlagKind::NotImproving)
                && row.weeks_in_treatment.is_some_and(|w| w > WAITING_WEEKS)
            {
                summary.waiting_over_12_weeks_without_improvement += 1;
            }
            if has(FlagKind::FollowUpOverdue) {
                summary.follow_ups_overdue += 1;
            }
            if !review_reasons(&facts, ctx.today, settings).is_empty() {
                summary.awaiting_case_review += 1;
            }
        }
        Ok(summary)
    }
}
