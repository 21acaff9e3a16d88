//! The pages' forms: screening entry at rooming, closing a safety alert, referring, consent,
//! status changes and contacts, each refused with its error beside the field and what was
//! typed kept, and the chart showing the result (contacts, minutes, score charts).

use crate::harness::{App, app, post_form};
use serde_json::json;

async fn patient(app: &App) -> String {
    let r = app
        .json(
            &app.front_desk,
            "POST",
            "/api/v1/patients",
            json!({"mrn": "F-1", "given_name": "Fern", "family_name": "Field", "birth_date": "1975-03-02",
                   "sex": "female", "care_manager": app.care_manager.id, "treating_practitioner": app.practitioner.id}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    r.json()["id"].as_str().unwrap().to_owned()
}

fn phq9(answers: [&str; 9]) -> String {
    let mut body = "instrument=phq9&administered_on=2026-11-27&mode=clinic".to_owned();
    for (i, a) in answers.iter().enumerate() {
        body.push_str(&format!("&item_{}={a}", i + 1));
    }
    body
}

#[tokio::test]
async fn screening_at_rooming_scores_and_alerts_at_once() {
    let app = app().await;
    let pid = patient(&app).await;
    let form = app
        .get(&app.ma, &format!("/patients/{pid}/screening"))
        .await;
    assert_eq!(form.status, 200);
    let html = form.text();
    // Nine answer fields plus the unscored functional item, the first focused.
    assert_eq!(html.matches("inputmode=\"numeric\"").count(), 10, "{html}");
    assert!(html.contains("id=\"item_1\"") && html.contains("autofocus"));

    // A typo: kept as typed, the error beside its item, nothing stored.
    let bad = post_form(
        &app,
        &app.ma,
        &format!("/patients/{pid}/screening"),
        &phq9(["1", "2", "7", "0", "1", "0", "1", "0", "0"]),
    )
    .await;
    assert_eq!(bad.status, 422);
    let html = bad.text();
    assert!(html.contains("id=\"item_3-err\""), "{html}");
    assert!(html.contains("value=\"7\"") && html.contains("value=\"2\""));
    assert!(html.contains("Nothing was saved") || html.contains("aria-invalid"));
    let stored = app
        .get(
            &app.care_manager,
            &format!("/api/v1/patients/{pid}/assessments"),
        )
        .await;
    assert_eq!(stored.json().as_array().unwrap().len(), 0);

    // Item 9 answered 1: the result page says so at once, and the alert is open.
    let ok = post_form(
        &app,
        &app.ma,
        &format!("/patients/{pid}/screening"),
        &phq9(["1", "2", "3", "0", "1", "0", "1", "0", "1"]),
    )
    .await;
    assert_eq!(ok.status, 200, "{}", ok.text());
    let html = ok.text();
    assert!(html.contains("Total 9 of 27"), "{html}");
    assert!(html.contains("role=\"alert\"") && html.contains("Safety alert: item 9"));
    let alerts = app
        .get(&app.care_manager, &format!("/api/v1/patients/{pid}/alerts"))
        .await;
    assert_eq!(alerts.json().as_array().unwrap().len(), 1);

    // Item 9 left blank: never taken as 0.
    let blank = post_form(
        &app,
        &app.ma,
        &format!("/patients/{pid}/screening"),
        &phq9(["0", "0", "0", "0", "0", "0", "0", "0", ""]),
    )
    .await;
    assert_eq!(blank.status, 200);
    assert!(blank.text().contains("Incomplete"));
    assert!(blank.text().contains("safety is unknown"));
}

#[tokio::test]
async fn an_alert_is_closed_only_with_the_action_taken() {
    let app = app().await;
    let pid = patient(&app).await;
    post_form(
        &app,
        &app.ma,
        &format!("/patients/{pid}/screening"),
        &phq9(["1", "1", "1", "1", "1", "1", "1", "1", "2"]),
    )
    .await;
    let alerts = app
        .get(&app.care_manager, &format!("/api/v1/patients/{pid}/alerts"))
        .await
        .json();
    let id = alerts[0]["id"].as_str().unwrap().to_owned();
    let version = alerts[0]["version"].as_i64().unwrap();
    // The chart offers the closure to the care manager.
    let chart = app
        .get(&app.care_manager, &format!("/patients/{pid}"))
        .await;
    assert!(chart.text().contains(&format!("/alerts/{id}/close")));
    let form = app
        .get(&app.care_manager, &format!("/alerts/{id}/close"))
        .await;
    assert_eq!(form.status, 200);
    assert!(form.text().contains(&format!("value=\"{version}\"")));
    // "Other" without a note is refused, the choice kept.
    let refused = post_form(
        &app,
        &app.care_manager,
        &format!("/alerts/{id}/close"),
        &format!("version={version}&action=other&note="),
    )
    .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused.text().contains("id=\"f-note-err\""),
        "{}",
        refused.text()
    );
    assert!(refused.text().contains("value=\"other\" selected"));
    let still = app
        .get(&app.care_manager, &format!("/api/v1/patients/{pid}/alerts"))
        .await
        .json();
    assert_eq!(still[0]["status"], "open");
    // With the action: closed, back to the chart.
    let closed = post_form(
        &app,
        &app.care_manager,
        &format!("/alerts/{id}/close"),
        &format!("version={version}&action=safety_plan_made&note=Plan+made+with+patient"),
    )
    .await;
    assert_eq!(closed.status, 303);
    assert_eq!(
        closed.header("location"),
        Some(format!("/patients/{pid}").as_str())
    );
    let after = app
        .get(&app.care_manager, &format!("/api/v1/patients/{pid}/alerts"))
        .await
        .json();
    assert_eq!(after[0]["status"], "closed");
    assert_eq!(after[0]["closure_action"], "safety_plan_made");
    assert_eq!(after[0]["closed_by"], app.care_manager.id.to_string());
    // A stale form (old version) does not close anything twice.
    let again = post_form(
        &app,
        &app.care_manager,
        &format!("/alerts/{id}/close"),
        &format!("version={version}&action=safety_plan_made"),
    )
    .await;
    assert_eq!(again.status, 422);
}

#[tokio::test]
async fn refer_consent_enroll_and_log_contacts_from_the_chart() {
    let app = app().await;
    let pid = patient(&app).await;
    // The care manager's referral form proposes the patient's own practitioner as referrer.
    let form = app
        .get(&app.care_manager, &format!("/patients/{pid}/refer"))
        .await;
    assert_eq!(form.status, 200);
    assert!(
        form.text().contains(&format!(
            "<option value=\"{}\" selected>",
            app.practitioner.id
        )),
        "the patient's practitioner is not proposed"
    );
    // Refer.
    let r = post_form(
        &app,
        &app.practitioner,
        &format!("/patients/{pid}/refer"),
        &format!(
            "program=cocm&referred_on=2026-11-02&referring_practitioner={}",
            app.practitioner.id
        ),
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.text());
    let eps = app
        .get(
            &app.care_manager,
            &format!("/api/v1/patients/{pid}/episodes"),
        )
        .await
        .json();
    let eid = eps[0]["id"].as_str().unwrap().to_owned();
    let version = eps[0]["version"].as_i64().unwrap();
    // Enrolling without consent is refused with the reason, nothing changed.
    let early = post_form(
        &app,
        &app.care_manager,
        &format!("/episodes/{eid}/status"),
        &format!("version={version}&transition=enroll&on=2026-11-03&plan=&reason="),
    )
    .await;
    assert_eq!(early.status, 422, "{}", early.text());
    assert!(early.text().contains("consent"), "{}", early.text());
    // A CoCM consent needs permission to consult the psychiatric consultant.
    let partial = post_form(
        &app,
        &app.care_manager,
        &format!("/episodes/{eid}/consent"),
        "consented_on=2026-11-03&method=verbal&cost_sharing_explained=yes",
    )
    .await;
    assert_eq!(partial.status, 422);
    assert!(
        partial.text().contains("id=\"f-consult_permission-err\""),
        "{}",
        partial.text()
    );
    assert!(
        partial.text().contains("value=\"yes\" checked"),
        "the ticked box stays ticked"
    );
    let consent = post_form(
        &app,
        &app.care_manager,
        &format!("/episodes/{eid}/consent"),
        "consented_on=2026-11-03&method=verbal&cost_sharing_explained=yes&consult_permission=yes",
    )
    .await;
    assert_eq!(consent.status, 303, "{}", consent.text());
    let enroll = post_form(
        &app,
        &app.care_manager,
        &format!("/episodes/{eid}/status"),
        &format!("version={version}&transition=enroll&on=2026-11-03&plan=&reason="),
    )
    .await;
    assert_eq!(enroll.status, 303, "{}", enroll.text());
    // A stale version is a conflict shown on the form, not an overwrite.
    let stale = post_form(
        &app,
        &app.care_manager,
        &format!("/episodes/{eid}/status"),
        &format!("version={version}&transition=start_treatment&on=2026-11-03&plan=&reason="),
    )
    .await;
    assert_eq!(stale.status, 422);
    assert!(stale.text().contains("Someone else changed this record"));
    // Contacts: minutes must be a number; then two contacts, one separately billed.
    let typo = post_form(
        &app,
        &app.care_manager,
        &format!("/episodes/{eid}/contact"),
        "contact_on=2026-11-10&kind=follow_up&modality=phone&minutes=twenty&staff_role=care_manager&exclusion=&note=Called",
    )
    .await;
    assert_eq!(typo.status, 422);
    assert!(typo.text().contains("id=\"f-minutes-err\""));
    assert!(
        typo.text().contains(">Called</textarea>"),
        "the note is kept"
    );
    for body in [
        "contact_on=2026-11-10&kind=initial_assessment&modality=in_person&minutes=45&staff_role=care_manager&exclusion=&note=",
        "contact_on=2026-11-12&kind=follow_up&modality=phone&minutes=30&staff_role=care_manager&exclusion=separately_billed&note=",
    ] {
        let c = post_form(
            &app,
            &app.care_manager,
            &format!("/episodes/{eid}/contact"),
            body,
        )
        .await;
        assert_eq!(c.status, 303, "{}", c.text());
    }
    // The chart shows this month's contacts and the countable minutes (45, not 75).
    let chart = app
        .get(&app.care_manager, &format!("/patients/{pid}"))
        .await
        .text();
    assert!(chart.contains("Contacts this month"), "{chart}");
    assert!(chart.contains("<td colspan=\"3\">45</td>"), "{chart}");
    // A PHQ-9 in the episode draws its chart, described for screen readers.
    post_form(
        &app,
        &app.ma,
        &format!("/patients/{pid}/screening"),
        &phq9(["2", "2", "2", "2", "2", "2", "2", "2", "0"]),
    )
    .await;
    let chart = app
        .get(&app.care_manager, &format!("/patients/{pid}"))
        .await
        .text();
    assert!(chart.contains("role=\"img\""), "{chart}");
    assert!(
        chart.contains("PHQ-9 scores, oldest first: 2026-11-27: 16"),
        "{chart}"
    );
    // The print view has the same content without navigation or actions.
    let print = app
        .get(&app.care_manager, &format!("/patients/{pid}/summary"))
        .await
        .text();
    assert!(print.contains("patient summary printed"));
    assert!(!print.contains("Log a contact") && !print.contains("aria-label=\"Main\""));
}

#[tokio::test]
async fn forms_are_offered_only_to_those_who_may_use_them() {
    let app = app().await;
    let pid = patient(&app).await;
    // Front desk sees demographics, no clinical actions.
    let chart = app
        .get(&app.front_desk, &format!("/patients/{pid}"))
        .await
        .text();
    assert!(!chart.contains("Enter a screening"));
    assert!(!chart.contains(&format!("/patients/{pid}/refer\"")));
    // The MA may screen.
    let chart = app.get(&app.ma, &format!("/patients/{pid}")).await.text();
    assert!(chart.contains("Enter a screening"), "{chart}");
    // Billing may not open the screening form at all.
    let r = app
        .get(&app.billing, &format!("/patients/{pid}/screening"))
        .await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn review_mode_walks_the_list_and_recommendations_reach_the_practitioner() {
    let app = app().await;
    let pid = patient(&app).await;
    let ep = app
        .json(
            &app.practitioner,
            "POST",
            &format!("/api/v1/patients/{pid}/episodes"),
            json!({"program": "cocm", "referred_on": "2026-11-02"}),
        )
        .await;
    assert_eq!(ep.status, 201, "{}", ep.text());
    let eid = ep.json()["id"].as_str().unwrap().to_owned();
    let c = post_form(
        &app,
        &app.care_manager,
        &format!("/episodes/{eid}/consent"),
        "consented_on=2026-11-03&method=written&cost_sharing_explained=yes&consult_permission=yes",
    )
    .await;
    assert_eq!(c.status, 303);
    let version = app
        .get(&app.care_manager, &format!("/api/v1/episodes/{eid}"))
        .await
        .json()["episode"]["version"]
        .as_i64()
        .unwrap();
    let e = post_form(
        &app,
        &app.care_manager,
        &format!("/episodes/{eid}/status"),
        &format!("version={version}&transition=enroll&on=2026-11-03&plan=&reason="),
    )
    .await;
    assert_eq!(e.status, 303, "{}", e.text());

    // The new patient is the first of the review list.
    let page = app.get(&app.psychiatrist, "/review").await;
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(
        html.contains("patient 1 of 1") && html.contains("Field, Fern"),
        "{html}"
    );
    // Nothing written: refused, nothing recorded.
    let empty = post_form(
        &app,
        &app.psychiatrist,
        "/review",
        &format!("n=0&episode={eid}&review_on=2026-11-27&notes=&rec_1=&rec_2=&rec_3="),
    )
    .await;
    assert_eq!(empty.status, 422);
    assert!(empty.text().contains("notes-err"));
    let saved = post_form(
        &app,
        &app.psychiatrist,
        "/review",
        &format!("n=0&episode={eid}&review_on=2026-11-27&notes=New+patient&rec_1=Start+sertraline+50+mg&rec_2=&rec_3="),
    )
    .await;
    assert_eq!(saved.status, 303);
    let next = saved.header("location").unwrap().to_owned();
    assert_eq!(next, format!("/review?n=0&reviewed={eid}"));
    // Reviewed, the new patient has left the list: nobody is skipped, nobody is left.
    let end = app.get(&app.psychiatrist, &next).await.text();
    assert!(end.contains("Nobody is on the review list"), "{end}");

    // The treating practitioner decides on the home page.
    let home = app.get(&app.practitioner, "/").await.text();
    assert!(
        home.contains("Start sertraline 50 mg") && home.contains("/decide"),
        "{home}"
    );
    let recs = app
        .get(
            &app.practitioner,
            &format!("/api/v1/episodes/{eid}/recommendations"),
        )
        .await
        .json();
    let rid = recs[0]["id"].as_str().unwrap().to_owned();
    let rv = recs[0]["version"].as_i64().unwrap();
    let no_reason = post_form(
        &app,
        &app.practitioner,
        &format!("/recommendations/{rid}/decide"),
        &format!("version={rv}&decision=decline&reason="),
    )
    .await;
    assert_eq!(no_reason.status, 422);
    let accept = post_form(
        &app,
        &app.practitioner,
        &format!("/recommendations/{rid}/decide"),
        &format!("version={rv}&decision=accept&reason="),
    )
    .await;
    assert_eq!(accept.status, 303);
    let after = app
        .get(
            &app.practitioner,
            &format!("/api/v1/episodes/{eid}/recommendations"),
        )
        .await
        .json();
    assert_eq!(after[0]["status"], "accepted");
    // Another practitioner cannot decide on it.
    let other = post_form(
        &app,
        &app.practitioner2,
        &format!("/recommendations/{rid}/decide"),
        &format!("version={rv}&decision=accept&reason="),
    )
    .await;
    assert_eq!(other.status, 404);
}

#[tokio::test]
async fn the_administrator_manages_staff_accounts_in_the_browser() {
    let app = app().await;
    let admin = app.session(&app.admin.email).await;
    let page = app
        .send(app.call("GET", "/admin/users").header("cookie", &admin))
        .await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains(&app.care_manager.email));
    let post = |path: &str, body: &str| app.call("POST", path).header("cookie", &admin).form(body);
    // A common password is refused beside its field; what was typed stays.
    let weak = app
        .send(post(
            "/admin/users",
            "email=new.cm%40north.test&display_name=New+CM&role=care_manager&npi=&password=password1234",
        ))
        .await;
    assert_eq!(weak.status, 422, "{}", weak.text());
    let html = weak.text();
    assert!(html.contains("id=\"password-err\""), "{html}");
    assert!(html.contains("value=\"new.cm@north.test\""));
    assert!(html.contains("value=\"care_manager\" checked"));
    let ok = app
        .send(post(
            "/admin/users",
            "email=new.cm%40north.test&display_name=New+CM&role=care_manager&npi=&password=a+long+and+unusual+phrase",
        ))
        .await;
    assert_eq!(ok.status, 303, "{}", ok.text());
    let users = app.store.users(app.practice).await.unwrap();
    let new = users
        .iter()
        .find(|u| u.email == "new.cm@north.test")
        .unwrap();
    assert_eq!(new.roles, vec![stepwise_domain::role::Role::CareManager]);
    // Roles: none ticked is refused; then care manager and front desk.
    let none = app
        .send(post(
            &format!("/admin/users/{}/roles", new.id),
            &format!("version={}", new.version),
        ))
        .await;
    assert_eq!(none.status, 422);
    let both = app
        .send(post(
            &format!("/admin/users/{}/roles", new.id),
            &format!("version={}&role=care_manager&role=front_desk", new.version),
        ))
        .await;
    assert_eq!(both.status, 303);
    let changed = app.store.user(app.practice, new.id).await.unwrap();
    assert_eq!(changed.roles.len(), 2);
    // Disable: another account yes, one's own no.
    let d = app
        .send(post(&format!("/admin/users/{}/disable", new.id), ""))
        .await;
    assert_eq!(d.status, 303);
    assert!(app.store.user(app.practice, new.id).await.unwrap().disabled);
    let own = app
        .send(post(&format!("/admin/users/{}/disable", app.admin.id), ""))
        .await;
    assert_eq!(own.status, 422);
    assert!(
        !app.store
            .user(app.practice, app.admin.id)
            .await
            .unwrap()
            .disabled
    );
    // An API token is not a recent sign-in: sent to re-authenticate, nothing changed.
    let by_token = app
        .send(app.call("POST", "/admin/users").token(&app.admin).form(
            "email=x%40north.test&display_name=X&role=front_desk&password=another+long+phrase+here",
        ))
        .await;
    assert_eq!(by_token.status, 303);
    assert!(by_token.header("location").unwrap().starts_with("/reauth"));
    assert!(
        !app.store
            .users(app.practice)
            .await
            .unwrap()
            .iter()
            .any(|u| u.email == "x@north.test")
    );
    // Only the administrator sees the page.
    assert_eq!(app.get(&app.care_manager, "/admin/users").await.status, 404);
}

/// The front desk registers a patient from the browser: a refused form keeps what was typed and
/// stores nothing; a registered patient opens on the chart with the care team assigned.
#[tokio::test]
async fn the_front_desk_registers_a_patient() {
    let app = app().await;
    let desk = &app.front_desk;
    let form = app.get(desk, "/patients/new").await;
    assert_eq!(form.status, 200, "{}", form.text());
    assert!(form.text().contains(&app.care_manager.id.to_string()));
    assert_eq!(app.get(&app.billing, "/patients/new").await.status, 404);
    assert_eq!(app.get(&app.admin, "/patients/new").await.status, 404);

    let body = |mrn: &str, family: &str, born: &str| {
        format!(
            "mrn={mrn}&given_name=Ana&family_name={family}&birth_date={born}&sex=female&phone=&email=&address=&preferred_language=es&payer_kind=medicare&payer_name=&treating_practitioner={}&care_manager={}",
            app.practitioner.id, app.care_manager.id
        )
    };
    let bad = post_form(&app, desk, "/patients/new", &body("R-77", "", "1980-02-30")).await;
    assert_eq!(bad.status, 422);
    let html = bad.text();
    assert!(html.contains("id=\"f-family_name-err\""), "{html}");
    assert!(html.contains("id=\"f-birth_date-err\""), "{html}");
    assert!(html.contains("value=\"R-77\"") && html.contains("value=\"1980-02-30\""));
    let found = app
        .json(
            desk,
            "POST",
            "/api/v1/patients/search",
            json!({"q": "R-77"}),
        )
        .await;
    assert_eq!(found.json(), json!([]));

    let ok = post_form(
        &app,
        desk,
        "/patients/new",
        &body("R-77", "Ruiz", "1980-02-28"),
    )
    .await;
    assert_eq!(ok.status, 303, "{}", ok.text());
    let chart = ok.header("location").unwrap().to_owned();
    let pid = chart.trim_start_matches("/patients/");
    let p = app
        .get(desk, &format!("/api/v1/patients/{pid}"))
        .await
        .json();
    assert_eq!(p["family_name"], "Ruiz");
    assert_eq!(p["care_manager"], json!(app.care_manager.id));
    assert_eq!(p["preferred_language"], "es");
    // The same MRN again is refused beside the MRN.
    let again = post_form(
        &app,
        desk,
        "/patients/new",
        &body("R-77", "Ruiz", "1980-02-28"),
    )
    .await;
    assert_eq!(again.status, 422);
    assert!(
        again.text().contains("id=\"f-mrn-err\""),
        "{}",
        again.text()
    );
}

async fn care_plan_of(app: &App, eid: &str) -> serde_json::Value {
    app.get(&app.care_manager, &format!("/api/v1/episodes/{eid}"))
        .await
        .json()["care_plan"]
        .clone()
}

/// The care plan from the chart: target and follow-up interval; a refused form keeps what was
/// typed and changes nothing; a stale form is refused; only the care team may change it.
#[tokio::test]
async fn the_care_plan_from_the_chart() {
    let app = app().await;
    let pid = patient(&app).await;
    let cm = &app.care_manager;
    let r = app
        .json(
            cm,
            "POST",
            &format!("/api/v1/patients/{pid}/episodes"),
            json!({"program": "cocm", "referred_on": "2026-11-02"}),
        )
        .await;
    let eid = r.json()["id"].as_str().unwrap().to_owned();
    let path = format!("/episodes/{eid}/care-plan");
    let form = app.get(cm, &path).await;
    assert_eq!(form.status, 200, "{}", form.text());
    assert!(
        form.text().contains("name=\"version\" value=\"1\""),
        "{}",
        form.text()
    );
    assert_eq!(app.get(&app.ma, &path).await.status, 404);
    let before = care_plan_of(&app, &eid).await;

    let bad = post_form(
        &app,
        cm,
        &path,
        "version=1&target_instrument=phq9&target_below=x5&follow_up_weeks=5&goals=Walk+daily",
    )
    .await;
    assert_eq!(bad.status, 422);
    let html = bad.text();
    assert!(html.contains("id=\"f-target_below-err\""), "{html}");
    assert!(html.contains("value=\"x5\"") && html.contains("Walk daily"));
    assert_eq!(care_plan_of(&app, &eid).await, before);

    let ok = post_form(
        &app,
        cm,
        &path,
        "version=1&target_instrument=phq9&target_below=10&follow_up_weeks=4&goals=Walk+daily",
    )
    .await;
    assert_eq!(ok.status, 303, "{}", ok.text());
    let after = care_plan_of(&app, &eid).await;
    assert_eq!(
        (
            after["target_below"].as_i64(),
            after["follow_up_weeks"].as_i64()
        ),
        (Some(10), Some(4))
    );
    assert_eq!(after["goals"], "Walk daily");

    let weeks = post_form(
        &app,
        cm,
        &path,
        "version=2&target_instrument=phq9&target_below=5&follow_up_weeks=5&goals=",
    )
    .await;
    assert_eq!(weeks.status, 422);
    assert!(
        weeks.text().contains("id=\"f-follow_up_weeks-err\""),
        "{}",
        weeks.text()
    );
    let stale = post_form(
        &app,
        cm,
        &path,
        "version=1&target_instrument=phq9&target_below=5&follow_up_weeks=2&goals=",
    )
    .await;
    assert_eq!(stale.status, 422);
    assert_eq!(care_plan_of(&app, &eid).await, after);
}
