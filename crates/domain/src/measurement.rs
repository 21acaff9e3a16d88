//! Measurement-based care: baseline, response, remission (reference instruments.md §14,
//! cocm-billing-registry.md §9.5; NCQA DRR-E for response and remission).

/// Relative reduction from `baseline` to `current`: `(baseline − current) / baseline`.
/// Undefined (None) when the baseline is 0.
pub fn reduction(baseline: u16, current: u16) -> Option<f64> {
    (baseline > 0).then(|| (baseline as f64 - current as f64) / baseline as f64)
}

/// Change in percent as registries show it: `(last − first) / first × 100`
/// (UW SCOPE registry, reference §9.4 [S54b]); negative is improvement.
pub fn change_percent(first: u16, last: u16) -> Option<f64> {
    reduction(first, last).map(|r| -r * 100.0)
}

/// Response: the current score is at least 50 % lower than the baseline (NCQA DRR-E).
pub fn is_response(baseline: u16, current: u16) -> bool {
    // Integer form of (b − c)/b ≥ 0.5, exact at the boundary (18 → 9 is a response).
    baseline > 0 && 2 * (baseline as u32).saturating_sub(current as u32) >= baseline as u32
}

/// Remission: PHQ-9 < 5 (NCQA DRR-E, CMS159); GAD-7 < 5 by the same convention.
pub const REMISSION_BELOW: u16 = 5;

pub fn is_remission(current: u16) -> bool {
    current < REMISSION_BELOW
}

/// "Clinically significant improvement" (MHIP, Psychiatr Serv 2016): PHQ-9 < 10 or a
/// response.
pub fn is_clinically_significant_improvement(baseline: u16, current: u16) -> bool {
    current < 10 || is_response(baseline, current)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Vectors of instruments.md §14.
    #[test]
    fn published_vectors() {
        assert!(is_response(18, 9));
        assert!(!is_response(18, 10));
        assert!(is_response(18, 4) && is_remission(4));
        assert!(!is_response(12, 7)); // 41.7 % → not improving
        assert!((reduction(12, 7).unwrap() - 0.41666).abs() < 1e-3);
        assert_eq!(reduction(0, 3), None);
        assert_eq!(change_percent(20, 10), Some(-50.0));
    }

    proptest! {
        #[test]
        fn response_matches_the_ratio(b in 1u16..=27, c in 0u16..=27) {
            let ratio = reduction(b, c).unwrap();
            prop_assert_eq!(is_response(b, c), ratio >= 0.5);
        }
    }
}
