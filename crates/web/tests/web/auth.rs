//! Authentication end to end, on the injected clock (no sleeps): the second factor enforced
//! and enrolled, codes used once, recovery codes used once, identical refusals, throttling
//! and locks (kept across a restart), re-authentication for privileged actions, credential
//! resets, and break-glass with its expiry and audit.

use crate::harness::{App, PASSWORD, app, cookie_of};
use serde_json::json;
use stepwise_domain::audit::AuditAction;
use stepwise_web::{AppState, WebConfig};
use time::Duration;

async fn actions(app: &App) -> Vec<AuditAction> {
    app.store
        .audit_events(app.practice, 0, 100_000)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.event.action)
        .collect()
}

async fn second_factor(app: &App, pending: &str, code: &str) -> crate::harness::Reply {
    app.send(
        app.call("POST", "/sign-in/second-factor")
            .header("cookie", pending)
            .form(&format!("code={code}")),
    )
    .await
}

#[tokio::test]
async fn totp_codes_and_recovery_codes_work_once() {
    let app = app().await;
    let email = app.care_manager.email.clone();
    // First sign-in: enrollment, which shows ten recovery codes once.
    let r = app.sign_in(&email, PASSWORD).await;
    let pending = cookie_of(&r);
    let page = app
        .send(app.call("GET", "/mfa/enroll").header("cookie", &pending))
        .await;
    assert!(
        page.text().contains("otpauth://totp/Stepwise:"),
        "{}",
        page.text()
    );
    let bad = app
        .send(
            app.call("POST", "/mfa/enroll")
                .header("cookie", &pending)
                .form("code=000000"),
        )
        .await;
    assert!(bad.text().contains("The code is not correct"));
    let _ = app.session(&email).await;
    assert!(actions(&app).await.contains(&AuditAction::MfaEnroll));

    // A code works once: the same code (same time step) is refused the second time.
    let r = app.sign_in(&email, PASSWORD).await;
    assert_eq!(r.header("location"), Some("/sign-in/second-factor"));
    let pending = cookie_of(&r);
    // The pending session opens nothing but the second factor.
    let home = app
        .send(app.call("GET", "/").header("cookie", &pending))
        .await;
    assert_eq!(home.header("location"), Some("/sign-in"));
    let code = app.code(&email);
    let ok = second_factor(&app, &pending, &code).await;
    assert_eq!(ok.status, 303);
    let full = cookie_of(&ok);
    assert_ne!(full, pending, "a new session id after the second factor");
    assert_eq!(
        app.send(app.call("GET", "/").header("cookie", &full))
            .await
            .status,
        200
    );
    let again = cookie_of(&app.sign_in(&email, PASSWORD).await);
    let replay = second_factor(&app, &again, &code).await;
    assert_eq!(replay.status, 200);
    assert!(replay.text().contains("already used"));

    // A recovery code works once.
    app.store
        .reset_credentials(
            &stepwise_store::model::Ctx {
                practice: app.practice,
                user: None,
                role: None,
                request_id: "t".into(),
                source: "test".into(),
                now: app.clock.now_for_tests(),
                today: app.clock.now_for_tests().date(),
            },
            app.care_manager.id,
            Some(&stepwise_web::auth::hash_password(PASSWORD).unwrap()),
        )
        .await
        .unwrap();
    app.secrets.lock().unwrap().remove(&email);
    let r = app.sign_in(&email, PASSWORD).await;
    assert_eq!(
        r.header("location"),
        Some("/mfa/enroll"),
        "a reset user enrolls again"
    );
    let pending = cookie_of(&r);
    let html = app
        .send(app.call("GET", "/mfa/enroll").header("cookie", &pending))
        .await
        .text();
    let secret = html
        .split("<code class=\"secret\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .unwrap()
        .to_owned();
    app.secrets.lock().unwrap().insert(email.clone(), secret);
    let code = app.code(&email);
    let shown = app
        .send(
            app.call("POST", "/mfa/enroll")
                .header("cookie", &pending)
                .form(&format!("code={code}")),
        )
        .await
        .text();
    let codes: Vec<String> = shown
        .split("<li><code>")
        .skip(1)
        .filter_map(|s| s.split('<').next())
        .map(str::to_owned)
        .collect();
    assert_eq!(codes.len(), 10);
    let p1 = cookie_of(&app.sign_in(&email, PASSWORD).await);
    assert_eq!(second_factor(&app, &p1, &codes[0]).await.status, 303);
    let p2 = cookie_of(&app.sign_in(&email, PASSWORD).await);
    assert_eq!(second_factor(&app, &p2, &codes[0]).await.status, 200);
    assert!(actions(&app).await.contains(&AuditAction::RecoveryCodeUse));
}

#[tokio::test]
async fn refusals_are_identical_and_failures_lock_the_account() {
    let app = app().await;
    let email = app.care_manager.email.clone();
    let norm = |r: &crate::harness::Reply, e: &str| (r.status, r.text().replace(e, "X"));
    let unknown = app.sign_in("nobody@north.test", PASSWORD).await;
    app.clock.advance(Duration::minutes(1));
    let wrong = app.sign_in(&email, "not the password at all").await;
    assert_eq!(norm(&unknown, "nobody@north.test"), norm(&wrong, &email));

    // Five failures: locked for 15 minutes. A wait grows after the second failure.
    app.clock.advance(Duration::minutes(1));
    let _ = app.sign_in(&email, "wrong password two").await;
    let _ = app.sign_in(&email, "wrong password three").await;
    // Right password, too early after the third failure: refused like any failure.
    let early = app.sign_in(&email, PASSWORD).await;
    assert_eq!(norm(&early, &email), norm(&wrong, &email));
    app.clock.advance(Duration::seconds(2));
    let _ = app.sign_in(&email, "wrong password four").await;
    app.clock.advance(Duration::seconds(4));
    let _ = app.sign_in(&email, "wrong password five").await;
    assert!(actions(&app).await.contains(&AuditAction::SignInLockout));
    app.clock.advance(Duration::minutes(1));
    let locked = app.sign_in(&email, PASSWORD).await;
    assert_eq!(norm(&locked, &email), norm(&wrong, &email));
    assert!(locked.header("set-cookie").is_none());

    // The lock is in the database: a restarted server still refuses.
    let restarted = stepwise_web::router(AppState::new(
        app.store.clone(),
        app.clock.clone(),
        WebConfig::default(),
    ));
    let body = format!(
        "email={}&password={}",
        email.replace('@', "%40"),
        PASSWORD.replace(' ', "+")
    );
    let res = tower::ServiceExt::oneshot(
        restarted,
        axum::http::Request::builder()
            .method("POST")
            .uri("/sign-in")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(axum::body::Body::from(body))
            .unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 200, "still locked after a restart");

    // After 15 minutes the lock lifts.
    app.clock.advance(Duration::minutes(15));
    let ok = app.sign_in(&email, PASSWORD).await;
    assert_eq!(ok.status, 303);
}

#[tokio::test]
async fn one_address_trying_many_accounts_is_throttled() {
    let app = app().await;
    for i in 0..30 {
        let _ = app
            .sign_in(&format!("guess{i}@north.test"), "a wrong password")
            .await;
        app.clock.advance(Duration::seconds(61));
    }
    // The address is locked: even a right password from it is refused.
    let r = app.sign_in(&app.front_desk.email, PASSWORD).await;
    assert_eq!(r.status, 200);
    app.clock.advance(Duration::minutes(15));
    assert_eq!(
        app.sign_in(&app.front_desk.email, PASSWORD).await.status,
        303
    );
}

#[tokio::test]
async fn privileged_actions_need_a_recent_reauthentication() {
    let app = app().await;
    let admin = app.session(&app.admin.email).await;
    let create = |n: u32| {
        app.call("POST", "/api/v1/users")
            .header("cookie", &admin)
            .json(json!({"email": format!("u{n}@north.test"), "display_name": "U", "roles": ["front_desk"]}))
    };
    assert_eq!(app.send(create(1)).await.status, 201);
    // 14 minutes on (a request keeps the session alive), then 2 more: 16 minutes since the
    // password and code were entered.
    app.clock.advance(Duration::minutes(14));
    assert_eq!(
        app.send(app.call("GET", "/api/v1/me").header("cookie", &admin))
            .await
            .status,
        200
    );
    app.clock.advance(Duration::minutes(2));
    let stale = app.send(create(2)).await;
    assert_eq!(stale.status, 403);
    assert_eq!(
        stale.json()["type"],
        "https://stepwise.invalid/problems/reauthentication-required"
    );
    // A wrong code does not re-authenticate.
    let r = app
        .send(
            app.call("POST", "/api/v1/session/reauthenticate")
                .header("cookie", &admin)
                .json(json!({"password": PASSWORD, "code": "000000"})),
        )
        .await;
    assert_eq!(r.status, 422);
    let code = app.code(&app.admin.email);
    let r = app
        .send(
            app.call("POST", "/api/v1/session/reauthenticate")
                .header("cookie", &admin)
                .json(json!({"password": PASSWORD, "code": code})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(app.send(create(3)).await.status, 201);
    assert!(actions(&app).await.contains(&AuditAction::Reauthenticate));
    // A token never qualifies.
    let r = app
        .json(
            &app.admin,
            "POST",
            "/api/v1/users",
            json!({"email": "u4@north.test", "display_name": "U", "roles": ["front_desk"]}),
        )
        .await;
    assert_eq!(r.status, 403);
    // Pages send a stale session to the re-authentication form, and back.
    let cm = app.session(&app.care_manager2.email).await;
    app.clock.advance(Duration::minutes(14));
    let _ = app.send(app.call("GET", "/").header("cookie", &cm)).await;
    app.clock.advance(Duration::minutes(2));
    let pid = patient(&app).await;
    let path = format!("/patients/{pid}/break-glass");
    let r = app.send(app.call("GET", &path).header("cookie", &cm)).await;
    assert_eq!(r.status, 303);
    assert_eq!(
        r.header("location"),
        Some(format!("/reauth?next={path}").as_str())
    );
    let code = app.code(&app.care_manager2.email);
    let r = app
        .send(
            app.call("POST", "/reauth")
                .header("cookie", &cm)
                .form(&format!(
                    "password={}&code={code}&next={path}",
                    PASSWORD.replace(' ', "+")
                )),
        )
        .await;
    assert_eq!(r.header("location"), Some(path.as_str()));
    assert_eq!(
        app.send(app.call("GET", &path).header("cookie", &cm))
            .await
            .status,
        200
    );
}

/// A patient of doctor A and care manager A.
async fn patient(app: &App) -> String {
    let r = app
        .json(
            &app.front_desk,
            "POST",
            "/api/v1/patients",
            json!({"mrn": "BG-1", "given_name": "Ana", "family_name": "Lopez", "birth_date": "1970-01-01", "sex": "female", "care_manager": app.care_manager.id, "treating_practitioner": app.practitioner.id}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    r.json()["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn break_glass_is_allowed_per_user_time_boxed_and_audited() {
    let app = app().await;
    let pid = patient(&app).await;
    let episodes = format!("/api/v1/patients/{pid}/episodes");
    // Care manager B is not on the care team.
    assert_eq!(app.get(&app.care_manager2, &episodes).await.status, 404);
    let cm = app.session(&app.care_manager2.email).await;
    let start = |reason: &str| {
        app.call("POST", &format!("/api/v1/patients/{pid}/break-glass"))
            .header("cookie", &cm)
            .json(json!({"reason": reason}))
    };
    // Not allowed for this account yet.
    let r = app.send(start("patient in crisis")).await;
    assert_eq!(r.status, 422, "{}", r.text());
    let admin = app.session(&app.admin.email).await;
    let r = app
        .send(
            app.call(
                "PUT",
                &format!("/api/v1/users/{}/break-glass", app.care_manager2.id),
            )
            .header("cookie", &admin)
            .json(json!({"allowed": true})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    // A reason is required.
    assert_eq!(app.send(start(" ")).await.status, 422);
    let r = app.send(start("patient in crisis, covering on call")).await;
    assert_eq!(r.status, 201, "{}", r.text());
    // Access now, with each request audited as break-glass.
    assert_eq!(app.get(&app.care_manager2, &episodes).await.status, 200);
    let flagged = app
        .store
        .audit_events(app.practice, 0, 100_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.event.action == AuditAction::BreakGlassAccess)
        .count();
    assert_eq!(flagged, 1);
    assert!(actions(&app).await.contains(&AuditAction::BreakGlassStart));
    // Not for what break-glass does not open (managing the episode).
    let r = app
        .json(&app.care_manager2, "POST", &episodes, json!({}))
        .await;
    assert_eq!(r.status, 404);
    // Other roles get nothing from break-glass.
    let r = app
        .json(
            &app.billing,
            "POST",
            &format!("/api/v1/patients/{pid}/break-glass"),
            json!({"reason": "curious"}),
        )
        .await;
    assert_eq!(r.status, 404);
    // 60 minutes later it is over.
    app.clock.advance(Duration::minutes(60));
    assert_eq!(app.get(&app.care_manager2, &episodes).await.status, 404);
}
