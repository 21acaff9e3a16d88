//! Encryption at rest of the embedded SQLite database (docs/security.md, "Encryption at rest";
//! 45 CFR 164.312(a)(2)(iv); T-CRYPT-01).
//!
//! SQLite is built with SQLCipher 4: every page of the database file and of its write-ahead log
//! is encrypted (AES-256-CBC, an HMAC-SHA512 per page) under a raw 256-bit key given as the
//! first statement of every connection, so no key derivation runs per connection. Temporary
//! files stay in memory (SQLCipher's build sets `SQLITE_TEMP_STORE=2`; `temp_store` is set to
//! `MEMORY` as well). The key itself is kept by the caller outside the data directory.
//!
//! Whether a file is encrypted is read from its first bytes: a plain SQLite file starts with
//! `SQLite format 3\0`, an encrypted one with random salt. That tells "give the key", "wrong
//! key" and "not encrypted" apart before any connection is made, so a wrong or missing key is
//! a clear error and never a new, empty database.

use crate::{Result, SQLITE_FILE, StoreError};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteLockingMode};
use sqlx::{AssertSqlSafe, ConnectOptions, Connection, Row, SqliteConnection};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A 256-bit SQLCipher key for the SQLite database. Its `Debug` never prints it.
#[derive(Clone, PartialEq, Eq)]
pub struct DbKey([u8; 32]);

impl std::fmt::Debug for DbKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DbKey(***)")
    }
}

impl DbKey {
    pub fn from_bytes(bytes: [u8; 32]) -> DbKey {
        DbKey(bytes)
    }

    /// SQLCipher's raw-key form, `x'<64 hex digits>'`: used as the key as given, no PBKDF2.
    fn raw(&self) -> String {
        format!("x'{}'", hex::encode(self.0))
    }

    /// The value of `PRAGMA key = …` (double quotes make it one token; SQLite strips them).
    fn pragma_value(&self) -> String {
        format!("\"{}\"", self.raw())
    }
}

impl DbKey {
    /// SQLite connection options with this key (sent first on every connection), for a
    /// connection of one's own to an encrypted database (tools, tests).
    pub fn apply_to(&self, options: SqliteConnectOptions) -> SqliteConnectOptions {
        options
            .pragma("key", self.pragma_value())
            .pragma("temp_store", "MEMORY")
    }
}

pub(crate) fn keyed(options: SqliteConnectOptions, key: &DbKey) -> SqliteConnectOptions {
    key.apply_to(options)
}

/// What a database key does not fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum KeyProblem {
    #[error(
        "the database is encrypted: give its key file with --db-key-file (or STEPWISE_DB_KEY_FILE)"
    )]
    Needed,
    #[error(
        "wrong key: the database is encrypted with a different key than the one in the key file given"
    )]
    Wrong,
    #[error(
        "the database is not encrypted: leave out --db-key-file, or encrypt it first with `stepwise db-encrypt`"
    )]
    NotEncrypted,
    #[error(
        "a database key is only for the embedded SQLite database in a data directory; a PostgreSQL \
         deployment relies on encryption of the server's storage volume and on TLS (docs/security.md)"
    )]
    NotSqliteFile,
}

/// What is in a database file, judged from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileState {
    /// No file (a new database is created).
    Missing,
    /// A file of no bytes (SQLite treats it as a new database).
    Empty,
    /// A plain SQLite database.
    Plain,
    /// Not a plain SQLite database: encrypted (or not a database at all).
    Encrypted,
}

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Read the state of the database file at `path`.
pub fn sqlite_file_state(path: &Path) -> Result<FileState> {
    use std::io::Read;
    let mut f = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(FileState::Missing),
        Err(e) => {
            return Err(StoreError::Corrupt(format!(
                "cannot read {}: {e}",
                path.display()
            )));
        }
    };
    let mut head = [0u8; 16];
    let mut n = 0;
    while n < head.len() {
        match f.read(&mut head[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) => {
                return Err(StoreError::Corrupt(format!(
                    "cannot read {}: {e}",
                    path.display()
                )));
            }
        }
    }
    Ok(match n {
        0 => FileState::Empty,
        16 if &head == SQLITE_MAGIC => FileState::Plain,
        _ => FileState::Encrypted,
    })
}

/// Check, before connecting, that the key given (or its absence) fits the file.
pub(crate) fn check_key(state: FileState, key: Option<&DbKey>) -> Result<()> {
    match (state, key) {
        (FileState::Encrypted, None) => Err(StoreError::Key(KeyProblem::Needed)),
        (FileState::Plain, Some(_)) => Err(StoreError::Key(KeyProblem::NotEncrypted)),
        _ => Ok(()),
    }
}

/// SQLite's answer when a page does not decrypt: "file is not a database" (`SQLITE_NOTADB`).
pub(crate) fn is_not_a_database(e: &StoreError) -> bool {
    match e {
        StoreError::Database(sqlx::Error::Database(d)) => {
            d.code().as_deref() == Some("26") || d.message().contains("file is not a database")
        }
        _ => false,
    }
}

/// What [`encrypt_in_place`] did.
#[derive(Debug, Clone)]
pub struct EncryptSummary {
    pub tables: usize,
    pub rows: u64,
}

/// The database file's sidecars: write-ahead log, its index, rollback journal.
fn sidecars(db: &Path) -> [PathBuf; 3] {
    let side = |suffix: &str| {
        let mut n = db.as_os_str().to_owned();
        n.push(suffix);
        PathBuf::from(n)
    };
    [side("-wal"), side("-shm"), side("-journal")]
}

fn io(what: &str, path: &Path, e: std::io::Error) -> StoreError {
    StoreError::Corrupt(format!("{what} {}: {e}", path.display()))
}

/// The tables of a connection's `schema` and their row counts, by name.
async fn table_counts(c: &mut SqliteConnection, schema: &str) -> Result<Vec<(String, i64)>> {
    let names: Vec<String> = sqlx::query(AssertSqlSafe(format!(
        "SELECT name FROM {schema}.sqlite_master WHERE type = 'table' ORDER BY name"
    )))
    .fetch_all(&mut *c)
    .await?
    .iter()
    .map(|r| r.get::<String, _>(0))
    .collect();
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        let quoted = name.replace('"', "\"\"");
        let n: i64 = sqlx::query(AssertSqlSafe(format!(
            "SELECT count(*) FROM {schema}.\"{quoted}\""
        )))
        .fetch_one(&mut *c)
        .await?
        .get(0);
        out.push((name, n));
    }
    Ok(out)
}

/// The schema (every table, index and trigger with its SQL), by name.
async fn schema_of(c: &mut SqliteConnection, schema: &str) -> Result<Vec<String>> {
    Ok(sqlx::query(AssertSqlSafe(format!(
        "SELECT type || ' ' || name || ' ' || coalesce(sql, '') FROM {schema}.sqlite_master \
         ORDER BY type, name"
    )))
    .fetch_all(&mut *c)
    .await?
    .iter()
    .map(|r| r.get::<String, _>(0))
    .collect())
}

/// Encrypt the plain SQLite database in `dir` with `key`, in place.
///
/// The database is locked for the whole operation (exclusive locking mode: a running server
/// makes this fail at once rather than lose its later writes), its write-ahead log folded in,
/// then `sqlcipher_export` copies it into a new encrypted file beside it. The copy is checked
/// (integrity check, the same schema, the same number of rows in every table) before it is
/// renamed over the original in one step. Any failure before that leaves the original as it
/// was and removes the copy.
pub async fn encrypt_in_place(dir: &Path, key: &DbKey) -> Result<EncryptSummary> {
    let live = dir.join(SQLITE_FILE);
    match sqlite_file_state(&live)? {
        FileState::Missing | FileState::Empty => {
            return Err(StoreError::invalid(
                "data_dir",
                format!("there is no database in {}", dir.display()),
            ));
        }
        FileState::Encrypted => {
            return Err(StoreError::invalid(
                "data_dir",
                "the database is already encrypted",
            ));
        }
        FileState::Plain => {}
    }
    let staged = dir.join(format!(
        ".{SQLITE_FILE}.encrypting-{}",
        uuid::Uuid::now_v7().simple()
    ));
    let result = export_and_swap(&live, &staged, key).await;
    if result.is_err() {
        let _ = std::fs::remove_file(&staged);
        for s in sidecars(&staged) {
            let _ = std::fs::remove_file(s);
        }
    }
    result
}

async fn export_and_swap(live: &Path, staged: &Path, key: &DbKey) -> Result<EncryptSummary> {
    // Leaving WAL mode needs every other connection closed (it cannot wait), so a running
    // server is found here; exclusive locking then keeps everyone else out until the end.
    let mut plain = SqliteConnectOptions::new()
        .filename(live)
        .create_if_missing(false)
        .locking_mode(SqliteLockingMode::Exclusive)
        .journal_mode(SqliteJournalMode::Delete)
        // The export copies rows table by table; the copy is checked whole afterwards.
        .foreign_keys(false)
        .busy_timeout(Duration::from_secs(2))
        .log_statements(tracing::log::LevelFilter::Trace)
        .connect()
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(d) if d.message().contains("locked") => StoreError::invalid(
                "data_dir",
                "the database is in use: stop the Stepwise server (and any other stepwise \
                 command) first, then run db-encrypt again",
            ),
            _ => StoreError::Database(e),
        })?;
    let result = async {
        sqlx::query("BEGIN EXCLUSIVE").execute(&mut plain).await?;
        sqlx::query("COMMIT").execute(&mut plain).await?;
        // (In exclusive locking mode a committed rollback journal is kept with its header
        // zeroed rather than deleted: it holds no pages and is removed after the swap.)
        let [wal, _, _] = sidecars(live);
        if std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0) {
            return Err(StoreError::Corrupt(format!(
                "{} is still there after the log was folded in: nothing was changed",
                wal.display()
            )));
        }
        let user_version: i64 = sqlx::query("PRAGMA main.user_version")
            .fetch_one(&mut plain)
            .await?
            .get(0);
        // The copy starts as a new, empty file readable by its owner only (the connection
        // may not create files: it was opened without create-if-missing).
        {
            let mut o = std::fs::OpenOptions::new();
            o.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                o.mode(0o600);
            }
            o.open(staged).map_err(|e| io("creating", staged, e))?;
        }
        sqlx::query("ATTACH DATABASE ?1 AS encrypted KEY ?2")
            .bind(staged.to_string_lossy().into_owned())
            .bind(key.raw())
            .execute(&mut plain)
            .await?;
        sqlx::query("SELECT sqlcipher_export('encrypted')")
            .execute(&mut plain)
            .await?;
        sqlx::query(AssertSqlSafe(format!(
            "PRAGMA encrypted.user_version = {user_version}"
        )))
        .execute(&mut plain)
        .await?;
        sqlx::query("DETACH DATABASE encrypted")
            .execute(&mut plain)
            .await?;
        let before = table_counts(&mut plain, "main").await?;
        let schema_before = schema_of(&mut plain, "main").await?;

        // Check the copy through a connection of its own, with the key.
        let mut copy = keyed(
            SqliteConnectOptions::new()
                .filename(staged)
                .create_if_missing(false),
            key,
        )
        .log_statements(tracing::log::LevelFilter::Trace)
        .connect()
        .await?;
        let check: Vec<String> = sqlx::query("PRAGMA integrity_check")
            .fetch_all(&mut copy)
            .await?
            .iter()
            .map(|r| r.get::<String, _>(0))
            .collect();
        let after = table_counts(&mut copy, "main").await?;
        let schema_after = schema_of(&mut copy, "main").await?;
        copy.close().await?;
        if check != ["ok"] {
            return Err(StoreError::Corrupt(format!(
                "the encrypted copy failed its integrity check ({}): nothing was changed",
                check.join("; ")
            )));
        }
        if before != after || schema_before != schema_after {
            return Err(StoreError::Corrupt(
                "the encrypted copy does not hold the same tables and rows as the database: \
                 nothing was changed"
                    .to_owned(),
            ));
        }
        if std::fs::read(staged)
            .map_err(|e| io("reading", staged, e))?
            .starts_with(SQLITE_MAGIC)
        {
            return Err(StoreError::Corrupt(
                "the copy was written without encryption: nothing was changed".to_owned(),
            ));
        }
        std::fs::File::open(staged)
            .and_then(|f| f.sync_all())
            .map_err(|e| io("writing", staged, e))?;
        // The swap: one rename replaces the plain file. The log and journal of the plain file
        // are gone already (folded in above); an empty index file is removed with them.
        std::fs::rename(staged, live).map_err(|e| io("installing", live, e))?;
        if let Some(dir) = live.parent() {
            let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
        }
        for s in sidecars(live) {
            let _ = std::fs::remove_file(s);
        }
        Ok(EncryptSummary {
            tables: after.len(),
            rows: after
                .iter()
                .map(|(_, n)| u64::try_from(*n).unwrap_or(0))
                .sum(),
        })
    }
    .await;
    let _ = plain.close().await;
    result
}
