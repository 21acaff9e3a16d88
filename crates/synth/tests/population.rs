//! Populations for benchmarks: a small one on both engines reads back through the normal
//! operations, with full caseloads, clean facts and an intact audit chain.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod harness;

use std::time::Instant;
use stepwise_domain::audit::{AuditAction, AuditCategory};
use stepwise_domain::registry::RegistrySettings;
use stepwise_domain::role::Role;
use stepwise_store::Store;
use stepwise_store::model::Ctx;
use stepwise_synth::{OPEN_PER_CARE_MANAGER, POPULATION_BATCH, PopulationOptions, seed_population};
use time::macros::{date, datetime};

async fn small_population(store: &Store) {
    let today = date!(2026 - 11 - 27);
    let mut opts = PopulationOptions::new(
        POPULATION_BATCH + 150,
        today,
        datetime!(2026-11-27 15:00 UTC),
        harness::PASSWORD_HASH,
    );
    opts.assessments_per_patient = 4;
    opts.care_managers = 3;
    let started = Instant::now();
    let report = seed_population(store, &opts).await.unwrap();
    eprintln!(
        "population of {} patients seeded on {:?} in {:.1} s",
        report.patients,
        store.engine(),
        started.elapsed().as_secs_f64()
    );
    assert_eq!(report.patients, opts.patients);
    assert_eq!(report.batches, 2);
    assert_eq!(report.assessments, opts.patients * 4);
    assert_eq!(report.open_episodes, 3 * OPEN_PER_CARE_MANAGER);
    assert!(report.episodes > report.open_episodes);
    assert!(report.contacts > report.episodes * 5);
    assert_eq!(report.care_managers.len(), 3);

    let ctx = Ctx {
        practice: report.practice,
        user: Some(report.care_managers[0]),
        role: Some(Role::CareManager),
        request_id: "test".into(),
        source: "test".into(),
        now: opts.now,
        today,
    };
    let caseload = store
        .caseload(&ctx, report.care_managers[0], &RegistrySettings::default())
        .await
        .unwrap();
    assert_eq!(caseload.len(), OPEN_PER_CARE_MANAGER);
    let patient = caseload[0].patient.id;
    let responses = store
        .patient_assessments(&ctx, patient, None)
        .await
        .unwrap();
    assert_eq!(responses.len(), 4);
    assert!(responses.iter().all(|r| r.administered_on <= today));
    assert!(
        store
            .verify_facts(report.practice)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .verify_audit_chain(report.practice)
            .await
            .unwrap()
            .is_intact()
    );
    let imports = store
        .audit_events(report.practice, 0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| {
            e.event.action == AuditAction::BulkImport
                && e.event.category == AuditCategory::Administration
        })
        .count();
    assert_eq!(imports, 2, "one audit event per batch");
}

on_both_engines!(small_population);
