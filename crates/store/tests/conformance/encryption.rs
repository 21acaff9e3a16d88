//! Encryption at rest of the SQLite database (T-CRYPT-01; docs/security.md, "Encryption at
//! rest"). SQLite only: PostgreSQL relies on its volume's encryption, and refuses a key.
//!
//! A patient's name, MRN and a contact note are written as canary strings; no file in the data
//! directory (database, write-ahead log, its index) holds any of them, while the same scan of a
//! plain store finds every one (so the scan can fail). Opening without the key or with a wrong
//! one is a clear error that changes nothing; `encrypt_in_place` keeps every row.

use crate::harness::{ctx, practice, random_key};
use crate::records::contact;
use std::path::Path;
use stepwise_domain::episode::Program;
use stepwise_domain::ids::{EpisodeId, PatientId, PracticeId, UserId};
use stepwise_domain::role::Role;
use stepwise_store::model::Assignments;
use stepwise_store::{
    DbKey, FileState, KeyProblem, Location, OpenOptions, SQLITE_FILE, Store, StoreError,
    sqlite_file_state,
};

const GIVEN: &str = "Zebulonia";
const FAMILY: &str = "Quaffingtonova";
const MRN: &str = "MRNCANARY7431";
const NOTE: &str = "canary note: the lighthouse keeper sleeps badly";
const CANARIES: [&str; 4] = [GIVEN, FAMILY, MRN, NOTE];

fn opts(key: Option<&DbKey>) -> OpenOptions {
    OpenOptions {
        db_key: key.cloned(),
        ..OpenOptions::default()
    }
}

async fn open(dir: &Path, key: Option<&DbKey>) -> Result<Store, StoreError> {
    Store::open(&Location::SqliteDir(dir.to_owned()), opts(key)).await
}

/// The error of an open that must fail.
fn refused(opened: Result<Store, StoreError>) -> StoreError {
    match opened {
        Ok(_) => panic!("the store opened"),
        Err(e) => e,
    }
}

/// What the canaries were written as: who wrote them, the patient and the episode.
struct Canaries {
    practice: PracticeId,
    care_manager: UserId,
    patient: PatientId,
    episode: EpisodeId,
}

/// Write the canaries: a patient (name, MRN) and a contact note on their episode.
async fn write_canaries(store: &Store) -> Canaries {
    let p = practice(store, "Canary Clinic").await;
    let cm = ctx(p.id, p.care_manager, Role::CareManager);
    let pt = crate::patients::add(
        store,
        &cm,
        MRN,
        GIVEN,
        FAMILY,
        Assignments {
            site: None,
            treating_practitioner: Some(p.practitioner),
            care_manager: Some(p.care_manager),
        },
    )
    .await;
    let (_, ep) = crate::episodes::enrolled_patient(store, &p, "B-2", Program::Cocm).await;
    let mut note = contact("2026-11-02", "initial_assessment", 45);
    note.note = Some(NOTE.into());
    store
        .add_contact(
            &cm,
            ep.id,
            p.care_manager,
            &note.parse(&[Role::CareManager], cm.today).unwrap(),
            None,
        )
        .await
        .unwrap();
    Canaries {
        practice: p.id,
        care_manager: p.care_manager,
        patient: pt.id,
        episode: ep.id,
    }
}

/// Read the canaries back through the store.
async fn read_canaries(store: &Store, c: &Canaries) {
    let cm = ctx(c.practice, c.care_manager, Role::CareManager);
    let pt = store.patient(&cm, c.patient).await.unwrap();
    assert_eq!(pt.details.given_name, GIVEN);
    assert_eq!(pt.details.family_name, FAMILY);
    assert_eq!(pt.details.mrn.as_str(), MRN);
    let contacts = store.episode_contacts(&cm, c.episode).await.unwrap();
    assert!(
        contacts
            .iter()
            .any(|c| c.details.note.as_deref() == Some(NOTE)),
        "{contacts:?}"
    );
}

/// Every (file, canary) pair where the canary's bytes appear in a file under `dir`.
fn hits(dir: &Path) -> Vec<(String, &'static str)> {
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
            for c in CANARIES {
                if bytes.windows(c.len()).any(|w| w == c.as_bytes()) {
                    out.push((path.display().to_string(), c));
                }
            }
        }
    }
    out
}

fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn encrypted_store_holds_no_readable_record() {
    let dir = tempfile::tempdir().unwrap();
    let key = random_key();
    let store = open(dir.path(), Some(&key)).await.unwrap();
    let canaries = write_canaries(&store).await;
    // While open: the database and its write-ahead log.
    assert!(
        files(dir.path()).contains(&format!("{SQLITE_FILE}-wal")),
        "{:?}",
        files(dir.path())
    );
    assert_eq!(hits(dir.path()), Vec::<(String, &str)>::new());
    store.close().await;
    assert_eq!(hits(dir.path()), Vec::<(String, &str)>::new());
    assert_eq!(
        sqlite_file_state(&dir.path().join(SQLITE_FILE)).unwrap(),
        FileState::Encrypted
    );

    // Reopened with the key, everything reads back.
    let store = open(dir.path(), Some(&key)).await.unwrap();
    read_canaries(&store, &canaries).await;
    store.close().await;
    assert_eq!(hits(dir.path()), Vec::<(String, &str)>::new());
}

/// The control: the same scan of a plain store finds every canary.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_store_shows_the_canaries_to_the_same_scan() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path(), None).await.unwrap();
    write_canaries(&store).await;
    let open_hits = hits(dir.path());
    store.close().await;
    let closed_hits = hits(dir.path());
    for c in CANARIES {
        assert!(open_hits.iter().any(|(_, h)| *h == c), "{c}: {open_hits:?}");
        assert!(
            closed_hits.iter().any(|(_, h)| *h == c),
            "{c}: {closed_hits:?}"
        );
    }
    assert_eq!(
        sqlite_file_state(&dir.path().join(SQLITE_FILE)).unwrap(),
        FileState::Plain
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_or_wrong_key_is_a_clear_error_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let key = random_key();
    let store = open(dir.path(), Some(&key)).await.unwrap();
    let canaries = write_canaries(&store).await;
    store.close().await;
    let db = dir.path().join(SQLITE_FILE);
    let before = std::fs::read(&db).unwrap();
    let names = files(dir.path());

    let no_key = refused(open(dir.path(), None).await);
    assert!(
        matches!(no_key, StoreError::Key(KeyProblem::Needed)),
        "{no_key:?}"
    );
    assert!(
        no_key
            .to_string()
            .contains("the database is encrypted: give its key file with --db-key-file"),
        "{no_key}"
    );
    let wrong = refused(open(dir.path(), Some(&random_key())).await);
    assert!(
        matches!(wrong, StoreError::Key(KeyProblem::Wrong)),
        "{wrong:?}"
    );
    assert!(wrong.to_string().starts_with("wrong key"), "{wrong}");
    // Nothing was created or changed: the same file, byte for byte, and no new files.
    assert_eq!(std::fs::read(&db).unwrap(), before);
    assert_eq!(files(dir.path()), names);

    // A key for a plain database is refused too (it would otherwise be ignored).
    let plain = tempfile::tempdir().unwrap();
    open(plain.path(), None).await.unwrap().close().await;
    let err = refused(open(plain.path(), Some(&key)).await);
    assert!(
        matches!(err, StoreError::Key(KeyProblem::NotEncrypted)),
        "{err:?}"
    );
    // PostgreSQL refuses a key before connecting.
    let err = refused(
        Store::open(
            &Location::Postgres("postgres://nobody@127.0.0.1:1/none".into()),
            opts(Some(&key)),
        )
        .await,
    );
    assert!(
        matches!(err, StoreError::Key(KeyProblem::NotSqliteFile)),
        "{err:?}"
    );
    assert!(err.to_string().contains("PostgreSQL"), "{err}");

    // The right key still opens it.
    let store = open(dir.path(), Some(&key)).await.unwrap();
    read_canaries(&store, &canaries).await;
    store.close().await;
}

/// Every row of every table, in the store's own backup format (a fixed time in the header).
async fn snapshot(dir: &Path, key: Option<&DbKey>) -> Vec<u8> {
    let store = open(dir, key).await.unwrap();
    let mut out = Vec::new();
    store
        .backup_snapshot(time::OffsetDateTime::UNIX_EPOCH, &mut out)
        .await
        .unwrap();
    store.close().await;
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn encrypt_in_place_keeps_every_row_and_leaves_no_plain_file() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path(), None).await.unwrap();
    let canaries = write_canaries(&store).await;
    store.close().await;
    let before = snapshot(dir.path(), None).await;
    assert!(!hits(dir.path()).is_empty());

    // While the database is in use (a server running), nothing happens.
    let key = random_key();
    let running = open(dir.path(), None).await.unwrap();
    let err = stepwise_store::encrypt_in_place(dir.path(), &key)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("in use"), "{err}");
    running.close().await;
    assert_eq!(
        sqlite_file_state(&dir.path().join(SQLITE_FILE)).unwrap(),
        FileState::Plain
    );
    assert_eq!(snapshot(dir.path(), None).await, before);

    let summary = stepwise_store::encrypt_in_place(dir.path(), &key)
        .await
        .unwrap();
    assert!(summary.tables > 10 && summary.rows > 20, "{summary:?}");
    assert_eq!(files(dir.path()), [SQLITE_FILE.to_owned()]);
    assert_eq!(hits(dir.path()), Vec::<(String, &str)>::new());
    assert_eq!(
        sqlite_file_state(&dir.path().join(SQLITE_FILE)).unwrap(),
        FileState::Encrypted
    );
    // Every row, as the store reads it, is the same.
    assert_eq!(snapshot(dir.path(), Some(&key)).await, before);
    let store = open(dir.path(), Some(&key)).await.unwrap();
    read_canaries(&store, &canaries).await;
    store.close().await;
    assert_eq!(hits(dir.path()), Vec::<(String, &str)>::new());
    assert!(matches!(
        refused(open(dir.path(), None).await),
        StoreError::Key(KeyProblem::Needed)
    ));

    // Twice is refused; so is an empty directory.
    let again = stepwise_store::encrypt_in_place(dir.path(), &key)
        .await
        .unwrap_err();
    assert!(again.to_string().contains("already encrypted"), "{again}");
    let empty = tempfile::tempdir().unwrap();
    let none = stepwise_store::encrypt_in_place(empty.path(), &key)
        .await
        .unwrap_err();
    assert!(none.to_string().contains("no database"), "{none}");
    assert!(files(empty.path()).is_empty());
}
