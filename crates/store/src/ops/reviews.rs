use crate::Store;
use crate::audit::{self, AuditCategory};
use crate::db::{Conn, args};
use crate::error::{Result, StoreError};
use crate::model::{CaseReview, CaseReviewItem, Ctx, NewCaseReviewItem, Recommendation};
use crate::ops::episodes::{load_episode, require_role};
use crate::ops::{code, new_id, registry::refresh_facts};
use stepwise_domain::audit::AuditAction;
use stepwise_domain::case_review::{RecommendationAction, RecommendationStatus, decide};
use stepwise_domain::episode::Program;
use stepwise_domain::ids::{
    CaseReviewId, EpisodeId, PatientId, PracticeId, RecommendationId, UserId,
};
use stepwise_domain::role::Role;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct RecommendationRow {
    id: Uuid,
    case_review_id: Uuid,
    review_on: Date,
    episode_id: Uuid,
    patient_id: Uuid,
    text: String,
    status: String,
    decided_by: Option<Uuid>,
    decided_at: Option<OffsetDateTime>,
    decline_reason: Option<String>,
    done_at: Option<OffsetDateTime>,
    created_at: OffsetDateTime,
    version: i64,
}

impl RecommendationRow {
    fn into_model(self) -> Result<Recommendation> {
        Ok(Recommendation {
            id: RecommendationId::from_uuid(self.id),
            case_review: CaseReviewId::from_uuid(self.case_review_id),
            review_on: self.review_on,
            episode: EpisodeId::from_uuid(self.episode_id),
            patient: PatientId::from_uuid(self.patient_id),
            text: self.text,
            status: code(RecommendationStatus::parse(&self.status))?,
            decided_by: self.decided_by.map(UserId::from_uuid),
            decided_at: self.decided_at,
            decline_reason: self.decline_reason,
            done_at: self.done_at,
            created_at: self.created_at,
            version: self.version,
        })
    }
}

macro_rules! recommendation_select {
    () => {
        "SELECT r.id, r.case_review_id, cr.review_on, r.episode_id, r.patient_id, r.text, r.status, r.decided_by, \
         r.decided_at, r.decline_reason, r.done_at, r.created_at, r.version \
         FROM recommendations r JOIN case_reviews cr ON cr.id = r.case_review_id "
    };
}

async fn load_recommendation(
    c: &mut Conn<'_>,
    practice: PracticeId,
    id: RecommendationId,
) -> Result<Recommendation> {
    let row: RecommendationRow = c
        .fetch_one(
            concat!(
                recommendation_select!(),
                "WHERE r.id = $1 AND r.practice_id = $2"
            ),
            args![id, practice],
        )
        .await?;
    row.into_model()
}

const TEXT_MAX: usize = 2000;

/// Which recommendations to list.
#[derive(Debug, Clone, Copy)]
pub enum RecommendationFilter {
    /// Open ones (proposed or accepted) for the patients of a treating practitioner.
    OpenForPractitioner(UserId),
    /// Every open one in the practice.
    Open,
    /// All of an episode's, open or closed.
    Episode(EpisodeId),
}

impl Store {
    /// Record a psychiatric case review: the patients discussed, notes, and recommendations
    /// (each starts as proposed, for the treating practitioner to accept or decline).
    pub async fn create_case_review(
        &self,
        ctx: &Ctx,
        review_on: Date,
        consultant: UserId,
        notes: Option<&str>,
        items: &[NewCaseReviewItem],
    ) -> Result<CaseReview> {
        if review_on > ctx.today {
            return Err(StoreError::invalid(
                "review_on",
                "The review date is in the future",
            ));
        }
        if items.is_empty() {
            return Err(StoreError::invalid(
                "items",
                "A case review discusses at least one patient",
            ));
        }
        let mut tx = self.begin().await?;
        require_role(
            &mut tx,
            ctx.practice,
            consultant,
            Role::Psychiatrist,
            "consultant",
        )
        .await?;
        let id: CaseReviewId = new_id();
        tx.execute(
            "INSERT INTO case_reviews (id, practice_id, review_on, consultant_id, notes, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
            args![id, ctx.practice, review_on, consultant, notes.map(str::trim).filter(|n| !n.is_empty()), ctx.now],
        )
        .await?;
        let mut seen = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let field = |f: &str| format!("items[{i}].{f}");
            if seen.contains(&item.episode) {
                return Err(StoreError::invalid(
                    &field("episode"),
                    "This episode is listed twice",
                ));
            }
            seen.push(item.episode);
            let ep = load_episode(&mut tx.conn(), ctx.practice, item.episode)
                .await
                .map_err(|e| match e {
                    StoreError::NotFound => {
                        StoreError::invalid(&field("episode"), "No such episode in the practice")
                    }
                    e => e,
                })?;
            if ep.program != Program::Cocm {
                return Err(StoreError::invalid(
                    &field("episode"),
                    "Psychiatric case reviews are part of Collaborative Care episodes",
                ));
            }
            let item_id: Uuid = new_id();
            tx.execute(
                "INSERT INTO case_review_items (id, practice_id, case_review_id, episode_id, patient_id, notes) VALUES ($1, $2, $3, $4, $5, $6)",
                args![item_id, ctx.practice, id, item.episode, ep.patient, item.notes.as_deref().map(str::trim).filter(|n| !n.is_empty())],
            )
            .await?;
            for (j, text) in item.recommendations.iter().enumerate() {
                let text = text.trim();
                if text.is_empty() || text.chars().count() > TEXT_MAX {
                    return Err(StoreError::invalid(
                        &field(&format!("recommendations[{j}]")),
                        format!("A recommendation is 1 to {TEXT_MAX} characters"),
                    ));
                }
                let rid: RecommendationId = new_id();
                tx.execute(
                    "INSERT INTO recommendations (id, practice_id, case_review_id, episode_id, patient_id, text, status, created_at, version) \
                     VALUES ($1, $2, $3, $4, $5, $6, 'proposed', $7, 1)",
                    args![rid, ctx.practice, id, item.episode, ep.patient, text, ctx.now],
                )
                .await?;
            }
            refresh_facts(&mut tx, ctx, item.episode).await?;
            audit::append(
                &mut tx,
                &ctx.event(
                    AuditAction::CaseReviewCreate,
                    AuditCategory::Clinical,
                    Some(ep.patient),
                    id.to_string(),
                ),
            )
            .await?;
        }
        let review = load_case_review(&mut tx.conn(), ctx.practice, id).await?;
        tx.commit().await?;
        Ok(review)
    }

    /// A case review with its patients and recommendations (audited, one event per patient).
    pub async fn case_review(&self, ctx: &Ctx, id: CaseReviewId) -> Result<CaseReview> {
        let mut c = self.read().await?;
        let review = load_case_review(&mut c.conn(), ctx.practice, id).await?;
        drop(c);
        for item in &review.items {
            self.audit(ctx.event(
                AuditAction::CaseReviewRead,
                AuditCategory::Clinical,
                Some(item.patient),
                id.to_string(),
            ))
            .await?;
        }
        Ok(review)
    }

    /// The practice's case reviews between two dates (inclusive), newest first; no patient data.
    pub async fn case_reviews(
        &self,
        practice: PracticeId,
        from: Date,
        to: Date,
    ) -> Result<Vec<(CaseReviewId, Date, UserId, i64)>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            id: Uuid,
            review_on: Date,
            consultant_id: Uuid,
            patients: i64,
        }
        let mut c = self.read().await?;
        let rows: Vec<Row> = c
            .conn()
            .fetch_all(
                "SELECT cr.id, cr.review_on, cr.consultant_id, \
                 (SELECT COUNT(*) FROM case_review_items i WHERE i.case_review_id = cr.id) AS patients \
                 FROM case_reviews cr WHERE cr.practice_id = $1 AND cr.review_on >= $2 AND cr.review_on <= $3 \
                 ORDER BY cr.review_on DESC, cr.id DESC",
                args![practice, from, to],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| {
                (
                    CaseReviewId::from_uuid(r.id),
                    r.review_on,
                    UserId::from_uuid(r.consultant_id),
                    r.patients,
                )
            })
            .collect())
    }

    /// Accept, decline or complete a recommendation, checked by the domain's rules.
    pub async fn decide_recommendation(
        &self,
        ctx: &Ctx,
        id: RecommendationId,
        version: i64,
        action: &RecommendationAction,
    ) -> Result<Recommendation> {
        let mut tx = self.begin().await?;
        let rec = load_recommendation(&mut tx.conn(), ctx.practice, id).await?;
        if rec.version != version {
            return Err(StoreError::Conflict);
        }
        let to = decide(rec.status, action).map_err(|m| StoreError::invalid("action", m))?;
        let (decline_reason, done_at, decided) = match action {
            RecommendationAction::Decline { reason } => {
                (Some(reason.trim().to_owned()), None, true)
            }
            RecommendationAction::MarkDone => (None, Some(ctx.now), false),
            RecommendationAction::Accept => (None, None, true),
        };
        let n = tx
            .execute(
                "UPDATE recommendations SET status = $3, \
                 decided_by = CASE WHEN $4 THEN $5 ELSE decided_by END, \
                 decided_at = CASE WHEN $4 THEN $6 ELSE decided_at END, \
                 decline_reason = COALESCE($7, decline_reason), done_at = COALESCE($8, done_at), version = version + 1 \
                 WHERE id = $1 AND practice_id = $2 AND version = $9",
                args![id, ctx.practice, to.code(), decided, ctx.user, ctx.now, decline_reason, done_at, version],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::Conflict);
        }
        refresh_facts(&mut tx, ctx, rec.episode).await?;
        audit::append(
            &mut tx,
            &ctx.event(
                AuditAction::RecommendationDecide,
                AuditCategory::Clinical,
                Some(rec.patient),
                format!("{id} {}", to.code()),
            ),
        )
        .await?;
        let updated = load_recommendation(&mut tx.conn(), ctx.practice, id).await?;
        tx.commit().await?;
        Ok(updated)
    }

    /// Recommendations by filter, oldest review first (audited, one event per request).
    pub async fn recommendations(
        &self,
        ctx: &Ctx,
        filter: RecommendationFilter,
    ) -> Result<Vec<Recommendation>> {
        let mut c = self.read().await?;
        let rows: Vec<RecommendationRow> = match filter {
            RecommendationFilter::OpenForPractitioner(user) => {
                c.conn()
                    .fetch_all(
                        concat!(
                            recommendation_select!(),
                            "JOIN patients p ON p.id = r.patient_id \
                             WHERE r.practice_id = $1 AND p.treating_practitioner_id = $2 AND r.status IN ('proposed', 'accepted') \
                             ORDER BY cr.review_on, r.created_at, r.id"
                        ),
                        args![ctx.practice, user],
                    )
                    .await?
            }
            RecommendationFilter::Open => {
                c.conn()
                    .fetch_all(
                        concat!(
                            recommendation_select!(),
                            "WHERE r.practice_id = $1 AND r.status IN ('proposed', 'accepted') ORDER BY cr.review_on, r.created_at, r.id"
                        ),
                        args![ctx.practice],
                    )
                    .await?
            }
            RecommendationFilter::Episode(episode) => {
                c.conn()
                    .fetch_all(
                        concat!(
                            recommendation_select!(),
                            "WHERE r.practice_id = $1 AND r.episode_id = $2 ORDER BY cr.review_on, r.created_at, r.id"
                        ),
                        args![ctx.practice, episode],
                    )
                    .await?
            }
        };
        drop(c);
        let patient = match filter {
            RecommendationFilter::Episode(_) => {
                rows.first().map(|r| PatientId::from_uuid(r.patient_id))
            }
            _ => None,
        };
        self.audit(ctx.event(
            AuditAction::RecommendationRead,
            AuditCategory::Clinical,
            patient,
            format!("{} recommendations", rows.len()),
        ))
        .await?;
        rows.into_iter()
            .map(RecommendationRow::into_model)
            .collect()
    }

    /// One recommendation (audited).
    pub async fn recommendation(&self, ctx: &Ctx, id: RecommendationId) -> Result<Recommendation> {
        let mut c = self.read().await?;
        let rec = load_recommendation(&mut c.conn(), ctx.practice, id).await?;
        drop(c);
        self.audit(ctx.event(
            AuditAction::RecommendationRead,
            AuditCategory::Clinical,
            Some(rec.patient),
            id.to_string(),
        ))
        .await?;
        Ok(rec)
    }
}

async fn load_case_review(
    c: &mut Conn<'_>,
    practice: PracticeId,
    id: CaseReviewId,
) -> Result<CaseReview> {
    #[derive(sqlx::FromRow)]
    struct ReviewRow {
        review_on: Date,
        consultant_id: Uuid,
        notes: Option<String>,
    }
    #[derive(sqlx::FromRow)]
    struct ItemRow {
        episode_id: Uuid,
        patient_id: Uuid,
        notes: Option<String>,
    }
    let r: ReviewRow = c
        .fetch_one(
            "SELECT review_on, consultant_id, notes FROM case_reviews WHERE id = $1 AND practice_id = $2",
            args![id, practice],
        )
        .await?;
    let items: Vec<ItemRow> = c
        .fetch_all(
            "SELECT episode_id, patient_id, notes FROM case_review_items WHERE case_review_id = $1 AND practice_id = $2 ORDER BY id",
            args![id, practice],
        )
        .await?;
    let recs: Vec<RecommendationRow> = c
        .fetch_all(
            concat!(
                recommendation_select!(),
                "WHERE r.case_review_id = $1 AND r.practice_id = $2 ORDER BY r.created_at, r.id"
            ),
            args![id, practice],
        )
        .await?;
    let recs: Vec<Recommendation> = recs
        .into_iter()
        .map(RecommendationRow::into_model)
        .collect::<Result<_>>()?;
    Ok(CaseReview {
        id,
        review_on: r.review_on,
        consultant: UserId::from_uuid(r.consultant_id),
        notes: r.notes,
        items: items
            .into_iter()
            .map(|i| {
                let episode = EpisodeId::from_uuid(i.episode_id);
                CaseReviewItem {
                    episode,
                    patient: PatientId::from_uuid(i.patient_id),
                    notes: i.notes,
                    recommendations: recs
                        .iter()
                        .filter(|r| r.episode == episode)
                        .cloned()
                        .collect(),
                }
            })
            .collect(),
    })
}
