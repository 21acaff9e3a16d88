//! Second factors (TOTP secrets, recovery codes) and break-glass grants.

use crate::Store;
use crate::audit::{self, AuditCategory};
use crate::db::args;
use crate::error::{Result, StoreError};
use crate::model::{BreakGlassGrant, Ctx, TotpState};
use crate::ops::new_id;
use stepwise_domain::audit::AuditAction;
use stepwise_domain::ids::{BreakGlassId, PatientId, PracticeId, UserId};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct GrantRow {
    id: Uuid,
    user_id: Uuid,
    patient_id: Uuid,
    reason: String,
    started_at: OffsetDateTime,
    expires_at: OffsetDateTime,
}

impl GrantRow {
    fn into_model(self) -> BreakGlassGrant {
        BreakGlassGrant {
            id: BreakGlassId::from_uuid(self.id),
            user: UserId::from_uuid(self.user_id),
            patient: PatientId::from_uuid(self.patient_id),
            reason: self.reason,
            started_at: self.started_at,
            expires_at: self.expires_at,
        }
    }
}

impl Store {
    /// A user's TOTP secret and its state, if they have one (confirmed or not).
    pub async fn totp_state(
        &self,
        practice: PracticeId,
        user: UserId,
    ) -> Result<Option<TotpState>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            secret: String,
            confirmed_at: Option<OffsetDateTime>,
            last_step: Option<i64>,
        }
        let mut c = self.read().await?;
        let row: Option<Row> = c
            .conn()
            .fetch_optional(
                "SELECT secret, confirmed_at, last_step FROM user_totp WHERE user_id = $1 AND practice_id = $2",
                args![user, practice],
            )
            .await?;
        Ok(row.map(|r| TotpState {
            secret: r.secret,
            confirmed: r.confirmed_at.is_some(),
            last_step: r.last_step,
        }))
    }

    /// Keep a new, unconfirmed TOTP secret for the signed-in user (replacing an unconfirmed
    /// one). A confirmed secret is only removed by an administrator's credential reset.
    pub async fn begin_totp_enrollment(&self, ctx: &Ctx, secret: &str) -> Result<()> {
        let user = ctx.user.ok_or(StoreError::NotFound)?;
        let mut tx = self.begin().await?;
        tx.execute(
            "DELETE FROM user_totp WHERE user_id = $1 AND confirmed_at IS NULL",
            args![user],
        )
        .await?;
        let inserted = tx
            .execute(
                "INSERT INTO user_totp (user_id, practice_id, secret, created_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (user_id) DO NOTHING",
                args![user, ctx.practice, secret, ctx.now],
            )
            .await?;
        if inserted == 0 {
            return Err(StoreError::invalid(
                "totp",
                "A second factor is already set up; an administrator can reset it",
            ));
        }
        tx.commit().await
    }

    /// Confirm the pending secret with the time step of the code the user entered, and store
    /// the hashes of their recovery codes. Audited as `mfa.enroll`.
    pub async fn confirm_totp_enrollment(
        &self,
        ctx: &Ctx,
        step: i64,
        recovery_code_hashes: &[String],
    ) -> Result<()> {
        let user = ctx.user.ok_or(StoreError::NotFound)?;
        let mut tx = self.begin().await?;
        let n = tx
            .execute(
                "UPDATE user_totp SET confirmed_at = $2, last_step = $3 WHERE user_id = $1 AND confirmed_at IS NULL",
                args![user, ctx.now, step],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        tx.execute("DELETE FROM recovery_codes WHERE user_id = $1", args![user])
            .await?;
        for h in recovery_code_hashes {
            tx.execute(
                "INSERT INTO recovery_codes (user_id, practice_id, code_hash, created_at) VALUES ($1, $2, $3, $4)",
                args![user, ctx.practice, h.as_str(), ctx.now],
            )
            .await?;
        }
        audit::append(
            &mut tx,
            &ctx.event(
                AuditAction::MfaEnroll,
                AuditCategory::Authentication,
                None,
                format!("totp, {} recovery codes", recovery_code_hashes.len()),
            ),
        )
        .await?;
        tx.commit().await
    }

    /// Accept a TOTP code's time step once: true only if it is later than every step accepted
    /// before for this user, so a code (or an earlier one) cannot be replayed.
    pub async fn use_totp_step(&self, ctx: &Ctx, step: i64) -> Result<bool> {
        let user = ctx.user.ok_or(StoreError::NotFound)?;
        let mut tx = self.begin().await?;
        let n = tx
            .execute(
                "UPDATE user_totp SET last_step = $2 WHERE user_id = $1 AND confirmed_at IS NOT NULL \
                 AND (last_step IS NULL OR last_step < $2)",
                args![user, step],
            )
            .await?;
        tx.commit().await?;
        Ok(n == 1)
    }

    /// Use a recovery code (by its hash) once. Audited as `mfa.recovery_code_used`.
    pub async fn use_recovery_code(&self, ctx: &Ctx, code_hash: &str) -> Result<bool> {
        let user = ctx.user.ok_or(StoreError::NotFound)?;
        let mut tx = self.begin().await?;
        let n = tx
            .execute(
                "UPDATE recovery_codes SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL",
                args![user, code_hash, ctx.now],
            )
            .await?;
        if n == 0 {
            return Ok(false);
        }
        let left: crate::db::One<i64> = tx
            .fetch_one(
                "SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL",
                args![user],
            )
            .await?;
        audit::append(
            &mut tx,
            &ctx.event(
                AuditAction::RecoveryCodeUse,
                AuditCategory::Authentication,
                None,
                format!("{} left", left.0),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// How many unused recovery codes a user has.
    pub async fn recovery_codes_left(&self, practice: PracticeId, user: UserId) -> Result<i64> {
        let mut c = self.read().await?;
        let n: crate::db::One<i64> = c
            .conn()
            .fetch_one(
                "SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND practice_id = $2 AND used_at IS NULL",
                args![user, practice],
            )
            .await?;
        Ok(n.0)
    }

    /// Open break-glass access to a patient for `minutes`, with the reason given. Refused
    /// unless the administrator allows the user break-glass access. Audited as
    /// `break_glass.start` (the reason stays in the grant, not in the audit detail).
    pub async fn start_break_glass(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        reason: &str,
        minutes: u32,
    ) -> Result<BreakGlassGrant> {
        let user = ctx.user.ok_or(StoreError::NotFound)?;
        let reason =
            stepwise_domain::auth::break_glass_reason(reason).map_err(StoreError::Invalid)?;
        if minutes == 0 || minutes > stepwise_domain::auth::BREAK_GLASS_MAX_MINUTES {
            return Err(StoreError::invalid(
                "minutes",
                "a break-glass grant lasts 1 to 480 minutes",
            ));
        }
        let mut tx = self.begin().await?;
        let allowed: Option<crate::db::One<bool>> = tx
            .fetch_optional(
                "SELECT break_glass_allowed FROM users WHERE id = $1 AND practice_id = $2 AND disabled = FALSE",
                args![user, ctx.practice],
            )
            .await?;
        if !allowed.is_some_and(|a| a.0) {
            return Err(StoreError::invalid(
                "user",
                "Your account is not allowed break-glass access; a practice administrator can allow it",
            ));
        }
        let exists: Option<crate::db::One<Uuid>> = tx
            .fetch_optional(
                "SELECT id FROM patients WHERE id = $1 AND practice_id = $2",
                args![patient, ctx.practice],
            )
            .await?;
        if exists.is_none() {
            return Err(StoreError::NotFound);
        }
        let id: BreakGlassId = new_id();
        let expires = ctx.now + Duration::minutes(i64::from(minutes));
        tx.execute(
            "INSERT INTO break_glass_grants (id, practice_id, user_id, patient_id, reason, started_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            args![id, ctx.practice, user, patient, reason.as_str(), ctx.now, expires],
        )
        .await?;
        audit::append(
            &mut tx,
            &ctx.event(
                AuditAction::BreakGlassStart,
                AuditCategory::Clinical,
                Some(patient),
                format!("grant {id} for {minutes} min"),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(BreakGlassGrant {
            id,
            user,
            patient,
            reason,
            started_at: ctx.now,
            expires_at: expires,
        })
    }

    /// The user's live break-glass grant for a patient at `now`, if any (the latest).
    pub async fn active_break_glass(
        &self,
        practice: PracticeId,
        user: UserId,
        patient: PatientId,
        now: OffsetDateTime,
    ) -> Result<Option<BreakGlassGrant>> {
        let mut c = self.read().await?;
        let row: Option<GrantRow> = c
            .conn()
            .fetch_optional(
                "SELECT g.id, g.user_id, g.patient_id, g.reason, g.started_at, g.expires_at \
                 FROM break_glass_grants g JOIN users u ON u.id = g.user_id \
                 WHERE g.practice_id = $1 AND g.user_id = $2 AND g.patient_id = $3 \
                 AND g.started_at <= $4 AND g.expires_at > $4 \
                 AND u.break_glass_allowed = TRUE AND u.disabled = FALSE \
                 ORDER BY g.expires_at DESC LIMIT 1",
                args![practice, user, patient, now],
            )
            .await?;
        Ok(row.map(GrantRow::into_model))
    }

    /// A practice's break-glass grants started in `[from, to)`, for review (HIPAA
    /// 164.312(a)(2)(ii); reference security-reliability.md H-AC-2: flagged in audit reports).
    pub async fn break_glass_grants(
        &self,
        practice: PracticeId,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<Vec<BreakGlassGrant>> {
        let mut c = self.read().await?;
        let rows: Vec<GrantRow> = c
            .conn()
            .fetch_all(
                "SELECT id, user_id, patient_id, reason, started_at, expires_at FROM break_glass_grants \
                 WHERE practice_id = $1 AND started_at >= $2 AND started_at < $3 ORDER BY started_at, id",
                args![practice, from, to],
            )
            .await?;
        Ok(rows.into_iter().map(GrantRow::into_model).collect())
    }
}
