//! The practice administrator's settings page: the registry's flag thresholds, the referral
//! follow-up, the break-glass duration, the configurable scoring cut-offs and the care
//! managers' working time. The same settings and checks as `PUT /api/v1/practice/settings`.
//!
//! The settings carry no version of their own, so the form carries a fingerprint of the
//! settings it was filled in from: a form opened before someone else saved is refused with
//! what was typed kept, never saved over their change.

use super::actions::{Back, FieldView, Spec, blank, page, refuse};
use super::forms::{Fields, FormErrors, get, see_other};
use crate::access::{Can, op};
use crate::error::ApiError;
use crate::state::AppState;
use axum::Form;
use axum::extract::State;
use axum::response::Response;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use stepwise_domain::ValidationError;
use stepwise_domain::instruments::RiskLevel;
use stepwise_domain::metrics::CareManagerFte;
use stepwise_domain::role::Role;
use stepwise_store::model::{PracticeSettings, User};

/// Each setting shown: its path in the settings document, its label and what it does. The
/// defaults and their sources are in docs/metrics.md, docs/instruments.md and
/// docs/security.md.
const SETTINGS: &[(&str, &str, &str)] = &[
    (
        "registry.not_improving_weeks",
        "“Not improving” after (weeks in treatment)",
        "Under 50 % PHQ-9 improvement after this many weeks flags the patient (default 8).",
    ),
    (
        "registry.near_threshold_minutes",
        "“Close to the next billing threshold” within (minutes)",
        "Default 10.",
    ),
    (
        "registry.long_enrollment_months",
        "“Long enrollment” after (months)",
        "Default 9.",
    ),
    (
        "registry.case_review_months_active",
        "Case review overdue in active treatment after (months)",
        "Default 1.",
    ),
    (
        "registry.case_review_months_relapse_prevention",
        "Case review overdue in relapse prevention after (months)",
        "Default 2.",
    ),
    (
        "registry.first_follow_up_weeks",
        "First follow-up due after the initial assessment (weeks)",
        "Default 4.",
    ),
    (
        "registry.outreach_due_days",
        "Outreach due after referral (days)",
        "Default 7.",
    ),
    (
        "referrals.days_without_update",
        "A community referral needs a follow-up call after (days without news)",
        "Default 7.",
    ),
    (
        "security.break_glass_minutes",
        "Break-glass access lasts (minutes)",
        "1 to 480; default 60.",
    ),
    (
        "scoring.phq2_positive_at",
        "PHQ-2 positive at",
        "Default 3; 2 is more sensitive.",
    ),
    (
        "scoring.gad2_positive_at",
        "GAD-2 positive at",
        "Default 3.",
    ),
    (
        "scoring.auditc_positive_at_female",
        "AUDIT-C positive at (women, and sex not recorded)",
        "Default 3.",
    ),
    (
        "scoring.auditc_positive_at_male",
        "AUDIT-C positive at (men)",
        "Default 4.",
    ),
    (
        "scoring.audit_positive_at",
        "AUDIT positive at",
        "Default 8; some guidance uses 7 for women and older adults.",
    ),
    (
        "scoring.pcl5_positive_at",
        "PCL-5 provisional PTSD at",
        "Default 33 (the reference gives 31–33).",
    ),
    (
        "scoring.epds_possible_at",
        "EPDS “possible depression” at",
        "Default 10 postnatal; 13 antenatal.",
    ),
    (
        "scoring.epds_probable_at",
        "EPDS “probable depression” at",
        "Default 13 postnatal; 15 antenatal.",
    ),
    (
        "scoring.cssrs_alert_at",
        "C-SSRS screener raises a safety alert from",
        "Default moderate; many programs also alert on low.",
    ),
    (
        "scoring.pcptsd5_positive_at",
        "PC-PTSD-5 positive at",
        "Default 4; 3 is more sensitive.",
    ),
    (
        "scoring.dast10_skip_when_item1_no",
        "DAST-10: skip items 2–10 when item 1 is “No” (they then score 0)",
        "Off by default.",
    ),
];

/// The field of a care manager's working time.
fn fte_field(user: &User) -> String {
    format!("fte.{}", user.id)
}

/// A fingerprint of the stored settings, carried by the form.
fn fingerprint(settings: &PracticeSettings) -> String {
    let json = serde_json::to_vec(settings).unwrap_or_default();
    hex::encode(Sha256::digest(json))
}

/// The value at `section.key` of the settings as JSON.
fn at<'a>(doc: &'a Value, path: &str) -> Option<&'a Value> {
    let (section, key) = path.split_once('.')?;
    doc.get(section)?.get(key)
}

fn spec(settings: &PracticeSettings, care_managers: &[User]) -> Spec {
    let doc = serde_json::to_value(settings).unwrap_or(Value::Null);
    let mut fields: Vec<FieldView> = SETTINGS
        .iter()
        .map(|(path, label, hint)| {
            let value = at(&doc, path).cloned().unwrap_or(Value::Null);
            let field = match &value {
                Value::Bool(b) => {
                    FieldView::new(path, label, "checkbox").value(if *b { "yes" } else { "" })
                }
                Value::String(s) => FieldView::select(
                    path,
                    label,
                    RiskLevel::ALL
                        .iter()
                        .map(|r| (r.code().to_owned(), r.label().to_owned()))
                        .collect(),
                )
                .value(s.clone()),
                other => FieldView::new(path, label, "number").value(other.to_string()),
            };
            field.hint(hint)
        })
        .collect();
    for cm in care_managers {
        let percent = settings
            .care_manager_fte
            .iter()
            .find(|f| f.care_manager == cm.id)
            .map_or(100, |f| f.fte_percent);
        fields.push(
            FieldView::new(
                &fte_field(cm),
                &format!("{}: working time in the program (%)", cm.display_name),
                "number",
            )
            .hint("100 = full time; for caseload per FTE.")
            .value(percent.to_string()),
        );
    }
    Spec {
        title: "Practice settings".into(),
        intro: Some(
            "Thresholds of the registry's flags, the referral follow-up, break-glass access, the \
             scoring cut-offs the instrument reference leaves to the practice, and the care \
             managers' working time. Each default is the documented one."
                .into(),
        ),
        action: "/settings/practice".into(),
        hidden: vec![("fingerprint", fingerprint(settings))],
        fields,
        submit: "Save the settings",
        timer: false,
    }
}

/// Read the form into settings: each field on its own, so that each error names its field.
fn parse_form(
    fields: &Fields,
    stored: &PracticeSettings,
    care_managers: &[User],
) -> Result<PracticeSettings, ApiError> {
    let mut errors = ValidationError::new();
    let mut doc = serde_json::to_value(stored).map_err(|e| ApiError::Internal(e.to_string()))?;
    for (path, _, _) in SETTINGS {
        let Some((section, key)) = path.split_once('.') else {
            continue;
        };
        let value = match at(&doc, path) {
            Some(Value::Bool(_)) => Value::Bool(get(fields, path) == "yes"),
            Some(Value::String(_)) => Value::String(get(fields, path)),
            _ => match get(fields, path).parse::<u64>() {
                Ok(n) => Value::from(n),
                Err(_) => {
                    errors.push(*path, "a whole number");
                    continue;
                }
            },
        };
        let mut one = Map::new();
        one.insert((*key).to_owned(), value.clone());
        // Each value checked alone against its section's type (range, known code).
        let check = match section {
            "registry" => {
                serde_json::from_value::<stepwise_domain::registry::RegistrySettings>(one.into())
                    .err()
            }
            "scoring" => {
                serde_json::from_value::<stepwise_domain::instruments::ScoringSettings>(one.into())
                    .err()
            }
            "referrals" => {
                serde_json::from_value::<stepwise_domain::referral::FollowUpSettings>(one.into())
                    .err()
            }
            _ => {
                serde_json::from_value::<stepwise_store::model::SecuritySettings>(one.into()).err()
            }
        };
        if let Some(e) = check {
            errors.push(*path, clean(&e.to_string()));
            continue;
        }
        if let Some(obj) = doc.get_mut(section).and_then(Value::as_object_mut) {
            obj.insert((*key).to_owned(), value);
        }
    }
    for path in [
        "registry.not_improving_weeks",
        "registry.long_enrollment_months",
        "registry.case_review_months_active",
    ] {
        if at(&doc, path).and_then(Value::as_u64) == Some(0) {
            errors.push(path, "at least 1");
        }
    }
    let mut fte = Vec::new();
    for cm in care_managers {
        let name = fte_field(cm);
        match get(fields, &name).parse::<u16>() {
            Ok(p) if (1..=100).contains(&p) => {
                // A care manager not listed counts as full time.
                if p != 100 {
                    fte.push(CareManagerFte {
                        care_manager: cm.id,
                        site: stored
                            .care_manager_fte
                            .iter()
                            .find(|f| f.care_manager == cm.id)
                            .and_then(|f| f.site),
                        fte_percent: p,
                    });
                }
            }
            _ => errors.push(name, "a whole number from 1 to 100"),
        }
    }
    errors.into_result()?;
    let mut settings: PracticeSettings =
        serde_json::from_value(doc).map_err(|e| ApiError::invalid("settings", e.to_string()))?;
    // Entries of staff who are no longer active care managers are kept as they were.
    settings.care_manager_fte = stored
        .care_manager_fte
        .iter()
        .filter(|f| !care_managers.iter().any(|c| c.id == f.care_manager))
        .cloned()
        .chain(fte)
        .collect();
    crate::api::admin::check_settings(&settings)?;
    Ok(settings)
}

/// A serde message without its position ("at line 1 column 9").
fn clean(message: &str) -> String {
    message
        .split(" at line ")
        .next()
        .unwrap_or(message)
        .to_owned()
}

async fn care_managers(state: &AppState, can: &Can<op::Administer>) -> Result<Vec<User>, ApiError> {
    Ok(state
        .store
        .users(can.ctx.practice)
        .await?
        .into_iter()
        .filter(|u| !u.disabled && u.has_role(Role::CareManager))
        .collect())
}

const BACK: Back = Back::Home;

pub async fn form(State(state): State<AppState>, can: Can<op::Administer>) -> Response {
    match care_managers(&state, &can).await {
        Ok(cms) => blank(
            &state,
            &can.auth,
            BACK,
            spec(&can.auth.practice.settings, &cms),
        ),
        Err(e) => super::error_page(e),
    }
}

pub async fn submit(
    State(state): State<AppState>,
    can: Can<op::Administer>,
    Form(fields): Form<Fields>,
) -> Response {
    // The settings as stored now, not as cached with the session's practice.
    let stored = match state.store.practice(can.ctx.practice).await {
        Ok(p) => p.settings,
        Err(e) => return super::error_page(e.into()),
    };
    let cms = match care_managers(&state, &can).await {
        Ok(c) => c,
        Err(e) => return super::error_page(e),
    };
    let spec = spec(&stored, &cms);
    if get(&fields, "fingerprint") != fingerprint(&stored) {
        return match FormErrors::from_api(ApiError::Conflict(String::new())) {
            Ok(errors) => page(&state, &can.auth, BACK, spec, Some(&fields), &errors),
            Err(e) => super::error_page(e),
        };
    }
    let saved: Result<(), ApiError> = async {
        let settings = parse_form(&fields, &stored, &cms)?;
        state
            .store
            .update_practice_settings(&can.ctx, &settings)
            .await?;
        state.forget_practice(can.ctx.practice);
        Ok(())
    }
    .await;
    match saved {
        Ok(()) => see_other("/settings/practice"),
        Err(e) => refuse(&state, &can.auth, BACK, spec, &fields, e),
    }
}
