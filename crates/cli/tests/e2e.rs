//! The care team's day, end to end in a real browser: headless Chromium driven through
//! ChromeDriver (WebDriver) against the running demo, signed in through the sign-in page, with
//! clicks and keystrokes as staff make them.
//!
//! Every role signs in and sees its home page; the front desk registers a new patient; the care
//! manager refers, records consent and enrols them; the MA enters a PHQ-9 by keyboard alone with
//! item 9 positive and sees the safety alert at once; the alert is on the care manager's and the
//! practitioner's home pages; the care manager logs a contact whose minutes the timer fills in; the psychiatrist
//! records a recommendation in review mode and the practitioner accepts it. After every page:
//! no console error, nothing requested outside the app (host names other than 127.0.0.1 do not
//! even resolve in this browser), every form control labelled and one main heading. Then the
//! daily pages again on a tablet held upright: none scrolls sideways.
//!
//! Runs when Chromium and ChromeDriver are installed (`/usr/bin/chromium`,
//! `/usr/bin/chromedriver`, or `STEPWISE_CHROMIUM` / `STEPWISE_CHROMEDRIVER`); with
//! `STEPWISE_TEST_REQUIRE_CHROMIUM=1` (set by `scripts/test`) a missing one is a failure.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use support::{HOMES, PASSWORD, Server, free_port, sign_in, start_demo};

fn chromedriver() -> Option<PathBuf> {
    let path = std::env::var_os("STEPWISE_CHROMEDRIVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromedriver"));
    path.exists().then_some(path)
}

/// ChromeDriver's `se/log` command: the browser's console messages since the last call.
#[derive(Debug)]
struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(json!({"type": "browser"}).to_string()),
        )
    }
}

/// The browser, on the demo at `origin`.
struct Browser {
    client: Client,
    origin: String,
    /// Pages checked for console errors and outside requests.
    checked: usize,
}

impl Browser {
    async fn start(driver_port: u16, origin: String) -> Self {
        let caps = json!({
            "goog:chromeOptions": {
                "binary": support::chromium().unwrap(),
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--disable-dev-shm-usage", "--window-size=1280,1000",
                    // Nothing outside this machine's demo can be reached, whatever a page asks.
                    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                ],
            },
            "goog:loggingPrefs": {"browser": "ALL"},
        });
        let caps = match caps {
            Value::Object(m) => m,
            _ => unreachable!(),
        };
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{driver_port}"))
            .await
            .expect("a ChromeDriver session");
        Self {
            client,
            origin,
            checked: 0,
        }
    }

    /// Console messages at error level since the last call.
    async fn console_errors(&self) -> Vec<String> {
        let log = self.client.issue_cmd(BrowserLog).await.unwrap();
        log.as_array()
            .into_iter()
            .flatten()
            .filter(|e| e["level"] == "SEVERE")
            .map(|e| e["message"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    /// The page now shown: no console error, and every resource it loaded came from the app.
    async fn check_page(&mut self) {
        let url = self.client.current_url().await.unwrap();
        let errors = self.console_errors().await;
        assert!(errors.is_empty(), "console errors on {url}: {errors:?}");
        let resources = self
            .client
            .execute(
                "return performance.getEntriesByType('resource').map(e => e.name)",
                vec![],
            )
            .await
            .unwrap();
        for r in resources.as_array().unwrap() {
            let r = r.as_str().unwrap();
            assert!(
                r.starts_with(&format!("{}/", self.origin)),
                "{url} requested {r}, outside the app"
            );
        }
        assert!(
            url.as_str().starts_with(&self.origin),
            "the browser left the app for {url}"
        );
        // Every control a person fills in has a label a screen reader announces, and the page
        // has one main heading.
        let unlabelled = self.client.execute(UNLABELLED, vec![]).await.unwrap();
        assert_eq!(unlabelled, json!([]), "controls without a label on {url}");
        self.checked += 1;
    }

    /// The page fits the width of a tablet held upright: nothing scrolls sideways.
    async fn fits_tablet(&self) {
        let url = self.client.current_url().await.unwrap();
        let overflow = self
            .client
            .execute(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth",
                vec![],
            )
            .await
            .unwrap();
        assert!(
            overflow.as_i64().unwrap() <= 0,
            "{url} scrolls sideways by {overflow} px on a tablet"
        );
    }

    async fn goto(&mut self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.origin))
            .await
            .unwrap();
        self.check_page().await;
    }

    async fn find(&self, css: &str) -> Element {
        self.client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css} on the page: {e}"))
    }

    /// Mark the page now shown, so that [`Browser::settle`] waits for the next one (a click or
    /// an Enter returns before the browser has even started to leave this page).
    async fn leaving(&self) {
        self.client
            .execute("window.__e2eLeft = true", vec![])
            .await
            .unwrap();
    }

    /// Click a link or button, wait for the next page and check it.
    async fn click_to(&mut self, element: Element) {
        self.leaving().await;
        element.click().await.unwrap();
        self.settle().await;
    }

    async fn click_link(&mut self, text: &str) {
        let link = self
            .client
            .find(Locator::LinkText(text))
            .await
            .unwrap_or_else(|e| panic!("no link “{text}”: {e}"));
        self.click_to(link).await;
    }

    /// Submit the page's main form with its submit button.
    async fn submit(&mut self, form_css: &str) {
        let button = self.find(&format!("{form_css} button[type=submit]")).await;
        self.click_to(button).await;
    }

    /// Wait for the next page (after [`Browser::leaving`]) to finish loading, then check it.
    async fn settle(&mut self) {
        let started = Instant::now();
        loop {
            // Between pages the script may find no document to run in: try again.
            let ready = self
                .client
                .execute(
                    "return !window.__e2eLeft && document.readyState === 'complete'",
                    vec![],
                )
                .await
                .unwrap_or(Value::Bool(false));
            if ready == Value::Bool(true) {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "page never loaded"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.check_page().await;
    }

    async fn body_text(&self) -> String {
        self.find("body").await.text().await.unwrap()
    }

    async fn sign_in(&mut self, email: &str) {
        self.goto("/sign-in").await;
        self.find("#email").await.send_keys(email).await.unwrap();
        let password = self.find("#password").await;
        self.leaving().await;
        password
            .send_keys(&format!("{PASSWORD}{}", char::from(Key::Enter)))
            .await
            .unwrap();
        self.settle().await;
        let url = self.client.current_url().await.unwrap();
        assert_eq!(url.path(), "/", "{email} was not signed in: {url}");
        let who = self.find("form.signout .who").await.text().await.unwrap();
        assert!(!who.is_empty(), "{email}: no signed-in user shown");
    }

    async fn sign_out(&mut self) {
        let button = self.find("form.signout button").await;
        self.click_to(button).await;
        assert!(
            self.client.current_url().await.unwrap().path() == "/sign-in",
            "signing out did not return to the sign-in page"
        );
    }

    /// Find a patient with the search box in the header and open the chart.
    async fn open_chart(&mut self, mrn: &str, name: &str) {
        self.leaving().await;
        self.find("#q")
            .await
            .send_keys(&format!("{mrn}{}", char::from(Key::Enter)))
            .await
            .unwrap();
        self.settle().await;
        self.click_link(name).await;
        let heading = self.find("h1").await.text().await.unwrap();
        assert!(heading.contains("Testa"), "the chart shows “{heading}”");
    }
}

/// The ids (or tag names) of visible form controls with no accessible name: no `<label for>`,
/// no wrapping label, no `aria-label` or `aria-labelledby`; plus a note if the page does not
/// have exactly one `<h1>`.
const UNLABELLED: &str = r#"
var bad = [];
document.querySelectorAll('input, select, textarea').forEach(function (el) {
  if (el.type === 'hidden' || el.type === 'submit' || el.type === 'button') { return; }
  var named = (el.labels && el.labels.length > 0) || el.getAttribute('aria-label') ||
    el.getAttribute('aria-labelledby');
  if (!named) { bad.push(el.id || el.name || el.tagName); }
});
var h1 = document.querySelectorAll('h1').length;
if (h1 !== 1) { bad.push(h1 + ' h1 elements'); }
return bad;
"#;

/// ChromeDriver on a free port, once it answers.
fn start_chromedriver(driver: &PathBuf) -> (Server, u16) {
    let port = free_port();
    let server = Server(
        Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "ChromeDriver did not start"
        );
        #[allow(clippy::disallowed_methods)]
        std::thread::sleep(Duration::from_millis(100));
    }
    (server, port)
}

fn user_id(port: u16, cookie: &str) -> String {
    let (_, _, me) = support::http(port, "GET", "/api/v1/me", Some(cookie), None).unwrap();
    let me: Value = serde_json::from_str(&me).unwrap();
    me["user"]["id"].as_str().unwrap().to_owned()
}

const CM: &str = "cm.rivera@demo.stepwise.test";
const PRACTITIONER: &str = "dr.lindqvist@demo.stepwise.test";
const MA: &str = "ma.johnson@demo.stepwise.test";
const PSYCHIATRIST: &str = "psych.haddad@demo.stepwise.test";
const MRN: &str = "E2E-1";
/// The chart link's text in search results.
const NAME: &str = "Testa, Ada";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_day_of_the_care_team_in_the_browser() {
    let Some(_) = support::chromium_or_skip() else {
        return;
    };
    let Some(driver) = chromedriver() else {
        assert!(
            std::env::var("STEPWISE_TEST_REQUIRE_CHROMIUM").as_deref() != Ok("1"),
            "ChromeDriver is required (STEPWISE_TEST_REQUIRE_CHROMIUM=1) but /usr/bin/chromedriver is missing"
        );
        eprintln!("ChromeDriver is not installed: skipped");
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let (_demo, port) = start_demo(work.path());
    let (_driver, driver_port) = start_chromedriver(&driver);
    let origin = format!("http://127.0.0.1:{port}");

    // The care team's account ids, to pick them in the registration form's lists.
    let practitioner = user_id(port, &sign_in(port, PRACTITIONER));
    let care_manager = user_id(port, &sign_in(port, CM));

    let mut b = Browser::start(driver_port, origin).await;

    // The check can fail: a missing script is a console error.
    b.client
        .goto(&format!("{}/sign-in", b.origin))
        .await
        .unwrap();
    b.client
        .execute(
            "var s = document.createElement('script'); s.src = '/assets/missing.js'; document.head.appendChild(s);",
            vec![],
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        !b.console_errors().await.is_empty(),
        "a failed load must show as a console error, or the checks below prove nothing"
    );

    // Every role signs in through the page and sees its home page; the administrator and the
    // biller also open their other pages (each checked like every page).
    for (_, email, expect) in HOMES {
        b.sign_in(email).await;
        let text = b.body_text().await;
        assert!(text.contains(expect), "{email}: “{expect}” missing");
        let more: &[&str] = match email {
            "admin.whitfield@demo.stepwise.test" => &[
                "/plan",
                "/plan/readiness",
                "/plan/model",
                "/plan/team",
                "/plan/training",
                "/plan/workflow",
                "/plan/goals",
                "/plan/meetings",
                "/plan/patient-content",
                "/plan/patient-content/edit?topic=consent_conversation",
                "/plan/patient-content/handout?topic=crisis_resources",
                "/settings/billing",
                "/settings/finance",
                "/finance",
                "/metrics",
                "/directory",
                "/admin/users",
                "/admin/sites",
                "/settings/practice",
                "/admin/audit",
            ],
            "billing.chen@demo.stepwise.test" => &["/billing", "/finance"],
            "desk.murphy@demo.stepwise.test" => &["/referrals", "/directory"],
            _ => &[],
        };
        for path in more {
            b.goto(path).await;
        }
        b.sign_out().await;
    }

    // The front desk registers a new patient of Dr Lindqvist's, with Rivera as care manager.
    b.sign_in("desk.murphy@demo.stepwise.test").await;
    b.click_link("Register a patient").await;
    for (field, value) in [
        ("#f-mrn", MRN),
        ("#f-given_name", "Ada"),
        ("#f-family_name", "Testa"),
    ] {
        b.find(field).await.send_keys(value).await.unwrap();
    }
    // A date field takes keys in the browser's locale: set its value as a date picker would.
    b.client
        .execute(
            "document.getElementById('f-birth_date').value = '1968-05-04'",
            vec![],
        )
        .await
        .unwrap();
    for option in [
        "#f-sex option[value=female]".to_owned(),
        "#f-payer_kind option[value=medicare]".to_owned(),
        format!("#f-treating_practitioner option[value='{practitioner}']"),
        format!("#f-care_manager option[value='{care_manager}']"),
    ] {
        b.find(&option).await.click().await.unwrap();
    }
    b.submit("form.entry").await;
    let heading = b.find("h1").await.text().await.unwrap();
    assert!(heading.contains("Testa"), "registered onto “{heading}”");
    b.sign_out().await;

    // The care manager refers the patient to Collaborative Care, records consent, enrols.
    b.sign_in(CM).await;
    b.open_chart(MRN, NAME).await;
    b.click_link("Refer to a program").await;
    b.submit("form.entry").await;
    assert!(
        b.body_text().await.contains("Referred"),
        "the episode is not referred"
    );
    b.click_link("Record consent").await;
    b.find("#f-cost_sharing_explained")
        .await
        .click()
        .await
        .unwrap();
    b.find("#f-consult_permission").await.click().await.unwrap();
    b.submit("form.entry").await;
    for step in ["enroll", "start_treatment"] {
        b.click_link("Change status").await;
        b.find(&format!("#f-transition option[value={step}]"))
            .await
            .click()
            .await
            .unwrap();
        b.submit("form.entry").await;
    }
    assert!(
        b.body_text().await.contains("Active treatment"),
        "the episode is not in active treatment"
    );
    b.sign_out().await;

    // The MA enters a PHQ-9 at rooming by keyboard alone: the first answer has the focus; each
    // answer, Tab, and Enter at the end. Item 9 (thoughts of self-harm) is positive.
    b.sign_in(MA).await;
    b.open_chart(MRN, NAME).await;
    b.click_link("Enter a screening").await;
    let keys: String = ["2", "2", "1", "1", "2", "1", "1", "0", "1"]
        .iter()
        .map(|a| format!("{a}{}", char::from(Key::Tab)))
        .collect::<String>();
    let first = b.client.active_element().await.unwrap();
    assert_eq!(first.attr("id").await.unwrap().as_deref(), Some("item_1"));
    first.send_keys(&keys).await.unwrap();
    b.leaving().await;
    b.client
        .active_element()
        .await
        .unwrap()
        .send_keys(&char::from(Key::Enter).to_string())
        .await
        .unwrap();
    b.settle().await;
    let result = b.body_text().await;
    assert!(
        result.contains("Patient Health Questionnaire-9: saved"),
        "{result}"
    );
    assert!(
        result.contains("Total 11 of 27"),
        "the total (11) is not shown: {result}"
    );
    let alert = b.find("[role=alert]").await.text().await.unwrap();
    assert!(
        alert.to_lowercase().contains("safety") || alert.to_lowercase().contains("self-harm"),
        "no safety alert at once: {alert}"
    );
    b.sign_out().await;

    // The alert is on the care manager's home (caseload) and on the practitioner's home.
    for who in [CM, PRACTITIONER] {
        b.sign_in(who).await;
        let alerts = b.find("section.alerts").await.text().await.unwrap();
        assert!(
            alerts.contains("Testa"),
            "{who}: the new safety alert is not on the home page: {alerts}"
        );
        b.sign_out().await;
    }

    // The care manager logs a phone call; the timer fills in the minutes.
    b.sign_in(CM).await;
    b.open_chart(MRN, NAME).await;
    b.click_link("Log a contact").await;
    let toggle = b.find("#timer-toggle").await;
    assert!(toggle.is_displayed().await.unwrap(), "the timer is hidden");
    toggle.click().await.unwrap();
    tokio::time::sleep(Duration::from_millis(2_100)).await;
    assert_ne!(b.find("#timer-out").await.text().await.unwrap(), "0:00");
    toggle.click().await.unwrap();
    let minutes = b.find("#f-minutes").await.prop("value").await.unwrap();
    assert_eq!(
        minutes.as_deref(),
        Some("1"),
        "the timer did not fill in the minutes"
    );
    b.submit("form.entry").await;
    let counted = b
        .client
        .find(Locator::XPath(
            "//tfoot/tr[th[contains(., 'Countable minutes this month')]]/td",
        ))
        .await
        .expect("the chart's contacts this month")
        .text()
        .await
        .unwrap();
    assert_eq!(
        counted.trim(),
        "1",
        "the contact's minute is not counted on the chart"
    );
    b.sign_out().await;

    // The psychiatrist finds the patient in review mode and records a recommendation.
    b.sign_in(PSYCHIATRIST).await;
    b.goto("/review").await;
    let mut found = false;
    for _ in 0..200 {
        let who = b.find("#who-h").await.text().await.unwrap();
        if who.contains("Testa") {
            found = true;
            break;
        }
        b.click_link("Skip this patient").await;
    }
    assert!(
        found,
        "the patient with a safety alert is not on the review list"
    );
    b.find("#notes")
        .await
        .send_keys("PHQ-9 11 with item 9 positive.")
        .await
        .unwrap();
    b.find("#rec_1")
        .await
        .send_keys("C-SSRS at the next contact; then mirtazapine 15 mg at night.")
        .await
        .unwrap();
    b.submit("form.entry").await;
    b.sign_out().await;

    // The practitioner accepts it from the home page.
    b.sign_in(PRACTITIONER).await;
    let row = b
        .client
        .find(Locator::XPath(
            "//tr[td[contains(., 'then mirtazapine 15 mg at night')]]",
        ))
        .await
        .expect("the recommendation waits on the practitioner's home page");
    let waiting = row.text().await.unwrap();
    let accept = row
        .find(Locator::Css("button[value=accept]"))
        .await
        .unwrap_or_else(|e| panic!("no Accept on “{waiting}”: {e}"));
    b.click_to(accept).await;
    let row = b
        .client
        .find(Locator::XPath(
            "//tr[td[contains(., 'then mirtazapine 15 mg at night')]]",
        ))
        .await
        .unwrap();
    let row = row.text().await.unwrap();
    assert!(row.contains("ccepted"), "not accepted: {row}");
    // Once carried out, marked done: it leaves the list of open recommendations.
    let done = b
        .client
        .find(Locator::XPath(
            "//tr[td[contains(., 'then mirtazapine 15 mg at night')]]//button[contains(., 'Mark done')]",
        ))
        .await
        .expect("an accepted recommendation can be marked done");
    b.click_to(done).await;
    assert!(
        !b.body_text()
            .await
            .contains("then mirtazapine 15 mg at night"),
        "a recommendation marked done is still open"
    );
    b.sign_out().await;

    // On a tablet held upright (768 × 1024): every role's home page, the chart, screening
    // entry, contact logging and review mode fit the width.
    b.client.set_window_size(768, 1024).await.unwrap();
    for (_, email, _) in HOMES {
        b.sign_in(email).await;
        b.fits_tablet().await;
        if email == CM {
            b.open_chart(MRN, NAME).await;
            b.fits_tablet().await;
            b.click_link("Log a contact").await;
            b.fits_tablet().await;
            b.open_chart(MRN, NAME).await;
            b.click_link("Record a Part 2 consent").await;
            b.fits_tablet().await;
        }
        if email == MA {
            b.open_chart(MRN, NAME).await;
            b.click_link("Enter a screening").await;
            b.fits_tablet().await;
        }
        if email == PSYCHIATRIST {
            b.goto("/review").await;
            b.fits_tablet().await;
        }
        b.sign_out().await;
    }

    assert!(b.checked >= 70, "only {} pages were checked", b.checked);
    b.client.close().await.unwrap();
}
