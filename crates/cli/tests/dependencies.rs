//! Dependency audit: every crate version in `Cargo.lock` checked against the offline RustSec
//! advisory snapshot (`../shared/advisory-db`, or `STEPWISE_ADVISORY_DB`) with the `rustsec`
//! library that `cargo audit` is built on, without git or network. A locked version with a
//! known vulnerability fails the test run.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use rustsec::{Database, Lockfile};
use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn advisories() -> Database {
    let path = std::env::var_os("STEPWISE_ADVISORY_DB")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("../shared/advisory-db"));
    assert!(
        path.join("crates").is_dir(),
        "the RustSec advisory snapshot is expected at {} (set STEPWISE_ADVISORY_DB)",
        path.display()
    );
    Database::open(&path).expect("read the advisory database")
}

/// `RUSTSEC-… crate version: title` for each vulnerable locked version.
fn findings(db: &Database, lockfile: &Path) -> Vec<String> {
    let lock = Lockfile::load(lockfile).expect("read the lockfile");
    db.vulnerabilities(&lock)
        .iter()
        .map(|v| {
            format!(
                "{} {} {}: {}",
                v.advisory.id, v.package.name, v.package.version, v.advisory.title
            )
        })
        .collect()
}

#[test]
fn no_locked_dependency_has_a_known_vulnerability() {
    let db = advisories();
    assert!(db.iter().count() > 500, "the snapshot looks empty");
    let found = findings(&db, &workspace().join("Cargo.lock"));
    assert!(
        found.is_empty(),
        "Cargo.lock holds versions with known vulnerabilities; update them (cargo update -p …):\n{}",
        found.join("\n")
    );
}

#[test]
fn a_vulnerable_locked_version_is_caught() {
    let db = advisories();
    let found = findings(
        &db,
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/vulnerable.lock"),
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with("RUSTSEC-2021-0003 smallvec 1.6.0"),
        "{found:?}"
    );
}
