//! The instrument catalogue and a practice's licensed wording.

use crate::harness::app;
use serde_json::json;
use stepwise_domain::audit::AuditAction;

fn epds_file(text: &str) -> String {
    let items: Vec<String> = (1..=10)
        .map(|n| {
            format!(r#"{{"number": {n}, "text": "{text} {n}", "options": ["w", "x", "y", "z"]}}"#)
        })
        .collect();
    format!(
        r#"{{"instrument": "epds", "licence_holder": "Royal College of Psychiatrists", "permission": "Letter ref. 1234", "items": [{}]}}"#,
        items.join(",\n")
    )
}

#[tokio::test]
async fn the_catalogue_uses_the_practices_licensed_wording() {
    let app = app().await;
    let all = app.get(&app.ma, "/api/v1/instruments").await;
    assert_eq!(all.status, 200, "{}", all.text());
    let all = all.json();
    assert_eq!(all.as_array().unwrap().len(), 13);
    let epds = |v: &serde_json::Value| {
        v.as_array()
            .unwrap()
            .iter()
            .find(|i| i["code"] == "epds")
            .unwrap()
            .clone()
    };
    let plain = epds(&all);
    assert_eq!(plain["text_source"], "labels_only");
    assert_eq!(plain["items"][9]["text"], "EPDS item 10 (self-harm)");
    assert_eq!(plain["items"][9]["safety_item"], true);
    assert_eq!(all[0]["code"], "phq9");
    assert_eq!(all[0]["text_source"], "included");
    assert_eq!(
        all[0]["items"][8]["options"][1]["loinc"][0]["code"],
        "LA6569-3"
    );

    let put = |who, body: String| {
        let call = app
            .call("PUT", "/api/v1/instruments/epds/wording")
            .token(who)
            .header("content-type", "application/json");
        app.send(call.body(body))
    };
    // Only the practice administrator loads wording.
    assert_eq!(put(&app.care_manager, epds_file("Text")).await.status, 404);
    // A syntax error names the line; a wrong file names the field; nothing is stored.
    let broken = epds_file("Text").replace("\"number\": 3,", "\"number\": 3");
    let r = put(&app.admin, broken).await;
    assert_eq!(r.status, 422);
    assert!(
        r.json()["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("line 3"),
        "{}",
        r.text()
    );
    let short = epds_file("Text").replace(r#""w", "x", "y", "z"]}"#, r#""w"]}"#);
    let r = put(&app.admin, short).await;
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["errors"][0]["field"], "items[0].options");
    let r = app
        .send(
            app.call("PUT", "/api/v1/instruments/cssrs/wording")
                .token(&app.admin)
                .header("content-type", "application/json")
                .body(epds_file("Text")),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["errors"][0]["field"], "instrument");
    let r = app
        .send(
            app.call("PUT", "/api/v1/instruments/phq-99/wording")
                .token(&app.admin)
                .header("content-type", "application/json")
                .body(epds_file("Text")),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["errors"][0]["field"], "code");
    assert_eq!(
        epds(&app.get(&app.ma, "/api/v1/instruments").await.json())["text_source"],
        "labels_only"
    );

    let r = put(&app.admin, epds_file("Licensed")).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["version"], 1);
    assert_eq!(r.json()["permission"], "Letter ref. 1234");
    let licensed = epds(&app.get(&app.ma, "/api/v1/instruments").await.json());
    assert_eq!(licensed["text_source"], "licensed");
    assert_eq!(licensed["licence_holder"], "Royal College of Psychiatrists");
    assert_eq!(licensed["items"][9]["text"], "Licensed 10");
    assert_eq!(
        licensed["items"][9]["options"][0],
        json!({"position": 0, "label": "w", "points": 3, "loinc": []})
    );
    // Another practice still sees the neutral labels.
    let other = epds(
        &app.get(&app.other_practice_cm, "/api/v1/instruments")
            .await
            .json(),
    );
    assert_eq!(other["text_source"], "labels_only");
    let events = app
        .store
        .audit_events(app.practice, 0, 10_000)
        .await
        .unwrap();
    assert_eq!(
        events
            .iter()
            .filter(|e| e.event.action == AuditAction::InstrumentWordingLoad)
            .count(),
        1
    );
}
