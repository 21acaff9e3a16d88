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
    let opts = stepwise_synth::DemoOptions {
        today: local_date(now, stepwise_synth::DEMO_TIME_ZONE),
        now,
        password_hash,
        ..stepwise_synth::DemoOptions::default()
    };
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
    Ok(store
        .users(practice.id)
        .await?
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
