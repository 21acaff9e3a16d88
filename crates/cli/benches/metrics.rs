//! Metrics benchmark (issue 8's performance goal): the full catalogue of metrics of success
//! for a year of a 20,000-patient practice, overall and per site, care manager and treating
//! practitioner, on SQLite and, when `STEPWISE_TEST_PG_URL` names a server, on PostgreSQL.
//! The time covers what `GET /api/v1/metrics` does: reading the registry through the store
//! (audit included) and computing every metric with the domain's functions.
//!
//! `cargo bench -p stepwise-cli --bench metrics`. The population is generated on first use and
//! kept (SQLite: the registry bench's `target/bench-data/sqlite-20000`; PostgreSQL: its own
//! database `stepwise_bench_metrics_20000`, so that other branches' benches keep theirs).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::disallowed_methods)]

use std::path::{Path, PathBuf};
use std::time::Instant;
use stepwise_domain::metrics::{GroupBy, MetricsFilter, Period, compute_all, compute_grouped};
use stepwise_domain::role::Role;
use stepwise_store::model::Ctx;
use stepwise_store::{Location, OpenOptions, Store};
use time::{Duration, OffsetDateTime};

const PATIENTS: usize = 20_000;
const RUNS: usize = 7;

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc().replace_nanosecond(0).unwrap()
}

fn bench_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-data")
}

async fn engines() -> Vec<(&'static str, Location)> {
    let mut v = vec![(
        "SQLite",
        Location::SqliteDir(bench_dir().join(format!("sqlite-{PATIENTS}"))),
    )];
    if let Ok(admin) = std::env::var("STEPWISE_TEST_PG_URL") {
        use sqlx::Connection;
        let name = format!("stepwise_bench_metrics_{PATIENTS}");
        let mut c = sqlx::PgConnection::connect(&admin).await.unwrap();
        let exists: Option<(i32,)> = sqlx::query_as("SELECT 1 FROM pg_database WHERE datname = $1")
            .bind(&name)
            .fetch_optional(&mut c)
            .await
            .unwrap();
        if exists.is_none() {
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&mut c)
                .await
                .unwrap();
        }
        let url = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);
        v.push(("PostgreSQL", Location::Postgres(url)));
    }
    v
}

async fn population(name: &str, location: &Location) -> Store {
    let store = Store::open(location, OpenOptions::default()).await.unwrap();
    if store.is_empty().await.unwrap() {
        let t = Instant::now();
        let now = now();
        let hash = stepwise_web::auth::hash_password("benchmark passphrase").unwrap();
        let report = stepwise_synth::seed_population(
            &store,
            &stepwise_synth::PopulationOptions::new(PATIENTS, now.date(), now, hash),
        )
        .await
        .unwrap();
        println!(
            "{name}: generated {} patients, {} episodes, {} contacts, {} assessments in {:.1} s",
            report.patients,
            report.episodes,
            report.contacts,
            report.assessments,
            t.elapsed().as_secs_f64()
        );
    }
    store
}

#[tokio::main]
async fn main() {
    for (name, location) in engines().await {
        let store = population(name, &location).await;
        let practice = store.practices().await.unwrap().into_iter().next().unwrap();
        let admin = store
            .users(practice.id)
            .await
            .unwrap()
            .into_iter()
            .find(|u| u.roles.contains(&Role::PracticeAdmin))
            .unwrap();
        let now = now();
        let ctx = Ctx {
            practice: practice.id,
            user: Some(admin.id),
            role: Some(Role::PracticeAdmin),
            request_id: "bench".into(),
            source: "bench".into(),
            now,
            today: now.date(),
        };
        let period = Period::new(now.date() - Duration::days(364), now.date()).unwrap();
        let (mut load, mut compute, mut total) = (Vec::new(), Vec::new(), Vec::new());
        let mut shape = (0, 0, 0);
        for _ in 0..RUNS {
            let t = Instant::now();
            let input = store.metrics_input(&ctx, period.to()).await.unwrap();
            let loaded = t.elapsed().as_secs_f64();
            let c = Instant::now();
            let mut results = compute_all(&input, period, &MetricsFilter::default()).len();
            let mut group_count = 0;
            for by in [GroupBy::Site, GroupBy::CareManager, GroupBy::Practitioner] {
                for (_, r) in compute_grouped(&input, period, by) {
                    results += r.len();
                    group_count += 1;
                }
            }
            compute.push(c.elapsed().as_secs_f64());
            load.push(loaded);
            total.push(t.elapsed().as_secs_f64());
            shape = (input.patients.len(), group_count, results);
        }
        for v in [&mut load, &mut compute, &mut total] {
            v.sort_by(f64::total_cmp);
        }
        let med = |v: &[f64]| v[v.len() / 2] * 1000.0;
        println!(
            "{name}: metrics catalogue for one year, {} patients, overall + {} groups ({} results): \
             median {:.0} ms (read {:.0} ms, compute {:.0} ms), fastest {:.0} ms, slowest {:.0} ms over {RUNS} runs",
            shape.0,
            shape.1,
            shape.2,
            med(&total),
            med(&load),
            med(&compute),
            total[0] * 1000.0,
            total[total.len() - 1] * 1000.0
        );
        store.close().await;
    }
}
