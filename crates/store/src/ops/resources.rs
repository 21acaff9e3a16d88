//! The community resource directory (reference bhi-planning.md §6): one row per service of an
//! organization, the whole entry kept as its domain document beside the columns lists sort by.
//! Every practice starts with the built-in national lines (988 first), seeded with the practice
//! and, for practices created before the directory existed, when the store is opened.
//! Directory entries hold no patient data: writes are audited as administration.

use crate::Store;
use crate::audit::{self, AuditCategory};
use crate::db::{Conn, Tx, args};
use crate::error::{Result, StoreError};
use crate::model::{Ctx, DirectoryEntry, ImportSummary};
use crate::ops::{from_json, to_json};
use stepwise_domain::audit::AuditAction;
use stepwise_domain::ids::PracticeId;
use stepwise_domain::resources::{Resource, ResourceId, built_in_resources, is_built_in};
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct ResourceRow {
    id: Uuid,
    built_in: bool,
    doc: String,
    version: i64,
}

impl ResourceRow {
    fn into_model(self) -> Result<DirectoryEntry> {
        let mut resource: Resource = from_json(&self.doc)?;
        resource.id = Some(ResourceId(self.id));
        Ok(DirectoryEntry {
            resource,
            built_in: self.built_in,
            version: self.version,
        })
    }
}

fn categories_column(r: &Resource) -> String {
    r.categories
        .iter()
        .map(|c| c.code())
        .collect::<Vec<_>>()
        .join(";")
}

/// Insert the built-in national lines that a practice (`None`: every practice) does not have
/// yet, dated at the practice's creation; an entry the practice has edited (or made inactive)
/// is left as it is.
pub(crate) async fn seed_built_in(tx: &mut Tx, practice: Option<PracticeId>) -> Result<()> {
    for r in built_in_resources() {
        let Some(id) = r.id else { continue };
        // `WHERE true` lets SQLite read ON CONFLICT after INSERT … SELECT.
        tx.execute(
            "INSERT INTO resources (practice_id, id, organization_name, service_name, status, categories, built_in, doc, \
             version, updated_at, updated_by) \
             SELECT p.id, $2, $3, $4, $5, $6, $7, $8, 1, p.created_at, NULL FROM practices p \
             WHERE ($1 IS NULL OR p.id = $1) ON CONFLICT (practice_id, id) DO NOTHING",
            args![
                practice,
                id.0,
                r.organization_name.clone(),
                r.service_name.clone(),
                r.status.code(),
                categories_column(&r),
                true,
                to_json(&r)?
            ],
        )
        .await?;
    }
    Ok(())
}

async fn load(c: &mut Conn<'_>, practice: PracticeId, id: ResourceId) -> Result<DirectoryEntry> {
    let row: ResourceRow = c
        .fetch_one(
            "SELECT id, built_in, doc, version FROM resources WHERE practice_id = $1 AND id = $2",
            args![practice, id.0],
        )
        .await?;
    row.into_model()
}

/// The entry as stored: trimmed, validated, without its id inside the document.
fn checked(r: &Resource) -> Result<Resource> {
    r.validate()?;
    let mut r = r.clone();
    r.id = None;
    r.organization_name = r.organization_name.trim().to_owned();
    r.service_name = r.service_name.trim().to_owned();
    Ok(r)
}

async fn insert(tx: &mut Tx, ctx: &Ctx, id: ResourceId, r: &Resource) -> Result<()> {
    tx.execute(
        "INSERT INTO resources (practice_id, id, organization_name, service_name, status, categories, built_in, doc, \
         version, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $10)",
        args![
            ctx.practice,
            id.0,
            r.organization_name.clone(),
            r.service_name.clone(),
            r.status.code(),
            categories_column(r),
            is_built_in(id),
            to_json(r)?,
            ctx.now,
            ctx.user
        ],
    )
    .await?;
    Ok(())
}

/// Update the entry if it is at `version` (any version when `None`); the number of rows changed.
async fn overwrite(
    tx: &mut Tx,
    ctx: &Ctx,
    id: ResourceId,
    version: Option<i64>,
    r: &Resource,
) -> Result<u64> {
    tx.execute(
        "UPDATE resources SET organization_name = $3, service_name = $4, status = $5, categories = $6, doc = $7, \
         version = version + 1, updated_at = $8, updated_by = $9 \
         WHERE practice_id = $1 AND id = $2 AND ($10 IS NULL OR version = $10)",
        args![
            ctx.practice,
            id.0,
            r.organization_name.clone(),
            r.service_name.clone(),
            r.status.code(),
            categories_column(r),
            to_json(r)?,
            ctx.now,
            ctx.user,
            version
        ],
    )
    .await
}

impl Store {
    /// Every entry of the practice's directory, active or not, by organization and service
    /// (search and the call list are the domain's, over this list).
    pub async fn resources(&self, practice: PracticeId) -> Result<Vec<DirectoryEntry>> {
        let mut c = self.read().await?;
        let rows: Vec<ResourceRow> = c
            .conn()
            .fetch_all(
                "SELECT id, built_in, doc, version FROM resources WHERE practice_id = $1 \
                 ORDER BY organization_name, service_name, id",
                args![practice],
            )
            .await?;
        rows.into_iter().map(ResourceRow::into_model).collect()
    }

    /// One entry; its `version` is what a correction needs.
    pub async fn resource(&self, practice: PracticeId, id: ResourceId) -> Result<DirectoryEntry> {
        let mut c = self.read().await?;
        load(&mut c.conn(), practice, id).await
    }

    /// Add an entry (its `id`, if any, is ignored: a new one is made).
    pub async fn create_resource(&self, ctx: &Ctx, r: &Resource) -> Result<DirectoryEntry> {
        let r = checked(r)?;
        let id = ResourceId(Uuid::now_v7());
        let mut tx = self.begin().await?;
        insert(&mut tx, ctx, id, &r).await?;
        audit::append(
            &mut tx,
            &ctx.event(
                AuditAction::ResourceCreate,
                AuditCategory::Administration,
                None,
                id.to_string(),
            ),
        )
        .await?;
        let entry = load(&mut tx.conn(), ctx.practice, id).await?;
        tx.commit().await?;
        Ok(entry)
    }

    /// Correct an entry at `version`: a stale version is a conflict, never an overwrite.
    pub async fn update_resource(
        &self,
        ctx: &Ctx,
        id: ResourceId,
        version: i64,
        r: &Resource,
    ) -> Result<DirectoryEntry> {
        let r = checked(r)?;
        let mut tx = self.begin().await?;
        let n = overwrite(&mut tx, ctx, id, Some(version), &r).await?;
        if n == 0 {
            let exists = load(&mut tx.conn(), ctx.practice, id).await.is_ok();
            return Err(crate::ops::conflict_or_missing(exists));
        }
        audit::append(
            &mut tx,
            &ctx.event(
                AuditAction::ResourceUpdate,
                AuditCategory::Administration,
                None,
                id.to_string(),
            ),
        )
        .await?;
        let entry = load(&mut tx.conn(), ctx.practice, id).await?;
        tx.commit().await?;
        Ok(entry)
    }

    /// Import parsed CSV rows, all or nothing: a row with an id updates that entry (or adds it
    /// with that id, for a file exported from another installation), a row without one adds a
    /// new entry. One audit event for the file.
    pub async fn import_resources(&self, ctx: &Ctx, rows: &[Resource]) -> Result<ImportSummary> {
        let mut checked_rows = Vec::with_capacity(rows.len());
        for (i, r) in rows.iter().enumerate() {
            let c = checked(r).map_err(|e| match e {
                StoreError::Invalid(v) => StoreError::Invalid(v.nested(&format!("rows[{i}]"))),
                other => other,
            })?;
            checked_rows.push((r.id, c));
        }
        let mut summary = ImportSummary::default();
        let mut tx = self.begin().await?;
        for (id, r) in &checked_rows {
            let updated = match id {
                Some(id) => overwrite(&mut tx, ctx, *id, None, r).await? > 0,
                None => false,
            };
            if updated {
                summary.updated += 1;
            } else {
                let id = id.unwrap_or_else(|| ResourceId(Uuid::now_v7()));
                insert(&mut tx, ctx, id, r).await?;
                summary.added += 1;
            }
        }
        audit::append(
            &mut tx,
            &ctx.event(
                AuditAction::ResourceImport,
                AuditCategory::Administration,
                None,
                format!("{} added, {} updated", summary.added, summary.updated),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(summary)
    }
}
