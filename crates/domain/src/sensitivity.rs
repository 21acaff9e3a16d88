//! Sensitive records: psychotherapy notes and 42 CFR Part 2 substance-use records, kept apart
//! from the rest of the chart, and who may see them.
//!
//! Sources (reference security-reliability.md §2, P-1 to P-3, and bhi-planning.md §7.2–§7.3):
//! - HIPAA 45 CFR 164.501, "psychotherapy notes": notes by a mental health professional about
//!   the contents of a counseling session, **kept separate** from the rest of the record; the
//!   definition excludes medication, session start and stop times, modalities, frequencies,
//!   test results and summaries. 164.508(a)(2): used by their originator; other uses need the
//!   patient's separate authorization.
//! - 42 CFR 2.12(c)(3): communications within a Part 2 program among personnel who need the
//!   record for diagnosis, treatment or referral are not disclosures. 2.31: any other
//!   disclosure needs the patient's written consent, revocable (2.31(a)(6)); 2.51: disclosure
//!   to medical personnel in a bona fide medical emergency. 2.32: every disclosure made with
//!   consent carries the notice below.

use crate::access::{Operation, Relation, allowed};
use crate::codes::code_enum;
use crate::error::ValidationError;
use crate::instruments::InstrumentId;
use crate::patient::parse_date;
use crate::role::Role;
use serde::{Deserialize, Serialize};
use time::Date;

code_enum! {
    /// How a contact or an assessment is kept apart from the rest of the chart.
    #[derive(Default)]
    pub enum RecordLabel ("record label") {
        /// Seen by everyone on the patient's care team.
        #[default]
        General = "general",
        /// A substance-use disorder record under 42 CFR Part 2: seen by the patient's own
        /// practitioner and care manager and the record's author; the psychiatric consultant
        /// only while the patient's Part 2 consent is in force; break-glass in an emergency.
        SudPart2 = "sud_part2",
        /// A contact whose note is a psychotherapy note (HIPAA 164.501): only its author reads
        /// the note; the care team sees that the contact happened, when, how long and how.
        PsychotherapyNote = "psychotherapy_note",
    }
}

impl RecordLabel {
    pub fn label(self) -> &'static str {
        match self {
            RecordLabel::General => "General",
            RecordLabel::SudPart2 => "Substance use (42 CFR Part 2)",
            RecordLabel::PsychotherapyNote => "Psychotherapy note",
        }
    }

    pub fn is_part2(self) -> bool {
        self == RecordLabel::SudPart2
    }
}

/// The notice that accompanies every disclosure of a Part 2 record: 42 CFR 2.32(a)(1),
/// "Statement 1" as amended by the 2024 final rule (89 FR 12472; compliance date 2026-02-16).
/// The first two sentences are as published (reference security-reliability.md P-2); the
/// list after them follows the rule's text as we read it: check the current eCFR wording.
pub const REDISCLOSURE_NOTICE: &str = "This record which has been disclosed to you is protected \
by Federal confidentiality rules (42 CFR part 2). These rules prohibit you from using or \
disclosing this record, or testimony that describes the information contained in this record, \
in any civil, criminal, administrative, or legislative proceedings by any Federal, State, or \
local authority, against the patient, unless authorized by the consent of the patient, except \
as provided at 42 CFR 2.12(c)(5) or as authorized by a court in accordance with 42 CFR 2.64 or \
2.65. In addition, the Federal rules prohibit you from making any other use or disclosure of \
this record unless at least one of the following applies: (i) further use or disclosure is \
expressly permitted by the written consent of the individual whose information is being \
disclosed in this record or as otherwise permitted by 42 CFR part 2; (ii) you are a covered \
entity or business associate and have received the record for treatment, payment, or health \
care operations; or (iii) you have received the record from a covered entity or business \
associate as permitted by 45 CFR part 164, subparts A and E. A general authorization for the \
release of medical or other information is NOT sufficient to meet the required elements of \
written consent to further use or redisclose the record (see 42 CFR 2.31).";

/// The substance-use screening instruments, the only assessments that may be labelled Part 2:
/// depression, anxiety and trauma scores drive measurement-based care and are followed by the
/// whole care team, consultant included (reference cocm-billing-registry.md, treat to target).
pub fn may_be_part2(instrument: InstrumentId) -> bool {
    matches!(
        instrument,
        InstrumentId::Auditc | InstrumentId::Audit | InstrumentId::Dast10
    )
}

/// Who may write a psychotherapy note: a mental health professional (HIPAA 164.501), here the
/// behavioral health care manager or the psychiatric consultant.
pub fn may_write_psychotherapy_note(role: Role) -> bool {
    matches!(role, Role::CareManager | Role::Psychiatrist)
}

/// The person reading a labelled record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reader {
    pub role: Role,
    pub relation: Relation,
    /// The reader recorded the record.
    pub author: bool,
    /// The patient's Part 2 consent is in force today.
    pub part2_consent: bool,
}

/// How much of a labelled record a reader sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Visibility {
    /// Nothing: the record is left out, and the reader is told how many were.
    Withheld,
    /// The record without its note (a psychotherapy note's contact).
    WithoutNote,
    /// All of it.
    Full,
}

/// What `reader` sees of a record labelled `label`. Nothing for a reader who may not read the
/// patient's clinical record at all.
pub fn visibility(label: RecordLabel, reader: Reader) -> Visibility {
    if !allowed(reader.role, Operation::ReadClinical, Some(reader.relation)) {
        return Visibility::Withheld;
    }
    match label {
        RecordLabel::General => Visibility::Full,
        // 164.508(a)(2): the originator; nobody else, break-glass included (an emergency
        // needs the facts of the session, which stay visible, not the therapist's notes).
        RecordLabel::PsychotherapyNote if reader.author => Visibility::Full,
        RecordLabel::PsychotherapyNote => Visibility::WithoutNote,
        RecordLabel::SudPart2 => {
            let r = reader.relation;
            let own_team = match reader.role {
                Role::TreatingPractitioner => r.assigned_practitioner,
                Role::CareManager => r.assigned_care_manager,
                _ => false,
            };
            // 2.12(c)(3) for the patient's own team and the author; 2.51 under break-glass;
            // 2.31 consent for the consultant, who is usually outside the practice.
            if reader.author
                || own_team
                || r.break_glass
                || (reader.role == Role::Psychiatrist && reader.part2_consent)
            {
                Visibility::Full
            } else {
                Visibility::Withheld
            }
        }
    }
}

/// Whether a user may mark a record entered-in-error: its author always; anyone allowed to
/// record such data, for a general record (an MA correcting a mistyped screening); for a
/// labelled record, only someone who sees all of it (42 CFR 2.12(c)(3): a correction is a use
/// of the record).
pub fn may_correct(label: RecordLabel, author: bool, seen: Visibility) -> bool {
    author || label == RecordLabel::General || seen == Visibility::Full
}

code_enum! {
    /// How the patient signed the Part 2 consent (42 CFR 2.31(a)(8): paper or electronic).
    pub enum Part2ConsentMethod ("Part 2 consent method") {
        Written = "written",
        Electronic = "electronic",
    }
}

/// The patient's Part 2 consent as typed: the elements 42 CFR 2.31(a) requires that are not
/// already known (the patient, the practice that discloses, the signature date).
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Part2ConsentInput {
    /// The day the patient signed, `YYYY-MM-DD`; not in the future.
    pub given_on: String,
    /// `written` or `electronic`.
    pub method: String,
    /// Who may receive the records (2.31(a)(4)), e.g. "the psychiatric consultant of my care team".
    pub recipients: String,
    /// What may be disclosed, "in a specific and meaningful fashion" (2.31(a)(3)).
    pub information: String,
    /// Why (2.31(a)(5)), e.g. "treatment".
    pub purpose: String,
    /// The last day the consent covers (2.31(a)(7)), `YYYY-MM-DD`.
    pub expires_on: String,
}

/// A valid Part 2 consent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Part2Consent {
    pub given_on: Date,
    pub method: Part2ConsentMethod,
    pub recipients: String,
    pub information: String,
    pub purpose: String,
    pub expires_on: Date,
}

/// Longest text of one consent element.
pub const CONSENT_TEXT_MAX: usize = 500;

impl Part2ConsentInput {
    pub fn parse(&self, today: Date) -> Result<Part2Consent, ValidationError> {
        let mut errors = ValidationError::new();
        let given_on = errors.check(parse_date("given_on", &self.given_on));
        if given_on.is_some_and(|d| d > today) {
            errors.push("given_on", "The consent date is in the future");
        }
        let method = Part2ConsentMethod::parse(self.method.trim())
            .map_err(|_| {
                errors.push(
                    "method",
                    format!("must be one of: {}", Part2ConsentMethod::allowed()),
                )
            })
            .ok();
        let mut text = |field: &str, raw: &str, what: &str| {
            let t = raw.trim();
            if t.chars().count() < 3 {
                errors.push(field, format!("Say {what} (42 CFR 2.31 requires it)"));
            } else if t.chars().count() > CONSENT_TEXT_MAX {
                errors.push(field, format!("at most {CONSENT_TEXT_MAX} characters"));
            }
            t.to_owned()
        };
        let recipients = text(
            "recipients",
            &self.recipients,
            "who may receive the records",
        );
        let information = text("information", &self.information, "what may be disclosed");
        let purpose = text("purpose", &self.purpose, "the purpose of the disclosure");
        let expires_on = errors.check(parse_date("expires_on", &self.expires_on));
        if let (Some(g), Some(e)) = (given_on, expires_on)
            && e < g
        {
            errors.push("expires_on", "The consent expires before it was given");
        }
        match (given_on, method, expires_on) {
            (Some(given_on), Some(method), Some(expires_on)) if errors.is_empty() => {
                Ok(Part2Consent {
                    given_on,
                    method,
                    recipients,
                    information,
                    purpose,
                    expires_on,
                })
            }
            _ => Err(errors),
        }
    }
}

impl Part2Consent {
    /// In force on `today`: signed, not expired, and not revoked. A revocation takes effect the
    /// moment it is recorded (2.31(a)(6); reference P-1), whatever day it names.
    pub fn in_force(&self, today: Date, revoked: bool) -> bool {
        !revoked && self.given_on <= today && today <= self.expires_on
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn reader(role: Role, relation: Relation) -> Reader {
        Reader {
            role,
            relation,
            author: false,
            part2_consent: false,
        }
    }

    const OWN_CM: Relation = Relation {
        assigned_practitioner: false,
        assigned_care_manager: true,
        in_cocm: true,
        break_glass: false,
    };
    const CONSULTANT: Relation = Relation {
        assigned_practitioner: false,
        assigned_care_manager: false,
        in_cocm: true,
        break_glass: false,
    };

    #[test]
    fn psychotherapy_notes_are_their_authors_only() {
        let cm = reader(Role::CareManager, OWN_CM);
        assert_eq!(
            visibility(RecordLabel::PsychotherapyNote, cm),
            Visibility::WithoutNote
        );
        assert_eq!(
            visibility(
                RecordLabel::PsychotherapyNote,
                Reader { author: true, ..cm }
            ),
            Visibility::Full
        );
        // Break-glass does not open the note.
        let bg = reader(
            Role::TreatingPractitioner,
            Relation {
                break_glass: true,
                ..Relation::default()
            },
        );
        assert_eq!(
            visibility(RecordLabel::PsychotherapyNote, bg),
            Visibility::WithoutNote
        );
    }

    #[test]
    fn part2_records_need_consent_for_the_consultant() {
        let psych = reader(Role::Psychiatrist, CONSULTANT);
        assert_eq!(visibility(RecordLabel::General, psych), Visibility::Full);
        assert_eq!(
            visibility(RecordLabel::SudPart2, psych),
            Visibility::Withheld
        );
        assert_eq!(
            visibility(
                RecordLabel::SudPart2,
                Reader {
                    part2_consent: true,
                    ..psych
                }
            ),
            Visibility::Full
        );
        assert_eq!(
            visibility(RecordLabel::SudPart2, reader(Role::CareManager, OWN_CM)),
            Visibility::Full
        );
    }

    #[test]
    fn nothing_for_readers_outside_the_care_team() {
        for role in [
            Role::MaNurse,
            Role::FrontDesk,
            Role::Billing,
            Role::PracticeAdmin,
        ] {
            for label in RecordLabel::ALL {
                let r = Reader {
                    author: true,
                    part2_consent: true,
                    ..reader(role, OWN_CM)
                };
                assert_eq!(
                    visibility(*label, r),
                    Visibility::Withheld,
                    "{role} {label}"
                );
            }
        }
    }

    fn any_role() -> impl Strategy<Value = Role> {
        prop::sample::select(Role::ALL.to_vec())
    }

    fn any_relation() -> impl Strategy<Value = Relation> {
        (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()).prop_map(|(p, c, k, b)| {
            Relation {
                assigned_practitioner: p,
                assigned_care_manager: c,
                in_cocm: k,
                break_glass: b,
            }
        })
    }

    #[test]
    fn labelled_records_are_corrected_by_those_who_see_them() {
        use Visibility::*;
        assert!(may_correct(RecordLabel::General, false, Withheld));
        assert!(may_correct(RecordLabel::SudPart2, true, Withheld));
        assert!(!may_correct(RecordLabel::SudPart2, false, Withheld));
        assert!(!may_correct(
            RecordLabel::PsychotherapyNote,
            false,
            WithoutNote
        ));
        assert!(may_correct(RecordLabel::SudPart2, false, Full));
    }

    #[test]
    fn part2_consent_needs_every_element() {
        let today = time::macros::date!(2026 - 11 - 27);
        let input = Part2ConsentInput {
            given_on: "2026-11-20".into(),
            method: "written".into(),
            recipients: "The psychiatric consultant of my care team".into(),
            information: "Substance-use screening results and counseling contacts".into(),
            purpose: "Treatment".into(),
            expires_on: "2027-11-20".into(),
        };
        let c = input.parse(today).unwrap();
        assert!(c.in_force(today, false));
        assert!(!c.in_force(today, true));
        assert!(!c.in_force(time::macros::date!(2027 - 11 - 21), false));
        assert!(!c.in_force(time::macros::date!(2026 - 11 - 19), false));
        let err = Part2ConsentInput {
            given_on: "2026-12-01".into(),
            method: "verbal".into(),
            purpose: " ".into(),
            expires_on: "2026-11-01".into(),
            ..input
        }
        .parse(today)
        .unwrap_err();
        let fields: Vec<&str> = err.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["given_on", "method", "purpose", "expires_on"]);
    }

    proptest! {
        /// A label only ever narrows: nobody sees more of a labelled record than of a general
        /// one, and general records are seen exactly by those who may read the chart.
        #[test]
        fn labels_only_narrow(role in any_role(), relation in any_relation(),
                              author: bool, consent: bool) {
            let r = Reader { role, relation, author, part2_consent: consent };
            let general = visibility(RecordLabel::General, r);
            prop_assert_eq!(general == Visibility::Full,
                allowed(role, Operation::ReadClinical, Some(relation)));
            for label in RecordLabel::ALL {
                prop_assert!(visibility(*label, r) <= general);
            }
        }

        /// Revoking the Part 2 consent never widens what anyone sees; a psychotherapy note's
        /// text is never seen by anyone but its author.
        #[test]
        fn consent_and_authorship(role in any_role(), relation in any_relation(), author: bool) {
            let with = Reader { role, relation, author, part2_consent: true };
            let without = Reader { part2_consent: false, ..with };
            for label in RecordLabel::ALL {
                prop_assert!(visibility(*label, without) <= visibility(*label, with));
            }
            if !author {
                prop_assert!(visibility(RecordLabel::PsychotherapyNote, with) < Visibility::Full);
            }
        }
    }
}
