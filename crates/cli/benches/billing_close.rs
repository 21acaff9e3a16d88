//! Month-close benchmark (issue 4's goal: under 2 s for 50,000 enrolled patients, store reads
//! included), on SQLite:
//!
//! - review: `Store::billing_month` for October 2026: every patient's history read from the
//!   registry tables, evaluated by the billing engine with its explanation, audited;
//! - lock: `Store::lock_billing_month`: the same evaluation inside the write transaction, plus
//!   the claim snapshot, on a copy of the database (a month locks once);
//! - export: `Store::billing_export` of the locked month.
//!
//! 50,000 patients with one Collaborative Care episode each and 10 care-manager contacts
//! (August to October 2026; 90 % with an initiating visit). `cargo bench -p stepwise-cli --bench
//! billing_close`. The population is generated once and kept under `target/bench-data/`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::disallowed_methods)]

use std::path::{Path, PathBuf};
use std::time::Instant;
use stepwise_domain::calendar::YearMonth;
use stepwise_domain::care_plan::CarePlan;
use stepwise_domain::contact::{ContactDetails, ContactKind, Minutes, Modality};
use stepwise_domain::episode::{Consent, ConsentMethod, Program, Transition};
use stepwise_domain::ids::{PracticeId, UserId};
use stepwise_domain::patient::{Assignments, PatientInput};
use stepwise_domain::registry::ManualFlags;
use stepwise_domain::role::Role;
use stepwise_store::model::{Ctx, NewUser};
use stepwise_store::{
    ImportBatch, ImportContact, ImportEpisode, ImportPatient, Location, OpenOptions, Store,
};
use time::macros::{date, datetime};
use time::{Date, Duration, OffsetDateTime};

const PATIENTS: usize = 50_000;
const ACTIVITIES: usize = 10;
const PRACTITIONERS: usize = 100;
const NOW: OffsetDateTime = datetime!(2026-11-27 15:00 UTC);

fn bench_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-data")
}

fn ctx(practice: PracticeId, user: Option<UserId>, role: Option<Role>) -> Ctx {
    Ctx {
        practice,
        user,
        role,
        request_id: "bench".into(),
        source: "bench".into(),
        now: NOW,
        today: NOW.date(),
    }
}

/// A small deterministic generator (xorshift), enough for varied minutes.
struct Rng(u64);

impl Rng {
    fn int(&mut self, lo: i64, hi: i64) -> i64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        lo + (self.0 % (hi - lo + 1) as u64) as i64
    }
}

fn contact(cm: UserId, on: Date, minutes: i64) -> ImportContact {
    ImportContact {
        staff: cm,
        details: ContactDetails {
            label: Default::default(),
            contact_on: on,
            staff_role: Role::CareManager,
            kind: ContactKind::FollowUp,
            modality: Modality::Phone,
            minutes: Minutes::new(minutes as u16).unwrap(),
            exclusion: None,
            note: None,
        },
    }
}

async fn user(store: &Store, c: &Ctx, email: String, role: Role, npi: Option<String>) -> UserId {
    store
        .create_user(
            c,
            NewUser {
                email,
                display_name: "Bench".into(),
                password_hash: None,
                roles: vec![role],
                npi,
            },
        )
        .await
        .unwrap()
        .id
}

/// Generate the population; returns the practice and its billing user.
async fn generate(store: &Store) -> (PracticeId, UserId) {
    let t = Instant::now();
    let p = store
        .create_practice("Billing Bench Practice", "America/New_York", NOW, "bench")
        .await
        .unwrap();
    let sys = ctx(p.id, None, None);
    let biller = user(
        store,
        &sys,
        "billing@bench.test".into(),
        Role::Billing,
        None,
    )
    .await;
    let mut tps = Vec::new();
    let mut cms = Vec::new();
    for n in 0..PRACTITIONERS {
        tps.push(
            user(
                store,
                &sys,
                format!("dr{n}@bench.test"),
                Role::TreatingPractitioner,
                Some(format!("{:010}", 1_000_000_000 + n)),
            )
            .await,
        );
        cms.push(
            user(
                store,
                &sys,
                format!("cm{n}@bench.test"),
                Role::CareManager,
                None,
            )
            .await,
        );
    }
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut visits: Vec<(uuid::Uuid, UserId)> = Vec::new();
    for start in (0..PATIENTS).step_by(2_000) {
        let mut batch = ImportBatch::default();
        let mut owners = Vec::new();
        for i in start..(start + 2_000).min(PATIENTS) {
            let (tp, cm) = (tps[i % PRACTITIONERS], cms[i % PRACTITIONERS]);
            let details = PatientInput {
                mrn: format!("M{i:07}"),
                given_name: "Pat".into(),
                family_name: format!("Bench{i}"),
                birth_date: "1960-05-05".into(),
                sex: "female".into(),
                payer_kind: Some(if i % 3 == 0 { "medicaid" } else { "medicare" }.into()),
                ..Default::default()
            }
            .parse(NOW.date())
            .unwrap();
            // Three contacts in August, three in September, four in October.
            let mut contacts = Vec::with_capacity(ACTIVITIES);
            for k in 0..ACTIVITIES {
                let (month_start, slot) = match k {
                    0..=2 => (date!(2026 - 08 - 03), k),
                    3..=5 => (date!(2026 - 09 - 01), k - 3),
                    _ => (date!(2026 - 10 - 01), k - 6),
                };
                let on = month_start + Duration::days(slot as i64 * 7 + rng.int(0, 5));
                contacts.push(contact(cm, on, rng.int(5, 30)));
            }
            batch.patients.push(ImportPatient {
                details,
                assignments: Assignments {
                    site: None,
                    treating_practitioner: Some(tp),
                    care_manager: Some(cm),
                },
                screenings: Vec::new(),
                episodes: vec![ImportEpisode {
                    program: Program::Cocm,
                    referred_on: date!(2026 - 07 - 28),
                    referring_practitioner: Some(tp),
                    care_plan: CarePlan::default(),
                    consents: vec![Consent {
                        program: Program::Cocm,
                        consented_on: date!(2026 - 08 - 01),
                        method: ConsentMethod::Verbal,
                        cost_sharing_explained: true,
                        consult_permission: true,
                        obtained_by: cm,
                        revoked_on: None,
                    }],
                    transitions: vec![
                        (date!(2026 - 08 - 01), Transition::Enroll),
                        (date!(2026 - 08 - 03), Transition::StartTreatment),
                    ],
                    manual_flags: ManualFlags::default(),
                    contacts,
                    assessments: Vec::new(),
                }],
            });
            owners.push((i, tp));
        }
        let report = store.bulk_import(&sys, &batch).await.unwrap();
        for ((i, tp), id) in owners.into_iter().zip(report.patients) {
            if i % 10 != 0 {
                visits.push((id.as_uuid(), tp));
            }
        }
    }
    // Initiating visits: written straight to the table in one transaction (the store records
    // them one by one, each with its audit event, which would take minutes here).
    let path = bench_dir()
        .join(format!("billing-sqlite-{PATIENTS}"))
        .join(stepwise_store::SQLITE_FILE);
    {
        use sqlx::Connection;
        let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        let mut tx = c.begin().await.unwrap();
        for (patient, tp) in &visits {
            sqlx::query(
                "INSERT INTO initiating_visits (id, practice_id, patient_id, practitioner_id, visit_on, kind, created_at, created_by) \
                 VALUES ($1, $2, $3, $4, $5, 'awv', $6, NULL)",
            )
            .bind(uuid::Uuid::now_v7())
            .bind(p.id.as_uuid())
            .bind(patient)
            .bind(tp.as_uuid())
            .bind(date!(2026 - 03 - 02))
            .bind(NOW)
            .execute(&mut *tx)
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
    }
    println!(
        "generated {PATIENTS} patients × {ACTIVITIES} contacts in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    (p.id, biller)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

#[tokio::main]
async fn main() {
    let dir = bench_dir().join(format!("billing-sqlite-{PATIENTS}"));
    let store = Store::open(&Location::SqliteDir(dir.clone()), OpenOptions::default())
        .await
        .unwrap();
    let (practice, biller) = if store.is_empty().await.unwrap() {
        generate(&store).await
    } else {
        let p = store.practices().await.unwrap()[0].id;
        let users = store.users(p).await.unwrap();
        (
            p,
            users.iter().find(|u| u.has_role(Role::Billing)).unwrap().id,
        )
    };
    store.close().await;
    let store = Store::open(&Location::SqliteDir(dir.clone()), OpenOptions::default())
        .await
        .unwrap();
    let october = YearMonth::new(2026, 10).unwrap();
    let c = ctx(practice, Some(biller), Some(Role::Billing));

    let mut times = Vec::new();
    let mut review = None;
    for _ in 0..5 {
        let t = Instant::now();
        let r = store.billing_month(&c, october).await.unwrap();
        times.push(t.elapsed().as_secs_f64());
        review = Some(r);
    }
    let review = review.unwrap();
    let lines: usize = review.patients.iter().map(|p| p.lines.len()).sum();
    let held = review
        .patients
        .iter()
        .filter(|p| !p.holds.is_empty())
        .count();
    println!(
        "SQLite review of {october}: {} patients, {lines} lines, {held} held, expected ${:.2}: median {:.3} s (min {:.3} s, 5 runs)",
        review.patients.len(),
        review.revenue.expected_cents as f64 / 100.0,
        median(times.clone()),
        times.iter().copied().fold(f64::INFINITY, f64::min),
    );
    store.close().await;

    // Lock on a copy: a month locks once.
    let copy = tempfile::tempdir_in(bench_dir()).unwrap();
    copy_dir(&dir, copy.path());
    let store = Store::open(
        &Location::SqliteDir(copy.path().to_owned()),
        OpenOptions::default(),
    )
    .await
    .unwrap();
    let t = Instant::now();
    store
        .lock_billing_month(&c, october, &review.review_hash)
        .await
        .unwrap();
    println!(
        "SQLite lock of {october} (evaluation and claim snapshot in one transaction): {:.3} s",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let export = store.billing_export(&c, october).await.unwrap();
    let csv = stepwise_domain::billing::close::export_csv(&export).unwrap();
    println!(
        "SQLite export of {october}: {} lines, {} KB of CSV: {:.3} s",
        export.len(),
        csv.len() / 1024,
        t.elapsed().as_secs_f64()
    );
    store.close().await;
}
