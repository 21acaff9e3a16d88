//! Stepwise's persistence: one [`Store`] over SQLite (the embedded default) and PostgreSQL.
//!
//! Each query is written once and runs on both engines (see `db.rs`); only the DDL differs,
//! so migrations are kept per engine. Every write and its audit event commit in one
//! transaction; reads of patient data are audited before their data is returned (see
//! `audit.rs`). Clinical records are never deleted: wrong ones are marked entered-in-error.

mod atrest;
mod audit;
mod cache;
mod db;
mod error;
pub mod model;
mod ops;

pub use atrest::{
    DbKey, EncryptSummary, FileState, KeyProblem, encrypt_in_place, sqlite_file_state,
};
pub use audit::{
    AuditAction, AuditCategory, AuditEvent, AuditFilter, AuditOutcome, ChainReport, NO_PRACTICE,
    StoredAuditEvent,
};
pub use error::{Result, StoreError};
pub use ops::*;

use db::{Conn, Tx};
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, PgPool, Postgres, Sqlite, SqlitePool};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// The database file inside the data directory.
pub const SQLITE_FILE: &str = "stepwise.db";

/// Where the data lives.
#[derive(Clone)]
pub enum Location {
    /// A SQLite database in this directory (created if missing).
    SqliteDir(PathBuf),
    /// A SQLite database held in memory, for tests.
    SqliteMemory,
    /// A PostgreSQL server, `postgres://…`.
    Postgres(String),
}

impl std::fmt::Debug for Location {
    /// Never prints a password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::SqliteDir(p) => write!(f, "sqlite:{}", p.join(SQLITE_FILE).display()),
            Location::SqliteMemory => f.write_str("sqlite::memory:"),
            Location::Postgres(url) => f.write_str(&redact_url(url)),
        }
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

impl Location {
    /// Choose the engine from a database URL: `postgres://` or `postgresql://` selects
    /// PostgreSQL; anything else is refused rather than guessed.
    pub fn from_url(url: &str) -> Result<Self, String> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Location::Postgres(url.to_owned()))
        } else {
            Err(format!(
                "unsupported database URL '{}': use postgres://… for PostgreSQL, or --data-dir for the embedded SQLite database",
                redact_url(url)
            ))
        }
    }
}

/// Which engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

struct Inner {
    /// The writer: on SQLite one connection (SQLite allows one writer at a time; queuing in
    /// the pool is cheaper than lock retries), on PostgreSQL the whole pool.
    writer: Writer,
    /// SQLite readers (WAL lets them run beside the writer); PostgreSQL reads use the pool.
    sqlite_read: Option<SqlitePool>,
    audit: audit::Sink,
    caseloads: cache::CaseloadCache,
}

/// The store. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

/// Options for opening a store.
#[derive(Debug, Clone)]
pub struct OpenOptions {
    /// Run pending migrations (the default; `false` fails if the schema is behind).
    pub migrate: bool,
    pub max_connections: u32,
    /// SQLite in a data directory only: the SQLCipher key the database is (or, when new, will
    /// be) encrypted with. `None`: a plain database.
    pub db_key: Option<DbKey>,
}

impl Default for OpenOptions {
    fn default() -> Self {
        Self {
            migrate: true,
            max_connections: 8,
            db_key: None,
        }
    }
}

/// A PostgreSQL connection idle this long is tested (a round trip) before it is lent again.
const PG_PING_AFTER_IDLE: Duration = Duration::from_secs(30);

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static PG_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

fn sqlite_options(path: Option<&Path>, key: Option<&DbKey>) -> Result<SqliteConnectOptions> {
    let base = match path {
        Some(p) => SqliteConnectOptions::new()
            .filename(p)
            .create_if_missing(true),
        None => SqliteConnectOptions::from_str("sqlite::memory:")?.shared_cache(true),
    };
    // The key, when there is one, is sent first on every connection (sqlx orders it so).
    let base = match key {
        Some(k) => atrest::keyed(base, k),
        None => base,
    };
    Ok(base
        .journal_mode(SqliteJournalMode::Wal)
        // Every acknowledged clinical write survives a power cut (issue 2, DESIGN.md).
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10))
        // Read pages through a memory map rather than copying each one out of the OS cache
        // with a system call (SQLite's default): the caseload's reads touch hundreds of pages.
        .pragma("mmap_size", "1073741824")
        .log_statements(tracing::log::LevelFilter::Trace))
}

impl Store {
    /// Open (creating if needed) the database and run its migrations.
    pub async fn open(location: &Location, opts: OpenOptions) -> Result<Store> {
        let (writer, sqlite_read) = match location {
            Location::SqliteDir(dir) => {
                std::fs::create_dir_all(dir).map_err(|e| {
                    StoreError::Corrupt(format!(
                        "cannot create data directory {}: {e}",
                        dir.display()
                    ))
                })?;
                let file = dir.join(SQLITE_FILE);
                let state = atrest::sqlite_file_state(&file)?;
                atrest::check_key(state, opts.db_key.as_ref())?;
                let options = sqlite_options(Some(&file), opts.db_key.as_ref())?;
                match Self::sqlite_pools(options, opts.max_connections).await {
                    // An encrypted file whose pages do not decrypt: the key is not its key.
                    Err(e) if state == FileState::Encrypted && atrest::is_not_a_database(&e) => {
                        return Err(StoreError::Key(if opts.db_key.is_some() {
                            KeyProblem::Wrong
                        } else {
                            KeyProblem::Needed
                        }));
                    }
                    pools => pools?,
                }
            }
            Location::SqliteMemory | Location::Postgres(_) if opts.db_key.is_some() => {
                return Err(StoreError::Key(KeyProblem::NotSqliteFile));
            }
            Location::SqliteMemory => {
                // A private in-memory database per store: a unique name with shared cache.
                let name = format!(
                    "file:stepwise-{}?mode=memory&cache=shared",
                    uuid::Uuid::now_v7().simple()
                );
                let options = sqlite_options(None, None)?
                    .filename(&name)
                    .journal_mode(SqliteJournalMode::Memory);
                Self::sqlite_pools(options, opts.max_connections).await?
            }
            Location::Postgres(url) => {
                let options = PgConnectOptions::from_str(url)?
                    .log_statements(tracing::log::LevelFilter::Trace);
                let pool = PgPoolOptions::new()
                    .max_connections(opts.max_connections)
                    .acquire_timeout(Duration::from_secs(10))
                    // Test a pooled connection only when it has been idle a while (a restarted
                    // server, a dropped link), not with a round trip before every query.
                    .test_before_acquire(false)
                    .before_acquire(|conn, meta| {
                        Box::pin(async move {
                            if meta.idle_for >= PG_PING_AFTER_IDLE {
                                sqlx::Connection::ping(conn).await?;
                            }
                            Ok(true)
                        })
                    })
                    .connect_with(options)
                    .await?;
                (Writer::Pg(pool), None)
            }
        };
        if opts.migrate {
            match &writer {
                Writer::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await?,
                Writer::Pg(pool) => PG_MIGRATIONS.run(pool).await?,
            }
        }
        if opts.migrate {
            // Practices created before the directory existed get its built-in lines too.
            let mut tx = writer.begin().await?;
            ops::resources::seed_built_in(&mut tx, None).await?;
            tx.commit().await?;
        }
        let audit = audit::Sink::spawn(writer.clone());
        Ok(Store {
            inner: Arc::new(Inner {
                writer,
                sqlite_read,
                audit,
                caseloads: cache::CaseloadCache::default(),
            }),
        })
    }

    async fn sqlite_pools(
        options: SqliteConnectOptions,
        max: u32,
    ) -> Result<(Writer, Option<SqlitePool>)> {
        // No test before lending a connection: the database is in this process, so there is
        // no link to go stale, and the test would cost a trip to the connection's thread.
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .test_before_acquire(false)
            .connect_with(options.clone())
            .await?;
        let read = SqlitePoolOptions::new()
            .max_connections(max.max(1))
            .acquire_timeout(Duration::from_secs(30))
            .test_before_acquire(false)
            .connect_with(options)
            .await?;
        Ok((Writer::Sqlite(write), Some(read)))
    }

    pub fn engine(&self) -> Engine {
        match self.inner.writer {
            Writer::Sqlite(_) => Engine::Sqlite,
            Writer::Pg(_) => Engine::Postgres,
        }
    }

    /// A connection for reading.
    pub(crate) async fn read(&self) -> Result<ReadConn> {
        Ok(match (&self.inner.sqlite_read, &self.inner.writer) {
            (Some(read), _) => ReadConn::Sqlite(read.acquire().await?),
            (None, Writer::Pg(p)) => ReadConn::Pg(p.acquire().await?),
            (None, Writer::Sqlite(w)) => ReadConn::Sqlite(w.acquire().await?),
        })
    }

    /// A write transaction.
    pub(crate) async fn begin(&self) -> Result<Tx> {
        self.inner.writer.begin().await
    }

    pub(crate) fn audit_sink(&self) -> &audit::Sink {
        &self.inner.audit
    }

    /// Stop accepting audit events, write those queued, and close every connection.
    pub async fn close(&self) {
        self.inner.audit.close().await;
        if let Some(read) = &self.inner.sqlite_read {
            read.close().await;
        }
        match &self.inner.writer {
            Writer::Sqlite(p) => p.close().await,
            Writer::Pg(p) => p.close().await,
        }
    }
}

/// The pool writes go through, shared with the audit writer task.
#[derive(Clone)]
pub(crate) enum Writer {
    Sqlite(SqlitePool),
    Pg(PgPool),
}

impl Writer {
    /// On SQLite the transaction takes the write lock at once (`BEGIN IMMEDIATE`), so one that
    /// reads and then writes cannot deadlock with another writer.
    pub(crate) async fn begin(&self) -> Result<Tx> {
        audit::scope_begin();
        Ok(match self {
            Writer::Sqlite(w) => Tx::Sqlite(w.begin_with("BEGIN IMMEDIATE").await?),
            Writer::Pg(p) => Tx::Pg(p.begin().await?),
        })
    }
}

pub(crate) enum ReadConn {
    Sqlite(PoolConnection<Sqlite>),
    Pg(PoolConnection<Postgres>),
}

impl ReadConn {
    pub(crate) fn conn(&mut self) -> Conn<'_> {
        match self {
            ReadConn::Sqlite(c) => Conn::Sqlite(&mut *c),
            ReadConn::Pg(c) => Conn::Pg(&mut *c),
        }
    }
}
