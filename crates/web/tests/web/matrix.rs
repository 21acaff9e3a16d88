//! The authorization matrix: every route of the registry × every role × every relationship to
//! the record (own patient, another clinician's patient, another practice's patient, an id that
//! does not exist), checked against the decision table `domain::access::allowed`. Zero
//! unexpected allows, zero unexpected refusals, and a refusal is a 404 like a missing record.

use crate::harness::{App, NOW, User, app};
use serde_json::json;
use std::collections::HashMap;
use stepwise_domain::access::{Relation, allowed};
use stepwise_domain::assessment::AssessmentInput;
use stepwise_domain::contact::ContactInput;
use stepwise_domain::episode::{ConsentInput, Program, Transition};
use stepwise_domain::ids::{PatientId, PracticeId, UserId};
use stepwise_domain::patient::{Assignments, PatientInput};
use stepwise_domain::referral::{ReferralTarget, Sensitivity};
use stepwise_domain::resources::seed::LIFELINE_988;
use stepwise_domain::role::Role;
use stepwise_domain::sensitivity::Part2ConsentInput;
use stepwise_store::model::{Ctx, NewCaseReviewItem};
use stepwise_store::{Store, StoreError};
use stepwise_web::routes::{Access, table};

/// The ids of one patient's records, by the path segment that addresses them.
pub(crate) struct Records {
    pub(crate) patient: PatientId,
    pub(crate) ids: HashMap<&'static str, String>,
}

pub(crate) fn sys(practice: PracticeId) -> Ctx {
    Ctx {
        practice,
        user: None,
        role: None,
        request_id: "fixture".into(),
        source: "test".into(),
        now: NOW,
        today: NOW.date(),
    }
}

pub(crate) async fn records(
    store: &Store,
    practice: PracticeId,
    mrn: &str,
    tp: UserId,
    cm: UserId,
    program: Program,
    psych: Option<UserId>,
) -> Records {
    let c = sys(practice);
    let input = PatientInput {
        mrn: mrn.into(),
        given_name: "M".into(),
        family_name: mrn.into(),
        birth_date: "1980-01-01".into(),
        sex: "male".into(),
        ..Default::default()
    };
    let p = store
        .create_patient(
            &c,
            input.parse(NOW.date()).unwrap(),
            Assignments {
                site: None,
                treating_practitioner: Some(tp),
                care_manager: Some(cm),
            },
        )
        .await
        .unwrap();
    let e = store
        .create_episode(&c, p.id, program, NOW.date(), None)
        .await
        .unwrap();
    let consent = ConsentInput {
        consented_on: NOW.date().to_string(),
        method: "written".into(),
        cost_sharing_explained: true,
        consult_permission: true,
    }
    .parse(program, cm, NOW.date())
    .unwrap();
    let consent = store.record_consent(&c, e.id, &consent).await.unwrap();
    store
        .transition_episode(&c, e.id, e.version, &Transition::Enroll, NOW.date())
        .await
        .unwrap();
    let k = ContactInput {
        label: None,
        contact_on: NOW.date().to_string(),
        staff_role: "care_manager".into(),
        kind: "follow_up".into(),
        modality: "phone".into(),
        minutes: 10,
        exclusion: None,
        note: None,
    }
    .parse(&[Role::CareManager], NOW.date())
    .unwrap();
    let k = store.add_contact(&c, e.id, cm, &k, None).await.unwrap();
    let a = AssessmentInput {
        label: None,
        instrument: "phq9".into(),
        administered_on: NOW.date().to_string(),
        mode: "clinic".into(),
        answers: vec![Some(1); 9],
        loinc_answers: None,
    }
    .parse(NOW.date())
    .unwrap();
    let a = store
        .add_assessment(&c, p.id, Some(e.id), cm, &a)
        .await
        .unwrap();
    // The PHQ-9 above has item 9 "several days": its safety alert was raised with it.
    let alerts = store.patient_safety_alerts(&c, p.id).await.unwrap();
    assert_eq!(alerts.len(), 1);
    let referral = store
        .create_referral(
            &Ctx {
                user: Some(cm),
                role: Some(Role::CareManager),
                ..c.clone()
            },
            p.id,
            &ReferralTarget::SpecialtyBehavioralHealth {
                description: "Psychiatry".into(),
            },
            Sensitivity::General,
            "Assessment",
        )
        .await
        .unwrap();
    let part2 = store
        .record_part2_consent(
            &Ctx {
                user: Some(cm),
                role: Some(Role::CareManager),
                ..c.clone()
            },
            p.id,
            &Part2ConsentInput {
                given_on: NOW.date().to_string(),
                method: "written".into(),
                recipients: "The psychiatric consultant".into(),
                information: "Substance-use screening results".into(),
                purpose: "Treatment".into(),
                expires_on: "2027-12-31".into(),
            }
            .parse(NOW.date())
            .unwrap(),
        )
        .await
        .unwrap();
    let mut ids = HashMap::from([
        ("part2-consents", part2.id.to_string()),
        ("referrals", referral.id.to_string()),
        ("alerts", alerts[0].id.to_string()),
        ("patients", p.id.to_string()),
        ("episodes", e.id.to_string()),
        ("consents", consent.id.to_string()),
        ("contacts", k.id.to_string()),
        ("assessments", a.id.to_string()),
    ]);
    if let Some(psych) = psych {
        let review = store
            .create_case_review(
                &c,
                NOW.date(),
                psych,
                None,
                &[NewCaseReviewItem {
                    episode: e.id,
                    notes: None,
                    recommendations: vec!["Review".into()],
                }],
            )
            .await
            .unwrap();
        ids.insert(
            "recommendations",
            review.items[0].recommendations[0].id.to_string(),
        );
    }
    Records { patient: p.id, ids }
}

/// The record kind a route addresses: the path segment before `{id}`.
pub(crate) fn kind(path: &str) -> Option<&'static str> {
    [
        "patients",
        "episodes",
        "consents",
        "contacts",
        "assessments",
        "recommendations",
        "alerts",
        "referrals",
        "part2-consents",
        "users",
    ]
    .into_iter()
    .find(|k| path.contains(&format!("/{k}/{{id}}")))
}

/// Every user of the test practice with the role they hold.
pub(crate) fn users(app: &App) -> Vec<(&User, Role)> {
    vec![
        (&app.admin, Role::PracticeAdmin),
        (&app.practitioner, Role::TreatingPractitioner),
        (&app.practitioner2, Role::TreatingPractitioner),
        (&app.care_manager, Role::CareManager),
        (&app.care_manager2, Role::CareManager),
        (&app.psychiatrist, Role::Psychiatrist),
        (&app.ma, Role::MaNurse),
        (&app.front_desk, Role::FrontDesk),
        (&app.billing, Role::Billing),
    ]
}

#[tokio::test]
async fn every_route_every_role_every_relationship() {
    let app = app().await;
    let store = &app.store;
    // Own: doctor A and care manager A, Collaborative Care. Another clinician's: doctor B and
    // care manager B, general BHI only (and a CoCM patient of theirs for recommendations).
    let own = records(
        store,
        app.practice,
        "OWN",
        app.practitioner.id,
        app.care_manager.id,
        Program::Cocm,
        Some(app.psychiatrist.id),
    )
    .await;
    let other = records(
        store,
        app.practice,
        "OTHER",
        app.practitioner2.id,
        app.care_manager2.id,
        Program::GeneralBhi,
        None,
    )
    .await;
    let other_cocm = records(
        store,
        app.practice,
        "OTHERC",
        app.practitioner2.id,
        app.care_manager2.id,
        Program::Cocm,
        Some(app.psychiatrist.id),
    )
    .await;
    let south = store
        .practices()
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.name == "South Clinic")
        .unwrap();
    let south_user = app.other_practice_cm.id;
    let south_psych = store
        .create_user(
            &sys(south.id),
            stepwise_store::model::NewUser {
                email: "psych@south.test".into(),
                display_name: "P".into(),
                password_hash: None,
                roles: vec![Role::Psychiatrist],
                npi: None,
            },
        )
        .await
        .unwrap();
    let foreign = records(
        store,
        south.id,
        "FOREIGN",
        south_user,
        south_user,
        Program::Cocm,
        Some(south_psych.id),
    )
    .await;

    // What each user is to each fixture patient.
    let relation = |user: &User, patient: PatientId| -> Relation {
        let (tp, cm, cocm) = if patient == own.patient {
            (app.practitioner.id, app.care_manager.id, true)
        } else if patient == other.patient {
            (app.practitioner2.id, app.care_manager2.id, false)
        } else {
            (app.practitioner2.id, app.care_manager2.id, true)
        };
        Relation {
            assigned_practitioner: user.id == tp,
            assigned_care_manager: user.id == cm,
            in_cocm: cocm,
            break_glass: false,
        }
    };

    // Routes about a user account act on a throwaway account.
    let throwaway = store
        .create_user(
            &sys(app.practice),
            stepwise_store::model::NewUser {
                email: "throwaway@north.test".into(),
                display_name: "T".into(),
                password_hash: None,
                roles: vec![Role::FrontDesk],
                npi: None,
            },
        )
        .await
        .unwrap();
    let mut checked = 0;
    let mut failures = Vec::new();
    for route in table() {
        let (op, patient_scoped) = match route.access {
            Access::Public | Access::SignedIn | Access::SignInStep => continue,
            Access::Practice(op) => (op, false),
            Access::Patient(op) => (op, true),
        };
        for (user, role) in users(&app) {
            let mut cases: Vec<(&str, String, bool)> = Vec::new();
            if !patient_scoped {
                // Instrument routes act on the EPDS.
                // Directory routes act on the built-in 988 entry every practice has.
                let id = if route.path.contains("/resources/{id}")
                    || route.path.contains("/directory/{id}")
                {
                    LIFELINE_988.to_string()
                } else {
                    throwaway.id.to_string()
                };
                let path = route
                    .path
                    .replace("{id}", &id)
                    .replace("{code}", "epds")
                    .replace("{month}", "2026-10")
                    .replace("{format}", "csv");
                cases.push(("practice", path, allowed(role, op, None)));
            } else {
                let k = kind(route.path).unwrap();
                let missing = "0190f0c2-0000-7000-8000-00000000dead".to_owned();
                for (label, recs) in [
                    ("own", &own),
                    (
                        "other",
                        if k == "recommendations" {
                            &other_cocm
                        } else {
                            &other
                        },
                    ),
                ] {
                    let id = recs.ids[k].clone();
                    cases.push((
                        label,
                        route.path.replace("{id}", &id),
                        allowed(role, op, Some(relation(user, recs.patient))),
                    ));
                }
                cases.push((
                    "other practice",
                    route.path.replace("{id}", &foreign.ids[k]),
                    false,
                ));
                cases.push(("nonexistent", route.path.replace("{id}", &missing), false));
            }
            for (label, path, expect_allowed) in cases {
                let mut call = app.call(route.method, &path).token(user);
                if route.method != "GET" {
                    // An empty object: refused by validation, so an allowed request changes nothing.
                    call = call.json(json!({}));
                }
                let reply = app.send(call).await;
                checked += 1;
                let allowed_seen = reply.status != 404;
                if reply.status == 401
                    || allowed_seen != expect_allowed
                    || reply.status.is_server_error()
                {
                    failures.push(format!(
                        "{} {} as {} ({label}): {} (expected {})",
                        route.method,
                        route.path,
                        user.email,
                        reply.status,
                        if expect_allowed { "allowed" } else { "404" }
                    ));
                }
                if !allowed_seen && path.starts_with("/api/") {
                    assert_eq!(
                        reply.json()["type"],
                        "https://stepwise.invalid/problems/not-found"
                    );
                } else if !allowed_seen {
                    assert!(
                        reply
                            .text()
                            .contains("There is nothing here, or you do not have access to it.")
                    );
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} checks failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(checked > 500, "{checked}");
    // The fixtures are untouched: every allowed write was refused by validation.
    assert!(matches!(store.verify_facts(app.practice).await, Ok(m) if m.is_empty()));
    let _: Option<StoreError> = None;
}
