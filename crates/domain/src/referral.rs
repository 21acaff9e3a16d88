//! Closed-loop referral of a patient to a community partner or to specialty behavioral health
//! (reference bhi-planning.md §6.4).
//!
//! The product state machine of §6.4 [P]:
//!
//! ```text
//! draft → sent → accepted → scheduled → attended → closed (with the partner's feedback)
//!              ↘ declined           ↘ no-show → scheduled again
//! side exits from any open state: cancelled, unable to reach the patient, patient declined
//! ```
//!
//! Each state maps to an HL7 FHIR R4 `Task.status` and an HL7 BSeR business status (§6.4 [V]),
//! so that a later FHIR export of the referral (ServiceRequest + Task) needs no new rules.
//! Every accepted change is recorded with who made it and when; nothing is ever removed.
//! Competitors' users complain that a referral is sent and never heard of again
//! (competitors.md §1.13 [Q1], §1.17 [R5]): [`follow_up_due`] turns silence into a task.

use crate::codes::code_enum;
use crate::error::ValidationError;
use crate::ids::{PatientId, UserId};
use crate::resources::ResourceId;
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

code_enum! {
    pub enum ReferralState ("referral state") {
        Draft = "draft",
        Sent = "sent",
        Accepted = "accepted",
        /// The partner declined the referral.
        Declined = "declined",
        Scheduled = "scheduled",
        Attended = "attended",
        NoShow = "no_show",
        /// Closed with the partner's (or the patient's) feedback: the loop is closed.
        Closed = "closed",
        Cancelled = "cancelled",
        UnableToReach = "unable_to_reach",
        PatientDeclined = "patient_declined",
    }
}

impl ReferralState {
    /// No further change is possible (a new referral is made instead).
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            ReferralState::Declined
                | ReferralState::Closed
                | ReferralState::Cancelled
                | ReferralState::UnableToReach
                | ReferralState::PatientDeclined
        )
    }

    pub fn label(self) -> &'static str {
        match self {
            ReferralState::Draft => "Draft",
            ReferralState::Sent => "Sent",
            ReferralState::Accepted => "Accepted by the partner",
            ReferralState::Declined => "Declined by the partner",
            ReferralState::Scheduled => "Appointment scheduled",
            ReferralState::Attended => "Attended",
            ReferralState::NoShow => "No-show",
            ReferralState::Closed => "Closed with feedback",
            ReferralState::Cancelled => "Cancelled",
            ReferralState::UnableToReach => "Unable to reach the patient",
            ReferralState::PatientDeclined => "Patient declined",
        }
    }

    /// FHIR R4 `Task.status` (§6.4 [V]: the SDOH Clinical Care referral-task value set).
    pub fn fhir_task_status(self) -> &'static str {
        match self {
            ReferralState::Draft => "draft",
            ReferralState::Sent => "requested",
            ReferralState::Accepted => "accepted",
            ReferralState::Declined => "rejected",
            ReferralState::Scheduled | ReferralState::Attended | ReferralState::NoShow => {
                "in-progress"
            }
            ReferralState::Closed => "completed",
            ReferralState::Cancelled | ReferralState::PatientDeclined => "cancelled",
            ReferralState::UnableToReach => "failed",
        }
    }

    /// BSeR `Task.businessStatus` code (§6.4 [V], HL7/bser TaskBusinessStatusCS); `None` for a
    /// draft, which BSeR does not code. Patient declined and unable to reach are "fulfillment
    /// cancelled" (6.0) with the reason kept in our state [P].
    pub fn bser_business_status(self) -> Option<&'static str> {
        match self {
            ReferralState::Draft => None,
            ReferralState::Sent => Some("2.0"),
            ReferralState::Accepted => Some("3.0"),
            ReferralState::Declined => Some("4.0"),
            ReferralState::Scheduled => Some("5.1.1"),
            ReferralState::NoShow => Some("5.1.2"),
            ReferralState::Attended => Some("5.1.4"),
            ReferralState::Closed => Some("7.0"),
            ReferralState::Cancelled
            | ReferralState::UnableToReach
            | ReferralState::PatientDeclined => Some("6.0"),
        }
    }

    /// What has to happen next, for refusals and follow-up tasks.
    pub fn next_step(self) -> &'static str {
        match self {
            ReferralState::Draft => "send the referral to the partner",
            ReferralState::Sent => "record whether the partner accepted or declined it",
            ReferralState::Accepted => "schedule the appointment",
            ReferralState::Scheduled => "record whether the patient attended",
            ReferralState::NoShow => {
                "reschedule, or close it as unable to reach the patient, patient declined or cancelled"
            }
            ReferralState::Attended => "close it with the partner's feedback",
            _ => "nothing: the referral is finished",
        }
    }
}

code_enum! {
    /// How sensitive the referral's content is (bhi-planning.md §7.3 product spec [P]).
    pub enum Sensitivity ("referral sensitivity") {
        General = "general",
        /// Substance-use disorder records protected by 42 CFR Part 2 (§7.3): disclosure to
        /// the recipient needs the patient's consent.
        SudPart2 = "sud_part2",
    }
}

/// Where the patient is referred.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ReferralTarget {
    /// A community partner of the resource directory.
    Partner { resource: ResourceId },
    /// Specialty behavioral health (psychiatry, therapy, a higher level of care), described.
    SpecialtyBehavioralHealth { description: String },
}

/// A requested change of a referral.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum ReferralAction {
    Send,
    Accept,
    Decline {
        reason: String,
    },
    /// Schedule (or reschedule) the appointment.
    Schedule {
        appointment_on: Date,
    },
    RecordAttended,
    RecordNoShow,
    /// Close the loop with the feedback received.
    Close {
        feedback: String,
    },
    Cancel {
        reason: String,
    },
    UnableToReach {
        note: Option<String>,
    },
    PatientDeclined {
        note: Option<String>,
    },
}

impl ReferralAction {
    /// The state the action leads to.
    pub fn target(&self) -> ReferralState {
        match self {
            ReferralAction::Send => ReferralState::Sent,
            ReferralAction::Accept => ReferralState::Accepted,
            ReferralAction::Decline { .. } => ReferralState::Declined,
            ReferralAction::Schedule { .. } => ReferralState::Scheduled,
            ReferralAction::RecordAttended => ReferralState::Attended,
            ReferralAction::RecordNoShow => ReferralState::NoShow,
            ReferralAction::Close { .. } => ReferralState::Closed,
            ReferralAction::Cancel { .. } => ReferralState::Cancelled,
            ReferralAction::UnableToReach { .. } => ReferralState::UnableToReach,
            ReferralAction::PatientDeclined { .. } => ReferralState::PatientDeclined,
        }
    }
}

/// What the state machine must know beyond the referral itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReferralContext {
    /// The patient's consent to disclose sensitive (e.g. Part 2) information to this recipient
    /// is documented and in force. The store decides it from the consent records.
    pub sensitive_disclosure_consent: bool,
}

/// The change is refused; the message says why and what to do instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ReferralError {
    pub from: ReferralState,
    pub message: String,
}

/// The edges of the main path, and from which states each action may be taken.
fn allowed_from(action: &ReferralAction) -> &'static [ReferralState] {
    use ReferralState::*;
    match action {
        ReferralAction::Send => &[Draft],
        ReferralAction::Accept | ReferralAction::Decline { .. } => &[Sent],
        // Rescheduling is scheduling again, after a no-show or a moved appointment.
        ReferralAction::Schedule { .. } => &[Accepted, Scheduled, NoShow],
        ReferralAction::RecordAttended | ReferralAction::RecordNoShow => &[Scheduled],
        ReferralAction::Close { .. } => &[Attended],
        // Side exits: from any open state before attendance.
        ReferralAction::Cancel { .. }
        | ReferralAction::UnableToReach { .. }
        | ReferralAction::PatientDeclined { .. } => &[Draft, Sent, Accepted, Scheduled, NoShow],
    }
}

/// The state after `action`, or why it is refused.
pub fn transition(
    from: ReferralState,
    action: &ReferralAction,
    sensitivity: Sensitivity,
    ctx: ReferralContext,
) -> Result<ReferralState, ReferralError> {
    let refuse = |message: String| Err(ReferralError { from, message });
    let to = action.target();
    if from.is_terminal() {
        return refuse(format!(
            "This referral is finished ({}) and cannot change; make a new referral instead",
            from.label().to_lowercase()
        ));
    }
    if !allowed_from(action).contains(&from) {
        return refuse(format!(
            "A referral that is {} cannot become {}: first {}",
            from.label().to_lowercase(),
            to.label().to_lowercase(),
            from.next_step()
        ));
    }
    let blank = |s: &str| s.trim().is_empty();
    match action {
        ReferralAction::Send
            if sensitivity == Sensitivity::SudPart2 && !ctx.sensitive_disclosure_consent =>
        {
            refuse(
                "This referral carries substance-use information protected by 42 CFR Part 2: \
                 it can be sent only once the patient's consent to disclose it to this \
                 recipient is documented"
                    .into(),
            )
        }
        ReferralAction::Decline { reason } if blank(reason) => {
            refuse("Record why the partner declined the referral".into())
        }
        ReferralAction::Cancel { reason } if blank(reason) => {
            refuse("Record why the referral is cancelled".into())
        }
        ReferralAction::Close { feedback } if blank(feedback) => refuse(
            "Closing the loop needs the feedback received (from the partner or the patient)".into(),
        ),
        _ => Ok(to),
    }
}

/// One accepted change, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReferralEvent {
    pub from: ReferralState,
    pub to: ReferralState,
    pub action: ReferralAction,
    pub by: UserId,
    /// The instant, in the practice's UTC offset (its date is the day of the update).
    pub at: OffsetDateTime,
}

/// A referral and its full history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Referral {
    pub patient: PatientId,
    pub target: ReferralTarget,
    pub sensitivity: Sensitivity,
    /// Why the patient is referred.
    pub reason: String,
    pub created_by: UserId,
    pub created_at: OffsetDateTime,
    /// Every accepted change, oldest first.
    pub events: Vec<ReferralEvent>,
}

impl Referral {
    /// A new draft referral.
    pub fn new(
        patient: PatientId,
        target: ReferralTarget,
        sensitivity: Sensitivity,
        reason: &str,
        by: UserId,
        at: OffsetDateTime,
    ) -> Result<Self, ValidationError> {
        let mut e = ValidationError::new();
        if reason.trim().is_empty() {
            e.push("reason", "Say why the patient is referred");
        }
        if let ReferralTarget::SpecialtyBehavioralHealth { description } = &target
            && description.trim().is_empty()
        {
            e.push(
                "target.description",
                "Describe the specialty care referred to",
            );
        }
        e.into_result()?;
        Ok(Referral {
            patient,
            target,
            sensitivity,
            reason: reason.trim().to_owned(),
            created_by: by,
            created_at: at,
            events: Vec::new(),
        })
    }

    pub fn state(&self) -> ReferralState {
        self.events.last().map_or(ReferralState::Draft, |e| e.to)
    }

    /// The instant of the latest change (the creation when there is none).
    pub fn last_update(&self) -> OffsetDateTime {
        self.events.last().map_or(self.created_at, |e| e.at)
    }

    /// The appointment of the latest scheduling, if any.
    pub fn appointment_on(&self) -> Option<Date> {
        self.events.iter().rev().find_map(|e| match e.action {
            ReferralAction::Schedule { appointment_on } => Some(appointment_on),
            _ => None,
        })
    }

    /// When the referral first entered `state`.
    pub fn first_reached(&self, state: ReferralState) -> Option<OffsetDateTime> {
        self.events.iter().find(|e| e.to == state).map(|e| e.at)
    }

    /// Apply `action` by `by` at `at`: on success the change is recorded and the new state
    /// returned; on refusal nothing changes.
    pub fn apply(
        &mut self,
        action: ReferralAction,
        by: UserId,
        at: OffsetDateTime,
        ctx: ReferralContext,
    ) -> Result<ReferralState, ReferralError> {
        let from = self.state();
        if at < self.last_update() {
            return Err(ReferralError {
                from,
                message: "An update cannot be dated before the referral's previous update".into(),
            });
        }
        let to = transition(from, &action, self.sensitivity, ctx)?;
        self.events.push(ReferralEvent {
            from,
            to,
            action,
            by,
            at,
        });
        Ok(to)
    }
}

/// How long a referral may go without an update before someone follows it up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct FollowUpSettings {
    /// Default 7 days: §6.4 asks for "no update in N days → task for the coordinator" without
    /// naming N; a week is our proposal [P].
    pub days_without_update: u16,
}

impl Default for FollowUpSettings {
    fn default() -> Self {
        FollowUpSettings {
            days_without_update: 7,
        }
    }
}

/// A referral that needs a follow-up call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FollowUpDue {
    pub state: ReferralState,
    /// The day the silence is counted from.
    pub quiet_since: Date,
    pub days_quiet: i64,
    pub next_step: &'static str,
}

/// Whether an open referral is due for follow-up on `today`: no update for the configured
/// number of days. A scheduled referral is counted from its appointment when that is later
/// than its last update, so nobody is asked to chase an appointment that has not happened yet.
pub fn follow_up_due(
    referral: &Referral,
    today: Date,
    settings: FollowUpSettings,
) -> Option<FollowUpDue> {
    let state = referral.state();
    if state.is_terminal() {
        return None;
    }
    let updated = referral.last_update().date();
    let quiet_since = match (state, referral.appointment_on()) {
        (ReferralState::Scheduled, Some(appointment)) => updated.max(appointment),
        _ => updated,
    };
    let days_quiet = (today - quiet_since).whole_days();
    (days_quiet >= i64::from(settings.days_without_update)).then_some(FollowUpDue {
        state,
        quiet_since,
        days_quiet,
        next_step: state.next_step(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::{date, datetime};
    use uuid::Uuid;

    fn user(n: u128) -> UserId {
        UserId(Uuid::from_u128(n))
    }

    fn referral(sensitivity: Sensitivity) -> Referral {
        Referral::new(
            PatientId(Uuid::from_u128(7)),
            ReferralTarget::Partner {
                resource: ResourceId(Uuid::from_u128(9)),
            },
            sensitivity,
            "Food insecurity",
            user(1),
            datetime!(2026-11-02 09:00 UTC),
        )
        .unwrap()
    }

    const NO_CONSENT: ReferralContext = ReferralContext {
        sensitive_disclosure_consent: false,
    };

    #[test]
    fn the_closed_loop_records_who_and_when() {
        let mut r = referral(Sensitivity::General);
        let steps = [
            (ReferralAction::Send, datetime!(2026-11-02 10:00 UTC)),
            (ReferralAction::Accept, datetime!(2026-11-03 10:00 UTC)),
            (
                ReferralAction::Schedule {
                    appointment_on: date!(2026 - 11 - 10),
                },
                datetime!(2026-11-04 10:00 UTC),
            ),
            (
                ReferralAction::RecordAttended,
                datetime!(2026-11-10 16:00 UTC),
            ),
            (
                ReferralAction::Close {
                    feedback: "Enrolled in weekly pantry".into(),
                },
                datetime!(2026-11-12 10:00 UTC),
            ),
        ];
        for (i, (action, at)) in steps.into_iter().enumerate() {
            r.apply(action, user(i as u128 + 1), at, NO_CONSENT)
                .unwrap();
        }
        assert_eq!(r.state(), ReferralState::Closed);
        assert_eq!(r.events.len(), 5);
        assert_eq!(r.events[2].by, user(3));
        assert_eq!(r.events[3].at, datetime!(2026-11-10 16:00 UTC));
        assert_eq!(
            r.first_reached(ReferralState::Accepted),
            Some(datetime!(2026-11-03 10:00 UTC))
        );
        assert_eq!(r.appointment_on(), Some(date!(2026 - 11 - 10)));
        assert_eq!(r.state().fhir_task_status(), "completed");
        assert_eq!(r.state().bser_business_status(), Some("7.0"));
    }

    #[test]
    fn skipping_a_required_state_is_refused_with_the_next_step() {
        let mut r = referral(Sensitivity::General);
        let at = datetime!(2026-11-02 10:00 UTC);
        let err = r
            .apply(
                ReferralAction::Schedule {
                    appointment_on: date!(2026 - 11 - 10),
                },
                user(1),
                at,
                NO_CONSENT,
            )
            .unwrap_err();
        assert_eq!(
            err.message,
            "A referral that is draft cannot become appointment scheduled: first send the referral to the partner"
        );
        r.apply(ReferralAction::Send, user(1), at, NO_CONSENT)
            .unwrap();
        let err = r
            .apply(ReferralAction::RecordAttended, user(1), at, NO_CONSENT)
            .unwrap_err();
        assert!(
            err.message
                .contains("first record whether the partner accepted")
        );
        let err = r
            .apply(
                ReferralAction::Close {
                    feedback: "seen".into(),
                },
                user(1),
                at,
                NO_CONSENT,
            )
            .unwrap_err();
        assert!(err.message.contains("cannot become closed with feedback"));
        assert_eq!(r.events.len(), 1, "refusals record nothing");
    }

    #[test]
    fn part2_referrals_need_consent_to_be_sent() {
        let mut r = referral(Sensitivity::SudPart2);
        let at = datetime!(2026-11-02 10:00 UTC);
        let err = r
            .apply(ReferralAction::Send, user(1), at, NO_CONSENT)
            .unwrap_err();
        assert!(err.message.contains("42 CFR Part 2"));
        let consent = ReferralContext {
            sensitive_disclosure_consent: true,
        };
        assert_eq!(
            r.apply(ReferralAction::Send, user(1), at, consent).unwrap(),
            ReferralState::Sent
        );
        // A general referral does not need the flag.
        let mut g = referral(Sensitivity::General);
        assert!(
            g.apply(ReferralAction::Send, user(1), at, NO_CONSENT)
                .is_ok()
        );
    }

    #[test]
    fn reasons_feedback_order_and_finished_referrals() {
        let mut r = referral(Sensitivity::General);
        let at = datetime!(2026-11-02 10:00 UTC);
        r.apply(ReferralAction::Send, user(1), at, NO_CONSENT)
            .unwrap();
        let blank_decline = ReferralAction::Decline { reason: " ".into() };
        assert!(r.apply(blank_decline, user(1), at, NO_CONSENT).is_err());
        let earlier = datetime!(2026-11-01 10:00 UTC);
        let err = r
            .apply(ReferralAction::Accept, user(1), earlier, NO_CONSENT)
            .unwrap_err();
        assert!(
            err.message
                .contains("before the referral's previous update")
        );
        r.apply(
            ReferralAction::Decline {
                reason: "Not accepting new clients".into(),
            },
            user(1),
            at,
            NO_CONSENT,
        )
        .unwrap();
        let err = r
            .apply(
                ReferralAction::Cancel {
                    reason: "dup".into(),
                },
                user(1),
                at,
                NO_CONSENT,
            )
            .unwrap_err();
        assert!(err.message.contains("finished"));
        assert!(
            Referral::new(
                PatientId(Uuid::nil()),
                ReferralTarget::SpecialtyBehavioralHealth {
                    description: "".into()
                },
                Sensitivity::General,
                " ",
                user(1),
                at
            )
            .unwrap_err()
            .errors
            .len()
                == 2
        );
    }

    #[test]
    fn no_show_can_be_rescheduled_or_closed_out() {
        let mut r = referral(Sensitivity::General);
        let at = datetime!(2026-11-02 10:00 UTC);
        let schedule = ReferralAction::Schedule {
            appointment_on: date!(2026 - 11 - 10),
        };
        for a in [
            ReferralAction::Send,
            ReferralAction::Accept,
            schedule.clone(),
        ] {
            r.apply(a, user(1), at, NO_CONSENT).unwrap();
        }
        r.apply(ReferralAction::RecordNoShow, user(1), at, NO_CONSENT)
            .unwrap();
        assert_eq!(r.state().bser_business_status(), Some("5.1.2"));
        r.apply(schedule, user(1), at, NO_CONSENT).unwrap();
        r.apply(ReferralAction::RecordNoShow, user(1), at, NO_CONSENT)
            .unwrap();
        assert_eq!(
            r.apply(
                ReferralAction::UnableToReach { note: None },
                user(1),
                at,
                NO_CONSENT
            )
            .unwrap(),
            ReferralState::UnableToReach
        );
        assert_eq!(r.state().fhir_task_status(), "failed");
    }

    #[test]
    fn follow_up_is_due_after_the_quiet_days() {
        let settings = FollowUpSettings::default();
        let mut r = referral(Sensitivity::General);
        // A draft created on 2 November is due on the 9th, not the 8th.
        assert_eq!(follow_up_due(&r, date!(2026 - 11 - 08), settings), None);
        let due = follow_up_due(&r, date!(2026 - 11 - 09), settings).unwrap();
        assert_eq!((due.days_quiet, due.state), (7, ReferralState::Draft));
        assert_eq!(due.next_step, "send the referral to the partner");
        for (a, at) in [
            (ReferralAction::Send, datetime!(2026-11-03 10:00 UTC)),
            (ReferralAction::Accept, datetime!(2026-11-04 10:00 UTC)),
            (
                ReferralAction::Schedule {
                    appointment_on: date!(2026 - 11 - 30),
                },
                datetime!(2026-11-05 10:00 UTC),
            ),
        ] {
            r.apply(a, user(1), at, NO_CONSENT).unwrap();
        }
        // Scheduled for the 30th: quiet is counted from the appointment, not from the 5th.
        assert_eq!(follow_up_due(&r, date!(2026 - 12 - 06), settings), None);
        let due = follow_up_due(&r, date!(2026 - 12 - 07), settings).unwrap();
        assert_eq!(due.quiet_since, date!(2026 - 11 - 30));
        let short = FollowUpSettings {
            days_without_update: 2,
        };
        assert!(follow_up_due(&r, date!(2026 - 12 - 02), short).is_some());
        r.apply(
            ReferralAction::Cancel {
                reason: "Patient moved".into(),
            },
            user(1),
            datetime!(2026-12-08 10:00 UTC),
            NO_CONSENT,
        )
        .unwrap();
        assert_eq!(follow_up_due(&r, date!(2027 - 06 - 01), settings), None);
    }

    fn any_action() -> impl Strategy<Value = ReferralAction> {
        let text = prop_oneof![Just(String::new()), Just("ok".to_owned())];
        prop_oneof![
            Just(ReferralAction::Send),
            Just(ReferralAction::Accept),
            text.clone()
                .prop_map(|reason| ReferralAction::Decline { reason }),
            (0i64..60).prop_map(|d| ReferralAction::Schedule {
                appointment_on: date!(2026 - 11 - 01) + time::Duration::days(d)
            }),
            Just(ReferralAction::RecordAttended),
            Just(ReferralAction::RecordNoShow),
            text.clone()
                .prop_map(|feedback| ReferralAction::Close { feedback }),
            text.prop_map(|reason| ReferralAction::Cancel { reason }),
            Just(ReferralAction::UnableToReach { note: None }),
            Just(ReferralAction::PatientDeclined { note: None }),
        ]
    }

    /// The state that must have been reached before `s` (the main path of §6.4).
    fn required_before(s: ReferralState) -> Option<ReferralState> {
        use ReferralState::*;
        match s {
            Sent => Some(Draft),
            Accepted | Declined => Some(Sent),
            Scheduled => Some(Accepted),
            Attended | NoShow => Some(Scheduled),
            Closed => Some(Attended),
            _ => None,
        }
    }

    proptest! {
        /// Random sequences of actions never skip a required state, a refusal records
        /// nothing, every accepted change is recorded with its author and time, a finished
        /// referral never changes, and a Part 2 referral is sent only with consent.
        #[test]
        fn random_sequences_never_skip_a_required_state(
            part2: bool,
            steps in proptest::collection::vec((any_action(), any::<bool>(), 0u8..5), 0..40),
        ) {
            let sensitivity = if part2 { Sensitivity::SudPart2 } else { Sensitivity::General };
            let mut r = referral(sensitivity);
            let mut at = r.created_at;
            for (i, (action, consent, hours)) in steps.into_iter().enumerate() {
                at += time::Duration::hours(i64::from(hours));
                let before = r.clone();
                let ctx = ReferralContext { sensitive_disclosure_consent: consent };
                match r.apply(action.clone(), user(i as u128), at, ctx) {
                    Ok(to) => {
                        prop_assert!(!before.state().is_terminal());
                        prop_assert_eq!(r.events.len(), before.events.len() + 1);
                        let e = r.events.last().unwrap();
                        prop_assert_eq!((e.from, e.to), (before.state(), to));
                        prop_assert_eq!(&e.action, &action);
                        prop_assert_eq!((e.by, e.at), (user(i as u128), at));
                        if to == ReferralState::Sent && part2 {
                            prop_assert!(consent);
                        }
                    }
                    Err(_) => prop_assert_eq!(&r, &before),
                }
            }
            let mut seen = vec![ReferralState::Draft];
            for e in &r.events {
                if let Some(required) = required_before(e.to) {
                    prop_assert!(seen.contains(&required), "{} without {}", e.to, required);
                }
                // The steps that follow one another directly.
                match e.to {
                    ReferralState::Accepted | ReferralState::Declined => {
                        prop_assert_eq!(e.from, ReferralState::Sent)
                    }
                    ReferralState::Attended | ReferralState::NoShow => {
                        prop_assert_eq!(e.from, ReferralState::Scheduled)
                    }
                    ReferralState::Closed => prop_assert_eq!(e.from, ReferralState::Attended),
                    _ => {}
                }
                seen.push(e.to);
            }
        }
    }
}
