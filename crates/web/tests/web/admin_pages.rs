//! The practice administrator's pages beyond the staff list: sites, the practice settings,
//! break-glass permission and a credential reset. Each keeps what was typed when refused,
//! refuses a stale form, and is refused to every other role.

use crate::harness::{App, app};

fn as_cookie(app: &App, cookie: &str, method: &str, path: &str) -> crate::harness::Call {
    app.call(method, path).header("cookie", cookie)
}

#[tokio::test]
async fn sites_are_listed_and_added() {
    let app = app().await;
    let admin = app.session(&app.admin.email).await;
    let page = app
        .send(as_cookie(&app, &admin, "GET", "/admin/sites"))
        .await;
    assert_eq!(page.status, 200, "{}", page.text());
    assert!(page.text().contains("No sites yet"));
    // The administrator's navigation leads there.
    assert!(page.text().contains("href=\"/admin/sites\""));

    let empty = app
        .send(as_cookie(&app, &admin, "POST", "/admin/sites").form("name=+"))
        .await;
    assert_eq!(empty.status, 422);
    assert!(empty.text().contains("id=\"name-err\""), "{}", empty.text());
    let ok = app
        .send(as_cookie(&app, &admin, "POST", "/admin/sites").form("name=Eastside+Clinic"))
        .await;
    assert_eq!(ok.status, 303, "{}", ok.text());
    // The same name again: refused beside the field, as typed.
    let dup = app
        .send(as_cookie(&app, &admin, "POST", "/admin/sites").form("name=Eastside+Clinic"))
        .await;
    assert_eq!(dup.status, 422);
    assert!(dup.text().contains("id=\"name-err\""));
    assert!(dup.text().contains("value=\"Eastside Clinic\""));
    let sites = app.get(&app.admin, "/api/v1/sites").await.json();
    assert_eq!(sites.as_array().unwrap().len(), 1);
    assert_eq!(sites[0]["name"], "Eastside Clinic");
    // Registration now asks for the site.
    let form = app.get(&app.front_desk, "/patients/new").await.text();
    assert!(form.contains("Eastside Clinic"), "{form}");

    for who in [&app.care_manager, &app.front_desk, &app.billing] {
        assert_eq!(app.get(who, "/admin/sites").await.status, 404);
        let r = app
            .send(
                app.call("POST", "/admin/sites")
                    .token(who)
                    .form("name=Mine"),
            )
            .await;
        assert_eq!(r.status, 404);
    }
}

/// The fingerprint the settings form carries.
fn fingerprint(html: &str) -> String {
    let at = html.find("name=\"fingerprint\" value=\"").unwrap() + 26;
    html[at..at + 64].to_owned()
}

#[tokio::test]
async fn practice_settings_are_changed_from_the_page() {
    let app = app().await;
    let admin = app.session(&app.admin.email).await;
    let page = app
        .send(as_cookie(&app, &admin, "GET", "/settings/practice"))
        .await;
    assert_eq!(page.status, 200, "{}", page.text());
    let html = page.text();
    assert!(
        html.contains("id=\"f-registry.not_improving_weeks\""),
        "{html}"
    );
    assert!(html.contains("value=\"moderate\" selected"));
    assert!(html.contains("working time in the program"), "{html}");
    let fp = fingerprint(&html);
    let before = app.get(&app.admin, "/api/v1/practice").await.json();

    // Every setting as shown, with a few changes.
    let body = |fp: &str, weeks: &str| {
        format!(
            "fingerprint={fp}&registry.not_improving_weeks={weeks}&registry.near_threshold_minutes=10\
             &registry.long_enrollment_months=9&registry.case_review_months_active=1\
             &registry.case_review_months_relapse_prevention=2&registry.first_follow_up_weeks=4\
             &registry.outreach_due_days=5&referrals.days_without_update=7\
             &security.break_glass_minutes=30&scoring.phq2_positive_at=2&scoring.gad2_positive_at=3\
             &scoring.auditc_positive_at_female=3&scoring.auditc_positive_at_male=4\
             &scoring.audit_positive_at=8&scoring.pcl5_positive_at=33&scoring.epds_possible_at=10\
             &scoring.epds_probable_at=13&scoring.cssrs_alert_at=low&scoring.pcptsd5_positive_at=4\
             &fte.{}=50&fte.{}=100",
            app.care_manager.id, app.care_manager2.id
        )
    };
    // Not a number, and zero where at least 1 is needed: beside their fields, as typed.
    for weeks in ["eight", "0"] {
        let bad = app
            .send(as_cookie(&app, &admin, "POST", "/settings/practice").form(&body(&fp, weeks)))
            .await;
        assert_eq!(bad.status, 422, "{}", bad.text());
        let html = bad.text();
        assert!(
            html.contains("id=\"f-registry.not_improving_weeks-err\""),
            "{html}"
        );
        assert!(html.contains(&format!("value=\"{weeks}\"")));
        assert!(
            html.contains("value=\"low\" selected"),
            "the other choices are kept"
        );
    }
    assert_eq!(app.get(&app.admin, "/api/v1/practice").await.json(), before);

    let ok = app
        .send(as_cookie(&app, &admin, "POST", "/settings/practice").form(&body(&fp, "10")))
        .await;
    assert_eq!(ok.status, 303, "{}", ok.text());
    let after = app.get(&app.admin, "/api/v1/practice").await.json();
    let s = &after["settings"];
    assert_eq!(s["registry"]["not_improving_weeks"], 10);
    assert_eq!(s["registry"]["outreach_due_days"], 5);
    assert_eq!(s["security"]["break_glass_minutes"], 30);
    assert_eq!(s["scoring"]["phq2_positive_at"], 2);
    assert_eq!(s["scoring"]["cssrs_alert_at"], "low");
    assert_eq!(s["scoring"]["dast10_skip_when_item1_no"], false);
    assert_eq!(
        s["care_manager_fte"],
        serde_json::json!([{"care_manager": app.care_manager.id, "site": null, "fte_percent": 50}])
    );

    // The form opened before that save is stale: refused, as typed, nothing changed.
    let stale = app
        .send(as_cookie(&app, &admin, "POST", "/settings/practice").form(&body(&fp, "12")))
        .await;
    assert_eq!(stale.status, 422);
    assert!(stale.text().contains("Someone else changed this record"));
    assert!(stale.text().contains("value=\"12\""));
    assert_eq!(app.get(&app.admin, "/api/v1/practice").await.json(), after);

    for who in [&app.care_manager, &app.billing, &app.practitioner] {
        assert_eq!(app.get(who, "/settings/practice").await.status, 404);
        let r = app
            .send(
                app.call("POST", "/settings/practice")
                    .token(who)
                    .form(&body(&fp, "10")),
            )
            .await;
        assert_eq!(r.status, 404);
    }
}

#[tokio::test]
async fn break_glass_permission_and_a_credential_reset_from_the_staff_page() {
    let app = app().await;
    let admin = app.session(&app.admin.email).await;
    let cm = app.care_manager.id;
    let users = app
        .send(as_cookie(&app, &admin, "GET", "/admin/users"))
        .await
        .text();
    assert!(users.contains(&format!("action=\"/admin/users/{cm}/break-glass\"")));
    assert!(users.contains(&format!("href=\"/admin/users/{cm}/credentials\"")));

    let allow = app
        .send(
            as_cookie(
                &app,
                &admin,
                "POST",
                &format!("/admin/users/{cm}/break-glass"),
            )
            .form("allowed=yes"),
        )
        .await;
    assert_eq!(allow.status, 303, "{}", allow.text());
    let listed = app.get(&app.admin, "/api/v1/users").await.json();
    let row = |v: &serde_json::Value| {
        v.as_array()
            .unwrap()
            .iter()
            .find(|u| u["id"] == cm.to_string())
            .cloned()
            .unwrap()
    };
    assert_eq!(row(&listed)["break_glass_allowed"], true);
    let odd = app
        .send(
            as_cookie(
                &app,
                &admin,
                "POST",
                &format!("/admin/users/{cm}/break-glass"),
            )
            .form("allowed=maybe"),
        )
        .await;
    assert_eq!(odd.status, 422);
    assert_eq!(
        row(&app.get(&app.admin, "/api/v1/users").await.json())["break_glass_allowed"],
        true
    );

    let path = format!("/admin/users/{cm}/credentials");
    let form = app.send(as_cookie(&app, &admin, "GET", &path)).await;
    assert_eq!(form.status, 200, "{}", form.text());
    assert!(form.text().contains("type=\"password\""));
    // A weak password: refused beside the field and never sent back into the page.
    let weak = app
        .send(as_cookie(&app, &admin, "POST", &path).form("password=short"))
        .await;
    assert_eq!(weak.status, 422);
    assert!(
        weak.text().contains("id=\"f-password-err\""),
        "{}",
        weak.text()
    );
    assert!(!weak.text().contains("value=\"short\""));
    let version = row(&app.get(&app.admin, "/api/v1/users").await.json())["version"].clone();
    let ok = app
        .send(as_cookie(&app, &admin, "POST", &path).form("password=a+brand+new+passphrase"))
        .await;
    assert_eq!(ok.status, 303, "{}", ok.text());
    let after = row(&app.get(&app.admin, "/api/v1/users").await.json());
    assert_ne!(after["version"], version);
    // Signing in: the old password no longer works, the new one does.
    let old = app
        .sign_in(&app.care_manager.email, crate::harness::PASSWORD)
        .await;
    assert!(old.header("location").is_none(), "{}", old.status);
    let r = app
        .sign_in(&app.care_manager.email, "a brand new passphrase")
        .await;
    assert!(r.header("location").is_some(), "{}", r.status);

    // An API token is not a fresh sign-in: sent to re-authenticate, nothing changed.
    let token = app
        .send(
            app.call("POST", &format!("/admin/users/{}/break-glass", app.ma.id))
                .token(&app.admin)
                .form("allowed=yes"),
        )
        .await;
    assert!(
        token
            .header("location")
            .unwrap_or_default()
            .starts_with("/reauth"),
        "{:?}",
        token.status
    );
    assert_eq!(
        row(&app.get(&app.admin, "/api/v1/users").await.json())["break_glass_allowed"],
        true
    );
    let ma = app.get(&app.admin, "/api/v1/users").await.json();
    let ma = ma
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == app.ma.id.to_string())
        .unwrap();
    assert_eq!(ma["break_glass_allowed"], false);
    for who in [&app.care_manager2, &app.billing] {
        assert_eq!(app.get(who, &path).await.status, 404);
        let r = app
            .send(
                app.call("POST", &path)
                    .token(who)
                    .form("password=a+brand+new+passphrase"),
            )
            .await;
        assert_eq!(r.status, 404);
    }
}
