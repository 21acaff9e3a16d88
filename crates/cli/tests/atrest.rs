//! Encryption at rest of the SQLite database through the binary (T-CRYPT-01): `db-key`,
//! `--db-key-file` on every command that opens the store, `db-encrypt` of an existing plain
//! database, backup and restore of an encrypted one; the key kept out of the data directory.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use stepwise_store::{FileState, SQLITE_FILE, sqlite_file_state};

const CLINIC: &str = "Canary Clinic Quillbeck";
/// Synthetic users' addresses (from `stepwise synth`): in the database as text.
const EMAILS: &str = "population.stepwise.test";

fn stepwise(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stepwise"))
        .args(args)
        .env_remove("STEPWISE_DATABASE_URL")
        .env_remove("STEPWISE_DATA_DIR")
        .env_remove("STEPWISE_DB_KEY_FILE")
        .env_remove("STEPWISE_BACKUP_KEY_FILE")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// `stepwise <args> --data-dir <dir> [--db-key-file <key>]`.
fn on(dir: &Path, key: Option<&Path>, args: &[&str]) -> Output {
    let mut all: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    all.push("--data-dir".into());
    all.push(dir.to_str().unwrap().into());
    if let Some(k) = key {
        all.push("--db-key-file".into());
        all.push(k.to_str().unwrap().into());
    }
    let refs: Vec<&str> = all.iter().map(String::as_str).collect();
    stepwise(&refs)
}

fn ok(out: Output) -> String {
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).unwrap()
}

fn fails(out: Output) -> String {
    assert!(!out.status.success(), "{out:?}");
    String::from_utf8(out.stderr).unwrap()
}

fn db_key(path: &Path) -> PathBuf {
    ok(stepwise(&["db-key", "--out", path.to_str().unwrap()]));
    path.to_owned()
}

/// Every canary found in any file under `dir`.
fn readable(dir: &Path) -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            for c in [CLINIC, EMAILS] {
                if bytes.windows(c.len()).any(|w| w == c.as_bytes()) {
                    out.push((path.display().to_string(), c));
                }
            }
        }
    }
    out
}

fn state(dir: &Path) -> FileState {
    sqlite_file_state(&dir.join(SQLITE_FILE)).unwrap()
}

/// A practice and synthetic patients with assessments, contacts and audit events.
fn populate(dir: &Path, key: Option<&Path>) {
    ok(on(
        dir,
        key,
        &["synth", "--patients", "8", "--assessments-per-patient", "2"],
    ));
    ok(on(dir, key, &["practice", "create", "--name", CLINIC]));
}

#[test]
fn db_key_is_new_private_and_kept_out_of_the_data_dir() {
    let tmp = tempfile::tempdir().unwrap();
    let keys = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let key = db_key(&keys.path().join("db.key"));
    let text = std::fs::read_to_string(&key).unwrap();
    assert!(text.lines().any(
        |l| l.starts_with("stepwise-db-key-v1 ") && l.len() == "stepwise-db-key-v1 ".len() + 64
    ));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // Never overwritten.
    let said = fails(stepwise(&["db-key", "--out", key.to_str().unwrap()]));
    assert!(said.contains("never overwritten"), "{said}");
    assert_eq!(std::fs::read_to_string(&key).unwrap(), text);

    // Not made inside the data directory, nor used from there.
    std::fs::create_dir_all(&data).unwrap();
    let inside = data.join("db.key");
    let said = fails(stepwise(&[
        "db-key",
        "--out",
        inside.to_str().unwrap(),
        "--data-dir",
        data.to_str().unwrap(),
    ]));
    assert!(said.contains("inside the data directory"), "{said}");
    assert!(!inside.exists());
    std::fs::copy(&key, &inside).unwrap();
    let said = fails(on(&data, Some(&inside), &["migrate"]));
    assert!(said.contains("inside the data directory"), "{said}");
    // Also when named through another path (a relative one, with `..`).
    let sneaky = data.join("..").join("data").join("db.key");
    let said = fails(on(&data, Some(&sneaky), &["migrate"]));
    assert!(said.contains("inside the data directory"), "{said}");
    assert_eq!(state(&data), FileState::Missing);

    // A backup key is not a database key.
    let bk = keys.path().join("backup.key");
    ok(stepwise(&["backup-key", "--out", bk.to_str().unwrap()]));
    let said = fails(on(&data, Some(&bk), &["migrate"]));
    assert!(said.contains("not a Stepwise database key file"), "{said}");

    // PostgreSQL refuses the flag (before connecting anywhere).
    let said = fails(stepwise(&[
        "migrate",
        "--database-url",
        "postgres://nobody@127.0.0.1:1/none",
        "--db-key-file",
        key.to_str().unwrap(),
    ]));
    assert!(
        said.contains("--db-key-file is for the embedded SQLite database"),
        "{said}"
    );
}

#[test]
fn encrypted_data_dir_needs_its_key() {
    let tmp = tempfile::tempdir().unwrap();
    let keys = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let key = db_key(&keys.path().join("db.key"));
    populate(&data, Some(&key));
    assert_eq!(state(&data), FileState::Encrypted);
    assert_eq!(readable(&data), Vec::<(String, &str)>::new());
    let listed = ok(on(&data, Some(&key), &["practice", "list"]));
    assert!(listed.contains(CLINIC), "{listed}");

    // The key through the environment works as well.
    let out = Command::new(env!("CARGO_BIN_EXE_stepwise"))
        .args(["practice", "list", "--data-dir", data.to_str().unwrap()])
        .env("STEPWISE_DB_KEY_FILE", &key)
        .env_remove("STEPWISE_DATABASE_URL")
        .output()
        .unwrap();
    assert!(ok(out).contains(CLINIC));

    let before = std::fs::read(data.join(SQLITE_FILE)).unwrap();
    let said = fails(on(&data, None, &["practice", "list"]));
    assert!(
        said.contains("the database is encrypted: give its key file with --db-key-file"),
        "{said}"
    );
    let wrong = db_key(&keys.path().join("wrong.key"));
    let said = fails(on(&data, Some(&wrong), &["practice", "list"]));
    assert!(said.contains("wrong key"), "{said}");
    // Neither made a new database nor changed the file.
    assert_eq!(std::fs::read(data.join(SQLITE_FILE)).unwrap(), before);
    assert!(!said.contains("panicked"), "{said}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn db_encrypt_keeps_every_row_and_leaves_no_plain_file() {
    let tmp = tempfile::tempdir().unwrap();
    let keys = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    populate(&data, None);
    assert_eq!(state(&data), FileState::Plain);
    // The control: the same scan finds the canaries in the plain database.
    let plain = readable(&data);
    assert!(plain.iter().any(|(_, c)| *c == CLINIC), "{plain:?}");
    assert!(plain.iter().any(|(_, c)| *c == EMAILS), "{plain:?}");
    let bk = keys.path().join("backup.key");
    ok(stepwise(&["backup-key", "--out", bk.to_str().unwrap()]));
    let before = logical(&data, None).await;

    let key = db_key(&keys.path().join("db.key"));
    let said = fails(on(&data, None, &["db-encrypt"]));
    assert!(said.contains("--db-key-file"), "{said}");
    let said = ok(on(&data, Some(&key), &["db-encrypt"]));
    assert!(said.contains("Encrypted"), "{said}");
    assert_eq!(state(&data), FileState::Encrypted);
    assert_eq!(readable(&data), Vec::<(String, &str)>::new());
    let mut names: Vec<String> = std::fs::read_dir(&data)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, [SQLITE_FILE]);
    let key_opt = stepwise_store::DbKey::from_bytes(key_bytes(&key));
    assert_eq!(logical(&data, Some(&key_opt)).await, before);

    // Twice is refused.
    let said = fails(on(&data, Some(&key), &["db-encrypt"]));
    assert!(said.contains("already encrypted"), "{said}");

    // Backup and restore of the encrypted database: the backup key must be another file.
    let file = tmp.path().join("stepwise.backup");
    let f = file.to_str().unwrap();
    let said = fails(on(
        &data,
        Some(&key),
        &["backup", "--to", f, "--key-file", key.to_str().unwrap()],
    ));
    assert!(said.contains("two different keys"), "{said}");
    assert!(!file.exists());
    let said = fails(on(
        &data,
        None,
        &["backup", "--to", f, "--key-file", bk.to_str().unwrap()],
    ));
    assert!(said.contains("the database is encrypted"), "{said}");
    ok(on(
        &data,
        Some(&key),
        &["backup", "--to", f, "--key-file", bk.to_str().unwrap()],
    ));
    // Restored into a new data directory with a database key: encrypted from the start.
    let restored = tmp.path().join("restored");
    let key2 = db_key(&keys.path().join("db2.key"));
    let said = ok(on(
        &restored,
        Some(&key2),
        &["restore", "--from", f, "--key-file", bk.to_str().unwrap()],
    ));
    assert!(said.contains("every audit chain verifies"), "{said}");
    assert_eq!(state(&restored), FileState::Encrypted);
    assert_eq!(readable(&restored), Vec::<(String, &str)>::new());
    let listed = ok(on(&restored, Some(&key2), &["practice", "list"]));
    assert!(listed.contains(CLINIC), "{listed}");
    let verify = ok(on(&restored, Some(&key2), &["audit", "verify"]));
    assert!(!verify.contains("BROKEN"), "{verify}");
}

fn key_bytes(path: &Path) -> [u8; 32] {
    let text = std::fs::read_to_string(path).unwrap();
    let hex_key = text
        .lines()
        .find_map(|l| l.strip_prefix("stepwise-db-key-v1 "))
        .unwrap();
    let mut out = [0u8; 32];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(&hex_key[2 * i..2 * i + 2], 16).unwrap();
    }
    out
}

/// Every row of every table, through the store's own snapshot (fixed time in its header).
async fn logical(dir: &Path, key: Option<&stepwise_store::DbKey>) -> Vec<u8> {
    let store = stepwise_store::Store::open(
        &stepwise_store::Location::SqliteDir(dir.to_owned()),
        stepwise_store::OpenOptions {
            db_key: key.cloned(),
            ..stepwise_store::OpenOptions::default()
        },
    )
    .await
    .unwrap();
    let mut out = Vec::new();
    store
        .backup_snapshot(time::OffsetDateTime::UNIX_EPOCH, &mut out)
        .await
        .unwrap();
    store.close().await;
    out
}
