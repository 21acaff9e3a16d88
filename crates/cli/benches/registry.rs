//! Registry benchmarks (issue 2's performance goals), on SQLite and, when
//! `STEPWISE_TEST_PG_URL` names a server, on PostgreSQL:
//!
//! - the caseload of a 120-patient care manager in a practice of 20,000 patients and 400,000
//!   assessments, computed by the store (server side, audit included): median and p95;
//! - a loopback load test of `GET /api/v1/caseload` (4 keep-alive connections, 10 seconds,
//!   each request authenticated and audited): requests per second and latency;
//! - the time from starting `stepwise serve` (and `stepwise demo`) on an existing data
//!   directory to its first answer, and the idle server's resident memory.
//!
//! `cargo bench -p stepwise-cli --bench registry` (append `-- pages` for the pages alone,
//! `-- load` for the load test alone). The
//! populations are generated once and kept under `target/bench-data/` (PostgreSQL: database
//! `stepwise_bench_20000`). Figures go to stdout and `target/bench-data/results.md`;
//! BENCHMARKS.md records them.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::disallowed_methods)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use stepwise_domain::registry::RegistrySettings;
use stepwise_domain::role::Role;
use stepwise_store::model::Ctx;
use stepwise_store::{Location, OpenOptions, Store};
use stepwise_web::auth::{new_token, secret_hash};
use time::OffsetDateTime;

const PATIENTS: usize = 20_000;

/// Load-test runs of 10 s per engine (the machine is shared: one run can mislead).
const LOAD_RUNS: usize = 3;

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc().replace_nanosecond(0).unwrap()
}

fn bench_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-data")
}

struct Engine {
    name: &'static str,
    location: Location,
    args: Vec<String>,
}

async fn engines() -> Vec<Engine> {
    let dir = bench_dir().join(format!("sqlite-{PATIENTS}"));
    let mut v = vec![Engine {
        name: "SQLite",
        location: Location::SqliteDir(dir.clone()),
        args: vec!["--data-dir".into(), dir.display().to_string()],
    }];
    if let Ok(admin) = std::env::var("STEPWISE_TEST_PG_URL") {
        use sqlx::Connection;
        let name = format!("stepwise_bench_{PATIENTS}");
        let mut c = sqlx::PgConnection::connect(&admin).await.unwrap();
        let exists: Option<(i32,)> = sqlx::query_as("SELECT 1 FROM pg_database WHERE datname = $1")
            .bind(&name)
            .fetch_optional(&mut c)
            .await
            .unwrap();
        if exists.is_none() {
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&mut c)
                .await
                .unwrap();
        }
        let url = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);
        v.push(Engine {
            name: "PostgreSQL",
            location: Location::Postgres(url.clone()),
            args: vec!["--database-url".into(), url],
        });
    }
    v
}

/// The population, generated on first use. Returns the store and a care manager with a full
/// caseload.
async fn population(
    e: &Engine,
) -> (
    Store,
    stepwise_store::model::Practice,
    stepwise_domain::ids::UserId,
) {
    let store = Store::open(&e.location, OpenOptions::default())
        .await
        .unwrap();
    if store.is_empty().await.unwrap() {
        let t = Instant::now();
        let now = now();
        let hash = stepwise_web::auth::hash_password("benchmark passphrase").unwrap();
        let report = stepwise_synth::seed_population(
            &store,
            &stepwise_synth::PopulationOptions::new(PATIENTS, now.date(), now, hash),
        )
        .await
        .unwrap();
        println!(
            "{}: generated {} patients, {} episodes, {} contacts, {} assessments in {:.1} s",
            e.name,
            report.patients,
            report.episodes,
            report.contacts,
            report.assessments,
            t.elapsed().as_secs_f64()
        );
    }
    let practice = store.practices().await.unwrap().into_iter().next().unwrap();
    let users = store.users(practice.id).await.unwrap();
    let cm = users
        .iter()
        .find(|u| u.roles.contains(&Role::CareManager))
        .unwrap()
        .id;
    (store, practice, cm)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn start(args: &[String], sub: &str, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_stepwise"))
        .arg(sub)
        .args(args)
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .env("STEPWISE_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Seconds from spawn to the first answer of /api/v1/health.
fn time_to_first_answer(port: u16, started: Instant) -> f64 {
    loop {
        if let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) {
            let _ =
                s.write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            let mut out = String::new();
            if s.read_to_string(&mut out).is_ok() && out.starts_with("HTTP/1.1 200") {
                return started.elapsed().as_secs_f64();
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "server did not start"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn rss_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One keep-alive connection sending GETs until `until`: (answers 200, other answers,
/// latencies in ms). Every answer is read whole (head and `Content-Length` body); the head is
/// parsed in place, without allocating, so that the client takes as little as it can of the
/// two cores it shares with the server.
fn load(port: u16, path: &str, token: &str, until: Instant) -> (usize, usize, Vec<f64>) {
    let s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_nodelay(true).unwrap();
    let mut w = s.try_clone().unwrap();
    let mut r = BufReader::with_capacity(64 * 1024, s);
    let req =
        format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\r\n");
    let (mut ok, mut failed, mut lat) = (0, 0, Vec::with_capacity(64 * 1024));
    let mut line = Vec::with_capacity(256);
    let mut body = Vec::new();
    const LENGTH: &[u8] = b"content-length:";
    while Instant::now() < until {
        let t = Instant::now();
        w.write_all(req.as_bytes()).unwrap();
        line.clear();
        r.read_until(b'\n', &mut line).unwrap();
        let status_ok = line.starts_with(b"HTTP/1.1 200 ");
        let mut len = 0usize;
        loop {
            line.clear();
            r.read_until(b'\n', &mut line).unwrap();
            if line == b"\r\n" {
                break;
            }
            if line.len() > LENGTH.len() && line[..LENGTH.len()].eq_ignore_ascii_case(LENGTH) {
                len = std::str::from_utf8(&line[LENGTH.len()..])
                    .unwrap()
                    .trim()
                    .parse()
                    .unwrap();
            }
        }
        body.resize(len, 0);
        r.read_exact(&mut body).unwrap();
        lat.push(t.elapsed().as_secs_f64() * 1000.0);
        if status_ok && len > 0 {
            ok += 1
        } else {
            failed += 1
        }
    }
    (ok, failed, lat)
}

/// The 1-minute load average, as the kernel reports it.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".into())
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    std::fs::create_dir_all(bench_dir()).unwrap();
    // `cargo bench -p stepwise-cli --bench registry -- pages`: the pages of the demo only.
    if std::env::args().any(|a| a == "pages") {
        let demo_dir = bench_dir().join("demo");
        let args = vec!["--data-dir".to_owned(), demo_dir.display().to_string()];
        println!(
            "\n| Engine | Measure | Result |\n|---|---|---|\n{}",
            pages(&args)
        );
        return;
    }
    // `-- load`: the load test alone (and the population it needs).
    let only_load = std::env::args().any(|a| a == "load");
    let mut out = String::from("| Engine | Measure | Result |\n|---|---|---|\n");
    for e in engines().await {
        let (store, practice, cm) = population(&e).await;
        let ctx = Ctx {
            practice: practice.id,
            user: Some(cm),
            role: Some(Role::CareManager),
            request_id: "bench".into(),
            source: "bench".into(),
            now: now(),
            today: now().date(),
        };
        let settings = RegistrySettings::default();
        let rows = store.caseload(&ctx, cm, &settings).await.unwrap().len();
        for _ in 0..20 {
            store.caseload(&ctx, cm, &settings).await.unwrap();
        }
        // Computed: alternating settings defeat the cache, so every call recomputes from the
        // episodes' facts. Cached: nothing changed since the last call.
        let other = RegistrySettings {
            near_threshold_minutes: 9,
            ..settings.clone()
        };
        let measures: &[(&str, bool)] = if only_load {
            &[]
        } else {
            &[("computed", true), ("cached", false)]
        };
        for &(label, alternate) in measures {
            let mut times = Vec::new();
            for i in 0..300 {
                let s = if alternate && i % 2 == 1 {
                    &other
                } else {
                    &settings
                };
                let t = Instant::now();
                std::hint::black_box(store.caseload(&ctx, cm, s).await.unwrap());
                times.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            times.sort_by(f64::total_cmp);
            out += &format!(
                "| {} | caseload of {rows} patients, {label}, in the store (audit included), 300 runs | median {:.2} ms, p95 {:.2} ms |\n",
                e.name,
                percentile(&times, 0.5),
                percentile(&times, 0.95)
            );
        }

        let token = new_token();
        let admin_ctx = Ctx {
            user: None,
            role: None,
            ..ctx.clone()
        };
        store
            .create_token(&admin_ctx, cm, &secret_hash(&token), "bench")
            .await
            .unwrap();
        store.close().await;

        // Start-up on the existing data, idle memory, then the load test.
        let port = free_port();
        let started = Instant::now();
        let mut server = start(&e.args, "serve", port);
        let startup = time_to_first_answer(port, started);
        std::thread::sleep(Duration::from_secs(3));
        let idle = rss_mb(server.id());
        out += &format!(
            "| {} | `stepwise serve` start to first answer, existing data | {:.3} s |\n",
            e.name, startup
        );
        out += &format!(
            "| {} | idle server resident memory | {:.1} MB |\n",
            e.name, idle
        );

        let warm = Instant::now() + Duration::from_secs(2);
        let _ = load(port, "/api/v1/caseload", &token, warm);
        for _ in 0..LOAD_RUNS {
            let loadavg = load_average();
            let until = Instant::now() + Duration::from_secs(10);
            let handles: Vec<_> = (0..4)
                .map(|_| {
                    let token = token.clone();
                    std::thread::spawn(move || load(port, "/api/v1/caseload", &token, until))
                })
                .collect();
            let t = Instant::now();
            let (mut ok, mut failed, mut lat) = (0, 0, Vec::new());
            for h in handles {
                let (o, f, l) = h.join().unwrap();
                ok += o;
                failed += f;
                lat.extend(l);
            }
            let secs = t.elapsed().as_secs_f64();
            lat.sort_by(f64::total_cmp);
            out += &format!(
                "| {} | load: GET /api/v1/caseload ({rows} patients), 4 connections, 10 s (load average {loadavg} at start) | {:.0} req/s, {ok} OK, {failed} failed, p50 {:.1} ms, p99 {:.1} ms |\n",
                e.name,
                ok as f64 / secs,
                percentile(&lat, 0.5),
                percentile(&lat, 0.99)
            );
            println!("{}", out.lines().last().unwrap_or_default());
        }
        let busy = rss_mb(server.id());
        out += &format!(
            "| {} | server resident memory after the load test | {:.1} MB |\n",
            e.name, busy
        );
        server.kill().unwrap();
        server.wait().unwrap();
    }

    if only_load {
        println!("\n{out}");
        std::fs::write(bench_dir().join("results-load.md"), &out).unwrap();
        return;
    }

    // `stepwise demo` on an existing data directory.
    let demo_dir = bench_dir().join("demo");
    let args = vec!["--data-dir".to_owned(), demo_dir.display().to_string()];
    if !demo_dir.join(stepwise_store::SQLITE_FILE).exists() {
        let port = free_port();
        let t = Instant::now();
        let mut first = start(&args, "demo", port);
        let seeded = time_to_first_answer(port, t);
        out += &format!(
            "| SQLite | `stepwise demo` first run (creates and seeds) to first answer | {seeded:.1} s |\n"
        );
        first.kill().unwrap();
        first.wait().unwrap();
    }
    let mut starts = Vec::new();
    for _ in 0..5 {
        let port = free_port();
        let t = Instant::now();
        let mut demo = start(&args, "demo", port);
        starts.push(time_to_first_answer(port, t));
        demo.kill().unwrap();
        demo.wait().unwrap();
    }
    starts.sort_by(f64::total_cmp);
    out += &format!(
        "| SQLite | `stepwise demo` start to first answer, existing data (5 runs) | median {:.3} s, max {:.3} s |\n",
        percentile(&starts, 0.5),
        starts[starts.len() - 1]
    );
    out += &pages(&args);
    println!("\n{out}");
    std::fs::write(bench_dir().join("results.md"), &out).unwrap();
}

/// One HTTP/1.1 exchange on a new connection: (status, head, body).
fn exchange(port: u16, request: &str) -> (u16, String, String) {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, head.to_owned(), body.to_owned())
}

/// Every page of each role in the demo practice: median time to the whole answer over
/// loopback (30 requests each) and weight with the page's assets.
fn pages(args: &[String]) -> String {
    let port = free_port();
    let t = Instant::now();
    let mut demo = start(args, "demo", port);
    time_to_first_answer(port, t);
    let assets: usize = ["/assets/app.css", "/assets/timer.js"]
        .iter()
        .map(|a| {
            exchange(
                port,
                &format!("GET {a} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
            )
            .2
            .len()
        })
        .sum();
    let sign_in = |email: &str| {
        let body = format!(
            "email={}&password=stepwise-demo-2026",
            email.replace('@', "%40")
        );
        let (_, head, _) = exchange(
            port,
            &format!(
                "POST /sign-in HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            ),
        );
        head.lines()
            .find_map(|l| l.strip_prefix("set-cookie: "))
            .and_then(|c| c.split(';').next())
            .unwrap()
            .to_owned()
    };
    let get = |cookie: &str, path: &str| {
        exchange(
            port,
            &format!(
                "GET {path} HTTP/1.1\r\nHost: x\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n"
            ),
        )
    };
    let cm = sign_in("cm.rivera@demo.stepwise.test");
    let home = get(&cm, "/").2;
    let table = &home[home.find("class=\"caseload\"").unwrap()..];
    let start_at = table.find("href=\"/patients/").unwrap() + 6;
    let chart = table[start_at..start_at + table[start_at..].find('"').unwrap()].to_owned();
    let chart_html = get(&cm, &chart).2;
    let e = chart_html.find("/episodes/").unwrap();
    let contact = format!("{}/contact", &chart_html[e..e + 46]);
    let roles = [
        (
            "care manager",
            "cm.rivera@demo.stepwise.test",
            vec![
                "/".to_owned(),
                "/caseload".into(),
                "/review-list".into(),
                chart.clone(),
                format!("{chart}/summary"),
                contact,
            ],
        ),
        (
            "psychiatrist",
            "psych.haddad@demo.stepwise.test",
            vec!["/".into(), "/review".into()],
        ),
        (
            "practitioner",
            "dr.lindqvist@demo.stepwise.test",
            vec!["/".into(), chart.clone()],
        ),
        (
            "MA/nurse",
            "ma.johnson@demo.stepwise.test",
            vec!["/".into(), format!("{chart}/screening")],
        ),
        (
            "front desk",
            "desk.murphy@demo.stepwise.test",
            vec![
                "/".into(),
                chart.clone(),
                "/referrals".into(),
                "/directory".into(),
                "/directory/call-list".into(),
            ],
        ),
        (
            "billing",
            "billing.chen@demo.stepwise.test",
            vec![
                "/".into(),
                "/billing".into(),
                "/finance".into(),
                format!("{chart}/billing-facts"),
            ],
        ),
        (
            "practice admin",
            "admin.whitfield@demo.stepwise.test",
            vec![
                "/".into(),
                "/admin/users".into(),
                "/admin/sites".into(),
                "/settings/practice".into(),
                "/admin/audit".into(),
                "/settings/billing".into(),
                "/settings/finance".into(),
                "/metrics".into(),
                "/plan".into(),
                "/plan/readiness".into(),
                "/plan/model".into(),
                "/plan/team".into(),
                "/plan/training".into(),
                "/plan/workflow".into(),
                "/plan/goals".into(),
                "/plan/meetings".into(),
                "/plan/patient-content".into(),
                "/plan/patient-content/handout?topic=crisis_resources".into(),
            ],
        ),
    ];
    let mut rows = String::new();
    let (mut worst_ms, mut heaviest) = (0.0f64, 0usize);
    for (role, email, paths) in roles {
        let cookie = sign_in(email);
        for path in paths {
            let mut times = Vec::new();
            let mut size = 0;
            for _ in 0..30 {
                let t = Instant::now();
                let (status, _, body) = get(&cookie, &path);
                times.push(t.elapsed().as_secs_f64() * 1000.0);
                assert_eq!(status, 200, "{role} {path}");
                size = body.len();
            }
            times.sort_by(f64::total_cmp);
            let median = percentile(&times, 0.5);
            worst_ms = worst_ms.max(median);
            heaviest = heaviest.max(size + assets);
            let shown = if path.contains("/patients/") || path.contains("/episodes/") {
                path.split('/')
                    .enumerate()
                    .map(|(i, p)| if i == 2 { "{id}" } else { p })
                    .collect::<Vec<_>>()
                    .join("/")
            } else {
                path.clone()
            };
            rows += &format!(
                "| SQLite | page {shown} as {role}: median of 30 | {median:.1} ms, {:.0} KB with assets |\n",
                (size + assets) as f64 / 1024.0
            );
        }
    }
    demo.kill().unwrap();
    demo.wait().unwrap();
    rows + &format!(
        "| SQLite | slowest page median / heaviest page with assets | {worst_ms:.1} ms / {:.0} KB |\n",
        heaviest as f64 / 1024.0
    )
}
