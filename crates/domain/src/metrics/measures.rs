//! The practice's measures of success: the metrics of the catalogue it chose to follow
//! (reference bhi-planning.md §5.4 step 3: pick 3 to 6 metrics the practice can actually
//! compute). The metrics pages show them first.

use super::catalogue::MetricCode;
use crate::error::ValidationError;
use serde::{Deserialize, Serialize};

/// Most measures a practice may choose (§5.4 step 3).
pub const MAX_MEASURES: usize = 6;
/// Fewest the reference recommends; fewer is allowed, with a hint.
pub const RECOMMENDED_MIN: usize = 3;

/// The chosen metrics, in the practice's order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MeasuresOfSuccess {
    pub chosen: Vec<MetricCode>,
}

impl MeasuresOfSuccess {
    /// Codes as typed or ticked: each a metric of the catalogue, none twice, at most
    /// [`MAX_MEASURES`]. An empty list clears the choice.
    pub fn parse(codes: &[String]) -> Result<Self, ValidationError> {
        let mut e = ValidationError::new();
        let mut chosen = Vec::new();
        for (i, raw) in codes.iter().enumerate() {
            match MetricCode::parse(raw.trim()) {
                Ok(c) if chosen.contains(&c) => {
                    e.push(format!("chosen[{i}]"), format!("'{c}' is chosen twice"))
                }
                Ok(c) => chosen.push(c),
                Err(_) => e.push(
                    format!("chosen[{i}]"),
                    format!("'{}' is not a metric of the catalogue", raw.trim()),
                ),
            }
        }
        if codes.len() > MAX_MEASURES {
            e.push(
                "chosen",
                format!(
                    "choose at most {MAX_MEASURES} measures (reference §5.4: 3 to 6 the practice can compute)"
                ),
            );
        }
        e.into_result()?;
        Ok(MeasuresOfSuccess { chosen })
    }

    pub fn contains(&self, code: MetricCode) -> bool {
        self.chosen.contains(&code)
    }

    /// `items` with the chosen metrics first, in the chosen order, then the others in their
    /// order.
    pub fn first<T>(&self, items: Vec<T>, code: impl Fn(&T) -> MetricCode) -> Vec<T> {
        let rank = |t: &T| {
            self.chosen
                .iter()
                .position(|c| *c == code(t))
                .unwrap_or(self.chosen.len())
        };
        let mut indexed: Vec<(usize, usize, T)> = items
            .into_iter()
            .enumerate()
            .map(|(i, t)| (rank(&t), i, t))
            .collect();
        indexed.sort_by_key(|(r, i, _)| (*r, *i));
        indexed.into_iter().map(|(_, _, t)| t).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::CATALOGUE;
    use proptest::prelude::*;

    fn codes(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn parse_keeps_the_order_and_names_bad_entries() {
        let m = MeasuresOfSuccess::parse(&codes(&["remission", " depression_screening "])).unwrap();
        assert_eq!(
            m.chosen,
            [MetricCode::Remission, MetricCode::DepressionScreening]
        );
        assert_eq!(MeasuresOfSuccess::parse(&[]).unwrap().chosen, []);
        let fields = |v: &[&str]| -> Vec<String> {
            MeasuresOfSuccess::parse(&codes(v))
                .unwrap_err()
                .errors
                .into_iter()
                .map(|e| e.field)
                .collect()
        };
        assert_eq!(
            fields(&["remission", "vibes", "remission"]),
            ["chosen[1]", "chosen[2]"]
        );
        let seven: Vec<&str> = CATALOGUE.iter().take(7).map(|d| d.code.code()).collect();
        assert_eq!(fields(&seven), ["chosen"]);
        let six: Vec<&str> = CATALOGUE.iter().take(6).map(|d| d.code.code()).collect();
        assert_eq!(
            MeasuresOfSuccess::parse(&codes(&six)).unwrap().chosen.len(),
            6
        );
    }

    #[test]
    fn chosen_metrics_come_first() {
        let m = MeasuresOfSuccess {
            chosen: vec![MetricCode::Remission, MetricCode::DepressionScreening],
        };
        let all: Vec<MetricCode> = CATALOGUE.iter().map(|d| d.code).collect();
        let ordered = m.first(all.clone(), |c| *c);
        assert_eq!(ordered[0], MetricCode::Remission);
        assert_eq!(ordered[1], MetricCode::DepressionScreening);
        assert_eq!(ordered[2], all[1], "then the catalogue's order");
        assert_eq!(ordered.len(), all.len());
        assert_eq!(MeasuresOfSuccess::default().first(all.clone(), |c| *c), all);
    }

    proptest! {
        /// Reordering only moves items: nothing is lost or repeated, and every chosen metric
        /// comes before every other.
        #[test]
        fn first_is_a_permutation(picks in proptest::collection::vec(0usize..17, 0..6)) {
            let all: Vec<MetricCode> = CATALOGUE.iter().map(|d| d.code).collect();
            let mut chosen: Vec<MetricCode> = Vec::new();
            for p in picks {
                if !chosen.contains(&all[p]) {
                    chosen.push(all[p]);
                }
            }
            let m = MeasuresOfSuccess { chosen: chosen.clone() };
            let ordered = m.first(all.clone(), |c| *c);
            let mut sorted = ordered.clone();
            sorted.sort();
            let mut expected = all.clone();
            expected.sort();
            prop_assert_eq!(sorted, expected);
            prop_assert_eq!(&ordered[..chosen.len()], &chosen[..]);
        }
    }
}
