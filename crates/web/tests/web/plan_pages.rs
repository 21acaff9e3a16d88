//! The plan's edit pages: readiness (self-ratings by several respondents, the decision tree,
//! the checklist), the choice of model and the team roster. A valid post saves a new version;
//! a refused one shows its error beside the field, keeps what was typed and stores nothing; a
//! stale version is a conflict; a role that may not edit the plan is refused.

use crate::harness::{App, app, post_form};
use serde_json::Value;

async fn plan(app: &App) -> Value {
    let r = app.get(&app.front_desk, "/api/v1/plan").await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()
}

async fn versions(app: &App) -> usize {
    let r = app.get(&app.admin, "/api/v1/plan/history").await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json().as_array().unwrap().len()
}

fn rating(version: i64, who: &str, levels: [&str; 6]) -> String {
    let dims = [
        "where_providers_work",
        "systems",
        "communication",
        "drivers",
        "meetings",
        "understanding",
    ];
    let mut body =
        format!("version={version}&assessed_on=2026-11-27&respondent={who}&respondent_role=");
    for (d, l) in dims.iter().zip(levels) {
        body.push_str(&format!("&{d}={l}"));
    }
    body
}

#[tokio::test]
async fn readiness_is_entered_in_pages_by_several_respondents() {
    let app = app().await;
    // Everyone reads the readiness page; only the administrator is offered the forms.
    let r = app.get(&app.front_desk, "/plan/readiness").await;
    assert_eq!(r.status, 200);
    assert!(r.text().contains("No assessment yet"));
    assert!(!r.text().contains("/plan/readiness/rating"));
    let r = app.get(&app.admin, "/plan/readiness").await;
    assert!(r.text().contains("/plan/readiness/rating?on=2026-11-27"));

    // The form, labelled, with the levels described in our own words.
    let form = app.get(&app.admin, "/plan/readiness/rating").await;
    assert_eq!(form.status, 200);
    let html = form.text();
    assert!(html.contains("<label for=\"f-systems\">"), "{html}");
    assert!(html.contains("name=\"version\" value=\"0\""));
    assert!(html.contains("not a validated or licensed assessment"));

    // Refused: a level out of range and no name. Errors beside the fields, what was typed kept,
    // nothing stored.
    let bad = post_form(
        &app,
        &app.admin,
        "/plan/readiness/rating",
        &rating(0, "", ["3", "9", "", "", "", ""]),
    )
    .await;
    assert_eq!(bad.status, 422, "{}", bad.text());
    let html = bad.text();
    assert!(html.contains("id=\"f-systems-err\""), "{html}");
    assert!(html.contains("id=\"f-respondent-err\""), "{html}");
    assert!(html.contains("<option value=\"3\" selected>"), "{html}");
    assert_eq!(versions(&app).await, 0);

    // Two respondents who disagree on meetings: each save is a new version.
    let ok = post_form(
        &app,
        &app.admin,
        "/plan/readiness/rating",
        &rating(0, "Dr+Ames", ["3", "2", "3", "3", "2", "3"]),
    )
    .await;
    assert_eq!(ok.status, 303, "{}", ok.text());
    let ok = post_form(
        &app,
        &app.admin,
        "/plan/readiness/rating",
        &rating(1, "Care+manager", ["3", "2", "4", "3", "4", "2"]),
    )
    .await;
    assert_eq!(ok.status, 303, "{}", ok.text());
    assert_eq!(versions(&app).await, 2);
    let doc = plan(&app).await;
    assert_eq!(doc["version"], 2);
    let result = &doc["document"]["readiness_results"][0];
    assert_eq!(result["ratings"]["disagreements"][0], "meetings");
    assert_eq!(result["level_basis"], "self_rating");

    // A stale form (shown at version 1) is a conflict and changes nothing.
    let stale = post_form(
        &app,
        &app.admin,
        "/plan/readiness/rating",
        &rating(1, "Front+desk", ["1", "1", "1", "1", "1", "1"]),
    )
    .await;
    assert_eq!(stale.status, 422);
    assert!(stale.text().contains("Someone else changed this record"));
    assert!(stale.text().contains("value=\"Front desk\""));
    assert_eq!(versions(&app).await, 2);

    // The consensus view shows both respondents and where they disagree.
    let page = app.get(&app.billing, "/plan/readiness").await.text();
    assert!(
        page.contains("Dr Ames") && page.contains("Care manager"),
        "{page}"
    );
    assert!(page.contains("class=\"disagree\"") && page.contains("Views differ"));

    // The decision tree: an answer that leaves the path open is refused beside the question
    // that comes next.
    let bad = post_form(
        &app,
        &app.admin,
        "/plan/readiness/tree",
        "version=2&assessed_on=2026-11-27&respondent=Planning+team&respondent_role=practice_admin&q1=yes&q2=&q3=&q4=&q5=",
    )
    .await;
    assert_eq!(bad.status, 422);
    assert!(bad.text().contains("id=\"f-q3-err\""), "{}", bad.text());
    assert_eq!(versions(&app).await, 2);
    let ok = post_form(
        &app,
        &app.admin,
        "/plan/readiness/tree",
        "version=2&assessed_on=2026-11-27&respondent=Planning+team&respondent_role=practice_admin&q1=yes&q2=&q3=no&q4=&q5=",
    )
    .await;
    assert_eq!(ok.status, 303, "{}", ok.text());
    let result = &plan(&app).await["document"]["readiness_results"][0];
    assert_eq!(result["level"], 3);
    assert_eq!(result["level_basis"], "decision_tree");

    // The checklist: a date in the future is refused, then two items saved.
    let mut body = "version=3&assessed_on=2026-12-25".to_owned();
    for item in [
        "implementation_leader",
        "planning_team",
        "shared_vision",
        "practitioner_buy_in",
        "care_manager",
        "psychiatric_consultant",
        "registry",
        "billing_plan",
        "crisis_protocol",
        "metrics_plan",
    ] {
        let status = match item {
            "implementation_leader" => "done",
            "registry" => "in_progress",
            _ => "not_started",
        };
        body.push_str(&format!("&{item}={status}"));
    }
    let bad = post_form(&app, &app.admin, "/plan/readiness/checklist", &body).await;
    assert_eq!(bad.status, 422);
    assert!(bad.text().contains("id=\"f-assessed_on-err\""));
    assert!(bad.text().contains("value=\"2026-12-25\""));
    assert_eq!(versions(&app).await, 3);
    let ok = post_form(
        &app,
        &app.admin,
        "/plan/readiness/checklist",
        &body.replace("2026-12-25", "2026-11-27"),
    )
    .await;
    assert_eq!(ok.status, 303, "{}", ok.text());
    let result = &plan(&app).await["document"]["readiness_results"][0];
    assert_eq!(result["checklist_completion"], 0.15);
    // The form offers the checklist as it stands.
    let form = app
        .get(&app.admin, "/plan/readiness/checklist?on=2026-11-27")
        .await
        .text();
    assert!(
        form.contains("<option value=\"in_progress\" selected>"),
        "{form}"
    );

    // A role that may not edit the plan is refused, and nothing changes.
    for user in [&app.care_manager, &app.front_desk] {
        let r = app.get(user, "/plan/readiness/rating").await;
        assert_eq!(r.status, 404);
        let r = post_form(
            &app,
            user,
            "/plan/readiness/rating",
            &rating(4, "Someone", ["1", "1", "1", "1", "1", "1"]),
        )
        .await;
        assert_eq!(r.status, 404);
    }
    assert_eq!(versions(&app).await, 4);

    // The printed plan carries the assessment as entered.
    let print = app.get(&app.ma, "/plan").await.text();
    assert!(
        print.contains("Latest readiness assessment (2026-11-27)"),
        "{print}"
    );
    assert!(print.contains("Dr Ames") && print.contains("Views differ"));
    assert!(print.contains("Implementation leader: Done"));
    assert!(
        !print.contains("href=\"/plan/model\""),
        "only editors get the edit links"
    );
}

#[tokio::test]
async fn the_model_is_chosen_in_a_page_with_its_registry_defaults() {
    let app = app().await;
    let page = app.get(&app.admin, "/plan/model").await;
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(html.contains("Recommended: Coordinated care"), "{html}");
    // The defaults of each model are shown before choosing.
    assert!(html.contains("PHQ-2, then PHQ-9 if positive") || html.contains("then"));

    // The profile: shares over 100 % are refused beside the field, typed values kept.
    let bad = post_form(
        &app,
        &app.admin,
        "/plan/profile",
        "version=0&practitioners=4&patients=6000&medicare_pct=70&medicaid_pct=20&commercial_pct=30&uninsured_pct=0&population=commercial&scope=behavioral_only",
    )
    .await;
    assert_eq!(bad.status, 422);
    let html = bad.text();
    assert!(html.contains("id=\"f-uninsured_pct-err\""), "{html}");
    assert!(html.contains("more than 100 %"));
    assert!(html.contains("value=\"6000\""));
    assert_eq!(versions(&app).await, 0);
    let ok = post_form(
        &app,
        &app.admin,
        "/plan/profile",
        "version=0&practitioners=4&patients=6000&medicare_pct=40&medicaid_pct=20&commercial_pct=30&uninsured_pct=5&medicaid_pays_cocm=yes&population=commercial&scope=behavioral_only",
    )
    .await;
    assert_eq!(ok.status, 303, "{}", ok.text());

    // Choosing OB / perinatal Collaborative Care sets EPDS screening and a case-review day.
    let bad = post_form(
        &app,
        &app.admin,
        "/plan/model",
        "version=1&model=psychoanalysis&specialty=ob_perinatal",
    )
    .await;
    assert_eq!(bad.status, 422);
    assert!(bad.text().contains("id=\"f-model-err\""));
    assert!(
        bad.text()
            .contains("<option value=\"ob_perinatal\" selected>")
    );
    let stale = post_form(
        &app,
        &app.admin,
        "/plan/model",
        "version=0&model=cocm&specialty=ob_perinatal",
    )
    .await;
    assert_eq!(stale.status, 422);
    assert!(stale.text().contains("Someone else changed this record"));
    assert_eq!(versions(&app).await, 1);
    let ok = post_form(
        &app,
        &app.admin,
        "/plan/model",
        "version=1&model=cocm&specialty=ob_perinatal",
    )
    .await;
    assert_eq!(ok.status, 303, "{}", ok.text());
    let doc = plan(&app).await;
    let choice = &doc["document"]["plan"]["model"];
    assert_eq!(choice["model"], "cocm");
    assert_eq!(
        choice["registry"]["screening"]["steps"][0]["instrument"],
        "epds"
    );
    assert_eq!(
        doc["document"]["plan"]["profile"]["payer_mix"]["medicare_pct"],
        40
    );
    let html = app.get(&app.admin, "/plan/model").await.text();
    assert!(
        html.contains("Chosen: <strong>Collaborative Care"),
        "{html}"
    );
    assert!(html.contains("EPDS"));

    let print = app.get(&app.practitioner, "/plan").await.text();
    assert!(
        print.contains("Registry defaults set by the model"),
        "{print}"
    );
    assert!(print.contains("Medicare 40 %, Medicaid 20 % (pays care management)"));
    assert!(print.contains("OB / perinatal care"));

    let r = post_form(
        &app,
        &app.psychiatrist,
        "/plan/model",
        "version=2&model=coordinated&specialty=primary_care",
    )
    .await;
    assert_eq!(r.status, 404);
    assert_eq!(versions(&app).await, 2);
}

#[tokio::test]
async fn the_team_roster_is_kept_in_a_page_with_capacity_and_gaps() {
    let app = app().await;
    let page = app.get(&app.admin, "/plan/team").await.text();
    assert!(page.contains("No one is on the roster yet"));
    assert!(page.contains("Name a champion"), "{page}");
    // The account list offers the practice's users.
    assert!(page.contains(&format!("<option value=\"{}\"", app.care_manager.id)));

    // Refused: no name, an FTE that is not a number; kept as typed, nothing stored.
    let bad = post_form(
        &app,
        &app.admin,
        "/plan/team",
        "version=0&member=&name=&role=care_manager&fte=half&employment=employed&joined_on=2026-11-01&user=",
    )
    .await;
    assert_eq!(bad.status, 422);
    let html = bad.text();
    assert!(
        html.contains("id=\"f-name-err\"") && html.contains("id=\"f-fte-err\""),
        "{html}"
    );
    assert!(html.contains("value=\"half\""));
    assert_eq!(versions(&app).await, 0);

    // A care manager at 0.5 FTE, linked to their account, and a contracted psychiatrist.
    let ok = post_form(
        &app,
        &app.admin,
        "/plan/team",
        &format!(
            "version=0&member=&name=Dana+Lee&role=care_manager&fte=0.5&employment=employed&champion=yes&joined_on=2026-11-01&user={}",
            app.care_manager.id
        ),
    )
    .await;
    assert_eq!(ok.status, 303, "{}", ok.text());
    let ok = post_form(
        &app,
        &app.admin,
        "/plan/team",
        "version=1&member=&name=Dr+Psych&role=psychiatrist&fte=0.1&employment=contracted&joined_on=2026-11-01&user=",
    )
    .await;
    assert_eq!(ok.status, 303, "{}", ok.text());
    let doc = plan(&app).await;
    let team = doc["document"]["plan"]["team"].as_array().unwrap().clone();
    assert_eq!(team.len(), 2);
    assert_eq!(team[0]["user"], app.care_manager.id.to_string());
    assert_eq!(team[0]["fte"], 0.5);
    assert_eq!(doc["document"]["caseload_capacity"]["low"], 25);
    let page = app.get(&app.admin, "/plan/team").await.text();
    assert!(page.contains("25 to 37 patients"), "{page}");
    let account = app.care_manager.email.split('@').next().unwrap().to_owned();
    assert!(page.contains(&format!("<td>{account}</td>")), "{page}");
    assert!(!page.contains("Name a champion"));

    // Edit: the form shows the member; a stale version is a conflict.
    let id = team[0]["id"].as_str().unwrap().to_owned();
    let form = app
        .get(&app.admin, &format!("/plan/team?member={id}"))
        .await
        .text();
    assert!(form.contains("value=\"Dana Lee\"") && form.contains("Save the changes"));
    let edit = format!(
        "member={id}&name=Dana+Lee&role=care_manager&fte=1&employment=remote&champion=yes&joined_on=2026-11-01&user="
    );
    let stale = post_form(&app, &app.admin, "/plan/team", &format!("version=1&{edit}")).await;
    assert_eq!(stale.status, 422);
    assert!(stale.text().contains("Someone else changed this record"));
    let ok = post_form(&app, &app.admin, "/plan/team", &format!("version=2&{edit}")).await;
    assert_eq!(ok.status, 303, "{}", ok.text());
    let team = plan(&app).await["document"]["plan"]["team"].clone();
    assert_eq!(team.as_array().unwrap().len(), 2);
    assert_eq!(team[0]["employment"], "remote");
    assert!(team[0].get("user").is_none());

    let print = app.get(&app.admin, "/plan").await.text();
    assert!(print.contains("href=\"/plan/team\""));
    assert!(print.contains("<td>Contracted</td>"), "{print}");

    // Remove, and a removal of someone already gone is refused.
    let ok = post_form(
        &app,
        &app.admin,
        "/plan/team/remove",
        &format!("version=3&member={id}"),
    )
    .await;
    assert_eq!(ok.status, 303, "{}", ok.text());
    let gone = post_form(
        &app,
        &app.admin,
        "/plan/team/remove",
        &format!("version=4&member={id}"),
    )
    .await;
    assert_eq!(gone.status, 422);
    assert!(gone.text().contains("no longer on the roster"));
    assert_eq!(
        plan(&app).await["document"]["plan"]["team"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // Roles that may not edit the plan are refused.
    let r = post_form(&app, &app.billing, "/plan/team/remove", "version=4&member=").await;
    assert_eq!(r.status, 404);
    let r = app.get(&app.ma, "/plan/team").await;
    assert_eq!(r.status, 404);
    assert_eq!(versions(&app).await, 4);
}

#[tokio::test]
async fn goals_are_set_changed_and_removed_in_a_page() {
    let app = app().await;
    let page = app.get(&app.admin, "/plan/goals").await.text();
    assert!(page.contains("No goals set yet."));
    assert!(
        page.contains("value=\"2027-02-25\""),
        "due 90 days after 2026-11-27: {page}"
    );

    // Refused: no description, a target that is not a number; kept as typed, nothing stored.
    let bad = post_form(
        &app,
        &app.admin,
        "/plan/goals",
        "version=0&goal=&description=&metric=screening_follow_up&baseline=40&target=lots&current=&due_on=2027-02-25",
    )
    .await;
    assert_eq!(bad.status, 422);
    let html = bad.text();
    assert!(
        html.contains("id=\"f-description-err\"") && html.contains("id=\"f-target-err\""),
        "{html}"
    );
    assert!(html.contains("value=\"lots\"") && html.contains("value=\"40\""));
    assert_eq!(versions(&app).await, 0);

    let goal = "description=Follow+up+new+patients+within+4+weeks&metric=screening_follow_up&baseline=40&target=70&due_on=2027-02-25";
    let ok = post_form(
        &app,
        &app.admin,
        "/plan/goals",
        &format!("version=0&goal=&current=&{goal}"),
    )
    .await;
    assert_eq!(ok.status, 303, "{}", ok.text());
    // The latest value: halfway from 40 to 70.
    let stale = post_form(
        &app,
        &app.admin,
        "/plan/goals",
        &format!("version=0&goal=0&current=55&{goal}"),
    )
    .await;
    assert_eq!(stale.status, 422);
    assert!(stale.text().contains("Someone else changed this record"));
    let ok = post_form(
        &app,
        &app.admin,
        "/plan/goals",
        &format!("version=1&goal=0&current=55&{goal}"),
    )
    .await;
    assert_eq!(ok.status, 303, "{}", ok.text());
    let doc = plan(&app).await;
    assert_eq!(
        doc["document"]["plan"]["goals"].as_array().unwrap().len(),
        1
    );
    assert_eq!(doc["document"]["plan"]["goals"][0]["current"], 55.0);
    assert_eq!(doc["document"]["goals"][0]["progress"], 0.5);
    let print = app.get(&app.front_desk, "/plan").await.text();
    assert!(
        print.contains("Follow up new patients within 4 weeks"),
        "{print}"
    );
    assert!(print.contains("50 %"));

    // Only the administrator changes goals.
    let r = post_form(
        &app,
        &app.care_manager,
        "/plan/goals/remove",
        "version=2&goal=0",
    )
    .await;
    assert_eq!(r.status, 404);
    let ok = post_form(&app, &app.admin, "/plan/goals/remove", "version=2&goal=0").await;
    assert_eq!(ok.status, 303, "{}", ok.text());
    let gone = post_form(&app, &app.admin, "/plan/goals/remove", "version=3&goal=0").await;
    assert_eq!(gone.status, 422);
    assert!(gone.text().contains("no longer in the plan"));
    assert_eq!(versions(&app).await, 3);
}

#[tokio::test]
async fn training_sessions_and_completions_are_recorded_in_a_page() {
    let app = app().await;
    let page = app.get(&app.admin, "/plan/training").await.text();
    assert!(page.contains("No curriculum yet"), "{page}");
    // A model sets the curriculum; two people join the team.
    let ok = post_form(
        &app,
        &app.admin,
        "/plan/model",
        "version=0&model=cocm&specialty=primary_care",
    )
    .await;
    assert_eq!(ok.status, 303, "{}", ok.text());
    for (v, name, role) in [
        (1, "Dana", "care_manager"),
        (2, "Dr+Lin", "treating_practitioner"),
    ] {
        let ok = post_form(
            &app,
            &app.admin,
            "/plan/team",
            &format!("version={v}&member=&name={name}&role={role}&fte=1&employment=employed&joined_on=2026-11-01&user="),
        )
        .await;
        assert_eq!(ok.status, 303, "{}", ok.text());
    }
    let doc = plan(&app).await;
    let module = doc["document"]["plan"]["training"]["modules"][0]["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let team = doc["document"]["plan"]["team"].as_array().unwrap().clone();
    let (dana, lin) = (
        team[0]["id"].as_str().unwrap().to_owned(),
        team[1]["id"].as_str().unwrap().to_owned(),
    );
    let due_before = doc["document"]["training_due"].as_array().unwrap().len();
    assert!(due_before > 0);
    let page = app.get(&app.admin, "/plan/training").await.text();
    assert!(
        page.contains("Who needs training") && page.contains("First training"),
        "{page}"
    );

    // Attendance at a session that has not happened yet is refused beside the people; what was
    // ticked is kept; nothing stored.
    let bad = post_form(
        &app,
        &app.admin,
        "/plan/training/session",
        &format!(
            "version=3&session=&module={module}&held_on=2026-12-10&invited={dana}&attended={lin}"
        ),
    )
    .await;
    assert_eq!(bad.status, 422);
    let html = bad.text();
    assert!(html.contains("id=\"members-err\""), "{html}");
    assert!(
        html.contains(&format!(
            "id=\"att-{lin}\" name=\"attended\" value=\"{lin}\" checked"
        )),
        "{html}"
    );
    assert!(html.contains("value=\"2026-12-10\""));
    assert_eq!(versions(&app).await, 3);

    // Held today with both attending: their first training is done.
    let ok = post_form(
        &app,
        &app.admin,
        "/plan/training/session",
        &format!("version=3&session=&module={module}&held_on=2026-11-27&invited={dana}&attended={dana}&attended={lin}"),
    )
    .await;
    assert_eq!(ok.status, 303, "{}", ok.text());
    let doc = plan(&app).await;
    assert_eq!(
        doc["document"]["plan"]["training"]["sessions"][0]["attended"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert!(doc["document"]["training_due"].as_array().unwrap().len() < due_before);

    // Training done alone: a member not on the roster is refused, then recorded.
    let bad = post_form(
        &app,
        &app.admin,
        "/plan/training/completion",
        &format!("version=4&completion_member=&completion_module={module}&completed_on=2026-11-20"),
    )
    .await;
    assert_eq!(bad.status, 422);
    assert!(bad.text().contains("id=\"f-completion_member-err\""));
    let stale = post_form(
        &app,
        &app.admin,
        "/plan/training/completion",
        &format!(
            "version=3&completion_member={lin}&completion_module={module}&completed_on=2026-11-20"
        ),
    )
    .await;
    assert_eq!(stale.status, 422);
    assert!(stale.text().contains("Someone else changed this record"));
    let ok = post_form(
        &app,
        &app.admin,
        "/plan/training/completion",
        &format!(
            "version=4&completion_member={lin}&completion_module={module}&completed_on=2026-11-20"
        ),
    )
    .await;
    assert_eq!(ok.status, 303, "{}", ok.text());
    assert_eq!(
        plan(&app).await["document"]["plan"]["training"]["completions"][0]["member"],
        lin
    );

    // The printed plan shows the sessions; other roles may not record training.
    let print = app.get(&app.front_desk, "/plan").await.text();
    assert!(print.contains("Training sessions"), "{print}");
    assert!(print.contains("Dana, Dr Lin"));
    let r = post_form(
        &app,
        &app.psychiatrist,
        "/plan/training/session/remove",
        "version=5&session=0",
    )
    .await;
    assert_eq!(r.status, 404);
    let ok = post_form(
        &app,
        &app.admin,
        "/plan/training/session/remove",
        "version=5&session=0",
    )
    .await;
    assert_eq!(ok.status, 303);
    assert_eq!(versions(&app).await, 6);
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

/// The workflow grid as a form body: every step's name and each role's part.
fn grid(
    workflow: &Value,
    version: i64,
    review_on: &str,
    change: impl Fn(usize, &str, &str) -> String,
) -> String {
    let mut body = format!("version={version}&review_on={review_on}");
    for (i, step) in workflow["steps"].as_array().unwrap().iter().enumerate() {
        body.push_str(&format!(
            "&s{i}.name={}",
            encode(step["name"].as_str().unwrap())
        ));
        for role in stepwise_domain::role::Role::ALL {
            let has = |col: &str| {
                step[col]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|r| r == role.code())
            };
            let part = if has("responsible") {
                "r"
            } else if has("supporting") {
                "s"
            } else if has("informed") {
                "i"
            } else {
                ""
            };
            body.push_str(&format!(
                "&s{i}.{}={}",
                role.code(),
                change(i, role.code(), part)
            ));
        }
    }
    body
}

#[tokio::test]
async fn the_workflow_grid_is_edited_in_a_page() {
    let app = app().await;
    let page = app.get(&app.admin, "/plan/workflow").await.text();
    assert!(page.contains("Choose a model"), "{page}");
    // Without a model the default cannot be chosen: refused, nothing stored.
    let r = post_form(&app, &app.admin, "/plan/workflow/start", "version=0").await;
    assert_eq!(r.status, 422);
    assert!(r.text().contains("choose a model first"));
    assert_eq!(versions(&app).await, 0);
    let ok = post_form(
        &app,
        &app.admin,
        "/plan/model",
        "version=0&model=cocm&specialty=primary_care",
    )
    .await;
    assert_eq!(ok.status, 303);
    let ok = post_form(&app, &app.admin, "/plan/workflow/start", "version=1").await;
    assert_eq!(ok.status, 303, "{}", ok.text());
    let workflow = plan(&app).await["document"]["plan"]["workflow"].clone();
    assert_eq!(workflow["version"], 1);
    let page = app.get(&app.admin, "/plan/workflow").await.text();
    assert!(
        page.contains("Crisis and suicidality protocol") && page.contains("(required)"),
        "{page}"
    );

    // Nobody responsible for the first step and a review date that is not a date: refused
    // beside the row and the date, what was chosen kept, nothing stored.
    let bad = grid(&workflow, 2, "soon", |i, _, part| {
        if i == 0 && part == "r" {
            "s".into()
        } else {
            part.into()
        }
    });
    let r = post_form(&app, &app.admin, "/plan/workflow", &bad).await;
    assert_eq!(r.status, 422, "{}", r.text());
    let html = r.text();
    assert!(
        html.contains("id=\"s0-err\"") && html.contains("at least one role must be responsible"),
        "{html}"
    );
    assert!(html.contains("id=\"f-review_on-err\"") && html.contains("value=\"soon\""));
    assert!(html.contains("<select id=\"s0.ma_nurse\" name=\"s0.ma_nurse\"><option value=\"\">—</option><option value=\"r\">Responsible</option><option value=\"s\" selected>"), "{html}");
    assert_eq!(versions(&app).await, 2);

    // Billing informed of the first step, review in three months: workflow version 2.
    let good = grid(&workflow, 2, "2027-02-27", |i, role, part| {
        if i == 0 && role == "billing" {
            "i".into()
        } else {
            part.into()
        }
    });
    let stale = post_form(
        &app,
        &app.admin,
        "/plan/workflow",
        &good.replace("version=2", "version=1"),
    )
    .await;
    assert_eq!(stale.status, 422);
    assert!(stale.text().contains("Someone else changed this record"));
    let ok = post_form(&app, &app.admin, "/plan/workflow", &good).await;
    assert_eq!(ok.status, 303, "{}", ok.text());
    let w = plan(&app).await["document"]["plan"]["workflow"].clone();
    assert_eq!(w["version"], 2);
    assert_eq!(w["review_on"], "2027-02-27");
    assert!(
        w["steps"][0]["informed"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r == "billing")
    );

    let print = app.get(&app.billing, "/plan").await.text();
    assert!(
        print.contains("Version 2 for Collaborative Care")
            && print.contains("next review 2027-02-27"),
        "{print}"
    );
    let r = post_form(
        &app,
        &app.care_manager,
        "/plan/workflow",
        &good.replace("version=2", "version=3"),
    )
    .await;
    assert_eq!(r.status, 404);
    assert_eq!(versions(&app).await, 3);
}
