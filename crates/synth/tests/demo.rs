//! The demo practice: on `today` every registry flag is on a care manager's caseload and every
//! reason on the case-review list (on both engines, and on awkward dates); the registry's facts
//! and the audit chain verify; the history is realistic and dated sanely; the same seed gives
//! the same patients.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod harness;

use std::collections::{BTreeMap, HashSet};
use std::time::Instant;
use stepwise_domain::audit::AuditAction;
use stepwise_domain::case_review::RecommendationStatus;
use stepwise_domain::contact::{ContactKind, MinutesExclusion};
use stepwise_domain::episode::{ConsentMethod, DischargeReason, EpisodeStatus, Program};
use stepwise_domain::ids::{PatientId, PracticeId};
use stepwise_domain::instruments::{InstrumentId, Safety};
use stepwise_domain::record::RecordStatus;
use stepwise_domain::registry::{FlagKind, ReviewReason};
use stepwise_domain::role::Role;
use stepwise_store::model::Ctx;
use stepwise_store::{RecommendationFilter, Store};
use stepwise_synth::{
    CM_NGUYEN, CM_RIVERA, DEMO_USERS, DemoOptions, DemoPractice, PSYCHIATRIST, seed_demo,
};
use time::macros::{date, time};
use time::{Date, Duration, Weekday};

const TODAY: Date = date!(2026 - 11 - 27);

fn options(today: Date, seed: Option<u64>) -> DemoOptions {
    let now = today.with_time(time!(15:00)).assume_utc();
    let mut o = DemoOptions::new(today, now, harness::PASSWORD_HASH);
    if let Some(seed) = seed {
        o.seed = seed;
    }
    o
}

async fn seed(store: &Store, opts: &DemoOptions) -> DemoPractice {
    let started = Instant::now();
    let demo = seed_demo(store, opts).await.unwrap();
    eprintln!(
        "demo seeded on {:?} for {} in {:.1} s",
        store.engine(),
        opts.today,
        started.elapsed().as_secs_f64()
    );
    demo
}

async fn ctx_as(store: &Store, practice: PracticeId, email: &str, role: Role, today: Date) -> Ctx {
    let user = store.user_by_email(practice, email).await.unwrap();
    Ctx {
        practice,
        user: Some(user.id),
        role: Some(role),
        request_id: "test".into(),
        source: "test".into(),
        now: today.with_time(time!(16:00)).assume_utc(),
        today,
    }
}

/// The requirement: every flag on a caseload, every reason on the review list, facts and audit
/// chain verified.
async fn check_registry(store: &Store, demo: &DemoPractice, today: Date) {
    let practice = store.practice(demo.practice).await.unwrap();
    // The demo practice, and only it, lets its users sign in without a second factor.
    assert!(practice.mfa_relaxed_demo);
    let settings = practice.settings.registry;
    let mut flags = HashSet::new();
    for email in [CM_RIVERA, CM_NGUYEN] {
        let ctx = ctx_as(store, demo.practice, email, Role::CareManager, today).await;
        let caseload = store
            .caseload(&ctx, ctx.user.unwrap(), &settings)
            .await
            .unwrap();
        assert!(caseload.len() > 20, "{email}: {} patients", caseload.len());
        flags.extend(
            caseload
                .iter()
                .flat_map(|e| e.row.flags.iter().map(|f| f.kind)),
        );
    }
    let missing: Vec<_> = FlagKind::ALL
        .iter()
        .filter(|k| !flags.contains(k))
        .collect();
    assert!(
        missing.is_empty(),
        "{today}: flags missing from the caseloads: {missing:?}"
    );

    let psych = ctx_as(
        store,
        demo.practice,
        PSYCHIATRIST,
        Role::Psychiatrist,
        today,
    )
    .await;
    let list = store.review_list(&psych, &settings).await.unwrap();
    let reasons: HashSet<ReviewReason> = list.iter().flat_map(|e| e.reasons.clone()).collect();
    let missing: Vec<_> = ReviewReason::ALL
        .iter()
        .filter(|r| !reasons.contains(r))
        .collect();
    assert!(
        missing.is_empty(),
        "{today}: review reasons missing: {missing:?}"
    );

    assert_eq!(store.verify_facts(demo.practice).await.unwrap(), vec![]);
    let chain = store.verify_audit_chain(demo.practice).await.unwrap();
    assert!(chain.is_intact(), "{:?}", chain.problems);
}

/// The patients, in the order they were registered (from the audit trail).
async fn patients(store: &Store, practice: PracticeId) -> Vec<PatientId> {
    let mut out = Vec::new();
    let mut after = 0;
    loop {
        let page = store.audit_events(practice, after, 5000).await.unwrap();
        let Some(last) = page.last() else { break };
        after = last.seq;
        out.extend(
            page.iter()
                .filter(|e| e.event.action == AuditAction::PatientCreate)
                .filter_map(|e| e.event.patient),
        );
    }
    out
}

/// Counts of what the demo holds, read back through the normal operations.
#[derive(Default, Debug)]
struct Census {
    patients: usize,
    screening_only: usize,
    by_status: BTreeMap<&'static str, usize>,
    discharge_reasons: HashSet<DischargeReason>,
    bhi: usize,
    consent_methods: HashSet<ConsentMethod>,
    contact_kinds: HashSet<ContactKind>,
    exclusions: HashSet<MinutesExclusion>,
    contacts_in_error: usize,
    corrections: usize,
    assessments_in_error: usize,
    item9_positive: usize,
    instruments: HashSet<InstrumentId>,
    recommendations: HashSet<RecommendationStatus>,
    languages: HashSet<String>,
    payers: HashSet<String>,
}

async fn census(store: &Store, demo: &DemoPractice, today: Date) -> Census {
    let cm = ctx_as(store, demo.practice, CM_RIVERA, Role::CareManager, today).await;
    let mut c = Census::default();
    for id in patients(store, demo.practice).await {
        c.patients += 1;
        let p = store.patient(&cm, id).await.unwrap();
        let d = &p.details;
        assert!(d.birth_date < today - Duration::days(365 * 18));
        c.languages.insert(d.preferred_language.clone());
        c.payers
            .insert(d.payer_kind.map_or("none", |k| k.code()).to_owned());
        let episodes = store.patient_episodes(&cm, id).await.unwrap();
        if episodes.is_empty() {
            c.screening_only += 1;
        }
        for e in &episodes {
            *c.by_status.entry(e.status.code()).or_default() += 1;
            c.bhi += usize::from(e.program == Program::GeneralBhi);
            c.discharge_reasons.extend(e.discharge_reason);
            assert!(e.referred_on <= today);
            let detail = store.episode(&cm, e.id).await.unwrap();
            c.consent_methods
                .extend(detail.consents.iter().map(|c| c.consent.method));
            for ev in &detail.events {
                assert!(ev.occurred_on >= e.referred_on && ev.occurred_on <= today);
            }
            for k in store.episode_contacts(&cm, e.id).await.unwrap() {
                let on = k.details.contact_on;
                assert!(on >= e.referred_on && on <= today, "contact on {on}");
                assert!(e.closed_on.is_none_or(|closed| on <= closed));
                c.contact_kinds.insert(k.details.kind);
                c.exclusions.extend(k.details.exclusion);
                c.contacts_in_error += usize::from(k.status == RecordStatus::EnteredInError);
                c.corrections += usize::from(k.replaces.is_some());
            }
            for r in store
                .recommendations(&cm, RecommendationFilter::Episode(e.id))
                .await
                .unwrap()
            {
                c.recommendations.insert(r.status);
            }
        }
        for a in store.patient_assessments(&cm, id, None).await.unwrap() {
            assert!(a.administered_on <= today && a.administered_on > d.birth_date);
            c.instruments.insert(a.instrument);
            c.assessments_in_error += usize::from(a.status == RecordStatus::EnteredInError);
            c.item9_positive +=
                usize::from(a.instrument == InstrumentId::Phq9 && a.score.safety == Safety::Alert);
            if a.status == RecordStatus::Final {
                assert!(a.score.total.is_some(), "generated responses are complete");
            }
        }
    }
    c
}

async fn demo_on_today(store: &Store) {
    let opts = options(TODAY, None);
    let demo = seed(store, &opts).await;
    let emails: Vec<&str> = demo.users.iter().map(|u| u.0.as_str()).collect();
    assert_eq!(emails, DEMO_USERS.map(|u| u.email));
    check_registry(store, &demo, TODAY).await;

    let c = census(store, &demo, TODAY).await;
    eprintln!("{c:#?}");
    assert!((140..=160).contains(&c.patients), "{}", c.patients);
    assert!(c.screening_only >= 20);
    for status in EpisodeStatus::ALL {
        assert!(
            c.by_status.contains_key(status.code()),
            "no {status:?} episode"
        );
    }
    assert_eq!(c.discharge_reasons.len(), DischargeReason::ALL.len());
    assert!(c.bhi >= 5);
    assert_eq!(c.consent_methods.len(), 2);
    assert_eq!(c.contact_kinds.len(), ContactKind::ALL.len());
    assert_eq!(c.exclusions.len(), MinutesExclusion::ALL.len());
    assert!(c.contacts_in_error >= 2 && c.corrections >= 1);
    assert!(c.assessments_in_error >= 1);
    assert!(c.item9_positive >= 3);
    assert_eq!(c.recommendations.len(), RecommendationStatus::ALL.len());
    assert!(c.languages.len() >= 3 && c.languages.contains("es"));
    assert!(c.payers.contains("medicare") && c.payers.contains("commercial"));

    // The community directory beside the national lines, and referrals in every state of the
    // loop, some quiet long enough to be chased.
    let directory = store.resources(demo.practice).await.unwrap();
    assert!(directory.len() >= 14, "{} entries", directory.len());
    let desk = ctx_as(
        store,
        demo.practice,
        stepwise_synth::FRONT_DESK,
        Role::FrontDesk,
        TODAY,
    )
    .await;
    let open = store
        .referral_worklist(&desk, Default::default())
        .await
        .unwrap();
    assert!(open.len() >= 5, "{} open referrals", open.len());
    assert!(open[0].follow_up.is_some(), "an overdue referral first");
    let states: HashSet<&str> = open.iter().map(|e| e.referral.state.code()).collect();
    for s in [
        "draft",
        "sent",
        "accepted",
        "scheduled",
        "attended",
        "no_show",
    ] {
        assert!(states.contains(s), "no open {s} referral");
    }

    // The psychiatrist reviews every week, on Wednesdays.
    let reviews = store
        .case_reviews(demo.practice, TODAY - Duration::days(400), TODAY)
        .await
        .unwrap();
    assert!(reviews.len() >= 30, "{} reviews", reviews.len());
    assert!(reviews.iter().all(|r| r.1.weekday() == Weekday::Wednesday));
    for pair in reviews.windows(2).take(26) {
        assert_eq!(
            pair[0].1 - pair[1].1,
            Duration::days(7),
            "a week without review"
        );
    }
}

/// Awkward days: the review day itself, the first of a month (no minutes yet this month), a
/// leap day at a month's end.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_flag_and_reason_on_awkward_days() {
    for today in [
        date!(2026 - 12 - 02),
        date!(2027 - 03 - 01),
        date!(2028 - 02 - 29),
    ] {
        let h = harness::sqlite().await;
        let demo = seed(&h.store, &options(today, Some(7))).await;
        check_registry(&h.store, &demo, today).await;
        h.finish().await;
    }
}

/// Names, MRNs, birth dates and score totals of every patient.
async fn fingerprint(
    store: &Store,
    practice: PracticeId,
) -> Vec<(String, String, String, Date, Vec<Option<u16>>)> {
    let ctx = ctx_as(store, practice, CM_RIVERA, Role::CareManager, TODAY).await;
    let mut out = Vec::new();
    for id in patients(store, practice).await {
        let p = store.patient(&ctx, id).await.unwrap();
        let totals = store
            .patient_assessments(&ctx, id, None)
            .await
            .unwrap()
            .iter()
            .map(|a| a.score.total)
            .collect();
        out.push((
            p.details.mrn.to_string(),
            p.details.given_name,
            p.details.family_name,
            p.details.birth_date,
            totals,
        ));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_seed_gives_the_same_patients() {
    let mut prints = Vec::new();
    for _ in 0..2 {
        let h = harness::sqlite().await;
        let demo = seed_demo(&h.store, &options(TODAY, None)).await.unwrap();
        prints.push(fingerprint(&h.store, demo.practice).await);
        h.finish().await;
    }
    assert!(prints[0].len() >= 140);
    assert_eq!(prints[0], prints[1]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_hash_is_required() {
    let h = harness::sqlite().await;
    let mut opts = options(TODAY, None);
    opts.password_hash = " ".into();
    assert!(seed_demo(&h.store, &opts).await.is_err());
    assert!(h.store.is_empty().await.unwrap());
    h.finish().await;
}

on_both_engines!(demo_on_today);
