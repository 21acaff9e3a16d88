use crate::Store;
use crate::audit::{self, AuditCategory};
use crate::db::{Conn, Tx, args};
use crate::error::{Result, StoreError};
use crate::model::{ApiToken, Credential, Ctx, NewUser, Principal, User};
use crate::ops::{code, conflict_or_missing, new_id};
use stepwise_domain::audit::AuditAction;
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
    version: i64,
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
            npi: u.npi,
            version: u.version,
        });
    }
    Ok(out)
}

async fn load_user(c: &mut Conn<'_>, id: Uuid) -> Result<Option<User>> {
    let Some(u): Option<UserRow> = c
        .fetch_optional(
            "SELECT id, practice_id, email, display_name, npi, disabled, version FROM users WHERE id = $1",
            args![id],
        )
        .await?
    else {
        return Ok(None);
    };
    let roles: Vec<RoleRow> = c
        .fetch_all(
            "SELECT user_id, role FROM user_roles WHERE user_id = $1",
            args![id],
        )
        .await?;
    Ok(assemble(vec![u], roles)?.pop())
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

#[derive(sqlx::FromRow)]
struct SessionRow {
    user_id: Uuid,
    last_seen_at: OffsetDateTime,
    expires_at: OffsetDateTime,
    revoked_at: Option<OffsetDateTime>,
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
            npi: new.npi,
            version: 1,
        })
    }

    /// A practice's users with their roles, by name.
    pub async fn users(&self, practice: PracticeId) -> Result<Vec<User>> {
        let mut c = self.read().await?;
        let users: Vec<UserRow> = c
            .conn()
            .fetch_all(
                "SELECT id, practice_id, email, display_name, npi, disabled, version FROM users \
                 WHERE practice_id = $1 ORDER BY display_name, id",
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

    /// The account for a sign-in: the user and their password hash.
    pub async fn user_for_sign_in(&self, email: &str) -> Result<Option<(User, Option<String>)>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            id: Uuid,
            password_hash: Option<String>,
        }
        let mut c = self.read().await?;
        let Some(row): Option<Row> = c
            .conn()
            .fetch_optional(
                "SELECT id, password_hash FROM users WHERE email = $1",
                args![normalize_email(email)],
            )
            .await?
        else {
            return Ok(None);
        };
        Ok(load_user(&mut c.conn(), row.id)
            .await?
            .map(|u| (u, row.password_hash)))
    }

    /// Find a user of the practice by email.
    pub async fn user_by_email(&self, practice: PracticeId, email: &str) -> Result<User> {
        match self.user_for_sign_in(email).await? {
            Some((u, _)) if u.practice == practice => Ok(u),
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

    /// Record a sign-in: the session (its id stored hashed) and the audit event.
    pub async fn create_session(
        &self,
        ctx: &Ctx,
        id_hash: &str,
        policy: SessionPolicy,
    ) -> Result<()> {
        let user = ctx.user.ok_or(StoreError::NotFound)?;
        let mut tx = self.begin().await?;
        tx.execute(
            "INSERT INTO sessions (id_hash, practice_id, user_id, created_at, last_seen_at, expires_at) \
             VALUES ($1, $2, $3, $4, $4, $5)",
            args![id_hash, ctx.practice, user, ctx.now, ctx.now + policy.absolute],
        )
        .await?;
        audit::append(
            &mut tx,
            &ctx.event(AuditAction::SignIn, AuditCategory::Authentication, None, ""),
        )
        .await?;
        tx.commit().await
    }

    /// The user of a live session. Refreshes the idle timer at most once a minute, so that
    /// most requests only read.
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
                "SELECT user_id, last_seen_at, expires_at, revoked_at FROM sessions WHERE id_hash = $1",
                args![id_hash],
            )
            .await?
        else {
            return Ok(None);
        };
        if s.revoked_at.is_some() || now >= s.expires_at || now - s.last_seen_at >= policy.idle {
            return Ok(None);
        }
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
            user,
            credential: Credential::Session,
        }))
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

    /// The user of a live API token.
    pub async fn token_principal(&self, token_hash: &str) -> Result<Option<Principal>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            id: Uuid,
            user_id: Uuid,
        }
        let mut c = self.read().await?;
        let Some(t): Option<Row> = c
            .conn()
            .fetch_optional(
                "SELECT id, user_id FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL",
                args![token_hash],
            )
            .await?
        else {
            return Ok(None);
        };
        Ok(load_user(&mut c.conn(), t.user_id)
            .await?
            .filter(|u| !u.disabled)
            .map(|user| Principal {
                user,
                credential: Credential::Token(TokenId::from_uuid(t.id)),
            }))
    }
}
