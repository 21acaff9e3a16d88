//! Patients: create, read, correct with history, search, relationships, isolation.

use crate::conformance;
use crate::harness::{ctx, practice};
use stepwise_domain::patient::PatientInput;
use stepwise_domain::role::Role;
use stepwise_store::model::{Assignments, Ctx};
use stepwise_store::{PatientQuery, Store, StoreError};
use time::macros::date;

pub fn input(mrn: &str, given: &str, family: &str, birth: &str) -> PatientInput {
    PatientInput {
        mrn: mrn.into(),
        given_name: given.into(),
        family_name: family.into(),
        birth_date: birth.into(),
        sex: "female".into(),
        phone: Some("(555) 010-2000".into()),
        preferred_language: Some("es".into()),
        payer_kind: Some("medicare".into()),
        ..Default::default()
    }
}

pub async fn add(
    store: &Store,
    c: &Ctx,
    mrn: &str,
    given: &str,
    family: &str,
    a: Assignments,
) -> stepwise_store::model::Patient {
    let details = input(mrn, given, family, "1970-05-06")
        .parse(c.today)
        .unwrap();
    store.create_patient(c, details, a).await.unwrap()
}

async fn create_read_update(store: &Store) {
    let p = practice(store, "North Clinic").await;
    let desk = ctx(p.id, p.front_desk, Role::FrontDesk);
    let assigned = Assignments {
        site: None,
        treating_practitioner: Some(p.practitioner),
        care_manager: Some(p.care_manager),
    };
    let created = add(store, &desk, "A-100", "María", "O'Brien", assigned.clone()).await;
    assert_eq!(created.version, 1);
    assert_eq!(created.details.preferred_language, "es");
    assert_eq!(store.patient(&desk, created.id).await.unwrap(), created);

    // MRNs are unique per practice, not across practices.
    let dup = store
        .create_patient(
            &desk,
            input("A-100", "X", "Y", "1980-01-01")
                .parse(desk.today)
                .unwrap(),
            Assignments::default(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(dup, StoreError::Duplicate { field: "mrn", .. }),
        "{dup:?}"
    );
    let other = practice(store, "South Clinic").await;
    let other_desk = ctx(other.id, other.front_desk, Role::FrontDesk);
    add(
        store,
        &other_desk,
        "A-100",
        "Ann",
        "Other",
        Assignments::default(),
    )
    .await;
    assert!(matches!(
        store.patient(&other_desk, created.id).await,
        Err(StoreError::NotFound)
    ));

    // Assignments must name staff of the practice in the right role.
    let wrong = Assignments {
        site: None,
        treating_practitioner: Some(p.care_manager),
        care_manager: Some(other.care_manager),
    };
    let err = store
        .create_patient(
            &desk,
            input("A-101", "B", "C", "1980-01-01")
                .parse(desk.today)
                .unwrap(),
            wrong,
        )
        .await
        .unwrap_err();
    let StoreError::Invalid(v) = err else {
        panic!("{err:?}")
    };
    assert_eq!(v.errors.len(), 2);

    // Correction: the old version is kept; a stale version is a conflict.
    let mut details = created.details.clone();
    details.family_name = "O'Brien-Lopez".into();
    let updated = store
        .update_patient(
            &desk,
            created.id,
            created.version,
            details.clone(),
            assigned.clone(),
        )
        .await
        .unwrap();
    assert_eq!(updated.version, 2);
    assert_eq!(updated.details.family_name, "O'Brien-Lopez");
    let stale = store
        .update_patient(&desk, created.id, created.version, details, assigned)
        .await
        .unwrap_err();
    assert!(matches!(stale, StoreError::Conflict));
    let history = store
        .record_history(p.id, created.id.as_uuid())
        .await
        .unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].0, 1);
    assert_eq!(history[0].1["family_name"], "O'Brien");
}

async fn search(store: &Store) {
    let p = practice(store, "North Clinic").await;
    let desk = ctx(p.id, p.front_desk, Role::FrontDesk);
    let a = add(
        store,
        &desk,
        "A-1",
        "José",
        "García",
        Assignments::default(),
    )
    .await;
    let b = add(
        store,
        &desk,
        "A-2",
        "Joseph",
        "Garcia-Smith",
        Assignments::default(),
    )
    .await;
    let c = add(store, &desk, "B-7", "Ann", "O'Neil", Assignments::default()).await;
    let other = practice(store, "South Clinic").await;
    add(
        store,
        &ctx(other.id, other.front_desk, Role::FrontDesk),
        "A-9",
        "Jose",
        "Garcia",
        Assignments::default(),
    )
    .await;

    let find = |q: &str| {
        let q = PatientQuery::parse(q).unwrap();
        let desk = desk.clone();
        async move {
            store
                .search_patients(&desk, &q)
                .await
                .unwrap()
                .into_iter()
                .map(|s| s.id)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(find("garcia").await, vec![a.id, b.id]);
    assert_eq!(find("GARCÍA jos").await, vec![a.id]);
    assert_eq!(find("jose garcia").await, vec![a.id]);
    assert_eq!(find("joseph").await, vec![b.id]);
    assert_eq!(find("oneil").await, vec![c.id]);
    assert_eq!(find("o'neil").await, vec![c.id]);
    assert_eq!(find("B-7").await, vec![c.id]);
    assert_eq!(find("1970-05-06").await, vec![a.id, b.id, c.id]);
    // LIKE metacharacters are literal.
    assert!(find("gar%ia").await.is_empty());
    assert!(find("ga_cia").await.is_empty());
    assert!(matches!(
        PatientQuery::parse("a"),
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        PatientQuery::parse("2026-13-45"),
        Ok(PatientQuery::Mrn(_))
    ));
    let _ = date!(2026 - 01 - 01);
}

async fn relationships(store: &Store) {
    let p = practice(store, "North Clinic").await;
    let desk = ctx(p.id, p.front_desk, Role::FrontDesk);
    let pt = add(
        store,
        &desk,
        "A-1",
        "Ann",
        "Lee",
        Assignments {
            site: None,
            treating_practitioner: Some(p.practitioner),
            care_manager: Some(p.care_manager),
        },
    )
    .await;
    let r = store
        .relationship(p.id, p.practitioner, pt.id)
        .await
        .unwrap()
        .unwrap();
    assert!(r.treating_practitioner && !r.care_manager && !r.in_cocm);
    let r = store
        .relationship(p.id, p.care_manager, pt.id)
        .await
        .unwrap()
        .unwrap();
    assert!(r.care_manager && !r.treating_practitioner);
    let r = store
        .relationship(p.id, p.care_manager2, pt.id)
        .await
        .unwrap()
        .unwrap();
    assert!(!r.care_manager && !r.treating_practitioner);
    let cm = ctx(p.id, p.care_manager, Role::CareManager);
    store
        .create_episode(
            &cm,
            pt.id,
            stepwise_domain::episode::Program::Cocm,
            cm.today,
            Some(p.practitioner),
        )
        .await
        .unwrap();
    assert!(
        store
            .relationship(p.id, p.psychiatrist, pt.id)
            .await
            .unwrap()
            .unwrap()
            .in_cocm
    );
    let other = practice(store, "South Clinic").await;
    assert!(
        store
            .relationship(other.id, other.practitioner, pt.id)
            .await
            .unwrap()
            .is_none()
    );
}

conformance!(create_read_update, search, relationships);
