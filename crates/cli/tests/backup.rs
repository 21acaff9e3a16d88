//! `stepwise backup` / `stepwise restore` through the binary (T-BR-01, T-CRYPT-01): an encrypted
//! backup of either engine restores row for row into an empty database of either engine with
//! every audit chain intact; the file holds no readable record; a wrong key, an altered or a
//! truncated file restores nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use sqlx::{Connection, Row, SqliteConnection};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::str::FromStr;
use stepwise_domain::audit::AuditAction;
use stepwise_store::{Location, OpenOptions, SQLITE_FILE, Store};

/// Run the binary on a SQLite data directory or a PostgreSQL URL.
fn stepwise(db: &Db, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_stepwise"));
    cmd.args(args)
        .env_remove("STEPWISE_DATABASE_URL")
        .env_remove("STEPWISE_BACKUP_KEY_FILE")
        .stdin(Stdio::null());
    match db {
        Db::Sqlite(dir) => cmd.arg("--data-dir").arg(dir),
        Db::Pg(url) => cmd.arg("--database-url").arg(url),
    };
    cmd.output().unwrap()
}

enum Db {
    Sqlite(std::path::PathBuf),
    Pg(String),
}

impl Db {
    fn location(&self) -> Location {
        match self {
            Db::Sqlite(d) => Location::SqliteDir(d.clone()),
            Db::Pg(u) => Location::Postgres(u.clone()),
        }
    }
}

fn ok(out: Output) -> String {
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).unwrap()
}

fn fails(out: Output) -> String {
    assert!(!out.status.success(), "{out:?}");
    String::from_utf8(out.stderr).unwrap()
}

/// Every row of every table as text, by table; the chain heads and the restore's own events
/// (which move them) left out. Read through the store's own snapshot, so it compares either
/// engine with either.
async fn logical(db: &Db) -> Vec<(String, Vec<String>)> {
    let store = Store::open(&db.location(), OpenOptions::default())
        .await
        .unwrap();
    let mut bytes = Vec::new();
    let header = store
        .backup_snapshot(time::OffsetDateTime::UNIX_EPOCH, &mut bytes)
        .await
        .unwrap();
    store.close().await;
    let text = String::from_utf8(bytes).unwrap();
    let mut lines = text.lines().skip(1);
    let mut out = Vec::new();
    for t in &header.tables {
        let action = t.columns.iter().position(|(c, _)| c == "action");
        let mut rows = Vec::new();
        for _ in 0..t.rows {
            let line = lines.next().unwrap();
            let v: Vec<serde_json::Value> = serde_json::from_str(line).unwrap();
            if !(t.name == "audit_events"
                && action.is_some_and(|i| v[i] == AuditAction::BackupRestore.code()))
            {
                rows.push(line.to_owned());
            }
        }
        rows.sort();
        if t.name != "audit_heads" {
            out.push((t.name.clone(), rows));
        }
    }
    out.sort();
    out
}

/// Every row of every SQLite table exactly as stored (`quote()` of each column), by table;
/// left out as in [`logical`].
async fn raw_sqlite(file: &Path) -> Vec<(String, Vec<String>)> {
    let url = format!("sqlite://{}?mode=ro", file.display());
    let mut c = SqliteConnection::connect(&url).await.unwrap();
    let tables: Vec<String> = sqlx::query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         AND name NOT LIKE '_sqlx%' AND name <> 'audit_heads' ORDER BY name",
    )
    .fetch_all(&mut c)
    .await
    .unwrap()
    .iter()
    .map(|r| r.get::<String, _>(0))
    .collect();
    let mut out = Vec::new();
    for t in tables {
        let cols: Vec<String> = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT name FROM pragma_table_info('{t}')"
        )))
        .fetch_all(&mut c)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<String, _>(0))
        .collect();
        let row = cols
            .iter()
            .map(|c| format!("quote(\"{c}\")"))
            .collect::<Vec<_>>()
            .join(" || '|' || ");
        let filter = if t == "audit_events" {
            " WHERE action <> 'backup.restore'"
        } else {
            ""
        };
        let mut rows: Vec<String> = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {row} FROM \"{t}\"{filter}"
        )))
        .fetch_all(&mut c)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<String, _>(0))
        .collect();
        rows.sort();
        out.push((t, rows));
    }
    c.close().await.unwrap();
    out
}

/// A practice with a user and a few synthetic patients (with assessments, contacts, audit
/// events: most tables hold rows).
fn populate(db: &Db, name: &str) {
    ok(stepwise(
        db,
        &[
            "synth",
            "--patients",
            "12",
            "--assessments-per-patient",
            "3",
        ],
    ));
    ok(stepwise(db, &["practice", "create", "--name", name]));
}

fn new_key(dir: &Path, name: &str) -> String {
    let key = dir.join(name);
    let said = ok(Command::new(env!("CARGO_BIN_EXE_stepwise"))
        .args(["backup-key", "--out", key.to_str().unwrap()])
        .output()
        .unwrap());
    assert!(said.contains("key id"), "{said}");
    key.to_str().unwrap().to_owned()
}

/// Whether the practice trails of `db` each show `n` restore events and verify.
async fn audited(db: &Db, action: AuditAction, n: usize) {
    let verify = ok(stepwise(db, &["audit", "verify"]));
    assert!(
        verify.contains("chain intact") && !verify.contains("BROKEN"),
        "{verify}"
    );
    let store = Store::open(&db.location(), OpenOptions::default())
        .await
        .unwrap();
    for p in store.practices().await.unwrap() {
        let events = store.audit_events(p.id, 0, 1_000_000).await.unwrap();
        assert_eq!(
            events.iter().filter(|e| e.event.action == action).count(),
            n,
            "{action:?} events of {}",
            p.name
        );
    }
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_backup_is_encrypted_and_restores_row_for_row() {
    let tmp = tempfile::tempdir().unwrap();
    let keys = tempfile::tempdir().unwrap();
    let src = Db::Sqlite(tmp.path().join("data"));
    populate(&src, "Round Trip Clinic");
    let key = new_key(keys.path(), "backup.key");
    let file = tmp.path().join("stepwise.backup");
    let f = file.to_str().unwrap();

    // A backup needs a key, and a key readable by others is refused.
    assert!(fails(stepwise(&src, &["backup", "--to", f])).contains("key-file"));
    let loose = keys.path().join("loose.key");
    std::fs::copy(&key, &loose).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&loose, std::fs::Permissions::from_mode(0o644)).unwrap();
        let said = fails(stepwise(
            &src,
            &["backup", "--to", f, "--key-file", loose.to_str().unwrap()],
        ));
        assert!(said.contains("chmod 600"), "{said}");
    }

    let Db::Sqlite(src_dir) = &src else {
        unreachable!()
    };
    let before = raw_sqlite(&src_dir.join(SQLITE_FILE)).await;
    let said = ok(stepwise(&src, &["backup", "--to", f, "--key-file", &key]));
    assert!(said.contains("Backed up"), "{said}");
    audited(&src, AuditAction::BackupCreate, 1).await;
    // A backup never overwrites.
    assert!(fails(stepwise(&src, &["backup", "--to", f, "--key-file", &key])).contains("exists"));

    // No record is readable in the file (T-CRYPT-01 canaries): not the practice's name, a
    // user's address, a table name or the SQLite header.
    let sealed = std::fs::read(&file).unwrap();
    for canary in [
        "Round Trip Clinic",
        "population.stepwise.test",
        "audit_events",
        "SQLite format",
    ] {
        assert!(
            !sealed.windows(canary.len()).any(|w| w == canary.as_bytes()),
            "{canary} readable in the backup"
        );
    }

    // Restore into a new data directory: row for row what was backed up, byte for byte.
    let dst = Db::Sqlite(tmp.path().join("restored"));
    let said = ok(stepwise(
        &dst,
        &["restore", "--from", f, "--key-file", &key],
    ));
    assert!(said.contains("every audit chain verifies"), "{said}");
    let Db::Sqlite(dst_dir) = &dst else {
        unreachable!()
    };
    let after = raw_sqlite(&dst_dir.join(SQLITE_FILE)).await;
    for ((t, a), (_, b)) in after.iter().zip(&before) {
        let differ: Vec<_> = a.iter().zip(b).filter(|(x, y)| x != y).take(1).collect();
        assert!(differ.is_empty() && a.len() == b.len(), "{t}: {differ:?}");
    }
    assert_eq!(after, before);
    audited(&dst, AuditAction::BackupRestore, 1).await;

    // A wrong key, an altered file and a truncated file restore nothing, and say why.
    let other_key = new_key(keys.path(), "other.key");
    let fresh = Db::Sqlite(tmp.path().join("fresh"));
    let said = fails(stepwise(
        &fresh,
        &["restore", "--from", f, "--key-file", &other_key],
    ));
    assert!(said.contains("another key"), "{said}");
    let mut altered = sealed.clone();
    let mid = altered.len() / 2;
    altered[mid] ^= 0x01;
    let altered_file = tmp.path().join("altered.backup");
    std::fs::write(&altered_file, &altered).unwrap();
    let said = fails(stepwise(
        &fresh,
        &[
            "restore",
            "--from",
            altered_file.to_str().unwrap(),
            "--key-file",
            &key,
        ],
    ));
    assert!(said.contains("altered or is damaged"), "{said}");
    let truncated_file = tmp.path().join("truncated.backup");
    std::fs::write(&truncated_file, &sealed[..sealed.len() - 100]).unwrap();
    let said = fails(stepwise(
        &fresh,
        &[
            "restore",
            "--from",
            truncated_file.to_str().unwrap(),
            "--key-file",
            &key,
        ],
    ));
    assert!(
        said.contains("altered") || said.contains("truncated"),
        "{said}"
    );
    let Db::Sqlite(fresh_dir) = &fresh else {
        unreachable!()
    };
    assert!(!fresh_dir.join(SQLITE_FILE).exists(), "nothing restored");

    // Over an existing database only with --replace, which keeps the one it replaces.
    ok(stepwise(
        &src,
        &["practice", "create", "--name", "Later Clinic"],
    ));
    let changed = raw_sqlite(&src_dir.join(SQLITE_FILE)).await;
    assert_ne!(changed, before);
    let said = fails(stepwise(
        &src,
        &["restore", "--from", f, "--key-file", &key],
    ));
    assert!(said.contains("--replace"), "{said}");
    assert_eq!(raw_sqlite(&src_dir.join(SQLITE_FILE)).await, changed);
    let said = ok(stepwise(
        &src,
        &["restore", "--from", f, "--key-file", &key, "--replace"],
    ));
    assert!(said.contains("kept as"), "{said}");
    assert_eq!(raw_sqlite(&src_dir.join(SQLITE_FILE)).await, before);
    audited(&src, AuditAction::BackupRestore, 1).await;
}

/// A fresh PostgreSQL database on the test server, dropped at the end.
struct PgDb {
    admin: String,
    name: String,
    url: String,
}

impl PgDb {
    async fn new() -> Option<PgDb> {
        let Ok(admin) = std::env::var("STEPWISE_TEST_PG_URL") else {
            assert!(
                std::env::var_os("STEPWISE_TEST_REQUIRE_PG").is_none(),
                "STEPWISE_TEST_REQUIRE_PG is set but STEPWISE_TEST_PG_URL is not"
            );
            eprintln!("STEPWISE_TEST_PG_URL not set: skipping the PostgreSQL backup round trip");
            return None;
        };
        let name = format!("stepwise_bk_{}", uuid::Uuid::now_v7().simple());
        let opts = sqlx::postgres::PgConnectOptions::from_str(&admin).unwrap();
        let mut c = sqlx::ConnectOptions::connect(&opts).await.unwrap();
        sqlx::Executor::execute(
            &mut c,
            sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")),
        )
        .await
        .unwrap();
        let url = match admin.split_once('?') {
            Some((base, query)) => format!("{}/{name}?{query}", base.rsplit_once('/').unwrap().0),
            None => format!("{}/{name}", admin.rsplit_once('/').unwrap().0),
        };
        Some(PgDb { admin, name, url })
    }

    async fn drop_db(self) {
        let opts = sqlx::postgres::PgConnectOptions::from_str(&self.admin).unwrap();
        let mut c = sqlx::ConnectOptions::connect(&opts).await.unwrap();
        sqlx::Executor::execute(
            &mut c,
            sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            )),
        )
        .await
        .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_backup_restores_into_postgres_and_sqlite_and_back() {
    let (Some(a), Some(b), Some(c)) = (PgDb::new().await, PgDb::new().await, PgDb::new().await)
    else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let key = new_key(tmp.path(), "backup.key");
    let src = Db::Pg(a.url.clone());
    populate(&src, "Postgres Clinic");
    let expected = logical(&src).await;
    let file = tmp.path().join("pg.backup");
    let f = file.to_str().unwrap();
    let said = ok(stepwise(&src, &["backup", "--to", f, "--key-file", &key]));
    assert!(said.contains("postgres database"), "{said}");
    audited(&src, AuditAction::BackupCreate, 1).await;

    // PostgreSQL → a new PostgreSQL database.
    let pg_dst = Db::Pg(b.url.clone());
    ok(stepwise(
        &pg_dst,
        &["restore", "--from", f, "--key-file", &key],
    ));
    assert_eq!(logical(&pg_dst).await, expected);
    audited(&pg_dst, AuditAction::BackupRestore, 1).await;
    // Not into a database that holds data (the source, or the one just restored).
    let said = fails(stepwise(
        &src,
        &["restore", "--from", f, "--key-file", &key],
    ));
    assert!(said.contains("not empty"), "{said}");
    assert!(
        fails(stepwise(
            &pg_dst,
            &["restore", "--from", f, "--key-file", &key]
        ))
        .contains("not empty")
    );

    // PostgreSQL → SQLite.
    let lite = Db::Sqlite(tmp.path().join("lite"));
    ok(stepwise(
        &lite,
        &["restore", "--from", f, "--key-file", &key],
    ));
    assert_eq!(logical(&lite).await, expected);
    audited(&lite, AuditAction::BackupRestore, 1).await;

    // … and that SQLite database → PostgreSQL again: still the same rows.
    let back = tmp.path().join("lite.backup");
    ok(stepwise(
        &lite,
        &["backup", "--to", back.to_str().unwrap(), "--key-file", &key],
    ));
    let pg_again = Db::Pg(c.url.clone());
    ok(stepwise(
        &pg_again,
        &[
            "restore",
            "--from",
            back.to_str().unwrap(),
            "--key-file",
            &key,
        ],
    ));
    assert_eq!(logical(&pg_again).await, expected);
    audited(&pg_again, AuditAction::BackupRestore, 2).await;

    a.drop_db().await;
    b.drop_db().await;
    c.drop_db().await;
}
