//! Psychiatric case reviews and the recommendations they produce. A recommendation stays open
//! until the treating practitioner accepts it and it is done, or declines it with a reason.

use crate::codes::code_enum;
use serde::{Deserialize, Serialize};

code_enum! {
    pub enum RecommendationStatus ("recommendation status") {
        Proposed = "proposed",
        Accepted = "accepted",
        Done = "done",
        Declined = "declined",
    }
}

impl RecommendationStatus {
    pub fn is_open(self) -> bool {
        matches!(
            self,
            RecommendationStatus::Proposed | RecommendationStatus::Accepted
        )
    }
}

/// A decision about a recommendation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum RecommendationAction {
    /// The treating practitioner accepts the recommendation.
    Accept,
    /// The treating practitioner declines it; the reason is kept.
    Decline { reason: String },
    /// The accepted recommendation has been carried out.
    MarkDone,
}

/// The status after `action`, or why it is refused.
pub fn decide(
    from: RecommendationStatus,
    action: &RecommendationAction,
) -> Result<RecommendationStatus, String> {
    use RecommendationStatus::*;
    match (from, action) {
        (Proposed, RecommendationAction::Accept) => Ok(Accepted),
        (Proposed, RecommendationAction::Decline { reason }) => {
            if reason.trim().is_empty() {
                Err("A declined recommendation needs the reason".into())
            } else {
                Ok(Declined)
            }
        }
        (Accepted, RecommendationAction::MarkDone) => Ok(Done),
        (Proposed, RecommendationAction::MarkDone) => {
            Err("The treating practitioner must accept the recommendation before it is done".into())
        }
        (Accepted, _) => {
            Err("The recommendation was already accepted; it can only be marked done".into())
        }
        (Done | Declined, _) => Err(format!("The recommendation is already closed ({from})")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use RecommendationStatus::*;

    #[test]
    fn proposed_accepted_done() {
        let s = decide(Proposed, &RecommendationAction::Accept).unwrap();
        assert_eq!(decide(s, &RecommendationAction::MarkDone).unwrap(), Done);
    }

    #[test]
    fn decline_needs_a_reason_and_closed_is_final() {
        assert!(
            decide(
                Proposed,
                &RecommendationAction::Decline { reason: " ".into() }
            )
            .is_err()
        );
        let d = decide(
            Proposed,
            &RecommendationAction::Decline {
                reason: "patient prefers therapy".into(),
            },
        )
        .unwrap();
        assert_eq!(d, Declined);
        assert!(!d.is_open());
        for a in [RecommendationAction::Accept, RecommendationAction::MarkDone] {
            assert!(decide(Done, &a).is_err());
            assert!(decide(Declined, &a).is_err());
        }
        assert!(decide(Proposed, &RecommendationAction::MarkDone).is_err());
    }
}
