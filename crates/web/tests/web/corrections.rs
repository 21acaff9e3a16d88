//! The chart's corrections as pages: a patient's details and care team, a consent's
//! revocation, the manual flags, and contacts and assessments entered in error. Each keeps
//! what was typed when refused, refuses a stale form, and is refused to a role without it.

use crate::harness::{App, User, app, post_form};
use serde_json::{Value, json};

async fn patient(app: &App) -> String {
    let r = app
        .json(
            &app.front_desk,
            "POST",
            "/api/v1/patients",
            json!({"mrn": "C-1", "given_name": "Cora", "family_name": "Cole", "birth_date": "1970-06-01",
                   "sex": "female", "care_manager": app.care_manager.id, "treating_practitioner": app.practitioner.id}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    r.json()["id"].as_str().unwrap().to_owned()
}

/// A patient in Collaborative Care with a consent: (patient, episode).
async fn enrolled(app: &App) -> (String, String) {
    let pid = patient(app).await;
    let cm = &app.care_manager;
    let r = app
        .json(
            cm,
            "POST",
            &format!("/api/v1/patients/{pid}/episodes"),
            json!({"program": "cocm", "referred_on": "2026-11-02", "referring_practitioner": app.practitioner.id}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let eid = r.json()["id"].as_str().unwrap().to_owned();
    let r = app
        .json(
            cm,
            "POST",
            &format!("/api/v1/episodes/{eid}/consents"),
            json!({"consented_on": "2026-11-03", "method": "verbal", "cost_sharing_explained": true, "consult_permission": true}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    (pid, eid)
}

async fn read(app: &App, user: &User, path: &str) -> Value {
    let r = app.get(user, path).await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()
}

const DETAILS: &str = "mrn=C-1&given_name=Cora&family_name=Cole&sex=female&phone=555-0100&email=&address=&preferred_language=es&payer_kind=medicare&payer_name=Medicare+Part+B";

#[tokio::test]
async fn a_patients_details_and_care_team_are_corrected_from_the_chart() {
    let app = app().await;
    let pid = patient(&app).await;
    let desk = &app.front_desk;
    let path = format!("/patients/{pid}/edit");
    let chart = app.get(desk, &format!("/patients/{pid}")).await.text();
    assert!(chart.contains(&format!("href=\"{path}\"")), "{chart}");
    let form = app.get(desk, &path).await;
    assert_eq!(form.status, 200, "{}", form.text());
    let html = form.text();
    assert!(html.contains("name=\"version\" value=\"1\""), "{html}");
    assert!(html.contains("value=\"Cora\"") && html.contains("value=\"1970-06-01\""));
    assert!(
        html.contains(&format!(
            "<option value=\"{}\" selected>",
            app.care_manager.id
        )),
        "the assigned care manager is shown"
    );
    let before = read(&app, desk, &format!("/api/v1/patients/{pid}")).await;

    // A wrong date: beside its field, everything else as typed, nothing stored.
    let bad = post_form(
        &app,
        desk,
        &path,
        &format!(
            "version=1&{DETAILS}&birth_date=1970-13-01&treating_practitioner={}&care_manager={}",
            app.practitioner.id, app.care_manager2.id
        ),
    )
    .await;
    assert_eq!(bad.status, 422);
    let html = bad.text();
    assert!(html.contains("id=\"f-birth_date-err\""), "{html}");
    assert!(html.contains("value=\"555-0100\"") && html.contains("value=\"1970-13-01\""));
    assert!(html.contains(&format!(
        "<option value=\"{}\" selected>",
        app.care_manager2.id
    )));
    assert_eq!(
        read(&app, desk, &format!("/api/v1/patients/{pid}")).await,
        before
    );

    // Saved: language, payer and care manager changed; back to the chart.
    let ok = post_form(
        &app,
        desk,
        &path,
        &format!(
            "version=1&{DETAILS}&birth_date=1970-06-01&treating_practitioner={}&care_manager={}",
            app.practitioner.id, app.care_manager2.id
        ),
    )
    .await;
    assert_eq!(ok.status, 303, "{}", ok.text());
    assert_eq!(
        ok.header("location"),
        Some(format!("/patients/{pid}").as_str())
    );
    let after = read(&app, desk, &format!("/api/v1/patients/{pid}")).await;
    assert_eq!(after["preferred_language"], "es");
    assert_eq!(after["payer_kind"], "medicare");
    assert_eq!(after["phone"], "555-0100");
    assert_eq!(after["care_manager"], app.care_manager2.id.to_string());
    assert_eq!(after["version"], 2);

    // A form opened at version 1 is now stale: refused, what was typed kept, nothing changed.
    let stale = post_form(
        &app,
        desk,
        &path,
        &format!(
            "version=1&{}&birth_date=1970-06-01&treating_practitioner={}&care_manager={}",
            DETAILS.replace("given_name=Cora", "given_name=Corinna"),
            app.practitioner.id,
            app.care_manager.id
        ),
    )
    .await;
    assert_eq!(stale.status, 422);
    assert!(stale.text().contains("Someone else changed this record"));
    assert!(stale.text().contains("value=\"Corinna\""));
    assert_eq!(
        read(&app, desk, &format!("/api/v1/patients/{pid}")).await,
        after
    );

    // Billing and the psychiatrist do not edit demographics.
    for who in [&app.billing, &app.psychiatrist] {
        assert_eq!(app.get(who, &path).await.status, 404);
        let r = post_form(
            &app,
            who,
            &path,
            &format!("version=2&{DETAILS}&birth_date=1970-06-01"),
        )
        .await;
        assert_eq!(r.status, 404);
    }
}

#[tokio::test]
async fn a_consent_is_revoked_with_its_date_and_stays_on_record() {
    let app = app().await;
    let (pid, eid) = enrolled(&app).await;
    let cm = &app.care_manager;
    let consent = read(&app, cm, &format!("/api/v1/episodes/{eid}")).await["consents"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/consents/{consent}/revoke");
    let chart = app.get(cm, &format!("/patients/{pid}")).await.text();
    assert!(chart.contains(&format!("href=\"{path}\"")), "{chart}");
    let form = app.get(cm, &path).await;
    assert_eq!(form.status, 200, "{}", form.text());
    assert!(form.text().contains("held for billing"), "{}", form.text());

    // A date in the future: beside the field, the note kept, nothing changed.
    let bad = post_form(&app, cm, &path, "revoked_on=2026-12-01&note=Patient+called").await;
    assert_eq!(bad.status, 422);
    assert!(
        bad.text().contains("id=\"f-revoked_on-err\""),
        "{}",
        bad.text()
    );
    assert!(bad.text().contains(">Patient called</textarea>"));
    let ep = read(&app, cm, &format!("/api/v1/episodes/{eid}")).await;
    assert_eq!(ep["consents"][0]["revoked_on"], Value::Null);

    let ok = post_form(&app, cm, &path, "revoked_on=2026-11-20&note=Patient+called").await;
    assert_eq!(ok.status, 303, "{}", ok.text());
    let ep = read(&app, cm, &format!("/api/v1/episodes/{eid}")).await;
    assert_eq!(ep["consents"][0]["revoked_on"], "2026-11-20");
    assert_eq!(ep["consents"][0]["revocation_note"], "Patient called");
    assert_eq!(ep["consents"][0]["revoked_by"], cm.id.to_string());
    let chart = app.get(cm, &format!("/patients/{pid}")).await.text();
    assert!(chart.contains("2026-11-20 (Patient called)"), "{chart}");
    assert!(!chart.contains(&format!("href=\"{path}\"")));

    // Revoked once: the form goes back to the chart, and a second submission is refused.
    assert_eq!(app.get(cm, &path).await.status, 303);
    let again = post_form(&app, cm, &path, "revoked_on=2026-11-21&note=").await;
    assert_eq!(again.status, 422);
    assert!(again.text().contains("already revoked"));
    assert_eq!(
        read(&app, cm, &format!("/api/v1/episodes/{eid}")).await["consents"][0]["revoked_on"],
        "2026-11-20"
    );

    // The MA and the other care manager do not manage the episode.
    for who in [&app.ma, &app.care_manager2] {
        assert_eq!(app.get(who, &path).await.status, 404);
    }
}

#[tokio::test]
async fn manual_flags_are_set_and_cleared_from_the_chart() {
    let app = app().await;
    let (pid, eid) = enrolled(&app).await;
    let cm = &app.care_manager;
    let path = format!("/episodes/{eid}/flags");
    let chart = app.get(cm, &format!("/patients/{pid}")).await.text();
    assert!(chart.contains(&format!("href=\"{path}\"")));
    let version = read(&app, cm, &format!("/api/v1/episodes/{eid}")).await["episode"]["version"]
        .as_i64()
        .unwrap();
    let form = app.get(cm, &path).await;
    assert_eq!(form.status, 200, "{}", form.text());
    assert!(
        form.text()
            .contains(&format!("name=\"version\" value=\"{version}\""))
    );

    let ok = post_form(
        &app,
        cm,
        &path,
        &format!("version={version}&safety_risk=yes&for_discussion=yes"),
    )
    .await;
    assert_eq!(ok.status, 303, "{}", ok.text());
    let ep = read(&app, cm, &format!("/api/v1/episodes/{eid}")).await["episode"].clone();
    assert_eq!(
        ep["manual_flags"],
        json!({"safety_risk": true, "for_discussion": true})
    );
    // The form shows them ticked.
    let form = app.get(cm, &path).await.text();
    assert_eq!(form.matches("value=\"yes\" checked").count(), 2, "{form}");

    // The stale form (the old version) is refused, the boxes as ticked, nothing changed.
    let stale = post_form(
        &app,
        cm,
        &path,
        &format!("version={version}&for_discussion=yes"),
    )
    .await;
    assert_eq!(stale.status, 422);
    assert!(stale.text().contains("Someone else changed this record"));
    assert_eq!(stale.text().matches("value=\"yes\" checked").count(), 1);
    assert_eq!(
        read(&app, cm, &format!("/api/v1/episodes/{eid}")).await["episode"]["manual_flags"],
        json!({"safety_risk": true, "for_discussion": true})
    );
    // A form without its version is refused too.
    let bare = post_form(&app, cm, &path, "for_discussion=yes").await;
    assert_eq!(bare.status, 422);

    // Cleared: an unticked box is not sent.
    let v = ep["version"].as_i64().unwrap();
    let cleared = post_form(&app, cm, &path, &format!("version={v}&for_discussion=yes")).await;
    assert_eq!(cleared.status, 303, "{}", cleared.text());
    assert_eq!(
        read(&app, cm, &format!("/api/v1/episodes/{eid}")).await["episode"]["manual_flags"],
        json!({"safety_risk": false, "for_discussion": true})
    );

    for who in [&app.front_desk, &app.psychiatrist, &app.care_manager2] {
        assert_eq!(app.get(who, &path).await.status, 404);
        let r = post_form(&app, who, &path, &format!("version={v}&safety_risk=yes")).await;
        assert_eq!(r.status, 404);
    }
}

#[tokio::test]
async fn a_contact_entered_in_error_stays_struck_on_the_chart() {
    let app = app().await;
    let (pid, eid) = enrolled(&app).await;
    let cm = &app.care_manager;
    let r = app
        .json(
            cm,
            "POST",
            &format!("/api/v1/episodes/{eid}/contacts"),
            json!({"contact_on": "2026-11-20", "staff_role": "care_manager", "kind": "follow_up", "modality": "phone", "minutes": 25}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let cid = r.json()["id"].as_str().unwrap().to_owned();
    let path = format!("/contacts/{cid}/in-error");
    let chart = app.get(cm, &format!("/patients/{pid}")).await.text();
    assert!(chart.contains(&format!("href=\"{path}\"")), "{chart}");
    let form = app.get(cm, &path).await;
    assert_eq!(form.status, 200, "{}", form.text());
    assert!(form.text().contains("25 min"));

    // Too short a reason: beside the field, kept, nothing changed.
    let bad = post_form(&app, cm, &path, "reason=x").await;
    assert_eq!(bad.status, 422);
    assert!(bad.text().contains("id=\"f-reason-err\""), "{}", bad.text());
    assert!(bad.text().contains(">x</textarea>"));
    let contacts = read(&app, cm, &format!("/api/v1/episodes/{eid}/contacts")).await;
    assert_eq!(contacts[0]["status"], "final");

    let ok = post_form(&app, cm, &path, "reason=Logged+on+the+wrong+patient").await;
    assert_eq!(ok.status, 303, "{}", ok.text());
    let contacts = read(&app, cm, &format!("/api/v1/episodes/{eid}/contacts")).await;
    assert_eq!(contacts.as_array().unwrap().len(), 1, "never deleted");
    assert_eq!(contacts[0]["status"], "entered_in_error");
    assert_eq!(contacts[0]["error_reason"], "Logged on the wrong patient");
    // The chart keeps it, struck and labelled, and its minutes no longer count.
    let chart = app.get(cm, &format!("/patients/{pid}")).await.text();
    assert!(
        chart.contains("<tr class=\"struck\"><td>2026-11-20</td>"),
        "{chart}"
    );
    assert!(chart.contains("entered in error (Logged on the wrong patient)"));
    assert!(chart.contains("Countable minutes this month</th><td colspan=\"3\">0</td>"));
    assert!(!chart.contains(&format!("href=\"{path}\"")));

    // Marked once: the form goes back to the chart; a second submission is refused.
    assert_eq!(app.get(cm, &path).await.status, 303);
    let again = post_form(&app, cm, &path, "reason=Again+and+again").await;
    assert_eq!(again.status, 422);
    assert!(again.text().contains("already marked"));

    for who in [&app.front_desk, &app.billing, &app.care_manager2] {
        assert_eq!(app.get(who, &path).await.status, 404);
    }
}

#[tokio::test]
async fn an_assessment_entered_in_error_stays_struck_on_the_chart() {
    let app = app().await;
    let pid = patient(&app).await;
    let r = app
        .json(
            &app.ma,
            "POST",
            &format!("/api/v1/patients/{pid}/assessments"),
            json!({"instrument": "phq9", "administered_on": "2026-11-20", "mode": "clinic", "answers": [1, 1, 1, 1, 1, 1, 1, 1, 0]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let aid = r.json()["id"].as_str().unwrap().to_owned();
    let cm = &app.care_manager;
    let path = format!("/assessments/{aid}/in-error");
    let chart = app.get(cm, &format!("/patients/{pid}")).await.text();
    assert!(chart.contains(&format!("href=\"{path}\"")), "{chart}");
    let form = app.get(&app.ma, &path).await;
    assert_eq!(form.status, 200, "{}", form.text());
    assert!(form.text().contains("total 8"), "{}", form.text());

    let bad = post_form(&app, &app.ma, &path, "reason=").await;
    assert_eq!(bad.status, 422);
    assert!(bad.text().contains("id=\"f-reason-err\""));
    let listed = read(&app, cm, &format!("/api/v1/patients/{pid}/assessments")).await;
    assert_eq!(listed[0]["status"], "final");

    let ok = post_form(&app, &app.ma, &path, "reason=Answers+of+another+patient").await;
    assert_eq!(ok.status, 303, "{}", ok.text());
    let listed = read(&app, cm, &format!("/api/v1/patients/{pid}/assessments")).await;
    assert_eq!(listed.as_array().unwrap().len(), 1, "never deleted");
    assert_eq!(listed[0]["status"], "entered_in_error");
    let chart = app.get(cm, &format!("/patients/{pid}")).await.text();
    assert!(
        chart.contains("(entered in error: Answers of another patient)"),
        "{chart}"
    );
    assert!(!chart.contains(&format!("href=\"{path}\"")));
    let again = post_form(&app, &app.ma, &path, "reason=Answers+of+another+patient").await;
    assert_eq!(again.status, 422);

    for who in [&app.front_desk, &app.billing] {
        assert_eq!(app.get(who, &path).await.status, 404);
    }
}
