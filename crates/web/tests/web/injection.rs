//! SQL metacharacters in every sort, filter and search parameter: each GET route of the
//! registry, as a user it allows, with each query parameter name the application reads (and
//! the usual sort and paging names) set to each payload; and every search body. No answer is
//! a server error, and the stored data is untouched (every query binds its values; none is
//! built from input).

use crate::harness::{App, User, app};
use crate::matrix::{kind, records};
use serde_json::json;
use stepwise_domain::access::{Relation, allowed};
use stepwise_domain::episode::Program;
use stepwise_domain::resources::seed::LIFELINE_988;
use stepwise_domain::role::Role;
use stepwise_web::routes::{Access, table};

const PAYLOADS: [&str; 8] = [
    "'",
    "\"",
    "' OR '1'='1",
    "1; DROP TABLE patients; --",
    "1' UNION SELECT NULL, NULL --",
    "%_\\",
    "`) OR 1=1 /*",
    "\u{0}",
];

/// Every query parameter a handler reads (`Query<…>` structs of `crates/web/src`), and the
/// names a sort, filter or page would use.
const NAMES: [&str; 17] = [
    "instrument",
    "episode",
    "from",
    "to",
    "month",
    "saved",
    "text",
    "category",
    "language",
    "inactive",
    "n",
    "reviewed",
    "next",
    "sort",
    "order",
    "q",
    "page",
];

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn form_body(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn people(app: &App) -> Vec<(&User, Role)> {
    vec![
        (&app.admin, Role::PracticeAdmin),
        (&app.practitioner, Role::TreatingPractitioner),
        (&app.care_manager, Role::CareManager),
        (&app.psychiatrist, Role::Psychiatrist),
        (&app.ma, Role::MaNurse),
        (&app.front_desk, Role::FrontDesk),
        (&app.billing, Role::Billing),
    ]
}

#[tokio::test]
async fn sql_metacharacters_in_parameters_never_cause_a_server_error() {
    let app = app().await;
    let own = records(
        &app.store,
        app.practice,
        "INJ-1",
        app.practitioner.id,
        app.care_manager.id,
        Program::Cocm,
        Some(app.psychiatrist.id),
    )
    .await;
    let own_relation = |role: Role| Relation {
        assigned_practitioner: role == Role::TreatingPractitioner,
        assigned_care_manager: role == Role::CareManager,
        in_cocm: true,
        break_glass: false,
    };
    let mut failures = Vec::new();
    let mut sent = 0;
    // Requests that reached their handler (not refused as unauthorized or not found).
    let mut answered = 0;
    for route in table() {
        if route.method != "GET" || route.path.starts_with("/assets/") {
            continue;
        }
        let (user, path) = match route.access {
            Access::Public | Access::SignInStep => continue,
            Access::SignedIn => (&app.admin, route.path.to_owned()),
            Access::Practice(op) => {
                let Some((u, _)) = people(&app)
                    .into_iter()
                    .find(|(_, r)| allowed(*r, op, None))
                else {
                    continue;
                };
                let id = if route.path.contains("/resources/{id}")
                    || route.path.contains("/directory/{id}")
                {
                    LIFELINE_988.to_string()
                } else {
                    app.front_desk.id.to_string()
                };
                let p = route
                    .path
                    .replace("{id}", &id)
                    .replace("{code}", "epds")
                    .replace("{month}", "2026-10")
                    .replace("{format}", "csv");
                (u, p)
            }
            Access::Patient(op) => {
                let Some((u, _)) = people(&app)
                    .into_iter()
                    .find(|(_, r)| allowed(*r, op, Some(own_relation(*r))))
                else {
                    continue;
                };
                let k = kind(route.path).unwrap();
                (u, route.path.replace("{id}", &own.ids[k]))
            }
        };
        for name in NAMES {
            for payload in PAYLOADS {
                let url = format!("{path}?{name}={}", encode(payload));
                let reply = app.get(user, &url).await;
                sent += 1;
                if !matches!(reply.status.as_u16(), 303 | 401 | 403 | 404) {
                    answered += 1;
                }
                if reply.status.is_server_error() {
                    failures.push(format!("GET {url}: {}", reply.status));
                }
            }
        }
    }

    // Search and filter bodies.
    for payload in PAYLOADS {
        let checks = [
            app.json(
                &app.care_manager,
                "POST",
                "/api/v1/patients/search",
                json!({ "q": payload }),
            )
            .await,
            app.send(
                app.call("POST", "/patients/search")
                    .token(&app.care_manager)
                    .form(&form_body(&[("q", payload)])),
            )
            .await,
            app.json(
                &app.front_desk,
                "POST",
                "/api/v1/resources/search",
                json!({ "text": payload, "language": payload }),
            )
            .await,
            app.send(
                app.call("POST", "/admin/audit")
                    .token(&app.admin)
                    .form(&form_body(&[
                        ("user", payload),
                        ("patient", payload),
                        ("action", payload),
                        ("from", payload),
                        ("to", payload),
                        ("before", payload),
                    ])),
            )
            .await,
        ];
        for (i, reply) in checks.iter().enumerate() {
            sent += 1;
            if reply.status.is_server_error() {
                failures.push(format!(
                    "search body {i} with {payload:?}: {}",
                    reply.status
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {sent} requests failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(sent > 2000, "{sent}");
    assert!(
        answered * 10 > sent * 9,
        "{answered} of {sent} reached their handler"
    );
    // Nothing stored was changed: the patient is still there, the derived facts agree and the
    // audit trail verifies.
    let patients = app
        .json(
            &app.care_manager,
            "POST",
            "/api/v1/patients/search",
            json!({ "q": "INJ-1" }),
        )
        .await;
    assert_eq!(patients.status, 200);
    assert_eq!(patients.json().as_array().map(Vec::len), Some(1));
    assert!(matches!(app.store.verify_facts(app.practice).await, Ok(m) if m.is_empty()));
    assert!(
        app.store
            .verify_audit_chain(app.practice)
            .await
            .unwrap()
            .is_intact()
    );
}
