//! `stepwise backup`, `stepwise restore` and `stepwise backup-key`: encrypted, engine-independent
//! backups (docs/security.md, "Backup and restore").
//!
//! The store writes a logical snapshot (every table, one consistent read transaction; see
//! `stepwise_store` `ops/backup.rs`); here it is encrypted on its way to the file and never
//! touches the disk in the clear. There is no unencrypted backup: the file holds every
//! patient's record, and HHS's breach safe harbor asks for encryption with the key kept
//! elsewhere (74 FR 19006).
//!
//! File format (version 1):
//! - a 44-byte header: the magic `STEPWISE-BACKUP\n`, the format version (one byte), the key
//!   id (8 bytes: the start of SHA-256 over a label and the key, so a wrong key is named as
//!   such), and a random 19-byte nonce prefix;
//! - chunks of at most 1 MiB of snapshot, each `u32` big-endian length then
//!   XChaCha20-Poly1305 ciphertext. A chunk's nonce is the prefix, its number (`u32`
//!   big-endian) and a last-chunk flag (the STREAM construction of Hoang, Reyhanitabar,
//!   Rogaway and Vizár, "Online Authenticated-Encryption and its Nonce-Reuse
//!   Misuse-Resistance", CRYPTO 2015); the header is the associated data of every chunk. So
//!   an altered, reordered, dropped or truncated chunk, or an altered header, fails to
//!   decrypt.

use crate::DbArgs;
use crate::keyfile::{self, create_private};
use anyhow::{Context, Result, bail};
use chacha20poly1305::aead::{Aead, Generate, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use clap::Args;
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use stepwise_domain::audit::AuditAction;
use stepwise_store::model::Ctx;
use stepwise_store::{Location, NO_PRACTICE, SQLITE_FILE, Store};
use stepwise_web::state::{Clock, SystemClock};

const MAGIC: &[u8; 16] = b"STEPWISE-BACKUP\n";
const VERSION: u8 = 1;
const KEY_ID_LEN: usize = 8;
const PREFIX_LEN: usize = 19;
const HEADER_LEN: usize = 16 + 1 + KEY_ID_LEN + PREFIX_LEN;
const CHUNK: usize = 1 << 20;
const TAG: usize = 16;

#[derive(Args)]
pub struct KeyArgs {
    /// The backup key file (made by `stepwise backup-key`). Keep it away from the data and
    /// from the backups: whoever has both can read every record.
    #[arg(long, env = "STEPWISE_BACKUP_KEY_FILE")]
    key_file: PathBuf,
}

#[derive(Args)]
pub struct BackupKeyArgs {
    /// The key file to create (it must not exist yet); readable by its owner only.
    #[arg(long = "out", visible_alias = "to")]
    out: PathBuf,
}

#[derive(Args)]
pub struct BackupArgs {
    /// The backup file to write (it must not exist yet).
    #[arg(long = "out", visible_alias = "to")]
    out: PathBuf,
    #[command(flatten)]
    key: KeyArgs,
    #[command(flatten)]
    db: DbArgs,
}

#[derive(Args)]
pub struct RestoreArgs {
    /// A backup file written by `stepwise backup`.
    #[arg(long)]
    from: PathBuf,
    #[command(flatten)]
    key: KeyArgs,
    /// SQLite only: replace the database that is there; it is kept beside the restored one as
    /// `stepwise.db.before-restore-<time>`. Stop the server first. (A PostgreSQL target must
    /// be a new, empty database.)
    #[arg(long)]
    replace: bool,
    #[command(flatten)]
    db: DbArgs,
}

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

/// A 256-bit backup key and its id.
struct BackupKey {
    cipher: XChaCha20Poly1305,
    id: [u8; KEY_ID_LEN],
}

fn key_id(key: &[u8]) -> [u8; KEY_ID_LEN] {
    let mut h = Sha256::new();
    h.update(b"stepwise backup key id\0");
    h.update(key);
    let digest = h.finalize();
    let mut id = [0u8; KEY_ID_LEN];
    id.copy_from_slice(&digest[..KEY_ID_LEN]);
    id
}

/// The backup key file.
const BACKUP_KEY: keyfile::Kind = keyfile::Kind {
    label: "stepwise-backup-key-v1",
    what: "backup key",
    made_by: "stepwise backup-key",
    comment: "# Stepwise backup key. Keep it apart from the data and the backups.",
};

impl BackupKey {
    fn load(path: &Path) -> Result<Self> {
        let bytes = keyfile::load(path, &BACKUP_KEY)?;
        let cipher = XChaCha20Poly1305::new_from_slice(&bytes)
            .map_err(|_| anyhow::anyhow!("{}: the key has the wrong length", path.display()))?;
        Ok(BackupKey {
            cipher,
            id: key_id(&bytes),
        })
    }
}

fn nonce(prefix: &[u8; PREFIX_LEN], counter: u32, last: bool) -> XNonce {
    let mut n = [0u8; 24];
    n[..PREFIX_LEN].copy_from_slice(prefix);
    n[PREFIX_LEN..PREFIX_LEN + 4].copy_from_slice(&counter.to_be_bytes());
    n[23] = u8::from(last);
    XNonce::from(n)
}

/// Encrypts what is written to it, chunk by chunk; [`Encrypting::finish`] writes the last.
struct Encrypting<'k, W: Write> {
    inner: W,
    key: &'k BackupKey,
    header: [u8; HEADER_LEN],
    prefix: [u8; PREFIX_LEN],
    counter: u32,
    buf: Vec<u8>,
    written: u64,
}

impl<'k, W: Write> Encrypting<'k, W> {
    fn new(mut inner: W, key: &'k BackupKey) -> Result<Self> {
        let random = XNonce::generate();
        let mut prefix = [0u8; PREFIX_LEN];
        prefix.copy_from_slice(&random[..PREFIX_LEN]);
        let mut header = [0u8; HEADER_LEN];
        header[..16].copy_from_slice(MAGIC);
        header[16] = VERSION;
        header[17..17 + KEY_ID_LEN].copy_from_slice(&key.id);
        header[17 + KEY_ID_LEN..].copy_from_slice(&prefix);
        inner.write_all(&header)?;
        Ok(Encrypting {
            inner,
            key,
            header,
            prefix,
            counter: 0,
            buf: Vec::with_capacity(CHUNK),
            written: HEADER_LEN as u64,
        })
    }

    fn seal(&mut self, last: bool) -> std::io::Result<()> {
        let sealed = self
            .key
            .cipher
            .encrypt(
                &nonce(&self.prefix, self.counter, last),
                Payload {
                    msg: &self.buf,
                    aad: &self.header,
                },
            )
            .map_err(|_| std::io::Error::other("encryption failed"))?;
        self.counter = self
            .counter
            .checked_add(1)
            .ok_or_else(|| std::io::Error::other("the backup is too large"))?;
        let len = u32::try_from(sealed.len()).map_err(std::io::Error::other)?;
        self.inner.write_all(&len.to_be_bytes())?;
        self.inner.write_all(&sealed)?;
        self.written += 4 + sealed.len() as u64;
        self.buf.clear();
        Ok(())
    }

    /// Seal the last chunk and flush; returns the inner writer and the bytes written.
    fn finish(mut self) -> std::io::Result<(W, u64)> {
        self.seal(true)?;
        self.inner.flush()?;
        Ok((self.inner, self.written))
    }
}

impl<W: Write> Write for Encrypting<'_, W> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        let room = CHUNK - self.buf.len();
        let n = room.min(data.len());
        self.buf.extend_from_slice(&data[..n]);
        if self.buf.len() == CHUNK {
            self.seal(false)?;
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Decrypts a backup file as it is read; any failure is an error, never silent.
struct Decrypting<'k, R: Read> {
    inner: R,
    key: &'k BackupKey,
    header: [u8; HEADER_LEN],
    prefix: [u8; PREFIX_LEN],
    counter: u32,
    plain: Vec<u8>,
    pos: usize,
    done: bool,
}

fn damaged(what: String) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, what)
}

impl<'k, R: Read> Decrypting<'k, R> {
    /// Read and check the header: a Stepwise backup, of a version this reads, for this key.
    fn new(mut inner: R, key: &'k BackupKey) -> Result<Self> {
        let mut header = [0u8; HEADER_LEN];
        inner
            .read_exact(&mut header)
            .map_err(|_| anyhow::anyhow!("this is not a Stepwise backup (it is too short)"))?;
        if &header[..16] != MAGIC {
            bail!("this is not a Stepwise backup (it does not start like one)");
        }
        if header[16] != VERSION {
            bail!(
                "this backup has format version {}, which this Stepwise does not read",
                header[16]
            );
        }
        if header[17..17 + KEY_ID_LEN] != key.id {
            bail!(
                "this backup was encrypted with another key (key id {}; the key file given has \
                 key id {}): nothing was restored",
                hex::encode(&header[17..17 + KEY_ID_LEN]),
                hex::encode(key.id)
            );
        }
        let mut prefix = [0u8; PREFIX_LEN];
        prefix.copy_from_slice(&header[17 + KEY_ID_LEN..]);
        Ok(Decrypting {
            inner,
            key,
            header,
            prefix,
            counter: 0,
            plain: Vec::new(),
            pos: 0,
            done: false,
        })
    }

    fn next_chunk(&mut self) -> std::io::Result<()> {
        let mut len = [0u8; 4];
        if self.inner.read_exact(&mut len).is_err() {
            return Err(damaged(format!(
                "the backup file is truncated: it ends before its last part (after part {})",
                self.counter
            )));
        }
        let len = u32::from_be_bytes(len) as usize;
        if !(TAG..=CHUNK + TAG).contains(&len) {
            return Err(damaged(format!(
                "the backup file is damaged or altered (part {} has an impossible length)",
                self.counter + 1
            )));
        }
        let mut sealed = vec![0u8; len];
        self.inner.read_exact(&mut sealed).map_err(|_| {
            damaged(format!(
                "the backup file is truncated (in part {})",
                self.counter + 1
            ))
        })?;
        let open = |last| {
            self.key.cipher.decrypt(
                &nonce(&self.prefix, self.counter, last),
                Payload {
                    msg: &sealed,
                    aad: &self.header,
                },
            )
        };
        let (plain, last) = match open(false) {
            Ok(p) => (p, false),
            Err(_) => match open(true) {
                Ok(p) => (p, true),
                Err(_) => {
                    return Err(damaged(format!(
                        "the backup file was altered or is damaged (part {} does not \
                         authenticate with this key)",
                        self.counter + 1
                    )));
                }
            },
        };
        if last {
            let mut extra = [0u8; 1];
            if self.inner.read(&mut extra)? != 0 {
                return Err(damaged(
                    "the backup file has data after its last part".to_owned(),
                ));
            }
            self.done = true;
        }
        self.counter = self.counter.wrapping_add(1);
        self.plain = plain;
        self.pos = 0;
        Ok(())
    }
}

impl<R: Read> Read for Decrypting<'_, R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.pos == self.plain.len() {
            if self.done {
                return Ok(0);
            }
            self.next_chunk()?;
        }
        let n = out.len().min(self.plain.len() - self.pos);
        out[..n].copy_from_slice(&self.plain[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

pub fn backup_key(args: BackupKeyArgs) -> Result<ExitCode> {
    let key = keyfile::create(&args.out, &BACKUP_KEY)?;
    println!(
        "Created the backup key {} (key id {}). Store a copy somewhere safe and apart from \
         the backups: without it no backup can be restored.",
        args.out.display(),
        hex::encode(key_id(&key))
    );
    Ok(ExitCode::SUCCESS)
}

/// The backup key and the database key are two keys in two files: refuse one file for both.
fn distinct_keys(key: &KeyArgs, db: &DbArgs) -> Result<()> {
    if let Some(db_key) = db.db_key_file()
        && keyfile::same_file(&key.key_file, db_key)
    {
        bail!(
            "--key-file and --db-key-file name the same file: the backup key and the database \
             key must be two different keys in two files (make one with `stepwise backup-key`, \
             the other with `stepwise db-key`)"
        );
    }
    Ok(())
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

pub async fn backup(args: BackupArgs) -> Result<ExitCode> {
    distinct_keys(&args.key, &args.db)?;
    let key = BackupKey::load(&args.key.key_file)?;
    if args.out.exists() {
        bail!(
            "{} already exists: a backup never overwrites a file; choose a new name",
            args.out.display()
        );
    }
    let store = args.db.open().await?;
    let dir = match args.out.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => PathBuf::from("."),
    };
    // Written under a temporary name beside the target, then linked into place: a failed
    // backup leaves no half file under the backup's name.
    let partial = dir.join(format!(
        ".{}.partial-{}",
        file_name(&args.out),
        uuid::Uuid::now_v7().simple()
    ));
    let written = async {
        let file =
            create_private(&partial).with_context(|| format!("creating {}", partial.display()))?;
        let mut enc = Encrypting::new(BufWriter::new(file), &key)?;
        let header = store
            .backup_snapshot(SystemClock.now(), &mut enc)
            .await
            .context("reading the database")?;
        let (w, bytes) = enc.finish()?;
        w.into_inner()
            .map_err(|e| e.into_error())?
            .sync_all()
            .context("writing the backup")?;
        std::fs::hard_link(&partial, &args.out).with_context(|| {
            format!(
                "{} already exists: a backup never overwrites a file",
                args.out.display()
            )
        })?;
        anyhow::Ok((header, bytes))
    }
    .await;
    let _ = std::fs::remove_file(&partial);
    let (header, bytes) = match written {
        Ok(w) => w,
        Err(e) => {
            store.close().await;
            return Err(e);
        }
    };
    let detail = format!(
        "encrypted backup file {}, {} rows in {} tables, {bytes} bytes, key id {}",
        file_name(&args.out),
        header.total_rows(),
        header.tables.len(),
        hex::encode(key.id)
    );
    store
        .audit_every_practice(&install_ctx(), AuditAction::BackupCreate, &detail)
        .await?;
    store.close().await;
    println!(
        "Backed up {} rows of {} tables ({} database, schema version {}) to {} ({bytes} bytes, \
         encrypted with key id {}). Keep the key file apart from the backups (docs/security.md).",
        header.total_rows(),
        header.tables.len(),
        header.engine,
        header.schema_version,
        args.out.display(),
        hex::encode(key.id)
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

/// Decrypt `from` into `store` (empty), in one transaction.
async fn restore_into(
    store: &Store,
    from: &Path,
    key: &BackupKey,
) -> Result<stepwise_store::RestoreSummary> {
    let file = File::open(from).with_context(|| format!("opening {}", from.display()))?;
    let dec = Decrypting::new(BufReader::new(file), key)?;
    let mut input = BufReader::with_capacity(1 << 16, dec);
    let summary = store
        .restore_snapshot(
            &install_ctx(),
            &mut input,
            &format!("restored from encrypted backup file {}", file_name(from)),
        )
        .await
        .context("nothing was restored")?;
    Ok(summary)
}

fn report(summary: &stepwise_store::RestoreSummary, started: std::time::Instant) {
    let h = &summary.header;
    println!(
        "Restored {} rows of {} tables (backed up from {} at {}) in {:.1} s; every audit chain \
         verifies ({} practices, {} events).",
        h.total_rows(),
        h.tables.len(),
        h.engine,
        h.taken_at,
        started.elapsed().as_secs_f64(),
        summary.chains.len(),
        summary.chains.iter().map(|c| c.events).sum::<u64>()
    );
}

pub async fn restore(args: RestoreArgs) -> Result<ExitCode> {
    let started = std::time::Instant::now();
    distinct_keys(&args.key, &args.db)?;
    let key = BackupKey::load(&args.key.key_file)?;
    if !args.from.is_file() {
        bail!("no backup file at {}", args.from.display());
    }
    // Check the header (and the key) before touching any database.
    Decrypting::new(
        File::open(&args.from).with_context(|| format!("opening {}", args.from.display()))?,
        &key,
    )?;
    let dir = match args.db.location()? {
        Location::SqliteDir(dir) => dir,
        location => {
            if args.replace {
                bail!(
                    "--replace is for the embedded SQLite database: restore into a new, empty \
                     PostgreSQL database instead"
                );
            }
            let store = Store::open(&location, args.db.open_options()?)
                .await
                .with_context(|| format!("opening the database at {location:?}"))?;
            let restored = restore_into(&store, &args.from, &key).await;
            store.close().await;
            report(&restored?, started);
            return Ok(ExitCode::SUCCESS);
        }
    };
    let live = dir.join(SQLITE_FILE);
    if live.exists() && !args.replace {
        bail!(
            "{} already holds a database: restore into a new data directory, or stop the \
             server and add --replace to restore over it (the current database is kept beside it)",
            dir.display()
        );
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    // Restore into a new database in a staging directory beside the data, then move it into
    // place: a failed restore leaves the data directory as it was.
    let staging = dir.join(format!(".restore-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir(&staging)?;
    let staged = staging.join(SQLITE_FILE);
    let restored = async {
        let store = Store::open(
            &Location::SqliteDir(staging.clone()),
            args.db.open_options()?,
        )
        .await?;
        let restored = restore_into(&store, &args.from, &key).await;
        store.close().await;
        restored
    }
    .await;
    let summary = match restored {
        Ok(s) => s,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(e);
        }
    };
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
    report(&summary, started);
    println!("The restored database is {}.", live.display());
    if let Some(k) = kept {
        println!("The database it replaced is kept as {}.", k.display());
    }
    Ok(ExitCode::SUCCESS)
}
