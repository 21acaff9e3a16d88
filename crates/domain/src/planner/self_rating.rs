//! Row-by-row self-ratings by several respondents and their consensus (reference
//! bhi-planning.md §1.4 [P]: one choice per dimension, show the profile, the modal level and
//! the lowest-rated dimension as the next step).
//!
//! Several people rate independently, then the team talks where they disagree: MeHAF SSA
//! administration and the AHRQ self-assessment checklist both ask for this (§3.1, §3.3 [V]).

use super::level::{Dimension, IntegrationLevel};
use crate::role::Role;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Ratings that differ by this many levels or more are a disagreement to discuss [P].
pub const DISAGREEMENT_SPREAD: u8 = 2;

/// Who answered. The name is free text: respondents need not be users of Stepwise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Respondent {
    pub name: String,
    pub role: Option<Role>,
}

/// One respondent's level per dimension. A dimension left out means "not sure".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SelfRating {
    pub respondent: Respondent,
    pub ratings: BTreeMap<Dimension, IntegrationLevel>,
}

/// What the respondents said about one dimension.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DimensionConsensus {
    pub dimension: Dimension,
    pub respondents: u32,
    /// The lower median: with an even number of ratings the lower middle one, so a level is
    /// only claimed when half the team rates it at least that high.
    pub median: Option<IntegrationLevel>,
    /// The most frequent levels (several when tied), lowest first.
    pub modes: Vec<IntegrationLevel>,
    pub lowest: Option<IntegrationLevel>,
    pub highest: Option<IntegrationLevel>,
    /// Highest minus lowest, 0 when fewer than two ratings.
    pub spread: u8,
    /// `spread ≥ DISAGREEMENT_SPREAD`: discuss before settling on a level.
    pub disagreement: bool,
}

/// The team's profile across dimensions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RatingConsensus {
    pub dimensions: Vec<DimensionConsensus>,
    /// The most frequent median across dimensions (the lower one when tied).
    pub modal_level: Option<IntegrationLevel>,
    /// Dimensions with the lowest median: where the next step lies (§1.4).
    pub lowest_dimensions: Vec<Dimension>,
    /// Dimensions where respondents disagree.
    pub disagreements: Vec<Dimension>,
}

fn modes(levels: &[IntegrationLevel]) -> Vec<IntegrationLevel> {
    let mut counts: BTreeMap<IntegrationLevel, u32> = BTreeMap::new();
    for l in levels {
        *counts.entry(*l).or_default() += 1;
    }
    let top = counts.values().copied().max().unwrap_or(0);
    counts
        .into_iter()
        .filter(|(_, n)| *n == top && top > 0)
        .map(|(l, _)| l)
        .collect()
}

fn dimension_consensus(dimension: Dimension, ratings: &[SelfRating]) -> DimensionConsensus {
    let mut levels: Vec<IntegrationLevel> = ratings
        .iter()
        .filter_map(|r| r.ratings.get(&dimension).copied())
        .collect();
    levels.sort();
    let lowest = levels.first().copied();
    let highest = levels.last().copied();
    let spread = match (lowest, highest) {
        (Some(lo), Some(hi)) => hi.number() - lo.number(),
        _ => 0,
    };
    DimensionConsensus {
        dimension,
        respondents: levels.len() as u32,
        median: (!levels.is_empty()).then(|| levels[(levels.len() - 1) / 2]),
        modes: modes(&levels),
        lowest,
        highest,
        spread,
        disagreement: spread >= DISAGREEMENT_SPREAD,
    }
}

/// Consensus over every dimension, in the table's order.
pub fn consensus(ratings: &[SelfRating]) -> RatingConsensus {
    let dimensions: Vec<DimensionConsensus> = Dimension::ALL
        .iter()
        .map(|d| dimension_consensus(*d, ratings))
        .collect();
    let medians: Vec<IntegrationLevel> = dimensions.iter().filter_map(|d| d.median).collect();
    let floor = medians.iter().min().copied();
    RatingConsensus {
        modal_level: modes(&medians).first().copied(),
        lowest_dimensions: dimensions
            .iter()
            .filter(|d| d.median.is_some() && d.median == floor)
            .map(|d| d.dimension)
            .collect(),
        disagreements: dimensions
            .iter()
            .filter(|d| d.disagreement)
            .map(|d| d.dimension)
            .collect(),
        dimensions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn lvl(n: u8) -> IntegrationLevel {
        IntegrationLevel::new(n).unwrap()
    }

    fn rating(name: &str, levels: [u8; 6]) -> SelfRating {
        SelfRating {
            respondent: Respondent {
                name: name.into(),
                role: None,
            },
            ratings: Dimension::ALL
                .iter()
                .zip(levels)
                .filter(|(_, n)| *n > 0)
                .map(|(d, n)| (*d, lvl(n)))
                .collect(),
        }
    }

    #[test]
    fn median_mode_and_disagreement_per_dimension() {
        let team = [
            rating("Dr A", [3, 2, 3, 3, 2, 3]),
            rating("BHCM", [3, 2, 4, 3, 2, 2]),
            rating("MA", [3, 1, 4, 3, 4, 3]),
        ];
        let c = consensus(&team);
        let comm = &c.dimensions[2];
        assert_eq!(comm.dimension, Dimension::Communication);
        assert_eq!(comm.median, Some(lvl(4)));
        assert_eq!(comm.modes, vec![lvl(4)]);
        assert!(!comm.disagreement);
        let meetings = &c.dimensions[4];
        assert_eq!(
            (meetings.lowest, meetings.highest),
            (Some(lvl(2)), Some(lvl(4)))
        );
        assert_eq!(meetings.spread, 2);
        assert!(meetings.disagreement);
        assert_eq!(c.disagreements, vec![Dimension::Meetings]);
        assert_eq!(c.modal_level, Some(lvl(3)));
        assert_eq!(
            c.lowest_dimensions,
            vec![Dimension::Systems, Dimension::Meetings]
        );
    }

    #[test]
    fn even_counts_take_the_lower_median_and_ties_list_every_mode() {
        let c = consensus(&[
            rating("A", [2, 0, 0, 0, 0, 0]),
            rating("B", [5, 0, 0, 0, 0, 0]),
        ]);
        let d = &c.dimensions[0];
        assert_eq!(d.median, Some(lvl(2)));
        assert_eq!(d.modes, vec![lvl(2), lvl(5)]);
        assert_eq!(d.spread, 3);
        let unrated = &c.dimensions[1];
        assert_eq!(
            (unrated.respondents, unrated.median, unrated.spread),
            (0, None, 0)
        );
        assert_eq!(c.lowest_dimensions, vec![Dimension::WhereProvidersWork]);
    }

    #[test]
    fn no_ratings_no_profile() {
        let c = consensus(&[]);
        assert_eq!(c.modal_level, None);
        assert!(c.lowest_dimensions.is_empty() && c.disagreements.is_empty());
    }

    proptest! {
        #[test]
        fn median_and_modes_lie_within_the_ratings(levels in proptest::collection::vec(1u8..=6, 1..12)) {
            let team: Vec<SelfRating> = levels
                .iter()
                .map(|n| rating("r", [*n, 0, 0, 0, 0, 0]))
                .collect();
            let d = &consensus(&team).dimensions[0];
            let (lo, hi) = (d.lowest.unwrap(), d.highest.unwrap());
            prop_assert!(lo <= d.median.unwrap() && d.median.unwrap() <= hi);
            prop_assert!(d.modes.iter().all(|m| lo <= *m && *m <= hi));
            prop_assert_eq!(d.disagreement, hi.number() - lo.number() >= DISAGREEMENT_SPREAD);
        }
    }
}
