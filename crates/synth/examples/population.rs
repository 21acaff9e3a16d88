//! Seed a large synthetic population into a fresh database and report how long it took: the
//! figure for the bulk-import benchmark.
//!
//! ```text
//! cargo run --release -p stepwise-synth --example population -- <data-dir | postgres://…> [patients] [YYYY-MM-DD]
//! ```
//!
//! A data directory gets a new SQLite database; a PostgreSQL URL must name an empty database.
//! Defaults: 20,000 patients (20 responses each), today 2026-11-27.

use std::time::Instant;
use stepwise_domain::patient::parse_date;
use stepwise_store::{Location, OpenOptions, Store};
use stepwise_synth::{PopulationOptions, seed_population};
use time::macros::time;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let target = args
        .next()
        .ok_or("usage: population <data-dir | postgres://…> [patients] [YYYY-MM-DD]")?;
    let patients: usize = args.next().map_or(Ok(20_000), |n| n.parse())?;
    let today = parse_date("today", &args.next().unwrap_or_else(|| "2026-11-27".into()))?;
    let location = match Location::from_url(&target) {
        Ok(pg) => pg,
        Err(_) => Location::SqliteDir(target.into()),
    };
    let store = Store::open(&location, OpenOptions::default()).await?;
    let opts = PopulationOptions::new(
        patients,
        today,
        today.with_time(time!(15:00)).assume_utc(),
        "$argon2id$v=19$m=19456,t=2,p=1$cG9wdWxhdGlvbg$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    );
    let started = Instant::now();
    let report = seed_population(&store, &opts).await?;
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{location:?}: {} patients, {} episodes ({} open, {} care managers), {} contacts, {} assessments in {} batches: {seconds:.1} s ({:.0} assessments/s)",
        report.patients,
        report.episodes,
        report.open_episodes,
        report.care_managers.len(),
        report.contacts,
        report.assessments,
        report.batches,
        report.assessments as f64 / seconds,
    );
    store.close().await;
    Ok(())
}
