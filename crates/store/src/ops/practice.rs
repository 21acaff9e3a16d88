use crate::Store;
use crate::audit::{self, AuditCategory};
use crate::db::{One, args};
use crate::error::{Result, StoreError};
use crate::model::{Ctx, Practice, PracticeSettings, Site};
use crate::ops::{from_json, new_id, to_json};
use stepwise_domain::audit::AuditAction;
use stepwise_domain::ids::{PracticeId, SiteId};
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct PracticeRow {
    id: Uuid,
    name: String,
    time_zone: String,
    settings: String,
    mfa_relaxed_demo: bool,
}

impl PracticeRow {
    fn into_model(self) -> Result<Practice> {
        Ok(Practice {
            id: PracticeId::from_uuid(self.id),
            name: self.name,
            time_zone: self.time_zone,
            settings: from_json(&self.settings)?,
            mfa_relaxed_demo: self.mfa_relaxed_demo,
        })
    }
}

#[derive(sqlx::FromRow)]
struct SiteRow {
    id: Uuid,
    name: String,
}

impl Store {
    /// Create a practice with its audit chain. `source` is who installed it (e.g. `cli`).
    pub async fn create_practice(
        &self,
        name: &str,
        time_zone: &str,
        now: OffsetDateTime,
        source: &str,
    ) -> Result<Practice> {
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::invalid("name", "The practice needs a name"));
        }
        let id: PracticeId = new_id();
        let settings = PracticeSettings::default();
        let mut tx = self.begin().await?;
        tx.execute(
            "INSERT INTO practices (id, name, time_zone, settings, registry_generation, created_at) VALUES ($1, $2, $3, $4, 0, $5)",
            args![id, name, time_zone, to_json(&settings)?, now],
        )
        .await?;
        tx.execute(
            "INSERT INTO audit_heads (practice_id, seq, hash) VALUES ($1, 0, '')",
            args![id],
        )
        .await?;
        let ctx = Ctx {
            practice: id,
            user: None,
            role: None,
            request_id: String::new(),
            source: source.to_owned(),
            now,
            today: now.date(),
        };
        // The directory starts with the national crisis lines (988 first; bhi-planning.md §6.1).
        crate::ops::resources::seed_built_in(&mut tx, Some(id)).await?;
        audit::append(
            &mut tx,
            &ctx.event(
                AuditAction::PracticeCreate,
                AuditCategory::Administration,
                None,
                "",
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(Practice {
            id,
            name: name.to_owned(),
            time_zone: time_zone.to_owned(),
            settings,
            mfa_relaxed_demo: false,
        })
    }

    pub async fn practice(&self, id: PracticeId) -> Result<Practice> {
        let mut c = self.read().await?;
        let row: PracticeRow = c
            .conn()
            .fetch_one(
                "SELECT id, name, time_zone, settings, mfa_relaxed_demo FROM practices WHERE id = $1",
                args![id],
            )
            .await?;
        row.into_model()
    }

    /// Every practice on this server, oldest first.
    pub async fn practices(&self) -> Result<Vec<Practice>> {
        let mut c = self.read().await?;
        let rows: Vec<PracticeRow> = c
            .conn()
            .fetch_all(
                "SELECT id, name, time_zone, settings, mfa_relaxed_demo FROM practices ORDER BY created_at, id",
                args![],
            )
            .await?;
        rows.into_iter().map(PracticeRow::into_model).collect()
    }

    /// Mark the demo practice: its users without a second factor sign in with their password
    /// alone, and every page says so. Only the demo seeding calls this; no API reaches it.
    pub async fn set_demo_mfa_relaxed(&self, ctx: &Ctx, relaxed: bool) -> Result<()> {
        let mut tx = self.begin().await?;
        let n = tx
            .execute(
                "UPDATE practices SET mfa_relaxed_demo = $2 WHERE id = $1",
                args![ctx.practice, relaxed],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        audit::append(
            &mut tx,
            &ctx.event(
                AuditAction::PracticeSettings,
                AuditCategory::Administration,
                None,
                format!("demo: second factor relaxed = {relaxed}"),
            ),
        )
        .await?;
        tx.commit().await
    }

    pub async fn update_practice_settings(
        &self,
        ctx: &Ctx,
        settings: &PracticeSettings,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let n = tx
            .execute(
                "UPDATE practices SET settings = $2 WHERE id = $1",
                args![ctx.practice, to_json(settings)?],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        audit::append(
            &mut tx,
            &ctx.event(
                AuditAction::PracticeSettings,
                AuditCategory::Administration,
                None,
                "",
            ),
        )
        .await?;
        tx.commit().await
    }

    pub async fn create_site(&self, ctx: &Ctx, name: &str) -> Result<Site> {
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::invalid("name", "The site needs a name"));
        }
        let id: SiteId = new_id();
        let mut tx = self.begin().await?;
        let r = tx
            .execute(
                "INSERT INTO sites (id, practice_id, name, created_at) VALUES ($1, $2, $3, $4)",
                args![id, ctx.practice, name, ctx.now],
            )
            .await;
        if let Err(e) = r {
            return Err(match e.unique_violation() {
                Some(_) => StoreError::Duplicate {
                    field: "name",
                    message: format!("A site named '{name}' already exists"),
                },
                None => e,
            });
        }
        audit::append(
            &mut tx,
            &ctx.event(
                AuditAction::SiteCreate,
                AuditCategory::Administration,
                None,
                id.to_string(),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(Site {
            id,
            name: name.to_owned(),
        })
    }

    pub async fn sites(&self, practice: PracticeId) -> Result<Vec<Site>> {
        let mut c = self.read().await?;
        let rows: Vec<SiteRow> = c
            .conn()
            .fetch_all(
                "SELECT id, name FROM sites WHERE practice_id = $1 ORDER BY name",
                args![practice],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| Site {
                id: SiteId::from_uuid(r.id),
                name: r.name,
            })
            .collect())
    }

    /// Whether the database holds any practice yet (a new data directory holds none).
    pub async fn is_empty(&self) -> Result<bool> {
        let mut c = self.read().await?;
        let n: One<i64> = c
            .conn()
            .fetch_one("SELECT COUNT(*) FROM practices", args![])
            .await?;
        Ok(n.0 == 0)
    }
}
