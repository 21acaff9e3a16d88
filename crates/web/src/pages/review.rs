//! The consulting psychiatrist's review mode: the case-review list walked patient by patient,
//! each with the registry's row, score charts, current treatment and earlier recommendations,
//! and a form that records the review of that patient with new recommendations. And the
//! treating practitioner's decision on a recommendation.

use super::forms::{Fields, FormErrors, get, refused, see_other};
use super::registry::{RowView, row_view};
use super::trajectory::{ChartView, episode_charts};
use super::{Chrome, render};
use crate::access::{Can, OnRecord, RecommendationKey, op};
use crate::disclosure::Viewer;
use crate::error::ApiError;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use stepwise_domain::case_review::RecommendationAction;
use stepwise_domain::ids::EpisodeId;
use stepwise_domain::patient::parse_date;
use stepwise_store::RecommendationFilter;
use stepwise_store::model::NewCaseReviewItem;

#[derive(Deserialize)]
pub struct At {
    /// Position in the review list, from 0.
    n: Option<usize>,
    /// The episode just reviewed: if it is still at position `n` (it stays on the list, e.g.
    /// not improving), the walk goes on after it; if it left, the next one has moved up to `n`.
    reviewed: Option<EpisodeId>,
}

#[derive(Template)]
#[template(path = "review.html")]
struct ReviewPage {
    chrome: Chrome,
    n: usize,
    total: usize,
    done: bool,
    patient_id: String,
    episode_id: String,
    row: Option<RowView>,
    reasons: String,
    charts: Vec<ChartView>,
    /// The 42 CFR 2.32 notice, when the charts show records labelled Part 2.
    notice: Option<&'static str>,
    plan: Option<String>,
    earlier: Vec<(String, String, String)>,
    notes: String,
    recs: [String; 3],
    errors: FormErrors,
    summary: Vec<String>,
    today: String,
}

async fn review_page(
    state: &AppState,
    can: &Can<op::RecordCaseReview>,
    n: usize,
    reviewed: Option<EpisodeId>,
    entered: Option<&Fields>,
    errors: FormErrors,
) -> Result<Response, ApiError> {
    let settings = &can.auth.practice.settings.registry;
    let list = state.store.review_list(&can.ctx, settings).await?;
    let n = match (reviewed, list.get(n)) {
        (Some(r), Some(e)) if e.episode == r => n + 1,
        _ => n,
    };
    let chrome = Chrome::new(&can.auth, state.config.demo.is_some());
    let mut page = ReviewPage {
        chrome,
        n,
        total: list.len(),
        done: n >= list.len(),
        patient_id: String::new(),
        episode_id: String::new(),
        row: None,
        reasons: String::new(),
        charts: Vec::new(),
        notice: None,
        plan: None,
        earlier: Vec::new(),
        notes: entered.map(|f| get(f, "notes")).unwrap_or_default(),
        recs: [1, 2, 3].map(|i| {
            entered
                .map(|f| get(f, &format!("rec_{i}")))
                .unwrap_or_default()
        }),
        summary: {
            let mut s = errors.general.clone();
            s.extend(errors.unplaced(&["review_on", "notes", "recommendations"]));
            s
        },
        errors,
        today: can.ctx.today.to_string(),
    };
    if let Some(entry) = list.get(n) {
        page.patient_id = entry.patient.id.to_string();
        page.episode_id = entry.episode.to_string();
        page.row = Some(row_view(&entry.patient, &entry.row));
        page.reasons = entry
            .reasons
            .iter()
            .map(|r| r.code().replace('_', " "))
            .collect::<Vec<_>>()
            .join(", ");
        let relation = state
            .store
            .relationship(can.ctx.practice, can.auth.user.id, entry.patient.id)
            .await?
            .map(|r| r.relation())
            .unwrap_or_default();
        let viewer = Viewer::for_patient(state, &can.auth, entry.patient.id, relation).await?;
        let assessments = viewer
            .assessments(
                state
                    .store
                    .patient_assessments(&can.ctx, entry.patient.id, None)
                    .await?,
            )
            .items;
        page.charts = episode_charts(&assessments, Some(entry.episode));
        page.notice = assessments
            .iter()
            .any(|a| a.label.is_part2() && a.episode == Some(entry.episode))
            .then_some(stepwise_domain::sensitivity::REDISCLOSURE_NOTICE);
        let detail = state.store.episode(&can.ctx, entry.episode).await?;
        let p = &detail.care_plan.plan;
        page.plan = Some(format!(
            "Target: {} below {}; follow-up every {} weeks{}",
            p.target_instrument.name(),
            p.target_below,
            p.follow_up_weeks,
            p.goals
                .as_deref()
                .map(|g| format!(". Goals: {g}"))
                .unwrap_or_default()
        ));
        page.earlier = state
            .store
            .recommendations(&can.ctx, RecommendationFilter::Episode(entry.episode))
            .await?
            .into_iter()
            .map(|r| (r.review_on.to_string(), r.text, r.status.code().to_owned()))
            .collect();
    }
    let errors_shown = !page.errors.is_empty();
    let res = render(&page);
    Ok(if errors_shown { refused(res) } else { res })
}

/// One patient of the review list (`?n=` from 0), or the end of the list.
pub async fn review(
    State(state): State<AppState>,
    can: Can<op::RecordCaseReview>,
    Query(at): Query<At>,
) -> Response {
    match review_page(
        &state,
        &can,
        at.n.unwrap_or(0),
        at.reviewed,
        None,
        FormErrors::default(),
    )
    .await
    {
        Ok(r) => r,
        Err(e) => super::error_page(e),
    }
}

/// Record the review of one patient with its recommendations, then on to the next.
pub async fn record(
    State(state): State<AppState>,
    can: Can<op::RecordCaseReview>,
    Form(fields): Form<Fields>,
) -> Response {
    let n: usize = get(&fields, "n").parse().unwrap_or(0);
    let saved: Result<EpisodeId, ApiError> = async {
        let review_on = parse_date("review_on", &get(&fields, "review_on"))?;
        let episode: EpisodeId = get(&fields, "episode").parse().map_err(|_| {
            ApiError::invalid("episode", "the form is out of date; open the list again")
        })?;
        let notes = get(&fields, "notes");
        let recommendations: Vec<String> = (1..=3)
            .map(|i| get(&fields, &format!("rec_{i}")))
            .filter(|r| !r.is_empty())
            .collect();
        if notes.is_empty() && recommendations.is_empty() {
            return Err(ApiError::invalid(
                "notes",
                "Write a note or at least one recommendation, or skip this patient",
            ));
        }
        state
            .store
            .create_case_review(
                &can.ctx,
                review_on,
                can.auth.user.id,
                None,
                &[NewCaseReviewItem {
                    episode,
                    notes: (!notes.is_empty()).then_some(notes),
                    recommendations,
                }],
            )
            .await?;
        Ok(episode)
    }
    .await;
    match saved {
        // The reviewed patient leaves the list (new, overdue) or stays (safety, not improving):
        // the next page finds out which, so that nobody is skipped.
        Ok(episode) => see_other(&format!("/review?n={n}&reviewed={episode}")),
        Err(e) => match FormErrors::from_api(e) {
            Ok(errors) => match review_page(&state, &can, n, None, Some(&fields), errors).await {
                Ok(r) => r,
                Err(e) => super::error_page(e),
            },
            Err(e) => super::error_page(e),
        },
    }
}

/// The treating practitioner accepts or declines a recommendation (from the home page).
pub async fn decide(
    State(state): State<AppState>,
    on: OnRecord<RecommendationKey, op::DecideRecommendation>,
    Form(fields): Form<Fields>,
) -> Response {
    let version: i64 = match get(&fields, "version").parse() {
        Ok(v) => v,
        Err(_) => {
            return super::error_page(ApiError::invalid(
                "version",
                "the page is out of date; reload it",
            ));
        }
    };
    let action = match get(&fields, "decision").as_str() {
        "accept" => RecommendationAction::Accept,
        "decline" => RecommendationAction::Decline {
            reason: get(&fields, "reason"),
        },
        _ => {
            return super::error_page(ApiError::invalid("decision", "accept or decline"));
        }
    };
    match state
        .store
        .decide_recommendation(&on.ctx, on.id, version, &action)
        .await
    {
        Ok(_) => see_other("/"),
        Err(e) => super::error_page(e.into()),
    }
}

/// Mark an accepted recommendation done (the patient's practitioner or care manager).
pub async fn mark_done(
    State(state): State<AppState>,
    on: OnRecord<RecommendationKey, op::CompleteRecommendation>,
    Form(fields): Form<Fields>,
) -> Response {
    let Ok(version) = get(&fields, "version").parse::<i64>() else {
        return super::error_page(ApiError::invalid(
            "version",
            "the page is out of date; reload it",
        ));
    };
    match state
        .store
        .decide_recommendation(&on.ctx, on.id, version, &RecommendationAction::MarkDone)
        .await
    {
        Ok(_) => see_other("/"),
        Err(e) => super::error_page(e.into()),
    }
}
