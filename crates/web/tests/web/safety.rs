//! Safety alerts and tasks through the API and the pages: raised with the response, seen by
//! the patient's care team, closed only with a documented action, with refusals that look
//! like missing records.

use crate::harness::{App, User, app};
use serde_json::{Value, json};
use stepwise_domain::audit::AuditAction;

pub async fn patient(app: &App, mrn: &str, sex: &str, cm: Option<&User>) -> String {
    let mut body = json!({
        "mrn": mrn, "given_name": "Ada", "family_name": format!("Safety{mrn}"), "birth_date": "1975-04-02",
        "sex": sex, "treating_practitioner": app.practitioner.id
    });
    if let Some(cm) = cm {
        body["care_manager"] = json!(cm.id);
    }
    let r = app
        .json(&app.front_desk, "POST", "/api/v1/patients", body)
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    r.json()["id"].as_str().unwrap().to_owned()
}

pub async fn record(app: &App, by: &User, pid: &str, body: Value) -> crate::harness::Reply {
    app.json(
        by,
        "POST",
        &format!("/api/v1/patients/{pid}/assessments"),
        body,
    )
    .await
}

fn phq9(on: &str, answers: Value) -> Value {
    json!({"instrument": "phq9", "administered_on": on, "mode": "clinic", "answers": answers})
}

async fn close(
    app: &App,
    by: &User,
    alert: &str,
    version: Option<&str>,
    body: Value,
) -> crate::harness::Reply {
    let mut call = app
        .call("POST", &format!("/api/v1/alerts/{alert}/closure"))
        .token(by)
        .json(body);
    if let Some(v) = version {
        call = call.header("if-match", v);
    }
    app.send(call).await
}

#[tokio::test]
async fn an_alert_from_the_response_to_its_closure() {
    let app = app().await;
    let pid = patient(&app, "S-1", "female", Some(&app.care_manager)).await;
    // The MA screens at rooming: item 9 "several days".
    let r = record(
        &app,
        &app.ma,
        &pid,
        phq9("2026-11-27", json!([1, 1, 1, 0, 1, 0, 1, 0, 1])),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let alert = r.json()["safety_alert"].as_str().unwrap().to_owned();

    // The care team sees it; another clinician, the MA and the consultant do not.
    let cm = &app.care_manager;
    let list = app.get(cm, "/api/v1/alerts").await;
    assert_eq!(list.status, 200, "{}", list.text());
    let list = list.json();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["alert"]["id"], alert.as_str());
    assert_eq!(list[0]["alert"]["kind"], "positive");
    assert_eq!(list[0]["alert"]["items"], json!([9]));
    assert_eq!(list[0]["alert"]["items_label"], "PHQ-9 item 9");
    assert_eq!(list[0]["patient"]["mrn"], "S-1");
    assert_eq!(
        app.get(&app.practitioner, "/api/v1/alerts").await.json()[0]["alert"]["id"],
        alert.as_str()
    );
    assert_eq!(
        app.get(&app.care_manager2, "/api/v1/alerts").await.json(),
        json!([])
    );
    for who in [&app.ma, &app.psychiatrist, &app.billing, &app.admin] {
        assert_eq!(
            app.get(who, "/api/v1/alerts").await.status,
            404,
            "{}",
            who.email
        );
    }
    let on_chart = app.get(cm, &format!("/api/v1/patients/{pid}/alerts")).await;
    assert_eq!(on_chart.json()[0]["status"], "open");
    assert_eq!(on_chart.json()[0]["version"], 1);
    assert_eq!(
        app.get(
            &app.care_manager2,
            &format!("/api/v1/patients/{pid}/alerts")
        )
        .await
        .status,
        404
    );

    // The care manager's same-day task.
    let tasks = app.get(cm, "/api/v1/tasks").await.json();
    assert_eq!(tasks.as_array().unwrap().len(), 1);
    assert_eq!(tasks[0]["task"]["kind"], "safety_assessment");
    assert_eq!(tasks[0]["task"]["due_on"], "2026-11-27");
    assert_eq!(tasks[0]["task"]["source_kind"], "safety_alert");
    assert_eq!(tasks[0]["task"]["source_id"], alert.as_str());
    assert_eq!(app.get(&app.ma, "/api/v1/tasks").await.json(), json!([]));
    // Front desk has its own tasks (referral follow-ups), never a clinician's.
    assert_eq!(
        app.get(&app.front_desk, "/api/v1/tasks").await.json(),
        json!([])
    );
    assert_eq!(app.get(&app.billing, "/api/v1/tasks").await.status, 404);

    // Only the care team closes it, never without If-Match, never without a valid action.
    let plan = json!({"action": "safety_plan_made"});
    for who in [
        &app.care_manager2,
        &app.ma,
        &app.psychiatrist,
        &app.practitioner2,
    ] {
        let r = close(&app, who, &alert, Some("\"1\""), plan.clone()).await;
        assert_eq!(r.status, 404, "{}", who.email);
    }
    assert_eq!(
        close(&app, cm, &alert, None, plan.clone()).await.status,
        428
    );
    assert_eq!(
        close(&app, cm, &alert, Some("\"5\""), plan.clone())
            .await
            .status,
        409
    );
    let r = close(
        &app,
        cm,
        &alert,
        Some("\"1\""),
        json!({"action": "dismissed"}),
    )
    .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["errors"][0]["field"], "action");
    assert!(
        r.json()["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("crisis_referral_988")
    );
    let r = close(&app, cm, &alert, Some("\"1\""), json!({"action": "other"})).await;
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["errors"][0]["field"], "note");
    assert_eq!(
        app.get(cm, "/api/v1/alerts")
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let r = close(
        &app,
        cm,
        &alert,
        Some("\"1\""),
        json!({"action": "crisis_referral_988", "note": "Called 988 together"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("etag"), Some("\"2\""));
    assert_eq!(r.json()["status"], "closed");
    assert_eq!(r.json()["closure_action"], "crisis_referral_988");
    assert_eq!(r.json()["closed_by"], json!(cm.id));
    assert_eq!(app.get(cm, "/api/v1/alerts").await.json(), json!([]));
    assert_eq!(app.get(cm, "/api/v1/tasks").await.json(), json!([]));

    let events = app
        .store
        .audit_events(app.practice, 0, 10_000)
        .await
        .unwrap();
    for action in [
        AuditAction::SafetyAlertRaise,
        AuditAction::TaskCreate,
        AuditAction::SafetyAlertClose,
        AuditAction::TaskComplete,
        AuditAction::SafetyAlertRead,
        AuditAction::TaskRead,
    ] {
        assert!(events.iter().any(|e| e.event.action == action), "{action}");
    }
    assert!(
        events
            .iter()
            .any(|e| e.event.action == AuditAction::AccessDenied
                && e.event.user == Some(app.care_manager2.id))
    );
}

#[tokio::test]
async fn open_alerts_show_on_the_home_page_and_the_chart() {
    let app = app().await;
    let pid = patient(&app, "S-2", "female", Some(&app.care_manager)).await;
    let blank9 = json!([0, 0, 0, 0, 0, 0, 0, 0, null]);
    let r = record(&app, &app.ma, &pid, phq9("2026-11-27", blank9)).await;
    assert_eq!(r.status, 201, "{}", r.text());
    let home = app.get(&app.care_manager, "/").await.text();
    assert!(home.contains("Open safety alerts (1)"), "{home}");
    assert!(home.contains("Safety item not answered"));
    assert!(home.contains(&format!("/patients/{pid}")));
    let caseload = app.get(&app.care_manager, "/caseload").await.text();
    assert!(caseload.contains("Open safety alerts (1)"));
    let dr_home = app.get(&app.practitioner, "/").await.text();
    assert!(dr_home.contains("Open safety alerts (1)"), "{dr_home}");
    assert!(dr_home.contains("PHQ-9 item 9"));
    let chart = app
        .get(&app.care_manager, &format!("/patients/{pid}"))
        .await
        .text();
    assert!(chart.contains("Open safety alerts (1)"));
    // Not for someone outside the care team, nor once closed.
    let other = app.get(&app.care_manager2, "/").await.text();
    assert!(!other.contains("Open safety alerts"));
    let desk_chart = app
        .get(&app.front_desk, &format!("/patients/{pid}"))
        .await
        .text();
    assert!(!desk_chart.contains("Open safety alerts"));
    let alert = r.json()["safety_alert"].as_str().unwrap().to_owned();
    let r = close(
        &app,
        &app.practitioner,
        &alert,
        Some("1"),
        json!({"action": "item_asked"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let home = app.get(&app.care_manager, "/").await.text();
    assert!(!home.contains("Open safety alerts"));
}

/// A patient without a care team: the MA who recorded the positive answer has the task on
/// their home page until a clinician is assigned and closes the alert.
#[tokio::test]
async fn without_a_care_team_the_recorder_sees_the_task() {
    let app = app().await;
    let r = app
        .json(&app.front_desk, "POST", "/api/v1/patients", json!({"mrn": "S-9", "given_name": "No", "family_name": "Team", "birth_date": "1980-01-01", "sex": "male"}))
        .await;
    let pid = r.json()["id"].as_str().unwrap().to_owned();
    let r = record(
        &app,
        &app.ma,
        &pid,
        phq9("2026-11-27", json!([0, 0, 0, 0, 0, 0, 0, 0, 3])),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let home = app.get(&app.ma, "/").await.text();
    assert!(home.contains("Your open tasks (1)"), "{home}");
    assert!(home.contains("Safety alert: PHQ-9 item 9 positive"));
    assert!(
        !app.get(&app.front_desk, "/")
            .await
            .text()
            .contains("Your open tasks")
    );
    let tasks = app.get(&app.ma, "/api/v1/tasks").await.json();
    assert_eq!(tasks[0]["patient"]["mrn"], "S-9");
}

#[tokio::test]
async fn recording_by_loinc_codes_with_the_patients_sex() {
    let app = app().await;
    let pid = patient(&app, "S-3", "male", Some(&app.care_manager)).await;
    let items = [
        "44250-9", "44255-8", "44259-0", "44254-1", "44251-7", "44258-2", "44252-5", "44253-3",
        "44260-8",
    ];
    let coded: Vec<Value> = items
        .iter()
        .map(|i| json!({"item": i, "answer": "LA6568-5"}))
        .collect();
    let body = json!({"instrument": "phq9", "administered_on": "2026-11-20", "mode": "phone", "loinc_answers": coded});
    let r = record(&app, &app.care_manager, &pid, body).await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.json()["score"]["total"], 0);
    assert_eq!(r.json()["score"]["safety"], "clear");
    assert_eq!(r.json()["safety_alert"], Value::Null);
    assert_eq!(
        r.json()["answers"],
        json!([0, 0, 0, 0, 0, 0, 0, 0, 0, null])
    );

    // Bad input names the item and its allowed values; nothing is stored.
    let cases = [
        (
            json!({"instrument": "phq9", "administered_on": "2026-11-20", "mode": "phone",
                   "loinc_answers": [{"item": "44260-8", "answer": "LA0000-0"}]}),
            "loinc_answers[0]",
            "LA6569-3",
        ),
        (
            json!({"instrument": "phq9", "administered_on": "2026-11-20", "mode": "phone",
                   "loinc_answers": [{"item": "99999-9", "answer": "LA6568-5"}]}),
            "loinc_answers[0]",
            "44260-8",
        ),
        (phq9("2026-11-20", json!([0, 0, 0])), "answers", "9"),
        (
            phq9("2026-11-20", json!([0, 0, 0, 0, 0, 0, 0, 0, 4])),
            "answers[8]",
            "0 to 3",
        ),
        (
            json!({"instrument": "phq-99", "administered_on": "2026-11-20", "mode": "phone", "answers": []}),
            "instrument",
            "phq9",
        ),
        (
            json!({"instrument": "phq9", "administered_on": "2026-11-20", "mode": "phone",
                   "answers": [0, 0, 0, 0, 0, 0, 0, 0, 0], "loinc_answers": []}),
            "loinc_answers",
            "not both",
        ),
    ];
    for (body, field, allowed) in cases {
        let r = record(&app, &app.care_manager, &pid, body).await;
        assert_eq!(r.status, 422, "{field}: {}", r.text());
        let e = &r.json()["errors"][0];
        assert_eq!(e["field"], field);
        assert!(e["message"].as_str().unwrap().contains(allowed), "{e}");
    }
    let stored = app
        .get(
            &app.care_manager,
            &format!("/api/v1/patients/{pid}/assessments"),
        )
        .await
        .json();
    assert_eq!(stored.as_array().unwrap().len(), 1);
    assert_eq!(
        app.get(&app.care_manager, "/api/v1/tasks").await.json(),
        json!([])
    );

    // AUDIT-C 3: negative for this man (cut-off 4), positive for a woman (cut-off 3).
    let auditc = json!({"instrument": "auditc", "administered_on": "2026-11-20", "mode": "clinic", "answers": [1, 1, 1]});
    let r = record(&app, &app.ma, &pid, auditc.clone()).await;
    assert_eq!(r.json()["score"]["positive"], false, "{}", r.text());
    let woman = patient(&app, "S-4", "female", Some(&app.care_manager)).await;
    let r = record(&app, &app.ma, &woman, auditc).await;
    assert_eq!(r.json()["score"]["positive"], true, "{}", r.text());
}

/// The practice's scoring settings apply: alerting on C-SSRS Low is a setting, checked.
#[tokio::test]
async fn the_practice_cssrs_alert_level_applies() {
    let app = app().await;
    let pid = patient(&app, "S-5", "female", Some(&app.care_manager)).await;
    // Question 1 Yes only: Low, below the default alert level.
    let low = json!({"instrument": "cssrs", "administered_on": "2026-11-20", "mode": "clinic", "answers": [1, 0, null, null, null, 0]});
    let r = record(&app, &app.care_manager, &pid, low.clone()).await;
    assert_eq!(r.json()["score"]["safety"], "clear", "{}", r.text());
    let mut settings = app.get(&app.admin, "/api/v1/practice").await.json()["settings"].clone();
    settings["scoring"]["cssrs_alert_at"] = json!("none");
    let r = app
        .json(
            &app.admin,
            "PUT",
            "/api/v1/practice/settings",
            settings.clone(),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["errors"][0]["field"], "scoring.cssrs_alert_at");
    settings["scoring"]["cssrs_alert_at"] = json!("low");
    let r = app
        .json(&app.admin, "PUT", "/api/v1/practice/settings", settings)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = record(&app, &app.care_manager, &pid, low).await;
    assert_eq!(r.json()["score"]["safety"], "alert", "{}", r.text());
    assert!(r.json()["safety_alert"].is_string());
}

#[tokio::test]
async fn the_trajectory_for_charts() {
    let app = app().await;
    let cm = &app.care_manager;
    let pid = patient(&app, "S-6", "female", Some(cm)).await;
    let r = app
        .json(
            cm,
            "POST",
            &format!("/api/v1/patients/{pid}/episodes"),
            json!({"program": "cocm", "referred_on": "2026-08-20"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let eid = r.json()["id"].as_str().unwrap().to_owned();
    for (on, answers) in [
        ("2026-09-01", json!([2, 2, 2, 2, 2, 2, 2, 2, 2])),
        // One item missing: a prorated estimate, never official.
        ("2026-10-01", json!([0, 0, 0, 0, 0, 0, 0, null, 0])),
        ("2026-11-01", json!([1, 1, 1, 1, 1, 1, 1, 2, 0])),
    ] {
        let r = record(&app, cm, &pid, phq9(on, answers)).await;
        assert_eq!(r.status, 201, "{}", r.text());
    }
    let r = app
        .get(
            cm,
            &format!("/api/v1/patients/{pid}/trajectory?instrument=phq9"),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let t = r.json();
    assert_eq!(t["episode"], eid.as_str());
    assert_eq!(t["instrument"], "phq9");
    let points = t["points"].as_array().unwrap();
    assert_eq!(points.len(), 3);
    assert_eq!(
        (points[0]["on"].clone(), points[0]["total"].clone()),
        (json!("2026-09-01"), json!(18))
    );
    assert_eq!(points[0]["band"], "Moderately severe");
    assert_eq!(points[0]["safety"], "alert");
    assert_eq!(points[1]["total"], Value::Null);
    assert_eq!(points[1]["estimate"], 0);
    assert_eq!(points[1]["complete"], false);
    assert_eq!(points[2]["total"], 9);
    assert_eq!(t["baseline"], json!({"on": "2026-09-01", "total": 18}));
    assert_eq!(t["response_line"], 9.0);
    assert_eq!(t["remission_below"], 5);
    assert_eq!(t["outcome"]["response"], true);
    assert_eq!(t["outcome"]["remission"], false);
    assert_eq!(t["outcome"]["latest"]["total"], 9);
    assert_eq!(t["outcome"]["official_count"], 2);

    for q in ["", "?instrument=phq-99"] {
        let r = app
            .get(cm, &format!("/api/v1/patients/{pid}/trajectory{q}"))
            .await;
        assert_eq!(r.status, 422, "{q}");
        assert_eq!(r.json()["errors"][0]["field"], "instrument");
    }
    let r = app
        .get(
            cm,
            &format!("/api/v1/patients/{pid}/trajectory?instrument=gad7"),
        )
        .await;
    assert_eq!(r.json()["points"], json!([]));
    assert_eq!(r.json()["baseline"], Value::Null);
    let r = app
        .get(
            &app.care_manager2,
            &format!("/api/v1/patients/{pid}/trajectory?instrument=phq9"),
        )
        .await;
    assert_eq!(r.status, 404);
}
