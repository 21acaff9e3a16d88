//! Recording an assessment: a response to a named instrument, scored by [`crate::instruments`].

use crate::codes::code_enum;
use crate::error::ValidationError;
use crate::instruments::{InstrumentId, Score, score};
use crate::patient::parse_date;
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

/// Raw assessment input: answers as positions from 0 in the published option order, `null`
/// for an unanswered item.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AssessmentInput {
    pub instrument: String,
    /// `YYYY-MM-DD`
    pub administered_on: String,
    pub mode: String,
    pub answers: Vec<Option<i64>>,
}

/// A parsed and scored response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoredResponse {
    pub instrument: InstrumentId,
    pub administered_on: Date,
    pub mode: AdministrationMode,
    pub answers: Vec<Option<u8>>,
    pub score: Score,
}

impl AssessmentInput {
    pub fn parse(&self, today: Date) -> Result<ScoredResponse, ValidationError> {
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
        let (Some(instrument), Some(administered_on), Some(mode)) =
            (instrument, administered_on, mode)
        else {
            return Err(errors);
        };
        errors.into_result()?;
        let score =
            score(instrument, &answers).map_err(|e| ValidationError::field(e.field, e.message))?;
        Ok(ScoredResponse {
            instrument,
            administered_on,
            mode,
            answers,
            score,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instruments::Safety;
    use time::macros::date;

    #[test]
    fn scores_on_parse() {
        let r = AssessmentInput {
            instrument: "phq9".into(),
            administered_on: "2026-11-20".into(),
            mode: "clinic".into(),
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
            instrument: "gad7".into(),
            administered_on: "2026-11-20".into(),
            mode: "clinic".into(),
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
            instrument: "xyz".into(),
            administered_on: "soon".into(),
            mode: "fax".into(),
            answers: vec![],
        }
        .parse(date!(2026 - 11 - 27))
        .unwrap_err();
        assert_eq!(e.errors.len(), 3);
    }
}
