//! Every route, from the route registry: nothing but the public routes answers without a
//! signed-in user, every response carries the security headers, and the OpenAPI document
//! describes exactly the API routes.

use crate::harness::app;
use std::collections::BTreeSet;
use stepwise_web::routes::{Access, table};
use stepwise_web::{AppState, WebConfig};

fn concrete(path: &str) -> String {
    path.replace("{id}", "0190f0c2-0000-7000-8000-000000000001")
        .replace("{code}", "epds")
        .replace("{month}", "2026-10")
        .replace("{format}", "csv")
        .replace("{*path}", "app.css")
}

#[tokio::test]
async fn nothing_is_open_without_signing_in() {
    let app = app().await;
    let routes = table();
    assert!(routes.len() > 40);
    // Only the health check, the sign-in page and the static assets are public.
    let public: Vec<(&str, &str)> = routes
        .iter()
        .filter(|r| r.access == Access::Public)
        .map(|r| (r.method, r.path))
        .collect();
    assert_eq!(
        public,
        [
            ("GET", "/api/v1/health"),
            ("GET", "/sign-in"),
            ("POST", "/sign-in"),
            ("GET", "/assets/{*path}")
        ]
    );
    for r in &routes {
        let mut call = app.call(r.method, &concrete(r.path));
        if r.method != "GET" {
            call = call.json(serde_json::json!({}));
        }
        let reply = app.send(call).await;
        match r.access {
            Access::Public => assert!(
                reply.status.as_u16() < 400 || r.method == "POST",
                "{} {} should be public: {}",
                r.method,
                r.path,
                reply.status
            ),
            _ if r.path.starts_with("/api/") => {
                assert_eq!(reply.status, 401, "{} {}", r.method, r.path);
                assert_eq!(
                    reply.header("content-type"),
                    Some("application/problem+json")
                );
                assert_eq!(reply.json()["status"], 401);
            }
            _ => {
                assert_eq!(reply.status, 303, "{} {}", r.method, r.path);
                assert_eq!(
                    reply.header("location"),
                    Some("/sign-in"),
                    "{} {}",
                    r.method,
                    r.path
                );
            }
        }
    }
}

#[tokio::test]
async fn a_bad_token_is_refused_everywhere() {
    let app = app().await;
    for r in table()
        .iter()
        .filter(|r| r.access != Access::Public && r.path.starts_with("/api/"))
    {
        let reply = app
            .send(
                app.call(r.method, &concrete(r.path))
                    .header("authorization", "Bearer swt_not-a-token"),
            )
            .await;
        assert_eq!(reply.status, 401, "{} {}", r.method, r.path);
    }
}

#[tokio::test]
async fn routes_that_touch_patient_data_say_so() {
    for r in table() {
        if r.path.contains("patients") || r.path.contains("episodes") || r.path.contains("caseload")
        {
            assert!(
                r.access.touches_phi(),
                "{} {} handles patient data",
                r.method,
                r.path
            );
        }
    }
}

#[tokio::test]
async fn the_openapi_document_lists_exactly_the_api_routes() {
    let app = app().await;
    assert_eq!(
        app.send(app.call("GET", "/api/v1/openapi.json"))
            .await
            .status,
        401
    );
    let reply = app.get(&app.billing, "/api/v1/openapi.json").await;
    assert_eq!(reply.status, 200);
    let doc = reply.json();
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.insert((method.to_uppercase(), path.clone()));
        }
    }
    let routed: BTreeSet<(String, String)> = table()
        .into_iter()
        .filter(|r| r.path.starts_with("/api/"))
        .map(|r| (r.method.to_owned(), r.path.to_owned()))
        .collect();
    assert_eq!(documented, routed);
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}

#[tokio::test]
async fn security_headers_on_every_response() {
    let app = app().await;
    for path in [
        "/sign-in",
        "/api/v1/health",
        "/api/v1/nothing-here",
        "/nothing-here",
        "/assets/app.css",
    ] {
        let reply = app.send(app.call("GET", path)).await;
        let csp = reply.header("content-security-policy").unwrap_or_default();
        assert!(
            csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"),
            "{path}"
        );
        assert!(!csp.contains("unsafe-inline"), "{path}");
        assert_eq!(
            reply.header("x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(
            reply.header("referrer-policy"),
            Some("no-referrer"),
            "{path}"
        );
        assert!(reply.header("x-request-id").is_some(), "{path}");
        // Plain HTTP without a TLS proxy in front: no HSTS (browsers ignore it there, and it
        // would be a promise nobody keeps).
        assert_eq!(reply.header("strict-transport-security"), None, "{path}");
        if path.starts_with("/assets/") {
            assert_eq!(reply.status, 200);
            assert!(
                reply
                    .header("content-type")
                    .unwrap_or_default()
                    .starts_with("text/css")
            );
        } else {
            assert_eq!(reply.header("cache-control"), Some("no-store"), "{path}");
        }
    }
    let missing = app.send(app.call("GET", "/api/v1/nothing-here")).await;
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.header("content-type"),
        Some("application/problem+json")
    );
    assert_eq!(
        app.send(app.call("GET", "/assets/nope.js")).await.status,
        404
    );
}

/// Served over HTTPS (built-in TLS, or `--secure-cookies` behind a TLS proxy): every response,
/// pages, API, errors and assets alike, tells the browser to use HTTPS only for a year, and the
/// session cookie is `__Host-` and `Secure`.
#[tokio::test]
async fn over_https_every_response_carries_hsts() {
    let mut app = app().await;
    app.router = stepwise_web::router(AppState::new(
        app.store.clone(),
        app.clock.clone(),
        WebConfig {
            secure_cookies: true,
            ..WebConfig::default()
        },
    ));
    for path in [
        "/sign-in",
        "/",
        "/api/v1/health",
        "/api/v1/patients",
        "/api/v1/nothing-here",
        "/nothing-here",
        "/assets/app.css",
    ] {
        let reply = app.send(app.call("GET", path)).await;
        assert_eq!(
            reply.header("strict-transport-security"),
            Some("max-age=31536000"),
            "{path} ({})",
            reply.status
        );
        assert_eq!(
            reply.header("x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
    }
    let signed_in = app
        .sign_in(&app.care_manager.email, crate::harness::PASSWORD)
        .await;
    assert_eq!(
        signed_in.header("strict-transport-security"),
        Some("max-age=31536000")
    );
    let cookie = signed_in.header("set-cookie").unwrap_or_default();
    assert!(
        cookie.starts_with("__Host-stepwise_session=") && cookie.contains("; Secure"),
        "{cookie}"
    );
}
