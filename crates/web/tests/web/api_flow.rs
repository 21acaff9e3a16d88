//! The API end to end: a patient from registration through a case review, with its errors,
//! conflicts and refusals.

use crate::harness::{App, User, app};
use serde_json::{Value, json};
use stepwise_domain::audit::{AuditAction, AuditOutcome};

async fn new_patient(app: &App, by: &User, mrn: &str, cm: &User) -> String {
    let r = app
        .json(
            by,
            "POST",
            "/api/v1/patients",
            json!({
                "mrn": mrn, "given_name": "Rosa", "family_name": "Díaz", "birth_date": "1961-03-14",
                "sex": "female", "preferred_language": "es", "payer_kind": "medicare",
                "treating_practitioner": app.practitioner.id, "care_manager": cm.id
            }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    r.json()["id"].as_str().unwrap().to_owned()
}

fn etag(r: &crate::harness::Reply) -> String {
    r.header("etag").unwrap().to_owned()
}

#[tokio::test]
async fn a_patient_from_registration_to_case_review() {
    let app = app().await;
    let pid = new_patient(&app, &app.front_desk, "R-1", &app.care_manager).await;

    // The care manager refers, documents consent and enrolls.
    let cm = &app.care_manager;
    let r = app
        .json(
            cm,
            "POST",
            &format!("/api/v1/patients/{pid}/episodes"),
            json!({"program": "cocm", "referred_on": "2026-11-02"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let eid = r.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(r.json()["status"], "referred");
    let r = app
        .json(cm, "POST", &format!("/api/v1/episodes/{eid}/consents"), json!({"consented_on": "2026-11-03", "method": "verbal", "cost_sharing_explained": true, "consult_permission": true}))
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.json()["consented_on"], "2026-11-03");
    let r = app.get(cm, &format!("/api/v1/episodes/{eid}")).await;
    let version = etag(&r);
    let enroll = app
        .send(
            app.call("POST", &format!("/api/v1/episodes/{eid}/transitions"))
                .token(cm)
                .header("if-match", &version)
                .json(json!({"on": "2026-11-03", "transition": {"action": "enroll"}})),
        )
        .await;
    assert_eq!(enroll.status, 200, "{}", enroll.text());
    assert_eq!(enroll.json()["status"], "enrolled");
    // The same version again is stale.
    let stale = app
        .send(
            app.call("POST", &format!("/api/v1/episodes/{eid}/transitions"))
                .token(cm)
                .header("if-match", &version)
                .json(json!({"on": "2026-11-03", "transition": {"action": "start_treatment"}})),
        )
        .await;
    assert_eq!(stale.status, 409, "{}", stale.text());
    // Without a version, nothing changes.
    let missing = app
        .json(
            cm,
            "POST",
            &format!("/api/v1/episodes/{eid}/transitions"),
            json!({"on": "2026-11-03", "transition": {"action": "start_treatment"}}),
        )
        .await;
    assert_eq!(missing.status, 428);

    let r = app
        .json(cm, "POST", &format!("/api/v1/episodes/{eid}/contacts"), json!({"contact_on": "2026-11-03", "staff_role": "care_manager", "kind": "initial_assessment", "modality": "in_person", "minutes": 45}))
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.json()["counts_toward_care_management"], true);

    // The MA screens at rooming: item 9 positive.
    let r = app
        .json(&app.ma, "POST", &format!("/api/v1/patients/{pid}/assessments"), json!({"instrument": "phq9", "administered_on": "2026-11-20", "mode": "clinic", "answers": [2, 2, 2, 1, 1, 1, 1, 0, 1]}))
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.json()["score"]["total"], 11);
    assert_eq!(r.json()["score"]["safety"], "alert");
    assert_eq!(r.json()["episode"], eid.as_str());

    // The caseload puts the safety flag first.
    let r = app.get(cm, "/api/v1/caseload").await;
    assert_eq!(r.status, 200, "{}", r.text());
    let rows = r.json();
    assert_eq!(rows.as_array().unwrap().len(), 1);
    assert_eq!(rows[0]["flags"][0]["kind"], "safety");
    assert_eq!(rows[0]["patient"]["mrn"], "R-1");
    assert_eq!(rows[0]["minutes_this_month"], 45);
    // The other care manager's caseload is empty.
    assert_eq!(
        app.get(&app.care_manager2, "/api/v1/caseload").await.json(),
        json!([])
    );

    // The psychiatrist sees the patient on the review list and recommends.
    let r = app.get(&app.psychiatrist, "/api/v1/review-list").await;
    let list = r.json();
    assert_eq!(list[0]["episode"], eid.as_str());
    assert!(
        list[0]["reasons"]
            .as_array()
            .unwrap()
            .contains(&json!("safety"))
    );
    let r = app
        .json(&app.psychiatrist, "POST", "/api/v1/case-reviews", json!({"review_on": "2026-11-25", "items": [{"episode": eid, "notes": "Item 9 positive", "recommendations": ["C-SSRS today; safety plan"]}]}))
        .await;
    assert_eq!(r.status, 201, "{}", r.text());

    // The treating practitioner accepts it, the care manager marks it done.
    let dr = &app.practitioner;
    let recs = app.get(dr, "/api/v1/recommendations").await.json();
    assert_eq!(recs.as_array().unwrap().len(), 1);
    let rid = recs[0]["id"].as_str().unwrap();
    let v = recs[0]["version"].to_string();
    let r = app
        .send(
            app.call("POST", &format!("/api/v1/recommendations/{rid}/decision"))
                .token(dr)
                .header("if-match", &v)
                .json(json!({"decision": "accept"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["status"], "accepted");
    // Only the treating practitioner decides.
    let r = app
        .send(
            app.call("POST", &format!("/api/v1/recommendations/{rid}/decision"))
                .token(cm)
                .header("if-match", &etag(&r))
                .json(json!({"decision": "accept"})),
        )
        .await;
    assert_eq!(r.status, 404);
    let v = app
        .get(cm, &format!("/api/v1/episodes/{eid}/recommendations"))
        .await
        .json()[0]["version"]
        .to_string();
    let r = app
        .send(
            app.call("POST", &format!("/api/v1/recommendations/{rid}/completion"))
                .token(cm)
                .header("if-match", &v),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["status"], "done");

    // Every step is in the audit trail, which verifies.
    let events = app
        .store
        .audit_events(app.practice, 0, 10_000)
        .await
        .unwrap();
    for action in [
        AuditAction::PatientCreate,
        AuditAction::ConsentCreate,
        AuditAction::AssessmentCreate,
        AuditAction::CaseloadRead,
        AuditAction::RecommendationDecide,
    ] {
        assert!(events.iter().any(|e| e.event.action == action), "{action}");
    }
    assert!(
        app.store
            .verify_audit_chain(app.practice)
            .await
            .unwrap()
            .is_intact()
    );
}

#[tokio::test]
async fn bad_input_is_answered_field_by_field_and_nothing_is_stored() {
    let app = app().await;
    let r = app
        .json(&app.front_desk, "POST", "/api/v1/patients", json!({"mrn": "has space", "given_name": "", "family_name": "X", "birth_date": "2030-01-01", "sex": "f"}))
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
    let body = r.json();
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["mrn", "given_name", "birth_date", "sex"]);
    // An unknown field, a wrong type, broken JSON, the wrong content type.
    let r = app
        .json(
            &app.front_desk,
            "POST",
            "/api/v1/patients/search",
            json!({"q": "ab", "sort": "name; DROP TABLE patients"}),
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.json()["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("unknown field")
    );
    let r = app
        .json(
            &app.front_desk,
            "POST",
            "/api/v1/patients/search",
            json!({"q": 5}),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["errors"][0]["field"], "q");
    let r = app
        .send(
            app.call("POST", "/api/v1/patients/search")
                .token(&app.front_desk)
                .header("content-type", "application/json"),
        )
        .await;
    assert_eq!(r.status, 422);
    let r = app
        .send(
            app.call("POST", "/api/v1/patients/search")
                .token(&app.front_desk)
                .form("q=ab"),
        )
        .await;
    assert_eq!(r.status, 422);

    let pid = new_patient(&app, &app.front_desk, "R-2", &app.care_manager).await;
    let r = app
        .json(&app.ma, "POST", &format!("/api/v1/patients/{pid}/assessments"), json!({"instrument": "gad7", "administered_on": "2026-11-20", "mode": "clinic", "answers": [0, 0, 7, 0, 0, 0, 0]}))
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["errors"][0]["field"], "answers[2]");
    assert!(
        r.json()["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("0 to 3")
    );
    let r = app
        .json(&app.ma, "POST", &format!("/api/v1/patients/{pid}/assessments"), json!({"instrument": "phq10", "administered_on": "2026-11-20", "mode": "clinic", "answers": []}))
        .await;
    assert_eq!(r.json()["errors"][0]["field"], "instrument");
    // Nothing was stored.
    let r = app
        .get(
            &app.care_manager,
            &format!("/api/v1/patients/{pid}/assessments"),
        )
        .await;
    assert_eq!(r.json(), json!([]));
    // A duplicate MRN is a field error too.
    let r = app.json(&app.front_desk, "POST", "/api/v1/patients", json!({"mrn": "R-2", "given_name": "A", "family_name": "B", "birth_date": "1990-01-01", "sex": "male"})).await;
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["errors"][0]["field"], "mrn");
}

/// Refused and missing look the same; refusals are audited.
#[tokio::test]
async fn refusals_look_like_missing_records() {
    let app = app().await;
    let pid = new_patient(&app, &app.front_desk, "R-3", &app.care_manager).await;
    let nonexistent = "0190f0c2-0000-7000-8000-00000000abcd";
    let strip = |v: Value| {
        let mut v = v;
        v.as_object_mut().unwrap().remove("request_id");
        v
    };
    let missing = app
        .get(
            &app.care_manager,
            &format!("/api/v1/patients/{nonexistent}/episodes"),
        )
        .await;
    assert_eq!(missing.status, 404);
    for (who, path) in [
        (&app.other_practice_cm, format!("/api/v1/patients/{pid}")),
        (
            &app.other_practice_cm,
            format!("/api/v1/patients/{pid}/episodes"),
        ),
        (
            &app.care_manager2,
            format!("/api/v1/patients/{pid}/episodes"),
        ),
        (
            &app.practitioner2,
            format!("/api/v1/patients/{pid}/assessments"),
        ),
        (&app.billing, format!("/api/v1/patients/{pid}/episodes")),
        (
            &app.front_desk,
            format!("/api/v1/patients/{pid}/assessments"),
        ),
        (&app.admin, format!("/api/v1/patients/{pid}")),
    ] {
        let r = app.get(who, &path).await;
        assert_eq!(r.status, 404, "{} {path}", who.email);
        assert_eq!(
            strip(r.json()),
            strip(missing.json()),
            "{} {path}",
            who.email
        );
    }
    // The assigned care manager does see it.
    assert_eq!(
        app.get(
            &app.care_manager,
            &format!("/api/v1/patients/{pid}/episodes")
        )
        .await
        .status,
        200
    );
    // Role-wide refusals too: the billing role has no caseload, the MA no user admin.
    assert_eq!(app.get(&app.billing, "/api/v1/caseload").await.status, 404);
    assert_eq!(app.get(&app.ma, "/api/v1/users").await.status, 404);
    assert_eq!(app.get(&app.admin, "/api/v1/users").await.status, 200);

    let denied = app
        .store
        .audit_events(app.practice, 0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.event.action == AuditAction::AccessDenied)
        .collect::<Vec<_>>();
    assert!(denied.len() >= 6, "{}", denied.len());
    assert!(
        denied
            .iter()
            .all(|e| e.event.outcome == AuditOutcome::Denied)
    );
    assert!(denied.iter().any(|e| e.event.user == Some(app.billing.id)));
}

#[tokio::test]
async fn administration() {
    let app = app().await;
    // User administration needs a session re-authenticated within 15 minutes: not a token.
    let r = app
        .json(&app.admin, "POST", "/api/v1/users", json!({"email": "new.cm@north.test", "display_name": "New CM", "roles": ["care_manager"], "password": "a long enough passphrase"}))
        .await;
    assert_eq!(r.status, 403, "{}", r.text());
    assert_eq!(
        r.json()["type"],
        "https://stepwise.invalid/problems/reauthentication-required"
    );
    let admin = app.session(&app.admin.email).await;
    let as_admin = |method: &str, path: &str, body: Value| {
        app.call(method, path).header("cookie", &admin).json(body)
    };
    let r = app
        .send(as_admin("POST", "/api/v1/users", json!({"email": "new.cm@north.test", "display_name": "New CM", "roles": ["care_manager"], "password": "short"})))
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["errors"][0]["field"], "password");
    // A common password is refused, whatever its length.
    let r = app
        .send(as_admin("POST", "/api/v1/users", json!({"email": "new.cm@north.test", "display_name": "New CM", "roles": ["care_manager"], "password": "qwertyuiop123"})))
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.json()["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("commonly used")
    );
    let r = app
        .send(as_admin("POST", "/api/v1/users", json!({"email": "new.cm@north.test", "display_name": "New CM", "roles": ["care_manager"], "password": "a long enough passphrase"})))
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let uid = r.json()["id"].as_str().unwrap().to_owned();
    let r = app
        .send(
            as_admin(
                "PUT",
                &format!("/api/v1/users/{uid}/roles"),
                json!({"roles": ["care_manager", "ma_nurse"]}),
            )
            .header("if-match", "\"1\""),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["roles"], json!(["ma_nurse", "care_manager"]));
    // Disabling ends the user's access at once.
    let r = app
        .send(as_admin(
            "POST",
            &format!("/api/v1/users/{}/disable", app.care_manager2.id),
            json!({}),
        ))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(app.get(&app.care_manager2, "/api/v1/me").await.status, 401);
    // Settings take effect for the next request.
    let mut settings = app.get(&app.admin, "/api/v1/practice").await.json()["settings"].clone();
    settings["registry"]["not_improving_weeks"] = json!(10);
    let r = app
        .json(&app.admin, "PUT", "/api/v1/practice/settings", settings)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        app.get(&app.care_manager, "/api/v1/practice").await.json()["settings"]["registry"]["not_improving_weeks"],
        10
    );
    let r = app
        .json(
            &app.admin,
            "POST",
            "/api/v1/sites",
            json!({"name": "Annex"}),
        )
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(
        app.get(&app.ma, "/api/v1/sites").await.json()[0]["name"],
        "Annex"
    );
    let staff = app.get(&app.ma, "/api/v1/staff").await.json();
    assert!(
        staff
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["id"] != json!(app.care_manager2.id))
    );
}
