//! Large populations for benchmarks, written with [`Store::bulk_import`] in batches of
//! [`POPULATION_BATCH`] patients.
//!
//! Patients are dealt to the care managers in turn; each care manager gets
//! [`OPEN_PER_CARE_MANAGER`] patients with an open Collaborative Care episode (a full caseload
//! for a benchmark to read), and the rest of their patients have a closed episode (discharged,
//! goal met) or screenings only. Every patient has `assessments_per_patient` responses: those
//! of their episode's sessions, the rest screenings at earlier visits.
//!
//! Each batch is one transaction with its own audit event, so a failure leaves the batches
//! before it in place: seed a fresh database, and start again from an empty one on error.

use crate::SynthError;
use crate::answers;
use crate::demo::DEFAULT_SEED;
use crate::people::person;
use crate::rng::Rng;
use stepwise_domain::assessment::AdministrationMode;
use stepwise_domain::care_plan::CarePlan;
use stepwise_domain::contact::{ContactDetails, ContactKind, Minutes, Modality};
use stepwise_domain::episode::{Consent, ConsentMethod, DischargeReason, Program, Transition};
use stepwise_domain::ids::{PracticeId, UserId};
use stepwise_domain::instruments::InstrumentId;
use stepwise_domain::patient::Assignments;
use stepwise_domain::registry::ManualFlags;
use stepwise_domain::role::Role;
use stepwise_store::model::{Ctx, NewUser};
use stepwise_store::{
    ImportAssessment, ImportBatch, ImportContact, ImportEpisode, ImportPatient, Store,
};
use time::{Date, Duration, OffsetDateTime};

/// Open episodes per care manager: a full caseload (reference §9.7, 90–120 for a 1.0 FTE).
pub const OPEN_PER_CARE_MANAGER: usize = 120;

/// Patients per import batch (one transaction each).
pub const POPULATION_BATCH: usize = 2_000;

/// Treating practitioners per care manager (one BHCM supports 4–5 PCPs, reference §9.7).
const PRACTITIONERS_PER_CARE_MANAGER: usize = 4;

/// Days between sessions, and between screenings at earlier visits.
const SESSION_DAYS: i64 = 14;
const SCREENING_DAYS: i64 = 45;

/// What to seed.
#[derive(Debug, Clone)]
pub struct PopulationOptions {
    pub seed: u64,
    pub patients: usize,
    pub assessments_per_patient: usize,
    pub care_managers: usize,
    pub today: Date,
    pub now: OffsetDateTime,
    /// One Argon2 PHC string for every account.
    pub password_hash: String,
}

impl PopulationOptions {
    /// `patients` patients with the defaults: 20 responses each and one care manager per
    /// 500 patients (so each has a full caseload of open episodes and a history behind it).
    pub fn new(
        patients: usize,
        today: Date,
        now: OffsetDateTime,
        password_hash: impl Into<String>,
    ) -> Self {
        Self {
            seed: DEFAULT_SEED,
            patients,
            assessments_per_patient: 20,
            care_managers: (patients / 500).max(1),
            today,
            now,
            password_hash: password_hash.into(),
        }
    }
}

/// What was seeded; `care_managers[i]` holds `open_episodes` / `care_managers.len()` open
/// episodes (up to [`OPEN_PER_CARE_MANAGER`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PopulationReport {
    pub practice: PracticeId,
    pub care_managers: Vec<UserId>,
    pub practitioners: Vec<UserId>,
    pub patients: usize,
    pub episodes: usize,
    pub open_episodes: usize,
    pub contacts: usize,
    pub assessments: usize,
    pub batches: usize,
}

/// The accounts of the population practice (emails `cm001@population.stepwise.test`…).
struct Staff {
    admin: UserId,
    care_managers: Vec<UserId>,
    practitioners: Vec<UserId>,
}

async fn staff(
    store: &Store,
    ctx: &mut Ctx,
    opts: &PopulationOptions,
) -> Result<Staff, SynthError> {
    let user = async |email: String, name: String, role: Role, npi: Option<String>| {
        store
            .create_user(
                ctx,
                NewUser {
                    email,
                    display_name: name,
                    password_hash: Some(opts.password_hash.clone()),
                    roles: vec![role],
                    npi,
                },
            )
            .await
            .map(|u| u.id)
    };
    let domain = "population.stepwise.test";
    let admin = user(
        format!("admin@{domain}"),
        "Population Admin".into(),
        Role::PracticeAdmin,
        None,
    )
    .await?;
    user(
        format!("psych@{domain}"),
        "Population Psychiatrist".into(),
        Role::Psychiatrist,
        None,
    )
    .await?;
    let mut care_managers = Vec::with_capacity(opts.care_managers);
    for n in 1..=opts.care_managers {
        care_managers.push(
            user(
                format!("cm{n:03}@{domain}"),
                format!("Care Manager {n}"),
                Role::CareManager,
                None,
            )
            .await?,
        );
    }
    let mut practitioners = Vec::new();
    for n in 1..=opts.care_managers * PRACTITIONERS_PER_CARE_MANAGER {
        practitioners.push(
            user(
                format!("dr{n:03}@{domain}"),
                format!("Practitioner {n}"),
                Role::TreatingPractitioner,
                None,
            )
            .await?,
        );
    }
    ctx.user = Some(admin);
    ctx.role = Some(Role::PracticeAdmin);
    Ok(Staff {
        admin,
        care_managers,
        practitioners,
    })
}

/// What a patient's history is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Open,
    Closed,
    ScreeningOnly,
}

fn session_contact(
    staff: UserId,
    on: Date,
    kind: ContactKind,
    minutes: i64,
) -> Result<ImportContact, SynthError> {
    let minutes = u16::try_from(minutes)
        .ok()
        .and_then(Minutes::new)
        .ok_or_else(|| SynthError::Plan(format!("{minutes} minutes")))?;
    Ok(ImportContact {
        staff,
        details: ContactDetails {
            label: Default::default(),
            contact_on: on,
            staff_role: Role::CareManager,
            kind,
            modality: Modality::Phone,
            minutes,
            exclusion: None,
            note: None,
        },
    })
}

fn response(
    rng: &mut Rng,
    instrument: InstrumentId,
    on: Date,
    total: u16,
    by: UserId,
) -> ImportAssessment {
    ImportAssessment {
        instrument,
        administered_on: on,
        mode: AdministrationMode::Phone,
        answers: answers::answers(rng, instrument, total),
        administered_by: by,
    }
}

/// One patient's records.
fn patient(
    opts: &PopulationOptions,
    staff: &Staff,
    i: usize,
) -> Result<(ImportPatient, Shape), SynthError> {
    let today = opts.today;
    let mut rng = Rng::new(opts.seed, 10_000 + i as u64);
    let n_cm = staff.care_managers.len();
    let cm_at = i % n_cm;
    let rank = i / n_cm;
    let cm = staff.care_managers[cm_at];
    let practitioner = staff.practitioners
        [cm_at * PRACTITIONERS_PER_CARE_MANAGER + rank % PRACTITIONERS_PER_CARE_MANAGER];
    let shape = if rank < OPEN_PER_CARE_MANAGER {
        Shape::Open
    } else if rank % 5 < 3 {
        Shape::Closed
    } else {
        Shape::ScreeningOnly
    };
    let p = person(&mut rng, today, &format!("P{i:07}"));
    let details = p.details(today)?;
    let baseline = rng.int(10, 22) as u16;
    let wanted = opts.assessments_per_patient;

    let mut episodes = Vec::new();
    let mut in_episode = 0;
    // Screenings go back in time from here.
    let mut screened_before = today;
    if shape != Shape::ScreeningOnly {
        let open = shape == Shape::Open;
        let referred = today
            - Duration::days(if open {
                rng.int(14, 200)
            } else {
                rng.int(300, 700)
            });
        let enrolled = referred + Duration::days(2);
        let start = referred + Duration::days(4);
        let last = if open {
            today
        } else {
            start + Duration::days(SESSION_DAYS * 12)
        };
        let mut transitions = vec![
            (enrolled, Transition::Enroll),
            (start, Transition::StartTreatment),
        ];
        let mut contacts = Vec::new();
        let mut assessments = Vec::new();
        let mut on = start;
        let mut n = 0;
        while on <= last {
            let weeks = (on - start).whole_days() as f64 / 7.0;
            let kind = if n == 0 {
                ContactKind::InitialAssessment
            } else {
                ContactKind::FollowUp
            };
            let minutes = if n == 0 {
                rng.int(40, 60)
            } else {
                rng.int(15, 35)
            };
            contacts.push(session_contact(cm, on, kind, minutes)?);
            if n % 2 == 1 && rng.chance(0.5) {
                let next = (on + Duration::days(rng.int(1, 3))).min(last);
                contacts.push(session_contact(
                    cm,
                    next,
                    ContactKind::CareCoordination,
                    rng.int(8, 20),
                )?);
            }
            if assessments.len() < wanted {
                let expected = f64::from(baseline) * (1.0 - weeks / 24.0).max(0.15);
                let (instrument, total) = if n % 2 == 0 {
                    (InstrumentId::Phq9, expected)
                } else {
                    (InstrumentId::Gad7, expected * 0.8)
                };
                let total = (total + rng.int(-2, 2) as f64).round().clamp(0.0, 21.0) as u16;
                assessments.push(response(&mut rng, instrument, on, total, cm));
            }
            if !open && n == 8 {
                transitions.push((
                    on,
                    Transition::BeginRelapsePrevention {
                        plan: "Keep the activity plan; call if sleep or mood slip for two weeks."
                            .into(),
                    },
                ));
            }
            n += 1;
            on += Duration::days(SESSION_DAYS);
        }
        if !open {
            transitions.push((
                last,
                Transition::Discharge {
                    reason: DischargeReason::GoalMet,
                },
            ));
        }
        in_episode = assessments.len();
        screened_before = referred;
        episodes.push(ImportEpisode {
            program: Program::Cocm,
            referred_on: referred,
            referring_practitioner: Some(practitioner),
            care_plan: CarePlan::default(),
            consents: vec![Consent {
                program: Program::Cocm,
                consented_on: enrolled,
                method: ConsentMethod::Verbal,
                cost_sharing_explained: true,
                consult_permission: true,
                obtained_by: cm,
                revoked_on: None,
            }],
            transitions,
            manual_flags: ManualFlags::default(),
            contacts,
            assessments,
        });
    }
    let mut screenings = Vec::new();
    for k in 0..wanted.saturating_sub(in_episode) {
        let on = screened_before - Duration::days(SCREENING_DAYS * (k as i64 + 1));
        let (instrument, total) = match k % 4 {
            0 => (InstrumentId::Phq9, rng.int(0, 9)),
            1 => (InstrumentId::Gad7, rng.int(0, 8)),
            2 => (InstrumentId::Phq2, rng.int(0, 2)),
            _ => (InstrumentId::Auditc, rng.int(0, 4)),
        };
        screenings.push(response(
            &mut rng,
            instrument,
            on,
            total as u16,
            practitioner,
        ));
    }
    Ok((
        ImportPatient {
            details,
            assignments: Assignments {
                site: None,
                treating_practitioner: Some(practitioner),
                care_manager: (shape != Shape::ScreeningOnly).then_some(cm),
            },
            screenings,
            episodes,
        },
        shape,
    ))
}

/// Seed a population practice into `store` with [`Store::bulk_import`].
pub async fn seed_population(
    store: &Store,
    opts: &PopulationOptions,
) -> Result<PopulationReport, SynthError> {
    if opts.care_managers == 0 {
        return Err(SynthError::Options("at least one care manager".into()));
    }
    if opts.password_hash.trim().is_empty() {
        return Err(SynthError::Options(
            "the accounts need a password hash".into(),
        ));
    }
    let practice = store
        .create_practice(
            "Synthetic Population Practice",
            crate::DEMO_TIME_ZONE,
            opts.now,
            "synth",
        )
        .await?;
    let mut ctx = Ctx {
        practice: practice.id,
        user: None,
        role: None,
        request_id: "synth-population".into(),
        source: "synth".into(),
        now: opts.now,
        today: opts.today,
    };
    let staff = staff(store, &mut ctx, opts).await?;
    debug_assert_eq!(ctx.user, Some(staff.admin));
    let mut report = PopulationReport {
        practice: practice.id,
        care_managers: staff.care_managers.clone(),
        practitioners: staff.practitioners.clone(),
        patients: 0,
        episodes: 0,
        open_episodes: 0,
        contacts: 0,
        assessments: 0,
        batches: 0,
    };
    let mut start = 0;
    while start < opts.patients {
        let end = (start + POPULATION_BATCH).min(opts.patients);
        let mut batch = ImportBatch::default();
        for i in start..end {
            let (p, shape) = patient(opts, &staff, i)?;
            report.open_episodes += usize::from(shape == Shape::Open);
            batch.patients.push(p);
        }
        let imported = store.bulk_import(&ctx, &batch).await?;
        report.patients += imported.patients.len();
        report.episodes += imported.episodes.len();
        report.contacts += imported.contacts;
        report.assessments += imported.assessments;
        report.batches += 1;
        start = end;
    }
    Ok(report)
}
