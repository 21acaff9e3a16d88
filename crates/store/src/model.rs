//! What the store returns: records with their ids, versions and provenance.

use serde::{Deserialize, Serialize};
use stepwise_domain::assessment::AdministrationMode;
use stepwise_domain::billing::PractitionerKind;
use stepwise_domain::care_plan::CarePlan;
use stepwise_domain::contact::ContactDetails;
use stepwise_domain::episode::{Consent, DischargeReason, EpisodeStatus, Program};
use stepwise_domain::ids::*;
use stepwise_domain::instruments::{InstrumentId, Score, ScoringSettings};
pub use stepwise_domain::patient::Assignments;
use stepwise_domain::patient::PatientDetails;
use stepwise_domain::record::RecordStatus;
use stepwise_domain::registry::{CaseloadRow, ManualFlags, RegistrySettings, ReviewReason};
use stepwise_domain::role::Role;
use stepwise_domain::safety::{AlertKind, AlertStatus, ClosureAction};
use stepwise_domain::sensitivity::{Part2Consent, RecordLabel};
use stepwise_domain::task::{TaskKind, TaskSource, TaskStatus};
use time::{Date, OffsetDateTime};

/// Who acts, for whom, and when: every store operation takes one and audits with it.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub practice: PracticeId,
    /// `None` for the system (a scheduled job or the installer).
    pub user: Option<UserId>,
    /// The role the user acts in for this request.
    pub role: Option<Role>,
    pub request_id: String,
    /// The client address, or `cli`.
    pub source: String,
    pub now: OffsetDateTime,
    /// The practice's civil date at `now`.
    pub today: Date,
}

/// Settings a practice administrator can change, stored as one JSON document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct PracticeSettings {
    pub registry: RegistrySettings,
    /// Cut-offs the instrument reference marks configurable (C-SSRS alert level, AUDIT-C,
    /// EPDS, …), each defaulting to the documented one (docs/instruments.md).
    pub scoring: ScoringSettings,
    /// When a quiet referral becomes a follow-up task (docs/metrics.md, "Follow-up due").
    pub referrals: stepwise_domain::referral::FollowUpSettings,
    /// Care managers' working time in the program, for caseload per FTE (M12); a care
    /// manager not listed counts as full time.
    pub care_manager_fte: Vec<stepwise_domain::metrics::CareManagerFte>,
    pub security: SecuritySettings,
}

/// Authentication settings a practice may change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct SecuritySettings {
    /// How long a break-glass grant lasts, in minutes (1 to 480; default 60).
    pub break_glass_minutes: u32,
}

impl Default for SecuritySettings {
    fn default() -> Self {
        Self {
            break_glass_minutes: stepwise_domain::auth::BREAK_GLASS_DEFAULT_MINUTES,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Practice {
    pub id: PracticeId,
    pub name: String,
    /// IANA time zone, e.g. `America/New_York`: "today" for the practice.
    pub time_zone: String,
    pub settings: PracticeSettings,
    /// The demo practice: users without a second factor sign in with their password alone.
    /// Set only by the demo seeding.
    pub mfa_relaxed_demo: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Site {
    pub id: SiteId,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct User {
    pub id: UserId,
    pub practice: PracticeId,
    pub email: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    pub disabled: bool,
    /// The administrator allows this user break-glass access.
    pub break_glass_allowed: bool,
    pub npi: Option<String>,
    /// How a treating practitioner bills: a physician or NPP (CoCM, 99484), or a behavioral
    /// health clinician (general BHI as G0323).
    pub billing_kind: PractitionerKind,
    pub version: i64,
}

impl User {
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

/// A new user account.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: String,
    pub display_name: String,
    /// An Argon2id PHC string, or `None` for an account that can only use API tokens.
    pub password_hash: Option<String>,
    pub roles: Vec<Role>,
    pub npi: Option<String>,
}

/// How far a session's sign-in has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SessionStage {
    /// The password was accepted; the second factor is awaited.
    SecondFactor,
    /// The password was accepted; the user has no second factor yet and must enroll one.
    Enroll,
    /// Signed in.
    Full,
}

impl SessionStage {
    pub fn code(self) -> &'static str {
        match self {
            SessionStage::SecondFactor => "second_factor",
            SessionStage::Enroll => "enroll",
            SessionStage::Full => "full",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::SecondFactor, Self::Enroll, Self::Full]
            .into_iter()
            .find(|x| x.code() == s)
    }
}

/// How a request was authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Credential {
    Session {
        stage: SessionStage,
        /// When the password and second factor were last entered.
        #[serde(with = "time::serde::rfc3339")]
        authenticated_at: OffsetDateTime,
    },
    Token(TokenId),
}

/// An account as a sign-in sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInAccount {
    pub user: User,
    /// `None` for an account that can only use API tokens.
    pub password_hash: Option<String>,
    pub failures: stepwise_domain::auth::throttle::Failures,
    /// A confirmed second factor.
    pub has_mfa: bool,
    /// The account's practice is the demo practice (domain of [`Practice::mfa_relaxed_demo`]).
    pub mfa_relaxed: bool,
}

/// A user's TOTP secret (base32) and its state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotpState {
    pub secret: String,
    pub confirmed: bool,
    pub last_step: Option<i64>,
}

/// Emergency access to one patient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BreakGlassGrant {
    pub id: BreakGlassId,
    pub user: UserId,
    pub patient: PatientId,
    pub reason: String,
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
}

/// The signed-in user of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user: User,
    pub credential: Credential,
    /// The user's practice's registry generation, read with the credential: what a
    /// caseload read later in the same request is checked against.
    pub registry_generation: RegistryGeneration,
}

/// A practice's registry generation as read from the database (only the store makes one),
/// bumped by every change a caseload shows. See [`crate::Store::caseload_json`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegistryGeneration {
    pub(crate) practice: PracticeId,
    pub(crate) value: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiToken {
    pub id: TokenId,
    pub user: UserId,
    pub label: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub revoked_at: Option<OffsetDateTime>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Patient {
    pub id: PatientId,
    #[serde(flatten)]
    pub details: PatientDetails,
    #[serde(flatten)]
    pub assignments: Assignments,
    pub version: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// A patient as listed in search results and the caseload: identity only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PatientSummary {
    pub id: PatientId,
    pub mrn: String,
    pub given_name: String,
    pub family_name: String,
    pub birth_date: Date,
}

/// How a user relates to a patient; decides what they may see and do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Relationship {
    pub treating_practitioner: bool,
    pub care_manager: bool,
    /// The patient has a Collaborative Care episode (the psychiatric consultant reviews them).
    pub in_cocm: bool,
}

impl Relationship {
    /// The relationship as the access rules see it (no break-glass: that is a grant, checked
    /// apart).
    pub fn relation(self) -> stepwise_domain::access::Relation {
        stepwise_domain::access::Relation {
            assigned_practitioner: self.treating_practitioner,
            assigned_care_manager: self.care_manager,
            in_cocm: self.in_cocm,
            break_glass: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Episode {
    pub id: EpisodeId,
    pub patient: PatientId,
    pub program: Program,
    pub status: EpisodeStatus,
    pub referred_on: Date,
    pub referring_practitioner: Option<UserId>,
    pub enrolled_on: Option<Date>,
    pub closed_on: Option<Date>,
    pub discharge_reason: Option<DischargeReason>,
    pub relapse_prevention_plan: Option<String>,
    pub manual_flags: ManualFlags,
    pub version: i64,
}

/// A status change on an episode's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EpisodeEvent {
    pub occurred_on: Date,
    #[serde(with = "time::serde::rfc3339")]
    pub recorded_at: OffsetDateTime,
    pub from_status: Option<EpisodeStatus>,
    pub to_status: EpisodeStatus,
    pub user: Option<UserId>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsentRecord {
    pub id: ConsentId,
    pub episode: EpisodeId,
    #[serde(flatten)]
    pub consent: Consent,
    pub revoked_by: Option<UserId>,
    pub revocation_note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CarePlanRecord {
    pub episode: EpisodeId,
    #[serde(flatten)]
    pub plan: CarePlan,
    pub version: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// An episode with everything on its page.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EpisodeDetail {
    pub episode: Episode,
    pub events: Vec<EpisodeEvent>,
    pub consents: Vec<ConsentRecord>,
    pub care_plan: CarePlanRecord,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Contact {
    pub id: ContactId,
    pub episode: EpisodeId,
    pub patient: PatientId,
    pub staff: UserId,
    #[serde(flatten)]
    pub details: ContactDetails,
    pub counts_toward_care_management: bool,
    pub status: RecordStatus,
    pub error_reason: Option<String>,
    pub replaces: Option<ContactId>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// The 42 CFR 2.32 notice, carried by every Part 2 record wherever it goes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redisclosure_notice: Option<String>,
}

/// The 42 CFR 2.32 notice a record labelled `label` carries: set on every Part 2 record the
/// store returns, so that no page, API answer or export can leave it behind.
pub fn redisclosure_notice(label: RecordLabel) -> Option<String> {
    label
        .is_part2()
        .then(|| stepwise_domain::sensitivity::REDISCLOSURE_NOTICE.to_owned())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Assessment {
    pub id: AssessmentId,
    pub patient: PatientId,
    pub episode: Option<EpisodeId>,
    pub instrument: InstrumentId,
    pub administered_on: Date,
    pub administered_by: UserId,
    pub mode: AdministrationMode,
    pub answers: Vec<Option<u8>>,
    pub score: Score,
    pub status: RecordStatus,
    pub error_reason: Option<String>,
    pub replaces: Option<AssessmentId>,
    /// The safety alert this response raised, if any.
    pub safety_alert: Option<SafetyAlertId>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// `general` or `sud_part2`.
    pub label: RecordLabel,
    /// The 42 CFR 2.32 notice, carried by every Part 2 record wherever it goes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redisclosure_notice: Option<String>,
}

/// A patient's Part 2 consent as kept: in force from `given_on` to `expires_on` unless revoked,
/// and a revocation counts from the moment it was recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Part2ConsentRecord {
    pub id: Part2ConsentId,
    pub patient: PatientId,
    #[serde(flatten)]
    pub consent: Part2Consent,
    pub recorded_by: UserId,
    #[serde(with = "time::serde::rfc3339")]
    pub recorded_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub revoked_at: Option<OffsetDateTime>,
    pub revoked_by: Option<UserId>,
    pub revocation_note: Option<String>,
    /// In force at the time of reading.
    pub in_force: bool,
}

/// A safety alert: raised with the response whose safety items called for it, open until a
/// clinician closes it with the action taken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SafetyAlert {
    pub id: SafetyAlertId,
    pub patient: PatientId,
    pub episode: Option<EpisodeId>,
    pub assessment: AssessmentId,
    pub instrument: InstrumentId,
    pub kind: AlertKind,
    /// Item numbers (answer-list positions from 1) that alerted, or were left unanswered.
    pub items: Vec<u8>,
    /// The items as printed on the form, e.g. "PHQ-9 item 9".
    pub items_label: String,
    /// The practice's date when the alert was raised.
    pub raised_on: Date,
    #[serde(with = "time::serde::rfc3339")]
    pub raised_at: OffsetDateTime,
    pub raised_by: UserId,
    pub status: AlertStatus,
    #[serde(with = "time::serde::rfc3339::option")]
    pub closed_at: Option<OffsetDateTime>,
    pub closed_by: Option<UserId>,
    pub closure_action: Option<ClosureAction>,
    pub closure_note: Option<String>,
    pub version: i64,
}

/// An alert with the patient it is about, as listed for a clinician.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SafetyAlertEntry {
    pub patient: PatientSummary,
    pub alert: SafetyAlert,
}

/// Work for a clinician, made by a record (its source).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Task {
    pub id: TaskId,
    pub patient: PatientId,
    pub kind: TaskKind,
    pub summary: String,
    pub due_on: Date,
    pub status: TaskStatus,
    pub assignee: UserId,
    pub source_kind: TaskSource,
    /// The id of the source record (for a safety alert, its id).
    pub source_id: uuid::Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub completed_at: Option<OffsetDateTime>,
    pub completed_by: Option<UserId>,
}

/// A task with the patient it is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaskEntry {
    pub patient: PatientSummary,
    pub task: Task,
}

/// A practice's licensed wording of one instrument, as loaded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InstrumentWording {
    pub instrument: InstrumentId,
    pub licence_holder: String,
    pub permission: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub loaded_at: OffsetDateTime,
    pub loaded_by: Option<UserId>,
    /// 1 for the first wording loaded; each replacement adds one (the previous is kept).
    pub version: i64,
}

/// A recommendation from a case review, with its decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Recommendation {
    pub id: RecommendationId,
    pub case_review: CaseReviewId,
    pub review_on: Date,
    pub episode: EpisodeId,
    pub patient: PatientId,
    pub text: String,
    pub status: stepwise_domain::case_review::RecommendationStatus,
    pub decided_by: Option<UserId>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub decided_at: Option<OffsetDateTime>,
    pub decline_reason: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub done_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub version: i64,
}

/// One patient discussed at a case review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseReviewItem {
    pub episode: EpisodeId,
    pub patient: PatientId,
    pub notes: Option<String>,
    pub recommendations: Vec<Recommendation>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseReview {
    pub id: CaseReviewId,
    pub review_on: Date,
    pub consultant: UserId,
    pub notes: Option<String>,
    pub items: Vec<CaseReviewItem>,
}

/// A patient discussed at a new case review, with the recommendations made.
#[derive(Debug, Clone)]
pub struct NewCaseReviewItem {
    pub episode: EpisodeId,
    pub notes: Option<String>,
    pub recommendations: Vec<String>,
}

/// A caseload row: the patient, the episode and the registry's columns and flags.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseloadEntry {
    pub patient: PatientSummary,
    pub episode: EpisodeId,
    #[serde(flatten)]
    pub row: CaseloadRow,
}

/// A patient on the psychiatrist's case-review list, with why.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewListEntry {
    pub patient: PatientSummary,
    pub episode: EpisodeId,
    pub care_manager: Option<UserId>,
    pub reasons: Vec<ReviewReason>,
    #[serde(flatten)]
    pub row: CaseloadRow,
}

/// The practice's billing settings with their version (0: the defaults, never changed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BillingSettingsRecord {
    pub settings: stepwise_domain::billing::BillingSettings,
    pub version: i64,
    #[serde(with = "time::serde::rfc3339::option")]
    pub updated_at: Option<OffsetDateTime>,
}

/// One line of a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClaimLineView {
    pub code: stepwise_domain::billing::BillingCode,
    pub units: u32,
}

/// A hold on a month: why nothing is billed yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HoldView {
    /// `no_consent` or `no_initiating_visit`.
    pub code: String,
    pub explanation: String,
}

/// One patient's month for the biller: identity, billing practitioner, the engine's result
/// and its explanation, the diagnosis codes. No notes, answers or scores.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PatientMonth {
    pub patient: PatientId,
    pub mrn: String,
    /// "Family, Given".
    pub name: String,
    pub billing_practitioner: Option<UserId>,
    pub billing_practitioner_name: Option<String>,
    pub npi: Option<String>,
    pub program: Program,
    /// `initial` or `subsequent` for a CoCM month.
    pub month_type: Option<String>,
    pub countable_minutes: u32,
    pub lines: Vec<ClaimLineView>,
    pub holds: Vec<HoldView>,
    pub date_of_service: Option<Date>,
    pub diagnosis_codes: Vec<String>,
    pub explanation: String,
    /// From the fee table, before coinsurance and deductible.
    pub expected_cents: u64,
    /// Lines the fee table does not price.
    pub unpriced_lines: u32,
}

/// When and by whom a month was locked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MonthLock {
    #[serde(with = "time::serde::rfc3339")]
    pub locked_at: OffsetDateTime,
    pub locked_by: Option<UserId>,
}

/// A change to one patient's claim in a locked month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BillingAdjustment {
    pub id: uuid::Uuid,
    pub patient: PatientId,
    pub mrn: String,
    pub billing_practitioner: Option<UserId>,
    pub billing_practitioner_name: Option<String>,
    pub npi: Option<String>,
    pub date_of_service: Date,
    /// The lines that now stand for the patient's month (empty: nothing billed).
    pub lines: Vec<ClaimLineView>,
    pub diagnosis_codes: Vec<String>,
    pub reason: String,
    pub expected_cents: u64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub created_by: Option<UserId>,
}

/// Expected revenue of one billing practitioner in a month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PractitionerRevenue {
    /// `None`: patients without a treating practitioner.
    pub practitioner: Option<UserId>,
    pub name: Option<String>,
    pub npi: Option<String>,
    /// Patients with at least one line.
    pub claims: u32,
    pub lines: u32,
    pub expected_cents: u64,
}

/// A month's expected revenue from the fee table named in `fee_schedule`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MonthRevenue {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub month: stepwise_domain::calendar::YearMonth,
    pub fee_schedule: String,
    pub fee_schedule_year: u16,
    pub expected_cents: u64,
    pub practitioners: Vec<PractitionerRevenue>,
}

/// A billing month as the biller reviews it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MonthReview {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub month: stepwise_domain::calendar::YearMonth,
    /// `None` while the month is open.
    pub lock: Option<MonthLock>,
    /// The fingerprint of this review; locking takes it, so that a lock applies to what was
    /// reviewed.
    pub review_hash: String,
    /// Open month: every patient with activity, evaluated now. Locked month: the claim
    /// snapshot (patients with lines or holds) as locked.
    pub patients: Vec<PatientMonth>,
    /// Adjustments of a locked month, oldest first; the latest of a patient stands.
    pub adjustments: Vec<BillingAdjustment>,
    pub revenue: MonthRevenue,
}

/// A directory entry as stored: the entry (its `id` set), whether it is one of the built-in
/// national lines, and the version a correction needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DirectoryEntry {
    #[serde(flatten)]
    pub resource: stepwise_domain::resources::Resource,
    pub built_in: bool,
    pub version: i64,
}

/// What a directory import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportSummary {
    pub added: u32,
    pub updated: u32,
}

/// The patient's consent to disclose a sensitive referral to its recipient (42 CFR Part 2,
/// reference bhi-planning.md §7.3), as documented by a staff member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DisclosureConsent {
    pub consented_on: Date,
    pub recorded_by: UserId,
    pub note: Option<String>,
}

/// A referral as stored: the domain referral with its whole history, its current state, the
/// name of its recipient, and the version an update needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReferralRecord {
    pub id: ReferralId,
    #[serde(flatten)]
    pub referral: stepwise_domain::referral::Referral,
    pub state: stepwise_domain::referral::ReferralState,
    /// The directory entry's name, or the specialty care described.
    pub target_name: String,
    pub disclosure_consent: Option<DisclosureConsent>,
    pub version: i64,
}

/// A referral on the practice's worklist, with its patient and, when it has gone quiet for
/// too long, the follow-up it needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReferralEntry {
    pub patient: PatientSummary,
    pub referral: ReferralRecord,
    pub follow_up: Option<stepwise_domain::referral::FollowUpDue>,
}

/// A baseline snapshot as recorded.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StoredBaseline {
    pub id: BaselineId,
    #[serde(flatten)]
    pub baseline: stepwise_domain::baseline::Baseline,
    pub created_by: Option<UserId>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// The practice's plan as last saved (`version` 0 and an empty plan before the first save).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StoredPlan {
    pub plan: stepwise_domain::planner::PracticePlan,
    /// 0 before the first save; each save adds one and keeps the previous versions.
    pub version: i64,
    #[serde(with = "time::serde::rfc3339::option")]
    pub saved_at: Option<OffsetDateTime>,
    pub saved_by: Option<UserId>,
}

/// One saved version of the plan, without its content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanVersion {
    pub version: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub saved_at: OffsetDateTime,
    pub saved_by: Option<UserId>,
}

/// A qualifying visit that can initiate BHI, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InitiatingVisitRecord {
    pub id: uuid::Uuid,
    pub practitioner: UserId,
    pub practitioner_name: String,
    pub visit_on: Date,
    pub kind: stepwise_domain::billing::close::InitiatingVisitKind,
}

/// A month in which a practitioner billed an APCM base code for the patient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApcmMonthRecord {
    pub id: uuid::Uuid,
    pub practitioner: UserId,
    pub practitioner_name: String,
    /// `YYYY-MM`
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub month: stepwise_domain::calendar::YearMonth,
}

/// An episode's program, status and diagnosis codes, as claims carry them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EpisodeDiagnoses {
    pub episode: EpisodeId,
    pub program: Program,
    pub status: EpisodeStatus,
    pub referred_on: Date,
    pub diagnosis_codes: Vec<String>,
}

/// What a patient's claims depend on beyond the care itself: the initiating visits, the
/// episodes' diagnoses, the APCM months, and how the treating practitioner bills. No clinical
/// narrative: the billing role reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BillingFacts {
    pub patient: PatientId,
    pub treating_practitioner: Option<UserId>,
    pub treating_practitioner_name: Option<String>,
    pub billing_kind: Option<stepwise_domain::billing::PractitionerKind>,
    pub initiating_visits: Vec<InitiatingVisitRecord>,
    pub episodes: Vec<EpisodeDiagnoses>,
    pub apcm_months: Vec<ApcmMonthRecord>,
}

/// The billing engine's patient-months of a range of months, with the billing settings that
/// priced them (the financial view's input).
#[derive(Debug, Clone)]
pub struct FinanceMonths {
    pub billing: stepwise_domain::billing::BillingSettings,
    pub months: Vec<stepwise_domain::finance::BilledMonth>,
}

/// The practice's financial settings as last saved (`version` 0 and the defaults before the
/// first save).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StoredFinanceSettings {
    pub settings: stepwise_domain::finance::FinanceSettings,
    /// 0 before the first save; each save adds one and keeps the previous versions.
    pub version: i64,
    #[serde(with = "time::serde::rfc3339::option")]
    pub saved_at: Option<OffsetDateTime>,
    pub saved_by: Option<UserId>,
}

/// The practice's measures of success as last saved (`version` 0, none chosen, before the
/// first save).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StoredMeasures {
    pub measures: stepwise_domain::metrics::MeasuresOfSuccess,
    /// 0 before the first save; each save adds one and keeps the previous versions.
    pub version: i64,
    #[serde(with = "time::serde::rfc3339::option")]
    pub saved_at: Option<OffsetDateTime>,
    pub saved_by: Option<UserId>,
}
