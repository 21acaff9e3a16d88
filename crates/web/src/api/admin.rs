//! The signed-in user, the practice, sites, users and roles.

use super::{Body, IfMatch, created, with_etag};
use crate::access::{Authenticated, Can, op};
use crate::auth::hash_password;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use stepwise_domain::ids::{PracticeId, UserId};
use stepwise_domain::role::Role;
use stepwise_store::model::{NewUser, PracticeSettings, Site, User};
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

/// Replace the practice's settings (practice administrator).
#[utoipa::path(put, path = "/api/v1/practice/settings", tag = "practice", request_body = PracticeSettings,
    responses((status = 200, body = PracticeSettings), (status = 422, body = crate::error::Problem)))]
pub async fn update_settings(
    State(state): State<AppState>,
    can: Can<op::Administer>,
    Body(settings): Body<PracticeSettings>,
) -> ApiResult<Json<PracticeSettings>> {
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

/// Shortest password accepted (NIST SP 800-63B; issue 5 hardens the policy further).
pub const PASSWORD_MIN: usize = 12;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserBody {
    pub email: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    #[serde(default)]
    pub npi: Option<String>,
    /// At least 12 characters. Without one, the account can only use API tokens until an
    /// administrator sets a password.
    #[serde(default)]
    pub password: Option<String>,
}

/// Check a new password and hash it off the async threads.
pub async fn checked_hash(password: &str) -> ApiResult<String> {
    if password.chars().count() < PASSWORD_MIN {
        return Err(ApiError::invalid(
            "password",
            format!("must be at least {PASSWORD_MIN} characters"),
        ));
    }
    let pw = password.to_owned();
    tokio::task::spawn_blocking(move || hash_password(&pw))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(ApiError::Internal)
}

/// Create a user account (practice administrator).
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = NewUserBody,
    responses((status = 201, body = User), (status = 422, body = crate::error::Problem)))]
pub async fn create_user(
    State(state): State<AppState>,
    can: Can<op::Administer>,
    Body(body): Body<NewUserBody>,
) -> ApiResult<Response> {
    let password_hash = match &body.password {
        Some(pw) => Some(checked_hash(pw).await?),
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

/// Replace a user's roles; their sessions end at once (practice administrator; needs If-Match).
#[utoipa::path(put, path = "/api/v1/users/{id}/roles", tag = "users", request_body = RolesBody,
    params(("id" = UserId, Path), ("If-Match" = String, Header, description = "the user's version")),
    responses((status = 200, body = User), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
pub async fn set_roles(
    State(state): State<AppState>,
    can: Can<op::Administer>,
    Path(id): Path<UserId>,
    IfMatch(version): IfMatch,
    Body(body): Body<RolesBody>,
) -> ApiResult<Response> {
    let user = state
        .store
        .set_roles(&can.ctx, id, version, &body.roles)
        .await?;
    Ok(with_etag(user.version, user))
}

/// Disable an account: its sessions and tokens stop working at once (practice administrator).
#[utoipa::path(post, path = "/api/v1/users/{id}/disable", tag = "users", params(("id" = UserId, Path)),
    responses((status = 200, body = User), (status = 404, body = crate::error::Problem)))]
pub async fn disable_user(
    State(state): State<AppState>,
    can: Can<op::Administer>,
    Path(id): Path<UserId>,
) -> ApiResult<Json<User>> {
    if id == can.auth.user.id {
        return Err(ApiError::invalid(
            "id",
            "You cannot disable your own account",
        ));
    }
    Ok(Json(state.store.disable_user(&can.ctx, id).await?))
}
