//! `stepwise`: run the server or the demo practice, and administer a Stepwise installation.

mod admin;
mod atrest;
mod backup;
mod demo;
mod instruments;
mod keyfile;
mod serve;
mod tls;
mod tools;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use stepwise_store::{DbKey, Location, OpenOptions, Store};

#[derive(Parser)]
#[command(
    name = "stepwise",
    version,
    about = "Behavioral health integration for primary and specialty care practices."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Where the data lives. Without `--database-url`, the embedded SQLite database in the data
/// directory is used.
#[derive(Args, Clone)]
pub struct DbArgs {
    /// Directory of the embedded SQLite database (created if missing).
    #[arg(
        long,
        env = "STEPWISE_DATA_DIR",
        default_value = "./stepwise-data",
        global = true
    )]
    data_dir: PathBuf,
    /// A PostgreSQL database instead, e.g. postgres://stepwise@localhost/stepwise.
    #[arg(
        long,
        env = "STEPWISE_DATABASE_URL",
        global = true,
        hide_env_values = true
    )]
    database_url: Option<String>,
    /// The key file of the encrypted SQLite database (made by `stepwise db-key`). It must be
    /// outside the data directory. Not for PostgreSQL (docs/security.md, "Encryption at rest").
    #[arg(long, env = "STEPWISE_DB_KEY_FILE", global = true)]
    db_key_file: Option<PathBuf>,
}

impl DbArgs {
    pub fn location(&self) -> Result<Location> {
        match &self.database_url {
            Some(url) => Location::from_url(url).map_err(anyhow::Error::msg),
            None => Ok(Location::SqliteDir(self.data_dir.clone())),
        }
    }

    pub fn data_dir(&self) -> &std::path::Path {
        &self.data_dir
    }

    pub fn db_key_file(&self) -> Option<&std::path::Path> {
        self.db_key_file.as_deref()
    }

    /// The database key, read from its file: only for SQLite, and only from outside the data
    /// directory (a key stored with the data protects nothing).
    pub fn db_key(&self) -> Result<Option<DbKey>> {
        let Some(path) = &self.db_key_file else {
            return Ok(None);
        };
        if self.database_url.is_some() {
            bail!(
                "--db-key-file is for the embedded SQLite database: a PostgreSQL deployment \
                 relies on encryption of the server's storage volume and on TLS \
                 (docs/security.md, \"Encryption at rest\")"
            );
        }
        atrest::outside_data_dir(path, &self.data_dir)?;
        Ok(Some(DbKey::from_bytes(keyfile::load(
            path,
            &atrest::DB_KEY,
        )?)))
    }

    /// How to open the store: the defaults, with the database key if one is given.
    pub fn open_options(&self) -> Result<OpenOptions> {
        Ok(OpenOptions {
            db_key: self.db_key()?,
            ..OpenOptions::default()
        })
    }

    /// Open the store, running pending migrations.
    pub async fn open(&self) -> Result<Store> {
        let location = self.location()?;
        Store::open(&location, self.open_options()?)
            .await
            .with_context(|| format!("opening the database at {location:?}"))
    }
}

#[derive(Subcommand)]
enum Command {
    /// Run the demo practice: on a new data directory, create and seed it first; then serve
    /// it and print the address and the demo sign-ins.
    Demo(serve::ServeArgs),
    /// Serve Stepwise.
    Serve(serve::ServeArgs),
    /// Create or upgrade the database schema, then exit.
    Migrate(DbArgs),
    /// Create a practice (the first step of a new installation).
    Practice {
        #[command(subcommand)]
        command: admin::PracticeCommand,
    },
    /// Add, list and disable user accounts.
    User {
        #[command(subcommand)]
        command: admin::UserCommand,
    },
    /// Create and revoke API tokens.
    Token {
        #[command(subcommand)]
        command: admin::TokenCommand,
    },
    /// Score an instrument response, e.g. `stepwise score phq9 1 1 2 0 1 0 1 0 1 --json`.
    Score(tools::ScoreArgs),
    /// The practice's licensed instrument wording.
    Instruments {
        #[command(subcommand)]
        command: instruments::InstrumentsCommand,
    },
    /// Care-management billing rules.
    Billing {
        #[command(subcommand)]
        command: tools::BillingCommand,
    },
    /// Generate a large synthetic practice (for benchmarks) in an empty database.
    Synth(demo::SynthArgs),
    /// Back up the whole database (SQLite or PostgreSQL), online and consistent, into a new
    /// file encrypted with the backup key.
    Backup(backup::BackupArgs),
    /// Restore an encrypted backup into an empty database (SQLite or PostgreSQL, whichever
    /// engine it came from), verifying every audit chain before it commits.
    Restore(backup::RestoreArgs),
    /// Create a new backup key file (256-bit, readable by its owner only).
    BackupKey(backup::BackupKeyArgs),
    /// Create a new database key file (256-bit, readable by its owner only) for an encrypted
    /// SQLite database; keep it outside the data directory.
    DbKey(atrest::DbKeyArgs),
    /// Encrypt the existing (plain) SQLite database in place with the key of --db-key-file.
    /// Stop the server first.
    DbEncrypt(atrest::DbEncryptArgs),
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        command: tools::AuditCommand,
    },
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("STEPWISE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .init();
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Demo(args) => serve::demo(args).await,
        Command::Serve(args) => serve::serve(args).await,
        Command::Migrate(db) => migrate(db).await,
        Command::Practice { command } => admin::practice(command).await,
        Command::User { command } => admin::user(command).await,
        Command::Token { command } => admin::token(command).await,
        Command::Score(args) => tools::score(args),
        Command::Billing { command } => tools::billing(command).await,
        Command::Audit { command } => tools::audit(command).await,
        Command::Backup(args) => backup::backup(args).await,
        Command::Restore(args) => backup::restore(args).await,
        Command::BackupKey(args) => backup::backup_key(args),
        Command::DbKey(args) => atrest::db_key(args),
        Command::DbEncrypt(args) => atrest::db_encrypt(args).await,
        Command::Synth(args) => demo::synth(args).await,
        Command::Instruments { command } => instruments::instruments(command).await,
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn migrate(db: DbArgs) -> Result<std::process::ExitCode> {
    let store = db.open().await?;
    store.close().await;
    println!("The database is up to date ({:?}).", db.location()?);
    Ok(std::process::ExitCode::SUCCESS)
}
