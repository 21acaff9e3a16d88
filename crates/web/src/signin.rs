//! Signing in, step by step, for the pages and the API alike.
//!
//! The password step answers an unknown account, a wrong password, a disabled account and a
//! throttled or locked account identically: the same response, after an Argon2 verification
//! in every case (against a dummy hash when there is no usable one). Failures count against
//! the account (in the database: a restart does not lift a lock) and the client address (in
//! memory), with a growing forced wait and a lock (`domain::auth::throttle`). The second
//! factor is a TOTP code, each time step accepted once, or a single-use recovery code.

use crate::access::{Authenticated, RequestMeta};
use crate::auth::{DUMMY_HASH, verify_password};
use crate::error::ApiError;
use crate::mfa;
use crate::state::{AppState, local_date};
use stepwise_domain::audit::{AuditAction, AuditCategory, AuditOutcome};
use stepwise_domain::auth::throttle::ACCOUNT;
use stepwise_domain::ids::UserId;
use stepwise_store::model::{Ctx, SessionStage, SignInAccount, User};
use stepwise_store::{AuditEvent, NO_PRACTICE};
use time::OffsetDateTime;

/// What the password step leads to.
pub enum PasswordOutcome {
    /// The same answer for every kind of failure.
    Refused,
    /// Accepted: the user, and the stage the new session starts in.
    Accepted(User, SessionStage),
}

/// The context of an action by `user` outside an authenticated request.
pub async fn ctx_for(
    state: &AppState,
    user: &User,
    meta: &RequestMeta,
    now: OffsetDateTime,
) -> Result<Ctx, ApiError> {
    let practice = state.practice(user.practice).await?;
    Ok(Ctx {
        practice: user.practice,
        user: Some(user.id),
        role: None,
        request_id: meta.request_id.clone(),
        source: meta.source.clone(),
        now,
        today: local_date(now, &practice.time_zone),
    })
}

async fn verify(password: &str, hash: String) -> bool {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .unwrap_or(false)
}

/// Check an email and password.
pub async fn password_step(
    state: &AppState,
    meta: &RequestMeta,
    email: &str,
    password: &str,
) -> Result<PasswordOutcome, ApiError> {
    let now = state.clock.now();
    let account = state.store.user_for_sign_in(email).await?;
    let throttled = state.throttle.refused_until(&meta.source, now).is_some()
        || account
            .as_ref()
            .is_some_and(|a| ACCOUNT.refused_until(&a.failures, now).is_some());
    // Always one Argon2 verification, whatever the account's state.
    let hash = match &account {
        Some(SignInAccount {
            user,
            password_hash: Some(h),
            ..
        }) if !user.disabled => h.clone(),
        _ => DUMMY_HASH.clone(),
    };
    let verified = verify(password, hash).await;
    match account {
        Some(a) if verified && !throttled && !a.user.disabled => {
            let stage = if a.has_mfa {
                SessionStage::SecondFactor
            } else if a.mfa_relaxed {
                SessionStage::Full
            } else {
                SessionStage::Enroll
            };
            Ok(PasswordOutcome::Accepted(a.user, stage))
        }
        account => {
            let user = account.map(|a| a.user);
            fail(state, meta, user.as_ref(), now, throttled, "password").await?;
            Ok(PasswordOutcome::Refused)
        }
    }
}

/// Record a failed step: audited; counted against the address and the account unless the
/// attempt was refused for coming too early (counting those would let noise extend a lock).
pub async fn fail(
    state: &AppState,
    meta: &RequestMeta,
    user: Option<&User>,
    now: OffsetDateTime,
    throttled: bool,
    step: &str,
) -> Result<(), ApiError> {
    let ev = AuditEvent {
        practice: user.map(|u| u.practice).unwrap_or(NO_PRACTICE),
        at: now,
        user: None,
        role: None,
        patient: None,
        action: AuditAction::SignInFailed,
        category: AuditCategory::Authentication,
        outcome: AuditOutcome::Failed,
        request_id: meta.request_id.clone(),
        source: meta.source.clone(),
        detail: format!(
            "{step}{}{}",
            user.map(|u| format!(" for {}", u.id)).unwrap_or_default(),
            if throttled { " (throttled)" } else { "" }
        ),
    };
    state.store.audit(ev).await?;
    if !throttled {
        state.throttle.fail(&meta.source, now);
        if let Some(u) = user {
            let ctx = Ctx {
                user: None,
                ..ctx_for(state, u, meta, now).await?
            };
            state.store.record_sign_in_failure(&ctx, u.id).await?;
        }
    }
    Ok(())
}

/// Whether the user (signed in up to `ctx`) may try again now: false while their account or
/// address is throttled or locked.
pub async fn may_try(state: &AppState, user: UserId, email: &str, meta: &RequestMeta) -> bool {
    let now = state.clock.now();
    if state.throttle.refused_until(&meta.source, now).is_some() {
        return false;
    }
    match state.store.user_for_sign_in(email).await {
        Ok(Some(a)) if a.user.id == user && !a.user.disabled => {
            ACCOUNT.refused_until(&a.failures, now).is_none()
        }
        _ => false,
    }
}

/// Check a second-factor code (TOTP, or a recovery code) for the user of `ctx`. A TOTP code
/// whose time step was already used is refused (RFC 6238 §5.2).
pub async fn second_factor_ok(state: &AppState, ctx: &Ctx, code: &str) -> Result<bool, ApiError> {
    let Some(user) = ctx.user else {
        return Ok(false);
    };
    if mfa::looks_like_totp(code) {
        let Some(totp) = state.store.totp_state(ctx.practice, user).await? else {
            return Ok(false);
        };
        if !totp.confirmed {
            return Ok(false);
        }
        let Some(step) = mfa::check_code(&totp.secret, code, ctx.now) else {
            return Ok(false);
        };
        return Ok(state.store.use_totp_step(ctx, step).await?);
    }
    let trimmed = code.trim();
    if trimmed.is_empty() || trimmed.len() > 64 {
        return Ok(false);
    }
    Ok(state
        .store
        .use_recovery_code(ctx, &mfa::recovery_hash(trimmed))
        .await?)
}

/// Re-authenticate a signed-in session: password, then the second factor (only the password
/// for a demo user without one). Throttled and counted like a sign-in.
pub async fn reauthenticate(
    state: &AppState,
    auth: &Authenticated,
    password: &str,
    code: &str,
) -> Result<bool, ApiError> {
    let Some(session) = &auth.session_hash else {
        return Err(ApiError::ReauthRequired);
    };
    let now = state.clock.now();
    let account = state.store.user_for_sign_in(&auth.user.email).await?;
    let Some(account) = account.filter(|a| a.user.id == auth.user.id) else {
        return Err(ApiError::Unauthenticated);
    };
    let throttled = state
        .throttle
        .refused_until(&auth.meta.source, now)
        .is_some()
        || ACCOUNT.refused_until(&account.failures, now).is_some();
    let hash = account
        .password_hash
        .clone()
        .unwrap_or_else(|| DUMMY_HASH.clone());
    let verified = verify(password, hash).await && account.password_hash.is_some();
    let ctx = Ctx {
        now,
        ..auth.ctx(None)
    };
    let second = if !verified || throttled {
        false
    } else if account.has_mfa {
        second_factor_ok(state, &ctx, code).await?
    } else {
        account.mfa_relaxed
    };
    if !second || throttled {
        fail(
            state,
            &auth.meta,
            Some(&auth.user),
            now,
            throttled,
            "re-authentication",
        )
        .await?;
        return Ok(false);
    }
    state.store.reauthenticate(&ctx, session).await?;
    Ok(true)
}
