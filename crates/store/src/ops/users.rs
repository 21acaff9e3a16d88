use crate::Store;
use crate::audit::{self, AuditCategory, AuditEvent, AuditOutcome};
use crate::db::{Conn, Tx, args};
use crate::error::{Result, StoreError};
use crate::model::{
    ApiToken, Credential, Ctx, NewUser, Principal, RegistryGeneration, SessionStage, SignInAccount,
    User,
};
use crate::ops::{code, conflict_or_missing, new_id};
use stepwise_domain::audit::AuditAction;
use stepwise_domain::auth::SECOND_FACTOR_WINDOW;
use stepwise_domain::auth::throttle::{ACCOUNT, Failures};
use stepwise_domain::billing::PractitionerKind;
use stepwise_domain::ids::{PracticeId, TokenId, UserId};
use stepwise_domain::role::Role;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct UserRow {
    id: Uuid,
    practice_id: Uuid,
    email: String,
    display_name: String,
    npi: Option<String>,
    disabled: bool,
    break_glass_allowed: bool,
    billing_kind: String,
    version: i64,
}

/// The columns of a [`UserRow`], as a literal so that queries stay `&'static str`.
macro_rules! user_columns {
    () => {
        "id, practice_id, email, display_name, npi, disabled, break_glass_allowed, billing_kind, version"
    };
}

#[derive(sqlx::FromRow)]
struct RoleRow {
    user_id: Uuid,
    role: String,
}

/// Join users with their roles (both lists ordered by user id).
fn assemble(users: Vec<UserRow>, roles: Vec<RoleRow>) -> Result<Vec<User>> {
    let mut out = Vec::with_capacity(users.len());
    for u in users {
        let mut user_roles = Vec::new();
        for r in roles.iter().filter(|r| r.user_id == u.id) {
            user_roles.push(code(Role::parse(&r.role))?);
        }
        user_roles.sort();
        out.push(User {
            id: UserId::from_uuid(u.id),
            practice: PracticeId::from_uuid(u.practice_id),
            email: u.email,
            display_name: u.display_name,
            roles: user_roles,
            disabled: u.disabled,
            break_glass_allowed: u.break_glass_allowed,
            npi: u.npi,
            billing_kind: code(PractitionerKind::parse(&u.billing_kind))?,
            version: u.version,
        });
    }
    Ok(out)
}

/// The columns of a [`UserRow`] from the table aliased `u`, for joins.
macro_rules! user_columns_u {
    () => {
        "u.id, u.practice_id, u.email, u.display_name, u.npi, u.disabled, u.break_glass_allowed, \
         u.billing_kind, u.version"
    };
}

/// A user joined with one of their roles (none: a user without roles).
#[derive(sqlx::FromRow)]
struct UserRoleRow {
    #[sqlx(flatten)]
    user: UserRow,
    role: Option<String>,
}

/// One user from the rows of a user joined with their roles (one row per role).
fn assemble_one(rows: Vec<UserRoleRow>) -> Result<Option<User>> {
    let mut roles = Vec::with_capacity(rows.len());
    let mut user = None;
    for r in rows {
        if let Some(role) = r.role {
            roles.push(RoleRow {
                user_id: r.user.id,
                role,
            });
        }
        user.get_or_insert(r.user);
    }
    Ok(match user {
        Some(u) => assemble(vec![u], roles)?.pop(),
        None => None,
    })
}

/// A user with their roles, in one query.
async fn load_user(c: &mut Conn<'_>, id: Uuid) -> Result<Option<User>> {
    let rows: Vec<UserRoleRow> = c
        .fetch_all(
            concat!(
                "SELECT ",
                user_columns_u!(),
                ", r.role FROM users u LEFT JOIN user_roles r ON r.user_id = u.id WHERE u.id = $1"
            ),
            args![id],
        )
        .await?;
    assemble_one(rows)
}

/// Normalize an email address for lookup: trimmed and lower-case.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

fn check_new_user(u: &NewUser) -> Result<()> {
    let mut errors = stepwise_domain::ValidationError::new();
    let email = normalize_email(&u.email);
    if email.is_empty()
        || !email.contains('@')
        || email.contains(char::is_whitespace)
        || email.len() > 254
    {
        errors.push("email", "must be an email address");
    }
    if u.display_name.trim().is_empty() || u.display_name.chars().count() > 100 {
        errors.push("display_name", "a name of 1 to 100 characters is required");
    }
    if u.roles.is_empty() {
        errors.push(
            "roles",
            format!("at least one role is required: {}", Role::allowed()),
        );
    }
    if let Some(npi) = &u.npi
        && (npi.len() != 10 || !npi.chars().all(|c| c.is_ascii_digit()))
    {
        errors.push("npi", "an NPI is 10 digits");
    }
    errors.into_result().map_err(StoreError::Invalid)
}

async fn revoke_all_credentials(tx: &mut Tx, user: UserId, now: OffsetDateTime) -> Result<()> {
    tx.execute(
        "UPDATE sessions SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL",
        args![user, now],
    )
    .await?;
    Ok(())
}

/// A successful sign-in or re-authentication starts the account's failure count afresh.
async fn clear_failures(tx: &mut Tx, user: UserId) -> Result<()> {
    tx.execute(
        "UPDATE users SET failed_sign_ins = 0, last_failed_at = NULL, locked_until = NULL WHERE id = $1",
        args![user],
    )
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    user_id: Uuid,
    registry_generation: i64,
    created_at: OffsetDateTime,
    last_seen_at: OffsetDateTime,
    expires_at: OffsetDateTime,
    revoked_at: Option<OffsetDateTime>,
    stage: String,
    authenticated_at: Option<OffsetDateTime>,
}

#[derive(sqlx::FromRow)]
struct TokenRow {
    id: Uuid,
    user_id: Uuid,
    label: String,
    created_at: OffsetDateTime,
    revoked_at: Option<OffsetDateTime>,
}

/// How long a session lives.
#[derive(Debug, Clone, Copy)]
pub struct SessionPolicy {
    /// Ends after this long without a request.
    pub idle: Duration,
    /// Ends this long after sign-in, whatever the activity.
    pub absolute: Duration,
}

impl Store {
    pub async fn create_user(&self, ctx: &Ctx, new: NewUser) -> Result<User> {
        check_new_user(&new)?;
        let id: UserId = new_id();
        let email = normalize_email(&new.email);
        let mut tx = self.begin().await?;
        let inserted = tx
            .execute(
                "INSERT INTO users (id, practice_id, email, display_name, password_hash, npi, disabled, created_at, version) \
                 VALUES ($1, $2, $3, $4, $5, $6, FALSE, $7, 1)",
                args![id, ctx.practice, email.as_str(), new.display_name.trim(), new.password_hash, new.npi.clone(), ctx.now],
            )
            .await;
        if let Err(e) = inserted {
            return Err(match e.unique_violation() {
                Some(_) => StoreError::Duplicate {
                    field: "email",
                    message: "An account with this email already exists".into(),
                },
                None => e,
            });
        }
        let mut roles = new.roles.clone();
        roles.sort();
        roles.dedup();
        for r in &roles {
            tx.execute(
                "INSERT INTO user_roles (practice_id, user_id, role) VALUES ($1, $2, $3)",
                args![ctx.practice, id, r.code()],
            )
            .await?;
        }
        audit::append(
            &mut tx,
            &ctx.event(
                AuditAction::UserCreate,
                AuditCategory::Administration,
                None,
                id.to_string(),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(User {
            id,
            practice: ctx.practice,
            email,
            display_name: new.display_name.trim().to_owned(),
            roles,
            disabled: false,
            break_glass_allowed: false,
            npi: new.npi,
            billing_kind: PractitionerKind::default(),
            version: 1,
        })
    }

    /// A practice's users with their roles, by name.
    pub async fn users(&self, practice: PracticeId) -> Result<Vec<User>> {
        let mut c = self.read().await?;
        let users: Vec<UserRow> = c
            .conn()
            .fetch_all(
                concat!(
                    "SELECT ",
                    user_columns!(),
                    " FROM users WHERE practice_id = $1 ORDER BY display_name, id"
                ),
                args![practice],
            )
            .await?;
        let roles: Vec<RoleRow> = c
            .conn()
            .fetch_all(
                "SELECT user_id, role FROM user_roles WHERE practice_id = $1",
                args![practice],
            )
            .await?;
        assemble(users, roles)
    }

    pub async fn user(&self, practice: PracticeId, id: UserId) -> Result<User> {
        let mut c = self.read().await?;
        match load_user(&mut c.conn(), id.as_uuid()).await? {
            Some(u) if u.practice == practice => Ok(u),
            _ => Err(StoreError::NotFound),
        }
    }

    /// The account for a sign-in: the user, their password hash, their recent failures and
    /// whether they have a second factor.
    pub async fn user_for_sign_in(&self, email: &str) -> Result<Option<SignInAccount>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            id: Uuid,
            password_hash: Option<String>,
            failed_sign_ins: i64,
            last_failed_at: Option<OffsetDateTime>,
            locked_until: Option<OffsetDateTime>,
            has_mfa: bool,
            mfa_relaxed_demo: bool,
        }
        let mut c = self.read().await?;
        let Some(row): Option<Row> = c
            .conn()
            .fetch_optional(
                "SELECT u.id, u.password_hash, u.failed_sign_ins, u.last_failed_at, u.locked_until, \
                 EXISTS (SELECT 1 FROM user_totp t WHERE t.user_id = u.id AND t.confirmed_at IS NOT NULL) AS has_mfa, \
                 p.mfa_relaxed_demo \
                 FROM users u JOIN practices p ON p.id = u.practice_id WHERE u.email = $1",
                args![normalize_email(email)],
            )
            .await?
        else {
            return Ok(None);
        };
        Ok(load_user(&mut c.conn(), row.id)
            .await?
            .map(|user| SignInAccount {
                user,
                password_hash: row.password_hash,
                failures: Failures {
                    count: u32::try_from(row.failed_sign_ins).unwrap_or(u32::MAX),
                    last_at: row.last_failed_at,
                    locked_until: row.locked_until,
                },
                has_mfa: row.has_mfa,
                mfa_relaxed: row.mfa_relaxed_demo,
            }))
    }

    /// Count a failed sign-in (wrong password or second factor) against an account
    /// (`domain::auth::throttle::ACCOUNT`); returns whether this failure locked it. A lock is
    /// audited with the failure that caused it.
    pub async fn record_sign_in_failure(&self, ctx: &Ctx, user: UserId) -> Result<bool> {
        #[derive(sqlx::FromRow)]
        struct Row {
            failed_sign_ins: i64,
            last_failed_at: Option<OffsetDateTime>,
            locked_until: Option<OffsetDateTime>,
        }
        let mut tx = self.begin().await?;
        // A no-op update first: it takes the row lock on PostgreSQL, so that concurrent
        // failures count one after the other (SQLite's write transaction already does).
        tx.execute(
            "UPDATE users SET failed_sign_ins = failed_sign_ins WHERE id = $1 AND practice_id = $2",
            args![user, ctx.practice],
        )
        .await?;
        let Some(row): Option<Row> = tx
            .fetch_optional(
                "SELECT failed_sign_ins, last_failed_at, locked_until FROM users WHERE id = $1 AND practice_id = $2",
                args![user, ctx.practice],
            )
            .await?
        else {
            return Err(StoreError::NotFound);
        };
        let before = Failures {
            count: u32::try_from(row.failed_sign_ins).unwrap_or(u32::MAX),
            last_at: row.last_failed_at,
            locked_until: row.locked_until,
        };
        let (after, locked) = ACCOUNT.fail(&before, ctx.now);
        tx.execute(
            "UPDATE users SET failed_sign_ins = $2, last_failed_at = $3, locked_until = $4 WHERE id = $1",
            args![user, after.count, after.last_at, after.locked_until],
        )
        .await?;
        if locked {
            audit::append(
                &mut tx,
                &AuditEvent {
                    outcome: AuditOutcome::Denied,
                    ..ctx.event(
                        AuditAction::SignInLockout,
                        AuditCategory::Authentication,
                        None,
                        format!("{user} after {} failures", after.count),
                    )
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(locked)
    }

    /// Find a user of the practice by email.
    pub async fn user_by_email(&self, practice: PracticeId, email: &str) -> Result<User> {
        match self.user_for_sign_in(email).await? {
            Some(a) if a.user.practice == practice => Ok(a.user),
            _ => Err(StoreError::NotFound),
        }
    }

    /// Disable an account: its sessions end and its tokens stop working at once.
    pub async fn disable_user(&self, ctx: &Ctx, id: UserId) -> Result<User> {
        let mut tx = self.begin().await?;
        let n = tx
            .execute(
                "UPDATE users SET disabled = TRUE, version = version + 1 WHERE id = $1 AND practice_id = $2",
                args![id, ctx.practice],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        revoke_all_credentials(&mut tx, id, ctx.now).await?;
        tx.execute(
            "UPDATE api_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL",
            args![id, ctx.now],
        )
        .await?;
        audit::append(
            &mut tx,
            &ctx.event(
                AuditAction::UserDisable,
                AuditCategory::Administration,
                None,
                id.to_string(),
            ),
        )
        .await?;
        let user = load_user(&mut tx.conn(), id.as_uuid())
            .await?
            .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(user)
    }

    /// Replace a user's roles; their sessions end so the change applies at once.
    pub async fn set_roles(
        &self,
        ctx: &Ctx,
        id: UserId,
        version: i64,
        roles: &[Role],
    ) -> Result<User> {
        if roles.is_empty() {
            return Err(StoreError::invalid(
                "roles",
                "at least one role is required",
            ));
        }
        let mut tx = self.begin().await?;
        let n = tx
            .execute(
                "UPDATE users SET version = version + 1 WHERE id = $1 AND practice_id = $2 AND version = $3",
                args![id, ctx.practice, version],
            )
            .await?;
        if n == 0 {
            let exists = load_user(&mut tx.conn(), id.as_uuid())
                .await?
                .is_some_and(|u| u.practice == ctx.practice);
            return Err(conflict_or_missing(exists));
        }
        tx.execute("DELETE FROM user_roles WHERE user_id = $1", args![id])
            .await?;
        for r in roles {
            tx.execute(
                "INSERT INTO user_roles (practice_id, user_id, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                args![ctx.practice, id, r.code()],
            )
            .await?;
        }
        revoke_all_credentials(&mut tx, id, ctx.now).await?;
        let codes: Vec<&str> = roles.iter().map(|r| r.code()).collect();
        audit::append(
            &mut tx,
            &ctx.event(
                AuditAction::UserRoles,
                AuditCategory::Administration,
                None,
                format!("{id} {}", codes.join(",")),
            ),
        )
        .await?;
        let user = load_user(&mut tx.conn(), id.as_uuid())
            .await?
            .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(user)
    }

    /// Change a password (an Argon2id PHC string).
    pub async fn set_password_hash(&self, ctx: &Ctx, id: UserId, hash: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        let n = tx
            .execute(
                "UPDATE users SET password_hash = $3, version = version + 1 WHERE id = $1 AND practice_id = $2",
                args![id, ctx.practice, hash],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        revoke_all_credentials(&mut tx, id, ctx.now).await?;
        audit::append(
            &mut tx,
            &ctx.event(
                AuditAction::UserCredentials,
                AuditCategory::Administration,
                None,
                id.to_string(),
            ),
        )
        .await?;
        tx.commit().await
    }

    /// Open a session after the password was accepted (its id stored hashed). A session in
    /// a second-factor or enrollment stage lasts `SECOND_FACTOR_WINDOW` and opens nothing but
    /// that step; a full session is a sign-in, audited as such.
    pub async fn create_session(
        &self,
        ctx: &Ctx,
        id_hash: &str,
        policy: SessionPolicy,
        stage: SessionStage,
    ) -> Result<()> {
        let user = ctx.user.ok_or(StoreError::NotFound)?;
        let (expires, authenticated) = match stage {
            SessionStage::Full => (ctx.now + policy.absolute, Some(ctx.now)),
            _ => (ctx.now + SECOND_FACTOR_WINDOW, None),
        };
        let mut tx = self.begin().await?;
        tx.execute(
            "INSERT INTO sessions (id_hash, practice_id, user_id, created_at, last_seen_at, expires_at, stage, authenticated_at) \
             VALUES ($1, $2, $3, $4, $4, $5, $6, $7)",
            args![id_hash, ctx.practice, user, ctx.now, expires, stage.code(), authenticated],
        )
        .await?;
        if stage == SessionStage::Full {
            clear_failures(&mut tx, user).await?;
            audit::append(
                &mut tx,
                &ctx.event(AuditAction::SignIn, AuditCategory::Authentication, None, ""),
            )
            .await?;
        }
        tx.commit().await
    }

    /// The second factor was accepted (or enrolled): the pending session ends and a full one
    /// under a new id begins, so an id seen before the second factor is worthless.
    pub async fn complete_sign_in(
        &self,
        ctx: &Ctx,
        pending_hash: &str,
        new_hash: &str,
        policy: SessionPolicy,
    ) -> Result<()> {
        let user = ctx.user.ok_or(StoreError::NotFound)?;
        let mut tx = self.begin().await?;
        let n = tx
            .execute(
                "UPDATE sessions SET revoked_at = $3 WHERE id_hash = $1 AND user_id = $2 \
                 AND revoked_at IS NULL AND stage <> 'full' AND expires_at > $3",
                args![pending_hash, user, ctx.now],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        tx.execute(
            "INSERT INTO sessions (id_hash, practice_id, user_id, created_at, last_seen_at, expires_at, stage, authenticated_at) \
             VALUES ($1, $2, $3, $4, $4, $5, 'full', $4)",
            args![new_hash, ctx.practice, user, ctx.now, ctx.now + policy.absolute],
        )
        .await?;
        clear_failures(&mut tx, user).await?;
        audit::append(
            &mut tx,
            &ctx.event(AuditAction::SignIn, AuditCategory::Authentication, None, ""),
        )
        .await?;
        tx.commit().await
    }

    /// The password and second factor were entered again in a full session: privileged
    /// actions are open for `domain::auth::REAUTH_WINDOW` from now.
    pub async fn reauthenticate(&self, ctx: &Ctx, id_hash: &str) -> Result<()> {
        let user = ctx.user.ok_or(StoreError::NotFound)?;
        let mut tx = self.begin().await?;
        let n = tx
            .execute(
                "UPDATE sessions SET authenticated_at = $3 WHERE id_hash = $1 AND user_id = $2 \
                 AND revoked_at IS NULL AND stage = 'full'",
                args![id_hash, user, ctx.now],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        clear_failures(&mut tx, user).await?;
        audit::append(
            &mut tx,
            &ctx.event(
                AuditAction::Reauthenticate,
                AuditCategory::Authentication,
                None,
                "",
            ),
        )
        .await?;
        tx.commit().await
    }

    /// The user of a live session, at whatever stage of sign-in it is. Refreshes the idle
    /// timer at most once a minute, so that most requests only read.
    pub async fn session_principal(
        &self,
        id_hash: &str,
        now: OffsetDateTime,
        policy: SessionPolicy,
    ) -> Result<Option<Principal>> {
        let mut c = self.read().await?;
        let Some(s): Option<SessionRow> = c
            .conn()
            .fetch_optional(
                "SELECT s.user_id, pr.registry_generation, s.created_at, s.last_seen_at, s.expires_at, \
                 s.revoked_at, s.stage, s.authenticated_at \
                 FROM sessions s JOIN practices pr ON pr.id = s.practice_id WHERE s.id_hash = $1",
                args![id_hash],
            )
            .await?
        else {
            return Ok(None);
        };
        if s.revoked_at.is_some() || now >= s.expires_at || now - s.last_seen_at >= policy.idle {
            return Ok(None);
        }
        let stage = code(SessionStage::parse(&s.stage).ok_or("unknown session stage"))?;
        let Some(user) = load_user(&mut c.conn(), s.user_id).await? else {
            return Ok(None);
        };
        drop(c);
        if user.disabled {
            return Ok(None);
        }
        if now - s.last_seen_at >= Duration::minutes(1) {
            let mut tx = self.begin().await?;
            tx.execute(
                "UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1",
                args![id_hash, now],
            )
            .await?;
            tx.commit().await?;
        }
        Ok(Some(Principal {
            registry_generation: RegistryGeneration {
                practice: user.practice,
                value: s.registry_generation,
            },
            user,
            credential: Credential::Session {
                stage,
                authenticated_at: s.authenticated_at.unwrap_or(s.created_at),
            },
        }))
    }

    /// An administrator resets a user's credentials: the second factor and recovery codes
    /// are removed (the user enrolls again at the next sign-in), the password is replaced
    /// (or removed), the lock is lifted and every session ends.
    pub async fn reset_credentials(
        &self,
        ctx: &Ctx,
        id: UserId,
        password_hash: Option<&str>,
    ) -> Result<User> {
        let mut tx = self.begin().await?;
        let n = tx
            .execute(
                "UPDATE users SET password_hash = $3, failed_sign_ins = 0, last_failed_at = NULL, \
                 locked_until = NULL, version = version + 1 WHERE id = $1 AND practice_id = $2",
                args![id, ctx.practice, password_hash],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        tx.execute("DELETE FROM user_totp WHERE user_id = $1", args![id])
            .await?;
        tx.execute("DELETE FROM recovery_codes WHERE user_id = $1", args![id])
            .await?;
        revoke_all_credentials(&mut tx, id, ctx.now).await?;
        audit::append(
            &mut tx,
            &ctx.event(
                AuditAction::CredentialReset,
                AuditCategory::Administration,
                None,
                format!(
                    "{id} second factor removed, password {}",
                    if password_hash.is_some() {
                        "replaced"
                    } else {
                        "removed"
                    }
                ),
            ),
        )
        .await?;
        let user = load_user(&mut tx.conn(), id.as_uuid())
            .await?
            .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(user)
    }

    /// Allow or forbid a user break-glass access.
    pub async fn set_break_glass_allowed(
        &self,
        ctx: &Ctx,
        id: UserId,
        allowed: bool,
    ) -> Result<User> {
        let mut tx = self.begin().await?;
        let n = tx
            .execute(
                "UPDATE users SET break_glass_allowed = $3, version = version + 1 WHERE id = $1 AND practice_id = $2",
                args![id, ctx.practice, allowed],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        audit::append(
            &mut tx,
            &ctx.event(
                AuditAction::UserBreakGlass,
                AuditCategory::Administration,
                None,
                format!("{id} allowed = {allowed}"),
            ),
        )
        .await?;
        let user = load_user(&mut tx.conn(), id.as_uuid())
            .await?
            .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(user)
    }

    /// Set how a treating practitioner bills (physician/NPP or behavioral health clinician).
    pub async fn set_billing_kind(
        &self,
        ctx: &Ctx,
        id: UserId,
        kind: PractitionerKind,
    ) -> Result<User> {
        let mut tx = self.begin().await?;
        let user = load_user(&mut tx.conn(), id.as_uuid())
            .await?
            .filter(|u| u.practice == ctx.practice)
            .ok_or(StoreError::NotFound)?;
        if !user.has_role(Role::TreatingPractitioner) {
            return Err(StoreError::invalid(
                "kind",
                "only a treating practitioner bills: give the account that role first",
            ));
        }
        tx.execute(
            "UPDATE users SET billing_kind = $3, version = version + 1 WHERE id = $1 AND practice_id = $2",
            args![id, ctx.practice, kind.code()],
        )
        .await?;
        audit::append(
            &mut tx,
            &ctx.event(
                AuditAction::UserBillingKind,
                AuditCategory::Administration,
                None,
                format!("{id} bills as {}", kind.code()),
            ),
        )
        .await?;
        let user = load_user(&mut tx.conn(), id.as_uuid())
            .await?
            .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(user)
    }

    /// Sign out: the session ends on the server.
    pub async fn end_session(&self, ctx: &Ctx, id_hash: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        tx.execute(
            "UPDATE sessions SET revoked_at = $2 WHERE id_hash = $1 AND revoked_at IS NULL",
            args![id_hash, ctx.now],
        )
        .await?;
        audit::append(
            &mut tx,
            &ctx.event(
                AuditAction::SignOut,
                AuditCategory::Authentication,
                None,
                "",
            ),
        )
        .await?;
        tx.commit().await
    }

    /// Store a new API token (its hash only) for a user of the practice.
    pub async fn create_token(
        &self,
        ctx: &Ctx,
        user: UserId,
        token_hash: &str,
        label: &str,
    ) -> Result<ApiToken> {
        let owner = self.user(ctx.practice, user).await?;
        if owner.disabled {
            return Err(StoreError::invalid("user", "The account is disabled"));
        }
        let id: TokenId = new_id();
        let label = label.trim();
        let mut tx = self.begin().await?;
        tx.execute(
            "INSERT INTO api_tokens (id, practice_id, user_id, token_hash, label, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
            args![id, ctx.practice, user, token_hash, label, ctx.now],
        )
        .await?;
        audit::append(
            &mut tx,
            &ctx.event(
                AuditAction::TokenCreate,
                AuditCategory::Authentication,
                None,
                format!("{id} for {user}"),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(ApiToken {
            id,
            user,
            label: label.to_owned(),
            created_at: ctx.now,
            revoked_at: None,
        })
    }

    pub async fn revoke_token(&self, ctx: &Ctx, id: TokenId) -> Result<()> {
        let mut tx = self.begin().await?;
        let n = tx
            .execute(
                "UPDATE api_tokens SET revoked_at = $3 WHERE id = $1 AND practice_id = $2 AND revoked_at IS NULL",
                args![id, ctx.practice, ctx.now],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        audit::append(
            &mut tx,
            &ctx.event(
                AuditAction::TokenRevoke,
                AuditCategory::Authentication,
                None,
                id.to_string(),
            ),
        )
        .await?;
        tx.commit().await
    }

    pub async fn tokens(&self, practice: PracticeId) -> Result<Vec<ApiToken>> {
        let mut c = self.read().await?;
        let rows: Vec<TokenRow> = c
            .conn()
            .fetch_all(
                "SELECT id, user_id, label, created_at, revoked_at FROM api_tokens WHERE practice_id = $1 ORDER BY created_at, id",
                args![practice],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| ApiToken {
                id: TokenId::from_uuid(r.id),
                user: UserId::from_uuid(r.user_id),
                label: r.label,
                created_at: r.created_at,
                revoked_at: r.revoked_at,
            })
            .collect())
    }

    /// The user of a live API token: token, user and roles in one query (every API request
    /// asks it).
    pub async fn token_principal(&self, token_hash: &str) -> Result<Option<Principal>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            token_id: Uuid,
            registry_generation: i64,
            #[sqlx(flatten)]
            user: UserRoleRow,
        }
        let mut c = self.read().await?;
        let rows: Vec<Row> = c
            .conn()
            .fetch_all(
                concat!(
                    "SELECT t.id AS token_id, pr.registry_generation, ",
                    user_columns_u!(),
                    ", r.role FROM api_tokens t JOIN users u ON u.id = t.user_id \
                     JOIN practices pr ON pr.id = u.practice_id \
                     LEFT JOIN user_roles r ON r.user_id = u.id \
                     WHERE t.token_hash = $1 AND t.revoked_at IS NULL"
                ),
                args![token_hash],
            )
            .await?;
        drop(c);
        let Some((token, generation)) = rows.first().map(|r| (r.token_id, r.registry_generation))
        else {
            return Ok(None);
        };
        Ok(assemble_one(rows.into_iter().map(|r| r.user).collect())?
            .filter(|u| !u.disabled)
            .map(|user| Principal {
                registry_generation: RegistryGeneration {
                    practice: user.practice,
                    value: generation,
                },
                user,
                credential: Credential::Token(TokenId::from_uuid(token)),
            }))
    }
}
