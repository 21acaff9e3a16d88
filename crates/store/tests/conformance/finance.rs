//! The financial view's inputs: the billing engine's patient-months of a range of months, and
//! the practice's financial settings and measures of success, each save a new version (never
//! overwritten), a stale version refused, invalid settings never stored, saves audited.

use crate::billing::{log, visit};
use crate::conformance;
use crate::episodes::enrolled_patient;
use crate::harness::{ctx, practice};
use stepwise_domain::audit::{AuditAction, AuditCategory};
use stepwise_domain::billing::BillingCode;
use stepwise_domain::calendar::YearMonth;
use stepwise_domain::episode::Program;
use stepwise_domain::finance::{
    FinanceSettings, Pay, PayerRates, StaffRole, TeamMember, TeamRoster,
};
use stepwise_domain::metrics::{MeasuresOfSuccess, MetricCode};
use stepwise_domain::role::Role;
use stepwise_store::{Store, StoreError};

fn ym(s: &str) -> YearMonth {
    s.parse().unwrap()
}

async fn months_of_a_range(store: &Store) {
    let p = practice(store, "North Clinic").await;
    let admin = ctx(p.id, p.admin, Role::PracticeAdmin);
    // A: CoCM, 50 minutes in September (initial: 99492), 80 in October (99493 + 99494).
    let (a, a_ep) = enrolled_patient(store, &p, "A-1", Program::Cocm).await;
    visit(store, &p, a).await;
    log(store, &p, a_ep.id, "2026-09-10", 50).await;
    log(store, &p, a_ep.id, "2026-10-05", 80).await;
    // B: CoCM in October without an initiating visit: held.
    let (b, b_ep) = enrolled_patient(store, &p, "B-1", Program::Cocm).await;
    log(store, &p, b_ep.id, "2026-10-10", 30).await;

    let data = store
        .finance_months(&admin, ym("2026-08"), ym("2026-10"))
        .await
        .unwrap();
    let seen: Vec<(String, YearMonth)> = data
        .months
        .iter()
        .map(|m| (m.patient.to_string(), m.billing.month))
        .collect();
    assert_eq!(
        seen,
        [
            (a.to_string(), ym("2026-09")),
            (a.to_string(), ym("2026-10")),
            (b.to_string(), ym("2026-10")),
        ]
    );
    let sep = &data.months[0];
    assert_eq!(sep.practitioner, Some(p.practitioner));
    assert_eq!(sep.billing.lines.units_of(BillingCode::C99492), 1);
    let oct = &data.months[1];
    assert_eq!(oct.billing.countable_minutes, 80);
    assert_eq!(oct.billing.lines.units_of(BillingCode::C99494), 1);
    assert!(!data.months[2].billing.holds.is_empty());
    assert_eq!(data.billing.fees.year, 2025, "the default fee table");

    // Audited once, as a revenue read with the range and no patient.
    let reads: Vec<String> = store
        .audit_events(p.id, 0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.event.action == AuditAction::BillingRevenueRead)
        .map(|e| {
            assert_eq!(e.event.category, AuditCategory::Billing);
            assert_eq!(e.event.patient, None);
            e.event.detail
        })
        .collect();
    assert_eq!(reads, ["financial view 2026-08 to 2026-10"]);

    // A range ending after this month, or upside down, is refused.
    assert!(matches!(
        store
            .finance_months(&admin, ym("2026-10"), ym("2027-01"))
            .await,
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        store.finance_months(&admin, ym("2026-10"), ym("2026-09")).await,
        Err(StoreError::Invalid(e)) if e.errors[0].field == "to"
    ));
    // Another practice sees none of it.
    let south = practice(store, "South Clinic").await;
    let other = ctx(south.id, south.admin, Role::PracticeAdmin);
    let none = store
        .finance_months(&other, ym("2026-08"), ym("2026-10"))
        .await
        .unwrap();
    assert!(none.months.is_empty());
}

fn roster(salary: u64) -> FinanceSettings {
    FinanceSettings {
        roster: TeamRoster {
            members: vec![TeamMember {
                name: "Care manager".into(),
                role: StaffRole::CareManager,
                pay: Pay::Salaried {
                    annual_salary_cents: salary,
                    fte_percent: 100,
                    benefits_percent: 25,
                },
            }],
            other_monthly_cents: 10_000,
        },
        rates: PayerRates::default(),
    }
}

async fn settings_and_measures_are_versioned(store: &Store) {
    let p = practice(store, "North Clinic").await;
    let admin = ctx(p.id, p.admin, Role::PracticeAdmin);

    // Before the first save: the defaults at version 0.
    let s0 = store.finance_settings(p.id).await.unwrap();
    assert_eq!((s0.version, s0.saved_at), (0, None));
    assert_eq!(s0.settings, FinanceSettings::default());
    // Invalid settings are not stored.
    let mut bad = roster(7_000_000);
    bad.roster.members[0].name = " ".into();
    assert!(matches!(
        store.save_finance_settings(&admin, 0, &bad).await,
        Err(StoreError::Invalid(e)) if e.errors[0].field == "roster.members[0].name"
    ));
    assert_eq!(store.finance_settings(p.id).await.unwrap().version, 0);
    // Saved, read back; a stale version is a conflict and changes nothing.
    let first = store
        .save_finance_settings(&admin, 0, &roster(7_000_000))
        .await
        .unwrap();
    assert_eq!((first.version, first.saved_by), (1, Some(p.admin)));
    assert_eq!(store.finance_settings(p.id).await.unwrap(), first);
    assert!(matches!(
        store
            .save_finance_settings(&admin, 0, &roster(8_000_000))
            .await,
        Err(StoreError::Conflict)
    ));
    let second = store
        .save_finance_settings(&admin, 1, &roster(8_000_000))
        .await
        .unwrap();
    assert_eq!(second.version, 2);
    assert_eq!(
        store.finance_settings(p.id).await.unwrap().settings,
        roster(8_000_000)
    );

    // Measures of success: their own versions, beside the finance settings'.
    let m0 = store.measures_of_success(p.id).await.unwrap();
    assert_eq!((m0.version, m0.measures.chosen.len()), (0, 0));
    let chosen = MeasuresOfSuccess {
        chosen: vec![MetricCode::Remission, MetricCode::DepressionScreening],
    };
    let m1 = store
        .save_measures_of_success(&admin, 0, &chosen)
        .await
        .unwrap();
    assert_eq!(m1.version, 1);
    assert_eq!(store.measures_of_success(p.id).await.unwrap(), m1);
    // Seven measures are more than the reference's six: refused, nothing stored.
    let seven = MeasuresOfSuccess {
        chosen: MetricCode::ALL[..7].to_vec(),
    };
    assert!(matches!(
        store.save_measures_of_success(&admin, 1, &seven).await,
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        store.save_measures_of_success(&admin, 0, &chosen).await,
        Err(StoreError::Conflict)
    ));
    assert_eq!(store.measures_of_success(p.id).await.unwrap().version, 1);

    // Audited with the version, never the content.
    let events = store.audit_events(p.id, 0, 1000).await.unwrap();
    let details = |action: AuditAction| -> Vec<String> {
        events
            .iter()
            .filter(|e| e.event.action == action)
            .map(|e| e.event.detail.clone())
            .collect()
    };
    assert_eq!(
        details(AuditAction::FinanceSettingsSave),
        ["finance version 1", "finance version 2"]
    );
    assert_eq!(details(AuditAction::MeasuresSave), ["measures version 1"]);
    // Another practice has its own.
    let south = practice(store, "South Clinic").await;
    assert_eq!(store.finance_settings(south.id).await.unwrap().version, 0);
    assert_eq!(
        store.measures_of_success(south.id).await.unwrap().version,
        0
    );
}

conformance!(months_of_a_range, settings_and_measures_are_versioned);
