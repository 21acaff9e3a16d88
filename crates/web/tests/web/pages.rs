//! Pages: sign-in and sign-out, sessions, CSRF, the caseload, search, escaping.

use crate::harness::{App, PASSWORD, Reply, app, cookie_of as cookie_of_reply};
use serde_json::json;
use time::Duration;

fn cookie_of(r: &Reply) -> String {
    cookie_of_reply(r)
}

async fn sign_in(app: &App, email: &str, password: &str) -> Reply {
    app.sign_in(email, password).await
}

#[tokio::test]
async fn sign_in_session_and_sign_out() {
    let app = app().await;
    // Unknown account and wrong password read the same.
    let unknown = sign_in(&app, "nobody@north.test", PASSWORD).await;
    let wrong = sign_in(&app, &app.care_manager.email, "not the password").await;
    assert_eq!(unknown.status, 200);
    assert!(
        unknown
            .text()
            .contains("The email or password is not correct.")
    );
    assert_eq!(
        unknown.text().replace("nobody@north.test", "X"),
        wrong.text().replace(&app.care_manager.email, "X")
    );
    assert!(unknown.header("set-cookie").is_none());

    let ok = sign_in(&app, &app.care_manager.email, PASSWORD).await;
    assert_eq!(ok.status, 303);
    // No second factor yet: the password leads to enrollment, and opens nothing else.
    assert_eq!(ok.header("location"), Some("/mfa/enroll"));
    let set = ok.header("set-cookie").unwrap();
    for attr in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(set.contains(attr), "{set}");
    }
    let pending = cookie_of(&ok);
    let refused = app
        .send(app.call("GET", "/").header("cookie", &pending))
        .await;
    assert_eq!(refused.status, 303);
    assert_eq!(refused.header("location"), Some("/sign-in"));
    let cookie = app.session(&app.care_manager.email).await;
    let home = app
        .send(app.call("GET", "/").header("cookie", &cookie))
        .await;
    assert_eq!(home.status, 200);
    assert!(home.text().contains("My caseload"));

    // Idle for 16 minutes: the session is over.
    app.clock.advance(Duration::minutes(16));
    let expired = app
        .send(app.call("GET", "/").header("cookie", &cookie))
        .await;
    assert_eq!(expired.status, 303);
    assert_eq!(expired.header("location"), Some("/sign-in"));

    // Sign-out ends the session on the server: the old cookie is worthless.
    let again = app.session(&app.care_manager.email).await;
    let out = app
        .send(app.call("POST", "/sign-out").header("cookie", &again))
        .await;
    assert_eq!(out.status, 303);
    assert!(out.header("set-cookie").unwrap().contains("Max-Age=0"));
    assert_eq!(
        app.send(app.call("GET", "/").header("cookie", &again))
            .await
            .status,
        303
    );

    // Failed sign-ins are audited.
    let events = app
        .store
        .audit_events(app.practice, 0, 10_000)
        .await
        .unwrap();
    assert!(
        events
            .iter()
            .any(|e| e.event.action == stepwise_domain::audit::AuditAction::SignInFailed)
    );
}

#[tokio::test]
async fn cross_site_posts_are_refused() {
    let app = app().await;
    let cookie = app.session(&app.care_manager.email).await;
    let r = app
        .send(
            app.call("POST", "/sign-out")
                .header("cookie", &cookie)
                .header("sec-fetch-site", "cross-site")
                .header("origin", "https://evil.example"),
        )
        .await;
    assert_eq!(r.status, 403);
    // The session survived the forged request.
    assert_eq!(
        app.send(app.call("GET", "/").header("cookie", &cookie))
            .await
            .status,
        200
    );
    let r = app
        .send(
            app.call("POST", "/api/v1/patients/search")
                .token(&app.front_desk)
                .header("sec-fetch-site", "cross-site")
                .header("origin", "https://evil.example")
                .json(json!({"q": "ab"})),
        )
        .await;
    assert_eq!(r.status, 403);
}

#[tokio::test]
async fn search_and_chart_escape_what_people_typed() {
    let app = app().await;
    let r = app
        .json(
            &app.front_desk,
            "POST",
            "/api/v1/patients",
            json!({"mrn": "X-1", "given_name": "<script>alert(1)</script>", "family_name": "Evil\"><img src=x onerror=alert(2)>", "birth_date": "1970-01-01", "sex": "male", "care_manager": app.care_manager.id}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let pid = r.json()["id"].as_str().unwrap().to_owned();
    let cookie = app.session(&app.care_manager.email).await;
    let found = app
        .send(
            app.call("POST", "/patients/search")
                .header("cookie", &cookie)
                .form("q=X-1"),
        )
        .await;
    assert_eq!(found.status, 200);
    let html = found.text();
    assert!(html.contains(&format!("/patients/{pid}")), "{html}");
    assert!(!html.contains("<script>alert(1)"), "unescaped script");
    assert!(!html.contains("<img src=x"), "unescaped tag");
    assert!(
        html.contains("script&#62;alert(1)") || html.contains("script&gt;alert(1)"),
        "the text is shown, escaped"
    );
    let chart = app
        .send(
            app.call("GET", &format!("/patients/{pid}"))
                .header("cookie", &cookie),
        )
        .await;
    assert_eq!(chart.status, 200);
    assert!(!chart.text().contains("<script>alert(1)"));
    // A search that cannot work says why.
    let short = app
        .send(
            app.call("POST", "/patients/search")
                .header("cookie", &cookie)
                .form("q=a"),
        )
        .await;
    assert!(short.text().contains("at least 2 letters"));
}
