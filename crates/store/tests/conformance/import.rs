//! Bulk import: what a batch writes reads back through the normal operations, its registry
//! facts equal those of the same history entered record by record, and a refused batch
//! leaves nothing behind.

use crate::conformance;
use crate::harness::{Practice, ctx, practice, system_ctx};
use crate::patients::input;
use crate::records::{contact, phq9};
use stepwise_domain::assessment::{AdministrationMode, AssessmentInput};
use stepwise_domain::audit::{AuditAction, AuditCategory};
use stepwise_domain::care_plan::CarePlan;
use stepwise_domain::contact::ContactInput;
use stepwise_domain::episode::{ConsentInput, DischargeReason, EpisodeStatus, Program, Transition};
use stepwise_domain::instruments::{InstrumentId, Safety, score};
use stepwise_domain::registry::{FlagKind, ManualFlags, RegistrySettings};
use stepwise_domain::role::Role;
use stepwise_store::model::{Assignments, Ctx};
use stepwise_store::{
    ImportAssessment, ImportBatch, ImportContact, ImportEpisode, ImportPatient, PatientQuery,
    RecommendationFilter, Store, StoreError,
};
use time::Date;
use time::macros::date;

/// The history both twins share: contacts (one with excluded minutes) and responses (one
/// with item 9 positive), as raw inputs.
fn twin_contacts() -> Vec<ContactInput> {
    let mut excluded = contact("2026-10-05", "other", 50);
    excluded.exclusion = Some("separately_billed".into());
    vec![
        contact("2026-09-07", "initial_assessment", 45),
        contact("2026-09-21", "follow_up", 25),
        excluded,
        contact("2026-10-19", "follow_up", 30),
        contact("2026-11-20", "follow_up", 25),
    ]
}

fn twin_responses() -> Vec<AssessmentInput> {
    vec![
        phq9("2026-09-07", [2, 2, 2, 2, 1, 1, 1, 1, 0]),
        AssessmentInput {
            label: None,
            instrument: "gad7".into(),
            administered_on: "2026-09-07".into(),
            mode: "clinic".into(),
            loinc_answers: None,
            answers: vec![
                Some(2),
                Some(1),
                Some(2),
                Some(1),
                Some(1),
                Some(0),
                Some(1),
            ],
        },
        phq9("2026-10-19", [2, 2, 1, 1, 1, 1, 1, 1, 1]),
        phq9("2026-11-20", [2, 2, 1, 1, 1, 1, 1, 0, 0]),
    ]
}

fn consent(
    p: &Practice,
    program: Program,
    on: &str,
    today: Date,
) -> stepwise_domain::episode::Consent {
    ConsentInput {
        consented_on: on.into(),
        method: "written".into(),
        cost_sharing_explained: true,
        consult_permission: true,
    }
    .parse(program, p.care_manager, today)
    .unwrap()
}

fn assigned(p: &Practice) -> Assignments {
    Assignments {
        site: None,
        treating_practitioner: Some(p.practitioner),
        care_manager: Some(p.care_manager),
    }
}

fn imported(
    a: &AssessmentInput,
    by: stepwise_domain::ids::UserId,
    today: Date,
) -> ImportAssessment {
    let r = a.parse(today).unwrap();
    ImportAssessment {
        instrument: r.instrument,
        administered_on: r.administered_on,
        mode: r.mode,
        answers: r.answers,
        administered_by: by,
    }
}

/// The twin's history as an import.
fn twin_import(p: &Practice, c: &Ctx, mrn: &str) -> ImportPatient {
    let roles = [Role::CareManager];
    ImportPatient {
        details: input(mrn, "Ada", "Twin", "1970-05-06")
            .parse(c.today)
            .unwrap(),
        assignments: assigned(p),
        screenings: vec![],
        episodes: vec![ImportEpisode {
            program: Program::Cocm,
            referred_on: date!(2026 - 09 - 01),
            referring_practitioner: Some(p.practitioner),
            care_plan: CarePlan::default(),
            consents: vec![consent(p, Program::Cocm, "2026-09-02", c.today)],
            transitions: vec![
                (date!(2026 - 09 - 02), Transition::Enroll),
                (date!(2026 - 09 - 07), Transition::StartTreatment),
            ],
            manual_flags: ManualFlags {
                safety_risk: false,
                for_discussion: true,
            },
            contacts: twin_contacts()
                .iter()
                .map(|i| ImportContact {
                    staff: p.care_manager,
                    details: i.parse(&roles, c.today).unwrap(),
                })
                .collect(),
            assessments: twin_responses()
                .iter()
                .map(|a| imported(a, p.care_manager, c.today))
                .collect(),
        }],
    }
}

/// The same history entered record by record through the normal operations.
async fn twin_by_hand(store: &Store, p: &Practice, c: &Ctx, mrn: &str) {
    let roles = [Role::CareManager];
    let pt = store
        .create_patient(
            c,
            input(mrn, "Ada", "Twin", "1970-05-06")
                .parse(c.today)
                .unwrap(),
            assigned(p),
        )
        .await
        .unwrap();
    let ep = store
        .create_episode(
            c,
            pt.id,
            Program::Cocm,
            date!(2026 - 09 - 01),
            Some(p.practitioner),
        )
        .await
        .unwrap();
    store
        .record_consent(c, ep.id, &consent(p, Program::Cocm, "2026-09-02", c.today))
        .await
        .unwrap();
    let ep = store
        .transition_episode(
            c,
            ep.id,
            ep.version,
            &Transition::Enroll,
            date!(2026 - 09 - 02),
        )
        .await
        .unwrap();
    let ep = store
        .transition_episode(
            c,
            ep.id,
            ep.version,
            &Transition::StartTreatment,
            date!(2026 - 09 - 07),
        )
        .await
        .unwrap();
    for i in twin_contacts() {
        store
            .add_contact(
                c,
                ep.id,
                p.care_manager,
                &i.parse(&roles, c.today).unwrap(),
                None,
            )
            .await
            .unwrap();
    }
    for a in twin_responses() {
        store
            .add_assessment(
                c,
                pt.id,
                Some(ep.id),
                p.care_manager,
                &a.parse(c.today).unwrap(),
            )
            .await
            .unwrap();
    }
    store
        .set_manual_flags(
            c,
            ep.id,
            ep.version,
            ManualFlags {
                safety_risk: false,
                for_discussion: true,
            },
        )
        .await
        .unwrap();
}

/// A patient whose Collaborative Care episode ended with the goal met, now in general BHI,
/// with screenings before either episode.
fn graduate(p: &Practice, c: &Ctx) -> ImportPatient {
    let roles = [Role::CareManager];
    let phq2 = |on: &str, a: i64, b: i64| AssessmentInput {
        label: None,
        instrument: "phq2".into(),
        administered_on: on.into(),
        mode: "clinic".into(),
        loinc_answers: None,
        answers: vec![Some(a), Some(b)],
    };
    ImportPatient {
        details: input("G-1", "Grace", "Graduate", "1958-02-11")
            .parse(c.today)
            .unwrap(),
        assignments: assigned(p),
        screenings: vec![
            imported(&phq2("2025-11-03", 0, 1), p.ma, c.today),
            imported(&phq2("2026-03-02", 2, 2), p.ma, c.today),
        ],
        episodes: vec![
            ImportEpisode {
                program: Program::Cocm,
                referred_on: date!(2026 - 03 - 02),
                referring_practitioner: Some(p.practitioner),
                care_plan: CarePlan::default(),
                consents: vec![consent(p, Program::Cocm, "2026-03-04", c.today)],
                transitions: vec![
                    (date!(2026 - 03 - 04), Transition::Enroll),
                    (date!(2026 - 03 - 04), Transition::StartTreatment),
                    (
                        date!(2026 - 06 - 10),
                        Transition::BeginRelapsePrevention {
                            plan: "Daily walk; call if sleep worsens two weeks in a row".into(),
                        },
                    ),
                    (
                        date!(2026 - 08 - 12),
                        Transition::Discharge {
                            reason: DischargeReason::GoalMet,
                        },
                    ),
                ],
                manual_flags: ManualFlags::default(),
                contacts: vec![ImportContact {
                    staff: p.care_manager,
                    details: contact("2026-03-04", "initial_assessment", 50)
                        .parse(&roles, c.today)
                        .unwrap(),
                }],
                assessments: vec![
                    imported(
                        &phq9("2026-03-04", [2, 2, 2, 1, 1, 1, 1, 1, 0]),
                        p.care_manager,
                        c.today,
                    ),
                    imported(
                        &phq9("2026-06-10", [1, 0, 1, 1, 0, 0, 0, 0, 0]),
                        p.care_manager,
                        c.today,
                    ),
                ],
            },
            ImportEpisode {
                program: Program::GeneralBhi,
                referred_on: date!(2026 - 10 - 01),
                referring_practitioner: None,
                care_plan: CarePlan {
                    target_instrument: InstrumentId::Gad7,
                    target_below: 5,
                    follow_up_weeks: 4,
                    goals: Some("Sleep through the night".into()),
                },
                consents: vec![consent(p, Program::GeneralBhi, "2026-10-01", c.today)],
                transitions: vec![(date!(2026 - 10 - 01), Transition::Enroll)],
                manual_flags: ManualFlags::default(),
                contacts: vec![],
                assessments: vec![],
            },
        ],
    }
}

async fn imports_read_back(store: &Store) {
    let p = practice(store, "North Clinic").await;
    let sys = system_ctx(p.id);
    let cm = ctx(p.id, p.care_manager, Role::CareManager);
    let settings = RegistrySettings::default();

    twin_by_hand(store, &p, &cm, "T-HAND").await;
    let screened_only = ImportPatient {
        details: input("S-1", "Sam", "Screened", "1990-07-21")
            .parse(cm.today)
            .unwrap(),
        assignments: Assignments::default(),
        screenings: vec![imported(
            &phq9("2026-11-02", [0, 1, 0, 1, 0, 0, 0, 0, 0]),
            p.ma,
            cm.today,
        )],
        episodes: vec![],
    };
    let batch = ImportBatch {
        patients: vec![
            twin_import(&p, &cm, "T-BULK"),
            graduate(&p, &cm),
            screened_only,
        ],
    };
    let report = store.bulk_import(&sys, &batch).await.unwrap();
    // What the metrics read is kept for the imported records too.
    assert_eq!(
        store.metric_summary_differences(p.id).await.unwrap(),
        Vec::<String>::new()
    );
    assert_eq!(report.patients.len(), 3);
    assert_eq!(report.episodes.len(), 3);
    assert_eq!(
        (report.consents, report.contacts, report.assessments),
        (3, 6, 9)
    );

    // The imported twin and the twin entered by hand look the same on the caseload.
    let rows = store
        .caseload(&cm, p.care_manager, &settings)
        .await
        .unwrap();
    let row_of = |mrn: &str| {
        rows.iter()
            .find(|r| r.patient.mrn == mrn)
            .map(|r| r.row.clone())
            .unwrap()
    };
    let bulk = row_of("T-BULK");
    assert_eq!(bulk, row_of("T-HAND"));
    let kinds: Vec<FlagKind> = bulk.flags.iter().map(|f| f.kind).collect();
    assert!(kinds.contains(&FlagKind::ForDiscussion), "{kinds:?}");
    assert!(kinds.contains(&FlagKind::NearBillingThreshold), "{kinds:?}");
    assert_eq!(bulk.minutes_this_month, 25);
    assert_eq!(
        bulk.phq9.map(|t| (t.first.total, t.last.total, t.count)),
        Some((12, 9, 3))
    );
    // The graduate's open BHI episode is on the caseload; the closed one is not.
    assert_eq!(rows.len(), 3);

    // Everything reads back through the normal operations.
    let found = store
        .search_patients(&cm, &PatientQuery::Mrn("G-1".into()))
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    let g = store.patient(&cm, found[0].id).await.unwrap();
    assert_eq!(g.details, batch.patients[1].details);
    assert_eq!(g.assignments, batch.patients[1].assignments);
    let episodes = store.patient_episodes(&cm, g.id).await.unwrap();
    assert_eq!(episodes.len(), 2);
    let cocm = episodes
        .iter()
        .find(|e| e.program == Program::Cocm)
        .unwrap();
    assert_eq!(cocm.status, EpisodeStatus::Discharged);
    assert_eq!(cocm.discharge_reason, Some(DischargeReason::GoalMet));
    assert_eq!(cocm.enrolled_on, Some(date!(2026 - 03 - 04)));
    assert_eq!(cocm.closed_on, Some(date!(2026 - 08 - 12)));
    let detail = store.episode(&cm, cocm.id).await.unwrap();
    let timeline: Vec<(Date, EpisodeStatus)> = detail
        .events
        .iter()
        .map(|e| (e.occurred_on, e.to_status))
        .collect();
    assert_eq!(
        timeline,
        vec![
            (date!(2026 - 03 - 02), EpisodeStatus::Referred),
            (date!(2026 - 03 - 04), EpisodeStatus::Enrolled),
            (date!(2026 - 03 - 04), EpisodeStatus::Active),
            (date!(2026 - 06 - 10), EpisodeStatus::RelapsePrevention),
            (date!(2026 - 08 - 12), EpisodeStatus::Discharged),
        ]
    );
    assert_eq!(
        detail.events[4].note.as_deref(),
        Some("Discharged: goal_met")
    );
    assert_eq!(detail.consents.len(), 1);
    assert_eq!(
        detail.consents[0].consent,
        batch.patients[1].episodes[0].consents[0]
    );
    let bhi = episodes
        .iter()
        .find(|e| e.program == Program::GeneralBhi)
        .unwrap();
    let plan = store.episode(&cm, bhi.id).await.unwrap().care_plan;
    assert_eq!(plan.plan, batch.patients[1].episodes[1].care_plan);
    assert_eq!(store.episode_contacts(&cm, cocm.id).await.unwrap().len(), 1);
    // Responses are scored by the domain's scorer; screenings stay off the episodes.
    let responses = store.patient_assessments(&cm, g.id, None).await.unwrap();
    assert_eq!(responses.len(), 4);
    for r in &responses {
        assert_eq!(r.score, score(r.instrument, &r.answers).unwrap());
    }
    assert_eq!(responses.iter().filter(|r| r.episode.is_none()).count(), 2);
    assert_eq!(responses[0].mode, AdministrationMode::Clinic);
    let twin = store
        .search_patients(&cm, &PatientQuery::Mrn("T-BULK".into()))
        .await
        .unwrap();
    let twin_responses = store
        .patient_assessments(&cm, twin[0].id, Some(InstrumentId::Phq9))
        .await
        .unwrap();
    assert_eq!(twin_responses[1].score.safety, Safety::Alert);
    assert!(
        store
            .recommendations(&cm, RecommendationFilter::Open)
            .await
            .unwrap()
            .is_empty()
    );

    // One audit event for the batch, in the administration category, naming only counts.
    let events = store.audit_events(p.id, 0, 10_000).await.unwrap();
    let bulk_events: Vec<_> = events
        .iter()
        .filter(|e| e.event.detail.starts_with("bulk import:"))
        .collect();
    assert_eq!(bulk_events.len(), 1);
    let ev = &bulk_events[0].event;
    assert_eq!(ev.category, AuditCategory::Administration);
    assert_eq!(ev.action, AuditAction::BulkImport);
    assert_eq!(ev.patient, None);
    assert_eq!(
        ev.detail,
        "bulk import: 3 patients, 3 episodes, 3 consents, 6 contacts, 9 assessments"
    );

    // Lapse and the rest of the normal path work on imported episodes.
    assert!(store.close_lapsed_episodes(&sys).await.unwrap().is_empty());
    assert!(store.verify_facts(p.id).await.unwrap().is_empty());
    assert!(store.verify_audit_chain(p.id).await.unwrap().is_intact());
}

/// A batch larger than one statement: rows go in several multi-row inserts.
async fn imports_many(store: &Store) {
    let p = practice(store, "North Clinic").await;
    let sys = system_ctx(p.id);
    let cm = ctx(p.id, p.care_manager, Role::CareManager);
    let roles = [Role::CareManager];
    let n = 301;
    let patients: Vec<ImportPatient> = (0..n)
        .map(|i| {
            let mut pt = twin_import(&p, &cm, &format!("M-{i:04}"));
            pt.details.given_name = format!("Pat{i}");
            let ep = &mut pt.episodes[0];
            if i % 2 == 1 {
                ep.transitions.truncate(1);
                ep.contacts.push(ImportContact {
                    staff: p.care_manager,
                    details: contact("2026-11-26", "follow_up", 10)
                        .parse(&roles, cm.today)
                        .unwrap(),
                });
            }
            pt
        })
        .collect();
    let report = store
        .bulk_import(&sys, &ImportBatch { patients })
        .await
        .unwrap();
    assert_eq!(report.patients.len(), n);
    assert_eq!(report.contacts, 5 * n + n / 2);
    assert_eq!(report.assessments, 4 * n);
    let rows = store
        .caseload(&cm, p.care_manager, &RegistrySettings::default())
        .await
        .unwrap();
    assert_eq!(rows.len(), n);
    assert_eq!(
        rows.iter()
            .filter(|r| r.row.status == EpisodeStatus::Enrolled)
            .count(),
        n / 2
    );
    assert!(store.verify_facts(p.id).await.unwrap().is_empty());
    assert!(store.verify_audit_chain(p.id).await.unwrap().is_intact());
}

/// A refused batch writes nothing at all, and says what is wrong where.
async fn refused_batches_leave_nothing(store: &Store) {
    let p = practice(store, "North Clinic").await;
    let other = practice(store, "South Clinic").await;
    let sys = system_ctx(p.id);
    let cm = ctx(p.id, p.care_manager, Role::CareManager);
    let roles = [Role::CareManager];
    let existing = store
        .create_patient(
            &cm,
            input("E-1", "Eve", "Existing", "1980-01-01")
                .parse(cm.today)
                .unwrap(),
            Assignments::default(),
        )
        .await
        .unwrap();
    let events_before = store.audit_events(p.id, 0, 10_000).await.unwrap().len();

    let mut bad = twin_import(&p, &cm, "B-2");
    bad.assignments.care_manager = Some(other.care_manager);
    let ep = &mut bad.episodes[0];
    ep.transitions.push((
        date!(2026 - 10 - 01),
        Transition::Discharge {
            reason: DischargeReason::GoalMet,
        },
    ));
    ep.contacts[0].staff = p.billing;
    ep.contacts.push(ImportContact {
        staff: p.care_manager,
        details: contact("2026-08-15", "follow_up", 10)
            .parse(&roles, cm.today)
            .unwrap(),
    });
    ep.assessments[0].answers.extend([Some(1), Some(1)]);
    let batch = ImportBatch {
        patients: vec![twin_import(&p, &cm, "B-1"), bad],
    };
    let Err(StoreError::Invalid(e)) = store.bulk_import(&sys, &batch).await else {
        panic!("a batch with bad references must be refused");
    };
    let fields: Vec<&str> = e.errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "patients[1].care_manager",
            "patients[1].episodes[0].transitions[2]",
            "patients[1].episodes[0].contacts[0].staff_role",
            "patients[1].episodes[0].contacts[5].contact_on",
            "patients[1].episodes[0].assessments[0].answers",
        ],
        "{e}"
    );

    // An MRN already in the practice, or twice in the batch.
    for mrns in [["B-1", "E-1"], ["B-1", "B-1"]] {
        let batch = ImportBatch {
            patients: mrns.iter().map(|m| twin_import(&p, &cm, m)).collect(),
        };
        assert!(matches!(
            store.bulk_import(&sys, &batch).await,
            Err(StoreError::Duplicate { field: "mrn", .. })
        ));
    }

    // Nothing was written: no patient, no audit event, the practice's registry untouched.
    assert!(
        store
            .search_patients(&cm, &PatientQuery::Mrn("B-1".into()))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store
            .search_patients(&cm, &PatientQuery::Name("twin".into()))
            .await
            .unwrap()
            .len(),
        0
    );
    let events = store.audit_events(p.id, 0, 10_000).await.unwrap();
    assert!(
        events[events_before..]
            .iter()
            .all(|e| e.event.action == AuditAction::PatientSearch)
    );
    assert!(
        store
            .caseload(&cm, p.care_manager, &RegistrySettings::default())
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.patient(&cm, existing.id).await.unwrap(), existing);
}

conformance!(
    imports_read_back,
    imports_many,
    refused_batches_leave_nothing
);
