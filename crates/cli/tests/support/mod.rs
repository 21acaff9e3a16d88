//! What the browser tests share: the demo server on a free port, a minimal HTTP/1.1 client
//! for setting up data through the API, signing in, and finding Chromium.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const PASSWORD: &str = "stepwise-demo-2026";

pub fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("STEPWISE_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    path.exists().then_some(path)
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub struct Server(pub Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One HTTP/1.1 exchange: (status, headers, body).
pub fn http(
    port: u16,
    method: &str,
    path: &str,
    cookie: Option<&str>,
    form: Option<&str>,
) -> std::io::Result<(u16, String, String)> {
    http_typed(
        port,
        method,
        path,
        cookie,
        form,
        "application/x-www-form-urlencoded",
    )
}

pub fn http_typed(
    port: u16,
    method: &str,
    path: &str,
    cookie: Option<&str>,
    form: Option<&str>,
    content_type: &str,
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
            "Content-Type: {content_type}\r\nContent-Length: {}\r\n",
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

pub fn sign_in(port: u16, email: &str) -> String {
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

/// The demo on a new data directory under `work`, and its port, once it answers.
pub fn start_demo(work: &Path) -> (Server, u16) {
    let port = free_port();
    let server = Server(
        Command::new(env!("CARGO_BIN_EXE_stepwise"))
            .args(["demo", "--listen", &format!("127.0.0.1:{port}")])
            .arg("--data-dir")
            .arg(work.join("data"))
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
    (server, port)
}

pub fn chromium_or_skip() -> Option<PathBuf> {
    let found = chromium();
    if found.is_none() {
        assert!(
            std::env::var("STEPWISE_TEST_REQUIRE_CHROMIUM").as_deref() != Ok("1"),
            "Chromium is required (STEPWISE_TEST_REQUIRE_CHROMIUM=1) but /usr/bin/chromium is missing"
        );
        eprintln!("Chromium is not installed: skipped");
    }
    found
}

/// Each role's home page in the demo: (screenshot file, demo user, what the page must show).
pub const HOMES: [(&str, &str, &str); 7] = [
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
