//! Episodes of care (CoCM or general BHI) and their state machine.
//!
//! referred → enrolled (documented consent) → active treatment → relapse-prevention plan →
//! discharged with a reason; an open episode lapses after six consecutive calendar months
//! without services (reference cocm-billing-registry.md §3.4, [S5]: the AMA episode
//! definition as summarized by NC Medicaid).

use crate::calendar::YearMonth;
use crate::codes::code_enum;
use crate::error::ValidationError;
use crate::ids::UserId;
use serde::{Deserialize, Serialize};
use time::Date;

code_enum! {
    pub enum Program ("program") {
        /// Psychiatric Collaborative Care Model (99492/99493/99494, G2214).
        Cocm = "cocm",
        /// General behavioral health integration (99484, G0323).
        GeneralBhi = "bhi",
    }
}

impl Program {
    pub fn label(self) -> &'static str {
        match self {
            Program::Cocm => "Collaborative Care",
            Program::GeneralBhi => "General BHI",
        }
    }
}

code_enum! {
    pub enum EpisodeStatus ("episode status") {
        Referred = "referred",
        Enrolled = "enrolled",
        Active = "active",
        RelapsePrevention = "relapse_prevention",
        Discharged = "discharged",
        /// Closed by the six-month rule: no services for six consecutive calendar months.
        Lapsed = "lapsed",
    }
}

impl EpisodeStatus {
    /// Enrolled, active or in relapse prevention: on the caseload.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            EpisodeStatus::Enrolled | EpisodeStatus::Active | EpisodeStatus::RelapsePrevention
        )
    }

    pub fn is_closed(self) -> bool {
        matches!(self, EpisodeStatus::Discharged | EpisodeStatus::Lapsed)
    }

    pub fn label(self) -> &'static str {
        match self {
            EpisodeStatus::Referred => "Referred",
            EpisodeStatus::Enrolled => "Enrolled",
            EpisodeStatus::Active => "Active treatment",
            EpisodeStatus::RelapsePrevention => "Relapse prevention",
            EpisodeStatus::Discharged => "Discharged",
            EpisodeStatus::Lapsed => "Lapsed",
        }
    }
}

code_enum! {
    pub enum DischargeReason ("discharge reason") {
        GoalMet = "goal_met",
        ReferredToSpecialtyCare = "referred_to_specialty_care",
        PatientDeclined = "patient_declined",
        LostToFollowUp = "lost_to_follow_up",
    }
}

code_enum! {
    pub enum ConsentMethod ("consent method") {
        Verbal = "verbal",
        Written = "written",
    }
}

/// A documented consent to a care-management program (reference §2.5, [S31]: advance consent,
/// verbal or written, cost sharing explained, permission to consult specialists).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Consent {
    pub program: Program,
    pub consented_on: Date,
    pub method: ConsentMethod,
    pub cost_sharing_explained: bool,
    pub consult_permission: bool,
    pub obtained_by: UserId,
    pub revoked_on: Option<Date>,
}

impl Consent {
    /// In force on `date`: given on or before it and not revoked by then.
    pub fn in_force_on(&self, date: Date) -> bool {
        self.consented_on <= date && self.revoked_on.is_none_or(|r| date < r)
    }
}

/// Raw consent input.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ConsentInput {
    /// `YYYY-MM-DD`
    pub consented_on: String,
    /// `verbal` or `written`
    pub method: String,
    pub cost_sharing_explained: bool,
    pub consult_permission: bool,
}

impl ConsentInput {
    /// A consent is complete only when it documents what the program requires: cost sharing
    /// explained for both programs, and permission to consult the psychiatric consultant for
    /// CoCM (reference §2.5 and bhi-planning.md §7.1).
    pub fn parse(
        &self,
        program: Program,
        obtained_by: UserId,
        today: Date,
    ) -> Result<Consent, ValidationError> {
        let mut errors = ValidationError::new();
        let consented_on = errors.check(crate::patient::parse_date(
            "consented_on",
            &self.consented_on,
        ));
        if consented_on.is_some_and(|d| d > today) {
            errors.push("consented_on", "Consent date is in the future");
        }
        let method = ConsentMethod::parse(self.method.trim())
            .map_err(|_| {
                errors.push(
                    "method",
                    format!("must be one of: {}", ConsentMethod::allowed()),
                )
            })
            .ok();
        if !self.cost_sharing_explained {
            errors.push(
                "cost_sharing_explained",
                "Consent must document that cost sharing was explained to the patient",
            );
        }
        if program == Program::Cocm && !self.consult_permission {
            errors.push(
                "consult_permission",
                "Collaborative Care consent must include permission to consult the psychiatric consultant",
            );
        }
        match (consented_on, method) {
            (Some(consented_on), Some(method)) if errors.is_empty() => Ok(Consent {
                program,
                consented_on,
                method,
                cost_sharing_explained: self.cost_sharing_explained,
                consult_permission: self.consult_permission,
                obtained_by,
                revoked_on: None,
            }),
            _ => Err(errors),
        }
    }
}

/// A requested change of an episode's status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Transition {
    /// Referred → enrolled; needs a consent in force for the episode's program.
    Enroll,
    /// Enrolled → active treatment (or back from relapse prevention after a relapse).
    StartTreatment,
    /// Active → relapse prevention, with the plan written down.
    BeginRelapsePrevention { plan: String },
    /// Close the episode with a reason.
    Discharge { reason: DischargeReason },
}

/// What the state machine must know beyond the current status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TransitionContext {
    /// A consent for the episode's program is in force on the transition date.
    pub consent_in_force: bool,
    /// A relapse-prevention plan is documented for the episode.
    pub has_relapse_prevention_plan: bool,
}

/// The transition is not allowed from the current status; the message says why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct TransitionError {
    pub from: EpisodeStatus,
    pub message: String,
}

/// The status after `transition`, or why it is refused.
pub fn transition(
    from: EpisodeStatus,
    t: &Transition,
    ctx: TransitionContext,
) -> Result<EpisodeStatus, TransitionError> {
    use EpisodeStatus::*;
    let refuse = |message: String| Err(TransitionError { from, message });
    if from.is_closed() {
        return refuse(format!(
            "This episode is {} and cannot change; start a new episode instead",
            from.label().to_lowercase()
        ));
    }
    match t {
        Transition::Enroll => match from {
            Referred if ctx.consent_in_force => Ok(Enrolled),
            Referred => refuse(
                "Enrollment needs a documented consent for this program (date, verbal or written, cost sharing explained, who obtained it)".into(),
            ),
            _ => refuse(format!("The patient is already enrolled (status: {})", from.label())),
        },
        Transition::StartTreatment => match from {
            Enrolled | RelapsePrevention => Ok(Active),
            Referred => refuse("Enroll the patient (with consent) before starting treatment".into()),
            _ => refuse("Treatment is already active".into()),
        },
        Transition::BeginRelapsePrevention { plan } => match from {
            Active if plan.trim().is_empty() => {
                refuse("Write the relapse-prevention plan before moving to relapse prevention".into())
            }
            Active => Ok(RelapsePrevention),
            _ => refuse(format!(
                "Relapse prevention follows active treatment (status: {})",
                from.label()
            )),
        },
        Transition::Discharge { reason } => match (from, reason) {
            // Goal met: the episode ends with a relapse-prevention plan (reference §9.6, [S56][S57]).
            (RelapsePrevention, DischargeReason::GoalMet) if ctx.has_relapse_prevention_plan => {
                Ok(Discharged)
            }
            (_, DischargeReason::GoalMet) => refuse(
                "Discharge as goal met comes after the relapse-prevention plan; move the episode to relapse prevention first".into(),
            ),
            (Referred, DischargeReason::LostToFollowUp) => refuse(
                "A referred patient who never enrolled is closed as patient declined or referred to specialty care".into(),
            ),
            _ => Ok(Discharged),
        },
    }
}

/// Number of consecutive calendar months without services that closes an episode ([S5]).
pub const LAPSE_MONTHS: i32 = 6;

/// The month after which an open episode lapses, given the month of its last service (or of
/// enrollment when there was none yet): the episode lapses once six whole calendar months have
/// passed with no services. Example 16 of the reference: services Jan–Mar, none Apr–Sep, so the
/// episode has lapsed by October; example 17: a gap of Apr–Aug only keeps it open in September.
pub fn lapse_month(last_service: YearMonth) -> YearMonth {
    let mut m = last_service;
    for _ in 0..LAPSE_MONTHS {
        m = m.next();
    }
    m
}

/// Whether an open episode has lapsed by `today`; the date it lapsed is the last day of the
/// sixth empty month.
pub fn lapsed_on(last_service: YearMonth, today: Date) -> Option<Date> {
    let end = lapse_month(last_service);
    (YearMonth::of(today) > end).then(|| end.last_day())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    fn ctx(consent: bool, plan: bool) -> TransitionContext {
        TransitionContext {
            consent_in_force: consent,
            has_relapse_prevention_plan: plan,
        }
    }

    #[test]
    fn the_happy_path() {
        use EpisodeStatus::*;
        let s = transition(Referred, &Transition::Enroll, ctx(true, false)).unwrap();
        assert_eq!(s, Enrolled);
        let s = transition(s, &Transition::StartTreatment, ctx(true, false)).unwrap();
        assert_eq!(s, Active);
        let plan = Transition::BeginRelapsePrevention {
            plan: "Keep walking daily; call if PHQ-9 rises".into(),
        };
        let s = transition(s, &plan, ctx(true, false)).unwrap();
        assert_eq!(s, RelapsePrevention);
        let goal = Transition::Discharge {
            reason: DischargeReason::GoalMet,
        };
        assert_eq!(transition(s, &goal, ctx(true, true)).unwrap(), Discharged);
    }

    #[test]
    fn enrollment_needs_consent() {
        let err = transition(
            EpisodeStatus::Referred,
            &Transition::Enroll,
            ctx(false, false),
        )
        .unwrap_err();
        assert!(err.message.contains("consent"), "{err}");
    }

    #[test]
    fn goal_met_needs_relapse_prevention_first() {
        let goal = Transition::Discharge {
            reason: DischargeReason::GoalMet,
        };
        assert!(transition(EpisodeStatus::Active, &goal, ctx(true, true)).is_err());
        assert!(transition(EpisodeStatus::RelapsePrevention, &goal, ctx(true, false)).is_err());
    }

    #[test]
    fn relapse_returns_to_active() {
        assert_eq!(
            transition(
                EpisodeStatus::RelapsePrevention,
                &Transition::StartTreatment,
                ctx(true, true)
            )
            .unwrap(),
            EpisodeStatus::Active
        );
    }

    #[test]
    fn reference_examples_16_and_17() {
        let march = YearMonth::new(2026, 3).unwrap();
        // Ex. 16: no services Apr–Sep → lapsed by October.
        assert_eq!(
            lapsed_on(march, date!(2026 - 10 - 01)),
            Some(date!(2026 - 09 - 30))
        );
        // Ex. 17: gap Apr–Aug only → still open in September.
        assert_eq!(lapsed_on(march, date!(2026 - 09 - 15)), None);
    }

    fn any_status() -> impl Strategy<Value = EpisodeStatus> {
        proptest::sample::select(EpisodeStatus::ALL.to_vec())
    }

    fn any_transition() -> impl Strategy<Value = Transition> {
        prop_oneof![
            Just(Transition::Enroll),
            Just(Transition::StartTreatment),
            ".{0,3}".prop_map(|plan| Transition::BeginRelapsePrevention { plan }),
            proptest::sample::select(DischargeReason::ALL.to_vec())
                .prop_map(|reason| Transition::Discharge { reason }),
        ]
    }

    proptest! {
        /// Closed episodes never reopen, and nothing reaches enrollment without consent.
        #[test]
        fn closed_is_terminal_and_consent_gates_enrollment(
            from in any_status(), t in any_transition(), consent: bool, plan: bool
        ) {
            let r = transition(from, &t, ctx(consent, plan));
            if from.is_closed() {
                prop_assert!(r.is_err());
            }
            if let Ok(to) = r {
                if to == EpisodeStatus::Enrolled {
                    prop_assert!(consent);
                }
                prop_assert_ne!(to, EpisodeStatus::Referred);
                prop_assert_ne!(to, EpisodeStatus::Lapsed);
            }
        }
    }
}
