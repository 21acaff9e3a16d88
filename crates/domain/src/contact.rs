//! Contacts and activities of the care team, with their minutes.

use crate::assessment::parse_label;
use crate::codes::code_enum;
use crate::error::ValidationError;
use crate::patient::parse_date;
use crate::role::Role;
use crate::sensitivity::{RecordLabel, may_write_psychotherapy_note};
use serde::{Deserialize, Serialize};
use time::Date;

code_enum! {
    pub enum ContactKind ("contact kind") {
        InitialAssessment = "initial_assessment",
        FollowUp = "follow_up",
        OutreachAttempt = "outreach_attempt",
        CareCoordination = "care_coordination",
        BriefIntervention = "brief_intervention",
        PsychiatricCaseReview = "psychiatric_case_review",
        RelapsePreventionPlanning = "relapse_prevention_planning",
        Other = "other",
    }
}

impl ContactKind {
    /// A contact with the patient that counts as a session on the caseload (outreach attempts
    /// and team-only work do not).
    pub fn is_session(self) -> bool {
        matches!(
            self,
            ContactKind::InitialAssessment
                | ContactKind::FollowUp
                | ContactKind::BriefIntervention
                | ContactKind::RelapsePreventionPlanning
        )
    }

    pub fn label(self) -> &'static str {
        match self {
            ContactKind::InitialAssessment => "Initial assessment",
            ContactKind::FollowUp => "Follow-up",
            ContactKind::OutreachAttempt => "Outreach attempt",
            ContactKind::CareCoordination => "Care coordination",
            ContactKind::BriefIntervention => "Brief intervention",
            ContactKind::PsychiatricCaseReview => "Psychiatric case review",
            ContactKind::RelapsePreventionPlanning => "Relapse-prevention planning",
            ContactKind::Other => "Other",
        }
    }
}

code_enum! {
    pub enum Modality ("modality") {
        InPerson = "in_person",
        Video = "video",
        Phone = "phone",
        PortalMessage = "portal_message",
    }
}

code_enum! {
    /// Why an activity's minutes do not count toward care management
    /// (reference cocm-billing-registry.md §3.1, [S1][S2][S4]).
    pub enum MinutesExclusion ("minutes exclusion") {
        /// The activity is a separately billed service (psychotherapy, psychiatric evaluation, E/M).
        SeparatelyBilled = "separately_billed",
        /// The patient was inpatient or in observation status.
        Inpatient = "inpatient",
    }
}

/// Minutes of one activity: 0 to 600 (ten hours; more is a typing error).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = u16))]
#[serde(try_from = "u16", into = "u16")]
pub struct Minutes(u16);

impl Minutes {
    pub const MAX: u16 = 600;

    pub fn new(m: u16) -> Option<Self> {
        (m <= Self::MAX).then_some(Self(m))
    }

    pub fn get(self) -> u16 {
        self.0
    }
}

impl TryFrom<u16> for Minutes {
    type Error = String;
    fn try_from(m: u16) -> Result<Self, Self::Error> {
        Self::new(m).ok_or_else(|| format!("minutes must be between 0 and {}", Self::MAX))
    }
}

impl From<Minutes> for u16 {
    fn from(m: Minutes) -> u16 {
        m.0
    }
}

/// Whether an activity's minutes count toward care management: not when separately billed,
/// not while the patient is inpatient (reference §3.1).
pub fn counts_toward_care_management(exclusion: Option<MinutesExclusion>) -> bool {
    exclusion.is_none()
}

/// A contact as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactDetails {
    pub contact_on: Date,
    pub staff_role: Role,
    pub kind: ContactKind,
    pub modality: Modality,
    pub minutes: Minutes,
    pub exclusion: Option<MinutesExclusion>,
    pub note: Option<String>,
    /// How the contact is kept apart (`general`, `sud_part2`, `psychotherapy_note`).
    #[serde(default)]
    pub label: RecordLabel,
}

impl ContactDetails {
    pub fn counts_toward_care_management(&self) -> bool {
        counts_toward_care_management(self.exclusion)
    }
}

/// Raw contact input.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ContactInput {
    /// `YYYY-MM-DD`
    pub contact_on: String,
    /// The role in which the staff member acted; must be one of their roles.
    pub staff_role: String,
    pub kind: String,
    pub modality: String,
    pub minutes: i64,
    /// `separately_billed`, `inpatient`, or absent when the minutes count.
    #[serde(default)]
    pub exclusion: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    /// `general` (the default); `sud_part2` for a substance-use treatment contact under
    /// 42 CFR Part 2; `psychotherapy_note` when the note is a psychotherapy note (HIPAA
    /// 164.501), read by its author only: the care manager or psychiatrist, with a note.
    #[serde(default)]
    pub label: Option<String>,
}

/// Longest free-text note kept with a record.
pub const NOTE_MAX: usize = 4000;

fn code<T>(
    errors: &mut ValidationError,
    field: &str,
    raw: &str,
    parse: fn(&str) -> Result<T, crate::error::UnknownCode>,
    allowed: fn() -> String,
) -> Option<T> {
    match parse(raw.trim()) {
        Ok(v) => Some(v),
        Err(_) => {
            errors.push(field, format!("must be one of: {}", allowed()));
            None
        }
    }
}

/// A free-text note: trimmed, empty becomes none, bounded length.
pub fn parse_note(errors: &mut ValidationError, field: &str, raw: Option<&str>) -> Option<String> {
    let s = raw.map(str::trim).filter(|s| !s.is_empty())?;
    if s.chars().count() > NOTE_MAX {
        errors.push(field, format!("at most {NOTE_MAX} characters"));
    }
    Some(s.to_owned())
}

impl ContactInput {
    /// Parse the input; `staff_roles` are the roles the recording staff member holds.
    pub fn parse(
        &self,
        staff_roles: &[Role],
        today: Date,
    ) -> Result<ContactDetails, ValidationError> {
        let mut errors = ValidationError::new();
        let contact_on = errors.check(parse_date("contact_on", &self.contact_on));
        if contact_on.is_some_and(|d| d > today) {
            errors.push("contact_on", "Contact date is in the future");
        }
        let staff_role = code(
            &mut errors,
            "staff_role",
            &self.staff_role,
            Role::parse,
            Role::allowed,
        );
        if let Some(r) = staff_role
            && !staff_roles.contains(&r)
        {
            errors.push(
                "staff_role",
                format!("The staff member does not hold the role '{r}'"),
            );
        }
        let kind = code(
            &mut errors,
            "kind",
            &self.kind,
            ContactKind::parse,
            ContactKind::allowed,
        );
        let modality = code(
            &mut errors,
            "modality",
            &self.modality,
            Modality::parse,
            Modality::allowed,
        );
        let minutes = u16::try_from(self.minutes).ok().and_then(Minutes::new);
        if minutes.is_none() {
            errors.push(
                "minutes",
                format!("must be a whole number from 0 to {}", Minutes::MAX),
            );
        }
        let exclusion = match self.exclusion.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(raw) => code(
                &mut errors,
                "exclusion",
                raw,
                MinutesExclusion::parse,
                MinutesExclusion::allowed,
            )
            .map(Some),
        };
        let note = parse_note(&mut errors, "note", self.note.as_deref());
        let label = parse_label(&mut errors, self.label.as_deref());
        if label == Some(RecordLabel::PsychotherapyNote) {
            if staff_role.is_some_and(|r| !may_write_psychotherapy_note(r)) {
                errors.push(
                    "label",
                    "A psychotherapy note is written by a mental health professional (HIPAA \
                     164.501): record it as care manager or psychiatrist",
                );
            }
            if note.is_none() {
                errors.push("note", "A psychotherapy note needs the note itself");
            }
        }
        match (
            contact_on, staff_role, kind, modality, minutes, exclusion, label,
        ) {
            (
                Some(contact_on),
                Some(staff_role),
                Some(kind),
                Some(modality),
                Some(minutes),
                Some(exclusion),
                Some(label),
            ) if errors.is_empty() => Ok(ContactDetails {
                contact_on,
                staff_role,
                kind,
                modality,
                minutes,
                exclusion,
                note,
                label,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn input() -> ContactInput {
        ContactInput {
            contact_on: "2026-11-20".into(),
            staff_role: "care_manager".into(),
            kind: "follow_up".into(),
            modality: "phone".into(),
            minutes: 25,
            exclusion: None,
            note: Some("  ".into()),
            label: None,
        }
    }

    #[test]
    fn psychotherapy_notes_need_a_therapist_and_a_note() {
        let today = date!(2026 - 11 - 27);
        let c = ContactInput {
            label: Some("psychotherapy_note".into()),
            note: Some("Session content".into()),
            ..input()
        }
        .parse(&[Role::CareManager], today)
        .unwrap();
        assert_eq!(c.label, RecordLabel::PsychotherapyNote);
        let err = ContactInput {
            staff_role: "ma_nurse".into(),
            label: Some("psychotherapy_note".into()),
            ..input()
        }
        .parse(&[Role::MaNurse], today)
        .unwrap_err();
        let fields: Vec<&str> = err.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["label", "note"]);
        let err = ContactInput {
            label: Some("secret".into()),
            ..input()
        }
        .parse(&[Role::CareManager], today)
        .unwrap_err();
        assert!(err.errors[0].message.contains("sud_part2"));
    }

    #[test]
    fn parses_and_counts() {
        let c = input()
            .parse(&[Role::CareManager], date!(2026 - 11 - 27))
            .unwrap();
        assert_eq!(c.minutes.get(), 25);
        assert!(c.counts_toward_care_management());
        assert_eq!(c.note, None);
    }

    #[test]
    fn excluded_minutes_do_not_count() {
        let c = ContactInput {
            exclusion: Some("separately_billed".into()),
            ..input()
        }
        .parse(&[Role::CareManager], date!(2026 - 11 - 27))
        .unwrap();
        assert!(!c.counts_toward_care_management());
    }

    #[test]
    fn rejects_bad_fields_with_reasons() {
        let err = ContactInput {
            minutes: -5,
            kind: "chat".into(),
            contact_on: "2026-12-01".into(),
            ..input()
        }
        .parse(&[Role::MaNurse], date!(2026 - 11 - 27))
        .unwrap_err();
        let fields: Vec<&str> = err.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["contact_on", "staff_role", "kind", "minutes"]);
        assert!(err.errors[2].message.contains("follow_up"));
    }
}
