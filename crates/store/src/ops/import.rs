//! Bulk import: many patients with their episodes and records in one transaction, for
//! migrations from another registry and for synthetic populations.
//!
//! # Atomicity
//!
//! A batch is all or nothing. It is validated in memory first (every id belongs to the
//! practice and holds the role it is used in, every date is sane, every transition is allowed
//! by the domain's state machine, every response scores), so that a bad batch is refused
//! before anything is written, with a field path per problem. It is then written in **one
//! transaction**, together with the episodes' registry facts and the batch's audit event; any
//! failure (a duplicate MRN written meanwhile, a lost connection) rolls the whole batch back.
//! Inside that transaction rows go in multi-row `INSERT`s of up to `MAX_ROWS` rows.
//!
//! One transaction per batch rather than several per import keeps the guarantee simple (no
//! compensating deletes, which the append-only audit trail would not allow anyway); the price
//! is that the writer is held for the whole batch (on SQLite, every other write waits). A
//! caller importing a very large population therefore sends it in batches of a few thousand
//! patients: each batch is atomic and audited on its own.
//!
//! Registry facts are computed by the same function as on the normal write path
//! (`registry::refresh_facts`), from the rows just written.

use crate::Store;
use crate::audit::{self, AuditCategory};
use crate::db::{Tx, Val, args};
use crate::error::{Result, StoreError};
use crate::model::{Assignments, Ctx};
use crate::ops::episodes::transition_note;
use crate::ops::patients::load_patient;
use crate::ops::safety::{AlertSource, raise_alert};
use crate::ops::{new_id, registry::refresh_facts, to_json};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::sync::OnceLock;
use stepwise_domain::ValidationError;
use stepwise_domain::assessment::{AdministrationMode, ScoredResponse};
use stepwise_domain::audit::AuditAction;
use stepwise_domain::care_plan::{CarePlan, FOLLOW_UP_WEEKS};
use stepwise_domain::contact::{ContactDetails, MinutesExclusion, NOTE_MAX};
use stepwise_domain::episode::{
    Consent, DischargeReason, EpisodeStatus, Program, Transition, TransitionContext, transition,
};
use stepwise_domain::ids::{AssessmentId, EpisodeId, PatientId, UserId};
use stepwise_domain::instruments::{InstrumentId, score};
use stepwise_domain::patient::{PatientDetails, PayerKind, search_key};
use stepwise_domain::registry::ManualFlags;
use stepwise_domain::role::Role;
use stepwise_domain::safety::{RaisedAlert, raised_alert};
use time::Date;
use uuid::Uuid;

/// Patients with their episodes and records, to import in one transaction.
#[derive(Debug, Clone, Default)]
pub struct ImportBatch {
    pub patients: Vec<ImportPatient>,
}

/// A new patient (the MRN must not be in use in the practice).
#[derive(Debug, Clone)]
pub struct ImportPatient {
    pub details: PatientDetails,
    pub assignments: Assignments,
    /// Responses that belong to no episode (screenings): kept on the patient alone.
    pub screenings: Vec<ImportAssessment>,
    /// Episodes, oldest referral first; at most one per program may stay open.
    pub episodes: Vec<ImportEpisode>,
}

/// An episode as its history left it: the referral, then each status change with its date.
#[derive(Debug, Clone)]
pub struct ImportEpisode {
    pub program: Program,
    pub referred_on: Date,
    pub referring_practitioner: Option<UserId>,
    pub care_plan: CarePlan,
    pub consents: Vec<Consent>,
    /// Status changes after the referral, in order and with their dates, each checked by the
    /// domain's state machine as [`Store::transition_episode`] checks it. An episode that
    /// should have lapsed is closed afterwards by [`Store::close_lapsed_episodes`].
    pub transitions: Vec<(Date, Transition)>,
    pub manual_flags: ManualFlags,
    pub contacts: Vec<ImportContact>,
    pub assessments: Vec<ImportAssessment>,
}

/// A contact of a staff member, who must hold `details.staff_role`.
#[derive(Debug, Clone)]
pub struct ImportContact {
    pub staff: UserId,
    pub details: ContactDetails,
}

/// A response as answer positions (see `stepwise_domain::instruments`); the store scores it
/// with the domain's scorer, as for a response entered by hand.
#[derive(Debug, Clone)]
pub struct ImportAssessment {
    pub instrument: InstrumentId,
    pub administered_on: Date,
    pub mode: AdministrationMode,
    pub answers: Vec<Option<u8>>,
    pub administered_by: UserId,
}

/// What a batch created: ids in the batch's order (episodes patient by patient) and counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub patients: Vec<PatientId>,
    pub episodes: Vec<EpisodeId>,
    pub consents: usize,
    pub contacts: usize,
    pub assessments: usize,
}

/// Most rows in one `INSERT`. Statements carry 32, 16, …, 1 rows, so a table has at most
/// six statement texts, built once from constants (never from input) and cached by the
/// driver like any other query. 32 rows of the widest table bind 640 values, far below
/// SQLite's 32,766 and PostgreSQL's 65,535. Measured: on SQLite, statements of 128 rows were
/// twice as slow as statements of 16 or 32 (binding cost grows with the statement); on
/// PostgreSQL 32 and 128 rows were alike.
pub(crate) const MAX_ROWS: usize = 32;

/// Problems reported at most, so that a badly wrong batch still gets a readable answer.
const MAX_PROBLEMS: usize = 50;

/// A multi-row `INSERT` of one table.
pub(crate) struct BulkInsert {
    /// `INSERT INTO t (a, b) VALUES `
    head: &'static str,
    columns: usize,
    texts: [OnceLock<String>; 6],
}

impl BulkInsert {
    pub(crate) const fn new(head: &'static str, columns: usize) -> Self {
        Self {
            head,
            columns,
            texts: [const { OnceLock::new() }; 6],
        }
    }

    /// The statement for `rows` rows, a power of two up to `MAX_ROWS`.
    fn sql(&'static self, rows: usize) -> &'static str {
        self.texts[rows.trailing_zeros() as usize].get_or_init(|| {
            let mut s = String::from(self.head);
            let mut n = 0;
            for r in 0..rows {
                s.push_str(if r == 0 { "(" } else { ", (" });
                for c in 0..self.columns {
                    n += 1;
                    let _ = write!(s, "{}${n}", if c == 0 { "" } else { ", " });
                }
                s.push(')');
            }
            s
        })
    }
}

static PATIENTS: BulkInsert = BulkInsert::new(
    "INSERT INTO patients (id, practice_id, mrn, given_name, family_name, search_key, birth_date, sex, \
     phone, email, address, preferred_language, payer_kind, payer_name, site_id, \
     treating_practitioner_id, care_manager_id, created_at, updated_at, version) VALUES ",
    20,
);
static EPISODES: BulkInsert = BulkInsert::new(
    "INSERT INTO episodes (id, practice_id, patient_id, program, status, referred_on, referring_practitioner_id, \
     enrolled_on, closed_on, discharge_reason, relapse_prevention_plan, flag_safety_risk, flag_for_discussion, \
     created_at, updated_at, version) VALUES ",
    16,
);
static CARE_PLANS: BulkInsert = BulkInsert::new(
    "INSERT INTO care_plans (episode_id, practice_id, target_instrument, target_below, follow_up_weeks, goals, \
     updated_at, updated_by, version) VALUES ",
    9,
);
static EVENTS: BulkInsert = BulkInsert::new(
    "INSERT INTO episode_events (id, practice_id, episode_id, occurred_on, recorded_at, from_status, to_status, \
     user_id, note) VALUES ",
    9,
);
static CONSENTS: BulkInsert = BulkInsert::new(
    "INSERT INTO consents (id, practice_id, patient_id, episode_id, program, consented_on, method, \
     cost_sharing_explained, consult_permission, obtained_by, revoked_on, revoked_by, revocation_note, created_at) VALUES ",
    14,
);
static CONTACTS: BulkInsert = BulkInsert::new(
    "INSERT INTO contacts (id, practice_id, patient_id, episode_id, contact_on, staff_id, staff_role, kind, modality, \
     minutes, exclusion, note, status, created_at, created_by) VALUES ",
    15,
);
static ASSESSMENTS: BulkInsert = BulkInsert::new(
    "INSERT INTO assessments (id, practice_id, patient_id, episode_id, instrument, administered_on, administered_by, \
     mode, answers, total, complete, band, positive, safety, score, status, created_at, created_by) VALUES ",
    18,
);

/// Rows waiting for their `INSERT`: written `MAX_ROWS` at a time, the rest by `Rows::finish`.
pub(crate) struct Rows {
    table: &'static BulkInsert,
    values: Vec<Val>,
    written: usize,
}

impl Rows {
    pub(crate) fn new(table: &'static BulkInsert) -> Self {
        Self {
            table,
            values: Vec::with_capacity(table.columns * MAX_ROWS),
            written: 0,
        }
    }

    pub(crate) async fn push<const N: usize>(&mut self, tx: &mut Tx, row: [Val; N]) -> Result<()> {
        debug_assert_eq!(N, self.table.columns);
        self.values.extend(row);
        if self.values.len() == self.table.columns * MAX_ROWS {
            self.flush(tx).await?;
        }
        Ok(())
    }

    /// Write what is pending, in statements of decreasing powers of two.
    async fn flush(&mut self, tx: &mut Tx) -> Result<()> {
        let columns = self.table.columns;
        let mut rest: &[Val] = &self.values;
        while !rest.is_empty() {
            let rows = (rest.len() / columns).min(MAX_ROWS);
            let n = 1usize << (usize::BITS - 1 - rows.leading_zeros());
            let (chunk, tail) = rest.split_at(n * columns);
            tx.execute(self.table.sql(n), chunk).await?;
            self.written += n;
            rest = tail;
        }
        self.values.clear();
        Ok(())
    }

    pub(crate) async fn finish(mut self, tx: &mut Tx) -> Result<usize> {
        self.flush(tx).await?;
        Ok(self.written)
    }
}

/// The practice's staff and sites, to check the batch's references against.
struct Directory {
    /// Roles of each user of the practice, and whether the account is disabled.
    users: HashMap<Uuid, (Vec<Role>, bool)>,
    sites: HashSet<Uuid>,
    mrns: HashSet<String>,
}

impl Directory {
    fn holds(&self, user: UserId, role: Role) -> bool {
        self.users
            .get(&user.as_uuid())
            .is_some_and(|(roles, _)| roles.contains(&role))
    }

    fn active(&self, user: UserId, role: Role) -> bool {
        self.users
            .get(&user.as_uuid())
            .is_some_and(|(roles, disabled)| !disabled && roles.contains(&role))
    }

    fn member(&self, user: UserId) -> bool {
        self.users.contains_key(&user.as_uuid())
    }
}

/// An episode's state after its transitions, and the timeline rows to write.
struct EpisodeState {
    status: EpisodeStatus,
    enrolled_on: Option<Date>,
    closed_on: Option<Date>,
    discharge_reason: Option<DischargeReason>,
    relapse_prevention_plan: Option<String>,
    events: Vec<(Date, Option<EpisodeStatus>, EpisodeStatus, Option<String>)>,
}

/// Collects problems with their field paths, up to `MAX_PROBLEMS`.
struct Problems(ValidationError);

impl Problems {
    fn push(&mut self, field: impl FnOnce() -> String, message: impl Into<String>) {
        if self.0.errors.len() < MAX_PROBLEMS {
            self.0.push(field(), message);
        }
    }
}

fn check_assessment(
    problems: &mut Problems,
    at: &dyn Fn() -> String,
    a: &ImportAssessment,
    dir: &Directory,
    earliest: Date,
    latest: Date,
) {
    if !dir.member(a.administered_by) {
        problems.push(
            || format!("{}.administered_by", at()),
            "No user with this id in the practice",
        );
    }
    if a.administered_on < earliest || a.administered_on > latest {
        problems.push(
            || format!("{}.administered_on", at()),
            format!("The date must be between {earliest} and {latest}"),
        );
    }
    if let Err(e) = score(a.instrument, &a.answers) {
        problems.push(|| format!("{}.{}", at(), e.field), e.message);
    }
}

/// Follow an episode's transitions through the domain's state machine.
fn check_episode(
    problems: &mut Problems,
    at: &dyn Fn() -> String,
    e: &ImportEpisode,
    dir: &Directory,
    birth_date: Date,
    today: Date,
) -> EpisodeState {
    if e.referred_on > today || e.referred_on < birth_date {
        problems.push(
            || format!("{}.referred_on", at()),
            "The referral date must be between the birth date and today",
        );
    }
    if let Some(p) = e.referring_practitioner
        && !dir.holds(p, Role::TreatingPractitioner)
    {
        problems.push(
            || format!("{}.referring_practitioner", at()),
            "No treating practitioner with this id in the practice",
        );
    }
    let plan = &e.care_plan;
    if !plan.target_instrument.is_treatment_target()
        || plan.target_below < 1
        || plan.target_below > plan.target_instrument.max_total()
        || !FOLLOW_UP_WEEKS.contains(&plan.follow_up_weeks)
        || plan
            .goals
            .as_ref()
            .is_some_and(|g| g.chars().count() > NOTE_MAX)
    {
        problems.push(
            || format!("{}.care_plan", at()),
            "The care plan needs a treatment instrument (phq9 or gad7), a target within its range and a follow-up of 1, 2, 3, 4, 6 or 8 weeks",
        );
    }
    for (k, c) in e.consents.iter().enumerate() {
        let field = |f: &str| format!("{}.consents[{k}].{f}", at());
        if c.program != e.program {
            problems.push(
                || field("program"),
                "The consent is for another program than the episode",
            );
        }
        if !dir.member(c.obtained_by) {
            problems.push(
                || field("obtained_by"),
                "No user with this id in the practice",
            );
        }
        if c.consented_on > today || c.consented_on < birth_date {
            problems.push(
                || field("consented_on"),
                "The consent date must be between the birth date and today",
            );
        }
        if let Some(r) = c.revoked_on
            && (r < c.consented_on || r > today)
        {
            problems.push(
                || field("revoked_on"),
                "The revocation must be between the consent and today",
            );
        }
    }

    let mut state = EpisodeState {
        status: EpisodeStatus::Referred,
        enrolled_on: None,
        closed_on: None,
        discharge_reason: None,
        relapse_prevention_plan: None,
        events: vec![(e.referred_on, None, EpisodeStatus::Referred, None)],
    };
    let mut last = e.referred_on;
    for (k, (on, change)) in e.transitions.iter().enumerate() {
        let field = || format!("{}.transitions[{k}]", at());
        if *on < last || *on > today {
            problems.push(
                field,
                format!("The date must be between {last} (the previous step) and today"),
            );
        }
        last = last.max(*on);
        let ctx = TransitionContext {
            consent_in_force: e
                .consents
                .iter()
                .any(|c| c.program == e.program && c.in_force_on(*on)),
            has_relapse_prevention_plan: state.relapse_prevention_plan.is_some(),
        };
        let to = match transition(state.status, change, ctx) {
            Ok(to) => to,
            Err(err) => {
                problems.push(field, err.message);
                break;
            }
        };
        match change {
            Transition::Enroll => state.enrolled_on = Some(*on),
            Transition::BeginRelapsePrevention { plan } => {
                if plan.trim().chars().count() > NOTE_MAX {
                    problems.push(field, "The plan is too long");
                }
                state.relapse_prevention_plan = Some(plan.trim().to_owned());
            }
            Transition::Discharge { reason } => {
                state.closed_on = Some(*on);
                state.discharge_reason = Some(*reason);
            }
            Transition::StartTreatment => {}
        }
        state
            .events
            .push((*on, Some(state.status), to, transition_note(change)));
        state.status = to;
    }

    let last_contact = state.closed_on.unwrap_or(today);
    for (k, c) in e.contacts.iter().enumerate() {
        let field = |f: &str| format!("{}.contacts[{k}].{f}", at());
        if !dir.holds(c.staff, c.details.staff_role) {
            problems.push(
                || field("staff_role"),
                format!(
                    "No {} with this id in the practice",
                    c.details.staff_role.label().to_lowercase()
                ),
            );
        }
        if c.details.contact_on < e.referred_on || c.details.contact_on > last_contact {
            problems.push(
                || field("contact_on"),
                format!(
                    "The contact must be dated between the referral ({}) and {last_contact}",
                    e.referred_on
                ),
            );
        }
        if c.details
            .note
            .as_ref()
            .is_some_and(|n| n.chars().count() > NOTE_MAX)
        {
            problems.push(|| field("note"), format!("at most {NOTE_MAX} characters"));
        }
    }
    for (k, a) in e.assessments.iter().enumerate() {
        let here = || format!("{}.assessments[{k}]", at());
        check_assessment(problems, &here, a, dir, e.referred_on, last_contact);
    }
    state
}

/// Validate the whole batch; the episodes' states come back in the batch's order.
fn check_batch(
    batch: &ImportBatch,
    dir: &Directory,
    today: Date,
) -> Result<Vec<Vec<EpisodeState>>> {
    let mut problems = Problems(ValidationError::new());
    let mut mrns: HashSet<&str> = HashSet::with_capacity(batch.patients.len());
    let mut states = Vec::with_capacity(batch.patients.len());
    for (i, p) in batch.patients.iter().enumerate() {
        let mrn = p.details.mrn.as_str();
        if dir.mrns.contains(mrn) || !mrns.insert(mrn) {
            return Err(StoreError::Duplicate {
                field: "mrn",
                message: format!(
                    "patients[{i}]: MRN {mrn} is already used by another patient of the practice"
                ),
            });
        }
        let d = &p.details;
        if d.given_name.trim().is_empty() || d.family_name.trim().is_empty() {
            problems.push(
                || format!("patients[{i}].name"),
                "Given and family names are required",
            );
        }
        if d.birth_date > today || today.year() - d.birth_date.year() > 130 {
            problems.push(
                || format!("patients[{i}].birth_date"),
                "The date of birth must be within the last 130 years",
            );
        }
        let a = &p.assignments;
        if let Some(u) = a.treating_practitioner
            && !dir.active(u, Role::TreatingPractitioner)
        {
            problems.push(
                || format!("patients[{i}].treating_practitioner"),
                "No active treating practitioner with this id in the practice",
            );
        }
        if let Some(u) = a.care_manager
            && !dir.active(u, Role::CareManager)
        {
            problems.push(
                || format!("patients[{i}].care_manager"),
                "No active care manager with this id in the practice",
            );
        }
        if let Some(s) = a.site
            && !dir.sites.contains(&s.as_uuid())
        {
            problems.push(
                || format!("patients[{i}].site"),
                "No site with this id in the practice",
            );
        }
        for (k, s) in p.screenings.iter().enumerate() {
            let here = || format!("patients[{i}].screenings[{k}]");
            check_assessment(&mut problems, &here, s, dir, d.birth_date, today);
        }
        let mut episode_states = Vec::with_capacity(p.episodes.len());
        for (j, e) in p.episodes.iter().enumerate() {
            let here = || format!("patients[{i}].episodes[{j}]");
            episode_states.push(check_episode(
                &mut problems,
                &here,
                e,
                dir,
                d.birth_date,
                today,
            ));
        }
        // As on the normal path, a program has at most one episode that is not closed: each
        // referral comes after the previous episode of the program was closed.
        for program in Program::ALL {
            let mut of_program: Vec<(&ImportEpisode, &EpisodeState)> = p
                .episodes
                .iter()
                .zip(&episode_states)
                .filter(|(e, _)| e.program == *program)
                .collect();
            of_program.sort_by_key(|(e, _)| e.referred_on);
            for pair in of_program.windows(2) {
                let (earlier, later) = (pair[0], pair[1]);
                if earlier.1.closed_on.is_none_or(|c| c > later.0.referred_on) {
                    problems.push(
                        || format!("patients[{i}].episodes"),
                        format!(
                            "Two {} episodes overlap: an episode of a program starts after the previous one was closed",
                            program.label()
                        ),
                    );
                }
            }
        }
        states.push(episode_states);
    }
    problems.0.into_result().map_err(StoreError::Invalid)?;
    Ok(states)
}

impl Store {
    async fn import_directory(&self, ctx: &Ctx) -> Result<Directory> {
        #[derive(sqlx::FromRow)]
        struct UserRole {
            id: Uuid,
            disabled: bool,
            role: String,
        }
        let mut c = self.read().await?;
        let rows: Vec<UserRole> = c
            .conn()
            .fetch_all(
                "SELECT u.id, u.disabled, r.role FROM users u JOIN user_roles r ON r.user_id = u.id \
                 WHERE u.practice_id = $1",
                args![ctx.practice],
            )
            .await?;
        let mut users: HashMap<Uuid, (Vec<Role>, bool)> = HashMap::new();
        for r in rows {
            let role = crate::ops::code(Role::parse(&r.role))?;
            users
                .entry(r.id)
                .or_insert((Vec::new(), r.disabled))
                .0
                .push(role);
        }
        let sites: Vec<crate::db::One<Uuid>> = c
            .conn()
            .fetch_all(
                "SELECT id FROM sites WHERE practice_id = $1",
                args![ctx.practice],
            )
            .await?;
        let mrns: Vec<crate::db::One<String>> = c
            .conn()
            .fetch_all(
                "SELECT mrn FROM patients WHERE practice_id = $1",
                args![ctx.practice],
            )
            .await?;
        Ok(Directory {
            users,
            sites: sites.into_iter().map(|s| s.0).collect(),
            mrns: mrns.into_iter().map(|m| m.0).collect(),
        })
    }

    /// Import a batch of new patients with their episodes (timeline, care plan, consents),
    /// contacts and assessments: validated first, then written in one transaction with the
    /// episodes' registry facts and one audit event (see the module documentation).
    pub async fn bulk_import(&self, ctx: &Ctx, batch: &ImportBatch) -> Result<ImportReport> {
        let dir = self.import_directory(ctx).await?;
        let states = check_batch(batch, &dir, ctx.today)?;
        let patient_ids: Vec<PatientId> = batch.patients.iter().map(|_| new_id()).collect();
        let episode_ids: Vec<Vec<EpisodeId>> = batch
            .patients
            .iter()
            .map(|p| p.episodes.iter().map(|_| new_id()).collect())
            .collect();
        let practice = ctx.practice;

        let mut tx = self.begin().await?;
        // Parents before children: the foreign keys are checked statement by statement.
        let mut rows = Rows::new(&PATIENTS);
        for (p, id) in batch.patients.iter().zip(&patient_ids) {
            let d = &p.details;
            let a = &p.assignments;
            rows.push(
                &mut tx,
                [
                    Val::from(*id),
                    Val::from(practice),
                    Val::from(d.mrn.as_str()),
                    Val::from(d.given_name.trim()),
                    Val::from(d.family_name.trim()),
                    Val::from(search_key(&d.given_name, &d.family_name)),
                    Val::from(d.birth_date),
                    Val::from(d.sex.code()),
                    Val::from(d.phone.as_deref()),
                    Val::from(d.email.as_deref()),
                    Val::from(d.address.as_deref()),
                    Val::from(d.preferred_language.as_str()),
                    Val::from(d.payer_kind.map(PayerKind::code)),
                    Val::from(d.payer_name.as_deref()),
                    Val::from(a.site),
                    Val::from(a.treating_practitioner),
                    Val::from(a.care_manager),
                    Val::from(ctx.now),
                    Val::from(ctx.now),
                    Val::from(1i64),
                ],
            )
            .await
            .map_err(duplicate_mrn)?;
        }
        rows.finish(&mut tx).await.map_err(duplicate_mrn)?;

        let mut rows = Rows::new(&EPISODES);
        for ((p, pid), (eids, states)) in batch
            .patients
            .iter()
            .zip(&patient_ids)
            .zip(episode_ids.iter().zip(&states))
        {
            for ((e, id), s) in p.episodes.iter().zip(eids).zip(states) {
                rows.push(
                    &mut tx,
                    [
                        Val::from(*id),
                        Val::from(practice),
                        Val::from(*pid),
                        Val::from(e.program.code()),
                        Val::from(s.status.code()),
                        Val::from(e.referred_on),
                        Val::from(e.referring_practitioner),
                        Val::from(s.enrolled_on),
                        Val::from(s.closed_on),
                        Val::from(s.discharge_reason.map(DischargeReason::code)),
                        Val::from(s.relapse_prevention_plan.as_deref()),
                        Val::from(e.manual_flags.safety_risk),
                        Val::from(e.manual_flags.for_discussion),
                        Val::from(ctx.now),
                        Val::from(ctx.now),
                        Val::from(1i64),
                    ],
                )
                .await?;
            }
        }
        rows.finish(&mut tx).await?;

        let mut plans = Rows::new(&CARE_PLANS);
        let mut events = Rows::new(&EVENTS);
        let mut consents = Rows::new(&CONSENTS);
        let mut contacts = Rows::new(&CONTACTS);
        let mut assessments = Rows::new(&ASSESSMENTS);
        let mut pending_alerts = Vec::new();
        for ((p, pid), (eids, states)) in batch
            .patients
            .iter()
            .zip(&patient_ids)
            .zip(episode_ids.iter().zip(&states))
        {
            for s in &p.screenings {
                push_assessment(
                    &mut assessments,
                    &mut tx,
                    ctx,
                    *pid,
                    None,
                    s,
                    &mut pending_alerts,
                )
                .await?;
            }
            for ((e, id), state) in p.episodes.iter().zip(eids).zip(states) {
                let plan = &e.care_plan;
                plans
                    .push(
                        &mut tx,
                        [
                            Val::from(*id),
                            Val::from(practice),
                            Val::from(plan.target_instrument.code()),
                            Val::from(plan.target_below),
                            Val::from(plan.follow_up_weeks),
                            Val::from(plan.goals.as_deref()),
                            Val::from(ctx.now),
                            Val::from(ctx.user),
                            Val::from(1i64),
                        ],
                    )
                    .await?;
                for (on, from, to, note) in &state.events {
                    events
                        .push(
                            &mut tx,
                            [
                                Val::from(new_id::<Uuid>()),
                                Val::from(practice),
                                Val::from(*id),
                                Val::from(*on),
                                Val::from(ctx.now),
                                Val::from(from.map(EpisodeStatus::code)),
                                Val::from(to.code()),
                                Val::from(ctx.user),
                                Val::from(note.as_deref()),
                            ],
                        )
                        .await?;
                }
                for c in &e.consents {
                    consents
                        .push(
                            &mut tx,
                            [
                                Val::from(new_id::<Uuid>()),
                                Val::from(practice),
                                Val::from(*pid),
                                Val::from(*id),
                                Val::from(c.program.code()),
                                Val::from(c.consented_on),
                                Val::from(c.method.code()),
                                Val::from(c.cost_sharing_explained),
                                Val::from(c.consult_permission),
                                Val::from(c.obtained_by),
                                Val::from(c.revoked_on),
                                Val::from(c.revoked_on.and(ctx.user)),
                                Val::from(None::<&str>),
                                Val::from(ctx.now),
                            ],
                        )
                        .await?;
                }
                for c in &e.contacts {
                    let d = &c.details;
                    contacts
                        .push(
                            &mut tx,
                            [
                                Val::from(new_id::<Uuid>()),
                                Val::from(practice),
                                Val::from(*pid),
                                Val::from(*id),
                                Val::from(d.contact_on),
                                Val::from(c.staff),
                                Val::from(d.staff_role.code()),
                                Val::from(d.kind.code()),
                                Val::from(d.modality.code()),
                                Val::from(d.minutes.get()),
                                Val::from(d.exclusion.map(MinutesExclusion::code)),
                                Val::from(d.note.as_deref()),
                                Val::from("final"),
                                Val::from(ctx.now),
                                Val::from(ctx.user.unwrap_or(c.staff)),
                            ],
                        )
                        .await?;
                }
                for a in &e.assessments {
                    push_assessment(
                        &mut assessments,
                        &mut tx,
                        ctx,
                        *pid,
                        Some(*id),
                        a,
                        &mut pending_alerts,
                    )
                    .await?;
                }
            }
        }
        plans.finish(&mut tx).await?;
        events.finish(&mut tx).await?;
        let consents = consents.finish(&mut tx).await?;
        let contacts = contacts.finish(&mut tx).await?;
        let assessments = assessments.finish(&mut tx).await?;
        for a in &pending_alerts {
            let patient = load_patient(&mut tx.conn(), practice, a.patient).await?;
            let source = AlertSource {
                assessment: a.assessment,
                episode: a.episode,
                response: &a.response,
                recorded_by: a.recorded_by,
            };
            raise_alert(&mut tx, ctx, &patient, &source, &a.raised).await?;
        }

        let episodes: Vec<EpisodeId> = episode_ids.into_iter().flatten().collect();
        // Statistics first: without them, after a large insert, both planners read an
        // episode's rows through a practice-wide index (PostgreSQL 15 scanned every
        // assessment of the practice per episode, 16 ms each). `ANALYZE` is the same
        // statement on both engines and counts this transaction's own rows.
        tx.execute("ANALYZE assessments", args![]).await?;
        tx.execute("ANALYZE contacts", args![]).await?;
        for id in &episodes {
            refresh_facts(&mut tx, ctx, *id).await?;
        }
        for id in &patient_ids {
            crate::ops::metrics::refresh_patient_screens(&mut tx, practice, *id).await?;
        }
        audit::append(
            &mut tx,
            &ctx.event(
                AuditAction::BulkImport,
                AuditCategory::Administration,
                None,
                format!(
                    "bulk import: {} patients, {} episodes, {consents} consents, {contacts} contacts, {assessments} assessments",
                    patient_ids.len(),
                    episodes.len()
                ),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(ImportReport {
            patients: patient_ids,
            episodes,
            consents,
            contacts,
            assessments,
        })
    }
}

fn duplicate_mrn(e: StoreError) -> StoreError {
    match e.unique_violation() {
        Some(_) => StoreError::Duplicate {
            field: "mrn",
            message: "An MRN of the batch is already used by another patient of the practice"
                .into(),
        },
        None => e,
    }
}

/// A response of the batch whose safety items alert (or are unanswered): its alert is raised
/// once the response rows are written.
struct PendingAlert {
    patient: PatientId,
    episode: Option<EpisodeId>,
    assessment: AssessmentId,
    response: ScoredResponse,
    recorded_by: UserId,
    raised: RaisedAlert,
}

async fn push_assessment(
    rows: &mut Rows,
    tx: &mut Tx,
    ctx: &Ctx,
    patient: PatientId,
    episode: Option<EpisodeId>,
    a: &ImportAssessment,
    alerts: &mut Vec<PendingAlert>,
) -> Result<()> {
    // Scored again rather than kept from validation: scoring is cheap, a kept score per
    // response is not.
    let s =
        score(a.instrument, &a.answers).map_err(|e| StoreError::invalid(&e.field, e.message))?;
    let id: AssessmentId = new_id();
    // An imported risk answer is not history to file away: it raises an alert like any other
    // response, for a clinician to close with the action taken.
    if let Some(raised) = raised_alert(&s, &a.answers) {
        alerts.push(PendingAlert {
            patient,
            episode,
            assessment: id,
            response: ScoredResponse {
                instrument: a.instrument,
                administered_on: a.administered_on,
                mode: a.mode,
                answers: a.answers.clone(),
                score: s.clone(),
                // Imports carry no labels: imported records are general.
                label: stepwise_domain::sensitivity::RecordLabel::General,
            },
            recorded_by: a.administered_by,
            raised,
        });
    }
    rows.push(
        tx,
        [
            Val::from(id),
            Val::from(ctx.practice),
            Val::from(patient),
            Val::from(episode),
            Val::from(a.instrument.code()),
            Val::from(a.administered_on),
            Val::from(a.administered_by),
            Val::from(a.mode.code()),
            Val::from(to_json(&a.answers)?),
            Val::from(s.total),
            Val::from(s.complete),
            Val::from(s.band.clone()),
            Val::from(s.positive),
            Val::from(s.safety.code()),
            Val::from(to_json(&s)?),
            Val::from("final"),
            Val::from(ctx.now),
            Val::from(ctx.user.unwrap_or(a.administered_by)),
        ],
    )
    .await
}
