//! What the plan's edit pages share: each form carries the plan's version it was shown with,
//! each change is applied to the latest plan and saved as a new version (the previous ones are
//! kept, as `PUT /api/v1/plan` does); a plan saved by someone else since is a conflict, and a
//! refused entry comes back with its errors beside the fields and nothing stored.

use super::actions::FieldView;
use super::forms::{Fields, FormErrors, get, refused};
use super::{Chrome, render};
use crate::access::{Authenticated, Can, op};
use crate::error::ApiError;
use crate::state::AppState;
use askama::Template;
use axum::response::Response;
use stepwise_domain::error::ValidationError;
use stepwise_domain::planner::PracticePlan;
use stepwise_domain::role::Role;
use stepwise_store::model::StoredPlan;

/// The latest plan, to edit.
pub(super) async fn latest(
    state: &AppState,
    can: &Can<op::EditPlan>,
) -> Result<StoredPlan, ApiError> {
    Ok(state.store.plan(can.ctx.practice).await?)
}

/// The version the form was shown with.
pub(super) fn version(fields: &Fields) -> Result<i64, ApiError> {
    get(fields, "version").parse::<i64>().map_err(|_| {
        ApiError::invalid(
            "version",
            "the form is out of date: open the page again and re-enter your change",
        )
    })
}

/// Save `plan` as the version after `version`: a conflict when the plan was saved since.
pub(super) async fn save(
    state: &AppState,
    can: &Can<op::EditPlan>,
    version: i64,
    plan: &PracticePlan,
) -> Result<StoredPlan, ApiError> {
    Ok(state.store.save_plan(&can.ctx, version, plan).await?)
}

/// Turn field problems into a refusal, or pass the value on.
pub(super) fn checked<T>(errors: ValidationError, value: Option<T>) -> Result<T, ApiError> {
    match value {
        Some(v) if errors.is_empty() => Ok(v),
        _ => Err(ApiError::Invalid(errors)),
    }
}

/// Lay `submitted` values (kept as typed) and `errors` over `fields`; the messages that no
/// shown field takes come back for the summary.
pub(super) fn lay_over(
    fields: &mut [FieldView],
    submitted: Option<&Fields>,
    errors: &FormErrors,
) -> Vec<String> {
    for f in fields.iter_mut() {
        if let Some(s) = submitted {
            // A checkbox left unticked is not sent at all.
            f.value = s
                .iter()
                .find(|(n, _)| *n == f.name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
        }
        f.error = errors.get(&f.name).map(str::to_owned);
    }
    let shown: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
    let mut summary = errors.general.clone();
    summary.extend(errors.unplaced(&shown));
    summary
}

/// The answer to a refused submission: the page with the errors (422), or an error page when
/// the failure is not the user's to fix.
pub(super) fn refusal(error: ApiError, page: impl FnOnce(&FormErrors) -> Response) -> Response {
    match FormErrors::from_api(error) {
        Ok(errors) => refused(page(&errors)),
        Err(e) => super::error_page(e),
    }
}

/// (code, label) pairs for a select.
pub(super) fn options<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<(String, String)> {
    all.iter()
        .map(|v| (code(*v).to_owned(), label(*v).to_owned()))
        .collect()
}

/// A select that may be left empty.
pub(super) fn with_none(none: &str, mut rest: Vec<(String, String)>) -> Vec<(String, String)> {
    rest.insert(0, (String::new(), none.to_owned()));
    rest
}

/// A single plan form on the shared form page.
pub(super) struct PlanForm {
    pub title: String,
    pub intro: Option<String>,
    pub action: &'static str,
    pub back_href: &'static str,
    pub back_label: &'static str,
    pub fields: Vec<FieldView>,
    pub submit: &'static str,
    /// Sent back with the form besides the version (which item it changes).
    pub hidden: Vec<(&'static str, String)>,
}

#[derive(Template)]
#[template(path = "form.html")]
struct FormPage {
    chrome: Chrome,
    title: String,
    intro: Option<String>,
    back_href: String,
    back_label: String,
    action: String,
    hidden: Vec<(&'static str, String)>,
    fields: Vec<FieldView>,
    summary: Vec<String>,
    submit: &'static str,
    timer: bool,
}

/// The form for the plan at `version`, with what was typed and the errors laid over it.
pub(super) fn form_page(
    state: &AppState,
    auth: &Authenticated,
    version: i64,
    form: PlanForm,
    submitted: Option<&Fields>,
    errors: &FormErrors,
) -> Response {
    let mut fields = form.fields;
    let summary = lay_over(&mut fields, submitted, errors);
    render(&FormPage {
        chrome: Chrome::new(auth, state.config.demo.is_some()),
        title: form.title,
        intro: form.intro,
        back_href: form.back_href.to_owned(),
        back_label: form.back_label.to_owned(),
        action: form.action.to_owned(),
        hidden: std::iter::once(("version", version.to_string()))
            .chain(form.hidden)
            .collect(),
        fields,
        summary,
        submit: form.submit,
        timer: false,
    })
}

/// A role's checkbox in a group of roles (who attends, who takes a module).
pub struct RoleCheck {
    pub code: &'static str,
    pub label: &'static str,
    pub ticked: bool,
}

/// One checkbox per role, named `role` with the role's code as value; ticked as submitted, or
/// as stored when nothing was submitted.
pub(super) fn role_checks(stored: &[Role], submitted: Option<&Fields>) -> Vec<RoleCheck> {
    Role::ALL
        .iter()
        .map(|r| RoleCheck {
            code: r.code(),
            label: r.label(),
            ticked: match submitted {
                Some(f) => f.iter().any(|(n, v)| n == "role" && v == r.code()),
                None => stored.contains(r),
            },
        })
        .collect()
}

/// The roles ticked; an unknown code is reported under `field`.
pub(super) fn ticked_roles(
    errors: &mut ValidationError,
    fields: &Fields,
    field: &str,
) -> Vec<Role> {
    let mut roles = Vec::new();
    for (_, v) in fields.iter().filter(|(n, _)| n == "role") {
        match Role::parse(v) {
            Ok(r) if !roles.contains(&r) => roles.push(r),
            Ok(_) => {}
            Err(_) => errors.push(field, "choose roles from the list"),
        }
    }
    roles
}

/// Whether the signed-in user may change the plan (the forms are shown only to them).
pub(super) fn can_edit(auth: &Authenticated) -> bool {
    stepwise_domain::access::acting_role(
        &auth.user.roles,
        stepwise_domain::access::Operation::EditPlan,
        None,
    )
    .is_some()
}
