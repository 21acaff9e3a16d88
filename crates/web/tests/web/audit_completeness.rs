//! The audit trail is complete (HIPAA 164.312(b)): every route of the registry that can return or
//! change patient data, asked once by a user allowed it, appends under the request's id exactly
//! the events it should (normally one: who, in which role, on which patient, what, success);
//! asked once by a user refused it, exactly one `access.denied` and nothing else. Every PHI route
//! needs a case here, so a new route cannot escape. Runs on SQLite and on PostgreSQL.

use crate::harness::{App, Reply, User, app, app_postgres};
use crate::matrix::{Records, kind, records, sys, users};
use serde_json::{Value, json};
use stepwise_domain::access::{Operation, Relation, allowed};
use stepwise_domain::audit::{AuditAction, AuditOutcome};
use stepwise_domain::episode::Program;
use stepwise_domain::ids::PatientId;
use stepwise_domain::role::Role;
use stepwise_store::AuditEvent;
use stepwise_web::routes::{Access, table};

use AuditAction as A;

/// PHI routes that have no case yet, each with why. The test checks that each still exists and
/// has no case, and prints the list.
const NOT_YET_COVERED: &[(&str, &str, &str)] = &[];

/// Routes that read by POST: what they search for stays out of the URL.
const READ_BY_POST: &[&str] = &[
    "/api/v1/patients/search",
    "/patients/search",
    "/admin/audit",
    "/admin/audit/export",
];

/// What the request sends.
enum Send {
    None,
    Json(Value),
    Form(String),
}

/// Whose record the events name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Subject {
    /// The fixture patient the route addresses.
    Own,
    /// No patient (a practice-wide list or report).
    Nobody,
    /// A patient other than the fixture's (one the request creates).
    New,
    /// Some patient (the first of a list, which depends on the other cases).
    Any,
}

/// One request to a route and the events it must append.
struct Case<'a> {
    /// The user allowed the route who asks; by default the first allowed one in the order of
    /// `PREFERENCE`.
    by: Option<&'a User>,
    /// The path asked, when it is not the route's template with the fixture's id.
    path: Option<String>,
    send: Send,
    if_match: Option<String>,
    /// The route needs a recent sign-in: ask with a fresh session, not a token.
    fresh: bool,
    /// The actions appended, in order, with the patient each names.
    expect: Vec<(AuditAction, Subject)>,
    /// Why the route appends nothing: what it shows, none of it patient data.
    quiet: Option<&'static str>,
}

impl<'a> Case<'a> {
    fn new(expect: AuditAction) -> Self {
        Case {
            by: None,
            path: None,
            send: Send::None,
            if_match: None,
            fresh: false,
            expect: vec![(expect, Subject::Own)],
            quiet: None,
        }
    }
    /// A page or document that shows no patient data and reads none: no event. `why` says
    /// what it shows; the test prints these.
    fn nothing(why: &'static str) -> Self {
        Case {
            expect: Vec::new(),
            quiet: Some(why),
            ..Case::new(A::PatientRead)
        }
    }
    fn by(mut self, u: &'a User) -> Self {
        self.by = Some(u);
        self
    }
    fn path(mut self, p: impl Into<String>) -> Self {
        self.path = Some(p.into());
        self
    }
    fn json(mut self, v: Value) -> Self {
        self.send = Send::Json(v);
        self
    }
    fn form(mut self, f: impl Into<String>) -> Self {
        self.send = Send::Form(f.into());
        self
    }
    fn if_match(mut self, v: impl std::fmt::Display) -> Self {
        self.if_match = Some(format!("\"{v}\""));
        self
    }
    fn fresh(mut self) -> Self {
        self.fresh = true;
        self
    }
    /// The patient every event names.
    fn subject(mut self, s: Subject) -> Self {
        for e in &mut self.expect {
            e.1 = s;
        }
        self
    }
    /// A further event of the same request.
    fn then(mut self, a: AuditAction, s: Subject) -> Self {
        self.expect.push((a, s));
        self
    }
}

/// The fixture of one case: a patient of doctor A and care manager A in Collaborative Care,
/// with an episode, a consent, a contact, a PHQ-9 (item 9 positive: an open safety alert), a
/// referral and a psychiatric recommendation.
struct Fx<'a> {
    app: &'a App,
    mrn: String,
    recs: Records,
}

impl Fx<'_> {
    fn mrn(&self) -> &str {
        &self.mrn
    }
    async fn measures_version(&self) -> i64 {
        self.version(&self.app.admin, "/api/v1/metrics/measures", "/version")
            .await
    }
    fn id(&self, kind: &str) -> &str {
        &self.recs.ids[kind]
    }
    fn pid(&self) -> &str {
        self.id("patients")
    }
    fn eid(&self) -> &str {
        self.id("episodes")
    }
    /// A JSON read by `user` (its own request id, not the case's).
    async fn read(&self, user: &User, path: &str) -> Reply {
        let r = self.app.get(user, path).await;
        assert_eq!(r.status, 200, "{path}: {}", r.text());
        r
    }
    async fn version(&self, user: &User, path: &str, pointer: &str) -> i64 {
        let v = self.read(user, path).await.json();
        v.pointer(pointer)
            .and_then(Value::as_i64)
            .unwrap_or_else(|| panic!("{path} {pointer}: {v}"))
    }
    async fn patient_version(&self) -> i64 {
        self.version(
            &self.app.care_manager,
            &format!("/api/v1/patients/{}", self.pid()),
            "/version",
        )
        .await
    }
    async fn episode_version(&self) -> i64 {
        self.version(
            &self.app.care_manager,
            &format!("/api/v1/episodes/{}", self.eid()),
            "/episode/version",
        )
        .await
    }
    async fn care_plan_version(&self) -> i64 {
        self.version(
            &self.app.care_manager,
            &format!("/api/v1/episodes/{}", self.eid()),
            "/care_plan/version",
        )
        .await
    }
    async fn alert_version(&self) -> i64 {
        self.version(
            &self.app.care_manager,
            &format!("/api/v1/patients/{}/alerts", self.pid()),
            "/0/version",
        )
        .await
    }
    async fn recommendation_version(&self) -> i64 {
        self.version(
            &self.app.care_manager,
            &format!("/api/v1/episodes/{}/recommendations", self.eid()),
            "/0/version",
        )
        .await
    }
    async fn referral_version(&self) -> i64 {
        self.version(
            &self.app.care_manager,
            &format!("/api/v1/referrals/{}", self.id("referrals")),
            "/version",
        )
        .await
    }
    /// The treating practitioner accepts the recommendation, so that it can be marked done.
    async fn accept_recommendation(&self) {
        let v = self.recommendation_version().await;
        let r = self
            .app
            .send(
                self.app
                    .call(
                        "POST",
                        &format!(
                            "/api/v1/recommendations/{}/decision",
                            self.id("recommendations")
                        ),
                    )
                    .token(&self.app.practitioner)
                    .header("if-match", &format!("\"{v}\""))
                    .json(json!({"decision": "accept"})),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
    }
    /// Lock a billing month as reviewed.
    async fn lock(&self, month: &str) {
        let biller = &self.app.billing;
        let hash = self
            .read(biller, &format!("/api/v1/billing/months/{month}"))
            .await
            .json()["review_hash"]
            .as_str()
            .unwrap()
            .to_owned();
        let r = self
            .app
            .json(
                biller,
                "POST",
                &format!("/api/v1/billing/months/{month}/lock"),
                json!({"review_hash": hash}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
    }
    async fn review_hash(&self, month: &str) -> String {
        self.read(
            &self.app.billing,
            &format!("/api/v1/billing/months/{month}"),
        )
        .await
        .json()["review_hash"]
            .as_str()
            .unwrap()
            .to_owned()
    }
    /// An APCM month recorded for the patient, to remove.
    async fn apcm_month(&self) -> String {
        let r = self
            .app
            .json(
                &self.app.billing,
                "POST",
                &format!("/api/v1/patients/{}/apcm-months", self.pid()),
                json!({"practitioner": self.app.practitioner.id, "month": "2026-10"}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text());
        r.json()["id"].as_str().unwrap().to_owned()
    }
    /// Let care manager B open break-glass access (a clinician outside the care team).
    async fn allow_break_glass(&self) -> &User {
        let cm2 = &self.app.care_manager2;
        self.app
            .store
            .set_break_glass_allowed(&sys(self.app.practice), cm2.id, true)
            .await
            .unwrap();
        cm2
    }
}

fn new_patient(mrn: &str, fx: &Fx<'_>) -> Value {
    json!({"mrn": mrn, "given_name": "Rosa", "family_name": "Díaz", "birth_date": "1961-03-14",
           "sex": "female", "treating_practitioner": fx.app.practitioner.id,
           "care_manager": fx.app.care_manager.id})
}

fn patient_form(mrn: &str, fx: &Fx<'_>) -> String {
    format!(
        "mrn={mrn}&given_name=Rosa&family_name=Diaz&birth_date=1961-03-14&sex=female\
         &preferred_language=en&treating_practitioner={}&care_manager={}",
        fx.app.practitioner.id, fx.app.care_manager.id
    )
}

const PHQ9_NEGATIVE: &str = "instrument=phq9&administered_on=2026-11-27&mode=clinic\
    &item_1=1&item_2=1&item_3=0&item_4=0&item_5=0&item_6=0&item_7=0&item_8=0&item_9=0";

/// The case of a PHI route, `None` when it has none. Preparation (versions, a locked month)
/// runs here under other request ids.
async fn case<'a>(fx: &'a Fx<'a>, method: &str, path: &str, n: usize) -> Option<Case<'a>> {
    let app = fx.app;
    let (pid, eid) = (fx.pid().to_owned(), fx.eid().to_owned());
    let tp = app.practitioner.id;
    let mrn = format!("NEW-{n}");
    Some(match (method, path) {
        // Patients.
        ("POST", "/api/v1/patients") => Case::new(A::PatientCreate)
            .json(new_patient(&mrn, fx))
            .subject(Subject::New),
        ("POST", "/patients/new") => Case::new(A::PatientCreate)
            .form(patient_form(&mrn, fx))
            .subject(Subject::New),
        ("GET", "/patients/new") => Case::nothing("a blank registration form"),
        ("POST", "/api/v1/patients/search") => Case::new(A::PatientSearch)
            .json(json!({"q": fx.mrn()}))
            .subject(Subject::Nobody),
        ("POST", "/patients/search") => Case::new(A::PatientSearch)
            .form(format!("q={}", fx.mrn()))
            .subject(Subject::Nobody),
        ("GET", "/api/v1/patients/{id}")
        | ("GET", "/patients/{id}")
        | ("GET", "/patients/{id}/summary")
        | ("GET", "/patients/{id}/edit") => Case::new(A::PatientRead),
        ("PUT", "/api/v1/patients/{id}") => Case::new(A::PatientUpdate)
            .json(new_patient(fx.mrn(), fx))
            .if_match(fx.patient_version().await),
        ("POST", "/patients/{id}/edit") => Case::new(A::PatientUpdate).form(format!(
            "version={}&{}&phone=555-0100",
            fx.patient_version().await,
            patient_form(fx.mrn(), fx)
        )),
        ("POST", "/api/v1/patients/{id}/break-glass") => Case::new(A::BreakGlassStart)
            .by(fx.allow_break_glass().await)
            .json(json!({"reason": "Crisis call while the care team is away"}))
            .fresh(),
        ("POST", "/patients/{id}/break-glass") => Case::new(A::BreakGlassStart)
            .by(fx.allow_break_glass().await)
            .form("reason=Crisis+call+while+the+care+team+is+away")
            .fresh(),
        ("GET", "/patients/{id}/break-glass") => Case::nothing("a blank form asking for a reason")
            .by(fx.allow_break_glass().await)
            .fresh(),
        // Episodes, consents, care plans, flags.
        ("GET", "/api/v1/patients/{id}/episodes")
        | ("GET", "/api/v1/episodes/{id}")
        | ("GET", "/episodes/{id}/consent")
        | ("GET", "/episodes/{id}/status")
        | ("GET", "/episodes/{id}/care-plan")
        | ("GET", "/episodes/{id}/flags")
        | ("GET", "/consents/{id}/revoke") => Case::new(A::EpisodeRead),
        ("GET", "/patients/{id}/refer") => Case::new(A::PatientRead),
        ("POST", "/api/v1/patients/{id}/episodes") => Case::new(A::EpisodeCreate)
            .json(json!({"program": "bhi", "referred_on": "2026-11-20"})),
        ("POST", "/patients/{id}/refer") => Case::new(A::EpisodeCreate).form(format!(
            "program=bhi&referred_on=2026-11-20&referring_practitioner={tp}"
        )),
        ("POST", "/api/v1/episodes/{id}/consents") => Case::new(A::ConsentCreate).json(json!({
            "consented_on": "2026-11-20", "method": "verbal",
            "cost_sharing_explained": true, "consult_permission": true})),
        ("POST", "/episodes/{id}/consent") => Case::new(A::ConsentCreate).form(
            "consented_on=2026-11-20&method=verbal&cost_sharing_explained=yes&consult_permission=yes",
        ),
        ("POST", "/api/v1/consents/{id}/revocation") => Case::new(A::ConsentRevoke)
            .json(json!({"revoked_on": "2026-11-27", "note": "Patient called"})),
        ("POST", "/consents/{id}/revoke") => {
            Case::new(A::ConsentRevoke).form("revoked_on=2026-11-27&note=Patient+called")
        }
        // The patient's 42 CFR Part 2 consent.
        ("GET", "/api/v1/patients/{id}/part2-consents") => Case::new(A::Part2ConsentRead),
        ("POST", "/api/v1/patients/{id}/part2-consents") => Case::new(A::Part2ConsentCreate)
            .json(json!({"given_on": "2026-11-20", "method": "written",
                "recipients": "The psychiatric consultant", "information": "Screening results",
                "purpose": "Treatment", "expires_on": "2027-11-20"})),
        ("GET", "/patients/{id}/part2-consent") => Case::nothing("a blank Part 2 consent form"),
        ("POST", "/patients/{id}/part2-consent") => Case::new(A::Part2ConsentCreate).form(
            "given_on=2026-11-20&method=written&recipients=The+psychiatric+consultant\
             &information=Screening+results&purpose=Treatment&expires_on=2027-11-20",
        ),
        ("GET", "/part2-consents/{id}/revoke") => {
            Case::nothing("a blank revocation form: a note, no patient data")
        }
        ("POST", "/api/v1/part2-consents/{id}/revocation") => {
            Case::new(A::Part2ConsentRevoke).json(json!({"note": "Patient called"}))
        }
        ("POST", "/part2-consents/{id}/revoke") => {
            Case::new(A::Part2ConsentRevoke).form("note=Patient+called")
        }
        ("POST", "/api/v1/episodes/{id}/transitions") => Case::new(A::EpisodeTransition)
            .json(json!({"on": "2026-11-27", "transition": {"action": "start_treatment"}}))
            .if_match(fx.episode_version().await),
        ("POST", "/episodes/{id}/status") => Case::new(A::EpisodeTransition).form(format!(
            "version={}&transition=start_treatment&on=2026-11-27",
            fx.episode_version().await
        )),
        ("PUT", "/api/v1/episodes/{id}/care-plan") => Case::new(A::CarePlanUpdate)
            .json(json!({"target_instrument": "phq9", "target_below": 5, "follow_up_weeks": 2}))
            .if_match(fx.care_plan_version().await),
        ("POST", "/episodes/{id}/care-plan") => Case::new(A::CarePlanUpdate).form(format!(
            "version={}&target_instrument=phq9&target_below=5&follow_up_weeks=2&goals=Walk+daily",
            fx.care_plan_version().await
        )),
        ("PUT", "/api/v1/episodes/{id}/flags") => Case::new(A::EpisodeFlags)
            .json(json!({"safety_risk": false, "for_discussion": true}))
            .if_match(fx.episode_version().await),
        ("POST", "/episodes/{id}/flags") => Case::new(A::EpisodeFlags).form(format!(
            "version={}&for_discussion=yes",
            fx.episode_version().await
        )),
        // Contacts.
        ("GET", "/api/v1/episodes/{id}/contacts") | ("GET", "/contacts/{id}/in-error") => {
            Case::new(A::EpisodeRead)
        }
        ("GET", "/episodes/{id}/contact") => Case::nothing("a blank contact form"),
        ("POST", "/api/v1/episodes/{id}/contacts") => Case::new(A::ContactCreate).json(json!({
            "contact_on": "2026-11-27", "staff_role": "care_manager", "kind": "follow_up",
            "modality": "phone", "minutes": 15})),
        ("POST", "/episodes/{id}/contact") => Case::new(A::ContactCreate).form(
            "contact_on=2026-11-27&kind=follow_up&modality=phone&minutes=15\
             &staff_role=care_manager&exclusion=&note=",
        ),
        ("POST", "/api/v1/contacts/{id}/entered-in-error") => Case::new(A::ContactEnteredInError)
            .json(json!({"reason": "Logged on the wrong patient"})),
        ("POST", "/contacts/{id}/in-error") => {
            Case::new(A::ContactEnteredInError).form("reason=Logged+on+the+wrong+patient")
        }
        // Assessments and safety alerts.
        ("GET", "/api/v1/patients/{id}/assessments") | ("GET", "/assessments/{id}/in-error") => {
            Case::new(A::AssessmentRead)
        }
        // The trajectory is the episode's scores over time.
        ("GET", "/api/v1/patients/{id}/trajectory") => Case::new(A::EpisodeRead)
            .path(format!("/api/v1/patients/{pid}/trajectory?instrument=phq9")),
        ("GET", "/patients/{id}/screening") => Case::new(A::PatientRead),
        // A PHQ-9 without item 9: one effect, the assessment.
        ("POST", "/api/v1/patients/{id}/assessments") => Case::new(A::AssessmentCreate).json(
            json!({"instrument": "phq9", "administered_on": "2026-11-27", "mode": "clinic",
                   "answers": [1, 1, 0, 0, 0, 0, 0, 0, 0]}),
        ),
        ("POST", "/patients/{id}/screening") => Case::new(A::AssessmentCreate).form(PHQ9_NEGATIVE),
        ("POST", "/api/v1/assessments/{id}/entered-in-error") => {
            Case::new(A::AssessmentEnteredInError)
                .json(json!({"reason": "Entered for the wrong patient"}))
        }
        ("POST", "/assessments/{id}/in-error") => {
            Case::new(A::AssessmentEnteredInError).form("reason=Entered+for+the+wrong+patient")
        }
        ("GET", "/api/v1/patients/{id}/alerts") | ("GET", "/alerts/{id}/close") => {
            Case::new(A::SafetyAlertRead)
        }
        ("GET", "/api/v1/alerts") => Case::new(A::SafetyAlertRead).subject(Subject::Nobody),
        // Closing the alert completes the care team's task it raised, in the same transaction.
        ("POST", "/api/v1/alerts/{id}/closure") => Case::new(A::SafetyAlertClose)
            .then(A::TaskComplete, Subject::Own)
            .json(json!({"action": "safety_plan_made", "note": "Plan made with the patient"}))
            .if_match(fx.alert_version().await),
        ("POST", "/alerts/{id}/close") => Case::new(A::SafetyAlertClose)
            .then(A::TaskComplete, Subject::Own)
            .form(format!(
            "version={}&action=safety_plan_made&note=Plan+made+with+the+patient",
            fx.alert_version().await
        )),
        ("GET", "/api/v1/tasks") => Case::new(A::TaskRead).subject(Subject::Nobody),
        // The registry and the psychiatric case review.
        ("GET", "/api/v1/caseload") | ("GET", "/caseload") => {
            Case::new(A::CaseloadRead).subject(Subject::Nobody)
        }
        ("GET", "/api/v1/review-list") | ("GET", "/review-list") => {
            Case::new(A::ReviewListRead).subject(Subject::Nobody)
        }
        // The review walks the list one patient at a time: the list, and the patient on screen
        // (the first of the list, which depends on the cases before).
        ("GET", "/review") => Case::new(A::ReviewListRead)
            .subject(Subject::Nobody)
            .then(A::AssessmentRead, Subject::Any),
        ("POST", "/api/v1/case-reviews") => Case::new(A::CaseReviewCreate).json(json!({
            "review_on": "2026-11-27",
            "items": [{"episode": eid, "notes": "Discussed", "recommendations": ["Add therapy"]}]})),
        ("POST", "/review") => Case::new(A::CaseReviewCreate).form(format!(
            "n=0&review_on=2026-11-27&episode={eid}&notes=Discussed&rec_1=Add+therapy"
        )),
        ("GET", "/api/v1/episodes/{id}/recommendations") => Case::new(A::RecommendationRead),
        ("GET", "/api/v1/recommendations") => {
            Case::new(A::RecommendationRead).subject(Subject::Nobody)
        }
        ("POST", "/api/v1/recommendations/{id}/decision") => Case::new(A::RecommendationDecide)
            .json(json!({"decision": "accept"}))
            .if_match(fx.recommendation_version().await),
        ("POST", "/recommendations/{id}/decide") => Case::new(A::RecommendationDecide).form(
            format!(
                "version={}&decision=accept&reason=",
                fx.recommendation_version().await
            ),
        ),
        ("POST", "/api/v1/recommendations/{id}/completion") => {
            fx.accept_recommendation().await;
            Case::new(A::RecommendationDecide).if_match(fx.recommendation_version().await)
        }
        ("POST", "/recommendations/{id}/done") => {
            fx.accept_recommendation().await;
            Case::new(A::RecommendationDecide)
                .form(format!("version={}", fx.recommendation_version().await))
        }
        // Billing.
        ("GET", "/api/v1/billing/months/{month}") => Case::new(A::BillingMonthRead)
            .path("/api/v1/billing/months/2026-11")
            .subject(Subject::Nobody),
        ("GET", "/billing") => Case::new(A::BillingMonthRead)
            .path("/billing?month=2026-11")
            .subject(Subject::Nobody),
        ("POST", "/api/v1/billing/months/{month}/lock") => Case::new(A::BillingMonthLock)
            .path("/api/v1/billing/months/2026-10/lock")
            .json(json!({"review_hash": fx.review_hash("2026-10").await}))
            .subject(Subject::Nobody),
        ("POST", "/billing/{month}/lock") => Case::new(A::BillingMonthLock)
            .path("/billing/2026-09/lock")
            .form(format!("review_hash={}", fx.review_hash("2026-09").await))
            .subject(Subject::Nobody),
        ("POST", "/api/v1/billing/months/{month}/adjustments") => {
            fx.lock("2026-08").await;
            Case::new(A::BillingAdjust)
                .path("/api/v1/billing/months/2026-08/adjustments")
                .json(json!({"patient": pid, "reason": "Visit found in the paper chart",
                             "lines": [{"code": "99493", "units": 1}],
                             "diagnosis_codes": ["F32.1"]}))
        }
        ("POST", "/billing/{month}/adjustments") => {
            fx.lock("2026-07").await;
            Case::new(A::BillingAdjust)
                .path("/billing/2026-07/adjustments")
                .form(format!(
                    "patient={pid}&reason=Visit+found+in+the+paper+chart&lines=99493\
                     &diagnosis_codes=F32.1&date_of_service="
                ))
        }
        ("GET", "/api/v1/billing/months/{month}/export/{format}") => {
            fx.lock("2026-06").await;
            Case::new(A::BillingExport)
                .path("/api/v1/billing/months/2026-06/export/csv")
                .subject(Subject::Nobody)
        }
        ("GET", "/api/v1/billing/months/{month}/revenue") => Case::new(A::BillingRevenueRead)
            .path("/api/v1/billing/months/2026-11/revenue")
            .subject(Subject::Nobody),
        ("GET", "/api/v1/billing/settings") => {
            Case::new(A::BillingSettingsRead).subject(Subject::Nobody)
        }
        ("GET", "/api/v1/finance")
        | ("GET", "/api/v1/finance/what-if")
        | ("GET", "/api/v1/finance/export.csv") => Case::new(A::BillingRevenueRead)
            .path(format!("{path}?from=2026-10&to=2026-11"))
            .subject(Subject::Nobody),
        ("GET", "/finance") => Case::new(A::BillingRevenueRead).subject(Subject::Nobody),
        ("GET", "/api/v1/finance/settings") => {
            Case::nothing("costs and payer rates, no patient")
        }
        // Billing facts.
        ("POST", "/api/v1/patients/{id}/initiating-visits") => Case::new(A::InitiatingVisitCreate)
            .json(json!({"practitioner": tp, "visit_on": "2026-11-02", "kind": "awv"})),
        ("POST", "/patients/{id}/billing-facts/visit") => Case::new(A::InitiatingVisitCreate)
            .form(format!(
                "visit_on=2026-11-02&kind=awv&practitioner={tp}"
            )),
        ("PUT", "/api/v1/episodes/{id}/diagnoses") => {
            Case::new(A::EpisodeDiagnoses).json(json!({"diagnosis_codes": ["F32.1"]}))
        }
        ("POST", "/episodes/{id}/billing-facts/diagnoses") => {
            Case::new(A::EpisodeDiagnoses).form("diagnosis_codes=F32.1")
        }
        ("GET", "/api/v1/patients/{id}/billing-facts") | ("GET", "/patients/{id}/billing-facts") => {
            Case::new(A::BillingFactsRead)
        }
        ("POST", "/api/v1/patients/{id}/apcm-months") => Case::new(A::ApcmMonthCreate)
            .by(&app.billing)
            .json(json!({"practitioner": tp, "month": "2026-11"})),
        ("POST", "/patients/{id}/billing-facts/apcm") => Case::new(A::ApcmMonthCreate)
            .by(&app.billing)
            .form(format!("month=2026-11&practitioner={tp}")),
        ("POST", "/api/v1/patients/{id}/apcm-months/remove") => Case::new(A::ApcmMonthRemove)
            .by(&app.billing)
            .json(json!({"id": fx.apcm_month().await, "reason": "Billed in error"})),
        ("POST", "/patients/{id}/billing-facts/apcm-remove") => Case::new(A::ApcmMonthRemove)
            .by(&app.billing)
            .form(format!(
                "id={}&reason=Billed+in+error",
                fx.apcm_month().await
            )),
        // Referrals.
        ("GET", "/api/v1/referrals") | ("GET", "/referrals") => {
            Case::new(A::ReferralRead).subject(Subject::Nobody)
        }
        ("GET", "/api/v1/patients/{id}/referrals")
        | ("GET", "/api/v1/referrals/{id}")
        | ("GET", "/referrals/{id}")
        | ("GET", "/referrals/{id}/letter") => Case::new(A::ReferralRead),
        ("POST", "/api/v1/patients/{id}/referrals") => Case::new(A::ReferralCreate).json(json!({
            "target": {"kind": "specialty_behavioral_health", "description": "Psychotherapy"},
            "reason": "Ongoing low mood"})),
        ("POST", "/patients/{id}/referrals") => Case::new(A::ReferralCreate)
            .form("target=specialty&description=Psychotherapy&reason=Ongoing+low+mood"),
        ("POST", "/api/v1/referrals/{id}/updates") => Case::new(A::ReferralUpdate)
            .json(json!({"action": "send"}))
            .if_match(fx.referral_version().await),
        ("POST", "/referrals/{id}/update") => Case::new(A::ReferralUpdate).form(format!(
            "version={}&action=send",
            fx.referral_version().await
        )),
        ("POST", "/api/v1/referrals/{id}/consent") => Case::new(A::ReferralConsent)
            .json(json!({"consented_on": "2026-11-27"}))
            .if_match(fx.referral_version().await),
        ("POST", "/referrals/{id}/consent") => Case::new(A::ReferralConsent).form(format!(
            "version={}&consented_on=2026-11-27",
            fx.referral_version().await
        )),
        // Metrics and baselines.
        ("GET", "/api/v1/metrics") | ("GET", "/api/v1/metrics/export.csv") => {
            Case::new(A::MetricsRead)
                .path(format!("{path}?from=2026-01-01&to=2026-11-30"))
                .subject(Subject::Nobody)
        }
        ("GET", "/metrics") => Case::new(A::MetricsRead).subject(Subject::Nobody),
        ("GET", "/api/v1/baselines") => {
            Case::nothing("baselines are stored practice totals, computed when taken")
        }
        ("GET", "/api/v1/metrics/measures") => Case::nothing("the list of metrics chosen"),
        ("POST", "/api/v1/baselines/registry") => Case::new(A::BaselineCreate)
            .json(json!({"from": "2026-01-01", "to": "2026-06-30"}))
            .subject(Subject::Nobody),
        ("POST", "/metrics/baselines/registry") => Case::new(A::BaselineCreate)
            .form("baseline_from=2026-01-01&baseline_to=2026-06-30")
            .subject(Subject::Nobody),
        ("POST", "/api/v1/baselines/manual") => Case::new(A::BaselineCreate)
            .json(json!({"taken_on": "2026-11-01", "period_from": "2026-01-01",
                         "period_to": "2026-06-30",
                         "values": [{"code": "depression_screening", "numerator": 30,
                                     "denominator": 40}]}))
            .subject(Subject::Nobody),
        ("POST", "/metrics/baselines/manual") => Case::new(A::BaselineCreate)
            .form(
                "taken_on=2026-11-01&period_from=2026-01-01&period_to=2026-06-30\
                 &method=EHR+report&num_depression_screening=30&den_depression_screening=40",
            )
            .subject(Subject::Nobody),
        ("PUT", "/api/v1/metrics/measures") => Case::new(A::MeasuresSave)
            .json(json!({"chosen": ["remission"]}))
            .if_match(fx.measures_version().await)
            .subject(Subject::Nobody),
        ("POST", "/metrics/measures") => Case::new(A::MeasuresSave)
            .form(format!(
                "version={}&measure=remission",
                fx.measures_version().await
            ))
            .subject(Subject::Nobody),
        // The audit report.
        ("GET", "/admin/audit") => Case::new(A::AuditReportRead).subject(Subject::Nobody),
        // Who looked at a patient is about the patient: the event names them.
        ("POST", "/admin/audit") => Case::new(A::AuditReportRead).form(format!("patient={pid}")),
        ("POST", "/admin/audit/export") => Case::new(A::AuditReportExport)
            .form(format!("patient={pid}"))
            .fresh(),
        _ => return None,
    })
}

/// The users tried first for an allowed request: the care team, then the others.
fn preference(app: &App) -> Vec<(&User, Role)> {
    let mut v = users(app);
    let rank = |r: Role| match r {
        Role::CareManager => 0,
        Role::TreatingPractitioner => 1,
        Role::Psychiatrist => 2,
        Role::MaNurse => 3,
        Role::FrontDesk => 4,
        Role::Billing => 5,
        Role::PracticeAdmin => 6,
    };
    v.sort_by_key(|(_, r)| rank(*r));
    v
}

/// What the users are to the fixture patient: doctor A and care manager A, in CoCM.
fn relation(app: &App, user: &User) -> Relation {
    Relation {
        assigned_practitioner: user.id == app.practitioner.id,
        assigned_care_manager: user.id == app.care_manager.id,
        in_cocm: true,
        break_glass: false,
    }
}

fn may(app: &App, user: &User, role: Role, op: Operation, per_patient: bool) -> bool {
    allowed(role, op, per_patient.then(|| relation(app, user)))
}

/// The audit events of request `rid` appended since `cursor`, which moves on past every event
/// appended since (those of the preparation included).
async fn appended(app: &App, cursor: &mut i64, rid: &str) -> Vec<AuditEvent> {
    let events = app
        .store
        .audit_events(app.practice, *cursor, 100_000)
        .await
        .unwrap();
    if let Some(last) = events.last() {
        *cursor = last.seq;
    }
    events
        .into_iter()
        .map(|e| e.event)
        .filter(|e| e.request_id == rid)
        .collect()
}

async fn ask(app: &App, user: &User, method: &str, path: &str, c: &Case<'_>, rid: &str) -> Reply {
    let mut call = app.call(method, path).header("x-request-id", rid);
    call = if c.fresh {
        call.header("cookie", &app.session(&user.email).await)
    } else {
        call.token(user)
    };
    if let Some(v) = &c.if_match {
        call = call.header("if-match", v);
    }
    call = match &c.send {
        Send::None => call,
        Send::Json(v) => call.json(v.clone()),
        Send::Form(f) => call.form(f),
    };
    app.send(call).await
}

fn describe(events: &[AuditEvent]) -> String {
    events
        .iter()
        .map(|e| {
            format!(
                "{} ({}, user {:?}, role {:?}, patient {:?})",
                e.action, e.outcome, e.user, e.role, e.patient
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

async fn every_phi_route_audits_one_request(app: &App) {
    let mut cursor = 0;
    let mut failures = Vec::new();
    let mut covered = 0;
    let mut quiet = Vec::new();
    let mut phi = 0;
    let routes = table();
    for (n, route) in routes.iter().enumerate() {
        if !route.access.touches_phi() {
            continue;
        }
        phi += 1;
        let (op, per_patient) = match route.access {
            Access::Patient(op) => (op, true),
            Access::Practice(op) => (op, false),
            _ => unreachable!(),
        };
        let listed = NOT_YET_COVERED
            .iter()
            .any(|(m, p, _)| *m == route.method && *p == route.path);
        // A fresh patient for each route: no route sees what another changed.
        let recs = records(
            &app.store,
            app.practice,
            &format!("AC-{n}"),
            app.practitioner.id,
            app.care_manager.id,
            Program::Cocm,
            Some(app.psychiatrist.id),
        )
        .await;
        let fx = Fx {
            app,
            mrn: format!("AC-{n}"),
            recs,
        };
        let name = format!("{} {}", route.method, route.path);
        let Some(c) = case(&fx, route.method, route.path, n).await else {
            if !listed {
                failures.push(format!(
                    "{name}: no case (add one to audit_completeness.rs)"
                ));
            }
            continue;
        };
        if listed {
            failures.push(format!(
                "{name}: has a case and is listed in NOT_YET_COVERED"
            ));
        }
        covered += 1;
        if let Some(why) = c.quiet {
            quiet.push(format!("{name}: {why}"));
        }
        let path = c.path.clone().unwrap_or_else(|| match kind(route.path) {
            Some(k) => route.path.replace("{id}", fx.id(k)),
            None => route.path.to_owned(),
        });
        let patient: Option<PatientId> = Some(fx.recs.patient);

        // Allowed.
        let (user, role) = match c.by {
            Some(u) => preference(app)
                .into_iter()
                .find(|(x, _)| x.id == u.id)
                .unwrap(),
            None => preference(app)
                .into_iter()
                .find(|(u, r)| may(app, u, *r, op, per_patient))
                .unwrap_or_else(|| panic!("{name}: nobody may")),
        };
        assert!(
            may(app, user, role, op, per_patient),
            "{name}: {} is not allowed it",
            user.email
        );
        let rid = format!("audit-completeness-{n}-allowed");
        appended(app, &mut cursor, &rid).await;
        let reply = ask(app, user, route.method, &path, &c, &rid).await;
        let events = appended(app, &mut cursor, &rid).await;
        let ok = matches!(reply.status.as_u16(), 200 | 201 | 204 | 303);
        if !ok {
            failures.push(format!(
                "{name} as {}: status {}: {}",
                user.email,
                reply.status,
                reply.text().chars().take(300).collect::<String>()
            ));
        }
        let subject_ok = |e: &AuditEvent, s: Subject| match s {
            Subject::Own => e.patient == patient,
            Subject::Nobody => e.patient.is_none(),
            Subject::New => e.patient.is_some() && e.patient != patient,
            Subject::Any => e.patient.is_some(),
        };
        let fits = events.len() == c.expect.len()
            && events.iter().zip(&c.expect).all(|(e, (a, s))| {
                e.action == *a
                    && subject_ok(e, *s)
                    && e.user == Some(user.id)
                    && e.role == Some(role)
                    && e.outcome == AuditOutcome::Success
            });
        if !fits {
            failures.push(format!(
                "{name} as {}: expected {:?}, got [{}]",
                user.email,
                c.expect,
                describe(&events)
            ));
        }
        // A GET reads; a POST or PUT changes something, unless it is a search or a report
        // asked by POST (to keep what it searches for out of the URL).
        let reads_only = route.method == "GET" || READ_BY_POST.contains(&route.path);
        if !c.expect.is_empty() && reads_only != c.expect.iter().all(|(a, _)| a.is_read()) {
            failures.push(format!(
                "{name}: {:?} does not fit a {}",
                c.expect, route.method
            ));
        }

        // Refused: a user whose role (or relationship) does not allow it.
        let (refused, _) = users(app)
            .into_iter()
            .find(|(u, r)| !may(app, u, *r, op, per_patient))
            .unwrap_or_else(|| panic!("{name}: everyone may"));
        let rid = format!("audit-completeness-{n}-refused");
        let denied = Case { fresh: false, ..c };
        let reply = ask(app, refused, route.method, &path, &denied, &rid).await;
        let events = appended(app, &mut cursor, &rid).await;
        let expected_patient = if per_patient { patient } else { None };
        let one_denial = matches!(events.as_slice(), [e] if e.action == A::AccessDenied
            && e.outcome == AuditOutcome::Denied
            && e.user == Some(refused.id)
            && e.patient == expected_patient);
        if reply.status != 404 || !one_denial {
            failures.push(format!(
                "{name} refused to {}: status {}, events [{}]",
                refused.email,
                reply.status,
                describe(&events)
            ));
        }
    }
    for (m, p, why) in NOT_YET_COVERED {
        assert!(
            routes
                .iter()
                .any(|r| r.method == *m && r.path == *p && r.access.touches_phi()),
            "{m} {p} is listed as not yet covered but is no PHI route"
        );
        eprintln!("not yet covered: {m} {p}: {why}");
    }
    for q in &quiet {
        eprintln!("no event (no patient data shown): {q}");
    }
    eprintln!("audit completeness: {covered} of {phi} PHI routes covered");
    assert!(
        failures.is_empty(),
        "{} problems:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(covered > 100, "{covered}");
    // The chain of all these events verifies.
    assert!(
        app.store
            .verify_audit_chain(app.practice)
            .await
            .unwrap()
            .is_intact()
    );
}

#[tokio::test]
async fn on_sqlite() {
    let app = app().await;
    every_phi_route_audits_one_request(&app).await;
    app.finish().await;
}

#[tokio::test]
async fn on_postgres() {
    let Some(app) = app_postgres().await else {
        return;
    };
    every_phi_route_audits_one_request(&app).await;
    app.finish().await;
}
