//! `stepwise db-key` and `stepwise db-encrypt`: encryption at rest of the embedded SQLite
//! database with SQLCipher (docs/security.md, "Encryption at rest"; T-CRYPT-01).
//!
//! The key is a random 256-bit key in a file of its own (`crate::keyfile`), given to every
//! command with `--db-key-file` (or `STEPWISE_DB_KEY_FILE`). It must be outside the data
//! directory: a key kept beside the data it protects protects nothing.

use crate::DbArgs;
use crate::keyfile::{self, Kind};
use anyhow::{Context, Result, bail};
use clap::Args;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use stepwise_store::{Location, SQLITE_FILE};

/// The database key file.
pub const DB_KEY: Kind = Kind {
    label: "stepwise-db-key-v1",
    what: "database key",
    made_by: "stepwise db-key",
    comment: "# Stepwise database key (SQLCipher). Keep it off the data disk and apart from the \
              backups; without it the database cannot be read.",
};

#[derive(Args)]
pub struct DbKeyArgs {
    /// The key file to create (it must not exist yet, and must be outside the data
    /// directory); readable by its owner only.
    #[arg(long = "out", visible_alias = "to")]
    out: PathBuf,
    /// The data directory the key is for (the key file may not be inside it).
    #[arg(long, env = "STEPWISE_DATA_DIR", default_value = "./stepwise-data")]
    data_dir: PathBuf,
}

#[derive(Args)]
pub struct DbEncryptArgs {
    #[command(flatten)]
    db: DbArgs,
}

/// Refuse a key file inside the data directory.
pub fn outside_data_dir(key_file: &Path, data_dir: &Path) -> Result<()> {
    let key = keyfile::resolve(key_file)?;
    let data = keyfile::resolve(data_dir)?;
    if key.starts_with(&data) {
        bail!(
            "the database key file {} is inside the data directory {}: keep the key apart from \
             the data it protects (for example /etc/stepwise/db.key on another disk, or a \
             secret mounted by the service manager)",
            key_file.display(),
            data_dir.display()
        );
    }
    Ok(())
}

pub fn db_key(args: DbKeyArgs) -> Result<ExitCode> {
    outside_data_dir(&args.out, &args.data_dir)?;
    keyfile::create(&args.out, &DB_KEY)?;
    println!(
        "Created the database key {}. Give it to every stepwise command with --db-key-file \
         (or STEPWISE_DB_KEY_FILE): a new data directory is then created encrypted, and \
         `stepwise db-encrypt` encrypts an existing one. Keep a copy somewhere safe, apart from \
         the data and from the backups: without it the database cannot be read.",
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn db_encrypt(args: DbEncryptArgs) -> Result<ExitCode> {
    if args.db.db_key_file().is_none() {
        bail!(
            "give the key to encrypt with: --db-key-file FILE (make one with \
             `stepwise db-key --out FILE`, outside the data directory)"
        );
    }
    let key = args
        .db
        .db_key()?
        .context("give the key to encrypt with: --db-key-file FILE")?;
    let Location::SqliteDir(dir) = args.db.location()? else {
        bail!("db-encrypt is for the embedded SQLite database");
    };
    let summary = stepwise_store::encrypt_in_place(&dir, &key)
        .await
        .with_context(|| {
            format!(
                "encrypting {}: nothing was changed",
                dir.join(SQLITE_FILE).display()
            )
        })?;
    // Open it the way the server will: with the key, schema up to date.
    let store = args.db.open().await?;
    store.close().await;
    println!(
        "Encrypted {} ({} tables, {} rows, each table's rows counted and the copy checked \
         before it replaced the plain file). From now on give --db-key-file {} (or \
         STEPWISE_DB_KEY_FILE) to every stepwise command. Keep a copy of the key file apart \
         from the data and the backups: without it the database cannot be read. Blocks of the \
         old plain file may remain in the disk's free space; full-disk encryption covers them \
         (docs/security.md).",
        dir.join(SQLITE_FILE).display(),
        summary.tables,
        summary.rows,
        args.db
            .db_key_file()
            .map(|p| p.display().to_string())
            .unwrap_or_default()
    );
    Ok(ExitCode::SUCCESS)
}
