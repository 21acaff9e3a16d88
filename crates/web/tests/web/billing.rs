//! Month close over HTTP: the care team records what claims need, the biller reviews, locks,
//! adjusts and exports; the administrator edits the settings and sees revenue only.

use crate::harness::{App, app, post_form};
use serde_json::json;

/// A CoCM patient with 80 minutes in October 2026 (after 50 in September), a visit and
/// diagnoses; returns the patient id.
pub async fn october_patient(app: &App, mrn: &str, visit: bool) -> String {
    let cm = &app.care_manager;
    let r = app
        .json(
            &app.front_desk,
            "POST",
            "/api/v1/patients",
            json!({"mrn": mrn, "given_name": "Rosa", "family_name": "Díaz", "birth_date": "1961-03-14",
                   "sex": "female", "payer_kind": "medicare",
                   "treating_practitioner": app.practitioner.id, "care_manager": cm.id}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let pid = r.json()["id"].as_str().unwrap().to_owned();
    let r = app
        .json(
            cm,
            "POST",
            &format!("/api/v1/patients/{pid}/episodes"),
            json!({"program": "cocm", "referred_on": "2026-09-01"}),
        )
        .await;
    let eid = r.json()["id"].as_str().unwrap().to_owned();
    let r = app
        .json(cm, "POST", &format!("/api/v1/episodes/{eid}/consents"), json!({"consented_on": "2026-09-02", "method": "verbal", "cost_sharing_explained": true, "consult_permission": true}))
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    for (on, minutes) in [("2026-09-10", 50), ("2026-10-05", 40), ("2026-10-20", 40)] {
        let r = app
            .json(cm, "POST", &format!("/api/v1/episodes/{eid}/contacts"), json!({"contact_on": on, "staff_role": "care_manager", "kind": "follow_up", "modality": "phone", "minutes": minutes, "note": "Talked about her divorce"}))
            .await;
        assert_eq!(r.status, 201, "{}", r.text());
    }
    if visit {
        let r = app
            .json(&app.practitioner, "POST", &format!("/api/v1/patients/{pid}/initiating-visits"), json!({"practitioner": app.practitioner.id, "visit_on": "2026-06-01", "kind": "awv"}))
            .await;
        assert_eq!(r.status, 201, "{}", r.text());
    }
    let r = app
        .json(
            cm,
            "PUT",
            &format!("/api/v1/episodes/{eid}/diagnoses"),
            json!({"diagnosis_codes": ["f32.1", "nonsense"]}),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["errors"][0]["field"], "diagnosis_codes[1]");
    let r = app
        .json(
            cm,
            "PUT",
            &format!("/api/v1/episodes/{eid}/diagnoses"),
            json!({"diagnosis_codes": ["f32.1"]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["diagnosis_codes"][0], "F32.1");
    pid
}

#[tokio::test]
async fn review_lock_adjust_and_export_a_month() {
    let app = app().await;
    let a = october_patient(&app, "A-1", true).await;
    let b = october_patient(&app, "-B-2", false).await;
    let biller = &app.billing;

    let r = app.get(biller, "/api/v1/billing/months/2026-10").await;
    assert_eq!(r.status, 200, "{}", r.text());
    let review = r.json();
    assert!(!r.text().contains("divorce"), "no narrative for the biller");
    assert_eq!(review["patients"][1]["mrn"], "A-1");
    assert_eq!(review["patients"][1]["lines"][0]["code"], "99493");
    assert_eq!(review["patients"][1]["lines"][1]["code"], "99494");
    assert_eq!(review["patients"][1]["diagnosis_codes"][0], "F32.1");
    assert_eq!(
        review["patients"][0]["holds"][0]["code"],
        "no_initiating_visit"
    );
    assert_eq!(review["revenue"]["fee_schedule_year"], 2025);
    assert_eq!(review["revenue"]["expected_cents"], 13_359 + 5_596);
    let hash = review["review_hash"].as_str().unwrap().to_owned();
    assert_eq!(
        app.get(biller, "/api/v1/billing/months/2026-13")
            .await
            .json()["errors"][0]["field"],
        "month"
    );

    // The page shows the same month with its lock form; the home page links to it.
    let page = app.get(biller, "/billing?month=2026-10").await;
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(
        html.contains("A-1") && html.contains("99493 + 99494"),
        "{html}"
    );
    assert!(html.contains("action=\"/billing/2026-10/lock\""));
    assert!(html.contains(&hash));
    assert!(!html.contains("divorce"));
    assert!(
        app.get(biller, "/")
            .await
            .text()
            .contains("/billing?month=2026-10")
    );

    // Exports exist only for a locked month.
    let r = app
        .get(biller, "/api/v1/billing/months/2026-10/export/csv")
        .await;
    assert_eq!(r.status, 422);
    let r = app
        .json(
            biller,
            "POST",
            "/api/v1/billing/months/2026-10/lock",
            json!({"review_hash": "stale"}),
        )
        .await;
    assert_eq!(r.status, 409);
    let r = app
        .json(
            biller,
            "POST",
            "/api/v1/billing/months/2026-10/lock",
            json!({"review_hash": hash}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());

    let r = app
        .get(biller, "/api/v1/billing/months/2026-10/export/csv")
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("text/csv; charset=utf-8"));
    assert_eq!(
        r.header("content-disposition"),
        Some("attachment; filename=\"stepwise-claims-2026-10.csv\"")
    );
    let csv = r.text();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "month,patient_mrn,billing_practitioner,npi,date_of_service,code,units,diagnosis_codes,source"
    );
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(lines[1].starts_with("2026-10,A-1,"), "{csv}");
    assert!(r.header("x-content-type-options").is_some());
    let r = app
        .get(biller, "/api/v1/billing/months/2026-10/export/xml")
        .await;
    assert_eq!(r.json()["errors"][0]["field"], "format");

    // B's visit turns up: an adjustment bills B; the held original stays on the page.
    let r = app
        .json(
            biller,
            "POST",
            "/api/v1/billing/months/2026-10/adjustments",
            json!({"patient": b, "reason": "", "lines": [{"code": "99493", "units": 1}]}),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["errors"][0]["field"], "reason");
    let form = format!(
        "patient={b}&reason=AWV+found+in+the+paper+chart&lines=99493&diagnosis_codes=F32.1&date_of_service="
    );
    let r = app
        .send(
            app.call("POST", "/billing/2026-10/adjustments")
                .token(biller)
                .form(&form),
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text());
    let r = app
        .get(biller, "/api/v1/billing/months/2026-10/export/json")
        .await;
    assert_eq!(r.status, 200);
    let doc = r.json();
    let rows = doc["lines"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    // The MRN "-B-2" sorts first; in CSV it is escaped so a spreadsheet shows it as text.
    assert_eq!(rows[0]["patient_mrn"], "-B-2");
    assert_eq!(rows[0]["source"], "adjustment");
    let csv = app
        .get(biller, "/api/v1/billing/months/2026-10/export/csv")
        .await
        .text();
    assert!(csv.contains("\r\n2026-10,'-B-2,"), "{csv}");
    let html = app.get(biller, "/billing?month=2026-10").await.text();
    assert!(html.contains("AWV found in the paper chart"));
    assert!(html.contains("no initiating visit"));
    // A bad adjustment from the page: the error is next to its field, nothing is stored.
    let form = format!("patient={a}&reason=x&lines=99494+x+two");
    let r = app
        .send(
            app.call("POST", "/billing/2026-10/adjustments")
                .token(biller)
                .form(&form),
        )
        .await;
    assert_eq!(r.status, 200);
    assert!(r.text().contains("write a code and units"), "{}", r.text());
    let review = app
        .get(biller, "/api/v1/billing/months/2026-10")
        .await
        .json();
    assert_eq!(review["adjustments"].as_array().unwrap().len(), 1);

    // The administrator sees revenue, never the month's patients.
    let admin = &app.admin;
    assert_eq!(
        app.get(admin, "/api/v1/billing/months/2026-10")
            .await
            .status,
        404
    );
    let r = app
        .get(admin, "/api/v1/billing/months/2026-10/revenue")
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["expected_cents"], 2 * 13_359 + 5_596);
    assert!(!r.text().contains("A-1"));
}

#[tokio::test]
async fn the_administrator_edits_fees_and_rules() {
    let app = app().await;
    let admin = &app.admin;
    let r = app.get(admin, "/api/v1/billing/settings").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("etag"), Some("\"0\""));
    let mut settings = r.json()["settings"].clone();
    assert_eq!(settings["fees"]["amounts"]["99492"], 14_524);
    settings["fees"]["year"] = 1999.into();
    let r = app
        .send(
            app.call("PUT", "/api/v1/billing/settings")
                .token(admin)
                .header("if-match", "\"0\"")
                .json(json!({"settings": settings})),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["errors"][0]["field"], "settings.fees.year");
    settings["fees"]["year"] = 2026.into();
    settings["fees"]["amounts"]["99493"] = 14_000.into();
    let r = app
        .send(
            app.call("PUT", "/api/v1/billing/settings")
                .token(admin)
                .header("if-match", "\"0\"")
                .json(json!({"settings": settings})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("etag"), Some("\"1\""));
    // The billing role reads them, but does not change them.
    let r = app.get(&app.billing, "/api/v1/billing/settings").await;
    assert_eq!(r.json()["settings"]["fees"]["amounts"]["99493"], 14_000);
    let r = app
        .send(
            app.call("PUT", "/api/v1/billing/settings")
                .token(&app.billing)
                .header("if-match", "\"1\"")
                .json(json!({"settings": settings})),
        )
        .await;
    assert_eq!(r.status, 404);

    // The settings page: a bad floor and a bad fee are reported next to their fields.
    let page = app.get(admin, "/settings/billing").await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("value=\"140.00\""), "{}", page.text());
    let form = "version=1&setting=physician_office&payers=&g2214_floor_minutes=0&max_99494_units=2\
                &initial_month=first_activity_month&date_of_service=last_day_of_month&floor_99484_minutes=20\
                &g0512_initial_floor_minutes=60&apcm_add_on_floor_minutes=1&fees_year=2026&fees_label=Ours\
                &fee_99492=abc&fee_99493=140.00";
    let r = app
        .send(
            app.call("POST", "/settings/billing")
                .token(admin)
                .form(form),
        )
        .await;
    assert_eq!(r.status, 422);
    let html = r.text();
    assert!(html.contains("id=\"g2214_floor_minutes-error\""), "{html}");
    assert!(html.contains("id=\"fee_99492-error\""), "{html}");
    assert!(html.contains("value=\"abc\""), "what was typed is kept");
    let r = app.get(admin, "/api/v1/billing/settings").await;
    assert_eq!(r.header("etag"), Some("\"1\""), "nothing was saved");
    let r = app
        .send(
            app.call("POST", "/settings/billing").token(admin).form(
                &form
                    .replace("g2214_floor_minutes=0", "g2214_floor_minutes=20")
                    .replace("fee_99492=abc", "fee_99492=150"),
            ),
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text());
    let r = app.get(admin, "/api/v1/billing/settings").await;
    let s = r.json()["settings"].clone();
    assert_eq!(s["rules"]["practice"]["g2214_floor_minutes"], 20);
    assert_eq!(s["fees"]["amounts"]["99492"], 15_000);
    assert_eq!(s["fees"]["label"], "Ours");
    assert!(
        s["fees"]["amounts"]["99494"].is_null(),
        "an empty fee is unpriced"
    );
}

async fn facts(app: &App, pid: &str) -> serde_json::Value {
    app.get(
        &app.billing,
        &format!("/api/v1/patients/{pid}/billing-facts"),
    )
    .await
    .json()
}

/// The billing facts page: the care team records the initiating visit and the diagnoses, the
/// biller the APCM months (and removes one with a reason); refused input keeps what was typed,
/// shows the error beside its field and stores nothing; the administrator sets how a
/// practitioner bills; the month's codes follow.
#[tokio::test]
async fn billing_facts_from_the_browser() {
    let app = app().await;
    let pid = october_patient(&app, "F-1", false).await;
    let (cm, biller) = (&app.care_manager, &app.billing);
    let page = format!("/patients/{pid}/billing-facts");
    // The biller reads the page, without the care team's forms and without narrative.
    let r = app.get(biller, &page).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.text().contains("Record the APCM month"));
    assert!(!r.text().contains("Record the visit"));
    assert!(!r.text().contains("divorce"));
    // Only the biller and the patient's care team.
    for other in [&app.care_manager2, &app.front_desk, &app.ma, &app.admin] {
        assert_eq!(app.get(other, &page).await.status, 404);
    }

    // The initiating visit: refused, then recorded.
    let id = app.practitioner.id;
    let r = post_form(
        &app,
        cm,
        &format!("{page}/visit"),
        &format!("visit_on=2026-13-01&kind=awv&practitioner={id}"),
    )
    .await;
    assert_eq!(r.status, 422);
    assert!(r.text().contains("id=\"visit_on-err\"") && r.text().contains("value=\"2026-13-01\""));
    assert_eq!(facts(&app, &pid).await["initiating_visits"], json!([]));
    let r = post_form(
        &app,
        cm,
        &format!("{page}/visit"),
        &format!("visit_on=2026-06-01&kind=awv&practitioner={id}"),
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.text());
    assert!(
        app.get(cm, &page)
            .await
            .text()
            .contains("Annual wellness visit (AWV)")
    );
    assert_eq!(
        facts(&app, &pid).await["initiating_visits"][0]["kind"],
        "awv"
    );

    // Diagnoses as typed, commas or spaces.
    let eid = facts(&app, &pid).await["episodes"][0]["episode"]
        .as_str()
        .unwrap()
        .to_owned();
    let dx = format!("/episodes/{eid}/billing-facts/diagnoses");
    let r = post_form(&app, cm, &dx, "diagnosis_codes=F33.1%2C+nonsense").await;
    assert_eq!(r.status, 422);
    assert!(
        r.text().contains(&format!("id=\"dx-{eid}-err\"")) && r.text().contains("F33.1, nonsense")
    );
    assert_eq!(
        facts(&app, &pid).await["episodes"][0]["diagnosis_codes"],
        json!(["F32.1"])
    );
    let r = post_form(&app, cm, &dx, "diagnosis_codes=f33.1+F41.1").await;
    assert_eq!(r.status, 303, "{}", r.text());
    assert_eq!(
        facts(&app, &pid).await["episodes"][0]["diagnosis_codes"],
        json!(["F33.1", "F41.1"])
    );
    assert_eq!(
        post_form(&app, biller, &dx, "diagnosis_codes=F32.1")
            .await
            .status,
        404
    );

    // The APCM month: refused, recorded (the add-on replaces 99493/99494), removed.
    let r = post_form(
        &app,
        biller,
        &format!("{page}/apcm"),
        &format!("month=2026-1x&practitioner={id}"),
    )
    .await;
    assert_eq!(r.status, 422);
    assert!(r.text().contains("id=\"month-err\"") && r.text().contains("value=\"2026-1x\""));
    assert_eq!(facts(&app, &pid).await["apcm_months"], json!([]));
    let r = post_form(
        &app,
        biller,
        &format!("{page}/apcm"),
        &format!("month=2026-10&practitioner={id}"),
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.text());
    let review = app
        .get(biller, "/api/v1/billing/months/2026-10")
        .await
        .json();
    let row = &review["patients"][0];
    assert_eq!(row["mrn"], "F-1");
    assert_eq!(row["lines"][0]["code"], "G0569", "{row}");
    let month = facts(&app, &pid).await["apcm_months"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = post_form(
        &app,
        biller,
        &format!("{page}/apcm-remove"),
        &format!("id={month}&reason="),
    )
    .await;
    assert_eq!(r.status, 422);
    assert!(r.text().contains(&format!("id=\"reason-{month}-err\"")));
    assert_eq!(
        facts(&app, &pid).await["apcm_months"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let r = post_form(
        &app,
        biller,
        &format!("{page}/apcm-remove"),
        &format!("id={month}&reason=wrong+patient"),
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.text());
    assert_eq!(facts(&app, &pid).await["apcm_months"], json!([]));
    let review = app
        .get(biller, "/api/v1/billing/months/2026-10")
        .await
        .json();
    assert_eq!(review["patients"][0]["lines"][0]["code"], "99493");

    // How the practitioner bills, from the staff accounts page (a fresh sign-in; an API token
    // is sent to re-authenticate).
    let kind = format!("/admin/users/{id}/billing-kind");
    let by_token = post_form(&app, &app.admin, &kind, "kind=behavioral_health_clinician").await;
    assert!(by_token.header("location").unwrap().starts_with("/reauth"));
    let admin = app.session(&app.admin.email).await;
    let post = |body: &str| app.call("POST", &kind).header("cookie", &admin).form(body);
    let r = app.send(post("kind=wizard")).await;
    assert_eq!(r.status, 422, "{}", r.text());
    assert_eq!(
        facts(&app, &pid).await["billing_kind"],
        "treating_practitioner"
    );
    let r = app.send(post("kind=behavioral_health_clinician")).await;
    assert_eq!(r.status, 303, "{}", r.text());
    assert_eq!(
        facts(&app, &pid).await["billing_kind"],
        "behavioral_health_clinician"
    );
    let users = app
        .send(app.call("GET", "/admin/users").header("cookie", &admin))
        .await
        .text();
    assert!(users.contains(&format!("id=\"kind-{id}\"")));
    // A clinician does not bill CoCM: the month now says why.
    let review = app
        .get(biller, "/api/v1/billing/months/2026-10")
        .await
        .json();
    assert_eq!(
        review["patients"][0]["lines"],
        json!([]),
        "{}",
        review["patients"][0]
    );
}
