//! The plan's team communication (standing meetings with notes, the consultant's assessment),
//! its editable patient texts and handouts, and the editing of training modules and workflow
//! steps in pages. Every staff member reads; only the administrator changes; a refused entry
//! keeps what was typed and stores nothing; a stale version is a conflict.

use crate::harness::{App, app, post_form};
use serde_json::{Value, json};

async fn plan(app: &App) -> Value {
    let r = app.get(&app.front_desk, "/api/v1/plan").await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()
}

async fn version(app: &App) -> i64 {
    plan(app).await["version"].as_i64().unwrap()
}

/// Percent-encoding for a form value.
fn encode(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn standing_meetings_notes_and_the_consultant_are_kept_with_the_plan() {
    let app = app().await;
    // Everyone reads the page; only the administrator is offered the forms.
    let r = app.get(&app.billing, "/plan/meetings").await;
    assert_eq!(r.status, 200);
    assert!(r.text().contains("No standing meeting yet"));
    assert!(!r.text().contains("action=\"/plan/meetings\""));
    let r = app.get(&app.admin, "/plan/meetings").await;
    assert!(
        r.text().contains("action=\"/plan/meetings\""),
        "{}",
        r.text()
    );
    assert!(r.text().contains("<label for=\"role-care_manager\">"));

    // A weekly meeting without its day and nobody attending: refused beside the day and the
    // roles, the name kept, nothing stored.
    let bad = post_form(
        &app,
        &app.admin,
        "/plan/meetings",
        "version=0&meeting=&name=Weekly+case+review&kind=case_review&cadence=weekly&day=&time=12%3A30",
    )
    .await;
    assert_eq!(bad.status, 422, "{}", bad.text());
    let html = bad.text();
    assert!(html.contains("id=\"f-day-err\""), "{html}");
    assert!(html.contains("id=\"roles-err\""), "{html}");
    assert!(html.contains("value=\"Weekly case review\""));
    assert_eq!(version(&app).await, 0);

    let ok = post_form(
        &app,
        &app.admin,
        "/plan/meetings",
        "version=0&meeting=&name=Weekly+case+review&kind=case_review&cadence=weekly&day=wednesday&time=12%3A30&role=care_manager&role=psychiatrist",
    )
    .await;
    assert_eq!(ok.status, 303, "{}", ok.text());
    let ok = post_form(
        &app,
        &app.admin,
        "/plan/meetings",
        "version=1&meeting=&name=Morning+huddle&kind=huddle&cadence=daily&day=&time=08%3A15&role=ma_nurse&role=care_manager&role=treating_practitioner",
    )
    .await;
    assert_eq!(ok.status, 303, "{}", ok.text());

    // Notes: one written for a future meeting is refused; a stale form is a conflict that
    // keeps the text; then it is saved.
    let bad = post_form(
        &app,
        &app.admin,
        "/plan/meetings/note",
        "version=2&note_meeting=0&on=2026-12-30&text=Plan+the+holidays",
    )
    .await;
    assert_eq!(bad.status, 422);
    assert!(bad.text().contains("id=\"f-on-err\""), "{}", bad.text());
    let stale = post_form(
        &app,
        &app.admin,
        "/plan/meetings/note",
        "version=1&note_meeting=0&on=2026-11-25&text=Review+non-responders+first",
    )
    .await;
    assert_eq!(stale.status, 422);
    assert!(stale.text().contains("Someone else changed this record"));
    assert!(
        stale
            .text()
            .contains("Review non-responders first</textarea>")
    );
    let ok = post_form(
        &app,
        &app.admin,
        "/plan/meetings/note",
        "version=2&note_meeting=0&on=2026-11-25&text=Review+non-responders+first",
    )
    .await;
    assert_eq!(ok.status, 303, "{}", ok.text());

    // The consultant's assessment: one recommendation a line.
    let bad = post_form(
        &app,
        &app.admin,
        "/plan/consultant",
        "version=3&assessed_on=2026-10-01&consultant=&summary=&recommendations=",
    )
    .await;
    assert_eq!(bad.status, 422);
    assert!(
        bad.text().contains("id=\"f-consultant-err\"")
            && bad.text().contains("id=\"f-summary-err\"")
    );
    let ok = post_form(
        &app,
        &app.admin,
        "/plan/consultant",
        &format!(
            "version=3&assessed_on=2026-10-01&consultant={}&summary={}&recommendations={}",
            encode("Jo Park, Practice Coaching"),
            encode("Strong buy-in; the registry is not used yet."),
            encode("Start the registry\nHold a weekly huddle\n")
        ),
    )
    .await;
    assert_eq!(ok.status, 303, "{}", ok.text());

    // In the JSON and the printed plan, for every role.
    let doc = plan(&app).await;
    let c = &doc["document"]["plan"]["communication"];
    assert_eq!(c["meetings"][0]["day"], "wednesday");
    assert_eq!(
        c["meetings"][0]["attendees"],
        json!(["care_manager", "psychiatrist"])
    );
    assert_eq!(
        c["meetings"][0]["notes"][0]["text"],
        "Review non-responders first"
    );
    assert_eq!(c["meetings"][1]["day"], Value::Null);
    assert_eq!(
        c["consultant"]["recommendations"][1],
        "Hold a weekly huddle"
    );
    let print = app.get(&app.psychiatrist, "/plan").await.text();
    assert!(
        print.contains("Every week on Wednesday at 12:30")
            && print.contains("Review non-responders first")
            && print.contains("Hold a weekly huddle"),
        "{print}"
    );

    // Changing a meeting keeps its notes; removing one; others may not change them.
    let form = app.get(&app.admin, "/plan/meetings?meeting=0").await.text();
    assert!(
        form.contains("Change a meeting")
            && form
                .contains("id=\"role-psychiatrist\" name=\"role\" value=\"psychiatrist\" checked"),
        "{form}"
    );
    let ok = post_form(
        &app,
        &app.admin,
        "/plan/meetings",
        "version=4&meeting=0&name=Case+review&kind=case_review&cadence=weekly&day=thursday&time=&role=care_manager&role=psychiatrist",
    )
    .await;
    assert_eq!(ok.status, 303, "{}", ok.text());
    let m = plan(&app).await["document"]["plan"]["communication"]["meetings"][0].clone();
    assert_eq!(m["day"], "thursday");
    assert_eq!(m["notes"].as_array().unwrap().len(), 1);
    let r = post_form(
        &app,
        &app.care_manager,
        "/plan/meetings/remove",
        "version=5&meeting=1",
    )
    .await;
    assert_eq!(r.status, 404);
    let ok = post_form(
        &app,
        &app.admin,
        "/plan/meetings/remove",
        "version=5&meeting=1",
    )
    .await;
    assert_eq!(ok.status, 303);
    let gone = post_form(
        &app,
        &app.admin,
        "/plan/meetings/remove",
        "version=6&meeting=1",
    )
    .await;
    assert_eq!(gone.status, 422);
    assert!(gone.text().contains("no longer in the plan"));
    assert_eq!(version(&app).await, 6);

    // The same rules through the API: a meeting without attendees is refused by field.
    let mut p = plan(&app).await["document"]["plan"].clone();
    p["communication"]["meetings"][0]["attendees"] = json!([]);
    let r = app
        .send(
            app.call("PUT", "/api/v1/plan")
                .token(&app.admin)
                .header("if-match", "6")
                .json(p),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(
        r.json()["errors"][0]["field"],
        "communication.meetings[0].attendees"
    );
}

/// The form body of a patient text: every default section, with `change` applied.
fn content_form(
    app_version: i64,
    key: &str,
    doc_item: &Value,
    change: impl Fn(&str, &str) -> String,
) -> String {
    let mut body = format!(
        "version={app_version}&key={key}&title={}",
        encode(doc_item["content"]["title"].as_str().unwrap())
    );
    for s in doc_item["content"]["sections"].as_array().unwrap() {
        let topic = s["topic"].as_str().unwrap();
        body.push_str(&format!(
            "&{topic}.heading={}&{topic}.body={}",
            encode(s["heading"].as_str().unwrap()),
            encode(&change(topic, s["body"].as_str().unwrap()))
        ));
    }
    body
}

async fn content_item(app: &App, key: &str) -> Value {
    let r = app.get(&app.ma, "/api/v1/plan/patient-content").await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["content"]["key"] == key)
        .unwrap()
        .clone()
}

#[tokio::test]
async fn patient_texts_are_edited_checked_printed_and_reset() {
    let app = app().await;
    // Every role sees the four texts and prints a handout; the defaults read at grade 6 to 8.
    let page = app
        .get(&app.front_desk, "/plan/patient-content")
        .await
        .text();
    assert!(
        page.contains("If you are in crisis") && page.contains("Default text"),
        "{page}"
    );
    assert!(!page.contains("/plan/patient-content/edit"));
    let handout = app
        .get(
            &app.front_desk,
            "/plan/patient-content/handout?topic=crisis_resources",
        )
        .await;
    assert_eq!(handout.status, 200);
    assert!(handout.text().contains("988"));
    assert_eq!(
        app.get(
            &app.front_desk,
            "/plan/patient-content/handout?topic=nothing"
        )
        .await
        .status,
        404
    );
    assert_eq!(
        app.get(
            &app.front_desk,
            "/plan/patient-content/edit?topic=crisis_resources"
        )
        .await
        .status,
        404
    );
    let all = app
        .get(&app.billing, "/plan/patient-content/handout")
        .await
        .text();
    assert!(
        all.contains("<h1>Patient handouts</h1>")
            && all.contains("988")
            && all.matches("<article").count() == 4,
        "{all}"
    );
    let r = app.get(&app.admin, "/plan/patient-content/edit").await;
    assert_eq!(r.status, 303);
    let crisis = content_item(&app, "crisis_resources").await;
    assert_eq!(crisis["edited_on"], Value::Null);
    assert!(crisis["warnings"].as_array().unwrap().is_empty());

    // Removing 988 from the crisis resources is refused beside that text, as typed.
    let form = app
        .get(
            &app.admin,
            "/plan/patient-content/edit?topic=crisis_resources",
        )
        .await
        .text();
    assert!(
        form.contains("(required)") && form.contains("<label for=\"f-lifeline_988-body\">"),
        "{form}"
    );
    let bad = content_form(0, "crisis_resources", &crisis, |topic, body| {
        if topic == "lifeline_988" {
            "Call the lifeline any time.".into()
        } else {
            body.into()
        }
    });
    let r = post_form(&app, &app.admin, "/plan/patient-content", &bad).await;
    assert_eq!(r.status, 422, "{}", r.text());
    let html = r.text();
    assert!(
        html.contains("id=\"f-lifeline_988-body-err\"") && html.contains("must still give 988"),
        "{html}"
    );
    assert!(html.contains("Call the lifeline any time.</textarea>"));
    assert_eq!(version(&app).await, 0);

    // Emptying the right to stop is refused too.
    let consent = content_item(&app, "consent_conversation").await;
    let bad = content_form(0, "consent_conversation", &consent, |topic, body| {
        if topic == "right_to_stop" {
            String::new()
        } else {
            body.into()
        }
    });
    let r = post_form(&app, &app.admin, "/plan/patient-content", &bad).await;
    assert_eq!(r.status, 422);
    assert!(r.text().contains("cannot be removed"), "{}", r.text());

    // Hard English is saved, and the text shows the warning afterwards.
    let why = content_item(&app, "why_and_how").await;
    let hard = "Comprehensive interdisciplinary collaboration facilitates individualized psychotherapeutic interventions, pharmacological optimization and longitudinal measurement-based evaluation of symptomatology.";
    let edit = content_form(0, "why_and_how", &why, |_, _| hard.into());
    let ok = post_form(&app, &app.admin, "/plan/patient-content", &edit).await;
    assert_eq!(ok.status, 303, "{}", ok.text());
    assert_eq!(
        ok.header("location"),
        Some("/plan/patient-content/edit?topic=why_and_how")
    );
    let page = app
        .get(&app.admin, "/plan/patient-content/edit?topic=why_and_how")
        .await
        .text();
    assert!(
        page.contains("above 8th grade") && page.contains("Reset to the default text"),
        "{page}"
    );
    let item = content_item(&app, "why_and_how").await;
    assert_eq!(item["edited_on"], "2026-11-27");
    assert_eq!(item["warnings"].as_array().unwrap().len(), 1);
    let handout = app
        .get(
            &app.care_manager,
            "/plan/patient-content/handout?topic=why_and_how",
        )
        .await
        .text();
    assert!(handout.contains("psychotherapeutic interventions"));
    // Stored with the plan: in the document's JSON and a new version.
    let doc = plan(&app).await;
    assert_eq!(doc["version"], 1);
    assert_eq!(
        doc["document"]["plan"]["patient_content"][0]["key"],
        "why_and_how"
    );

    // A stale edit is a conflict, in pages and the API; nothing is stored.
    let stale = post_form(&app, &app.admin, "/plan/patient-content", &edit).await;
    assert_eq!(stale.status, 422);
    assert!(stale.text().contains("Someone else changed this record"));
    let body = json!({
        "key": "crisis_resources",
        "language": "en",
        "title": "Help now",
        "sections": crisis["content"]["sections"].clone(),
    });
    let r = app
        .send(
            app.call("PUT", "/api/v1/plan/patient-content")
                .token(&app.admin)
                .header("if-match", "0")
                .json(body.clone()),
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.text());
    let r = app
        .send(
            app.call("PUT", "/api/v1/plan/patient-content")
                .token(&app.care_manager)
                .header("if-match", "1")
                .json(body.clone()),
        )
        .await;
    assert_eq!(r.status, 404);
    let mut spanish = body.clone();
    spanish["language"] = json!("es");
    let r = app
        .send(
            app.call("PUT", "/api/v1/plan/patient-content")
                .token(&app.admin)
                .header("if-match", "1")
                .json(spanish),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["errors"][0]["field"], "language");
    let r = app
        .send(
            app.call("PUT", "/api/v1/plan/patient-content")
                .token(&app.admin)
                .header("if-match", "1")
                .json(body),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("etag"), Some("\"2\""));
    let items = r.json()["items"].clone();
    assert!(
        items
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["content"]["title"] == "Help now")
    );

    // Reset to the default text, in a page and through the API; a second reset is refused.
    let ok = post_form(
        &app,
        &app.admin,
        "/plan/patient-content/reset",
        "version=2&key=why_and_how",
    )
    .await;
    assert_eq!(ok.status, 303, "{}", ok.text());
    assert_eq!(
        content_item(&app, "why_and_how").await["edited_on"],
        Value::Null
    );
    let again = post_form(
        &app,
        &app.admin,
        "/plan/patient-content/reset",
        "version=3&key=why_and_how",
    )
    .await;
    assert_eq!(again.status, 422);
    assert!(again.text().contains("already uses the default"));
    let r = app
        .send(
            app.call("POST", "/api/v1/plan/patient-content/reset")
                .token(&app.admin)
                .header("if-match", "3")
                .json(json!({"key": "crisis_resources", "language": "en"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        content_item(&app, "crisis_resources").await["edited_on"],
        Value::Null
    );
    assert_eq!(version(&app).await, 4);
}

#[tokio::test]
async fn training_modules_and_workflow_steps_are_edited_in_pages() {
    let app = app().await;
    let ok = post_form(
        &app,
        &app.admin,
        "/plan/model",
        "version=0&model=cocm&specialty=primary_care",
    )
    .await;
    assert_eq!(ok.status, 303);
    let modules = plan(&app).await["document"]["plan"]["training"]["modules"]
        .as_array()
        .unwrap()
        .len();

    // A module: refused without roles and with a link that is not a web link; then added.
    let bad = post_form(
        &app,
        &app.admin,
        "/plan/training/module",
        &format!(
            "version=1&module=&title=Motivational+interviewing&refresher_months=12&materials={}",
            encode("MI video | javascript:alert(1)")
        ),
    )
    .await;
    assert_eq!(bad.status, 422, "{}", bad.text());
    let html = bad.text();
    assert!(
        html.contains("id=\"roles-err\"") && html.contains("id=\"f-materials-err\""),
        "{html}"
    );
    assert!(html.contains("value=\"Motivational interviewing\""));
    let ok = post_form(
        &app,
        &app.admin,
        "/plan/training/module",
        &format!(
            "version=1&module=&title=Motivational+interviewing&refresher_months=12&refresh_on_new_hire=yes&role=care_manager&materials={}",
            encode("MI video | https://example.org/mi\nPractice script")
        ),
    )
    .await;
    assert_eq!(ok.status, 303, "{}", ok.text());
    let t = plan(&app).await["document"]["plan"]["training"].clone();
    let added = &t["modules"][modules];
    assert_eq!(added["code"], "motivational_interviewing");
    assert_eq!(added["materials"][0]["url"], "https://example.org/mi");
    assert_eq!(added["refresher_months"], 12);
    let page = app.get(&app.admin, "/plan/training").await.text();
    assert!(
        page.contains(
            "<a href=\"https://example.org/mi\" rel=\"noopener noreferrer\">MI video</a>"
        ),
        "{page}"
    );

    // Changed: the first module's refresher; a module with a recorded completion stays.
    let first = t["modules"][0].clone();
    let form = app.get(&app.admin, "/plan/training?module=0").await.text();
    assert!(form.contains("Change a module"), "{form}");
    let roles: String = first["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| format!("&role={}", r.as_str().unwrap()))
        .collect();
    let ok = post_form(
        &app,
        &app.admin,
        "/plan/training/module",
        &format!(
            "version=2&module=0&title={}&refresher_months=3{roles}&materials=",
            encode(first["title"].as_str().unwrap())
        ),
    )
    .await;
    assert_eq!(ok.status, 303, "{}", ok.text());
    let t = plan(&app).await["document"]["plan"]["training"].clone();
    assert_eq!(t["modules"][0]["refresher_months"], 3);
    assert_eq!(t["modules"][0]["code"], first["code"]);
    let ok = post_form(
        &app,
        &app.admin,
        "/plan/team",
        "version=3&member=&name=Dana&role=care_manager&fte=1&employment=employed&joined_on=2026-11-01&user=",
    )
    .await;
    assert_eq!(ok.status, 303);
    let dana = plan(&app).await["document"]["plan"]["team"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let ok = post_form(
        &app,
        &app.admin,
        "/plan/training/completion",
        &format!("version=4&completion_member={dana}&completion_module=motivational_interviewing&completed_on=2026-11-20"),
    )
    .await;
    assert_eq!(ok.status, 303, "{}", ok.text());
    let refused = post_form(
        &app,
        &app.admin,
        "/plan/training/module/remove",
        &format!("version=5&module={modules}"),
    )
    .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused.text().contains("cannot be removed"),
        "{}",
        refused.text()
    );
    let ok = post_form(
        &app,
        &app.admin,
        "/plan/training/module/remove",
        "version=5&module=1",
    )
    .await;
    assert_eq!(ok.status, 303, "{}", ok.text());
    assert_eq!(
        plan(&app).await["document"]["plan"]["training"]["modules"]
            .as_array()
            .unwrap()
            .len(),
        modules
    );

    // Workflow steps: added, moved, removed; the crisis protocol refuses to go.
    let ok = post_form(&app, &app.admin, "/plan/workflow/start", "version=6").await;
    assert_eq!(ok.status, 303);
    let bad = post_form(
        &app,
        &app.admin,
        "/plan/workflow/step",
        "version=7&new_name=Same-day+warm+handoff&new_responsible=",
    )
    .await;
    assert_eq!(bad.status, 422);
    assert!(
        bad.text().contains("id=\"f-new_responsible-err\"")
            && bad.text().contains("value=\"Same-day warm handoff\""),
        "{}",
        bad.text()
    );
    let ok = post_form(
        &app,
        &app.admin,
        "/plan/workflow/step",
        "version=7&new_name=Same-day+warm+handoff&new_responsible=care_manager",
    )
    .await;
    assert_eq!(ok.status, 303, "{}", ok.text());
    let w = plan(&app).await["document"]["plan"]["workflow"].clone();
    let n = w["steps"].as_array().unwrap().len();
    assert_eq!(w["steps"][n - 1]["key"], "same_day_warm_handoff");
    assert_eq!(w["version"], 2);
    let ok = post_form(
        &app,
        &app.admin,
        "/plan/workflow/step/move",
        &format!("version=8&move=up.{}", n - 1),
    )
    .await;
    assert_eq!(ok.status, 303, "{}", ok.text());
    let w = plan(&app).await["document"]["plan"]["workflow"].clone();
    assert_eq!(w["steps"][n - 2]["key"], "same_day_warm_handoff");
    let crisis = w["steps"]
        .as_array()
        .unwrap()
        .iter()
        .position(|s| s["key"] == "crisis_protocol")
        .unwrap();
    let refused = post_form(
        &app,
        &app.admin,
        "/plan/workflow/step/remove",
        &format!("version=9&step={crisis}"),
    )
    .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused
            .text()
            .contains("The crisis and suicidality protocol cannot be removed"),
        "{}",
        refused.text()
    );
    let page = app.get(&app.admin, "/plan/workflow").await.text();
    assert!(
        page.contains("form=\"step-remove\" name=\"step\""),
        "{page}"
    );
    let ok = post_form(
        &app,
        &app.admin,
        "/plan/workflow/step/remove",
        &format!("version=9&step={}", n - 2),
    )
    .await;
    assert_eq!(ok.status, 303, "{}", ok.text());
    let w = plan(&app).await["document"]["plan"]["workflow"].clone();
    assert_eq!(w["steps"].as_array().unwrap().len(), n - 1);
    assert_eq!(w["version"], 4);
    let r = post_form(
        &app,
        &app.care_manager,
        "/plan/workflow/step/move",
        "version=10&move=up.1",
    )
    .await;
    assert_eq!(r.status, 404);
    assert_eq!(version(&app).await, 10);
}
