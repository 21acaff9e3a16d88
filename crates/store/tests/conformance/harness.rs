//! One store per test, on each engine: a fresh SQLite file in a temporary directory, or a fresh
//! PostgreSQL database created from `STEPWISE_TEST_PG_URL` and dropped afterwards.

use std::str::FromStr;
use stepwise_domain::ids::{PracticeId, UserId};
use stepwise_domain::role::Role;
use stepwise_store::model::{Ctx, NewUser};
use stepwise_store::{DbKey, Location, OpenOptions, Store};
use time::OffsetDateTime;
use time::macros::datetime;

pub struct Harness {
    pub store: Store,
    dir: Option<tempfile::TempDir>,
    pg: Option<(String, String)>,
    /// The SQLCipher key of an encrypted SQLite store.
    key: Option<DbKey>,
}

/// The fixed "now" of every scenario: a Friday afternoon, 27 November 2026, UTC.
pub const NOW: OffsetDateTime = datetime!(2026-11-27 15:00 UTC);

/// A fresh SQLite store; encrypted (SQLCipher, a random key) when
/// `STEPWISE_TEST_SQLITE_ENCRYPTED=1`, so the whole suite can run against an encrypted store.
pub async fn sqlite() -> Harness {
    let key =
        (std::env::var("STEPWISE_TEST_SQLITE_ENCRYPTED").as_deref() == Ok("1")).then(random_key);
    sqlite_with(key).await
}

/// A random database key for a test.
pub fn random_key() -> DbKey {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(uuid::Uuid::now_v7().as_bytes());
    let mut bytes = [0u8; 32];
    bytes.copy_from_slice(&digest);
    DbKey::from_bytes(bytes)
}

pub async fn sqlite_with(key: Option<DbKey>) -> Harness {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(
        &Location::SqliteDir(dir.path().to_owned()),
        OpenOptions {
            db_key: key.clone(),
            ..OpenOptions::default()
        },
    )
    .await
    .expect("open sqlite store");
    Harness {
        store,
        dir: Some(dir),
        pg: None,
        key,
    }
}

/// `None` when no PostgreSQL is configured, unless `STEPWISE_TEST_REQUIRE_PG` is set (CI), in
/// which case a missing server fails the test.
pub async fn postgres() -> Option<Harness> {
    let Ok(admin_url) = std::env::var("STEPWISE_TEST_PG_URL") else {
        if std::env::var_os("STEPWISE_TEST_REQUIRE_PG").is_some() {
            panic!("STEPWISE_TEST_REQUIRE_PG is set but STEPWISE_TEST_PG_URL is not");
        }
        eprintln!("STEPWISE_TEST_PG_URL not set: skipping the PostgreSQL run of this scenario");
        return None;
    };
    let name = format!("stepwise_t_{}", uuid::Uuid::now_v7().simple());
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
    let url = db_url(&admin_url, &name);
    let store = Store::open(&Location::Postgres(url), OpenOptions::default())
        .await
        .expect("open postgres store");
    Some(Harness {
        store,
        dir: None,
        pg: Some((admin_url, name)),
        key: None,
    })
}

/// The admin URL with its database name replaced.
fn db_url(admin_url: &str, db: &str) -> String {
    let (base, query) = match admin_url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (admin_url, String::new()),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[scheme_end..].find('/').map(|i| i + scheme_end);
    let host = match path_start {
        Some(i) => &base[..i],
        None => base,
    };
    format!("{host}/{db}{query}")
}

/// Ways an attacker with database access could tamper with the audit trail.
#[derive(Debug, Clone, Copy)]
pub enum Tamper {
    Edit,
    Delete,
    Swap,
    Insert,
    Truncate,
}

impl Harness {
    /// A connection of its own to the SQLite database, behind the store's back (with the key
    /// when the store is encrypted).
    async fn sqlite_conn(&self, dir: &std::path::Path) -> sqlx::SqliteConnection {
        let mut o = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(dir.join(stepwise_store::SQLITE_FILE));
        if let Some(k) = &self.key {
            o = k.apply_to(o);
        }
        sqlx::ConnectOptions::connect(&o).await.unwrap()
    }

    /// Tamper with a practice's audit events behind the store's back, first switching off
    /// the append-only triggers as a database owner could.
    pub async fn tamper(&self, practice: PracticeId, how: Tamper) {
        use sqlx::Connection;
        let id = practice.as_uuid();
        match (&self.dir, &self.pg) {
            (Some(dir), _) => {
                let mut c = self.sqlite_conn(dir.path()).await;
                sqlx::query("DROP TRIGGER IF EXISTS audit_events_no_update")
                    .execute(&mut c)
                    .await
                    .unwrap();
                sqlx::query("DROP TRIGGER IF EXISTS audit_events_no_delete")
                    .execute(&mut c)
                    .await
                    .unwrap();
                for (sql, fresh) in tamper_sql(how) {
                    let q = sqlx::query(*sql).bind(id);
                    let q = if *fresh {
                        q.bind(uuid::Uuid::now_v7())
                    } else {
                        q
                    };
                    q.execute(&mut c).await.unwrap();
                }
            }
            (None, Some((admin_url, name))) => {
                let mut c = sqlx::PgConnection::connect(&db_url(admin_url, name))
                    .await
                    .unwrap();
                sqlx::query("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update")
                    .execute(&mut c)
                    .await
                    .unwrap();
                for (sql, fresh) in tamper_sql(how) {
                    let q = sqlx::query(*sql).bind(id);
                    let q = if *fresh {
                        q.bind(uuid::Uuid::now_v7())
                    } else {
                        q
                    };
                    q.execute(&mut c).await.unwrap();
                }
            }
            _ => unreachable!(),
        }
    }

    /// Whether a plain UPDATE and a plain DELETE of audit events are refused by the database.
    pub async fn audit_edits_refused(&self, practice: PracticeId) -> bool {
        use sqlx::Connection;
        let id = practice.as_uuid();
        let stmts = [
            "UPDATE audit_events SET detail = 'edited' WHERE practice_id = $1",
            "DELETE FROM audit_events WHERE practice_id = $1",
        ];
        let mut refused = 0;
        match (&self.dir, &self.pg) {
            (Some(dir), _) => {
                let mut c = self.sqlite_conn(dir.path()).await;
                for sql in stmts {
                    refused += sqlx::query(sql).bind(id).execute(&mut c).await.is_err() as usize;
                }
            }
            (None, Some((admin_url, name))) => {
                let mut c = sqlx::PgConnection::connect(&db_url(admin_url, name))
                    .await
                    .unwrap();
                for sql in stmts {
                    refused += sqlx::query(sql).bind(id).execute(&mut c).await.is_err() as usize;
                }
            }
            _ => unreachable!(),
        }
        refused == stmts.len()
    }

    /// Make every INSERT into `table` fail from now on (`true`), or stop doing so (`false`),
    /// behind the store's back: a fault in the middle of a transaction.
    pub async fn fail_inserts(&self, table: &str, fail: bool) {
        use sqlx::{AssertSqlSafe, Connection};
        let trigger = format!("inject_failure_{table}");
        match (&self.dir, &self.pg) {
            (Some(dir), _) => {
                let mut c = self.sqlite_conn(dir.path()).await;
                let sql = if fail {
                    format!(
                        "CREATE TRIGGER {trigger} BEFORE INSERT ON {table} \
                         BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
                    )
                } else {
                    format!("DROP TRIGGER {trigger}")
                };
                sqlx::query(AssertSqlSafe(sql))
                    .execute(&mut c)
                    .await
                    .unwrap();
            }
            (None, Some((admin_url, name))) => {
                let mut c = sqlx::PgConnection::connect(&db_url(admin_url, name))
                    .await
                    .unwrap();
                let stmts = if fail {
                    vec![
                        "CREATE OR REPLACE FUNCTION inject_failure() RETURNS trigger AS $$ \
                         BEGIN RAISE EXCEPTION 'injected failure'; END; $$ LANGUAGE plpgsql"
                            .to_owned(),
                        format!(
                            "CREATE TRIGGER {trigger} BEFORE INSERT ON {table} \
                             FOR EACH ROW EXECUTE FUNCTION inject_failure()"
                        ),
                    ]
                } else {
                    vec![format!("DROP TRIGGER {trigger} ON {table}")]
                };
                for sql in stmts {
                    sqlx::query(AssertSqlSafe(sql))
                        .execute(&mut c)
                        .await
                        .unwrap();
                }
            }
            _ => unreachable!(),
        }
    }

    /// The application's tables as the database's catalog lists them (not the migration
    /// bookkeeping), read here independently of the store.
    pub async fn table_names(&self) -> Vec<String> {
        use sqlx::Connection;
        let mut names: Vec<String> = match (&self.dir, &self.pg) {
            (Some(dir), _) => {
                let mut c = self.sqlite_conn(dir.path()).await;
                sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table'")
                    .fetch_all(&mut c)
                    .await
                    .unwrap()
            }
            (None, Some((admin_url, name))) => {
                let mut c = sqlx::PgConnection::connect(&db_url(admin_url, name))
                    .await
                    .unwrap();
                sqlx::query_scalar(
                    "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema()",
                )
                .fetch_all(&mut c)
                .await
                .unwrap()
            }
            _ => unreachable!(),
        };
        names.retain(|n: &String| !n.starts_with("sqlite_") && !n.starts_with("_sqlx"));
        names.sort();
        names
    }

    pub async fn finish(self) {
        self.store.close().await;
        if let (Some(dir), Some(_)) = (&self.dir, &self.key) {
            // The run was really against an encrypted file.
            assert_eq!(
                stepwise_store::sqlite_file_state(&dir.path().join(stepwise_store::SQLITE_FILE))
                    .unwrap(),
                stepwise_store::FileState::Encrypted
            );
        }
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

/// A practice with one user per role (two care managers and two practitioners).
pub struct Practice {
    pub id: PracticeId,
    pub admin: UserId,
    pub practitioner: UserId,
    pub practitioner2: UserId,
    pub care_manager: UserId,
    pub care_manager2: UserId,
    pub psychiatrist: UserId,
    pub ma: UserId,
    pub front_desk: UserId,
    pub billing: UserId,
}

pub fn system_ctx(practice: PracticeId) -> Ctx {
    Ctx {
        practice,
        user: None,
        role: None,
        request_id: "test".into(),
        source: "test".into(),
        now: NOW,
        today: NOW.date(),
    }
}

pub fn ctx(practice: PracticeId, user: UserId, role: Role) -> Ctx {
    Ctx {
        user: Some(user),
        role: Some(role),
        ..system_ctx(practice)
    }
}

pub async fn practice(store: &Store, name: &str) -> Practice {
    let p = store
        .create_practice(name, "America/New_York", NOW, "test")
        .await
        .expect("practice");
    let sys = system_ctx(p.id);
    let slug = name.to_lowercase().replace(' ', "-");
    let user = async |local: &str, roles: &[Role]| -> UserId {
        store
            .create_user(
                &sys,
                NewUser {
                    email: format!("{local}@{slug}.example"),
                    display_name: local.to_owned(),
                    password_hash: None,
                    roles: roles.to_vec(),
                    npi: None,
                },
            )
            .await
            .expect("user")
            .id
    };
    Practice {
        id: p.id,
        admin: user("admin", &[Role::PracticeAdmin]).await,
        practitioner: user("dr.a", &[Role::TreatingPractitioner]).await,
        practitioner2: user("dr.b", &[Role::TreatingPractitioner]).await,
        care_manager: user("cm.a", &[Role::CareManager]).await,
        care_manager2: user("cm.b", &[Role::CareManager]).await,
        psychiatrist: user("psych", &[Role::Psychiatrist]).await,
        ma: user("ma", &[Role::MaNurse]).await,
        front_desk: user("desk", &[Role::FrontDesk]).await,
        billing: user("billing", &[Role::Billing]).await,
    }
}

/// Run each scenario on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! conformance {
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

/// The statements of each tampering; `true` binds a fresh id as `$2`.
fn tamper_sql(how: Tamper) -> &'static [(&'static str, bool)] {
    match how {
        Tamper::Edit => &[(
            "UPDATE audit_events SET detail = 'nothing to see' WHERE practice_id = $1 AND seq = 3",
            false,
        )],
        Tamper::Delete => &[(
            "DELETE FROM audit_events WHERE practice_id = $1 AND seq = 3",
            false,
        )],
        Tamper::Swap => &[
            (
                "UPDATE audit_events SET seq = -1 WHERE practice_id = $1 AND seq = 3",
                false,
            ),
            (
                "UPDATE audit_events SET seq = 3 WHERE practice_id = $1 AND seq = 4",
                false,
            ),
            (
                "UPDATE audit_events SET seq = 4 WHERE practice_id = $1 AND seq = -1",
                false,
            ),
        ],
        Tamper::Insert => &[
            (
                "UPDATE audit_events SET seq = seq + 1000 WHERE practice_id = $1 AND seq >= 3",
                false,
            ),
            (
                "UPDATE audit_events SET seq = seq - 999 WHERE practice_id = $1 AND seq >= 1003",
                false,
            ),
            (
                "INSERT INTO audit_events (id, practice_id, seq, at, action, category, outcome, request_id, source, detail, prev_hash, hash) \
                 SELECT $2, practice_id, 3, at, action, category, outcome, request_id, source, 'forged', prev_hash, hash \
                 FROM audit_events WHERE practice_id = $1 AND seq = 2",
                true,
            ),
        ],
        Tamper::Truncate => &[(
            "DELETE FROM audit_events WHERE practice_id = $1 AND seq = (SELECT MAX(seq) FROM audit_events WHERE practice_id = $1)",
            false,
        )],
    }
}

/// Run scenarios that need the harness itself (raw database access) on both engines.
#[macro_export]
macro_rules! conformance_with_harness {
    ($($name:ident),* $(,)?) => {
        mod sqlite_h {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let h = $crate::harness::sqlite().await;
                    super::$name(&h).await;
                    h.finish().await;
                }
            )*
        }
        mod postgres_h {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(h) = $crate::harness::postgres().await {
                        super::$name(&h).await;
                        h.finish().await;
                    }
                }
            )*
        }
    };
}
