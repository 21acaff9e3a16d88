//! Crash safety: the server is killed with SIGKILL in the middle of concurrent writes; after a
//! restart every write it acknowledged is there, the database is intact, the audit chain
//! verifies and the registry's derived facts agree with the records. On SQLite, and on
//! PostgreSQL when `STEPWISE_TEST_PG_URL` is set.

// Test code: a panic with its location is the failure report (`allow-unwrap-in-tests` covers
// only `#[test]` functions, not helpers).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use stepwise_domain::episode::{ConsentInput, Program, Transition};
use stepwise_domain::ids::{ContactId, EpisodeId, PracticeId};
use stepwise_domain::patient::PatientInput;
use stepwise_domain::role::Role;
use stepwise_store::model::{Assignments, Ctx, NewUser};
use stepwise_store::{Location, OpenOptions, Store};
use stepwise_web::auth::{new_token, secret_hash};
use time::OffsetDateTime;

fn now() -> OffsetDateTime {
    #[allow(clippy::disallowed_methods)]
    let n = OffsetDateTime::now_utc();
    n.replace_nanosecond(0).unwrap()
}

struct Setup {
    practice: PracticeId,
    episodes: Vec<EpisodeId>,
    token: String,
}

/// A practice with a care manager (and token) and a few enrolled patients.
async fn setup(store: &Store) -> Setup {
    let now = now();
    let p = store
        .create_practice("Crash Clinic", "UTC", now, "test")
        .await
        .unwrap();
    let ctx = Ctx {
        practice: p.id,
        user: None,
        role: None,
        request_id: "setup".into(),
        source: "test".into(),
        now,
        today: now.date(),
    };
    let cm = store
        .create_user(
            &ctx,
            NewUser {
                email: "cm@crash.test".into(),
                display_name: "CM".into(),
                password_hash: None,
                roles: vec![Role::CareManager],
                npi: None,
            },
        )
        .await
        .unwrap();
    let token = new_token();
    store
        .create_token(&ctx, cm.id, &secret_hash(&token), "crash")
        .await
        .unwrap();
    let cm_ctx = Ctx {
        user: Some(cm.id),
        role: Some(Role::CareManager),
        ..ctx
    };
    let mut episodes = Vec::new();
    for i in 0..4 {
        let input = PatientInput {
            mrn: format!("C-{i}"),
            given_name: "Crash".into(),
            family_name: format!("Test{i}"),
            birth_date: "1970-01-01".into(),
            sex: "female".into(),
            ..Default::default()
        };
        let pt = store
            .create_patient(
                &cm_ctx,
                input.parse(now.date()).unwrap(),
                Assignments {
                    care_manager: Some(cm.id),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let ep = store
            .create_episode(&cm_ctx, pt.id, Program::Cocm, now.date(), None)
            .await
            .unwrap();
        let consent = ConsentInput {
            consented_on: now.date().to_string(),
            method: "verbal".into(),
            cost_sharing_explained: true,
            consult_permission: true,
        }
        .parse(Program::Cocm, cm.id, now.date())
        .unwrap();
        store
            .record_consent(&cm_ctx, ep.id, &consent)
            .await
            .unwrap();
        store
            .transition_episode(&cm_ctx, ep.id, ep.version, &Transition::Enroll, now.date())
            .await
            .unwrap();
        episodes.push(ep.id);
    }
    Setup {
        practice: p.id,
        episodes,
        token,
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start_server(db_args: &[String], port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_stepwise"))
        .arg("serve")
        .args(db_args)
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .env("STEPWISE_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the server")
}

async fn wait_until_up(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if matches!(http(port, "GET", "/api/v1/health", None, ""), Ok((200, _))) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the server did not start");
}

/// A minimal HTTP/1.1 exchange: (status, body).
fn http(
    port: u16,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: &str,
) -> std::io::Result<(u16, String)> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut out = String::new();
    s.read_to_string(&mut out)?;
    let status = out
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = out
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    Ok((status, body))
}

/// The id in a JSON body (chunked or not: the first `"id":"…"`).
fn id_of(body: &str) -> Option<String> {
    let start = body.find("\"id\":\"")? + 6;
    Some(body[start..start + 36].to_owned())
}

async fn crash_and_recover(location: Location, db_args: Vec<String>) {
    let store = Store::open(&location, OpenOptions::default())
        .await
        .unwrap();
    let s = setup(&store).await;
    store.close().await;

    let port = free_port();
    let mut server = start_server(&db_args, port);
    wait_until_up(port).await;

    let acked: Arc<Mutex<Vec<ContactId>>> = Arc::default();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let today = now().date();
    let mut writers = Vec::new();
    for w in 0..6 {
        let (acked, stop, token) = (acked.clone(), stop.clone(), s.token.clone());
        let episode = s.episodes[w % s.episodes.len()];
        writers.push(std::thread::spawn(move || {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let body = format!(
                    r#"{{"contact_on":"{today}","staff_role":"care_manager","kind":"follow_up","modality":"phone","minutes":5}}"#
                );
                if let Ok((201, b)) = http(port, "POST", &format!("/api/v1/episodes/{episode}/contacts"), Some(&token), &body) {
                    let id = id_of(&b).expect("id in the 201 body");
                    acked.lock().unwrap().push(ContactId::from_str(&id).unwrap());
                }
            }
        }));
    }
    // Let the writes run, then kill the server without warning.
    let deadline = Instant::now() + Duration::from_secs(20);
    while acked.lock().unwrap().len() < 60 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    server.kill().expect("SIGKILL the server");
    server.wait().unwrap();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for w in writers {
        w.join().unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() >= 20,
        "too few writes were acknowledged before the kill: {}",
        acked.len()
    );

    // Restart: every acknowledged write is there, and everything verifies.
    let port = free_port();
    let mut server = start_server(&db_args, port);
    wait_until_up(port).await;
    server.kill().unwrap();
    server.wait().unwrap();
    let store = Store::open(&location, OpenOptions::default())
        .await
        .unwrap();
    let now = now();
    let ctx = Ctx {
        practice: s.practice,
        user: None,
        role: None,
        request_id: "check".into(),
        source: "test".into(),
        now,
        today: now.date(),
    };
    let mut stored = Vec::new();
    for e in &s.episodes {
        stored.extend(
            store
                .episode_contacts(&ctx, *e)
                .await
                .unwrap()
                .into_iter()
                .map(|c| c.id),
        );
    }
    let lost: Vec<_> = acked.iter().filter(|id| !stored.contains(id)).collect();
    assert!(
        lost.is_empty(),
        "{} acknowledged writes were lost: {lost:?}",
        lost.len()
    );
    assert!(
        store
            .verify_audit_chain(s.practice)
            .await
            .unwrap()
            .is_intact()
    );
    assert!(store.verify_facts(s.practice).await.unwrap().is_empty());
    if let Location::SqliteDir(dir) = &location {
        use sqlx::Connection;
        let mut c = sqlx::SqliteConnection::connect(&format!(
            "sqlite://{}",
            dir.join(stepwise_store::SQLITE_FILE).display()
        ))
        .await
        .unwrap();
        let (ok,): (String,) = sqlx::query_as("PRAGMA integrity_check")
            .fetch_one(&mut c)
            .await
            .unwrap();
        assert_eq!(ok, "ok");
    }
    store.close().await;
    eprintln!(
        "{} acknowledged writes, all present after SIGKILL",
        acked.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_keeps_every_acknowledged_write() {
    let dir = tempfile::tempdir().unwrap();
    let args = vec!["--data-dir".to_owned(), dir.path().display().to_string()];
    crash_and_recover(Location::SqliteDir(dir.path().to_owned()), args).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_keeps_every_acknowledged_write() {
    let Ok(admin) = std::env::var("STEPWISE_TEST_PG_URL") else {
        assert!(
            std::env::var_os("STEPWISE_TEST_REQUIRE_PG").is_none(),
            "PostgreSQL required but not configured"
        );
        return;
    };
    use sqlx::Connection;
    let name = format!("stepwise_crash_{}", uuid::Uuid::now_v7().simple());
    let mut c = sqlx::PgConnection::connect(&admin).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut c)
        .await
        .unwrap();
    let base = admin.rsplit_once('/').map(|(b, _)| b.to_owned()).unwrap();
    let url = format!("{base}/{name}");
    crash_and_recover(
        Location::Postgres(url.clone()),
        vec!["--database-url".to_owned(), url],
    )
    .await;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
    )))
    .execute(&mut c)
    .await
    .unwrap();
}
