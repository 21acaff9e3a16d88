//! Psychiatric case reviews and their recommendations.

use crate::conformance;
use crate::episodes::enrolled_patient;
use crate::harness::{ctx, practice};
use stepwise_domain::case_review::{RecommendationAction, RecommendationStatus};
use stepwise_domain::episode::Program;
use stepwise_domain::role::Role;
use stepwise_store::model::NewCaseReviewItem;
use stepwise_store::{RecommendationFilter, Store, StoreError};
use time::macros::date;

async fn case_reviews(store: &Store) {
    let p = practice(store, "North Clinic").await;
    let (pt1, ep1) = enrolled_patient(store, &p, "A-1", Program::Cocm).await;
    let (_, ep2) = enrolled_patient(store, &p, "A-2", Program::Cocm).await;
    let (_, bhi) = enrolled_patient(store, &p, "A-3", Program::GeneralBhi).await;
    let psych = ctx(p.id, p.psychiatrist, Role::Psychiatrist);
    let review = store
        .create_case_review(
            &psych,
            date!(2026 - 11 - 25),
            p.psychiatrist,
            Some("Weekly review"),
            &[
                NewCaseReviewItem {
                    episode: ep1.id,
                    notes: Some("No response at 10 weeks".into()),
                    recommendations: vec![
                        "Increase sertraline to 100 mg".into(),
                        "Add behavioral activation".into(),
                    ],
                },
                NewCaseReviewItem {
                    episode: ep2.id,
                    notes: None,
                    recommendations: vec![],
                },
            ],
        )
        .await
        .unwrap();
    assert_eq!(review.items.len(), 2);
    assert_eq!(review.items[0].recommendations.len(), 2);
    assert!(
        review.items[0]
            .recommendations
            .iter()
            .all(|r| r.status == RecommendationStatus::Proposed)
    );
    assert_eq!(store.case_review(&psych, review.id).await.unwrap(), review);
    let listed = store
        .case_reviews(p.id, date!(2026 - 11 - 01), date!(2026 - 11 - 30))
        .await
        .unwrap();
    assert_eq!(
        listed,
        vec![(review.id, date!(2026 - 11 - 25), p.psychiatrist, 2)]
    );

    // Refused: a non-psychiatrist consultant, a BHI episode, a duplicate, an empty review.
    let item = |e| NewCaseReviewItem {
        episode: e,
        notes: None,
        recommendations: vec![],
    };
    assert!(
        store
            .create_case_review(
                &psych,
                date!(2026 - 11 - 25),
                p.care_manager,
                None,
                &[item(ep1.id)]
            )
            .await
            .is_err()
    );
    let err = store
        .create_case_review(
            &psych,
            date!(2026 - 11 - 25),
            p.psychiatrist,
            None,
            &[item(bhi.id)],
        )
        .await
        .unwrap_err();
    let StoreError::Invalid(v) = err else {
        panic!("{err:?}")
    };
    assert_eq!(v.errors[0].field, "items[0].episode");
    assert!(
        store
            .create_case_review(
                &psych,
                date!(2026 - 11 - 25),
                p.psychiatrist,
                None,
                &[item(ep1.id), item(ep1.id)]
            )
            .await
            .is_err()
    );
    assert!(
        store
            .create_case_review(&psych, date!(2026 - 11 - 25), p.psychiatrist, None, &[])
            .await
            .is_err()
    );
    // Nothing of the refused reviews was stored.
    assert_eq!(
        store
            .case_reviews(p.id, date!(2026 - 01 - 01), date!(2026 - 12 - 31))
            .await
            .unwrap()
            .len(),
        1
    );

    let dr = ctx(p.id, p.practitioner, Role::TreatingPractitioner);
    let open = store
        .recommendations(
            &dr,
            RecommendationFilter::OpenForPractitioner(p.practitioner),
        )
        .await
        .unwrap();
    assert_eq!(open.len(), 2);
    assert!(
        store
            .recommendations(
                &dr,
                RecommendationFilter::OpenForPractitioner(p.practitioner2)
            )
            .await
            .unwrap()
            .is_empty()
    );
    let (a, b) = (&open[0], &open[1]);
    let accepted = store
        .decide_recommendation(&dr, a.id, a.version, &RecommendationAction::Accept)
        .await
        .unwrap();
    assert_eq!(accepted.status, RecommendationStatus::Accepted);
    assert_eq!(accepted.decided_by, Some(p.practitioner));
    assert!(matches!(
        store
            .decide_recommendation(&dr, a.id, a.version, &RecommendationAction::MarkDone)
            .await,
        Err(StoreError::Conflict)
    ));
    let done = store
        .decide_recommendation(&dr, a.id, accepted.version, &RecommendationAction::MarkDone)
        .await
        .unwrap();
    assert_eq!(done.status, RecommendationStatus::Done);
    assert!(done.done_at.is_some());
    assert_eq!(done.decided_by, Some(p.practitioner));
    let err = store
        .decide_recommendation(
            &dr,
            b.id,
            b.version,
            &RecommendationAction::Decline { reason: "".into() },
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)));
    let declined = store
        .decide_recommendation(
            &dr,
            b.id,
            b.version,
            &RecommendationAction::Decline {
                reason: "Patient prefers therapy".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(
        declined.decline_reason.as_deref(),
        Some("Patient prefers therapy")
    );
    assert!(
        store
            .recommendations(&dr, RecommendationFilter::Open)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store
            .recommendations(&dr, RecommendationFilter::Episode(ep1.id))
            .await
            .unwrap()
            .len(),
        2
    );
    assert_eq!(store.recommendation(&dr, a.id).await.unwrap().patient, pt1);
    assert_eq!(
        store
            .patient_of(p.id, stepwise_store::RecordRef::Recommendation(a.id))
            .await
            .unwrap(),
        Some(pt1)
    );

    let other = practice(store, "South Clinic").await;
    let od = ctx(other.id, other.practitioner, Role::TreatingPractitioner);
    assert!(matches!(
        store.recommendation(&od, a.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.case_review(&od, review.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .decide_recommendation(&od, b.id, declined.version, &RecommendationAction::Accept)
            .await,
        Err(StoreError::NotFound)
    ));
}

conformance!(case_reviews);
