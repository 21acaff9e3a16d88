//! The pages in a real browser (headless Chromium) against the running demo: screenshots of each
//! role's home page, the chart, review mode, screening entry and the practice's plan, written to
//! `docs/screenshots/` (the user guides show them); and script payloads stored in free-text
//! fields that must never run in any page that shows them.
//!
//! Each page is fetched signed in (the demo practice relaxes the second factor for its demo
//! users), saved with its stylesheet addressed on the running server, and rendered by Chromium
//! from the file: the browser never holds a session. Runs when Chromium is installed
//! (`/usr/bin/chromium`, or `STEPWISE_CHROMIUM`); with `STEPWISE_TEST_REQUIRE_CHROMIUM=1` (set by
//! `scripts/test`) a missing browser is a failure, not a skip.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::Path;
use std::process::{Command, Stdio};

use support::{chromium_or_skip, http, http_typed, sign_in, start_demo};

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
    let Some(chromium) = chromium_or_skip() else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let (_server, port) = start_demo(work.path());
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots");
    std::fs::create_dir_all(&docs).unwrap();
    let roles = support::HOMES;
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

/// Payloads that change the page if a browser ever runs them: each marks the document.
const PAYLOADS: [&str; 4] = [
    "<script>document.documentElement.setAttribute('data-xss','script')</script>",
    "\"><img src=x onerror=\"document.documentElement.setAttribute('data-xss','img')\">",
    "'><svg onload=\"document.documentElement.setAttribute('data-xss','svg')\">",
    "</textarea><iframe srcdoc=\"<script>parent.document.documentElement.setAttribute('data-xss','iframe')</script>\"></iframe>",
];

fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The DOM after Chromium has loaded the page (scripts, if any ran, included).
fn rendered_dom(
    chromium: &Path,
    port: u16,
    cookie: &str,
    path: &str,
    work: &Path,
    n: usize,
) -> String {
    let (status, head, html) = http(port, "GET", path, Some(cookie), None).unwrap();
    assert_eq!(status, 200, "GET {path}: {head}");
    // The saved page has no Content-Security-Policy: only escaping keeps the payloads inert.
    let file = work.join(format!("xss-{n}.html"));
    std::fs::write(&file, html).unwrap();
    let out = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--virtual-time-budget=3000",
            "--dump-dom",
        ])
        .arg(format!(
            "--user-data-dir={}",
            work.join("profile").display()
        ))
        .arg(format!("file://{}", file.display()))
        .stderr(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "chromium failed on {path}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Script payloads stored in free-text fields (patient names, a contact note, case-review notes
/// and a recommendation) never run in any page that shows them, in a real browser.
#[test]
fn stored_script_payloads_never_run() {
    let Some(chromium) = chromium_or_skip() else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let (_server, port) = start_demo(work.path());
    let cm = sign_in(port, "cm.rivera@demo.stepwise.test");
    let desk = sign_in(port, "desk.murphy@demo.stepwise.test");
    let psych = sign_in(port, "psych.haddad@demo.stepwise.test");
    let payload = PAYLOADS.join(" ");

    // A patient whose names are payloads, assigned to the care manager.
    let (_, _, me) = http(port, "GET", "/api/v1/me", Some(&cm), None).unwrap();
    let cm_id = me.split("\"id\":\"").nth(1).unwrap()[..36].to_owned();
    let body = format!(
        r#"{{"mrn":"XSS-1","given_name":{},"family_name":{},"birth_date":"1970-01-01","sex":"female","care_manager":"{cm_id}"}}"#,
        serde_json_string(PAYLOADS[0]),
        serde_json_string(PAYLOADS[1]),
    );
    let (status, _, created) = http_typed(
        port,
        "POST",
        "/api/v1/patients",
        Some(&desk),
        Some(&body),
        "application/json",
    )
    .unwrap();
    assert_eq!(status, 201, "{created}");
    let xss_patient = created.split("\"id\":\"").nth(1).unwrap()[..36].to_owned();

    // A Part 2 consent whose elements are payloads, shown on the chart.
    let body = format!(
        r#"{{"given_on":"2026-11-02","method":"written","recipients":{p},"information":{p},"purpose":{p},"expires_on":"2027-11-02"}}"#,
        p = serde_json_string(&payload),
    );
    let (status, _, consent) = http_typed(
        port,
        "POST",
        &format!("/api/v1/patients/{xss_patient}/part2-consents"),
        Some(&cm),
        Some(&body),
        "application/json",
    )
    .unwrap();
    assert_eq!(status, 201, "{consent}");

    // A note on a contact of the first patient of the caseload.
    let (_, _, home) = http(port, "GET", "/", Some(&cm), None).unwrap();
    let table = &home[home.find("class=\"caseload\"").unwrap()..];
    let start = table.find("href=\"/patients/").unwrap() + 6;
    let chart_path = table[start..start + table[start..].find('"').unwrap()].to_owned();
    let (_, _, chart) = http(port, "GET", &chart_path, Some(&cm), None).unwrap();
    let c = chart.find("/episodes/").unwrap();
    let contact_path = format!("{}/contact", &chart[c..c + 46]);
    let form = format!(
        "contact_on=2026-11-02&kind=follow_up&modality=phone&minutes=10&staff_role=care_manager&exclusion=&note={}",
        urlencode(&payload)
    );
    let (status, head, _) = http(port, "POST", &contact_path, Some(&cm), Some(&form)).unwrap();
    assert_eq!(status, 303, "{head}");

    // Case-review notes and a recommendation for the first patient of the review list.
    let (_, _, review) = http(port, "GET", "/review", Some(&psych), None).unwrap();
    let marker = "name=\"episode\" value=\"";
    let e = review.find(marker).unwrap() + marker.len();
    let episode = &review[e..e + 36];
    let form = format!(
        "n=0&episode={episode}&review_on=2026-11-02&notes={p}&rec_1={p}&rec_2=&rec_3=",
        p = urlencode(&payload)
    );
    let (status, _, body) = http(port, "POST", "/review", Some(&psych), Some(&form)).unwrap();
    assert_eq!(status, 303, "{body}");

    // Every page that shows them, as those who see them.
    let search = format!("q={}", urlencode("XSS-1"));
    let (_, _, found) = http(port, "POST", "/patients/search", Some(&cm), Some(&search)).unwrap();
    assert!(found.contains(&format!("/patients/{xss_patient}")));
    let practitioner = sign_in(port, "dr.lindqvist@demo.stepwise.test");
    let pages = [
        (&cm, format!("/patients/{xss_patient}")),
        (&cm, format!("/patients/{xss_patient}/summary")),
        (&cm, chart_path.clone()),
        (&cm, "/".to_owned()),
        (&psych, "/review-list".to_owned()),
        (&psych, "/review?n=0".to_owned()),
        (&practitioner, "/".to_owned()),
    ];
    let mut shown = 0;
    for (n, (cookie, path)) in pages.iter().enumerate() {
        let dom = rendered_dom(&chromium, port, cookie, path, work.path(), n);
        assert!(dom.contains("</html>"), "{path}: no DOM");
        // The payloads' text mentions data-xss; only a payload that ran sets the attribute.
        assert!(!dom.contains("data-xss=\""), "a payload ran on {path}");
        if dom.contains("setAttribute(") {
            shown += 1;
        }
    }
    // The payloads were on the pages, as text: the test looked at them.
    assert!(shown >= 3, "the payloads were shown on only {shown} pages");
}

/// A JSON string literal.
fn serde_json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
