//! Schemathesis against the OpenAPI document (T-FUZZ-01): on a disposable demo practice of
//! each engine, `stepwise serve` is fuzzed through `/api/v1/openapi.json` with the API token of
//! a practice administrator and of a care manager. Every operation (reads and changes) gets
//! generated requests, valid and invalid; the run fails on any server error, any status code or
//! content type the document does not list, any response body that does not match its schema,
//! and the other checks. The seed, the number of examples, the checks and their few exceptions
//! (each with its reason) are in `tests/fixtures/schemathesis.toml`.
//!
//! Schemathesis is a Python tool: `scripts/schemathesis-venv` installs the pinned version into
//! `target/schemathesis-venv` (`./scripts/test` runs it). Without it the test is skipped, or
//! fails when `STEPWISE_TEST_REQUIRE_SCHEMATHESIS=1`. Only 127.0.0.1 is contacted.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::{Server, free_port, http};

/// The accounts whose tokens the API is fuzzed with: (who, demo account).
const ACCOUNTS: [(&str, &str); 2] = [
    (
        "practice administrator",
        "admin.whitfield@demo.stepwise.test",
    ),
    ("care manager", "cm.rivera@demo.stepwise.test"),
];

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The `st` command of the virtualenv, if it is installed and runs.
fn schemathesis() -> Option<PathBuf> {
    let st = std::env::var_os("STEPWISE_SCHEMATHESIS")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("target/schemathesis-venv/bin/st"));
    let runs = Command::new(&st)
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .is_ok_and(|o| o.status.success());
    if runs {
        return Some(st);
    }
    assert!(
        std::env::var("STEPWISE_TEST_REQUIRE_SCHEMATHESIS").as_deref() != Ok("1"),
        "Schemathesis is required (STEPWISE_TEST_REQUIRE_SCHEMATHESIS=1) but {} does not run: \
         run ./scripts/schemathesis-venv (needs python3 and PyPI)",
        st.display()
    );
    eprintln!(
        "Schemathesis is not installed ({}): skipped; ./scripts/schemathesis-venv installs it",
        st.display()
    );
    None
}

fn stepwise() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_stepwise"));
    cmd.env_remove("STEPWISE_DATABASE_URL")
        .env_remove("STEPWISE_LISTEN")
        .env_remove("STEPWISE_SECURE_COOKIES")
        .stdin(Stdio::null());
    cmd
}

/// Start `stepwise <command>` on `db` and wait until it answers on its port.
fn start(command: &str, db: &[String], log: &Path) -> (Server, u16) {
    let port = free_port();
    let out = std::fs::File::create(log).unwrap();
    let server = Server(
        stepwise()
            .args([command, "--listen", &format!("127.0.0.1:{port}")])
            .args(db)
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .spawn()
            .unwrap(),
    );
    let started = Instant::now();
    while http(port, "GET", "/api/v1/health", None, None).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "stepwise {command} did not start: {}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
        // A plain test thread waiting for a child process: no runtime to block.
        #[allow(clippy::disallowed_methods)]
        std::thread::sleep(Duration::from_millis(200));
    }
    (server, port)
}

/// Seed the demo practice on `db`, make the tokens, serve, and run Schemathesis once per
/// account. Returns the failures' outputs (empty when all passed).
fn fuzz(st: &Path, engine: &str, db: &[String]) -> Vec<String> {
    let work = tempfile::tempdir().unwrap();
    let started = Instant::now();
    // `stepwise demo` seeds an empty database before it listens; stopped once it answers.
    drop(start("demo", db, &work.path().join("demo.log")));
    let tokens: Vec<(&str, String)> = ACCOUNTS
        .iter()
        .map(|(who, email)| {
            let out = stepwise()
                .args([
                    "token",
                    "create",
                    "--user",
                    email,
                    "--label",
                    "schemathesis",
                ])
                .args(db)
                .output()
                .unwrap();
            assert!(out.status.success(), "token for {email}: {out:?}");
            (
                *who,
                String::from_utf8(out.stdout).unwrap().trim().to_owned(),
            )
        })
        .collect();
    let log = work.path().join("serve.log");
    let (server, port) = start("serve", db, &log);
    eprintln!(
        "{engine}: demo practice seeded and served in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    let config = repo().join("crates/cli/tests/fixtures/schemathesis.toml");
    let mut failures = Vec::new();
    for (who, token) in &tokens {
        let run = Instant::now();
        let out = Command::new(st)
            .arg("--config-file")
            .arg(&config)
            .args(["--no-color", "run"])
            .arg(format!("http://127.0.0.1:{port}/api/v1/openapi.json"))
            .args(["-H", &format!("Authorization: Bearer {token}")])
            // Reports and Hypothesis' example database stay in the temporary directory.
            .current_dir(work.path())
            .env("NO_COLOR", "1")
            .env_remove("HTTP_PROXY")
            .env_remove("HTTPS_PROXY")
            .env_remove("http_proxy")
            .env_remove("https_proxy")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let cases = text
            .lines()
            .skip_while(|l| l.trim() != "Test cases:")
            .nth(1)
            .unwrap_or("(no count)")
            .trim()
            .to_owned();
        eprintln!(
            "{engine}, {who}: {} in {:.0} s: {cases}",
            if out.status.success() {
                "passed"
            } else {
                "FAILED"
            },
            run.elapsed().as_secs_f64()
        );
        if !out.status.success() {
            failures.push(format!(
                "Schemathesis on {engine} with the {who}'s token failed:\n{text}"
            ));
        }
    }
    drop(server);
    if !failures.is_empty() {
        failures.push(format!(
            "server log:\n{}",
            std::fs::read_to_string(&log).unwrap_or_default()
        ));
    }
    failures
}

#[test]
fn sqlite_api_matches_its_openapi_document() {
    let Some(st) = schemathesis() else { return };
    let dir = tempfile::tempdir().unwrap();
    let db = vec![
        "--data-dir".to_owned(),
        dir.path().join("data").display().to_string(),
    ];
    let failures = fuzz(&st, "SQLite", &db);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_api_matches_its_openapi_document() {
    let Ok(admin) = std::env::var("STEPWISE_TEST_PG_URL") else {
        assert!(
            std::env::var_os("STEPWISE_TEST_REQUIRE_PG").is_none(),
            "PostgreSQL required but not configured"
        );
        return;
    };
    let Some(st) = schemathesis() else { return };
    use sqlx::Connection;
    let name = format!("stepwise_fuzz_{}", uuid::Uuid::now_v7().simple());
    let mut c = sqlx::PgConnection::connect(&admin).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut c)
        .await
        .unwrap();
    let url = match admin.split_once('?') {
        Some((base, query)) => format!("{}/{name}?{query}", base.rsplit_once('/').unwrap().0),
        None => format!("{}/{name}", admin.rsplit_once('/').unwrap().0),
    };
    let db = vec!["--database-url".to_owned(), url];
    let failures = tokio::task::spawn_blocking(move || fuzz(&st, "PostgreSQL", &db))
        .await
        .unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
    )))
    .execute(&mut c)
    .await
    .unwrap();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
