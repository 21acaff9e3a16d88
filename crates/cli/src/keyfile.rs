//! Key files: the backup key (`stepwise backup-key`) and the database key (`stepwise db-key`).
//!
//! A key file is text: a comment line, then one line `<label> <64 hexadecimal digits>` (a
//! random 256-bit key). The label names what the key is for, so one kind of key cannot be
//! given for the other. It is created new (never over another file), readable by its owner
//! only, and refused when other users could read it.

use anyhow::{Context, Result, bail};
use chacha20poly1305::XChaCha20Poly1305;
use chacha20poly1305::aead::{Generate, Key};
use std::fs::{File, OpenOptions as FileOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// One kind of key file.
pub struct Kind {
    /// The label before the key on its line.
    pub label: &'static str,
    /// What it is, in messages: "backup key".
    pub what: &'static str,
    /// The command that makes one.
    pub made_by: &'static str,
    /// The first line of the file.
    pub comment: &'static str,
}

/// Create a file that must not exist yet, readable by its owner only.
pub fn create_private(path: &Path) -> std::io::Result<File> {
    let mut o = FileOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(path)
}

/// Write a new random 256-bit key to `path` (which must not exist); returns the key.
pub fn create(path: &Path, kind: &Kind) -> Result<[u8; 32]> {
    // 32 bytes from the operating system's random source.
    let key = Key::<XChaCha20Poly1305>::generate();
    let mut bytes = [0u8; 32];
    bytes.copy_from_slice(key.as_slice());
    let mut f = create_private(path).with_context(|| {
        format!(
            "creating {} (a key file is never overwritten)",
            path.display()
        )
    })?;
    writeln!(f, "{}", kind.comment)?;
    writeln!(f, "{} {}", kind.label, hex::encode(bytes))?;
    f.sync_all()?;
    Ok(bytes)
}

/// Read a key file of this kind, refusing one other users can read.
pub fn load(path: &Path, kind: &Kind) -> Result<[u8; 32]> {
    let what = kind.what;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .with_context(|| format!("reading the {what} file {}", path.display()))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            bail!(
                "the {what} file {} can be read by other users (mode {:o}): \
                 run `chmod 600 {}` first",
                path.display(),
                mode & 0o777,
                path.display()
            );
        }
    }
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the {what} file {}", path.display()))?;
    let hex_key = text
        .lines()
        .find_map(|l| l.trim().strip_prefix(kind.label))
        .map(str::trim)
        .ok_or_else(|| {
            anyhow::anyhow!(
                "{} is not a Stepwise {what} file (make one with `{}`)",
                path.display(),
                kind.made_by
            )
        })?;
    let bytes = hex::decode(hex_key)
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .ok_or_else(|| {
            anyhow::anyhow!("{}: the key is not 64 hexadecimal digits", path.display())
        })?;
    Ok(bytes)
}

/// The absolute form of a path whose last parts may not exist yet: its longest existing
/// ancestor resolved (symbolic links followed), the rest appended.
pub fn resolve(path: &Path) -> Result<PathBuf> {
    let abs = if path.is_absolute() {
        path.to_owned()
    } else {
        std::env::current_dir()?.join(path)
    };
    let mut rest = Vec::new();
    let mut base = abs.as_path();
    loop {
        if let Ok(found) = base.canonicalize() {
            let mut out = found;
            for part in rest.iter().rev() {
                out.push(part);
            }
            return Ok(out);
        }
        match (base.parent(), base.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_owned());
                base = parent;
            }
            _ => return Ok(abs),
        }
    }
}

/// Whether two paths name the same file.
pub fn same_file(a: &Path, b: &Path) -> bool {
    match (resolve(a), resolve(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}
