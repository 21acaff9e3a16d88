//! Recording an assessment: a response to a named instrument, scored by [`crate::instruments`].
//! Answers come either as positions or as LOINC item and answer codes (FHIR
//! QuestionnaireResponse, HL7 feeds); either way nothing is stored unless every answer is
//! one the instrument allows.

use crate::codes::code_enum;
use crate::error::ValidationError;
use crate::instruments::{
    InstrumentId, Score, ScoringContext, answer_position, score_loinc_with, score_with,
};
use crate::patient::parse_date;
use crate::sensitivity::{RecordLabel, may_be_part2};
use serde::Deserialize;
use time::Date;

code_enum! {
    /// How the instrument was administered.
    pub enum AdministrationMode ("administration mode") {
        Clinic = "clinic",
        Phone = "phone",
        SelfReport = "self_report",
    }
}

/// Raw assessment input: either `answers`, positions from 0 in the published option order
/// (`null` for an unanswered item), or `loinc_answers`, LOINC item and answer codes in any
/// order (items not listed are unanswered).
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AssessmentInput {
    pub instrument: String,
    /// `YYYY-MM-DD`
    pub administered_on: String,
    pub mode: String,
    #[serde(default)]
    pub answers: Vec<Option<i64>>,
    #[serde(default)]
    pub loinc_answers: Option<Vec<LoincAnswer>>,
    /// `general` (the default) or `sud_part2`: a substance-use screening (AUDIT-C, AUDIT,
    /// DAST-10) kept under 42 CFR Part 2.
    #[serde(default)]
    pub label: Option<String>,
}

/// One answer by its LOINC codes, e.g. `{"item": "44260-8", "answer": "LA6569-3"}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LoincAnswer {
    /// The item's LOINC code.
    pub item: String,
    /// The answer's LOINC code (LA…).
    pub answer: String,
}

/// A parsed and scored response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoredResponse {
    pub instrument: InstrumentId,
    pub administered_on: Date,
    pub mode: AdministrationMode,
    pub answers: Vec<Option<u8>>,
    pub score: Score,
    pub label: RecordLabel,
}

impl AssessmentInput {
    /// Parse and score with the default context (sex not recorded, default cut-offs).
    pub fn parse(&self, today: Date) -> Result<ScoredResponse, ValidationError> {
        self.parse_with(today, &ScoringContext::default())
    }

    /// Parse and score with the patient's recorded sex and the practice's settings. Errors
    /// name the field (`answers[2]`, `loinc_answers[0]`) and the allowed values.
    pub fn parse_with(
        &self,
        today: Date,
        ctx: &ScoringContext,
    ) -> Result<ScoredResponse, ValidationError> {
        let mut errors = ValidationError::new();
        let instrument = InstrumentId::parse(self.instrument.trim())
            .map_err(|_| {
                errors.push(
                    "instrument",
                    format!("unknown instrument; one of: {}", InstrumentId::allowed()),
                )
            })
            .ok();
        let administered_on = errors.check(parse_date("administered_on", &self.administered_on));
        if administered_on.is_some_and(|d| d > today) {
            errors.push("administered_on", "The date is in the future");
        }
        let mode = AdministrationMode::parse(self.mode.trim())
            .map_err(|_| {
                errors.push(
                    "mode",
                    format!("must be one of: {}", AdministrationMode::allowed()),
                )
            })
            .ok();
        if self.loinc_answers.is_some() && !self.answers.is_empty() {
            errors.push(
                "loinc_answers",
                "give either answers (positions) or loinc_answers (codes), not both",
            );
        }
        let mut answers = Vec::with_capacity(self.answers.len());
        for (i, a) in self.answers.iter().enumerate() {
            match a {
                None => answers.push(None),
                Some(v) => match u8::try_from(*v) {
                    Ok(v) => answers.push(Some(v)),
                    Err(_) => {
                        errors.push(
                            format!("answers[{i}]"),
                            format!("{v} is not an answer position"),
                        );
                        answers.push(None);
                    }
                },
            }
        }
        let label = match parse_label(&mut errors, self.label.as_deref()) {
            Some(RecordLabel::PsychotherapyNote) => {
                errors.push(
                    "label",
                    "An assessment is not a psychotherapy note (HIPAA 164.501 excludes test \
                     results); use general or sud_part2",
                );
                None
            }
            Some(RecordLabel::SudPart2) if instrument.is_some_and(|i| !may_be_part2(i)) => {
                errors.push(
                    "label",
                    "Only substance-use screenings (auditc, audit, dast10) can be labelled \
                     sud_part2: other scores are followed by the whole care team",
                );
                None
            }
            other => other,
        };
        let (Some(instrument), Some(administered_on), Some(mode), Some(label)) =
            (instrument, administered_on, mode, label)
        else {
            return Err(errors);
        };
        errors.into_result()?;
        let (answers, score) = match &self.loinc_answers {
            Some(coded) => score_coded(instrument, coded, ctx)?,
            None => {
                let score = score_with(instrument, &answers, ctx)
                    .map_err(|e| ValidationError::field(e.field, e.message))?;
                (answers, score)
            }
        };
        Ok(ScoredResponse {
            instrument,
            administered_on,
            mode,
            answers,
            score,
            label,
        })
    }
}

/// A record label as typed: absent or empty means general.
pub fn parse_label(errors: &mut ValidationError, raw: Option<&str>) -> Option<RecordLabel> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(RecordLabel::General),
        Some(s) => match RecordLabel::parse(s) {
            Ok(l) => Some(l),
            Err(_) => {
                errors.push(
                    "label",
                    format!("must be one of: {}", RecordLabel::allowed()),
                );
                None
            }
        },
    }
}

/// Score LOINC-coded answers with the domain's table (`score_loinc_with`), and turn them into
/// the positions stored with every response. Errors name `loinc_answers[i]`.
fn score_coded(
    instrument: InstrumentId,
    coded: &[LoincAnswer],
    ctx: &ScoringContext,
) -> Result<(Vec<Option<u8>>, Score), ValidationError> {
    let pairs: Vec<(&str, &str)> = coded
        .iter()
        .map(|a| (a.item.as_str(), a.answer.as_str()))
        .collect();
    let rename = |field: String| field.replacen("answers", "loinc_answers", 1);
    let score = score_loinc_with(instrument, &pairs, ctx)
        .map_err(|e| ValidationError::field(rename(e.field), e.message))?;
    let def = instrument.definition();
    let mut positions = vec![None; def.items.len()];
    for (i, a) in coded.iter().enumerate() {
        let item = def
            .items
            .iter()
            .find(|it| it.loinc.is_some_and(|l| l.code == a.item.trim()))
            .ok_or_else(|| {
                ValidationError::field(format!("loinc_answers[{i}]"), "unknown item code")
            })?;
        let position = answer_position(instrument, &a.item, &a.answer)
            .map_err(|e| ValidationError::field(format!("loinc_answers[{i}]"), e.message))?;
        positions[usize::from(item.number) - 1] = Some(position);
    }
    Ok((positions, score))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instruments::Safety;
    use time::macros::date;

    #[test]
    fn scores_on_parse() {
        let r = AssessmentInput {
            label: None,
            instrument: "phq9".into(),
            administered_on: "2026-11-20".into(),
            mode: "clinic".into(),
            loinc_answers: None,
            answers: vec![
                Some(1),
                Some(1),
                Some(2),
                Some(0),
                Some(1),
                Some(0),
                Some(1),
                Some(0),
                Some(1),
            ],
        }
        .parse(date!(2026 - 11 - 27))
        .unwrap();
        assert_eq!(r.score.total, Some(7));
        assert_eq!(r.score.safety, Safety::Alert);
    }

    #[test]
    fn names_the_bad_item() {
        let e = AssessmentInput {
            label: None,
            instrument: "gad7".into(),
            administered_on: "2026-11-20".into(),
            mode: "clinic".into(),
            loinc_answers: None,
            answers: vec![
                Some(0),
                Some(0),
                Some(9),
                Some(0),
                Some(0),
                Some(0),
                Some(0),
            ],
        }
        .parse(date!(2026 - 11 - 27))
        .unwrap_err();
        assert_eq!(e.errors[0].field, "answers[2]");
        let e = AssessmentInput {
            label: None,
            instrument: "xyz".into(),
            administered_on: "soon".into(),
            mode: "fax".into(),
            answers: vec![],
            loinc_answers: None,
        }
        .parse(date!(2026 - 11 - 27))
        .unwrap_err();
        assert_eq!(e.errors.len(), 3);
    }

    fn coded(pairs: &[(&str, &str)]) -> Option<Vec<LoincAnswer>> {
        Some(
            pairs
                .iter()
                .map(|(i, a)| LoincAnswer {
                    item: (*i).into(),
                    answer: (*a).into(),
                })
                .collect(),
        )
    }

    fn input(instrument: &str, loinc: Option<Vec<LoincAnswer>>) -> AssessmentInput {
        AssessmentInput {
            label: None,
            instrument: instrument.into(),
            administered_on: "2026-11-20".into(),
            mode: "clinic".into(),
            answers: vec![],
            loinc_answers: loinc,
        }
    }

    /// A PHQ-9 received by LOINC codes, in any order, scores as by positions and is stored
    /// as positions; item 9 "Several days" alerts.
    #[test]
    fn loinc_coded_answers_score_and_become_positions() {
        let phq9 = [
            "44250-9", "44255-8", "44259-0", "44254-1", "44251-7", "44258-2", "44252-5", "44253-3",
        ];
        let mut pairs: Vec<(&str, &str)> = phq9.iter().map(|i| (*i, "LA6569-3")).collect();
        pairs.insert(0, ("44260-8", "LA6569-3"));
        pairs.push(("69722-7", "LA6575-0"));
        let r = input("phq9", coded(&pairs))
            .parse(date!(2026 - 11 - 27))
            .unwrap();
        assert_eq!(r.score.total, Some(9));
        assert_eq!(r.score.safety, Safety::Alert);
        let mut expected = vec![Some(1); 9];
        expected.push(Some(2));
        assert_eq!(r.answers, expected);
        // Item 9 not sent: incomplete, safety unknown, position left blank.
        let r = input("phq9", coded(&pairs[1..9]))
            .parse(date!(2026 - 11 - 27))
            .unwrap();
        assert_eq!(r.score.safety, Safety::Unknown);
        assert_eq!(r.answers[8], None);
    }

    #[test]
    fn unknown_codes_name_the_pair_and_the_allowed_codes() {
        let e = input("phq9", coded(&[("44260-8", "LA9999-9")]))
            .parse(date!(2026 - 11 - 27))
            .unwrap_err();
        assert_eq!(e.errors[0].field, "loinc_answers[0]");
        assert!(
            e.errors[0].message.contains("LA6568-5"),
            "{}",
            e.errors[0].message
        );
        let e = input("gad7", coded(&[("44260-8", "LA6568-5")]))
            .parse(date!(2026 - 11 - 27))
            .unwrap_err();
        assert_eq!(e.errors[0].field, "loinc_answers[0]");
        assert!(
            e.errors[0].message.contains("69725-0"),
            "{}",
            e.errors[0].message
        );
        // Instruments without item codes are entered by position.
        let e = input("epds", coded(&[("1", "LA1")]))
            .parse(date!(2026 - 11 - 27))
            .unwrap_err();
        assert!(
            e.errors[0].message.contains("by position"),
            "{}",
            e.errors[0].message
        );
        // Not both forms at once.
        let mut both = input("phq9", coded(&[("44260-8", "LA6568-5")]));
        both.answers = vec![Some(0); 9];
        let e = both.parse(date!(2026 - 11 - 27)).unwrap_err();
        assert_eq!(e.errors[0].field, "loinc_answers");
    }

    /// AUDIT-C 3: positive for a woman (≥ 3), negative for a man (≥ 4) (LOINC 75626-2).
    #[test]
    fn the_patients_sex_decides_the_auditc_cut_off() {
        let mut i = input("auditc", None);
        i.answers = vec![Some(1), Some(1), Some(1)];
        let with = |sex| ScoringContext {
            sex: Some(sex),
            settings: Default::default(),
        };
        let today = date!(2026 - 11 - 27);
        let female = i
            .parse_with(today, &with(crate::patient::Sex::Female))
            .unwrap();
        let male = i
            .parse_with(today, &with(crate::patient::Sex::Male))
            .unwrap();
        assert_eq!(female.score.positive, Some(true));
        assert_eq!(male.score.positive, Some(false));
    }

    #[test]
    fn only_substance_use_screenings_are_part2() {
        let input = |instrument: &str, label: &str| AssessmentInput {
            instrument: instrument.into(),
            administered_on: "2026-11-20".into(),
            mode: "clinic".into(),
            answers: vec![Some(0); 3],
            loinc_answers: None,
            label: Some(label.into()),
        };
        let today = date!(2026 - 11 - 27);
        let r = input("auditc", "sud_part2").parse(today).unwrap();
        assert_eq!(r.label, RecordLabel::SudPart2);
        assert_eq!(
            input("auditc", "").parse(today).unwrap().label,
            RecordLabel::General
        );
        let err = input("phq2", "sud_part2").parse(today).unwrap_err();
        assert_eq!(err.errors[0].field, "label");
        assert!(err.errors[0].message.contains("auditc"));
        let err = input("auditc", "psychotherapy_note")
            .parse(today)
            .unwrap_err();
        assert!(err.errors[0].message.contains("164.501"));
    }
}
