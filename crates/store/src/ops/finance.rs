//! The practice's financial settings (team roster cost, payer rates) and its measures of
//! success: one JSON document per practice and kind, saved as a new version each time and
//! never overwritten (like the plan). Neither holds patient data; every save is audited.

use crate::Store;
use crate::audit::{self, AuditCategory};
use crate::db::{One, args};
use crate::error::{Result, StoreError};
use crate::model::{Ctx, StoredFinanceSettings, StoredMeasures};
use crate::ops::{from_json, to_json};
use serde::Serialize;
use serde::de::DeserializeOwned;
use stepwise_domain::audit::AuditAction;
use stepwise_domain::finance::FinanceSettings;
use stepwise_domain::ids::{PracticeId, UserId};
use stepwise_domain::metrics::MeasuresOfSuccess;
use time::OffsetDateTime;
use uuid::Uuid;

const FINANCE: &str = "finance";
const MEASURES: &str = "measures";

#[derive(sqlx::FromRow)]
struct VersionRow {
    version: i64,
    doc: String,
    saved_at: OffsetDateTime,
    saved_by: Option<Uuid>,
}

struct Latest<T> {
    doc: T,
    version: i64,
    saved_at: Option<OffsetDateTime>,
    saved_by: Option<UserId>,
}

impl Store {
    async fn latest<T: DeserializeOwned + Default>(
        &self,
        practice: PracticeId,
        kind: &str,
    ) -> Result<Latest<T>> {
        let mut c = self.read().await?;
        let row: Option<VersionRow> = c
            .conn()
            .fetch_optional(
                "SELECT version, doc, saved_at, saved_by FROM practice_settings_versions \
                 WHERE practice_id = $1 AND kind = $2 ORDER BY version DESC LIMIT 1",
                args![practice, kind.to_owned()],
            )
            .await?;
        Ok(match row {
            Some(r) => Latest {
                doc: from_json(&r.doc)?,
                version: r.version,
                saved_at: Some(r.saved_at),
                saved_by: r.saved_by.map(UserId::from_uuid),
            },
            None => Latest {
                doc: T::default(),
                version: 0,
                saved_at: None,
                saved_by: None,
            },
        })
    }

    /// Save `doc` as the version after `expected` (0 before the first save); a version saved
    /// by someone else meanwhile is a conflict and nothing is stored.
    async fn save_version<T: Serialize>(
        &self,
        ctx: &Ctx,
        kind: &str,
        expected: i64,
        doc: &T,
        action: AuditAction,
        category: AuditCategory,
    ) -> Result<i64> {
        let text = to_json(doc)?;
        let mut tx = self.begin().await?;
        let latest: Option<One<i64>> = tx
            .fetch_optional(
                "SELECT version FROM practice_settings_versions \
                 WHERE practice_id = $1 AND kind = $2 ORDER BY version DESC LIMIT 1",
                args![ctx.practice, kind.to_owned()],
            )
            .await?;
        if latest.map_or(0, |v| v.0) != expected {
            return Err(StoreError::Conflict);
        }
        let version = expected + 1;
        // Two saves from the same version race to this insert: the primary key lets one win.
        let inserted = tx
            .execute(
                "INSERT INTO practice_settings_versions \
                 (practice_id, kind, version, doc, saved_at, saved_by) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
                args![
                    ctx.practice,
                    kind.to_owned(),
                    version,
                    text,
                    ctx.now,
                    ctx.user
                ],
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
            &ctx.event(action, category, None, format!("{kind} version {version}")),
        )
        .await?;
        tx.commit().await?;
        Ok(version)
    }

    /// The practice's financial settings: the latest version, or the defaults (no roster,
    /// every payer at 100 % of the fee table) at version 0.
    pub async fn finance_settings(&self, practice: PracticeId) -> Result<StoredFinanceSettings> {
        let l = self.latest::<FinanceSettings>(practice, FINANCE).await?;
        Ok(StoredFinanceSettings {
            settings: l.doc,
            version: l.version,
            saved_at: l.saved_at,
            saved_by: l.saved_by,
        })
    }

    /// Save the financial settings as the version after `expected`. Checked by the domain
    /// first: invalid settings and a stale version change nothing. Audited, category billing.
    pub async fn save_finance_settings(
        &self,
        ctx: &Ctx,
        expected: i64,
        settings: &FinanceSettings,
    ) -> Result<StoredFinanceSettings> {
        settings.validate()?;
        let version = self
            .save_version(
                ctx,
                FINANCE,
                expected,
                settings,
                AuditAction::FinanceSettingsSave,
                AuditCategory::Billing,
            )
            .await?;
        Ok(StoredFinanceSettings {
            settings: settings.clone(),
            version,
            saved_at: Some(ctx.now),
            saved_by: ctx.user,
        })
    }

    /// The practice's measures of success: the latest version, or none chosen at version 0.
    pub async fn measures_of_success(&self, practice: PracticeId) -> Result<StoredMeasures> {
        let l = self.latest::<MeasuresOfSuccess>(practice, MEASURES).await?;
        Ok(StoredMeasures {
            measures: l.doc,
            version: l.version,
            saved_at: l.saved_at,
            saved_by: l.saved_by,
        })
    }

    /// Save the measures of success as the version after `expected` (a stale version changes
    /// nothing). Audited as administration.
    pub async fn save_measures_of_success(
        &self,
        ctx: &Ctx,
        expected: i64,
        measures: &MeasuresOfSuccess,
    ) -> Result<StoredMeasures> {
        let codes: Vec<String> = measures
            .chosen
            .iter()
            .map(|c| c.code().to_owned())
            .collect();
        let checked = MeasuresOfSuccess::parse(&codes)?;
        let version = self
            .save_version(
                ctx,
                MEASURES,
                expected,
                &checked,
                AuditAction::MeasuresSave,
                AuditCategory::Administration,
            )
            .await?;
        Ok(StoredMeasures {
            measures: checked,
            version,
            saved_at: Some(ctx.now),
            saved_by: ctx.user,
        })
    }
}
