//! The community directory and closed-loop referrals through the API and the pages.

use crate::harness::app;
use serde_json::json;

const FILE: &str = "organization_name,service_name,categories,intake_phone,languages\r\n\
Hope House,Family shelter,housing; food,+1 555 0199,en; es\r\n\
=HYPERLINK(\"x\"),Bad,food,,\r\n";

#[tokio::test]
async fn directory_through_the_api_and_pages() {
    let app = app().await;
    let desk = &app.front_desk;
    // 988 is there from the start, first in the call list.
    let calls = app.get(&app.billing, "/api/v1/resources/call-list").await;
    assert_eq!(calls.status, 200);
    assert_eq!(calls.json()["groups"][0]["category"], "crisis");
    assert_eq!(calls.json()["groups"][0]["rows"][0]["intake_phone"], "988");

    // A malformed file: every problem by line, nothing stored.
    let bad =
        "organization_name,service_name,categories\r\nA,B,food\r\nC,D,groceries\r\n,E,food\r\n";
    let reply = app
        .send(
            app.call("POST", "/api/v1/resources/import")
                .token(desk)
                .header("content-type", "text/csv")
                .body(bad.into()),
        )
        .await;
    assert_eq!(reply.status, 422);
    let fields: Vec<String> = reply.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(fields, ["line 3: categories", "line 4: organization_name"]);
    assert_eq!(
        app.get(desk, "/api/v1/resources")
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        4
    );
    // Billing may read the directory but not change it.
    let refused = app
        .send(
            app.call("POST", "/api/v1/resources/import")
                .token(&app.billing)
                .header("content-type", "text/csv")
                .body(FILE.into()),
        )
        .await;
    assert_eq!(refused.status, 404);
    let ok = app
        .send(
            app.call("POST", "/api/v1/resources/import")
                .token(desk)
                .header("content-type", "text/csv")
                .body(FILE.into()),
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text());
    assert_eq!(ok.json(), json!({"added": 2, "updated": 0}));
    // Export escapes formula-like cells.
    let csv = app.get(desk, "/api/v1/resources/export.csv").await;
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    assert!(csv.text().contains("'=HYPERLINK"), "{}", csv.text());
    assert!(csv.text().contains("'+1 555 0199"));

    // Search: words and language.
    let found = app
        .json(
            desk,
            "POST",
            "/api/v1/resources/search",
            json!({"text": "shelter", "language": "es"}),
        )
        .await;
    assert_eq!(found.json().as_array().unwrap().len(), 1);
    assert_eq!(found.json()[0]["organization_name"], "Hope House");

    // Pages: the directory with its filter, the printable call list, the edit form's errors.
    let page = app.get(desk, "/directory?category=housing").await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("Hope House"));
    assert!(!page.text().contains("988 Suicide"), "filtered by category");
    let print = app.get(&app.billing, "/directory/call-list").await;
    assert!(print.text().contains("Housing and shelter"));
    assert!(!print.text().contains("<script"));
    let form = app
        .send(app.call("POST", "/directory/new").token(desk).form(
            "version=0&organization_name=&service_name=Pantry&categories=groceries&minimum_age=ten",
        ))
        .await;
    assert_eq!(form.status, 422);
    let html = form.text();
    for field in ["organization_name", "categories", "minimum_age"] {
        let at = html.find(&format!("id=\"f-{field}\"")).unwrap();
        let next = html[at..].find("field-error").unwrap();
        assert!(next < 800, "{field}: error next to the field");
    }
    assert_eq!(
        app.get(desk, "/api/v1/resources")
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        6
    );
    let saved = app
        .send(app.call("POST", "/directory/new").token(desk).form(
            "version=0&organization_name=Ride+Co&service_name=Rides&categories=transportation",
        ))
        .await;
    assert_eq!(saved.status, 303);
    assert_eq!(
        app.get(desk, "/api/v1/resources")
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        7
    );
}

#[tokio::test]
async fn a_referral_loop_through_the_api_and_pages() {
    let app = app().await;
    let cm = &app.care_manager;
    let desk = &app.front_desk;
    let patient = app
        .json(
            desk,
            "POST",
            "/api/v1/patients",
            json!({"mrn": "RF-1", "given_name": "Ana", "family_name": "Lee", "birth_date": "1980-02-03",
                   "sex": "female", "treating_practitioner": app.practitioner.id, "care_manager": cm.id}),
        )
        .await;
    assert_eq!(patient.status, 201, "{}", patient.text());
    let pid = patient.json()["id"].as_str().unwrap().to_owned();
    let body = json!({"target": {"kind": "partner", "resource": "01990000-0000-7000-8000-000180066243"},
                      "sensitivity": "sud_part2", "reason": "Opioid use treatment"});
    // Front desk chases referrals but does not write them; the care manager does.
    let path = format!("/api/v1/patients/{pid}/referrals");
    assert_eq!(
        app.json(desk, "POST", &path, body.clone()).await.status,
        404
    );
    let made = app.json(cm, "POST", &path, body).await;
    assert_eq!(made.status, 201, "{}", made.text());
    let rid = made.json()["id"].as_str().unwrap().to_owned();
    let update = |version: &str, action: serde_json::Value| {
        app.call("POST", &format!("/api/v1/referrals/{rid}/updates"))
            .token(desk)
            .header("if-match", version)
            .json(action)
    };
    // Sensitive: not sent before the consent is documented.
    let refused = app.send(update("\"1\"", json!({"action": "send"}))).await;
    assert_eq!(refused.status, 422);
    assert!(refused.text().contains("42 CFR Part 2"));
    let consent = app
        .send(
            app.call("POST", &format!("/api/v1/referrals/{rid}/consent"))
                .token(desk)
                .header("if-match", "\"1\"")
                .json(json!({"consented_on": "2026-11-27"})),
        )
        .await;
    assert_eq!(consent.status, 200, "{}", consent.text());
    let sent = app.send(update("\"2\"", json!({"action": "send"}))).await;
    assert_eq!(sent.status, 200);
    assert_eq!(sent.header("etag"), Some("\"3\""));
    // A skipped step names the step to do first.
    let skip = app
        .send(update("\"3\"", json!({"action": "close", "feedback": "x"})))
        .await;
    assert_eq!(skip.status, 422);
    assert!(skip.text().contains("first"));
    // Billing never sees it; the other care manager neither.
    assert_eq!(
        app.get(&app.billing, &format!("/api/v1/referrals/{rid}"))
            .await
            .status,
        404
    );
    assert_eq!(
        app.get(&app.care_manager2, &format!("/api/v1/referrals/{rid}"))
            .await
            .status,
        404
    );
    let list = app.get(desk, "/api/v1/referrals").await.json();
    assert_eq!(list[0]["referral"]["state"], "sent");
    // Pages: worklist, the referral with its history, the letter, the chart; an update form.
    assert!(
        app.get(desk, "/referrals")
            .await
            .text()
            .contains("Lee, Ana")
    );
    let page = app.get(desk, &format!("/referrals/{rid}")).await.text();
    assert!(page.contains("Draft → Sent"), "{page}");
    let letter = app
        .get(cm, &format!("/referrals/{rid}/letter"))
        .await
        .text();
    assert!(letter.contains("42 CFR Part 2") && letter.contains("Opioid use treatment"));
    assert!(
        app.get(cm, &format!("/patients/{pid}"))
            .await
            .text()
            .contains("Refer this patient")
    );
    let accepted = app
        .send(
            app.call("POST", &format!("/referrals/{rid}/update"))
                .token(desk)
                .form("version=3&action=accept"),
        )
        .await;
    assert_eq!(accepted.status, 303);
    let bad_date = app
        .send(
            app.call("POST", &format!("/referrals/{rid}/update"))
                .token(desk)
                .form("version=4&action=schedule&appointment_on=soon"),
        )
        .await;
    assert_eq!(bad_date.status, 422);
    assert!(bad_date.text().contains("Not recorded"));
    let r = app
        .get(desk, &format!("/api/v1/referrals/{rid}"))
        .await
        .json();
    assert_eq!(r["state"], "accepted");
    assert_eq!(r["events"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn metrics_with_definitions_and_a_baseline() {
    let app = app().await;
    let admin = &app.admin;
    let reply = app
        .get(admin, "/api/v1/metrics?from=2026-01-01&to=2026-11-27")
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let body = reply.json();
    let overall = body["overall"].as_array().unwrap();
    assert_eq!(overall.len(), stepwise_domain::metrics::CATALOGUE.len());
    assert_eq!(overall.len(), 17, "the whole catalogue");
    for m in overall {
        assert!(!m["definition"].as_str().unwrap().is_empty());
        assert!(m["numerator"].is_u64() && m["denominator"].is_u64());
    }
    assert_eq!(overall[0]["code"], "depression_screening");
    // Bad input names the field; front desk and billing do not see metrics.
    let bad = app.get(admin, "/api/v1/metrics?from=2026-01-01").await;
    assert_eq!(bad.status, 422);
    assert_eq!(bad.json()["errors"][0]["field"], "to");
    let reversed = app
        .get(admin, "/api/v1/metrics?from=2026-02-01&to=2026-01-01")
        .await;
    assert_eq!(reversed.status, 422);
    assert_eq!(
        app.get(
            &app.front_desk,
            "/api/v1/metrics?from=2026-01-01&to=2026-02-01"
        )
        .await
        .status,
        404
    );
    assert_eq!(app.get(&app.billing, "/metrics").await.status, 404);

    // A baseline from the registry; a hand-entered one with a numerator above its denominator
    // is refused and nothing is stored.
    let hand = app
        .json(
            admin,
            "POST",
            "/api/v1/baselines/manual",
            json!({"taken_on": "2026-11-01", "period_from": "2026-01-01", "period_to": "2026-06-30",
                   "values": [{"code": "depression_screening", "numerator": 50, "denominator": 40}]}),
        )
        .await;
    assert_eq!(hand.status, 422, "{}", hand.text());
    assert_eq!(app.get(admin, "/api/v1/baselines").await.json(), json!([]));
    let taken = app
        .json(
            admin,
            "POST",
            "/api/v1/baselines/registry",
            json!({"from": "2026-01-01", "to": "2026-06-30", "metrics": ["depression_screening", "remission"]}),
        )
        .await;
    assert_eq!(taken.status, 201, "{}", taken.text());
    assert_eq!(
        app.get(admin, "/api/v1/baselines")
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let page = app
        .get(&app.care_manager, "/metrics?from=2026-07-01&to=2026-11-27")
        .await;
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(html.contains("Against the baseline of"));
    assert!(html.contains("Depression screening"));
    assert!(html.contains("not available"));
}
