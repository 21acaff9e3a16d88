//! Backups of the embedded SQLite database, and their trace in the audit trail (HIPAA
//! 164.308(a)(7)(ii)(A) data backup plan; reference security-reliability.md §4.9). On
//! PostgreSQL the backup is `pg_dump`'s, which takes one consistent snapshot of a running
//! server (docs/security.md).

use crate::Engine;
use crate::Store;
use crate::audit;
use crate::db::args;
use crate::error::{Result, StoreError};
use crate::model::Ctx;
use std::path::Path;
use stepwise_domain::audit::{AuditAction, AuditCategory};

impl Store {
    /// Copy the whole database into the new file `to`, consistent as of one instant while the
    /// server keeps serving: SQLite's `VACUUM INTO` reads in one transaction, so writers go
    /// on, and writes a compacted database with no write-ahead log beside it. The backup
    /// is then recorded in every practice's audit trail (`backup.create`). Returns the size
    /// of the file. Refused on PostgreSQL (use `pg_dump`).
    pub async fn backup_to(&self, ctx: &Ctx, to: &Path) -> Result<u64> {
        if self.engine() == Engine::Postgres {
            return Err(StoreError::invalid(
                "database",
                "this is a PostgreSQL database: back it up with pg_dump (docs/security.md)",
            ));
        }
        let target = to.to_str().ok_or_else(|| {
            StoreError::invalid("to", "the backup file's path must be valid UTF-8")
        })?;
        self.read()
            .await?
            .conn()
            .execute("VACUUM INTO $1", args![target])
            .await?;
        let bytes = std::fs::metadata(to)
            .map(|m| m.len())
            .map_err(|e| StoreError::Corrupt(format!("the backup file is missing: {e}")))?;
        let name = to
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        self.audit_every_practice(
            ctx,
            AuditAction::BackupCreate,
            &format!("backup file {name}, {bytes} bytes"),
        )
        .await?;
        Ok(bytes)
    }

    /// Record an event about the whole installation (a backup, a restore) in every practice's
    /// audit trail, in one transaction, so each practice's own report shows it.
    pub async fn audit_every_practice(
        &self,
        ctx: &Ctx,
        action: AuditAction,
        detail: &str,
    ) -> Result<()> {
        let practices = self.practices().await?;
        let mut tx = self.begin().await?;
        for p in practices {
            let pctx = Ctx {
                practice: p.id,
                ..ctx.clone()
            };
            audit::append(
                &mut tx,
                &pctx.event(action, AuditCategory::Administration, None, detail),
            )
            .await?;
        }
        tx.commit().await
    }
}
