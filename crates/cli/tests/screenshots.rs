//! Screenshots of each role's home page, of a patient's chart and of the practice's plan, taken from the running demo
//! with headless Chromium and written to `docs/screenshots/` (the user guides show them).
//!
//! Each page is fetched signed in (the demo practice relaxes the second factor for its demo
//! users), saved with its stylesheet addressed on the running server, and rendered by Chromium
//! from the file: the browser never holds a session. Runs when Chromium is installed
//! (`/usr/bin/chromium`, or `STEPWISE_CHROMIUM`); with `STEPWISE_TEST_REQUIRE_CHROMIUM=1` (set by
//! `scripts/test`) a missing browser is a failure, not a skip.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const PASSWORD: &str = "stepwise-demo-2026";

fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("STEPWISE_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    path.exists().then_some(path)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One HTTP/1.1 exchange: (status, headers, body).
fn http(
    port: u16,
    method: &str,
    path: &str,
    cookie: Option<&str>,
    form: Option<&str>,
) -> std::io::Result<(u16, String, String)> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    let cookie = cookie
        .map(|c| format!("Cookie: {c}\r\n"))
        .unwrap_or_default();
    let body = form.unwrap_or("");
    let content = if form.is_some() {
        format!(
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
            body.len()
        )
    } else {
        String::new()
    };
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{cookie}{content}Connection: close\r\n\r\n{body}"
    )?;
    let mut out = String::new();
    s.read_to_string(&mut out)?;
    let (head, body) = out.split_once("\r\n\r\n").unwrap_or((&out, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    Ok((status, head.to_owned(), body.to_owned()))
}

fn sign_in(port: u16, email: &str) -> String {
    let form = format!("email={}&password={PASSWORD}", email.replace('@', "%40"));
    let (status, head, _) = http(port, "POST", "/sign-in", None, Some(&form)).unwrap();
    assert_eq!(status, 303, "sign-in of {email}: {head}");
    head.lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("set-cookie")
                .then(|| value.trim().split(';').next().unwrap_or("").to_owned())
        })
        .expect("a session cookie")
}

/// Fetch `path` signed in, render it with Chromium to `out` (PNG), and return the HTML.
fn shoot(chromium: &Path, port: u16, cookie: &str, path: &str, out: &Path, work: &Path) -> String {
    let (status, head, html) = http(port, "GET", path, Some(cookie), None).unwrap();
    assert_eq!(status, 200, "GET {path}: {head}");
    let page = html.replace(
        "href=\"/assets/",
        &format!("href=\"http://127.0.0.1:{port}/assets/"),
    );
    let file = work.join(format!(
        "{}.html",
        out.file_stem().unwrap().to_string_lossy()
    ));
    std::fs::write(&file, page).unwrap();
    let status = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--window-size=1280,1000",
        ])
        .arg(format!(
            "--user-data-dir={}",
            work.join("profile").display()
        ))
        .arg(format!("--screenshot={}", out.display()))
        .arg(format!("file://{}", file.display()))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "chromium failed on {path}");
    let png = std::fs::read(out).unwrap();
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 20_000,
        "{} is not a rendered page",
        out.display()
    );
    html
}

#[test]
fn every_role_home_page_and_the_chart() {
    let Some(chromium) = chromium() else {
        assert!(
            std::env::var("STEPWISE_TEST_REQUIRE_CHROMIUM").as_deref() != Ok("1"),
            "Chromium is required (STEPWISE_TEST_REQUIRE_CHROMIUM=1) but /usr/bin/chromium is missing"
        );
        eprintln!("Chromium is not installed: screenshots skipped");
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let port = free_port();
    let _server = Server(
        Command::new(env!("CARGO_BIN_EXE_stepwise"))
            .args(["demo", "--listen", &format!("127.0.0.1:{port}")])
            .arg("--data-dir")
            .arg(work.path().join("data"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let started = Instant::now();
    while http(port, "GET", "/api/v1/health", None, None).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the demo did not start"
        );
        // A plain test thread waiting for a child process: no runtime to block.
        #[allow(clippy::disallowed_methods)]
        std::thread::sleep(Duration::from_millis(200));
    }
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots");
    std::fs::create_dir_all(&docs).unwrap();
    // (file, demo user, what the home page must show)
    let roles = [
        (
            "home-care-manager",
            "cm.rivera@demo.stepwise.test",
            "My caseload",
        ),
        (
            "home-psychiatrist",
            "psych.haddad@demo.stepwise.test",
            "Psychiatric case review list",
        ),
        (
            "home-practitioner",
            "dr.lindqvist@demo.stepwise.test",
            "Psychiatric recommendations for your patients",
        ),
        (
            "home-ma-nurse",
            "ma.johnson@demo.stepwise.test",
            "Find a patient",
        ),
        (
            "home-front-desk",
            "desk.murphy@demo.stepwise.test",
            "Find a patient",
        ),
        (
            "home-billing",
            "billing.chen@demo.stepwise.test",
            "Good day",
        ),
        (
            "home-admin",
            "admin.whitfield@demo.stepwise.test",
            "Good day",
        ),
    ];
    let mut care_manager_home = String::new();
    for (file, email, expect) in roles {
        let cookie = sign_in(port, email);
        let html = shoot(
            &chromium,
            port,
            &cookie,
            "/",
            &docs.join(format!("{file}.png")),
            work.path(),
        );
        assert!(html.contains(expect), "{file}: {expect} missing");
        if file == "home-care-manager" {
            care_manager_home = html;
        }
    }
    // The chart of the first patient on the care manager's caseload (safety first).
    let start = care_manager_home
        .find("href=\"/patients/")
        .expect("a patient on the caseload")
        + 6;
    let end = start + care_manager_home[start..].find('"').unwrap();
    let chart_path = care_manager_home[start..end].to_owned();
    let cookie = sign_in(port, "cm.rivera@demo.stepwise.test");
    let chart = shoot(
        &chromium,
        port,
        &cookie,
        &chart_path,
        &docs.join("patient-chart.png"),
        work.path(),
    );
    assert!(chart.contains("Scores over time") && chart.contains("role=\"img\""));
    let review_cookie = sign_in(port, "psych.haddad@demo.stepwise.test");
    let review = shoot(
        &chromium,
        port,
        &review_cookie,
        "/review",
        &docs.join("review-mode.png"),
        work.path(),
    );
    assert!(review.contains("Case review · patient 1 of"));
    let screening = shoot(
        &chromium,
        port,
        &sign_in(port, "ma.johnson@demo.stepwise.test"),
        &format!("{chart_path}/screening"),
        &docs.join("screening-entry.png"),
        work.path(),
    );
    assert!(screening.contains("Score and save"));
    // The practice's plan: journey, next step, gaps and goals (every role reads it).
    let plan = shoot(
        &chromium,
        port,
        &sign_in(port, "admin.whitfield@demo.stepwise.test"),
        "/plan",
        &docs.join("plan.png"),
        work.path(),
    );
    assert!(plan.contains("Your next step") && plan.contains("The journey"));
}
