//! Backup and restore round trip on the embedded SQLite database: back up, change the data,
//! restore; every table is then row for row what the backup held (plus the restore's own
//! audit events) and every audit chain verifies.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use sqlx::{Connection, Row, SqliteConnection};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use stepwise_domain::audit::AuditAction;
use stepwise_store::{Location, OpenOptions, SQLITE_FILE, Store};

fn stepwise(dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_stepwise"))
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .env_remove("STEPWISE_DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(s) = stdin {
        input.write_all(s.as_bytes()).unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}

fn ok(out: Output) -> String {
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// Every row of every table as text, by table; the audit tables as they relate to the
/// data: the restore's own events and the chain heads (which move with them) left out.
async fn dump(file: &Path) -> Vec<(String, Vec<String>)> {
    let url = format!("sqlite://{}?mode=ro", file.display());
    let mut c = SqliteConnection::connect(&url).await.unwrap();
    let tables: Vec<String> = sqlx::query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         AND name <> 'audit_heads' ORDER BY name",
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

#[tokio::test]
async fn backup_change_restore_gives_back_the_backup_with_an_intact_audit_trail() {
    let data = tempfile::tempdir().unwrap();
    let d = data.path();
    let elsewhere = tempfile::tempdir().unwrap();
    let file = elsewhere.path().join("stepwise-backup.db");
    ok(stepwise(
        d,
        &["practice", "create", "--name", "Round Trip Clinic"],
        None,
    ));
    ok(stepwise(
        d,
        &[
            "user",
            "add",
            "--email",
            "cm@rt.test",
            "--name",
            "Care Manager",
            "--role",
            "care_manager",
        ],
        None,
    ));
    let said = ok(stepwise(
        d,
        &["backup", "--out", file.to_str().unwrap()],
        None,
    ));
    assert!(said.contains("Backed up"), "{said}");
    let backed_up = dump(&file).await;
    assert!(
        backed_up
            .iter()
            .any(|(t, rows)| t == "users" && rows.len() == 1)
    );
    // A backup never overwrites.
    assert!(
        !stepwise(d, &["backup", "--out", file.to_str().unwrap()], None)
            .status
            .success()
    );

    // The data changes after the backup.
    ok(stepwise(
        d,
        &[
            "user",
            "add",
            "--email",
            "late@rt.test",
            "--name",
            "Late",
            "--role",
            "front_desk",
        ],
        None,
    ));
    ok(stepwise(
        d,
        &["user", "disable", "--email", "cm@rt.test"],
        None,
    ));
    assert_ne!(dump(&d.join(SQLITE_FILE)).await, backed_up);

    // Restoring over a database needs --replace; without it nothing changes.
    let refused = stepwise(d, &["restore", "--from", file.to_str().unwrap()], None);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--replace"));
    let said = ok(stepwise(
        d,
        &["restore", "--from", file.to_str().unwrap(), "--replace"],
        None,
    ));
    assert!(said.contains("kept as"), "{said}");
    assert_eq!(dump(&d.join(SQLITE_FILE)).await, backed_up);
    // The replaced database is kept beside it.
    assert!(std::fs::read_dir(d).unwrap().any(|e| {
        e.unwrap()
            .file_name()
            .to_string_lossy()
            .contains("before-restore")
    }));

    let verify = ok(stepwise(d, &["audit", "verify"], None));
    assert!(
        verify.contains("chain intact") && !verify.contains("BROKEN"),
        "{verify}"
    );
    let store = Store::open(&Location::SqliteDir(d.to_owned()), OpenOptions::default())
        .await
        .unwrap();
    let practice = store.practices().await.unwrap()[0].id;
    let users = store.users(practice).await.unwrap();
    assert_eq!(users.len(), 1);
    assert!(!users[0].disabled, "as it was when backed up");
    let events = store.audit_events(practice, 0, 10_000).await.unwrap();
    assert_eq!(
        events
            .iter()
            .filter(|e| e.event.action == AuditAction::BackupRestore)
            .count(),
        1
    );
    store.close().await;

    // A file that is not a backup is refused, and the database is left as it was.
    let junk = elsewhere.path().join("junk.db");
    std::fs::write(&junk, "not a database").unwrap();
    let refused = stepwise(
        d,
        &["restore", "--from", junk.to_str().unwrap(), "--replace"],
        None,
    );
    assert!(!refused.status.success());
    assert_eq!(dump(&d.join(SQLITE_FILE)).await, backed_up);
}
