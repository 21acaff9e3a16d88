//! The signed-in user, the practice, sites, users and roles.

use super::{Body, IfMatch, PathParam, created, with_etag};
use crate::access::{Authenticated, Can, Fresh, OnPatient, op};
use crate::auth::hash_password;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use stepwise_domain::ids::{PracticeId, UserId};
use stepwise_domain::role::Role;
use stepwise_store::model::{BreakGlassGrant, NewUser, PracticeSettings, Site, User};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct Health {
    pub status: &'static str,
}

/// Whether the server is up. Public; says nothing else.
#[utoipa::path(get, path = "/api/v1/health", tag = "system", responses((status = 200, body = Health)))]
pub async fn health() -> Json<Health> {
    Json(Health { status: "ok" })
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub user: User,
    pub practice: PracticeId,
    pub practice_name: String,
    pub today: time::Date,
}

/// The signed-in user.
#[utoipa::path(get, path = "/api/v1/me", tag = "system", responses((status = 200, body = Me), (status = 401, body = crate::error::Problem)))]
pub async fn me(auth: Authenticated) -> Json<Me> {
    Json(Me {
        practice: auth.practice.id,
        practice_name: auth.practice.name.clone(),
        today: auth.today,
        user: auth.user,
    })
}

/// A colleague, as shown in assignment lists.
#[derive(Serialize, ToSchema)]
pub struct StaffMember {
    pub id: UserId,
    pub display_name: String,
    pub roles: Vec<Role>,
}

/// The practice's active staff with their roles (for assignments and referrals).
#[utoipa::path(get, path = "/api/v1/staff", tag = "practice", responses((status = 200, body = Vec<StaffMember>)))]
pub async fn staff(
    State(state): State<AppState>,
    auth: Authenticated,
) -> ApiResult<Json<Vec<StaffMember>>> {
    let users = state.store.users(auth.user.practice).await?;
    Ok(Json(
        users
            .into_iter()
            .filter(|u| !u.disabled)
            .map(|u| StaffMember {
                id: u.id,
                display_name: u.display_name,
                roles: u.roles,
            })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct PracticeView {
    pub id: PracticeId,
    pub name: String,
    pub time_zone: String,
    pub settings: PracticeSettings,
}

/// The practice and its settings.
#[utoipa::path(get, path = "/api/v1/practice", tag = "practice", responses((status = 200, body = PracticeView)))]
pub async fn practice(auth: Authenticated) -> Json<PracticeView> {
    let p = &auth.practice;
    Json(PracticeView {
        id: p.id,
        name: p.name.clone(),
        time_zone: p.time_zone.clone(),
        settings: p.settings.clone(),
    })
}

/// The practice's settings as a whole, checked before they replace the stored ones (the API
/// and the settings page share it).
pub fn check_settings(settings: &PracticeSettings) -> ApiResult<()> {
    let r = &settings.registry;
    if r.not_improving_weeks == 0
        || r.long_enrollment_months == 0
        || r.case_review_months_active == 0
    {
        return Err(ApiError::invalid(
            "registry",
            "week and month thresholds must be at least 1",
        ));
    }
    settings
        .scoring
        .validate()
        .map_err(|e| ApiError::Invalid(e.nested("scoring")))?;
    let bg = settings.security.break_glass_minutes;
    if bg == 0 || bg > stepwise_domain::auth::BREAK_GLASS_MAX_MINUTES {
        return Err(ApiError::invalid(
            "security.break_glass_minutes",
            "a break-glass grant lasts 1 to 480 minutes",
        ));
    }
    Ok(())
}

/// Replace the practice's settings (practice administrator).
#[utoipa::path(put, path = "/api/v1/practice/settings", tag = "practice", request_body = PracticeSettings,
    responses((status = 200, body = PracticeSettings), (status = 422, body = crate::error::Problem)))]
pub async fn update_settings(
    State(state): State<AppState>,
    can: Can<op::Administer>,
    Body(settings): Body<PracticeSettings>,
) -> ApiResult<Json<PracticeSettings>> {
    check_settings(&settings)?;
    state
        .store
        .update_practice_settings(&can.ctx, &settings)
        .await?;
    state.forget_practice(can.ctx.practice);
    Ok(Json(settings))
}

/// The practice's sites.
#[utoipa::path(get, path = "/api/v1/sites", tag = "practice", responses((status = 200, body = Vec<Site>)))]
pub async fn sites(
    State(state): State<AppState>,
    auth: Authenticated,
) -> ApiResult<Json<Vec<Site>>> {
    Ok(Json(state.store.sites(auth.user.practice).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSite {
    pub name: String,
}

/// Add a site (practice administrator).
#[utoipa::path(post, path = "/api/v1/sites", tag = "practice", request_body = NewSite,
    responses((status = 201, body = Site), (status = 422, body = crate::error::Problem)))]
pub async fn create_site(
    State(state): State<AppState>,
    can: Can<op::Administer>,
    Body(body): Body<NewSite>,
) -> ApiResult<Response> {
    Ok(created(
        state.store.create_site(&can.ctx, &body.name).await?,
    ))
}

/// The practice's user accounts (practice administrator).
#[utoipa::path(get, path = "/api/v1/users", tag = "users", responses((status = 200, body = Vec<User>)))]
pub async fn users(
    State(state): State<AppState>,
    can: Can<op::Administer>,
) -> ApiResult<Json<Vec<User>>> {
    Ok(Json(state.store.users(can.ctx.practice).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserBody {
    pub email: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    #[serde(default)]
    pub npi: Option<String>,
    /// At least 12 characters and not a commonly used password. Without one, the account can
    /// only use API tokens until an administrator sets a password.
    #[serde(default)]
    pub password: Option<String>,
}

/// Check a new password for the account `email` (domain::auth::password) and hash it off
/// the async threads.
pub async fn checked_hash(password: &str, email: &str) -> ApiResult<String> {
    stepwise_domain::auth::password::check(password, email)?;
    let pw = password.to_owned();
    tokio::task::spawn_blocking(move || hash_password(&pw))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(ApiError::Internal)
}

/// Create a user account (practice administrator; re-authenticated within 15 minutes).
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = NewUserBody,
    responses((status = 201, body = User), (status = 403, body = crate::error::Problem, description = "Needs a session that confirmed password and second factor within 15 minutes; API tokens never qualify"), (status = 422, body = crate::error::Problem)))]
pub async fn create_user(
    State(state): State<AppState>,
    Fresh(can): Fresh<Can<op::Administer>>,
    Body(body): Body<NewUserBody>,
) -> ApiResult<Response> {
    let password_hash = match &body.password {
        Some(pw) => Some(checked_hash(pw, &body.email).await?),
        None => None,
    };
    let user = state
        .store
        .create_user(
            &can.ctx,
            NewUser {
                email: body.email,
                display_name: body.display_name,
                password_hash,
                roles: body.roles,
                npi: body.npi.filter(|n| !n.trim().is_empty()),
            },
        )
        .await?;
    Ok(created(user))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RolesBody {
    pub roles: Vec<Role>,
}

/// Replace a user's roles; their sessions end at once (practice administrator, re-authenticated
/// within 15 minutes; needs If-Match).
#[utoipa::path(put, path = "/api/v1/users/{id}/roles", tag = "users", request_body = RolesBody,
    params(("id" = UserId, Path), ("If-Match" = String, Header, description = "the user's version")),
    responses((status = 200, body = User), (status = 403, body = crate::error::Problem, description = "Needs a session that confirmed password and second factor within 15 minutes; API tokens never qualify"), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
pub async fn set_roles(
    State(state): State<AppState>,
    Fresh(can): Fresh<Can<op::Administer>>,
    PathParam(id): PathParam<UserId>,
    IfMatch(version): IfMatch,
    Body(body): Body<RolesBody>,
) -> ApiResult<Response> {
    let user = state
        .store
        .set_roles(&can.ctx, id, version, &body.roles)
        .await?;
    Ok(with_etag(user.version, user))
}

/// Disable an account: its sessions and tokens stop working at once (practice administrator,
/// re-authenticated within 15 minutes).
#[utoipa::path(post, path = "/api/v1/users/{id}/disable", tag = "users", params(("id" = UserId, Path)),
    responses((status = 200, body = User), (status = 403, body = crate::error::Problem, description = "Needs a session that confirmed password and second factor within 15 minutes; API tokens never qualify"), (status = 404, body = crate::error::Problem)))]
pub async fn disable_user(
    State(state): State<AppState>,
    Fresh(can): Fresh<Can<op::Administer>>,
    PathParam(id): PathParam<UserId>,
) -> ApiResult<Json<User>> {
    if id == can.auth.user.id {
        return Err(ApiError::invalid(
            "id",
            "You cannot disable your own account",
        ));
    }
    Ok(Json(state.store.disable_user(&can.ctx, id).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetBody {
    /// The new password (checked like any new password); without one, the account can sign
    /// in again only after another reset with a password.
    #[serde(default)]
    pub password: Option<String>,
}

/// Reset a user's credentials: a new password, the second factor and recovery codes removed
/// (the user enrolls again at the next sign-in), the lock lifted, every session ended
/// (practice administrator, re-authenticated within 15 minutes).
#[utoipa::path(post, path = "/api/v1/users/{id}/credentials/reset", tag = "users", request_body = ResetBody,
    params(("id" = UserId, Path)),
    responses((status = 200, body = User), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn reset_credentials(
    State(state): State<AppState>,
    Fresh(can): Fresh<Can<op::Administer>>,
    PathParam(id): PathParam<UserId>,
    Body(body): Body<ResetBody>,
) -> ApiResult<Json<User>> {
    let target = state.store.user(can.ctx.practice, id).await?;
    let hash = match &body.password {
        Some(pw) => Some(checked_hash(pw, &target.email).await?),
        None => None,
    };
    Ok(Json(
        state
            .store
            .reset_credentials(&can.ctx, id, hash.as_deref())
            .await?,
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BreakGlassPermission {
    pub allowed: bool,
}

/// Allow or forbid a user break-glass access (practice administrator, re-authenticated
/// within 15 minutes).
#[utoipa::path(put, path = "/api/v1/users/{id}/break-glass", tag = "users", request_body = BreakGlassPermission,
    params(("id" = UserId, Path)),
    responses((status = 200, body = User), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
pub async fn set_break_glass(
    State(state): State<AppState>,
    Fresh(can): Fresh<Can<op::Administer>>,
    PathParam(id): PathParam<UserId>,
    Body(body): Body<BreakGlassPermission>,
) -> ApiResult<Json<User>> {
    Ok(Json(
        state
            .store
            .set_break_glass_allowed(&can.ctx, id, body.allowed)
            .await?,
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BillingKindBody {
    /// `treating_practitioner` (a physician or NPP: CoCM and 99484) or
    /// `behavioral_health_clinician` (a clinical psychologist, social worker, counselor or
    /// marriage and family therapist: general BHI as G0323).
    pub kind: stepwise_domain::billing::PractitionerKind,
}

/// How a treating practitioner bills (practice administrator, re-authenticated within 15
/// minutes): the billing engine picks the codes from it.
#[utoipa::path(put, path = "/api/v1/users/{id}/billing-kind", tag = "users", request_body = BillingKindBody,
    params(("id" = UserId, Path)),
    responses((status = 200, body = User), (status = 403, body = crate::error::Problem, description = "Needs a session that confirmed password and second factor within 15 minutes; API tokens never qualify"), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn set_billing_kind(
    State(state): State<AppState>,
    Fresh(can): Fresh<Can<op::Administer>>,
    PathParam(id): PathParam<UserId>,
    Body(body): Body<BillingKindBody>,
) -> ApiResult<Json<User>> {
    Ok(Json(
        state
            .store
            .set_billing_kind(&can.ctx, id, body.kind)
            .await?,
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BreakGlassBody {
    /// Why emergency access is needed (5 to 500 characters).
    pub reason: String,
}

/// Open emergency access to a patient outside one's care team, for the practice's configured
/// time (default 60 minutes). Needs the administrator's permission for the account and a
/// re-authentication within 15 minutes; every request it opens is audited as
/// `break_glass.access`.
#[utoipa::path(post, path = "/api/v1/patients/{id}/break-glass", tag = "patients", request_body = BreakGlassBody,
    params(("id" = stepwise_domain::ids::PatientId, Path)),
    responses((status = 201, body = BreakGlassGrant), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn break_glass(
    State(state): State<AppState>,
    Fresh(on): Fresh<OnPatient<op::BreakGlass>>,
    Body(body): Body<BreakGlassBody>,
) -> ApiResult<Response> {
    let minutes = on.auth.practice.settings.security.break_glass_minutes;
    Ok(created(
        state
            .store
            .start_break_glass(&on.ctx, on.id, &body.reason, minutes)
            .await?,
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReauthBody {
    pub password: String,
    /// A code from the authenticator app, or a recovery code.
    #[serde(default)]
    pub code: String,
}

#[derive(Serialize, ToSchema)]
pub struct Reauthenticated {
    /// Privileged actions are open until then.
    #[serde(with = "time::serde::rfc3339")]
    pub fresh_until: time::OffsetDateTime,
}

/// Confirm password and second factor in a signed-in session (cookie), opening privileged
/// actions for 15 minutes. A wrong answer counts as a failed sign-in.
#[utoipa::path(post, path = "/api/v1/session/reauthenticate", tag = "system", request_body = ReauthBody,
    responses((status = 200, body = Reauthenticated), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn reauthenticate(
    State(state): State<AppState>,
    auth: Authenticated,
    Body(body): Body<ReauthBody>,
) -> ApiResult<Json<Reauthenticated>> {
    if crate::signin::reauthenticate(&state, &auth, &body.password, &body.code).await? {
        Ok(Json(Reauthenticated {
            fresh_until: state.clock.now() + stepwise_domain::auth::REAUTH_WINDOW,
        }))
    } else {
        Err(ApiError::invalid(
            "password",
            "the password or code is not correct, or the code was already used",
        ))
    }
}
