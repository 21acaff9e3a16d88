//! The financial view and the measures of success over HTTP: who may read and change them,
//! what a valid and an invalid submission do (the error beside its field, nothing stored),
//! the CSV export, and the metrics page showing the chosen measures first.

use crate::billing::october_patient;
use crate::harness::app;
use serde_json::json;

#[tokio::test]
async fn the_financial_view_for_billing_and_the_administrator() {
    let app = app().await;
    october_patient(&app, "F-1", true).await;
    // September: 50 minutes, an initial CoCM month: 99492 = 145.24. October: 80 minutes,
    // 99493 + 99494 = 133.59 + 55.96 = 189.55.
    let r = app
        .get(&app.billing, "/api/v1/finance?from=2026-09&to=2026-10")
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    assert_eq!(v["total"]["expected_cents"], 14_524 + 18_955);
    assert_eq!(v["months"].as_array().unwrap().len(), 2);
    assert_eq!(v["payer_mix"][0]["payer"], "medicare");
    assert_eq!(v["by_practitioner"][0][0], app.practitioner.id.to_string());
    // The what-if starts from what the months show: one patient, 65 minutes.
    assert_eq!(v["observed"]["caseload"], 1);
    assert_eq!(v["observed"]["minutes"], 65);
    assert!(!v.to_string().contains("Díaz"), "no patient is named");
    let r = app
        .get(&app.admin, "/api/v1/finance?from=2026-09&to=2026-10")
        .await;
    assert_eq!(r.status, 200);
    for clinician in [&app.care_manager, &app.practitioner, &app.front_desk] {
        let r = app
            .get(clinician, "/api/v1/finance?from=2026-09&to=2026-10")
            .await;
        assert_eq!(r.status, 404, "{}", clinician.email);
    }
    let r = app
        .get(&app.billing, "/api/v1/finance?from=2026-10&to=2026-09")
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["errors"][0]["field"], "to");

    // What-if: 60 CoCM patients at 45 minutes, no roster yet: every caseload breaks even.
    let r = app
        .get(
            &app.billing,
            "/api/v1/finance/what-if?from=2026-10&to=2026-10&program=cocm&caseload=60&minutes=45",
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["result"]["monthly_revenue_cents"], 813_190);
    assert_eq!(r.json()["result"]["break_even_caseload"], 0);
    let r = app
        .get(
            &app.billing,
            "/api/v1/finance/what-if?from=2026-10&to=2026-10&caseload=-3&minutes=999",
        )
        .await;
    assert_eq!(r.status, 422);
    let fields: Vec<String> = r.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(fields, ["caseload", "minutes"]);

    // CSV.
    let r = app
        .get(
            &app.admin,
            "/api/v1/finance/export.csv?from=2026-09&to=2026-10",
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("text/csv; charset=utf-8"));
    let csv = r.text();
    assert!(csv.starts_with("section,month,group,"), "{csv}");
    assert!(
        csv.contains("revenue,2026-10,total,1,1,0,,189.55,0.00,"),
        "{csv}"
    );
    assert!(csv.contains("practitioner: "), "{csv}");

    // The page: printable tables, the what-if recomputed on the server.
    let r = app
        .get(
            &app.billing,
            "/finance?from=2026-09&to=2026-10&caseload=100",
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let html = r.text();
    assert!(html.contains("Break-even caseload"), "{html}");
    assert!(html.contains("$334.79"), "{html}");
    assert!(html.contains("value=\"100\""), "{html}");
    assert!(
        html.contains("/api/v1/finance/export.csv?from=2026-09"),
        "{html}"
    );
    assert!(
        !html.contains("Edit the team"),
        "billing does not edit the roster"
    );
    let r = app
        .get(
            &app.billing,
            "/finance?from=2026-09&to=2026-10&caseload=abc",
        )
        .await;
    assert_eq!(r.status, 422);
    let html = r.text();
    assert!(html.contains("id=\"f-caseload-err\""), "{html}");
    assert!(html.contains("value=\"abc\""), "what was typed is kept");
    assert_eq!(app.get(&app.care_manager, "/finance").await.status, 404);
    let r = app.get(&app.admin, "/finance").await;
    assert_eq!(r.status, 200);
    assert!(r.text().contains("Edit the team"));
}

#[tokio::test]
async fn the_administrator_edits_the_roster_cost() {
    let app = app().await;
    let admin = &app.admin;
    let r = app.get(&app.billing, "/api/v1/finance/settings").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("etag"), Some("\"0\""));
    let settings = json!({"roster": {"members": [
            {"name": "Care manager", "role": "care_manager",
             "pay": {"basis": "salaried", "annual_salary_cents": 7_000_000, "fte_percent": 100, "benefits_percent": 25}},
            {"name": "Consultant", "role": "psychiatric_consultant",
             "pay": {"basis": "hourly", "hourly_rate_cents": 20_000, "hours_per_month": 16}}],
        "other_monthly_cents": 50_000},
        "rates": {"percent": {"medicaid": 80}, "unknown_percent": 100}});
    let mut bad = settings.clone();
    bad["roster"]["members"][0]["pay"]["fte_percent"] = 0.into();
    let put = |who, body, version: &str| {
        app.call("PUT", "/api/v1/finance/settings")
            .token(who)
            .header("if-match", version)
            .json(json!({ "settings": body }))
    };
    let r = app.send(put(admin, bad, "\"0\"")).await;
    assert_eq!(r.status, 422);
    assert_eq!(
        r.json()["errors"][0]["field"],
        "settings.roster.members[0].fte_percent"
    );
    let r = app.send(put(&app.billing, settings.clone(), "\"0\"")).await;
    assert_eq!(
        r.status, 404,
        "billing reads the settings, never changes them"
    );
    let r = app.send(put(admin, settings.clone(), "\"0\"")).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("etag"), Some("\"1\""));
    let r = app.send(put(admin, settings.clone(), "\"0\"")).await;
    assert_eq!(r.status, 409, "a stale version");
    // The cost reaches the view: 7,291.67 + 3,200 + 500 a month.
    let r = app
        .get(&app.billing, "/api/v1/finance?from=2026-10&to=2026-10")
        .await;
    assert_eq!(r.json()["cost"]["total_cents"], 729_167 + 320_000 + 50_000);
    assert_eq!(r.json()["what_if"]["break_even_caseload"], 82);

    // The settings page: a bad FTE is reported beside its field; nothing is saved.
    let page = app.get(admin, "/settings/finance").await;
    assert_eq!(page.status, 200);
    assert!(
        page.text().contains("value=\"70000.00\""),
        "{}",
        page.text()
    );
    let rates = "rate_medicare=100&rate_medicare_advantage=100&rate_medicaid=80&rate_commercial=100\
                 &rate_self_pay=100&rate_other=100&rate_unknown=100";
    let form = format!(
        "version=1&m0_name=Care+manager&m0_role=care_manager&m0_basis=salaried&m0_salary=60000\
         &m0_fte=150&m0_benefits=0&m1_name=&m1_role=care_manager&m1_basis=salaried\
         &other_monthly=0&{rates}"
    );
    let r = app
        .send(
            app.call("POST", "/settings/finance")
                .token(admin)
                .form(&form),
        )
        .await;
    assert_eq!(r.status, 422);
    let html = r.text();
    assert!(html.contains("id=\"m0_fte-error\""), "{html}");
    assert!(html.contains("value=\"150\""), "what was typed is kept");
    let r = app.get(admin, "/api/v1/finance/settings").await;
    assert_eq!(r.header("etag"), Some("\"1\""), "nothing was saved");
    let r = app
        .send(
            app.call("POST", "/settings/finance")
                .token(admin)
                .form(&form.replace("m0_fte=150", "m0_fte=50")),
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text());
    let r = app.get(admin, "/api/v1/finance/settings").await;
    assert_eq!(r.header("etag"), Some("\"2\""));
    let s = r.json()["settings"].clone();
    assert_eq!(s["roster"]["members"].as_array().unwrap().len(), 1);
    assert_eq!(
        s["roster"]["members"][0]["pay"]["annual_salary_cents"],
        6_000_000
    );
    assert_eq!(s["rates"]["percent"]["medicaid"], 80);
    // Only the administrator edits.
    assert_eq!(app.get(&app.billing, "/settings/finance").await.status, 404);
    let r = app
        .send(
            app.call("POST", "/settings/finance")
                .token(&app.billing)
                .form(&form),
        )
        .await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn the_practice_chooses_its_measures_of_success() {
    let app = app().await;
    let admin = &app.admin;
    let r = app.get(&app.care_manager, "/api/v1/metrics/measures").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["measures"]["chosen"], json!([]));
    let r = app
        .send(
            app.call("PUT", "/api/v1/metrics/measures")
                .token(admin)
                .header("if-match", "\"0\"")
                .json(json!({"chosen": ["remission", "vibes"]})),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["errors"][0]["field"], "chosen[1]");
    let r = app
        .send(
            app.call("PUT", "/api/v1/metrics/measures")
                .token(&app.care_manager)
                .header("if-match", "\"0\"")
                .json(json!({"chosen": ["remission"]})),
        )
        .await;
    assert_eq!(r.status, 404, "the care manager reads, does not choose");

    // The form on /metrics: seven ticks are refused beside the list, nothing stored.
    let page = app.get(admin, "/metrics").await;
    assert!(page.text().contains("name=\"measure\""), "{}", page.text());
    let seven = "version=0&measure=depression_screening&measure=screening_follow_up\
                 &measure=phq9_utilization&measure=phq9_follow_up&measure=response\
                 &measure=remission&measure=caseload_reviewed";
    let r = app
        .send(
            app.call("POST", "/metrics/measures")
                .token(admin)
                .form(seven),
        )
        .await;
    assert_eq!(r.status, 422);
    let html = r.text();
    assert!(html.contains("id=\"mos-err\""), "{html}");
    assert!(html.contains(
        "id=\"mos-caseload_reviewed\" name=\"measure\" value=\"caseload_reviewed\" checked"
    ));
    let r = app.get(admin, "/api/v1/metrics/measures").await;
    assert_eq!(r.header("etag"), Some("\"0\""), "nothing was saved");
    let r = app
        .send(
            app.call("POST", "/metrics/measures")
                .token(admin)
                .form("version=0&measure=remission&measure=caseload_reviewed"),
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text());
    let r = app.get(admin, "/api/v1/metrics/measures").await;
    assert_eq!(
        r.json()["measures"]["chosen"],
        json!(["remission", "caseload_reviewed"])
    );
    let r = app
        .send(
            app.call("POST", "/metrics/measures")
                .token(&app.care_manager)
                .form("version=1&measure=remission"),
        )
        .await;
    assert_eq!(r.status, 404);

    // The metrics page lists them first, marked.
    let html = app.get(&app.care_manager, "/metrics").await.text();
    let at = |s: &str| html.find(s).unwrap_or_else(|| panic!("{s} in {html}"));
    assert!(
        at("<strong>Remission at 4–8 months</strong>")
            < at("<strong>Depression screening</strong>")
    );
    assert!(at("<strong>Caseload reviewed") < at("<strong>Depression screening</strong>"));
    assert!(html.contains("measure of success"));
    assert!(
        !html.contains("name=\"measure\""),
        "only the administrator chooses"
    );
}

#[tokio::test]
async fn the_administrator_takes_a_baseline_on_the_metrics_page() {
    let app = app().await;
    let admin = &app.admin;
    let count = async || {
        app.get(admin, "/api/v1/baselines")
            .await
            .json()
            .as_array()
            .unwrap()
            .len()
    };
    // By hand: a bad numerator and a future date are marked beside their fields; nothing stored.
    let bad = "taken_on=2027-01-05&period_from=2025-01-01&period_to=2025-12-31&method=EHR+report\
               &num_depression_screening=130&den_depression_screening=120&nm_response=yes\
               &val_time_to_first_contact=abc";
    let r = app
        .send(
            app.call("POST", "/metrics/baselines/manual")
                .token(admin)
                .form(bad),
        )
        .await;
    assert_eq!(r.status, 422);
    let html = r.text();
    assert!(
        html.contains("id=\"f-val_time_to_first_contact-err\""),
        "{html}"
    );
    assert!(html.contains("value=\"130\""), "what was typed is kept");
    assert_eq!(count().await, 0);
    let bad = bad.replace("&val_time_to_first_contact=abc", "");
    let r = app
        .send(
            app.call("POST", "/metrics/baselines/manual")
                .token(admin)
                .form(&bad),
        )
        .await;
    assert_eq!(r.status, 422);
    let html = r.text();
    assert!(html.contains("id=\"f-taken_on-err\""), "{html}");
    assert!(
        html.contains("id=\"f-num_depression_screening-err\""),
        "{html}"
    );
    assert_eq!(count().await, 0, "nothing was stored");
    let good = bad.replace("taken_on=2027", "taken_on=2026").replace(
        "num_depression_screening=130",
        "num_depression_screening=30",
    );
    let r = app
        .send(
            app.call("POST", "/metrics/baselines/manual")
                .token(admin)
                .form(&good),
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text());
    let b = app.get(admin, "/api/v1/baselines").await.json();
    assert_eq!(b[0]["source"], "manual");
    assert_eq!(b[0]["method"], "EHR report");
    assert_eq!(b[0]["values"].as_array().unwrap().len(), 2);

    // From the registry at a chosen period: one ending in the future is refused.
    let r = app
        .send(
            app.call("POST", "/metrics/baselines/registry")
                .token(admin)
                .form("baseline_from=2026-01-01&baseline_to=2027-01-01"),
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.text().contains("id=\"f-baseline_to-err\""),
        "{}",
        r.text()
    );
    assert_eq!(count().await, 1);
    let r = app
        .send(
            app.call("POST", "/metrics/baselines/registry")
                .token(admin)
                .form("baseline_from=2026-01-01&baseline_to=2026-03-31"),
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text());
    assert_eq!(count().await, 2);
    let html = app.get(admin, "/metrics?saved=baseline").await.text();
    assert!(html.contains("The baseline was recorded"), "{html}");

    // Only the administrator takes a baseline.
    for path in ["/metrics/baselines/registry", "/metrics/baselines/manual"] {
        let r = app
            .send(
                app.call("POST", path)
                    .token(&app.care_manager)
                    .form("baseline_from=2026-01-01&baseline_to=2026-03-31"),
            )
            .await;
        assert_eq!(r.status, 404, "{path}");
    }
    assert_eq!(count().await, 2);
}
