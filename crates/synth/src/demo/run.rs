//! Carry the plans out through the store's public operations, day by day from the start of
//! the history to `today`: each act as the staff member who would do it, with the clock set
//! to that day (so audit times, recorded-at times and "today" checks are those of the day),
//! the weekly case review on its weekday, the practitioners' decisions on its recommendations
//! in the days after, and the nightly lapse job on the first of each month.

use super::plan::{Act, Calendar, ContactAct, PatientPlan, Staff};
use super::staff::{CARE_MANAGERS, FRONT_DESK_AT, MA_AT, PRACTITIONERS, PSYCHIATRIST_AT};
use super::text::*;
use crate::SynthError;
use crate::rng::Rng;
use std::collections::{BTreeMap, HashMap, HashSet};
use stepwise_domain::assessment::AssessmentInput;
use stepwise_domain::billing::DiagnosisCode;
use stepwise_domain::billing::close::InitiatingVisitKind;
use stepwise_domain::case_review::RecommendationAction;
use stepwise_domain::contact::{ContactDetails, ContactInput, MinutesExclusion};
use stepwise_domain::episode::{ConsentInput, EpisodeStatus, Program};
use stepwise_domain::ids::{
    AssessmentId, ConsentId, ContactId, EpisodeId, PatientId, PracticeId, RecommendationId, SiteId,
    UserId,
};
use stepwise_domain::instruments::InstrumentId;
use stepwise_domain::patient::Assignments;
use stepwise_domain::registry::{ManualFlags, RegistrySettings, ReviewReason};
use stepwise_domain::role::Role;
use stepwise_store::Store;
use stepwise_store::model::{Ctx, Episode, NewCaseReviewItem, Patient, ReviewListEntry};
use time::{Date, Duration, OffsetDateTime, Time};

/// Patients the consultant discusses at most in one weekly review.
const REVIEW_CAP: usize = 15;
/// A patient discussed this recently waits for the next month to be discussed again for
/// safety or for not improving (new patients and flags for discussion do not wait).
const RECENTLY_REVIEWED_DAYS: i64 = 28;
/// Patients without a contact from their care team for this long (the case review's own
/// contacts aside) are left to outreach rather than discussed, so that a disengaged episode
/// can lapse.
pub(super) const DISENGAGED_DAYS: i64 = 28;

/// The practice the plans run in.
pub(super) struct Practice {
    pub(super) id: PracticeId,
    /// Aligned with `staff::DEMO_USERS`.
    pub(super) users: Vec<UserId>,
    pub(super) sites: Vec<SiteId>,
    pub(super) settings: RegistrySettings,
}

struct EpisodeState {
    id: EpisodeId,
    program: Program,
    version: i64,
    plan_version: i64,
    status: EpisodeStatus,
    flags: ManualFlags,
    consent: Option<ConsentId>,
    /// The date of the last planned contact (the case review's own contacts aside).
    last_planned: Date,
}

impl EpisodeState {
    fn update(&mut self, e: &Episode) {
        self.version = e.version;
        self.status = e.status;
        self.flags = e.manual_flags;
    }
}

#[derive(Default)]
struct PatientState {
    patient: Option<Patient>,
    episodes: Vec<Option<EpisodeState>>,
    contacts: HashMap<u8, (ContactId, usize, Staff, ContactDetails)>,
    assessments: HashMap<u8, AssessmentId>,
}

/// Something decided after a case review.
enum Pending {
    Decide {
        rec: RecommendationId,
        patient: usize,
        action: RecommendationAction,
    },
    /// The care manager clears the "for discussion" flag once the patient was discussed.
    ClearDiscussion { patient: usize, ep: usize },
}

pub(super) struct Runner<'a> {
    store: &'a Store,
    practice: &'a Practice,
    plans: &'a [PatientPlan],
    cal: Calendar,
    now: OffsetDateTime,
    rng: Rng,
    patients: Vec<PatientState>,
    by_episode: HashMap<EpisodeId, (usize, usize)>,
    pending: BTreeMap<Date, Vec<Pending>>,
    versions: HashMap<RecommendationId, i64>,
    discussed: HashSet<EpisodeId>,
    /// The day being played and how many actions it has seen (their clock times).
    day: Date,
    slot: i64,
    requests: u64,
}

impl<'a> Runner<'a> {
    pub(super) fn new(
        store: &'a Store,
        practice: &'a Practice,
        plans: &'a [PatientPlan],
        cal: Calendar,
        now: OffsetDateTime,
        seed: u64,
    ) -> Self {
        Self {
            store,
            practice,
            plans,
            cal,
            now,
            rng: Rng::new(seed, 1),
            patients: plans.iter().map(|_| PatientState::default()).collect(),
            by_episode: HashMap::new(),
            pending: BTreeMap::new(),
            versions: HashMap::new(),
            discussed: HashSet::new(),
            day: cal.start,
            slot: 0,
            requests: 0,
        }
    }

    /// The clock of the next action on `d`: office hours, two minutes apart; on `today`, the
    /// caller's `now`.
    fn clock(&mut self, d: Date) -> OffsetDateTime {
        if d != self.day {
            self.day = d;
            self.slot = 0;
        }
        self.slot += 1;
        if d >= self.cal.today {
            return self.now;
        }
        let at = d.with_time(Time::MIDNIGHT).assume_utc()
            + Duration::hours(13)
            + Duration::minutes(2 * self.slot);
        at.min(self.now)
    }

    fn ctx(&mut self, d: Date, user: Option<usize>, role: Option<Role>) -> Ctx {
        self.requests += 1;
        Ctx {
            practice: self.practice.id,
            user: user.map(|u| self.practice.users[u]),
            role,
            request_id: format!("demo-{:06}", self.requests),
            source: "demo".into(),
            now: self.clock(d),
            today: d,
        }
    }

    fn staff_of(&self, patient: usize, staff: Staff) -> (usize, Role) {
        let plan = &self.plans[patient];
        match staff {
            Staff::CareManager => (CARE_MANAGERS[plan.care_manager], Role::CareManager),
            Staff::Practitioner => (PRACTITIONERS[plan.practitioner], Role::TreatingPractitioner),
            Staff::Ma => (MA_AT, Role::MaNurse),
        }
    }

    fn as_staff(&mut self, d: Date, patient: usize, staff: Staff) -> Ctx {
        let (user, role) = self.staff_of(patient, staff);
        self.ctx(d, Some(user), Some(role))
    }

    fn episode(&mut self, patient: usize, ep: usize) -> Result<&mut EpisodeState, SynthError> {
        self.patients[patient]
            .episodes
            .get_mut(ep)
            .and_then(Option::as_mut)
            .ok_or_else(|| SynthError::Plan(format!("patient {patient}: no episode {ep}")))
    }

    fn patient(&self, patient: usize) -> Result<&Patient, SynthError> {
        self.patients[patient]
            .patient
            .as_ref()
            .ok_or_else(|| SynthError::Plan(format!("patient {patient} is not registered")))
    }

    pub(super) fn today(&self) -> Date {
        self.cal.today
    }

    pub(super) fn store(&self) -> &'a Store {
        self.store
    }

    pub(super) fn front_desk(&mut self, d: Date) -> Ctx {
        self.ctx(d, Some(FRONT_DESK_AT), Some(Role::FrontDesk))
    }

    pub(super) fn care_manager_of(&mut self, d: Date, patient: usize) -> Ctx {
        self.as_staff(d, patient, Staff::CareManager)
    }

    /// The patients registered by the end of the history, in plan order.
    pub(super) fn registered_patients(&self) -> Vec<usize> {
        (0..self.patients.len())
            .filter(|&p| self.patients[p].patient.is_some())
            .collect()
    }

    pub(super) fn patient_id(&self, patient: usize) -> Result<PatientId, SynthError> {
        Ok(self.patient(patient)?.id)
    }

    /// Play every day from the start of the history to `today`.
    pub(super) async fn run(&mut self) -> Result<(), SynthError> {
        let mut by_day: BTreeMap<Date, Vec<(usize, usize)>> = BTreeMap::new();
        for (p, plan) in self.plans.iter().enumerate() {
            for (a, (d, _)) in plan.acts.iter().enumerate() {
                by_day.entry(*d).or_default().push((p, a));
            }
        }
        let mut d = self.cal.start;
        while d <= self.cal.today {
            if d.day() == 1 {
                self.lapse_job(d).await?;
            }
            for (p, a) in by_day.remove(&d).unwrap_or_default() {
                self.act(d, p, a).await?;
            }
            if self.cal.is_review_day(d) {
                self.review(d).await?;
            }
            for pending in self.pending.remove(&d).unwrap_or_default() {
                self.settle(d, pending).await?;
            }
            d += Duration::days(1);
        }
        self.lapse_job(self.cal.today).await?;
        self.community().await
    }

    async fn lapse_job(&mut self, d: Date) -> Result<(), SynthError> {
        let ctx = self.ctx(d, None, None);
        for id in self.store.close_lapsed_episodes(&ctx).await? {
            if let Some((p, e)) = self.by_episode.get(&id).copied() {
                self.episode(p, e)?.status = EpisodeStatus::Lapsed;
            }
        }
        Ok(())
    }

    async fn act(&mut self, d: Date, p: usize, a: usize) -> Result<(), SynthError> {
        let plans = self.plans;
        let plan = &plans[p];
        let store = self.store;
        match &plan.acts[a].1 {
            Act::Register => {
                let ctx = self.ctx(d, Some(FRONT_DESK_AT), Some(Role::FrontDesk));
                let assignments = Assignments {
                    site: Some(self.practice.sites[plan.site]),
                    treating_practitioner: Some(
                        self.practice.users[PRACTITIONERS[plan.practitioner]],
                    ),
                    care_manager: None,
                };
                let details = plan.person.details(d)?;
                let created = store.create_patient(&ctx, details, assignments).await?;
                self.patients[p].patient = Some(created);
            }
            Act::AssignCareManager => {
                let ctx = self.as_staff(d, p, Staff::CareManager);
                let before = self.patient(p)?.clone();
                let mut assignments = before.assignments.clone();
                assignments.care_manager = ctx.user;
                let updated = store
                    .update_patient(&ctx, before.id, before.version, before.details, assignments)
                    .await?;
                self.patients[p].patient = Some(updated);
            }
            Act::Screen {
                instrument,
                answers,
            } => {
                let ctx = self.ctx(d, Some(MA_AT), Some(Role::MaNurse));
                let response = input(*instrument, d, "clinic", answers).parse(d)?;
                let patient = self.patient(p)?.id;
                store
                    .add_assessment(&ctx, patient, None, self.practice.users[MA_AT], &response)
                    .await?;
            }
            Act::Refer { ep, program } => {
                let ctx = self.as_staff(d, p, Staff::Practitioner);
                let patient = self.patient(p)?.id;
                let e = store
                    .create_episode(&ctx, patient, *program, d, ctx.user)
                    .await?;
                // The referral is made at a visit that initiates BHI (reference §2.5), and it
                // names the diagnosis put on the claims; every seventh patient's visit is not
                // on file, so month close shows the "no initiating visit" hold.
                if let Some(practitioner) = ctx.user
                    && p % 7 != 3
                {
                    store
                        .record_initiating_visit(
                            &ctx,
                            patient,
                            practitioner,
                            d,
                            InitiatingVisitKind::EvaluationAndManagement,
                        )
                        .await?;
                }
                let dx = if p % 3 == 1 { "F41.1" } else { "F32.1" };
                store
                    .set_episode_diagnoses(
                        &ctx,
                        e.id,
                        &[DiagnosisCode::parse(dx).map_err(SynthError::Plan)?],
                    )
                    .await?;
                let state = &mut self.patients[p].episodes;
                if state.len() <= *ep {
                    state.resize_with(ep + 1, || None);
                }
                self.by_episode.insert(e.id, (p, *ep));
                state[*ep] = Some(EpisodeState {
                    id: e.id,
                    program: e.program,
                    version: e.version,
                    plan_version: 1,
                    status: e.status,
                    flags: e.manual_flags,
                    consent: None,
                    last_planned: d,
                });
            }
            Act::Consent { ep, method } => {
                let ctx = self.as_staff(d, p, Staff::CareManager);
                let by = ctx.user.ok_or_else(|| SynthError::Plan("no user".into()))?;
                let e = self.episode(p, *ep)?;
                let (id, program) = (e.id, e.program);
                let consent = ConsentInput {
                    consented_on: d.to_string(),
                    method: method.code().into(),
                    cost_sharing_explained: true,
                    consult_permission: true,
                }
                .parse(program, by, d)?;
                let record = store.record_consent(&ctx, id, &consent).await?;
                self.episode(p, *ep)?.consent = Some(record.id);
            }
            Act::Transition { ep, change } => {
                let ctx = self.as_staff(d, p, Staff::CareManager);
                let e = self.episode(p, *ep)?;
                let (id, version) = (e.id, e.version);
                let updated = store
                    .transition_episode(&ctx, id, version, change, d)
                    .await?;
                self.episode(p, *ep)?.update(&updated);
            }
            Act::CarePlan {
                ep,
                plan: care_plan,
            } => {
                let ctx = self.as_staff(d, p, Staff::CareManager);
                let e = self.episode(p, *ep)?;
                let (id, version) = (e.id, e.plan_version);
                let updated = store.update_care_plan(&ctx, id, version, care_plan).await?;
                self.episode(p, *ep)?.plan_version = updated.version;
            }
            Act::Contact(c) => {
                let ctx = self.as_staff(d, p, c.staff);
                let details = contact_details(c, d, ctx.role)?;
                let staff = ctx.user.ok_or_else(|| SynthError::Plan("no user".into()))?;
                let e = self.episode(p, c.ep)?;
                e.last_planned = d;
                let episode = e.id;
                let created = store
                    .add_contact(&ctx, episode, staff, &details, None)
                    .await?;
                if let Some(key) = c.key {
                    self.patients[p]
                        .contacts
                        .insert(key, (created.id, c.ep, c.staff, details));
                }
            }
            Act::Assess {
                ep,
                instrument,
                answers,
                mode,
                key,
            } => {
                let ctx = self.as_staff(d, p, Staff::CareManager);
                let response = input(*instrument, d, mode.code(), answers).parse(d)?;
                let patient = self.patient(p)?.id;
                let episode = self.episode(p, *ep)?.id;
                let by = ctx.user.ok_or_else(|| SynthError::Plan("no user".into()))?;
                let created = store
                    .add_assessment(&ctx, patient, Some(episode), by, &response)
                    .await?;
                if let Some(key) = key {
                    self.patients[p].assessments.insert(*key, created.id);
                }
            }
            Act::Flags {
                ep,
                safety_risk,
                for_discussion,
            } => {
                let ctx = self.as_staff(d, p, Staff::CareManager);
                let e = self.episode(p, *ep)?;
                let flags = ManualFlags {
                    safety_risk: safety_risk.unwrap_or(e.flags.safety_risk),
                    for_discussion: for_discussion.unwrap_or(e.flags.for_discussion),
                };
                let (id, version) = (e.id, e.version);
                let updated = store.set_manual_flags(&ctx, id, version, flags).await?;
                self.episode(p, *ep)?.update(&updated);
            }
            Act::ContactInError { key, reason } => {
                let ctx = self.as_staff(d, p, Staff::CareManager);
                let (id, ..) = self.contact_key(p, *key)?;
                store
                    .mark_contact_entered_in_error(&ctx, id, reason)
                    .await?;
            }
            Act::CorrectContact { key, minutes } => {
                let (old, ep, staff, mut details) = self.contact_key(p, *key)?;
                let ctx = self.as_staff(d, p, staff);
                details.minutes = stepwise_domain::contact::Minutes::new(*minutes)
                    .ok_or_else(|| SynthError::Plan(format!("{minutes} minutes")))?;
                let episode = self.episode(p, ep)?.id;
                let user = ctx.user.ok_or_else(|| SynthError::Plan("no user".into()))?;
                store
                    .add_contact(&ctx, episode, user, &details, Some(old))
                    .await?;
            }
            Act::AssessmentInError { key, reason } => {
                let ctx = self.as_staff(d, p, Staff::CareManager);
                let id = *self.patients[p]
                    .assessments
                    .get(key)
                    .ok_or_else(|| SynthError::Plan(format!("no assessment {key}")))?;
                store
                    .mark_assessment_entered_in_error(&ctx, id, reason)
                    .await?;
            }
            Act::RevokeConsent { ep, note } => {
                let ctx = self.as_staff(d, p, Staff::CareManager);
                let consent = self
                    .episode(p, *ep)?
                    .consent
                    .ok_or_else(|| SynthError::Plan(format!("patient {p}: no consent")))?;
                store.revoke_consent(&ctx, consent, d, Some(note)).await?;
            }
        }
        Ok(())
    }

    fn contact_key(
        &self,
        p: usize,
        key: u8,
    ) -> Result<(ContactId, usize, Staff, ContactDetails), SynthError> {
        self.patients[p]
            .contacts
            .get(&key)
            .cloned()
            .ok_or_else(|| SynthError::Plan(format!("patient {p}: no contact {key}")))
    }

    /// The weekly case review: the consultant works down the review list (safety, new,
    /// flagged for discussion, not improving, overdue), up to [`REVIEW_CAP`] patients.
    async fn review(&mut self, d: Date) -> Result<(), SynthError> {
        let ctx = self.ctx(d, Some(PSYCHIATRIST_AT), Some(Role::Psychiatrist));
        let list = self
            .store
            .review_list(&ctx, &self.practice.settings)
            .await?;
        let mut chosen: Vec<(u8, Option<Date>, &ReviewListEntry)> = Vec::new();
        for entry in &list {
            let Some((p, _)) = self.by_episode.get(&entry.episode).copied() else {
                continue;
            };
            if self.plans[p].review_hold && self.discussed.contains(&entry.episode) {
                continue;
            }
            let row = &entry.row;
            let (p, e) = self.by_episode[&entry.episode];
            if (d - self.episode(p, e)?.last_planned).whole_days() > DISENGAGED_DAYS {
                continue;
            }
            let recent = row
                .last_case_review_on
                .is_some_and(|r| (d - r).whole_days() < RECENTLY_REVIEWED_DAYS);
            let has = |r: ReviewReason| entry.reasons.contains(&r);
            let priority = if has(ReviewReason::Safety) && !recent {
                0
            } else if has(ReviewReason::New) {
                1
            } else if has(ReviewReason::ForDiscussion) {
                2
            } else if has(ReviewReason::NotImproving) && !recent {
                3
            } else if has(ReviewReason::ReviewOverdue) {
                4
            } else {
                continue;
            };
            chosen.push((priority, row.last_case_review_on, entry));
        }
        chosen.sort_by_key(|(priority, last, _)| (*priority, last.unwrap_or(Date::MIN)));
        chosen.truncate(REVIEW_CAP);
        if chosen.is_empty() {
            return Ok(());
        }
        let mut items = Vec::new();
        for (priority, _, entry) in &chosen {
            let (note, pool): (String, &[&str]) = match priority {
                0 => (
                    "Item 9 positive on a PHQ-9; safety plan reviewed, no plan or intent reported."
                        .into(),
                    RECOMMEND_SAFETY,
                ),
                1 => (
                    match entry.row.phq9 {
                        Some(t) => {
                            format!("New to the caseload; baseline PHQ-9 {}.", t.first.total)
                        }
                        None => "New to the caseload; initial assessment pending.".into(),
                    },
                    RECOMMEND_NEW,
                ),
                2 => (
                    "Care manager asked to discuss adherence and side effects.".into(),
                    RECOMMEND_DISCUSSION,
                ),
                3 => (
                    match entry.row.phq9 {
                        Some(t) => format!(
                            "PHQ-9 {} → {}: less than 50 % improvement.",
                            t.first.total, t.last.total
                        ),
                        None => "No PHQ-9 yet.".into(),
                    },
                    RECOMMEND_NOT_IMPROVING,
                ),
                _ => (
                    "Routine review; progress as expected.".into(),
                    RECOMMEND_ROUTINE,
                ),
            };
            let count = match priority {
                4 => self.rng.int(0, 1),
                _ => self.rng.int(1, 2),
            };
            let mut recommendations: Vec<String> = Vec::new();
            for _ in 0..count {
                let text = (*self.rng.pick(pool)).to_owned();
                if !recommendations.contains(&text) {
                    recommendations.push(text);
                }
            }
            items.push(NewCaseReviewItem {
                episode: entry.episode,
                notes: Some(note),
                recommendations,
            });
        }
        let consultant = self.practice.users[PSYCHIATRIST_AT];
        let review = self
            .store
            .create_case_review(&ctx, d, consultant, Some(REVIEW_NOTES), &items)
            .await?;
        let priorities: HashMap<EpisodeId, u8> =
            chosen.iter().map(|(p, _, e)| (e.episode, *p)).collect();
        for item in &review.items {
            self.discussed.insert(item.episode);
            let priority = priorities.get(&item.episode).copied().unwrap_or(4);
            let Some((p, ep)) = self.by_episode.get(&item.episode).copied() else {
                continue;
            };
            // The care manager's time presenting the patient counts toward care management.
            let ctx = self.as_staff(d, p, Staff::CareManager);
            let presented = ContactAct {
                ep,
                staff: Staff::CareManager,
                kind: stepwise_domain::contact::ContactKind::PsychiatricCaseReview,
                modality: stepwise_domain::contact::Modality::Video,
                minutes: self.rng.int(5, 10) as u16,
                exclusion: None,
                note: Some("Presented at the weekly case review."),
                key: None,
            };
            let details = contact_details(&presented, d, ctx.role)?;
            let cm = ctx.user.ok_or_else(|| SynthError::Plan("no user".into()))?;
            self.store
                .add_contact(&ctx, item.episode, cm, &details, None)
                .await?;
            if priority == 2 {
                self.later(d, 1, Pending::ClearDiscussion { patient: p, ep });
            }
            for rec in &item.recommendations {
                self.versions.insert(rec.id, rec.version);
                let decide_in = self.rng.int(1, 6);
                if self.rng.chance(0.12) {
                    let reason = (*self.rng.pick(DECLINE_REASONS)).to_owned();
                    self.later(
                        d,
                        decide_in,
                        Pending::Decide {
                            rec: rec.id,
                            patient: p,
                            action: RecommendationAction::Decline { reason },
                        },
                    );
                } else {
                    self.later(
                        d,
                        decide_in,
                        Pending::Decide {
                            rec: rec.id,
                            patient: p,
                            action: RecommendationAction::Accept,
                        },
                    );
                    if self.rng.chance(0.85) {
                        let done_in = decide_in + self.rng.int(2, 21);
                        self.later(
                            d,
                            done_in,
                            Pending::Decide {
                                rec: rec.id,
                                patient: p,
                                action: RecommendationAction::MarkDone,
                            },
                        );
                    }
                }
            }
        }
        Ok(())
    }

    fn later(&mut self, d: Date, days: i64, pending: Pending) {
        let on = d + Duration::days(days);
        if on <= self.cal.today {
            self.pending.entry(on).or_default().push(pending);
        }
    }

    async fn settle(&mut self, d: Date, pending: Pending) -> Result<(), SynthError> {
        match pending {
            Pending::Decide {
                rec,
                patient,
                action,
            } => {
                let ctx = self.as_staff(d, patient, Staff::Practitioner);
                let version = self.versions.get(&rec).copied().unwrap_or(1);
                let updated = self
                    .store
                    .decide_recommendation(&ctx, rec, version, &action)
                    .await?;
                self.versions.insert(rec, updated.version);
            }
            Pending::ClearDiscussion { patient, ep } => {
                let e = self.episode(patient, ep)?;
                if e.status.is_closed() || !e.flags.for_discussion {
                    return Ok(());
                }
                let (id, version) = (e.id, e.version);
                let flags = ManualFlags {
                    for_discussion: false,
                    ..e.flags
                };
                let ctx = self.as_staff(d, patient, Staff::CareManager);
                let updated = self
                    .store
                    .set_manual_flags(&ctx, id, version, flags)
                    .await?;
                self.episode(patient, ep)?.update(&updated);
            }
        }
        Ok(())
    }
}

fn input(instrument: InstrumentId, d: Date, mode: &str, answers: &[Option<u8>]) -> AssessmentInput {
    AssessmentInput {
        label: None,
        instrument: instrument.code().into(),
        administered_on: d.to_string(),
        mode: mode.into(),
        answers: answers.iter().map(|a| a.map(i64::from)).collect(),
        loinc_answers: None,
    }
}

/// A contact as a form would submit it, parsed by the domain.
fn contact_details(
    c: &ContactAct,
    d: Date,
    role: Option<Role>,
) -> Result<ContactDetails, SynthError> {
    let role = role.ok_or_else(|| SynthError::Plan("a contact needs a role".into()))?;
    ContactInput {
        label: None,
        contact_on: d.to_string(),
        staff_role: role.code().into(),
        kind: c.kind.code().into(),
        modality: c.modality.code().into(),
        minutes: i64::from(c.minutes),
        exclusion: c.exclusion.map(|e: MinutesExclusion| e.code().to_owned()),
        note: c.note.map(str::to_owned),
    }
    .parse(&[role], d)
    .map_err(SynthError::Input)
}
