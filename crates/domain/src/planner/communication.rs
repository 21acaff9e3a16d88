//! Team communication: the team's standing meetings (daily huddles, the weekly case review, a
//! team meeting) with short dated notes, and an optional external consultant's assessment kept
//! with the plan (AIMS phase 3 "regular team meetings and huddles", reference bhi-planning.md
//! §3.2 [V]; the CIHS "frequency of meetings" dimension, §2.1; an outside practice coach or
//! consultant's review, §3.3 [P]). The plan holds no patient data: notes are about the team's
//! work, never about a patient.

use super::presets::Weekday;
use crate::codes::code_enum;
use crate::error::ValidationError;
use crate::role::Role;
use serde::{Deserialize, Serialize};
use time::Date;

code_enum! {
    pub enum MeetingKind ("meeting kind") {
        /// A short stand-up of the care team (a few minutes, often daily).
        Huddle = "huddle",
        /// The systematic caseload review with the psychiatric consultant.
        CaseReview = "case_review",
        /// A team meeting on the workflow, training or the plan.
        TeamMeeting = "team_meeting",
        Other = "other",
    }
}

impl MeetingKind {
    pub fn label(self) -> &'static str {
        match self {
            MeetingKind::Huddle => "Huddle",
            MeetingKind::CaseReview => "Case review",
            MeetingKind::TeamMeeting => "Team meeting",
            MeetingKind::Other => "Other",
        }
    }
}

code_enum! {
    pub enum Cadence ("meeting cadence") {
        Daily = "daily",
        Weekly = "weekly",
        EveryTwoWeeks = "every_two_weeks",
        Monthly = "monthly",
    }
}

impl Cadence {
    pub fn label(self) -> &'static str {
        match self {
            Cadence::Daily => "Every working day",
            Cadence::Weekly => "Every week",
            Cadence::EveryTwoWeeks => "Every two weeks",
            Cadence::Monthly => "Every month",
        }
    }

    /// A meeting held weekly or every two weeks has a day of the week.
    pub fn needs_day(self) -> bool {
        matches!(self, Cadence::Weekly | Cadence::EveryTwoWeeks)
    }
}

/// Longest meeting or note text we keep: notes stay short.
pub const NOTE_MAX_CHARS: usize = 1000;
const NAME_MAX_CHARS: usize = 120;
const SUMMARY_MAX_CHARS: usize = 4000;
const RECOMMENDATIONS_MAX: usize = 20;

/// A short dated note of one meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MeetingNote {
    #[serde(with = "super::dates")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub on: Date,
    pub text: String,
}

/// One of the team's standing meetings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Meeting {
    pub name: String,
    pub kind: MeetingKind,
    pub cadence: Cadence,
    /// The day, for a weekly or fortnightly meeting (a monthly one may name it too).
    #[serde(default)]
    pub day: Option<Weekday>,
    /// Start time, `HH:MM` (24-hour clock).
    #[serde(default)]
    pub time: Option<String>,
    /// The roles who attend.
    pub attendees: Vec<Role>,
    /// Dated notes, in the order written.
    #[serde(default)]
    pub notes: Vec<MeetingNote>,
}

/// An outside consultant's (practice coach's) assessment of the practice, recorded as given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsultantAssessment {
    #[serde(with = "super::dates")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub assessed_on: Date,
    pub consultant: String,
    pub summary: String,
    #[serde(default)]
    pub recommendations: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Communication {
    #[serde(default)]
    pub meetings: Vec<Meeting>,
    #[serde(default)]
    pub consultant: Option<ConsultantAssessment>,
}

/// `HH:MM` on a 24-hour clock.
fn valid_time(t: &str) -> bool {
    let b = t.as_bytes();
    b.len() == 5
        && b[2] == b':'
        && t[..2]
            .parse::<u8>()
            .is_ok_and(|h| h < 24 && b[0].is_ascii_digit())
        && t[3..]
            .parse::<u8>()
            .is_ok_and(|m| m < 60 && b[3].is_ascii_digit())
}

fn text(errors: &mut ValidationError, field: &str, value: &str, max: usize) {
    if value.trim().is_empty() {
        errors.push(field, "must not be empty");
    } else if value.chars().count() > max {
        errors.push(field, format!("keep it under {max} characters"));
    }
}

/// What a person enters for a meeting, as typed.
#[derive(Debug, Clone, Default)]
pub struct MeetingInput {
    pub name: String,
    pub kind: String,
    pub cadence: String,
    pub day: String,
    pub time: String,
    pub attendees: Vec<Role>,
}

impl MeetingInput {
    /// The meeting, keeping `notes` (the notes of the meeting it replaces, if any).
    pub fn parse(self, notes: Vec<MeetingNote>) -> Result<Meeting, ValidationError> {
        let mut errors = ValidationError::new();
        let kind = MeetingKind::parse(&self.kind)
            .map_err(|_| errors.push("kind", "choose the kind of meeting"))
            .ok();
        let cadence = Cadence::parse(&self.cadence)
            .map_err(|_| errors.push("cadence", "choose how often it meets"))
            .ok();
        let day = match self.day.trim() {
            "" => None,
            d => Weekday::parse(d)
                .map_err(|_| errors.push("day", "choose a day from Monday to Friday"))
                .ok(),
        };
        let time = match self.time.trim() {
            "" => None,
            t => Some(t.to_owned()),
        };
        let meeting = Meeting {
            name: self.name.trim().to_owned(),
            kind: kind.unwrap_or(MeetingKind::Other),
            cadence: cadence.unwrap_or(Cadence::Weekly),
            day: if cadence == Some(Cadence::Daily) {
                None
            } else {
                day
            },
            time,
            attendees: self.attendees,
            notes,
        };
        let checked = if cadence.is_some() {
            validate_meeting(&meeting)
        } else {
            // Without a cadence the day cannot be judged; check the rest.
            validate_meeting(&Meeting {
                cadence: Cadence::Monthly,
                ..meeting.clone()
            })
        };
        if let Err(e) = checked {
            // A field already refused as typed (a day that is not a weekday) is reported once.
            for f in e.errors {
                if !errors.errors.iter().any(|x| x.field == f.field) {
                    errors.errors.push(f);
                }
            }
        }
        errors.into_result().map(|()| meeting)
    }
}

/// A meeting as stored: a name, who attends, a day when it meets weekly or fortnightly, a
/// 24-hour time, and short notes.
pub fn validate_meeting(m: &Meeting) -> Result<(), ValidationError> {
    let mut errors = ValidationError::new();
    text(&mut errors, "name", &m.name, NAME_MAX_CHARS);
    if m.cadence.needs_day() && m.day.is_none() {
        errors.push("day", "choose the day it meets");
    }
    if m.time.as_deref().is_some_and(|t| !valid_time(t)) {
        errors.push("time", "use the 24-hour form HH:MM, for example 08:30");
    }
    if m.attendees.is_empty() {
        errors.push("attendees", "tick at least one role who attends");
    }
    for (i, n) in m.notes.iter().enumerate() {
        text(
            &mut errors,
            &format!("notes[{i}].text"),
            &n.text,
            NOTE_MAX_CHARS,
        );
    }
    errors.into_result()
}

/// A note for a meeting held on `on`, written no later than `today`.
pub fn parse_note(on: Date, text_in: &str, today: Date) -> Result<MeetingNote, ValidationError> {
    let mut errors = ValidationError::new();
    if on > today {
        errors.push("on", "a note is written on or after the meeting");
    }
    text(&mut errors, "text", text_in, NOTE_MAX_CHARS);
    errors.into_result().map(|()| MeetingNote {
        on,
        text: text_in.trim().to_owned(),
    })
}

/// The consultant's assessment: one recommendation per non-empty line.
pub fn parse_consultant(
    assessed_on: Date,
    consultant: &str,
    summary: &str,
    recommendations: &str,
    today: Date,
) -> Result<ConsultantAssessment, ValidationError> {
    let a = ConsultantAssessment {
        assessed_on,
        consultant: consultant.trim().to_owned(),
        summary: summary.trim().to_owned(),
        recommendations: recommendations
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect(),
    };
    let mut errors = ValidationError::new();
    if assessed_on > today {
        errors.push("assessed_on", "cannot be after today");
    }
    if let Err(e) = validate_consultant(&a) {
        errors.errors.extend(e.errors);
    }
    errors.into_result().map(|()| a)
}

pub fn validate_consultant(a: &ConsultantAssessment) -> Result<(), ValidationError> {
    let mut errors = ValidationError::new();
    text(&mut errors, "consultant", &a.consultant, NAME_MAX_CHARS);
    text(&mut errors, "summary", &a.summary, SUMMARY_MAX_CHARS);
    if a.recommendations.len() > RECOMMENDATIONS_MAX {
        errors.push(
            "recommendations",
            format!("keep to {RECOMMENDATIONS_MAX} recommendations"),
        );
    }
    for r in &a.recommendations {
        if r.chars().count() > NOTE_MAX_CHARS {
            errors.push(
                "recommendations",
                format!("keep each recommendation under {NOTE_MAX_CHARS} characters"),
            );
        }
    }
    errors.into_result()
}

impl Communication {
    /// Every stored problem, with nested field names (`meetings[0].day`, `consultant.summary`).
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut errors = ValidationError::new();
        for (i, m) in self.meetings.iter().enumerate() {
            if let Err(e) = validate_meeting(m) {
                errors
                    .errors
                    .extend(e.nested(&format!("meetings[{i}]")).errors);
            }
        }
        if let Some(a) = &self.consultant
            && let Err(e) = validate_consultant(a)
        {
            errors.errors.extend(e.nested("consultant").errors);
        }
        errors.into_result()
    }

    /// Whether the team holds a case review as a standing meeting.
    pub fn has_case_review(&self) -> bool {
        self.meetings
            .iter()
            .any(|m| m.kind == MeetingKind::CaseReview)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 27);

    fn input(cadence: &str, day: &str, time: &str) -> MeetingInput {
        MeetingInput {
            name: "Weekly case review".into(),
            kind: "case_review".into(),
            cadence: cadence.into(),
            day: day.into(),
            time: time.into(),
            attendees: vec![Role::CareManager, Role::Psychiatrist],
        }
    }

    #[test]
    fn a_meeting_is_parsed_with_errors_by_field() {
        // (cadence, day, time) → fields refused
        let cases: [(&str, &str, &str, &[&str]); 8] = [
            ("weekly", "wednesday", "12:30", &[]),
            ("daily", "", "08:00", &[]),
            ("monthly", "", "", &[]),
            ("weekly", "", "12:30", &["day"]),
            ("every_two_weeks", "sunday", "", &["day"]),
            ("weekly", "friday", "25:00", &["time"]),
            ("weekly", "friday", "8:30", &["time"]),
            ("yearly", "friday", "08:30", &["cadence"]),
        ];
        for (cadence, day, time, fields) in cases {
            let got: Vec<String> = match input(cadence, day, time).parse(Vec::new()) {
                Ok(_) => Vec::new(),
                Err(e) => e.errors.into_iter().map(|e| e.field).collect(),
            };
            assert_eq!(got, *fields, "{cadence} {day} {time}");
        }
    }

    #[test]
    fn a_daily_huddle_has_no_day_and_notes_are_kept_on_change() {
        let note = parse_note(TODAY, " Two new patients this week. ", TODAY).unwrap();
        assert_eq!(note.text, "Two new patients this week.");
        let m = input("daily", "monday", "08:15")
            .parse(vec![note.clone()])
            .unwrap();
        assert_eq!(m.day, None);
        assert_eq!(m.notes, [note]);
    }

    #[test]
    fn empty_names_no_attendees_and_future_notes_are_refused() {
        let mut i = input("weekly", "monday", "");
        i.name = " ".into();
        i.attendees.clear();
        let fields: Vec<String> = i
            .parse(Vec::new())
            .unwrap_err()
            .errors
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["name", "attendees"]);
        let e = parse_note(date!(2026 - 11 - 28), "", TODAY).unwrap_err();
        let fields: Vec<&str> = e.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["on", "text"]);
        assert!(parse_note(TODAY, &"x".repeat(NOTE_MAX_CHARS + 1), TODAY).is_err());
    }

    #[test]
    fn the_consultant_assessment_takes_one_recommendation_a_line() {
        let a = parse_consultant(
            date!(2026 - 10 - 01),
            "Jo Coach",
            "Strong buy-in; no registry yet.",
            "Start a registry\n\n  Hold a weekly huddle  \n",
            TODAY,
        )
        .unwrap();
        assert_eq!(
            a.recommendations,
            ["Start a registry", "Hold a weekly huddle"]
        );
        let e = parse_consultant(date!(2026 - 12 - 01), "", "", "", TODAY).unwrap_err();
        let fields: Vec<&str> = e.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["assessed_on", "consultant", "summary"]);
    }

    #[test]
    fn stored_problems_are_named_by_their_place() {
        let mut m = input("weekly", "monday", "").parse(Vec::new()).unwrap();
        m.day = None;
        let c = Communication {
            meetings: vec![m],
            consultant: Some(ConsultantAssessment {
                assessed_on: TODAY,
                consultant: "Jo".into(),
                summary: String::new(),
                recommendations: Vec::new(),
            }),
        };
        let fields: Vec<String> = c
            .validate()
            .unwrap_err()
            .errors
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["meetings[0].day", "consultant.summary"]);
    }
}
