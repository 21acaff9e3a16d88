//! Properties over random responses of every instrument.

use super::*;
use proptest::prelude::*;

/// A random response: each item blank or one of its positions.
fn response(id: InstrumentId) -> impl Strategy<Value = Vec<Option<u8>>> {
    let items: Vec<_> = id
        .definition()
        .items
        .iter()
        .map(|i| proptest::option::of(0..i.options.len() as u8))
        .collect();
    items
}

fn any_response() -> impl Strategy<Value = (InstrumentId, Vec<Option<u8>>)> {
    proptest::sample::select(InstrumentId::ALL).prop_flat_map(|id| (Just(id), response(id)))
}

/// A complete response without blanks.
fn complete(id: InstrumentId) -> impl Strategy<Value = Vec<u8>> {
    let items: Vec<_> = id
        .definition()
        .items
        .iter()
        .map(|i| 0..i.options.len() as u8)
        .collect();
    items
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Whatever the answers: an official total needs every scored item answered or skipped,
    /// stays within range, and is the sum; an estimate is never official; a blank safety
    /// item is never clear; an answered safety item at its threshold always alerts.
    #[test]
    fn scoring_invariants((id, answers) in any_response()) {
        let def = id.definition();
        let s = match score(id, &answers) {
            Ok(s) => s,
            Err(e) => {
                // The only refusal of in-range answers: an answer to an item the form skips.
                prop_assert!(e.message.contains("is not asked"), "{}", e);
                return Ok(());
            }
        };
        let unanswered = |n: u8| answers[usize::from(n) - 1].is_none() && !s.skipped_items.contains(&n);
        let scored_blank = def.items.iter().any(|i| i.scored && unanswered(i.number));
        prop_assert_eq!(s.total.is_some(), !scored_blank && def.scored_items() > 0);
        if let Some(t) = s.total {
            prop_assert_eq!(t, s.partial_sum);
            prop_assert!(t <= id.max_total());
        }
        prop_assert!(s.partial_sum <= id.max_total());
        if scored_blank {
            prop_assert!(!s.complete);
            prop_assert_eq!(s.band.clone(), None);
        }
        if s.estimate.is_some() {
            prop_assert!(s.total.is_none() && !s.complete);
        }
        for item in def.items.iter().filter(|i| i.is_safety_item()) {
            if unanswered(item.number) {
                prop_assert_ne!(s.safety, Safety::Clear, "{} item {} blank", id, item.number);
            }
            if let (Some(p), Some(at)) = (answers[usize::from(item.number) - 1], item.alert_at) {
                let alerts = item.options[usize::from(p)].points >= at;
                prop_assert_eq!(s.alert_items.contains(&item.number), alerts);
                if alerts {
                    prop_assert_eq!(s.safety, Safety::Alert);
                }
            }
        }
        if id == InstrumentId::Cssrs && !s.complete {
            prop_assert_ne!(s.safety, Safety::Clear);
            prop_assert_eq!(s.risk_level, None);
        }
        for &n in &s.skipped_items {
            prop_assert!(!s.missing_items.contains(&n));
        }
    }

    /// EPDS: items 1, 2, 4 score their position; items 3 and 5-10 score 3 − position.
    #[test]
    fn epds_reverse_scoring(a in complete(InstrumentId::Epds)) {
        let expected: u16 = a
            .iter()
            .enumerate()
            .map(|(i, &p)| u16::from(if [0, 1, 3].contains(&i) { p } else { 3 - p }))
            .sum();
        let s = score(InstrumentId::Epds, &given(&a)).unwrap();
        prop_assert_eq!(s.total, Some(expected));
        prop_assert_eq!(s.safety == Safety::Alert, a[9] < 3);
    }

    /// DAST-10: one point per Yes, except item 3 where No scores.
    #[test]
    fn dast10_reverse_scoring(a in complete(InstrumentId::Dast10)) {
        let expected = a
            .iter()
            .enumerate()
            .filter(|&(i, &p)| if i == 2 { p == 0 } else { p == 1 })
            .count() as u16;
        let s = score(InstrumentId::Dast10, &given(&a)).unwrap();
        prop_assert_eq!(s.total, Some(expected));
    }

    /// AUDIT: items 1-8 score their position, items 9-10 twice it (0/2/4).
    #[test]
    fn audit_points(a in complete(InstrumentId::Audit)) {
        let a: Vec<u8> = a.iter().enumerate().map(|(i, &p)| if i == 0 { p.max(1) } else { p }).collect();
        let expected: u16 = a
            .iter()
            .enumerate()
            .map(|(i, &p)| u16::from(if i >= 8 { 2 * p } else { p }))
            .sum();
        let s = score(InstrumentId::Audit, &given(&a)).unwrap();
        prop_assert_eq!(s.total, Some(expected));
    }

    /// The estimate is round(sum × n / (n − 1)) with exactly one item blank, else absent.
    #[test]
    fn estimate_is_the_rounded_proration(
        id in proptest::sample::select(vec![InstrumentId::Phq9, InstrumentId::Gad7]),
        seed in proptest::collection::vec(0u8..4, 9),
        blank in 0usize..7,
    ) {
        let n = id.definition().scored_items();
        let mut a: Vec<Option<u8>> = seed[..n].iter().map(|&p| Some(p)).collect();
        a[blank] = None;
        let s = score(id, &a).unwrap();
        let sum: u16 = a.iter().flatten().map(|&p| u16::from(p)).sum();
        let expected = (f64::from(sum) * n as f64 / (n - 1) as f64).round() as u16;
        prop_assert_eq!(s.estimate, Some(expected));
        prop_assert_eq!(s.total, None);
        prop_assert!(expected >= sum && expected <= id.max_total());
    }
}
