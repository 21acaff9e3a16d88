//! `stepwise backup` and `stepwise restore` for the embedded SQLite database; on PostgreSQL
//! they say how to use `pg_dump` and `pg_restore` instead (docs/security.md). Both are
//! recorded in every practice's audit trail.

use crate::DbArgs;
use anyhow::{Context, Result, bail};
use clap::Args;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use stepwise_domain::audit::AuditAction;
use stepwise_store::model::Ctx;
use stepwise_store::{Location, NO_PRACTICE, OpenOptions, SQLITE_FILE, Store};
use stepwise_web::state::{Clock, SystemClock};

#[derive(Args)]
pub struct BackupArgs {
    /// The backup file to write (it must not exist yet).
    #[arg(long = "out", visible_alias = "to")]
    out: PathBuf,
    #[command(flatten)]
    db: DbArgs,
}

#[derive(Args)]
pub struct RestoreArgs {
    /// A backup file written by `stepwise backup`.
    #[arg(long)]
    from: PathBuf,
    /// Replace the database that is there; it is kept beside the restored one as
    /// `stepwise.db.before-restore-<time>`. Stop the server first.
    #[arg(long)]
    replace: bool,
    #[command(flatten)]
    db: DbArgs,
}

const PG_BACKUP: &str = "This is a PostgreSQL database: back it up with pg_dump, which copies one consistent \
snapshot while the server runs:\n  pg_dump --format=custom --file stepwise.dump \"$STEPWISE_DATABASE_URL\"\n\
Restore into a new, empty database with pg_restore, then check the audit trail:\n  \
pg_restore --no-owner --exit-on-error --dbname \"postgres://…/stepwise_restored\" stepwise.dump\n  \
stepwise audit verify --database-url \"postgres://…/stepwise_restored\"\nSee docs/security.md (Backup and restore).";

/// The context of an installation-wide command-line action.
fn install_ctx() -> Ctx {
    let now = SystemClock.now();
    Ctx {
        practice: NO_PRACTICE,
        user: None,
        role: None,
        request_id: format!("cli-{}", uuid::Uuid::now_v7()),
        source: "cli".into(),
        now,
        today: now.date(),
    }
}

pub async fn backup(args: BackupArgs) -> Result<ExitCode> {
    if let Location::Postgres(_) = args.db.location()? {
        eprintln!("{PG_BACKUP}");
        return Ok(ExitCode::from(2));
    }
    if args.out.exists() {
        bail!(
            "{} already exists: a backup never overwrites a file; choose a new name",
            args.out.display()
        );
    }
    let store = args.db.open().await?;
    let bytes = store
        .backup_to(&install_ctx(), &args.out)
        .await
        .with_context(|| format!("backing up to {}", args.out.display()))?;
    store.close().await;
    println!(
        "Backed up to {} ({bytes} bytes). It holds every patient's record: keep it encrypted \
         and away from this server (docs/security.md).",
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// The database file and the write-ahead log and index SQLite keeps beside it.
fn with_sidecars(db: &Path) -> [PathBuf; 3] {
    let name = db.as_os_str().to_owned();
    let side = |suffix: &str| {
        let mut n = name.clone();
        n.push(suffix);
        PathBuf::from(n)
    };
    [db.to_owned(), side("-wal"), side("-shm")]
}

pub async fn restore(args: RestoreArgs) -> Result<ExitCode> {
    let dir = match args.db.location()? {
        Location::SqliteDir(dir) => dir,
        _ => {
            eprintln!("{PG_BACKUP}");
            return Ok(ExitCode::from(2));
        }
    };
    if !args.from.is_file() {
        bail!("no backup file at {}", args.from.display());
    }
    let live = dir.join(SQLITE_FILE);
    if live.exists() && !args.replace {
        bail!(
            "{} already holds a database: stop the server and add --replace to restore over it \
             (the current database is kept beside it)",
            dir.display()
        );
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    // Check the backup in a staging directory beside the data: it must open as a Stepwise
    // database (migrated if it is older) with every audit chain intact.
    let staging = dir.join(format!(".restore-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir(&staging)?;
    let staged = staging.join(SQLITE_FILE);
    let checked = async {
        std::fs::copy(&args.from, &staged)
            .with_context(|| format!("reading {}", args.from.display()))?;
        let store = Store::open(
            &Location::SqliteDir(staging.clone()),
            OpenOptions::default(),
        )
        .await
        .with_context(|| format!("{} is not a Stepwise backup", args.from.display()))?;
        for practice in store.audit_practices().await? {
            let report = store.verify_audit_chain(practice).await?;
            if !report.is_intact() {
                store.close().await;
                bail!(
                    "the backup's audit trail of practice {practice} is broken ({}): not restored",
                    report.problems.join("; ")
                );
            }
        }
        let name = args
            .from
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        store
            .audit_every_practice(
                &install_ctx(),
                AuditAction::BackupRestore,
                &format!("restored from backup file {name}"),
            )
            .await?;
        store.close().await;
        anyhow::Ok(())
    }
    .await;
    if let Err(e) = checked {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(e);
    }
    // Move the current database aside with its log (a log left behind would be replayed
    // into the restored file), then put the restored one in its place.
    let stamp = SystemClock.now().unix_timestamp();
    let mut kept = None;
    for f in with_sidecars(&live) {
        if f.exists() {
            let mut aside = f.as_os_str().to_owned();
            aside.push(format!(".before-restore-{stamp}"));
            std::fs::rename(&f, &aside).with_context(|| format!("moving {} aside", f.display()))?;
            kept.get_or_insert(PathBuf::from(aside));
        }
    }
    for (from, to) in with_sidecars(&staged).iter().zip(with_sidecars(&live)) {
        if from.exists() {
            std::fs::rename(from, &to).with_context(|| format!("installing {}", to.display()))?;
        }
    }
    std::fs::remove_dir_all(&staging)?;
    println!(
        "Restored {} into {}; every audit chain verifies.",
        args.from.display(),
        live.display()
    );
    if let Some(k) = kept {
        println!("The database it replaced is kept as {}.", k.display());
    }
    Ok(ExitCode::SUCCESS)
}
