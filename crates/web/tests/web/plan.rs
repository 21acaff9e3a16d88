//! The practice's plan over the API: everyone reads it, the administrator saves it with
//! If-Match; refused input is 422 with the field and nothing stored; a stale version is 409;
//! the next step follows the plan as it fills in.

use crate::harness::{App, NOW, app};
use serde_json::{Value, json};
use stepwise_domain::planner::decision_tree::RespondentAnswers;
use stepwise_domain::planner::{
    CareModel, Employment, Fte, PracticePlan, ReadinessAssessment, Respondent, TeamMember,
    TeamMemberId, TreeQuestion, default_workflow,
};
use stepwise_domain::role::Role;
use uuid::Uuid;

async fn put(app: &App, version: &str, plan: &Value) -> crate::harness::Reply {
    app.send(
        app.call("PUT", "/api/v1/plan")
            .token(&app.admin)
            .header("if-match", version)
            .json(plan.clone()),
    )
    .await
}

async fn next_action(app: &App) -> String {
    let r = app.get(&app.front_desk, "/api/v1/plan/next-step").await;
    assert_eq!(r.status, 200, "{}", r.text());
    let next = r.json();
    assert!(!next["reason"].as_str().unwrap().is_empty(), "{next}");
    assert!(!next["message"].as_str().unwrap().is_empty(), "{next}");
    next["action"].as_str().unwrap().to_owned()
}

/// A baseline from the decision tree: not at the same site, no routine exchange (level 1).
fn baseline() -> ReadinessAssessment {
    ReadinessAssessment {
        assessed_on: NOW.date(),
        self_ratings: Vec::new(),
        tree: vec![RespondentAnswers {
            respondent: Respondent {
                name: "Planning team".into(),
                role: Some(Role::PracticeAdmin),
            },
            answers: [
                (TreeQuestion::SameSite, false),
                (TreeQuestion::RoutineExchange, false),
            ]
            .into_iter()
            .collect(),
        }],
        checklist: Default::default(),
    }
}

fn champion() -> TeamMember {
    TeamMember {
        id: TeamMemberId(Uuid::from_u128(1)),
        name: "Dana Office".into(),
        role: Role::PracticeAdmin,
        fte: Fte::FULL,
        employment: Employment::Employed,
        champion: true,
        joined_on: NOW.date(),
        user: None,
    }
}

#[tokio::test]
async fn the_plan_is_saved_in_versions_and_refused_input_stores_nothing() {
    let app = app().await;
    // Before anything is saved: an empty plan at version 0, readable by every role.
    for user in [&app.billing, &app.front_desk, &app.psychiatrist, &app.admin] {
        let r = app.get(user, "/api/v1/plan").await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.header("etag"), Some("\"0\""));
        let body = r.json();
        assert_eq!(body["version"], 0);
        assert!(
            body["document"]["framework_note"]
                .as_str()
                .unwrap()
                .contains("CIHS")
        );
        assert_eq!(
            body["document"]["journey"]["steps"]
                .as_array()
                .unwrap()
                .len(),
            10
        );
    }

    // Only the administrator saves; without If-Match nothing is saved.
    let plan = serde_json::to_value(PracticePlan::default()).unwrap();
    let r = app
        .send(
            app.call("PUT", "/api/v1/plan")
                .token(&app.care_manager)
                .header("if-match", "0")
                .json(plan.clone()),
        )
        .await;
    assert_eq!(r.status, 404);
    let r = app
        .json(&app.admin, "PUT", "/api/v1/plan", plan.clone())
        .await;
    assert_eq!(r.status, 428);

    // Refused by the domain's rules: 422 with the field, nothing stored.
    let mut bad = PracticePlan::default();
    bad.profile.payer_mix.medicare_pct = 80;
    bad.profile.payer_mix.commercial_pct = 40;
    let mut wf = default_workflow(CareModel::Coordinated, NOW.date());
    wf.steps.retain(|s| s.key != "crisis_protocol");
    bad.workflow = Some(wf);
    let r = put(&app, "0", &serde_json::to_value(&bad).unwrap()).await;
    assert_eq!(r.status, 422, "{}", r.text());
    let problem = r.json();
    assert_eq!(
        problem["type"],
        "https://stepwise.invalid/problems/validation"
    );
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(fields.contains(&"profile.payer_mix"), "{fields:?}");
    assert!(
        fields.iter().any(|f| f.starts_with("workflow")),
        "{fields:?}"
    );
    // Malformed: the path of the field.
    let r = put(
        &app,
        "0",
        &json!({"team": [{"id": Uuid::nil(), "name": "X", "role": "wizard", "fte": 1.0,
                "employment": "employed", "joined_on": "2026-11-01"}]}),
    )
    .await;
    assert_eq!(r.status, 422, "{}", r.text());
    assert!(
        r.json()["errors"][0]["field"]
            .as_str()
            .unwrap()
            .starts_with("team[0]"),
        "{}",
        r.text()
    );
    assert_eq!(
        app.get(&app.admin, "/api/v1/plan").await.json()["version"],
        0
    );
    assert_eq!(
        app.get(&app.admin, "/api/v1/plan/history").await.json(),
        json!([])
    );

    // Saved: version 1, read back.
    let mut good = PracticePlan::default();
    good.profile.practitioners = 3;
    good.readiness.push(baseline());
    let r = put(&app, "0", &serde_json::to_value(&good).unwrap()).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("etag"), Some("\"1\""));
    let read = app.get(&app.ma, "/api/v1/plan").await;
    assert_eq!(read.header("etag"), Some("\"1\""));
    let saved: PracticePlan =
        serde_json::from_value(read.json()["document"]["plan"].clone()).unwrap();
    assert_eq!(saved, good);

    // A save from the old version is a conflict, and changes nothing.
    let mut other = good.clone();
    other.profile.practitioners = 9;
    let r = put(&app, "0", &serde_json::to_value(&other).unwrap()).await;
    assert_eq!(r.status, 409, "{}", r.text());
    assert_eq!(
        r.json()["type"],
        "https://stepwise.invalid/problems/conflict"
    );
    let read = app.get(&app.admin, "/api/v1/plan").await.json();
    assert_eq!(read["document"]["plan"]["profile"]["practitioners"], 3);

    // From the current version it saves; both versions are in the history.
    let r = put(&app, "1", &serde_json::to_value(&other).unwrap()).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let history = app.get(&app.billing, "/api/v1/plan/history").await.json();
    let versions: Vec<i64> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["version"].as_i64().unwrap())
        .collect();
    assert_eq!(versions, [2, 1]);
}

#[tokio::test]
async fn the_next_step_follows_the_plan_as_it_fills_in() {
    let app = app().await;
    assert_eq!(next_action(&app).await, "take_baseline");
    let journey = app.get(&app.care_manager, "/api/v1/plan/journey").await;
    assert_eq!(journey.status, 200);
    let journey = journey.json();
    assert_eq!(journey["next"]["action"], "take_baseline");
    assert_eq!(journey["steps"][0]["stage"], "readiness");
    assert_eq!(journey["steps"][0]["status"], "not_started");

    // A baseline: choose a model next.
    let mut plan = PracticePlan::default();
    plan.readiness.push(baseline());
    let r = put(&app, "0", &serde_json::to_value(&plan).unwrap()).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(next_action(&app).await, "choose_model");
    let journey = app
        .get(&app.care_manager, "/api/v1/plan/journey")
        .await
        .json();
    assert_ne!(journey["steps"][0]["status"], "not_started");

    // A model chosen: the team needs a champion.
    plan.choose_model(CareModel::Coordinated, NOW.date());
    let r = put(&app, "1", &serde_json::to_value(&plan).unwrap()).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(next_action(&app).await, "name_champion");

    // A champion named: the workflow is next.
    plan.team.push(champion());
    let r = put(&app, "2", &serde_json::to_value(&plan).unwrap()).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(next_action(&app).await, "write_workflow");

    // The workflow written: something further along.
    plan.workflow = Some(default_workflow(CareModel::Coordinated, NOW.date()));
    let r = put(&app, "3", &serde_json::to_value(&plan).unwrap()).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let later = next_action(&app).await;
    assert!(
        ![
            "take_baseline",
            "choose_model",
            "name_champion",
            "write_workflow"
        ]
        .contains(&later.as_str()),
        "{later}"
    );
}

#[tokio::test]
async fn the_plan_page_shows_the_journey_the_next_step_gaps_and_goals() {
    let app = app().await;
    // Linked for every role, and readable by every role.
    for user in [
        &app.admin,
        &app.practitioner,
        &app.care_manager,
        &app.psychiatrist,
        &app.ma,
        &app.front_desk,
        &app.billing,
    ] {
        let home = app.get(user, "/").await;
        assert_eq!(home.status, 200, "{}", user.email);
        assert!(home.text().contains("href=\"/plan\""), "{}", user.email);
        let page = app.get(user, "/plan").await;
        assert_eq!(page.status, 200, "{}", user.email);
    }
    let page = app.get(&app.billing, "/plan").await.text();
    assert!(page.contains("Your next step"), "{page}");
    assert!(page.contains("No baseline yet: take it now, it takes 10 minutes."));
    assert!(page.contains("Assess readiness"));
    assert!(page.contains("Not started"));
    assert!(page.contains("No goals set yet."));
    assert!(page.contains("No readiness assessment yet"));
    // Printable: the stylesheet hides the navigation in print; no inline style or script.
    assert!(!page.contains("<style") && !page.contains("<script"));
    assert!(!page.contains(" style="));
    let css = app.get(&app.billing, "/assets/app.css").await.text();
    assert!(css.contains("@media print { .top,"), "{css}");

    // A plan with a model, a team with a gap and a goal.
    let mut plan = PracticePlan::default();
    plan.readiness.push(baseline());
    plan.choose_model(CareModel::Cocm, NOW.date());
    let mut lead = champion();
    lead.name = "<b>Dana</b>".into();
    plan.team.push(lead);
    plan.goals.push(stepwise_domain::planner::Goal {
        metric: "custom_screened".into(),
        description: "Screen every adult at the annual visit".into(),
        baseline: Some(10.0),
        target: 60.0,
        current: Some(35.0),
        set_on: NOW.date(),
        due_on: NOW.date() + time::Duration::days(90),
    });
    let r = put(&app, "0", &serde_json::to_value(&plan).unwrap()).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let page = app.get(&app.front_desk, "/plan").await.text();
    assert!(page.contains("plan version 1"), "{page}");
    assert!(page.contains("Collaborative Care"), "{page}");
    // CoCM without a care manager or a psychiatric consultant: blocking gaps.
    assert!(page.contains("Blocking:"), "{page}");
    assert!(page.contains("Screen every adult at the annual visit"));
    assert!(page.contains("50 %"), "{page}");
    assert!(page.contains("In progress"));
    assert!(
        page.contains("&#60;b&#62;Dana") || page.contains("&lt;b&gt;Dana"),
        "the name is shown, escaped"
    );
    assert!(!page.contains("<b>Dana</b>"));
    // The next step shown is the API's.
    let next = app
        .get(&app.front_desk, "/api/v1/plan/next-step")
        .await
        .json();
    let message = next["message"].as_str().unwrap();
    let first_words: String = message.chars().take(20).collect();
    assert!(page.contains(&first_words), "{message}");
}
