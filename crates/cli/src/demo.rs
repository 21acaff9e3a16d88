//! The demo practice: synthetic patients for trying Stepwise out.

use anyhow::{Context, Result};
use stepwise_store::Store;
use stepwise_web::auth::hash_password;
use stepwise_web::state::{Clock, SystemClock, local_date};

/// Create and seed the demo practice in an empty database.
pub async fn seed(store: &Store, password: &str) -> Result<()> {
    let pw = password.to_owned();
    let password_hash = tokio::task::spawn_blocking(move || hash_password(&pw))
        .await?
        .map_err(anyhow::Error::msg)?;
    let now = SystemClock.now();
    let opts = stepwise_synth::DemoOptions::new(
        local_date(now, stepwise_synth::DEMO_TIME_ZONE),
        now,
        password_hash,
    );
    let started = std::time::Instant::now();
    let demo = stepwise_synth::seed_demo(store, &opts)
        .await
        .context("seeding the demo practice")?;
    println!(
        "Seeded the demo practice ({} staff accounts) in {:.1} s.",
        demo.users.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The demo practice's sign-ins: (email, roles).
pub async fn sign_ins(store: &Store) -> Result<Vec<(String, String)>> {
    let practice = crate::admin::pick_practice(store, None).await?;
    let mut users = store.users(practice.id).await?;
    // By role, in the order of the roles' list (practitioners first), then by name.
    users.sort_by_key(|u| (u.roles.first().copied(), u.display_name.clone()));
    Ok(users
        .into_iter()
        .filter(|u| !u.disabled)
        .map(|u| {
            let roles = u
                .roles
                .iter()
                .map(|r| r.label())
                .collect::<Vec<_>>()
                .join(", ");
            (u.email, roles)
        })
        .collect())
}

/// `stepwise synth`: a large synthetic practice for benchmarks, in an empty database.
#[derive(clap::Args)]
pub struct SynthArgs {
    /// Patients to generate.
    #[arg(long, default_value_t = 20_000)]
    patients: usize,
    /// Responses (PHQ-9, GAD-7) per patient.
    #[arg(long, default_value_t = 20)]
    assessments_per_patient: usize,
    /// Seed of the generator: the same seed gives the same practice.
    #[arg(long, default_value_t = stepwise_synth::DEFAULT_SEED)]
    seed: u64,
    #[command(flatten)]
    db: crate::DbArgs,
}

pub async fn synth(args: SynthArgs) -> Result<std::process::ExitCode> {
    let store = args.db.open().await?;
    if !store.is_empty().await? {
        anyhow::bail!("the database already holds a practice: synth writes only into an empty one");
    }
    let now = SystemClock.now();
    let password_hash = tokio::task::spawn_blocking(|| hash_password(super::serve::DEMO_PASSWORD))
        .await?
        .map_err(anyhow::Error::msg)?;
    let mut opts =
        stepwise_synth::PopulationOptions::new(args.patients, now.date(), now, password_hash);
    opts.assessments_per_patient = args.assessments_per_patient;
    opts.seed = args.seed;
    let started = std::time::Instant::now();
    let r = stepwise_synth::seed_population(&store, &opts).await?;
    println!(
        "Generated {} patients, {} episodes ({} open), {} contacts and {} assessments in {:.1} s.",
        r.patients,
        r.episodes,
        r.open_episodes,
        r.contacts,
        r.assessments,
        started.elapsed().as_secs_f64()
    );
    println!(
        "{} care managers with full caseloads (cm001@population.stepwise.test …); password {}.",
        r.care_managers.len(),
        super::serve::DEMO_PASSWORD
    );
    store.close().await;
    Ok(std::process::ExitCode::SUCCESS)
}
