//! Sensitive records from the outside: psychotherapy notes read by their author only; 42 CFR
//! Part 2 records narrowed to the patient's own team, opened to the psychiatric consultant by
//! the patient's Part 2 consent and closed again the moment it is revoked; the 2.32 notice on
//! every Part 2 record disclosed, in the API and on the chart.

use crate::harness::{App, NOW, app, post_form};
use crate::matrix::records;
use serde_json::{Value, json};
use stepwise_domain::episode::Program;
use stepwise_domain::sensitivity::REDISCLOSURE_NOTICE;

const WITHHELD: &str = "stepwise-withheld-records";

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

struct Fixture {
    app: App,
    patient: String,
    episode: String,
    /// A Part 2 AUDIT-C, a Part 2 contact, a psychotherapy note's contact.
    audit: String,
    sud_contact: String,
    therapy_contact: String,
}

async fn fixture() -> Fixture {
    let app = app().await;
    let recs = records(
        &app.store,
        app.practice,
        "SUD",
        app.practitioner.id,
        app.care_manager.id,
        Program::Cocm,
        Some(app.psychiatrist.id),
    )
    .await;
    // The shared fixture's patient has a Part 2 consent: revoked here, so that none is in force.
    let revoked = app
        .json(
            &app.care_manager,
            "POST",
            &format!(
                "/api/v1/part2-consents/{}/revocation",
                recs.ids["part2-consents"]
            ),
            json!({"note": "Withdrawn"}),
        )
        .await;
    assert_eq!(revoked.status, 200, "{}", revoked.text());
    let patient = recs.ids["patients"].clone();
    let episode = recs.ids["episodes"].clone();
    let day = NOW.date().to_string();
    let r = app
        .json(
            &app.care_manager,
            "POST",
            &format!("/api/v1/patients/{patient}/assessments"),
            json!({"instrument": "auditc", "administered_on": day, "mode": "clinic",
                   "answers": [2, 1, 1], "label": "sud_part2"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.json()["redisclosure_notice"], REDISCLOSURE_NOTICE);
    let audit = r.json()["id"].as_str().unwrap().to_owned();
    let contact = |label: &str, note: &str| {
        json!({"contact_on": day, "staff_role": "care_manager", "kind": "follow_up",
               "modality": "in_person", "minutes": 30, "note": note, "label": label})
    };
    let r = app
        .json(
            &app.care_manager,
            "POST",
            &format!("/api/v1/episodes/{episode}/contacts"),
            contact("sud_part2", "Talked about drinking"),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let sud_contact = r.json()["id"].as_str().unwrap().to_owned();
    let r = app
        .json(
            &app.care_manager,
            "POST",
            &format!("/api/v1/episodes/{episode}/contacts"),
            contact("psychotherapy_note", "Process notes of the session"),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.json()["note"], "Process notes of the session");
    let therapy_contact = r.json()["id"].as_str().unwrap().to_owned();
    Fixture {
        app,
        patient,
        episode,
        audit,
        sud_contact,
        therapy_contact,
    }
}

#[tokio::test]
async fn labels_narrow_what_each_reader_sees() {
    let f = fixture().await;
    let app = &f.app;
    let assessments = format!("/api/v1/patients/{}/assessments", f.patient);
    let contacts = format!("/api/v1/episodes/{}/contacts", f.episode);

    // The patient's care manager (the author) sees everything, the note included.
    let r = app.get(&app.care_manager, &contacts).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header(WITHHELD), None);
    let list = r.json();
    let therapy = list
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == f.therapy_contact.as_str())
        .unwrap();
    assert_eq!(therapy["note"], "Process notes of the session");

    // The treating practitioner: Part 2 records with the notice; the psychotherapy note's
    // contact without its note.
    let r = app.get(&app.practitioner, &assessments).await;
    assert!(ids(&r.json()).contains(&f.audit));
    let audit = r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == f.audit.as_str())
        .cloned()
        .unwrap();
    assert_eq!(audit["redisclosure_notice"], REDISCLOSURE_NOTICE);
    assert_eq!(audit["label"], "sud_part2");
    let r = app.get(&app.practitioner, &contacts).await;
    let list = r.json();
    assert!(ids(&list).contains(&f.sud_contact));
    let therapy = list
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == f.therapy_contact.as_str())
        .unwrap();
    assert_eq!(therapy["note"], Value::Null);
    assert_eq!(therapy["minutes"], 30);
    assert!(!r.text().contains("Process notes"));

    // The psychiatric consultant, without the patient's Part 2 consent: no Part 2 record, and
    // the header counts what was left out.
    let r = app.get(&app.psychiatrist, &assessments).await;
    assert_eq!(r.status, 200);
    assert!(!ids(&r.json()).contains(&f.audit));
    assert_eq!(r.header(WITHHELD), Some("1"));
    let r = app.get(&app.psychiatrist, &contacts).await;
    assert!(!ids(&r.json()).contains(&f.sud_contact));
    assert!(ids(&r.json()).contains(&f.therapy_contact));
    assert_eq!(r.header(WITHHELD), Some("1"));
    assert!(!r.text().contains("drinking") && !r.text().contains("Process notes"));
    // Nor may they correct what they cannot see: it reads as missing.
    let r = app
        .json(
            &app.psychiatrist,
            "POST",
            &format!("/api/v1/assessments/{}/entered-in-error", f.audit),
            json!({"reason": "wrong patient"}),
        )
        .await;
    assert_eq!(r.status, 404);
    // The chart says how many were withheld and shows neither.
    let page = app
        .get(&app.psychiatrist, &format!("/patients/{}", f.patient))
        .await;
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(
        html.contains("2 substance-use records (42 CFR Part 2) not shown"),
        "{html}"
    );
    assert!(!html.contains("AUDIT-C"));
    assert!(!html.contains("id=\"redisclosure-notice\""));

    // The AUDIT-C chart: the practitioner's points carry the notice; the consultant gets none.
    let trajectory = format!(
        "/api/v1/patients/{}/trajectory?instrument=auditc",
        f.patient
    );
    let r = app.get(&app.practitioner, &trajectory).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["redisclosure_notice"], REDISCLOSURE_NOTICE);
    assert_eq!(
        r.json()["points"].as_array().map(Vec::len),
        Some(1),
        "{}",
        r.text()
    );
    let r = app.get(&app.psychiatrist, &trajectory).await;
    assert_eq!(r.json()["redisclosure_notice"], Value::Null);
    assert_eq!(
        r.json()["points"].as_array().map(Vec::len),
        Some(0),
        "{}",
        r.text()
    );

    // The practitioner's chart carries the notice next to the Part 2 records.
    let html = app
        .get(&app.practitioner, &format!("/patients/{}", f.patient))
        .await
        .text();
    assert!(html.contains("id=\"redisclosure-notice\""));
    assert!(html.contains("42 CFR part 2"));
}

#[tokio::test]
async fn part2_consent_opens_and_revocation_closes_at_once() {
    let f = fixture().await;
    let app = &f.app;
    let assessments = format!("/api/v1/patients/{}/assessments", f.patient);
    let consent = json!({
        "given_on": NOW.date().to_string(), "method": "written",
        "recipients": "The psychiatric consultant of my care team",
        "information": "Substance-use screening results and contacts",
        "purpose": "Treatment", "expires_on": "2027-12-31"});
    // The consultant may not record it; the care manager may.
    let r = app
        .json(
            &app.psychiatrist,
            "POST",
            &format!("/api/v1/patients/{}/part2-consents", f.patient),
            consent.clone(),
        )
        .await;
    assert_eq!(r.status, 404);
    // Every element is required.
    let r = app
        .json(
            &app.care_manager,
            "POST",
            &format!("/api/v1/patients/{}/part2-consents", f.patient),
            json!({"given_on": NOW.date().to_string(), "method": "verbal", "recipients": "",
                   "information": "x", "purpose": "Treatment", "expires_on": ""}),
        )
        .await;
    assert_eq!(r.status, 422);
    let body = r.text();
    for field in ["method", "recipients", "information", "expires_on"] {
        assert!(body.contains(field), "{field}: {body}");
    }
    let r = app.get(&app.psychiatrist, &assessments).await;
    assert!(!ids(&r.json()).contains(&f.audit));

    let r = app
        .json(
            &app.care_manager,
            "POST",
            &format!("/api/v1/patients/{}/part2-consents", f.patient),
            consent,
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.json()["in_force"], true);
    let consent_id = r.json()["id"].as_str().unwrap().to_owned();

    // In force: the consultant sees the record, with the notice.
    let r = app.get(&app.psychiatrist, &assessments).await;
    assert!(ids(&r.json()).contains(&f.audit));
    assert_eq!(r.header(WITHHELD), None);
    assert!(r.text().contains("42 CFR part 2"));
    let html = app
        .get(&app.psychiatrist, &format!("/patients/{}", f.patient))
        .await
        .text();
    assert!(html.contains("id=\"redisclosure-notice\""));

    // Revoked from the chart's form: closed at once.
    let r = post_form(
        app,
        &app.care_manager,
        &format!("/part2-consents/{consent_id}/revoke"),
        "note=Patient+withdrew+by+phone",
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.text());
    let r = app.get(&app.psychiatrist, &assessments).await;
    assert!(!ids(&r.json()).contains(&f.audit));
    assert_eq!(r.header(WITHHELD), Some("1"));
    let r = app
        .get(
            &app.care_manager,
            &format!("/api/v1/patients/{}/part2-consents", f.patient),
        )
        .await;
    let list = r.json();
    let ours = list
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == consent_id.as_str())
        .unwrap();
    assert_eq!(ours["in_force"], false);
    assert_eq!(ours["revocation_note"], "Patient withdrew by phone");
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .all(|c| c["in_force"] == false)
    );
    // A second revocation is refused.
    let r = app
        .json(
            &app.care_manager,
            "POST",
            &format!("/api/v1/part2-consents/{consent_id}/revocation"),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 422);
}

#[tokio::test]
async fn labels_are_refused_where_they_do_not_apply() {
    let f = fixture().await;
    let app = &f.app;
    let day = NOW.date().to_string();
    // A depression score is followed by the whole team: no Part 2 label.
    let r = app
        .json(
            &app.care_manager,
            "POST",
            &format!("/api/v1/patients/{}/assessments", f.patient),
            json!({"instrument": "phq9", "administered_on": day, "mode": "clinic",
                   "answers": [0, 0, 0, 0, 0, 0, 0, 0, 0], "label": "sud_part2"}),
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.text().contains("auditc"));
    // The MA does not write psychotherapy notes.
    let r = app
        .json(
            &app.ma,
            "POST",
            &format!("/api/v1/episodes/{}/contacts", f.episode),
            json!({"contact_on": day, "staff_role": "ma_nurse", "kind": "outreach_attempt",
                   "modality": "phone", "minutes": 5, "note": "Left a message",
                   "label": "psychotherapy_note"}),
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.text().contains("164.501"));
    // Nothing was stored by either.
    let r = app
        .get(
            &app.care_manager,
            &format!("/api/v1/episodes/{}/contacts", f.episode),
        )
        .await;
    assert!(!r.text().contains("Left a message"));
}

/// When the audit trail cannot be written, a page or API answer that would show patient data
/// shows none: 503, and nothing of the record in the body (HIPAA 164.312(b); issue 5 item 6).
#[tokio::test]
async fn no_patient_data_leaves_without_its_audit_event() {
    use sqlx::ConnectOptions;
    let f = fixture().await;
    let app = &f.app;
    let dir = app.data_dir().expect("a SQLite app");
    let mut c = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(dir.join(stepwise_store::SQLITE_FILE))
        .connect()
        .await
        .unwrap();
    sqlx::query(
        "CREATE TRIGGER audit_down BEFORE INSERT ON audit_events \
         BEGIN SELECT RAISE(ABORT, 'audit down'); END",
    )
    .execute(&mut c)
    .await
    .unwrap();
    let patient = format!("/api/v1/patients/{}", f.patient);
    let r = app.get(&app.care_manager, &patient).await;
    assert_eq!(r.status, 503, "{}", r.text());
    assert!(!r.text().contains("SUD"), "{}", r.text());
    let r = app
        .get(&app.care_manager, &format!("/patients/{}", f.patient))
        .await;
    assert_eq!(r.status, 503);
    assert!(!r.text().contains("SUD"));
    let r = app
        .get(
            &app.care_manager,
            &format!("/api/v1/episodes/{}/contacts", f.episode),
        )
        .await;
    assert_eq!(r.status, 503);
    assert!(!r.text().contains("drinking"));

    sqlx::query("DROP TRIGGER audit_down")
        .execute(&mut c)
        .await
        .unwrap();
    let r = app.get(&app.care_manager, &patient).await;
    assert_eq!(r.status, 200);
    assert!(r.text().contains("SUD"));
}
