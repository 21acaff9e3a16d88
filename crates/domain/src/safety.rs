//! Safety alerts: what a response's safety items raise, who must act on it, by when, and how an
//! alert is closed. Pure rules; the store writes the alert, the patient's flag and the task in
//! the same transaction as the response.
//!
//! Sources: reference instruments.md §1 ("item 9 ≥ 1 ⇒ suicide-risk alert, independent of the
//! total … task for same-day C-SSRS screener / safety assessment"), §10 ("any Moderate/High
//! must create an alert task"), §11 (EPDS item 10 > 0 ⇒ immediate assessment), §16.5
//! (safety alerts are item-level and independent of totals).
//!
//! # A safety item left unanswered
//!
//! A missing suicide item is never taken as 0 (reference §1 "Missing items"; DESIGN "Never
//! infer a missing item"). So a response whose safety status is `unknown` raises an alert of
//! its own kind, [`AlertKind::Unanswered`], with a same-day task to ask the item. It shows in
//! the same lists, raises the same registry safety flag, and is closed the same way: by a
//! clinician, with the action taken (usually [`ClosureAction::ItemAsked`], after recording a
//! response that answers it; a positive answer then raises its own alert).

use crate::codes::code_enum;
use crate::contact::parse_note;
use crate::error::ValidationError;
use crate::ids::UserId;
use crate::instruments::{InstrumentId, Safety, Score};
use crate::task::TaskKind;
use serde::{Deserialize, Serialize};
use time::Date;

code_enum! {
    /// Why an alert was raised.
    pub enum AlertKind ("alert kind") {
        /// A safety item was answered at or above its alert level (PHQ-9 item 9 ≥ 1, a PHQ-A
        /// suicide item, EPDS item 10 > 0, the C-SSRS level in force).
        Positive = "positive",
        /// A safety item was left unanswered: the safety status is unknown, never clear.
        Unanswered = "unanswered",
    }
}

code_enum! {
    pub enum AlertStatus ("alert status") {
        Open = "open",
        Closed = "closed",
    }
}

code_enum! {
    /// The documented action that closes an alert. An alert is never dismissed without one.
    pub enum ClosureAction ("closure action") {
        /// A C-SSRS screener (or fuller suicide risk assessment) was completed (reference §1, §10).
        CssrsCompleted = "cssrs_completed",
        /// A safety plan was made with the patient.
        SafetyPlanMade = "safety_plan_made",
        /// The patient was connected with the 988 Suicide & Crisis Lifeline or a crisis team
        /// (reference bhi-planning.md, crisis resources).
        CrisisReferral988 = "crisis_referral_988",
        /// Emergency services were called or the patient was sent to emergency care.
        EmergencyServices = "emergency_services",
        /// The unanswered safety item was asked and the answer recorded in a new response.
        /// Closes only alerts of kind `unanswered`.
        ItemAsked = "item_asked",
        /// Anything else: the note is required.
        Other = "other",
    }
}

impl ClosureAction {
    pub fn label(self) -> &'static str {
        match self {
            ClosureAction::CssrsCompleted => "C-SSRS / suicide risk assessment completed",
            ClosureAction::SafetyPlanMade => "Safety plan made",
            ClosureAction::CrisisReferral988 => "Connected with 988 / crisis services",
            ClosureAction::EmergencyServices => "Emergency services",
            ClosureAction::ItemAsked => "Safety item asked and answered",
            ClosureAction::Other => "Other (see note)",
        }
    }
}

/// The alert a scored response raises, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RaisedAlert {
    pub kind: AlertKind,
    /// Item numbers (answer-list positions from 1): those that alerted, or the safety items
    /// left unanswered.
    pub items: Vec<u8>,
}

/// The alert raised by a response (`answers` as positions, the score computed from them):
/// a positive one when the score alerts; an unanswered one when its safety status is unknown.
pub fn raised_alert(score: &Score, answers: &[Option<u8>]) -> Option<RaisedAlert> {
    match score.safety {
        Safety::Clear => None,
        Safety::Alert => Some(RaisedAlert {
            kind: AlertKind::Positive,
            items: score.alert_items.clone(),
        }),
        Safety::Unknown => Some(RaisedAlert {
            kind: AlertKind::Unanswered,
            items: unanswered_safety_items(score, answers),
        }),
    }
}

/// The safety items a response left blank (not those its skip logic skipped). The C-SSRS has
/// no single safety item: every question it asks decides the risk level, so its unanswered
/// questions are listed.
fn unanswered_safety_items(score: &Score, answers: &[Option<u8>]) -> Vec<u8> {
    let def = score.instrument.definition();
    let safety: Vec<u8> = def
        .items
        .iter()
        .filter(|i| i.is_safety_item())
        .map(|i| i.number)
        .filter(|n| {
            let answered = answers
                .get(usize::from(*n) - 1)
                .copied()
                .flatten()
                .is_some();
            !answered && !score.skipped_items.contains(n)
        })
        .collect();
    if safety.is_empty() {
        score.missing_items.clone()
    } else {
        safety
    }
}

/// "PHQ-9 item 9", "C-SSRS questions 2, 3": the items as printed on the form.
pub fn describe_items(instrument: InstrumentId, items: &[u8]) -> String {
    let def = instrument.definition();
    let noun = match (instrument, items.len()) {
        (InstrumentId::Cssrs, 1) => "question",
        (InstrumentId::Cssrs, _) => "questions",
        (_, 1) => "item",
        _ => "items",
    };
    let numbers: Vec<&str> = items
        .iter()
        .map(|n| def.item(*n).map_or("?", |i| i.form_number))
        .collect();
    format!("{} {noun} {}", def.name, numbers.join(", "))
}

/// What the alert asks of the clinician, as the task says it.
pub fn task_summary(instrument: InstrumentId, kind: AlertKind, items: &[u8]) -> String {
    let what = describe_items(instrument, items);
    match kind {
        AlertKind::Positive => format!(
            "Safety alert: {what} positive. Assess suicide risk today (C-SSRS screener or safety assessment) and close the alert with the action taken"
        ),
        AlertKind::Unanswered => format!(
            "Safety item not answered: {what}. Ask it today, record the answer, and close the alert with the action taken"
        ),
    }
}

/// The task an alert gives its clinician.
pub fn task_kind(kind: AlertKind) -> TaskKind {
    match kind {
        AlertKind::Positive => TaskKind::SafetyAssessment,
        AlertKind::Unanswered => TaskKind::AskSafetyItem,
    }
}

/// When the task is due: the day the alert is raised, for both kinds (reference §1:
/// "task for same-day C-SSRS screener / safety assessment"; §11: EPDS item 10 ⇒ immediate
/// assessment). An unanswered item is treated as possibly positive, so it is due as soon.
pub fn task_due(raised_on: Date) -> Date {
    raised_on
}

/// Who gets the task: the patient's care manager, else the treating practitioner (the care
/// manager is the CoCM team member who follows the patient between visits; the practitioner
/// directs care — DESIGN "Users and roles"). A patient with neither still gets a task, for the
/// person who recorded the response: an alert is never left without someone to see it.
pub fn responsible_clinician(
    care_manager: Option<UserId>,
    treating_practitioner: Option<UserId>,
    recorded_by: UserId,
) -> UserId {
    care_manager
        .or(treating_practitioner)
        .unwrap_or(recorded_by)
}

/// The body of a closure.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ClosureInput {
    /// One of `cssrs_completed`, `safety_plan_made`, `crisis_referral_988`,
    /// `emergency_services`, `item_asked` (unanswered alerts only), `other` (note required).
    pub action: String,
    #[serde(default)]
    pub note: Option<String>,
}

/// A checked closure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closure {
    pub action: ClosureAction,
    pub note: Option<String>,
}

impl ClosureInput {
    /// Check the closure of an alert of `kind`.
    pub fn parse(&self, kind: AlertKind) -> Result<Closure, ValidationError> {
        let mut errors = ValidationError::new();
        let note = parse_note(&mut errors, "note", self.note.as_deref());
        let action = match ClosureAction::parse(self.action.trim()) {
            Ok(a) => Some(a),
            Err(_) => {
                errors.push(
                    "action",
                    format!("must be one of: {}", ClosureAction::allowed()),
                );
                None
            }
        };
        match action {
            Some(ClosureAction::Other) if note.is_none() => errors.push(
                "note",
                "is required with action \"other\": say what was done",
            ),
            Some(ClosureAction::ItemAsked) if kind == AlertKind::Positive => errors.push(
                "action",
                "item_asked closes an alert for an unanswered item; this alert is for a positive answer: say what was done about it",
            ),
            _ => {}
        }
        errors.into_result()?;
        let action = action.ok_or_else(|| ValidationError::field("action", "is required"))?;
        Ok(Closure { action, note })
    }
}

/// An open alert as the registry needs it: it raises the safety flag of the patient's
/// episodes until it is closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OpenAlert {
    pub instrument: InstrumentId,
    pub kind: AlertKind,
    pub items: Vec<u8>,
    pub raised_on: Date,
}

impl OpenAlert {
    /// "PHQ-9 item 9 positive (raised 2026-11-20)".
    pub fn describe(&self) -> String {
        let what = describe_items(self.instrument, &self.items);
        let state = match self.kind {
            AlertKind::Positive => "positive",
            AlertKind::Unanswered => "not answered",
        };
        format!("{what} {state} (raised {})", self.raised_on)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instruments::RiskLevel;
    use crate::instruments::{ScoringContext, ScoringSettings, score, score_with};
    use time::macros::date;

    fn phq9(item9: Option<u8>) -> (Score, Vec<Option<u8>>) {
        let mut a = vec![Some(1); 8];
        a.push(item9);
        (score(InstrumentId::Phq9, &a).unwrap(), a)
    }

    #[test]
    fn item9_positive_raises_a_positive_alert() {
        let (s, a) = phq9(Some(1));
        assert_eq!(
            raised_alert(&s, &a),
            Some(RaisedAlert {
                kind: AlertKind::Positive,
                items: vec![9]
            })
        );
        let (s, a) = phq9(Some(0));
        assert_eq!(raised_alert(&s, &a), None);
    }

    /// Reference §1: a missing suicide item is never taken as 0.
    #[test]
    fn item9_blank_raises_an_unanswered_alert() {
        let (s, a) = phq9(None);
        let alert = raised_alert(&s, &a).unwrap();
        assert_eq!(alert.kind, AlertKind::Unanswered);
        assert_eq!(alert.items, vec![9]);
        assert_eq!(
            describe_items(InstrumentId::Phq9, &alert.items),
            "PHQ-9 item 9"
        );
    }

    /// PHQ-A items 12–13 are not required, yet leaving them off leaves safety unknown.
    #[test]
    fn phqa_unrequired_safety_items_left_off_are_listed() {
        let a = vec![Some(0); 9];
        let s = score(InstrumentId::Phqa, &a).unwrap();
        let alert = raised_alert(&s, &a).unwrap();
        assert_eq!(alert.kind, AlertKind::Unanswered);
        assert_eq!(alert.items, vec![12, 13]);
        let mut a = vec![Some(0); 13];
        a[12] = Some(1);
        let s = score(InstrumentId::Phqa, &a).unwrap();
        assert_eq!(raised_alert(&s, &a).unwrap().items, vec![13]);
    }

    #[test]
    fn epds_item10_and_cssrs_follow_the_scorer() {
        // EPDS item 10 scores 3 − position: any option but the bottom one alerts.
        let mut a = vec![Some(3); 10];
        a[9] = Some(2);
        let s = score(InstrumentId::Epds, &a).unwrap();
        assert_eq!(raised_alert(&s, &a).unwrap().items, vec![10]);
        // C-SSRS question 1 Yes only: Low, below the default alert level.
        let low = vec![Some(1), Some(0), None, None, None, Some(0)];
        let s = score(InstrumentId::Cssrs, &low).unwrap();
        assert_eq!(raised_alert(&s, &low), None);
        // With the practice alerting on Low, it alerts.
        let ctx = ScoringContext {
            sex: None,
            settings: ScoringSettings {
                cssrs_alert_at: RiskLevel::Low,
                ..ScoringSettings::default()
            },
        };
        let s = score_with(InstrumentId::Cssrs, &low, &ctx).unwrap();
        assert_eq!(raised_alert(&s, &low).unwrap().items, vec![1]);
        // Question 6 blank: the unanswered questions are listed, 6a with it (the scorer counts
        // it missing, as nobody knows whether it should have been asked).
        let blank = vec![Some(0), Some(0), None, None, None, None];
        let s = score(InstrumentId::Cssrs, &blank).unwrap();
        let alert = raised_alert(&s, &blank).unwrap();
        assert_eq!(
            (alert.kind, alert.items.clone()),
            (AlertKind::Unanswered, vec![6, 7])
        );
        assert_eq!(
            describe_items(InstrumentId::Cssrs, &[2, 7]),
            "C-SSRS questions 2, 6a"
        );
    }

    #[test]
    fn the_care_manager_first_then_the_practitioner_then_the_recorder() {
        let (cm, tp, ma) = (
            UserId::from_uuid(uuid::Uuid::from_u128(1)),
            UserId::from_uuid(uuid::Uuid::from_u128(2)),
            UserId::from_uuid(uuid::Uuid::from_u128(3)),
        );
        assert_eq!(responsible_clinician(Some(cm), Some(tp), ma), cm);
        assert_eq!(responsible_clinician(None, Some(tp), ma), tp);
        assert_eq!(responsible_clinician(None, None, ma), ma);
        assert_eq!(task_due(date!(2026 - 11 - 20)), date!(2026 - 11 - 20));
    }

    fn closure(
        action: &str,
        note: Option<&str>,
        kind: AlertKind,
    ) -> Result<Closure, ValidationError> {
        ClosureInput {
            action: action.into(),
            note: note.map(str::to_owned),
        }
        .parse(kind)
    }

    #[test]
    fn a_closure_needs_a_documented_action() {
        let c = closure("safety_plan_made", None, AlertKind::Positive).unwrap();
        assert_eq!(c.action, ClosureAction::SafetyPlanMade);
        let c = closure(
            " crisis_referral_988 ",
            Some("  called with patient "),
            AlertKind::Positive,
        )
        .unwrap();
        assert_eq!(
            (c.action, c.note.as_deref()),
            (
                ClosureAction::CrisisReferral988,
                Some("called with patient")
            )
        );
        let e = closure("dismissed", None, AlertKind::Positive).unwrap_err();
        assert_eq!(e.errors[0].field, "action");
        assert!(e.errors[0].message.contains("cssrs_completed"));
        let e = closure("", None, AlertKind::Positive).unwrap_err();
        assert_eq!(e.errors[0].field, "action");
        // "Other" needs a note saying what was done.
        let e = closure("other", Some("   "), AlertKind::Positive).unwrap_err();
        assert_eq!(e.errors[0].field, "note");
        assert!(closure("other", Some("Seen by Dr B"), AlertKind::Positive).is_ok());
        // Asking the item closes only an unanswered-item alert.
        assert!(closure("item_asked", None, AlertKind::Unanswered).is_ok());
        let e = closure("item_asked", None, AlertKind::Positive).unwrap_err();
        assert_eq!(e.errors[0].field, "action");
        let long = "x".repeat(crate::contact::NOTE_MAX + 1);
        assert!(closure("other", Some(&long), AlertKind::Positive).is_err());
    }

    #[test]
    fn summaries_name_the_items() {
        let s = task_summary(InstrumentId::Epds, AlertKind::Positive, &[10]);
        assert!(s.starts_with("Safety alert: EPDS item 10 positive"), "{s}");
        let u = OpenAlert {
            instrument: InstrumentId::Phq9,
            kind: AlertKind::Unanswered,
            items: vec![9],
            raised_on: date!(2026 - 11 - 20),
        };
        assert_eq!(
            u.describe(),
            "PHQ-9 item 9 not answered (raised 2026-11-20)"
        );
    }
}
