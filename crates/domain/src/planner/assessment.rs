//! A dated readiness assessment (self-ratings, decision tree, checklist) and the comparison of
//! two of them. The sources use these instruments as repeated measures, at the start and end of
//! a project or every six to twelve months (reference bhi-planning.md §2.1, §3.1, §5.4 [V]).

use super::checklist::{Checklist, ChecklistItem};
use super::decision_tree::{RespondentAnswers, TreeConsensus, tree_consensus};
use super::level::{Dimension, IntegrationLevel};
use super::self_rating::{RatingConsensus, SelfRating, consensus};
use crate::codes::code_enum;
use serde::{Deserialize, Serialize};
use time::Date;

/// What the team answered on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReadinessAssessment {
    #[serde(with = "super::dates")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub assessed_on: Date,
    #[serde(default)]
    pub self_ratings: Vec<SelfRating>,
    #[serde(default)]
    pub tree: Vec<RespondentAnswers>,
    #[serde(default)]
    pub checklist: Checklist,
}

code_enum! {
    /// Which instrument gave the practice's level.
    pub enum LevelBasis ("level basis") {
        DecisionTree = "decision_tree",
        SelfRating = "self_rating",
    }
}

/// The assessment's results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReadinessResult {
    #[serde(with = "super::dates")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub assessed_on: Date,
    /// The decision tree's level when anyone completed it, else the modal self-rated level.
    pub level: Option<IntegrationLevel>,
    pub level_basis: Option<LevelBasis>,
    pub ratings: RatingConsensus,
    pub tree: TreeConsensus,
    pub checklist: Checklist,
    /// In [0, 1]; items under way count half.
    pub checklist_completion: f64,
}

impl ReadinessAssessment {
    /// Nothing answered at all.
    pub fn is_empty(&self) -> bool {
        self.self_ratings.is_empty() && self.tree.is_empty() && self.checklist.0.is_empty()
    }

    pub fn result(&self) -> ReadinessResult {
        let ratings = consensus(&self.self_ratings);
        let tree = tree_consensus(&self.tree);
        let (level, level_basis) = match (tree.level, ratings.modal_level) {
            (Some(l), _) => (Some(l), Some(LevelBasis::DecisionTree)),
            (None, Some(l)) => (Some(l), Some(LevelBasis::SelfRating)),
            (None, None) => (None, None),
        };
        ReadinessResult {
            assessed_on: self.assessed_on,
            level,
            level_basis,
            ratings,
            tree,
            checklist_completion: self.checklist.completion(),
            checklist: self.checklist.clone(),
        }
    }
}

/// A dimension whose median moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DimensionChange {
    pub dimension: Dimension,
    pub from: Option<IntegrationLevel>,
    pub to: Option<IntegrationLevel>,
}

/// What changed from one assessment to another.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReadinessChange {
    #[serde(with = "super::dates")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub from_date: Date,
    #[serde(with = "super::dates")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub to_date: Date,
    pub days: i64,
    pub level_from: Option<IntegrationLevel>,
    pub level_to: Option<IntegrationLevel>,
    /// Dimensions whose median changed, in table order.
    pub dimensions: Vec<DimensionChange>,
    pub completion_from: f64,
    pub completion_to: f64,
    /// Items whose status went up (e.g. not started → in progress) or down.
    pub items_advanced: Vec<ChecklistItem>,
    pub items_regressed: Vec<ChecklistItem>,
}

impl ReadinessChange {
    /// The level went up (both known).
    pub fn level_improved(&self) -> bool {
        matches!((self.level_from, self.level_to), (Some(a), Some(b)) if b > a)
    }
}

/// Compare an `earlier` result with a `later` one.
pub fn compare(earlier: &ReadinessResult, later: &ReadinessResult) -> ReadinessChange {
    let dimensions = earlier
        .ratings
        .dimensions
        .iter()
        .zip(&later.ratings.dimensions)
        .filter(|(a, b)| a.median != b.median)
        .map(|(a, b)| DimensionChange {
            dimension: a.dimension,
            from: a.median,
            to: b.median,
        })
        .collect();
    let moved = |up: bool| -> Vec<ChecklistItem> {
        ChecklistItem::ALL
            .iter()
            .copied()
            .filter(|i| {
                let (a, b) = (earlier.checklist.status(*i), later.checklist.status(*i));
                if up { b > a } else { b < a }
            })
            .collect()
    };
    ReadinessChange {
        from_date: earlier.assessed_on,
        to_date: later.assessed_on,
        days: (later.assessed_on - earlier.assessed_on).whole_days(),
        level_from: earlier.level,
        level_to: later.level,
        dimensions,
        completion_from: earlier.checklist_completion,
        completion_to: later.checklist_completion,
        items_advanced: moved(true),
        items_regressed: moved(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::planner::checklist::ItemStatus;
    use crate::planner::decision_tree::{TreeAnswers, TreeQuestion};
    use crate::planner::self_rating::Respondent;
    use time::macros::date;

    fn who() -> Respondent {
        Respondent {
            name: "Dr A".into(),
            role: None,
        }
    }

    fn assessment(on: Date, rating: u8, same_site: bool) -> ReadinessAssessment {
        let l = IntegrationLevel::new(rating).unwrap();
        let tree: TreeAnswers = [
            (TreeQuestion::SameSite, same_site),
            (TreeQuestion::RoutineExchange, true),
            (TreeQuestion::SharedSpaceSystemsMeetings, false),
        ]
        .into_iter()
        .collect();
        ReadinessAssessment {
            assessed_on: on,
            self_ratings: vec![SelfRating {
                respondent: who(),
                ratings: [(Dimension::Meetings, l), (Dimension::Systems, l)]
                    .into_iter()
                    .collect(),
            }],
            tree: vec![RespondentAnswers {
                respondent: who(),
                answers: tree,
            }],
            checklist: Checklist::default(),
        }
    }

    #[test]
    fn the_tree_gives_the_level_and_self_ratings_stand_in_without_it() {
        let a = assessment(date!(2026 - 01 - 10), 2, false);
        let r = a.result();
        assert_eq!(r.level.map(|l| l.number()), Some(2));
        assert_eq!(r.level_basis, Some(LevelBasis::DecisionTree));

        let mut no_tree = a.clone();
        no_tree.tree.clear();
        let r = no_tree.result();
        assert_eq!(r.level_basis, Some(LevelBasis::SelfRating));
        assert_eq!(r.level.map(|l| l.number()), Some(2));

        let empty = ReadinessAssessment {
            assessed_on: date!(2026 - 01 - 10),
            self_ratings: vec![],
            tree: vec![],
            checklist: Checklist::default(),
        };
        assert!(empty.is_empty());
        assert_eq!(empty.result().level, None);
    }

    #[test]
    fn comparison_shows_what_moved() {
        let mut before = assessment(date!(2026 - 01 - 10), 2, false);
        before
            .checklist
            .set(ChecklistItem::Registry, ItemStatus::Done);
        before
            .checklist
            .set(ChecklistItem::CareManager, ItemStatus::InProgress);
        let mut after = assessment(date!(2026 - 07 - 10), 3, true);
        after
            .checklist
            .set(ChecklistItem::CareManager, ItemStatus::Done);
        after
            .checklist
            .set(ChecklistItem::Registry, ItemStatus::InProgress);
        after
            .checklist
            .set(ChecklistItem::BillingPlan, ItemStatus::InProgress);

        let change = compare(&before.result(), &after.result());
        assert_eq!(change.days, 181);
        assert_eq!(change.level_from.map(|l| l.number()), Some(2));
        assert_eq!(change.level_to.map(|l| l.number()), Some(3));
        assert!(change.level_improved());
        assert_eq!(
            change
                .dimensions
                .iter()
                .map(|d| d.dimension)
                .collect::<Vec<_>>(),
            vec![Dimension::Systems, Dimension::Meetings]
        );
        assert_eq!(
            change.items_advanced,
            vec![ChecklistItem::CareManager, ChecklistItem::BillingPlan]
        );
        assert_eq!(change.items_regressed, vec![ChecklistItem::Registry]);
        assert!((change.completion_from - 0.15).abs() < 1e-9);
        assert!((change.completion_to - 0.20).abs() < 1e-9);
    }
}
