//! The care plan of an episode: the treatment target and the follow-up cadence.

use crate::error::ValidationError;
use crate::instruments::InstrumentId;
use serde::{Deserialize, Serialize};

/// Follow-up intervals offered by CoCM registries: 1, 2, 3, 4, 6 or 8 weeks
/// (reference cocm-billing-registry.md §9.4, UW SCOPE registry [S54]).
pub const FOLLOW_UP_WEEKS: [u8; 6] = [1, 2, 3, 4, 6, 8];

/// Default follow-up every 2 weeks in the acute phase (IMPACT, reference §9.6 [S51]).
pub const DEFAULT_FOLLOW_UP_WEEKS: u8 = 2;

/// Default treatment target: PHQ-9 below 5, i.e. remission (reference §9.5, [S52]).
pub const DEFAULT_TARGET_BELOW: u16 = 5;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CarePlan {
    pub target_instrument: InstrumentId,
    /// The target is reached when the instrument's total is below this value.
    pub target_below: u16,
    pub follow_up_weeks: u8,
    pub goals: Option<String>,
}

impl Default for CarePlan {
    fn default() -> Self {
        Self {
            target_instrument: InstrumentId::Phq9,
            target_below: DEFAULT_TARGET_BELOW,
            follow_up_weeks: DEFAULT_FOLLOW_UP_WEEKS,
            goals: None,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CarePlanInput {
    #[serde(default)]
    pub target_instrument: Option<String>,
    #[serde(default)]
    pub target_below: Option<i64>,
    pub follow_up_weeks: i64,
    #[serde(default)]
    pub goals: Option<String>,
}

impl CarePlanInput {
    pub fn parse(&self) -> Result<CarePlan, ValidationError> {
        let mut errors = ValidationError::new();
        let target_instrument = match self.target_instrument.as_deref().map(str::trim) {
            None | Some("") => Some(InstrumentId::Phq9),
            Some(raw) => match InstrumentId::parse(raw) {
                Ok(i) if i.is_treatment_target() => Some(i),
                _ => {
                    errors.push(
                        "target_instrument",
                        "must be an instrument used to measure treatment: phq9 or gad7",
                    );
                    None
                }
            },
        };
        let target_below = match self.target_below {
            None => Some(DEFAULT_TARGET_BELOW),
            Some(v) => match (u16::try_from(v), target_instrument) {
                (Ok(v), Some(i)) if v >= 1 && v <= i.max_total() => Some(v),
                _ => {
                    errors.push(
                        "target_below",
                        "must be a score between 1 and the instrument's maximum",
                    );
                    None
                }
            },
        };
        let follow_up_weeks = u8::try_from(self.follow_up_weeks)
            .ok()
            .filter(|w| FOLLOW_UP_WEEKS.contains(w));
        if follow_up_weeks.is_none() {
            errors.push("follow_up_weeks", "must be 1, 2, 3, 4, 6 or 8 weeks");
        }
        let goals = crate::contact::parse_note(&mut errors, "goals", self.goals.as_deref());
        match (target_instrument, target_below, follow_up_weeks) {
            (Some(target_instrument), Some(target_below), Some(follow_up_weeks))
                if errors.is_empty() =>
            {
                Ok(CarePlan {
                    target_instrument,
                    target_below,
                    follow_up_weeks,
                    goals,
                })
            }
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_to_phq9_remission() {
        let p = CarePlanInput {
            follow_up_weeks: 4,
            ..Default::default()
        }
        .parse()
        .unwrap();
        assert_eq!(p.target_instrument, InstrumentId::Phq9);
        assert_eq!(p.target_below, 5);
    }

    #[test]
    fn only_the_offered_intervals() {
        for w in [0, 5, 7, 9, -1] {
            let r = CarePlanInput {
                follow_up_weeks: w,
                ..Default::default()
            }
            .parse();
            assert!(r.is_err(), "{w}");
        }
    }
}
