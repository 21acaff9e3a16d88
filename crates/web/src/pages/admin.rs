//! The practice administrator's pages: the staff accounts with their roles, adding an account,
//! changing roles, allowing break-glass access, resetting credentials and disabling an account. Changes need a sign-in within the last 15 minutes
//! (`Fresh`): a stale session is sent to the re-authentication form first.

use super::actions::{Back, FieldView, Spec, blank, refuse};
use super::forms::{Fields, FormErrors, get, refused, see_other};
use super::{Chrome, render};
use crate::access::{Can, Fresh, op};
use crate::api::admin::checked_hash;
use crate::error::ApiError;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use stepwise_domain::billing::PractitionerKind;
use stepwise_domain::ids::UserId;
use stepwise_domain::role::Role;
use stepwise_store::model::{NewUser, User};

/// The roles ticked in a form (`role` fields, repeated).
fn roles_of(fields: &Fields) -> Result<Vec<Role>, ApiError> {
    let mut roles = Vec::new();
    for (k, v) in fields {
        if k == "role" {
            let r = Role::parse(v.trim()).map_err(|_| {
                ApiError::invalid(
                    "roles",
                    format!("unknown role; one of: {}", Role::allowed()),
                )
            })?;
            if !roles.contains(&r) {
                roles.push(r);
            }
        }
    }
    if roles.is_empty() {
        return Err(ApiError::invalid("roles", "Tick at least one role"));
    }
    Ok(roles)
}

pub struct UserRow {
    pub id: String,
    pub name: String,
    pub email: String,
    pub roles: String,
    pub disabled: bool,
    pub version: i64,
    /// (code, label, held)
    pub role_boxes: Vec<(&'static str, &'static str, bool)>,
    pub me: bool,
    /// How a treating practitioner bills (code), `None` for other staff.
    pub billing_kind: Option<&'static str>,
    /// The administrator allows this user break-glass access.
    pub break_glass: bool,
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage {
    chrome: Chrome,
    users: Vec<UserRow>,
    all_roles: Vec<(&'static str, &'static str, bool)>,
    new_email: String,
    new_name: String,
    new_npi: String,
    errors: FormErrors,
    summary: Vec<String>,
    /// (code, label) of how a practitioner may bill.
    billing_kinds: Vec<(&'static str, &'static str)>,
}

fn rows(users: Vec<User>, me: UserId) -> Vec<UserRow> {
    users
        .into_iter()
        .map(|u| UserRow {
            billing_kind: u
                .has_role(Role::TreatingPractitioner)
                .then(|| u.billing_kind.code()),
            id: u.id.to_string(),
            role_boxes: Role::ALL
                .iter()
                .map(|r| (r.code(), r.label(), u.roles.contains(r)))
                .collect(),
            roles: u
                .roles
                .iter()
                .map(|r| r.label())
                .collect::<Vec<_>>()
                .join(", "),
            name: u.display_name,
            email: u.email,
            disabled: u.disabled,
            break_glass: u.break_glass_allowed,
            version: u.version,
            me: u.id == me,
        })
        .collect()
}

async fn users_page(
    state: &AppState,
    can: &Can<op::Administer>,
    entered: Option<&Fields>,
    errors: FormErrors,
) -> Response {
    let users = match state.store.users(can.ctx.practice).await {
        Ok(u) => u,
        Err(e) => return super::error_page(e.into()),
    };
    let ticked: Vec<String> = entered
        .map(|f| {
            f.iter()
                .filter(|(k, _)| k == "role")
                .map(|(_, v)| v.clone())
                .collect()
        })
        .unwrap_or_default();
    let mut summary = errors.general.clone();
    summary.extend(errors.unplaced(&["email", "display_name", "roles", "password", "npi"]));
    let failed = !errors.is_empty();
    let page = render(&UsersPage {
        chrome: Chrome::new(&can.auth, state.config.demo.is_some()),
        users: rows(users, can.auth.user.id),
        all_roles: Role::ALL
            .iter()
            .map(|r| (r.code(), r.label(), ticked.iter().any(|t| t == r.code())))
            .collect(),
        new_email: entered.map(|f| get(f, "email")).unwrap_or_default(),
        new_name: entered.map(|f| get(f, "display_name")).unwrap_or_default(),
        new_npi: entered.map(|f| get(f, "npi")).unwrap_or_default(),
        billing_kinds: PractitionerKind::ALL
            .iter()
            .map(|k| (k.code(), super::billing_facts::kind_label(*k)))
            .collect(),
        errors,
        summary,
    });
    if failed { refused(page) } else { page }
}

pub async fn users(State(state): State<AppState>, can: Can<op::Administer>) -> Response {
    users_page(&state, &can, None, FormErrors::default()).await
}

/// Add a staff account with its roles and first password (checked like any new password;
/// the user enrolls a second factor at the first sign-in).
pub async fn add_user(
    State(state): State<AppState>,
    Fresh(can): Fresh<Can<op::Administer>>,
    Form(fields): Form<Fields>,
) -> Response {
    let saved: Result<User, ApiError> = async {
        let roles = roles_of(&fields)?;
        let email = get(&fields, "email");
        let hash = checked_hash(&get(&fields, "password"), &email)
            .await
            .map_err(|e| match e {
                ApiError::Invalid(mut v) => {
                    for f in &mut v.errors {
                        f.field = "password".into();
                    }
                    ApiError::Invalid(v)
                }
                other => other,
            })?;
        let npi = get(&fields, "npi");
        Ok(state
            .store
            .create_user(
                &can.ctx,
                NewUser {
                    email,
                    display_name: get(&fields, "display_name"),
                    password_hash: Some(hash),
                    roles,
                    npi: (!npi.is_empty()).then_some(npi),
                },
            )
            .await?)
    }
    .await;
    match saved {
        Ok(_) => see_other("/admin/users"),
        Err(e) => match FormErrors::from_api(e) {
            Ok(errors) => users_page(&state, &can, Some(&fields), errors).await,
            Err(e) => super::error_page(e),
        },
    }
}

/// Replace a user's roles; their sessions end at once.
pub async fn set_roles(
    State(state): State<AppState>,
    Fresh(can): Fresh<Can<op::Administer>>,
    Path(id): Path<UserId>,
    Form(fields): Form<Fields>,
) -> Response {
    let saved: Result<User, ApiError> = async {
        let roles = roles_of(&fields)?;
        let version: i64 = get(&fields, "version")
            .parse()
            .map_err(|_| ApiError::invalid("version", "the page is out of date; reload it"))?;
        Ok(state.store.set_roles(&can.ctx, id, version, &roles).await?)
    }
    .await;
    match saved {
        Ok(_) => see_other("/admin/users"),
        Err(e) => match FormErrors::from_api(e) {
            Ok(errors) => users_page(&state, &can, None, errors).await,
            Err(e) => super::error_page(e),
        },
    }
}

/// Disable an account (not one's own): its sessions and tokens stop working at once.
pub async fn disable(
    State(state): State<AppState>,
    Fresh(can): Fresh<Can<op::Administer>>,
    Path(id): Path<UserId>,
) -> Response {
    if id == can.auth.user.id {
        return users_page(
            &state,
            &can,
            None,
            FormErrors::from_api(ApiError::invalid(
                "account",
                "You cannot disable your own account",
            ))
            .unwrap_or_default(),
        )
        .await;
    }
    match state.store.disable_user(&can.ctx, id).await {
        Ok(_) => see_other("/admin/users"),
        Err(e) => super::error_page(e.into()),
    }
}

/// Set how a treating practitioner bills (the billing engine picks the codes from it).
pub async fn set_billing_kind(
    State(state): State<AppState>,
    Fresh(can): Fresh<Can<op::Administer>>,
    Path(id): Path<UserId>,
    Form(fields): Form<Fields>,
) -> Response {
    let saved: Result<User, ApiError> = async {
        let kind = PractitionerKind::parse(&get(&fields, "kind")).map_err(|_| {
            ApiError::invalid("kind", "choose how this practitioner bills from the list")
        })?;
        Ok(state.store.set_billing_kind(&can.ctx, id, kind).await?)
    }
    .await;
    match saved {
        Ok(_) => see_other("/admin/users"),
        Err(e) => match FormErrors::from_api(e) {
            Ok(errors) => users_page(&state, &can, None, errors).await,
            Err(e) => super::error_page(e),
        },
    }
}

/// Allow or forbid a user break-glass access (`allowed=yes` or `no`).
pub async fn set_break_glass(
    State(state): State<AppState>,
    Fresh(can): Fresh<Can<op::Administer>>,
    Path(id): Path<UserId>,
    Form(fields): Form<Fields>,
) -> Response {
    let allowed = match get(&fields, "allowed").as_str() {
        "yes" => true,
        "no" => false,
        _ => {
            let errors = FormErrors::from_api(ApiError::invalid(
                "allowed",
                "choose whether break-glass access is allowed",
            ))
            .unwrap_or_default();
            return users_page(&state, &can, None, errors).await;
        }
    };
    match state
        .store
        .set_break_glass_allowed(&can.ctx, id, allowed)
        .await
    {
        Ok(_) => see_other("/admin/users"),
        Err(e) => super::error_page(e.into()),
    }
}

// ---------------------------------------------------------------------------------------------
// Resetting a user's credentials.

fn reset_spec(user: &User) -> Spec {
    Spec {
        title: format!("Reset {}'s sign-in", user.display_name),
        intro: Some(format!(
            "For {} when locked out or when a phone with the authenticator is lost: a new \
             password, the second factor and recovery codes removed (they set up a new one at \
             the next sign-in), the lock lifted, and every browser session of theirs ended (API \
             tokens are revoked separately, with `stepwise token revoke`).",
            user.email
        )),
        action: format!("/admin/users/{}/credentials", user.id),
        hidden: vec![],
        fields: vec![
            FieldView::new("password", "New password", "password")
                .hint("At least 12 characters; not a common password. Give it to the person in person or by phone."),
        ],
        submit: "Reset the sign-in",
        timer: false,
    }
}

const STAFF: Back = Back::Page("/admin/users", "Staff accounts");

pub async fn reset_form(
    State(state): State<AppState>,
    can: Can<op::Administer>,
    Path(id): Path<UserId>,
) -> Response {
    match state.store.user(can.ctx.practice, id).await {
        Ok(u) => blank(&state, &can.auth, STAFF, reset_spec(&u)),
        Err(e) => super::error_page(e.into()),
    }
}

pub async fn reset(
    State(state): State<AppState>,
    Fresh(can): Fresh<Can<op::Administer>>,
    Path(id): Path<UserId>,
    Form(fields): Form<Fields>,
) -> Response {
    let user = match state.store.user(can.ctx.practice, id).await {
        Ok(u) => u,
        Err(e) => return super::error_page(e.into()),
    };
    let saved: Result<User, ApiError> = async {
        let hash = checked_hash(&get(&fields, "password"), &user.email)
            .await
            .map_err(|e| match e {
                ApiError::Invalid(mut v) => {
                    for f in &mut v.errors {
                        f.field = "password".into();
                    }
                    ApiError::Invalid(v)
                }
                other => other,
            })?;
        Ok(state
            .store
            .reset_credentials(&can.ctx, id, Some(&hash))
            .await?)
    }
    .await;
    match saved {
        Ok(_) => see_other("/admin/users"),
        // A refused password is not sent back into the page.
        Err(e) => refuse(&state, &can.auth, STAFF, reset_spec(&user), &Vec::new(), e),
    }
}
