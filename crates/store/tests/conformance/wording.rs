//! A practice's licensed instrument wording: loaded, replaced (the previous one kept), and
//! audited as administration; other practices never see it.

use crate::conformance;
use crate::harness::{ctx, practice};
use stepwise_domain::audit::{AuditAction, AuditCategory};
use stepwise_domain::instruments::InstrumentId;
use stepwise_domain::instruments::wording::parse_wording;
use stepwise_domain::role::Role;
use stepwise_store::Store;

pub fn epds_file(holder: &str, text: &str) -> String {
    let items: Vec<String> = (1..=10)
        .map(|n| {
            format!(r#"{{"number": {n}, "text": "{text} {n}", "options": ["a", "b", "c", "d"]}}"#)
        })
        .collect();
    format!(
        r#"{{"instrument": "epds", "licence_holder": "{holder}", "permission": "Letter ref. 1234", "items": [{}]}}"#,
        items.join(", ")
    )
}

async fn licensed_wording(store: &Store) {
    let p = practice(store, "North Clinic").await;
    let admin = ctx(p.id, p.admin, Role::PracticeAdmin);
    assert!(store.instrument_wordings(p.id).await.unwrap().is_empty());
    let first = parse_wording(&epds_file("Royal College of Psychiatrists", "First")).unwrap();
    let loaded = store.load_instrument_wording(&admin, &first).await.unwrap();
    assert_eq!(
        (loaded.instrument, loaded.version, loaded.loaded_by),
        (InstrumentId::Epds, 1, Some(p.admin))
    );
    assert_eq!(loaded.permission.as_deref(), Some("Letter ref. 1234"));
    let all = store.instrument_wordings(p.id).await.unwrap();
    assert_eq!(all, vec![(loaded, first.clone())]);

    // A new file replaces it.
    let second = parse_wording(&epds_file("RCPsych", "Second")).unwrap();
    let replaced = store
        .load_instrument_wording(&admin, &second)
        .await
        .unwrap();
    assert_eq!(
        (replaced.version, replaced.licence_holder.as_str()),
        (2, "RCPsych")
    );
    let all = store.instrument_wordings(p.id).await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].1.items[9].text, "Second 10");

    let events = store.audit_events(p.id, 0, 1000).await.unwrap();
    let loads: Vec<&str> = events
        .iter()
        .filter(|e| e.event.action == AuditAction::InstrumentWordingLoad)
        .inspect(|e| assert_eq!(e.event.category, AuditCategory::Administration))
        .map(|e| e.event.detail.as_str())
        .collect();
    assert_eq!(loads, ["epds version 1", "epds version 2"]);

    let other = practice(store, "South Clinic").await;
    assert!(
        store
            .instrument_wordings(other.id)
            .await
            .unwrap()
            .is_empty()
    );
}

conformance!(licensed_wording);
