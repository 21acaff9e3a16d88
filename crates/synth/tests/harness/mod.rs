//! Fresh stores for the synth tests, as in the store's conformance suite: a SQLite file in a
//! temporary directory, or a PostgreSQL database created from `STEPWISE_TEST_PG_URL` and
//! dropped afterwards. With `STEPWISE_TEST_REQUIRE_PG` set, a missing or unreachable server
//! fails the test instead of skipping its PostgreSQL run.

#![allow(dead_code)]

use std::str::FromStr;
use stepwise_store::{Location, OpenOptions, Store};

pub struct Harness {
    pub store: Store,
    _dir: Option<tempfile::TempDir>,
    pg: Option<(String, String)>,
}

pub async fn sqlite() -> Harness {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(
        &Location::SqliteDir(dir.path().to_owned()),
        OpenOptions::default(),
    )
    .await
    .expect("open sqlite store");
    Harness {
        store,
        _dir: Some(dir),
        pg: None,
    }
}

pub async fn postgres() -> Option<Harness> {
    let Ok(admin_url) = std::env::var("STEPWISE_TEST_PG_URL") else {
        if std::env::var_os("STEPWISE_TEST_REQUIRE_PG").is_some() {
            panic!("STEPWISE_TEST_REQUIRE_PG is set but STEPWISE_TEST_PG_URL is not");
        }
        eprintln!("STEPWISE_TEST_PG_URL not set: skipping the PostgreSQL run of this test");
        return None;
    };
    let name = format!("stepwise_synth_{}", uuid::Uuid::now_v7().simple());
    let opts = sqlx::postgres::PgConnectOptions::from_str(&admin_url).expect("PostgreSQL URL");
    let mut admin = sqlx::ConnectOptions::connect(&opts)
        .await
        .expect("connect to PostgreSQL");
    sqlx::Executor::execute(
        &mut admin,
        sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")),
    )
    .await
    .expect("create test database");
    let store = Store::open(
        &Location::Postgres(db_url(&admin_url, &name)),
        OpenOptions::default(),
    )
    .await
    .expect("open postgres store");
    Some(Harness {
        store,
        _dir: None,
        pg: Some((admin_url, name)),
    })
}

/// The admin URL with its database name replaced.
fn db_url(admin_url: &str, db: &str) -> String {
    let (base, query) = match admin_url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (admin_url, String::new()),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let host = match base[scheme_end..].find('/') {
        Some(i) => &base[..i + scheme_end],
        None => base,
    };
    format!("{host}/{db}{query}")
}

impl Harness {
    pub async fn finish(self) {
        self.store.close().await;
        if let Some((admin_url, name)) = self.pg {
            let opts =
                sqlx::postgres::PgConnectOptions::from_str(&admin_url).expect("PostgreSQL URL");
            let mut admin = sqlx::ConnectOptions::connect(&opts)
                .await
                .expect("connect to PostgreSQL");
            sqlx::Executor::execute(
                &mut admin,
                sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")),
            )
            .await
            .expect("drop test database");
        }
    }
}

/// Run a test body on SQLite and, when configured, on PostgreSQL.
#[macro_export]
macro_rules! on_both_engines {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let h = $crate::harness::sqlite().await;
                    super::$name(&h.store).await;
                    h.finish().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(h) = $crate::harness::postgres().await {
                        super::$name(&h.store).await;
                        h.finish().await;
                    }
                }
            )*
        }
    };
}

/// A stand-in Argon2id PHC string: the store keeps it as given.
pub const PASSWORD_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$ZGVtby1zYWx0LWZvci10ZXN0cw$7JZ3mYxUPl1TJ2nHkR0gq3Ue2rPq0cN0mQxk8mS1w4Y";
